"""The chunked reader of JSON snapshots reports exactly what the whole-file reader does.

Each test writes one snapshot in some layout, checks it streamed in small chunks with two
worker processes and again read whole (``checker.loading.load_file``), and compares the
JSON reports byte for byte: findings, messages, pointers, lines and columns.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import checker.chunks
import checker.stages.sources
from checker.chunks import StreamJob, check_chunks
from checker.formats import FORMATTERS
from checker.loading import load_file
from checker.runner import CheckOptions, check, validate_only
from checker.stream import (
    Chunk,
    ChunkLocator,
    StreamedDocument,
    StreamSettings,
    braces_outside_strings,
    exact_chunks,
    load_input,
    open_snapshot,
)
from tests.conftest import EXAMPLES
from tests.documents import PARTNER

SMALL_CHUNKS = 700


def _customer(i: int, name: str = "") -> dict[str, Any]:
    """A customer that fires several rules (past due with an active subscription...)."""
    return {
        "id": f"c-{i}",
        "companyProfile": {"companyName": name or f"Customer {i}"},
        "onboarding": {"identityVerified": i % 3 != 0, "firstOrderDate": "2025-01-01"},
        "receivables": {"currency": "USD", "invoices": [
            {"id": f"inv-{i}", "dueDate": "2026-03-01", "amount": 100 + i, "paidAmount": 0}]},
        "creditDecision": {"decision": "granted", "limit": 50, "approvedBy": "cfo@x.example",
                           "decidedOn": "2026-01-10", "creditCheckDate": "2026-01-05"},
        "subscriptions": [{"id": f"s-{i}", "status": "active", "billingType": "usage"},
                          {"id": f"t-{i}", "status": "suspended"}],
        "usageSummary": {"budget": None, "totalCost": 10.5},
    }


def _snapshot(customers: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "checker/v1", "kind": "AccountSnapshot",
            "asOf": "2026-06-30T00:00:00Z", "partnerId": "contoso",
            "partnerInvoices": [{"id": "G1", "invoiceDate": "2026-01-01",
                                 "totalCharges": 10.0}],
            "customers": customers}


def _both(folder: Path, monkeypatch: pytest.MonkeyPatch,
          run: Callable[[Path], Any] | None = None) -> tuple[str, str]:
    """(streamed report, whole-file report) of the folder, as JSON text."""
    run = run or (lambda f: check(CheckOptions(paths=(f,), chunk_bytes=SMALL_CHUNKS, jobs=2)))
    render = FORMATTERS["json"]().render
    streamed = render(run(folder))
    with monkeypatch.context() as patch:
        patch.setattr(checker.stages.sources, "load_input",
                      lambda path, _, name=None: load_file(path, name))
        whole = render(run(folder))
    return streamed, whole


def _write(folder: Path, text: str | bytes) -> Path:
    (folder / "partner.json").write_text(json.dumps(PARTNER))
    path = folder / "snapshot.json"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def _pascal(customer: dict[str, Any]) -> dict[str, Any]:
    customer = copy.deepcopy(customer)
    customer["subscriptions"] = [{k[0].upper() + k[1:]: v for k, v in s.items()}
                                 for s in customer["subscriptions"]]
    return customer


LAYOUTS: dict[str, Callable[[list[dict[str, Any]]], str | bytes]] = {
    "one line": lambda cs: json.dumps(_snapshot(cs), separators=(",", ":")),
    "indented CRLF": lambda cs: json.dumps(_snapshot(cs), indent=2).replace("\n", "\r\n"),
    "escaped non-ASCII": lambda cs: json.dumps(_snapshot(cs), ensure_ascii=True),
    "raw non-ASCII": lambda cs: json.dumps(_snapshot(cs), ensure_ascii=False, indent=1),
    "customers first": lambda cs: json.dumps(
        {"customers": cs, **{k: v for k, v in _snapshot([]).items() if k != "customers"}}),
    "BOM": lambda cs: b"\xef\xbb\xbf" + json.dumps(_snapshot(cs), indent=1).encode(),
    "PascalCase": lambda cs: json.dumps(_snapshot([_pascal(c) for c in cs]), indent=1),
}
NAMES = ["Zoë Åström GmbH", "Brace } Co", "[Bracket Ltd", 'Quote "}," {[ Inc', "Plain Ltd",
         "日本 株式会社"]


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
def test_streamed_report_is_the_whole_file_report(layout: str, in_tmp: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    customers = [_customer(i, NAMES[i % len(NAMES)]) for i in range(40)]
    path = _write(in_tmp, LAYOUTS[layout](customers))
    doc = open_snapshot(path, "snapshot.json", SMALL_CHUNKS)
    assert doc is not None and len(doc.source.chunks) > 5
    streamed, whole = _both(in_tmp, monkeypatch)
    assert '"ruleId": "ACCT-001"' in streamed
    assert streamed == whole


def test_unbalanced_brackets_in_strings_still_split_on_customers(
        in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every name has a stray closing brace and bracket, and a later string the opening
    # ones: bracket counts balance inside customers, between their subscriptions, so the
    # split guesses wrong places, which parsing rejects; those ranges are split again
    # exactly, without reading the file whole.
    customers = [_customer(i, f"Odd }}] name {i}" if i < 20 else "") for i in range(30)]
    for customer in customers[:20]:
        customer["subscriptions"][1]["offerName"] = "Fix [{ it"
    path = _write(in_tmp, json.dumps(_snapshot(customers), indent=1))
    # Chunks shorter than a customer, so that the split looks inside customers.
    doc = open_snapshot(path, "snapshot.json", 300)
    assert doc is not None and len(doc.source.chunks) > 5
    resplit = []
    monkeypatch.setattr(checker.chunks, "exact_chunks",
                        lambda *args: resplit.append(args) or exact_chunks(*args))
    streamed, whole = _both(in_tmp, monkeypatch, lambda f: check(
        CheckOptions(paths=(f,), chunk_bytes=300, jobs=2)))
    assert resplit
    assert streamed == whole
    findings = json.loads(streamed)["findings"]
    assert len([f for f in findings if f["ruleId"] == "ACCT-001"]) == 30


def test_schema_errors_in_customers_are_located_like_the_whole_file(
        in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    customers: list[Any] = [_customer(i) for i in range(20)]
    customers[3]["subscriptions"][0]["status"] = 7
    customers[11]["creditDecision"]["decidedOn"] = "2026-02-30"
    del customers[15]["id"]
    customers[17] = "not a customer"
    _write(in_tmp, json.dumps(_snapshot(customers), indent=2))
    for run in (None, lambda f: validate_only([f], jobs=2)):
        streamed, whole = _both(in_tmp, monkeypatch, run)
        assert streamed.count('"ruleId": "CHK-SCHEMA"') == 4
        assert streamed == whole


def test_more_than_100_schema_errors_are_cut_like_the_whole_file(
        in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    customers = [{"id": i} for i in range(150)]
    _write(in_tmp, json.dumps(_snapshot(customers), indent=1))
    streamed, whole = _both(in_tmp, monkeypatch)
    assert "more than 100 schema errors" in streamed
    assert streamed == whole


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (b'{"id": "c-5", "id": "again"}', "duplicate key 'id'"),
        (b'{"id": "c-5",, }', "invalid JSON"),
        (b'{"id": "c-5\xff"}', "expected UTF-8 text"),
        (b'{"id": "c-5", "n": NaN}', ""),
    ],
    ids=["duplicate key", "syntax error", "invalid UTF-8", "NaN"],
)
def test_files_the_chunked_reader_cannot_take_are_read_whole(
        broken: bytes, expected: str, in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    customers = [json.dumps(_customer(i)).encode() for i in range(12)]
    customers[5] = broken
    body = json.dumps(_snapshot([]), indent=1).encode()
    text = body.replace(b'"customers": []', b'"customers": [\n' + b",\n".join(customers) + b"]")
    _write(in_tmp, text)
    streamed, whole = _both(in_tmp, monkeypatch)
    assert streamed == whole
    assert expected in streamed


def test_an_empty_customers_array_is_evaluated_once(in_tmp: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(in_tmp, json.dumps(_snapshot([]), indent=1))
    doc = load_input(path)[0]
    assert isinstance(doc, StreamedDocument) and doc.source.chunks == ()
    streamed, whole = _both(in_tmp, monkeypatch)
    assert streamed == whole


@pytest.mark.parametrize(
    "text",
    ['{"kind": "PartnerConfiguration", "customers": []}', "[1, 2]", '{"customers": {}}',
     '{"a": 1}', '{"kind": "AccountSnapshot", "customers": [{"id": "x"}], "customers": []}'],
)
def test_other_json_is_read_whole(text: str, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(text)
    assert open_snapshot(path, "x.json") is None


class _FirstCustomerEngine:
    """A fake engine: every batch's first customer fails rule FAKE-1 at its id."""

    name = "fake"

    def __init__(self) -> None:
        self.batches = 0

    def evaluate(self, rule: str, input_json: str) -> Any:
        self.batches += 1
        first = json.loads(input_json)["snapshot"]["customers"][0]["id"]
        return {"deny": [{"rule": "FAKE-1", "msg": first, "path": ["customers", 0, "id"]}],
                "not_applicable": []}


