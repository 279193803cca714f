"""Read JSON AccountSnapshots in chunks of customers, so memory stays bounded however large.

A snapshot of a million customers is a gigabyte of JSON; parsed whole into Python it takes
several more. Instead the file is read in two parts:

- the *header*, every top-level member but ``customers`` (small), parsed exactly with the
  standard decoder (duplicate keys rejected) into ``StreamedDocument.data`` with
  ``customers`` left empty, so that schema validation, partner matching and policy input
  treat it like any document;
- the ``customers`` array, split into *chunks*: byte ranges of whole customers, about
  ``chunk_bytes`` each, which ``checker.parallel`` parses, validates and evaluates one at a
  time, in worker processes.

Splitting does not parse: it looks for ``}`` ``,`` ``{`` after the target size and checks
that braces and brackets balance since the chunk's start, a byte count per chunk (0.16 s for
a 120 MB snapshot). A bracket inside a string can fool that check, so the split is a guess
that parsing confirms: a chunk parses as ``[`` + chunk + ``]`` only if it starts and ends on
customer boundaries. A range that does not parse is split again exactly, customer by
customer, by ``exact_chunks`` (orjson finds where each value ends: about 6 µs a customer);
so is the whole array when its end was misplaced. Anything else unexpected (invalid UTF-8, a
syntax error, a duplicate key, no customers array) sends the file back to the exact,
whole-file loader in ``checker.loading``, which reports it precisely; so a snapshot read here
gives the same findings and positions as one read whole.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from checker.engines.interface import EngineOptions
from checker.errors import InputError
from checker.loading import (
    MAX_FILE_BYTES,
    Document,
    display_name,
    load_file,
    regular_file_problem,
)
from checker.locate import JsonTextLocator, LineIndex, Position, to_pointer
from checker.policies import PolicyModule
from checker.validation import SchemaError

CHUNK_BYTES = 1024**2
SNAPSHOT_KIND = "AccountSnapshot"

# First read of a file: enough for the header of any ordinary snapshot; grown when not.
_HEAD_BYTES = 64 * 1024
# How far past its target a chunk may grow before the split falls back to an exact scan.
_SEARCH_FACTOR = 4
_BOM = codecs.BOM_UTF8
_WS = re.compile(rb"[ \t\r\n]*")
_TEXT_WS = re.compile(r"[ \t\r\n]*")
# The end of a customer followed by the start of the next one; and a closing bracket (the
# end of the customers array is one of them).
_CANDIDATE = re.compile(rb"\}[ \t\r\n]*,[ \t\r\n]*\{")
_CLOSE = re.compile(rb"\]")
# How orjson says that a value ended before its input did.
_TRAILING = "after document"
# No customer is this large; beyond it the exact scan gives up (the file is read whole).
_MAX_VALUE_BYTES = 64 * 1024**2
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total) as a run advances through large inputs."""


@dataclass(frozen=True)
class EngineSpec:
    """What a worker process needs to build its own engine."""

    name: str
    options: EngineOptions
    modules: tuple[PolicyModule, ...]


@dataclass
class StreamSettings:
    """How large snapshots are read and checked in one run.

    ``jobs`` is the number of worker processes (``None``: one per core); ``progress`` is
    called as chunks complete; ``timings``, when given, is filled with the seconds spent
    in each stage (``load``, ``validate``, ``evaluate``), summed over processes.
    """

    jobs: int | None = None
    chunk_bytes: int = CHUNK_BYTES
    progress: Progress | None = None
    timings: dict[str, float] | None = None
    engine: EngineSpec | None = None

    def add_time(self, stage: str, seconds: float) -> None:
        """Count ``seconds`` towards ``stage`` when timings were asked for."""
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds


@dataclass(frozen=True, slots=True)
class Chunk:
    """A byte range of whole customers, with the line and column of its first byte."""

    start: int
    end: int
    line: int
    column: int


