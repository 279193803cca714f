"""Find and parse input documents safely: YAML or JSON in, plain JSON-shaped data out.

Parsing is deliberately strict: no YAML tags that build objects (only the JSON types come
out, dates stay strings), duplicate keys rejected, bounded nesting, alias expansion and size,
and every failure an ``InputError`` naming the file, line and what was expected.
"""

from __future__ import annotations

import fnmatch
import gc
import json
import math
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from checker.errors import InputError
from checker.locate import JsonTextLocator, Locator, MappedLocator, to_pointer

SUFFIXES = (".json", ".yaml", ".yml")
MAX_FILE_BYTES = 2 * 1024**3
MAX_YAML_BYTES = 64 * 1024**2
MAX_DEPTH = 64
# Bounds the expansion of YAML aliases ("billion laughs"): nodes built per byte of input.
MAX_NODES_PER_BYTE = 4

# Numbers the engines and the JSON writer take exactly: integers of 64 bits, finite floats.
MIN_INT, MAX_INT = -(2**63), 2**64 - 1
# More digits than any 64-bit integer has: such a literal is not even converted (Python
# refuses to convert more than 4300 digits, and converting is quadratic below that).
MAX_INT_DIGITS = 20


def _too_long(literal: str) -> str | None:
    digits = len(literal.lstrip("+-").replace("_", ""))
    if digits <= MAX_INT_DIGITS:
        return None
    shown = literal if len(literal) <= 24 else f"{literal[:12]}...{literal[-6:]}"
    return (f"number {shown} ({digits} digits) is out of range: integers must fit in "
            "64 bits")


def number_problem(literal: str, value: float) -> str | None:
    """Why a number read from ``literal`` cannot be checked, or ``None``."""
    if isinstance(value, int) and not MIN_INT <= value <= MAX_INT:
        return f"number {literal} is out of range: integers must fit in 64 bits"
    if isinstance(value, float) and not math.isfinite(value):
        return f"number {literal} is out of range: it is not a finite number"
    return None


# A \u escape of a UTF-16 surrogate; a lone one (no partner) is no Unicode character.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _has_lone_surrogate(data: Any) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def nests_within(text: bytes, levels: int) -> bool:
    """Whether the brackets of JSON ``text`` nest at most ``levels`` deep, told fast (in C).

    Each round deletes the innermost pairs, one level. ``False`` also when brackets inside
    strings unbalance the count: then only the data can tell (see ``too_deep``).
    """
    skeleton = text.translate(None, _NOT_BRACKETS)
    for _ in range(levels):
        if not skeleton:
            return True
        reduced = _INNERMOST.sub(b"", skeleton)
        if len(reduced) == len(skeleton):
            return False
        skeleton = reduced
    return not skeleton


def too_deep(data: Any, path: Sequence[str | int] = ()) -> list[str | int] | None:
    """The path of the first value nested deeper than MAX_DEPTH (as the YAML reader counts:
    the length of its path from the document's root), or ``None``."""
    stack: list[tuple[Any, list[str | int]]] = [(data, list(path))]
    while stack:
        node, where = stack.pop()
        if len(where) > MAX_DEPTH:
            return where
        if isinstance(node, dict):
            stack.extend((value, [*where, key]) for key, value in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((value, [*where, index])
                         for index, value in reversed(list(enumerate(node))))
    return None


@dataclass(frozen=True)
class Document:
    """One parsed document: its display name, data and a locator for its positions."""

    file: str
    data: Any
    locator: Locator

    @property
    def kind(self) -> str | None:
        """The document's ``kind``, if it has a string one."""
        kind = self.data.get("kind") if isinstance(self.data, dict) else None
        return kind if isinstance(kind, str) else None


def discover(paths: Sequence[Path], exclude: Sequence[str] = ()) -> list[tuple[Path, bool]]:
    """Expand folders into their ``*.json``/``*.yaml``/``*.yml`` files, sorted.

    Returns (path, explicit) pairs: explicit files were named on the command line, the rest
    were found in a folder. Extensions match in any case (``.YAML``). Hidden files and
    folders, and files whose path (as reports name it) or name matches an ``exclude`` glob,
    are skipped during the search; symbolic links to folders are not followed.
    """
    found: dict[Path, bool] = {}
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                        candidate = Path(root) / name
                        if not _excluded(candidate, exclude):
                            found.setdefault(candidate, False)
        else:
            found[path] = True
    return sorted(found.items(), key=lambda item: str(item[0]))


def _excluded(path: Path, patterns: Sequence[str]) -> bool:
    if not patterns:
        return False
    names = (display_name(path), path.as_posix(), path.name)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in names)


