"""Benchmark ``checker check`` on generated snapshots: end to end, and stage by stage.

For each size it generates a snapshot with ``bench/generate.py`` (cached by size and seed),
then:

1. runs ``checker check DIR -f json -o report.json -f text -o report.txt`` as a process and
   measures its wall time (start to exit) and peak memory: the largest process's peak
   (``wait4``, as ``getrusage(RUSAGE_CHILDREN)`` reports it) and the peak of the process
   tree's total memory (proportional set size, so pages that forked workers share with
   their parent count once), sampled every 100 ms (more often, the sampling itself slows
   the run on a small machine); "peak MB" is the larger of the two (a
   sample can miss the main process's last moments);
2. unless ``--no-stages``, runs the same check in this process with the library's timing
   hook and renders both reports, for the seconds spent loading, validating, evaluating
   (each summed over processes) and reporting.

Its last line is ``customers=N seconds=S peak_rss_mb=M findings=F`` for the last size,
with that peak.

    python bench/run.py --customers 100000
    python bench/run.py --sizes 1000,100000 --jobs 2
    python bench/run.py --sizes 100000,1000000 --repeat 3   # fastest of three runs
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

# Bump when generate.py changes what it writes, so cached snapshots are not reused.
GENERATOR_VERSION = 1


@dataclass
class Result:
    customers: int
    megabytes: float
    seconds: float
    peak_mb: float
    process_peak_mb: float
    findings: int
    stages: dict[str, float]


def snapshot_dir(cache: Path, customers: int, seed: int) -> Path:
    folder = cache / f"g{GENERATOR_VERSION}-seed{seed}-{customers}"
    if not (folder / "snapshot.json").exists():
        started = time.perf_counter()
        generate.generate(folder, customers, seed)
        print(f"generated {customers} customers in {time.perf_counter() - started:.1f} s "
              f"({folder})", file=sys.stderr)
    return folder


def checker_command() -> list[str]:
    script = Path(sys.executable).with_name("checker")
    return [str(script)] if script.exists() else [sys.executable, "-m", "checker"]


def _tree_memory(root: int) -> int:
    """Bytes of memory a process and all its descendants use, from /proc.

    Proportional set size (shared pages split between the processes sharing them): forked
    workers share much of their parent's memory, which a sum of RSS would count again for
    each of them.
    """
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss(pid)
        stack.extend(children.get(pid, []))
    return total


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def end_to_end(folder: Path, out: Path, jobs: int | None) -> tuple[float, float, float, int]:
    command = [*checker_command(), "check", str(folder), "-f", "json", "-o",
               str(out / "report.json"), "-f", "text", "-o", str(out / "report.txt")]
    if jobs:
        command += ["--jobs", str(jobs)]
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    finished = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not finished.wait(0.1):
            peak = max(peak, _tree_memory(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    finished.set()
    sampler.join()
    stderr = process.stderr.read().decode() if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    if code not in (0, 1):
        raise SystemExit(f"checker exited {code}: {stderr}")
    findings = len(json.loads((out / "report.json").read_text())["findings"])
    # ru_maxrss is in KiB on Linux: the largest single process of the tree.
    return seconds, peak / 1024**2, usage.ru_maxrss / 1024, findings


def stages(folder: Path, jobs: int | None) -> dict[str, float]:
    from checker.formats import FORMATTERS
    from checker.runner import CheckOptions, check

    timings: dict[str, float] = {}
    started = time.perf_counter()
    report = check(CheckOptions(paths=(folder,), jobs=jobs, timings=timings))
    timings["check wall"] = time.perf_counter() - started
    started = time.perf_counter()
    for fmt in ("json", "text"):
        FORMATTERS[fmt]().render(report)
    timings["report"] = time.perf_counter() - started
    return timings


def startup() -> float:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([*checker_command(), "--help"], check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--customers", type=int)
    group.add_argument("--sizes", help="comma-separated customer counts")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--jobs", type=int, default=None, help="passed to checker --jobs")
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "checker-bench")
    parser.add_argument("--no-stages", action="store_true",
                        help="skip the in-process run that times each stage")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run checker N times per size and keep the fastest run (on a "
                             "shared machine one run can be a third slower than the next)")
    args = parser.parse_args()
    sizes = [args.customers] if args.customers else [int(s) for s in args.sizes.split(",")]

    results = []
    for customers in sizes:
        folder = snapshot_dir(args.cache, customers, args.seed)
        runs = []
        for _ in range(max(1, args.repeat)):
            out = Path(tempfile.mkdtemp(prefix="checker-bench-"))
            try:
                runs.append(end_to_end(folder, out, args.jobs))
            finally:
                shutil.rmtree(out, ignore_errors=True)
        # The fastest run; memory is the largest seen in any.
        seconds, _, _, findings = min(runs)
        tree_mb = max(run[1] for run in runs)
        process_mb = max(run[2] for run in runs)
        timed = {} if args.no_stages else stages(folder, args.jobs)
        size = (folder / "snapshot.json").stat().st_size / 1024**2
        results.append(Result(customers, size, seconds, max(tree_mb, process_mb), process_mb,
                              findings, timed))

    print(f"checker --help: {startup():.2f} s (best of 5)")
    print(f"{'customers':>10} {'MB':>7} {'seconds':>8} {'peak MB':>8} {'max proc':>8} "
          f"{'findings':>8} {'load':>6} {'valid.':>6} {'eval.':>7} {'report':>6} "
          f"{'valid.%':>7}")
    for r in results:
        stage = r.stages
        work = sum(stage.get(k, 0.0) for k in ("load", "validate", "evaluate", "report"))
        share = f"{100 * stage['validate'] / work:6.1f}%" if stage.get("validate") else "-"
        cells = " ".join(f"{stage[k]:>{w}.2f}" if k in stage else f"{'-':>{w}}"
                         for k, w in (("load", 6), ("validate", 6), ("evaluate", 7),
                                      ("report", 6)))
        print(f"{r.customers:>10} {r.megabytes:>7.0f} {r.seconds:>8.2f} {r.peak_mb:>8.0f} "
              f"{r.process_peak_mb:>8.0f} {r.findings:>8} {cells} {share:>7}")
    print("stage seconds are summed over processes (work, not wall time)")
    last = results[-1]
    print(f"customers={last.customers} seconds={last.seconds:.2f} "
          f"peak_rss_mb={last.peak_mb:.0f} findings={last.findings}")


if __name__ == "__main__":
    main()
