"""Helpers for the HTML report tests: read a page's embedded data, list its elements, build
hostile and large reports."""

from __future__ import annotations

import base64
import json
import re
import zlib
from html.parser import HTMLParser
from typing import Any

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

HOSTILE = '</script><img src=x onerror="window.pwned=1">&amp;<b>"\'</style>\u2028'

_DATA = re.compile(r'<script type="application/json" id="report-data" '
                   r'data-encoding="([a-z0-9-]+)">(.*?)</script>', re.DOTALL)


def page_data(page: str) -> tuple[str, dict[str, Any]]:
    """The encoding and the decoded data embedded in a rendered page."""
    match = _DATA.search(page)
    assert match, "no report-data element"
    encoding, text = match.groups()
    if encoding == "deflate-base64":
        text = zlib.decompress(base64.b64decode(text)).decode("utf-8")
    return encoding, json.loads(text)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(page: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every start tag of the page with its attributes, as an HTML parser reads them."""
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser.tags


def hostile_report() -> Report:
    """A report where every value taken from inputs tries to break out of the page."""
    rule = Rule(f"ACCT-001{HOSTILE}", f"title {HOSTILE}", Severity.ERROR, HOSTILE, "accounts",
                remediation=f"fix {HOSTILE}", guidance_quote=HOSTILE)
    findings = (
        # Quoted as the policies' sprintf("%q") quotes names.
        Finding(rule.id, Severity.ERROR, f"customer {json.dumps(HOSTILE, ensure_ascii=False)} "
                f"is 70 days past due (access is impacted at 60 days, action suspend) {HOSTILE}",
                Location(f"dir/{HOSTILE}.json", f"/customers/0/{HOSTILE}", 3, 4),
                rule.title, rule.remediation, "fp-1", customer=HOSTILE, subscription=HOSTILE),
        Finding(rule.id, Severity.WARNING, f"waived {HOSTILE}",
                Location(f"dir/{HOSTILE}.json", "/customers/1", 5, 1), rule.title,
                rule.remediation, "fp-2", customer="c-2", state=FindingState.WAIVED,
                note=f"waived by {HOSTILE} until 2026-12-31 ({HOSTILE}, a@b.example): "
                     f"{HOSTILE}"),
    )
    return Report(
        findings=findings,
        results=(RuleResult(rule.id, f"dir/{HOSTILE}.json", Status.FAIL),),
        documents=(DocumentInfo(f"dir/{HOSTILE}.yaml", "PartnerConfiguration", HOSTILE,
                                HOSTILE, partner_name=HOSTILE),
                   DocumentInfo(f"dir/{HOSTILE}.json", "AccountSnapshot", HOSTILE, HOSTILE,
                                as_of="2026-06-30T00:00:00Z")),
        engine=HOSTILE, skipped=(HOSTILE,), rules=(rule,),
        judged_at=((f"dir/{HOSTILE}.json", "2026-06-30T00:00:00Z"),),
        policy_version=HOSTILE,
    )


def large_report(count: int) -> Report:
    """``count`` findings shaped like those of a big snapshot: long messages, distinct
    customers and subscriptions, several rules and severities."""
    rules = (
        Rule("ACCT-001", "Customer past the access-impact day still has active subscriptions",
             Severity.ERROR, "accounts", "accounts",
             remediation="Suspend or cancel the customer's subscriptions as the collections "
                         "policy says, or record why access stays."),
        Rule("ACCT-008", "Azure spend at or over the spending budget with no partner action",
             Severity.WARNING, "accounts", "accounts",
             remediation="Act on the budget: raise it with the customer's agreement, or "
                         "suspend usage."),
        Rule("CRED-006", "Granted credit rests on a stale or missing credit check",
             Severity.ERROR, "credit", "accounts",
             remediation="Run a new credit check and record its date."),
    )
    findings = []
    for i in range(count):
        rule = rules[i % len(rules)]
        customer = f"{i:08x}-5360-4438-a11d-5c06918c{i % 9999:04d}"
        subscription = f"{i * 7:08x}-b4a5-4968-8776-a5b4c3d2e1f0"
        message = (f'customer "Customer number {i} Holdings Limited" is {30 + i % 90} days past '
                   f"due (access is impacted at 20 days, action suspend) but subscription "
                   f"{subscription} is still active")
        findings.append(Finding(rule.id, rule.severity, message,
                                Location("snapshots/snapshot.json",
                                         f"/customers/{i}/subscriptions/0/status", i + 2, 5),
                                rule.title, rule.remediation, f"{i:032x}", customer=customer,
                                subscription=subscription))
    return Report(
        findings=tuple(findings),
        documents=(DocumentInfo("snapshots/snapshot.json", "AccountSnapshot", "contoso",
                                "global", "2026-06-30T00:00:00Z"),),
        rules=rules, engine="regorus 0.13.0",
        judged_at=(("snapshots/snapshot.json", "2026-06-30T00:00:00Z"),),
    )
