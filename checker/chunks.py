"""Check a snapshot's customers chunk by chunk: parse, validate, evaluate, locate.

This is the one path every AccountSnapshot's customers take. A snapshot read whole (YAML,
or JSON that cannot be split) is the one-chunk case: its customers are held in memory and
located with the document's own locator. A streamed JSON snapshot's chunks (byte ranges of
whole customers, see ``checker.stream``) are read, parsed, validated and evaluated on their
own, so memory holds a few chunks whatever the snapshot's size, spread over worker processes
(``checker.parallel``). Outcomes come back in chunk order and are merged in that order, so
the report is the same whatever the number of processes, and the same as if the file were
read whole.

Parsing uses orjson, which keeps the last of duplicate keys where checker must reject them.
A duplicate is found by counting colons: outside strings a colon follows each key, so a
chunk whose re-serialisation has fewer colons than its text lost a key. (Colons inside
strings are the same on both sides unless written as ``\\u003a``; a chunk containing that
escape is treated as unreadable here.) A chunk that orjson cannot take, or that has a
duplicate, makes the whole file go back to the exact loader, which reports it as before.
"""

from __future__ import annotations

import gc
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from checker.errors import CheckerError, EngineError, PolicyError
from checker.findings import add_counts, customer_index, identity, parse_raw, read_answer
from checker.loading import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    Document,
    nests_within,
    number_problem,
    too_deep,
)
from checker.locate import Position
from checker.normalize import normalize_snapshot
from checker.parallel import default_jobs, ordered_map, worker_engine
from checker.stream import (
    Chunk,
    ChunkLocator,
    HeaderLocator,
    StreamedDocument,
    StreamSettings,
    braces_outside_strings,
    customers_pointer,
    exact_chunks,
)
from checker.validation import MAX_ERRORS_PER_DOCUMENT, SchemaError, validate_customers

ACCOUNTS_ENTRY_POINT = "checker.main.accounts"

# A key whose first character may be upper case (or is escaped, or not ASCII): the chunk
# may hold Partner Center PascalCase keys and needs normalizing. Over-matching only costs a
# normalization; a key with an escaped quote is caught by the second test.
_MAYBE_PASCAL = re.compile(rb'"[A-Z\\\x80-\xff][^"]*+"[ \t\r\n]*:')
_ESCAPED_COLON = re.compile(rb"\\u003[aA]")
# Every digit as 0, so that a run of 20 digits is a plain substring search (a regex
# tried at every digit is twice as slow as parsing the chunk).
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")


@dataclass(frozen=True)
class StreamJob:
    """What every chunk of one snapshot is checked with.

    ``input_prefix`` is the policy input up to the customers array, as JSON (None to
    validate only).
    """

    path: str
    input_prefix: bytes | None = None
    batch_size: int = 1000


@dataclass
class ChunkOutcome:
    """What checking one chunk found; ``failure`` set means the chunk could not be read."""

    count: int = 0
    errors: list[tuple[SchemaError, str, Position]] = field(default_factory=list)
    findings: list[LocatedFinding] = field(default_factory=list)
    others: list[dict[str, Any]] = field(default_factory=list)
    not_applicable: list[dict[str, str]] = field(default_factory=list)
    subscriptions: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    plain: bool = False
    failure: str | None = None
    # The chunk does not parse: the file is broken, or the chunk was split in the wrong place.
    misplaced: bool = False
    error: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class LocatedFinding:
    """A policy finding about one customer, located in the file by the worker."""

    rule_id: str
    message: str
    index: int
    position: Position
    identity: str
    customer: str
    subscription: str


@dataclass
class StreamCheck:
    """The merged outcome of all chunks of a snapshot.

    ``chunks`` are those actually read: a range whose split proved wrong is split again.
    """

    chunks: list[Chunk] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    plain: list[bool] = field(default_factory=list)
    errors: list[SchemaError] = field(default_factory=list)
    findings: list[LocatedFinding] = field(default_factory=list)
    others: list[dict[str, Any]] = field(default_factory=list)
    not_applicable: list[dict[str, str]] = field(default_factory=list)
    subscriptions: dict[str, int] = field(default_factory=dict)
    failure: str | None = None


