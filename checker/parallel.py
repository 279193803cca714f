"""Validate and evaluate a streamed snapshot chunk by chunk, in worker processes.

Each chunk (a byte range of whole customers, see ``checker.stream``) is read, parsed,
validated and evaluated on its own, so memory holds a few chunks whatever the snapshot's
size, and chunks are spread over ``jobs`` processes. Every worker builds its own engine from
the policy modules. Results come back in chunk order and are merged in that order, so the
report is the same whatever the number of processes.

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
import multiprocessing
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import orjson

from checker.errors import CheckerError, EngineError, PolicyError
from checker.findings import add_counts, customer_index, identity, parse_raw, read_answer
from checker.loading import MAX_DEPTH, MAX_INT_DIGITS, nests_within, number_problem, too_deep
from checker.locate import Position
from checker.normalize import normalize_snapshot
from checker.stream import (
    Chunk,
    ChunkLocator,
    EngineSpec,
    HeaderLocator,
    StreamedDocument,
    StreamSettings,
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


def default_jobs() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


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


def check_chunks(doc: StreamedDocument, job: StreamJob, settings: StreamSettings,
                 engine: Any = None, stage: str = "validate") -> StreamCheck:
    """Run ``job`` over every chunk of ``doc``: in this process or in ``settings.jobs``.

    ``engine`` evaluates in this process; workers build their own from
    ``settings.engine``. Schema errors are kept up to the per-document limit (plus one, to
    tell that there were more), in document order. When validating, chunks that do not
    parse may have been split in the wrong place (a bracket inside a string fools the
    split): their range is split again exactly and checked here; ``failure`` is set only
    when that does not parse either.
    """
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
        base = sum(merged.counts)
        for error, pointer_rest, position in outcome.errors:
            if len(merged.errors) > MAX_ERRORS_PER_DOCUMENT:
                break
            index, *rest = error.path
            path = ("customers", base + int(index), *rest)
            locator.record(path, Position(customers_pointer(base + int(index), pointer_rest),
                                          position.line, position.column))
            merged.errors.append(SchemaError(path, error.message))
        merged.chunks.append(chunk)
        merged.counts.append(outcome.count)
        merged.plain.append(outcome.plain)
        merged.findings.extend(outcome.findings)
        merged.others.extend(outcome.others)
        merged.not_applicable.extend(outcome.not_applicable)
        add_counts(merged.subscriptions, outcome.subscriptions)
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


def _raise_error(outcome: ChunkOutcome) -> None:
    if outcome.error is not None:
        kind, message = outcome.error
        raise (PolicyError if kind == "PolicyError" else EngineError)(message)


def _bases(counts: list[int] | None, chunks: int) -> list[int]:
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
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=_context(),
                             initializer=_start_worker, initargs=(spec,)) as pool:
        try:
            # Tasks are small (a byte range); workers read the file themselves.
            yield from pool.map(_check_task, tasks)
        except BrokenProcessPool as exc:
            raise EngineError(f"a worker process stopped unexpectedly: {exc}") from exc
        except BaseException:
            # Interrupted (SIGINT, SIGTERM) or abandoned: what the workers are doing will
            # never be used, so they are stopped now rather than waited for.
            _stop_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    # The executor has no public way to stop running tasks; its processes are terminated
    # (SIGTERM, their default action: see _start_worker) and reaped by shutdown().
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.terminate()


def _context() -> Any:
    # fork where it is safe (Linux): workers start at once, with checker imported, and
    # nothing re-runs the caller's main module (forkserver and spawn import it again, which
    # breaks scripts without an ``if __name__ == "__main__"`` guard, and ``python -m``).
    # The pool forks all its workers before starting any thread of its own.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


_worker_engine: Any = None


def _start_worker(spec: EngineSpec | None) -> None:
    """Build this worker's engine once, from the policy modules."""
    global _worker_engine
    # A forked worker inherits the main process's handlers: Ctrl-C (sent to the whole
    # process group) is for the main process to handle, and SIGTERM ends a worker at once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if spec is None:
        return
    from checker.engines import ENGINES

    try:
        engine = ENGINES[spec.name](spec.options)
        engine.load(spec.modules)
    except CheckerError:
        # The same modules compiled in the main process; report it on first use.
        _worker_engine = None
        return
    _worker_engine = engine


def _check_task(task: tuple[StreamJob, Chunk, int, int | None]) -> ChunkOutcome:
    job, chunk, base, count = task
    if job.input_prefix is not None and _worker_engine is None:
        return ChunkOutcome(error=("EngineError", "a worker process could not load the "
                                                  "policies"))
    try:
        return check_chunk(job, chunk, base, engine=_worker_engine, count=count)
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
        errors = validate_customers(customers, MAX_ERRORS_PER_DOCUMENT + 1)
        for error in errors:
            position = locate(error.path)
            rest = position.pointer.split("/", 2)[2:]
            outcome.errors.append((error, f"/{rest[0]}" if rest else "", position))
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
    for start in range(0, len(customers), size):
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
