"""The OPA engine against a real OPA server: loading, evaluation and its error texts."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path
from typing import TypeVar

import pytest

from checker.engines.embedded import EmbeddedEngine
from checker.engines.interface import EngineOptions
from checker.engines.opa import NAMESPACE, OpaEngine, policy_digest, policy_ids
from checker.errors import EngineError, PolicyError, UsageError
from checker.policies import PolicyModule, load_policies
from tests.engines.servers import OpaServer

T = TypeVar("T")


def needs_opa(test: T) -> T:
    """Skip without OPA (fail under CHECKER_REQUIRE_OPA=1), through the ``opa`` fixture."""
    marked: T = pytest.mark.opa(pytest.mark.usefixtures("opa")(test))
    return marked

SAMPLE_INPUT = json.dumps({
    "configuration": {"apiVersion": "checker/v1", "kind": "PartnerConfiguration",
                      "partner": {"id": "p", "name": "P"}, "cloud": "global"},
    "asOf": "2026-06-30T00:00:00Z",
})


def engine(server: OpaServer) -> OpaEngine:
    return OpaEngine(EngineOptions(opa_url=server.url, timeout=30, retries=1))


def as_sets(value: dict[str, list[object]]) -> dict[str, list[str]]:
    """An entry point's value with its Rego sets in a fixed order."""
    return {k: sorted(json.dumps(x, sort_keys=True) for x in v) for k, v in value.items()}


def module(name: str, source: str, package: str = "x") -> PolicyModule:
    return PolicyModule(name, source, package, builtin=False)


def server_policies(server: OpaServer) -> dict[str, str]:
    with urllib.request.urlopen(f"{server.url}/v1/policies", timeout=10) as response:
        return {p["id"]: p["raw"] for p in json.load(response)["result"]}


def builtin() -> tuple[PolicyModule, ...]:
    return load_policies().without_tests()


@needs_opa
def test_policies_are_uploaded_under_checker_ids_and_decide_like_embedded(
        opa_server: OpaServer) -> None:
    modules = builtin()
    remote = engine(opa_server)
    # Reversed, main.rego and the rules come before the lib they import: OPA compiles on
    # every write, so the engine has to retry until the set is complete.
    remote.load(tuple(reversed(modules)))
    held = server_policies(opa_server)
    assert {i: held[i] for i in policy_ids(modules)} == {
        i: m.source for i, m in policy_ids(modules).items()}
    local = EmbeddedEngine()
    local.load(modules)
    rule = "checker.main.configuration"
    expected = local.evaluate(rule, SAMPLE_INPUT)
    assert expected["deny"]  # a bare configuration fails rules: the comparison has content
    assert as_sets(remote.evaluate(rule, SAMPLE_INPUT)) == as_sets(expected)


@needs_opa
def test_modules_left_by_an_earlier_run_are_removed(opa_server: OpaServer,
                                                    tmp_path: Path) -> None:
    extra = (tmp_path / "extra.rego")
    extra.write_text("package checker.configuration.extra\n\nimport rego.v1\n\n"
                     'deny contains {"rule": "EXTRA-1", "msg": "always", "path": []} if true\n')
    with_extra = load_policies([tmp_path]).without_tests()
    engine(opa_server).load(with_extra)
    assert any(i.endswith("extra.rego") for i in server_policies(opa_server))
    remote = engine(opa_server)
    remote.load(builtin())
    assert not [i for i in server_policies(opa_server) if i.endswith("extra.rego")]
    deny = remote.evaluate("checker.main.configuration", SAMPLE_INPUT)["deny"]
    assert not [f for f in deny if f["rule"] == "EXTRA-1"]


@needs_opa
def test_rejected_policy_names_our_file_line_and_column(opa_server: OpaServer) -> None:
    source = "package checker.configuration.bad\n\nimport rego.v1\n\nx if {\n\ty == 1\n}\n"
    line = source.splitlines().index("\ty == 1") + 1
    with pytest.raises(PolicyError) as info:
        engine(opa_server).load([module("my rules/bad.rego", source)])
    text = str(info.value)
    assert text.startswith(f"my rules/bad.rego:{line}:"), text
    assert "rejected by the OPA server" in text and "\n" not in text


@needs_opa
def test_undefined_result_is_an_error(opa_server: OpaServer) -> None:
    remote = engine(opa_server)
    remote.load(builtin())
    with pytest.raises(EngineError, match="undefined"):
        remote.evaluate("checker.main.no_such_rule", "{}")


@needs_opa
def test_failing_builtin_fails_the_evaluation_as_on_the_embedded_engine(
        opa_server: OpaServer) -> None:
    modules = [module("t.rego", "package t\n\nimport rego.v1\n\n"
                                "ns := time.parse_rfc3339_ns(input.t)\n", "t")]
    local, remote = EmbeddedEngine(), engine(opa_server)
    local.load(modules)
    remote.load(modules)
    assert remote.evaluate("t.ns", '{"t": "2026-01-01T00:00:00Z"}') == local.evaluate(
        "t.ns", '{"t": "2026-01-01T00:00:00Z"}')
    with pytest.raises(EngineError):
        local.evaluate("t.ns", '{"t": "not a time"}')
    with pytest.raises(EngineError, match="parse"):
        remote.evaluate("t.ns", '{"t": "not a time"}')


@needs_opa
def test_version_names_the_server_and_the_policy_digest(opa_server: OpaServer,
                                                        opa: str) -> None:
    modules = builtin()
    remote = engine(opa_server)
    remote.load(modules)
    first = subprocess.run([opa, "version"], capture_output=True, text=True,
                           check=True).stdout.splitlines()[0]
    opa_version = first.split(":", 1)[1].strip()
    assert remote.version() == (f"OPA {opa_version} at {opa_server.url}, policies "
                                f"{policy_digest(m.source for m in modules)}")


def test_digest_ignores_order_and_names_but_not_a_byte_of_source() -> None:
    assert policy_digest(["a", "b"]) == policy_digest(["b", "a"])
    assert policy_digest(["a", "b"]) != policy_digest(["a", "b "])
    assert policy_digest(["a"]) != policy_digest(["a", "a"])


def test_policy_ids_are_namespaced_url_safe_and_distinct() -> None:
    ids = policy_ids([module("rego/checker/main.rego", ""), module("/tmp/my rules/x.rego", ""),
                      module("../my?rules/x.rego", ""), module("my_rules/x.rego", "")])
    assert all(i.startswith(NAMESPACE) for i in ids)
    assert "checker/rego/checker/main.rego" in ids
    assert len(ids) == 4
    assert all(c.isalnum() or c in "._-/~" for i in ids for c in i)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:8181", "127.0.0.1:8181",
                                 "http://user:pw@127.0.0.1:8181", "http://127.0.0.1:8181/opa",
                                 "http://127.0.0.1:notaport"])
def test_unusable_urls_are_usage_errors(url: str) -> None:
    with pytest.raises(UsageError, match="--opa-url"):
        OpaEngine(EngineOptions(opa_url=url))


def test_ipv6_url_is_accepted() -> None:
    assert OpaEngine(EngineOptions(opa_url="http://[::1]:8181")).version().endswith(
        "at http://[::1]:8181")


def test_token_is_not_in_the_options_repr() -> None:
    assert "s3cr3t-token" not in repr(EngineOptions(opa_token="s3cr3t-token"))


def test_token_with_control_characters_is_refused_without_showing_it() -> None:
    with pytest.raises(EngineError) as info:
        OpaEngine(EngineOptions(opa_token="s3cr3t\ntoken"))
    assert "s3cr3t" not in str(info.value)