def check_chunks(doc: Document, job: StreamJob, settings: StreamSettings,
                 engine: Any = None, stage: str = "validate") -> StreamCheck:
    """Run ``job`` over every chunk of ``doc``'s customers: in this process or in
    ``settings.jobs`` worker processes.

    ``doc`` is an AccountSnapshot whose ``customers`` is a list: a streamed one's are in
    its chunks, a whole one's are one chunk held in memory. ``engine`` evaluates in this
    process; workers build their own from ``settings.engine``. Schema errors are kept up to
    the per-document limit (plus one, to tell that there were more), in document order.
    When validating, chunks that do not parse may have been split in the wrong place (a
    bracket inside a string fools the split): their range is split again exactly and
    checked here; ``failure`` is set only when that does not parse either.
    """
    if not isinstance(doc, StreamedDocument) or not doc.source.chunks:
        merged = StreamCheck()
        outcome = check_held(job, doc, engine)
        for stage_name, seconds in outcome.timings.items():
            settings.add_time(stage_name, seconds)
        _raise_error(outcome)
        _merge(merged, None, outcome, None)
        return merged
    source = doc.source
    locator = doc.locator
    assert isinstance(locator, HeaderLocator)
    chunks = source.chunks
    bases = _bases(source.counts, len(chunks))
    # A chunk's count, when its text can be evaluated as it is (see check_chunk).
    counts: list[int | None] = [None] * len(chunks)
    if source.counts is not None and source.plain is not None:
        counts = [n if plain else None for n, plain in zip(source.counts, source.plain,
                                                            strict=True)]
    tasks = [(job, chunk, base, count)
             for chunk, base, count in zip(chunks, bases, counts, strict=True)]
    merged = StreamCheck()
    suspects: list[Chunk] = []

    def merge(chunk: Chunk, outcome: ChunkOutcome) -> None:
        for stage_name, seconds in outcome.timings.items():
            settings.add_time(stage_name, seconds)
        _merge(merged, chunk, outcome, locator)
        if settings.progress is not None:
            settings.progress(stage, chunk.end - chunks[0].start, source.customers_bytes)

    def resplit() -> bool:
        whole = Chunk(suspects[0].start, suspects[-1].end, suspects[0].line,
                      suspects[0].column)
        suspects.clear()
        try:
            parts = exact_chunks(source.path, whole, settings.chunk_bytes)
        except ValueError:
            return False
        for part in parts:
            outcome = check_chunk(job, part, sum(merged.counts), engine)
            _raise_error(outcome)
            if outcome.failure is not None:
                return False
            merge(part, outcome)
        return True

    for chunk, outcome in zip(chunks, _outcomes(tasks, settings, engine), strict=True):
        _raise_error(outcome)
        if outcome.misplaced and job.input_prefix is None:
            suspects.append(chunk)
            continue
        if suspects and not resplit():
            merged.failure = "cannot parse"
            break
        if outcome.failure is not None:
            merged.failure = outcome.failure
            break
        merge(chunk, outcome)
    if suspects and not resplit():
        merged.failure = "cannot parse"
    return merged


def _merge(merged: StreamCheck, chunk: Chunk | None, outcome: ChunkOutcome,
           locator: HeaderLocator | None) -> None:
    """Add one chunk's outcome to what the chunks before it found.

    A streamed snapshot's ``locator`` records where the chunk's schema errors are (a held
    snapshot's own locator finds them).
    """
    base = sum(merged.counts)
    for error, pointer_rest, position in outcome.errors:
        if len(merged.errors) > MAX_ERRORS_PER_DOCUMENT:
            break
        index, *rest = error.path
        path = ("customers", base + int(index), *rest)
        if locator is not None:
            locator.record(path, Position(customers_pointer(base + int(index), pointer_rest),
                                          position.line, position.column))
        merged.errors.append(SchemaError(path, error.message))
    if chunk is not None:  # a held snapshot's customers are in no chunk of a file
        merged.chunks.append(chunk)
    merged.counts.append(outcome.count)
    merged.plain.append(outcome.plain)
    merged.findings.extend(outcome.findings)
    merged.others.extend(outcome.others)
    merged.not_applicable.extend(outcome.not_applicable)
    add_counts(merged.subscriptions, outcome.subscriptions)