def test_an_engine_workers_cannot_copy_evaluates_in_this_process(in_tmp: Path) -> None:
    path = _write(in_tmp, json.dumps(_snapshot([_customer(i) for i in range(40)]), indent=1))
    doc = open_snapshot(path, "snapshot.json", 4000)
    assert doc is not None and len(doc.source.chunks) > 5
    settings = StreamSettings(jobs=2, chunk_bytes=4000)  # no EngineSpec
    validated = check_chunks(doc, StreamJob(str(path)), settings)
    doc = replace(doc, source=doc.source.read(validated.chunks, validated.counts,
                                              validated.plain, validated.errors))
    engine = _FirstCustomerEngine()
    checked = check_chunks(doc, StreamJob(str(path), b'{"snapshot":{"customers":', 2),
                           settings, engine, stage="evaluate")
    assert engine.batches == len(checked.findings) == 20
    whole = load_file(path)[0].locator
    for found in checked.findings:
        index = int(found.message.removeprefix("c-"))
        assert found.index == index
        expected = whole.locate(["customers", index, "id"])
        assert (found.position.pointer, found.position.line, found.position.column) == (
            expected.pointer, expected.line, expected.column)


@pytest.mark.parametrize(("names", "guessed"), [
    (["Zoë Åström GmbH", "日本 株式会社", "Balanced {[]} Ltd", "Plain Ltd"], True),
    (NAMES, False),
    (["Odd }}] name", "Fix [{ it", "},{", "Plain"], False),
], ids=["balanced names", "mixed names", "unbalanced brackets"])
@pytest.mark.parametrize("indent", [None, 1])
def test_chunk_locator_finds_what_the_exact_scan_finds(names: list[str], guessed: bool,
                                                         indent: int | None) -> None:
    # The locator guesses where customers start from bracket counts; where a bracket
    # in a string fools it, the guessed text does not parse to the customer and the
    # exact scan answers instead. Either way every position is the exact one.
    customers = [_customer(i, names[i % len(names)]) for i in range(12)]
    text = json.dumps(customers, indent=indent, ensure_ascii=False)[1:-1].strip()
    raw = text.encode()
    chunk = Chunk(100, 100 + len(raw), 7, 3)
    paths: list[list[str | int]] = []
    for i in reversed(range(len(customers))):
        paths += [[i], [i, "companyProfile", "companyName"], [i, "subscriptions", 1, "status"],
                  [i, "receivables", "invoices", 0, "dueDate"], [i, "nothing", "here"]]
    fast = ChunkLocator(text, chunk, raw, customers)
    exact = ChunkLocator(text, chunk)
    assert [fast.locate(p) for p in paths] == [exact.locate(p) for p in paths]
    assert len({exact.locate([i]) for i in range(len(customers))}) == len(customers)
    assert (fast._starts is not None) == guessed


