"""The OPA engine against servers that are shared, hung or not OPA at all, in real processes.

- two runs at once with different policy sets on one server: neither reports on the other's
  policies (the one whose policies were replaced mid-run is refused, exit 3);
- a server stopped with SIGSTOP: the run times out within its --opa-timeout;
- an HTTP server that is not OPA, answering 200 with garbage, ``{}`` or ``{"result": {}}``:
  exit 3;
- a URL with credentials: refused, and the password is in no output.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.policies import load_policies
from tests.conftest import EXAMPLES, bench_generator
from tests.engines.servers import OpaServer, Proxy

pytestmark = [pytest.mark.opa, pytest.mark.usefixtures("opa")]

PARTNER = EXAMPLES / "global" / "noncompliant" / "partner.yaml"
EXTRA_RULE = """\
package checker.configuration.isolation_extra

import rego.v1

# METADATA
# title: Fires on every configuration
# custom:
#   id: XTRA-001
#   concern: collections
#   severity: error
#   remediation: Nothing; it only shows which policy set decided.
deny contains f if {
	input.configuration
	f := {"rule": "XTRA-001", "msg": "the extra policy set decided this", "path": []}
}
"""


def _checker(*args: str | Path, env: dict[str, str] | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", "check", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def server(opa: str) -> Iterator[OpaServer]:
    with OpaServer(opa) as running:
        yield running


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("large-opa")
    bench_generator().generate(folder, 20_000)
    return folder


def _policy_ids(url: str) -> list[str]:
    with urllib.request.urlopen(f"{url}/v1/policies", timeout=5) as response:
        return [p["id"] for p in json.load(response)["result"]]


def test_two_runs_with_different_policies_on_one_server_never_mix(
        server: OpaServer, large: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "extra.rego").write_text(EXTRA_RULE)
    # A: the built-in policies, on a large snapshot (seconds of evaluation).
    first = subprocess.Popen(
        [sys.executable, "-m", "checker", "check", str(large), "--engine", "opa",
         "--opa-url", server.url, "-f", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Once A has uploaded all its modules (and a moment to check them), it evaluates.
        expected = len(load_policies().without_tests())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sum(
                i.startswith("checker/") for i in _policy_ids(server.url)) < expected:
            time.sleep(0.05)
        time.sleep(0.5)
        assert first.poll() is None, "the first run ended before the second could start"
        # B, while A evaluates: the built-in policies plus one more.
        second = _checker(PARTNER, "--engine", "opa", "--opa-url", server.url,
                          "--policy", extra, "-f", "json")
        first_out, first_err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert second.returncode == 1, second.stderr
    assert "XTRA-001" in {f["ruleId"] for f in json.loads(second.stdout)["findings"]}
    # A's policies were replaced under it: it must not report, whatever it evaluated.
    assert first.returncode == 3, first_err
    assert first_out == ""
    assert "changed during the run" in first_err and "XTRA-001" not in first_err


def test_a_run_alone_on_the_server_is_not_refused(server: OpaServer) -> None:
    done = _checker(PARTNER, "--engine", "opa", "--opa-url", server.url, "-q")
    assert done.returncode == 1, done.stderr


def test_stopped_server_times_out(server: OpaServer) -> None:
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        done = _checker(PARTNER, "--engine", "opa", "--opa-url", server.url,
                        "--opa-timeout", "1", "--opa-retries", "2", timeout=60)
        elapsed = time.monotonic() - started
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
    assert done.returncode == 3, done.stderr
    assert done.stdout == ""
    line = done.stderr.strip()
    assert line.startswith("checker: error: ") and "\n" not in line
    assert "did not answer within 1 s" in line
    # One timeout (slow answers are not retried), plus starting Python.
    assert elapsed < 15


@pytest.mark.parametrize("body", [b"<html>hello</html>", b"{}", b'{"result": {}}',
                                  b'{"result": []}', b"null"])
def test_http_server_that_is_not_opa_exits_3(body: bytes, tmp_path: Path) -> None:
    # Every request answered 200 with ``body``, as JSON; nothing is forwarded (port 9 is
    # never asked).
    fake = Proxy("http://127.0.0.1:9", lambda *_: (200, body, "application/json"))
    try:
        done = _checker(PARTNER, "--engine", "opa", "--opa-url", fake.url, "-f", "json",
                        "-o", tmp_path / "report.json", timeout=60)
    finally:
        fake.stop()
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert done.stderr.startswith("checker: error: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("body", [b'{"result": {}}', b"{}", b"garbage", b'{"result": 3}'])
def test_evaluation_answers_that_are_not_checker_results_exit_3(server: OpaServer,
                                                                 body: bytes) -> None:
    # A real OPA for the policy upload; the evaluations answered by the proxy.
    def rule(method: str, path: str, n: int) -> tuple[int, bytes] | None:
        return (200, body) if method == "POST" and path.startswith("/v1/data/") else None

    with Proxy(server.url, rule) as proxy:
        done = _checker(PARTNER, "--engine", "opa", "--opa-url", proxy.url, timeout=60)
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert done.stdout == "" and done.stderr.count("\n") == 1


@pytest.mark.parametrize("url", [
    "http://alice:s3cret-pw@127.0.0.1:8181",
    "http://alice:s3cret-pw@127.0.0.1:notaport",
    "ftp://alice:s3cret-pw@127.0.0.1:8181",
    "http://alice:s3cret-pw@127.0.0.1:8181/v1",
    "http://s3cret-pw@127.0.0.1:8181",
])
def test_url_credentials_are_never_shown(url: str, tmp_path: Path) -> None:
    for args, env in (((("--opa-url", url)), {}), ((), {"CHECKER_OPA_URL": url})):
        done = _checker(PARTNER, "--engine", "opa", *args, "--evidence",
                        tmp_path / "evidence.json", env=env, timeout=60)
        assert done.returncode == 2, done.stderr
        assert "s3cret-pw" not in done.stdout + done.stderr
        assert "--opa-url" in done.stderr
        assert list(tmp_path.iterdir()) == []
    helped = subprocess.run([sys.executable, "-m", "checker", "check", "--help"],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "CHECKER_OPA_URL": url})
    assert "s3cret-pw" not in helped.stdout + helped.stderr
