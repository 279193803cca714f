"""The HTML report's structure, without a browser: self-contained, escaped, deterministic,
small, and holding every finding; the customer roll-up and the deadlines it derives."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from checker.formats import FORMATTERS
from checker.formats.html import COMPRESS_ABOVE, HtmlFormatter, customer_risks, parse_time
from checker.formats.json import report_dict
from checker.model import Report, Severity
from tests.documents import run, waiver, write_waivers
from tests.formats.html_page import HOSTILE, elements, hostile_report, large_report, page_data

MAX_BYTES_10K = 2 * 1024 * 1024


def render(report: Report) -> str:
    return HtmlFormatter().render(report)


def test_page_is_self_contained(pipeline_reports: dict[str, Report]) -> None:
    page = render(pipeline_reports["global-noncompliant"])
    tags = elements(page)
    names = {t for t, _ in tags}
    # Nothing that could load anything: no external scripts, styles, images, frames, fonts.
    assert not names & {"link", "img", "iframe", "object", "embed", "base", "form-action"}
    assert all("src" not in attrs for _, attrs in tags)
    assert not re.search(r"(?:src|href)=\"(?!#)", page.split("<style>")[0] + page.split(
        "</style>")[1].split("<script")[0]), "a link that is not an anchor in the static part"
    assert "@import" not in page and "url(" not in page
    csp = next(a["content"] for t, a in tags if a.get("http-equiv") == "Content-Security-Policy")
    assert csp and "default-src 'none'" in csp and "'unsafe-inline'" not in csp


def test_csp_lists_the_hashes_of_the_inline_style_and_script(report: Report) -> None:
    page = render(report)
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    script = page.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    for text in (style, script):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in page


def test_every_finding_is_in_the_data(pipeline_reports: dict[str, Report]) -> None:
    report = pipeline_reports["global-noncompliant"]
    _, data = page_data(render(report))
    expected = report_dict(report)["findings"]
    assert len(data["findings"]) == len(expected) > 0
    for shown, finding in zip(data["findings"], expected, strict=True):
        assert (shown["rule"], shown["severity"], shown["file"], shown["line"],
                shown["column"], shown["pointer"], shown["message"]) == (
            finding["ruleId"], finding["severity"], finding["file"], finding["line"],
            finding["column"], finding["pointer"], finding["message"])
        rule = data["rules"][shown["rule"]]
        assert shown.get("remediation", rule["remediation"]) == finding["remediation"]
        assert shown.get("title", rule["title"]) == finding["title"]


def test_header_and_counts_equal_the_json_report(pipeline_reports: dict[str, Report]) -> None:
    report = pipeline_reports["global-noncompliant"]
    page = render(report)
    summary = report_dict(report)["summary"]
    metric = dict(re.findall(r'data-metric="([^"]+)">([^<]*)<', page))
    assert metric["verdict"] == "FAIL"
    for severity, count in summary["findings"].items():
        assert metric[f"findings.{severity}"] == str(count)
    for state, count in summary["states"].items():
        assert metric[f"states.{state}"] == str(count)
    for status, count in summary["rules"].items():
        assert metric[f"rules.{status}"] == str(count)
    for concern, outcomes in summary["byConcern"].items():
        for outcome, count in outcomes.items():
            assert metric[f"byConcern.{concern}.{outcome}"] == str(count)
    fact = dict(re.findall(r'data-fact="([^"]+)">([^<]*)<', page))
    assert fact["Partner"] == "Fabrikam Cloud Reseller (fabrikam)"
    assert fact["Cloud"] == "global"
    assert fact["Audit date (as-of)"] == "2026-06-30T00:00:00Z"
    assert fact["Engine"] == report.engine and report.policy_version in fact["Policies"]


def test_hostile_values_are_escaped_everywhere() -> None:
    page = render(hostile_report())
    tags = elements(page)
    assert [t for t, _ in tags].count("script") == 2
    assert "img" not in {t for t, _ in tags} and "b" not in {t for t, _ in tags}
    assert "<img" not in page and "<b>" not in page
    assert page.count("</script>") == 2 and page.count("</style>") == 1
    assert "\u2028" not in page.split("<script", 1)[1]
    _, data = page_data(page)
    assert data["findings"][0]["message"].endswith(HOSTILE)
    assert data["customers"][0]["name"] == HOSTILE
    waived = data["findings"][1]["waiver"]
    assert (waived["ticket"], waived["expires"], waived["reason"]) == (HOSTILE, "2026-12-31",
                                                                       HOSTILE)


def test_only_web_links_become_guidance_links() -> None:
    from dataclasses import replace

    report = hostile_report()
    safe = replace(report.rules[0])
    object.__setattr__(safe, "guidance_url", "javascript:alert(1)")
    _, data = page_data(render(replace(report, rules=(safe,))))
    assert data["rules"][safe.id]["guidanceUrl"] == ""
    object.__setattr__(safe, "guidance_url", "https://learn.microsoft.com/partner-center/x")
    _, data = page_data(render(replace(report, rules=(safe,))))
    assert data["rules"][safe.id]["guidanceUrl"] == "https://learn.microsoft.com/partner-center/x"


def test_same_inputs_give_the_same_bytes(pipeline_reports: dict[str, Report]) -> None:
    report = pipeline_reports["global-noncompliant"]
    shuffled = Report(
        findings=tuple(reversed(report.findings)), results=tuple(reversed(report.results)),
        documents=tuple(reversed(report.documents)), fail_on=report.fail_on,
        engine=report.engine, rules=tuple(reversed(report.rules)),
        judged_at=tuple(reversed(report.judged_at)), policy_version=report.policy_version)
    assert render(report) == render(report) == render(shuffled)


def test_ten_thousand_findings_fit_in_two_megabytes() -> None:
    report = large_report(10_000)
    page = render(report)
    size = len(page.encode("utf-8"))
    assert size < MAX_BYTES_10K, f"{size} bytes"
    encoding, data = page_data(page)
    assert encoding == "deflate-base64"
    assert [f["message"] for f in data["findings"]] == [f.message for f in report.findings]


def test_small_data_stays_readable_json(report: Report) -> None:
    page = render(report)
    encoding, _ = page_data(page)
    assert encoding == "json" and len(page) < COMPRESS_ABOVE


def test_customers_ranked_by_worst_open_finding_then_days_past_due(
        pipeline_reports: dict[str, Report]) -> None:
    report = pipeline_reports["global-noncompliant"]
    risks = customer_risks(report)
    open_customers = {(f.location.file, f.customer) for f in report.findings
                      if f.customer and f.state.value == "open"}
    assert {(r.file, r.customer) for r in risks} == open_customers
    ranks = [r.worst.rank for r in risks]
    assert ranks == sorted(ranks, reverse=True)
    errors = [r for r in risks if r.worst is Severity.ERROR]
    days = [r.days_past_due for r in errors]
    assert days == sorted(days, reverse=True) and days[0] > 0
    # Names come from the messages, ids from the findings.
    assert risks[0].name == "Alpine Ski House"
    assert all(r.name and r.name != r.customer for r in risks)


def test_deadlines_follow_from_the_messages(pipeline_reports: dict[str, Report]) -> None:
    report = pipeline_reports["global-noncompliant"]
    _, data = page_data(render(report))
    deadlines = data["deadlines"]
    assert [d["due"] for d in deadlines] == sorted(d["due"] for d in deadlines)
    by_rule: dict[str, list[dict[str, object]]] = {}
    for d in deadlines:
        by_rule.setdefault(data["findings"][d["finding"]]["rule"], []).append(d)
    # "76 days past due (access is impacted at 20 days" as of 2026-06-30: 56 days late.
    access = by_rule["ACCT-001"][0]
    assert (access["due"], access["days"]) == ("2026-05-05T00:00:00Z", -56)
    # "still Active 38 hours after 2026-06-28T10:00:00Z (response time 480 minutes)".
    assert by_rule["ACCT-004"][0]["due"] == "2026-06-28T18:00:00Z"
    # Partner invoice 29 days past due: Partner Center suspends at more than 60 days.
    assert [d["days"] for d in by_rule["ACCT-010"]] == [31]
    # "its cancellation window closes at 2026-07-03T14:12:04Z, in 86 hours".
    assert by_rule["ACCT-014"][0]["due"] == "2026-07-03T14:12:04Z"
    assert {"ACCT-005", "ACCT-006", "ACCT-011"} <= set(by_rule)
    open_rules = {f.rule_id for f in report.findings if f.state.value == "open"}
    assert set(by_rule) <= open_rules


def test_a_new_rule_that_names_a_date_gets_a_deadline() -> None:
    report = large_report(1)
    finding = report.findings[0]
    from dataclasses import replace

    nce = replace(finding, rule_id="ACCT-099", message="new-commerce subscription s-1 can be "
                  "cancelled with a prorated refund until 2026-07-03T12:00:00Z")
    _, data = page_data(render(replace(report, findings=(nce,))))
    assert [(d["due"], d["days"]) for d in data["deadlines"]] == [("2026-07-03T12:00:00Z", 3)]


def test_parse_time_reads_partner_center_times() -> None:
    assert parse_time("2026-04-20T02:10:31.2290000Z") is not None
    assert parse_time("2026-06-22T07:41:02.87") is not None
    assert str(parse_time("2026-06-30T02:00:00+02:00")) == "2026-06-30 00:00:00+00:00"
    assert parse_time("not a date") is None


def test_waived_findings_show_owner_and_expiry(in_repo: Path, tmp_path: Path) -> None:
    inputs = ("examples/global/noncompliant",)
    first = json.loads(run("check", *inputs, "-f", "json").output)
    target = next(f for f in first["findings"] if f["ruleId"] == "CRED-004")
    waivers = write_waivers(tmp_path / "waivers.yaml", waiver(
        "CRED-004", ticket="RISK-7", document=target["file"], customer=target["customer"]))
    out = tmp_path / "report.html"
    result = run("check", *inputs, "--waivers", waivers, "-f", "html", "-o", out)
    assert result.exit_code == 1, result.output
    _, data = page_data(out.read_text(encoding="utf-8"))
    waived = [f for f in data["findings"] if f["state"] == "waived"]
    assert len(waived) == 1 and waived[0]["waiver"]["owner"] == "credit@contoso.example"
    assert (waived[0]["waiver"]["expires"], waived[0]["waiver"]["ticket"]) == ("2026-12-31",
                                                                               "RISK-7")


def test_html_is_a_cli_format(in_repo: Path, tmp_path: Path) -> None:
    assert FORMATTERS["html"] is HtmlFormatter
    out = tmp_path / "report.html"
    result = run("check", "examples/global/compliant", "-f", "html", "-o", out)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'data-metric="verdict">PASS<' in page


@pytest.mark.parametrize("name", ["report.css", "report.js"])
def test_assets_ship_with_the_package(name: str) -> None:
    from importlib import resources

    assert resources.files("checker.formats").joinpath("assets", name).is_file()