@dataclass(frozen=True)
class SnapshotSource:
    """Where a streamed snapshot's customers are, and what reading them found.

    ``counts`` (customers per chunk), ``plain`` (whether a chunk's keys are all camelCase,
    so that its text is the policy input as it is) and ``schema_errors`` come from the
    validation pass (see ``read``); the evaluation pass relies on the counts to number
    customers.
    """

    path: Path
    chunks: tuple[Chunk, ...]
    customers_bytes: int  # from the first customer's start to the last one's end
    counts: tuple[int, ...] | None = None
    plain: tuple[bool, ...] | None = None
    schema_errors: tuple[SchemaError, ...] = ()

    def read(self, chunks: Sequence[Chunk], counts: Sequence[int], plain: Sequence[bool],
             schema_errors: Sequence[SchemaError]) -> SnapshotSource:
        """This source as the validation pass read it: the chunks it actually read (a
        range split wrongly is split again), with their counts and schema errors."""
        return replace(self, chunks=tuple(chunks), counts=tuple(counts), plain=tuple(plain),
                       schema_errors=tuple(schema_errors))


@dataclass(frozen=True)
class StreamedDocument(Document):
    """A JSON AccountSnapshot whose ``data`` holds every member but its customers.

    ``data["customers"]`` is empty; the customers are in ``source.chunks``.
    """

    source: SnapshotSource


class _ShiftedLines(LineIndex):
    """Line and column of offsets in a text that starts at (line, column) of its file.

    ``skip`` characters at the start of the text are not in the file (a ``[`` put around
    a chunk): offsets are counted from after them.
    """

    def __init__(self, text: str, line: int, column: int, skip: int = 0) -> None:
        super().__init__(text)
        self._line = line
        self._column = column
        self._skip = skip

    def position(self, offset: int) -> tuple[int, int]:
        """Return (line, column) in the file of an offset in the text."""
        line, column = super().position(offset)
        if line == 1:
            return self._line, self._column + offset - self._skip
        return self._line + line - 1, column


class _HeaderLines(LineIndex):
    """Positions in the header text: the file's text with the customers array emptied.

    Offsets before ``split`` are the file's own; after it they continue at ``tail``, the
    line and column of the array's closing bracket.
    """

    def __init__(self, text: str, split: int, tail: tuple[int, int]) -> None:
        super().__init__(text[:split])
        self._tail = _ShiftedLines(text[split:], *tail)
        self._split = split

    def position(self, offset: int) -> tuple[int, int]:
        """Return (line, column) in the file of an offset in the header text."""
        if offset < self._split:
            return super().position(offset)
        return self._tail.position(offset - self._split)


class HeaderLocator(JsonTextLocator):
    """Locates paths of a streamed snapshot: header members, and customers' schema errors.

    Positions inside customers are found by the processes that read them and recorded
    here with ``record``; any other path is looked up in the header text.
    """

    def __init__(self, text: str, split: int, tail: tuple[int, int]) -> None:
        super().__init__(text)
        self._lines = _HeaderLines(text, split, tail)
        self._recorded: dict[tuple[str | int, ...], Position] = {}

    def record(self, path: tuple[str | int, ...], position: Position) -> None:
        """Remember the position of a path inside a customer."""
        self._recorded[path] = position

    def locate(self, path: Any) -> Position:
        """Return the recorded position of ``path``, else its position in the header."""
        recorded = self._recorded.get(tuple(path))
        return recorded if recorded is not None else super().locate(path)


