"""The default engine: regorus, a Rego interpreter embedded in the process.

With ``EngineOptions(compiled=True)``, checker's two entry points
(``checker.main.configuration`` and ``checker.main.accounts``) run on regorus's compiled
mode (RVM) when it can evaluate them, and on the interpreter when it cannot. It is off by
default: RVM of gordon-to-regorus 0.13.0 decides differently from the interpreter and OPA
on some comprehensions and ``else`` chains (findings go missing), and gives an undefined
value where a built-in function fails (a bad timestamp, a type error), which they report as
an error; README "Compiled mode (RVM)" and tests/engines/test_compiled.py show each case.

RVM rejects the dynamic package reference ``data.checker.accounts[_]`` that main.rego
uses, so the engine generates an entry module (package ``checker.compiled``, see
``entry_module``) that names every loaded package under ``checker.accounts`` and
``checker.configuration`` and gives the same values. RVM stops each call after 25,000
instructions; a call that stops or fails in any other way is evaluated again on the
interpreter, whose answer (or error) is the one returned.
"""

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

# Customers per evaluation: the interpreter stays linear in batches of 1000; RVM's
# instruction cap makes small batches fastest (measured with bench/engines.py).
INTERPRETED_BATCH = 1000
COMPILED_BATCH = 30

# The generated entry module's package. A loaded module in this package, under it, or in a
# package that could define rules at or above the paths the module reads (``checker``,
# ``checker.accounts``, ``checker.configuration``) turns compiled mode off.
COMPILED_PACKAGE = "checker.compiled"
# What each checker.main entry point collects from the packages under one prefix.
_COLLECTED = {
    "checker.main.configuration": ("checker.configuration", ("deny", "not_applicable")),
    "checker.main.accounts": ("checker.accounts", ("deny", "not_applicable")),
}
_EXTRA = {
    "checker.main.accounts": {
        "subscriptions": "data.checker.lib.subscription_counts(input.snapshot.customers)"},
}
_RESERVED = {"checker", "checker.accounts", "checker.configuration"}
_PLAIN_PACKAGE = re.compile(
    r"^package[ \t]+([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)[ \t]*(?:#.*)?$",
    re.MULTILINE)
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


def entry_module(modules: Sequence[PolicyModule]) -> str | None:
    """The Rego module RVM evaluates in place of checker.main; None when it cannot be made.

    Each collection is one set comprehension per package directly under its prefix, so a
    package that defines ``deny`` but not ``not_applicable`` adds nothing rather than making
    the whole value undefined, as ``data.checker.accounts[_].not_applicable`` does in
    main.rego. None when a module's package line is not a plain dotted name, or a package
    could add values this module would not name (see ``COMPILED_PACKAGE``).
    """
    packages = set()
    for module in modules:
        match = _PLAIN_PACKAGE.search(module.source)
        if match is None:
            return None
        package = match.group(1)
        if package in _RESERVED or package == COMPILED_PACKAGE \
                or package.startswith(COMPILED_PACKAGE + "."):
            return None
        packages.add(package)
    lines = [f"package {COMPILED_PACKAGE}", "", "import rego.v1", ""]
    for entry_point, (prefix, collected) in _COLLECTED.items():
        children = sorted({p[len(prefix) + 1:].split(".")[0] for p in packages
                           if p.startswith(prefix + ".")})
        members = []
        for key in collected:
            parts = [f"{{x | some x in data.{prefix}[{json.dumps(child)}].{key}}}"
                     for child in children] or ["set()"]
            members.append(f"\t{json.dumps(key)}: " + " | ".join(parts) + ",")
        members.extend(f"\t{json.dumps(key)}: {expression}," for key, expression
                       in _EXTRA.get(entry_point, {}).items())
        lines.extend([f"{entry_point.rsplit('.', 1)[1]} := {{", *members, "}", ""])
    return "\n".join(lines)


