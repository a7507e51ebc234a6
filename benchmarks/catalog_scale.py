"""How the gold study grows with the catalog: synthetic catalogs of 57 to 20,000 events.

Run: ``python benchmarks/catalog_scale.py`` (``--sizes 57 500 5000 20000``, ``--repeat 3``,
``--base 420e17b --base-timeout 300`` to time an earlier commit side by side). Needs
``threadpoolctl`` (``pip install -e ".[bench]"``).

The workload (seeded): a synthetic gold series (normal log returns, and equity, dollar and
real-yield factors) on a business-day calendar of ``max(2,610, 4.5 N)`` days (up to 90,000,
the span pandas' nanosecond timestamps allow before 2026), and a catalog of N events arriving
in clusters, as news does: N/3 cluster heads at random sessions, the other events 0-3
sessions after a random head (so many share a day 0, windows overlap and other events sit in
every estimation window). Categories (one in five a ``gold_market`` label), directions and
known/unknown clock times are drawn at random; ``day0`` is given (the calendar reaches far
before the exchange calendars). The study is :func:`eventstudy.gold_event_study` with its
defaults (constant mean, mask policy, the pseudo-event placebo on every eligible
non-event day, timing sensitivity, groups).

Each side runs in a fresh Python process with BLAS pinned to one thread; a cell is the
minimum wall time of ``--repeat`` runs after one warm-up (imports excluded), and the CPU time
of that run. The growth exponent is the least-squares slope of log(time) on log(N) over the
sizes from 500 up (N = 57 is dominated by fixed costs). A base side that exceeds
``--base-timeout`` seconds at a size (warm-up included) is not run at larger sizes, and a side
expected to take more than 30 s per run (extrapolating its last size linearly) is run once.

``eventstudy run`` (the whole report job, on a synthetic data directory) is timed by
``benchmarks/report_scale.py``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from machine_speed import yardstick, yardstick_around  # benchmarks/machine_speed.py
from versus_commit import _export  # benchmarks/versus_commit.py

REPO = Path(__file__).resolve().parents[1]
SLOW_RUN = 30.0  # seconds: a side expected to take longer per run (linearly) is run once

CHILD = r"""
import json, sys, time, warnings
sys.path.insert(0, sys.argv[1])
import numpy as np, pandas as pd
from threadpoolctl import threadpool_limits
import eventstudy
assert eventstudy.__file__.startswith(sys.argv[1]), eventstudy.__file__
from eventstudy.gold.data import GoldData
from eventstudy.gold.study import gold_event_study
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[2])
from catalog_scale import synthetic_catalog

n, repeat = int(sys.argv[3]), int(sys.argv[4])
events, frame, close = synthetic_catalog(n)
data = GoldData(frame, close, "SIM", "ACWI", pd.DataFrame(columns=["date", "reason"]), ())
best = (float("inf"), float("inf"))
with threadpool_limits(limits=1):
    small, f2, c2 = synthetic_catalog(57, seed=1)
    gold_event_study(small, data=GoldData(f2, c2, "SIM", "ACWI", data.dropped_rows, ()))
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        res = gold_event_study(events, data=data)
        best = min(best, (time.perf_counter() - w0, time.process_time() - c0))
studied = int((res.events["status"] != "excluded").sum())
print(json.dumps({"wall": best[0], "cpu": best[1], "studied": studied,
                  "car_sum": float(np.nansum(res.events["car"].to_numpy(float)))}))