class ChunkLocator(JsonTextLocator):
    """Locates paths in ``[`` + a chunk's text + ``]``, at their positions in the file.

    The path's first part is the index of the customer within the chunk. Given the
    chunk's bytes and its parsed customers, it finds where each customer starts from
    brace counts (fast, in C) instead of scanning every customer before the one asked
    for; a customer's guessed text is used only once it parses to that very customer, and
    the first that does not sends every later lookup to the exact scan.
    """

    def __init__(self, text: str, chunk: Chunk, raw: bytes | None = None,
                 customers: list[Any] | None = None) -> None:
        super().__init__(f"[{text}]")
        self._lines = _ShiftedLines(self._text, chunk.line, chunk.column, skip=1)
        self._raw = raw
        self._customers = customers
        self._starts: list[int] | None = None
        if raw is not None and customers is not None:
            self._starts = _customer_starts(raw, len(customers))
        self._verified: set[int] = set()

    @property
    def guessed(self) -> bool:
        """Whether customers' starts are (still) taken from brace counts."""
        return self._starts is not None

    def guessed_customer(self, index: int) -> Any:
        """The customer parsed from its guessed text, kept as the customer at ``index`` of
        the list given (which holds ``None`` for those not parsed yet); raises ``ValueError``
        if the text does not parse (``orjson.JSONDecodeError`` is one)."""
        assert self._customers is not None
        customer = orjson.loads(self._piece(index))
        self._customers[index] = customer
        self._verified.add(index)  # parsed from the very text located in
        return customer

    def locate(self, path: Any) -> Position:
        """Return the position of ``path``, whose first part is a customer's index."""
        if self._starts is not None and path and isinstance(path[0], int):
            if not self._verify(path[0]):
                self._starts = None
                self._members.pop(self._root, None)
        return super().locate(path)

    def _verify(self, index: int) -> bool:
        starts, raw, customers = self._starts, self._raw, self._customers
        assert starts is not None and raw is not None and customers is not None
        if index in self._verified or not 0 <= index < len(starts):
            return True
        try:
            same = bool(orjson.loads(self._piece(index)) == customers[index])
        except orjson.JSONDecodeError:
            same = False
        if same:
            self._verified.add(index)
        return same

    def _piece(self, index: int) -> bytes:
        """The guessed text of the customer at ``index``."""
        starts, raw = self._starts, self._raw
        assert starts is not None and raw is not None
        end = starts[index + 1] if index + 1 < len(starts) else len(raw)
        piece = raw[starts[index]:end].rstrip(b" \t\r\n")
        return piece.removesuffix(b",") if index + 1 < len(starts) else piece

    def _members_of(self, offset: int) -> dict[Any, tuple[int, int]]:
        if offset == self._root and self._starts is not None and offset not in self._members:
            raw = self._raw
            assert raw is not None
            if raw.isascii():
                chars = [start + 1 for start in self._starts]
            else:  # character offsets, from the lengths of the decoded pieces
                chars, at, previous = [], 1, 0
                for start in self._starts:
                    at += len(raw[previous:start].decode("utf-8"))
                    chars.append(at)
                    previous = start
            self._members[offset] = {index: (at, at) for index, at in enumerate(chars)}
        return super()._members_of(offset)


# Every byte but quotes and braces, deleted to see whether a brace is inside a string.
_NOT_QUOTES_OR_BRACES = bytes(b for b in range(256) if b not in b'"{}')


def braces_outside_strings(raw: bytes) -> bool:
    """Whether no string in ``raw`` (JSON text without ``\\"``) holds a brace, told in C.

    Then brace counts find exactly where customers start. With only quotes and braces
    left, each string is two quotes, adjacent unless it holds a brace; removing adjacent
    pairs from the left takes every string's pair, up to the first string holding a
    brace, whose opening quote is then left over.
    """
    return b'"' not in raw.translate(None, _NOT_QUOTES_OR_BRACES).replace(b'""', b"")


def _customer_starts(raw: bytes, count: int) -> list[int] | None:
    """Byte offsets in ``raw`` where each of its ``count`` customers starts, guessed from
    brace counts (a brace inside a string can fool them); ``None`` if the guess does not
    find ``count`` of them.

    Between two customers braces balance; inside one they do not (its own are open), so
    braces alone tell the separators between customers from those between nested objects.
    """
    first = _WS.match(raw)
    starts = [first.end() if first else 0]
    depth = at = 0
    for match in _CANDIDATE.finditer(raw):
        end = match.start() + 1
        depth += raw.count(b"{", at, end) - raw.count(b"}", at, end)
        at = end
        if depth == 0:
            starts.append(match.end() - 1)
            if len(starts) > count:
                return None
    return starts if len(starts) == count else None


