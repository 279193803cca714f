"""Reading the engine's answers into findings, the same for whole and streamed snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.errors import EngineError
from checker.findings import customer_index, identity, parse_raw, read_answer
from checker.runner import CheckOptions, check
from checker.stream import StreamedDocument, load_input
from tests.documents import write_inputs


@pytest.mark.parametrize("answer", [None, [], {"deny": []}, {"deny": {}, "not_applicable": []},
                                    {"deny": [], "not_applicable": "x"}])
def test_an_answer_of_the_wrong_shape_is_an_engine_error(answer: Any) -> None:
    with pytest.raises(EngineError, match=r"data\.checker\.main\.accounts returned an "
                                          r"unexpected value"):
        read_answer("checker.main.accounts", answer)


def test_an_answer_is_read_into_its_parts() -> None:
    read = read_answer("e", {"deny": [{"rule": "R-1", "msg": "m"}],
                             "not_applicable": [{"rule": "R-2", "msg": "why"}, "junk"],
                             "subscriptions": {"legacy": 2, "flag": True, "n": "3"}})
    assert read.deny == [{"rule": "R-1", "msg": "m"}]
    assert read.not_applicable == {"R-2": "why"}
    assert read.subscriptions == {"legacy": 2}


@pytest.mark.parametrize(("raw", "expected"), [
    ({"msg": "m"}, "without string 'rule' and 'msg'"),
    ({"rule": "R-1", "msg": 3}, "without string 'rule' and 'msg'"),
    ({"rule": "R-1", "msg": "m", "path": "customers/0"}, "must be an array"),
    ({"rule": "R-1", "msg": "m", "path": ["customers", True]}, "must be an array"),
])
def test_a_deny_object_of_the_wrong_shape_is_an_engine_error(raw: Any, expected: str) -> None:
    with pytest.raises(EngineError, match=expected):
        parse_raw(raw)


def test_a_deny_object_is_read() -> None:
    found = parse_raw({"rule": "R-1", "msg": "m", "path": ["customers", 2, "id"],
                       "document": "configuration"})
    assert (found.rule_id, found.message, found.path, found.document) == (
        "R-1", "m", ["customers", 2, "id"], "configuration")
    assert customer_index(found.path) == 2
    assert customer_index(["customers", "x"]) is None
    assert customer_index(["partnerId"]) is None


def test_identity_names_elements_by_their_ids() -> None:
    data = {"customers": [{"id": "c-0"}, {"id": "c-1", "subscriptions": [
        {"id": "s-9", "status": "active"}]}]}
    assert identity(data, ["customers", 1, "subscriptions", 0, "status"]) == (
        "/customers[c-1]/subscriptions[s-9]/status", "c-1", "s-9")
    # An element without an id keeps its index; a path beyond the data keeps its parts.
    assert identity({"customers": [{}]}, ["customers", 0, "x", 4]) == (
        "/customers[0]/x/4", "", "")


BROKEN = """package checker.accounts.broken

import rego.v1

deny contains {"rule": "USER-001", "path": ["customers", 0]} if {
	some c in input.snapshot.customers
	c.id == "c-2"
}
"""


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_a_broken_user_policy_stops_whole_and_streamed_snapshots_alike(
        in_tmp: Path, suffix: str) -> None:
    folder = in_tmp / "inputs"
    _, snap = write_inputs(folder)
    if suffix == "yaml":
        # Read whole (YAML is never streamed) rather than in chunks.
        data = yaml.safe_load(snap.read_text())
        snap.unlink()
        (folder / "snapshot.yaml").write_text(yaml.safe_dump(data))
    else:
        # A JSON snapshot is read in chunks, evaluated in checker.chunks.
        assert all(isinstance(d, StreamedDocument) for d in load_input(snap))
    policies = in_tmp / "policies"
    policies.mkdir()
    (policies / "broken.rego").write_text(BROKEN)
    with pytest.raises(EngineError, match="a policy produced a finding without string "
                                          "'rule' and 'msg'"):
        check(CheckOptions(paths=(folder,), policy_dirs=(policies,), jobs=1))
