"""GitHub workflow commands: one annotation per open finding, escaped, then the summary."""

from __future__ import annotations

from checker.formats.github import GithubFormatter, escape_data, escape_property
from checker.formats.text import summary_line
from checker.model import Report


def test_one_command_per_open_finding_then_the_summary(report: Report) -> None:
    lines = GithubFormatter().render(report).splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:-1]] == [
        "::error", "::error", "::error", "::error", "::notice"]
    assert lines[-1] == summary_line(report)
    assert not any("CTRL-005" in line or "third action" in line for line in lines)


def test_annotation_properties_and_escaped_message(report: Report) -> None:
    line = next(x for x in GithubFormatter().render(report).splitlines() if "line=14," in x)
    assert line == (
        "::error file=partner.yaml,line=14,col=13,title=COLL-006 Access-impact action is "
        "allowed in the cloud::action \"disable\" | not allowed, in cloud: 21vianet "
        "<b>&</b> 100%25%0Asecond line\x07%0Aat /collectionsPolicy/accessImpact/action%0A"
        "fix: Choose an action the cloud allows.")


def test_finding_without_position_has_no_line_or_column(report: Report) -> None:
    line = next(x for x in GithubFormatter().render(report).splitlines() if "CRED-009" in x)
    assert line.startswith("::notice file=snapshot.json,title=CRED-009 Credit decisions are "
                           "reviewed::")


def test_property_escaping() -> None:
    assert escape_property("a:b,c%d\r\ne") == "a%3Ab%2Cc%25d%0D%0Ae"
    assert escape_data("a:b,c%d\r\ne") == "a:b,c%25d%0D%0Ae"


def test_values_cannot_issue_another_command() -> None:
    assert "\n" not in escape_data("x\n::stop-commands::token")
