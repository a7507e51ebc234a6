"""Per-event computations of the gold study: abnormal returns with the prediction-error
variance, group and direction tests, and event-time sensitivity.

Frame in, labelled frame out; no I/O. Units: decimal returns (log by default); offsets are
trading days relative to day 0 on the gold calendar (:mod:`eventstudy.data.instruments`). The
orchestration lives in :func:`eventstudy.gold.study.gold_event_study`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy.gold.overlap import calendar_positions

__all__ = [
    "EventARs",
    "event_abnormal_returns",
    "group_tests",
    "timing_candidates",
    "timing_sensitivity",
]


# --------------------------------------------------------------------------------------------
# per-event abnormal returns (textbook route)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventARs:
    """Output of :func:`event_abnormal_returns`: tidy frames (see that function)."""

    ar: pd.DataFrame
    car: pd.DataFrame
    params: pd.DataFrame
    exclusions: pd.DataFrame


def event_abnormal_returns(
    returns: pd.DataFrame,
    positions: pd.Series,
    *,
    regressors: Sequence[str] = (),
    asset: str = "gold",
    estimation_window: tuple[int, int] = (-260, -11),
    event_window: tuple[int, int] = (-10, 10),
    car_windows: Sequence[tuple[int, int]] = ((-1, 1),),
    mask: pd.Series | None = None,
    min_estimation_obs: int | None = None,
    extend: pd.Series | None = None,
) -> EventARs:
    """Per-event abnormal returns and CARs with the prediction-error variance.

    Parameters
    ----------
    returns : DataFrame
        Decimal returns indexed by trading date; column ``asset`` and the ``regressors``:

        ==========  ========  =======  ==========
        date        gold      equity   real_yield
        ==========  ========  =======  ==========
        2022-02-23  0.0003    -0.018   0.02
        2022-02-24  0.0080    0.012    -0.08
        ==========  ========  =======  ==========

    positions : Series of int
        Day-0 row position in ``returns`` per study unit, indexed by unit id.
    regressors : sequence of str
        Columns used with a constant: ``()`` = constant mean (k = 1), ``("equity",)`` =
        market model (k = 2), three factors (k = 4).
    asset : str, default "gold"
    estimation_window, event_window : (int, int)
        Closed intervals of trading-day offsets.
    car_windows : sequence of (int, int)
        CAR windows inside the event window.
    mask : Series of bool, optional
        On ``returns.index``; True = do not use the day for estimation (other events).
    min_estimation_obs : int, optional
        Minimum usable estimation days; default half the estimation window (at least k + 3).
    extend : Series of int, optional
        Per unit, trading days added to the end of the event window and of every CAR window
        ending on or after day 0 (the span of a merged episode, see :mod:`eventstudy.gold.overlap`).

    Returns
    -------
    EventARs
        ``ar``: event_id, rel_day, date, ret, normal_ret, ar, ar_se, sar;
        ``car``: event_id, window_start, window_end (nominal), extended_by (the unit's extension;
        the actual window ends at ``window_end + extended_by`` when ``window_end >= 0``), car,
        car_se, scar, tstat, pvalue, df;
        ``params``: event_id, n_est, n_masked, k, sigma, and one ``b_<name>`` per coefficient;
        ``exclusions``: event_id, stage, reason.

    Notes
    -----
    OLS of the asset return on a constant and the regressors over the usable estimation days
    (``n`` of them, not masked, not missing), :math:`s^2 = SSR/(n-k)`. In the event window
    :math:`AR = R - X^*\\hat b` and :math:`V = s^2 (I + X^*(X'X)^{-1}X^{*\\prime})` (CLM
    4.4.9); :math:`\\mathrm{CAR} = \\gamma'AR`, :math:`\\mathrm{Var} = \\gamma'V\\gamma`
    (CLM 4.4.13-16), t = CAR/se ~ t(n - k), two-sided p-value.
    """
    e1, e2 = estimation_window
    a, b = event_window
    k = 1 + len(regressors)
    if min_estimation_obs is None:
        min_estimation_obs = max(k + 3, math.ceil((e2 - e1 + 1) / 2))
    y_all = returns[asset].to_numpy(float)
    x_all = np.column_stack([np.ones(len(returns)), returns[list(regressors)].to_numpy(float)])
    ok = np.isfinite(y_all) & np.isfinite(x_all).all(axis=1)
    masked = (
        np.zeros(len(returns), bool)
        if mask is None
        else mask.reindex(returns.index, fill_value=False).to_numpy(bool)
    )
    dates = returns.index
    ar_rows, car_rows, par_rows, exc = [], [], [], []
    T = len(returns)
    for uid, p0 in positions.items():
        p0 = int(p0)
        ext = 0 if extend is None else int(extend.get(uid, 0))
        rel = np.arange(a, b + ext + 1)
        est = np.arange(max(p0 + e1, 0), max(p0 + e2 + 1, 0))
        usable = est[ok[est] & ~masked[est]]
        n_masked = int(masked[est].sum())
        n = len(usable)
        if n < min_estimation_obs:
            exc.append(
                (
                    uid,
                    "estimation",
                    f"{n} usable estimation days < {min_estimation_obs} "
                    f"({n_masked} masked by other events' windows, "
                    f"{len(est) - n - n_masked} missing or before the data)",
                )
            )
            continue
        X, y = x_all[usable], y_all[usable]
        xtx_inv = np.linalg.inv(X.T @ X)
        beta = xtx_inv @ X.T @ y
        resid = y - X @ beta
        s2 = float(resid @ resid / (n - k))
        evt = p0 + rel
        inside = (evt >= 0) & (evt < T)
        evt_c = np.clip(evt, 0, T - 1)
        Xs = np.where(inside[:, None], x_all[evt_c], np.nan)
        ys = np.where(inside, y_all[evt_c], np.nan)
        normal = Xs @ beta
        ar = ys - normal
        V = s2 * (np.eye(len(rel)) + Xs @ xtx_inv @ Xs.T)
        ar_se = np.sqrt(np.diag(V))
        main_missing = []
        for w0, w1 in car_windows:
            sel = (rel >= w0) & (rel <= (w1 + ext if w1 >= 0 else w1))
            g = sel.astype(float)
            if not np.isfinite(ar[sel]).all():
                main_missing.append((w0, w1))
                car = se = np.nan
            else:
                car = float(np.nansum(ar[sel]))
                se = math.sqrt(float(g @ np.nan_to_num(V) @ g))
            t = car / se if se else np.nan
            car_rows.append(
                {
                    "event_id": uid,
                    "window_start": w0,
                    "window_end": w1,
                    "extended_by": ext,
                    "car": car,
                    "car_se": se,
                    "scar": t,
                    "tstat": t,
                    "pvalue": 2 * stats.t.sf(abs(t), n - k) if np.isfinite(t) else np.nan,
                    "df": n - k,
                }
            )
        if main_missing and main_missing[0] == tuple(car_windows[0]):
            exc.append(
                (
                    uid,
                    "event_window",
                    f"returns missing in the CAR window "
                    f"{tuple(car_windows[0])} (data end {dates[-1].date()} or gaps)",
                )
            )
            car_rows = [r for r in car_rows if r["event_id"] != uid]
            continue
        for j, r in enumerate(rel):
            ar_rows.append(
                {
                    "event_id": uid,
                    "rel_day": int(r),
                    "date": dates[evt[j]] if inside[j] else pd.NaT,
                    "ret": ys[j],
                    "normal_ret": normal[j],
                    "ar": ar[j],
                    "ar_se": ar_se[j],
                    "sar": ar[j] / ar_se[j],
                }
            )
        names = ["const", *regressors]
        par_rows.append(
            {
                "event_id": uid,
                "n_est": n,
                "n_masked": n_masked,
                "k": k,
                "sigma": math.sqrt(s2),
                **{f"b_{nm}": float(bv) for nm, bv in zip(names, beta, strict=True)},
            }
        )
    ar_df = pd.DataFrame(
        ar_rows, columns=["event_id", "rel_day", "date", "ret", "normal_ret", "ar", "ar_se", "sar"]
    )
    car_df = pd.DataFrame(
        car_rows,
        columns=[
            "event_id",
            "window_start",
            "window_end",
            "extended_by",
            "car",
            "car_se",
            "scar",
            "tstat",
            "pvalue",
            "df",
        ],
    )
    return EventARs(
        ar=ar_df,
        car=car_df,
        params=pd.DataFrame(par_rows),
        exclusions=pd.DataFrame(exc, columns=["event_id", "stage", "reason"]),
    )


# --------------------------------------------------------------------------------------------
# groups and directions
# --------------------------------------------------------------------------------------------


def group_tests(
    cars: pd.DataFrame,
    *,
    n_permutations: int = 9999,
    seed: int = 12345,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean CAR by expected direction and by category, and up-versus-down tests.

    Parameters
    ----------
    cars : DataFrame
        One row per studied event: ``event_id``, ``car`` (decimal), ``gold_direction``
        (up/down/none), ``category``, ``price_before`` (gold price on the day before the CAR
        window, USD/oz).
    n_permutations : int, default 9999
        Monte-Carlo permutations for the difference test (exact when fewer arrangements).
    seed : int, default 12345

    Returns
    -------
    groups : DataFrame
        ``by`` (gold_direction or category), ``group``, ``n``, ``mean_car``, ``median_car``,
        ``sd_car`` (decimal), ``mean_car_pct``, ``mean_car_usd`` (USD/oz, mean of CAR x
        price_before), ``tstat``, ``pvalue``, ``alternative`` (``greater`` for up events,
        ``less`` for down events, ``two-sided`` otherwise; t(n-1) on the events' CARs).
    tests : DataFrame
        ``test``, ``stat``, ``pvalue``, ``dist``, ``nobs``, ``null``, ``alternative``,
        ``reason``: Welch t, Mann-Whitney U (exact when possible) and a permutation test of the
        difference in means between up and down events (two-sided).

    Notes
    -----
    These tests treat events as independent draws. For one asset with clustered events that is
    an approximation; the dependence-robust versions are the HAC mean tests of
    :func:`eventstudy.gold.inference.event_dummy_regression`.
    """
    rows = []
    cars = cars.dropna(subset=["car"])
    for by in ("gold_direction", "category"):
        for group, g in cars.groupby(by, sort=True):
            c = g["car"].to_numpy(float)
            n = len(c)
            alt = (
                {"up": "greater", "down": "less"}.get(group, "two-sided")
                if by == ("gold_direction")
                else "two-sided"
            )
            if n >= 2 and np.std(c, ddof=1) > 0:
                res = stats.ttest_1samp(c, 0.0, alternative=alt)
                t, p = float(res.statistic), float(res.pvalue)
            else:
                t = p = np.nan
            rows.append(
                {
                    "by": by,
                    "group": group,
                    "n": n,
                    "mean_car": c.mean(),
                    "median_car": float(np.median(c)),
                    "sd_car": float(np.std(c, ddof=1)) if n > 1 else np.nan,
                    "mean_car_pct": 100 * c.mean(),
                    "mean_car_usd": float((g["car"] * g["price_before"]).mean()),
                    "tstat": t,
                    "pvalue": p,
                    "alternative": alt,
                }
            )
    groups = pd.DataFrame(rows)
    up = cars.loc[cars["gold_direction"] == "up", "car"].to_numpy(float)
    down = cars.loc[cars["gold_direction"] == "down", "car"].to_numpy(float)
    null = "mean CARs of 'up' and 'down' events are equal"
    tests = []
    if len(up) >= 2 and len(down) >= 2:
        w = stats.ttest_ind(up, down, equal_var=False)
        tests.append(
            (
                "welch_t_up_vs_down",
                float(w.statistic),
                float(w.pvalue),
                f"t({float(w.df):.1f})",
                null,
                "",
            )
        )
        mw = stats.mannwhitneyu(up, down, alternative="two-sided", method="auto")
        tests.append(
            (
                "mann_whitney_up_vs_down",
                float(mw.statistic),
                float(mw.pvalue),
                "U",
                "CAR distributions of 'up' and 'down' events are equal",
                "",
            )
        )
        perm_stat, perm_p = _permutation_mean_difference(up, down, n_permutations, seed)
        tests.append(
            (
                "permutation_up_vs_down",
                perm_stat,
                perm_p,
                "permutation",
                null,
                "",
            )
        )
    else:
        for name in ("welch_t_up_vs_down", "mann_whitney_up_vs_down", "permutation_up_vs_down"):
            tests.append(
                (
                    name,
                    np.nan,
                    np.nan,
                    "",
                    null,
                    f"needs >= 2 up and >= 2 down events (have {len(up)}, {len(down)})",
                )
            )
    test_df = pd.DataFrame(tests, columns=["test", "stat", "pvalue", "dist", "null", "reason"])
    test_df.insert(4, "nobs", len(up) + len(down))
    test_df.insert(6, "alternative", "two-sided")
    return groups, test_df


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
# event-time uncertainty
# --------------------------------------------------------------------------------------------


