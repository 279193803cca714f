from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError
from checker.loading import discover, load_file, parse_json, parse_yaml


def test_yaml_values_stay_json_shaped() -> None:
    (doc,) = parse_yaml(
        "date: 2026-01-01\nnorway: NO\nyes_: yes\nflag: true\nn: 3\nf: 1.5\nnull_: ~\n"
        "hex: 0x1F\n",
        "x.yaml",
    )
    assert doc.data == {
        "date": "2026-01-01",
        "norway": "NO",
        "yes_": "yes",
        "flag": True,
        "n": 3,
        "f": 1.5,
        "null_": None,
        "hex": "0x1F",
    }


def test_yaml_duplicate_key_is_rejected_with_its_position() -> None:
    with pytest.raises(InputError) as info:
        parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\n", "dup.yaml")
    assert (info.value.line, info.value.column) == (4, 3)
    assert "duplicate key 'c'" in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['true']\n",
        "a: !custom 1\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x}\n",
    ],
)
def test_yaml_tags_are_rejected(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_yaml(text, "tag.yaml")
    assert info.value.line == 1


def test_yaml_alias_bomb_is_bounded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 6) + "]"
              for i in range(1, 10)]
    with pytest.raises(InputError, match="aliases expand"):
        parse_yaml("\n".join(lines) + "\n", "bomb.yaml")


def test_yaml_merge_keys_and_own_keys_win() -> None:
    (doc,) = parse_yaml("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "m.yaml")
    assert doc.data["d"] == {"x": 1, "y": 3}


def test_yaml_nesting_is_bounded() -> None:
    with pytest.raises(InputError, match="nesting deeper"):
        parse_yaml("a: " + "[" * 70 + "]" * 70 + "\n", "deep.yaml")


def test_yaml_syntax_error_has_position() -> None:
    with pytest.raises(InputError) as info:
        parse_yaml("a: [1, 2\nb: 3\n", "broken.yaml")
    assert info.value.line >= 2
    assert str(info.value).startswith("broken.yaml:")


def test_yaml_stream_gives_one_document_per_section() -> None:
    docs = parse_yaml("a: 1\n---\nb: 2\n", "s.yaml")
    assert [d.file for d in docs] == ["s.yaml#1", "s.yaml#2"]
    assert docs[1].locator.locate(["b"]).line == 3


def test_json_duplicate_key_is_rejected_with_its_position() -> None:
    with pytest.raises(InputError) as info:
        parse_json('{\n  "a": 1,\n  "a": 2\n}\n', "dup.json")
    assert (info.value.line, info.value.column) == (3, 3)


def test_json_syntax_error_has_position() -> None:
    with pytest.raises(InputError) as info:
        parse_json('{\n  "a": [1,\n}\n', "bad.json")
    assert info.value.line == 3


def test_json_deep_nesting_is_an_input_error() -> None:
    with pytest.raises(InputError, match="nesting"):
        parse_json("[" * 100_000 + "]" * 100_000, "deep.json")


def test_non_utf8_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(InputError, match="UTF-8") as info:
        load_file(path, "latin1.yaml")
    assert info.value.line == 2


def test_discover_finds_documents_sorted_and_skips_hidden(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.json", "c.yml", "notes.txt", ".hidden.yaml"):
        (tmp_path / name).write_text("{}\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text("{}\n")
    found = [p.name for p, explicit in discover([tmp_path]) if not explicit]
    assert found == ["a.json", "b.yaml", "c.yml"]


@pytest.mark.parametrize(("arrays", "accepted"), [(63, True), (64, False)])
def test_json_nesting_is_bounded_as_yaml_is(arrays: int, accepted: bool) -> None:
    # The innermost 0's path is "a" and one index per array: 64 parts are allowed.
    value: Any = 0
    for _ in range(arrays):
        value = [value]
    text = json.dumps({"name": "[[[[{{ in a string", "a": value})
    for parse in (lambda: parse_json(text, "doc.json"), lambda: parse_yaml(text, "doc.yaml")):
        if accepted:
            parse()
        else:
            with pytest.raises(InputError, match="nesting deeper than 64 levels") as caught:
                parse()
            assert caught.value.line == 1


@pytest.mark.parametrize(("text", "message", "column"), [
    ('{"a": 1,\n "b": 18446744073709551616}',
     "number 18446744073709551616 is out of range: integers", 7),
    ('{"a": [1, -9223372036854775809]}', "number -9223372036854775809 is out of range: integers",
     11),
    ('{"a": 1e400}', "number 1e400 is out of range: it is not a finite number", 7),
    ('{"a": NaN}', "NaN is not a JSON number", 7),
])
def test_numbers_the_engines_cannot_take_are_input_errors(text: str, message: str,
                                                          column: int) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_json(text, "doc.json")
    assert (caught.value.line, caught.value.column) == (text.count("\n") + 1, column)
    if "integers" in str(caught.value):  # YAML reads 1e400 and .nan as strings
        with pytest.raises(InputError, match=message):
            parse_yaml(text, "doc.yaml")


def test_numbers_at_the_limits_are_read() -> None:
    doc = parse_json('{"a": [18446744073709551615, -9223372036854775808, 1.7e308]}', "d.json")
    assert doc.data["a"][0] == 2**64 - 1
    assert parse_yaml("a: 18446744073709551615\n", "d.yaml")[0].data == {"a": 2**64 - 1}


@pytest.mark.parametrize(("escaped", "column"), [
    ("\\ud800", 11), ("x\\udc00", 12), ("\\ude00\\ud83d", 11), ("\\ud83d\\ud83d\\ude00", 11)])
def test_lone_surrogate_escapes_are_input_errors(escaped: str, column: int) -> None:
    with pytest.raises(InputError, match="lone UTF-16 surrogate") as caught:
        parse_json('{\n "name": "' + escaped + '"}', "doc.json")
    assert (caught.value.line, caught.value.column) == (2, column)


def test_surrogate_pairs_are_characters() -> None:
    doc = parse_json('{"name": "Contoso \\ud83d\\ude00", "path": "C:\\\\ud800"}', "doc.json")
    assert doc.data == {"name": "Contoso \U0001F600", "path": "C:\\ud800"}