def load_input(path: Path, chunk_bytes: int = CHUNK_BYTES,
               name: str | None = None) -> list[Document]:
    """Read one input file: a JSON AccountSnapshot streamed, anything else whole.

    ``name`` is what reports call the file (default: its path as the user wrote it).
    """
    name = name or display_name(path)
    problem = regular_file_problem(path)
    if problem is not None:
        raise InputError(problem, file=name)
    if path.suffix.lower() == ".json":
        streamed = open_snapshot(path, name, chunk_bytes)
        if streamed is not None:
            return [streamed]
    return load_file(path, name)


class _NotStreamable(Exception):
    """The file is not a JSON AccountSnapshot this reader can split; read it whole."""


def open_snapshot(path: Path, name: str, chunk_bytes: int = CHUNK_BYTES) -> StreamedDocument | None:
    """Read the header of a JSON AccountSnapshot and split its customers into chunks.

    Returns ``None`` for anything else, or for a file this reader cannot take, which the
    whole-file loader then reads (and reports on precisely if it is broken).
    """
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise _NotStreamable
            return _open(handle.fileno(), size, path, name, max(chunk_bytes, 1))
    except (OSError, ValueError, _NotStreamable):
        # ValueError covers UnicodeDecodeError and JSONDecodeError: the exact loader
        # reports those with their positions.
        return None


def _open(fd: int, size: int, path: Path, name: str, chunk_bytes: int) -> StreamedDocument:
    head = os.pread(fd, min(size, _HEAD_BYTES), 0)
    bom = len(_BOM) if head.startswith(_BOM) else 0
    while True:
        found = _find_customers(head, bom, final=len(head) == size)
        if found is not None:
            break
        if len(head) == size:
            raise _NotStreamable
        head = os.pread(fd, min(size, 4 * len(head)), 0)
    prefix_text, first = found
    line = prefix_text.count("\n") + 1
    column = len(prefix_text) - (prefix_text.rfind("\n") + 1) + 1
    for exact in (False, True):
        chunks, array_close, tail_at = _split(fd, size, first, chunk_bytes, (line, column),
                                              exact=exact)
        tail_text = os.pread(fd, size - array_close, array_close).decode("utf-8")
        text = prefix_text + tail_text
        try:
            header = _parse_header(text)
            break
        except ValueError:
            # Bracket counts put the end of the customers array in the wrong place (a
            # chunk began inside a customer): split again, exactly, or give up.
            if exact:
                raise
    if header.get("kind") != SNAPSHOT_KIND:
        raise _NotStreamable
    locator = HeaderLocator(text, len(prefix_text), tail_at)
    extent = chunks[-1].end - chunks[0].start if chunks else 0
    source = SnapshotSource(path, tuple(chunks), extent)
    return StreamedDocument(name, header, locator, source)


