"""Straightforward reference implementations of the gold study's per-event computations.

The code of ``eventstudy.gold`` before it was made linear in the catalog (commit 420e17b):
per-event loops, one dense dummy regression with statsmodels' HAC covariance, pseudo-inverse
Wald test. ``tests/test_gold_linear.py`` checks the linear implementations against it on small
random catalogs. Not used by the package.
"""

# ruff: noqa

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Literal, get_args

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from eventstudy.engine.results import EventStudyResults
from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow, EventWindow
from eventstudy.exceptions import SpecificationError, WindowOverlapWarning
from eventstudy.gold.data import Benchmark, GoldData, load_gold_data
from eventstudy.gold.groups import group_tests
from eventstudy.gold.inference import newey_west_lags
from eventstudy.gold.placebo import PlaceboResults
from eventstudy.gold.overlap import OverlapPolicy
from eventstudy.gold.results import ENGINE_CAVEAT, GoldStudyResults
from eventstudy.results import window_label


def calendar_positions(day0: pd.Series, calendar: pd.DatetimeIndex) -> pd.Series:
    """Row position of each event's day 0 in a trading calendar.

    Parameters
    ----------
    day0 : Series
        Day 0 per event (tz-naive trading dates), indexed by ``event_id``; NaT allowed.
    calendar : DatetimeIndex
        The asset's trading dates, sorted.

    Returns
    -------
    Series of Int64
        Row position of each day 0 in ``calendar``; ``<NA>`` when day 0 is NaT or not a date of
        the calendar.
    """
    pos = calendar.get_indexer(pd.DatetimeIndex(day0.to_numpy()))
    out = pd.Series(pos, index=day0.index, dtype="Int64")
    return out.mask(out < 0)


def estimation_mask(
    positions: pd.Series, calendar: pd.DatetimeIndex, event_window: tuple[int, int]
) -> pd.Series:
    a, b = event_window
    mask = np.zeros(len(calendar), dtype=bool)
    for p in positions.dropna().astype(int):
        lo, hi = max(p + a, 0), min(p + b, len(calendar) - 1)
        if lo <= hi:
            mask[lo : hi + 1] = True
    return pd.Series(mask, index=calendar, name="masked")


def _ordered(positions: pd.Series) -> pd.Series:
    pos = positions.dropna().astype(int)
    return pos.iloc[np.argsort(pos.to_numpy(), kind="stable")]


def overlap_clusters(positions: pd.Series, event_window: tuple[int, int]) -> pd.Series:
    a, b = event_window
    pos = _ordered(positions)
    heads: dict[str, str] = {}
    head, last = None, None
    for eid, p in pos.items():
        if head is None or p - last > b - a:
            head = eid
        heads[eid] = head
        last = p
    return pd.Series(heads, dtype=object, name="cluster")


def overlap_table(
    positions: pd.Series,
    calendar: pd.DatetimeIndex,
    *,
    estimation_window: tuple[int, int],
    event_window: tuple[int, int],
    policy: OverlapPolicy = "mask",
    mask_window: tuple[int, int] | None = None,
    overlap_window: tuple[int, int] | None = None,
) -> pd.DataFrame:
    policy = policy
    e1, e2 = estimation_window
    a, b = event_window
    pos = _ordered(positions)
    mask_window = event_window if mask_window is None else mask_window
    overlap_window = event_window if overlap_window is None else overlap_window
    mask = estimation_mask(positions, calendar, mask_window).to_numpy()
    units = study_units(positions, event_window=overlap_window, policy=policy)
    member_unit = {m: uid for uid, row in units.iterrows() for m in row["members"]}
    rows = []
    for eid, p in positions.items():
        if pd.isna(p):
            rows.append(
                {
                    "event_id": eid,
                    "day0": pd.NaT,
                    "in_estimation_window": "",
                    "in_event_window": "",
                    "n_in_estimation_window": 0,
                    "n_in_event_window": 0,
                    "masked_estimation_days": 0,
                    "unit_id": "",
                    "action": "not in data: no day 0 on the trading calendar",
                }
            )
            continue
        p = int(p)
        others = pos.drop(eid)
        in_est = others[(others >= p + e1) & (others <= p + e2)]
        in_evt = others[(others >= p + a) & (others <= p + b)]
        lo, hi = max(p + e1, 0), min(p + e2, len(calendar) - 1)
        n_masked = int(mask[lo : hi + 1].sum()) if lo <= hi else 0
        uid = member_unit.get(eid, "")
        rows.append(
            {
                "event_id": eid,
                "day0": calendar[p],
                "in_estimation_window": " ".join(in_est.index),
                "in_event_window": " ".join(in_evt.index),
                "n_in_estimation_window": len(in_est),
                "n_in_event_window": len(in_evt),
                "masked_estimation_days": n_masked,
                "unit_id": uid,
                "action": _action(
                    eid, p, uid, units, in_evt, pos, policy, n_masked, overlap_window
                ),
            }
        )
    return pd.DataFrame(rows)


