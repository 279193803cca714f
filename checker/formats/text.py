"""Human-readable report: one line per finding, rule outcomes per concern and cloud, then a
one-line summary.

Each finding is ``path:line:col: severity RULE-ID message``, as compilers and linters print
them, so that editors and terminals link it to the place. Waived and baseline findings are
shown like the others, marked ``[waived]`` or ``[baseline]``; ``verbose`` adds below each
finding its JSON pointer, remediation and note. ``quiet`` prints only the summary line.
The findings of the baseline that are gone are listed under "resolved".
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.model import Finding, FindingState, Report, Severity, Status

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
# Control characters from the inputs (an escape sequence in a YAML string) are shown as
# escapes: printed raw, they would drive the terminal, or break the one-line-per-finding
# form with a newline.
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)}


def printable(text: str) -> str:
    """``text`` with control characters written as ``\\xNN`` escapes."""
    return text.translate(_CONTROL)


@dataclass(frozen=True)
class TextOptions:
    """How much to show, and whether with ANSI colours (the CLI decides: a TTY, --color)."""

    verbose: bool = False
    quiet: bool = False
    color: bool = False


class TextFormatter:
    """Plain text for a terminal or a CI log."""

    def __init__(self, options: TextOptions | None = None) -> None:
        self._options = options or TextOptions()

    def render(self, report: Report) -> str:
        """One line per finding, the breakdown tables, then the summary line."""
        if self._options.quiet:
            return self._paint(summary_line(report), _verdict_colour(report)) + "\n"
        lines: list[str] = []
        for f in report.findings:
            lines.append(self._finding(f))
            if self._options.verbose:
                indent = "    "
                if f.location.pointer:
                    lines.append(f"{indent}at {printable(f.location.pointer)}")
                if f.remediation:
                    lines.append(f"{indent}fix: {printable(f.remediation)}")
                if f.note:
                    lines.append(f"{indent}note: {printable(f.note)}")
        if report.findings:
            lines.append("")
        if report.resolved:
            lines.append(f"resolved since the baseline ({len(report.resolved)}):")
            lines.extend(f"  {r.file}  {r.rule_id}  {r.message}" for r in report.resolved)
            lines.append("")
        lines.extend(breakdown_table(report))
        lines.append(self._paint(summary_line(report), _verdict_colour(report)))
        return "\n".join(lines) + "\n"

    def _finding(self, f: Finding) -> str:
        where = printable(f.location.file)
        if f.location.line:
            where += f":{f.location.line}:{f.location.column}"
        marker = "" if f.state is FindingState.OPEN else f"[{f.state.value}] "
        severity = self._paint(f.severity.value, _COLOURS[f.severity])
        return f"{where}: {severity} {f.rule_id} {marker}{printable(f.message)}"

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self._options.color and code else text


def _verdict_colour(report: Report) -> str:
    return "1;31" if report.failing else "1;32"


def breakdown_table(report: Report) -> list[str]:
    """Rule outcomes per concern and per cloud, when any rule ran."""
    if not report.results:
        return []
    breakdown = report.breakdown()
    header = f"{'':<16}{'pass':>6}{'fail':>6}{'warning':>9}{'info':>6}{'n/a':>6}"
    lines = []
    for axis in ("concern", "cloud"):
        lines.append(f"{'by ' + axis:<16}" + header[16:])
        for name, c in breakdown[axis].items():
            lines.append(f"  {name:<14}{c['pass']:>6}{c['fail']:>6}{c['warning']:>9}"
                         f"{c['info']:>6}{c['not-applicable']:>6}")
    return [*lines, ""]


def summary_line(report: Report) -> str:
    """One line: verdict, findings by severity and state, documents and rule outcomes."""
    counts = ", ".join(
        f"{report.count(s)} {s.value}{'s' if report.count(s) != 1 else ''}"
        for s in Severity
        if report.count(s)
    )
    total = len(report.findings)
    verdict = "FAIL" if report.failing else "PASS"
    # Severities count every finding; the waived and baseline ones are then named apart,
    # since only the open ones can fail the run.
    states = ", ".join(
        f"{report.count_state(s)} {s.value}" for s in (FindingState.WAIVED, FindingState.BASELINE)
        if report.count_state(s)
    )
    details = "; ".join(part for part in (counts, states) if part)
    found = f"{total} finding{'s' if total != 1 else ''}" + (f" ({details})" if details else "")
    resolved = f"; {len(report.resolved)} resolved" if report.resolved else ""
    rules = ""
    if report.results:
        # A rule that fired failed (as summary.rules counts it in JSON); by its severity
        # it is in the fail, warning or info column of the "by concern" table, and the
        # parenthesis says how many of each, so the footer and the table agree.
        outcomes = dict.fromkeys(("fail", "warning", "info"), 0)
        for per_rule in report.breakdown()["rule"].values():
            for outcome in outcomes:
                outcomes[outcome] += per_rule[outcome]
        by_severity = ", ".join(f"{n} {severity}" for severity, n in
                                zip(("error", "warning", "info"), outcomes.values(),
                                    strict=True) if n)
        failed = report.count_status(Status.FAIL)
        rules = (
            f"; rules: {report.count_status(Status.PASS)} passed, {failed} failed"
            + (f" ({by_severity})" if failed else "")
            + f", {report.count_status(Status.NOT_APPLICABLE)} not applicable"
        )
    documents = len(report.documents)
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    return (
        f"{verdict}: {found} in {documents} document{'s' if documents != 1 else ''}"
        f"{skipped}{resolved}{rules} (fail on {report.fail_on_label})"
    )
