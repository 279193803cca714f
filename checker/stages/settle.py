"""Settle: a complete evaluation's findings after --rule/--skip-rule, waivers and baseline.

Only a complete evaluation is settled: waivers and a baseline never stand in for a check
that did not run. Input findings (CHK-*) can be neither waived nor accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from checker.baseline import Baseline, apply_baseline, resolved
from checker.findings import input_finding
from checker.model import Finding, ResolvedFinding, RuleResult
from checker.policies import INPUT_RULES
from checker.waivers import WaiverSet, apply_waivers


@dataclass(frozen=True)
class Settled:
    """The findings as reported, and the baseline's findings no longer found."""

    findings: tuple[Finding, ...]
    resolved: tuple[ResolvedFinding, ...]


def keep_rules(findings: Sequence[Finding], results: Sequence[RuleResult],
               selected: frozenset[str] | None) -> tuple[list[Finding], list[RuleResult]]:
    """Drop the findings and results of rules not selected; input findings always stay."""
    if selected is None:
        return list(findings), list(results)
    return ([f for f in findings if f.rule_id in INPUT_RULES or f.rule_id in selected],
            [r for r in results if r.rule_id in selected])


def settle(findings: Sequence[Finding], waiver_set: WaiverSet, baseline: Baseline | None, *,
           judged_at: Mapping[str, str], default_as_of: str, max_waiver_days: int,
           known_rules: Iterable[str], retired: Mapping[str, str] | None = None) -> Settled:
    """Apply waivers, then the baseline, to the findings of a complete evaluation.

    Waivers go first, so that a finding both waived and in the baseline shows its waiver
    (and the waiver counts as used). Waivers matching no evaluated document are judged at
    ``default_as_of``.
    """
    applied = apply_waivers(findings, waiver_set.waivers, as_of_by_file=dict(judged_at),
                            default_as_of=default_as_of, max_days=max_waiver_days,
                            unwaivable=INPUT_RULES, known_rules=set(known_rules),
                            retired=retired)
    settled = list(applied.findings)
    for problem in (*waiver_set.problems, *applied.problems):
        where = problem.location
        settled.append(input_finding(problem.rule_id, problem.message, where.file,
                                     where.pointer, where.line, where.column))
    if baseline is None:
        return Settled(tuple(settled), ())
    settled = list(apply_baseline(settled, baseline, unacceptable=INPUT_RULES))
    return Settled(tuple(settled), tuple(resolved(settled, baseline)))