def _action(eid, p, uid, units, in_evt, pos, policy, n_masked, event_window) -> str:
    masked = f"{n_masked} estimation days masked (events' mask windows)"
    if policy == "mask":
        if len(in_evt):
            return f"kept; {masked}; event window shared with {len(in_evt)} event(s)"
        return f"kept; {masked}"
    if policy == "drop":
        if not uid:
            a, b = event_window
            order = list(pos.index)
            earlier = [e for e in order[: order.index(eid)] if p - pos[e] <= b - a]
            return f"dropped: event window overlaps that of earlier event(s) {' '.join(earlier)}"
        return f"kept; {masked}"
    members = units.loc[uid, "members"]
    if len(members) == 1:
        return f"kept; {masked}"
    offset = p - int(units.loc[uid, "position"])
    if uid and members[0] == eid:
        return f"episode {uid} head ({len(members)} events); {masked}"
    return f"merged into episode {uid} (day {offset:+d} of the episode)"


def study_units(
    positions: pd.Series,
    *,
    event_window: tuple[int, int],
    policy: OverlapPolicy = "mask",
) -> pd.DataFrame:
    policy = policy
    a, b = event_window
    pos = _ordered(positions)
    rows: list[tuple[str, int, tuple[str, ...]]] = []
    if policy == "mask":
        rows = [(eid, int(p), (eid,)) for eid, p in pos.items()]
    elif policy == "drop":
        seen: list[int] = []
        for eid, p in pos.items():
            if not any(p - q <= b - a for q in seen):
                rows.append((eid, int(p), (eid,)))
            seen.append(int(p))
    else:
        clusters = overlap_clusters(positions, event_window)
        for head, grp in clusters.groupby(clusters, sort=False):
            members = tuple(grp.index)
            uid = head if len(members) == 1 else f"{head}+{len(members) - 1}"
            rows.append((uid, int(pos[head]), members))
    out = pd.DataFrame(rows, columns=["unit_id", "position", "members"]).set_index("unit_id")
    out["span"] = [
        int(pos[list(m)].max()) - int(p)
        for p, m in zip(out["position"], out["members"], strict=True)
    ]
    return out.sort_values("position", kind="stable")


def timing_sensitivity(
    candidates: pd.DataFrame,
    calendar: pd.DatetimeIndex,
    fit: Callable[[pd.DataFrame], EventStudyResults],
    *,
    window: tuple[int, int] = (-1, 1),
    level: float = 0.05,
    extend: pd.Series | None = None,
) -> pd.DataFrame:
    keys = [f"{e}@@{v}" for e, v in zip(candidates["event_id"], candidates["variant"], strict=True)]
    pos = candidates["position"]
    ok = pos.notna().to_numpy()
    day0 = pd.Series(pd.NaT, index=candidates.index, dtype="datetime64[ns]")
    day0[ok] = calendar[pos[ok].astype(int).to_numpy()]
    events = pd.DataFrame({"event_id": np.asarray(keys, dtype=object)[ok], "day0": day0[ok]})
    if extend is not None:
        events["extend"] = [int(extend.get(e, 0)) for e in candidates.loc[ok, "event_id"]]
    car = fit(events).car(window=window).set_index("event_id") if len(events) else pd.DataFrame()
    out = candidates.drop(columns=["position"]).copy()
    out["day0"] = day0
    for col in ("car", "car_se", "pvalue"):
        out[col] = car[col].reindex(keys).to_numpy() if len(car) else np.nan
    out["car_pct"] = 100 * out["car"]
    out = out[["event_id", "variant", "day0", "car", "car_pct", "car_se", "pvalue"]]
    out["sign"] = np.sign(out["car"])
    out["significant"] = out["pvalue"] < level
    grp = out.groupby("event_id", sort=False)
    out["sign_depends_on_timing"] = grp["sign"].transform(lambda s: s.max() > s.min())
    studied = out.loc[out["car"].notna()].groupby("event_id", sort=False)["significant"]
    changes = studied.max() > studied.min()  # False when all NaN
    out["significance_depends_on_timing"] = out["event_id"].map(changes).fillna(False).astype(bool)
    return out


def timing_candidates(
    events: pd.DataFrame, day0: pd.Series, calendar: pd.DatetimeIndex
) -> pd.DataFrame:
    pos = calendar_positions(pd.Series(day0.to_numpy(), index=events["event_id"]), calendar)
    rows = []
    n = len(calendar)
    for (eid, p), (_, ev) in zip(pos.items(), events.iterrows(), strict=True):
        if pd.isna(p):
            continue
        p = int(p)
        variants = [("base", p), ("day0-1", p - 1), ("day0+1", p + 1)]
        if not bool(ev.get("time_known", True)):
            d = pd.Timestamp(ev["date"])
            on = int(calendar.searchsorted(d, side="left"))
            after = int(calendar.searchsorted(d, side="right"))
            variants += [("date_itself", on), ("next_session", after)]
        for v, q in variants:
            rows.append({"event_id": eid, "variant": v, "position": q if 0 <= q < n else pd.NA})
    return pd.DataFrame(rows).astype({"position": "Int64"})


