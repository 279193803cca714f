"""The progress bar appears only where a person watches, and the CLI exits cleanly."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import progressbar
from checker.cli import cli
from checker.progressbar import ProgressBar, wanted
from tests.documents import PARTNER


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_is_wanted_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert wanted(_Terminal())
    assert not wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not wanted(_Terminal())
    monkeypatch.delenv("CI")
    monkeypatch.setenv("TERM", "dumb")
    assert not wanted(_Terminal())


def test_bar_draws_after_its_delay_and_erases_itself() -> None:
    quiet, shown = _Terminal(), _Terminal()
    ProgressBar(quiet)("evaluate", 10, 100)
    assert quiet.getvalue() == ""
    bar = ProgressBar(shown, delay=0)
    bar("evaluate", 50, 100)
    bar("evaluate", 100, 100)
    drawn = shown.getvalue()
    assert drawn.startswith("\rchecking") and "50%" in drawn and "100%" in drawn
    bar.close()
    assert shown.getvalue().endswith("\r\033[K")


def _inputs(folder: Path) -> Path:
    (folder / "partner.json").write_text(json.dumps(PARTNER))
    customers = [{"id": f"c-{i}"} for i in range(50)]
    (folder / "snapshot.json").write_text(json.dumps(
        {"apiVersion": "checker/v1", "kind": "AccountSnapshot", "asOf": "2026-06-30",
         "partnerId": "contoso", "customers": customers}))
    return folder


def test_bar_only_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progressbar, "DELAY_SECONDS", 0.0)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    args = ["check", str(_inputs(tmp_path)), "--jobs", "2", "-f", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "\r" not in result.output
    json.loads(result.output)
    monkeypatch.setattr(progressbar, "wanted", lambda stream: True)
    drawn = CliRunner().invoke(cli, args)
    assert "\rchecking" in drawn.stderr and "\r" not in drawn.stdout


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(_inputs(tmp_path)), "--jobs", "0"])
    assert result.exit_code == 2


def test_process_exits_with_its_code_after_writing_everything(tmp_path: Path) -> None:
    # The console entry point leaves without tearing objects down: what it printed to a
    # pipe must all be there, and the exit code kept.
    out = subprocess.run([sys.executable, "-m", "checker", "check", str(_inputs(tmp_path)),
                          "-f", "json"], capture_output=True, text=True, check=False)
    assert out.returncode == 1
    assert out.stderr == ""
    report = json.loads(out.stdout)
    assert len([f for f in report["findings"] if f["ruleId"] == "CRED-004"]) == 50
