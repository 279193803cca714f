"""Turn the engine's answers into findings: the one place a raw answer is read.

Whole documents (``checker.runner``) and the chunks of a streamed snapshot
(``checker.parallel``, in worker processes) are evaluated differently, but every answer goes
through ``read_answer`` (its shape), every deny object through ``parse_raw``, every finding
is identified by ``identity`` and ``fingerprint`` and built by ``build_finding``, so the two
paths cannot drift apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from checker.errors import EngineError
from checker.loading import Document
from checker.model import Finding, Location, Rule, Severity
from checker.policies import INPUT_RULES

CONFIGURATION_KIND = "PartnerConfiguration"


@dataclass(frozen=True, slots=True)
class Answer:
    """What one evaluation of an entry point returned, its shape checked.

    ``deny`` are the raw deny objects (each checked by ``parse_raw`` when read);
    ``not_applicable`` maps rule ids to why they did not apply; ``subscriptions`` counts
    the subscriptions per kind (empty for a policy set without the count).
    """

    deny: list[Any]
    not_applicable: dict[str, str]
    subscriptions: dict[str, int]


@dataclass(frozen=True, slots=True)
class RawFinding:
    """One deny object: rule id, message, path in its document, and which document."""

    rule_id: str
    message: str
    path: list[str | int]
    document: str


def read_answer(entry_point: str, answer: Any) -> Answer:
    """Check the shape of ``data.<entry_point>``'s value and read its parts."""
    if (not isinstance(answer, dict) or not isinstance(answer.get("deny"), list)
            or not isinstance(answer.get("not_applicable"), list)):
        raise EngineError(f"data.{entry_point} returned an unexpected value; "
                          "is a policy redefining checker.main?")
    skipped = {str(n.get("rule")): str(n.get("msg", "")) for n in answer["not_applicable"]
               if isinstance(n, dict)}
    return Answer(answer["deny"], skipped, subscription_counts(answer))


def subscription_counts(answer: dict[str, Any]) -> dict[str, int]:
    """The answer's subscriptions per kind; a policy set without the count gives none."""
    counts = answer.get("subscriptions")
    if not isinstance(counts, dict):
        return {}
    return {str(k): v for k, v in counts.items()
            if isinstance(v, int) and not isinstance(v, bool)}


def add_counts(total: dict[str, int], counts: Mapping[str, int]) -> None:
    """Add ``counts`` (subscriptions per kind) into ``total``."""
    for kind, n in counts.items():
        total[kind] = total.get(kind, 0) + n


def parse_raw(raw: Any) -> RawFinding:
    """Check one deny object's shape: {"rule", "msg", "path"?, "document"?}."""
    if not isinstance(raw, dict) or not isinstance(raw.get("rule"), str) \
            or not isinstance(raw.get("msg"), str):
        raise EngineError(f"a policy produced a finding without string 'rule' and 'msg': "
                          f"{orjson.dumps(raw).decode()[:200]}")
    path = raw.get("path", [])
    if not isinstance(path, list) or not all(
            isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool)) for p in path):
        raise EngineError(f"rule {raw['rule']}: 'path' must be an array of keys and indexes")
    document = raw.get("document", "")
    if document not in ("", "configuration"):
        document = str(document)
    return RawFinding(raw["rule"], raw["msg"], path, document)


def customer_index(path: Sequence[str | int]) -> int | None:
    """The index of the customer a path is in (``customers/N/...``), if it is in one."""
    if len(path) > 1 and path[0] == "customers":
        index = path[1]
        if isinstance(index, int):
            return index
    return None


def document_key(doc: Document) -> str:
    """What a finding's fingerprint names its document by: its kind and partner.

    Not its path, which changes with the working directory and the arguments (``./x``,
    an absolute path, a folder): a baseline must match wherever it is run from, and after
    a file is moved or renamed. A snapshot's asOf is left out, so tomorrow's snapshot of
    the same partner matches today's baseline.
    """
    data = doc.data
    if doc.kind == CONFIGURATION_KIND:
        partner = data.get("partner") if isinstance(data.get("partner"), dict) else {}
        return f"{CONFIGURATION_KIND}:{partner.get('id', '')}"
    return f"{doc.kind}:{data.get('partnerId', '')}"


def fingerprint(rule_id: str, key: str, identity: str) -> str:
    """A finding's identity across runs, from its rule, document key and stable path."""
    return hashlib.sha256(f"{rule_id}\0{key}\0{identity}".encode()).hexdigest()[:32]


def identity(data: Any, path: Sequence[str | int]) -> tuple[str, str, str]:
    """Path with array indexes replaced by element ids, plus the customer and subscription.

    ``/customers/3/subscriptions/0/status`` becomes ``/customers[c-42]/subscriptions[s-7]/
    status``: stable when customers are reordered, which a baseline relies on.
    """
    node = data
    parts: list[str] = []
    customer = subscription = ""
    previous: str | int = ""
    for part in path:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            ident = _element_id(node)
            parts.append(f"[{ident}]" if ident else f"[{part}]")
            if previous == "customers":
                customer = ident
            elif previous == "subscriptions":
                subscription = ident
            elif isinstance(node, dict) and isinstance(node.get("subscriptionId"), str):
                subscription = node["subscriptionId"]
        else:
            parts.append("/" + str(part))
            node = node.get(part) if isinstance(node, dict) and isinstance(part, str) else None
        previous = part
    return "".join(parts), customer, subscription


def _element_id(node: Any) -> str:
    if isinstance(node, dict):
        for key in ("id", "eventId"):
            value = node.get(key)
            if isinstance(value, str) and value:
                return value
    return ""


def build_finding(rules: Mapping[str, Rule], rule_id: str, message: str, location: Location,
                  key: str, path_identity: str, customer: str = "",
                  subscription: str = "") -> Finding:
    """A policy finding, with its rule's severity, title and remediation.

    A rule id the catalogue does not know (a user policy's) is an error without title.
    """
    rule = rules.get(rule_id)
    return Finding(
        rule_id,
        rule.severity if rule else Severity.ERROR,
        message,
        location,
        rule.title if rule else "",
        rule.remediation if rule else "",
        fingerprint(rule_id, key, path_identity),
        customer,
        subscription,
    )


def input_finding(rule_id: str, message: str, file: str, pointer: str = "", line: int = 0,
                  column: int = 0) -> Finding:
    """A finding about an input itself (CHK-*: unreadable, invalid, unmatched...)."""
    rule = INPUT_RULES[rule_id]
    # Broken inputs have no partner to name them by; their file's name (not its path,
    # which depends on the working directory) does. They are never baselined.
    key = fingerprint(rule_id, file.rsplit("/", 1)[-1], pointer)
    return Finding(rule_id, rule.severity, message, Location(file, pointer, line, column),
                   rule.title, rule.remediation, key)
