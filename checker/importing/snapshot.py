"""Write the AccountSnapshot of an import, customer by customer, atomically.

The header (every member but ``customers``: asOf, partnerId, the partner's invoices, the
files read and the records of unknown customers) comes first, then one customer per line,
as the streamed checker reads it; a customer is built from the store, checked against the
snapshot schema and written before the next one is read, so memory does not grow with the
number of customers. A value the schema rejects is reported where it was read (the response
file's line and column, or the CSV row). The file appears under its name only when
complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from checker.errors import ExportError
from checker.importing.partner_center import locate as locate_in_response
from checker.importing.store import Origin, Store
from checker.output import atomic_file
from checker.validation import validate_customers

LIST_PARTS = ("fraudEvents", "partnerActions", "serviceRequests", "subscriptions")


def _customer(key: str, resource: dict[str, Any], origin: Origin,
              store: Store) -> tuple[dict[str, Any], dict[tuple[str | int, ...], Origin]]:
    """A customer with its parts, and where each part was read (by its path in the customer)."""
    customer = dict(resource)
    origins: dict[tuple[str | int, ...], Origin] = {(): origin}
    for part, value, where in store.parts(key):
        if part in LIST_PARTS:
            items = customer.setdefault(part, [])
            origins[(part, len(items))] = where
            items.append(value)
        elif part == "receivables.invoices":
            invoices = customer.setdefault("receivables", {}).setdefault("invoices", [])
            origins[("receivables", "invoices", len(invoices))] = where
            invoices.append(value)
        elif part == "receivables.currency":
            customer.setdefault("receivables", {})["currency"] = value
            origins[("receivables", "currency")] = where
        else:
            customer[part] = value
            origins[(part,)] = where
    return customer, origins


def _located(message: str, path: tuple[str | int, ...],
             origins: dict[tuple[str | int, ...], Origin]) -> ExportError:
    """An error at the source of the customer's member at ``path``."""
    for length in range(len(path), -1, -1):
        origin = origins.get(path[:length])
        if origin is None:
            continue
        rest = path[length:]
        if origin.pointer.startswith("csv:"):
            field = str(rest[0]) if rest else ""
            return ExportError(message, file=origin.file, line=int(origin.pointer[4:]),
                               field=field)
        line, column = locate_in_response(origin.file, origin.pointer, rest)
        return ExportError(message, file=origin.file, line=line, column=column)
    raise AssertionError("every customer has an origin")  # pragma: no cover


def unmatched_records(store: Store) -> list[dict[str, Any]]:
    """Records naming customers the customer list does not have: CSV rows, then responses."""
    records = list(store.unmatched())
    for customer, part, count, origin in store.orphans():
        line, column = locate_in_response(origin.file, origin.pointer, ())
        record: dict[str, Any] = {"part": part, "customer": customer, "file": origin.file,
                                  "line": line, "column": column}
        if count > 1:
            record["count"] = count
        records.append(record)
    return records


def _lines(header: dict[str, Any], store: Store) -> Iterator[bytes]:
    head = orjson.dumps(header, option=orjson.OPT_INDENT_2)
    yield head[:-2] + b',\n  "sources": ['
    # One per file read (as many as customers, or more): streamed, like the customers.
    first = True
    for source in store.sources():
        yield (b"\n    " if first else b",\n    ") + orjson.dumps(source)
        first = False
    yield b"\n  ],\n  \"customers\": [\n"
    first = True
    for key, resource, origin in store.customers():
        customer, origins = _customer(key, resource, origin, store)
        errors = validate_customers([customer], 1)
        if errors:
            error = errors[0]
            raise _located(error.message, tuple(error.path[1:]), origins)
        yield (b"" if first else b",\n") + b"    " + orjson.dumps(customer)
        first = False
    yield b"\n  ]\n}\n"


def write_snapshot(path: Path, header: dict[str, Any], store: Store) -> None:
    """Write the snapshot to ``path`` atomically: complete, or not at all."""
    with atomic_file(path, "snapshot") as handle:
        _write(handle, header, store)


def _write(handle: IO[bytes], header: dict[str, Any], store: Store) -> None:
    buffer: list[bytes] = []
    size = 0
    for piece in _lines(header, store):
        buffer.append(piece)
        size += len(piece)
        if size > 1 << 20:
            handle.write(b"".join(buffer))
            buffer, size = [], 0
    handle.write(b"".join(buffer))
