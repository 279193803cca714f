"""New commerce, Partner Center spellings and unknown values, end to end through `checker check`.

The subscriptions are Partner Center's own sample payloads (tests/fixtures/partner-center),
as exported: camelCase from "Get a subscription by ID", PascalCase as in "Suspend a
subscription". The reports are the JSON reports a user gets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.documents import check_json, write_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "fixtures" / "partner-center"
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())


def sample(name: str) -> dict[str, Any]:
    data = json.loads((SAMPLES / name).read_text())
    data.pop("_source", None)
    return dict(data)


def pascal(value: Any) -> Any:
    """Keys spelled the way some Partner Center samples spell them (Status, CommitmentEndDate)."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pascal(v) for v in value]
    return value


def nce(**fields: Any) -> dict[str, Any]:
    """Partner Center's new-commerce subscription sample with some fields changed."""
    return {**sample("subscription.nce-expired.json"), **fields}


def customer(subscriptions: list[dict[str, Any]], paid: bool = False,
             actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": "eebd1b55-5360-4438-a11d-5c06918c3014",
        "companyProfile": {"companyName": "Fabrikam"},
        "onboarding": {"identityVerified": True, "prepaid": True},
        "creditDecision": {"decision": "prepayment-only", "approvedBy": "cfo@contoso.example",
                           "decidedOn": "2020-12-01"},
        "receivables": {"currency": "USD", "invoices": [
            {"id": "INV-1", "invoiceDate": "2021-01-01", "dueDate": "2021-01-31", "amount": 90,
             "paidAmount": 90 if paid else 0}]},
        "subscriptions": subscriptions,
        "partnerActions": actions or [],
    }


def report_for(folder: Path, customers: list[dict[str, Any]], as_of: str) -> dict[str, Any]:
    partner, snap = write_inputs(folder, customers, as_of)
    _, report = check_json(partner, snap)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    return report


def of_rule(report: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["ruleId"] == rule]


def test_commitment_of_a_non_paying_customer_fires_on_the_sample(in_tmp: Path) -> None:
    report = report_for(in_tmp, [customer([nce(status="active")])], "2021-06-30T00:00:00Z")
    (found,) = of_rule(report, "ACCT-013")
    assert "150 days past due" in found["message"]
    assert "P1Y, 197 days left until 2022-01-13T00:00:00Z" in found["message"]
    assert found["pointer"] == "/customers/0/subscriptions"
    assert found["severity"] == "info"


def test_paid_up_customer_has_no_commitment_finding(in_tmp: Path) -> None:
    report = report_for(in_tmp, [customer([nce(status="active")], paid=True)],
                        "2021-06-30T00:00:00Z")
    assert of_rule(report, "ACCT-013") == []


def test_refund_window_fires_while_cancelling_still_cuts_the_bill(in_tmp: Path) -> None:
    decision = {"subscriptionId": nce()["id"], "action": "suspend", "reason": "non-payment",
                "decision": "cancel", "date": "2021-01-16T09:00:00Z"}
    report = report_for(in_tmp, [customer([nce(status="active")], actions=[decision])],
                        "2021-01-18T00:00:00Z")
    (found,) = of_rule(report, "ACCT-014")
    assert "can still be cancelled with a refund" in found["message"]
    assert "closes at 2021-01-21T16:57:14Z" in found["message"]
    assert found["subscription"] == nce()["id"]


def test_refund_window_fires_once_cancelling_no_longer_cuts_the_bill(in_tmp: Path) -> None:
    decision = {"subscriptionId": nce()["id"], "action": "suspend", "reason": "fraud",
                "decision": "cancel", "date": "2021-01-25T09:00:00Z"}
    report = report_for(in_tmp, [customer([nce(status="active")], paid=True,
                                          actions=[decision])], "2021-02-01T00:00:00Z")
    (found,) = of_rule(report, "ACCT-014")
    assert "cancelling no longer cuts the bill" in found["message"]


def test_suspended_new_commerce_subscription_is_still_billed(in_tmp: Path) -> None:
    report = report_for(in_tmp, [customer([nce(status="suspended")], paid=True)],
                        "2021-06-30T00:00:00Z")
    (found,) = of_rule(report, "ACCT-015")
    assert "access restricted, still billed" in found["message"]
    assert "through 2022-01-13T00:00:00Z" in found["message"]


