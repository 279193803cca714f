"""The contract every policy engine meets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from checker.policies import PolicyModule


@dataclass(frozen=True)
class EngineOptions:
    """Settings an engine factory may use; engines ignore what does not concern them."""

    opa_url: str = ""
    timeout: float = 30.0
    retries: int = 2
    # None: the OPA engine reads CHECKER_OPA_TOKEN. Left out of repr so that printing the
    # options (a log line, a test failure) cannot show it.
    opa_token: str | None = field(default=None, repr=False)
    # True: the embedded engine evaluates checker's entry points on regorus's compiled mode
    # (RVM) when it can, with the interpreter as fallback. Off by default: RVM decides
    # differently from the interpreter and OPA on some comprehensions and else chains, and
    # makes a failing built-in undefined where they fail (see checker/engines/embedded.py).
    compiled: bool = False


class Engine(Protocol):
    """Evaluates Rego policies.

    ``load`` compiles the modules once (raising ``PolicyError`` naming the file and line of
    any problem); ``evaluate`` may then be called many times, once per input batch, and
    returns the JSON value of a rule such as ``checker.main.accounts``. A result that is
    undefined, or any failure, raises ``EngineError``: an engine never returns a partial or
    empty answer in place of one it could not compute.
    """

    name: str
    # How many customers one evaluation of ``checker.main.accounts`` should hold for this
    # engine to be fastest; final once ``load`` has returned.
    batch_size: int

    def load(self, modules: Sequence[PolicyModule]) -> None:
        """Compile the policy modules."""
        ...

    def evaluate(self, rule: str, input_json: str) -> Any:
        """Evaluate ``data.<rule>`` for one input given as JSON text."""
        ...

    def finish(self) -> None:
        """Confirm, after the last evaluation, that every answer came from the loaded
        policies (a shared server may have been changed meanwhile); raise if not."""
        ...

    def version(self) -> str:
        """Engine name and version, for reports and evidence."""
        ...
