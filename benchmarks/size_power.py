"""Size and power of the package's tests, simulated as a referee would (issue 19).

Run: ``python benchmarks/size_power.py`` (full: 5,000 replications per many-firm scenario,
1,000 for gold; about 10 minutes on 2 idle cores), ``--quick`` (800 and 200: under 2 minutes),
``--csv PATH`` to keep the table, ``--workers N`` (default 2), ``--designs``/``--scenarios`` to
run a part. Every number comes from fixed seeds: reruns print the same table whatever the
number of workers, and a part run alone gives the rows of the full run.

Designs
-------
``firms`` -- 50 firms on a simulated market, the engine's textbook defaults (market model on
an estimation window of 250 days ending at -11, event window (-10, +10)). Firm returns
:math:`R_{it} = \\beta_i R_{mt} + \\sigma_i \\varepsilon_{it}`, :math:`R_{mt} \\sim
N(0.0003, 0.01^2)`, :math:`\\beta_i \\sim U(0.5, 1.5)`, :math:`\\sigma_i \\sim U(0.01, 0.03)`,
:math:`\\varepsilon_{it}` Student t(4) scaled to unit variance (heavy tails, as daily stock
returns). Scenarios:

* ``h0`` -- each firm's day 0 a random date (staggered events);
* ``same_date`` -- all 50 firms share day 0;
* ``event_variance`` -- random dates; the residual variance doubles on days -1..+1;
* ``shared_factor`` -- same date, and the residuals share a non-market factor
  (:math:`\\varepsilon_{it} + f_t/3`, a residual correlation of 0.1);
* ``power`` -- ``h0`` plus 1 % on day 0 for every firm;
* ``h0_gaussian`` (only with ``--gaussian-control``) -- ``h0`` with Gaussian errors, to tell
  heavy-tail effects (GRANK's CAR version, the skewness-adjusted t) from defects.

``gold`` -- 40 random day 0s among the GC=F trading dates from 2016-01-04 to the end of the
real series (``../shared/data/snapshot``), half labelled ``up``, half ``down``, studied with
the defaults of :func:`eventstudy.gold.study.gold_event_study` through its public parts: the
engine fit (other events' (-1, +5) days masked), the HAC dummy regression, the pseudo-event
placebo with its group tests, the group t-tests. Scenarios ``h0`` and ``power`` (+1 % added
to the gold return on every event's day 0). The normal-return comparison of issue 19 fits
the engine under five specifications and reports the one-sided cross-event t.

Output
------
Rejection rates at 5 % (p <= 0.05) in percent with their Monte Carlo standard error
(the standard deviation of the per-replication outcome over the square root of the number of
replications; for per-event tests the outcome is the share of the 40 events rejecting).
``--csv`` writes ``design, scenario, target, test, rate, mc_se, n_rep``; ``rate`` is NaN where
a test does not apply (e.g. Kolari-Pynnonen for one asset). The normal-return comparison
(``csect_t...[model]``) is cheap and runs 5 x the gold replications. Test names are the battery's
(:data:`eventstudy.engine.stats.TEST_NAMES`), a ``[...]`` suffix naming a non-default option,
and the gold routes' (``hac_*``, ``placebo_*``, ``t_*``, ``event_t``).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import inspect
import math
import os
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per worker: workers are the parallelism

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from eventstudy.engine import stats  # noqa: E402
from eventstudy.engine.panel import AbnormalReturnPanel  # noqa: E402
from eventstudy.engine.study import EventStudy  # noqa: E402
from eventstudy.engine.windows import EstimationWindow, EventWindow  # noqa: E402
from eventstudy.gold.data import load_gold_data  # noqa: E402
from eventstudy.gold.groups import group_tests  # noqa: E402
from eventstudy.gold.inference import event_dummy_regression  # noqa: E402
from eventstudy.gold.overlap import estimation_mask  # noqa: E402
from eventstudy.gold.placebo import (  # noqa: E402
    placebo_test,
    pseudo_event_placebo,
    pseudo_event_positions,
    shift_placebo,
)
from eventstudy.gold.study import gold_event_study  # noqa: E402

SEED = 20260419
ALPHA = 0.05
TARGETS = {"day0": (0, 0), "car(-1,+1)": (-1, 1)}
VARIANTS = {
    "sign[normal]": {"sign_pvalue": "normal"},
    "skew_t[normal]": {"skew_critical": "normal"},
}

N_FIRMS, FIRM_DAYS, FIRM_CHUNK = 50, 600, 50
FIRM_SCENARIOS = ("h0", "same_date", "event_variance", "shared_factor", "power")
N_GOLD_EVENTS, GOLD_START, GOLD_CHUNK = 40, "2016-01-04", 10
GOLD_SCENARIOS = ("h0", "power")
SHOCK = 0.01


def _defaults() -> dict:
    sig = inspect.signature(gold_event_study).parameters
    return {k: v.default for k, v in sig.items() if v.default is not inspect.Parameter.empty}


GOLD = _defaults()
MAIN = tuple(GOLD["car_windows"][0])
#: The normal-return specifications compared for gold (issue 19, item 3): name -> (model,
#: estimation window, post-event block). Each is fitted on random dates over the whole sample
#: (40 events) and during the 2024-26 rally (20 events, test names ``...@2024-26``).
MODEL_PERIODS = {"": (GOLD_START, N_GOLD_EVENTS), "@2024-26": ("2024-01-02", 20)}
MODEL_CHUNK = 50
MODELS = {
    "trailing_mean": ("constant_mean", (-260, -11), None),
    "both_sides_260": ("constant_mean", (-260, -11), (11, 260)),
    "both_sides_135": ("constant_mean", (-135, -11), (11, 135)),
    "zero_mean": ("zero_mean", (-260, -11), None),
    "market_adjusted": ("market_adjusted", (-260, -11), None),
}


# ------------------------------------------------------------------------------------------
# shared pieces
# ------------------------------------------------------------------------------------------


def subpanel(panel: AbnormalReturnPanel, rows: np.ndarray) -> AbnormalReturnPanel:
    """The events ``rows`` of a panel (every per-event array sliced)."""
    n = panel.n_events
    fields = {
        f.name: getattr(panel, f.name)[rows]
        for f in dataclasses.fields(panel)
        if isinstance(getattr(panel, f.name), np.ndarray)
        and getattr(panel, f.name).shape[:1] == (n,)
    }
    return dataclasses.replace(panel, **fields)


def battery(panel: AbnormalReturnPanel) -> Iterator[tuple[str, str, float]]:
    """(target, test, rejected 0/1 or NaN) of the whole battery and its option variants."""
    prep = stats.prepare(panel)
    windows = list(TARGETS.values())
    names = {v: k for k, v in TARGETS.items()}
    frames = [(stats.caar_tests(prep, windows), "")]
    for label, opts in VARIANTS.items():
        test = label.split("[")[0]
        frames.append((stats.caar_tests(prep, windows, tests=[test], **opts), label))
    for frame, label in frames:
        for row in frame.itertuples(index=False):
            target = names[(row.window_start, row.window_end)]
            yield target, label or row.test, _reject(row.pvalue)


def _reject(p: float) -> float:
    return float(p <= ALPHA) if np.isfinite(p) else math.nan


def _share(p: np.ndarray) -> float:
    p = np.asarray(p, dtype=float)
    p = p[np.isfinite(p)]
    return float((p <= ALPHA).mean()) if p.size else math.nan


# ------------------------------------------------------------------------------------------
# firms
# ------------------------------------------------------------------------------------------


def firm_returns(rng: np.random.Generator, scenario: str, n_rep: int):
    """Returns, benchmarks and events of ``n_rep`` replications, stacked as asset columns."""
    t, n = FIRM_DAYS, N_FIRMS
    idx = pd.bdate_range("2010-01-04", periods=t)
    mkt = rng.normal(0.0003, 0.01, (t, n_rep))
    beta = rng.uniform(0.5, 1.5, (n_rep, n))
    sigma = rng.uniform(0.01, 0.03, (n_rep, n))
    if scenario == "h0_gaussian":
        eps = rng.standard_normal((t, n_rep, n))
    else:
        eps = rng.standard_t(4, (t, n_rep, n)) / math.sqrt(2.0)
    same = scenario in ("same_date", "shared_factor")
    day0 = np.full((n_rep, n), 500) if same else rng.integers(280, t - 11, (n_rep, n))
    if scenario == "shared_factor":
        eps += rng.standard_normal((t, n_rep, 1)) / 3.0
    rows = day0[None, :, :] + np.arange(-1, 2)[:, None, None]
    reps, firms = np.meshgrid(np.arange(n_rep), np.arange(n), indexing="ij")
    if scenario == "event_variance":
        for r in rows:
            eps[r, reps, firms] *= math.sqrt(2.0)
    ret = mkt[:, :, None] * beta[None] + sigma[None] * eps
    if scenario == "power":
        ret[day0, reps, firms] += SHOCK
    cols = [f"r{r}f{i}" for r in range(n_rep) for i in range(n)]
    returns = pd.DataFrame(ret.reshape(t, n_rep * n), index=idx, columns=cols)
    bench = pd.DataFrame(mkt, index=idx, columns=[f"r{r}" for r in range(n_rep)])
    market = [f"r{r}" for r in range(n_rep) for _ in range(n)]
    events = pd.DataFrame(
        {"event_id": cols, "asset": cols, "day0": idx[day0.ravel()], "market": market}
    )
    return returns, bench, events


def firms_chunk(task: tuple[str, int, int]) -> list[tuple]:
    scenario, seed, n_rep = task
    rng = np.random.default_rng(seed)
    returns, bench, events = firm_returns(rng, scenario, n_rep)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = (
            EventStudy(returns, events, "market", benchmark=bench, car_windows=[(-1, 1)])
            .fit()
            .panel
        )
    out = []
    for r in range(n_rep):
        sub = subpanel(panel, np.arange(r * N_FIRMS, (r + 1) * N_FIRMS))
        out += [("firms", scenario, target, test, v) for target, test, v in battery(sub)]
    return out


# ------------------------------------------------------------------------------------------
# gold
# ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GoldRep:
    """One replication: the column of the stacked returns, day-0 positions, directions."""

    col: str
    pos: np.ndarray
    directions: np.ndarray
    mask: pd.Series

    def events(self, cal: pd.DatetimeIndex) -> pd.DataFrame:
        ids = [f"{self.col}e{i}" for i in range(self.pos.size)]
        return pd.DataFrame({"event_id": ids, "asset": self.col, "day0": cal[self.pos]})


def _spec(model: str, est: tuple, post, mask) -> dict:
    return {
        "model": model,
        "estimation_window": EstimationWindow.from_bounds(
            *est, min_obs=GOLD["min_estimation_obs"], mask=mask, post=post
        ),
        "event_window": EventWindow(*GOLD["event_window"], missing=MAIN),
        "car_windows": [MAIN],
    }


def _fit(returns, events, spec: dict, bench=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw = {k: v for k, v in spec.items() if k != "model"}
        return EventStudy(returns, events, spec["model"], benchmark=bench, **kw).fit()


def gold_reps(rng, cal, n_rep, start=GOLD_START, n_events=N_GOLD_EVENTS) -> list[GoldRep]:
    """Random day 0s from ``start`` to the end of the data, half up, half down."""
    lo = cal.searchsorted(pd.Timestamp(start))
    reps = []
    for r in range(n_rep):
        pos = np.sort(rng.choice(np.arange(lo, len(cal) - MAIN[1]), n_events, replace=False))
        dirs = rng.permutation(np.repeat(["up", "down"], n_events // 2))
        mask = estimation_mask(pd.Series(pos, dtype="Int64"), cal, tuple(GOLD["mask_window"]))
        reps.append(GoldRep(f"r{r}", pos, dirs, mask))
    return reps


@functools.cache
def gold_data():
    """GC=F and its factors on the gold calendar, read once per worker."""
    return load_gold_data("GC=F", data_dir=os.environ.get("EVENTSTUDY_DATA"))


def gold_chunk(task: tuple[str, int, int]) -> list[tuple]:
    scenario, seed, n_rep = task
    rng = np.random.default_rng(seed)
    data = gold_data()
    cal = data.returns.index
    gold = data.returns["gold"].to_numpy()
    reps = gold_reps(rng, cal, n_rep)
    values = np.repeat(gold[:, None], n_rep, axis=1)
    if scenario == "power":
        for j, rep in enumerate(reps):
            values[rep.pos, j] += SHOCK
    returns, masks, events = stacked(reps, values, cal)
    default = _spec("constant_mean", GOLD["estimation_window"], GOLD["estimation_post"], masks)
    fit = _fit(returns, events, default)
    out = []
    for rep in reps:
        rows = np.flatnonzero(fit.arrays.assets == rep.col)
        out += [("gold", scenario, t, name, v) for t, name, v in battery(subpanel(fit.panel, rows))]
        out += [
            ("gold", scenario, "car(-1,+1)", n, v)
            for n, v in gold_routes(fit, rep, returns, cal, rng)
        ]
    return out


def stacked(reps, values, cal):
    """Returns (one column per replication), masks and events of a list of replications."""
    returns = pd.DataFrame(values, index=cal, columns=[rep.col for rep in reps])
    masks = pd.concat({rep.col: rep.mask for rep in reps}, axis=1)
    events = pd.concat([rep.events(cal) for rep in reps], ignore_index=True)
    return returns, masks, events


def gold_routes(fit, rep: GoldRep, returns, cal, rng) -> Iterator[tuple[str, float]]:
    """The gold study's own routes on one replication, as gold_event_study composes them."""
    car = (
        fit.car(window=MAIN)
        .set_index("event_id")
        .loc[[f"{rep.col}e{i}" for i in range(rep.pos.size)]]
    )
    ids = list(car.index)
    yield "event_t", _share(car["pvalue"])
    y = returns[rep.col]
    sample = y.iloc[max(int(rep.pos.min()) + GOLD["estimation_window"][0], 1) :]
    windows = {
        e: list(cal[p + MAIN[0] : p + MAIN[1] + 1]) for e, p in zip(ids, rep.pos, strict=True)
    }
    directions = dict(zip(ids, rep.directions, strict=True))
    for variance in ("garch", "newey_west"):
        hac = event_dummy_regression(sample, windows, variance=variance, directions=directions)
        suffix = "" if variance == GOLD["hac_variance"] else f"[{variance}]"
        tests = hac.tests.set_index("test")["pvalue"]
        yield f"hac_wald{suffix}", _reject(tests["wald_all_zero"])
        yield f"hac_event{suffix}", _share(hac.car["pvalue"])
        for name in ("mean_car_up", "mean_car_down", "mean_car_up_minus_down"):
            yield f"hac_{name.removeprefix('mean_car_')}{suffix}", _reject(tests[name])
    spec = _spec("constant_mean", GOLD["estimation_window"], GOLD["estimation_post"], rep.mask)

    def fit_rep(ev):
        return _fit(returns[[rep.col]], ev.assign(asset=rep.col), spec)

    positions = pseudo_event_positions(cal, rep.mask, MAIN, span=(cal[int(rep.pos.min())], cal[-1]))
    plc = pseudo_event_placebo(fit_rep, cal, positions, car.reset_index(), window=MAIN)
    yield "placebo_event", _share(plc.events["pvalue"])
    pool = plc.pseudo.set_index("position")["stat"]
    stat = plc.events.set_index("event_id")["stat"]
    positions_ev = pd.Series(rep.pos, index=ids)
    groups = {
        "all": (ids, "two-sided"),
        "up": ([e for e in ids if directions[e] == "up"], "greater"),
        "down": ([e for e in ids if directions[e] == "down"], "less"),
    }
    shift = shift_placebo(pool, positions_ev, stat, groups, difference=("up", "down"))
    for row in shift.itertuples(index=False):
        yield row.test, _reject(row.pvalue)
    yield from _old_placebo(hac, rep, windows, ids)
    cars = car.reset_index().assign(gold_direction=rep.directions, category="x", price_before=1.0)
    g, tests = group_tests(cars, n_permutations=999, seed=int(rng.integers(2**31)))
    g = g[g["by"] == "gold_direction"].set_index("group")["pvalue"]
    yield "t_up", _reject(g["up"])
    yield "t_down", _reject(g["down"])
    for row in tests.itertuples(index=False):
        yield row.test, _reject(row.pvalue)


