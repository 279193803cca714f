"""Validate documents against the JSON Schemas in ``schemas/``.

The compiled ``jsonschema-rs`` validator does the work: the pure-Python validator took
17 s on a 100k-customer snapshot where this takes about 0.1 s. Errors become findings with
the pointer of the offending value, so they are located like any policy finding.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema_rs

from checker.errors import CheckerError, UsageError
from checker.resources import schema_dir

SCHEMA_FILES = {
    "PartnerConfiguration": "partner-configuration.schema.json",
    "AccountSnapshot": "account-snapshot.schema.json",
    "Waivers": "waivers.schema.json",
}
# Not a document kind: the JSON report, validated when it comes back as a --baseline.
REPORT_SCHEMA_FILE = "report.schema.json"
MAX_ERRORS_PER_DOCUMENT = 100

# Nanosecond timestamps, which both Rego engines use, cover 1677-09-21 to 2262-04-11.
_MIN_YEAR, _MAX_YEAR = 1678, 2261
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))?)?$"
)


def is_date_time(value: str) -> bool:
    """Whether a string is a date or date-time both Rego engines can represent."""
    match = _DATE_TIME.match(value)
    if not match:
        return False
    year, month, day, hour, minute, second, off_h, off_m = (
        int(g) if g else 0 for g in match.groups()
    )
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return _MIN_YEAR <= year <= _MAX_YEAR and off_h < 24 and off_m < 60


# Dates (most of a snapshot's strings) are checked by the compiled validator's own "date"
# format, a real calendar date, and this pattern, which limits the year as _MIN_YEAR and
# _MAX_YEAR do: no Python runs for them. The schemas repeat it (a test keeps them equal).
_YEAR = "(16(7[89]|[89][0-9])|1[7-9][0-9]{2}|2[01][0-9]{2}|22[0-5][0-9]|226[01])"
DATE_PATTERN = f"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}$"
_DATE_MESSAGE = f"a calendar date YYYY-MM-DD between {_MIN_YEAR} and {_MAX_YEAR}"
# Date-times likewise: this pattern checks all but the calendar (the year, hours, minutes,
# seconds and offset in range), and the schema's anyOf asks the compiled "date-time" format
# (which needs an offset) or "date" format first: only a time without an offset (or a
# wrong date) reaches the Python check.
DATE_TIME_PATTERN = (
    f"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    "(\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$"
)

FORMATS = {"checker-date-time": is_date_time}
_DATE_TIME_MESSAGE = (f"an RFC 3339 date-time (or date) between {_MIN_YEAR} and {_MAX_YEAR}, "
                      "e.g. 2026-06-30T00:00:00Z")
# Format errors a schema reports directly (the date-time formats only inside the anyOf).
_FORMAT_MESSAGES = {"date": _DATE_MESSAGE}
# Where the schemas spell out what a valid date-time is (see DATE_TIME_PATTERN).
_DATE_TIME_ANY_OF = ["$defs", "dateTime", "anyOf"]


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One way a document breaks its schema: where (a path) and what was expected."""

    path: tuple[str | int, ...]
    message: str


_TOO_MANY = SchemaError((), f"more than {MAX_ERRORS_PER_DOCUMENT} schema errors; fix these "
                        "and run again")


def published_schemas() -> dict[str, str]:
    """Name (as ``checker schema NAME`` takes it) to file of every published schema."""
    return {path.name.removesuffix(".schema.json"): path.name
            for path in sorted(schema_dir().glob("*.schema.json"))}


def schema_name(kind: str) -> str:
    """The ``checker schema`` name of a document kind's schema."""
    return SCHEMA_FILES[kind].removesuffix(".schema.json")


def schema_text(name: str) -> str:
    """The published schema named ``name`` (or a document kind, any case), as in the file.

    An unknown name raises ``UsageError`` listing the names.
    """
    names = published_schemas()
    by_kind = {kind.lower(): schema_name(kind) for kind in SCHEMA_FILES}
    wanted = name.lower().removesuffix(".json").removesuffix(".schema")
    wanted = by_kind.get(wanted, wanted)
    if wanted not in names:
        near = difflib.get_close_matches(wanted, list(names), n=1)
        hint = f"did you mean {near[0]}? " if near else ""
        raise UsageError(f"no schema {name!r}; {hint}schemas: {', '.join(names)}")
    path: Path = schema_dir() / names[wanted]
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckerError(f"{path.name}: cannot read schema: {exc}") from exc


def load_schema(kind: str) -> dict[str, Any]:
    """Read the JSON Schema of a document kind."""
    return read_schema(SCHEMA_FILES[kind])


def read_schema(file_name: str) -> dict[str, Any]:
    """Read one schema file of ``schemas/`` by its file name."""
    path: Path = schema_dir() / file_name
    try:
        schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CheckerError(f"{path.name}: cannot read schema: {exc}") from exc
    return schema


# The Python format check runs for date-times without an offset: an export repeats the
# same ones many times, and the cache answers those at once.
_CACHED_FORMATS: dict[str, Callable[..., bool]] = {
    name: functools.lru_cache(maxsize=1 << 16)(check) for name, check in FORMATS.items()
}


@functools.cache
def _validator(file_name: str) -> Any:
    return jsonschema_rs.validator_for(
        read_schema(file_name), validate_formats=True, formats=_CACHED_FORMATS, offline=True
    )


