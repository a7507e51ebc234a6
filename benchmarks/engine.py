"""Engine benchmark: EventStudy against a bare-numpy floor and a naive per-event loop.

Run: ``python benchmarks/engine.py`` (``--sizes 10000 100000``, ``--repeat 5``,
``--naive-max 10000``). Needs ``threadpoolctl`` (``pip install -e ".[bench]"``).

Synthetic market-model data (seed fixed): 400 assets x 3,000 trading days, N events at
random (asset, day 0) pairs; estimation window 250 days ending at -11, event window
(-10, +10) = 21 days, CAR windows (-1, 1), (0, 0), (0, 5).

Every implementation runs in its own fresh process (this script started again with
``--child``: imports, the data, one untimed run, then the timed runs), one after the other in
this one run, with the BLAS and OpenMP thread pools pinned to one thread (threadpoolctl), and
is timed as the minimum of its runs (wall and CPU seconds): ``--repeat`` runs, half as many
for ``full``, at most 3 for ``naive``; before each run, untimed, the garbage collector runs
(for the small cycles pandas itself leaves). A fresh process each, so that no column depends
on what ran before it: when the engine's results still lived on in reference cycles (before
9042565), the full battery at 100,000 events, timed in one shared process after ten runs of
the floor and the engine at that size, took 0.3-0.5 s longer than in a process of its own
(alternating runs on a 2-core virtual machine); since, the two measure alike. The engine runs
the OLS blocks and the battery's tests on its own threads (``EVENTSTUDY_THREADS``, default
min(2, CPUs); set it to 1 for a serial engine): CPU above wall is that pool at work; the floor
and the naive loop are single-threaded. Columns:

* floor -- the same four tests written as one bare-numpy pass: fancy-indexed windows,
  closed-form market model, AR, V = s^2 (I + 1/n + d d'/Sxx), CAR, AAR/CAAR with J1,
  cross-sectional t, Patell, BMP and Corrado (ranks by argsort); no labels, no checks.
* engine4 -- ``EventStudy(...).fit()``, its CAR and CAAR frames and
  ``tests(["csect_t", "patell", "bmp", "corrado_rank"])``: the same work with labels,
  exclusion ledger and tidy frames. Checked equal to the floor (run once more, untimed, in
  its process): AAR and its SE, the CAAR's J1 t, every event's CAR p-value and the four
  tests' statistics.
* full -- the fit, CAR/CAAR frames and the full default battery (17 tests on 21 days and 3
  windows); MB is its tracemalloc peak (numpy allocations included), in a separate run after
  the timed ones.
* naive -- per event, ``statsmodels.OLS`` and the same per-event CARs, SEs and p-values (no
  battery), checked equal to the engine (run once, untimed, in its process); run only up to
  ``--naive-max`` events.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
from machine_speed import page_policy, yardstick, yardstick_around  # benchmarks/machine_speed.py
from scipy import special

from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow

N_ASSETS, N_DAYS, SEED = 400, 3000, 20240601
EST = EstimationWindow(250, -11)
WIN = (-10, 10)
CARS = ((-1, 1), (0, 0), (0, 5))
FOUR = ("csect_t", "patell", "bmp", "corrado_rank")


def make_data(n_events: int, seed: int = SEED):
    """Returns (wide asset returns, market returns, events)."""
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
            "event_id": [f"ev{i:06d}" for i in range(n_events)],
            "asset": rets.columns[asset],
            "day0": idx[pos],
        }
    )
    return rets, mkt, events


# --------------------------------------------------------------------------------------------
# implementations
# --------------------------------------------------------------------------------------------


def run_engine(rets, mkt, events, tests=FOUR):
    """The fit, its CAR and CAAR frames and the battery ``tests`` (None = default battery)."""
    res = EventStudy(
        rets, events, benchmark=mkt, estimation_window=EST, event_window=WIN, car_windows=CARS
    ).fit()
    res.car, res.caar  # noqa: B018 - derived lazily; build them here
    return res, res.tests(tests)


def run_full(rets, mkt, events):
    return run_engine(rets, mkt, events, tests=None)


def run_floor(rets, mkt, events):
    """One bare-numpy pass computing what ``run_engine`` computes (no labels, no checks)."""
    y_all = rets.to_numpy()
    m_all = mkt.to_numpy()
    col = rets.columns.get_indexer(events["asset"])
    p0 = rets.index.get_indexer(events["day0"])
    rel_est, rel_ev = EST.rel_days, np.arange(WIN[0], WIN[1] + 1)
    r_est, r_ev = p0[:, None] + rel_est, p0[:, None] + rel_ev
    y, x = y_all[r_est, col[:, None]], m_all[r_est]
    ye, xe = y_all[r_ev, col[:, None]], m_all[r_ev]
    n = y.shape[1]
    xbar, ybar = x.mean(1), y.mean(1)
    xc, yc = x - xbar[:, None], y - ybar[:, None]
    sxx = np.einsum("ij,ij->i", xc, xc)
    beta = np.einsum("ij,ij->i", xc, yc) / sxx
    alpha = ybar - beta * xbar
    resid = y - alpha[:, None] - beta[:, None] * x
    s2 = np.einsum("ij,ij->i", resid, resid) / (n - 2)
    ar = ye - alpha[:, None] - beta[:, None] * xe
    d = xe - xbar[:, None]
    cov = d[:, :, None] * (d / sxx[:, None])[:, None, :] + 1.0 / n
    cov[:, np.arange(rel_ev.size), np.arange(rel_ev.size)] += 1.0
    cov *= s2[:, None, None]
    df = n - 2.0
    out = {"aar": ar.mean(0), "aar_se": np.sqrt(np.diagonal(cov, 0, 1, 2).sum(0)) / len(ar)}
    ranks = _ranks(np.hstack([resid, ar]))
    k_bar = (ranks - (ranks.shape[1] + 1) / 2).mean(0)
    s_k = np.sqrt(np.mean(k_bar**2))
    q = df / (df - 2)
    for a, b in [(t, t) for t in rel_ev] + list(CARS):
        cols = slice(a - WIN[0], b - WIN[0] + 1)
        car = ar[:, cols].sum(1)
        var = cov[:, cols, cols].sum((1, 2))
        t = car / np.sqrt(var)
        scar_sd = np.std(t, ddof=1)
        length = b - a + 1
        out[(a, b)] = {
            "p_event": 2 * special.stdtr(df, -np.abs(t)),
            "caar_t": car.mean() / (np.sqrt(var.sum()) / len(car)),
            "csect_t": car.mean() / (np.std(car, ddof=1) / np.sqrt(len(car))),
            "patell": t.sum() / np.sqrt(np.full(len(t), q).sum()),
            "bmp": t.mean() / (scar_sd / np.sqrt(len(t))),
            "corrado_rank": k_bar[n + cols.start : n + cols.stop].sum() / (np.sqrt(length) * s_k),
        }
    return out


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..m within each row (continuous data: no ties)."""
    order = np.argsort(x, axis=1)
    ranks = np.empty_like(x)
    np.put_along_axis(ranks, order, np.arange(1.0, x.shape[1] + 1.0)[None, :], axis=1)
    return ranks


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


