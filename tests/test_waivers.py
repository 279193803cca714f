"""Waivers through the CLI with the embedded engine and real documents, plus their units."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from checker.model import Finding, FindingState, Location, Severity
from checker.policies import INPUT_RULES
from checker.waivers import Waiver, apply_waivers, as_of_date
from tests.conftest import ROOT
from tests.documents import (
    check_json,
    customer,
    finding,
    run,
    waiver,
    write_inputs,
    write_waivers,
)

REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
NOTE = ("waived by RISK-1 until 2026-12-31 (credit@contoso.example, cfo@contoso.example): "
        "kept in the legacy ERP")


def _rules(report: dict, prefix: str) -> list[dict]:
    return [f for f in report["findings"] if f["ruleId"].startswith(prefix)]


@pytest.fixture
def inputs(in_tmp: Path) -> tuple[Path, Path]:
    return write_inputs(in_tmp)


def test_waiver_applies_until_its_last_day_and_is_reported_expired_after(
        inputs: tuple[Path, Path], in_tmp: Path) -> None:
    waivers = write_waivers(in_tmp / "waivers.yaml",
                            waiver("CRED-004", document="snapshot.json", customer="c-1"))
    for as_of in ("2026-06-30", "2026-12-31T23:59:59Z"):
        _, report = check_json(*inputs, "--waivers", waivers, "--as-of", as_of)
        waived = finding(report, "CRED-004", "c-1")
        assert (waived["state"], waived["note"]) == ("waived", NOTE)
        assert finding(report, "CRED-004", "c-2")["state"] == "open"
        assert _rules(report, "CHK-") == []
        assert report["summary"]["states"] == {"open": report["summary"]["states"]["open"],
                                               "waived": 1, "baseline": 0}

    _, report = check_json(*inputs, "--waivers", waivers, "--as-of", "2027-01-02")
    assert finding(report, "CRED-004", "c-1")["state"] == "open"
    (expired,) = _rules(report, "CHK-WAIVER")
    assert expired["ruleId"] == "CHK-WAIVER-EXPIRED" and expired["severity"] == "warning"
    assert (expired["file"], expired["pointer"], expired["line"]) == ("waivers.yaml",
                                                                      "/waivers/0", 4)
    assert "RISK-1" in expired["message"] and "2026-12-31" in expired["message"]
    assert expired["title"] and expired["remediation"]


def test_waived_error_does_not_fail_the_gate_while_an_unwaived_one_does(
        inputs: tuple[Path, Path], in_tmp: Path) -> None:
    code, report = check_json(*inputs, "--as-of", "2026-06-30")
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert code == 1 and errors
    # One waiver per error found, whatever the rules report: the test is about the gate.
    entries = [waiver(f["ruleId"], ticket=f"RISK-{i}", document=f["file"],
                      **({"customer": f["customer"]} if f["customer"] else {}))
               for i, f in enumerate(errors)]
    all_waived = write_waivers(in_tmp / "all.yaml", *entries)
    code, report = check_json(*inputs, "--as-of", "2026-06-30", "--waivers", all_waived)
    assert code == 0 and report["verdict"] == "pass"
    assert {f["state"] for f in report["findings"] if f["severity"] == "error"} == {"waived"}
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)

    all_but_one = write_waivers(in_tmp / "some.yaml", *entries[1:])
    code, report = check_json(*inputs, "--as-of", "2026-06-30", "--waivers", all_but_one)
    assert code == 1 and report["verdict"] == "fail"
    (still_open,) = [f for f in report["findings"] if f["state"] == "open"]
    assert (still_open["ruleId"], still_open["customer"]) == (errors[0]["ruleId"],
                                                              errors[0]["customer"])


def test_text_report_marks_waived_findings_and_counts_them_apart(
        inputs: tuple[Path, Path], in_tmp: Path) -> None:
    waivers = write_waivers(in_tmp / "waivers.yaml", waiver("CRED-004", customer="c-1"))
    text = run("check", *inputs, "--waivers", waivers, "--as-of", "2026-06-30",
               "--verbose").output
    assert '[waived] customer "c-1" has no recorded credit decision' in text
    assert f"note: {NOTE}" in text
    assert '[waived] customer "c-2"' not in text
    assert "; 1 waived) in 3 documents" in text.splitlines()[-1]


def test_unused_waiver_is_a_warning_at_the_waiver(inputs: tuple[Path, Path],
                                                   in_tmp: Path) -> None:
    waivers = write_waivers(
        in_tmp / "waivers.yaml",
        waiver("CRED-004", customer="c-1"),
        waiver("CRED-004", ticket="RISK-2", customer="c-9"),
        # Every given field must match: the right customer in another file matches nothing.
        waiver("CRED-004", ticket="RISK-3", document="partner.yaml", customer="c-2"),
    )
    _, report = check_json(*inputs, "--waivers", waivers, "--as-of", "2026-06-30")
    unused = _rules(report, "CHK-WAIVER")
    assert [(f["ruleId"], f["pointer"], f["severity"]) for f in unused] == [
        ("CHK-WAIVER-UNUSED", f"/waivers/{i}", "warning") for i in (1, 2)]
    assert finding(report, "CRED-004", "c-2")["state"] == "open"
    code, _ = check_json(*inputs, "--waivers", waivers, "--as-of", "2026-06-30",
                         "--fail-on", "warning")
    assert code == 1


def test_subscription_selector_waives_only_that_subscription(in_tmp: Path) -> None:
    suspended = customer("c-3", "s-3")
    suspended["creditDecision"] = {"decision": "declined", "decidedOn": "2026-01-10"}
    suspended["subscriptions"] = [{"id": "s-3", "status": "suspended"},
                                  {"id": "s-4", "status": "suspended"}]
    inputs = write_inputs(in_tmp, [suspended])
    _, before = check_json(*inputs, "--as-of", "2026-06-30")
    rule = finding(before, "ACCT-007", "c-3", "s-3")["ruleId"]
    waivers = write_waivers(in_tmp / "waivers.yaml", waiver(rule, subscription="s-3"))
    _, report = check_json(*inputs, "--waivers", waivers, "--as-of", "2026-06-30")
    assert finding(report, rule, "c-3", "s-3")["state"] == "waived"
    assert finding(report, rule, "c-3", "s-4")["state"] == "open"


@pytest.mark.parametrize(
    ("expires", "max_days", "rejected"),
    [("2027-06-30", None, False), ("2027-07-01", None, True), ("2027-07-01", "366", False),
     ("2026-07-30", "29", True)],
)
def test_waiver_beyond_the_horizon_is_rejected(inputs: tuple[Path, Path], in_tmp: Path,
                                               expires: str, max_days: str | None,
                                               rejected: bool) -> None:
    waivers = write_waivers(in_tmp / "waivers.yaml",
                            waiver("CRED-004", expires=expires, customer="c-1"))
    extra = ["--max-waiver-days", max_days] if max_days else []
    code, report = check_json(*inputs, "--waivers", waivers, "--as-of", "2026-06-30", *extra)
    horizon = _rules(report, "CHK-WAIVER-HORIZON")
    assert finding(report, "CRED-004", "c-1")["state"] == ("open" if rejected else "waived")
    if rejected:
        (problem,) = horizon
        assert problem["severity"] == "error" and problem["pointer"] == "/waivers/0/expires"
        expires_line = waivers.read_text().splitlines().index(f"  expires: '{expires}'") + 1
        assert problem["line"] == expires_line
        assert code == 1
    else:
        assert horizon == []


def test_without_as_of_a_snapshot_finding_is_judged_at_the_snapshot_as_of(in_tmp: Path) -> None:
    # Long past: judged at today's date the waiver would have expired.
    inputs = write_inputs(in_tmp, as_of="2020-06-30T00:00:00Z")
    waivers = write_waivers(in_tmp / "waivers.yaml",
                            waiver("CRED-004", expires="2020-12-31", customer="c-1"))
    _, report = check_json(*inputs, "--waivers", waivers)
    assert finding(report, "CRED-004", "c-1")["state"] == "waived"
    assert _rules(report, "CHK-WAIVER") == []


def test_waivers_in_a_checked_folder_are_skipped_unless_given(in_tmp: Path) -> None:
    write_inputs(in_tmp / "inputs")
    write_waivers(in_tmp / "inputs" / "waivers.yaml", waiver("CRED-004", customer="c-1"))
    _, report = check_json("inputs", "--as-of", "2026-06-30")
    assert report["skipped"] == ["inputs/waivers.yaml"]
    assert "Waivers" not in {d["kind"] for d in report["documents"]}
    assert {f["state"] for f in report["findings"]} == {"open"}

    _, report = check_json("inputs", "--as-of", "2026-06-30", "--waivers",
                           "inputs/waivers.yaml")
    assert report["skipped"] == []
    assert ("inputs/waivers.yaml", "Waivers") in {(d["file"], d["kind"])
                                                  for d in report["documents"]}
    assert finding(report, "CRED-004", "c-1")["state"] == "waived"


def test_broken_waivers_file_is_an_error_and_waives_nothing(inputs: tuple[Path, Path],
                                                            in_tmp: Path) -> None:
    entry = waiver("CRED-004", customer="c-1")
    del entry["approver"]
    bad = write_waivers(in_tmp / "bad.yaml", entry, waiver("CHK-SCHEMA", customer="c-1"),
                        waiver("CRED-004", customer="c-2"))
    code, report = check_json(*inputs, "--waivers", bad, "--as-of", "2026-06-30")
    assert code == 1
    problems = [(f["ruleId"], f["file"], f["pointer"]) for f in _rules(report, "CHK-")]
    assert problems == [("CHK-SCHEMA", "bad.yaml", "/waivers/0"),
                        ("CHK-SCHEMA", "bad.yaml", "/waivers/1/rule")]
    assert "cannot be waived" in _rules(report, "CHK-")[1]["message"]
    assert {f["state"] for f in report["findings"]} == {"open"}

    (in_tmp / "unparsable.yaml").write_text("kind: [Waivers\n")
    code, report = check_json(*inputs, "--waivers", "unparsable.yaml")
    assert code == 1
    assert [f["ruleId"] for f in _rules(report, "CHK-")] == ["CHK-LOAD"]

    other = in_tmp / "other.yaml"
    other.write_text((in_tmp / "partner.yaml").read_text())
    _, report = check_json(*inputs, "--waivers", other)
    (wrong_kind,) = _rules(report, "CHK-")
    assert wrong_kind["ruleId"] == "CHK-SCHEMA" and "kind Waivers" in wrong_kind["message"]


def test_missing_waivers_file_is_a_usage_error(inputs: tuple[Path, Path]) -> None:
    result = run("check", *inputs, "--waivers", "nope.yaml")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_validate_checks_a_waivers_file(in_tmp: Path) -> None:
    write_waivers(in_tmp / "ok.yaml", waiver("CRED-004", customer="c-1"))
    assert run("validate", "ok.yaml").exit_code == 0
    write_waivers(in_tmp / "bad.yaml", waiver("CRED-004"))
    result = run("validate", "bad.yaml", "--verbose")
    assert result.exit_code == 1 and "/waivers/0/selector" in result.output


def _finding(rule: str, file: str = "s.json", customer_id: str = "c-1") -> Finding:
    return Finding(rule, Severity.ERROR, "m", Location(file, "/x", 1, 1),
                   customer=customer_id)


def _waiver(rule: str, expires: str, **selector: str) -> Waiver:
    where = Location("w.yaml", "/waivers/0", 4, 5)
    return Waiver(rule, selector.get("document", ""), selector.get("customer", ""),
                  selector.get("subscription", ""), "r", "o", "a", "T-1",
                  dt.date.fromisoformat(expires), where, where)


def test_each_finding_is_judged_at_its_own_files_as_of() -> None:
    findings = [_finding("R-1", "old.json"), _finding("R-1", "new.json")]
    applied = apply_waivers(findings, [_waiver("R-1", "2026-12-31", customer="c-1")],
                            as_of_by_file={"old.json": "2026-06-30T00:00:00Z",
                                           "new.json": "2027-03-01T00:00:00Z"},
                            default_as_of="2026-01-01T00:00:00Z")
    assert [f.state for f in applied.findings] == [FindingState.WAIVED, FindingState.OPEN]
    (problem,) = applied.problems
    assert problem.rule_id == "CHK-WAIVER-EXPIRED" and "as of 2027-03-01" in problem.message


def test_input_findings_are_never_waived() -> None:
    applied = apply_waivers([_finding("CHK-LOAD")], [_waiver("CHK-LOAD", "2026-12-31",
                                                             customer="c-1")],
                            as_of_by_file={}, default_as_of="2026-06-30",
                            unwaivable=INPUT_RULES)
    assert applied.findings[0].state is FindingState.OPEN
    assert [p.rule_id for p in applied.problems] == ["CHK-WAIVER-UNUSED"]


@pytest.mark.parametrize(
    ("as_of", "day"),
    [("2026-12-31", "2026-12-31"), ("2026-12-31T23:30:00-02:00", "2027-01-01"),
     ("2027-01-01T01:00:00+05:30", "2026-12-31"), ("2026-12-31T23:59:59.123456789Z",
                                                   "2026-12-31")],
)
def test_as_of_date_is_the_utc_calendar_date(as_of: str, day: str) -> None:
    assert as_of_date(as_of) == dt.date.fromisoformat(day)


def test_a_waiver_of_a_retired_rule_is_known_but_waives_nothing() -> None:
    applied = apply_waivers([_finding("CTRL-002")], [_waiver("CRED-010", "2026-12-31",
                                                             customer="c-1")],
                            as_of_by_file={}, default_as_of="2026-06-30",
                            known_rules={"CTRL-002"}, retired={"CRED-010": "CTRL-002"})
    assert applied.findings[0].state is FindingState.OPEN
    (problem,) = applied.problems
    assert problem.rule_id == "CHK-WAIVER-UNUSED"
    assert "rule CRED-010 is retired (replaced by CTRL-002), so it waives nothing" \
        in problem.message
    assert "is loaded" not in problem.message


def test_a_retired_rule_waiver_through_the_cli_names_its_replacement(
        inputs: tuple[Path, Path], in_tmp: Path) -> None:
    waivers = write_waivers(in_tmp / "waivers.yaml", waiver("CRED-010", customer="c-1"))
    _, report = check_json(*inputs, "--waivers", waivers, "--as-of", "2026-06-30")
    (unused,) = _rules(report, "CHK-WAIVER")
    assert "retired (replaced by ACCT-018)" in unused["message"]


@pytest.mark.parametrize(("rule", "suggestion"), [("CRED-04", "did you mean CRED-004?"),
                                                  ("cred-004x", "did you mean CRED-004?"),
                                                  ("NOPE-001", "did you mean")])
def test_waiver_naming_an_unknown_rule_is_a_usage_error_with_a_suggestion(
        inputs: tuple[Path, Path], in_tmp: Path, rule: str, suggestion: str) -> None:
    waivers = write_waivers(in_tmp / "waivers.yaml", waiver("CRED-004", customer="c-1"),
                            waiver(rule, ticket="RISK-9", customer="c-1"))
    result = run("check", *inputs, "--waivers", waivers, "--as-of", "2026-06-30")
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith("checker: error: waivers.yaml:") and "RISK-9" in line
    assert f"no rule {rule!r}" in line and suggestion in line
