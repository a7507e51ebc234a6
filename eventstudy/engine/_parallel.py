"""Independent pieces of the engine's work on a small pool of threads.

Used for the tests of the battery (:func:`eventstudy.engine.stats.aar_tests` and
:func:`~eventstudy.engine.stats.caar_tests`: once their shared per-panel quantities are cached
on the :class:`~eventstudy.engine.stats.PreparedPanel`, whose ``memo`` is thread-safe, the
tests are independent) and for the blocks of events of the batched OLS fit (every event is
solved on its own rows). numpy releases the GIL in the heavy parts (sorts, reductions,
element-wise passes, matrix products), so two threads keep two cores busy. Every piece
computes the same numbers whichever thread runs it and in whatever order: results do not
depend on the number of threads or on scheduling.

The number of threads is read from the environment variable ``EVENTSTUDY_THREADS`` at each
call (a positive integer; ``1`` runs everything in the calling thread); by default it is
``min(2, usable CPUs)`` (the process's CPU affinity where the OS has one, else
``os.cpu_count()``). BLAS thread pools are separate (e.g. ``OPENBLAS_NUM_THREADS``).
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

#: Environment variable setting the number of threads of the battery.
THREADS_ENV = "EVENTSTUDY_THREADS"

#: Default number of threads (capped by the number of CPUs).
DEFAULT_THREADS = 2


def n_threads() -> int:
    """Number of threads the battery may use: ``$EVENTSTUDY_THREADS`` or min(2, CPUs).

    Raises
    ------
    ValueError
        ``EVENTSTUDY_THREADS`` is set but is not a positive integer.
    """
    value = os.environ.get(THREADS_ENV, "").strip()
    if value:
        try:
            n = int(value)
        except ValueError:
            n = 0
        if n < 1:
            raise ValueError(f"{THREADS_ENV}={value!r} is not a positive integer")
        return n
    return max(1, min(DEFAULT_THREADS, _usable_cpus()))


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def run_all(tasks: Sequence[Callable[[], T]], threads: int) -> list[T]:
    """Return ``[task() for task in tasks]``, the tasks run on up to ``threads`` threads.

    Tasks start in the order given (put the longest first); the results come back in that
    order whatever the scheduling. Each task runs in a copy of the caller's context (so e.g.
    ``np.errstate`` settings apply as in the caller). An exception of a task is raised here
    (the first one, in task order, after every task has finished).
    """
    if threads <= 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    with ThreadPoolExecutor(max_workers=min(threads, len(tasks))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, task) for task in tasks]
        return [f.result() for f in futures]