# --------------------------------------------------------------------------------------------
# checks and timing
# --------------------------------------------------------------------------------------------


def check_floor(engine_out, floor) -> None:
    """The floor computes the engine's numbers (else the comparison would be unfair).

    AAR and its standard error per day; per CAR window the CAAR's J1 t and every event's
    p-value; and the four tests' statistics on every day and window.
    """
    res, tests = engine_out
    aar = pd.DataFrame(res.aar).sort_values("rel_day")
    np.testing.assert_allclose(aar["aar"], floor["aar"], rtol=1e-9, err_msg="aar")
    np.testing.assert_allclose(aar["aar_se"], floor["aar_se"], rtol=1e-9, err_msg="aar_se")
    caar = pd.DataFrame(res.caar).set_index(["window_start", "window_end"])["tstat"]
    car = pd.DataFrame(res.car)
    for a, b in CARS:
        vals = floor[(a, b)]
        np.testing.assert_allclose(caar[(a, b)], vals["caar_t"], rtol=1e-8, err_msg=f"J1 {a, b}")
        rows = car[(car["window_start"] == a) & (car["window_end"] == b)].sort_values("event_id")
        np.testing.assert_allclose(
            rows["pvalue"], vals["p_event"], rtol=1e-6, atol=1e-12, err_msg=f"p {a, b}"
        )
    for (a, b), vals in ((k, v) for k, v in floor.items() if isinstance(k, tuple)):
        rows = tests[(tests["window_start"] == a) & (tests["window_end"] == b)]
        rows = rows[rows["rel_day"].isna()] if a != b else rows[rows["rel_day"] == a]
        got = rows.set_index("test")["stat"]
        for name in FOUR:
            np.testing.assert_allclose(got[name], vals[name], rtol=1e-8, err_msg=f"{name} {a, b}")