def regular_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as an input file (a FIFO, a device...), or ``None``.

    Checked before opening it: reading a FIFO waits for a writer forever, and a link to
    ``/dev/zero`` never ends.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISDIR, "a folder"))
    kind = next((name for test, name in kinds if test(mode)), "not a regular file")
    return f"cannot read file: it is {kind}, not a regular file"


def display_name(path: Path) -> str:
    """Name a file as users wrote it: relative to the working directory when inside it."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        # A symbolic link loop: name the link itself (its folder resolved).
        resolved = path.parent.resolve() / path.name
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_limited(path: Path, name: str, limit: int = MAX_FILE_BYTES,
                 error: type[InputError] = InputError) -> bytes:
    """A file's bytes; ``error`` naming the file when it cannot be read or holds more
    than ``limit`` bytes (checked before reading it)."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise error(f"file is {size} bytes; the limit is {limit}", file=name)
        return path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", file=name) from exc


def load_file(path: Path, name: str | None = None) -> list[Document]:
    """Read and parse one file into its documents (a YAML stream may hold several)."""
    name = name or display_name(path)
    problem = regular_file_problem(path)
    if problem is not None:
        raise InputError(problem, file=name)
    raw = read_limited(path, name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError("expected UTF-8 text", file=name, line=line, column=1) from exc
    return load_text(text, name, json_text=path.suffix.lower() == ".json")


def load_text(text: str, name: str, *, json_text: bool | None = None) -> list[Document]:
    """Parse text read from anywhere (standard input among others) into its documents.

    JSON when ``json_text`` (``None``: when ``name`` ends in ``.json``), else YAML.
    """
    if json_text is None:
        json_text = name.lower().endswith(".json")
    if json_text:
        return [parse_json(text, name)]
    return parse_yaml(text, name)


def parse_json(text: str, name: str) -> Document:
    """Parse JSON text, rejecting duplicate keys."""
    duplicates: list[str] = []
    bad_numbers: list[tuple[str, str]] = []

    def number(literal: str, kind: Any) -> Any:
        too_long = _too_long(literal) if kind is int else None
        if too_long is not None:
            bad_numbers.append((literal, too_long))
            return 0
        value = kind(literal)
        problem = number_problem(literal, value)
        if problem is not None:
            bad_numbers.append((literal, problem))
        return value

    def constant(literal: str) -> Any:
        bad_numbers.append((literal, f"{literal} is not a JSON number"))
        return None

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            duplicates.extend(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        return obj

    # The collector rescans the growing heap while a large document is built; pausing it
    # makes parsing several times faster and nothing here creates cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        data = json.loads(text, object_pairs_hook=pairs_hook,
                          parse_int=lambda x: number(x, int),
                          parse_float=lambda x: number(x, float), parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", file=name, line=exc.lineno, column=exc.colno
        ) from exc
    except RecursionError as exc:
        raise InputError("invalid JSON: nesting too deep", file=name) from exc
    finally:
        if was_enabled:
            gc.enable()
    # Python reads a lone surrogate escape into a string nothing can write as UTF-8 (the
    # engines' input included); the escape is looked for first, as a cheap test.
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):
        lone = _LONE_SURROGATE.search(text)
        line, column = _position(text, lone.start()) if lone else (0, 0)
        raise InputError("a string holds a lone UTF-16 surrogate escape: not a Unicode "
                         "character", file=name, line=line, column=column)
    if bad_numbers:
        literal, problem = bad_numbers[0]
        line, column = _find_literal(text, literal)
        raise InputError(problem, file=name, line=line, column=column)
    locator = JsonTextLocator(text)
    # As for YAML: a bounded depth, within what the engines accept (regorus stops at 128).
    deep = None if nests_within(text.encode("utf-8", "surrogatepass"), MAX_DEPTH) else (
        too_deep(data))
    if deep is not None:
        where = locator.locate(deep)
        raise InputError(f"nesting deeper than {MAX_DEPTH} levels", file=name,
                         line=where.line, column=where.column)
    if duplicates:
        line, column = _find_json_key(text, duplicates[0])
        raise InputError(
            f"duplicate key {duplicates[0]!r}: each key may appear once per object",
            file=name,
            line=line,
            column=column,
        )
    return Document(name, data, locator)


def _find_literal(text: str, literal: str) -> tuple[int, int]:
    """Line and column of the first ``literal`` standing as a value (after ``:``, ``[`` or
    ``,``) in JSON text; (0, 0) if not found."""
    found = re.search(r"[:\[,]\s*(" + re.escape(literal) + r")(?![\w.+-])", text)
    return (0, 0) if found is None else _position(text, found.start(1))


