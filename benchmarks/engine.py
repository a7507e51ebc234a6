"""Engine benchmark: batched EventStudy (core and test battery) vs a naive per-event loop.

Run: ``python benchmarks/engine.py`` (``--sizes 100 1000 10000``, ``--naive-max 10000``).

Synthetic market-model data (seed fixed): 400 assets x 3,000 trading days, N events at
random (asset, day 0) pairs; estimation window 250 days ending at -11, event window
(-10, +10) = 21 days, CAR windows (-1, 1), (0, 0), (0, 5).

Columns, side by side from one run:

* core -- ``EventStudy(...).fit()`` and its CAR and CAAR frames: batched OLS,
  prediction-error covariances, AR/CAR/SCAR, AAR/CAAR, no battery.
* battery -- ``results.tests()`` on a fitted study: all 17 tests on the AAR of each of the 21
  event days and on the CAAR of the 3 CAR windows (timed on its own).
* total -- fit, CAR/CAAR frames and ``tests()`` (core + battery).
* MB -- tracemalloc peak of the total, in a separate run (numpy allocations included).
* naive -- per event, ``statsmodels.OLS`` on the estimation window, then AR, V = s^2 (I +
  X*(X'X)^-1 X*'), CAR, SCAR and p-values for the same CAR windows (no battery), checked equal
  to the engine's numbers. Timed at sizes <= ``--naive-max``; larger sizes are extrapolated
  linearly from the largest timed size and marked ``*``.
* naive/core -- per-event work only: naive loop time / engine core time.
* naive+bat/total -- naive loop + the same battery (the naive loop has no battery of its own,
  so the battery time measured here is added to it) / engine total.

Times are wall-clock seconds, best of ``--repeat`` runs (naive: one run).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow

N_ASSETS, N_DAYS, SEED = 400, 3000, 20240601
EST = EstimationWindow(250, -11)
WIN = (-10, 10)
CARS = ((-1, 1), (0, 0), (0, 5))


def make_data(n_events: int, seed: int = SEED):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2010-01-01", periods=N_DAYS)
    mkt = pd.Series(rng.normal(0.0003, 0.01, N_DAYS), index=idx, name="MKT")
    beta = rng.uniform(0.5, 1.5, N_ASSETS)
    rets = pd.DataFrame(
        beta * mkt.to_numpy()[:, None] + rng.normal(0, 0.015, (N_DAYS, N_ASSETS)),
        index=idx,
        columns=[f"A{j:03d}" for j in range(N_ASSETS)],
    )
    asset = rng.integers(0, N_ASSETS, n_events)
    pos = rng.integers(270, N_DAYS - 15, n_events)
    events = pd.DataFrame(
        {
            "event_id": [f"ev{i:05d}" for i in range(n_events)],
            "asset": rets.columns[asset],
            "day0": idx[pos],
        }
    )
    return rets, mkt, events


def run_core(rets, mkt, events):
    """Everything but the battery: the fit and its CAR and CAAR frames."""
    res = EventStudy(
        rets, events, benchmark=mkt, estimation_window=EST, event_window=WIN, car_windows=CARS
    ).fit()
    res.car, res.caar  # noqa: B018 - derived lazily; build them here
    return res


def run_engine(rets, mkt, events):
    """The fit, its frames and the full default battery."""
    res = run_core(rets, mkt, events)
    res.tests()
    return res


def run_naive(rets, mkt, events):
    """Per-event statsmodels loop computing the same per-event numbers."""
    import statsmodels.api as sm
    from scipy import stats

    index = rets.index
    m = mkt.to_numpy()
    rel_est = EST.rel_days
    rel_ev = np.arange(WIN[0], WIN[1] + 1)
    out = []
    for row in events.itertuples(index=False):
        p0 = index.searchsorted(row.day0)
        y = rets[row.asset].to_numpy()
        X = sm.add_constant(m[p0 + rel_est])
        fit = sm.OLS(y[p0 + rel_est], X).fit()
        Xs = sm.add_constant(m[p0 + rel_ev], has_constant="add")
        ar = y[p0 + rel_ev] - fit.predict(Xs)
        V = fit.scale * (np.eye(rel_ev.size) + Xs @ np.linalg.inv(X.T @ X) @ Xs.T)
        for a, b in CARS:
            sel = (rel_ev >= a) & (rel_ev <= b)
            car = ar[sel].sum()
            se = np.sqrt(V[np.ix_(sel, sel)].sum())
            t = car / se
            out.append((row.event_id, a, b, car, se, t, 2 * stats.t.sf(abs(t), fit.df_resid)))
    return pd.DataFrame(out, columns=["event_id", "ws", "we", "car", "car_se", "t", "p"])


def timed(func, *args, repeat=1):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func(*args)
        best = min(best, time.perf_counter() - t0)
    return best, result


def peak_mb(func, *args):
    tracemalloc.start()
    func(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run_battery_only(res):
    """The default battery on an already fitted study (recomputed, not read from its cache)."""
    return res.tests(tests=None, seed=20260101)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--naive-max", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    run_engine(*make_data(50))  # warm-up (imports, caches)
    run_naive(*make_data(20))
    head = (
        f"{'N':>7} | {'core s':>7} {'battery s':>9} {'total s':>8} {'MB':>7} | "
        f"{'naive s':>8} | {'naive/core':>10} {'naive+bat/total':>15} | battery rows"
    )
    rows = [head, "-" * len(head)]
    naive_rate, extrapolated = None, False
    for n in args.sizes:
        data = make_data(n)
        t_core, res = timed(run_core, *data, repeat=args.repeat)
        t_bat, frame = timed(run_battery_only, res, repeat=args.repeat)
        t_full, _ = timed(run_engine, *data, repeat=args.repeat)
        m_full = peak_mb(run_engine, *data)
        if n <= args.naive_max:
            t_nv, naive = timed(run_naive, *data, repeat=1)
            naive_rate = t_nv / n
            mine = res.car.sort_values(["event_id", "window_start", "window_end"])
            theirs = naive.sort_values(["event_id", "ws", "we"])
            np.testing.assert_allclose(mine["car"], theirs["car"], rtol=1e-9)
            np.testing.assert_allclose(mine["car_se"], theirs["car_se"], rtol=1e-9)
            np.testing.assert_allclose(mine["pvalue"], theirs["p"], rtol=1e-6, atol=1e-12)
            t_nv_text = f"{t_nv:8.2f}"
        else:
            t_nv = naive_rate * n
            t_nv_text, extrapolated = f"{t_nv:7.1f}*", True
        rows.append(
            f"{n:>7,d} | {t_core:7.3f} {t_bat:9.3f} {t_full:8.3f} {m_full:7.1f} | "
            f"{t_nv_text} | {t_nv / t_core:9.1f}x {(t_nv + t_bat) / t_full:14.1f}x | {len(frame)}"
        )
    print(__doc__.split("Columns, side by side from one run:")[1].split("Times are")[0].strip())
    print()
    print("\n".join(rows))
    print(f"Times: seconds, best of {args.repeat} (naive: 1 run).")
    if extrapolated:
        print(f"* naive time extrapolated linearly from N = {args.naive_max:,d} (not run).")


if __name__ == "__main__":
    main()
