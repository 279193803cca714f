"""Trimming unread members from a chunk's text (bench/trim_members.py, measured, not used).

Three kinds of checks: the trimmed text parses to exactly the original without the
removable members (hand-made edge cases, random JSON in random layouts, generated
customers); no shipped rule reads a trimmed key (recomputed from rego/, so that a rule
that starts reading one breaks this test rather than the verdicts); and regorus gives the
same ``data.checker.main.accounts`` answer on trimmed and untrimmed text for the example
snapshots, an imported Partner Center export, every rule's METADATA examples and
generated snapshots.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.cli import cli
from checker.engines.embedded import EmbeddedEngine
from checker.loading import load_file
from checker.normalize import normalize_snapshot
from checker.policies import load_policies
from tests.conftest import EXAMPLES, FIXTURES, ROOT, bench_generator, bench_module
from tests.documents import merge_patch

_TRIM = bench_module("trim_members")
TRIMMED_KEYS = _TRIM.TRIMMED_KEYS
trim_members = _TRIM.trim_members

REGO = ROOT / "rego"
SCHEMA = ROOT / "schemas" / "account-snapshot.schema.json"


def parse(text: bytes) -> list[Any]:
    """A chunk's values, with every object's members in their order (pairs, not dicts)."""
    value: list[Any] = json.loads(b"[" + text + b"]", object_pairs_hook=lambda pairs: pairs)
    return value


def without_removable(value: Any) -> Any:
    """What trimming must leave: members named in TRIMMED_KEYS with scalar values gone."""
    if isinstance(value, list) and all(isinstance(p, tuple) for p in value) and value:
        return [(k, without_removable(v)) for k, v in value
                if not (k in TRIMMED_KEYS and not isinstance(v, list))]
    if isinstance(value, list):
        return [without_removable(v) for v in value]
    return value


def assert_trims(text: bytes) -> bytes:
    trimmed = trim_members(text)
    assert trimmed is not None
    assert parse(trimmed) == without_removable(parse(text))
    return trimmed


# --- hand-made edge cases ------------------------------------------------------------------

EDGE_CASES = {
    "only member": b'{"domain":"contoso.onmicrosoft.com"}',
    "first member": b'{"tenantId":"t-1","companyName":"Contoso"}',
    "last member": b'{"companyName":"Contoso","domain":"contoso.com"}',
    "middle member": b'{"id":"s","offerName":"Microsoft 365 E3","status":"active"}',
    "every member": b'{"tenantId":"t","domain":"d","by":"x"}',
    "first two then a kept one": b'{"tenantId":"t","domain":"d","companyName":"n"}',
    "kept, then the last two": b'{"companyName":"n","tenantId":"t","domain":"d"}',
    "alternating": b'{"a":1,"by":"x","b":2,"title":"y","c":3,"type":"z"}',
    "whitespace and newlines": b'{\n  "tenantId" : "t" ,\n\t"domain":\r\n "d",\n  "id": "x"\n}',
    "whitespace, last member": b'{ "id": "x" ,  "domain" :  "d"  }',
    "whitespace, only member": b'{ \n "domain" : "d" \n }',
    "python separators": b'{"id": "x", "verifiedOn": "2026-01-01", "prepaid": true}',
    "values with : , { } [ ]": b'{"title":"a: b, {c} [d]","id":"x:{,}","by":"},{"}',
    "non-ASCII": "{\"offerName\":\"Büro 365 — 東京 😀\",\"id\":\"é\"}".encode(),
    "escaped non-ASCII": b'{"offerName":"B\\u00fcro","id":"\\u00e9\\n"}',
    "key names inside strings": b'{"id":"domain","note":"tenantId: by, type","title":"by"}',
    "key names as array items": b'{"tags":["domain","by"],"type":["a"],"by":"x"}',
    "key name as a value then a key": b'{"relationshipToPartner":"by","by":"z"}',
    "booleans, null, numbers": (b'{"autoRenewEnabled":true,"hitCount":12,"by":null,'
                                b'"x":1,"resolvedOn":false,"type":-1.5e+3,"title":0}'),
    "numbers, last members": b'{"x":1,"hitCount":12}, {"y":2,"hitCount":-0.25E-2}',
    "object and array values kept": b'{"domain":{"name":"d"},"title":[1,2],"by":"x"}',
    "nested objects": (b'{"companyProfile":{"tenantId":"t","domain":"d","companyName":"n"},'
                       b'"subscriptions":[{"id":"s","offerName":"o","refundOptions":'
                       b'[{"type":"Full","expiresAt":"2026-07-01T00:00:00Z"}]}]}'),
    "empty objects and arrays": b'{"a":{},"b":[],"c":[{}],"domain":"d"}',
    "similar names kept": b'{"Domain":"a","domains":"b","xdomain":"c","tenantid":"d"}',
    "several customers": (b'{"id":"a","companyProfile":{"domain":"d"}},\n'
                          b'{"id":"b","companyProfile":{"tenantId":"t"}} ,\r\n {"by":"c"}'),
}


@pytest.mark.parametrize("text", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_edge_cases_parse_to_the_original_without_the_removable_members(text: bytes) -> None:
    assert_trims(text)


def test_what_trimming_leaves_exactly() -> None:
    assert trim_members(b'{"domain":"d"}') == b"{}"
    assert trim_members(b'{"tenantId":"t","domain":"d","companyName":"n"}') \
        == b'{"companyName":"n"}'
    assert trim_members(b'{ "id": "x" ,  "domain" :  "d"  }') == b'{ "id": "x"   }'
    assert trim_members(b'[{"by":"x","a":1},2]') == b'[{"a":1},2]'
    # Not a member, or a value kind that is kept: nothing changes.
    kept = b'{"id":"domain","tags":["by"],"title":{"by":[1]},"dom\\u0061in":"d"}'
    assert trim_members(kept) == kept


def test_a_key_written_with_escapes_is_kept() -> None:
    text = b'{"dom\\u0061in":"d","id":"x"}'
    assert trim_members(text) == text


@pytest.mark.parametrize("text", [
    b'{"id":"say \\"hi\\"","domain":"d"}',
    b'{"id":"ends in a backslash \\\\","domain":"d"}',
    b'{"a\\"b":1}',
])
def test_text_with_an_escaped_quote_is_not_trimmed(text: bytes) -> None:
    assert trim_members(text) is None


def test_backslashes_without_a_quote_after_them_are_trimmed() -> None:
    trimmed = assert_trims(b'{"id":"a\\\\b\\n\\u00e9","domain":"d\\/e"}')
    assert trimmed == b'{"id":"a\\\\b\\n\\u00e9"}'


# --- random JSON in random layouts ---------------------------------------------------------

NAMES = sorted(TRIMMED_KEYS) + ["id", "companyName", "Domain", "domains", "status", "x y",
                                "é", "a:b", "{", ","]
# Strings made of JSON's structural characters, quotes, backslashes, non-ASCII and the
# trimmed key names themselves.
TEXT = st.lists(st.sampled_from(list('ab :,{}[]"\\/é東😀\n\t') + sorted(TRIMMED_KEYS)),
                max_size=8).map("".join)
SCALARS = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
           | st.floats(allow_nan=False, allow_infinity=False) | TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(NAMES) | TEXT, inner, max_size=6),
    max_leaves=12,
)
CUSTOMERS = st.lists(st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=8),
                     min_size=1, max_size=4)
SPACE = st.sampled_from(["", "", "", " ", "\n", "\r\n  ", "\t", "  "])


@st.composite
def layouts(draw: st.DrawFn) -> bytes:
    """The customers as JSON text, with whitespace (drawn in turn) between every two tokens."""
    ascii_only = draw(st.booleans())
    spaces = itertools.cycle(draw(st.lists(SPACE, min_size=1, max_size=9)))

    def write(value: Any) -> str:
        if isinstance(value, dict):
            members = [f"{next(spaces)}{json.dumps(k, ensure_ascii=ascii_only)}{next(spaces)}:"
                       f"{next(spaces)}{write(v)}{next(spaces)}" for k, v in value.items()]
            return "{" + ",".join(members) + (next(spaces) if not members else "") + "}"
        if isinstance(value, list):
            items = [f"{next(spaces)}{write(v)}{next(spaces)}" for v in value]
            return "[" + ",".join(items) + "]"
        return json.dumps(value, ensure_ascii=ascii_only)

    customers = draw(CUSTOMERS)
    return ",".join(f"{next(spaces)}{write(c)}{next(spaces)}" for c in customers).encode()


@settings(max_examples=200, deadline=None)
@given(layouts())
def test_random_json_parses_to_the_original_without_the_removable_members(text: bytes) -> None:
    if b'\\"' in text:
        assert trim_members(text) is None
    else:
        assert_trims(text)


# --- generated customers -------------------------------------------------------------------

def generated_chunks(customers: int, seed: int) -> dict[str, bytes]:
    """Generated customers as a chunk in three layouts: one per line, Python's, indented."""
    values = bench_generator().snapshot(customers, seed)["customers"]
    return {
        "one per line": b",\n".join(orjson.dumps(c) for c in values),
        "python separators": json.dumps(values, ensure_ascii=False)[1:-1].encode(),
        "indented": json.dumps(values, indent=2)[1:-1].encode(),
    }


