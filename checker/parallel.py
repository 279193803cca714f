"""Worker processes: the one place checker runs anything in parallel.

``ordered_map`` runs a task function over tasks in ``jobs`` processes and yields the results
in task order, so whatever the number of processes the caller merges them the same way.
Every worker builds its own engine once, from an ``EngineSpec`` (the policy modules), and
the task function reaches it with ``worker_engine()``. Tasks are small (a byte range of a
file); workers read the file themselves.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from checker.errors import CheckerError, EngineError
from checker.stream import EngineSpec

Task = TypeVar("Task")
Result = TypeVar("Result")


def default_jobs() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ordered_map(function: Callable[[Task], Result], tasks: Sequence[Task], jobs: int,
                spec: EngineSpec | None) -> Iterator[Result]:
    """``function`` over ``tasks`` in up to ``jobs`` worker processes, results in order.

    ``function`` must be a module-level function (it is sent to the workers by name).
    """
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=_context(),
                             initializer=_start_worker, initargs=(spec,)) as pool:
        # Futures of our own, never cancelled (``pool.map`` cancels them when its
        # iterator is closed): once the workers are stopped, the pool's own thread fails
        # every pending one, and failing a cancelled future raises in that thread, which
        # prints a traceback on an interrupted run.
        futures = [pool.submit(function, task) for task in tasks]
        try:
            for future in futures:
                yield future.result()
        except BrokenProcessPool as exc:
            raise EngineError(f"a worker process stopped unexpectedly: {exc}") from exc
        except BaseException:
            # Interrupted (SIGINT, SIGTERM) or abandoned: what the workers are doing will
            # never be used, so they are stopped now rather than waited for.
            _stop_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    # The executor has no public way to stop running tasks; its processes are terminated
    # (SIGTERM, their default action: see _start_worker) and reaped by shutdown().
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.terminate()


def _context() -> Any:
    # fork where it is safe (Linux): workers start at once, with checker imported, and
    # nothing re-runs the caller's main module (forkserver and spawn import it again, which
    # breaks scripts without an ``if __name__ == "__main__"`` guard, and ``python -m``).
    # The pool forks all its workers before starting any thread of its own.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


_worker_engine: Any = None
_worker_failed = False


def _start_worker(spec: EngineSpec | None) -> None:
    """Build this worker's engine once, from the policy modules."""
    global _worker_engine, _worker_failed
    # A forked worker inherits the main process's handlers: Ctrl-C (sent to the whole
    # process group) is for the main process to handle, and SIGTERM ends a worker at once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if spec is None:
        return
    from checker.engines import ENGINES

    try:
        engine = ENGINES[spec.name](spec.options)
        engine.load(spec.modules)
    except CheckerError:
        # The same modules compiled in the main process; reported on first use.
        _worker_failed = True
        return
    _worker_engine = engine


def worker_engine() -> Any:
    """This worker's engine; ``EngineError`` if it could not load the policies."""
    if _worker_failed or _worker_engine is None:
        raise EngineError("a worker process could not load the policies")
    return _worker_engine