def check_naive(res, naive) -> None:
    mine = pd.DataFrame(res.car).sort_values(["event_id", "window_start", "window_end"])
    theirs = naive.sort_values(["event_id", "ws", "we"])
    np.testing.assert_allclose(mine["car"], theirs["car"], rtol=1e-9)
    np.testing.assert_allclose(mine["car_se"], theirs["car_se"], rtol=1e-9)
    np.testing.assert_allclose(mine["pvalue"], theirs["p"], rtol=1e-6, atol=1e-12)


def timed(func, *args, repeat: int = 3):
    """(min wall s, min CPU s, last result) over ``repeat`` runs.

    Before each run (untimed) the last result is dropped and the garbage collector run, so
    that no run pays for memory an earlier one left in reference cycles.
    """
    wall, cpu, result = np.inf, np.inf, None
    for _ in range(repeat):
        result = None
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        result = func(*args)
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu, result


def peak_mb(func, *args) -> float:
    tracemalloc.start()
    func(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


#: What each column times (``--child`` runs one of them).
IMPLEMENTATIONS = {
    "floor": run_floor,
    "engine4": run_engine,
    "full": run_full,
    "naive": run_naive,
}


def child(impl: str, n: int, repeat: int, memory: bool) -> dict:
    """Time ``impl`` on ``n`` events in this (fresh) process; check it; return the figures."""
    from threadpoolctl import threadpool_limits

    func = IMPLEMENTATIONS[impl]
    warnings.simplefilter("ignore")
    with threadpool_limits(limits=1):
        data = make_data(n)
        func(*data)  # warm-up, untimed: imports, caches, the process's memory at this size
        wall, cpu, out = timed(func, *data, repeat=repeat)
        if impl == "engine4":
            check_floor(out, run_floor(*data))
        elif impl == "naive":
            check_naive(run_engine(*data)[0], out)
        del out
        gc.collect()
        mb = peak_mb(func, *data) if memory and impl == "full" else float("nan")
    return {"wall": wall, "cpu": cpu, "tracemalloc_mb": mb}


def _in_fresh_process(impl: str, n: int, repeat: int, memory: bool) -> dict:
    """:func:`child` run by a new interpreter (this script with ``--child``)."""
    argv = [sys.executable, __file__, "--child", impl, str(n), str(repeat)]
    if not memory:
        argv.append("--no-memory")
    # the child's stderr (a failed check's message) reaches the terminal
    out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--naive-max", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--child", nargs=3, metavar=("IMPL", "N", "REPEAT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        impl, n, repeat = args.child
        print(json.dumps(child(impl, int(n), int(repeat), not args.no_memory)))
        return
    head = (
        f"{'N':>8} | {'floor':>13} | {'engine4':>13} {'/floor':>6} | {'full':>13} {'MB':>6} | "
        f"{'naive':>13} {'naive/engine4':>13}"
    )
    rows = [head, "-" * len(head)]
    full_repeat, naive_repeat = max(1, args.repeat // 2), min(args.repeat, 3)
    before = yardstick()
    for n in args.sizes:
        floor = _in_fresh_process("floor", n, args.repeat, False)
        eng = _in_fresh_process("engine4", n, args.repeat, False)
        full = _in_fresh_process("full", n, full_repeat, not args.no_memory)
        naive = "not run".rjust(13) + " " * 14
        if n <= args.naive_max:
            loop = _in_fresh_process("naive", n, naive_repeat, False)
            naive = f"{loop['wall']:6.2f} {loop['cpu']:6.2f} {loop['wall'] / eng['wall']:12.1f}x"
        rows.append(
            f"{n:>8,d} | {floor['wall']:6.3f} {floor['cpu']:6.3f} | {eng['wall']:6.3f} "
            f"{eng['cpu']:6.3f} {eng['wall'] / floor['wall']:5.2f}x | {full['wall']:6.3f} "
            f"{full['cpu']:6.3f} {full['tracemalloc_mb']:6.0f} | {naive}"
        )
    print("EventStudy vs bare-numpy floor and naive loop (1 BLAS thread; see the docstring)")
    print("\n".join(rows))
    print(
        f"Each cell: wall s, CPU s (min of {args.repeat} runs; full: of {full_repeat}; naive: "
        f"of {naive_repeat}), each implementation in a fresh process; ratios of wall times."
    )
    print(yardstick_around(before))
    print(page_policy())


if __name__ == "__main__":
    main()
