"""SARIF 2.1.0 for code-scanning views (GitHub code scanning, Azure DevOps, IDEs).

The log is valid against the OASIS schema (``tests/fixtures/sarif-schema-2.1.0.json``).
One run: ``tool.driver`` describes checker and every rule of the catalogue that took part;
each finding is one result pointing at its file (``artifactLocation.uri``, the path as the
report names it: relative to the working directory when inside it), its line and column
(``region``, left out when the finding has no position) and its JSON pointer (a logical
location). ``partialFingerprints["checker/v1"]`` carries the finding's fingerprint, which
survives reordered customers and changed values, so that code scanning tracks an alert
across runs. Waived and baseline findings carry an external ``suppression`` with their note.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from checker import __version__
from checker.model import Finding, FindingState, Report, Rule, Severity

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "checker/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(file: str) -> str:
    """The SARIF ``uri`` of a reported file: a relative reference, or ``file:`` when absolute.

    Percent-encoding keeps names with spaces or ``#`` valid URI references; ``/`` stays, so a
    repository-relative path reads the same.
    """
    if file.startswith("/"):
        return "file://" + quote(file, safe="/")
    return quote(file, safe="/")


def rule_name(rule: Rule) -> str:
    """A SARIF rule ``name``: the title as one PascalCase identifier, or the id without one."""
    words = re.findall(r"[A-Za-z0-9]+", rule.title)
    return "".join(w[:1].upper() + w[1:] for w in words) or rule.id


class SarifFormatter:
    """A SARIF 2.1.0 log with one run."""

    def render(self, report: Report) -> str:
        """Render the report as indented SARIF JSON."""
        return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"


def sarif_log(report: Report) -> dict[str, Any]:
    """The report as a SARIF log (plain JSON-ready data)."""
    rules = _catalogue(report)
    index = {rule.id: i for i, rule in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "checker",
                        "version": __version__,
                        "rules": [_descriptor(rule) for rule in rules],
                    }
                },
                "invocations": [
                    # The tool ran to completion; findings are results, not a failed run
                    # (a run that could not complete writes no report at all).
                    {"executionSuccessful": True, "exitCode": int(report.exit_code)}
                ],
                "columnKind": "unicodeCodePoints",
                "results": [
                    _result(f, index[f.rule_id])
                    for f in sorted(report.findings, key=lambda f: f.sort_key)
                ],
                "properties": {
                    "failOn": report.fail_on_label,
                    "verdict": "fail" if report.failing else "pass",
                    "engine": report.engine,
                },
            }
        ],
    }


def _catalogue(report: Report) -> list[Rule]:
    """The report's rules plus a bare entry for any finding's rule missing from it."""
    rules = {rule.id: rule for rule in report.rules}
    for finding in report.findings:
        if finding.rule_id not in rules:
            rules[finding.rule_id] = Rule(finding.rule_id, finding.title, finding.severity,
                                          concern="", target="", clouds=(),
                                          remediation=finding.remediation)
    return [rules[rule_id] for rule_id in sorted(rules)]


def _descriptor(rule: Rule) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"id": rule.id, "name": rule_name(rule)}
    if rule.title:
        descriptor["shortDescription"] = {"text": rule.title}
    if rule.description:
        descriptor["fullDescription"] = {"text": rule.description}
    help_text = "\n\n".join(
        part for part in (
            rule.remediation,
            f"Guidance: \"{rule.guidance_quote}\"" if rule.guidance_quote else "",
        ) if part
    )
    if help_text:
        descriptor["help"] = {"text": help_text}
    if rule.guidance_url:
        descriptor["helpUri"] = rule.guidance_url
    descriptor["defaultConfiguration"] = {"level": LEVELS[rule.severity]}
    properties: dict[str, Any] = {"severity": rule.severity.value}
    if rule.concern:
        properties["concern"] = rule.concern
    if rule.clouds:
        properties["clouds"] = list(rule.clouds)
    descriptor["properties"] = properties
    return descriptor


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    loc = finding.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(loc.file)}}
    if loc.line > 0:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.column > 0:
            region["startColumn"] = loc.column
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if loc.pointer:
        location["logicalLocations"] = [
            {"name": loc.pointer.rsplit("/", 1)[-1] or loc.pointer,
             "fullyQualifiedName": loc.pointer}
        ]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
    }
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.state is not FindingState.OPEN:
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        if finding.note:
            suppression["justification"] = finding.note
        suppression["properties"] = {"state": finding.state.value}
        result["suppressions"] = [suppression]
    properties = {
        key: value
        for key, value in (("customer", finding.customer), ("subscription", finding.subscription))
        if value
    }
    if properties:
        result["properties"] = properties
    return result
