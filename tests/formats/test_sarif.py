"""The SARIF mapping: rules, results, locations, fingerprints and suppressions."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from checker.formats.sarif import SarifFormatter, artifact_uri, rule_name
from checker.model import Finding, Location, Report, Rule, Severity
from tests.formats.conftest import PARTNER, TRICKY, sarif_errors


def run_of(report: Report) -> dict[str, Any]:
    log = json.loads(SarifFormatter().render(report))
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run: dict[str, Any] = log["runs"][0]
    return run


def result_for(run: dict[str, Any], rule_id: str, line: int) -> dict[str, Any]:
    found = [r for r in run["results"]
             if r["ruleId"] == rule_id
             and r["locations"][0]["physicalLocation"].get("region", {}).get("startLine", 0)
             == line]
    assert len(found) == 1
    return found[0]


def test_driver_lists_the_rules_with_their_metadata(report: Report) -> None:
    driver = run_of(report)["tool"]["driver"]
    assert driver["name"] == "checker" and driver["version"]
    assert "informationUri" not in driver
    assert [r["id"] for r in driver["rules"]] == [r.id for r in report.rules]
    coll = next(r for r in driver["rules"] if r["id"] == "COLL-006")
    assert coll == {
        "id": "COLL-006",
        "name": "AccessImpactActionIsAllowedInTheCloud",
        "shortDescription": {"text": "Access-impact action is allowed in the cloud"},
        "fullDescription": {"text": "Each cloud allows its own access-impact actions."},
        "help": {"text": "Choose an action the cloud allows.\n\nGuidance: \"Partners can "
                         "suspend or cancel the subscriptions of customers who do not pay.\""},
        "defaultConfiguration": {"level": "error"},
        "properties": {"severity": "error", "concern": "collections",
                       "clouds": ["global", "us-government", "germany", "21vianet"]},
    }
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}
    assert levels["CTRL-005"] == "warning" and levels["CRED-009"] == "note"


def test_rule_index_points_at_the_result_rule(report: Report) -> None:
    run = run_of(report)
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(report.findings)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_result_location_region_pointer_and_fingerprint(report: Report) -> None:
    result = result_for(run_of(report), "COLL-006", 14)
    assert result["level"] == "error"
    assert result["message"] == {"text": TRICKY}
    assert result["locations"] == [{
        "physicalLocation": {"artifactLocation": {"uri": PARTNER},
                             "region": {"startLine": 14, "startColumn": 13}},
        "logicalLocations": [{"name": "action",
                              "fullyQualifiedName": "/collectionsPolicy/accessImpact/action"}],
    }]
    assert result["partialFingerprints"] == {"checker/v1": "fp-coll-006-14"}
    assert "suppressions" not in result


def test_finding_without_position_has_no_region(report: Report) -> None:
    result = result_for(run_of(report), "CRED-009", 0)
    assert result["level"] == "note"
    assert "region" not in result["locations"][0]["physicalLocation"]
    assert result["properties"] == {"customer": "c-1", "subscription": "s-9"}


def test_waived_and_baseline_findings_are_suppressed(report: Report) -> None:
    run = run_of(report)
    waived = result_for(run, "CTRL-005", 20)
    assert waived["suppressions"] == [{
        "kind": "external", "status": "accepted",
        "justification": "accepted until 2026-12-31 by the risk committee (RISK-42)",
        "properties": {"state": "waived"}}]
    baseline = result_for(run, "COLL-006", 16)
    assert baseline["suppressions"] == [{"kind": "external", "status": "accepted",
                                         "properties": {"state": "baseline"}}]


def test_file_names_become_uri_references() -> None:
    assert artifact_uri("examples/global/partner.yaml") == "examples/global/partner.yaml"
    assert artifact_uri("broken input.yaml") == "broken%20input.yaml"
    assert artifact_uri("/tmp/a#b.json") == "file:///tmp/a%23b.json"


def test_rule_name_is_an_identifier() -> None:
    rule = Rule("X-1", "Customer's credit is re-checked (yearly)", Severity.INFO, "c", "t")
    assert rule_name(rule) == "CustomerSCreditIsReCheckedYearly"
    assert rule_name(Rule("X-2", "", Severity.INFO, "c", "t")) == "X-2"


def test_finding_of_an_unknown_rule_still_has_a_descriptor(
        sarif_validator: jsonschema.protocols.Validator) -> None:
    finding = Finding("HOUSE-1", Severity.ERROR, "m", Location("f.yaml", "", 1, 1))
    log = json.loads(SarifFormatter().render(Report(findings=(finding,))))
    run = log["runs"][0]
    assert run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]["id"] == "HOUSE-1"
    assert sarif_errors(sarif_validator, log) == []


def test_invocation_and_run_properties(report: Report) -> None:
    run = run_of(report)
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    assert run["properties"] == {"failOn": "error", "verdict": "fail",
                                 "engine": "test-engine 1.0"}


def test_the_schema_rejects_an_invalid_log(report: Report,
                                           sarif_validator: jsonschema.protocols.Validator
                                           ) -> None:
    # Shows that the schema validation in the golden tests can fail.
    log = json.loads(SarifFormatter().render(report))
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    errors = sarif_errors(sarif_validator, log)
    assert any("fatal" in e for e in errors) and any("'name'" in e for e in errors)


def test_help_uri_is_the_rules_guidance_link() -> None:
    url = "https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse"
    linked = Rule("COLL-001", "Policy exists", Severity.WARNING, "collections", "configuration",
                  guidance_url=url, guidance_quote="We recommend a policy.")
    bare = Rule("CHK-LOAD", "Readable", Severity.ERROR, "input", "input")
    driver = run_of(Report(findings=(), rules=(linked, bare)))["tool"]["driver"]
    by_id = {r["id"]: r for r in driver["rules"]}
    assert by_id["COLL-001"]["helpUri"] == url
    assert "helpUri" not in by_id["CHK-LOAD"]
