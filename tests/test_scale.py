"""Correctness at scale: chunks, batches and worker processes change nothing in the report.

The snapshots come from the benchmark's generator (a few thousand customers, so the suite
stays fast); speed itself is measured in bench/, never asserted here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import cli
from checker.formats import FORMATTERS
from checker.model import Report
from checker.runner import CheckOptions, check
from checker.stream import open_snapshot
from tests.conftest import ROOT, bench_generator

CUSTOMERS = 3000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    bench_generator().generate(folder, CUSTOMERS)
    return folder


def _run(folder: Path, **options: Any) -> Report:
    return check(CheckOptions(paths=(folder,), **options))


def _comparable(report: Report) -> tuple[Any, ...]:
    return report.findings, report.results, report.documents


def test_generated_snapshot_is_valid_and_has_findings_of_many_rules(generated: Path) -> None:
    report = _run(generated)
    assert not [f for f in report.findings if f.rule_id.startswith("CHK-")]
    assert len({f.rule_id for f in report.findings}) >= 10
    # Most customers are clean.
    assert len({f.customer for f in report.findings}) < CUSTOMERS / 4


def test_batched_parallel_run_equals_one_whole_snapshot_evaluation(generated: Path) -> None:
    small_chunks = 64 * 1024
    streamed = open_snapshot(generated / "snapshot.json", "snapshot.json", small_chunks)
    assert streamed is not None and len(streamed.source.chunks) > 10
    whole = _run(generated, batch_size=CUSTOMERS, chunk_bytes=10**12, jobs=1)
    batched = _run(generated, batch_size=97, chunk_bytes=small_chunks, jobs=2)
    assert whole.findings
    assert _comparable(batched) == _comparable(whole)


def test_jobs_1_and_2_give_byte_identical_json_reports(generated: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        result = CliRunner().invoke(cli, ["check", str(generated), "-f", "json", "--jobs", jobs],
                                    catch_exceptions=False)
        assert result.exit_code == 1
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
    assert '"ruleId": "ACCT-001"' in outputs[0]


def test_stage_timings_are_filled_when_asked(generated: Path) -> None:
    timings: dict[str, float] = {}
    _run(generated, timings=timings, jobs=2)
    assert set(timings) == {"load", "validate", "evaluate"}
    assert all(seconds > 0 for seconds in timings.values())


def test_progress_is_reported_for_both_passes_up_to_the_whole(generated: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    _run(generated, progress=lambda *call: calls.append(call), chunk_bytes=256 * 1024, jobs=2)
    stages = [stage for stage, _, _ in calls]
    assert stages[0] == "validate" and stages[-1] == "evaluate"
    for stage in ("validate", "evaluate"):
        done = [d for s, d, _ in calls if s == stage]
        assert done == sorted(done) and len(done) > 1
        assert done[-1] == calls[-1][2]


def test_text_report_is_the_same_whatever_the_chunking(generated: Path) -> None:
    render = FORMATTERS["text"]().render
    assert render(_run(generated, chunk_bytes=100_000, jobs=2)) == render(_run(generated, jobs=1))


@pytest.mark.parametrize(("script", "arguments", "last_line"), [
    ("floor.py", ["--customers", "1000", "--cores", "1"],
     r"customers=1000 before_rules_seconds=\d+\.\d\d rules_seconds=\d+\.\d\d cores=1"),
    ("run.py", ["--customers", "1000", "--no-stages"],
     r"customers=1000 seconds=\d+\.\d\d peak_rss_mb=\d+ findings=[1-9]\d*"),
])
def test_benchmark_scripts_end_with_their_documented_line(
        script: str, arguments: list[str], last_line: str, tmp_path: Path) -> None:
    cache = ["--cache", str(tmp_path)] if script == "run.py" else []
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *arguments, *cache],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(last_line, done.stdout.strip().splitlines()[-1])
