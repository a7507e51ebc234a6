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
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy.gold.hac import CarCovariance, dummy_regression

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
    covariance : CarCovariance
        The CAR covariance as factors (:mod:`eventstudy.gold.hac`): diagonal, quadratic forms
        and the Wald statistic without the events x events matrix.
    car_cov : DataFrame
        Covariance of the CARs (events x events), decimal squared; formed on first access
        (N^2 memory).
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
    covariance: CarCovariance
    tests: pd.DataFrame
    params: pd.Series
    ar: pd.Series
    event_days: pd.Series
    maxlags: int
    nobs: int
    autocov: pd.Series

    @cached_property
    def car_cov(self) -> pd.DataFrame:
        """Covariance of the CARs (events x events), decimal squared (formed densely)."""
        ids = self.car["event_id"].to_list()
        return pd.DataFrame(self.covariance.dense(), index=ids, columns=ids)


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
    indptr, rows, unit = _window_rows(windows, ids, index)
    days = np.unique(rows)
    x_cols = [c for c in data.columns if c != "__y__"]
    z = np.column_stack([np.ones(nobs), data[x_cols].to_numpy(float)])
    fit = dummy_regression(data["__y__"].to_numpy(float), z, days, m)
    names = [f"d:{d}" for d in index[days].strftime("%Y-%m-%d")]
    params = pd.Series(np.r_[fit.b, fit.delta], index=["const", *x_cols, *names])
    ar = pd.Series(fit.ar, index=index, name="ar")
    event_day = pd.Series(False, index=index, name="event_day")
    event_day.iloc[days] = True
    autocov = pd.Series(
        fit.autocov, index=pd.RangeIndex(m + 1, name="lag"), name="bartlett_autocov"
    )
    counts = np.diff(indptr)
    owner = np.repeat(np.arange(len(ids)), counts)
    a = np.zeros((len(ids), z.shape[1]))
    np.add.at(a, owner, z[rows])
    cov = CarCovariance(indptr, rows, a, fit.v_b, fit.autocov)
    car = np.bincount(owner, weights=fit.ar[rows], minlength=len(ids))
    var_param, var_error = cov.param_part(), cov.error_part()
    has = counts > 0
    car = np.where(has, car, np.nan)
    se = np.where(has, np.sqrt(var_param + var_error), np.nan)
    z_stat = car / se
    first = np.where(has, indptr[:-1], 0)
    last = np.where(has, indptr[1:] - 1, 0)
    car_frame = pd.DataFrame(
        {
            "event_id": ids,
            "window_start": _dates_or_nat(index, rows, first, has, unit),
            "window_end": _dates_or_nat(index, rows, last, has, unit),
            "n_days": counts.astype(int),
            "car": car,
            "se_param": np.sqrt(np.clip(var_param, 0, None)),
            "se_error": np.sqrt(np.clip(var_error, 0, None)),
            "car_se": se,
            "zstat": z_stat,
            "pvalue": 2 * stats.norm.sf(np.abs(z_stat)),
        }
    )
    tests = _joint_tests(car_frame, cov, directions or {})
    return EventRegressionResults(
        car=car_frame,
        covariance=cov,
        tests=tests,
        params=params,
        ar=ar,
        event_days=event_day,
        maxlags=m,
        nobs=nobs,
        autocov=autocov,
    )


def _datetime64(days) -> np.ndarray:
    """A window's dates as a datetime64 array (no copy when they already are one)."""
    if isinstance(days, np.ndarray) and days.dtype.kind == "M":
        return days
    return np.asarray(pd.DatetimeIndex(days))


def _dates_or_nat(index, rows, at, has, unit: str) -> pd.DatetimeIndex:
    """Sample dates of ``rows[at]``, NaT where ``has`` is False, in the windows' time unit."""
    if not rows.size:
        return pd.DatetimeIndex([pd.NaT] * len(has), dtype=f"datetime64[{unit}]")
    return index[rows[at]].where(has, pd.NaT).as_unit(unit)


def _window_rows(
    windows: Mapping[str, Sequence[pd.Timestamp]], ids: list[str], index: pd.DatetimeIndex
) -> tuple[np.ndarray, np.ndarray, str]:
    """Each event's distinct sample rows (ascending), as CSR ``indptr, rows``, and the time
    unit of the windows' dates; days outside the sample are left out."""
    values = [windows[eid] for eid in ids]
    sizes = np.array([len(v) for v in values], dtype=np.int64)
    dates = pd.DatetimeIndex(np.concatenate([_datetime64(v) for v in values]) if values else [])
    flat = index.get_indexer(dates)
    owner = np.repeat(np.arange(len(ids)), sizes)
    ok = flat >= 0
    pairs = np.unique(np.column_stack([owner[ok], flat[ok]]), axis=0)
    counts = np.bincount(pairs[:, 0], minlength=len(ids)) if len(pairs) else np.zeros(len(ids))
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return indptr, pairs[:, 1].astype(np.int64), dates.unit