def _old_placebo(hac, rep, windows, ids) -> list[tuple[str, float]]:
    """The pre-issue-19 placebo (stationary bootstrap): per event, and the events' mean SCAR
    against means of 40 draws from its null."""
    event_days = rep.mask.reindex(hac.ar.index, fill_value=False) | hac.event_days
    old = placebo_test(hac.ar, event_days, windows, statistic="scar", seed=12345)
    rng = np.random.default_rng(7)
    draws = rng.choice(old.null, size=(2000, len(ids))).mean(axis=1)
    obs = float(np.nanmean(old.events["stat"]))
    p = (1 + np.sum(np.abs(draws) >= abs(obs))) / (draws.size + 1)
    return [("placebo_event[stationary_bootstrap]", _share(old.events["pvalue"])),
            ("placebo_mean_all[stationary_bootstrap]", _reject(p))]  # fmt: skip


def models_chunk(task: tuple[str, int, int]) -> list[tuple]:
    """Cross-event t of CAR(-1, +1), one- and two-sided, under each normal-return
    specification, on random dates of the whole sample and of the 2024-26 rally (h0)."""
    scenario, seed, n_rep = task
    rng = np.random.default_rng(seed)
    data = gold_data()
    cal = data.returns.index
    out = []
    for period, (start, n_events) in MODEL_PERIODS.items():
        reps = gold_reps(rng, cal, n_rep, start, n_events)
        values = np.repeat(data.returns["gold"].to_numpy()[:, None], n_rep, axis=1)
        returns, masks, events = stacked(reps, values, cal)
        bench = pd.DataFrame({rep.col: data.returns["equity"] for rep in reps})
        ev = events.assign(market=events["asset"])
        for name, (model, est, post) in MODELS.items():
            res = _fit(returns, ev, _spec(model, est, post, masks),
                       bench if model == "market_adjusted" else None)  # fmt: skip
            for rep in reps:
                prep = stats.prepare(
                    subpanel(res.panel, np.flatnonzero(res.arrays.assets == rep.col))
                )
                for alt in ("greater", "less", "two-sided"):
                    r = stats.csect_t(prep, MAIN, alternative=alt)
                    test = "csect_t" if alt == "two-sided" else f"csect_t_{alt}"
                    out.append(("gold", scenario, "car(-1,+1)", f"{test}[{name}{period}]",
                                _reject(r.pvalue)))  # fmt: skip
    return out