def _position(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of an offset in text."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _find_json_key(text: str, key: str) -> tuple[int, int]:
    """Position of the second occurrence of a key (the duplicate), best effort."""
    pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    matches = list(pattern.finditer(text))
    offset = matches[1].start() if len(matches) > 1 else (matches[0].start() if matches else 0)
    return _position(text, offset)


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_PLAIN_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ, _TIMESTAMP}
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, name: str) -> list[Document]:
    """Parse a YAML stream into one document per ``---`` section."""
    if len(text) > MAX_YAML_BYTES:
        raise InputError(f"YAML file larger than {MAX_YAML_BYTES} bytes; use JSON", file=name)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        raise InputError(
            f"invalid YAML: {problem}",
            file=name,
            line=mark.line + 1 if mark else 0,
            column=mark.column + 1 if mark else 0,
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=name) from exc
    budget = [max(len(text), 1024) * MAX_NODES_PER_BYTE]
    documents = []
    # An empty document (a lone "---") is no document, as an empty file is not.
    nodes = [n for n in nodes if n is not None and not (
        isinstance(n, yaml.ScalarNode) and n.tag == _NULL and n.value == "")]
    for index, node in enumerate(nodes):
        positions: dict[str, tuple[int, int]] = {}
        data = _build(node, name, [], positions, budget)
        label = name if len(nodes) == 1 else f"{name}#{index + 1}"
        documents.append(Document(label, data, MappedLocator(positions)))
    return documents


def _build(
    node: yaml.Node,
    name: str,
    path: list[str | int],
    positions: dict[str, tuple[int, int]],
    budget: list[int],
    anchor: tuple[int, int] | None = None,
) -> Any:
    """Turn a composed YAML node into JSON-shaped data, recording each value's position."""
    mark = node.start_mark
    here = (mark.line + 1, mark.column + 1)
    positions.setdefault(to_pointer(path), anchor or here)
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError("YAML aliases expand to too many values", file=name, line=here[0])
    if len(path) > MAX_DEPTH:
        raise InputError(
            f"nesting deeper than {MAX_DEPTH} levels", file=name, line=here[0], column=here[1]
        )
    if node.tag not in _PLAIN_TAGS and node.tag != _MERGE:
        raise InputError(
            f"YAML tag {node.tag!r} is not allowed: only plain JSON-like values are",
            file=name,
            line=here[0],
            column=here[1],
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in _merged_pairs(node, name):
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _NULL:
                raise InputError(
                    "mapping keys must be strings",
                    file=name,
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                )
            key = str(key_node.value)
            key_at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                raise InputError(
                    f"duplicate key {key!r}: each key may appear once per mapping",
                    file=name,
                    line=key_at[0],
                    column=key_at[1],
                )
            result[key] = _build(value_node, name, [*path, key], positions, budget, key_at)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, name, [*path, i], positions, budget) for i, item in enumerate(node.value)
        ]
    return _scalar(node, name)


def _merged_pairs(node: yaml.MappingNode, name: str) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """Yield a mapping's own pairs, after those merged in with ``<<`` (own keys win)."""
    own = [(k, v) for k, v in node.value if k.tag != _MERGE]
    own_keys = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise InputError(
                    "'<<' must merge a mapping",
                    file=name,
                    line=source.start_mark.line + 1,
                    column=source.start_mark.column + 1,
                )
            for k, v in _merged_pairs(source, name):
                if k.value not in own_keys:
                    own_keys.add(k.value)
                    yield k, v
    yield from own


_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT_RE = re.compile(r"^[-+]?([0-9][0-9_]*)?\.?[0-9]*([eE][-+]?[0-9]+)?$")


def _scalar(node: yaml.Node, name: str) -> Any:
    """Resolve a scalar the way JSON would read it; YAML 1.1 oddities stay strings."""
    value: str = node.value
    if node.tag == _NULL:
        return None
    if node.tag == _BOOL:
        # YAML 1.1 also reads yes/no/on/off as booleans; only true/false are here.
        lowered = value.lower()
        return lowered == "true" if lowered in ("true", "false") else value
    number: int | float | None = None
    if node.tag == _INT and _INT_RE.match(value):
        too_long = _too_long(value)
        if too_long is not None:
            mark = node.start_mark
            raise InputError(too_long, file=name, line=mark.line + 1, column=mark.column + 1)
        number = int(value.replace("_", ""))
    elif node.tag == _FLOAT and _FLOAT_RE.match(value) and any(c.isdigit() for c in value):
        number = float(value.replace("_", ""))
    if number is None:
        return value
    problem = number_problem(value, number)
    if problem is not None:
        mark = node.start_mark
        raise InputError(problem, file=name, line=mark.line + 1, column=mark.column + 1)
    return number