@pytest.mark.parametrize("seed", [1, 2, 20260630])
def test_generated_customers_parse_to_the_original_without_the_removable_members(
        seed: int) -> None:
    for text in generated_chunks(300, seed).values():
        trimmed = assert_trims(text)
        # Not vacuous: generated customers carry a fifth of their bytes in these members.
        assert len(trimmed) < 0.85 * len(text)


# --- no shipped rule reads a trimmed key ---------------------------------------------------

# Rego string literals (raw or not) and comments; everything else is code.
_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|#[^\n]*')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Builtins that see every member of an object (its keys, or all of it as text): with one
# of these applied to a customer, trimming could change an answer.
_WHOLE_OBJECT = re.compile(
    r"\b(?:walk|object\.(?:keys|filter|remove|subset|union|union_n)|"
    r"json\.(?:marshal|marshal_with_options|filter|remove|patch)|yaml\.marshal)\s*\(")


def names_used(source: str) -> set[str]:
    """Every name a Rego module may read input members by.

    Identifiers anywhere in the code (``c.companyProfile.domain``, ``c[domain]``) and the
    words of string literals without spaces (``object.get(x, "domain", "")``, paths like
    ``["onboarding", "verifiedOn"]`` or ``"a.b"``); comments and prose (messages) aside.
    """
    used: set[str] = set()
    position = 0
    for token in _TOKENS.finditer(source):
        used.update(_WORD.findall(source[position:token.start()]))
        position = token.end()
        text = token.group(0)
        if text[0] in '"`' and not any(c.isspace() for c in text[1:-1]):
            used.update(_WORD.findall(text))
    used.update(_WORD.findall(source[position:]))
    return used


