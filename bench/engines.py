"""Time the same policies and snapshots on the embedded engine, ``opa eval`` and an OPA server.

Snapshots come from ``bench/generate.py`` (deterministic). For each size the accounts entry
point, ``data.checker.main.accounts``, is evaluated with the input checker builds:

- embedded (regorus): one evaluation of the whole snapshot, and batches of 1000 customers
  (what ``checker check`` does);
- ``opa eval --stdin-input``: one process for the whole snapshot (start-up, compiling the
  policies and parsing the input included);
- an OPA server (``opa run --server`` on a loopback port, through the OPA engine): one
  request with the whole snapshot, and one request per batch of 1000.

Each line also gives the number of findings, which must be the same for every engine.
Needs an opa binary (``CHECKER_OPA``, else ``opa`` on PATH; ``.ci/install-opa`` builds one).

    python bench/engines.py                     # 1000, 10000 and 100000 customers
    python bench/engines.py --sizes 1000,10000
"""

from __future__ import annotations

import argparse
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

from checker.engines.embedded import EmbeddedEngine  # noqa: E402
from checker.engines.interface import EngineOptions  # noqa: E402
from checker.engines.opa import OpaEngine  # noqa: E402
from checker.normalize import normalize_snapshot  # noqa: E402
from checker.policies import PolicyModule, load_policies  # noqa: E402

RULE = "checker.main.accounts"
BATCH = 1000


def inputs(customers: int) -> tuple[str, list[str]]:
    """The whole-snapshot input and the per-batch inputs, as JSON text."""
    config = generate.configuration()
    snapshot = generate.snapshot(customers)
    normalize_snapshot(snapshot)
    header = {k: v for k, v in snapshot.items() if k != "customers"}
    rows = snapshot["customers"]

    def payload(part: list[Any]) -> str:
        return orjson.dumps({"configuration": config, "snapshot": {**header, "customers": part},
                             "asOf": snapshot["asOf"]}).decode()

    return payload(rows), [payload(rows[i:i + BATCH]) for i in range(0, len(rows), BATCH)]


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
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    binary = os.environ.get("CHECKER_OPA") or shutil.which("opa")
    if not binary:
        raise SystemExit("no opa binary: set CHECKER_OPA or put opa on PATH "
                         "(.ci/install-opa builds one)")
    modules = load_policies().without_tests()
    version = subprocess.run([binary, "version"], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0]
    print(f"policies: {len(modules)} modules; {version}; batches of {BATCH} customers")
    print(f"{'customers':>9}  {'engine':<34} {'seconds':>8} {'µs/customer':>11} "
          f"{'findings':>8}")
    with tempfile.TemporaryDirectory() as folder, opa_server(binary) as url:
        policy_dir = write_modules(modules, Path(folder))
        embedded = EmbeddedEngine()
        embedded.load(modules)
        remote = OpaEngine(EngineOptions(opa_url=url, timeout=600, retries=0))
        remote.load(modules)
        for size in sizes:
            whole, batches = inputs(size)
            on_embedded = functools.partial(embedded.evaluate, RULE)
            on_server = functools.partial(remote.evaluate, RULE)
            runs: list[tuple[str, Callable[[str], Any], list[str]]] = [
                ("embedded, whole snapshot", on_embedded, [whole]),
                (f"embedded, {len(batches)} batch(es) of {BATCH}", on_embedded, batches),
                ("opa eval, whole snapshot", opa_eval(binary, policy_dir), [whole]),
                ("OPA server, one request", on_server, [whole]),
                (f"OPA server, {len(batches)} batch request(s)", on_server, batches),
            ]
            counts = set()
            for label, evaluate, texts in runs:
                seconds, findings = timed(evaluate, texts)
                counts.add(findings)
                print(f"{size:>9}  {label:<34} {seconds:>8.2f} {seconds / size * 1e6:>11.1f} "
                      f"{findings:>8}", flush=True)
            if len(counts) != 1:
                print(f"{size:>9}  ENGINES DISAGREE on the number of findings: {sorted(counts)}")


if __name__ == "__main__":
    main()