def event_dummy_regression(
    y: pd.Series,
    windows: Mapping[str, Sequence[pd.Timestamp]],
    regressors: pd.DataFrame | None = None,
    *,
    maxlags: int | None = None,
    directions: Mapping[str, str] | None = None,
) -> SimpleNamespace:
    data = (
        pd.concat([y.rename("__y__"), regressors], axis=1)
        if regressors is not None
        else (y.rename("__y__").to_frame())
    )
    data = data.dropna()
    index = data.index
    nobs = len(index)
    m = newey_west_lags(nobs) if maxlags is None else int(maxlags)
    ids = list(windows)
    day_sets = {eid: [d for d in pd.DatetimeIndex(windows[eid]) if d in index] for eid in ids}
    days = pd.DatetimeIndex(sorted({d for ds in day_sets.values() for d in ds}))
    pos = index.get_indexer(days)
    dummies = np.zeros((nobs, len(days)))
    dummies[pos, np.arange(len(days))] = 1.0
    names = [f"d:{d.date()}" for d in days]
    x_cols = [c for c in data.columns if c != "__y__"]
    exog = np.column_stack([np.ones(nobs), data[x_cols].to_numpy(float), dummies])
    exog_names = ["const", *x_cols, *names]
    fit = sm.OLS(data["__y__"].to_numpy(float), exog).fit(cov_type="HAC", cov_kwds={"maxlags": m})
    params = pd.Series(fit.params, index=exog_names)
    cov = np.asarray(fit.cov_params())
    k0 = 1 + len(x_cols)
    v_dd = cov[k0:, k0:]

    # abnormal returns with the benchmark part only
    beta = fit.params[:k0]
    ar = pd.Series(data["__y__"].to_numpy(float) - exog[:, :k0] @ beta, index=index, name="ar")
    event_day = pd.Series(False, index=index, name="event_day")
    event_day.iloc[pos] = True

    # Newey-West autocovariances of the non-event residuals
    e = ar.to_numpy().copy()
    e[pos] = np.nan
    n_ne = int(np.isfinite(e).sum())
    acov = np.zeros(m + 1)
    for lag in range(m + 1):
        prod = e[lag:] * e[: nobs - lag]
        acov[lag] = np.nansum(prod) / n_ne * (1.0 - lag / (m + 1.0))
    autocov = pd.Series(acov, index=pd.RangeIndex(m + 1, name="lag"), name="bartlett_autocov")
    lag_mat = np.abs(pos[:, None] - pos[None, :])
    omega = np.where(lag_mat <= m, acov[np.minimum(lag_mat, m)], 0.0)

    gamma = np.zeros((len(ids), len(days)))
    for i, eid in enumerate(ids):
        gamma[i, days.get_indexer(pd.DatetimeIndex(day_sets[eid]))] = 1.0
    car = gamma @ fit.params[k0:]
    cov_param = gamma @ v_dd @ gamma.T
    cov_error = gamma @ omega @ gamma.T
    cov_car = cov_param + cov_error
    n_days = gamma.sum(axis=1)
    car = np.where(n_days > 0, car, np.nan)
    se = np.sqrt(np.diag(cov_car))
    se = np.where(n_days > 0, se, np.nan)
    z = car / se
    first = [min(day_sets[e]) if day_sets[e] else pd.NaT for e in ids]
    last = [max(day_sets[e]) if day_sets[e] else pd.NaT for e in ids]
    car_frame = pd.DataFrame(
        {
            "event_id": ids,
            "window_start": first,
            "window_end": last,
            "n_days": n_days.astype(int),
            "car": car,
            "se_param": np.sqrt(np.clip(np.diag(cov_param), 0, None)),
            "se_error": np.sqrt(np.clip(np.diag(cov_error), 0, None)),
            "car_se": se,
            "zstat": z,
            "pvalue": 2 * stats.norm.sf(np.abs(z)),
        }
    )
    cov_frame = pd.DataFrame(cov_car, index=ids, columns=ids)
    tests = _joint_tests(car_frame, cov_frame, directions or {})
    return SimpleNamespace(
        car=car_frame,
        car_cov=cov_frame,
        tests=tests,
        params=params,
        ar=ar,
        event_days=event_day,
        maxlags=m,
        nobs=nobs,
        autocov=autocov,
    )


