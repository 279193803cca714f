"""GitHub Actions workflow commands: one annotation per open finding, then a summary line.

Each open finding becomes ``::error``, ``::warning`` or ``::notice`` (for error, warning and
info) with its file, line, column and ``RULE title`` as the annotation's title, so GitHub
shows it on the pull request's diff. Waived and baseline findings are not annotated: they
do not count against the gate. The last line is the plain summary of the text format.

Values are escaped as GitHub's own toolkit does (``%``, CR and LF in the message; also ``:``
and ``,`` in properties): besides keeping multi-line messages in one annotation, this stops
a value from the inputs (a customer name, say) from ending the command and issuing another
one, such as ``::stop-commands::``.
"""

from __future__ import annotations

from checker.formats.text import summary_line
from checker.model import Finding, FindingState, Report, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    """Escape a workflow command's message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


class GithubFormatter:
    """Workflow commands that GitHub Actions turns into annotations."""

    def render(self, report: Report) -> str:
        """One command per open finding, in report order, then the summary line."""
        lines = [
            annotation(f)
            for f in sorted(report.findings, key=lambda f: f.sort_key)
            if f.state is FindingState.OPEN
        ]
        lines.append(summary_line(report))
        return "\n".join(lines) + "\n"


def annotation(finding: Finding) -> str:
    """The workflow command for one finding."""
    loc = finding.location
    properties = [("file", loc.file)]
    if loc.line > 0:
        properties.append(("line", str(loc.line)))
        if loc.column > 0:
            properties.append(("col", str(loc.column)))
    title = f"{finding.rule_id} {finding.title}" if finding.title else finding.rule_id
    properties.append(("title", title))
    message = finding.message
    if loc.pointer:
        message += f"\nat {loc.pointer}"
    if finding.remediation:
        message += f"\nfix: {finding.remediation}"
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{COMMANDS[finding.severity]} {rendered}::{escape_data(message)}"
