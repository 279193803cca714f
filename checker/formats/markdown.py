"""Markdown for pull-request comments and GitHub job summaries ($GITHUB_STEP_SUMMARY).

A verdict heading, one summary table (findings by severity and state, rule outcomes), then
the open findings, worst first, in a table of severity, rule, place, message and fix; waived
and baseline findings follow in a collapsed section. Tables stop at ``max_rows`` rows, or
earlier when the text would outgrow a pull-request comment, with an "…and N more" line.
Every value is escaped, so customer names or messages cannot break the table or inject
markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from checker.model import Finding, FindingState, Report, Severity, Status

# GitHub refuses pull-request comments longer than 65,536 characters; stay well under it so
# that a bot can add its own header.
MAX_CHARS = 60_000
MAX_ROWS = 200

# Room kept for the "…and N more" line and the end of the page when a table is cut.
_TRAILER = 200

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def md_cell(text: str) -> str:
    """``text`` made safe for one Markdown table cell: markup escaped, newlines as <br>."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _CONTROL.sub("", text))
    return _NEWLINE.sub("<br>", escaped)


class MarkdownFormatter:
    """GitHub-flavoured Markdown summary of a report."""

    def __init__(self, max_rows: int = MAX_ROWS, max_chars: int = MAX_CHARS) -> None:
        self.max_rows = max_rows
        self.max_chars = max_chars

    def render(self, report: Report) -> str:
        """Render the verdict, the summary table and the findings tables."""
        failing = bool(report.failing)
        verdict = "❌ checker: FAIL" if failing else "✅ checker: PASS"
        documents = len(report.documents)
        lines = [
            f"## {verdict}",
            "",
            f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''} in "
            f"{documents} document{'s' if documents != 1 else ''}; the run fails on "
            f"{report.fail_on_label} findings"
            + (f" and {len(report.failing)} fail it." if failing else " and none fail it."),
            "",
            *_summary_table(report),
            "",
        ]
        budget = self.max_chars - sum(len(line) + 1 for line in lines)
        open_findings = _worst_first(f for f in report.findings if f.state is FindingState.OPEN)
        suppressed = _worst_first(f for f in report.findings if f.state is not FindingState.OPEN)
        if open_findings:
            lines += ["### Findings", ""]
            table = self._table(["Severity", "Rule", "Location", "Message", "Fix"],
                                [[f.severity.value, f.rule_id, _place(f), f.message,
                                  f.remediation] for f in open_findings], budget)
            lines += table
            budget -= sum(len(line) + 1 for line in table)
        else:
            lines.append("No open findings.")
        if suppressed:
            lines += ["", "<details>",
                      f"<summary>{len(suppressed)} waived or baseline finding"
                      f"{'s' if len(suppressed) != 1 else ''}</summary>", ""]
            lines += self._table(["State", "Severity", "Rule", "Location", "Message", "Note"],
                                 [[f.state.value, f.severity.value, f.rule_id, _place(f),
                                   f.message, f.note] for f in suppressed], budget)
            lines += ["", "</details>"]
        return "\n".join(lines) + "\n"

    def _table(self, header: Sequence[str], rows: Sequence[Sequence[str]],
               budget: int) -> list[str]:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        used = sum(len(line) + 1 for line in lines) + _TRAILER
        shown = 0
        for row in rows:
            line = "| " + " | ".join(md_cell(cell) for cell in row) + " |"
            if shown >= self.max_rows or used + len(line) + 1 > budget:
                break
            lines.append(line)
            used += len(line) + 1
            shown += 1
        hidden = len(rows) - shown
        if hidden:
            lines += ["", f"…and {hidden} more finding{'s' if hidden != 1 else ''} not shown "
                          "here; the full report lists them all."]
        return lines


def _summary_table(report: Report) -> list[str]:
    columns: list[tuple[str, int]] = [(s.value, report.count(s)) for s in Severity]
    # Waived, baseline and resolved counts only appear when a waiver file or baseline is in
    # play, so that an ordinary run shows no empty columns.
    columns += [(s.value, report.count_state(s))
                for s in (FindingState.WAIVED, FindingState.BASELINE) if report.count_state(s)]
    if report.resolved:
        columns.append(("resolved", len(report.resolved)))
    columns += [
        ("rules passed", report.count_status(Status.PASS)),
        ("rules failed", report.count_status(Status.FAIL)),
        ("rules not applicable", report.count_status(Status.NOT_APPLICABLE)),
    ]
    return [
        "| " + " | ".join(name for name, _ in columns) + " |",
        "|" + "---:|" * len(columns),
        "| " + " | ".join(str(count) for _, count in columns) + " |",
    ]


def _worst_first(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.sort_key))


def _place(finding: Finding) -> str:
    loc = finding.location
    if not loc.line:
        return loc.file
    return f"{loc.file}:{loc.line}:{loc.column}" if loc.column else f"{loc.file}:{loc.line}"
