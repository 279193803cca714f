"""``checker check --engine opa`` when the OPA server misbehaves: exit 3, one line, no token.

Every failure is produced for real: OPA processes killed, a proxy that delays or answers
503, a server that demands a token, servers whose bundle holds other policies.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from checker.cli import cli
from checker.engines import ENGINES
from checker.engines.opa import OpaEngine, policy_digest
from checker.policies import load_policies
from checker.resources import builtin_policy_dir
from tests.conftest import EXAMPLES, opa_binary
from tests.engines.servers import OpaServer, Proxy, free_port

pytestmark = [pytest.mark.opa, pytest.mark.usefixtures("opa")]

# Set for every run below: none of them may print it.
TOKEN = "tok-9f2c1e7b-do-not-print"
GOOD_TOKEN = "tok-5d81a0c4-the-right-one"


def check(*args: str | Path, token: str | None = TOKEN) -> Result:
    env = {"CHECKER_OPA_TOKEN": token, "CHECKER_OPA_URL": None}
    return CliRunner().invoke(cli, ["check", *map(str, args)], env=env)


def assert_could_not_run(result: Result, *fragments: str) -> str:
    """Exit 3, nothing on stdout, one ``checker: error:`` line on stderr; return it."""
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 3, (result.exit_code, result.output)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("checker: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for token in (TOKEN, GOOD_TOKEN):
        assert token not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def embedded_run(*args: str | Path) -> tuple[int, list[Any]]:
    result = check(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)["findings"]


def opa_run(url: str, *args: str | Path, token: str | None = TOKEN) -> tuple[int, list[Any]]:
    result = check(*args, "--engine", "opa", "--opa-url", url, "--format", "json",
                   token=token)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_connection_refused() -> None:
    port = free_port()
    line = assert_could_not_run(check(EXAMPLES, "--engine", "opa", "--opa-url",
                                      f"http://127.0.0.1:{port}", "--opa-retries", "1"),
                                "connection refused", "(2 attempts)")
    assert f"127.0.0.1:{port}" in line


def test_connection_refused_in_a_real_process_prints_one_line() -> None:
    env = {"CHECKER_OPA_TOKEN": TOKEN, "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "checker", "check", str(EXAMPLES),
                           "--engine", "opa", "--opa-url", f"http://127.0.0.1:{free_port()}",
                           "--opa-retries", "0"], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "connection refused" in proc.stderr
    assert TOKEN not in proc.stderr


def test_server_killed_mid_run(opa: str, monkeypatch: pytest.MonkeyPatch) -> None:
    server = OpaServer(opa)
    answered: list[str] = []

    class KilledAfterFirstAnswer(OpaEngine):
        """The real engine; the real server dies once it has answered one evaluation."""

        def evaluate(self, rule: str, input_json: str) -> Any:
            value = super().evaluate(rule, input_json)
            answered.append(rule)
            if len(answered) == 1:
                server.stop()
            return value

    monkeypatch.setitem(ENGINES, "opa", KilledAfterFirstAnswer)
    try:
        result = check(EXAMPLES, "--engine", "opa", "--opa-url", server.url)
    finally:
        server.stop()
    assert answered, "the server never answered: the test did not kill it mid-run"
    assert_could_not_run(result, "cannot reach the OPA server", "connection refused")


def delay_evaluations(seconds: float) -> Any:
    def rule(method: str, path: str, n: int) -> float | None:
        return seconds if path.startswith("/v1/data/") else None
    return rule


def test_slow_answers_past_the_timeout_fail_without_retrying(opa_server: OpaServer) -> None:
    with Proxy(opa_server.url, delay_evaluations(5.0)) as proxy:
        started = time.monotonic()
        result = check(EXAMPLES, "--engine", "opa", "--opa-url", proxy.url,
                       "--opa-timeout", "0.5", "--opa-retries", "2")
        elapsed = time.monotonic() - started
        evaluations = [p for _, p in proxy.seen if p.startswith("/v1/data/")]
    assert_could_not_run(result, "did not answer within 0.5 s", "--opa-timeout")
    assert len(evaluations) == 1  # a timeout is not retried
    assert elapsed < 4.0


def test_slow_answers_within_the_timeout_succeed(opa_server: OpaServer) -> None:
    with Proxy(opa_server.url, delay_evaluations(0.2)) as proxy:
        assert opa_run(proxy.url, EXAMPLES, "--opa-timeout", "5") == embedded_run(EXAMPLES)


def unavailable_first(times: int) -> Any:
    def rule(method: str, path: str, n: int) -> tuple[int, bytes] | None:
        if path.startswith("/v1/data/") and rule.count < times:  # type: ignore[attr-defined]
            rule.count += 1  # type: ignore[attr-defined]
            return 503, b"<html>busy</html>"
        return None
    rule.count = 0  # type: ignore[attr-defined]
    return rule


def test_503_is_retried_up_to_the_limit(opa_server: OpaServer) -> None:
    with Proxy(opa_server.url, unavailable_first(2)) as proxy:
        assert opa_run(proxy.url, EXAMPLES, "--opa-retries", "2") == embedded_run(EXAMPLES)


def test_503_beyond_the_retries_fails(opa_server: OpaServer) -> None:
    with Proxy(opa_server.url, unavailable_first(100)) as proxy:
        result = check(EXAMPLES, "--engine", "opa", "--opa-url", proxy.url,
                       "--opa-retries", "2")
        evaluations = [p for _, p in proxy.seen if p.startswith("/v1/data/")]
    assert_could_not_run(result, "HTTP 503", "(3 attempts)")
    assert len(evaluations) == 3


AUTHZ = f"""package system.authz

