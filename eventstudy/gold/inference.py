"""Time-series inference for one asset and many events: the event-dummy regression with HAC.

One regression over the whole return series, benchmark regressors plus one dummy per
event-window *day*; each event's CAR is the sum of its days' dummy coefficients, with a
heteroskedasticity- and autocorrelation-robust variance, and joint Wald tests. Unlike the
engine's cross-sectional battery it does not assume independent events: windows that share
days share dummies, and the covariance of every pair of CARs is estimated.

The variance of a window's error sum is what decides the size of the tests. Gold's volatility
moves several-fold over a decade (2020, 2025-26), so one long-run variance for the whole sample
(``variance="newey_west"``) understates it for events in volatile spells and overstates it in
calm ones: on GC=F with 40 random dates the Wald test then rejects a true null about 12 % of the
time at 5 % (``benchmarks/size_power.py``). ``variance="garch"`` (the default) scales every day
by its GARCH(1,1) conditional standard deviation and applies Newey-West to the standardized
residuals. The placebo route lives in :mod:`eventstudy.gold.placebo`.

Units: decimal returns (the caller's convention, log by default in this package); trading-day
positions of the series' index.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, TypeAlias, get_args

import numpy as np
import pandas as pd

from eventstudy import _scipy_stats as stats
from eventstudy.exceptions import SpecificationError
from eventstudy.gold.hac import CarCovariance, bartlett_autocov, dummy_regression

HacVariance = Literal["garch", "newey_west"]
HAC_VARIANCES: tuple[HacVariance, ...] = get_args(HacVariance)
WindowDates: TypeAlias = Sequence[pd.Timestamp] | np.ndarray
"""One event's window dates: timestamps, or a ``datetime64`` array."""

__all__ = [
    "HAC_VARIANCES",
    "EventRegressionResults",
    "HacVariance",
    "WindowDates",
    "event_dummy_regression",
    "garch_volatility",
    "newey_west_lags",
]

_GARCH_SCALE = 100.0  # arch is fitted in percent; every output is back in decimals


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
        Bartlett-weighted autocovariances ``w_j γ_j``, j = 0..maxlags, of the non-event
        residuals (``"newey_west"``, decimal squared) or of the standardized residuals
        (``"garch"``, unit-free; ``γ_0`` near 1).
    variance : {"garch", "newey_west"}
    volatility : Series or None
        ``"garch"``: the conditional standard deviation σ_t (decimal) on the sample's dates.
    garch_params : Series or None
        ``omega`` (decimal squared), ``alpha``, ``beta`` of the GARCH(1,1) (None when
        ``volatility`` was given or ``variance="newey_west"``).
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
    variance: str = "newey_west"
    volatility: pd.Series | None = None
    garch_params: pd.Series | None = None

    @cached_property
    def car_cov(self) -> pd.DataFrame:
        """Covariance of the CARs (events x events), decimal squared (formed densely)."""
        ids = self.car["event_id"].to_list()
        return pd.DataFrame(self.covariance.dense(), index=ids, columns=ids)


