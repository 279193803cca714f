"""checker import partner-center: an export folder of Microsoft's documented sample responses
plus the partner's CSVs, imported, validated and checked; broken exports fail located."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import cli
from checker.validation import validate

FIXTURES = Path(__file__).parent / "fixtures" / "partner-center"
A = "eebd1b55-5360-4438-a11d-5c06918c3014"
B = "a248da34-6840-4c67-82d7-7f55ccd50d03"
C = "44908a11-641b-4c53-b7fc-0f2bfca8a581"
D = "0c39d6d5-c70d-4c55-bc02-f620844f3fd1"
IMPORT = ["import", "partner-center", "export", "--partner-id", "contoso",
          "--receivables", "receivables.csv", "--credit", "credit.csv",
          "--as-of", "2026-06-30"]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture folder as the working directory (files are named from it)."""
    for name in ("export", "receivables.csv", "credit.csv", "partner.yaml"):
        source = FIXTURES / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _import(*extra: str) -> tuple[Any, dict[str, Any]]:
    result = CliRunner().invoke(cli, [*IMPORT, *extra, "-o", "snapshot.json"])
    assert result.exit_code == 0, result.output
    return result, json.loads(Path("snapshot.json").read_text(encoding="utf-8"))


def _by_id(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in snapshot["customers"]}


def test_the_snapshot_is_valid_and_holds_every_customer_once(workdir: Path) -> None:
    result, snapshot = _import()
    assert result.stderr.splitlines()[-1].startswith(
        "checker: imported 4 customers into snapshot.json; ")
    assert "resources seen again, kept once: 1" in result.stderr
    assert list(validate("AccountSnapshot", snapshot)) == []
    assert snapshot["asOf"] == "2026-06-30T00:00:00Z"
    assert snapshot["partnerId"] == "contoso"
    # Two pages; customer B on both is kept once; the list's order is kept.
    assert [c["id"] for c in snapshot["customers"]] == [A, B, C, D]
    assert _by_id(snapshot)[B]["companyProfile"]["domain"] == "testcustomer.onmicrosoft.com"
    assert "links" not in _by_id(snapshot)[A] and "attributes" not in _by_id(snapshot)[A]


def test_new_commerce_and_azure_plan_subscriptions_are_carried_as_exported(
        workdir: Path) -> None:
    customers = _by_id(_import()[1])
    (nce,) = customers[A]["subscriptions"]
    assert nce["offerId"] == "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
    assert nce["productType"]["id"] == "OnlineServicesNCE"
    assert nce["termDuration"] == "P1Y"
    assert nce["commitmentEndDate"] == "2026-07-13T00:00:00Z"
    assert nce["refundOptions"] == [{"type": "Full", "expiresAt": "2025-07-15T00:00:00Z"}]
    assert nce["billingType"] == "license" and nce["autoRenewEnabled"] is True
    assert nce["status"] == "active"
    (azure,) = customers[B]["subscriptions"]
    assert azure["productType"]["id"] == "Azure" and azure["billingType"] == "usage"
    # Azure plan's open-ended 9999-12-14 is no date a rule can read.
    assert "commitmentEndDate" not in azure


def test_pascal_case_resources_become_camel_case(workdir: Path) -> None:
    subscriptions = _by_id(_import()[1])[D]["subscriptions"]
    legacy = next(s for s in subscriptions if s["id"] == "83ef9d05-4169-4ef9-9657-0e86b1eab1de")
    assert legacy["status"] == "suspended"
    assert legacy["suspensionReasons"] == ["CustomerCancellation"]
    assert legacy["autoRenewEnabled"] is False
    assert "Status" not in legacy


def test_partner_wide_fraud_events_are_regrouped_by_customer_tenant(workdir: Path) -> None:
    result, snapshot = _import()
    customers = _by_id(snapshot)
    (event_b,) = customers[B]["fraudEvents"]
    assert event_b["eventStatus"] == "Active"
    assert event_b["hitCount"] == "10"
    assert event_b["resolvedOn"] == "9999-12-31T23:59:59.9970000"
    assert event_b["eventType"] == "NetworkConnectionsToCryptoMiningPools"
    (event_c,) = customers[C]["fraudEvents"]
    assert event_c["eventStatus"] == "Investigating"
    assert "fraudEvents" not in customers[A]
    # The third event's tenant is no customer: recorded, not dropped silently.
    record = next(r for r in snapshot["unmatchedRecords"] if r["part"] == "fraudEvents")
    assert record["customer"] == "5d3e2f1a-9b8c-4d7e-a6f5-e4d3c2b1a098"
    assert record["file"] == "export/fraud-events.json" and record["line"] > 1
    assert "fraudEvents of customer '5d3e2f1a" in result.stderr


