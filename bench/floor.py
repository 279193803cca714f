"""What each unavoidable step of a check costs per customer, on one core.

``checker check`` must parse every customer (for schema validation), validate it, and hand
it to the Rego engine as input before any rule can look at it. This times those steps
alone, batch by batch as checker runs them (1000 customers, the input checker builds), on
generated customers (``bench/generate.py``), next to the catalogue's account rules:

- parse: ``orjson.loads`` of the batch's customers, as validation reads them;
- validate: the compiled schema validator on the parsed batch;
- regorus input: ``set_input_json`` only (regorus turns the JSON into its own values);
- regorus input + one pass: and a rule that visits every customer once, doing nothing;
- regorus input + account rules: ``data.checker.main.accounts``, the real evaluation.

The last column divides by the cores (work spread over one process per core, as checker
does), a lower bound on wall time for that step. The last lines add up what is needed
before any rule runs.

    python bench/floor.py --customers 100000
    python bench/floor.py --customers 1000000 --cores 2
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import regorus

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from checker.parallel import default_jobs  # noqa: E402
from checker.policies import load_policies  # noqa: E402
from checker.validation import validate_customers  # noqa: E402

BATCH = 1000
ONE_PASS = ("package bench.floor\n\nnone := count([c | some c in input.snapshot.customers; "
            "c.id == null])\n")


def prefix() -> bytes:
    """The policy input up to the customers array, built as checker builds it."""
    header = orjson.dumps(generate.snapshot_header())
    return (b'{"configuration":' + orjson.dumps(generate.configuration()) + b',"asOf":'
            + orjson.dumps(generate.AS_OF_TEXT) + b',"snapshot":' + header[:-1]
            + b',"customers":')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--cores", type=int, default=default_jobs(),
                        help="divide by this many processes (default: this machine's cores)")
    args = parser.parse_args()

    engine = regorus.Engine()
    for module in load_policies().without_tests():
        engine.add_policy(module.name, module.source)
    engine.add_policy("bench/floor.rego", ONE_PASS)
    head = prefix()

    def regorus_rule(rule: str | None) -> Callable[[bytes, Any], None]:
        def run(text: bytes, customers: Any) -> None:
            engine.set_input_json((head + text + b"}}").decode())
            if rule is not None:
                engine.eval_rule_as_json(rule)
        return run

    steps: dict[str, Callable[[bytes, Any], Any]] = {
        "parse (orjson)": lambda text, customers: orjson.loads(text),
        "validate (jsonschema-rs)": lambda text, customers: validate_customers(customers, 101),
        "regorus input": regorus_rule(None),
        "regorus input + one pass": regorus_rule("data.bench.floor.none"),
        "regorus input + account rules": regorus_rule("data.checker.main.accounts"),
    }
    seconds = dict.fromkeys(steps, 0.0)
    rows = generate._Customers(args.seed).customers(args.customers)
    gc.disable()  # as checker parses: the collector would rescan every batch's objects
    done = 0
    while done < args.customers:
        batch = [next(rows) for _ in range(min(BATCH, args.customers - done))]
        done += len(batch)
        text = orjson.dumps(batch)
        customers = orjson.loads(text)
        for name, step in steps.items():
            started = time.perf_counter()
            step(text, customers)
            seconds[name] += time.perf_counter() - started
        del batch, customers
        gc.collect()

    n, cores = args.customers, args.cores
    print(f"{n} customers, {len(text) / len(orjson.loads(text)):.0f} bytes each "
          f"(last batch), batches of {BATCH}; seconds on one core")
    print(f"{'step':<31} {'seconds':>8} {'µs/customer':>11} {f'÷ {cores} cores':>11}")
    for name, value in seconds.items():
        print(f"{name:<31} {value:>8.2f} {value / n * 1e6:>11.1f} {value / cores:>11.2f}")
    before = (seconds["parse (orjson)"] + seconds["validate (jsonschema-rs)"]
              + seconds["regorus input"])
    print(f"{'before any rule (parse + validate + input)':<43} {before / cores:>11.2f}")
    print(f"customers={n} before_rules_seconds={before / cores:.2f} "
          f"rules_seconds={seconds['regorus input + account rules'] / cores:.2f} cores={cores}")


if __name__ == "__main__":
    main()
