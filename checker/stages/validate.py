"""Validate: every document against its kind's JSON Schema; only valid ones are evaluated.

An AccountSnapshot's header (every member but its customers) is validated whole, its
customers chunk by chunk (``checker.chunks``), whether the file was streamed or read whole,
so both give the same errors at the same positions.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from checker.chunks import StreamJob, check_chunks
from checker.errors import InputError
from checker.findings import CONFIGURATION_KIND, input_finding
from checker.loading import Document, load_file
from checker.model import DocumentInfo, Finding
from checker.normalize import normalize_snapshot
from checker.stream import SNAPSHOT_KIND, StreamedDocument, StreamSettings
from checker.validation import SchemaError, known_kinds, limit_errors, validate


@dataclass(frozen=True)
class Validated:
    """What validation found.

    ``valid`` are the documents to evaluate; ``read`` every document read and schema-checked,
    valid or not (a broken snapshot's asOf may still date an audit); ``infos`` what the
    report says of each document of a known kind.
    """

    valid: tuple[Document, ...]
    read: tuple[Document, ...]
    infos: tuple[DocumentInfo, ...]
    findings: tuple[Finding, ...]


def validate_documents(documents: Sequence[Document], settings: StreamSettings) -> Validated:
    """Schema-check documents; CHK-SCHEMA findings for what breaks a schema."""
    valid: list[Document] = []
    read: list[Document] = []
    infos: list[DocumentInfo] = []
    findings: list[Finding] = []
    for doc in documents:
        if isinstance(doc, StreamedDocument) and doc.source.chunks:
            whole = _read_customers(doc, settings, findings)
            if whole is None:
                continue
            doc = whole
        read.append(doc)
        kind = doc.kind
        if kind not in known_kinds():
            position = doc.locator.locate(["kind"])
            expected = " or ".join(known_kinds())
            found = f"kind {kind!r}" if kind else "no kind"
            findings.append(input_finding(
                "CHK-SCHEMA", f"expected a document of kind {expected}, found {found}",
                doc.file, position.pointer, position.line, position.column))
            continue
        errors = _errors(doc, kind, settings)
        for error in errors:
            position = doc.locator.locate(error.path)
            findings.append(input_finding("CHK-SCHEMA", error.message, doc.file,
                                          position.pointer, position.line, position.column))
        infos.append(info(doc))
        if not errors:
            valid.append(doc)
    return Validated(tuple(valid), tuple(read), tuple(infos), tuple(findings))


def _errors(doc: Document, kind: str, settings: StreamSettings) -> list[SchemaError]:
    started = time.perf_counter()
    if kind == SNAPSHOT_KIND:
        normalize_snapshot(doc.data)
    if kind != SNAPSHOT_KIND or not isinstance(doc.data.get("customers"), list):
        errors = list(validate(kind, doc.data))
        settings.add_time("validate", time.perf_counter() - started)
        return errors
    header = list(validate(kind, {**doc.data, "customers": []}))
    settings.add_time("validate", time.perf_counter() - started)
    customers: Sequence[SchemaError] = (
        doc.source.schema_errors if isinstance(doc, StreamedDocument)  # found when read
        else check_chunks(doc, StreamJob(doc.file), settings).errors)
    return limit_errors([*header, *customers])


def _read_customers(doc: StreamedDocument, settings: StreamSettings,
                    findings: list[Finding]) -> Document | None:
    """Parse and validate a streamed snapshot's customers, chunk by chunk.

    A file the chunked reader cannot take (a syntax error, a duplicate key...) is read
    whole instead, which reports it exactly as for any file; ``None`` when it is unreadable.
    """
    checked = check_chunks(doc, StreamJob(str(doc.source.path)), settings)
    if checked.failure is None:
        return replace(doc, source=doc.source.read(checked.chunks, checked.counts,
                                                   checked.plain, checked.errors))
    try:
        (whole,) = load_file(doc.source.path, doc.file)
    except InputError as exc:
        findings.append(input_finding("CHK-LOAD", str(exc.args[0]), exc.file, "", exc.line,
                                      exc.column))
        return None
    return whole


def info(doc: Document) -> DocumentInfo:
    """What the report says of a document: its kind, partner, cloud or asOf."""
    data = doc.data
    if doc.kind == CONFIGURATION_KIND:
        partner = data.get("partner") if isinstance(data.get("partner"), dict) else {}
        return DocumentInfo(doc.file, CONFIGURATION_KIND, str(partner.get("id", "")),
                            str(data.get("cloud", "")), partner_name=str(partner.get("name", "")))
    return DocumentInfo(doc.file, str(doc.kind), str(data.get("partnerId", "")),
                        as_of=str(data.get("asOf", "")))
