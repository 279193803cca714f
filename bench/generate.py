"""Deterministic generator of realistic AccountSnapshots for benchmarks and scale tests.

``generate(folder, customers, seed)`` writes ``partner.json`` (a PartnerConfiguration for the
global cloud that passes every configuration rule) and ``snapshot.json`` (an AccountSnapshot
with ``customers`` customers) into ``folder``. The same size and seed always give the same
bytes. Proportions follow what a reseller's books look like: most customers are clean, a few
per cent are past due, a few have suspended subscriptions, fraud events are rare, about a
third buy Azure and most of those have a spending budget. The snapshot is written one
customer per line, as an exporter streaming its rows would, so line numbers in findings mean
something.

    python bench/generate.py --customers 100000 --out /tmp/snap
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from checker.loading import load_file

PARTNER_ID = "contoso"
COMPLIANT_CONFIGURATION = (Path(__file__).resolve().parent.parent / "examples" / "global"
                           / "compliant" / "partner.yaml")
AS_OF = date(2026, 6, 30)
AS_OF_TEXT = "2026-06-30T00:00:00Z"
DEFAULT_SEED = 20260630

# Share of customers with each trait (independent draws, so some customers have several).
PAST_DUE = 0.04          # an unpaid invoice past due; about half beyond the access-impact day
ACTED_ON = 0.6           # of those beyond it: the partner suspended a subscription for it
DECIDED = 0.5            # of those suspensions: a keep-suspended decision is recorded
SUSPENDED = 0.005        # other suspended subscriptions (Microsoft's or an old non-payment one)
FRAUD = 0.005            # a fraud event (most resolved as Ignore, some open)
AZURE = 0.30             # an Azure plan subscription with a usage summary
AZURE_NO_BUDGET = 0.03   # of Azure customers: no spending budget
AZURE_OVER_BUDGET = 0.04  # of Azure customers: spend at or over the budget
NO_CREDIT_DECISION = 0.005
UNVERIFIED = 0.003
STALE_CREDIT_CHECK = 0.01

NCE_OFFERS = (
    ("CFQ7TTC0LH18:0001:CFQ7TTC0K971", "Microsoft 365 Business Basic"),
    ("CFQ7TTC0LDPB:0001:CFQ7TTC0K8P5", "Microsoft 365 Business Standard"),
    ("CFQ7TTC0LFLX:0001:CFQ7TTC0KLDB", "Microsoft 365 E3"),
    ("CFQ7TTC0LH1P:0001:CFQ7TTC0K9DM", "Exchange Online (Plan 1)"),
)
AZURE_OFFER = ("DZH318Z0BPS6:0001:DZH318Z0BMGZ", "Azure plan")
FRAUD_TYPES = ("UsageAnomalyDetection", "NetworkConnectionsToCryptoMiningPools",
               "VirtualMachineDeploymentAnomaly",
               "MultiRegionVirtualMachineScaleSetDeploymentAnomaly")
WORDS = ("Alpine", "Blue", "Cedar", "Delta", "Echo", "Fabrikam", "Granite", "Harbor", "Iris",
         "Juniper", "Kestrel", "Lumen", "Maple", "Nimbus", "Orchid", "Pioneer", "Quartz",
         "River", "Summit", "Tidal", "Umber", "Vertex", "Willow", "Zephyr")
SUFFIXES = ("Ltd", "GmbH", "Inc", "LLC", "SA", "BV", "Pty", "AB")


def configuration() -> dict[str, Any]:
    """A global-cloud PartnerConfiguration that passes every configuration rule.

    It is the compliant global example itself, so the benchmark and the examples cannot
    drift apart.
    """
    data: dict[str, Any] = load_file(COMPLIANT_CONFIGURATION)[0].data
    return data


class _Customers:
    """Draws customers from one seeded random stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def day(self, days_ago: int) -> str:
        return (AS_OF - timedelta(days=days_ago)).isoformat()

    def customer(self, index: int) -> dict[str, Any]:
        rng = self.rng
        tenant = self.uuid()
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)}"
        domain = f"{name.split()[0].lower()}{index}.onmicrosoft.com"
        onboarded = rng.randint(60, 1500)
        customer: dict[str, Any] = {
            "id": tenant,
            "companyProfile": {"tenantId": tenant, "domain": domain, "companyName": name},
            "relationshipToPartner": "reseller",
            "onboarding": {
                "identityVerified": rng.random() >= UNVERIFIED,
                "verifiedOn": self.day(onboarded + 2),
                "paymentInstrument": rng.choice(("invoice", "direct-debit", "credit-card")),
                "firstOrderDate": self.day(onboarded),
            },
        }
        past_due = rng.random() < PAST_DUE
        overdue = 0
        invoices = []
        for n in range(rng.randint(1, 2)):
            due = rng.randint(5, 80) + 30 * n
            amount = round(rng.uniform(50, 4000), 2)
            invoice = {"id": f"INV-{index:07d}-{n}", "invoiceDate": self.day(due + 30),
                       "dueDate": self.day(due), "amount": amount, "paidAmount": amount,
                       "paidOn": self.day(max(due - rng.randint(0, 5), 0))}
            if past_due and n == 0:
                # Half of the late payers are beyond the 45-day access-impact day.
                overdue = rng.randint(46, 120) if rng.random() < 0.5 else rng.randint(1, 40)
                invoice.update(dueDate=self.day(overdue), invoiceDate=self.day(overdue + 30),
                               paidAmount=0)
                del invoice["paidOn"]
            invoices.append(invoice)
        customer["receivables"] = {"currency": "USD", "invoices": invoices,
                                   "unbilledUsage": round(rng.uniform(0, 500), 2)}
        draw = rng.random()
        if draw < NO_CREDIT_DECISION:
            customer["onboarding"]["prepaid"] = True
        else:
            limit = rng.choice((5000, 10000, 20000, 50000))
            check_age = rng.randint(400, 700) if rng.random() < STALE_CREDIT_CHECK \
                else rng.randint(10, 300)
            customer["creditDecision"] = {
                "decision": "granted", "limit": limit, "currency": "USD",
                "approvedBy": "cfo@contoso.example",
                "decidedOn": self.day(check_age - 3), "creditCheckDate": self.day(check_age),
            }
        subscriptions = []
        for _ in range(1 if rng.random() < 0.6 else 2):
            offer, offer_name = rng.choice(NCE_OFFERS)
            subscriptions.append({
                "id": self.uuid(), "offerId": offer, "offerName": offer_name, "status": "active",
                "autoRenewEnabled": True, "billingType": "license",
                "termDuration": rng.choice(("P1M", "P1Y")),
                "commitmentEndDate": self.day(-rng.randint(1, 360)) + "T00:00:00Z",
            })
        actions: list[dict[str, Any]] = []
        if overdue > 45 and rng.random() < ACTED_ON:
            # The policy applied: access impacted at day 45 (other subscriptions may still
            # be active), and sometimes the next step decided.
            sub = subscriptions[0]
            sub["status"] = "suspended"
            sub["suspensionReasons"] = ["PartnerInitiated"]
            action = {"subscriptionId": sub["id"], "action": "suspend", "reason": "non-payment",
                      "date": self.day(overdue - 45) + "T09:00:00Z",
                      "by": "collections@contoso.example"}
            if rng.random() < DECIDED:
                action["decision"] = "keep-suspended"
            actions.append(action)
        elif rng.random() < SUSPENDED:
            # Suspended by Microsoft (no partner action), or still suspended for a debt
            # paid since.
            sub = subscriptions[0]
            sub["status"] = rng.choice(("suspended", "disabled"))
            sub["suspensionReasons"] = ["MicrosoftInitiated"]
            if rng.random() < 0.4:
                sub["suspensionReasons"] = ["PartnerInitiated"]
                actions.append({"subscriptionId": sub["id"], "action": "suspend",
                                "reason": "non-payment",
                                "date": self.day(rng.randint(3, 60)) + "T09:00:00Z",
                                "by": "collections@contoso.example"})
        if rng.random() < AZURE:
            azure = {"id": self.uuid(), "offerId": AZURE_OFFER[0], "offerName": AZURE_OFFER[1],
                     "status": "active", "autoRenewEnabled": True, "billingType": "usage",
                     "productType": {"id": "Azure"}}
            subscriptions.append(azure)
            budget = rng.choice((500, 1000, 2500, 10000))
            draw = rng.random()
            spend = budget * (rng.uniform(1.0, 1.6) if draw < AZURE_OVER_BUDGET
                              else rng.uniform(0.05, 0.9))
            has_budget = rng.random() >= AZURE_NO_BUDGET
            customer["usageSummary"] = {
                "budget": {"amount": budget} if has_budget else None,
                "totalCost": round(spend, 2), "currencyCode": "USD",
            }
        customer["subscriptions"] = subscriptions
        if rng.random() < FRAUD:
            target = subscriptions[-1]
            status = rng.choice(("Resolved", "Resolved", "Resolved", "Investigating", "Active"))
            hours = rng.randint(0, 30 * 24)
            event = {
                "eventId": self.uuid(),
                "eventTime": f"{self.day(hours // 24 + 1)}T{23 - hours % 24:02d}:15:00Z",
                "customerTenantId": tenant, "subscriptionId": target["id"],
                "eventType": rng.choice(FRAUD_TYPES), "eventStatus": status,
                "severity": rng.choice(("Low", "Medium", "High")),
                "resolvedReason": rng.choice(("Ignore", "Fraud")) if status == "Resolved"
                else "None",
                "resolvedOn": "9999-12-31T23:59:59Z", "hitCount": str(rng.randint(1, 40)),
            }
            customer["fraudEvents"] = [event]
            if status != "Active" and rng.random() < 0.7:
                customer["serviceRequests"] = [{
                    "id": f"SR-{index:07d}", "title": "Suspicious activity",
                    "severity": "critical", "status": "open",
                    "createdDate": event["eventTime"], "filedWith": "microsoft",
                    "relatedSubscriptionIds": [target["id"]],
                }]
                target["status"] = "suspended"
                actions.append({"subscriptionId": target["id"], "action": "suspend",
                                "reason": "fraud", "date": event["eventTime"],
                                "by": "secops@contoso.example"})
        if actions:
            customer["partnerActions"] = actions
        return customer

    def customers(self, count: int) -> Iterator[dict[str, Any]]:
        for index in range(count):
            yield self.customer(index)