def _raise_error(outcome: ChunkOutcome) -> None:
    if outcome.error is not None:
        kind, message = outcome.error
        raise (PolicyError if kind == "PolicyError" else EngineError)(message)


def _bases(counts: Sequence[int] | None, chunks: int) -> list[int]:
    """Index of each chunk's first customer, when the counts are known (else zeros)."""
    if counts is None:
        return [0] * chunks
    bases, total = [], 0
    for count in counts:
        bases.append(total)
        total += count
    return bases


def _outcomes(tasks: list[tuple[StreamJob, Chunk, int, int | None]], settings: StreamSettings,
              engine: Any) -> Iterator[ChunkOutcome]:
    """Check the tasks in order, in worker processes when there are several of both."""
    jobs = settings.jobs or default_jobs()
    evaluates = bool(tasks) and tasks[0][0].input_prefix is not None
    spec = settings.engine if evaluates else None
    if jobs <= 1 or len(tasks) <= 1 or (evaluates and spec is None):
        # One process; also for an engine that workers cannot copy (a remote one).
        for job, chunk, base, count in tasks:
            yield check_chunk(job, chunk, base, engine, count)
        return
    yield from ordered_map(_check_task, tasks, jobs, spec)


def _check_task(task: tuple[StreamJob, Chunk, int, int | None]) -> ChunkOutcome:
    job, chunk, base, count = task
    try:
        engine = worker_engine() if job.input_prefix is not None else None
        return check_chunk(job, chunk, base, engine=engine, count=count)
    except CheckerError as exc:
        # Sent back as text: the main process raises it again (exceptions with keyword
        # arguments do not survive pickling).
        return ChunkOutcome(error=(type(exc).__name__, str(exc)))


def check_chunk(job: StreamJob, chunk: Chunk, base: int, engine: Any = None,
                count: int | None = None) -> ChunkOutcome:
    """Read, parse, validate and (with an input prefix) evaluate one chunk.

    ``count``, the number of customers in a chunk that the validation pass counted and
    found needs no normalizing, lets evaluation hand the chunk's text to the engine as it
    is.
    """
    started = time.perf_counter()
    with open(job.path, "rb") as handle:
        raw = os.pread(handle.fileno(), chunk.end - chunk.start, chunk.start)
    read = time.perf_counter() - started
    if job.input_prefix is not None and count is not None and 0 < count <= job.batch_size:
        outcome = _evaluate_text(job, raw, chunk, base, count, engine)
        if outcome is not None:
            outcome.timings["load"] = read
            outcome.timings["evaluate"] = time.perf_counter() - started - read
            return outcome
    outcome = ChunkOutcome()
    _check(job, raw, chunk, base, engine, outcome)
    outcome.timings["load"] = outcome.timings.get("load", 0.0) + read
    return outcome


def check_held(job: StreamJob, doc: Document, engine: Any = None) -> ChunkOutcome:
    """Validate or (with an input prefix) evaluate the customers of a snapshot read whole.

    They are one chunk, parsed and normalized already, located with the document's own
    locator; a snapshot without customers is still evaluated once, for its header.
    """
    started = time.perf_counter()
    customers = doc.data["customers"]
    outcome = ChunkOutcome(count=len(customers))

    def locate(path: Sequence[str | int]) -> Position:
        # As in a chunk, the pointer starts at the customer's index.
        position = doc.locator.locate(["customers", *path])
        return Position(position.pointer.removeprefix("/customers"), position.line,
                        position.column)

    if job.input_prefix is None:
        _validate(customers, locate, outcome)
        outcome.timings["validate"] = time.perf_counter() - started
        return outcome
    _evaluate(job, customers, 0, engine, locate, outcome)
    outcome.timings["evaluate"] = time.perf_counter() - started
    return outcome


