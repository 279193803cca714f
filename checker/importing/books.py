"""CSV exports of the partner's own books: receivables, credit decisions, onboarding, actions.

Each kind has its columns, a few of them required, and the header spellings ERPs and CRMs
use for them (compared without case, spaces, dashes or underscores: ``Due Date``,
``due_date`` and ``DUEDATE`` are one column). A column no kind knows is reported once and
ignored. The delimiter is a comma, a semicolon or a tab (whichever the header line uses).

A row names its customer by tenant id, Partner Center customer id or default domain; a row
whose customer is not in Partner Center's customer list is kept out of the snapshot and
recorded in its ``unmatchedRecords`` (which ``checker check`` reports as CHK-UNMATCHED).

Values: dates ISO 8601 (``2026-06-30``; a time after the date is allowed and dropped, except
for action dates, which keep it); amounts ``1234.50``, ``1,234.50``, ``-1,234.50`` or
``(1,234.50)``, or with ``decimal_comma`` ``1.234,50``; booleans yes/no, true/false, y/n, 1/0.
Anything else stops the import at ``file:row:column``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from checker.errors import ExportError
from checker.importing.log import ImportLog, file_digest
from checker.importing.store import Origin, Store
from checker.loading import display_name


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


@dataclass(frozen=True)
class Column:
    """A column of a CSV kind: the snapshot member it fills, how it is read, its spellings."""

    name: str
    parse: str  # text, date, datetime, amount, bool, currency, enum
    synonyms: tuple[str, ...]
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()  # enum: (spelling, value)


_CUSTOMER = Column("customer", "text", ("customer", "customerid", "customertenantid",
                                        "tenantid", "tenant", "microsoftid", "domain",
                                        "customerdomain", "pccustomerid",
                                        "partnercentercustomerid"), required=True)
_CURRENCY = Column("currency", "currency", ("currency", "currencycode", "curr", "ccy"))

_DECISIONS = (("granted", "granted"), ("grant", "granted"), ("approved", "granted"),
              ("credit", "granted"), ("declined", "declined"), ("denied", "declined"),
              ("rejected", "declined"), ("prepaymentonly", "prepayment-only"),
              ("prepayment", "prepayment-only"), ("prepay", "prepayment-only"),
              ("prepaid", "prepayment-only"))
_ACTIONS = (("disable", "disable"), ("disabled", "disable"), ("suspend", "suspend"),
            ("suspended", "suspend"), ("cancel", "cancel"), ("cancelled", "cancel"),
            ("canceled", "cancel"), ("block", "block"), ("blocked", "block"),
            ("reactivate", "reactivate"), ("reactivated", "reactivate"),
            ("restore", "reactivate"), ("budgetaction", "budget-action"),
            ("alertacknowledged", "alert-acknowledged"), ("acknowledged", "alert-acknowledged"))
_REASONS = (("nonpayment", "non-payment"), ("unpaid", "non-payment"), ("fraud", "fraud"),
            ("misuse", "misuse"), ("customerrequest", "customer-request"),
            ("other", "other"))
_OUTCOMES = (("cancel", "cancel"), ("restore", "restore"), ("keepsuspended", "keep-suspended"))

KINDS: dict[str, tuple[Column, ...]] = {
    "receivables": (
        _CUSTOMER,
        Column("id", "text", ("invoiceid", "invoice", "invoicenumber", "invoiceno",
                              "documentnumber", "documentno"), required=True),
        Column("invoiceDate", "date", ("invoicedate", "issuedate", "issuedon",
                                       "documentdate")),
        Column("dueDate", "date", ("duedate", "paymentduedate", "due", "dueon"),
               required=True),
        Column("amount", "amount", ("amount", "invoiceamount", "total", "totalamount",
                                    "invoicetotal", "grossamount"), required=True),
        Column("paidAmount", "amount", ("paidamount", "paid", "amountpaid", "paymentamount",
                                        "payments")),
        Column("paidOn", "date", ("paiddate", "paidon", "paymentdate", "settledon",
                                  "settleddate", "clearingdate")),
        _CURRENCY,
    ),
    "credit": (
        _CUSTOMER,
        Column("decision", "enum", ("decision", "creditdecision", "status", "outcome"),
               required=True, values=_DECISIONS),
        Column("limit", "amount", ("limit", "creditlimit", "amount", "approvedlimit")),
        _CURRENCY,
        Column("approvedBy", "text", ("approver", "approvedby", "approvedbyemail",
                                      "decidedby")),
        Column("decidedOn", "date", ("decidedon", "decisiondate", "dateofdecision",
                                     "approvedon", "decided")),
        Column("creditCheckDate", "date", ("creditcheckdate", "creditcheckedon",
                                           "creditcheck", "checkdate", "lastcreditcheck")),
    ),
    "onboarding": (
        _CUSTOMER,
        Column("identityVerified", "bool", ("identityverified", "idverified", "verified",
                                            "kyc", "kycpassed", "kycverified")),
        Column("verifiedOn", "date", ("verifiedon", "verificationdate", "kycdate",
                                      "verifieddate")),
        Column("paymentInstrument", "text", ("paymentinstrument", "paymentmethod",
                                             "payment", "instrument")),
        Column("firstOrderDate", "date", ("firstorderdate", "firstorder", "firstorderon")),
        Column("prepaid", "bool", ("prepaid", "prepayment", "paidinadvance")),
    ),
    "actions": (
        _CUSTOMER,
        Column("subscriptionId", "text", ("subscription", "subscriptionid", "sub")),
        Column("action", "enum", ("action", "actiontaken", "what"), required=True,
               values=_ACTIONS),
        Column("date", "datetime", ("date", "actiondate", "actedon", "when", "datetime"),
               required=True),
        Column("reason", "enum", ("reason", "why", "cause"), values=_REASONS),
        Column("decision", "enum", ("decision", "outcome"), values=_OUTCOMES),
        Column("by", "text", ("by", "actor", "user", "actedby", "who")),
    ),
}

_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
                       r"(Z|[+-]\d{2}:\d{2})?)?$")
_POINT = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_COMMA = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$|^\d+(?:,\d+)?$")
_CURRENCY_CODE = re.compile(r"^[A-Za-z]{3}$")
_TRUE = {"yes", "y", "true", "1", "verified", "x"}
_FALSE = {"no", "n", "false", "0", "unverified", ""}


@dataclass(frozen=True)
class BooksOptions:
    """How the CSVs are read."""

    decimal_comma: bool = False


class _Row:
    def __init__(self, name: str, row: int) -> None:
        self.name = name
        self.row = row

    def error(self, column: str, message: str) -> ExportError:
        return ExportError(message, file=self.name, line=self.row, field=column)


def _date(text: str, row: _Row, header: str, keep_time: bool) -> str:
    match = _ISO_DATE.match(text)
    if match:
        try:
            dt.date.fromisoformat(match.group(1))
        except ValueError:
            match = None
    if not match:
        raise row.error(header, f"expected an ISO date (YYYY-MM-DD), found {text!r}")
    if keep_time and match.group(2):
        clock = match.group(2) if match.group(2).count(":") == 2 else match.group(2) + ":00"
        return f"{match.group(1)}T{clock}{match.group(3) or 'Z'}"
    return match.group(1)


def _amount(text: str, row: _Row, header: str, decimal_comma: bool) -> int | float:
    body = text.replace(" ", "").replace("\u00a0", "")
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    if body and body[0] in "+-":
        negative, body = negative or body[0] == "-", body[1:]
    pattern, thousands, point = (_COMMA, ".", ",") if decimal_comma else (_POINT, ",", ".")
    if not pattern.match(body):
        example = "1.234,50" if decimal_comma else "1,234.50"
        hint = "" if decimal_comma or "," not in body else (
            " (for amounts written 1.234,50 use --decimal-comma)")
        raise row.error(header, f"expected an amount such as {example}, found {text!r}{hint}")
    try:
        value = Decimal(body.replace(thousands, "").replace(point, "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise row.error(header, f"expected an amount, found {text!r}") from exc
    if value >= Decimal(10) ** 15:
        raise row.error(header, f"amount {text!r} is beyond a quadrillion")
    value = -value if negative else value
    return int(value) if value == value.to_integral_value() else float(value)


def _value(column: Column, text: str, row: _Row, header: str,
           options: BooksOptions) -> Any:
    if column.parse == "date":
        return _date(text, row, header, keep_time=False)
    if column.parse == "datetime":
        return _date(text, row, header, keep_time=True)
    if column.parse == "amount":
        return _amount(text, row, header, options.decimal_comma)
    if column.parse == "currency":
        if not _CURRENCY_CODE.match(text):
            raise row.error(header, f"expected an ISO 4217 currency code such as USD, "
                            f"found {text!r}")
        return text.upper()
    if column.parse == "bool":
        lowered = text.lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        raise row.error(header, f"expected yes or no, found {text!r}")
    if column.parse == "enum":
        spelled = _norm(text)
        for spelling, value in column.values:
            if spelled == spelling:
                return value
        allowed = ", ".join(dict.fromkeys(v for _, v in column.values))
        raise row.error(header, f"expected one of {allowed}, found {text!r}")
    return text


def _label(column: Column) -> str:
    """A column's name as a header would spell it: dueDate is "due date"."""
    return "invoice id" if column.name == "id" else re.sub(
        r"([A-Z])", lambda m: " " + m.group(1).lower(), column.name)


