"""Small real documents for the waiver, baseline and evidence tests, and a CLI helper.

The partner configuration meets every configuration rule; the snapshot's customers have no
credit decision, so each gets a CRED-004 error (and others) located at that customer. The
configuration is the compliant global example, read from examples/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from checker.cli import cli
from checker.loading import load_file
from tests.conftest import EXAMPLES

# The compliant global example: meets every configuration rule.
PARTNER: dict[str, Any] = load_file(EXAMPLES / "global" / "compliant" / "partner.yaml")[0].data


def customer(ident: str, subscription: str) -> dict[str, Any]:
    """A customer without a credit decision (CRED-004) with one active subscription."""
    return {"id": ident, "onboarding": {"identityVerified": True},
            "subscriptions": [{"id": subscription, "status": "active"}]}


def snapshot(customers: list[dict[str, Any]],
             as_of: str = "2026-06-30T00:00:00Z") -> dict[str, Any]:
    """An AccountSnapshot of the partner above."""
    return {"apiVersion": "checker/v1", "kind": "AccountSnapshot", "asOf": as_of,
            "partnerId": "contoso", "customers": customers}


def write_inputs(folder: Path, customers: list[dict[str, Any]] | None = None,
                 as_of: str = "2026-06-30T00:00:00Z") -> tuple[Path, Path]:
    """Write partner.yaml and snapshot.json (customers c-1 and c-2 by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    partner = folder / "partner.yaml"
    partner.write_text(yaml.safe_dump(PARTNER, sort_keys=False))
    snap = folder / "snapshot.json"
    chosen = customers if customers is not None else [customer("c-1", "s-1"),
                                                      customer("c-2", "s-2")]
    snap.write_text(json.dumps(snapshot(chosen, as_of), indent=2))
    return partner, snap


def waiver(rule: str, expires: str = "2026-12-31", ticket: str = "RISK-1",
           **selector: str) -> dict[str, Any]:
    """One waiver entry with the given selector fields."""
    return {"rule": rule, "selector": selector, "reason": "kept in the legacy ERP",
            "owner": "credit@contoso.example", "approver": "cfo@contoso.example",
            "ticket": ticket, "expires": expires}


def write_waivers(path: Path, *waivers: dict[str, Any]) -> Path:
    """Write a Waivers document."""
    path.write_text(yaml.safe_dump({"apiVersion": "checker/v1", "kind": "Waivers",
                                    "waivers": list(waivers)}, sort_keys=False))
    return path


def run(*args: str | Path) -> Result:
    """Invoke the CLI in-process."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def check_json(*args: str | Path) -> tuple[int, dict[str, Any]]:
    """Run ``checker check ... --format json``; return the exit code and the report."""
    result = run("check", *args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def finding(report: dict[str, Any], rule: str, customer_id: str = "",
            subscription: str = "") -> dict[str, Any]:
    """The one finding of a rule about a customer (and subscription)."""
    (hit,) = [f for f in report["findings"] if f["ruleId"] == rule
              and f["customer"] == customer_id and f["subscription"] == subscription]
    return hit


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge recursively, null removes a member, anything else replaces.

    As the rules' METADATA examples are written (a patch of the compliant example).
    """
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
