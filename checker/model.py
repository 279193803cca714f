"""Frozen value types that flow from evaluation to the formatters."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from checker.errors import ExitCode


class Severity(StrEnum):
    """How bad a finding is; ``--fail-on`` picks the lowest one that fails the run."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return {"error": 3, "warning": 2, "info": 1}[self.value]


def fail_on_label(fail_on: Severity | None) -> str:
    """``--fail-on`` as written: a severity, or ``never`` for ``None``."""
    return "never" if fail_on is None else fail_on.value


class FindingState(StrEnum):
    """Whether a finding counts against the gate."""

    OPEN = "open"
    WAIVED = "waived"
    BASELINE = "baseline"


class Status(StrEnum):
    """The outcome of one rule on one document."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: file, RFC 6901 JSON pointer, 1-based line and column."""

    file: str
    pointer: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by a rule in a document.

    ``fingerprint`` identifies the finding across runs: it is built from the rule, the file
    and the path with array indexes replaced by the ids of the elements (customer,
    subscription...), so it survives reordering and changing values in messages.
    ``customer`` and ``subscription`` are the ids the finding is about, when any.
    A finding that is ``WAIVED`` or ``BASELINE`` is reported but does not fail the run;
    ``note`` says why.
    """

    rule_id: str
    severity: Severity
    message: str
    location: Location
    title: str = ""
    remediation: str = ""
    fingerprint: str = ""
    customer: str = ""
    subscription: str = ""
    state: FindingState = FindingState.OPEN
    note: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Deterministic order: by file, position, rule, pointer, message."""
        loc = self.location
        return (loc.file, loc.line, loc.column, self.rule_id, loc.pointer, self.message)


@dataclass(frozen=True)
class Parameter:
    """A threshold a rule reads from the partner's configuration, with its default."""

    name: str
    default: Any
    description: str


CLOUDS = ("global", "us-government", "germany", "21vianet")

# What a rule can be limited to (METADATA ``custom.applies``): partners that sell Azure,
# new-commerce or legacy licence subscriptions, licences of any kind. None means every
# subscription and every partner.
APPLICABILITY = ("azure", "new-commerce", "legacy", "licences")


@dataclass(frozen=True)
class Rule:
    """A catalogue entry, as declared in the METADATA block above the rule.

    ``target`` is ``configuration`` or ``accounts`` (which documents it evaluates), or
    ``input`` for checker's own CHK-* findings about the inputs. ``guidance_url`` is the
    page (Microsoft Learn or docs) a reader opens for the ``guidance_quote``; ``applies``
    limits the rule to some of ``APPLICABILITY`` (empty: everything).
    """

    id: str
    title: str
    severity: Severity
    concern: str
    target: str
    clouds: tuple[str, ...] = CLOUDS
    description: str = ""
    remediation: str = ""
    guidance_url: str = ""
    guidance_quote: str = ""
    applies: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    module: str = ""
    line: int = 0
    builtin: bool = True
    examples: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class RetiredRule:
    """A catalogue id no longer in use (``rego/retired.yaml``) and the rule that replaced it.

    A retired id is known: ``checker explain`` names its replacement and a waiver naming it
    is not a misspelling; it never produces a finding.
    """

    id: str
    replaced_by: str
    reason: str


@dataclass(frozen=True, slots=True)
class RuleResult:
    """The status of one rule on one document; ``reason`` explains not-applicable."""

    rule_id: str
    file: str
    status: Status
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A document that took part in the run; ``partner_name`` is a configuration's."""

    file: str
    kind: str
    partner_id: str = ""
    cloud: str = ""
    as_of: str = ""
    partner_name: str = ""
    # An evaluated snapshot's subscriptions per kind (azure-plan, legacy, new-commerce),
    # as the policies classify them; empty for other documents.
    subscriptions: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ResolvedFinding:
    """A finding of the ``--baseline`` report that the current run no longer reports."""

    rule_id: str
    file: str
    fingerprint: str
    message: str


@dataclass(frozen=True)
class Report:
    """Everything a run found; the exit code is derived from it, never computed elsewhere.

    ``resolved`` lists the baseline's findings that are gone (empty without a baseline);
    ``judged_at`` pairs each evaluated file with the as-of date-time it was judged at (the
    "now" of time-based rules and of waiver expiry); ``policy_version`` is a digest of the
    policy modules evaluated (the one an OPA server's policies are compared by).
    """

    findings: tuple[Finding, ...]
    results: tuple[RuleResult, ...] = ()
    documents: tuple[DocumentInfo, ...] = ()
    # None: never fail on findings (``--fail-on never``, a report-only run).
    fail_on: Severity | None = Severity.ERROR
    engine: str = ""
    skipped: tuple[str, ...] = field(default=())
    rules: tuple[Rule, ...] = ()
    resolved: tuple[ResolvedFinding, ...] = ()
    judged_at: tuple[tuple[str, str], ...] = ()
    policy_version: str = ""

    @property
    def failing(self) -> tuple[Finding, ...]:
        """Open findings at or above the ``--fail-on`` severity."""
        if self.fail_on is None:
            return ()
        rank = self.fail_on.rank
        return tuple(
            f for f in self.findings if f.state is FindingState.OPEN and f.severity.rank >= rank
        )

    @property
    def fail_on_label(self) -> str:
        """The ``--fail-on`` value as given: a severity, or ``never``."""
        return fail_on_label(self.fail_on)

    @property
    def exit_code(self) -> ExitCode:
        """0 when nothing fails the run, 1 when a finding does."""
        return ExitCode.FINDINGS if self.failing else ExitCode.OK

    def count(self, severity: Severity) -> int:
        """Number of findings of one severity."""
        return sum(1 for f in self.findings if f.severity is severity)

    def count_state(self, state: FindingState) -> int:
        """Number of findings in one state (open, waived, baseline)."""
        return sum(1 for f in self.findings if f.state is state)

    def breakdown(self) -> dict[str, dict[str, dict[str, int]]]:
        """Rule outcomes counted per rule, per concern and per cloud.

        An outcome is pass, fail, warning or info (a rule of that severity that fired) or
        not-applicable; a document's cloud is its partner's.
        """
        severity = {r.id: r.severity for r in self.rules}
        concern = {r.id: r.concern for r in self.rules}
        cloud = {d.file: d.cloud for d in self.documents}
        outcomes = ("pass", "fail", "warning", "info", "not-applicable")
        counts: dict[str, dict[str, dict[str, int]]] = {"rule": {}, "concern": {}, "cloud": {}}
        for result in self.results:
            outcome = result.status.value
            rule_severity = severity.get(result.rule_id)
            if result.status is Status.FAIL and rule_severity in (Severity.WARNING,
                                                                  Severity.INFO):
                outcome = rule_severity.value
            keys = {
                "rule": result.rule_id,
                "concern": concern.get(result.rule_id) or "other",
                "cloud": cloud.get(result.file) or "unknown",
            }
            for axis, key in keys.items():
                bucket = counts[axis].setdefault(key, dict.fromkeys(outcomes, 0))
                bucket[outcome] += 1
        return {axis: dict(sorted(values.items())) for axis, values in counts.items()}

    def count_status(self, status: Status) -> int:
        """Number of rule results with one status."""
        return sum(1 for r in self.results if r.status is status)
