"""A headless Chromium for the HTML report tests, driven through Playwright for Python.

The browser is the system's (Debian's ``chromium`` package, or ``CHECKER_CHROMIUM``), never
one Playwright downloads. Without a browser or Playwright the tests skip, unless
CHECKER_REQUIRE_BROWSER=1 (set by CI), where they fail: CI never silently runs without them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT

# What the browser must not do on its own: no network, no first-run or background work.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _missing(reason: str) -> None:
    if os.environ.get("CHECKER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CHECKER_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"{reason}; install Debian's chromium and the test extras (.ci/run does)")


def chromium_path() -> str:
    """The system Chromium, or a skip (a failure under CHECKER_REQUIRE_BROWSER=1)."""
    found = (os.environ.get("CHECKER_CHROMIUM") or shutil.which("chromium")
             or shutil.which("chromium-browser"))
    if not found:
        _missing("no chromium on PATH (set CHECKER_CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright package is not installed")
    assert found
    return found


def artifact_dir() -> Path:
    """Where browser tests keep what CI publishes: $CHECKER_ARTIFACTS, else build/artifacts."""
    path = Path(os.environ.get("CHECKER_ARTIFACTS") or ROOT / "build" / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path