def _joint_tests(
    car: pd.DataFrame, cov: CarCovariance, directions: Mapping[str, str]
) -> pd.DataFrame:
    ok = car["car"].notna().to_numpy()
    where = np.flatnonzero(ok)
    ids = car["event_id"].to_numpy()[ok]
    c = car["car"].to_numpy()[ok]
    rows = []
    if len(c):
        w, rank = cov.wald(c, where)
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
        est, se = float(a @ c), math.sqrt(_quad(cov, where, a))
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
        est, se = float(a @ c), math.sqrt(_quad(cov, where, a))
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


def _quad(cov: CarCovariance, where: np.ndarray, a: np.ndarray) -> float:
    """``a'Σa`` for weights ``a`` on the events ``where``."""
    full = np.zeros(cov.n)
    full[where] = a
    return cov.quad(full)


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

    car, scale = _window_sums_and_scales(ar, base_mask, windows, scale_window)
    stat = car / (scale * math.sqrt(L)) if statistic == "scar" else car
    rows = _placebo_rows(list(windows), stat, car, scale, null_arr)
    return PlaceboResults(
        events=rows,
        null=null_arr,
        statistic=statistic,
        block_length=float(block_length),
        window_len=L,
    )


def _window_sums_and_scales(
    ar: pd.Series, base_mask: pd.Series, windows: Mapping[str, Sequence], scale_window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each window's CAR (NaN when a day is missing) and the SD of the ``scale_window``
    non-event ARs before its first day (NaN with fewer than 20), for all windows at once."""
    values = ar.to_numpy(dtype=float)
    sizes = np.array([len(w) for w in windows.values()], dtype=np.int64)
    owner = np.repeat(np.arange(sizes.size), sizes)
    flat = np.concatenate([_datetime64(w).astype("datetime64[ns]") for w in windows.values()])
    pos = ar.index.get_indexer(pd.DatetimeIndex(flat))
    vals = np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)
    car = np.bincount(owner, weights=np.nan_to_num(vals), minlength=sizes.size)
    car[np.bincount(owner, weights=np.isnan(vals), minlength=sizes.size) > 0] = np.nan
    first_day = np.minimum.reduceat(flat, np.r_[0, np.cumsum(sizes)[:-1]]) if flat.size else flat
    first = ar.index.get_indexer(pd.DatetimeIndex(first_day))
    base = values[base_mask.to_numpy()]
    n_before = np.r_[0, np.cumsum(base_mask.to_numpy())][np.where(first < 0, len(ar) - 1, first)]
    scale = np.full(sizes.size, np.nan)
    full = n_before >= scale_window
    if full.any():
        trail = np.lib.stride_tricks.sliding_window_view(base, scale_window)
        scale[full] = np.std(trail[n_before[full] - scale_window], axis=1, ddof=1)
    for i in np.flatnonzero(~full & (n_before >= 20)):
        scale[i] = float(np.std(base[: n_before[i]], ddof=1))
    return car, scale


def _placebo_rows(ids, stat, car, scale, null_arr: np.ndarray) -> pd.DataFrame:
    """Empirical p-values and percentiles of each event's statistic (counts by binary search
    in the sorted null, equal to counting comparisons one by one)."""
    n_null = len(null_arr)
    srt = np.sort(null_arr[~np.isnan(null_arr)])
    mag = np.sort(np.abs(srt))
    ok = np.isfinite(stat)
    s = np.where(ok, stat, 0.0)
    n_abs = mag.size - np.searchsorted(mag, np.abs(s), side="left")
    n_ge = srt.size - np.searchsorted(srt, s, side="left")
    n_le = np.searchsorted(srt, s, side="right")
    nan = np.full(len(ids), np.nan)
    return pd.DataFrame(
        {
            "event_id": ids,
            "stat": np.where(ok, stat, np.nan),
            "car": car,
            "scale": scale,
            "pvalue": np.where(ok, (1 + n_abs) / (n_null + 1), nan),
            "pvalue_greater": np.where(ok, (1 + n_ge) / (n_null + 1), nan),
            "pvalue_less": np.where(ok, (1 + n_le) / (n_null + 1), nan),
            "percentile": np.where(ok, 100.0 * n_le / n_null, nan),
        }
    )