def test_service_requests_usage_summaries_and_invoices(workdir: Path) -> None:
    snapshot = _import()[1]
    customers = _by_id(snapshot)
    (request,) = customers[C]["serviceRequests"]
    assert request["id"] == "616122292874576" and request["status"] == "open"
    assert request["createdDate"] == "2026-06-29T08:30:00Z"
    assert customers[C]["usageSummary"]["budget"] == {"amount": 97}
    assert customers[C]["usageSummary"]["totalCost"] == 28.83
    assert customers[B]["usageSummary"]["budget"] == {"amount": None}
    (invoice,) = snapshot["partnerInvoices"]
    assert invoice["id"] == "G000524135" and invoice["totalCharges"] == 2076.63


def test_a_partner_suspension_in_the_audit_records_is_a_partner_action(
        workdir: Path) -> None:
    customers = _by_id(_import()[1])
    assert customers[D]["partnerActions"] == [{
        "action": "suspend", "date": "2026-06-02T09:15:00Z",
        "subscriptionId": "b1d2f3a4-0000-4b7a-9c7e-1d2e3f4a5b6c",
        "by": "collections@contoso.example"}]
    # create_order is another operation.
    assert "partnerActions" not in customers[A]


def test_receivables_and_credit_rows_are_matched_by_id_tenant_or_domain(
        workdir: Path) -> None:
    result, snapshot = _import()
    customers = _by_id(snapshot)
    assert customers[A]["receivables"] == {"currency": "USD", "invoices": [
        {"id": "INV-2026-0101", "invoiceDate": "2026-03-01", "dueDate": "2026-03-31",
         "amount": 1234.5, "paidAmount": 0},
        # matched by the customer's domain
        {"id": "INV-2026-0140", "invoiceDate": "2026-04-01", "dueDate": "2026-05-01",
         "amount": 800, "paidAmount": 800, "paidOn": "2026-04-28"}]}
    assert customers[C]["receivables"]["currency"] == "GBP"
    assert customers[C]["receivables"]["invoices"][0]["amount"] == 2000
    # matched by the id in upper case; semicolon-separated, header "credit limit"
    assert customers[A]["creditDecision"] == {
        "decision": "granted", "limit": 5000, "currency": "USD",
        "approvedBy": "cfo@contoso.example", "decidedOn": "2026-01-10",
        "creditCheckDate": "2026-01-05"}
    assert customers[B]["creditDecision"] == {"decision": "prepayment-only",
                                              "decidedOn": "2026-02-01"}
    assert customers[D]["creditDecision"]["decision"] == "declined"
    record = next(r for r in snapshot["unmatchedRecords"] if r["part"] == "receivables")
    assert record == {"part": "receivables", "customer": "unknown-customer.example",
                      "file": "receivables.csv", "row": 5, "column": "Customer"}
    assert "receivables.csv:5: receivables of customer 'unknown-customer.example'" in (
        result.stderr)


def test_the_snapshot_records_each_source_file_and_its_hash(workdir: Path) -> None:
    snapshot = _import()[1]
    files = sorted(p.as_posix() for p in Path("export").rglob("*.json"))
    sources = {s["file"]: s for s in snapshot["sources"]}
    assert sorted(sources) == sorted([*files, "receivables.csv", "credit.csv"])
    for name, source in sources.items():
        assert source["sha256"] == hashlib.sha256(Path(name).read_bytes()).hexdigest()
    assert sources["export/fraud-events.json"]["parts"] == ["fraudEvents"]
    assert sources["receivables.csv"]["parts"] == ["receivables"]


def test_an_unknown_resource_type_is_reported_once_and_ignored(workdir: Path) -> None:
    extra = Path("export/more-orders.json")
    extra.write_text(Path(f"export/customers/{A}/orders.json").read_text())
    result, snapshot = _import()
    assert result.stderr.count("resource type 'Order' is not imported") == 1
    sources = {s["file"]: s for s in snapshot["sources"]}
    assert sources["export/more-orders.json"]["parts"] == []
    assert "CAxohGOSNDYd4n3S6n0yS4r3L0Mh1gB81" not in json.dumps(snapshot["customers"])


def test_import_is_deterministic(workdir: Path) -> None:
    _import()
    first = Path("snapshot.json").read_bytes()
    _import()
    assert Path("snapshot.json").read_bytes() == first


def _findings(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["ruleId"], f["pointer"]) for f in report["findings"]}


