"""Fixtures for the format tests: a fixed report, real pipeline reports, goldens, schemas.

Golden files live in ``golden/``. Regenerate them with

    CHECKER_UPDATE_GOLDEN=1 python -m pytest tests/formats

then read the diff before committing it. CI never regenerates (it fails instead), so a
golden can only change through a reviewed commit.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema

from checker.model import (
    DocumentInfo,
    Finding,
    FindingState,
    Location,
    Report,
    Rule,
    RuleResult,
    Severity,
    Status,
)
from checker.runner import CheckOptions, check
from tests.conftest import FIXTURES, ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
PIPELINE_INPUTS = {
    "global-compliant": Path("examples/global/compliant"),
    "global-noncompliant": Path("examples/global/noncompliant"),
}

PARTNER = "partner.yaml"
SNAPSHOT = "snapshot.json"
# A message with everything an output format must escape: markup, quotes, the separators of
# GitHub workflow commands, a line break and a control character XML 1.0 forbids.
TRICKY = 'action "disable" | not allowed, in cloud: 21vianet <b>&</b> 100%\nsecond line\x07'


def _rules() -> tuple[Rule, ...]:
    return (
        Rule("ACCT-003", "Non-payment suspension near the data-deletion window", Severity.ERROR,
             "accounts", "accounts", remediation="Decide: cancel, restore or keep suspended."),
        Rule("CHK-SCHEMA", "Document matches its JSON Schema", Severity.ERROR, "input", "input",
             remediation="Change the value to what the schema expects: `checker schema "
                         "partner-configuration` prints it."),
        Rule("COLL-001", "A collections policy is documented", Severity.ERROR, "collections",
             "configuration", description="The partner documents its collections policy."),
        Rule("COLL-006", "Access-impact action is allowed in the cloud", Severity.ERROR,
             "collections", "configuration",
             description="Each cloud allows its own access-impact actions.",
             remediation="Choose an action the cloud allows.",
             guidance_quote="Partners can suspend or cancel the subscriptions of customers "
                            "who do not pay."),
        Rule("CRED-009", "Credit decisions are reviewed", Severity.INFO, "credit", "accounts",
             clouds=("global", "us-government"), remediation="Review the credit decision."),
        Rule("CTRL-005", "Fraud alerts are answered within an hour", Severity.WARNING,
             "controls", "configuration", remediation="Answer fraud alerts within 60 minutes."),
        Rule("CTRL-012", "Germany-only control", Severity.WARNING, "controls", "configuration",
             clouds=("germany",)),
    )


def sample_report() -> Report:
    """A small fixed report covering every case the formatters distinguish."""
    rules = {r.id: r for r in _rules()}

    def finding(rule_id: str, message: str, file: str, pointer: str, line: int, column: int,
                **extra: Any) -> Finding:
        rule = rules[rule_id]
        return Finding(rule_id, rule.severity, message, Location(file, pointer, line, column),
                       rule.title, rule.remediation, f"fp-{rule_id.lower()}-{line}", **extra)

    findings = (
        finding("COLL-006", TRICKY, PARTNER, "/collectionsPolicy/accessImpact/action", 14, 13),
        finding("COLL-006", "second access-impact action is not allowed", PARTNER,
                "/collectionsPolicy/accessImpact/fallback", 15, 13),
        finding("COLL-006", "third action, accepted into the baseline", PARTNER,
                "/collectionsPolicy/accessImpact/other", 16, 13, state=FindingState.BASELINE),
        finding("CTRL-005", "fraud alerts are answered in 480 minutes", PARTNER,
                "/riskControls/fraudAlerts/responseTimeMinutes", 20, 5,
                state=FindingState.WAIVED, note="accepted until 2026-12-31 by the risk "
                                                "committee (RISK-42)"),
        finding("ACCT-003", "suspension of 80 days is near the deletion window", PARTNER,
                "/collectionsPolicy/maxSuspensionDays", 12, 3),
        finding("CRED-009", "credit decision of customer c-1 was never reviewed", SNAPSHOT,
                "/customers/0/creditDecision", 0, 0, customer="c-1", subscription="s-9"),
        finding("CHK-SCHEMA", "'kind' is a required property", "broken input.yaml", "/kind",
                3, 5),
    )
    results = (
        RuleResult("COLL-001", PARTNER, Status.PASS),
        RuleResult("COLL-006", PARTNER, Status.FAIL),
        RuleResult("CTRL-005", PARTNER, Status.FAIL),
        RuleResult("CTRL-012", PARTNER, Status.NOT_APPLICABLE, "does not apply to cloud global"),
        RuleResult("ACCT-003", SNAPSHOT, Status.FAIL),
        RuleResult("CRED-009", SNAPSHOT, Status.FAIL),
    )
    return Report(
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        results=tuple(sorted(results, key=lambda r: (r.file, r.rule_id))),
        documents=(
            DocumentInfo(PARTNER, "PartnerConfiguration", "fabrikam", "global"),
            DocumentInfo(SNAPSHOT, "AccountSnapshot", "fabrikam", as_of="2026-06-30T00:00:00Z"),
        ),
        fail_on=Severity.ERROR,
        engine="test-engine 1.0",
        rules=tuple(sorted(rules.values(), key=lambda r: r.id)),
    )


@pytest.fixture
def report() -> Report:
    return sample_report()


@pytest.fixture(scope="session")
def pipeline_reports() -> dict[str, Report]:
    """Reports of the real pipeline on the examples, with paths as a user in the repo sees."""
    # Files are named relative to the working directory; run from the repository root so
    # that the goldens hold the same paths wherever pytest was started.
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        return {name: check(CheckOptions(paths=(path,)))
                for name, path in PIPELINE_INPUTS.items()}
    finally:
        os.chdir(previous)


def canonical_xml(text: str) -> str:
    """XML in C14N 2.0 form with indentation dropped, so only content is compared."""
    return ET.canonicalize(text, strip_text=True)


def _identity(text: str) -> str:
    return text


COMPARE: dict[str, Callable[[str], Any]] = {
    "junit": canonical_xml,
    "sarif": json.loads,
    "markdown": _identity,
    "github": _identity,
}
SUFFIX = {"junit": "junit.xml", "sarif": "sarif.json", "markdown": "md", "github": "github.txt"}


class Golden:
    """Compares rendered output with a stored golden file, or rewrites it on request."""

    def __init__(self) -> None:
        self.update = os.environ.get("CHECKER_UPDATE_GOLDEN") == "1"
        if self.update and os.environ.get("CI"):
            pytest.fail("CHECKER_UPDATE_GOLDEN=1 in CI: goldens are only regenerated by hand")

    def check(self, name: str, fmt: str, actual: str) -> None:
        path = GOLDEN / f"{name}.{SUFFIX[fmt]}"
        if self.update:
            path.write_text(actual, encoding="utf-8", newline="\n")
            return
        if not path.exists():
            pytest.fail(f"no golden file {path.relative_to(ROOT)}; create it with "
                        "CHECKER_UPDATE_GOLDEN=1 python -m pytest tests/formats")
        expected = path.read_text(encoding="utf-8")
        compare = COMPARE[fmt]
        assert compare(actual) == compare(expected), (
            f"{fmt} output differs from {path.relative_to(ROOT)}; if the change is intended, "
            "regenerate with CHECKER_UPDATE_GOLDEN=1 and review the diff"
        )


@pytest.fixture
def golden() -> Golden:
    return Golden()


@pytest.fixture(scope="session")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    # The OASIS file declares its own draft ($schema); validate with the matching validator.
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="session")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(FIXTURES / "jenkins-junit.xsd"))


def sarif_errors(validator: jsonschema.protocols.Validator, log: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(log)]


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(ROOT)
    yield ROOT
