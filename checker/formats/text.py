"""Human-readable report: findings grouped by file, then a one-line summary."""

from __future__ import annotations

from itertools import groupby

from checker.model import Report, Severity, Status


class TextFormatter:
    """Plain text for a terminal or a CI log."""

    def render(self, report: Report) -> str:
        """Group findings by file; each with position, severity, rule, message and fix."""
        lines: list[str] = []
        for file, findings in groupby(report.findings, key=lambda f: f.location.file):
            lines.append(file)
            for f in findings:
                where = f"{f.location.line}:{f.location.column}" if f.location.line else "-"
                lines.append(f"  {where:<8} {f.severity.value:<8} {f.rule_id:<11} {f.message}")
                indent = " " * 31
                if f.location.pointer:
                    lines.append(f"{indent}at {f.location.pointer}")
                if f.remediation:
                    lines.append(f"{indent}fix: {f.remediation}")
            lines.append("")
        lines.append(summary_line(report))
        return "\n".join(lines) + "\n"


def summary_line(report: Report) -> str:
    """One line: verdict, findings by severity, documents and rule outcomes."""
    counts = ", ".join(
        f"{report.count(s)} {s.value}{'s' if report.count(s) != 1 else ''}"
        for s in Severity
        if report.count(s)
    )
    total = len(report.findings)
    verdict = "FAIL" if report.failing else "PASS"
    found = f"{total} finding{'s' if total != 1 else ''}" + (f" ({counts})" if counts else "")
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
        f"{skipped}{rules} (fail on {report.fail_on.value})"
    )
