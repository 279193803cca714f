"""Run the Rego unit tests (``test_*`` rules) of the policies with the embedded engine.

Also checks the catalogue's testing contract: every rule id has a test that shows it firing
(``test_<id>_fires…``) and one that shows it staying quiet (``test_<id>_does_not_fire…``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from checker.engines.embedded import EmbeddedEngine
from checker.errors import EngineError
from checker.policies import PolicySet

_TEST_RULE = re.compile(r"^((?:todo_)?test_\w+)\s+if\b", re.MULTILINE)


@dataclass(frozen=True)
class TestOutcome:
    """One Rego test: where it is, whether it passed or was skipped, and why it failed."""

    module: str
    package: str
    name: str
    passed: bool
    skipped: bool = False
    detail: str = ""


@dataclass(frozen=True)
class TestRun:
    """All test outcomes plus the rule ids missing a firing or a non-firing test."""

    outcomes: tuple[TestOutcome, ...]
    missing_fires: tuple[str, ...]
    missing_does_not_fire: tuple[str, ...]

    @property
    def passed(self) -> int:
        """Tests that passed."""
        return sum(1 for o in self.outcomes if o.passed and not o.skipped)

    @property
    def failed(self) -> int:
        """Tests that failed."""
        return sum(1 for o in self.outcomes if not o.passed and not o.skipped)

    @property
    def skipped(self) -> int:
        """``todo_test_`` rules, reported but not run."""
        return sum(1 for o in self.outcomes if o.skipped)

    @property
    def ok(self) -> bool:
        """No failing test and no rule without both kinds of test."""
        return not self.failed and not self.missing_fires and not self.missing_does_not_fire


def test_stem(rule_id: str) -> str:
    """The test-name stem of a rule id: COLL-006 -> test_coll_006."""
    return "test_" + re.sub(r"[^a-z0-9]+", "_", rule_id.lower())


def discover_tests(policies: PolicySet) -> Iterator[tuple[str, str, str]]:
    """Yield (module, package, test name) for every test rule, in file order."""
    for module in policies.modules:
        if module.is_test:
            seen: set[str] = set()
            for name in _TEST_RULE.findall(module.source):
                if name not in seen:
                    seen.add(name)
                    yield module.name, module.package, name


def run_tests(policies: PolicySet) -> TestRun:
    """Load every module (tests included) and evaluate each test rule."""
    engine = EmbeddedEngine()
    engine.load(policies.modules)
    outcomes = []
    names: set[str] = set()
    for module, package, name in discover_tests(policies):
        names.add(name)
        if name.startswith("todo_"):
            outcomes.append(TestOutcome(module, package, name, passed=True, skipped=True))
            continue
        try:
            value = engine.evaluate_undefined_ok(f"{package}.{name}", "{}")
        except EngineError as exc:
            outcomes.append(TestOutcome(module, package, name, passed=False, detail=str(exc)))
            continue
        detail = "" if value is True else ("undefined" if value is None else f"got {value!r}")
        outcomes.append(TestOutcome(module, package, name, passed=value is True, detail=detail))
    rule_ids = sorted(policies.rules)
    fires = tuple(r for r in rule_ids
                  if not any(n.startswith(test_stem(r) + "_fires") for n in names))
    quiet = tuple(r for r in rule_ids
                  if not any(n.startswith(test_stem(r) + "_does_not_fire") for n in names))
    return TestRun(tuple(outcomes), fires, quiet)