def _find_customers(head: bytes, bom: int, *, final: bool) -> tuple[str, int] | None:
    """Find the top-level ``customers`` array: (text up to its ``[``, byte offset after it).

    ``None`` when ``head`` is too short to tell; raises ``_NotStreamable`` when the file is
    not an object with a customers array.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    text = decoder.decode(head[bom:], final=final)
    member_decoder = json.JSONDecoder()
    try:
        i = _TEXT_WS.match(text, 0).end()  # type: ignore[union-attr]
        if text[i : i + 1] != "{":
            raise _NotStreamable
        i = _TEXT_WS.match(text, i + 1).end()  # type: ignore[union-attr]
        while text[i : i + 1] == '"':
            key, after = _scanstring(text, i + 1)
            colon = _TEXT_WS.match(text, after).end()  # type: ignore[union-attr]
            if text[colon : colon + 1] != ":":
                raise _NotStreamable
            value = _TEXT_WS.match(text, colon + 1).end()  # type: ignore[union-attr]
            if key == "customers":
                if text[value : value + 1] != "[":
                    raise _NotStreamable
                prefix = text[: value + 1]
                return prefix, bom + len(prefix.encode("utf-8"))
            end = member_decoder.raw_decode(text, value)[1]
            i = _TEXT_WS.match(text, end).end()  # type: ignore[union-attr]
            if text[i : i + 1] != ",":
                break
            i = _TEXT_WS.match(text, i + 1).end()  # type: ignore[union-attr]
    except ValueError:
        # A value cut off by the end of what was read, or a syntax error.
        if final:
            raise _NotStreamable from None
        return None
    if final or i < len(text):
        raise _NotStreamable
    return None


def _parse_header(text: str) -> dict[str, Any]:
    """Parse the header text (customers emptied) exactly, rejecting duplicate keys."""

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            raise _NotStreamable
        return obj

    data = json.loads(text, object_pairs_hook=pairs_hook)
    if not isinstance(data, dict):
        raise _NotStreamable
    return data


def _chars(data: bytes) -> int:
    return len(data) if data.isascii() else len(data.decode("utf-8"))


def _split(fd: int, size: int, first: int, chunk_bytes: int, at: tuple[int, int],
           exact: bool = False) -> tuple[list[Chunk], int, tuple[int, int]]:
    """Split the customers array that starts at byte ``first`` into chunks.

    ``at`` is the line and column of ``first``. Returns the chunks, the byte offset of the
    array's closing bracket and its line and column. ``exact`` scans every token instead
    of guessing from bracket counts (several times slower).
    """
    line, column = at
    chunks: list[Chunk] = []
    start = first
    # Read a little past the target, where a customer almost always ends; read more (and
    # then scan exactly) only when none does.
    window = chunk_bytes + 64 * 1024
    while True:
        buf = os.pread(fd, min(window, size - start), start)
        skip = _WS.match(buf).end()  # type: ignore[union-attr]
        if skip:
            line, column = _advance(buf[:skip], line, column)
            start += skip
            buf = os.pread(fd, min(window, size - start), start)
        if buf[:1] == b"]":
            return chunks, start, (line, column)
        boundary = None if exact else _fast_boundary(buf, chunk_bytes)
        if boundary is None and not exact and start + len(buf) < size:
            buf = os.pread(fd, min(window * _SEARCH_FACTOR, size - start), start)
            boundary = _fast_boundary(buf, chunk_bytes)
        if boundary is not None and boundary[2] and not _parses(buf[: boundary[0]]):
            # The end of the array, which bracket counts may misplace (a bracket in a
            # string); the header after it could not be read then. Checked here, once.
            boundary = None
        if boundary is None:
            boundary = _exact_boundary(fd, size, start, chunk_bytes)
        end, following, closes = boundary
        chunks.append(Chunk(start, start + end, line, column))
        span = os.pread(fd, following, start) if following > len(buf) else buf[:following]
        line, column = _advance(span, line, column)
        start += following
        if closes:
            return chunks, start, (line, column)


def _parses(chunk: bytes) -> bool:
    try:
        orjson.loads(b"[" + chunk + b"]")
    except orjson.JSONDecodeError:
        return False
    return True


def exact_chunks(path: Path, chunk: Chunk, target: int) -> list[Chunk]:
    """Split again, exactly, a range of whole customers that was split wrongly.

    ``chunk`` spans the range (it begins and ends on customer boundaries). Raises
    ``ValueError`` if the range cannot be split into customers (it is not valid JSON).
    """
    chunks = []
    start, line, column = chunk.start, chunk.line, chunk.column
    with path.open("rb") as handle:
        fd = handle.fileno()
        while start < chunk.end:
            try:
                end, following, last = _exact_boundary(fd, chunk.end, start, max(target, 1),
                                                       within=True)
            except _NotStreamable:
                raise ValueError("not whole customers") from None
            chunks.append(Chunk(start, start + end, line, column))
            if last:
                break
            line, column = _advance(os.pread(fd, following, start), line, column)
            start += following
    return chunks


def _advance(span: bytes, line: int, column: int) -> tuple[int, int]:
    """The line and column just after ``span``, which starts at (line, column)."""
    newlines = span.count(b"\n")
    if not newlines:
        return line, column + _chars(span)
    return line + newlines, _chars(span[span.rfind(b"\n") + 1 :]) + 1


# Every byte but braces and brackets, deleted to count those in one pass over the data.
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"{}[]")


class _Depth:
    """Brace and bracket balance of ``buf`` from its start, counted forward as asked."""

    def __init__(self, buf: bytes) -> None:
        self._buf = buf
        self._at = 0
        self._braces = 0
        self._brackets = 0

    def zero_at(self, end: int) -> bool:
        """Whether braces and brackets balance in ``buf[:end]`` (``end`` never decreases)."""
        brackets = self._buf[self._at : end].translate(None, _NOT_BRACKETS)
        self._braces += brackets.count(b"{") - brackets.count(b"}")
        self._brackets += brackets.count(b"[") - brackets.count(b"]")
        self._at = end
        return self._braces == 0 and self._brackets == 0


def _fast_boundary(buf: bytes, target: int) -> tuple[int, int, bool] | None:
    """Guess where the chunk at the start of ``buf`` ends, from bracket counts.

    Returns (end of the chunk, start of what follows, whether that is the array's end),
    or ``None`` when no balanced place was found in ``buf``.
    """
    depth = _Depth(buf)
    for match in _CANDIDATE.finditer(buf, target):
        if depth.zero_at(match.start() + 1):
            return match.start() + 1, match.end() - 1, False
    # No customer ends after the target: the array ends before, at the first closing
    # bracket at depth zero.
    depth = _Depth(buf)
    for match in _CLOSE.finditer(buf):
        if depth.zero_at(match.start()):
            return _rstrip(buf, match.start()), match.start(), True
    return None


def _rstrip(buf: bytes, end: int) -> int:
    """``end`` moved back over whitespace."""
    while end and buf[end - 1] in b" \t\r\n":
        end -= 1
    return end


def _exact_boundary(fd: int, size: int, start: int, target: int,
                    within: bool = False) -> tuple[int, int, bool]:
    """Find the chunk's end by parsing customer after customer: slower, never fooled.

    ``within``: ``size`` is the end of a range of whole customers, not of the file, so
    reaching it ends the last chunk.
    """
    length = target * 2 + 64 * 1024
    while True:
        buf = os.pread(fd, min(length, size - start), start)
        at_end = start + len(buf) >= size
        i = 0
        while True:
            end = _value_end(buf, i)
            if end is None:
                break  # the customer goes on past what was read
            following = _WS.match(buf, end).end()  # type: ignore[union-attr]
            if following == len(buf):
                if at_end and within:
                    return end, following, True
                break
            if buf[following] == 0x5D:  # "]": the end of the array
                return end, following, True
            if buf[following] != 0x2C:  # not ","
                raise _NotStreamable
            following = _WS.match(buf, following + 1).end()  # type: ignore[union-attr]
            if end >= target:
                return end, following, False
            i = following
        if at_end:
            raise _NotStreamable
        length *= 2


def _value_end(buf: bytes, start: int) -> int | None:
    """Where the JSON value at ``buf[start]`` ends (orjson parses it, in C).

    ``None`` when ``buf`` ends first (or the value is not valid JSON: then the caller reads
    on to the end of the file and gives up there).
    """
    view = memoryview(buf)
    width = 4096
    while True:
        piece = bytes(view[start : start + width])
        try:
            orjson.loads(piece)
        except orjson.JSONDecodeError as exc:
            if _TRAILING in exc.msg:
                # orjson counts characters; a piece may end inside one, hence "replace".
                position = exc.pos
                if not piece.isascii():
                    text = piece.decode("utf-8", "replace")
                    position = len(text[:position].encode("utf-8"))
                if piece[position : position + 1] in (b",", b"]"):
                    return start + _rstrip(piece, position)
            # Any other error may come from cutting the value short: look further.
            if start + width >= len(buf):
                return None
            if width >= _MAX_VALUE_BYTES:
                raise _NotStreamable from None
            width *= 4
            continue
        return start + _rstrip(piece, len(piece))


def customers_pointer(index: int, rest: str = "") -> str:
    """The JSON pointer of customer ``index`` followed by ``rest`` (a pointer)."""
    return to_pointer(["customers", index]) + rest