# ------------------------------------------------------------------------------------------
# running and reporting
# ------------------------------------------------------------------------------------------


def tasks(kind: str, scenarios, n_rep: int, chunk: int) -> list[tuple[str, str, int, int]]:
    """Chunks of replications, each with its own seed (fixed by kind, scenario and chunk)."""
    out = []
    for s_i, scenario in enumerate(scenarios):
        root = np.random.SeedSequence([SEED, sum(map(ord, kind)), s_i])
        for c, seed in enumerate(root.spawn(math.ceil(n_rep / chunk))):
            size = min(chunk, n_rep - c * chunk)
            out.append((kind, scenario, int(seed.generate_state(1)[0]), size))
    return out


CHUNKS = {"firms": firms_chunk, "gold": gold_chunk, "gold_models": models_chunk}


def run(job: tuple[str, str, int, int]) -> list[tuple]:
    kind, scenario, seed, size = job
    return CHUNKS[kind]((scenario, seed, size))


def summarise(records: list[tuple]) -> pd.DataFrame:
    values = defaultdict(list)
    for design, scenario, target, test, v in records:
        values[(design, scenario, target, test)].append(v)
    rows = []
    for (design, scenario, target, test), vs in values.items():
        v = np.asarray(vs, dtype=float)
        ok = v[np.isfinite(v)]
        rate = 100 * ok.mean() if ok.size else math.nan
        se = 100 * ok.std(ddof=1) / math.sqrt(ok.size) if ok.size > 1 else math.nan
        rows.append((design, scenario, target, test, rate, se, v.size))
    cols = ["design", "scenario", "target", "test", "rate", "mc_se", "n_rep"]
    return pd.DataFrame(rows, columns=cols)