def test_legacy_deletion_window_never_fires_on_new_commerce(in_tmp: Path) -> None:
    suspension = {"subscriptionId": nce()["id"], "action": "suspend", "reason": "non-payment",
                  "date": "2021-03-01T00:00:00Z"}
    legacy = {**pascal(sample("subscription.suspend-patch.json")), "OfferId": "91fd106f-4b2c"}
    legacy_suspension = {**suspension, "subscriptionId": legacy["Id"]}
    report = report_for(in_tmp, [customer([nce(status="suspended"), legacy],
                                          actions=[suspension, legacy_suspension])],
                        "2021-06-30T00:00:00Z")
    assert [f["subscription"] for f in of_rule(report, "ACCT-003")] == [legacy["Id"]]


def test_subscriptions_are_classified_in_the_report(in_tmp: Path) -> None:
    azure = {"id": "5e7a1c2b-8f3d-4e6a-b9c0-d1e2f3a4b5c6", "status": "active",
             "offerId": "DZH318Z0BCZC:0001", "productType": {"id": "Azure"}}
    legacy = sample("subscription.suspend-patch.json")
    report = report_for(in_tmp, [customer([nce(), pascal(nce(id="x-2")), azure, legacy],
                                          paid=True)], "2021-06-30T00:00:00Z")
    (document,) = [d for d in report["documents"] if d["kind"] == "AccountSnapshot"]
    assert document["subscriptions"] == {"azure-plan": 1, "legacy": 1, "new-commerce": 2}
    assert report["reportVersion"] == "1.2"
    (configuration,) = [d for d in report["documents"] if d["kind"] == "PartnerConfiguration"]
    assert "subscriptions" not in configuration


def without_statuses(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Rule, place and message of every finding."""
    return [(f["ruleId"], f["pointer"], f["message"]) for f in report["findings"]]


@pytest.mark.parametrize("status", ["Active", "ACTIVE"])
def test_status_case_gives_identical_findings(in_tmp: Path, status: str) -> None:
    def customers(spelling: str) -> list[dict[str, Any]]:
        event = {**sample("fraud-event.new-events-model.json"),
                 "subscriptionId": nce()["id"], "eventStatus": spelling,
                 "eventTime": "2021-06-29T20:00:00Z"}
        return [customer([nce(status=spelling)], actions=[]) | {"fraudEvents": [event]}]

    expected = report_for(in_tmp / "lower", customers("active"), "2021-06-30T00:00:00Z")
    assert {"ACCT-001", "ACCT-004", "ACCT-013"} <= {f["ruleId"] for f in expected["findings"]}
    got = report_for(in_tmp / "other", customers(status), "2021-06-30T00:00:00Z")
    assert without_statuses(got) == without_statuses(expected)


def test_pascal_case_sample_gives_the_same_findings_as_camel_case(in_tmp: Path) -> None:
    camel = report_for(in_tmp / "camel", [customer([nce(status="suspended")])],
                       "2021-06-30T00:00:00Z")
    upper = report_for(in_tmp / "pascal", [customer([pascal(nce(status="Suspended"))])],
                       "2021-06-30T00:00:00Z")
    # The pointer names the key as the file spells it (Status); rules and messages agree.
    assert [(f["ruleId"], f["line"], f["message"]) for f in camel["findings"]] == [
        (f["ruleId"], f["line"], f["message"]) for f in upper["findings"]]
    assert {"ACCT-013", "ACCT-015"} <= {f["ruleId"] for f in upper["findings"]}


def test_unknown_status_is_exactly_one_info_finding(in_tmp: Path) -> None:
    report = report_for(in_tmp, [customer([nce(status="Transferring")], paid=True)],
                        "2021-06-30T00:00:00Z")
    (found,) = [f for f in report["findings"] if f["file"].endswith("snapshot.json")]
    assert found["ruleId"] == "ACCT-016" and found["severity"] == "info"
    assert '"Transferring"' in found["message"] and "ACCT-001" in found["message"]
    assert found["file"].endswith("snapshot.json")
    assert found["pointer"] == "/customers/0/subscriptions/0/status"
    text = (in_tmp / "snapshot.json").read_text().splitlines()
    assert '"Transferring"' in text[found["line"] - 1]


def test_snapshot_with_azure_contradicts_a_partner_that_sells_none(in_tmp: Path) -> None:
    azure = {"id": "5e7a1c2b", "status": "active", "productType": {"id": "Azure"}}
    partner, snap = write_inputs(in_tmp, [customer([azure], paid=True)], "2021-06-30T00:00:00Z")
    # 21Vianet with no portfolio statement: Azure is not sold there through Partner Center.
    config = (partner.read_text().replace("cloud: global", "cloud: 21vianet")
              .replace("portfolio:\n  azure: true\n", ""))
    assert "cloud: 21vianet" in config and "portfolio" not in config
    partner.write_text(config)
    _, report = check_json(partner, snap)
    (found,) = of_rule(report, "ACCT-012")
    assert "5e7a1c2b" in found["message"] and "21vianet" in found["message"]

