"""What trimming unread members (``bench/trim_members.py``) costs and saves, per customer.

Generated customers (``bench/generate.py``) are written as a chunk's text is (one customer
per line, ``,\\n`` between them) in batches of 1000 and of 40. For each batch, in one
process and side by side (the two texts alternate which goes first):

- ``trim_members`` on the batch's text;
- the input checker builds around the text (configuration, asOf, the snapshot header)
  handed to regorus (``set_input_json``), then ``data.checker.main.accounts`` evaluated,
  once on the untrimmed and once on the trimmed text.

Both answers are compared (they must be equal). The net gain per customer is the
untrimmed input and evaluation minus the trimmed ones minus the trimming; the evaluation
itself reads the same members either way, so the gain on the input alone ("net, input")
is the same number without the evaluation's noise. Times are the process's CPU
time, which other programs on a shared machine disturb less than the clock on the wall.
Each run prints a table.

    python bench/trim.py --customers 20000 --runs 2
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
import regorus

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
from rules import prefix  # noqa: E402
from trim_members import trim_members  # noqa: E402

from checker.policies import load_policies  # noqa: E402

QUERY = "data.checker.main.accounts"


@dataclass
class Times:
    trim: float = 0.0
    input: float = 0.0
    input_trimmed: float = 0.0
    evaluate: float = 0.0
    evaluate_trimmed: float = 0.0
    size: int = 0
    size_trimmed: int = 0


def evaluate(engine: regorus.Engine, head: bytes, text: bytes) -> tuple[float, float, bytes]:
    """Seconds to set the input and to evaluate, and the answer."""
    started = time.process_time()
    engine.set_input_json(f"{head.decode()}[{text.decode()}]}}}}")
    given = time.process_time()
    answer = engine.eval_rule_as_json(QUERY)
    done = time.process_time()
    return given - started, done - given, answer


def run(engine: regorus.Engine, head: bytes, texts: list[bytes]) -> Times:
    times = Times()
    for n, text in enumerate(texts):
        started = time.process_time()
        trimmed = trim_members(text)
        times.trim += time.process_time() - started
        assert trimmed is not None
        times.size += len(text)
        times.size_trimmed += len(trimmed)
        # Alternate which goes first, so that neither always finds a warm cache.
        order = [(False, text), (True, trimmed)]
        if n % 2:
            order.reverse()
        answers = {}
        for is_trimmed, body in order:
            given, evaluated, answers[is_trimmed] = evaluate(engine, head, body)
            if is_trimmed:
                times.input_trimmed += given
                times.evaluate_trimmed += evaluated
            else:
                times.input += given
                times.evaluate += evaluated
        if orjson.loads(answers[True]) != orjson.loads(answers[False]):
            raise SystemExit(f"batch {n}: the trimmed text gives another answer")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--batches", type=int, nargs="+", default=[1000, 40])
    args = parser.parse_args()

    engine = regorus.Engine()
    for module in load_policies().without_tests():
        engine.add_policy(module.name, module.source)
    head = prefix()
    lines = [orjson.dumps(c)
             for c in generate._Customers(args.seed).customers(args.customers)]
    n = len(lines)
    wheel = importlib.metadata.version("gordon-to-regorus")
    print(f"{n} customers, gordon-to-regorus {wheel}, one core; µs per customer")
    for number in range(1, args.runs + 1):
        print(f"\nrun {number}")
        print(f"{'batch':>5} {'bytes':>6} {'trimmed':>7} {'trim':>6} {'input':>6} "
              f"{'input':>6} {'eval':>6} {'eval':>6} {'both':>6} {'both':>6} {'net':>6} "
              f"{'net,':>6}")
        print(f"{'':>5} {'':>6} {'':>7} {'':>6} {'as is':>6} {'trim':>6} {'as is':>6} "
              f"{'trim':>6} {'as is':>6} {'trim':>6} {'gain':>6} {'input':>6}")
        for size in args.batches:
            texts = [b",\n".join(lines[i:i + size]) for i in range(0, n, size)]
            t = run(engine, head, texts)

            def us(seconds: float) -> float:
                return seconds / n * 1e6

            whole = us(t.input + t.evaluate)
            trimmed = us(t.input_trimmed + t.evaluate_trimmed)
            print(f"{size:>5} {t.size / n:>6.0f} {t.size_trimmed / n:>7.0f} {us(t.trim):>6.1f} "
                  f"{us(t.input):>6.1f} {us(t.input_trimmed):>6.1f} {us(t.evaluate):>6.1f} "
                  f"{us(t.evaluate_trimmed):>6.1f} {whole:>6.1f} {trimmed:>6.1f} "
                  f"{whole - trimmed - us(t.trim):>6.1f} "
                  f"{us(t.input - t.input_trimmed - t.trim):>6.1f}")


if __name__ == "__main__":
    main()