def _validate(customers: list[Any], locate: Callable[[Sequence[str | int]], Position],
              outcome: ChunkOutcome) -> None:
    for error in validate_customers(customers, MAX_ERRORS_PER_DOCUMENT + 1):
        position = locate(error.path)
        rest = position.pointer.split("/", 2)[2:]
        outcome.errors.append((error, f"/{rest[0]}" if rest else "", position))


def _needs_normalizing(raw: bytes) -> bool:
    """Whether the chunk may hold PascalCase keys (or keys the test cannot see)."""
    return bool(_MAYBE_PASCAL.search(raw)) or b'\\"' in raw


def _check(job: StreamJob, raw: bytes, chunk: Chunk, base: int, engine: Any,
           outcome: ChunkOutcome) -> None:
    started = time.perf_counter()
    # Duplicate keys were looked for when validating; evaluation reads the same bytes.
    customers = _parse(raw, outcome, duplicates=job.input_prefix is None)
    if customers is None:
        return
    outcome.count = len(customers)
    outcome.plain = not _needs_normalizing(raw)
    if not outcome.plain:
        normalize_snapshot({"customers": customers})
    parsed = time.perf_counter()
    outcome.timings["load"] = parsed - started
    locator: ChunkLocator | None = None

    def locate(path: Sequence[str | int]) -> Position:
        nonlocal locator
        if locator is None:
            locator = ChunkLocator(raw.decode("utf-8"), chunk, raw, customers)
        return locator.locate(path)

    if job.input_prefix is None:
        _validate(customers, locate, outcome)
        outcome.timings["validate"] = time.perf_counter() - parsed
        return
    _evaluate(job, customers, base, engine, locate, outcome)
    outcome.timings["evaluate"] = time.perf_counter() - parsed


def _parse(raw: bytes, outcome: ChunkOutcome, duplicates: bool = True) -> list[Any] | None:
    """The chunk's customers, or None (with ``outcome.failure``) if it cannot be read here."""
    # The collector would rescan the growing heap while the chunk's objects are built.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        customers = orjson.loads(b"[" + raw + b"]")
        if duplicates and (raw.count(b":") != orjson.dumps(customers).count(b":")
                           or _ESCAPED_COLON.search(raw)):
            outcome.failure = "duplicate key or escaped colon"
            return None
    except orjson.JSONDecodeError as exc:
        outcome.failure = f"cannot parse: {exc}"
        outcome.misplaced = True
        return None
    except TypeError as exc:  # orjson.dumps of a value it cannot write
        outcome.failure = f"cannot re-serialise: {exc}"
        return None
    finally:
        if was_enabled:
            gc.enable()
    # A customer's values sit two levels below the document's root ("customers", index).
    if duplicates and not nests_within(raw, MAX_DEPTH - 2) and too_deep(
            customers, ["customers"]) is not None:
        outcome.failure = "nested too deep"  # the whole-file reader reports where
        return None
    # orjson reads an integer beyond 64 bits as a float, where the whole-file reader
    # rejects it: a chunk with 20 digits in a row is read again, exactly.
    if duplicates and b"0" * 20 in raw.translate(_DIGITS_AS_ZERO) and _has_huge_integer(raw):
        outcome.failure = "integer beyond 64 bits"  # the whole-file reader reports where
        return None
    return customers  # type: ignore[no-any-return]


def _has_huge_integer(raw: bytes) -> bool:
    huge: list[str] = []

    def integer(literal: str) -> int:
        if len(literal) > MAX_INT_DIGITS:
            huge.append(literal)
            return 0
        value = int(literal)
        if number_problem(literal, value) is not None:
            huge.append(literal)
        return value

    json.loads(b"[" + raw + b"]", parse_int=integer)
    return bool(huge)


