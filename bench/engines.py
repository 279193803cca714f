"""Time the same policies and snapshots on the embedded engine, ``opa eval`` and an OPA server.

Snapshots come from ``bench/generate.py`` (deterministic). For each size the accounts entry
point, ``data.checker.main.accounts``, is evaluated with the input checker builds:

- embedded (regorus), interpreter: one evaluation of the whole snapshot, and batches of
  1000 customers;
- embedded, compiled (regorus's RVM, with the interpreter as fallback): batches of the
  engine's ``batch_size`` (what ``checker check`` sends it), or of each size given with
  ``--compiled-batches``; each row says how many batches RVM could not finish (its
  instruction cap) and the interpreter evaluated instead;
- ``opa eval --stdin-input``: one process for the whole snapshot (start-up, compiling the
  policies and parsing the input included);
- an OPA server (``opa run --server`` on a loopback port, through the OPA engine): one
  request with the whole snapshot, and one request per batch of 1000.

Each line also gives the number of findings, which must be the same for every engine.
Needs an opa binary (``CHECKER_OPA``, else ``opa`` on PATH; ``.ci/install-opa`` builds one),
unless ``--no-opa``.

    python bench/engines.py                     # 1000, 10000 and 100000 customers
    python bench/engines.py --sizes 1000,10000
    python bench/engines.py --sizes 10000 --compiled-batches 10,20,30,40 --no-opa
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from checker.engines.embedded import COMPILED_BATCH, EmbeddedEngine  # noqa: E402
from checker.engines.interface import EngineOptions  # noqa: E402
from checker.engines.opa import OpaEngine  # noqa: E402
from checker.normalize import normalize_snapshot  # noqa: E402
from checker.policies import PolicyModule, load_policies  # noqa: E402

RULE = "checker.main.accounts"
BATCH = 1000


def inputs(customers: int) -> Callable[[int], list[str]]:
    """The inputs of a snapshot in batches of a given size (0: whole), as JSON text."""
    config = generate.configuration()
    snapshot = generate.snapshot(customers)
    normalize_snapshot(snapshot)
    header = {k: v for k, v in snapshot.items() if k != "customers"}
    rows = snapshot["customers"]

    def payload(part: list[Any]) -> str:
        return orjson.dumps({"configuration": config, "snapshot": {**header, "customers": part},
                             "asOf": snapshot["asOf"]}).decode()

    def batches(size: int) -> list[str]:
        if size <= 0:
            return [payload(rows)]
        return [payload(rows[i:i + size]) for i in range(0, len(rows), size)]

    return batches


def timed(evaluate: Callable[[str], Any], texts: list[str]) -> tuple[float, int]:
    """Seconds to evaluate every text in turn, and the findings found in all."""
    started = time.perf_counter()
    findings = sum(len(evaluate(text)["deny"]) for text in texts)
    return time.perf_counter() - started, findings


def write_modules(modules: tuple[PolicyModule, ...], root: Path) -> Path:
    for module in modules:
        target = root / module.name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(module.source, encoding="utf-8")
    return root


def opa_eval(binary: str, policy_dir: Path) -> Callable[[str], Any]:
    def evaluate(text: str) -> Any:
        proc = subprocess.run([binary, "eval", "--format", "json", "-d", str(policy_dir),
                               "--stdin-input", f"data.{RULE}"], input=text.encode(),
                              capture_output=True, check=True)
        return orjson.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    return evaluate


@contextmanager
def opa_server(binary: str) -> Iterator[str]:
    """``opa run --server`` on a free loopback port, killed on exit."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([binary, "run", "--server", "--addr", f"127.0.0.1:{port}",
                                "--log-level", "error"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"opa server did not start at {url}") from None
                time.sleep(0.05)
        yield url
    finally:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated customer counts (default: %(default)s)")
    parser.add_argument("--compiled-batches", default=str(COMPILED_BATCH),
                        help="comma-separated batch sizes for the compiled mode "
                             "(default: its batch_size, %(default)s)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every row this many times, in turn, and give each row's "
                             "fastest (the shared machine's speed drifts)")
    parser.add_argument("--no-opa", action="store_true",
                        help="the embedded engine only (no opa binary needed)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    compiled_batches = [int(s) for s in args.compiled_batches.split(",") if s.strip()]
    binary = None if args.no_opa else os.environ.get("CHECKER_OPA") or shutil.which("opa")
    if not binary and not args.no_opa:
        raise SystemExit("no opa binary: set CHECKER_OPA or put opa on PATH "
                         "(.ci/install-opa builds one), or pass --no-opa")
    modules = load_policies().without_tests()
    version = "no OPA" if not binary else subprocess.run(
        [binary, "version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    print(f"policies: {len(modules)} modules; {version}; batches of {BATCH} customers "
          f"(interpreter, OPA), {args.compiled_batches} (compiled)")
    print(f"{'customers':>9}  {'engine':<48} {'seconds':>8} {'µs/customer':>11} "
          f"{'findings':>8}  fallbacks")
    with tempfile.TemporaryDirectory() as folder, \
            (opa_server(binary) if binary else contextlib.nullcontext("")) as url:
        policy_dir = write_modules(modules, Path(folder))
        interpreter = EmbeddedEngine(EngineOptions(compiled=False))
        interpreter.load(modules)
        remote = None
        if binary:
            remote = OpaEngine(EngineOptions(opa_url=url, timeout=600, retries=0))
            remote.load(modules)
        for size in sizes:
            batches = inputs(size)
            on_interpreter = functools.partial(interpreter.evaluate, RULE)
            by_thousand = batches(BATCH)
            runs: list[tuple[str, Callable[[str], Any], list[str], EmbeddedEngine | None]] = [
                ("embedded, interpreter, whole snapshot", on_interpreter, batches(0), None),
                (f"embedded, interpreter, {len(by_thousand)} batch(es) of {BATCH}",
                 on_interpreter, by_thousand, None),
            ]
            for batch in compiled_batches:
                compiled = EmbeddedEngine(EngineOptions(compiled=True))
                compiled.load(modules)
                texts = batches(batch)
                runs.append((f"embedded, compiled, {len(texts)} batches of {batch}",
                             functools.partial(compiled.evaluate, RULE), texts, compiled))
            if binary and remote is not None:
                on_server = functools.partial(remote.evaluate, RULE)
                runs += [
                    ("opa eval, whole snapshot", opa_eval(binary, policy_dir), batches(0), None),
                    ("OPA server, one request", on_server, batches(0), None),
                    (f"OPA server, {len(by_thousand)} batch request(s)", on_server,
                     by_thousand, None),
                ]
            counts = set()
            best: dict[str, tuple[float, int]] = {}
            for _ in range(max(1, args.rounds)):
                for label, evaluate, texts, _engine in runs:
                    seconds, findings = timed(evaluate, texts)
                    counts.add(findings)
                    best[label] = min(best.get(label, (seconds, findings)), (seconds, findings))
            for label, _evaluate, _texts, engine in runs:
                seconds, findings = best[label]
                fallbacks = (f"{engine.fallbacks} of {engine.evaluations}"
                             if engine is not None else "")
                print(f"{size:>9}  {label:<48} {seconds:>8.2f} {seconds / size * 1e6:>11.1f} "
                      f"{findings:>8}  {fallbacks}", flush=True)
            if len(counts) != 1:
                print(f"{size:>9}  ENGINES DISAGREE on the number of findings: {sorted(counts)}")


if __name__ == "__main__":
    main()