def _joint_tests(
    car: pd.DataFrame, cov: pd.DataFrame, directions: Mapping[str, str]
) -> pd.DataFrame:
    ok = car["car"].notna().to_numpy()
    ids = car["event_id"].to_numpy()[ok]
    c = car["car"].to_numpy()[ok]
    s = cov.loc[ids, ids].to_numpy()
    rows = []
    if len(c):
        rank = int(np.linalg.matrix_rank(s, tol=1e-12 * max(np.abs(s).max(), 1e-300)))
        w = float(c @ np.linalg.pinv(s, rcond=1e-10, hermitian=True) @ c)
        rows.append(
            _row(
                "wald_all_zero",
                w,
                rank,
                stats.chi2.sf(w, rank),
                f"chi2({rank})",
                len(c),
                "every event's CAR is zero",
                "some event's CAR is not zero",
            )
        )
    dirs = np.array([directions.get(e, "") for e in ids])
    weights = {}
    for label, alt in (("up", "greater"), ("down", "less")):
        sel = dirs == label
        name = f"mean_car_{label}"
        if not sel.any():
            rows.append(
                _row(
                    name,
                    np.nan,
                    np.nan,
                    np.nan,
                    "N(0,1)",
                    0,
                    f"mean CAR of '{label}' events is zero",
                    "",
                    f"no '{label}' events",
                )
            )
            continue
        a = sel / sel.sum()
        weights[label] = a
        zval = float(a @ c / math.sqrt(a @ s @ a))
        p = stats.norm.sf(zval) if alt == "greater" else stats.norm.cdf(zval)
        sign = ">" if alt == "greater" else "<"
        rows.append(
            _row(
                name,
                zval,
                np.nan,
                p,
                "N(0,1)",
                int(sel.sum()),
                f"mean CAR of '{label}' events is zero",
                f"mean CAR of '{label}' events {sign} 0",
            )
        )
    if len(weights) == 2:
        a = weights["up"] - weights["down"]
        zval = float(a @ c / math.sqrt(a @ s @ a))
        rows.append(
            _row(
                "mean_car_up_minus_down",
                zval,
                np.nan,
                2 * stats.norm.sf(abs(zval)),
                "N(0,1)",
                int((dirs == "up").sum() + (dirs == "down").sum()),
                "mean CARs of 'up' and 'down' events are equal",
                "they differ (two-sided)",
            )
        )
    return pd.DataFrame(rows)


def _row(test, stat, df, pvalue, dist, nobs, null, alternative, reason=""):
    return {
        "test": test,
        "stat": stat,
        "df": df,
        "pvalue": pvalue,
        "dist": dist,
        "nobs": nobs,
        "null": null,
        "alternative": alternative,
        "reason": reason,
    }


def placebo_test(
    ar: pd.Series,
    event_days: pd.Series,
    windows: Mapping[str, Sequence[pd.Timestamp]],
    *,
    statistic: Literal["scar", "car"] = "scar",
    scale_window: int = 250,
    n_boot: int = 200,
    draws_per_boot: int = 50,
    block_length: float | None = None,
    seed: int = 12345,
) -> PlaceboResults:
    from arch.bootstrap import StationaryBootstrap, optimal_block_length

    ar = ar.astype(float)
    base_mask = (~event_days.reindex(ar.index, fill_value=False)) & ar.notna()
    base = ar[base_mask].to_numpy()
    lens = {len(list(w)) for w in windows.values()}
    if len(lens) != 1:
        raise ValueError(f"placebo windows must all have the same length; got lengths {lens}")
    L = lens.pop()
    if block_length is None:
        obl = optimal_block_length(np.column_stack([base, base**2]))
        block_length = float(max(obl["stationary"].max(), 1.0))
    rng = np.random.default_rng(seed)
    bs = StationaryBootstrap(block_length, base, seed=rng)
    n = len(base)
    lo = scale_window if statistic == "scar" else 0
    if n - L - lo < 1:
        raise ValueError(f"too few non-event observations ({n}) for windows of {L} days")
    null = []
    for data in bs.bootstrap(n_boot):
        x = data[0][0]
        starts = rng.integers(lo, n - L + 1, size=draws_per_boot)
        cs = np.concatenate([[0.0], np.cumsum(x)])
        sums = cs[starts + L] - cs[starts]
        if statistic == "scar":
            cs2 = np.concatenate([[0.0], np.cumsum(x**2)])
            m1 = (cs[starts] - cs[starts - scale_window]) / scale_window
            m2 = (cs2[starts] - cs2[starts - scale_window]) / scale_window
            sd = np.sqrt(np.maximum(m2 - m1**2, 0) * scale_window / (scale_window - 1))
            null.append(sums / (sd * math.sqrt(L)))
        else:
            null.append(sums)
    null_arr = np.concatenate(null)

    nonevent = ar.where(base_mask)
    rows = []
    n_null = len(null_arr)
    for eid, days in windows.items():
        days = pd.DatetimeIndex(days)
        vals = ar.reindex(days)
        car = float(vals.sum()) if vals.notna().all() else np.nan
        first = ar.index.get_indexer([days.min()])[0]
        trail = nonevent.iloc[:first].dropna().iloc[-scale_window:]
        scale = float(trail.std(ddof=1)) if len(trail) >= 20 else np.nan
        stat = car / (scale * math.sqrt(L)) if statistic == "scar" else car
        if not np.isfinite(stat):
            rows.append(
                {
                    "event_id": eid,
                    "stat": np.nan,
                    "car": car,
                    "scale": scale,
                    "pvalue": np.nan,
                    "pvalue_greater": np.nan,
                    "pvalue_less": np.nan,
                    "percentile": np.nan,
                }
            )
            continue
        rows.append(
            {
                "event_id": eid,
                "stat": stat,
                "car": car,
                "scale": scale,
                "pvalue": (1 + np.sum(np.abs(null_arr) >= abs(stat))) / (n_null + 1),
                "pvalue_greater": (1 + np.sum(null_arr >= stat)) / (n_null + 1),
                "pvalue_less": (1 + np.sum(null_arr <= stat)) / (n_null + 1),
                "percentile": 100.0 * np.mean(null_arr <= stat),
            }
        )
    return PlaceboResults(
        events=pd.DataFrame(rows),
        null=null_arr,
        statistic=statistic,
        block_length=float(block_length),
        window_len=L,
    )