def snapshot_header() -> dict[str, Any]:
    """Every AccountSnapshot member but ``customers``."""
    return {
        "apiVersion": "checker/v1",
        "kind": "AccountSnapshot",
        "asOf": AS_OF_TEXT,
        "partnerId": PARTNER_ID,
        "partnerInvoices": [
            {"id": "G000024135", "invoiceDate": "2026-05-01", "totalCharges": 182340.17,
             "paidAmount": -182340.17, "currencyCode": "USD"},
            {"id": "G000027001", "invoiceDate": "2026-06-01", "totalCharges": 190112.40,
             "paidAmount": 0, "currencyCode": "USD"},
        ],
    }


def snapshot(customers: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """A whole snapshot as data (for small sizes and tests)."""
    return {**snapshot_header(),
            "customers": list(_Customers(seed).customers(customers))}


def write_snapshot(path: Path, customers: int, seed: int = DEFAULT_SEED) -> None:
    """Write the snapshot as JSON, one customer per line, without holding it all in memory."""
    header = orjson.dumps(snapshot_header())
    with path.open("wb") as out:
        out.write(header[:-1] + b',\n"customers": [\n')
        chunk: list[bytes] = []
        for index, customer in enumerate(_Customers(seed).customers(customers)):
            chunk.append(orjson.dumps(customer))
            if len(chunk) == 10_000:
                out.write(b",\n".join(chunk))
                chunk = []
                if index + 1 < customers:
                    out.write(b",\n")
        if chunk:
            out.write(b",\n".join(chunk))
        out.write(b"\n]}\n")


def generate(folder: Path, customers: int, seed: int = DEFAULT_SEED) -> None:
    """Write ``partner.json`` and ``snapshot.json`` into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "partner.json").write_bytes(
        orjson.dumps(configuration(), option=orjson.OPT_INDENT_2) + b"\n")
    temporary = folder / ".snapshot.json.tmp"
    write_snapshot(temporary, customers, seed)
    temporary.replace(folder / "snapshot.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.out, args.customers, args.seed)


if __name__ == "__main__":
    main()
