"""The schemas are the contract: they must themselves be sound and documented."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.resources import schema_dir
from checker.validation import (
    DATE_PATTERN,
    DATE_TIME_PATTERN,
    SCHEMA_FILES,
    SchemaError,
    is_date_time,
    validate,
)

SCHEMAS = sorted((Path(__file__).resolve().parent.parent / "schemas").glob("*.schema.json"))
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "partner-center"


def _properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield f"{where}/{name}", sub
        for key, sub in node.items():
            yield from _properties(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, f"{where}/{i}")


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_valid_2020_12_with_id_and_descriptions(path: Path) -> None:
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    # The URL of the file in the repository, the one README and the templates install from.
    assert schema["$id"] == f"https://github.com/csp-checker/checker/blob/main/schemas/{path.name}"
    undocumented = [w for w, sub in _properties(schema) if "description" not in sub]
    assert undocumented == []


@pytest.mark.parametrize(
    "path", [p for p in SCHEMAS if p.name in SCHEMA_FILES.values()], ids=lambda p: p.name
)
def test_document_schema_examples_are_valid(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert schema["examples"]
    for example in schema["examples"]:
        assert list(validate(example["kind"], example)) == []


def test_every_document_kind_has_its_schema_file() -> None:
    assert {p.name for p in SCHEMAS} >= set(SCHEMA_FILES.values())


def test_evidence_schema_examples_are_valid() -> None:
    schema = json.loads(next(p for p in SCHEMAS if p.name == "evidence.schema.json").read_text())
    assert schema["examples"]
    for example in schema["examples"]:
        jsonschema.Draft202012Validator(schema).validate(example)


def _snapshot(**customer: Any) -> dict[str, Any]:
    return {
        "apiVersion": "checker/v1",
        "kind": "AccountSnapshot",
        "asOf": "2026-06-30T00:00:00Z",
        "partnerId": "p",
        "customers": [{"id": "c", **customer}],
    }


def test_partner_center_payloads_are_accepted_as_exported() -> None:
    subscription = json.loads((FIXTURES / "subscription.nce-expired.json").read_text())
    fraud = json.loads((FIXTURES / "fraud-event.new-events-model.json").read_text())
    usage = json.loads((FIXTURES / "customer-usage-summary.json").read_text())
    customer = json.loads((FIXTURES / "customer.json").read_text())
    doc = _snapshot(
        companyProfile=customer["companyProfile"],
        relationshipToPartner=customer["relationshipToPartner"],
        subscriptions=[subscription],
        fraudEvents=[fraud],
        usageSummary=usage,
    )
    assert list(validate("AccountSnapshot", doc)) == []


def test_unknown_partner_center_enum_values_are_data() -> None:
    doc = _snapshot(
        relationshipToPartner="some_new_relationship",
        subscriptions=[{"id": "s", "status": "transferring"}],
        fraudEvents=[{"eventId": "e", "eventTime": "2026-06-01T00:00:00Z",
                      "eventStatus": "Escalated", "eventType": "BrandNewAnomaly"}],
    )
    assert list(validate("AccountSnapshot", doc)) == []


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-06-30T00:00:00Z", True),
        ("2021-12-08T00:25:45.69", True),
        ("2026-06-30T10:00:00+05:30", True),
        ("2026-06-30", True),
        ("2026-02-30T00:00:00Z", False),
        ("9999-12-31T23:59:59.9970000", False),
        ("2026-06-30T25:00:00Z", False),
        ("yesterday", False),
    ],
)
def test_as_of_must_be_a_time_both_engines_can_represent(value: str, valid: bool) -> None:
    doc = _snapshot()
    doc["asOf"] = value
    errors = list(validate("AccountSnapshot", doc))
    assert (errors == []) is valid
    if not valid:
        assert errors[0].path == ("asOf",)


def test_every_schema_date_uses_the_one_year_limited_pattern() -> None:
    found = []
    for name in ("account-snapshot.schema.json", "partner-configuration.schema.json",
                 "waivers.schema.json"):
        text = (schema_dir() / name).read_text(encoding="utf-8")
        assert '"checker-date"' not in text
        found += re.findall(r'"format": "date",\s*"pattern": ("[^"]*")', text)
    assert len(found) == 3 and {json.loads(p) for p in found} == {DATE_PATTERN}


def test_the_date_time_pattern_is_the_schemas() -> None:
    text = (schema_dir() / "account-snapshot.schema.json").read_text(encoding="utf-8")
    assert json.dumps(DATE_TIME_PATTERN) in text


_PIECES = {
    "year": ["2026", "2024", "1677", "1678", "2261", "2262", "0000"],
    "month": ["02", "06", "12", "13", "00"],
    "day": ["28", "29", "30", "31", "00"],
    "sep": ["T", "t", " "],
    "hour": ["00", "23", "24"], "minute": ["00", "59", "60"], "second": ["00", "59", "60"],
    "fraction": ["", ".1", ".123456789", ".1234567891", "."],
    "offset": ["", "Z", "z", "+00:00", "-23:59", "+24:00", "+05:60", "+0530"],
}


@given(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in _PIECES.items()}),
       st.booleans())
def test_date_time_verdicts_equal_the_python_check_with_one_message(
        piece: dict[str, str], with_time: bool) -> None:
    # The compiled formats answer most date-times; the verdict must stay is_date_time's.
    value = f"{piece['year']}-{piece['month']}-{piece['day']}"
    if with_time:
        value += (f"{piece['sep']}{piece['hour']}:{piece['minute']}:{piece['second']}"
                  f"{piece['fraction']}{piece['offset']}")
    doc = _snapshot()
    doc["asOf"] = value
    errors = list(validate("AccountSnapshot", doc))
    expected = [] if is_date_time(value) else [SchemaError(
        ("asOf",), f'"{value}" is not an RFC 3339 date-time (or date) between 1678 and 2261, '
                   "e.g. 2026-06-30T00:00:00Z")]
    assert errors == expected


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-06-30", True), ("2024-02-29", True), ("1678-01-01", True), ("2261-12-31", True),
        ("2026-02-29", False), ("2026-04-31", False), ("1677-12-31", False),
        ("2262-01-01", False), ("0000-01-01", False), ("2026-6-30", False), ("soon", False),
    ],
)
def test_dates_are_calendar_dates_both_engines_can_represent(value: str, valid: bool) -> None:
    doc = _snapshot(creditDecision={"decision": "granted", "decidedOn": value})
    errors = list(validate("AccountSnapshot", doc))
    expected = [] if valid else [SchemaError(
        ("customers", 0, "creditDecision", "decidedOn"),
        f'"{value}" is not a calendar date YYYY-MM-DD between 1678 and 2261')]
    assert errors == expected


def _bounds(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                yield value
            else:
                yield from _bounds(value)
    elif isinstance(node, list):
        for value in node:
            yield from _bounds(value)


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES.values()))
def test_input_schemas_bound_numbers_with_integers(name: str) -> None:
    # jsonschema-rs compares a number with a float bound through its text: every amount of
    # a snapshot costs a conversion, which made validation twice as slow as it is.
    bounds = list(_bounds(json.loads((schema_dir() / name).read_text(encoding="utf-8"))))
    assert [b for b in bounds if not isinstance(b, int)] == []
