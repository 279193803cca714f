"""Real OPA processes and a loopback proxy in front of one, for engine tests.

Everything listens on 127.0.0.1 only. ``OpaServer`` runs ``opa run --server`` on a free
port and waits for its /health endpoint; ``Proxy`` forwards to it and can delay answers
or answer 503 first, to make the timeouts and retries of the OPA engine observable.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class OpaServer:
    """``opa run --server`` on a free loopback port; stop() ends exactly this process."""

    def __init__(self, binary: str, args: Sequence[str | Path] = (), *,
                 token: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._token = token
        # A file, not a pipe: nobody reads the log while the server runs, and a full pipe
        # would block it.
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [binary, "run", "--server", "--addr", f"127.0.0.1:{self.port}",
             "--log-level", "error", *map(str, args)],
            stdout=self._log, stderr=subprocess.STDOUT,
        )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, limit: float = 20.0) -> None:
        deadline = time.monotonic() + limit
        request = urllib.request.Request(f"{self.url}/health")
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.seek(0)
                log = self._log.read().decode(errors="replace")
                raise RuntimeError(f"opa exited with {self.process.returncode}: {log}")
            try:
                with urllib.request.urlopen(request, timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        raise RuntimeError(f"opa at {self.url} not healthy after {limit} s")

    def stop(self) -> None:
        """Kill the server and wait for it, so its port is really free afterwards."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()

    def __enter__(self) -> OpaServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


Rule = Callable[[str, str, int], "tuple[int, bytes] | tuple[int, bytes, str] | float | None"]


class Proxy:
    """A loopback HTTP proxy in front of ``upstream``.

    ``rule(method, path, n)`` is asked for the n-th request (from 1): a float delays it by
    that many seconds before forwarding, ``(status, body)`` or ``(status, body, content
    type)`` answers without forwarding (text/plain by default), None forwards at once.
    ``seen`` lists (method, path) of every request.
    """

    def __init__(self, upstream: str, rule: Rule) -> None:
        self.seen: list[tuple[str, str]] = []
        self._stopping = threading.Event()
        host, port = upstream.removeprefix("http://").split(":")
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.seen.append((self.command, self.path))
                decision = rule(self.command, self.path, len(proxy.seen))
                if isinstance(decision, float | int) and not isinstance(decision, bool):
                    proxy._stopping.wait(float(decision))
                elif isinstance(decision, tuple):
                    self._answer(decision[0], decision[1],
                                 decision[2] if len(decision) > 2 else "text/plain")
                    return
                upstream_conn = http.client.HTTPConnection(host, int(port), timeout=30)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("content-type", "authorization")}
                upstream_conn.request(self.command, self.path, body=body, headers=headers)
                answer = upstream_conn.getresponse()
                data = answer.read()
                upstream_conn.close()
                self._answer(answer.status, data, answer.getheader("Content-Type") or "")

            def _answer(self, status: int, data: bytes, content_type: str) -> None:
                try:
                    self.send_response(status)
                    if content_type:
                        self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (its timeout): nothing to answer to

            do_GET = do_PUT = do_POST = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Wake delayed requests and stop serving."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