def shipped_modules() -> list[Path]:
    modules = sorted(p for p in REGO.rglob("*.rego") if not p.name.endswith("_test.rego"))
    assert len(modules) >= 8
    return modules


def test_no_shipped_rule_reads_a_trimmed_key() -> None:
    used: set[str] = set()
    for module in shipped_modules():
        used |= names_used(module.read_text(encoding="utf-8"))
    # The scan sees what the rules read, including through object.get and paths.
    assert {"companyName", "billingType", "paidAmount", "unbilledUsage", "termDuration",
            "identityVerified", "filedWith"} <= used
    assert not TRIMMED_KEYS & used


def test_the_scan_finds_a_rule_reading_a_trimmed_key() -> None:
    reads = {
        "c.companyProfile.domain == x": {"domain"},
        'object.get(ev, "hitCount", 0)': {"hitCount"},
        'object.get(c, ["onboarding", "verifiedOn"], "")': {"verifiedOn"},
        "s[key]; key := \"offerName\"": {"offerName"},
        '# c.domain in a comment\nx := "the domain of the tenantId"': set(),
    }
    for source, expected in reads.items():
        assert TRIMMED_KEYS & names_used(source) == expected, source


def test_no_shipped_rule_hands_a_whole_customer_object_to_a_builtin() -> None:
    for module in shipped_modules():
        source = module.read_text(encoding="utf-8")
        code = _TOKENS.sub(lambda m: '""' if m.group(0)[0] in '"`' else "", source)
        if "input.snapshot" not in code and "lib" not in module.parts:
            continue  # configuration rules: they never see a customer
        assert not _WHOLE_OBJECT.search(code), module


def test_trimmed_keys_are_customer_members_of_the_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    names: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for child in node.values():
                collect(child)
        elif isinstance(node, list):
            for child in node:
                collect(child)

    collect(schema["$defs"]["customer"])
    assert TRIMMED_KEYS <= names


# --- the same answers from regorus ---------------------------------------------------------

ENGINE = EmbeddedEngine()
ENGINE.load(load_policies().without_tests())
QUERY = "checker.main.accounts"


def input_prefix(configuration: dict[str, Any], snapshot: dict[str, Any], as_of: str) -> bytes:
    """The policy input up to the customers array, as checker builds it for a chunk."""
    header = orjson.dumps({k: v for k, v in snapshot.items() if k != "customers"})
    return (b'{"configuration":' + orjson.dumps(configuration) + b',"asOf":'
            + orjson.dumps(as_of) + b',"snapshot":' + header[:-1] + b',"customers":')


