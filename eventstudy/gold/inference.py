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
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy.exceptions import SpecificationError

HacVariance = Literal["garch", "newey_west"]
HAC_VARIANCES: tuple[str, ...] = get_args(HacVariance)

__all__ = [
    "HAC_VARIANCES",
    "EventRegressionResults",
    "HacVariance",
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
        γ'Vγ), ``se_error`` (HAC variance of the window's error sum), ``car_se`` (total),
        ``zstat``, ``pvalue`` (two-sided, N(0,1)).
    car_cov : DataFrame
        Covariance of the CARs (events x events), decimal squared.
    tests : DataFrame
        Joint tests: ``test``, ``stat``, ``df``, ``pvalue``, ``dist``, ``nobs``, ``null``,
        ``alternative``, ``reason`` (non-empty when the test could not be computed).
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
    car_cov: pd.DataFrame
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


@dataclass(frozen=True)
class _Design:
    """The regression's data: rows without missing values, the event days and windows."""

    index: pd.DatetimeIndex
    y: np.ndarray
    x: np.ndarray  # (T, k0): constant and regressors
    x_names: list[str]
    days: pd.DatetimeIndex  # distinct event days, sorted
    pos: np.ndarray  # their rows
    gamma: np.ndarray  # (n_events, n_days) 0/1: which days form each event's window
    ids: list[str]
    day_sets: dict[str, list[pd.Timestamp]]


def _design(y, windows, regressors) -> _Design:
    data = y.rename("__y__").to_frame()
    if regressors is not None:
        data = pd.concat([data, regressors], axis=1)
    data = data.dropna()
    index = pd.DatetimeIndex(data.index)
    ids = list(windows)
    sizes = [len(windows[eid]) for eid in ids]
    flat = pd.DatetimeIndex(np.concatenate([pd.DatetimeIndex(windows[e]).to_numpy() for e in ids]))
    rows = index.get_indexer(flat)  # -1: not in the sample
    owner = np.repeat(np.arange(len(ids)), sizes)
    keep = rows >= 0
    pos, col = np.unique(rows[keep], return_inverse=True)
    days = index[pos]
    gamma = np.zeros((len(ids), len(days)))
    gamma[owner[keep], col] = 1.0
    day_sets = {eid: list(days[gamma[i] > 0]) for i, eid in enumerate(ids)}
    x_names = [c for c in data.columns if c != "__y__"]
    x = np.column_stack([np.ones(len(index)), data[x_names].to_numpy(float)])
    return _Design(
        index, data["__y__"].to_numpy(float), x, x_names, days, pos, gamma, ids, day_sets
    )


def _bartlett_autocov(e: np.ndarray, m: int) -> np.ndarray:
    """``w_j γ_j`` for j = 0..m of a series with NaN on left-out days (products with them
    drop out; γ_j divides by the number of non-missing days), Bartlett ``w_j = 1 - j/(m+1)``."""
    n_ok = int(np.isfinite(e).sum())
    z = np.where(np.isfinite(e), e, 0.0)
    acov = np.array([z[j:] @ z[: z.size - j] for j in range(m + 1)]) / n_ok
    return acov * (1.0 - np.arange(m + 1) / (m + 1.0))


def _param_cov(d: _Design, resid: np.ndarray, m: int) -> np.ndarray:
    """HAC (Newey-West, no small-sample correction) covariance of the event-day dummies.

    The dummies absorb the event days, so the coefficients of (constant, regressors) are OLS
    on the other days, :math:`A = (X_{ne}'X_{ne})^{-1}`, and with the Bartlett meat S of
    :math:`x_t\\hat u_t` (:math:`\\hat u_t = 0` on event days) :math:`V_\\theta = A S A` and
    :math:`V_\\delta = X_D V_\\theta X_D'`: statsmodels' ``cov_type="HAC"`` block of the
    dummies, without forming the (T x T) design.
    """
    ne = np.ones(d.y.size, bool)
    ne[d.pos] = False
    a = np.linalg.inv(d.x[ne].T @ d.x[ne])
    xu = d.x * resid[:, None]
    s = xu.T @ xu
    for j in range(1, m + 1):
        c = xu[j:].T @ xu[:-j]
        s += (1.0 - j / (m + 1.0)) * (c + c.T)
    x_d = d.x[d.pos]
    return x_d @ (a @ s @ a) @ x_d.T


