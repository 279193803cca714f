"""``checker import``: saved Partner Center responses and the partner's books to a snapshot.

One module per kind of source: ``partner_center`` (the API responses, recognised by content),
``books`` (the CSVs of receivables, credit decisions, onboarding and partner actions) and
``snapshot`` (the writer). What has been read waits in ``store`` (on disk) until the snapshot
is written customer by customer, so memory does not grow with the number of customers.

The library never prints: warnings come back in the ``ImportResult``; anything that stops
the import is an ``ExportError`` located in the file that holds the bad value, and then
nothing is written.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import CheckerError, UsageError
from checker.importing.books import KINDS, BooksOptions, read_books
from checker.importing.log import ImportLog
from checker.importing.partner_center import read_responses
from checker.importing.snapshot import unmatched_records, write_snapshot
from checker.importing.store import Store
from checker.validation import is_date_time

__all__ = ["KINDS", "ImportOptions", "ImportResult", "ImportedInputs", "import_partner_center",
           "imported_inputs"]


@dataclass(frozen=True)
class ImportOptions:
    """What to import: the export folder, the partner's CSVs and how to read them.

    ``books`` maps a CSV kind (receivables, credit, onboarding, actions) to its file.
    ``as_of`` is the snapshot's "now" (default: the time of the import, to the second).
    """

    export_dir: Path
    partner_id: str
    books: tuple[tuple[str, Path], ...] = ()
    as_of: str | None = None
    decimal_comma: bool = False


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote and noticed."""

    output: Path
    customers: int
    unmatched: int
    warnings: tuple[str, ...]
    counts: tuple[tuple[str, int], ...]


def _as_of(value: str | None) -> str:
    if value is None:
        return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = value.strip()
    if len(text) == 10:
        text += "T00:00:00Z"
    if not is_date_time(text):
        raise UsageError(f"--as-of: {value!r} is not a date (YYYY-MM-DD) or RFC 3339 "
                         "date-time")
    return text


def import_partner_center(options: ImportOptions, output: Path) -> ImportResult:
    """Read the export folder and the CSVs, and write the AccountSnapshot to ``output``."""
    if not options.partner_id.strip():
        raise UsageError("--partner-id: give the partner.id of the PartnerConfiguration the "
                         "snapshot is checked against")
    if not options.export_dir.is_dir():
        raise UsageError(f"{options.export_dir}: not a folder of Partner Center responses")
    for kind, path in options.books:
        if kind not in KINDS:
            raise UsageError(f"unknown CSV kind {kind!r}")
        if not path.is_file():
            raise UsageError(f"--{kind}: {path}: no such file")
    as_of = _as_of(options.as_of)
    log = ImportLog()
    store = Store()
    try:
        read_responses(options.export_dir, store, log)
        if store.customer_count() == 0:
            raise UsageError(f"{options.export_dir}: no customers found: save GET "
                             "/v1/customers (every page) into the export folder")
        books = BooksOptions(decimal_comma=options.decimal_comma)
        for kind, path in options.books:
            read_books(kind, path, store, log, books)
        unmatched = unmatched_records(store)
        header: dict[str, Any] = {"apiVersion": "checker/v1", "kind": "AccountSnapshot",
                                  "asOf": as_of, "partnerId": options.partner_id}
        invoices = list(store.partner_items("partnerInvoices"))
        if invoices:
            header["partnerInvoices"] = invoices
        if unmatched:
            header["unmatchedRecords"] = unmatched
        customers = store.customer_count()
        write_snapshot(output, header, store)
    finally:
        store.close()
    for record in unmatched:
        where = (f"{record['file']}:{record['row']}" if "row" in record
                 else f"{record['file']}:{record['line']}:{record['column']}")
        many = f" ({record['count']} of them)" if record.get("count", 1) > 1 else ""
        log.warnings.append(f"{where}: {record['part']} of customer {record['customer']!r}, "
                            f"who is not in the customer list{many}; left out of the "
                            "snapshot (reported as CHK-UNMATCHED)")
    return ImportResult(output, customers, len(unmatched), tuple(log.warnings),
                        tuple(sorted(log.counts.items())))


@dataclass(frozen=True)
class ImportedInputs:
    """The inputs of ``checker check`` with each export folder replaced by its snapshot."""

    paths: tuple[Path, ...]
    display_names: tuple[tuple[Path, str], ...]
    results: tuple[ImportResult, ...]


def _partner_of(paths: Sequence[Path], config: Path | None) -> str:
    """The partner.id of the one PartnerConfiguration given (with --config or as a file)."""
    from checker.loading import load_file

    ids: set[str] = set()
    for path in [*([config] if config else []), *(p for p in paths if p.is_file())]:
        try:
            documents = load_file(path)
        except CheckerError:
            continue
        for doc in documents:
            partner = doc.data.get("partner") if isinstance(doc.data, dict) else None
            if doc.kind == "PartnerConfiguration" and isinstance(partner, dict) and (
                    isinstance(partner.get("id"), str)):
                ids.add(partner["id"])
        if config is not None and ids:
            break
    if len(ids) != 1:
        raise UsageError("--partner-id: give the partner.id the imported snapshot is checked "
                         "against (no single PartnerConfiguration among the inputs names it)")
    return ids.pop()


@contextmanager
def imported_inputs(paths: Sequence[Path], books: Sequence[tuple[str, Path]],
                    partner_id: str | None, as_of: str | None, decimal_comma: bool,
                    config: Path | None = None) -> Iterator[ImportedInputs]:
    """Import every folder among ``paths`` as a Partner Center export, for one check.

    Each snapshot is written to a temporary folder that lives as long as the ``with``
    block, and is named in reports after its folder (``exports/#snapshot``).
    """
    from checker.loading import display_name

    exports = [p for p in paths if p.is_dir()]
    if not exports:
        raise UsageError("the import options (--receivables, --credit, --onboarding, "
                         "--actions, --partner-id, --decimal-comma) need an export folder "
                         "among the paths")
    if len(exports) > 1 and books:
        raise UsageError("CSVs of the partner's books go with one export folder; import "
                         "the folders one by one with `checker import partner-center`")
    partner = partner_id or _partner_of(paths, config)
    with tempfile.TemporaryDirectory(prefix="checker-import-") as directory:
        replaced: list[Path] = []
        names: list[tuple[Path, str]] = []
        results: list[ImportResult] = []
        for index, path in enumerate(paths):
            if not path.is_dir():
                replaced.append(path)
                continue
            output = Path(directory) / f"snapshot-{index}.json"
            results.append(import_partner_center(ImportOptions(
                path, partner, tuple(books), as_of, decimal_comma), output))
            replaced.append(output)
            names.append((output, f"{display_name(path).rstrip('/')}/#snapshot"))
        yield ImportedInputs(tuple(replaced), tuple(names), tuple(results))