def _evaluate(job: StreamJob, customers: list[Any], base: int, engine: Any,
              locate: Callable[[Sequence[str | int]], Position],
              outcome: ChunkOutcome) -> None:
    """Evaluate the chunk in batches; locate the findings about its customers."""
    assert job.input_prefix is not None
    size = max(1, job.batch_size)
    others: dict[bytes, dict[str, Any]] = {}
    # No customers (a held snapshot's header alone) is still one evaluation.
    for start in range(0, max(len(customers), 1), size):
        batch = customers[start:start + size]
        answer = engine.evaluate(ACCOUNTS_ENTRY_POINT,
                                 (job.input_prefix + orjson.dumps(batch) + b"}}").decode())
        _collect(answer, start, len(batch), base, customers, locate, outcome, others)
    outcome.others = list(others.values())


class _UnsureSplit(Exception):
    """A customer's text, guessed from brace counts, does not parse as one."""


def _evaluate_text(job: StreamJob, raw: bytes, chunk: Chunk, base: int, count: int,
                   engine: Any) -> ChunkOutcome | None:
    """Evaluate the chunk's text as one batch, without parsing it here.

    Only the customers with findings are parsed, from the text between the places where
    customers start (guessed from brace counts; see ``ChunkLocator``). Returns ``None``
    when such a text does not parse as a customer: the caller then parses the chunk.
    """
    assert job.input_prefix is not None
    outcome = ChunkOutcome(count=count)
    text = raw.decode("utf-8")
    answer = engine.evaluate(ACCOUNTS_ENTRY_POINT,
                             f"{job.input_prefix.decode()}[{text}]}}}}")
    # Filled in by the locator as findings need them.
    customers: list[Any] = [None] * count
    locator: ChunkLocator | None = None

    def locate(path: Sequence[str | int]) -> Position:
        nonlocal locator
        if locator is None:
            # The customers are parsed from the text where brace counts say they start,
            # with nothing to check them against: a brace in a string could shift every
            # guess after it onto the next customer's text, so such a chunk is parsed.
            if not braces_outside_strings(raw):
                raise _UnsureSplit
            locator = ChunkLocator(text, chunk, raw, customers)
            if not locator.guessed:
                raise _UnsureSplit
        index = path[0]
        assert isinstance(index, int)
        if customers[index] is None:
            try:
                customer = locator.guessed_customer(index)
            except ValueError:
                raise _UnsureSplit from None
            if not isinstance(customer, dict):
                raise _UnsureSplit
        return locator.locate(path)

    others: dict[bytes, dict[str, Any]] = {}
    try:
        _collect(answer, 0, count, base, customers, locate, outcome, others)
    except _UnsureSplit:
        return None
    outcome.others = list(others.values())
    return outcome


def _collect(answer: Any, start: int, size: int, base: int, customers: list[Any],
             locate: Callable[[Sequence[str | int]], Position], outcome: ChunkOutcome,
             others: dict[bytes, dict[str, Any]]) -> None:
    """Turn the answer for ``size`` customers from ``start`` into located findings."""
    read = read_answer(ACCOUNTS_ENTRY_POINT, answer)
    outcome.not_applicable.append(read.not_applicable)
    add_counts(outcome.subscriptions, read.subscriptions)
    for raw in read.deny:
        found = parse_raw(raw)
        path = found.path
        at = customer_index(path)
        if found.document == "" and at is not None and 0 <= at < size:
            index = start + at
            position = locate([index, *path[2:]])
            rest = position.pointer.split("/", 2)[2:]
            stable, customer, subscription = identity(
                {"customers": customers}, ["customers", index, *path[2:]])
            outcome.findings.append(LocatedFinding(
                found.rule_id, found.message, base + index,
                Position(customers_pointer(base + index, f"/{rest[0]}" if rest else ""),
                         position.line, position.column),
                stable, customer, subscription))
        else:
            # About the header or the configuration: every batch repeats it, and the
            # main process locates it.
            if at is not None:
                path = ["customers", base + start + at, *path[2:]]
            other = {**raw, "path": path}
            others.setdefault(orjson.dumps(other, option=orjson.OPT_SORT_KEYS), other)