def _dialect(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _columns(kind: str, header: list[str], name: str,
             log: ImportLog) -> dict[int, tuple[Column, str]]:
    columns = KINDS[kind]
    by_spelling = {s: c for c in columns for s in c.synonyms}
    found: dict[int, tuple[Column, str]] = {}
    seen: dict[str, str] = {}
    for index, raw_header in enumerate(header):
        title = raw_header.strip()
        column = by_spelling.get(_norm(title))
        if column is None:
            if title:
                log.warn_once(f"column:{name}:{_norm(title)}", f"{name}: column {title!r} "
                              f"is not one of the {kind} columns (reported once); ignored")
            continue
        if column.name in seen:
            raise ExportError(f"columns {seen[column.name]!r} and {title!r} are both "
                              f"{column.name}; keep one", file=name, line=1, field=title)
        seen[column.name] = title
        found[index] = (column, title)
    missing = [_label(c) for c in columns if c.required and c.name not in seen]
    if missing:
        needed = ", ".join(_label(c) for c in columns if c.required)
        raise ExportError(f"no {' or '.join(missing)} column: a {kind} CSV needs {needed} "
                          "(see the README for the accepted headers)", file=name, line=1)
    return found


_Apply = Callable[[Store, str, dict[str, Any], _Row, dict[str, str], Origin], None]


def read_books(kind: str, path: Path, store: Store, log: ImportLog,
               options: BooksOptions) -> None:
    """Read one CSV of ``kind`` (a key of KINDS) into ``store``."""
    name = display_name(path)
    digest, size = file_digest(path, name)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            handle.seek(0)
            if first.startswith("\ufeff"):  # pragma: no cover - utf-8-sig strips it
                first = first[1:]
            reader = csv.reader(handle, delimiter=_dialect(first), strict=True)
            _read_rows(kind, name, reader, store, log, options)
    except UnicodeDecodeError as exc:
        raise ExportError("expected UTF-8 text", file=name,
                          line=_line_of(path, exc.start)) from exc
    except OSError as exc:
        raise ExportError(f"cannot read file: {exc.strerror or exc}", file=name) from exc
    store.add_source(name, {"file": name, "sha256": digest, "bytes": size, "parts": [kind]})


def _line_of(path: Path, offset: int) -> int:
    """The line of the block holding ``offset`` (a decode error's position in its block)."""
    try:
        with path.open("rb") as handle:
            lines = 0
            while block := handle.read(1 << 20):
                try:
                    block.decode("utf-8")
                except UnicodeDecodeError as exc:
                    return lines + block.count(b"\n", 0, exc.start) + 1
                lines += block.count(b"\n")
    except OSError:
        return 0
    return 0


def _read_rows(kind: str, name: str, reader: Any, store: Store, log: ImportLog,
               options: BooksOptions) -> None:
    try:
        header = next(reader, None)
        if header is None:
            raise ExportError(f"empty file: expected a header line of {kind} columns",
                              file=name)
        columns = _columns(kind, header, name, log)
        customer_index = next(i for i, (c, _) in columns.items() if c.name == "customer")
        start = reader.line_num + 1
        for cells in reader:
            row = _Row(name, start)
            start = reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            values: dict[str, Any] = {}
            headers: dict[str, str] = {}
            for index, (column, title) in columns.items():
                cell = cells[index].strip() if index < len(cells) else ""
                headers[column.name] = title
                if not cell:
                    if column.required:
                        raise row.error(title, f"{column.name} is required, found an empty "
                                        "cell")
                    continue
                values[column.name] = _value(column, cell, row, title, options)
            reference = values.pop("customer")
            customer = store.resolve(reference)
            if customer is None:
                store.add_unmatched(reference, {
                    "part": kind, "customer": reference, "file": name, "row": row.row,
                    "column": columns[customer_index][1]})
                log.counts[f"{kind} rows for customers not in the customer list"] += 1
                continue
            _APPLY[kind](store, customer, values, row, headers, Origin(name, f"csv:{row.row}"))
    except csv.Error as exc:
        raise ExportError(f"invalid CSV: {exc}", file=name, line=reader.line_num) from exc


def _receivable(store: Store, customer: str, values: dict[str, Any], row: _Row,
                headers: dict[str, str], origin: Origin) -> None:
    currency = values.pop("currency", None)
    if currency is not None:
        kept = store.get_item(customer, "receivables.currency", "")
        if kept is None:
            store.add_item(customer, "receivables.currency", "", currency, origin)
        elif kept[0] != currency:
            raise row.error(headers["currency"], f"customer has invoices in {kept[0]} "
                            f"({kept[1].file} {kept[1].pointer.replace('csv:', 'row ')}) "
                            f"and {currency}: a snapshot holds one currency per customer")
    if not store.add_item(customer, "receivables.invoices", values["id"], values, origin):
        raise row.error(headers["id"], f"invoice {values['id']!r} of this customer is "
                        "listed twice")


def _credit(store: Store, customer: str, values: dict[str, Any], row: _Row,
            headers: dict[str, str], origin: Origin) -> None:
    # A credit history keeps one row per decision: the latest decision is the one in force
    # (a later row wins a tie).
    kept = store.get_item(customer, "creditDecision", "")
    if kept is None or str(values.get("decidedOn", "")) >= str(kept[0].get("decidedOn", "")):
        store.replace_item(customer, "creditDecision", "", values, origin)


def _onboarding(store: Store, customer: str, values: dict[str, Any], row: _Row,
                headers: dict[str, str], origin: Origin) -> None:
    if not store.add_item(customer, "onboarding", "", values, origin):
        raise row.error(headers["customer"], "this customer's onboarding is already on "
                        "another row: one row per customer")


def _action(store: Store, customer: str, values: dict[str, Any], row: _Row,
            headers: dict[str, str], origin: Origin) -> None:
    store.add_item(customer, "partnerActions", f"csv:{origin.file}:{row.row}", values, origin)


_APPLY: dict[str, _Apply] = {"receivables": _receivable, "credit": _credit,
                             "onboarding": _onboarding, "actions": _action}
