"""JUnit XML for CI test-report views (Azure DevOps, GitLab, Jenkins).

The output is valid against the Jenkins JUnit XSD that those systems accept
(``tests/fixtures/jenkins-junit.xsd``). The mapping:

- one ``<testsuite>`` per document, named by its file;
- one ``<testcase>`` per rule and document, ``name`` the rule id and ``classname`` the file.
  Both come from the rule and the resource only, never from a message, so that a CI keeps a
  test's history across runs whose values change;
- a passing rule is an empty test case; a rule that does not apply is ``<skipped>`` with the
  reason as its text (that XSD gives ``<skipped>`` no ``message`` attribute);
- every open finding of the rule in the file is one ``<failure>``: ``message`` the finding's
  message, ``type`` its severity, the body its ``file:line:column``, JSON pointer and fix.
  Findings of the CHK-* input rules, which have no result row, are failing test cases too;
- waived and baseline findings never fail a test case: they are listed in ``<system-out>``,
  and a test case that has only such findings is ``<skipped>`` with their notes.

Nothing varies between runs on the same inputs: no timestamps, durations or host names, and
every element is sorted.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from checker.model import Finding, FindingState, Report, Status

# Characters XML 1.0 forbids anywhere in a document (ElementTree would write them and produce
# a file no parser reads); lone surrogates cannot be encoded in UTF-8 either.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 does not allow."""
    return _ILLEGAL_XML.sub("", value)


@dataclass
class _Case:
    """What is known about one rule on one document."""

    file: str
    rule_id: str
    status: Status | None = None
    reason: str = ""
    open: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)


class JunitFormatter:
    """JUnit XML: a test suite per document, a test case per rule."""

    def render(self, report: Report) -> str:
        """Render the report as an indented JUnit XML document."""
        cases = _cases(report)
        elsewhere = _located_elsewhere(report)
        severities = {rule.id: rule.severity.value for rule in report.rules}
        properties = {d.file: d for d in report.documents}
        root = ET.Element("testsuites", {"name": "checker"})
        totals = {"tests": 0, "failures": 0}
        for file in sorted({case.file for case in cases}):
            suite_cases = sorted((c for c in cases if c.file == file), key=lambda c: c.rule_id)
            suite = ET.SubElement(root, "testsuite", {"name": xml_text(file)})
            info = properties.get(file)
            if info is not None:
                _properties(suite, [("kind", info.kind), ("partnerId", info.partner_id),
                                    ("cloud", info.cloud), ("asOf", info.as_of)])
            failures = skipped = 0
            for case in suite_cases:
                outcome = _testcase(suite, case, elsewhere, severities.get(case.rule_id, "error"))
                failures += outcome == "failure"
                skipped += outcome == "skipped"
            suite.attrib.update({"tests": str(len(suite_cases)), "failures": str(failures),
                                 "errors": "0", "skipped": str(skipped)})
            totals["tests"] += len(suite_cases)
            totals["failures"] += failures
        root.attrib.update({"tests": str(totals["tests"]), "failures": str(totals["failures"]),
                            "errors": "0"})
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _cases(report: Report) -> list[_Case]:
    """One case per (file, rule) from the results and from the findings."""
    cases: dict[tuple[str, str], _Case] = {}

    def case(file: str, rule_id: str) -> _Case:
        return cases.setdefault((file, rule_id), _Case(file, rule_id))

    for result in report.results:
        found = case(result.file, result.rule_id)
        found.status, found.reason = result.status, result.reason
    for finding in sorted(report.findings, key=lambda f: f.sort_key):
        found = case(finding.location.file, finding.rule_id)
        if finding.state is FindingState.OPEN:
            found.open.append(finding)
        else:
            found.suppressed.append(finding)
    return list(cases.values())


def _located_elsewhere(report: Report) -> dict[str, dict[bool, set[str]]]:
    """Per rule, the files of its findings that were not evaluated by it, open or not.

    Such findings come from the rule's run on another document (an accounts rule naming
    the configuration); files with their own result for the rule are left out, since their
    findings belong to that result.
    """
    evaluated = {(r.file, r.rule_id) for r in report.results}
    files: dict[str, dict[bool, set[str]]] = defaultdict(lambda: {True: set(), False: set()})
    for finding in report.findings:
        if (finding.location.file, finding.rule_id) not in evaluated:
            is_open = finding.state is FindingState.OPEN
            files[finding.rule_id][is_open].add(finding.location.file)
    return files


def _properties(parent: ET.Element, pairs: Sequence[tuple[str, str]]) -> None:
    present = [(name, value) for name, value in pairs if value]
    # The XSD requires at least one <property> inside <properties>.
    if present:
        element = ET.SubElement(parent, "properties")
        for name, value in present:
            ET.SubElement(element, "property", {"name": name, "value": xml_text(value)})


def _testcase(suite: ET.Element, case: _Case, elsewhere: dict[str, dict[bool, set[str]]],
              severity: str) -> str:
    """Add the test case; return "failure", "skipped" or "passed"."""
    element = ET.SubElement(suite, "testcase",
                            {"name": xml_text(case.rule_id), "classname": xml_text(case.file)})
    # The XSD fixes the order of the children: skipped, error, failure, system-out.
    outcome = "passed"
    if case.open:
        outcome = "failure"
    elif case.suppressed:
        outcome = "skipped"
        _text(element, "skipped", "\n".join(_suppressed_line(f) for f in case.suppressed))
    elif case.status is Status.NOT_APPLICABLE:
        outcome = "skipped"
        _text(element, "skipped", case.reason or "not applicable")
    elif case.status is Status.FAIL:
        # A rule evaluated on this document may point its findings into another one (an
        # accounts rule naming the configuration): the document failed the rule unless all
        # of those findings are waived or baseline.
        located = elsewhere.get(case.rule_id, {True: set(), False: set()})
        if located[True] or not located[False]:
            outcome = "failure"
            where = f": see {', '.join(sorted(located[True]))}" if located[True] else ""
            message = f"{case.rule_id} failed on this document{where}"
            failure = ET.SubElement(element, "failure", {"message": xml_text(message),
                                                         "type": severity})
            failure.text = xml_text(message)
        else:
            outcome = "skipped"
            _text(element, "skipped", f"its findings in {', '.join(sorted(located[False]))} "
                                      "are waived or baseline")
    for finding in case.open:
        failure = ET.SubElement(element, "failure", {"message": xml_text(finding.message),
                                                     "type": finding.severity.value})
        failure.text = xml_text(_failure_body(finding))
    if case.open and case.suppressed:
        _text(element, "system-out", "\n".join(_suppressed_line(f) for f in case.suppressed))
    return outcome


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = xml_text(text)


def _position(finding: Finding) -> str:
    loc = finding.location
    if not loc.line:
        return loc.file
    return f"{loc.file}:{loc.line}:{loc.column}" if loc.column else f"{loc.file}:{loc.line}"


def _failure_body(finding: Finding) -> str:
    lines = [_position(finding)]
    if finding.location.pointer:
        lines.append(f"at {finding.location.pointer}")
    if finding.customer:
        lines.append(f"customer: {finding.customer}")
    if finding.subscription:
        lines.append(f"subscription: {finding.subscription}")
    if finding.remediation:
        lines.append(f"fix: {finding.remediation}")
    return "\n".join(lines)


def _suppressed_line(finding: Finding) -> str:
    note = f" ({finding.note})" if finding.note else ""
    return f"[{finding.state.value}] {_position(finding)}: {finding.message}{note}"

