"""How fast this machine runs plain Python right now: a yardstick printed beside timings.

Run: ``python benchmarks/machine_speed.py``. Every benchmark timed against a target or an
earlier commit (``engine.py``, ``catalog_scale.py``, ``report_scale.py``, ``gold_placebo.py``,
``startup.py``, ``batched.py``, ``versus_commit.py``) prints it before and after its runs. On
a shared virtual machine the same work can take 40 % longer from one minute to the next (the 2-core
machines this project is timed on do): read a timing together with the yardstick measured
around it, and a ratio only between runs that alternated.
"""

from __future__ import annotations

import time

#: Steps of the loop (about half a second on a 2-core CI machine).
STEPS = 10_000_000


def python_loop_seconds(repeat: int = 3) -> float:
    """Seconds of a ``STEPS``-step pure-Python summing loop, the fastest of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        total = 0
        for i in range(STEPS):
            total += i
        best = min(best, time.perf_counter() - start)
    return best


def page_policy() -> str:
    """One line: which memory pages this tree's engine asks for on this machine (its fit and
    battery; ``eventstudy.engine._memory``), read as the engine reads it."""
    try:
        from eventstudy.engine import _memory
    except ImportError:  # a tree before the page policy
        return "memory pages: numpy's default (this tree has no page policy)"
    import os

    if os.environ.get("NUMPY_MADVISE_HUGEPAGE") is not None:
        return f"memory pages: NUMPY_MADVISE_HUGEPAGE={os.environ['NUMPY_MADVISE_HUGEPAGE']}"
    small = _memory._wanted()
    return (
        f"memory pages: {_memory.HUGEPAGES_ENV}={_memory.policy()}; free page reporting to a "
        f"host: {'yes' if _memory.reports_free_pages() else 'no'}; "
        "the engine's fit, CARs and battery "
        + ("use small pages" if small else "keep numpy's huge-page request")
    )


def yardstick() -> str:
    """One line for a benchmark's printout: the loop's time now."""
    return f"machine speed: a {STEPS:,d}-step Python loop took {python_loop_seconds():.2f} s"


def yardstick_around(before: str) -> str:
    """The line a benchmark prints after its runs: ``before`` (:func:`yardstick` taken before
    them) and the loop's time now."""
    now = f"a {STEPS:,d}-step Python loop took {python_loop_seconds():.2f} s"
    return f"{before} before the runs; {now} after them"


if __name__ == "__main__":
    print(yardstick())
    print(page_policy())