# --------------------------------------------------------------------------------------------
# the permutation test (eventstudy/gold/groups.py at 420e17b)
# --------------------------------------------------------------------------------------------


def _permutation_mean_difference(
    x: np.ndarray, y: np.ndarray, n_permutations: int, seed: int
) -> tuple[float, float]:
    r"""Two-sided permutation test of mean(x) - mean(y).

    Exact (all C(n, n_x) relabellings, p = share with \|d\| >= \|d_obs\|) when there are at
    most ``n_permutations`` of them, else Monte Carlo with p = (1 + count) / (1 + B); the
    conventions of :func:`scipy.stats.permutation_test`, vectorised.
    """
    from itertools import combinations

    pooled = np.concatenate([x, y])
    n, nx = len(pooled), len(x)
    obs = float(x.mean() - y.mean())
    tol = 1e-14 * max(1.0, abs(obs))
    if math.comb(n, nx) <= n_permutations:
        idx = np.array(list(combinations(range(n), nx)))
        sel = np.zeros((len(idx), n), bool)
        sel[np.arange(len(idx))[:, None], idx] = True
        sx = (sel * pooled).sum(axis=1)
        d = sx / nx - (pooled.sum() - sx) / (n - nx)
        return obs, float(np.mean(np.abs(d) >= abs(obs) - tol))
    rng = np.random.default_rng(seed)
    perm = pooled[np.argsort(rng.random((n_permutations, n)), axis=1)]
    d = perm[:, :nx].mean(axis=1) - perm[:, nx:].mean(axis=1)
    return obs, float((1 + np.sum(np.abs(d) >= abs(obs) - tol)) / (1 + n_permutations))


# --------------------------------------------------------------------------------------------
# the composition (eventstudy/gold/study.py at 420e17b)
# --------------------------------------------------------------------------------------------

GoldModel = Literal["constant_mean", "market", "factor"]
GOLD_MODELS: tuple[str, ...] = get_args(GoldModel)
MODEL_REGRESSORS: dict[str, tuple[str, ...]] = {
    "constant_mean": (),
    "market": ("equity",),
    "factor": ("equity", "dollar", "real_yield"),
}


def _check_choice(name: str, value: str, accepted: Sequence[str]) -> str:
    norm = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for a in accepted:
        if norm == a.lower():
            return a
    raise SpecificationError(f"{name}={value!r} is not accepted; use one of {tuple(accepted)}")


@dataclass(frozen=True)
class _Spec:
    """The engine specification shared by the main fit and the timing refits."""

    returns: pd.DataFrame  # gold (named by its symbol) and the regressors
    symbol: str
    model: str
    regressors: tuple[str, ...]
    estimation_window: EstimationWindow
    event_window: EventWindow
    car_windows: tuple[tuple[int, int], ...]

    def fit(self, events: pd.DataFrame) -> EventStudyResults:
        """Fit the engine on ``events`` (``event_id``, ``day0``, optional ``extend``)."""
        ev = events.assign(asset=self.symbol)
        gold = self.returns[[self.symbol]]
        kw: dict = {}
        if self.model == "market":
            kw["benchmark"] = self.returns["equity"]
        elif self.model == "factor":
            kw["factors"] = self.returns[list(self.regressors)]
        return EventStudy(
            gold,
            ev,
            self.model,
            estimation_window=self.estimation_window,
            event_window=self.event_window,
            car_windows=self.car_windows,
            **kw,
        ).fit()


