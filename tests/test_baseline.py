"""Baselines through the CLI: stable fingerprints, accepted and resolved findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

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


def _identities(report: dict[str, Any]) -> dict[str, tuple[str, str, str, str]]:
    return {f["fingerprint"]: (f["ruleId"], f["file"], f["customer"], f["message"])
            for f in report["findings"]}


def _baseline(in_tmp: Path, *args: str | Path) -> Path:
    result = run("check", *args, "-f", "json", "-o", "baseline.json")
    assert result.exit_code == 1, result.output
    return in_tmp / "baseline.json"


def test_fingerprints_survive_reordering_customers_and_inputs(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    _, before = check_json(partner, snap)
    write_inputs(in_tmp, [customer("c-2", "s-2"), customer("c-1", "s-1")])
    _, after = check_json(snap, partner)
    assert len(before["findings"]) >= 4
    assert all(f["fingerprint"] for f in before["findings"])
    assert _identities(before) == _identities(after)
    # Positions did change: the fingerprint, not the pointer, is what stayed the same.
    assert finding(before, "CRED-004", "c-1")["pointer"] == "/customers/0/creditDecision"
    assert finding(after, "CRED-004", "c-1")["pointer"] == "/customers/1/creditDecision"
    assert len({f["fingerprint"] for f in before["findings"]}) == len(before["findings"])


def test_run_against_its_own_report_exits_0_with_no_new_findings(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    baseline = _baseline(in_tmp, partner, snap)
    write_inputs(in_tmp, [customer("c-2", "s-2"), customer("c-1", "s-1")])
    code, report = check_json(snap, partner, "--baseline", baseline)
    assert code == 0 and report["verdict"] == "pass"
    assert {(f["state"], f["note"]) for f in report["findings"]} == {
        ("baseline", "present in baseline")}
    assert report["summary"]["states"]["open"] == 0
    assert report["resolved"] == [] and report["summary"]["resolved"] == 0
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    text = run("check", partner, snap, "--baseline", baseline, "-v").output
    assert '[baseline] customer "c-1" has no recorded credit decision' in text
    assert "note: present in baseline" in text
    assert "baseline) in 2 documents" in text.splitlines()[-1]


def test_removing_a_problem_lists_it_as_resolved(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    baseline = _baseline(in_tmp, partner, snap)
    gone = {f["fingerprint"]: f for f in json.loads(baseline.read_text())["findings"]
            if f["customer"] == "c-2"}
    write_inputs(in_tmp, [customer("c-1", "s-1")])
    code, report = check_json(partner, snap, "--baseline", baseline)
    assert code == 0
    assert {r["fingerprint"] for r in report["resolved"]} == set(gone)
    for resolved in report["resolved"]:
        original = gone[resolved["fingerprint"]]
        assert resolved == {k: original[k] for k in ("ruleId", "file", "fingerprint", "message")}
    assert report["summary"]["resolved"] == len(gone)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    text = run("check", partner, snap, "--baseline", baseline).output
    assert f"resolved since the baseline ({len(gone)}):" in text
    assert 'snapshot.json  CRED-004  customer "c-2" has no recorded credit decision' in text
    assert f"; {len(gone)} resolved; rules:" in text.splitlines()[-1]


def test_a_new_finding_fails_despite_the_baseline(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    baseline = _baseline(in_tmp, partner, snap)
    write_inputs(in_tmp, [customer("c-1", "s-1"), customer("c-2", "s-2"),
                          customer("c-3", "s-3")])
    code, report = check_json(partner, snap, "--baseline", baseline)
    assert code == 1
    assert {f["customer"] for f in report["findings"] if f["state"] == "open"} == {"c-3"}


def test_findings_only_waived_in_the_baseline_are_not_accepted(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    waivers = write_waivers(in_tmp / "waivers.yaml", waiver("CRED-004", customer="c-1"))
    baseline = _baseline(in_tmp, partner, snap, "--waivers", waivers, "--as-of", "2026-06-30")
    assert finding(json.loads(baseline.read_text()), "CRED-004", "c-1")["state"] == "waived"
    code, report = check_json(partner, snap, "--baseline", baseline, "--as-of", "2027-01-02")
    assert code == 1
    assert finding(report, "CRED-004", "c-1")["state"] == "open"
    assert finding(report, "CRED-004", "c-2")["state"] == "baseline"


def test_input_findings_are_never_accepted_from_a_baseline(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    (in_tmp / "broken.yaml").write_text("apiVersion: checker/v1\nkind: [unclosed\n")
    baseline = _baseline(in_tmp, partner, snap, "broken.yaml")
    code, report = check_json(partner, snap, "broken.yaml", "--baseline", baseline)
    assert code == 1
    (load,) = [f for f in report["findings"] if f["ruleId"] == "CHK-LOAD"]
    assert load["state"] == "open"
    assert {f["state"] for f in report["findings"] if f["ruleId"] != "CHK-LOAD"} == {"baseline"}


def _old_report(in_tmp: Path) -> str:
    partner, snap = write_inputs(in_tmp)
    _, report = check_json(partner, snap)
    report["reportVersion"] = "1.0"
    for f in report["findings"]:
        for member in ("fingerprint", "state", "note", "customer", "subscription"):
            del f[member]
    del report["resolved"], report["summary"]["states"], report["summary"]["resolved"]
    return json.dumps(report)


def test_a_1_0_report_still_matches_the_report_schema(in_tmp: Path) -> None:
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(json.loads(_old_report(in_tmp)))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("{", "invalid JSON"),
        ('{"findings": []}', "not a checker JSON report"),
        ("old", "no fingerprint (report version 1.0)"),
        ("[1]\n", "not a checker JSON report"),
    ],
)
def test_unusable_baseline_is_a_usage_error_on_one_line(in_tmp: Path, content: str | None,
                                                        expected: str) -> None:
    partner, snap = write_inputs(in_tmp)
    if content is not None:
        (in_tmp / "base.json").write_text(_old_report(in_tmp) if content == "old" else content)
    result = run("check", partner, snap, "--baseline", "base.json", "-o", "out.json",
                 "-f", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("checker: error: --baseline base.json: ") and expected in line
    assert not (in_tmp / "out.json").exists()


def test_baseline_naming_an_unknown_rule_is_a_usage_error_with_a_suggestion(
        in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    baseline = _baseline(in_tmp, partner, snap)
    report = json.loads(baseline.read_text())
    report["findings"][0]["ruleId"] = "CRED-04"
    baseline.write_text(json.dumps(report))
    result = run("check", partner, snap, "--baseline", baseline)
    assert result.exit_code == 2, result.output
    assert "no rule 'CRED-04'; did you mean CRED-004?" in result.output
    assert result.output.count("\n") == 1
