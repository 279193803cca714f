"""Time is an input: --as-of re-runs an audit for another date and verdicts follow it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import cli
from tests.conftest import EXAMPLES

SNAPSHOT = {
    "apiVersion": "checker/v1",
    "kind": "AccountSnapshot",
    "asOf": "2026-06-01T00:00:00Z",
    "partnerId": "contoso",
    "customers": [
        {
            "id": "late-payer",
            "receivables": {"currency": "USD", "invoices": [
                {"id": "INV-1", "invoiceDate": "2026-04-01", "dueDate": "2026-05-01",
                 "amount": 1200, "paidAmount": 0}]},
            "creditDecision": {"decision": "granted", "limit": 5000,
                               "approvedBy": "cfo@contoso.example",
                               "decidedOn": "2026-01-10", "creditCheckDate": "2026-01-05"},
            "onboarding": {"identityVerified": True, "verifiedOn": "2026-01-04"},
            "subscriptions": [{"id": "sub-1", "offerId": "CFQ7TTC0LH18:0001",
                               "status": "active", "autoRenewEnabled": True}],
            "fraudEvents": [{"eventId": "ev-1", "eventTime": "2026-06-01T00:00:00Z",
                             "subscriptionId": "sub-1", "eventType": "UsageAnomalyDetection",
                             "eventStatus": "Active", "severity": "High",
                             "resolvedReason": "None"}],
        }
    ],
}


@pytest.fixture
def audit(in_tmp: Path) -> Path:
    shutil.copy(EXAMPLES / "global" / "compliant" / "partner.yaml", in_tmp / "partner.yaml")
    (in_tmp / "snapshot.json").write_text(json.dumps(SNAPSHOT, indent=2))
    return in_tmp


def fired(*extra: str) -> set[str]:
    result = CliRunner().invoke(cli, ["check", "partner.yaml", "snapshot.json", "-f", "json",
                                      *extra])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    return {f["ruleId"] for f in report["findings"] if f["file"] == "snapshot.json"}


def test_snapshot_as_of_is_now_by_default(audit: Path) -> None:
    rules = fired()
    assert "ACCT-001" not in rules  # 31 days past due, access impacted at 45
    assert "ACCT-004" not in rules  # the alert is brand new


def test_as_of_later_makes_past_due_and_stale_alert_fire(audit: Path) -> None:
    rules = fired("--as-of", "2026-07-01")
    assert {"ACCT-001", "ACCT-004"} <= rules


def test_as_of_within_the_response_time_does_not_fire(audit: Path) -> None:
    assert "ACCT-004" not in fired("--as-of", "2026-06-01T00:30:00Z")
    assert "ACCT-004" in fired("--as-of", "2026-06-01T01:30:00Z")


def test_as_of_is_recorded_in_the_report(audit: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "partner.yaml", "snapshot.json", "-f", "json",
                                      "--as-of", "2026-07-01"])
    documents = json.loads(result.output)["documents"]
    assert {d["asOf"] for d in documents if d["kind"] == "AccountSnapshot"} == {
        "2026-07-01T00:00:00Z"}