def timing_sensitivity(
    returns: pd.DataFrame,
    candidates: pd.DataFrame,
    *,
    regressors: Sequence[str] = (),
    estimation_window: tuple[int, int] = (-260, -11),
    event_window: tuple[int, int] = (-10, 10),
    window: tuple[int, int] = (-1, 1),
    mask: pd.Series | None = None,
    min_estimation_obs: int | None = None,
    level: float = 0.05,
    extend: pd.Series | None = None,
) -> pd.DataFrame:
    """CAR of each event under alternative day-0 choices; which conclusions depend on timing.

    Parameters
    ----------
    returns : DataFrame
        As for :func:`event_abnormal_returns`.
    candidates : DataFrame
        ``event_id``, ``variant`` (e.g. ``base``, ``day0-1``, ``day0+1``, ``date_itself``,
        ``next_session``), ``position`` (day-0 row in ``returns``).
    regressors, estimation_window, event_window, mask, min_estimation_obs
        As for :func:`event_abnormal_returns`.
    window : (int, int), default (-1, 1)
        The CAR window judged.
    level : float, default 0.05
        Significance level.
    extend : Series of int, optional
        Window extension per ``event_id`` (merged episodes; see
        :func:`event_abnormal_returns`).

    Returns
    -------
    DataFrame
        One row per candidate: ``event_id``, ``variant``, ``day0``, ``car``, ``car_pct``,
        ``car_se``, ``pvalue``, ``sign`` (+1/-1), ``significant`` (bool), and per event
        ``sign_depends_on_timing``, ``significance_depends_on_timing`` (bool) comparing all
        candidates of the event.
    """
    keys = [f"{e}@@{v}" for e, v in zip(candidates["event_id"], candidates["variant"], strict=True)]
    pos = pd.Series(candidates["position"].to_numpy(), index=keys)
    res = event_abnormal_returns(
        returns,
        pos.dropna().astype(int),
        regressors=regressors,
        estimation_window=estimation_window,
        event_window=event_window,
        car_windows=(window,),
        mask=mask,
        min_estimation_obs=min_estimation_obs,
        extend=None
        if extend is None
        else pd.Series([int(extend.get(e, 0)) for e in candidates["event_id"]], index=keys),
    )
    car = res.car.set_index("event_id")
    out = candidates.copy()
    out["day0"] = [
        returns.index[int(p)] if pd.notna(p) and int(p) < len(returns) else pd.NaT
        for p in candidates["position"]
    ]
    out["car"] = [car["car"].get(k, np.nan) for k in keys]
    out["car_pct"] = 100 * out["car"]
    out["car_se"] = [car["car_se"].get(k, np.nan) for k in keys]
    out["pvalue"] = [car["pvalue"].get(k, np.nan) for k in keys]
    out["sign"] = np.sign(out["car"])
    out["significant"] = out["pvalue"] < level
    grp = out.groupby("event_id", sort=False)
    out["sign_depends_on_timing"] = grp["sign"].transform(lambda s: len(set(s.dropna())) > 1)
    out["significance_depends_on_timing"] = grp["significant"].transform(
        lambda s: len(set(s[out.loc[s.index, "car"].notna()])) > 1
    )
    return out.drop(columns=["position"])


def timing_candidates(
    events: pd.DataFrame, day0: pd.Series, calendar: pd.DatetimeIndex
) -> pd.DataFrame:
    """Alternative day-0 positions per event: base, one session earlier/later, and for events
    without a clock time the session of the date itself and the next session.

    Parameters
    ----------
    events : DataFrame
        ``event_id``, ``date`` (local date, YYYY-MM-DD), ``time_known`` (bool).
    day0 : Series
        Day 0 per event (index aligned with ``events``).
    calendar : DatetimeIndex
        Trading dates of the gold series.

    Returns
    -------
    DataFrame
        ``event_id``, ``variant``, ``position`` (Int64; NA when outside the data).
    """
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