"""


def synthetic_catalog(n: int, seed: int = 0, days: int | None = None):
    """(events, returns frame, close) of the workload described in the module docstring.

    ``days`` sets the calendar's length instead (``benchmarks/gold_placebo.py``).
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    t = int(min(90_000, max(2_610, 4.5 * n))) if days is None else int(days)
    dates = pd.bdate_range(end="2026-02-20", periods=t)
    r = 0.01 * rng.standard_normal(t)
    r[0] = np.nan
    factors = 0.01 * rng.standard_normal((t, 3))
    frame = pd.DataFrame(
        {"gold": r, "equity": factors[:, 0], "dollar": factors[:, 1], "real_yield": factors[:, 2]},
        index=dates,
    )
    close = pd.Series(1000 * np.exp(np.nancumsum(r)), index=dates, name="close")
    n_heads = max(1, n // 3)
    heads = rng.integers(300, t - 5, n_heads)
    followers = heads[rng.integers(0, n_heads, n - n_heads)] + rng.integers(0, 4, n - n_heads)
    pos = np.minimum(np.sort(np.concatenate([heads, followers])), t - 1)
    day0 = dates[pos]
    events = pd.DataFrame(
        {
            "event_id": [f"e{i:06d}" for i in range(n)],
            "date": day0.strftime("%Y-%m-%d"),
            "time_known": rng.random(n) < 0.6,
            "title": "synthetic",
            "title_ja": "synthetic",
            "category": rng.choice(
                ["nato", "russia_ukraine", "middle_east", "gold_market", "trade"], n
            ),
            "gold_direction": rng.choice(["up", "down", "none"], n),
            "day0": day0,
        }
    )
    return events, frame, close


def _measure(tree: Path, n: int, repeat: int, timeout: float | None) -> dict | None:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    args = [sys.executable, "-c", CHILD, str(tree), str(REPO / "benchmarks"), str(n), str(repeat)]
    try:
        out = subprocess.run(
            args, check=True, capture_output=True, text=True, env=env, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def _exponent(sizes: list[int], times: list[float]) -> float:
    pts = [(math.log(n), math.log(t)) for n, t in zip(sizes, times, strict=True) if n >= 500]
    if len(pts) < 2:
        return math.nan
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    num = sum((x - mx) * (y - my) for x, y in pts)
    return num / sum((x - mx) ** 2 for x, _ in pts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[57, 500, 2000, 5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--base", default=None, help="an earlier commit to time side by side")
    parser.add_argument("--base-timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    before = yardstick()
    sides = {"this tree": REPO}
    with tempfile.TemporaryDirectory() as tmp:
        if args.base:
            sides = {f"base {args.base}": _export(args.base, Path(tmp) / "base"), **sides}
        results: dict[str, dict[int, dict | None]] = {name: {} for name in sides}
        for n in args.sizes:
            for name, tree in sides.items():
                if None in results[name].values():  # timed out at a smaller size
                    results[name][n] = None
                    continue
                timeout = args.base_timeout if name.startswith("base") else None
                done = [r for r in results[name].values() if r]
                slow = bool(done) and done[-1]["wall"] * n / done[-1]["n"] > SLOW_RUN
                results[name][n] = _measure(tree, n, 1 if slow else args.repeat, timeout)
                if results[name][n]:
                    results[name][n]["n"] = n
    _print(args, results)
    print(yardstick_around(before))


def _print(args, results) -> None:
    print("gold study via the API (eventstudy.gold_event_study) on synthetic catalogs")
    print(f"{'':>22} | " + " | ".join(f"{n:>14,d}" for n in args.sizes) + " | exponent")
    for name, row in results.items():
        cells, sizes, walls = [], [], []
        for n in args.sizes:
            r = row[n]
            if r is None:
                cells.append(f"{'> ' + format(args.base_timeout, '.0f') + ' s':>14}")
                continue
            cells.append(f"{r['wall']:6.2f} ({r['cpu']:5.2f})")
            sizes.append(n)
            walls.append(r["wall"])
        print(f"{name:>22} | " + " | ".join(cells) + f" | {_exponent(sizes, walls):6.2f}")
    for n in args.sizes:  # the same numbers on both sides (sum of the main-window CARs)
        sums = [row[n]["car_sum"] for row in results.values() if row.get(n)]
        if len(sums) == 2 and abs(sums[0] - sums[1]) > 1e-9 * max(1.0, abs(sums[0])):
            print(f"N={n}: the sides' CARs differ (sums {sums[0]!r} vs {sums[1]!r})")
    last = results["this tree"]
    studied = [f"{last[n]['studied']:,d}" if last[n] else "-" for n in args.sizes]
    print(f"{'events studied/merged':>22} | " + " | ".join(f"{s:>14}" for s in studied))
    print(
        f"cells: wall s (CPU s), min of {args.repeat} runs after a warm-up (1 run where > 30 s), "
        "one process per cell, BLAS pinned to 1 thread; exponent: slope of log(wall) on "
        "log(N) for N >= 500"
    )


if __name__ == "__main__":
    main()
