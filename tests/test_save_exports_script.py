"""examples/partner-center/save-exports.sh against recorded responses on a local server.

The server on 127.0.0.1 answers the script's GET requests with the fixture responses (two
pages of customers linked by a continuation token, per-customer collections, fraud events,
invoices, audit records), checks the bearer token and headers, and 404s what a real
partner would not have (a usage summary of a customer without Azure).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from checker.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "partner-center" / "save-exports.sh"
EXPORT = ROOT / "tests" / "fixtures" / "partner-center" / "export"
TOKEN = "test-token-not-a-secret"
TOKEN_PAGE_2 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

pytestmark = pytest.mark.skipif(not (shutil.which("bash") and shutil.which("curl")),
                                reason="needs bash and curl")


class _Recorded(BaseHTTPRequestHandler):
    seen: list[str] = []

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        return

    def _send(self, status: int, body: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(401)
            return
        url = urlsplit(self.path)
        self.seen.append(url.path)
        parts = url.path.strip("/").split("/")
        body: Path | dict[str, object] | None = None
        if url.path == "/v1/customers":
            token = self.headers.get("MS-ContinuationToken")
            body = EXPORT / ("customers-page-2.json" if token == TOKEN_PAGE_2
                             else "customers-page-1.json")
        elif len(parts) == 4 and parts[:2] == ["v1", "customers"]:
            candidate = EXPORT / "customers" / parts[2] / f"{parts[3]}.json"
            if candidate.exists():
                body = candidate
            elif parts[3] == "servicerequests":
                body = {"totalCount": 0, "items": [], "attributes": {"objectType": "Collection"},
                        "links": {"self": {"uri": f"/customers/{parts[2]}/servicerequests"}}}
        elif url.path == "/v1/fraudEvents" and self.headers.get("X-NewEventsModel") == "true":
            body = EXPORT / "fraud-events.json"
        elif url.path == "/v1/invoices":
            body = EXPORT / "invoices.json"
        elif url.path == "/v1/auditrecords" and "startDate=" in url.query:
            body = EXPORT / "audit-records.json"
        if body is None:
            self._send(404)
        elif isinstance(body, Path):
            self._send(200, body.read_bytes())
        else:
            self._send(200, json.dumps(body).encode())


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorded)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Recorded.seen = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _run(base: str, out: Path, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PC_TOKEN": token, "PC_BASE_URL": base, "EXPORT_DIR": str(out),
           "PAGE_SIZE": "2"}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_script_saves_every_response_the_importer_reads(
        server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "exports"
    result = _run(server, out)
    assert result.returncode == 0, result.stderr
    saved = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert "customers-0001.json" in saved and "customers-0002.json" in saved
    assert "fraud-events.json" in saved and "invoices.json" in saved
    assert "audit-records-0001.json" in saved
    assert "customers/44908a11-641b-4c53-b7fc-0f2bfca8a581/usagesummary.json" in saved
    # No usage summary for a customer without Azure (HTTP 404): no file.
    assert "customers/eebd1b55-5360-4438-a11d-5c06918c3014/usagesummary.json" not in saved
    assert not list(out.rglob("*.part"))
    assert (out / "customers-0002.json").read_bytes() == (
        EXPORT / "customers-page-2.json").read_bytes()
    assert TOKEN not in result.stderr
    monkeypatch.chdir(tmp_path)
    imported = CliRunner().invoke(cli, ["import", "partner-center", "exports", "--partner-id",
                                        "contoso", "--as-of", "2026-06-30",
                                        "-o", "snapshot.json"])
    assert imported.exit_code == 0, imported.output
    snapshot = json.loads(Path("snapshot.json").read_text())
    assert len(snapshot["customers"]) == 4
    assert sum(len(c.get("fraudEvents", [])) for c in snapshot["customers"]) == 2
    assert sum(len(c.get("partnerActions", [])) for c in snapshot["customers"]) == 1


def test_the_script_stops_on_a_refused_request(server: str, tmp_path: Path) -> None:
    result = _run(server, tmp_path / "exports", token="wrong")
    assert result.returncode != 0
    assert "answered HTTP 401" in result.stderr
    assert "wrong" not in result.stderr
