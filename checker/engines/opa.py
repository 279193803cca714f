"""Remote engine: a running Open Policy Agent server, reached through opa-python-client.

``load`` makes the server hold exactly checker's policies: it uploads them with the Policy
API under ids ``checker/<module name>`` (deleting what an earlier run left there), or, when
the server's policies cannot be written (a bundle owns them, its authorization policy
forbids writes, or other ids already define ``checker`` packages), it compares the server's
policies byte for byte with ours and refuses to run if they differ. ``evaluate`` then posts
each input to the Data API. Every failure becomes one line in an ``EngineError`` or
``PolicyError``; the bearer token (``CHECKER_OPA_TOKEN``) never appears in any of them.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import orjson

from checker.engines.interface import EngineOptions
from checker.errors import CheckerError, EngineError, PolicyError, UsageError
from checker.policies import PolicyModule

if TYPE_CHECKING:
    import requests

DEFAULT_URL = "http://localhost:8181"
TOKEN_ENV = "CHECKER_OPA_TOKEN"
# Policy ids checker owns on the server; anything else there is left alone.
NAMESPACE = "checker/"
# Evaluation is idempotent, so gateways' "try again" answers and a bare 500 (not OPA's own
# error document, which is deterministic) are retried; nothing else is.
_RETRY_STATUSES = frozenset({502, 503, 504})
_MAX_BACKOFF = 2.0
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_OS_ERROR = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")

T = TypeVar("T")


class _Transient(Exception):
    """A failure worth retrying (connection refused or reset, 502/503/504)."""


@dataclass(frozen=True)
class ServerPolicy:
    """One policy module as the server holds it."""

    id: str
    package: str
    raw: str


def policy_digest(sources: Iterable[str]) -> str:
    """Version of a policy set: a digest of its module sources, independent of order.

    Module names are left out on purpose: a server fed by a bundle names modules by the
    bundle's paths, and only the sources decide what a policy set does.
    """
    per_module = sorted(hashlib.sha256(s.encode()).hexdigest() for s in sources)
    return hashlib.sha256("\n".join(per_module).encode()).hexdigest()[:12]


def policy_ids(modules: Sequence[PolicyModule]) -> dict[str, PolicyModule]:
    """Server policy id of each module: ``checker/`` plus its name, made URL-safe."""
    ids: dict[str, PolicyModule] = {}
    for module in modules:
        segments = [_ID_UNSAFE.sub("_", s) for s in module.name.split("/")
                    if s not in ("", ".", "..")]
        base = NAMESPACE + "/".join(segments or ["module.rego"])
        candidate, n = base, 1
        while candidate in ids:  # names that only differed in unsafe characters
            n += 1
            candidate = f"{base}~{n}"
        ids[candidate] = module
    return ids


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


class OpaEngine:
    """Evaluates policies on an OPA server over HTTP."""

    name = "opa"
    # A request per 1000 customers keeps the server linear (see README, Engine performance).
    batch_size = 1000

    def __init__(self, options: EngineOptions | None = None) -> None:
        options = options or EngineOptions()
        self._url, host, port, https = _parse_url(options.opa_url or DEFAULT_URL)
        if options.timeout <= 0:
            raise UsageError("--opa-timeout must be a positive number of seconds")
        if options.retries < 0:
            raise UsageError("--opa-retries must be 0 or more")
        self._timeout = float(options.timeout)
        self._retries = int(options.retries)
        token = options.opa_token if options.opa_token is not None else os.environ.get(
            TOKEN_ENV, "")
        token = token.strip()
        self._token = token
        if any(ch.isspace() or not ch.isprintable() for ch in token):
            # requests would put the header value, token included, in its exception text.
            raise EngineError(f"{TOKEN_ENV} contains spaces or control characters")
        # Imported here: opa_client pulls in requests and aiohttp, which the default
        # engine does not need.
        from opa_client import OpaClient

        # The client's own urllib3 retries would also retry on read timeouts for PUT and
        # DELETE and never count against --opa-retries: retries are done here instead.
        self._client = OpaClient(host=host, port=port, ssl=https, token=token or None,
                                 retries=0, timeout=self._timeout)
        self._session: requests.Session = self._client._session
        self._root = str(self._client.root_url)
        self._server_version = ""
        self._digest = ""
        self._modules: tuple[PolicyModule, ...] = ()

    # -- the Engine protocol -------------------------------------------------------------

    def load(self, modules: Sequence[PolicyModule]) -> None:
        """Make the server hold exactly ``modules``, or refuse if it holds others."""
        ours = policy_ids(modules)
        server = self._list_policies()
        foreign = [p.id for p in server.values()
                   if _is_checker_policy(p) and not p.id.startswith(NAMESPACE)]
        refused = ""
        if foreign:
            # Loaded from files or a bundle: writing ours beside them would mix two sets.
            refused = "the server has checker policies of its own"
        else:
            refused, wrote = self._upload(ours, server)
            if wrote:
                server = self._list_policies()
        self._verify(modules, server, refused)
        self._modules = tuple(modules)
        self._digest = policy_digest(m.source for m in modules)
        self._server_version = self._fetch_version()

    def evaluate(self, rule: str, input_json: str) -> Any:
        """Evaluate ``data.<rule>`` on the server; undefined or any failure raises."""
        path = rule.replace(".", "/")
        # The input is already JSON text: wrap it rather than parse and re-serialise it.
        body = b'{"input":' + input_json.encode() + b"}"
        what = f"evaluating data.{rule}"
        # strict-builtin-errors: a failing built-in (a bad timestamp) fails the evaluation
        # as it does on the embedded engine, instead of quietly dropping a finding.
        status, answer = self._call(what, lambda: self._request(
            "POST", f"/data/{path}?strict-builtin-errors=true", body))
        if status != 200:
            self._fail(what, status, answer)
        if not isinstance(answer, dict) or "result" not in answer:
            raise EngineError(self._redact(
                f"data.{rule} is undefined on the OPA server at {self._url}: is "
                "checker/main.rego loaded?"))
        return answer["result"]

    def finish(self) -> None:
        """Refuse the run if the server's policies changed since ``load``.

        One server holds one set of policies: a second run (or any client) writing others
        while this one evaluated may have decided some of its answers, so they are thrown
        away rather than reported.
        """
        try:
            self._verify(self._modules, self._list_policies(), "")
        except EngineError as exc:
            raise EngineError(self._redact(
                f"the policies on the OPA server at {self._url} changed during the run "
                "(another run or client wrote its own), so its answers cannot be trusted; "
                "run one policy set per server at a time")) from exc

    def version(self) -> str:
        """Server version, address and the version (digest) of the policies it holds."""
        policies = f", policies {self._digest}" if self._digest else ""
        return f"OPA {self._server_version or '(version unknown)'} at {self._url}{policies}"

    # -- loading -------------------------------------------------------------------------

    def _list_policies(self) -> dict[str, ServerPolicy]:
        what = "reading the server's policies"
        status, answer = self._call(what, lambda: self._request("GET", "/policies", None))
        if status != 200:
            self._fail(what, status, answer)
        result = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(result, list):
            raise EngineError(f"{what} on {self._url}: unexpected answer (is it an OPA "
                              "server?)")
        policies = {}
        for item in result:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                policy = ServerPolicy(item["id"], _package_of(item), str(item.get("raw", "")))
                policies[policy.id] = policy
        return policies

    def _upload(self, ours: dict[str, PolicyModule],
                server: dict[str, ServerPolicy]) -> tuple[str, bool]:
        """Bring the ``checker/`` ids in line with ``ours``.

        Returns why the server refused writes ("" if it did not) and whether anything was
        written. OPA compiles the whole policy set on every write, so a module whose imports
        are not there yet (or a stale module it conflicts with) is rejected: writes are
        retried in rounds until none makes progress, and only then is a rejection a policy
        error.
        """
        pending: dict[str, Callable[[], None]] = {}
        for policy_id in server:
            if policy_id.startswith(NAMESPACE) and policy_id not in ours:
                pending[policy_id] = self._deleter(policy_id)
        # Modules that import fewer others go first, so that the usual set (a lib, then
        # rules importing it) is accepted in one round.
        for policy_id, module in sorted(ours.items(),
                                        key=lambda item: item[1].source.count("import data.")):
            held = server.get(policy_id)
            if held is None or held.raw != module.source:
                pending[policy_id] = self._putter(policy_id, module.source)
        wrote = bool(pending)
        rejections: dict[str, _Rejected] = {}
        while pending:
            done = []
            for policy_id, write in pending.items():
                try:
                    write()
                except _Rejected as exc:
                    if exc.read_only:
                        return exc.reason, wrote
                    rejections[policy_id] = exc
                else:
                    done.append(policy_id)
                    rejections.pop(policy_id, None)
            if not done:
                raise self._policy_error(ours, rejections)
            for policy_id in done:
                del pending[policy_id]
        return "", wrote

    def _putter(self, policy_id: str, source: str) -> Callable[[], None]:
        def put() -> None:
            from opa_client.errors import RegoParseError

            what = f"uploading policy {policy_id}"

            def send() -> None:
                try:
                    # rego_compat=False: the client would otherwise rewrite a module it
                    # takes for Rego v0 and upload something that is not ours.
                    self._client.update_policy_from_string(source, policy_id,
                                                           rego_compat=False)
                except RegoParseError as exc:
                    raise _Rejected.from_error(str(exc.expression or ""),
                                               str(exc.message or ""), exc.errors) from exc
                except Exception as exc:
                    self._translate(what, exc)

            self._call(what, send)
        return put

    def _deleter(self, policy_id: str) -> Callable[[], None]:
        def delete() -> None:
            from opa_client.errors import DeletePolicyError

            what = f"deleting stale policy {policy_id}"

            def send() -> None:
                try:
                    self._client.delete_policy(policy_id)
                except DeletePolicyError as exc:
                    if exc.expression == "resource_not_found":
                        return  # already gone: what we wanted
                    raise _Rejected.from_error(str(exc.expression or ""),
                                               str(exc.message or ""), []) from exc
                except Exception as exc:
                    self._translate(what, exc)

            self._call(what, send)
        return delete

    def _policy_error(self, ours: dict[str, PolicyModule],
                      rejections: dict[str, _Rejected]) -> CheckerError:
        # A module rejected for its own sake explains more than one whose import failed.
        ordered = sorted(rejections.values(), key=lambda r: r.is_dependency)
        if not ordered:
            return EngineError(f"the OPA server at {self._url} accepted no policy write")
        first = ordered[0]
        module = ours.get(first.file)
        where = module.name if module else first.file
        location = f"{where}:{first.row}:{first.col}: " if where and first.row else (
            f"{where}: " if where else "")
        more = f" (and {first.count - 1} more)" if first.count > 1 else ""
        return PolicyError(self._redact(_one_line(
            f"{location}{first.reason}{more} (rejected by the OPA server at {self._url})")))

    def _verify(self, modules: Sequence[PolicyModule], server: dict[str, ServerPolicy],
                refused: str) -> None:
        # Compared: whatever can change checker's decisions, i.e. modules in checker's
        # packages or in any package of ours (a helper library), and the ids we write.
        # Test modules only add test_ rules, and checker loads none (see PolicySet).
        ids = policy_ids(modules)
        packages = {m.package for m in modules}
        held = [p for p in server.values()
                if (_is_checker_policy(p) or p.package in packages or p.id in ids)
                and not p.id.endswith("_test.rego")]
        theirs = Counter(p.raw for p in held)
        wanted = Counter(m.source for m in modules)
        if theirs == wanted:
            return
        missing = [m.name for m in modules if theirs[m.source] < wanted[m.source]]
        extra = [p.id for p in held if wanted[p.raw] < theirs[p.raw]]
        detail = "; ".join(part for part in (
            f"not on the server: {missing[0]}" + (f" and {len(missing) - 1} more"
                                                  if len(missing) > 1 else "")
            if missing else "",
            f"only on the server: {extra[0]}" + (f" and {len(extra) - 1} more"
                                                 if len(extra) > 1 else "")
            if extra else "",
        ) if part)
        why = f"; checker cannot upload its own: {refused}" if refused else ""
        raise EngineError(self._redact(_one_line(
            f"the OPA server at {self._url} has policy version "
            f"{policy_digest(p.raw for p in held)} ({len(held)} modules), we have "
            f"{policy_digest(m.source for m in modules)} ({len(modules)} modules){why} "
            f"({detail})", 400)))

    def _fetch_version(self) -> str:
        # Informational only (for the report), so one short try and no failure.
        try:
            response = self._session.post(
                f"{self._root}/query", data=b'{"query":"v := opa.runtime().version"}',
                headers={"Content-Type": "application/json"},
                timeout=min(self._timeout, 5.0))
            rows = response.json().get("result") if response.status_code == 200 else None
            if isinstance(rows, list) and rows and isinstance(rows[0], dict):
                return str(rows[0].get("v", ""))
        except Exception:  # a version string is not worth failing a run for
            return ""
        return ""

    # -- HTTP ----------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: bytes | None) -> tuple[int, Any]:
        """One request, its whole answer read within about ``timeout`` seconds."""
        import requests

        deadline = time.monotonic() + self._timeout
        what = f"{method} {path.split('?')[0]}"
        try:
            response = self._session.request(
                method, f"{self._root}{path}", data=body, stream=True,
                headers={"Content-Type": "application/json"} if body is not None else None,
                timeout=self._timeout)
            with response:
                chunks = []
                # Socket timeouts bound each read; the deadline bounds a server that
                # trickles its answer.
                for chunk in response.iter_content(1 << 16):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise requests.exceptions.ReadTimeout("deadline")
                status = response.status_code
        except Exception as exc:
            self._translate(what, exc)
        content = b"".join(chunks)
        try:
            answer = orjson.loads(content) if content else None
        except orjson.JSONDecodeError:
            answer = None
        if status in _RETRY_STATUSES or (status == 500 and not _is_opa_error(answer)):
            raise _Transient(f"HTTP {status}")
        if status >= 300 and not isinstance(answer, dict):
            answer = {"message": content.decode(errors="replace")[:200]}
        elif status < 300 and content and answer is None:
            raise EngineError(f"{what} on {self._url}: the answer is not JSON (is it an "
                              "OPA server?)")
        return status, answer

    def _translate(self, what: str, exc: Exception) -> NoReturn:
        """Raise a failure of the HTTP layer as ``_Transient`` or ``EngineError``."""
        import requests

        if isinstance(exc, (_Transient, _Rejected, CheckerError)):
            raise exc
        text = str(exc)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            raise _Transient("connection timed out") from exc
        if isinstance(exc, requests.exceptions.Timeout) or "timed out" in text.lower():
            # Not retried: a slow server would only make the run wait several times longer.
            raise EngineError(self._redact(
                f"the OPA server at {self._url} did not answer within {self._timeout:g} s "
                f"(--opa-timeout) while {what}")) from exc
        if isinstance(exc, (requests.exceptions.ConnectionError,
                            requests.exceptions.ChunkedEncodingError)):
            raise _Transient(_connection_reason(text)) from exc
        if isinstance(exc, ValueError):  # an error answer that is not JSON (a proxy's page)
            raise _Transient("the answer is not JSON") from exc
        raise EngineError(self._redact(
            f"{what} on {self._url} failed: {_one_line(text, 200)}")) from exc

    def _call(self, what: str, send: Callable[[], T]) -> T:
        """Run ``send``, retrying transient failures with a short, growing pause."""
        attempts = 1 + self._retries
        for attempt in range(attempts):
            try:
                return send()
            except _Transient as exc:
                reason = str(exc)
                if attempt + 1 < attempts:
                    time.sleep(min(0.1 * 2 ** attempt, _MAX_BACKOFF))
        tries = f" ({attempts} attempts)" if attempts > 1 else ""
        raise EngineError(self._redact(
            f"cannot reach the OPA server at {self._url} while {what}: {reason}{tries}"))

    def _fail(self, what: str, status: int, answer: Any) -> NoReturn:
        code = str(answer.get("code", "")) if isinstance(answer, dict) else ""
        message = str(answer.get("message", "")) if isinstance(answer, dict) else ""
        errors = answer.get("errors") if isinstance(answer, dict) else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            message = f"{message}: {errors[0].get('message', '')}"
        if status in (401, 403):
            hint = (f"check {TOKEN_ENV}" if self._token else
                    f"the server wants a token: set {TOKEN_ENV}")
            raise EngineError(self._redact(_one_line(
                f"the OPA server at {self._url} refused {what}: HTTP {status} "
                f"{code or 'unauthorized'} ({message or 'no reason given'}); {hint}")))
        raise EngineError(self._redact(_one_line(
            f"the OPA server at {self._url} failed {what}: HTTP {status}"
            + (f" {code}" if code else "") + (f": {message}" if message else ""))))

    def _redact(self, text: str) -> str:
        """Never let the token through, whatever a server or library echoes back."""
        return text.replace(self._token, "***") if self._token else text


class _Rejected(Exception):
    """The server refused a policy write: read-only, or the module does not compile."""

    def __init__(self, reason: str, *, read_only: bool, file: str = "", row: int = 0,
                 col: int = 0, count: int = 0, is_dependency: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.read_only = read_only
        self.file = file
        self.row = row
        self.col = col
        self.count = count
        self.is_dependency = is_dependency

    @classmethod
    def from_error(cls, code: str, message: str, errors: Any) -> _Rejected:
        """Classify an OPA error document returned for a policy write."""
        if code in ("unauthorized", "forbidden") or "owned by bundle" in message:
            reason = "a bundle owns the server's policies" if "bundle" in message else (
                "the server does not let checker write policies")
            return cls(reason, read_only=True)
        details = [e for e in errors or [] if isinstance(e, dict)]
        if not details:
            return cls(_one_line(f"{code}: {message}" if code else message), read_only=False)
        first = details[0]
        location = first.get("location") or {}
        text = str(first.get("message", message))
        return cls(_one_line(text), read_only=False, file=str(location.get("file", "")),
                   row=int(location.get("row", 0) or 0), col=int(location.get("col", 0) or 0),
                   count=len(details),
                   is_dependency=text.startswith(("undefined function", "undefined ref")))


def _parse_url(url: str) -> tuple[str, str, int, bool]:
    """Split ``--opa-url`` into what the client takes: shown form, host, port, https."""
    parts = urlsplit(url.strip())
    # Every message shows the URL without its user information: a password in it must
    # not reach a log, even when the URL is refused for another reason.
    url = _without_credentials(url.strip())
    try:
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"--opa-url: bad port in {url!r}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--opa-url: {url!r} is not an http:// or https:// URL")
    if parts.username or parts.password:
        raise UsageError(f"--opa-url: no credentials in the URL; set {TOKEN_ENV} instead")
    if parts.path.strip("/") or parts.query or parts.fragment:
        # opa-python-client builds every URL as scheme://host:port/v1/...: no path prefix.
        raise UsageError(f"--opa-url: give only scheme://host[:port], not {url!r}")
    https = parts.scheme == "https"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = port or (443 if https else 80)
    return f"{parts.scheme}://{host}:{port}", host, port, https


def _without_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@``."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)?[^/?#@]*@", lambda m: f"{m.group(1) or ''}***@",
                  url, count=1)


def _package_of(item: dict[str, Any]) -> str:
    path = (item.get("ast") or {}).get("package", {}).get("path", [])
    names = [str(p.get("value", "")) for p in path if isinstance(p, dict)]
    return ".".join(names[1:])  # the first term is "data"


def _is_checker_policy(policy: ServerPolicy) -> bool:
    return policy.package == "checker" or policy.package.startswith("checker.")


def _is_opa_error(answer: Any) -> bool:
    return isinstance(answer, dict) and isinstance(answer.get("code"), str)


def _connection_reason(text: str) -> str:
    match = _OS_ERROR.search(text)
    if match:
        return match.group(1).strip().lower()
    if "RemoteDisconnected" in text or "closed connection" in text:
        return "the server closed the connection without answering"
    if "Connection aborted" in text or "reset" in text.lower():
        return "the connection was reset"
    return "connection failed"
