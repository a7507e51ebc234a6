"""Time-series inference for one asset and many events: dummy regression with HAC, placebo.

Two routes that do not assume independent events (unlike the cross-sectional battery):

* :func:`event_dummy_regression`: one regression over the whole return series, benchmark
  regressors plus one dummy per event-window *day*; each event's CAR is the sum of its days'
  dummy coefficients, with a Newey-West (HAC) variance, and joint Wald tests.
* :func:`placebo_test`: the distribution of the same CAR statistic at random non-event dates,
  drawn from a stationary bootstrap of non-event abnormal returns (keeps volatility clustering),
  giving empirical p-values and each event's percentile.

Units: decimal returns (the caller's convention, log by default in this package); trading-day
positions of the series' index.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

__all__ = [
    "EventRegressionResults",
    "PlaceboResults",
    "event_dummy_regression",
    "newey_west_lags",
    "placebo_test",
]


def newey_west_lags(nobs: int) -> int:
    """Newey-West (1994) rule of thumb: ``floor(4 (T/100)^(2/9))``.

    Parameters
    ----------
    nobs : int
        Number of observations T.

    Returns
    -------
    int
        Number of lags of the Bartlett kernel (e.g. 7 for T = 2000).
    """
    return math.floor(4.0 * (nobs / 100.0) ** (2.0 / 9.0))


@dataclass(frozen=True)
class EventRegressionResults:
    """Output of :func:`event_dummy_regression` (all values set at construction).

    Attributes
    ----------
    car : DataFrame
        One row per event: ``event_id``, ``window_start``, ``window_end``, ``n_days``, ``car``
        (decimal), ``se_param`` (parameter-uncertainty part alone, the statsmodels HAC
        γ'Vγ), ``se_error`` (Newey-West variance of the window's error sum), ``car_se`` (total),
        ``zstat``, ``pvalue`` (two-sided, N(0,1)).
    car_cov : DataFrame
        Covariance of the CARs (events x events), decimal squared.
    tests : DataFrame
        Joint tests: ``test``, ``estimate`` and ``se`` (the mean CAR of a group and its HAC
        standard error, decimal; NaN for the Wald test), ``stat``, ``df``, ``pvalue``, ``dist``,
        ``nobs``, ``null``, ``alternative``, ``reason`` (non-empty when the test could not be
        computed).
    params : Series
        Regression coefficients (``const``, regressors, ``d:<date>`` day dummies).
    ar : Series
        Abnormal returns on the sample, ``y - x'b`` with ``b`` the benchmark coefficients
        (estimated without the event days); on event days equal to the day dummies.
    event_days : Series of bool
        True on the days that carry a dummy.
    maxlags : int
    nobs : int
    autocov : Series
        Bartlett-weighted residual autocovariances ``w_j γ_j``, j = 0..maxlags.
    """

    car: pd.DataFrame
    car_cov: pd.DataFrame
    tests: pd.DataFrame
    params: pd.Series
    ar: pd.Series
    event_days: pd.Series
    maxlags: int
    nobs: int
    autocov: pd.Series


def event_dummy_regression(
    y: pd.Series,
    windows: Mapping[str, Sequence[pd.Timestamp]],
    regressors: pd.DataFrame | None = None,
    *,
    maxlags: int | None = None,
    directions: Mapping[str, str] | None = None,
) -> EventRegressionResults:
    """Event-dummy regression over the whole series with Newey-West (HAC) standard errors.

    Parameters
    ----------
    y : Series
        Asset returns (decimal), indexed by trading date.
    windows : mapping event_id -> sequence of dates
        The days of each event's CAR window (e.g. the dates at offsets -1..+1). Days outside
        the sample (after dropping rows with missing values) are ignored; an event left with no
        day gets NaN and a reason in the tests.
    regressors : DataFrame, optional
        Benchmark regressors on the same index (e.g. equity returns, dollar returns, real-yield
        changes). ``None`` = constant only (constant-mean model).
    maxlags : int, optional
        Bartlett-kernel lags; default :func:`newey_west_lags` of the sample size.
    directions : mapping event_id -> {"up", "down", "none"}, optional
        Expected gold direction; enables the mean-effect tests of ``up`` and ``down`` events.

    Returns
    -------
    EventRegressionResults

    Notes
    -----
    The model is

    .. math:: y_t = c + x_t'\\beta + \\sum_{d \\in D} \\delta_d 1[t = d] + \\varepsilon_t,

    with one dummy per distinct day ``d`` in the union of the events' windows. A day shared by
    two events' windows has **one** dummy, counted in both events' CARs (shared dummies): the
    CAR of event i is :math:`\\mathrm{CAR}_i = \\gamma_i'\\delta`, γ_i the 0/1 vector of its
    days. The coefficient of a one-day dummy equals that day's abnormal return
    :math:`y_d - c - x_d'\\beta`, with (c, β) fitted on the non-event days.

    **Why not γ'Vγ alone.** The residual of a one-observation dummy is exactly zero, so every
    heteroskedasticity- or autocorrelation-robust "meat" term of the dummy is zero and the HAC
    covariance of δ contains only the parameter uncertainty of (c, β)
    (:math:`x_d' V_\\beta x_d`); used alone it makes t statistics explode (Salinger 1992,
    J. Finance 47, on dummy-variable event studies). We therefore add the variance of the
    window's error sum, estimated by Newey-West from the non-event residuals:

    .. math:: \\mathrm{Cov}(\\mathrm{CAR}_i, \\mathrm{CAR}_j) = \\gamma_i' V_\\delta \\gamma_j
              + \\sum_{s \\in W_i} \\sum_{t \\in W_j} w_{|s-t|} \\hat\\gamma_{|s-t|},

    :math:`\\hat\\gamma_k` the sample autocovariance of non-event residuals,
    :math:`w_k = 1 - k/(m+1)` Bartlett weights, zero beyond ``maxlags`` m (positive
    semi-definite by construction), and :math:`V_\\delta` from statsmodels' ``cov_type="HAC"``.
    The error variance is one number for the whole sample (long-run average): periods of high
    volatility (2025-26 for gold) are not up-weighted; the per-event analytic route and the
    placebo's standardized statistic use local volatility instead.

    Joint tests: Wald :math:`c'\\Sigma^{+}c \\sim \\chi^2(\\mathrm{rank}\\,\\Sigma)` that all
    CARs are zero (identical windows make Σ singular, hence the pseudo-inverse and rank);
    z tests of the mean CAR of ``up`` events (H1: > 0), of ``down`` events (H1: < 0) and of the
    difference up - down (two-sided).
    """
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
    return EventRegressionResults(
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
        est, se = float(a @ c), math.sqrt(a @ s @ a)
        zval = est / se
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
                estimate=est,
                se=se,
            )
        )
    if len(weights) == 2:
        a = weights["up"] - weights["down"]
        est, se = float(a @ c), math.sqrt(a @ s @ a)
        rows.append(
            _row(
                "mean_car_up_minus_down",
                est / se,
                np.nan,
                2 * stats.norm.sf(abs(est / se)),
                "N(0,1)",
                int((dirs == "up").sum() + (dirs == "down").sum()),
                "mean CARs of 'up' and 'down' events are equal",
                "they differ (two-sided)",
                estimate=est,
                se=se,
            )
        )
    return pd.DataFrame(rows)


def _row(test, stat, df, pvalue, dist, nobs, null, alternative, reason="", *, estimate=np.nan,
         se=np.nan):  # fmt: skip
    return {
        "test": test,
        "estimate": estimate,
        "se": se,
        "stat": stat,
        "df": df,
        "pvalue": pvalue,
        "dist": dist,
        "nobs": nobs,
        "null": null,
        "alternative": alternative,
        "reason": reason,
    }


# --------------------------------------------------------------------------------------------
# placebo
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceboResults:
    """Output of :func:`placebo_test`.

    Attributes
    ----------
    events : DataFrame
        One row per event: ``event_id``, ``stat`` (the event's statistic), ``car``,
        ``scale`` (trailing AR standard deviation used to standardize, decimal),
        ``pvalue`` (two-sided, empirical), ``pvalue_greater``, ``pvalue_less`` (one-sided),
        ``percentile`` (share of placebo statistics <= the event's, 0-100).
    null : ndarray
        The placebo statistics (``n_boot * draws_per_boot`` values).
    statistic : str
    block_length : float
    window_len : int
    """

    events: pd.DataFrame
    null: np.ndarray
    statistic: str
    block_length: float
    window_len: int


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
    """Placebo distribution of the CAR statistic at random non-event dates.

    Parameters
    ----------
    ar : Series
        Abnormal returns (decimal) on the asset's trading dates, e.g.
        :attr:`EventRegressionResults.ar`.
    event_days : Series of bool
        True on days inside any event's window: they are left out of the placebo population
        and of the scale estimate.
    windows : mapping event_id -> sequence of dates
        The days of each event's CAR window (all of equal length L).
    statistic : {"scar", "car"}, default "scar"
        * ``"scar"``: CAR / (s √L), s the standard deviation of the ``scale_window`` non-event
          ARs just before the window (local volatility; gold's varies several-fold over the
          sample).
        * ``"car"``: the raw CAR (decimal).
    scale_window : int, default 250
        Trailing non-event trading days for ``s``.
    n_boot : int, default 200
        Stationary-bootstrap resamples of the non-event AR series.
    draws_per_boot : int, default 50
        Random window positions drawn in each resample.
    block_length : float, optional
        Mean block length of the stationary bootstrap; default: the larger of
        ``optimal_block_length`` (Politis-White 2004, Patton et al. 2009) for the ARs and for
        their squares (so volatility clusters survive resampling).
    seed : int, default 12345

    Returns
    -------
    PlaceboResults

    Notes
    -----
    The non-event ARs (event days removed, order kept) are resampled with
    ``arch.bootstrap.StationaryBootstrap`` (Politis & Romano 1994). In each resample the
    statistic is computed at ``draws_per_boot`` random window starts (after the first
    ``scale_window`` days, so the trailing scale exists). Empirical p-values include the
    observed value: :math:`p = (1 + \\#\\{|s^*| \\ge |s|\\})/(N + 1)` (two-sided) and the
    analogous one-sided counts.
    """
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
