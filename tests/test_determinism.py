"""Same inputs, same bytes: whatever the worker count, time zone, locale, path spelling and
argument order, in real processes.

The snapshot is large enough (several chunks of about 1 MiB) for ``--jobs`` to matter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import bench_generator

FORMATS = ("json", "sarif", "junit", "text", "markdown")
CUSTOMERS = 6000


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("det") / "inputs"
    folder.mkdir()
    bench_generator().generate(folder, CUSTOMERS)
    assert (folder / "snapshot.json").stat().st_size > 2 * 1024**2
    return folder


def _reports(cwd: Path, args: list[str], env: dict[str, str] | None = None,
             out: Path | None = None) -> dict[str, bytes]:
    out = out or cwd / "out"
    out.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "checker", "check", *args]
    for fmt in FORMATS:
        command += ["-f", fmt, "-o", str(out / fmt)]
    done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=300,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 1, done.stderr
    return {fmt: (out / fmt).read_bytes() for fmt in FORMATS}


def test_reports_are_byte_identical_across_jobs_time_zones_locales_paths_and_order(
        inputs: Path, tmp_path: Path) -> None:
    root = inputs.parent
    reference = _reports(root, ["inputs/partner.json", "inputs/snapshot.json", "--jobs", "1"],
                         out=tmp_path / "a")
    variants = {
        "jobs 2": (["inputs/partner.json", "inputs/snapshot.json", "--jobs", "2"], {}),
        "TZ and LC_ALL": (["inputs/partner.json", "inputs/snapshot.json", "--jobs", "2"],
                          {"TZ": "Pacific/Kiritimati", "LC_ALL": "de_DE.UTF-8",
                           "LANG": "tr_TR.UTF-8"}),
        "absolute paths": ([str(inputs / "partner.json"), str(inputs / "snapshot.json")], {}),
        "./ paths": (["./inputs/../inputs/partner.json", "./inputs/snapshot.json"], {}),
        "argument order": (["--jobs", "2", "inputs/snapshot.json", "inputs/partner.json"], {}),
        "folder": (["inputs"], {}),
    }
    for name, (args, env) in variants.items():
        got = _reports(root, args, env, out=tmp_path / name.replace(" ", "_"))
        assert got == reference, name


def test_fingerprints_do_not_depend_on_the_working_directory(inputs: Path,
                                                             tmp_path: Path) -> None:
    here = json.loads(_reports(inputs, ["partner.json", "snapshot.json"],
                               out=tmp_path / "here")["json"])
    above = json.loads(_reports(inputs.parent.parent, [
        f"{inputs.parent.name}/inputs/partner.json",
        f"{inputs.parent.name}/inputs/snapshot.json"], out=tmp_path / "above")["json"])
    # The file names differ (they are relative to the working directory)...
    assert here["findings"][0]["file"] != above["findings"][0]["file"]
    # ...the fingerprints, which a baseline matches on, do not.
    assert len(here["findings"]) > 100
    assert [f["fingerprint"] for f in here["findings"]] == [
        f["fingerprint"] for f in above["findings"]]
    # A baseline written in one folder accepts every finding when run from the other.
    baseline = tmp_path / "here" / "json"
    done = subprocess.run([sys.executable, "-m", "checker", "check",
                           f"{inputs.parent.name}/inputs", "--baseline", str(baseline), "-q"],
                          cwd=inputs.parent.parent, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("PASS:")