def garch_volatility(resid: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    r"""GARCH(1,1) conditional standard deviation of a zero-mean residual series.

    Fitted as ``arch`` fits it, to the bit, by :func:`eventstudy.gold.garch.fit_garch11`
    (without importing ``arch``, which costs about a second).

    Parameters
    ----------
    resid : Series
        Residuals (decimal) on consecutive trading days, no missing values.

    Returns
    -------
    sigma : Series
        :math:`\sigma_t = \sqrt{h_t}` (decimal), :math:`h_t = \omega + \alpha
        \varepsilon_{t-1}^2 + \beta h_{t-1}`: the variance of day t given every return before
        it (Bollerslev 1986).
    params : Series
        ``omega`` (decimal squared), ``alpha``, ``beta``.
    note : str
        Empty, or a sentence when the optimiser did not report convergence.
    """
    from eventstudy.gold.garch import fit_garch11

    fit = fit_garch11(resid.to_numpy(float) * _GARCH_SCALE)  # arch's fit, without arch
    omega, alpha, beta = fit.params
    params = pd.Series({"omega": omega / _GARCH_SCALE**2, "alpha": alpha, "beta": beta})
    sigma = pd.Series(np.sqrt(fit.variance) / _GARCH_SCALE, index=resid.index, name="sigma")
    note = "" if fit.status == 0 else f"GARCH optimiser flag {fit.status}"
    return sigma, params, note


def event_dummy_regression(
    y: pd.Series,
    windows: Mapping[str, WindowDates],
    regressors: pd.DataFrame | None = None,
    *,
    variance: HacVariance = "garch",
    maxlags: int | None = None,
    directions: Mapping[str, str] | None = None,
    volatility: pd.Series | None = None,
) -> EventRegressionResults:
    r"""Event-dummy regression over the whole series with HAC standard errors.

    Parameters
    ----------
    y : Series
        Asset returns (decimal), indexed by trading date.
    windows : mapping event_id -> sequence of dates or datetime64 array
        The days of each event's CAR window (e.g. the dates at offsets -1..+1). Days outside
        the sample (after dropping rows with missing values) are ignored; an event left with no
        day gets NaN and a reason in the tests.
    regressors : DataFrame, optional
        Benchmark regressors on the same index (e.g. equity returns, dollar returns, real-yield
        changes). ``None`` = constant only (constant-mean model).
    variance : {"garch", "newey_west"}, default "garch"
        Variance of each window's error sum:

        * ``"garch"``: every day scaled by its conditional standard deviation σ_t from a
          GARCH(1,1) of the regression residuals (``arch``), Newey-West on the standardized
          residuals (holds its size on GC=F, ``benchmarks/size_power.py``);
        * ``"newey_west"``: one Newey-West long-run variance for the whole sample (the
          pre-issue-19 default; over-rejects when volatility moves).
    maxlags : int, optional
        Bartlett-kernel lags; default :func:`newey_west_lags` of the sample size.
    directions : mapping event_id -> {"up", "down", "none"}, optional
        Expected gold direction; enables the mean-effect tests of ``up`` and ``down`` events.
    volatility : Series, optional
        With ``"garch"``: σ_t (decimal) on ``y``'s dates to use instead of fitting the GARCH
        (e.g. from a longer history); must be positive on every date of the sample.

    Returns
    -------
    EventRegressionResults

    Raises
    ------
    SpecificationError
        ``variance`` is not accepted, or ``volatility`` misses a date of the sample.

    Notes
    -----
    The model is

    .. math:: y_t = c + x_t'\beta + \sum_{d \in D} \delta_d 1[t = d] + \varepsilon_t,

    with one dummy per distinct day ``d`` in the union of the events' windows. A day shared by
    two events' windows has **one** dummy, counted in both events' CARs (shared dummies): the
    CAR of event i is :math:`\mathrm{CAR}_i = \gamma_i'\delta`, γ_i the 0/1 vector of its
    days. The coefficient of a one-day dummy equals that day's abnormal return
    :math:`y_d - c - x_d'\beta`, with (c, β) fitted by OLS on the non-event days.

    **Why not γ'Vγ alone.** The residual of a one-observation dummy is exactly zero, so every
    heteroskedasticity- or autocorrelation-robust "meat" term of the dummy is zero and the HAC
    covariance of δ contains only the parameter uncertainty of (c, β)
    (:math:`x_d' V_\beta x_d`, statsmodels' ``cov_type="HAC"``); used alone it makes t
    statistics explode (Salinger 1992, J. Finance 47, on dummy-variable event studies). We
    add the variance of the window's error sum:

    .. math:: \mathrm{Cov}(\mathrm{CAR}_i, \mathrm{CAR}_j) = \gamma_i' V_\delta \gamma_j
              + \sum_{s \in W_i} \sum_{t \in W_j} \sigma_s \sigma_t\, w_{|s-t|}\,
              \hat\gamma_{|s-t|},

    :math:`w_k = 1 - k/(m+1)` Bartlett weights, zero beyond ``maxlags`` m (positive
    semi-definite). ``"newey_west"``: :math:`\sigma_t = 1` and :math:`\hat\gamma_k` the
    autocovariances of the non-event residuals, one long-run variance for the whole sample.
    ``"garch"``: :math:`\sigma_t^2 = h_t`, the GARCH(1,1) conditional variance of the
    residuals given all earlier days (event days included: under the null they are ordinary
    days), and :math:`\hat\gamma_k` the autocovariances of the standardized non-event
    residuals :math:`\hat\varepsilon_t/\sigma_t` (Bollerslev 1986; on GARCH-scaled
    event-study variances, Savickas 2003, J. Financial Research 26). A large event-day
    return raises :math:`h` of the following days, so the route is conservative for an
    event's later window days.

    Joint tests: Wald :math:`c'\Sigma^{+}c \sim \chi^2(\mathrm{rank}\,\Sigma)` that all
    CARs are zero (identical windows make Σ singular, hence the pseudo-inverse and rank);
    z tests of the mean CAR of ``up`` events (H1: > 0), of ``down`` events (H1: < 0) and of the
    difference up - down (two-sided).
    """
    if variance not in HAC_VARIANCES:
        raise SpecificationError(
            f"variance={variance!r} is not accepted; use one of {HAC_VARIANCES}"
        )
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
    sigma, garch_params, vol = None, None, None
    if variance == "garch":
        if volatility is None:
            vol, garch_params, _ = garch_volatility(ar)
        else:
            vol = _volatility(ar, volatility)
        sigma = vol.to_numpy(float)
    residuals = fit.ar if sigma is None else fit.ar / sigma  # standardized under "garch"
    autocov_values = bartlett_autocov(np.where(event_day.to_numpy(), np.nan, residuals), m)
    autocov = pd.Series(
        autocov_values, index=pd.RangeIndex(m + 1, name="lag"), name="bartlett_autocov"
    )
    counts = np.diff(indptr)
    owner = np.repeat(np.arange(len(ids)), counts)
    a = np.zeros((len(ids), z.shape[1]))
    np.add.at(a, owner, z[rows])
    cov = CarCovariance(indptr, rows, a, fit.v_b, autocov_values, scale=sigma)
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
        variance=variance,
        volatility=vol,
        garch_params=garch_params,
    )


