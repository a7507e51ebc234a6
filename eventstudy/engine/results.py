r"""Results of an event study: estimates and one covariance, everything else derived on demand.

:class:`EventStudyResults` is what :meth:`eventstudy.engine.study.EventStudy.fit` returns. It
holds the abnormal returns of the studied events and their covariance matrices
(:class:`FitArrays`); CARs, CAARs, AARs, their standard errors, t statistics, p-values, paths
and the test battery are derived from them when first asked for (``functools.cached_property``
for the tables, methods for anything with an argument; ``car`` and ``caar`` wrap their cached
tables in a new callable frame at each access). Each formula exists once:

* per event, over a window with indicator :math:`\gamma`: :math:`CAR_i = \gamma'AR_i`,
  :math:`\widehat{Var}(CAR_i) = \gamma'V_i\gamma` (:func:`window_sums`), and
  :math:`t_i = CAR_i/\sqrt{\gamma'V_i\gamma} \sim t(df_i)` (:func:`per_event`);
* across events: :math:`\overline{CAR} = \frac1N\sum_i CAR_i`,
  :math:`se = \sqrt{\sum_i \gamma'V_i\gamma}/N` and :math:`J_1 = \overline{CAR}/se`
  (:func:`cross_section`; CLM eq. 4.4.22); an AAR is the CAAR of a one-day window and a path
  the CAR of the windows ``(start, τ)``.

Units: returns and abnormal returns are decimals (0.01 = 1 %), simple or log as recorded in
``return_type``; offsets (``rel_day``, ``window_start``, ``window_end``) are trading days
relative to day 0 (see :mod:`eventstudy.engine.windows`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

import numpy as np
import pandas as pd

from eventstudy import _scipy_stats as sps
from eventstudy.engine.panel import (
    AbnormalReturnPanel,
    PredictionErrorCov,
    cov_diagonal,
    window_block,
)
from eventstudy.engine.windows import EstimationWindow, EventWindow, RowWindows
from eventstudy.exceptions import SpecificationError
from eventstudy.results import Results, tidy_frame, window_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from eventstudy._languages import Lang

Alternative = Literal["two-sided", "greater", "less"]
ALTERNATIVES: tuple[Alternative, ...] = get_args(Alternative)
Variance = Literal["textbook", "pyeventstudy"]
VARIANCES: tuple[Variance, ...] = get_args(Variance)
TEST_COLUMNS = [
    "test", "rel_day", "window_start", "window_end", "stat", "pvalue", "dist", "df", "nobs",
    "alternative", "reason",
]  # fmt: skip

__all__ = [
    "ALTERNATIVES",
    "TEST_COLUMNS",
    "VARIANCES",
    "Alternative",
    "EventStudyResults",
    "FitArrays",
    "Variance",
    "cross_section",
    "per_event",
    "pvalue",
    "window_sums",
]


# --------------------------------------------------------------------------------------------
# the formulas, once
# --------------------------------------------------------------------------------------------


def pvalue(stat: Any, df: Any, alternative: str) -> np.ndarray:
    """p-value of ``stat`` under t(df) (``df`` finite) or N(0,1) (``df`` None or inf).

    ``alternative``: ``"two-sided"`` :math:`2P(T>|t|)`, ``"greater"`` :math:`P(T>t)`,
    ``"less"`` :math:`P(T<t)`.
    """
    stat = np.asarray(stat, dtype=float)
    if df is None:
        dist: Any = sps.norm
        args: tuple = ()
    else:
        dist = sps.t
        args = (np.asarray(df, dtype=float),)
    if alternative == "two-sided":
        return 2.0 * dist.sf(np.abs(stat), *args)
    if alternative == "greater":
        return dist.sf(stat, *args)
    if alternative == "less":
        return dist.cdf(stat, *args)
    raise SpecificationError(f"alternative={alternative!r}; use one of {ALTERNATIVES}")


def window_sums(
    ar: np.ndarray, cov: np.ndarray | PredictionErrorCov, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """CAR and Var(CAR) = γ'Vγ of every event over a window (CLM eqs. 4.4.13-4.4.16).

    Parameters
    ----------
    ar : ndarray, shape (N, L)
        Abnormal returns (NaN = missing).
    cov : ndarray, shape (N, L, L)
        Their covariance matrices :math:`V_i`.
    cols : ndarray
        The window: column positions (1-D, the same for every event) or a boolean (N, L)
        indicator per event.

    Returns
    -------
    car, var : ndarray, shape (N,)
        NaN when a day of the event's window is missing.
    """
    cols = np.asarray(cols)
    if cols.ndim == 2:
        gamma = cols.astype(float)
        missing = (cols & ~np.isfinite(ar)).any(axis=1)
        car = np.where(cols, np.nan_to_num(ar), 0.0).sum(axis=1)
        var = np.einsum("nij,ni,nj->n", np.nan_to_num(np.asarray(cov)), gamma, gamma)
        return np.where(missing, np.nan, car), np.where(missing, np.nan, var)
    car = ar[:, cols].sum(axis=1)
    return car, window_block(cov, cols).sum(axis=(1, 2))


def per_event(
    car: np.ndarray, var: np.ndarray, df: np.ndarray, alternative: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Compute the standard error, t statistic (standardized CAR) and p-value of each CAR.

    :math:`se_i = \sqrt{\gamma'V_i\gamma}`, :math:`t_i = CAR_i/se_i \sim t(df_i)`
    (CLM eq. 4.4.17).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(var)
        t = car / se
    return se, t, pvalue(t, df, alternative)


def cross_section(
    car: np.ndarray, var: np.ndarray, df: float | None, alternative: str
) -> dict[str, np.ndarray]:
    r"""Mean CAR across events (axis 0) with CLM's :math:`J_1` test.

    Events whose CAR is missing are left out: with :math:`m` events left,
    :math:`\overline{CAR} = \frac1m\sum_i CAR_i`,
    :math:`se = \sqrt{\sum_i\gamma'V_i\gamma}/m`,
    :math:`J_1 = \overline{CAR}/se`, N(0,1) (``df`` None) or t(df) (CLM eqs. 4.4.21-4.4.22).

    Returns
    -------
    dict
        ``mean``, ``se``, ``tstat``, ``pvalue``, ``n`` (arrays over the remaining axes).
    """
    ok = np.isfinite(car)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, car, 0.0).sum(axis=0) / n
        se = np.sqrt(np.where(ok, var, 0.0).sum(axis=0)) / n
        t = mean / se
    return {"mean": mean, "se": se, "tstat": t, "pvalue": pvalue(t, df, alternative), "n": n}


def _window_columns(rel_days: np.ndarray, window: tuple[int, int], ext: np.ndarray) -> np.ndarray:
    """Columns of ``window``: 1-D positions, or an (N, L) indicator when windows are extended.

    A window ending on or after day 0 is extended by each event's ``ext`` days (episodes); when
    no event is extended (or the window ends before day 0) the result is the positions of the
    window's relative days.
    """
    start, end = window
    if not ext.any() or end < 0:
        return np.flatnonzero((rel_days >= start) & (rel_days <= end))
    return (rel_days[None, :] >= start) & (rel_days[None, :] <= (end + ext)[:, None])


# --------------------------------------------------------------------------------------------
# what a fit holds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FitArrays:
    """The studied events' fitted arrays (event order as in the input, excluded ones removed).

    Attributes
    ----------
    event_ids, assets : ndarray of str, shape (N,)
    est_rel_days : ndarray of int, shape (Le,)
    event_rel_days : ndarray of int, shape (L,)
        Offsets of the event window, extended by the largest ``extend`` of any event.
    nominal_length : int
        Days of the event window before any extension (the first ``nominal_length`` columns).
    extend : ndarray of int, shape (N,)
        Days added to each event's window (episodes; 0 for single events).
    ret, normal, ar : ndarray, shape (N, L)
        Returns, normal returns and abnormal returns (decimal); NaN when missing or outside the
        event's own window.
    cov : ndarray, shape (N, L, L), or PredictionErrorCov
        Textbook covariance :math:`V_i` of the abnormal returns (NaN rows and columns for
        missing days); the market model's as its factors
        (:class:`~eventstudy.engine.panel.PredictionErrorCov`).
    event_dates, est_dates : ndarray of datetime64[D]
        Calendar date of each cell (NaT outside the data); ``est_dates`` may be
        :class:`~eventstudy.engine.windows.RowWindows` (windows that are runs of rows).
    est_ar : ndarray, shape (N, Le)
        Estimation residuals.
    est_market, event_market : ndarray or None
        Benchmark returns on the estimation and event days (None without a benchmark);
        ``est_market`` may be RowWindows.
    sigma2, var0 : ndarray, shape (N,)
        Residual variance with divisor ``n - k`` and with divisor ``n`` (``np.var``).
    n_est, n_masked : ndarray of int, shape (N,)
        Estimation days used; days of the window removed by the estimation mask.
    k : int
    param_names : tuple of str
    params, std_errors : ndarray, shape (N, P)
    """

    event_ids: np.ndarray
    assets: np.ndarray
    est_rel_days: np.ndarray
    event_rel_days: np.ndarray
    nominal_length: int
    extend: np.ndarray
    ret: np.ndarray
    normal: np.ndarray
    ar: np.ndarray
    cov: np.ndarray | PredictionErrorCov
    event_dates: np.ndarray
    est_ar: np.ndarray
    est_dates: np.ndarray | RowWindows
    est_market: np.ndarray | RowWindows | None
    event_market: np.ndarray | None
    sigma2: np.ndarray
    var0: np.ndarray
    n_est: np.ndarray
    n_masked: np.ndarray
    k: int
    param_names: tuple[str, ...]
    params: np.ndarray
    std_errors: np.ndarray


class WindowFrame(pd.DataFrame):
    """A DataFrame that can also be called with a window: ``results.car(window=(-2, 2))``.

    As a frame it holds the study's CAR windows; calling it computes any other closed
    sub-window of the event window. Operations on it return plain DataFrames.
    """

    _metadata: ClassVar[list[str]] = ["_window_func"]

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def __call__(self, window: tuple[int, int] | None = None) -> pd.DataFrame:
        if window is None:
            return pd.DataFrame(self)
        return self._window_func(window)


def _wrap(frame: pd.DataFrame, func: Callable[[tuple[int, int]], pd.DataFrame]) -> WindowFrame:
    out = WindowFrame(frame)
    out._window_func = func
    return out


# --------------------------------------------------------------------------------------------
# the results object
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class EventStudyResults(Results):
    r"""Results of :meth:`EventStudy.fit`: abnormal returns, their covariance, and what follows.

    Attributes
    ----------
    ar : DataFrame
        One row per studied event and event-window day: ``event_id, asset, rel_day, date, ret,
        normal_ret, ar, ar_se, sar`` (``ar_se`` = square root of the diagonal of
        :math:`V_i`; ``sar = ar / ar_se``).
    car : DataFrame, also callable
        One row per event and CAR window: ``event_id, asset, window_start, window_end, car,
        car_se, tstat, pvalue, df`` (``tstat`` is the standardized CAR, CLM's SCAR).
        ``car(window=(a, b))`` computes any closed sub-window of the event window:

        .. math::

            CAR_i = \gamma' AR_i,\quad \widehat{Var}(CAR_i) = \gamma' V_i \gamma,\quad
            SCAR_i = CAR_i / \sqrt{\gamma' V_i \gamma} \sim t(n_i - k)

        (Campbell, Lo & MacKinlay 1997, eqs. 4.4.13-4.4.18); with
        ``variance="pyeventstudy"``, :math:`V_i = \hat\sigma_{i,0}^2 I` and df = n_i - 1.
        For events with ``extend > 0`` a window ending on or after day 0 runs ``extend`` days
        further.
    aar : DataFrame
        Per ``rel_day``: ``aar`` (mean AR), ``aar_se`` = :math:`\sqrt{\sum_i V_{i,\tau\tau}}/N`,
        ``tstat``, ``pvalue``, ``n``.
    caar : DataFrame, also callable
        Per CAR window: ``window_start, window_end, caar``,
        ``caar_se`` = :math:`\sqrt{\sum_i \gamma'V_i\gamma}/N`, ``tstat`` (CLM's
        :math:`J_1`), ``pvalue``, ``n``; ``caar(window=(a, b))`` for any sub-window.
    car_path, caar_path : DataFrame
        The same cumulated from the event-window start to each ``rel_day``.
    params : DataFrame
        ``event_id, asset, param, value, std_error``.
    nobs : DataFrame
        ``event_id, asset, nobs, n_masked, k, df, sigma``: estimation observations used, days
        removed by the mask, parameters, residual degrees of freedom and :math:`s_i`.
    events : DataFrame
        Every input event: ``event_id, asset, market, day0, day0_date, status``.
    exclusions : DataFrame
        ``event_id, asset, stage, reason``: every event not studied, and why.
    panel : AbnormalReturnPanel
        What the battery reads (textbook variances, the event window without extensions).

    Methods
    -------
    tests(tests=None, *, alternative=None, convention=None, **options)
        The cross-event battery (:mod:`eventstudy.engine.stats`).
    conf_int(level=0.95, *, window=None)
    summary(), to_frame(), plot_car(), plot_ar()
    """

    model: str
    estimation_window: EstimationWindow
    event_window: EventWindow
    car_windows: tuple[tuple[int, int], ...]
    return_type: str
    variance: str
    alternative: str
    convention: str
    test_spec: tuple[str, ...] | None
    test_options: dict
    arrays: FitArrays
    events: pd.DataFrame
    exclusions: pd.DataFrame
    data_versions: Any = None
    notes: tuple[str, ...] = ()
    # caches of this object's own numbers: not init fields, so dataclasses.replace (e.g.
    # another ``variance``) starts with empty ones instead of sharing stale numbers
    _test_cache: dict = field(default_factory=dict, repr=False, init=False)
    _sums_cache: dict = field(default_factory=dict, repr=False, init=False)

    # ------------------------------------------------------------------ basic views
    @property
    def n_events(self) -> int:
        """Number of events studied (excluded ones not counted)."""
        return int(self.arrays.ar.shape[0])

    @cached_property
    def _cov(self) -> np.ndarray | PredictionErrorCov:
        """The covariance the per-event and cross-event variances read (``variance``)."""
        a = self.arrays
        if self.variance == "pyeventstudy":
            return a.var0[:, None, None] * np.eye(a.ar.shape[1])
        return a.cov

    @cached_property
    def _df(self) -> np.ndarray:
        a = self.arrays
        return (a.n_est - (1 if self.variance == "pyeventstudy" else a.k)).astype(float)

    @property
    def _agg_df(self) -> float | None:
        """Degrees of freedom of cross-event t statistics (None = N(0,1))."""
        if self.variance == "pyeventstudy" and self.n_events:
            return float(self._df.sum())
        return None

    @property
    def _keys(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "event_id": pd.array(self.arrays.event_ids, dtype=str),
                "asset": pd.array(self.arrays.assets, dtype=str),
            }
        )

    def _columns(self, window: Sequence[int]) -> np.ndarray:
        try:
            start, end = (int(v) for v in window)
        except (TypeError, ValueError) as exc:
            raise SpecificationError(
                f"window={window!r} must be a (start, end) pair of trading-day offsets"
            ) from exc
        lo, hi = self.event_window.bounds
        if not lo <= start <= end <= hi:
            raise SpecificationError(
                f"window={window!r} must be a (start, end) pair inside the event window {(lo, hi)}"
            )
        return _window_columns(self.arrays.event_rel_days, (start, end), self.arrays.extend)

    def _sums(self, window: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """CAR and Var(CAR) of every event over ``window`` (cached: car and caar both read)."""
        cols = self._columns(window)
        key = (int(window[0]), int(window[1]))
        if key not in self._sums_cache:
            car, var = window_sums(self.arrays.ar, self._cov, cols)
            car.flags.writeable = var.flags.writeable = False  # shared: never written
            self._sums_cache[key] = (car, var)
        return self._sums_cache[key]

    # ------------------------------------------------------------------ per event
    def _car_frame(self, window: tuple[int, int]) -> pd.DataFrame:
        car, var = self._sums(window)
        se, t, p = per_event(car, var, self._df, self.alternative)
        out = self._keys
        out["window_start"] = int(window[0])
        out["window_end"] = int(window[1])
        out["car"] = car.copy()
        out["car_se"] = se
        out["tstat"] = t
        out["pvalue"] = p
        out["df"] = self._df.astype(np.int64)
        return out

    @cached_property
    def _car_table(self) -> pd.DataFrame:
        frames = [self._car_frame(w) for w in self.car_windows]
        return pd.concat(frames, ignore_index=True) if frames else self._car_frame((0, 0))[:0]

    @property
    def car(self) -> WindowFrame:
        """CARs over the study's CAR windows; call it with ``window=`` for any other.

        The table is computed once; each access wraps it in a new callable frame (sharing
        its data), which refers to this object: were the callable frame kept here, the two
        would form a reference cycle and the study's arrays would outlive it until a full
        garbage collection.
        """
        return _wrap(self._car_table, self._car_frame)

    @cached_property
    def ar(self) -> pd.DataFrame:
        """Abnormal returns per event and event-window day (see the class docstring)."""
        a = self.arrays
        n, width = a.ar.shape
        with np.errstate(invalid="ignore"):
            ar_se = np.sqrt(cov_diagonal(self._cov))
            sar = a.ar / ar_se
        keys = self._keys
        out = keys.loc[keys.index.repeat(width)].reset_index(drop=True)
        out["rel_day"] = np.tile(a.event_rel_days, n)
        out["date"] = a.event_dates.ravel().astype("datetime64[ns]")
        out["ret"] = a.ret.ravel()
        out["normal_ret"] = a.normal.ravel()
        out["ar"] = a.ar.ravel()
        out["ar_se"] = ar_se.ravel()
        out["sar"] = sar.ravel()
        if a.extend.any():  # rows of each event's own (extended) window only
            own = a.event_rel_days[None, :] <= (self.event_window.end + a.extend)[:, None]
            out = out[own.ravel()].reset_index(drop=True)
        return out

    def conf_int(
        self, level: float = 0.95, *, window: tuple[int, int] | None = None
    ) -> pd.DataFrame:
        """Confidence intervals for each event's CAR: ``car ± q · car_se``.

        Parameters
        ----------
        level : float, default 0.95
            Coverage in (0, 1); ``q`` is the two-sided quantile of t(df) of each event,
            :math:`t_{df}^{-1}((1 + level)/2)`.
        window : (start, end), optional
            A CAR window; default all of the study's ``car_windows``.

        Returns
        -------
        DataFrame
            ``event_id, asset, window_start, window_end, car, lower, upper``.
        """
        if not 0 < level < 1:
            raise SpecificationError(f"level={level!r} must be strictly between 0 and 1")
        frame = self.car if window is None else self._car_frame(window)
        q = sps.t.ppf(0.5 + level / 2, frame["df"].to_numpy(dtype=float))
        out = frame[["event_id", "asset", "window_start", "window_end", "car"]].copy()
        out["lower"] = frame["car"] - q * frame["car_se"]
        out["upper"] = frame["car"] + q * frame["car_se"]
        return out

    # ------------------------------------------------------------------ across events
    def caar_window(self, window: tuple[int, int]) -> pd.DataFrame:
        """CAAR over any closed sub-window, with its :math:`J_1` statistic (one row)."""
        car, var = self._sums(window)
        cs = cross_section(car, var, self._agg_df, self.alternative)
        return pd.DataFrame(
            {
                "window_start": [int(window[0])],
                "window_end": [int(window[1])],
                "caar": [float(cs["mean"])],
                "caar_se": [float(cs["se"])],
                "tstat": [float(cs["tstat"])],
                "pvalue": [float(cs["pvalue"])],
                "n": [int(cs["n"])],
            }
        )

    @cached_property
    def _caar_table(self) -> pd.DataFrame:
        rows = [self.caar_window(w) for w in self.car_windows]
        return pd.concat(rows, ignore_index=True) if rows else self.caar_window((0, 0))[:0]

    @property
    def caar(self) -> WindowFrame:
        """CAAR per CAR window; call it with ``window=`` for any other sub-window.

        Computed once, wrapped anew at each access (as :attr:`car`).
        """
        return _wrap(self._caar_table, self.caar_window)

    @cached_property
    def aar(self) -> pd.DataFrame:
        """Average abnormal return per event-window day: the CAAR of each one-day window."""
        a = self.arrays
        var = cov_diagonal(self._cov)
        cs = cross_section(a.ar, var, self._agg_df, self.alternative)
        return pd.DataFrame(
            {
                "rel_day": a.event_rel_days,
                "aar": cs["mean"],
                "aar_se": cs["se"],
                "tstat": cs["tstat"],
                "pvalue": cs["pvalue"],
                "n": cs["n"].astype(np.int64),
            }
        )

    @cached_property
    def _cumulative(self) -> tuple[np.ndarray, np.ndarray]:
        r"""CAR and Var(CAR) of the windows (start, τ) for every τ of the event window.

        Cumulative sums over the event's actual days (NaN from a missing day on); the variance
        is the diagonal of :math:`\Gamma V_i \Gamma'` with :math:`\Gamma` lower-triangular
        ones.
        """
        cum = np.cumsum(self.arrays.ar, axis=1)
        cov = np.asarray(self._cov)
        var = np.diagonal(np.cumsum(np.cumsum(cov, axis=1), axis=2), axis1=1, axis2=2)
        return cum, var

    @cached_property
    def car_path(self) -> pd.DataFrame:
        """Per event, CAR cumulated from the event-window start to each ``rel_day``.

        Columns ``event_id, asset, rel_day, car, car_se, tstat, pvalue`` (t(df) per event).
        """
        cum, var = self._cumulative
        se, t, p = per_event(cum, var, self._df[:, None], self.alternative)
        n, width = cum.shape
        keys = self._keys
        out = keys.loc[keys.index.repeat(width)].reset_index(drop=True)
        out["rel_day"] = np.tile(self.arrays.event_rel_days, n)
        out["car"] = cum.ravel()
        out["car_se"] = se.ravel()
        out["tstat"] = t.ravel()
        out["pvalue"] = p.ravel()
        return out

    @cached_property
    def caar_path(self) -> pd.DataFrame:
        """CAAR cumulated from the event-window start, with :math:`J_1` per cumulative window.

        Columns ``rel_day, caar, caar_se, tstat, pvalue, n``; ``caar`` is decimal.
        """
        cum, var = self._cumulative
        cs = cross_section(cum, var, self._agg_df, self.alternative)
        return pd.DataFrame(
            {
                "rel_day": self.arrays.event_rel_days,
                "caar": cs["mean"],
                "caar_se": cs["se"],
                "tstat": cs["tstat"],
                "pvalue": cs["pvalue"],
                "n": cs["n"].astype(np.int64),
            }
        )

    def path_conf_int(self, level: float = 0.95, *, event_id: str | None = None) -> pd.DataFrame:
        """Return the CAAR path (or one event's CAR path) with a pointwise confidence band.

        Parameters
        ----------
        level : float, default 0.95
            Coverage of ``estimate ± q · se``: q from N(0,1) for the CAAR (t(Σ df) under
            ``variance="pyeventstudy"``), from t(df) of the event for a CAR.
        event_id : str, optional
            An event (its first asset); default the CAAR path.

        Returns
        -------
        DataFrame
            ``rel_day``, ``estimate`` (decimal), ``se``, ``lower``, ``upper``.

        Raises
        ------
        KeyError
            ``event_id`` was not studied.
        """
        if not 0 < level < 1:
            raise SpecificationError(f"level={level!r} must be strictly between 0 and 1")
        if event_id is None:
            path = self.caar_path
            est, se = path["caar"].to_numpy(), path["caar_se"].to_numpy()
            df = self._agg_df
        else:
            path = self.car_path[self.car_path["event_id"] == str(event_id)]
            if path.empty:
                raise KeyError(f"event_id {event_id!r} was not studied (see results.exclusions)")
            path = path[path["asset"] == path["asset"].iloc[0]]
            est, se = path["car"].to_numpy(), path["car_se"].to_numpy()
            pos = int(np.flatnonzero(self.arrays.event_ids == str(event_id))[0])
            df = float(self._df[pos])
        q = sps.norm.ppf(0.5 + level / 2) if df is None else sps.t.ppf(0.5 + level / 2, df)
        return pd.DataFrame(
            {
                "rel_day": path["rel_day"].to_numpy(),
                "estimate": est,
                "se": se,
                "lower": est - q * se,
                "upper": est + q * se,
            }
        )

    # ------------------------------------------------------------------ estimation details
    @cached_property
    def params(self) -> pd.DataFrame:
        """Normal-return model parameters: ``event_id, asset, param, value, std_error``."""
        a = self.arrays
        npar = len(a.param_names)
        keys = self._keys
        out = keys.loc[keys.index.repeat(npar)].reset_index(drop=True)
        out["param"] = pd.array(list(a.param_names) * self.n_events, dtype=str)
        out["value"] = a.params.ravel()
        out["std_error"] = a.std_errors.ravel()
        return out

    @cached_property
    def nobs(self) -> pd.DataFrame:
        """Estimation details: ``event_id, asset, nobs, n_masked, k, df, sigma``."""
        a = self.arrays
        out = self._keys
        out["nobs"] = a.n_est
        out["n_masked"] = a.n_masked
        out["k"] = a.k
        out["df"] = a.n_est - a.k
        out["sigma"] = np.sqrt(a.sigma2)
        return out

    @cached_property
    def panel(self) -> AbnormalReturnPanel:
        """The battery's input: textbook covariances on the event window (no extensions)."""
        a = self.arrays
        width = a.nominal_length
        return AbnormalReturnPanel(
            event_ids=a.event_ids.astype(str),
            est_rel_days=a.est_rel_days,
            est_ar=a.est_ar,
            est_dates=a.est_dates,
            event_rel_days=a.event_rel_days[:width],
            event_ar=a.ar[:, :width],
            event_dates=a.event_dates[:, :width],
            sigma=np.sqrt(a.sigma2),
            n_est=a.n_est,
            k=np.full(self.n_events, a.k, dtype=np.int64),
            event_cov=(
                a.cov.leading(width)
                if isinstance(a.cov, PredictionErrorCov)
                else np.ascontiguousarray(a.cov[:, :width, :width])
            ),
            est_market=a.est_market,
            event_market=None if a.event_market is None else a.event_market[:, :width],
            assets=a.assets.astype(str),
        )

    # ------------------------------------------------------------------ the battery
    def tests(
        self,
        tests: Sequence[str] | None = None,
        *,
        alternative: str | None = None,
        convention: str | None = None,
        **options: Any,
    ) -> pd.DataFrame:
        """The cross-event test battery on every event-window day and every CAR window.

        Parameters
        ----------
        tests : sequence of str, optional
            Tests to run (see :data:`eventstudy.engine.stats.TEST_NAMES`); default the ones
            chosen in :meth:`EventStudy.fit` (None there = the battery's default set).
        alternative, convention : str, optional
            Default those of the fit.
        **options
            Battery options (see :func:`eventstudy.engine.stats.aar_tests`), added to the
            fit's ``test_options``.

        Returns
        -------
        DataFrame
            Long: ``test, rel_day, window_start, window_end, stat, pvalue, dist, df, nobs,
            alternative, reason``; AAR rows have ``window_start = window_end = rel_day``, CAAR
            rows have ``rel_day`` NA. Computed once per set of arguments.
        """
        spec = self.test_spec if tests is None else tuple(tests)
        alt = self.alternative if alternative is None else alternative
        conv = self.convention if convention is None else convention
        opts = {**self.test_options, **options}
        key = (spec, alt, conv, tuple(sorted((k, repr(v)) for k, v in opts.items())))
        if key not in self._test_cache:
            self._test_cache[key] = _battery(self.panel, self.car_windows, spec, alt, conv, opts)
        return self._test_cache[key].copy()

    # ------------------------------------------------------------------ Results interface
    def to_frame(self) -> pd.DataFrame:
        """Tidy long form (:data:`eventstudy.results.TIDY_COLUMNS`) per event and CAR window.

        Statistics ``car`` (decimal), ``car_pct`` (percent), ``car_se``, ``tstat``, ``pvalue``.
        """
        frame = pd.DataFrame(self.car)
        frame["window"] = [
            window_label(a, b)
            for a, b in zip(frame["window_start"], frame["window_end"], strict=True)
        ]
        frame["car_pct"] = 100.0 * frame["car"]
        stats = ["car", "car_pct", "car_se", "tstat", "pvalue"]
        return tidy_frame(frame, stats, event_id="event_id", asset="asset", window="window")

    def _summary_title(self) -> str:
        return f"Event study: {self.model} model, {self.n_events} events"

    def _summary_info(self) -> list[tuple[str, str]]:
        return [
            ("Model:", self.model),
            ("Events studied:", str(self.n_events)),
            ("Events excluded:", str(len(self.exclusions))),
            ("Estimation window:", self.estimation_window.label),
            ("Event window:", str(self.event_window.bounds)),
            ("Calendar:", self.event_window.calendar),
            ("Returns:", f"decimal {self.return_type}"),
            ("Variance:", self.variance),
            ("Alternative:", self.alternative),
        ]

    def _summary_tables(self) -> list[tuple]:
        caar = pd.DataFrame(self.caar)
        table = pd.DataFrame(
            {
                "window": [
                    window_label(a, b)
                    for a, b in zip(caar.window_start, caar.window_end, strict=True)
                ],
                "n": caar["n"].astype(int),
                "CAAR %": 100 * caar["caar"],
                "se %": 100 * caar["caar_se"],
                "t (J1)": caar["tstat"],
                "p": caar["pvalue"],
            }
        )
        tables: list[tuple] = [("CAAR per CAR window", table)]
        battery = self._battery_table()
        if not battery.empty:
            tables.append(("Test battery on each CAR window", battery))
        return tables

    def _battery_table(self) -> pd.DataFrame:
        tests = self.tests()
        rows = tests[tests["rel_day"].isna()] if len(tests) else tests
        if rows.empty:
            return pd.DataFrame()
        return pd.DataFrame(
            {
                "test": rows["test"].to_numpy(),
                "window": [
                    window_label(a, b)
                    for a, b in zip(rows["window_start"], rows["window_end"], strict=True)
                ],
                "stat": rows["stat"].to_numpy(dtype=float),
                "dist": rows["dist"].astype(str).to_numpy(),
                "p": rows["pvalue"].to_numpy(dtype=float),
                "N": rows["nobs"].astype("Int64").to_numpy(),
            }
        )

    def _summary_notes(self) -> list[str]:
        notes = []
        n_ex = len(self.exclusions)
        if n_ex:
            counts = self.exclusions.groupby("reason", sort=False).size()
            detail = "; ".join(f"{c} × {r}" for r, c in counts.items())
            notes.append(f"{n_ex} event(s) excluded: {detail}.")
        else:
            notes.append("No event excluded.")
        if self.model == "garch":
            var_text = "GARCH(1,1): V_i = diag(conditional variance forecasts); SCAR ~ t(n-k)"
        elif self.variance == "textbook":
            var_text = (
                "prediction-error corrected V_i = s_i^2 (I + X*(X'X)^-1 X*'), s_i^2 = SSR/(n-k) "
                "(CLM 4.4.9); Var(CAR) = γ'V_iγ; SCAR ~ t(n-k); CAAR J1 ~ N(0,1)"
            )
        else:
            var_text = (
                "PyPI eventstudy compatibility: σ² = np.var (ddof 0), no prediction-error term,"
                " Var(CAR) = L σ², t(n-1); CAAR t(Σ(n_i-1))"
            )
        notes.append(f"Variance: {var_text}.")
        cal = (
            "each asset's own trading days (dates with a return)"
            if self.event_window.calendar == "asset"
            else "rows of the returns index shared by all assets"
        )
        notes.append(
            f"Returns are decimal {self.return_type} returns; offsets count {cal}, relative to "
            "day 0 (the first such day on or after the event's day0)."
        )
        notes.append(
            f"Battery convention {self.convention!r}, alternative {self.alternative!r}; the "
            "battery reads textbook (n-k) variances."
        )
        if self.arrays.extend.any():
            notes.append(
                f"{int((self.arrays.extend > 0).sum())} event(s) have extended windows "
                "(episodes): their CAR windows ending on or after day 0 run that many days "
                "further; the battery uses the nominal windows."
            )
        notes.extend(self.notes)
        return notes

    def _repr_items(self) -> list[tuple[str, object]]:
        return [
            ("model", self.model),
            ("n_events", self.n_events),
            ("excluded", len(self.exclusions)),
            ("event_window", self.event_window.bounds),
            ("estimation_window", self.estimation_window.label),
        ]

    # ------------------------------------------------------------------ plots
    def plot_car(
        self,
        ax: Axes | None = None,
        *,
        event_id: str | None = None,
        level: float = 0.95,
        lang: Lang = "en",
    ) -> Axes:
        """CAAR path (or one event's CAR path) with a confidence band; returns the Axes.

        ``lang`` ("en" or "ja"): the language of the figure's fixed words.
        """
        from eventstudy.plotting.engine import plot_car

        return plot_car(self, ax=ax, event_id=event_id, level=level, lang=lang)

    def plot_ar(
        self, ax: Axes | None = None, *, event_id: str | None = None, lang: Lang = "en"
    ) -> Axes:
        """AAR bars (or one event's ARs); returns the Axes. ``lang``: as :meth:`plot_car`."""
        from eventstudy.plotting.engine import plot_ar

        return plot_ar(self, ax=ax, event_id=event_id, lang=lang)

    plot = plot_car


def _battery(
    panel: AbnormalReturnPanel,
    windows: Sequence[tuple[int, int]],
    tests: Sequence[str] | None,
    alternative: str,
    convention: str,
    options: dict,
) -> pd.DataFrame:
    """Run :mod:`eventstudy.engine.stats` and stack AAR and CAAR results in one long frame."""
    from eventstudy.engine import stats

    if (tests is not None and len(tests) == 0) or panel.n_events == 0:
        return pd.DataFrame(columns=TEST_COLUMNS)
    kw = {"tests": tests, "alternative": alternative, "convention": convention, **options}
    prepared = stats.prepare(panel)  # ranks, r_bar, ... computed once for all calls below
    windows = [(int(a), int(b)) for a, b in windows]
    if options.get("rng") is not None:  # a user's Generator: consumed window by window
        aar = stats.aar_tests(prepared, **kw).copy()
        caar = [stats.caar_tests(prepared, [w], **kw) for w in windows]
    else:  # days and windows in one run: the bootstraps share one pass over the draws
        aar, both = stats.aar_caar_tests(prepared, windows, **kw)
        caar = [both] if windows else []
    aar["window_start"] = aar["rel_day"]
    aar["window_end"] = aar["rel_day"]
    frames = [aar, *caar]
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    for col in ("rel_day", "window_start", "window_end"):
        out[col] = out[col].astype("Int64")
    extra = [c for c in out.columns if c not in TEST_COLUMNS]
    return out.reindex(columns=TEST_COLUMNS + extra)