def gold_event_study(
    events: pd.DataFrame,
    *,
    gold: str = "GC=F",
    model: GoldModel = "constant_mean",
    benchmark: Benchmark = "ACWI",
    data: GoldData | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    estimation_window: tuple[int, int] = (-260, -11),
    event_window: tuple[int, int] = (-10, 10),
    car_windows: Sequence[tuple[int, int]] = ((-1, 1), (0, 0), (0, 5), (-5, -1)),
    overlap: OverlapPolicy = "mask",
    mask_window: tuple[int, int] = (-1, 5),
    overlap_window: tuple[int, int] | None = None,
    label_categories: Sequence[str] = ("gold_market",),
    min_estimation_obs: int = 100,
    maxlags: int | None = None,
    placebo_statistic: Literal["scar", "car"] = "scar",
    n_boot: int = 200,
    draws_per_boot: int = 50,
    seed: int = 12345,
) -> GoldStudyResults:
    model = _check_choice("model", model, GOLD_MODELS)  # type: ignore[assignment]
    car_windows = tuple((int(a), int(b)) for a, b in car_windows)
    main = car_windows[0]
    if data is None:
        data = load_gold_data(gold, benchmark=benchmark, data_dir=data_dir)
    cal = data.returns.index
    ev = events.reset_index(drop=True)
    ids = ev["event_id"].astype(str)
    day0 = _day0(ev, gold)
    d0 = pd.Series(day0.to_numpy(), index=ids)
    pos_all = calendar_positions(d0, cal)
    exclusions = _day0_exclusions(d0, pos_all, cal, gold)
    mask = estimation_mask(pos_all, cal, mask_window)
    is_label = ev["category"].isin(label_categories).to_numpy()
    exclusions += _label_exclusions(ev, ids, pos_all, is_label)
    eligible = pos_all[~is_label]
    overlaps = overlap_table(
        eligible,
        cal,
        estimation_window=estimation_window,
        event_window=event_window,
        policy=overlap,
        mask_window=mask_window,
        overlap_window=overlap_window,
    )
    units = study_units(eligible, event_window=overlap_window or event_window, policy=overlap)
    notes = _overlap_notes(overlaps, overlap, event_window)
    members = {uid: row["members"] for uid, row in units.iterrows()}
    exclusions += _overlap_exclusions(eligible, members, overlaps)

    spec = _Spec(
        returns=data.returns.rename(columns={"gold": gold}),
        symbol=gold,
        model=model,
        regressors=MODEL_REGRESSORS[model],
        estimation_window=EstimationWindow.from_bounds(
            *estimation_window, min_obs=min_estimation_obs, mask=mask
        ),
        event_window=EventWindow(*event_window, missing=main),
        car_windows=car_windows,
    )
    unit_events = pd.DataFrame(
        {
            "event_id": units.index,
            "day0": cal[units["position"].astype(int).to_numpy()],
            "extend": units["span"].to_numpy(),
        }
    )
    fit = spec.fit(unit_events)
    exclusions += _engine_exclusions(fit.exclusions, members)
    main_car = fit.car(window=main).set_index("event_id")
    studied = list(main_car.index)

    windows = _main_window_dates(fit, studied, main)
    direction = ev.set_index(ids)["gold_direction"]
    unit_dir = {uid: direction[members[uid][0]] for uid in studied}
    first_pos = int(units.loc[studied, "position"].min()) + estimation_window[0] if studied else 0
    sample = spec.returns.iloc[max(first_pos, 1) :]
    hac = event_dummy_regression(
        sample[gold],
        windows,
        sample[list(spec.regressors)] if spec.regressors else None,
        maxlags=maxlags,
        directions=unit_dir,
    )
    event_days = (mask.reindex(hac.ar.index, fill_value=False) | hac.event_days).rename("event")
    placebo = _placebo_by_length(
        hac.ar,
        event_days,
        windows,
        statistic=placebo_statistic,
        n_boot=n_boot,
        draws_per_boot=draws_per_boot,
        seed=seed,
    )

    meta = ev.set_index(ids)
    price_before = {
        uid: float(data.close.iloc[int(units.loc[uid, "position"]) + main[0] - 1])
        for uid in studied
    }
    unit_tbl = main_car[["car", "car_se", "pvalue"]].copy()
    unit_tbl["gold_direction"] = [unit_dir[u] for u in unit_tbl.index]
    unit_tbl["category"] = [meta.loc[members[u][0], "category"] for u in unit_tbl.index]
    unit_tbl["price_before"] = [price_before[u] for u in unit_tbl.index]
    groups, gtests = group_tests(unit_tbl.reset_index(), seed=seed)

    heads = [members[u][0] for u in studied]
    head_rows = ev[ids.isin(heads).to_numpy()]
    cands = timing_candidates(head_rows, day0[head_rows.index], cal)
    head_to_unit = {members[u][0]: u for u in studied}
    cands["event_id"] = cands["event_id"].map(head_to_unit)
    sens = timing_sensitivity(cands, cal, spec.fit, window=main, extend=units["span"])

    exc_df = pd.DataFrame(exclusions, columns=["event_id", "stage", "reason"])
    table = _events_table(ev, ids, d0, members, units, main, exc_df, unit_tbl, hac, placebo, sens)
    notes = [*_count_notes(table, exc_df), *notes]
    notes += _method_notes(mask, mask_window, overlap, spec, hac, placebo, data, (n_boot, seed))
    settings = {
        "gold": gold,
        "model": model,
        "benchmark": data.benchmark,
        "regressors": spec.regressors,
        "estimation_window": tuple(estimation_window),
        "event_window": tuple(event_window),
        "main_window": main,
        "car_windows": car_windows,
        "overlap": overlap,
        "overlap_window": tuple(overlap_window or event_window),
        "mask_window": tuple(mask_window),
        "maxlags": hac.maxlags,
        "placebo_statistic": placebo_statistic,
        "n_boot": n_boot,
        "draws_per_boot": draws_per_boot,
        "seed": seed,
    }
    return GoldStudyResults(
        events=table,
        study=fit,
        specification=None,  # fields added after the reference was taken (not compared)
        units=None,
        exclusions=exc_df,
        overlaps=overlaps,
        hac=hac,
        placebo=placebo,
        groups=groups,
        group_tests=gtests,
        sensitivity=sens,
        data_versions=_data_versions(data, data_dir, notes),
        close=data.close,
        settings=settings,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# pieces of the composition (small, pure)
# --------------------------------------------------------------------------------------------


def _day0(ev: pd.DataFrame, gold: str) -> pd.Series:
    if "day0" in ev.columns:
        return pd.Series(pd.DatetimeIndex(ev["day0"]), index=ev.index)
    from eventstudy.data.day0 import day0_for_events

    return day0_for_events(ev, gold)


def _day0_exclusions(
    d0: pd.Series, pos_all: pd.Series, cal: pd.DatetimeIndex, gold: str
) -> list[tuple[str, str, str]]:
    last = cal[-1]
    out = []
    for eid, d in d0.items():
        if pd.notna(pos_all[eid]):
            continue
        if pd.notna(d) and d > last:
            reason = f"day 0 {d.date()} is after the last {gold} price ({last.date()})"
        else:
            reason = f"day 0 {d} has no {gold} price row"
        out.append((str(eid), "day0", reason))
    return out


def _label_exclusions(
    ev: pd.DataFrame, ids: pd.Series, pos_all: pd.Series, is_label: np.ndarray
) -> list[tuple[str, str, str]]:
    out = []
    for eid, category in zip(ids[is_label], ev.loc[is_label, "category"], strict=True):
        if pd.notna(pos_all[eid]):
            out.append(
                (
                    eid,
                    "catalog",
                    f"price milestone (category {category}): an outcome, not a shock; used only "
                    "to mask estimation windows",
                )
            )
    return out


def _overlap_notes(
    overlaps: pd.DataFrame, overlap: str, event_window: tuple[int, int]
) -> list[str]:
    n_shared = int((overlaps["n_in_event_window"] > 0).sum())
    if overlap != "mask" or not n_shared:
        return []
    text = (
        f"{n_shared} events have another event's day 0 inside their event window "
        f"{window_label(*event_window)}"
    )
    warnings.warn(
        f'{text}; their CARs share days (see results.overlaps, or use overlap="drop"/'
        '"merge"). Silence with warnings.simplefilter("ignore", WindowOverlapWarning).',
        WindowOverlapWarning,
        stacklevel=3,
    )
    return [f"{text}: their CARs share days (overlaps table)."]


def _overlap_exclusions(
    eligible: pd.Series, members: dict[str, tuple[str, ...]], overlaps: pd.DataFrame
) -> list[tuple[str, str, str]]:
    in_unit = {m for ms in members.values() for m in ms}
    action = overlaps.set_index("event_id")["action"]
    return [
        (str(eid), "overlap", str(action[eid]))
        for eid in eligible.dropna().index
        if eid not in in_unit
    ]


def _engine_exclusions(
    exclusions: pd.DataFrame, members: dict[str, tuple[str, ...]]
) -> list[tuple[str, str, str]]:
    out = []
    for uid, stage, reason in exclusions[["event_id", "stage", "reason"]].itertuples(index=False):
        for m in members[uid]:
            out.append((m, stage, reason if m == uid else f"episode {uid}: {reason}"))
    return out


def _main_window_dates(
    fit: EventStudyResults, studied: list[str], main: tuple[int, int]
) -> dict[str, list[pd.Timestamp]]:
    """Dates of each studied unit's main window (extended for episodes), from the engine."""
    ext = dict(zip(fit.arrays.event_ids, fit.arrays.extend, strict=True))
    ar = fit.ar
    out = {}
    for uid, rows in ar.groupby("event_id", sort=False):
        end = main[1] + (int(ext[uid]) if main[1] >= 0 else 0)
        sel = rows["rel_day"].between(main[0], end)
        out[uid] = list(pd.DatetimeIndex(rows.loc[sel, "date"]))
    return {uid: out[uid] for uid in studied}


def _placebo_by_length(ar, event_days, windows, **kw) -> PlaceboResults:
    """Placebo per window length (merged episodes are longer); the null kept is the one of
    the most common length."""
    lengths = pd.Series({u: len(w) for u, w in windows.items()})
    common = int(lengths.mode().iloc[0])
    results = {
        n: placebo_test(ar, event_days, {u: windows[u] for u in g.index}, **kw)
        for n, g in lengths.groupby(lengths)
    }
    base = results[common]
    frames = [r.events.assign(window_len=n) for n, r in results.items()]
    events = pd.concat(frames, ignore_index=True).set_index("event_id").loc[list(windows)]
    return PlaceboResults(
        events=events.reset_index(),
        null=base.null,
        statistic=base.statistic,
        block_length=base.block_length,
        window_len=common,
    )


def _events_table(ev, ids, d0, members, units, main, exc_df, unit_tbl, hac, placebo, sens):
    """One row per catalog event: status, reason, and the main-window CAR with its p-values."""
    hac_car = hac.car.set_index("event_id")
    plc = placebo.events.set_index("event_id")
    timing = sens.groupby("event_id")[
        ["sign_depends_on_timing", "significance_depends_on_timing"]
    ].any()
    reasons = exc_df.groupby("event_id", sort=False)["reason"].agg("; ".join)
    unit_of = {m: u for u, ms in members.items() for m in ms}
    rows = []
    for i, eid in enumerate(ids):
        uid = unit_of.get(eid, "")
        row = {
            "event_id": eid,
            "title": ev.loc[i, "title"],
            "title_ja": ev.loc[i, "title_ja"],
            "category": ev.loc[i, "category"],
            "gold_direction": ev.loc[i, "gold_direction"],
            "day0": d0[eid],
            "status": "excluded",
            "reason": reasons.get(eid, ""),
            "unit_id": "",
            "window": window_label(*main),
        }
        if uid in units.index and main[1] >= 0:
            row["window"] = window_label(main[0], main[1] + int(units.loc[uid, "span"]))
        if eid not in reasons.index and uid in unit_tbl.index:
            row.update(
                _studied_row(eid, uid, members[uid], unit_tbl.loc[uid], hac_car, plc, timing)
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _studied_row(eid, uid, unit_members, c, hac_car, plc, timing) -> dict:
    head = unit_members[0] == eid
    reason = ""
    if len(unit_members) > 1:
        reason = (
            f"head of episode {uid} ({len(unit_members)} events)"
            if head
            else f"merged into episode {uid} (values are the episode's)"
        )
    return {
        "status": "studied" if head else "merged",
        "unit_id": uid,
        "reason": reason,
        "car": c["car"],
        "car_pct": 100 * c["car"],
        "car_se": c["car_se"],
        "price_before": c["price_before"],
        "car_usd": c["car"] * c["price_before"],
        "p_analytic": c["pvalue"],
        "car_hac": hac_car.loc[uid, "car"],
        "se_hac": hac_car.loc[uid, "car_se"],
        "p_hac": hac_car.loc[uid, "pvalue"],
        "p_placebo": plc.loc[uid, "pvalue"],
        "placebo_percentile": plc.loc[uid, "percentile"],
        "timing_sensitive": bool(timing.loc[uid].any()) if uid in timing.index else False,
    }


def _count_notes(table: pd.DataFrame, exc_df: pd.DataFrame) -> list[str]:
    status = table["status"]
    notes = [
        f"{len(table)} catalog events: {int((status == 'studied').sum())} studied, "
        f"{int((status == 'merged').sum())} merged into episodes, "
        f"{int((status == 'excluded').sum())} excluded (reasons in exclusions)."
    ]
    for stage, g in exc_df.groupby("stage", sort=False):
        notes.append(
            f"{len(g)} excluded at stage '{stage}': e.g. {g['event_id'].iloc[0]}: "
            f"{g['reason'].iloc[0]}"
        )
    return notes


def _method_notes(mask, mask_window, overlap, spec, hac, placebo, data, boot) -> list[str]:
    gold = spec.symbol
    notes = [
        f"Estimation windows mask the {window_label(*mask_window)} days of every catalogued "
        f"event ({int(mask.sum())} trading days in all); overlap policy '{overlap}'.",
        f"HAC route: OLS of gold on {['const', *spec.regressors]} plus one dummy per "
        f"main-window day over {hac.nobs} days; Newey-West (Bartlett) with "
        f"maxlags={hac.maxlags}; CAR variance = parameter part (statsmodels HAC γ'Vγ) + "
        "Newey-West variance of the window's error sum (a one-day dummy has a zero residual, "
        "so γ'Vγ alone is too small).",
        f"Placebo: statistic '{placebo.statistic}', {len(placebo.null)} draws from {boot[0]} "
        f"stationary-bootstrap resamples (mean block {placebo.block_length:.1f} days, seed "
        f"{boot[1]}) of non-event abnormal returns.",
        ENGINE_CAVEAT[0].upper() + ENGINE_CAVEAT[1:] + " (engine_tests, group t-tests).",
    ]
    if len(data.dropped_rows):
        notes.append(
            f"{len(data.dropped_rows)} {gold} price rows outside its trading calendar "
            f"were dropped (e.g. {data.dropped_rows['date'].iloc[-1].date()})."
        )
    notes.append(f"USD effects are first order: CAR x {gold} close on the day before the window.")
    return notes


def _data_versions(data: GoldData, data_dir, notes: list[str]) -> pd.DataFrame:
    from eventstudy.data.store import file_versions

    if not data.files:
        return pd.DataFrame({"path": []})
    try:
        return file_versions(data.files, data_dir)
    except (OSError, ValueError) as exc:  # data from memory, or no manifest: say so
        notes.append(f"Data versions unavailable: {type(exc).__name__}: {exc}")
        return pd.DataFrame({"path": list(data.files)})
