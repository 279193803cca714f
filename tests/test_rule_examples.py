"""Each rule's METADATA examples (shown by `checker explain`) really fail and pass.

An example is an RFC 7396 JSON merge patch over a compliant document: ``configuration`` is
applied to ``examples/<cloud>/compliant/partner.yaml`` (cloud taken from the patch, default
global), ``snapshot`` to an empty snapshot of that partner dated 2026-06-30; ``asOf``, when
an example gives it, is the audit date instead of 2026-06-30.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from checker.engines.embedded import EmbeddedEngine
from checker.loading import load_file
from checker.model import Rule
from checker.policies import load_policies
from checker.validation import validate
from tests.conftest import EXAMPLES
from tests.documents import merge_patch

POLICIES = load_policies()
RULES = sorted(POLICIES.rules.values(), key=lambda r: r.id)
ENGINE = EmbeddedEngine()
ENGINE.load(POLICIES.without_tests())


def fired(rule: Rule, example: dict[str, Any]) -> set[str]:
    patch = example.get("configuration") or {}
    cloud = patch.get("cloud", "global")
    (base,) = load_file(EXAMPLES / cloud / "compliant" / "partner.yaml")
    configuration = merge_patch(base.data, patch)
    assert list(validate("PartnerConfiguration", configuration)) == []
    as_of = example.get("asOf", "2026-06-30T00:00:00Z")
    if rule.target == "configuration":
        answer = ENGINE.evaluate("checker.main.configuration", json.dumps(
            {"configuration": configuration, "asOf": as_of}))
    else:
        snapshot = merge_patch({"apiVersion": "checker/v1", "kind": "AccountSnapshot",
                                "asOf": as_of,
                                "partnerId": configuration["partner"]["id"], "customers": []},
                               example.get("snapshot") or {})
        assert list(validate("AccountSnapshot", snapshot)) == []
        answer = ENGINE.evaluate("checker.main.accounts", json.dumps(
            {"configuration": configuration, "snapshot": snapshot, "asOf": snapshot["asOf"]}))
    return {f["rule"] for f in answer["deny"]}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_examples_fail_and_pass(rule: Rule) -> None:
    assert set(rule.examples) == {"fails", "passes"}, f"{rule.id} needs fails and passes"
    assert rule.id in fired(rule, rule.examples["fails"])
    assert rule.id not in fired(rule, rule.examples["passes"])


CLOUD_SPECIFIC = [(r, c) for r in RULES for c in ("global", "us-government", "germany", "21vianet")
                  if c not in r.clouds]


@pytest.mark.parametrize("rule_cloud", CLOUD_SPECIFIC, ids=lambda rc: f"{rc[0].id}-{rc[1]}")
def test_rule_stays_quiet_in_clouds_its_metadata_leaves_out(rule_cloud: tuple[Rule, str]) -> None:
    """The METADATA ``clouds`` list and the Rego's own cloud guards agree."""
    rule, cloud = rule_cloud
    failing = json.loads(json.dumps(rule.examples["fails"]))
    failing.setdefault("configuration", {})["cloud"] = cloud
    assert rule.id not in fired(rule, failing)


def test_some_rules_are_cloud_specific() -> None:
    assert len(CLOUD_SPECIFIC) >= 5