def answer(prefix: bytes, text: bytes) -> Any:
    return ENGINE.evaluate(QUERY, (prefix + b"[" + text + b"]}}").decode())


def same_answers(configuration: dict[str, Any], snapshot: dict[str, Any]) -> Any:
    prefix = input_prefix(configuration, snapshot, snapshot["asOf"])
    layouts = [b",\n".join(orjson.dumps(c) for c in snapshot["customers"]),
               json.dumps(snapshot["customers"], indent=2)[1:-1].encode()]
    untrimmed = None
    for text in layouts:
        trimmed = trim_members(text)
        assert trimmed is not None
        assert len(trimmed) < len(text)
        untrimmed = answer(prefix, text)
        assert answer(prefix, trimmed) == untrimmed
    return untrimmed


EXAMPLE_SNAPSHOTS = sorted(p for p in EXAMPLES.rglob("snapshot.*")
                           if p.suffix in {".json", ".yaml", ".yml"})


@pytest.mark.parametrize("path", EXAMPLE_SNAPSHOTS,
                         ids=[str(p.relative_to(EXAMPLES)) for p in EXAMPLE_SNAPSHOTS])
def test_example_snapshots_give_the_same_answers_trimmed(path: Path) -> None:
    (snapshot,) = load_file(path)
    (configuration,) = load_file(path.parent / "partner.yaml")
    data = json.loads(json.dumps(snapshot.data))
    normalize_snapshot(data)
    answer = same_answers(configuration.data, data)
    if "noncompliant" in path.parts:
        assert answer["deny"]


def test_an_imported_partner_center_export_gives_the_same_answers_trimmed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = FIXTURES / "partner-center"
    shutil.copytree(source / "export", tmp_path / "export")
    for name in ("receivables.csv", "credit.csv", "partner.yaml"):
        shutil.copy(source / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [
        "import", "partner-center", "export", "--partner-id", "contoso", "--receivables",
        "receivables.csv", "--credit", "credit.csv", "--as-of", "2026-06-30",
        "-o", "snapshot.json"])
    assert result.exit_code == 0, result.output
    snapshot = json.loads((tmp_path / "snapshot.json").read_text(encoding="utf-8"))
    (configuration,) = load_file(tmp_path / "partner.yaml")
    # Partner Center writes a fraud event's activityLogs as JSON inside a string, with
    # escaped quotes: such customers are not trimmed; the others are.
    texts = [orjson.dumps(c) for c in snapshot["customers"]]
    assert trim_members(b",".join(texts)) is None
    plain = [c for c, text in zip(snapshot["customers"], texts, strict=True)
             if b'\\"' not in text]
    assert 0 < len(plain) < len(texts)
    assert same_answers(configuration.data, {**snapshot, "customers": plain})["deny"]


ACCOUNT_RULES = sorted((r for r in load_policies().rules.values() if r.target == "accounts"),
                       key=lambda r: r.id)


@pytest.mark.parametrize("rule", ACCOUNT_RULES, ids=lambda r: r.id)
def test_rule_examples_give_the_same_answers_trimmed(rule: Any) -> None:
    for example in rule.examples.values():
        patch = example.get("configuration") or {}
        cloud = patch.get("cloud", "global")
        (base,) = load_file(EXAMPLES / cloud / "compliant" / "partner.yaml")
        configuration = merge_patch(base.data, patch)
        as_of = example.get("asOf", "2026-06-30T00:00:00Z")
        snapshot = merge_patch({"apiVersion": "checker/v1", "kind": "AccountSnapshot",
                                "asOf": as_of, "partnerId": configuration["partner"]["id"],
                                "customers": []}, example.get("snapshot") or {})
        if not snapshot["customers"]:
            continue
        # Every customer also carries the members no rule reads, so that there is
        # something to trim.
        for customer in snapshot["customers"]:
            customer.setdefault("companyProfile", {}).setdefault("domain", "x.example")
        same_answers(configuration, snapshot)


@pytest.mark.parametrize("seed", [1, 2, 20260630])
def test_generated_snapshots_give_the_same_answers_trimmed(seed: int) -> None:
    generate = bench_generator()
    snapshot = generate.snapshot(1000, seed)
    answer = same_answers(generate.configuration(), snapshot)
    assert len(answer["deny"]) > 50
