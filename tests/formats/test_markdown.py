"""The Markdown summary: verdict, counts, escaped findings table, caps."""

from __future__ import annotations

from checker.formats.markdown import MarkdownFormatter, md_cell
from checker.model import Finding, Location, Report, Severity


def many(n: int) -> Report:
    findings = tuple(Finding("R-1", Severity.ERROR, f"finding {i:03}",
                             Location("f.yaml", f"/a/{i}", i + 1, 1)) for i in range(n))
    return Report(findings=findings)


def test_verdict_and_summary_table(report: Report) -> None:
    lines = MarkdownFormatter().render(report).splitlines()
    assert lines[0] == "## ❌ checker: FAIL"
    header = lines.index("| error | warning | info | waived | baseline | rules passed | "
                         "rules failed | rules not applicable |")
    assert lines[header + 2] == "| 5 | 1 | 1 | 1 | 1 | 1 | 4 | 1 |"


def test_pass_without_findings() -> None:
    text = MarkdownFormatter().render(Report(findings=()))
    assert text.startswith("## ✅ checker: PASS\n")
    assert "No open findings." in text and "### Findings" not in text


def test_findings_worst_first_with_escaped_cells(report: Report) -> None:
    lines = MarkdownFormatter().render(report).splitlines()
    start = lines.index("| Severity | Rule | Location | Message | Fix |")
    rows = lines[start + 2:start + 7]
    assert [r.split(" | ")[0] for r in rows] == ["| error"] * 4 + ["| info"]
    assert lines[start + 7] == ""
    tricky = next(r for r in rows if "14:13" in r)
    assert tricky == (
        "| error | COLL-006 | partner.yaml:14:13 | action \"disable\" \\| not allowed, in "
        "cloud: 21vianet \\<b\\>\\&\\</b\\> 100%<br>second line | Choose an action the "
        "cloud allows. |")
    # Every row keeps its five cells: no pipe in a value splits one.
    for row in rows:
        assert row.replace("\\|", "").count("|") == 6


def test_suppressed_findings_are_in_a_collapsed_section(report: Report) -> None:
    text = MarkdownFormatter().render(report)
    assert "<summary>2 waived or baseline findings</summary>" in text
    assert ("| waived | warning | CTRL-005 | partner.yaml:20:5 | fraud alerts are answered in "
            "480 minutes | accepted until 2026-12-31 by the risk committee (RISK-42) |") in text


def test_cell_escaping() -> None:
    assert md_cell("a|b\r\nc\nd`e*_[x](y)\x1b") == "a\\|b<br>c<br>d\\`e\\*\\_\\[x\\](y)"


def test_long_tables_are_capped_by_rows() -> None:
    text = MarkdownFormatter(max_rows=200).render(many(250))
    rows = [line for line in text.splitlines() if line.startswith("| error | R-1 |")]
    assert len(rows) == 200
    assert rows[-1].startswith("| error | R-1 | f.yaml:200:1 | finding 199 |")
    assert "…and 50 more findings not shown here; the full report lists them all." in text


def test_long_tables_are_capped_to_fit_a_pull_request_comment() -> None:
    text = MarkdownFormatter(max_chars=5_000).render(many(250))
    assert len(text) < 5_000
    shown = sum(1 for line in text.splitlines() if line.startswith("| error | R-1 |"))
    assert 0 < shown < 200
    assert f"…and {250 - shown} more findings" in text
