"""How long the gold study's pseudo-event placebo takes for a given number of placebo draws.

Run: ``python benchmarks/gold_placebo.py`` (``--draws 2000 10000``, ``--repeat 3``).

The default placebo of :func:`eventstudy.gold_event_study` (``placebo="pseudo_events"``) puts
a pseudo-event on every eligible non-event day of the series and fits each one like the real
events (:func:`eventstudy.gold.placebo.pseudo_event_placebo`): its draws are those
pseudo-events, so their number is the number of eligible days. The workload (seeded): the
synthetic gold series and clustered catalog of ``benchmarks/catalog_scale.py`` (57 events) on
a business-day calendar of ``draws + 1,000`` days, so that the study's own placebo has at
least ``draws`` pseudo-events. Two figures per size, each the minimum wall time over
``--repeat`` runs after one warm-up (imports excluded), with its CPU time, BLAS pinned to one
thread, in this process:

* ``placebo``: :func:`~eventstudy.gold.placebo.pseudo_event_placebo` on exactly ``draws``
  pseudo-events (the first eligible days after the first event), the study's specification;
* ``study``: the whole :func:`~eventstudy.gold_event_study` on that series (its placebo has
  all eligible days, printed as ``pseudo-events``).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_scale import synthetic_catalog
from machine_speed import yardstick, yardstick_around


def _best(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Minimum wall time over ``repeat`` runs and the CPU time of that run (seconds)."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        run()
        best = min(best, (time.perf_counter() - w0, time.process_time() - c0))
    return best


def measure(draws: int, repeat: int) -> dict[str, float]:
    """Time the placebo of ``draws`` pseudo-events and the whole study (see module docstring)."""
    import pandas as pd

    from eventstudy.gold.data import GoldData
    from eventstudy.gold.placebo import pseudo_event_placebo
    from eventstudy.gold.study import gold_event_study

    events, frame, close = synthetic_catalog(57, seed=3, days=draws + 1_000)
    data = GoldData(frame, close, "SIM", "ACWI", pd.DataFrame(columns=["date", "reason"]), ())
    res = gold_event_study(events, data=data)  # warm-up, and the study's specification
    pseudo = res.placebo.pseudo
    assert pseudo is not None and len(pseudo) >= draws, (
        draws,
        0 if pseudo is None else len(pseudo),
    )
    positions = pseudo["position"].to_numpy()[:draws]
    cal = data.returns.index
    main = res.settings["main_window"]
    cars = res.placebo.events[["event_id", "car"]].assign(car_se=1.0)

    def placebo() -> object:
        return pseudo_event_placebo(res.specification.fit, cal, positions, cars, window=main)

    p_wall, p_cpu = _best(placebo, repeat)
    s_wall, s_cpu = _best(lambda: gold_event_study(events, data=data), repeat)
    return {"placebo": p_wall, "placebo_cpu": p_cpu, "study": s_wall, "study_cpu": s_cpu,
            "pseudo": float(len(pseudo))}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, nargs="+", default=[2_000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    warnings.simplefilter("ignore")
    before = yardstick()
    rows = []
    with threadpool_limits(limits=1):
        for n in args.draws:
            rows.append((n, measure(n, args.repeat)))
    print("gold study, pseudo-event placebo: wall s (CPU s), min of", args.repeat, "runs")
    print(f"{'draws':>8} | {'placebo':>14} | {'whole study':>14} | pseudo-events")
    for n, m in rows:
        print(f"{n:>8,} | {m['placebo']:6.2f} ({m['placebo_cpu']:5.2f}) | "
              f"{m['study']:6.2f} ({m['study_cpu']:5.2f}) | {int(m['pseudo']):,}")  # fmt: skip
    print(yardstick_around(before))


if __name__ == "__main__":
    main()
