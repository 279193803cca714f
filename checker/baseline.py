"""Baselines: accept the findings of an earlier JSON report, see only what is new.

``--baseline REPORT.json`` reads a report of an earlier run (validated against
``schemas/report.schema.json``). Findings whose fingerprint it holds are reported with state
``baseline`` and do not fail the run; its findings that are gone are listed as resolved.

Two kinds of finding are never accepted from a baseline, so that it cannot become a way
around the gate: findings about the inputs themselves (CHK-*, broken inputs always fail),
and findings that were only *waived* in the earlier run (otherwise an expired waiver would
silently live on as baseline).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checker.errors import InputError, UsageError
from checker.loading import load_file
from checker.model import Finding, FindingState, ResolvedFinding
from checker.validation import REPORT_SCHEMA_FILE, validate_with

NOTE = "present in baseline"


@dataclass(frozen=True)
class Baseline:
    """The findings of an earlier report: what may be accepted and what may be resolved."""

    file: str
    findings: tuple[ResolvedFinding, ...]
    accepted: frozenset[str]


def load_baseline(path: Path) -> Baseline:
    """Read and validate a JSON report; anything wrong with it is a ``UsageError``.

    A baseline that cannot be used is a mistake on the command line, not a finding: running
    on without it would report every accepted finding as new (or, worse, be mistaken for a
    clean run), so the run stops before doing anything.
    """
    where = f"--baseline {path.as_posix()}"
    if not path.is_file():
        raise UsageError(f"{where}: no such file")
    try:
        documents = load_file(path)
    except InputError as exc:
        raise UsageError(f"{where}: {exc}") from exc
    if len(documents) != 1:
        raise UsageError(f"{where}: expected one JSON report, found {len(documents)} documents")
    data = documents[0].data
    error = next(iter(validate_with(REPORT_SCHEMA_FILE, data)), None)
    if error is not None:
        pointer = "".join(f"/{part}" for part in error.path) or "/"
        raise UsageError(f"{where}: not a checker JSON report: {error.message} (at {pointer})")
    missing = [f for f in data["findings"] if not f.get("fingerprint")]
    if missing:
        raise UsageError(f"{where}: {len(missing)} findings have no fingerprint (report "
                         f"version {data['reportVersion']}); write the baseline again with "
                         "this checker's --format json")
    findings = tuple(
        ResolvedFinding(f["ruleId"], f["file"], f["fingerprint"], f["message"])
        for f in data["findings"]
    )
    accepted = frozenset(
        f["fingerprint"] for f in data["findings"] if f.get("state", "open") != "waived"
    )
    return Baseline(documents[0].file, findings, accepted)


def apply_baseline(findings: Sequence[Finding], baseline: Baseline,
                   unacceptable: Collection[str] = ()) -> tuple[Finding, ...]:
    """Mark the open findings the baseline accepts; others are left as they are.

    ``unacceptable`` names rules (the CHK-* input rules) never accepted from a baseline,
    whatever the file says.
    """
    return tuple(
        replace(f, state=FindingState.BASELINE, note=NOTE)
        if f.state is FindingState.OPEN and f.rule_id not in unacceptable
        and f.fingerprint in baseline.accepted else f
        for f in findings
    )


def resolved(findings: Sequence[Finding], baseline: Baseline) -> tuple[ResolvedFinding, ...]:
    """The baseline's findings whose fingerprint no current finding has, sorted."""
    present = {f.fingerprint for f in findings}
    gone = {r for r in baseline.findings if r.fingerprint not in present}
    return tuple(sorted(gone, key=lambda r: (r.file, r.rule_id, r.fingerprint, r.message)))
