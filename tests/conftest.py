from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def bench_module(name: str) -> ModuleType:
    """bench/<name>.py as a module (the benchmarks are scripts, not part of the package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_generator() -> ModuleType:
    """bench/generate.py as a module: the deterministic large snapshots of the benchmarks."""
    return bench_module("generate")


def opa_binary() -> str | None:
    """The opa binary for tests that need the reference engine.

    Without one such tests skip, unless CHECKER_REQUIRE_OPA=1 (set by CI), where they fail:
    CI never silently runs without the reference engine.
    """
    found = os.environ.get("CHECKER_OPA") or shutil.which("opa")
    if found:
        return found
    if os.environ.get("CHECKER_REQUIRE_OPA") == "1":
        pytest.fail("CHECKER_REQUIRE_OPA=1 but no opa binary (set CHECKER_OPA or PATH)")
    pytest.skip("no opa binary on PATH (set CHECKER_OPA); CI builds one")
    return None


@pytest.fixture
def opa() -> str:
    path = opa_binary()
    assert path
    return path


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path