@functools.cache
def _customers_schema() -> dict[str, Any]:
    # The AccountSnapshot schema's own customers array, on its own: a streamed snapshot's
    # customers are validated a chunk at a time, with the same messages.
    schema = read_schema(SCHEMA_FILES["AccountSnapshot"])
    return {"$schema": schema["$schema"], "$defs": schema["$defs"],
            **schema["properties"]["customers"]}


@functools.cache
def _customers_validator() -> Any:
    return jsonschema_rs.validator_for(_customers_schema(), validate_formats=True,
                                       formats=_CACHED_FORMATS, offline=True)


@functools.cache
def _schema_of(file_name: str) -> dict[str, Any]:
    return read_schema(file_name)


def validate_customers(customers: list[Any], limit: int) -> list[SchemaError]:
    """The schema errors of an AccountSnapshot's customers (paths start at their index).

    At most ``limit`` errors are returned, in document order.
    """
    validator = _customers_validator()
    if validator.is_valid(customers):
        return []
    errors: list[SchemaError] = []
    for error in _distinct(validator.iter_errors(customers), _customers_schema()):
        if len(errors) == limit:
            break
        errors.append(error)
    return errors


def _distinct(errors: Iterable[Any], root: dict[str, Any]) -> Iterator[SchemaError]:
    """The validator's errors as ours, each (path, message) once: a malformed date breaks
    both the date format and the date pattern, which say the same thing.

    A property the schema does not know is reported at the key itself, one error per key,
    with the nearest known property as a suggestion.
    """
    seen: set[SchemaError] = set()
    for error in errors:
        found = _unexpected(error, root) or [
            SchemaError(tuple(error.instance_path), _message(error, root))]
        for ours in found:
            if ours not in seen:
                seen.add(ours)
                yield ours


def _unexpected(error: Any, root: dict[str, Any]) -> list[SchemaError]:
    unexpected = getattr(error.kind, "unexpected", None)
    if not isinstance(error.kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties) \
            or not unexpected:
        return []
    node = _resolve(root, list(error.schema_path)[:-1])
    known = sorted(node.get("properties", {})) if isinstance(node, dict) else []
    errors = []
    for key in unexpected:
        near = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        if not near:
            near = [k for k in known if k.lower() == str(key).lower()][:1]
        hint = f"; did you mean {near[0]!r}?" if near else (
            f"; expected one of: {', '.join(known)}" if known and len(known) <= 12 else "")
        errors.append(SchemaError((*error.instance_path, key),
                                  f"unknown property {str(key)!r}{hint}"))
    return errors


def _resolve(root: dict[str, Any], schema_path: list[Any]) -> Any:
    """The schema node at a validator's schema path (it names the node a ``$ref`` led to)."""
    node: Any = root
    for part in schema_path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def limit_errors(errors: list[SchemaError]) -> list[SchemaError]:
    """Keep the first ``MAX_ERRORS_PER_DOCUMENT`` errors, then say there were more."""
    if len(errors) <= MAX_ERRORS_PER_DOCUMENT:
        return errors
    return [*errors[:MAX_ERRORS_PER_DOCUMENT], _TOO_MANY]


def known_kinds() -> tuple[str, ...]:
    """Document kinds checker validates."""
    return tuple(SCHEMA_FILES)


def validate(kind: str, data: Any) -> Iterator[SchemaError]:
    """Yield the schema errors of a document of a known kind, at most a bounded number."""
    return validate_with(SCHEMA_FILES[kind], data)


def validate_with(file_name: str, data: Any) -> Iterator[SchemaError]:
    """Yield the errors of ``data`` against one schema file, at most a bounded number."""
    validator = _validator(file_name)
    if validator.is_valid(data):
        return
    for count, error in enumerate(_distinct(validator.iter_errors(data),
                                            _schema_of(file_name))):
        if count == MAX_ERRORS_PER_DOCUMENT:
            yield _TOO_MANY
            return
        yield error


def _message(error: Any, root: dict[str, Any] | None = None) -> str:
    if root is not None and isinstance(error.kind, jsonschema_rs.ValidationErrorKind.AnyOf):
        # The published AccountSnapshot schema requires a Partner Center member in either
        # spelling (anyOf required); the checker has already normalised keys to camelCase.
        alternatives = _resolve(root, list(error.schema_path))
        if isinstance(alternatives, list) and alternatives and all(
                isinstance(a, dict) and list(a) == ["required"] for a in alternatives):
            return f"{json.dumps(alternatives[0]['required'][0])} is a required property"
    options = getattr(error.kind, "options", None)
    if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Enum) \
            and isinstance(options, list):
        allowed = ", ".join(json.dumps(o, ensure_ascii=False) for o in options)
        return f"{json.dumps(error.instance, ensure_ascii=False)} is not allowed here; " \
               f"allowed values: {allowed}"
    pattern = getattr(error.kind, "pattern", None)
    if pattern == DATE_PATTERN:
        return f"{json.dumps(error.instance)} is not {_DATE_MESSAGE}"
    schema_path = list(error.schema_path)
    if pattern == DATE_TIME_PATTERN or schema_path[-3:] == _DATE_TIME_ANY_OF:
        return f"{json.dumps(error.instance)} is not {_DATE_TIME_MESSAGE}"
    if schema_path and schema_path[-1] == "format":
        fmt = str(error.message).rsplit('"', 2)[-2] if '"' in error.message else ""
        if fmt in _FORMAT_MESSAGES:
            return f"{json.dumps(error.instance)} is not {_FORMAT_MESSAGES[fmt]}"
    return str(error.message)
