from __future__ import annotations

from checker.loading import parse_json, parse_yaml
from checker.locate import to_pointer

JSON_TEXT = """{
  "customers": [
    {"id": "a"},
    {
      "id": "b",
      "subscriptions": [{"Id": "s", "Status": "suspended"}]
    }
  ],
  "a/b": {"~": 1}
}
"""


def test_json_locates_members_by_their_key() -> None:
    doc = parse_json(JSON_TEXT, "s.json")
    pos = doc.locator.locate(["customers", 1, "id"])
    assert (pos.pointer, pos.line, pos.column) == ("/customers/1/id", 5, 7)


def test_json_array_items_locate_at_their_start() -> None:
    doc = parse_json(JSON_TEXT, "s.json")
    pos = doc.locator.locate(["customers", 0])
    assert (pos.line, pos.column) == (3, 5)


def test_json_missing_path_locates_nearest_ancestor_but_keeps_pointer() -> None:
    doc = parse_json(JSON_TEXT, "s.json")
    pos = doc.locator.locate(["customers", 1, "receivables", "invoices"])
    assert pos.pointer == "/customers/1/receivables/invoices"
    assert (pos.line, pos.column) == (4, 5)


def test_pascal_case_keys_are_found_in_their_file_spelling() -> None:
    doc = parse_json(JSON_TEXT, "s.json")
    pos = doc.locator.locate(["customers", 1, "subscriptions", 0, "status"])
    assert pos.pointer == "/customers/1/subscriptions/0/Status"
    assert pos.line == 6


def test_pointer_escaping() -> None:
    assert to_pointer(["a/b", "~"]) == "/a~1b/~0"
    doc = parse_json(JSON_TEXT, "s.json")
    assert doc.locator.locate(["a/b", "~"]).line == 9


def test_yaml_locates_keys_and_items() -> None:
    (doc,) = parse_yaml("a:\n  b:\n    - x\n    - y: 1\n", "x.yaml")
    assert doc.locator.locate(["a", "b"]).line == 2
    item = doc.locator.locate(["a", "b", 1, "y"])
    assert (item.line, item.column) == (4, 7)
    missing = doc.locator.locate(["a", "zzz"])
    assert (missing.pointer, missing.line) == ("/a/zzz", 1)