@pytest.mark.parametrize(("layout", "name", "as_text"), [
    ("indented CRLF", "Plain Ltd", True),
    ("raw non-ASCII", "Zoë Åström GmbH", True),
    ("PascalCase", "Plain Ltd", False),  # keys to normalize: parsed first
    ("one line", "Odd }} name", False),  # braces fool the guess: parsed after all
])
def test_chunks_go_to_the_engine_as_text_when_nothing_needs_changing(
        layout: str, name: str, as_text: bool, in_tmp: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _write(in_tmp, LAYOUTS[layout]([_customer(i, name) for i in range(40)]))
    answers: list[Any] = []
    evaluate_text = checker.chunks._evaluate_text
    monkeypatch.setattr(checker.chunks, "_evaluate_text",
                        lambda *args: answers.append(evaluate_text(*args)) or answers[-1])
    streamed, whole = _both(in_tmp, monkeypatch, lambda f: check(
        CheckOptions(paths=(f,), chunk_bytes=SMALL_CHUNKS, jobs=1)))
    assert streamed == whole
    taken = [answer is not None for answer in answers]
    assert (bool(taken) and all(taken)) if as_text else not any(taken)


@pytest.mark.parametrize("arrays", [61, 62])
def test_nesting_is_bounded_in_streamed_snapshots_as_in_whole_files(
        arrays: int, in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The innermost value under a customer's "extra" has the path customers, index, extra
    # and one index per array: 62 arrays make it 65 parts, one more than any reader takes.
    value: Any = 0
    for _ in range(arrays):
        value = [value]
    customers = [_customer(i) for i in range(20)]
    customers[13]["extra"] = value
    _write(in_tmp, json.dumps(_snapshot(customers), indent=1))
    streamed, whole = _both(in_tmp, monkeypatch)
    assert streamed == whole
    assert ('"ruleId": "CHK-LOAD"' in streamed) is (arrays == 62)
    assert ('"ruleId": "ACCT-001"' in streamed) is (arrays == 61)


@pytest.mark.parametrize(("literal", "rule"), [
    ("1E2", None), ("-0.0", None), ("1e-320", None), ("1.0000000000000001", None),
    ("1e15", None),
    ("-1e308", "CHK-SCHEMA"),  # beyond what whole cents keep exact
    ("12345678901234567890", "CHK-SCHEMA"),  # a 64-bit integer, but beyond 1e15
    ("100000000000000000000000", "CHK-LOAD"),  # beyond 64 bits: orjson would make it a float
    ("1e400", "CHK-LOAD"),  # not finite
])
def test_odd_numbers_are_read_alike_streamed_or_whole(
        literal: str, rule: str | None, in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = json.dumps(_snapshot([_customer(i) for i in range(12)]), indent=1)
    _write(in_tmp, text.replace('"limit": 50', f'"limit": {literal}', 3))
    streamed, whole = _both(in_tmp, monkeypatch)
    assert streamed == whole
    rules = {f["ruleId"] for f in json.loads(streamed)["findings"]}
    assert rules & {"CHK-LOAD", "CHK-SCHEMA"} == ({rule} if rule else set())


def _plain_compliant(index: int, name: str, subscriptions: int = 2) -> dict[str, Any]:
    """A customer of the compliant example that fires no rule, its keys all camelCase."""
    (example,) = load_file(EXAMPLES / "global" / "compliant" / "snapshot.json")
    customer = copy.deepcopy(example.data["customers"][1])
    first = customer["subscriptions"][0]
    customer.update(id=f"c-{index}", companyProfile={"companyName": name},
                    subscriptions=[{**first, "id": f"s-{index}-{k}"}
                                   for k in range(subscriptions)])
    customer["receivables"]["invoices"][0]["id"] = f"inv-{index}"
    return customer


def test_braces_in_names_that_fool_the_guess_in_step_still_locate_each_customer(
        in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A "}" in customer 2's name and a "{" in customer 4's throw brace counts off by one
    # between them: the starts of customers 3 and 4 are missed, and the three places
    # between the subscriptions of customers 2 and 3 taken for starts. Between customers
    # 10 and 12 the same, with one subscription fewer, so the count of starts comes out
    # right while customers 5 to 9 start where customers 6 to 10 are guessed to. The
    # findings of customers 6 to 9 (the only ones with findings) must be located at them.
    customers = [_plain_compliant(i, f"Customer {i}") for i in range(30)]
    customers[6:10] = [_customer(i) for i in range(6, 10)]
    customers[2] = _plain_compliant(2, "Brace } Co")
    customers[3] = _plain_compliant(3, "Three subscriptions", 3)
    customers[4] = _plain_compliant(4, "Open { Co")
    customers[10] = _plain_compliant(10, "Shut } Co")
    customers[11] = _plain_compliant(11, "One subscription", 1)
    customers[12] = _plain_compliant(12, "Wide { Co")
    _write(in_tmp, json.dumps(_snapshot(customers), separators=(",", ":")))
    streamed, whole = _both(in_tmp, monkeypatch, lambda f: check(
        CheckOptions(paths=(f,), jobs=1)))
    assert streamed == whole
    located = {f["customer"] for f in json.loads(streamed)["findings"]
               if f["ruleId"] == "ACCT-001"}
    assert located == {"c-6", "c-7", "c-8", "c-9"}


@pytest.mark.parametrize(("text", "outside"), [
    (b'{"a":"x","b":{"c":[1,{}]}}', True),
    (b'{"a":"x}"}', False),
    (b'{"a":"{","b":"}"}', False),
    (b'{"a":"","b":"c{d","e":""}', False),
    (b'{"":""},{"k":"v"}', True),
])
def test_braces_inside_strings_are_told_apart(text: bytes, outside: bool) -> None:
    assert braces_outside_strings(text) is outside
