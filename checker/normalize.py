"""Bring Partner Center objects to one key spelling before validation and policies.

Partner Center's documented samples mix PascalCase (``Status``, ``AutoRenewEnabled``) and
camelCase keys for the same resources. Policies see camelCase only; locators still find
the spelling used in the file.
"""

from __future__ import annotations

from typing import Any

# Customer members that hold Partner Center resources as exported.
PARTNER_CENTER_MEMBERS = ("companyProfile", "subscriptions", "fraudEvents", "serviceRequests",
                          "usageSummary")


def _has_pascal_key(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k[:1].isupper() or _has_pascal_key(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_pascal_key(v) for v in value)
    return False


def normalize_snapshot(data: Any) -> None:
    """Lowercase the first letter of Partner Center keys in a snapshot, in place.

    A key that exists in both spellings keeps the camelCase value.
    """
    if not isinstance(data, dict) or not isinstance(data.get("customers"), list):
        return
    for customer in data["customers"]:
        if not isinstance(customer, dict):
            continue
        for member in PARTNER_CENTER_MEMBERS:
            value = customer.get(member)
            if value is not None and _has_pascal_key(value):
                customer[member] = camel_keys(value)


def camel_keys(value: Any) -> Any:
    """Lowercase the first letter of every key; where both spellings exist, camelCase wins."""
    if isinstance(value, dict):
        result: dict[Any, Any] = {}
        for key, item in value.items():
            new = (key[:1].lower() + key[1:]) if isinstance(key, str) else key
            if new in result and new != key:
                continue
            result[new] = camel_keys(item)
        return result
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value
