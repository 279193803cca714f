"""The embedded engine against real regorus: errors are translated, never swallowed."""

from __future__ import annotations

import pytest

from checker.engines.embedded import EmbeddedEngine
from checker.errors import EngineError, PolicyError
from checker.policies import PolicyModule


def module(name: str, source: str) -> PolicyModule:
    return PolicyModule(name, source, "x", builtin=False)


def test_syntax_error_names_file_line_and_column() -> None:
    engine = EmbeddedEngine()
    with pytest.raises(PolicyError) as info:
        engine.load([module("p/x.rego", "package x\n\nimport rego.v1\n\ny if {\n  1 ==\n}\n")])
    assert str(info.value).startswith("p/x.rego:")
    assert "Stack backtrace" not in str(info.value)


def test_rego_v0_syntax_is_rejected() -> None:
    with pytest.raises(PolicyError, match="if"):
        EmbeddedEngine().load([module("v0.rego", "package x\ndeny[x] { x := 1 }\n")])


def test_undefined_result_is_an_error_not_an_empty_answer() -> None:
    engine = EmbeddedEngine()
    engine.load([module("x.rego", "package x\n\nimport rego.v1\n\ny if input.go\n")])
    assert engine.evaluate("x.y", '{"go": true}') is True
    with pytest.raises(EngineError, match="undefined"):
        engine.evaluate("x.y", "{}")


def test_bad_timestamp_aborts_evaluation_loudly() -> None:
    engine = EmbeddedEngine()
    engine.load([module("t.rego",
                        "package t\n\nimport rego.v1\n\nns := time.parse_rfc3339_ns(input.t)\n")])
    with pytest.raises(EngineError, match="evaluation failed: .*datetime"):
        engine.evaluate("t.ns", '{"t": "not a time"}')
