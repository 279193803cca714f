"""Evidence manifest (``--evidence FILE``): what a run judged, with what, and the outcome.

For an auditor re-running or verifying a check, the manifest records the sha256 of every
input file, waivers file, baseline report, policy module and schema file, of every rendered
report, the checker, engine and Python versions, the as-of time each document was judged
at, the options used, the verdict, the exit code and the counts (``schemas/evidence.schema.
json``).

It is deterministic: the same inputs, options and versions give the same bytes, so the
manifest can itself be hashed or compared. For that reason it carries no wall-clock
timestamp (``generatedAt``): the times that decide a run's outcome are its as-of times,
which are recorded; when the run was executed is the CI system's record, not checker's.

Deliberately left out: environment variables and engine connection settings (an OPA URL
may carry credentials), so the manifest can be archived and shared as it is.

Files are hashed as they are on disk when the manifest is built, right after the run; the
manifest is written only when the run completed.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker import __version__
from checker.formats.json import report_dict
from checker.loading import discover, display_name, regular_file_problem
from checker.model import Report, fail_on_label
from checker.output import write_atomically
from checker.resources import builtin_policy_dir, schema_dir
from checker.runner import CheckOptions, normalize_as_of

EVIDENCE_VERSION = "1.0"
EVIDENCE_SCHEMA_ID = "https://github.com/csp-checker/checker/blob/main/schemas/evidence.schema.json"
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class RenderedReport:
    """One report the run produced: its format, file (None for standard output) and text."""

    format: str
    output: Path | None
    text: str


def build_evidence(options: CheckOptions, report: Report,
                   reports: Sequence[RenderedReport] = ()) -> dict[str, Any]:
    """The manifest of a completed run as plain JSON-ready data."""
    summary = report_dict(report)
    as_of = normalize_as_of(options.as_of) if options.as_of else None
    inputs = [path for path, _ in discover([*(p for p in options.paths if p != Path("-")),
                                            *([options.config] if options.config else [])],
                                           exclude=options.exclude)]
    names = dict(options.display_names)
    stdin = ([{"path": options.stdin_filename,
               "sha256": hashlib.sha256(options.stdin.encode()).hexdigest(),
               "bytes": len(options.stdin.encode())}]
             if options.stdin is not None and Path("-") in options.paths else [])
    evidence = {
        "$schema": EVIDENCE_SCHEMA_ID,
        "evidenceVersion": EVIDENCE_VERSION,
        "tool": {"name": "checker", "version": __version__,
                 "python": platform.python_version()},
        "engine": {"name": options.engine, "version": report.engine},
        "asOf": {
            "option": as_of,
            "documents": [{"file": file, "asOf": at} for file, at in report.judged_at],
        },
        "options": {
            "paths": [names.get(p, p.as_posix()) for p in options.paths],
            "config": options.config.as_posix() if options.config else None,
            "policyDirs": [p.as_posix() for p in options.policy_dirs],
            "builtinPolicies": options.builtin_policies,
            "engine": options.engine,
            "formats": [{"format": r.format,
                         "output": r.output.as_posix() if r.output else None} for r in reports],
            "failOn": fail_on_label(options.fail_on),
            "asOf": options.as_of,
            "waivers": [p.as_posix() for p in options.waivers],
            "maxWaiverDays": options.max_waiver_days,
            "baseline": options.baseline.as_posix() if options.baseline else None,
            "batchSize": options.batch_size,
            "rules": list(options.rules),
            "skipRules": list(options.skip_rules),
            "exclude": list(options.exclude),
            "allowEmpty": options.allow_empty,
        },
        "inputs": [*stdin, *(_file_record(p, names.get(p)) for p in inputs)],
        "waivers": [_file_record(p) for p in options.waivers],
        "baseline": _file_record(options.baseline) if options.baseline else None,
        "policies": [
            {"module": name, "builtin": builtin, **_digest(path)}
            for name, path, builtin in _policy_files(options)
        ],
        "schemas": [{"file": p.name, **_digest(p)}
                    for p in sorted(schema_dir().glob("*.schema.json"))],
        "reports": [
            {"format": r.format, "output": r.output.as_posix() if r.output else None,
             "sha256": hashlib.sha256(r.text.encode("utf-8")).hexdigest()}
            for r in reports
        ],
        "verdict": summary["verdict"],
        "exitCode": summary["exitCode"],
        "counts": summary["summary"],
    }
    exports = _exports(inputs, names)
    if exports:
        evidence["exports"] = exports
    return evidence


def _exports(inputs: Sequence[Path], names: dict[Path, str]) -> list[dict[str, Any]]:
    """The files imported snapshots were made from (their ``sources``), to cite the exports."""
    from checker.errors import CheckerError
    from checker.stream import open_snapshot

    records: list[dict[str, Any]] = []
    for path in inputs:
        if path.suffix.lower() != ".json":
            continue
        name = names.get(path) or display_name(path)
        try:
            document = open_snapshot(path, name)
        except (CheckerError, OSError):
            continue
        sources = document.data.get("sources") if document is not None else None
        if isinstance(sources, list):
            records.extend({"snapshot": name, **source} for source in sources
                           if isinstance(source, dict))
    return records


def render_evidence(evidence: dict[str, Any]) -> str:
    """The manifest as indented JSON, byte-identical for the same data."""
    return json.dumps(evidence, indent=2, ensure_ascii=False) + "\n"


def write_evidence(path: Path, options: CheckOptions, report: Report,
                   reports: Sequence[RenderedReport] = ()) -> None:
    """Build the manifest of a completed run and write it atomically."""
    write_atomically(path, render_evidence(build_evidence(options, report, reports)))


def _policy_files(options: CheckOptions) -> list[tuple[str, Path, bool]]:
    """(module name, file, built-in) of every module the engine loaded, as the run named them.

    Mirrors ``policies.load_policies``: the same roots, names and order, test modules (which
    ``check`` does not load) left out.
    """
    roots: list[tuple[Path, str, bool]] = []
    if options.builtin_policies:
        roots.append((builtin_policy_dir(), "rego", True))
    roots.extend((d, d.as_posix(), False) for d in options.policy_dirs)
    return [
        (f"{prefix}/{path.relative_to(root).as_posix()}", path, builtin)
        for root, prefix, builtin in roots
        for path in sorted(p for p in root.rglob("*.rego") if p.is_file())
        if not path.name.endswith("_test.rego")
    ]


def _file_record(path: Path, name: str | None = None) -> dict[str, Any]:
    return {"path": name or display_name(path), **_digest(path)}


def _digest(path: Path) -> dict[str, Any]:
    """sha256 and size of a file; an unreadable one is recorded as such, not skipped.

    An input that cannot be read is already an error finding of the run; the manifest says
    so rather than failing, because it documents that very run.
    """
    digest = hashlib.sha256()
    size = 0
    problem = regular_file_problem(path)
    if problem is not None:
        return {"sha256": None, "bytes": None, "error": problem}
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        return {"sha256": None, "bytes": None, "error": exc.strerror or str(exc)}
    return {"sha256": digest.hexdigest(), "bytes": size}
