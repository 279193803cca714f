"""Report: every stage's outcome put together, in a deterministic order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from checker.model import (
    DocumentInfo,
    Finding,
    Report,
    ResolvedFinding,
    Rule,
    RuleResult,
    Severity,
)
from checker.policies import INPUT_RULES


def build_report(*, findings: Sequence[Finding], results: Sequence[RuleResult],
                 documents: Sequence[DocumentInfo], skipped: Sequence[str],
                 fail_on: Severity | None, engine: str, rules: Sequence[Rule],
                 resolved: Sequence[ResolvedFinding] = (),
                 judged_at: Mapping[str, str] | None = None,
                 clouds: Mapping[str, str] | None = None,
                 subscriptions: Mapping[str, Mapping[str, int]] | None = None) -> Report:
    """The report: sorted, each document with the time and cloud it was judged in.

    ``rules`` are the policy rules the run used; the input rules (CHK-*) that produced a
    finding are listed with them.
    """
    judged_at = judged_at or {}
    clouds = clouds or {}
    subscriptions = subscriptions or {}
    used = {f.rule_id for f in findings} | {r.rule_id for r in results}
    catalogue = [*INPUT_RULES.values(), *rules]
    return Report(
        findings=tuple(sorted(set(findings), key=lambda f: f.sort_key)),
        results=tuple(sorted(results, key=lambda r: (r.file, r.rule_id))),
        # A document's asOf in the report is the time it was judged at (--as-of wins).
        documents=tuple(sorted((replace(d, as_of=judged_at.get(d.file, d.as_of),
                                        cloud=clouds.get(d.file, d.cloud),
                                        subscriptions=tuple(sorted(
                                            subscriptions.get(d.file, {}).items())))
                                for d in documents), key=lambda d: d.file)),
        fail_on=fail_on,
        engine=engine,
        skipped=tuple(sorted(skipped)),
        rules=tuple(sorted((r for r in catalogue if r.id in used or r.target != "input"),
                           key=lambda r: r.id)),
        resolved=tuple(resolved),
        judged_at=tuple(sorted(judged_at.items())),
    )