class EmbeddedEngine:
    """Evaluates policies in-process with regorus: RVM for checker's entry points when it
    can, the interpreter for everything else and whenever RVM cannot answer.

    ``evaluations`` counts the evaluations of checker's entry points and ``fallbacks``
    those that RVM could not answer (the instruction cap, mostly) and the interpreter did.
    An input at least as long as one that RVM could not answer for the same entry point,
    and twice as long as any it answered, goes to the interpreter at once (a fallback too):
    a caller sending batches far bigger than ``batch_size`` would otherwise pay for RVM's
    failed attempt on every one.
    """

    name = "embedded"

    def __init__(self, options: EngineOptions | None = None) -> None:
        self._engine = regorus.Engine()
        self._want_compiled = (options or EngineOptions()).compiled
        self._vm: Any = None
        self.batch_size = INTERPRETED_BATCH
        self.evaluations = 0
        self.fallbacks = 0
        # Per entry point, the length of the shortest input RVM could not answer and of
        # the longest it answered.
        self._failed_length: dict[str, int] = {}
        self._answered_length: dict[str, int] = {}

    @property
    def compiled(self) -> bool:
        """Whether checker's entry points run on RVM (the loaded policies compiled)."""
        return self._vm is not None

    def load(self, modules: Sequence[PolicyModule]) -> None:
        """Compile every module; the first problem raises ``PolicyError``.

        Then compile the RVM program; policies RVM cannot compile leave the engine on the
        interpreter alone, which is no error: the interpreter accepted them.
        """
        for module in modules:
            try:
                self._engine.add_policy(module.name, module.source)
            except Exception as exc:  # regorus raises bare RuntimeError
                raise PolicyError(describe_regorus_error(exc)) from exc
        self._vm = self._compile(modules) if self._want_compiled else None
        self.batch_size = COMPILED_BATCH if self._vm is not None else INTERPRETED_BATCH

    @staticmethod
    def _compile(modules: Sequence[PolicyModule]) -> Any:
        """An RVM loaded with the policies and the entry module; None if RVM refuses them."""
        entry = entry_module(modules)
        if entry is None:
            return None
        sources = [(m.name, m.source) for m in modules]
        sources.append((f"<{COMPILED_PACKAGE}>", entry))
        try:
            program = regorus.Program.compile_from_modules(
                "{}", sources, [_compiled_entry_point(e) for e in _COLLECTED])
            vm = regorus.Rvm()
            vm.load_program(program)
        except Exception:  # regorus raises bare RuntimeError; the interpreter will do
            return None
        return vm

    def evaluate(self, rule: str, input_json: str) -> Any:
        """Evaluate ``data.<rule>`` on the input; an undefined result is an error."""
        if rule in _COLLECTED:
            self.evaluations += 1
            if self._vm is not None:
                length = len(input_json)
                failed = self._failed_length.get(rule, length + 1)
                if length < failed or length < 2 * self._answered_length.get(rule, 0):
                    value = self._evaluate_compiled(rule, input_json)
                    if value is not None:
                        answered = self._answered_length.get(rule, 0)
                        self._answered_length[rule] = max(answered, length)
                        return value
                    self._failed_length[rule] = min(failed, length)
                self.fallbacks += 1
        value = self.evaluate_undefined_ok(rule, input_json)
        if value is None:
            raise EngineError(f"data.{rule} is undefined: is checker/main.rego loaded?")
        return value

    def _evaluate_compiled(self, rule: str, input_json: str) -> Any:
        """The entry point's value on RVM; None when RVM could not give one."""
        try:
            self._vm.set_input_json(input_json)
            result = self._vm.execute_entry_point(_compiled_entry_point(rule))
            value = None if result is None or result == _UNDEFINED else json.loads(result)
        except Exception:  # the instruction cap, or anything else: the interpreter decides
            return None
        return value if isinstance(value, dict) else None

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
        """The regorus package version, and whether compiled mode answered."""
        mode = " (compiled mode)" if self.compiled else ""
        return f"regorus {metadata.version('gordon-to-regorus')}{mode}"


def _compiled_entry_point(rule: str) -> str:
    """The generated module's rule that stands for a checker.main entry point."""
    return f"data.{COMPILED_PACKAGE}.{rule.rsplit('.', 1)[1]}"
