"""Saved Partner Center REST API responses, recognised by their content.

Any ``.json`` file under the export folder is read; its name does not matter. A file is one
response: a collection (``items``, ``totalCount``, ``links``, ``attributes.objectType``
``Collection``), a bare JSON array (``GET /v1/fraudEvents``) or a single resource. Each
resource is recognised by ``attributes.objectType``, else by the collection's
``links.self.uri``, else by the members only its type has. Keys are taken in either casing
(``Status`` or ``status``); the snapshot has camelCase.

Where a per-customer resource belongs:

- subscriptions, service requests: the customer id in the collection's ``links.self.uri``
  (``/customers/{id}/subscriptions``), else in the resource's own ``links.self.uri``; a
  subscription named by neither cannot be attributed and stops the import (it could hide
  an active subscription under fraud); a service request named by neither is one of the
  partner's own (``GET /v1/servicerequests``) and is left out, with a warning;
- fraud events: their ``customerTenantId`` (one partner-wide list, regrouped);
- usage summaries: ``resourceId`` (the customer), else the links;
- audit records: ``customerId``; only a partner's own successful ``UpdateSubscription``
  that suspends (or reactivates) a subscription becomes a partner action.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from checker.errors import ExportError
from checker.importing.log import ImportLog, read_bytes
from checker.importing.store import Origin, Store
from checker.loading import display_name
from checker.locate import JsonTextLocator
from checker.normalize import camel_keys

PathParts = tuple[str | int, ...]

# Members of Partner Center resources that are HTTP metadata, not facts.
_METADATA = ("links", "attributes")
_CUSTOMER_IN_URI = re.compile(r"(?:^|/)customers/([^/?#]+)(?:/([a-z]+))?", re.IGNORECASE)
_URI_KINDS = {"subscriptions": "subscription", "servicerequests": "servicerequest",
              "usagesummary": "customerusagesummary"}
_TOP_URI_KINDS = (("fraudevents", "fraudevent"), ("invoices", "invoice"),
                  ("auditrecords", "auditrecord"))
_OBJECT_TYPES = {"customer", "subscription", "servicerequest", "invoice",
                 "customerusagesummary", "auditrecord", "fraudevent"}
_SUSPENDED = "suspended"
_CAPITAL_KEY = re.compile(rb'"[A-Z][^"]*"[ \t\r\n]*:')


def _same(value: Any) -> Any:
    return value


def _lower(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


def _self_uri(resource: Any) -> str:
    if not isinstance(resource, dict):
        return ""
    links = resource.get("links")
    self_link = links.get("self") if isinstance(links, dict) else None
    uri = self_link.get("uri") if isinstance(self_link, dict) else None
    return uri if isinstance(uri, str) else ""


def _uri_customer(uri: str) -> tuple[str, str]:
    """(customer id, what follows it) named by a URI, or ("", "")."""
    match = _CUSTOMER_IN_URI.search(uri)
    if not match:
        return "", ""
    return match.group(1), (match.group(2) or "").lower()


def _object_type(resource: dict[str, Any]) -> str:
    attributes = resource.get("attributes")
    kind = attributes.get("objectType") if isinstance(attributes, dict) else None
    return kind if isinstance(kind, str) else ""


def _kind_by_members(resource: dict[str, Any]) -> str:
    """The type of a resource without objectType, from the members only it has."""
    has = resource.__contains__
    if has("eventId") and (has("eventStatus") or has("eventType")):
        return "fraudevent"
    if has("operationType") and has("resourceType"):
        return "auditrecord"
    if has("companyProfile") or has("relationshipToPartner"):
        return "customer"
    if has("invoiceDate") and has("totalCharges"):
        return "invoice"
    if has("budget") or has("spendingBudget") or (has("totalCost") and has("resourceId")):
        return "customerusagesummary"
    if has("offerId") and has("status"):
        return "subscription"
    if has("supportTopicId") or (has("title") and has("createdDate") and has("status")):
        return "servicerequest"
    return ""


def _kind_by_uri(uri: str) -> str:
    customer, rest = _uri_customer(uri)
    if customer:
        return _URI_KINDS.get(rest, "customer" if not rest else "")
    lowered = uri.lower()
    if re.search(r"(?:^|/)customers/?(?:[?#]|$)", lowered):
        return "customer"
    return next((kind for word, kind in _TOP_URI_KINDS if f"/{word}" in f"/{lowered}"), "")


class _File:
    """One response file being read: its name, text (for positions) and what it held."""

    def __init__(self, path: Path, name: str, raw: bytes) -> None:
        self.path = path
        self.name = name
        self.raw = raw
        self.parts: set[str] = set()
        self.unknown_types = False
        self._locator: JsonTextLocator | None = None

    def error(self, path: PathParts, message: str) -> ExportError:
        """An ExportError at the position of ``path`` in this file."""
        if self._locator is None:
            self._locator = JsonTextLocator(self.raw.decode("utf-8-sig", "replace"))
        where = self._locator.locate(list(path))
        return ExportError(message, file=self.name, line=where.line, column=where.column)

    def origin(self, path: PathParts) -> Origin:
        """Where a resource was read, for later messages."""
        return Origin(self.name, orjson.dumps(list(path)).decode())


def read_responses(directory: Path, store: Store, log: ImportLog) -> None:
    """Read every saved response under ``directory`` into ``store``, in file-name order."""
    found = False
    for path, name in _json_files(directory, display_name(directory)):
        found = True
        _read_file(path, name, store, log)
    if not found:
        raise ExportError("no .json files: save the Partner Center responses here (see the "
                          "README, \"From Partner Center to a report\")",
                          file=display_name(directory))


def _json_files(directory: Path, shown: str) -> Iterator[tuple[Path, str]]:
    """The .json files under ``directory``: each folder's files by name, then its folders.

    One folder's listing is held at a time (an export has a file per customer). Each file
    comes with its name in messages: ``shown`` (the folder's) and the names below it.
    """
    try:
        with os.scandir(directory) as listing:
            entries = sorted((e.name, e.is_dir(), e.is_file()) for e in listing)
    except OSError as exc:
        raise ExportError(f"cannot read folder: {exc.strerror or exc}",
                          file=display_name(directory)) from exc
    prefix = "" if shown in ("", ".") else shown.rstrip("/") + "/"
    folders = []
    for name, is_dir, is_file in entries:
        if is_dir:
            folders.append(name)
        elif is_file and name.lower().endswith(".json"):
            yield directory / name, prefix + name
    del entries
    for folder in folders:
        yield from _json_files(directory / folder, prefix + folder)


def _read_file(path: Path, name: str, store: Store, log: ImportLog) -> None:
    raw, digest = read_bytes(path, name)
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ExportError(f"invalid JSON: {exc.msg}", file=name, line=exc.lineno,
                          column=exc.colno) from exc
    file = _File(path, name, raw)
    # Most responses are all camelCase: renaming keys is skipped unless one is capitalised.
    camel = camel_keys if _CAPITAL_KEY.search(body) else _same
    items: Sequence[Any]
    prefix: PathParts
    uri = ""
    if isinstance(data, list):
        items, prefix = data, ()
    elif isinstance(data, dict) and isinstance(data.get("items", data.get("Items")), list):
        items = data.get("items", data.get("Items")) or []
        prefix = ("items",)
        uri = _self_uri(camel_keys({k: v for k, v in data.items() if k.lower() == "links"}))
    elif isinstance(data, dict):
        items, prefix = [data], ()
    else:
        log.warn_once(f"file:{name}", f"{name}: not a Partner Center response checker "
                      "imports; ignored")
        items, prefix = [], ()
    single = isinstance(data, dict) and prefix == ()
    if not items and not single:
        log.counts["empty responses"] += 1
    for index, item in enumerate(items):
        where: PathParts = () if single else (*prefix, index)
        if not isinstance(item, dict):
            raise file.error(where, "expected a Partner Center resource (a JSON object)")
        _read_resource(file, camel(item), where, uri, store, log)
    if not file.parts and not file.unknown_types and (items or single):
        log.warn_once(f"file:{name}", f"{name}: not a Partner Center response checker "
                      "imports; ignored")
    store.add_source(name, {"file": name, "sha256": digest, "bytes": len(raw),
                            "parts": sorted(file.parts)})


def _read_resource(file: _File, resource: dict[str, Any], where: PathParts,
                   collection_uri: str, store: Store, log: ImportLog) -> None:
    declared = _object_type(resource)
    kind = declared.lower() if declared.lower() in _OBJECT_TYPES else ""
    if not kind and declared and declared.lower() != "collection":
        file.unknown_types = True
        log.warn_once(f"type:{declared.lower()}", f"{file.name}: Partner Center resource "
                      f"type {declared!r} is not imported (reported once); ignored")
        return
    kind = kind or _kind_by_uri(collection_uri) or _kind_by_members(resource)
    if not kind:
        return
    _READERS[kind](file, resource, where, collection_uri, store, log)


def _string(file: _File, resource: dict[str, Any], where: PathParts, member: str,
            what: str) -> str:
    value = resource.get(member)
    if not isinstance(value, str) or not value:
        found = "nothing" if value is None else orjson.dumps(value).decode()
        raise file.error((*where, member) if member in resource else where,
                         f"{what}: expected a non-empty string {member!r}, found {found}")
    return value


def _facts(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k not in _METADATA}


def _owner(resource: dict[str, Any], collection_uri: str) -> str:
    return (_uri_customer(collection_uri)[0] or _uri_customer(_self_uri(resource))[0])


def _customer(file: _File, resource: dict[str, Any], where: PathParts, _uri: str,
              store: Store, log: ImportLog) -> None:
    customer_id = _string(file, resource, where, "id", "customer")
    file.parts.add("customers")
    if not store.add_customer(customer_id, _facts(resource), file.origin(where)):
        log.counts["resources seen again, kept once"] += 1


def _add(file: _File, store: Store, log: ImportLog, customer: str, part: str, key: str,
         body: Any, where: PathParts) -> None:
    file.parts.add(part)
    if store.add_item(customer, part, key.lower(), body, file.origin(where)):
        return
    log.counts["resources seen again, kept once"] += 1
    kept = store.get_item(customer, part, key.lower())
    if kept is not None and kept[0] != body:
        # Pages saved at different times can disagree (a status changed in between).
        log.warn_once(f"differs:{part}", f"{file.name}: {part} {key} differs from the copy "
                      f"in {kept[1].file}, which is kept (files are read in name order; "
                      "reported once)")


def _subscription(file: _File, resource: dict[str, Any], where: PathParts, uri: str,
                  store: Store, log: ImportLog) -> None:
    sub_id = _string(file, resource, where, "id", "subscription")
    _string(file, resource, where, "status", f"subscription {sub_id}")
    customer = _owner(resource, uri)
    if not customer:
        raise file.error(where, f"subscription {sub_id}: cannot tell whose it is: neither "
                         "the collection's links.self.uri nor the subscription's own links "
                         "name /customers/{id}/; save GET /v1/customers/{id}/subscriptions "
                         "responses unchanged")
    facts = _facts(resource)
    end = facts.get("commitmentEndDate")
    if isinstance(end, str) and end.startswith("9999-"):
        # Azure plan's "no end" (9999-12-14): no date a time-based rule can read.
        del facts["commitmentEndDate"]
        log.counts["open-ended commitmentEndDate (9999-…) left out"] += 1
    _add(file, store, log, customer, "subscriptions", sub_id, facts, where)


def _service_request(file: _File, resource: dict[str, Any], where: PathParts, uri: str,
                     store: Store, log: ImportLog) -> None:
    request_id = _string(file, resource, where, "id", "service request")
    customer = _owner(resource, uri)
    if not customer:
        log.warn_once("sr:partner", f"{file.name}: service requests that name no customer "
                      "(the partner's own, GET /v1/servicerequests) are left out; save GET "
                      "/v1/customers/{id}/servicerequests for each customer")
        return
    _add(file, store, log, customer, "serviceRequests", request_id, _facts(resource), where)


def _fraud_event(file: _File, resource: dict[str, Any], where: PathParts, _uri: str,
                 store: Store, log: ImportLog) -> None:
    event_id = _string(file, resource, where, "eventId", "fraud event")
    tenant = _string(file, resource, where, "customerTenantId", f"fraud event {event_id}")
    _add(file, store, log, tenant, "fraudEvents", event_id, _facts(resource), where)


def _usage_summary(file: _File, resource: dict[str, Any], where: PathParts, uri: str,
                   store: Store, log: ImportLog) -> None:
    facts = _facts(resource)
    budget = facts.get("budget", facts.get("spendingBudget"))
    if isinstance(budget, dict):
        budget = _facts(budget)
        # An older documented sample spells the member "ammount".
        if "amount" not in budget and "ammount" in budget:
            budget["amount"] = budget.pop("ammount")
        facts["budget"] = budget
    elif "spendingBudget" in facts:
        facts["budget"] = budget
    facts.pop("spendingBudget", None)
    customer = _owner(resource, uri) or (facts.get("resourceId") if isinstance(
        facts.get("resourceId"), str) else "")
    if not customer:
        raise file.error(where, "usage summary: cannot tell whose it is: no resourceId and "
                         "no /customers/{id}/ in its links")
    _add(file, store, log, customer, "usageSummary", "", facts, where)


def _invoice(file: _File, resource: dict[str, Any], where: PathParts, _uri: str,
             store: Store, log: ImportLog) -> None:
    invoice_id = _string(file, resource, where, "id", "invoice")
    _add(file, store, log, "", "partnerInvoices", invoice_id, _facts(resource), where)


def _status_of(value: Any) -> str:
    """The status in an audit record's old or new value (a JSON text of the resource)."""
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return ""
    if isinstance(value, dict):
        return _lower(camel_keys(value).get("status"))
    return ""


def _audit_value(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return {}
    return camel_keys(value) if isinstance(value, dict) else {}


def _audit_record(file: _File, resource: dict[str, Any], where: PathParts, _uri: str,
                  store: Store, log: ImportLog) -> None:
    operation = _lower(resource.get("operationType")).replace("_", "")
    status = _lower(resource.get("operationStatus"))
    if operation != "updatesubscription" or status not in ("", "succeeded", "success"):
        log.counts["audit records not about a suspension"] += 1
        return
    new = _audit_value(resource.get("resourceNewValue"))
    old_status = _status_of(resource.get("resourceOldValue"))
    new_status = _lower(new.get("status"))
    if new_status == _SUSPENDED and old_status != _SUSPENDED:
        action = "suspend"
    elif old_status == _SUSPENDED and new_status == "active":
        action = "reactivate"
    else:
        log.counts["audit records not about a suspension"] += 1
        return
    customer = _string(file, resource, where, "customerId", "audit record")
    date = _string(file, resource, where, "operationDate", "audit record")
    details = {str(d.get("key", "")).lower(): d.get("value")
               for d in resource.get("customizedData") or [] if isinstance(d, dict)}
    subscription = new.get("id") or details.get("subscriptionid")
    entry: dict[str, Any] = {"action": action, "date": date}
    if isinstance(subscription, str) and subscription:
        entry["subscriptionId"] = subscription
    by = resource.get("userPrincipalName") or resource.get("applicationId")
    if isinstance(by, str) and by:
        entry["by"] = by
    key = str(resource.get("id") or f"{entry.get('subscriptionId', '')}@{date}")
    _add(file, store, log, customer, "partnerActions", f"audit:{key}", entry, where)


_Reader = Callable[[_File, dict[str, Any], PathParts, str, Store, ImportLog], None]
_READERS: dict[str, _Reader] = {
    "customer": _customer,
    "subscription": _subscription,
    "servicerequest": _service_request,
    "fraudevent": _fraud_event,
    "customerusagesummary": _usage_summary,
    "invoice": _invoice,
    "auditrecord": _audit_record,
}


def locate(file: str, pointer: str, rest: Sequence[str | int]) -> tuple[int, int]:
    """Line and column in a response file of a resource's member (for later messages)."""
    try:
        raw = Path(file).read_bytes()
        path = [*orjson.loads(pointer), *rest]
    except (OSError, orjson.JSONDecodeError):
        return 0, 0
    where = JsonTextLocator(raw.decode("utf-8-sig", "replace")).locate(path)
    return where.line, where.column