def _volatility(ar: pd.Series, volatility: pd.Series) -> pd.Series:
    """A given σ_t on the sample's dates, checked positive everywhere."""
    vol = volatility.reindex(ar.index)
    if not (vol.notna().all() and (vol > 0).all()):
        missing = vol.index[~(vol > 0)]
        raise SpecificationError(
            "volatility must be positive on every date of the sample; "
            f"{len(missing)} date(s) are missing or not positive, first {missing[0].date()}"
        )
    return vol.rename("sigma")


def _datetime64(days: WindowDates) -> np.ndarray:
    """A window's dates as a datetime64 array (no copy when they already are one)."""
    if isinstance(days, np.ndarray) and days.dtype.kind == "M":
        return days
    return np.asarray(pd.DatetimeIndex(days))


def _dates_or_nat(
    index: pd.DatetimeIndex, rows: np.ndarray, at: np.ndarray, has: np.ndarray, unit: str
) -> pd.DatetimeIndex:
    """Sample dates of ``rows[at]``, NaT where ``has`` is False, in the windows' time unit."""
    if not rows.size:
        return pd.DatetimeIndex([pd.NaT] * len(has), dtype=f"datetime64[{unit}]")
    return index[rows[at]].where(has, pd.NaT).as_unit(unit)


def _window_rows(
    windows: Mapping[str, WindowDates], ids: list[str], index: pd.DatetimeIndex
) -> tuple[np.ndarray, np.ndarray, str]:
    """Each event's distinct sample rows (ascending), as CSR ``indptr, rows``, and a time unit.

    The unit is that of the windows' dates; days outside the sample are left out.
    """
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
