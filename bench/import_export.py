"""Benchmark ``checker import partner-center`` on a generated export of N customers.

The export is what a partner with N customers saves: the customer list in pages of 1000
(``GET /v1/customers``), one subscriptions response per customer
(``GET /v1/customers/{id}/subscriptions``, so N files), a usage summary for every Azure
customer, one partner-wide fraud-event list, and receivables and credit CSVs with a row per
customer. It is generated once per size (cached under ``--cache``), then imported by a
``checker`` process whose wall time and peak resident memory (``getrusage`` of the child)
are measured; the snapshot is checked to hold N customers.

Its last line is ``customers=N files=F seconds=S peak_rss_mb=M snapshot_mb=B``.

    python bench/import_export.py --customers 100000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE = 1000


def _id(rng: random.Random) -> str:
    return (f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}"
            f"-a{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}")


def generate(folder: Path, customers: int, seed: int = 14) -> None:
    """Write an export of ``customers`` customers into ``folder`` (export/, ar.csv, credit.csv)."""
    rng = random.Random(seed)
    export = folder / "export"
    export.mkdir(parents=True)
    ids = [_id(rng) for _ in range(customers)]
    for start in range(0, customers, PAGE):
        page = [{"id": cid, "companyProfile": {"tenantId": cid, "domain": f"c{start + i}.example",
                                               "companyName": f"Customer {start + i}"},
                 "relationshipToPartner": "reseller",
                 "links": {"self": {"uri": f"/customers/{cid}", "method": "GET", "headers": []}},
                 "attributes": {"objectType": "Customer"}}
                for i, cid in enumerate(ids[start:start + PAGE])]
        (export / f"customers-{start // PAGE:04d}.json").write_text(json.dumps(
            {"totalCount": len(page), "items": page,
             "links": {"self": {"uri": "/customers?size=1000", "method": "GET", "headers": []}},
             "attributes": {"objectType": "Collection"}}))
    events = []
    subs_dir = export / "subscriptions"
    subs_dir.mkdir()
    summaries = export / "usage"
    summaries.mkdir()
    for n, cid in enumerate(ids):
        azure = n % 10 == 0
        items = [{"id": _id(rng), "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
                  "productType": {"id": "OnlineServicesNCE"}, "quantity": 1 + n % 20,
                  "status": "suspended" if n % 50 == 0 else "active",
                  "autoRenewEnabled": True, "billingType": "license", "termDuration": "P1Y",
                  "commitmentEndDate": "2026-12-31T00:00:00Z",
                  "refundOptions": [{"type": "Full", "expiresAt": "2026-01-02T00:00:00Z"}],
                  "attributes": {"objectType": "Subscription"}}]
        if azure:
            items.append({"id": _id(rng), "offerId": "DZH318Z0BCJ6",
                          "productType": {"id": "Azure"}, "status": "active",
                          "billingType": "usage", "attributes": {"objectType": "Subscription"}})
            (summaries / f"{cid}.json").write_text(json.dumps(
                {"resourceId": cid, "budget": {"amount": 1000 if n % 20 else None},
                 "totalCost": n % 1500, "currencyCode": "USD",
                 "attributes": {"objectType": "CustomerUsageSummary"}}))
            if n % 100 == 0:
                events.append({"eventId": f"{cid}_ev", "eventTime": "2026-06-29T10:00:00",
                               "customerTenantId": cid, "subscriptionId": items[1]["id"],
                               "eventType": "UsageAnomalyDetection", "eventStatus": "Active",
                               "severity": "High", "hitCount": "3", "resolvedReason": "None",
                               "resolvedOn": "9999-12-31T23:59:59.9970000"})
        (subs_dir / f"{cid}.json").write_text(json.dumps(
            {"totalCount": len(items), "items": items,
             "links": {"self": {"uri": f"/customers/{cid}/subscriptions", "method": "GET",
                                "headers": []}},
             "attributes": {"objectType": "Collection"}}))
    (export / "fraud-events.json").write_text(json.dumps(events))
    with (folder / "ar.csv").open("w") as ar:
        ar.write("Customer,Invoice No,Invoice Date,Due Date,Amount,Paid Amount,Currency\n")
        for n, cid in enumerate(ids):
            ar.write(f"{cid},INV-{n},2026-04-01,2026-05-01,\"{1000 + n % 5000:,}.50\","
                     f"{0 if n % 7 == 0 else 1000},USD\n")
    with (folder / "credit.csv").open("w") as credit:
        credit.write("customer,decision,credit limit,currency,approver,decided on,"
                     "credit check date\n")
        for n in range(len(ids)):
            credit.write(f"c{n}.example,granted,{5000 + n % 20000},USD,cfo@contoso.example,"
                         "2026-01-10,2026-01-05\n")


def run_import(folder: Path) -> tuple[float, float]:
    """Import the export in a checker process: (seconds, peak RSS of that process in MB)."""
    command = [sys.executable, "-m", "checker", "import", "partner-center", "export",
               "--partner-id", "contoso", "--receivables", "ar.csv", "--credit", "credit.csv",
               "--as-of", "2026-06-30", "-o", "snapshot.json"]
    started = time.perf_counter()
    subprocess.run(command, cwd=folder, check=True, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "checker-bench-import")
    args = parser.parse_args()
    folder = args.cache / f"export-{args.customers}"
    if not (folder / "credit.csv").exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        generate(folder, args.customers)
        print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    files = sum(1 for _ in (folder / "export").rglob("*.json"))
    seconds, peak = run_import(folder)
    snapshot = folder / "snapshot.json"
    with snapshot.open("rb") as handle:
        count = sum(1 for line in handle if line.startswith(b'    {"id"'))
    if count != args.customers:
        raise SystemExit(f"the snapshot holds {count} customers, not {args.customers}")
    print(f"customers={args.customers} files={files} seconds={seconds:.1f} "
          f"peak_rss_mb={peak:.0f} snapshot_mb={snapshot.stat().st_size / 1024**2:.0f}")


if __name__ == "__main__":
    main()
