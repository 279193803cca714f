"""SIGINT and SIGTERM in the middle of a run with worker processes, on a real process.

Each run is bounded in time. The signal is sent once the worker processes exist (the run is
then past loading, in the chunked validation or evaluation of a large snapshot).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import bench_generator

CUSTOMERS = 40_000


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("large")
    bench_generator().generate(folder, CUSTOMERS)
    return folder


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize(("signum", "code", "group"), [
    (signal.SIGINT, 130, False), (signal.SIGTERM, 143, False),
    # Ctrl-C in a terminal: SIGINT to every process of the group, workers included.
    (signal.SIGINT, 130, True), (signal.SIGTERM, 143, True)])
def test_signal_mid_run_leaves_no_report_and_no_worker(large: Path, tmp_path: Path,
                                                       signum: int, code: int,
                                                       group: bool) -> None:
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", "check", str(large), "--jobs", "2",
         "-f", "json", "-o", str(out / "report.json"), "-f", "sarif",
         "-o", str(out / "report.sarif"), "--evidence", str(out / "evidence.json")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # As from a terminal: SIGINT not ignored, whatever the test runner inherited.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        start_new_session=group)
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and process.poll() is None:
            workers = _children(process.pid)
            if len(workers) >= 2:
                break
            time.sleep(0.02)
        assert len(workers) >= 2, "the run never started its workers"
        time.sleep(0.2)
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] in ("checker: interrupted; no report written",
                                               "checker: terminated; no report written")
    assert list(out.iterdir()) == []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert [w for w in workers if _alive(w)] == []


def test_an_uninterrupted_run_of_the_same_inputs_writes_its_reports(large: Path,
                                                                    tmp_path: Path) -> None:
    # The counterpart: the same command, left alone, writes every report.
    done = subprocess.run(
        [sys.executable, "-m", "checker", "check", str(large), "--jobs", "2", "-f", "json",
         "-o", str(tmp_path / "report.json"), "--evidence", str(tmp_path / "evidence.json")],
        capture_output=True, text=True, timeout=300, env={**os.environ})
    assert done.returncode == 1, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence.json", "report.json"]