def garch_volatility(resid: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    """GARCH(1,1) conditional standard deviation of a zero-mean residual series (``arch``).

    Parameters
    ----------
    resid : Series
        Residuals (decimal) on consecutive trading days, no missing values.

    Returns
    -------
    sigma : Series
        :math:`\\sigma_t = \\sqrt{h_t}` (decimal), :math:`h_t = \\omega + \\alpha
        \\varepsilon_{t-1}^2 + \\beta h_{t-1}`: the variance of day t given every return before
        it (Bollerslev 1986).
    params : Series
        ``omega`` (decimal squared), ``alpha``, ``beta``.
    note : str
        Empty, or a sentence when the optimiser did not report convergence.
    """
    from arch import arch_model

    with warnings.catch_warnings(record=True):  # arch resets its own filter: record, not show
        warnings.simplefilter("ignore")
        fit = arch_model(
            resid.to_numpy(float) * _GARCH_SCALE, mean="Zero", vol="GARCH", p=1, q=1,
            rescale=False,
        ).fit(disp="off")  # fmt: skip
    p = fit.params
    params = pd.Series(
        {"omega": p["omega"] / _GARCH_SCALE**2, "alpha": p["alpha[1]"], "beta": p["beta[1]"]}
    )
    sigma = pd.Series(
        np.asarray(fit.conditional_volatility) / _GARCH_SCALE, index=resid.index, name="sigma"
    )
    note = "" if fit.convergence_flag == 0 else f"GARCH optimiser flag {fit.convergence_flag}"
    return sigma, params, note


def event_dummy_regression(
    y: pd.Series,
    windows: Mapping[str, Sequence[pd.Timestamp]],
    regressors: pd.DataFrame | None = None,
    *,
    variance: HacVariance = "garch",
    maxlags: int | None = None,
    directions: Mapping[str, str] | None = None,
    volatility: pd.Series | None = None,
) -> EventRegressionResults:
    """Event-dummy regression over the whole series with HAC standard errors.

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

    .. math:: y_t = c + x_t'\\beta + \\sum_{d \\in D} \\delta_d 1[t = d] + \\varepsilon_t,

    with one dummy per distinct day ``d`` in the union of the events' windows. A day shared by
    two events' windows has **one** dummy, counted in both events' CARs (shared dummies): the
    CAR of event i is :math:`\\mathrm{CAR}_i = \\gamma_i'\\delta`, γ_i the 0/1 vector of its
    days. The coefficient of a one-day dummy equals that day's abnormal return
    :math:`y_d - c - x_d'\\beta`, with (c, β) fitted by OLS on the non-event days.

    **Why not γ'Vγ alone.** The residual of a one-observation dummy is exactly zero, so every
    heteroskedasticity- or autocorrelation-robust "meat" term of the dummy is zero and the HAC
    covariance of δ contains only the parameter uncertainty of (c, β)
    (:math:`x_d' V_\\beta x_d`, statsmodels' ``cov_type="HAC"``); used alone it makes t
    statistics explode (Salinger 1992, J. Finance 47, on dummy-variable event studies). We
    add the variance of the window's error sum:

    .. math:: \\mathrm{Cov}(\\mathrm{CAR}_i, \\mathrm{CAR}_j) = \\gamma_i' V_\\delta \\gamma_j
              + \\sum_{s \\in W_i} \\sum_{t \\in W_j} \\sigma_s \\sigma_t\\, w_{|s-t|}\\,
              \\hat\\gamma_{|s-t|},

    :math:`w_k = 1 - k/(m+1)` Bartlett weights, zero beyond ``maxlags`` m (positive
    semi-definite). ``"newey_west"``: :math:`\\sigma_t = 1` and :math:`\\hat\\gamma_k` the
    autocovariances of the non-event residuals, one long-run variance for the whole sample.
    ``"garch"``: :math:`\\sigma_t^2 = h_t`, the GARCH(1,1) conditional variance of the
    residuals given all earlier days (event days included: under the null they are ordinary
    days), and :math:`\\hat\\gamma_k` the autocovariances of the standardized non-event
    residuals :math:`\\hat\\varepsilon_t/\\sigma_t` (Bollerslev 1986; on GARCH-scaled
    event-study variances, Savickas 2003, J. Financial Research 26). A large event-day
    return raises :math:`h` of the following days, so the route is conservative for an
    event's later window days.

    Joint tests: Wald :math:`c'\\Sigma^{+}c \\sim \\chi^2(\\mathrm{rank}\\,\\Sigma)` that all
    CARs are zero (identical windows make Σ singular, hence the pseudo-inverse and rank);
    z tests of the mean CAR of ``up`` events (H1: > 0), of ``down`` events (H1: < 0) and of the
    difference up - down (two-sided).
    """
    if variance not in HAC_VARIANCES:
        raise SpecificationError(
            f"variance={variance!r} is not accepted; use one of {HAC_VARIANCES}"
        )
    d = _design(y, windows, regressors)
    nobs = d.index.size
    m = newey_west_lags(nobs) if maxlags is None else int(maxlags)
    ne = np.ones(nobs, bool)
    ne[d.pos] = False
    theta = np.linalg.lstsq(d.x[ne], d.y[ne], rcond=None)[0]
    resid = d.y - d.x @ theta  # equals the dummy coefficient on event days
    ar = pd.Series(resid, index=d.index, name="ar")
    u = np.where(ne, resid, 0.0)
    cov_param = d.gamma @ _param_cov(d, u, m) @ d.gamma.T
    sigma, garch_params = np.ones(nobs), None
    vol = None
    if variance == "garch":
        if volatility is None:
            vol, garch_params, _ = garch_volatility(ar)
        else:
            vol = volatility.reindex(d.index)
            if not (vol.notna().all() and (vol > 0).all()):
                raise SpecificationError("volatility must be positive on every date of the sample")
        sigma = vol.to_numpy(float)
    acov = _bartlett_autocov(np.where(ne, resid / sigma, np.nan), m)
    lag = np.abs(d.pos[:, None] - d.pos[None, :])
    omega = np.where(lag <= m, acov[np.minimum(lag, m)], 0.0)
    omega *= sigma[d.pos][:, None] * sigma[d.pos][None, :]
    cov_error = d.gamma @ omega @ d.gamma.T
    car_frame, cov_car = _car_frame(d, resid, cov_param, cov_error)
    event_day = pd.Series(~ne, index=d.index, name="event_day")
    params = pd.Series(
        np.concatenate([theta, resid[d.pos]]),
        index=["const", *d.x_names, *(f"d:{day.date()}" for day in d.days)],
    )
    return EventRegressionResults(
        car=car_frame,
        car_cov=pd.DataFrame(cov_car, index=d.ids, columns=d.ids),
        tests=_joint_tests(
            car_frame, pd.DataFrame(cov_car, index=d.ids, columns=d.ids), directions or {}
        ),
        params=params,
        ar=ar,
        event_days=event_day,
        maxlags=m,
        nobs=nobs,
        autocov=pd.Series(acov, index=pd.RangeIndex(m + 1, name="lag"), name="bartlett_autocov"),
        variance=variance,
        volatility=vol,
        garch_params=garch_params,
    )


def _car_frame(d: _Design, resid, cov_param, cov_error) -> tuple[pd.DataFrame, np.ndarray]:
    cov_car = cov_param + cov_error
    n_days = d.gamma.sum(axis=1)
    car = np.where(n_days > 0, d.gamma @ resid[d.pos], np.nan)
    se = np.where(n_days > 0, np.sqrt(np.diag(cov_car)), np.nan)
    z = car / se
    frame = pd.DataFrame(
        {
            "event_id": d.ids,
            "window_start": [min(d.day_sets[e]) if d.day_sets[e] else pd.NaT for e in d.ids],
            "window_end": [max(d.day_sets[e]) if d.day_sets[e] else pd.NaT for e in d.ids],
            "n_days": n_days.astype(int),
            "car": car,
            "se_param": np.sqrt(np.clip(np.diag(cov_param), 0, None)),
            "se_error": np.sqrt(np.clip(np.diag(cov_error), 0, None)),
            "car_se": se,
            "zstat": z,
            "pvalue": 2 * stats.norm.sf(np.abs(z)),
        }
    )
    return frame, cov_car


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
