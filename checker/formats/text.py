"""Human-readable report: findings grouped by file, rule outcomes per concern and cloud, then
a one-line summary.

Waived and baseline findings are shown like the others, marked ``[waived]`` or
``[baseline]`` and followed by their note, so that a reader sees every accepted exception;
the findings of the baseline that are gone are listed under "resolved".
"""

from __future__ import annotations

from itertools import groupby

from checker.model import FindingState, Report, Severity, Status


class TextFormatter:
    """Plain text for a terminal or a CI log."""

    def render(self, report: Report) -> str:
        """Group findings by file; each with position, severity, rule, message and fix."""
        lines: list[str] = []
        id_width = max([11, *(len(f.rule_id) for f in report.findings)])
        indent = " " * (20 + id_width)
        for file, findings in groupby(report.findings, key=lambda f: f.location.file):
            lines.append(file)
            for f in findings:
                where = f"{f.location.line}:{f.location.column}" if f.location.line else "-"
                marker = "" if f.state is FindingState.OPEN else f"[{f.state.value}] "
                lines.append(f"  {where:<8} {f.severity.value:<8} {f.rule_id:<{id_width}} "
                             f"{marker}{f.message}")
                if f.location.pointer:
                    lines.append(f"{indent}at {f.location.pointer}")
                if f.remediation:
                    lines.append(f"{indent}fix: {f.remediation}")
                if f.note:
                    lines.append(f"{indent}note: {f.note}")
            lines.append("")
        if report.resolved:
            lines.append(f"resolved since the baseline ({len(report.resolved)}):")
            lines.extend(f"  {r.file}  {r.rule_id}  {r.message}" for r in report.resolved)
            lines.append("")
        lines.extend(breakdown_table(report))
        lines.append(summary_line(report))
        return "\n".join(lines) + "\n"


def breakdown_table(report: Report) -> list[str]:
    """Rule outcomes per concern and per cloud, when any rule ran."""
    if not report.results:
        return []
    breakdown = report.breakdown()
    header = f"{'':<16}{'pass':>6}{'fail':>6}{'warning':>9}{'n/a':>6}"
    lines = []
    for axis in ("concern", "cloud"):
        lines.append(f"{'by ' + axis:<16}" + header[16:])
        for name, c in breakdown[axis].items():
            lines.append(f"  {name:<14}{c['pass']:>6}{c['fail']:>6}{c['warning']:>9}"
                         f"{c['not-applicable']:>6}")
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
        rules = (
            f"; rules: {report.count_status(Status.PASS)} passed, "
            f"{report.count_status(Status.FAIL)} failed, "
            f"{report.count_status(Status.NOT_APPLICABLE)} not applicable"
        )
    documents = len(report.documents)
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    return (
        f"{verdict}: {found} in {documents} document{'s' if documents != 1 else ''}"
        f"{skipped}{resolved}{rules} (fail on {report.fail_on.value})"
    )