def test_check_on_the_imported_snapshot_fires_the_expected_account_rules(
        workdir: Path) -> None:
    snapshot = _import()[1]
    result = CliRunner().invoke(cli, ["check", "partner.yaml", "snapshot.json",
                                      "-f", "json"])
    assert result.exit_code == 1, result.output
    found = _findings(json.loads(result.stdout))
    ids = [s["id"] for s in snapshot["customers"][3]["subscriptions"]]
    unacted = ids.index("83ef9d05-4169-4ef9-9657-0e86b1eab1de")
    acted = ids.index("b1d2f3a4-0000-4b7a-9c7e-1d2e3f4a5b6c")
    expected = {
        ("ACCT-001", "/customers/0/subscriptions"),   # A 91 days past due, active (once a customer)
        ("ACCT-004", "/customers/1/fraudEvents/0/eventStatus"),  # B's event still Active
        ("ACCT-009", "/customers/1/usageSummary/budget"),       # B Azure, no budget
        ("ACCT-005", "/customers/2/subscriptions/0/status"),    # C investigated, active
        ("ACCT-007", f"/customers/3/subscriptions/{unacted}/status"),  # D: no action
        ("CRED-005", "/customers/2/creditDecision/approvedBy"),  # 25000 without approver
        ("ACCT-010", "/partnerInvoices/0"),                     # partner's invoice late
        ("CHK-UNMATCHED", "/unmatchedRecords/0"),
        ("CHK-UNMATCHED", "/unmatchedRecords/1"),
    }
    assert expected <= found
    rules = {rule for rule, _ in found}
    # D's other suspension is the partner's own (audit record); C escalated its event.
    assert ("ACCT-007", f"/customers/3/subscriptions/{acted}/status") not in found
    assert "ACCT-006" not in rules
    assert "ACCT-008" not in rules  # C spent 28.83 of a 97 budget


def test_check_imports_the_export_folder_in_one_step(workdir: Path) -> None:
    _import()
    two_steps = CliRunner().invoke(cli, ["check", "partner.yaml", "snapshot.json",
                                         "-f", "json"])
    Path("snapshot.json").unlink()
    one_step = CliRunner().invoke(cli, ["check", "partner.yaml", "export", "--receivables",
                                        "receivables.csv", "--credit", "credit.csv",
                                        "--as-of", "2026-06-30", "-f", "json"])
    assert one_step.exit_code == 1, one_step.output
    report = json.loads(one_step.stdout)
    assert _findings(report) == _findings(json.loads(two_steps.stdout))
    files = {f["file"] for f in report["findings"]}
    assert "export/#snapshot" in files
    # The partner id came from partner.yaml; nothing was left behind.
    assert not Path("snapshot.json").exists()


