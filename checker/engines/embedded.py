"""The default engine: regorus, a Rego interpreter embedded in the process."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import regorus

from checker.engines.interface import EngineOptions
from checker.errors import EngineError, PolicyError
from checker.policies import PolicyModule

_UNDEFINED = '"<undefined>"'
_LOCATION = re.compile(r"-->\s*(\S+?):(\d+):(\d+)")


def describe_regorus_error(exc: BaseException) -> str:
    """Turn a regorus error (with a Rust backtrace) into ``file:line:col: message``."""
    text = str(exc).split("Stack backtrace:")[0].strip()
    location = _LOCATION.search(text)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    reason = next((ln for ln in lines if ln.startswith("error:")), lines[-1] if lines else "")
    reason = reason.removeprefix("error:").strip() or "unknown error"
    if location:
        return f"{location.group(1)}:{location.group(2)}:{location.group(3)}: {reason}"
    return reason


class EmbeddedEngine:
    """Evaluates policies in-process with regorus."""

    name = "embedded"

    def __init__(self, options: EngineOptions | None = None) -> None:
        self._engine = regorus.Engine()

    def load(self, modules: Sequence[PolicyModule]) -> None:
        """Compile every module; the first problem raises ``PolicyError``."""
        for module in modules:
            try:
                self._engine.add_policy(module.name, module.source)
            except Exception as exc:  # regorus raises bare RuntimeError
                raise PolicyError(describe_regorus_error(exc)) from exc

    def evaluate(self, rule: str, input_json: str) -> Any:
        """Evaluate ``data.<rule>`` on the input; an undefined result is an error."""
        value = self.evaluate_undefined_ok(rule, input_json)
        if value is None:
            raise EngineError(f"data.{rule} is undefined: is checker/main.rego loaded?")
        return value

    def evaluate_undefined_ok(self, rule: str, input_json: str) -> Any:
        """Evaluate ``data.<rule>``; ``None`` when it is undefined (a failing test rule)."""
        try:
            self._engine.set_input_json(input_json)
            result = self._engine.eval_rule_as_json(f"data.{rule}")
        except Exception as exc:
            raise EngineError(f"evaluation failed: {describe_regorus_error(exc)}") from exc
        # regorus spells an undefined result as this JSON string.
        if result is None or result == _UNDEFINED:
            return None
        return json.loads(result)

    def finish(self) -> None:
        """Nothing to confirm: the policies live in this process."""

    def version(self) -> str:
        """The regorus package version."""
        return f"regorus {metadata.version('gordon-to-regorus')}"
