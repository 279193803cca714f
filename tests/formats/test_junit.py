"""The JUnit mapping: suites per document, cases per rule, what fails and what does not."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
import xmlschema

from checker.formats.junit import JunitFormatter, xml_text
from checker.model import FindingState, Report
from tests.formats.conftest import PARTNER, SNAPSHOT


def render(report: Report) -> ET.Element:
    return ET.fromstring(JunitFormatter().render(report))


def case(root: ET.Element, file: str, rule_id: str) -> ET.Element:
    found = root.findall(f"testsuite[@name='{file}']/testcase[@name='{rule_id}']")
    assert len(found) == 1, (file, rule_id)
    return found[0]


def test_one_suite_per_document_and_one_case_per_rule(report: Report) -> None:
    root = render(report)
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "broken input.yaml", PARTNER, SNAPSHOT]
    partner = root.find(f"testsuite[@name='{PARTNER}']")
    assert partner is not None
    assert [c.get("name") for c in partner.findall("testcase")] == [
        "ACCT-003", "COLL-001", "COLL-006", "CTRL-005", "CTRL-012"]
    assert {c.get("classname") for c in partner.findall("testcase")} == {PARTNER}
    assert partner.attrib == {"name": PARTNER, "tests": "5", "failures": "2", "errors": "0",
                              "skipped": "2"}
    assert root.attrib == {"name": "checker", "tests": "8", "failures": "5", "errors": "0"}


def test_names_never_contain_the_message(report: Report) -> None:
    for testcase in render(report).iter("testcase"):
        assert testcase.get("name", "").split("-")[0] in {"ACCT", "CHK", "COLL", "CRED", "CTRL"}
        assert " " not in testcase.get("name", "")


def test_each_open_finding_is_a_failure_with_its_place_and_fix(report: Report) -> None:
    failures = case(render(report), PARTNER, "COLL-006").findall("failure")
    assert len(failures) == 2
    first = failures[0]
    # The control character is gone, everything else survives the round trip.
    assert first.get("message") == report.findings[2].message.replace("\x07", "")
    assert first.get("type") == "error"
    assert first.text == (
        f"{PARTNER}:14:13\nat /collectionsPolicy/accessImpact/action\n"
        "fix: Choose an action the cloud allows.")


def test_passing_rule_is_an_empty_case(report: Report) -> None:
    assert list(case(render(report), PARTNER, "COLL-001")) == []


def test_not_applicable_rule_is_skipped_with_its_reason(report: Report) -> None:
    skipped = case(render(report), PARTNER, "CTRL-012").findall("skipped")
    assert [s.text for s in skipped] == ["does not apply to cloud global"]


def test_waived_finding_is_skipped_with_its_note_not_failed(report: Report) -> None:
    testcase = case(render(report), PARTNER, "CTRL-005")
    assert testcase.find("failure") is None
    skipped = testcase.find("skipped")
    assert skipped is not None and skipped.text is not None
    assert skipped.text.startswith("[waived] partner.yaml:20:5: fraud alerts")
    assert "(accepted until 2026-12-31 by the risk committee (RISK-42))" in skipped.text


def test_baseline_finding_beside_open_ones_goes_to_system_out(report: Report) -> None:
    testcase = case(render(report), PARTNER, "COLL-006")
    assert [child.tag for child in testcase] == ["failure", "failure", "system-out"]
    out = testcase.find("system-out")
    assert out is not None
    assert out.text == f"[baseline] {PARTNER}:16:13: third action, accepted into the baseline"


def test_input_rule_findings_are_failing_cases(report: Report) -> None:
    failure = case(render(report), "broken input.yaml", "CHK-SCHEMA").find("failure")
    assert failure is not None
    assert failure.get("message") == "'kind' is a required property"


def test_rule_failing_a_document_with_findings_elsewhere_still_fails_it(report: Report) -> None:
    failure = case(render(report), SNAPSHOT, "ACCT-003").find("failure")
    assert failure is not None
    assert failure.get("message") == f"ACCT-003 failed on this document: see {PARTNER}"


def test_finding_without_position_names_the_file_only(report: Report) -> None:
    failure = case(render(report), SNAPSHOT, "CRED-009").find("failure")
    assert failure is not None and failure.text is not None
    assert failure.text.splitlines()[:4] == [
        SNAPSHOT, "at /customers/0/creditDecision", "customer: c-1", "subscription: s-9"]


def test_document_properties(report: Report) -> None:
    properties = render(report).findall(f"testsuite[@name='{SNAPSHOT}']/properties/property")
    assert {p.get("name"): p.get("value") for p in properties} == {
        "kind": "AccountSnapshot", "partnerId": "fabrikam", "asOf": "2026-06-30T00:00:00Z"}


def test_no_timestamps_or_host_names(report: Report) -> None:
    text = JunitFormatter().render(report)
    assert "timestamp" not in text and "hostname" not in text and "time=" not in text


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\ufffe", "\ud800"])
def test_illegal_xml_characters_are_stripped(bad: str) -> None:
    assert xml_text(f"a{bad}b\tc\n") == "ab\tc\n"


def test_the_xsd_rejects_a_skipped_message_attribute(junit_schema: xmlschema.XMLSchema) -> None:
    # Why the reason is the text of <skipped>: the Jenkins XSD allows no attribute there.
    # This also shows the validation in the golden tests can fail.
    bad = ('<testsuites><testsuite name="f" tests="1"><testcase name="R">'
           '<skipped message="n/a"/></testcase></testsuite></testsuites>')
    assert not junit_schema.is_valid(bad)
    assert junit_schema.is_valid(bad.replace('<skipped message="n/a"/>', "<skipped>n/a</skipped>"))


def test_rule_failing_a_document_only_through_waived_findings_elsewhere_is_skipped(
        report: Report) -> None:
    waived = tuple(
        replace(f, state=FindingState.WAIVED, note="n") if f.rule_id == "ACCT-003" else f
        for f in report.findings)
    testcase = case(render(replace(report, findings=waived)), SNAPSHOT, "ACCT-003")
    assert testcase.find("failure") is None
    skipped = testcase.find("skipped")
    assert skipped is not None
    assert skipped.text == f"its findings in {PARTNER} are waived or baseline"
