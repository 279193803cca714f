"""What each account rule costs on the embedded engine (regorus), per customer.

Generated customers (``bench/generate.py``) go to regorus in batches of 1000, the input
checker builds for them (configuration, asOf and the snapshot header), as ``checker check``
runs them. For each batch the input is set once, then each of these is evaluated on its own
and timed:

- ``data.checker.main.accounts``, the whole evaluation checker asks for;
- each account package's ``deny`` (all its rules, sharing the package's helper rules);
- each rule alone: a copy of the package in which that rule's ``deny contains`` blocks are
  renamed to a rule of their own, so it runs with exactly the helpers it needs.

regorus forgets what it computed between two evaluations, so a rule alone includes the
helpers it shares with others in its package (the rules of a package add up to more than
the package), and the rows do not add up to the whole evaluation, which also merges the
packages' sets and counts subscriptions.

    python bench/rules.py --customers 20000
"""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
import regorus

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from checker.policies import load_policies  # noqa: E402

BATCH = 1000
ACCOUNTS = "checker.accounts."
# A top-level ``deny`` block, as ``opa fmt`` writes it, up to the brace closing it.
DENY = re.compile(r"^deny contains (\w+) if \{\n.*?^\}\n", re.M | re.S)
RULE_ID = re.compile(r'"rule": "([A-Z]+-\d+)"')


@dataclass
class Row:
    name: str
    query: str
    seconds: float = 0.0
    findings: int = 0


def prefix() -> bytes:
    """The policy input up to the customers array, built as checker builds it."""
    header = orjson.dumps(generate.snapshot_header())
    return (b'{"configuration":' + orjson.dumps(generate.configuration()) + b',"asOf":'
            + orjson.dumps(generate.AS_OF_TEXT) + b',"snapshot":' + header[:-1]
            + b',"customers":')


def split_rules(package: str, source: str) -> tuple[str, dict[str, str]]:
    """The module with each rule's deny blocks renamed ``deny_<ID>``, and those names."""
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        block = match.group(0)
        found = RULE_ID.search(block)
        if found is None:
            return block
        name = "deny_" + found.group(1).replace("-", "_")
        names[found.group(1)] = f"data.{package}.{name}"
        return block.replace("deny contains", f"{name} contains", 1)

    return DENY.sub(rename, source), names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    args = parser.parse_args()

    modules = load_policies().without_tests()
    whole = regorus.Engine()
    for module in modules:
        whole.add_policy(module.name, module.source)
    rows = [Row("all account rules (data.checker.main.accounts)", "data.checker.main.accounts")]
    alone: list[tuple[Row, regorus.Engine]] = []
    for module in modules:
        package = re.search(r"^package ([\w.]+)", module.source, re.M)
        if package is None or not package.group(1).startswith(ACCOUNTS):
            continue
        name = package.group(1)
        rows.append(Row(f"package {name.removeprefix(ACCOUNTS)}", f"data.{name}.deny"))
        split, queries = split_rules(name, module.source)
        engine = regorus.Engine()
        for other in modules:
            engine.add_policy(other.name, split if other is module else other.source)
        for rule_id, query in sorted(queries.items()):
            alone.append((Row(f"  {rule_id}", query), engine))

    head = prefix()
    customers = generate._Customers(args.seed).customers(args.customers)
    engines = [whole, *{id(e): e for _, e in alone}.values()]
    input_seconds = 0.0
    done = 0
    while done < args.customers:
        batch = [next(customers) for _ in range(min(BATCH, args.customers - done))]
        done += len(batch)
        text = (head + orjson.dumps(batch) + b"}}").decode()
        for engine in engines:
            started = time.perf_counter()
            engine.set_input_json(text)
            if engine is whole:
                input_seconds += time.perf_counter() - started
        for row, engine in [*((r, whole) for r in rows), *alone]:
            started = time.perf_counter()
            value = orjson.loads(engine.eval_rule_as_json(row.query))
            row.seconds += time.perf_counter() - started
            row.findings += len(value["deny"] if isinstance(value, dict) else value)

    n = args.customers
    wheel = importlib.metadata.version("gordon-to-regorus")
    print(f"{n} customers in batches of {BATCH}, gordon-to-regorus {wheel}, one core")
    print(f"{'evaluated':<48} {'seconds':>8} {'µs/customer':>11} {'findings':>8}")
    print(f"{'set_input_json (the input alone)':<48} {input_seconds:>8.2f} "
          f"{input_seconds / n * 1e6:>11.1f} {'':>8}")
    by_package: dict[str, list[tuple[Row, regorus.Engine]]] = {}
    for row, engine in alone:
        by_package.setdefault(row.query.rsplit(".", 1)[0], []).append((row, engine))
    for row in rows:
        print(f"{row.name:<48} {row.seconds:>8.2f} {row.seconds / n * 1e6:>11.1f} "
              f"{row.findings:>8}")
        for rule, _ in sorted(by_package.get(row.query.rsplit(".", 1)[0], []),
                              key=lambda pair: -pair[0].seconds):
            print(f"{rule.name:<48} {rule.seconds:>8.2f} {rule.seconds / n * 1e6:>11.1f} "
                  f"{rule.findings:>8}")


if __name__ == "__main__":
    main()