def _broken(workdir: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*IMPORT, *args, "-o", "snapshot.json"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert not Path("snapshot.json").exists()
    assert not any(p.name.startswith(".snapshot.json") for p in workdir.iterdir())
    return lines[0]


def test_truncated_json_is_located(workdir: Path) -> None:
    page = Path("export/customers-page-2.json")
    text = page.read_text()
    page.write_text(text[: len(text) // 2])
    line = _broken(workdir)
    assert line.startswith("checker: error: export/customers-page-2.json:")
    assert "invalid JSON" in line
    where = line.split(": ")[2].split(":")
    assert int(where[1]) > 1 and int(where[2]) >= 1


def test_a_csv_without_a_required_column_is_located(workdir: Path) -> None:
    path = Path("receivables.csv")
    rows = [r.split(",") for r in path.read_text().splitlines()]
    path.write_text("\n".join(",".join(r[:3] + r[4:]) for r in rows) + "\n")
    line = _broken(workdir)
    assert line.startswith("checker: error: receivables.csv:1: no due date column: a "
                           "receivables CSV needs customer, invoice id, due date, amount")


def test_a_date_in_the_wrong_format_is_located(workdir: Path) -> None:
    path = Path("credit.csv")
    path.write_text(path.read_text().replace("2026-01-10", "10/01/2026"))
    line = _broken(workdir)
    assert line == ("checker: error: credit.csv:2:decided on: expected an ISO date "
                    "(YYYY-MM-DD), found '10/01/2026'")


def test_an_amount_with_letters_is_located(workdir: Path) -> None:
    path = Path("receivables.csv")
    path.write_text(path.read_text().replace("800.00,800.00", "800.00,8OO.00"))
    line = _broken(workdir)
    assert line == ("checker: error: receivables.csv:3:Paid Amount: expected an amount such "
                    "as 1,234.50, found '8OO.00'")


def test_a_bad_value_in_a_response_is_located_where_it_was_read(workdir: Path) -> None:
    path = Path(f"export/customers/{C}/servicerequests.json")
    path.write_text(path.read_text().replace('"2026-06-29T08:30:00Z"', '"29 June 2026"', 1))
    line = _broken(workdir)
    assert line.startswith(f"checker: error: export/customers/{C}/servicerequests.json:")
    assert "29 June 2026" in line
    position = line.split(": ")[2].split(":")
    text = path.read_text().splitlines()[int(position[1]) - 1]
    assert "createdDate" in text


def test_a_subscription_nobody_owns_stops_the_import(workdir: Path) -> None:
    path = Path(f"export/customers/{D}/subscriptions/83ef9d05-4169-4ef9-9657-0e86b1eab1de.json")
    data = json.loads(path.read_text())
    del data["Links"]
    path.write_text(json.dumps(data, indent=2))
    line = _broken(workdir)
    assert line.startswith(f"checker: error: {path.as_posix()}:1:1: subscription "
                           "83ef9d05-4169-4ef9-9657-0e86b1eab1de: cannot tell whose it is")


def test_check_with_a_broken_export_writes_no_report(workdir: Path) -> None:
    Path("credit.csv").write_text("customer,decision\nx,maybe\n")
    result = CliRunner().invoke(cli, ["check", "partner.yaml", "export", "--credit",
                                      "credit.csv", "-f", "json", "-o", "report.json"])
    assert result.exit_code == 1
    assert result.stderr.startswith("checker: error: credit.csv:2:decision: expected one of")
    assert not Path("report.json").exists()


def test_import_needs_a_partner_id(workdir: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "partner-center", "export",
                                      "-o", "snapshot.json"])
    assert result.exit_code == 2
    assert "--partner-id" in result.stderr


def test_the_evidence_manifest_cites_the_exports(workdir: Path) -> None:
    import jsonschema_rs

    from checker.resources import schema_dir

    result = CliRunner().invoke(cli, ["check", "partner.yaml", "export", "--receivables",
                                      "receivables.csv", "--credit", "credit.csv",
                                      "--as-of", "2026-06-30", "-f", "json", "-o", "r.json",
                                      "--evidence", "evidence.json"])
    assert result.exit_code == 1, result.output
    evidence = json.loads(Path("evidence.json").read_text())
    schema = json.loads((schema_dir() / "evidence.schema.json").read_text())
    assert jsonschema_rs.validator_for(schema).is_valid(evidence)
    cited = {e["file"]: e for e in evidence["exports"]}
    assert cited["export/fraud-events.json"]["sha256"] == hashlib.sha256(
        Path("export/fraud-events.json").read_bytes()).hexdigest()
    assert cited["credit.csv"]["snapshot"] == "export/#snapshot"
    assert "export/#snapshot" in [i["path"] for i in evidence["inputs"]]
    assert evidence["options"]["paths"] == ["partner.yaml", "export/#snapshot"]


def test_check_one_step_reads_every_kind_of_csv(workdir: Path) -> None:
    Path("kyc.csv").write_text(
        "Customer ID;Identity Verified;Verified On;Payment Instrument;First Order Date\n"
        f"{A};yes;2025-07-01;invoice;2025-07-14\n")
    Path("actions.csv").write_text(
        "customer;subscription;action;date;reason\n"
        f"{D};83ef9d05-4169-4ef9-9657-0e86b1eab1de;suspend;2026-06-01;non-payment\n")
    Path("ar.csv").write_text("customer;invoice;due date;amount\n"
                              f"{A};INV-9;2026-03-31;1.234,50\n")
    result = CliRunner().invoke(cli, ["check", "partner.yaml", "export", "--receivables",
                                      "ar.csv", "--onboarding", "kyc.csv", "--actions",
                                      "actions.csv", "--decimal-comma", "--as-of",
                                      "2026-06-30", "-f", "json"])
    assert result.exit_code == 1, result.output
    found = _findings(json.loads(result.stdout))
    # A's identity is verified now; D's first subscription has its partner action.
    assert ("ACCT-018", "/customers/0/onboarding/identityVerified") not in found
    assert not any(rule == "ACCT-007" for rule, _ in found)
    assert ("ACCT-001", "/customers/0/subscriptions") in found  # 1.234,50 overdue


def test_check_one_step_needs_one_partner(workdir: Path) -> None:
    other = Path("other.yaml")
    other.write_text(Path("partner.yaml").read_text().replace("id: contoso", "id: fabrikam"))
    result = CliRunner().invoke(cli, ["check", "partner.yaml", "other.yaml", "export",
                                      "--credit", "credit.csv"])
    assert result.exit_code == 2
    assert "--partner-id" in result.stderr


def test_import_rejects_a_bad_as_of(workdir: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "partner-center", "export", "--partner-id",
                                      "contoso", "--as-of", "yesterday", "-o", "s.json"])
    assert result.exit_code == 2
    assert "--as-of: 'yesterday'" in result.stderr
    assert not Path("s.json").exists()


def test_the_snapshot_gets_the_permissions_of_any_new_file(workdir: Path) -> None:
    previous = os.umask(0o027)
    try:
        _import()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(Path("snapshot.json").stat().st_mode) == 0o640
    assert not [p for p in Path().iterdir() if p.name.endswith(".tmp")]