def print_table(table: pd.DataFrame) -> None:
    """One block per design and scenario: a row per test, a column per target, and n_rep."""
    for (design, scenario), g in table.groupby(["design", "scenario"], sort=False):
        print(f"\n{design} / {scenario}  (rejection rate at 5 %, percent +- MC s.e.)")
        cell = g.assign(cell=[
            "n/a" if not np.isfinite(r) else f"{r:5.1f} +- {s:3.1f}"
            for r, s in zip(g["rate"], g["mc_se"], strict=True)
        ])  # fmt: skip
        wide = cell.pivot(index="test", columns="target", values="cell")
        wide["n_rep"] = g.groupby("test")["n_rep"].max()
        order = list(dict.fromkeys(g["test"]))
        print(wide.reindex(order).fillna("").to_string())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="800 firm / 200 gold replications")
    ap.add_argument("--reps-firms", type=int)
    ap.add_argument("--reps-gold", type=int)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--csv", type=Path)
    ap.add_argument("--scenarios", nargs="+", help="run only these scenarios (default: all)")
    ap.add_argument("--gaussian-control", action="store_true",
                    help="add the firms scenario h0_gaussian (Gaussian errors)")  # fmt: skip
    ap.add_argument("--designs", nargs="+", default=["firms", "gold"],
                    choices=["firms", "gold", "gold_models"],
                    help="gold_models: the normal-return comparison alone")  # fmt: skip
    args = ap.parse_args(argv)
    n_firms = args.reps_firms or (800 if args.quick else 5000)
    n_gold = args.reps_gold or (200 if args.quick else 1000)
    jobs = []
    if "firms" in args.designs:
        extra = ("h0_gaussian",) if args.gaussian_control else ()
        jobs += tasks("firms", FIRM_SCENARIOS + extra, n_firms, FIRM_CHUNK)
    if "gold" in args.designs:
        jobs += tasks("gold", GOLD_SCENARIOS, n_gold, GOLD_CHUNK)
    if {"gold", "gold_models"} & set(args.designs):
        jobs += tasks("gold_models", ("h0",), 5 * n_gold, MODEL_CHUNK)
    if args.scenarios:
        jobs = [j for j in jobs if j[1] in args.scenarios]
    jobs.sort(key=lambda j: j[0] == "firms")  # the slow chunks first
    start = time.perf_counter()
    records: list[tuple] = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for k, res in enumerate(pool.map(run, jobs), 1):
            records += res
            print(f"\r{k}/{len(jobs)} chunks, {time.perf_counter() - start:.0f} s", end="",
                  file=sys.stderr, flush=True)  # fmt: skip
    print(file=sys.stderr)
    table = summarise(records)
    est = (GOLD["estimation_window"], GOLD["estimation_post"])
    print(
        f"gold defaults: constant mean on {est[0]} + {est[1]}, HAC {GOLD['hac_variance']}, "
        f"placebo {GOLD['placebo']}"
    )
    print_table(table)
    print(f"\n{time.perf_counter() - start:.0f} s with {args.workers} workers")
    if args.csv:
        table.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