import rego.v1

default allow := {{"allowed": false, "reason": "no token"}}

allow := {{"allowed": true}} if input.identity == "{GOOD_TOKEN}"

# Echoes the token it refuses, as a careless authorization policy might: checker must not
# pass it on.
allow := {{"allowed": false, "reason": sprintf("token %s is not allowed", [input.identity])}} if {{
\tinput.identity
\tinput.identity != "{GOOD_TOKEN}"
}}
"""


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpaServer]:
    """A second OPA that wants a bearer token and lets only GOOD_TOKEN in."""
    binary = opa_binary()
    assert binary
    authz = tmp_path_factory.mktemp("authz") / "authz.rego"
    authz.write_text(AUTHZ)
    with OpaServer(binary, ["--authentication=token", "--authorization=basic", authz],
                   token=GOOD_TOKEN) as server:
        yield server


def test_wrong_token_is_refused_and_never_printed(token_server: OpaServer) -> None:
    request = urllib.request.Request(f"{token_server.url}/v1/policies",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert TOKEN in refused.value.read().decode()  # the server does echo it
    assert_could_not_run(check(EXAMPLES, "--engine", "opa", "--opa-url", token_server.url),
                         "HTTP 401", "check CHECKER_OPA_TOKEN")


def test_missing_token_is_refused(token_server: OpaServer) -> None:
    assert_could_not_run(check(EXAMPLES, "--engine", "opa", "--opa-url", token_server.url,
                               token=None), "HTTP 401", "set CHECKER_OPA_TOKEN")


def test_right_token_is_accepted(token_server: OpaServer) -> None:
    assert opa_run(token_server.url, EXAMPLES, token=GOOD_TOKEN) == embedded_run(EXAMPLES)


def policy_copy(root: Path) -> Path:
    """The built-in policy folder, tests included, as an operator would ship it."""
    return Path(shutil.copytree(builtin_policy_dir(), root / "policies"))


def test_bundle_with_identical_policies_is_used(opa: str, tmp_path: Path) -> None:
    with OpaServer(opa, ["--bundle", policy_copy(tmp_path)]) as server:
        assert opa_run(server.url, EXAMPLES) == embedded_run(EXAMPLES)


def change_a_module(folder: Path) -> None:
    main = folder / "checker" / "main.rego"
    main.write_text(main.read_text() + "# one more comment line\n")


def drop_a_module(folder: Path) -> None:
    # Tests go too: some import helpers of other modules' tests.
    for test in folder.rglob("*_test.rego"):
        test.unlink()
    min((folder / "checker" / "configuration").glob("*.rego")).unlink()


def add_a_module(folder: Path) -> None:
    (folder / "checker" / "configuration" / "extra.rego").write_text(
        "package checker.configuration.extra\n\nimport rego.v1\n\n"
        'deny contains {"rule": "EXTRA-1", "msg": "from the bundle", "path": []} if true\n')


def held_policies(server: OpaServer) -> dict[str, str]:
    with urllib.request.urlopen(f"{server.url}/v1/policies", timeout=10) as response:
        return {p["id"]: p["raw"] for p in json.load(response)["result"]}


def serve_another_application(folder: Path) -> None:
    # A bundle with no manifest owns every path: checker can neither find nor write its own.
    shutil.rmtree(folder / "checker")
    (folder / "other.rego").write_text("package other\n\nimport rego.v1\n\nallow if true\n")


@pytest.mark.parametrize(("change", "bundle"), [
    (change_a_module, True), (drop_a_module, True), (add_a_module, True),
    (change_a_module, False), (serve_another_application, True),
], ids=["changed", "missing", "extra", "changed-files-not-bundle", "other-bundle"])
def test_server_with_other_policies_is_refused(opa: str, tmp_path: Path, change: Any,
                                               bundle: bool) -> None:
    folder = policy_copy(tmp_path)
    change(folder)
    served = [p.read_text() for p in sorted(folder.rglob("*.rego"))
              if not p.name.endswith("_test.rego") and p.relative_to(folder).parts[0] == "checker"]
    ours = [m.source for m in load_policies().without_tests()]
    assert policy_digest(served) != policy_digest(ours)
    with OpaServer(opa, ["--bundle", folder] if bundle else [folder]) as server:
        before = held_policies(server)
        line = assert_could_not_run(check(EXAMPLES, "--engine", "opa", "--opa-url",
                                          server.url))
        after = held_policies(server)
    assert f"has policy version {policy_digest(served)} " in line
    assert f"we have {policy_digest(ours)} " in line
    assert before == after  # refused, and nothing of the server's was overwritten


def test_policy_rejected_by_the_server_is_located_in_our_file(opa_server: OpaServer,
                                                              tmp_path: Path) -> None:
    source = "package checker.configuration.bad\n\nimport rego.v1\n\nx if {\n\ty == 1\n}\n"
    (tmp_path / "bad.rego").write_text(source)
    line = source.splitlines().index("\ty == 1") + 1
    assert_could_not_run(check(EXAMPLES, "--policy", tmp_path, "--engine", "opa",
                               "--opa-url", opa_server.url),
                         f"{tmp_path.as_posix()}/bad.rego:{line}:", "rejected by the OPA server")


def test_undefined_entry_point_fails(opa_server: OpaServer, tmp_path: Path) -> None:
    # Without the built-in policies there is no checker/main.rego to define the entry point.
    (tmp_path / "rule.rego").write_text(
        "package checker.configuration.house\n\nimport rego.v1\n\n"
        'deny contains {"rule": "HOUSE-1", "msg": "x", "path": []} if false\n')
    assert_could_not_run(check(EXAMPLES, "--no-builtin", "--policy", tmp_path, "--engine",
                               "opa", "--opa-url", opa_server.url), "is undefined")


def test_server_that_forbids_writes_and_lacks_our_policies_is_refused(
        opa: str, tmp_path: Path) -> None:
    authz = tmp_path / "authz.rego"
    authz.write_text("package system.authz\n\nimport rego.v1\n\ndefault allow := false\n\n"
                     'allow if input.method in {"GET", "POST"}\n')
    with OpaServer(opa, ["--authentication=token", "--authorization=basic", authz]) as server:
        line = assert_could_not_run(check(EXAMPLES, "--engine", "opa", "--opa-url",
                                          server.url))
    empty = policy_digest([])
    assert f"has policy version {empty} (0 modules)" in line
    assert "does not let checker write policies" in line
