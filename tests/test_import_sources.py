"""The importer's readers: Partner Center responses by content, the CSVs' columns and values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.errors import ExportError
from checker.importing import ImportOptions, import_partner_center
from checker.importing.books import BooksOptions, _amount, _Row

CUSTOMER = "11111111-2222-3333-4444-555555555555"


def _customer(cid: str = CUSTOMER, domain: str = "fourth.example") -> dict[str, Any]:
    return {"id": cid, "companyProfile": {"tenantId": cid, "domain": domain,
                                          "companyName": "Fourth Coffee"},
            "relationshipToPartner": "reseller", "attributes": {"objectType": "Customer"}}


def _run(tmp_path: Path, files: dict[str, Any], **books: str) -> dict[str, Any]:
    decimal_comma = books.pop("comma", "") == "yes"
    export = tmp_path / "export"
    for name, data in files.items():
        path = export / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data if isinstance(data, str) else json.dumps(data))
    paths = []
    for kind, text in books.items():
        csv = tmp_path / f"{kind}.csv"
        csv.write_text(text)
        paths.append((kind, csv))
    output = tmp_path / "snapshot.json"
    import_partner_center(ImportOptions(export, "contoso", tuple(paths), "2026-06-30",
                                        decimal_comma=decimal_comma),
                          output)
    snapshot: dict[str, Any] = json.loads(output.read_text())
    return snapshot


def test_a_single_customer_resource_without_object_type_is_recognised(tmp_path: Path) -> None:
    customer = _customer()
    del customer["attributes"]
    snapshot = _run(tmp_path, {"a.json": customer})
    assert [c["id"] for c in snapshot["customers"]] == [CUSTOMER]


def test_a_bare_subscription_is_attributed_by_its_own_links(tmp_path: Path) -> None:
    subscription = {"id": "S1", "offerId": "CFQ7TTC0LH18:0001", "status": "Active",
                    "links": {"self": {"uri": f"/customers/{CUSTOMER.upper()}/subscriptions/S1"}}}
    snapshot = _run(tmp_path, {"c.json": _customer(), "s.json": subscription})
    # Matched without regard to case; the status is kept as exported.
    assert snapshot["customers"][0]["subscriptions"] == [
        {"id": "S1", "offerId": "CFQ7TTC0LH18:0001", "status": "Active"}]


def test_pascal_case_collection_with_items_of_one_customer(tmp_path: Path) -> None:
    page = {"TotalCount": 1, "Items": [{"Id": "S2", "OfferId": "X", "Status": "suspended"}],
            "Links": {"Self": {"Uri": f"customers/{CUSTOMER}/subscriptions"}},
            "Attributes": {"ObjectType": "Collection"}}
    snapshot = _run(tmp_path, {"c.json": _customer(), "subs.json": page})
    assert snapshot["customers"][0]["subscriptions"] == [
        {"id": "S2", "offerId": "X", "status": "suspended"}]


def test_the_same_resource_on_two_pages_is_kept_once(tmp_path: Path) -> None:
    event = {"eventId": "E1", "eventTime": "2026-06-29T00:00:00Z", "eventStatus": "Active",
             "customerTenantId": CUSTOMER, "hitCount": "2"}
    snapshot = _run(tmp_path, {"c.json": _customer(), "f1.json": [event],
                               "f2.json": {"items": [event], "totalCount": 1}})
    assert len(snapshot["customers"][0]["fraudEvents"]) == 1


def test_an_older_usage_summary_spelling_of_amount_is_read(tmp_path: Path) -> None:
    summary = {"resourceId": CUSTOMER, "Budget": {"Ammount": 50}, "totalCost": 10,
               "attributes": {"objectType": "CustomerUsageSummary"}}
    snapshot = _run(tmp_path, {"c.json": _customer(), "u.json": summary})
    assert snapshot["customers"][0]["usageSummary"]["budget"] == {"amount": 50}


def test_audit_reactivation_and_other_operations(tmp_path: Path) -> None:
    def record(old: str, new: str, operation: str = "UpdateSubscription") -> dict[str, Any]:
        return {"customerId": CUSTOMER, "operationType": operation,
                "resourceType": "subscription", "operationStatus": "Succeeded",
                "operationDate": "2026-06-01T00:00:00Z",
                "resourceOldValue": json.dumps({"Id": "S1", "Status": old}),
                "resourceNewValue": json.dumps({"Id": "S1", "Status": new})}
    snapshot = _run(tmp_path, {"c.json": _customer(), "audit.json": {"items": [
        record("suspended", "active"), record("active", "active"),
        record("active", "suspended", "upgrade_subscription")]}})
    assert snapshot["customers"][0]["partnerActions"] == [
        {"action": "reactivate", "date": "2026-06-01T00:00:00Z", "subscriptionId": "S1"}]


def test_partner_service_requests_are_left_out_with_a_warning(tmp_path: Path) -> None:
    request = {"id": "SR1", "title": "t", "status": "open", "createdDate": "2026-06-01",
               "attributes": {"objectType": "ServiceRequest"}}
    snapshot = _run(tmp_path, {"c.json": _customer(),
                               "sr.json": {"items": [request],
                                           "links": {"self": {"uri": "/servicerequests"}}}})
    assert "serviceRequests" not in snapshot["customers"][0]


def test_no_customers_is_a_usage_error(tmp_path: Path) -> None:
    from checker.errors import UsageError

    with pytest.raises(UsageError, match="no customers found"):
        _run(tmp_path, {"x.json": {"items": [], "totalCount": 0}})


def test_a_subscription_without_status_is_located(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as caught:
        _run(tmp_path, {"c.json": _customer(), "s.json": {
            "items": [{"id": "S1", "offerId": "X", "status": 3}],
            "links": {"self": {"uri": f"/customers/{CUSTOMER}/subscriptions"}}}})
    assert caught.value.line == 1 and caught.value.column > 1
    assert "expected a non-empty string 'status', found 3" in str(caught.value)


ONBOARDING = "Tenant ID\tKYC\tVerified On\tPayment Method\tFirst Order\tPrepaid\n"


def test_onboarding_and_actions_columns_by_synonyms(tmp_path: Path) -> None:
    snapshot = _run(
        tmp_path, {"c.json": _customer()},
        onboarding=ONBOARDING + f"{CUSTOMER}\tYes\t2026-01-02\tinvoice\t2026-01-03\tno\n",
        actions="CUSTOMER,Subscription ID,Action Taken,Action Date,Reason,By,Notes\n"
                "fourth.example,S1,Suspended,2026-06-01 10:30,Non Payment,ops,late\n")
    customer = snapshot["customers"][0]
    assert customer["onboarding"] == {"identityVerified": True, "verifiedOn": "2026-01-02",
                                      "paymentInstrument": "invoice",
                                      "firstOrderDate": "2026-01-03", "prepaid": False}
    assert customer["partnerActions"] == [
        {"subscriptionId": "S1", "action": "suspend", "date": "2026-06-01T10:30:00Z",
         "reason": "non-payment", "by": "ops"}]


def test_decimal_comma_amounts(tmp_path: Path) -> None:
    receivables = ("customer;invoice id;due date;amount;paid\n"
                   f"{CUSTOMER};R1;2026-05-01;1.234,50;\"1.000\"\n")
    snapshot = _run(tmp_path, {"c.json": _customer()}, receivables=receivables, comma="yes")
    (invoice,) = snapshot["customers"][0]["receivables"]["invoices"]
    assert invoice == {"id": "R1", "dueDate": "2026-05-01", "amount": 1234.5,
                       "paidAmount": 1000}


@pytest.mark.parametrize(("text", "comma", "value"), [
    ("1,234.50", False, 1234.5), ("1234.5", False, 1234.5), ("-12", False, -12),
    ("(1,000.25)", False, -1000.25), ("1.234,50", True, 1234.5), ("0,5", True, 0.5),
    ("12 345,00", True, 12345),
])
def test_amounts(text: str, comma: bool, value: float) -> None:
    assert _amount(text, _Row("f.csv", 2), "amount", comma) == value


@pytest.mark.parametrize(("text", "comma"), [
    ("12a", False), ("1.234,50", False), ("1,23.4", False), ("1,234.50", True), ("", False),
    ("USD 10", False),
])
def test_bad_amounts(text: str, comma: bool) -> None:
    with pytest.raises(ExportError, match="expected an amount"):
        _amount(text, _Row("f.csv", 2), "amount", comma)


def test_a_second_currency_for_one_customer_is_located(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as caught:
        _run(tmp_path, {"c.json": _customer()},
             receivables="customer,invoice,due,amount,ccy\n"
                         f"{CUSTOMER},1,2026-01-01,1,USD\n{CUSTOMER},2,2026-01-01,1,EUR\n")
    assert str(caught.value).endswith("a snapshot holds one currency per customer")
    assert (caught.value.line, caught.value.field) == (3, "ccy")


def test_the_latest_credit_decision_is_the_one_in_force(tmp_path: Path) -> None:
    snapshot = _run(tmp_path, {"c.json": _customer()},
                    credit="customer,decision,decided on\n"
                           f"{CUSTOMER},granted,2026-03-01\n{CUSTOMER},declined,2026-01-01\n")
    assert snapshot["customers"][0]["creditDecision"]["decision"] == "granted"


def test_books_options_default() -> None:
    assert BooksOptions().decimal_comma is False


def test_a_csv_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "c.json").write_text(json.dumps(_customer()))
    csv = tmp_path / "credit.csv"
    csv.write_bytes(b"customer,decision\n" + f"{CUSTOMER},granted\n".encode()
                    + b"caf\xe9,granted\n")
    with pytest.raises(ExportError) as caught:
        import_partner_center(ImportOptions(export, "contoso", (("credit", csv),),
                                            "2026-06-30"), tmp_path / "s.json")
    assert (caught.value.line, str(caught.value).endswith("expected UTF-8 text")) == (3, True)
    assert not (tmp_path / "s.json").exists()


def test_unknown_columns_and_files_are_reported_once(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "c.json").write_text(json.dumps(_customer()))
    (export / "notes.json").write_text(json.dumps({"hello": "world"}))
    csv = tmp_path / "actions.csv"
    csv.write_text("customer,action,date,Notes,notes \n"
                   f"{CUSTOMER},suspend,2026-06-01,a,b\n{CUSTOMER},cancel,2026-06-02,c,d\n")
    result = import_partner_center(ImportOptions(export, "contoso", (("actions", csv),),
                                                 "2026-06-30"), tmp_path / "s.json")
    assert [w for w in result.warnings if "Notes" in w or "notes " in w] == [
        f"{csv.as_posix()}: column 'Notes' is not one of the actions columns "
        "(reported once); ignored"]
    assert any(w.endswith("notes.json: not a Partner Center response checker imports; "
                          "ignored") for w in result.warnings)
    snapshot = json.loads((tmp_path / "s.json").read_text())
    assert [a["action"] for a in snapshot["customers"][0]["partnerActions"]] == [
        "suspend", "cancel"]


def test_invalid_json_after_non_ascii_text_is_located_by_character(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as caught:
        _run(tmp_path, {"c.json": '{"id": "é", "companyProfile": {"companyName": "Café"},\n'
                                  '  "relationshipToPartner": "reseller",, }'})
    assert (caught.value.line, caught.value.column) == (2, 39)


def test_a_resource_seen_twice_with_other_content_is_reported(tmp_path: Path) -> None:
    def page(status: str) -> dict[str, Any]:
        return {"items": [{"id": "S1", "offerId": "X", "status": status}],
                "links": {"self": {"uri": f"/customers/{CUSTOMER}/subscriptions"}}}
    export = tmp_path / "export"
    export.mkdir()
    (export / "a.json").write_text(json.dumps(_customer()))
    (export / "b.json").write_text(json.dumps(page("active")))
    (export / "c.json").write_text(json.dumps(page("suspended")))
    result = import_partner_center(ImportOptions(export, "contoso", (), "2026-06-30"),
                                   tmp_path / "s.json")
    snapshot = json.loads((tmp_path / "s.json").read_text())
    assert snapshot["customers"][0]["subscriptions"][0]["status"] == "active"
    assert any("subscriptions S1 differs from the copy in" in w and "b.json" in w
               for w in result.warnings)
