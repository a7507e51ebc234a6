"""``EventStudy(...).fit()``: many events x assets, all computed together with numpy.

This is the package's one estimator: the gold study, the ARC runner and every analysis that
needs abnormal returns build an :class:`EventStudy`.

Inputs (plain pandas; no data directory needed)
-----------------------------------------------
``returns`` -- wide frame of **decimal** returns (log by default, see
:mod:`eventstudy.engine.returns`), index = trading dates (sorted, unique), one column per asset
(NaN where the asset has no return, e.g. on its market's holidays):

============  ========  ========
date          GC=F      GLD
============  ========  ========
2024-01-02    0.0031    0.0029
2024-01-03    -0.0104   -0.0098
============  ========  ========

``events`` -- one row per (event, asset): ``event_id``, ``asset`` (a column of ``returns``),
``day0`` (a tz-naive date; mapped to the asset's first trading day on or after it, see
:mod:`eventstudy.engine.windows`; NaT excludes the event), optional ``market`` (a column of a
wide ``benchmark``) and optional ``extend`` (int >= 0: trading days added to the end of this
event's event window and of every CAR window ending on or after day 0, e.g. the span of an
episode of merged events).

Pipeline
--------
1. Lay every event's windows on its asset's trading days (:meth:`EventStudy.fit`): rows of
   day 0, of the estimation and the event window.
2. Exclude (as data, with a stage and a reason) events that cannot be studied: asset or
   benchmark unknown, too few trading days, day 0 after the data, missing returns in the event
   window, too few estimation observations, a singular design.
3. Gather (N, L1) / (N, L2) matrices by fancy indexing and fit the normal-return model for all
   events at once (:mod:`eventstudy.engine.models`).
4. Hand abnormal returns and their prediction-error covariances to
   :class:`~eventstudy.engine.results.EventStudyResults`, which derives CARs, CAARs, their
   standard errors and tests on demand.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast, get_args

import numpy as np
import pandas as pd

from eventstudy.engine._memory import small_pages
from eventstudy.engine.models import NormalReturnFit, NormalReturnModel, normal_return_model
from eventstudy.engine.models.base import accepts_overwrite_y, reads_regressors_by_block
from eventstudy.engine.panel import PredictionErrorCov
from eventstudy.engine.results import ALTERNATIVES, VARIANCES, EventStudyResults, FitArrays
from eventstudy.engine.windows import (
    EstimationWindow,
    EventWindow,
    RowWindows,
    as_car_windows,
    as_estimation_window,
    as_event_window,
    check_order,
    compact_rows,
    default_min_estimation_obs,
    gather,
    gather_pattern,
)
from eventstudy.exceptions import ReturnsScaleWarning, SpecificationError

DEFAULT_ESTIMATION_WINDOW = EstimationWindow(length=250, end=-11)
DEFAULT_EVENT_WINDOW = EventWindow(-10, 10)
DEFAULT_CAR_WINDOWS: tuple[tuple[int, int], ...] = ((-1, 1), (0, 0), (0, 5))

ReturnType = Literal["log", "simple", "difference"]
RETURN_TYPES: tuple[str, ...] = get_args(ReturnType)
EXCLUSION_COLUMNS = ["event_id", "asset", "stage", "reason"]

__all__ = ["DEFAULT_CAR_WINDOWS", "DEFAULT_ESTIMATION_WINDOW", "DEFAULT_EVENT_WINDOW", "EventStudy"]


_Choice = TypeVar("_Choice", bound=str)


def _choice(name: str, value: Any, accepted: Sequence[_Choice]) -> _Choice:
    """Normalise case and ``_``/``-`` spelling, then return the entry of ``accepted`` it names."""
    if isinstance(value, str):
        norm = value.strip().lower().replace("_", "-")
        for option in accepted:
            if norm == option.replace("_", "-"):
                return option
    raise SpecificationError(f"{name}={value!r} is not accepted; use one of {tuple(accepted)}")


def _date_index(index: pd.Index, name: str) -> pd.DatetimeIndex:
    try:
        idx = pd.DatetimeIndex(index)
    except (TypeError, ValueError) as exc:
        raise SpecificationError(f"{name} index must hold dates") from exc
    if idx.tz is not None:
        raise SpecificationError(f"{name} index must be tz-naive session dates; got tz={idx.tz}")
    return idx


def _on_index(frame: pd.DataFrame, index: pd.DatetimeIndex, name: str) -> pd.DataFrame:
    """``frame`` with a date index, duplicates dropped, reindexed to ``index``."""
    frame = frame.set_axis(_date_index(frame.index, name), axis=0)
    return frame[~frame.index.duplicated()].reindex(index)


def _check_scale(returns: pd.DataFrame, return_type: str, name: str = "returns") -> None:
    """Warn when columns of ``returns`` look like prices or percent rather than decimal returns.

    Each column is judged on its own (a sample of at most 100,000 rows): prices are almost all
    positive with a median |value| above 0.5; percent has a median |value| above 0.05 (a
    typical daily decimal return is below 0.02). One warning names the columns of each kind.
    """
    if return_type == "difference" or returns.empty:
        return
    values = returns.to_numpy(dtype=float)
    values = values[:: max(1, values.shape[0] // 100_000)]
    finite = np.isfinite(values)
    enough = finite.sum(axis=0) >= 20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        median_abs = np.nanmedian(np.abs(np.where(finite, values, np.nan)), axis=0)
    positive = (values > 0).sum(axis=0) / np.maximum(finite.sum(axis=0), 1)
    prices = enough & (positive > 0.99) & (median_abs > 0.5)
    percent = enough & ~prices & (median_abs > 0.05)
    columns = returns.columns.astype(str)
    silence = 'Silence with warnings.simplefilter("ignore", ReturnsScaleWarning).'
    if prices.any():
        warnings.warn(
            f"{name} look like prices, not decimal returns, in {_column_list(columns, prices)} "
            f"(median |value| {float(np.median(median_abs[prices])):.3g}, "
            f"{100 * float(positive[prices].min()):.0f}% or more positive); convert them with "
            f"eventstudy.to_returns(prices). {silence}",
            ReturnsScaleWarning,
            stacklevel=3,
        )
    if percent.any():
        warnings.warn(
            f"{name} look like percent in {_column_list(columns, percent)} (median |value| "
            f"{float(np.median(median_abs[percent])):.3g}; a typical daily decimal return is "
            f"below 0.02); divide by 100 so that 0.01 means 1%. {silence}",
            ReturnsScaleWarning,
            stacklevel=3,
        )


def _column_list(columns: pd.Index, chosen: np.ndarray, show: int = 5) -> str:
    """``column(s) a, b, c (and N more)`` for the ``chosen`` columns."""
    names = list(columns[chosen])
    more = f" and {len(names) - show} more" if len(names) > show else ""
    return f"column(s) {', '.join(names[:show])}{more}"


class _Ledger:
    """Why each event is not studied: the first stage that excludes it wins."""

    def __init__(self, n: int) -> None:
        self.reasons = np.full(n, None, dtype=object)
        self.stages = np.full(n, None, dtype=object)

    def exclude(self, mask: np.ndarray, stage: str, reason: str | Callable[[int], str]) -> None:
        new = np.asarray(mask, dtype=bool) & (self.reasons == None)  # noqa: E711
        for i in np.flatnonzero(new):
            self.reasons[i] = reason(int(i)) if callable(reason) else reason
            self.stages[i] = stage

    @property
    def ok(self) -> np.ndarray:
        return self.reasons == None  # noqa: E711


@dataclass(frozen=True)
class _Calendars:
    """Each asset's trading days as row positions of the returns index.

    ``rows[starts[j] : starts[j] + counts[j]]`` are the rows of asset ``j``, ascending; with the
    shared calendar every asset has all rows (``rows is None``). When every asset's rows are one
    block (e.g. returns from prices: all but the first row), ``offsets[j]`` is the first row of
    asset ``j`` and its position ``p`` is row ``offsets[j] + p`` (``rows is None``): the same
    rows as the general mapping, without the search.
    """

    n_rows: int
    counts: np.ndarray
    starts: np.ndarray | None = None
    rows: np.ndarray | None = None
    offsets: np.ndarray | None = None

    @classmethod
    def build(cls, values: np.ndarray, calendar: str) -> _Calendars:
        finite = np.isfinite(values)
        n_rows, n_cols = values.shape
        if calendar == "shared" or finite.all():
            # every asset trading on every row: its calendar is the index, as when shared
            return cls(n_rows, np.full(n_cols, n_rows, dtype=np.int64))
        counts = finite.sum(axis=0).astype(np.int64)
        first = np.argmax(finite, axis=0).astype(np.int64)
        last = n_rows - 1 - np.argmax(finite[::-1], axis=0)
        if ((counts == 0) | (last - first + 1 == counts)).all():
            return cls(n_rows, counts, offsets=np.where(counts > 0, first, 0))
        flat = np.flatnonzero(finite.T.ravel())  # asset-major, ascending rows per asset
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        return cls(n_rows, counts, starts, flat % max(n_rows, 1))

    def day0_position(self, col: np.ndarray, first_row: np.ndarray) -> np.ndarray:
        """Position of day 0 in each event's asset calendar (``>= counts[col]`` when none).

        Day 0 is the asset's first trading day at or after index row ``first_row``.
        """
        if self.offsets is not None:
            return np.clip(first_row - self.offsets[col], 0, self.counts[col])
        if self.rows is None:
            return first_row
        assert self.starts is not None
        keys = (
            np.repeat(np.arange(self.counts.size, dtype=np.int64), self.counts) * (self.n_rows + 1)
            + self.rows
        )
        target = col.astype(np.int64) * (self.n_rows + 1) + first_row
        return np.searchsorted(keys, target, side="left") - self.starts[col]

    def to_rows(self, col: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Index rows of asset-calendar ``positions`` (N, L) for assets ``col`` (N,); -1 outside.

        Before an asset's first and after its last day with a return, positions continue on the
        rows of the index (e.g. an estimation window reaching back before a listing sees the
        benchmark's days there, as on the shared calendar). With the shared calendar and every
        position inside the data, the result is ``positions`` itself (not a copy).
        """
        if self.offsets is not None:
            return _inside(positions + self.offsets[col][:, None], self.n_rows, self.counts[col])
        if self.rows is None:
            return _inside(positions, self.n_rows)
        assert self.starts is not None
        count = self.counts[col][:, None]
        if not self.rows.size:
            return np.full(positions.shape, -1)
        start = self.starts[col][:, None]
        last = np.maximum(count - 1, 0)
        first_row = self.rows.take(np.minimum(start, self.rows.size - 1))
        last_row = self.rows.take(np.minimum(start + last, self.rows.size - 1))
        inside = self.rows.take(np.minimum(start + np.clip(positions, 0, last), self.rows.size - 1))
        rows = np.where(
            positions < 0,
            first_row + positions,
            np.where(positions >= count, last_row + positions - last, inside),
        )
        return _inside(rows, self.n_rows, count[:, 0])


def _inside(rows: np.ndarray, n_rows: int, counts: np.ndarray | None = None) -> np.ndarray:
    """``rows`` (N, L) with -1 outside ``0..n_rows - 1`` and on rows of assets without days.

    ``counts`` (N,): the trading days of each row's asset (None: all have some). When nothing
    is outside (two reductions tell), ``rows`` itself is returned, without the masks and the
    copy.
    """
    has_days = None if counts is None or (counts > 0).all() else (counts > 0)[:, None]
    if has_days is None and (not rows.size or (rows.min() >= 0 and rows.max() < n_rows)):
        return rows
    ok = (rows >= 0) & (rows < n_rows)
    if has_days is not None:
        ok &= has_days
    return np.where(ok, rows, -1)


def _est_offsets(est: EstimationWindow, win: EventWindow, ext: np.ndarray) -> np.ndarray:
    """(N, Le) estimation offsets of each event, relative to its day 0.

    A post-event block moves with the event's ``extend`` (when the event window reaches day 0),
    so it never overlaps the extended window.
    """
    rel = est.rel_days[None, :]
    if est.post is None or win.end < 0 or not ext.any():
        return rel
    return rel + np.where(rel > win.end, ext[:, None], 0)


def _window_columns(rel_days: np.ndarray, window: tuple[int, int], ext: np.ndarray) -> np.ndarray:
    """(N, L) mask of each event's cells of ``window``.

    A window ending on or after day 0 is extended by the event's ``ext`` days (episodes).
    """
    start, end = window
    ends = end + (ext if end >= 0 else 0)
    return (rel_days[None, :] >= start) & (rel_days[None, :] <= np.asarray(ends)[:, None])


class EventStudy:
    r"""Event study of many (event, asset) pairs with a normal-return model.

    Parameters
    ----------
    returns : DataFrame
        Wide decimal returns: index trading dates (sorted, unique, tz-naive), columns assets.
        ``returns.attrs["return_type"]`` (``"log"``, ``"simple"`` or ``"difference"``; set by
        :func:`~eventstudy.engine.returns.to_returns` and
        :func:`~eventstudy.engine.returns.differences`, default ``"log"``) and
        ``returns.attrs["data_versions"]`` (e.g. file checksums) are recorded in the results;
        returns are never rescaled. A :class:`~eventstudy.exceptions.ReturnsScaleWarning` says
        when they look like prices or percent.
    events : DataFrame
        Columns ``event_id``, ``asset``, ``day0``; optional ``market`` (the column of a wide
        ``benchmark`` for that row) and ``extend`` (see the module docstring).
        ``(event_id, asset)`` pairs must be unique. ``day0`` is a tz-naive date; a date
        without a return of the asset (a weekend, a holiday) is moved to the asset's next
        trading day (within ``EventWindow.max_day0_shift`` calendar days when set; the date
        used is the ``day0_date`` column of the results' ``events``). A tz-aware event time
        raises (map it first with
        :func:`eventstudy.data.day0.day0_for_events` or :func:`eventstudy.data.day0.align_events`).
    model : str or NormalReturnModel, default "market"
        ``"market"``, ``"constant_mean"``, ``"market_adjusted"``, ``"zero_mean"``, ``"factor"``
        or ``"garch"``
        (see :mod:`eventstudy.engine.models`), or a model instance.
    benchmark : Series or DataFrame, optional
        Benchmark (market) decimal returns; a Series (or a one-column frame when events have
        no ``market`` column) is used for all events; otherwise the column is picked per event
        by its ``market`` value. Read on each asset's dates (absent dates = missing). Required
        by ``"market"``, ``"market_adjusted"`` and ``"garch"``.
    factors : DataFrame, optional
        Regressors of ``model="factor"`` (one column each, decimal), read on each asset's
        dates. The benchmark, when given, is the first regressor.
    estimation_window : EstimationWindow or (start, end), default EstimationWindow(250, -11)
        Trading-day offsets; must end before the event window starts. Carries the estimation
        mask, the minimum number of usable days and an optional post-event block
        (``EstimationWindow(..., post=(11, 260))``: estimation on both sides of the event).
    event_window : EventWindow or (start, end), default EventWindow(-10, 10)
        Closed interval of offsets. Carries the calendar (``"asset"`` by default: offsets count
        each asset's own trading days), the rule for missing returns and the largest day-0
        shift.
    car_windows : sequence of (start, end), default ((-1, 1), (0, 0), (0, 5))
        CAR windows inside the event window.

    Raises
    ------
    SpecificationError
        An option has an unaccepted value, a required input is missing or malformed.

    Notes
    -----
    With :math:`X_i` the estimation design and :math:`X^*_i` the event-window design,
    :math:`AR_i = R^*_i - X^*_i\hat\theta_i` and

    .. math::

        V_i = s_i^2\left[I + X^*_i (X_i'X_i)^{-1} X^{*\prime}_i\right], \qquad
        s_i^2 = \frac{1}{n_i - k}\sum_{t\in\text{est}} \hat\varepsilon_{it}^2

    (Campbell, Lo & MacKinlay 1997, eqs. 4.4.4 and 4.4.9; MacKinlay 1997). For a window with
    indicator :math:`\gamma`, :math:`CAR_i = \gamma'AR_i`, :math:`Var = \gamma'V_i\gamma`,
    :math:`SCAR_i \sim t(n_i - k)` (eqs. 4.4.13-4.4.18), and
    :math:`J_1 = \overline{CAR}/\sqrt{N^{-2}\sum_i\gamma'V_i\gamma}` (eq. 4.4.22).

    Examples
    --------
    >>> study = EventStudy(returns, events, benchmark=returns["SPY"])  # doctest: +SKIP
    >>> res = study.fit()  # doctest: +SKIP
    >>> res.car(window=(-1, 1))  # doctest: +SKIP
    >>> res.tests(["patell", "bmp"])  # doctest: +SKIP
    """

    def __init__(
        self,
        returns: pd.DataFrame,
        events: pd.DataFrame,
        model: str | NormalReturnModel = "market",
        *,
        benchmark: pd.Series | pd.DataFrame | None = None,
        factors: pd.DataFrame | None = None,
        estimation_window: EstimationWindow | tuple[int, int] = DEFAULT_ESTIMATION_WINDOW,
        event_window: EventWindow | tuple[int, int] = DEFAULT_EVENT_WINDOW,
        car_windows: Sequence[tuple[int, int]] = DEFAULT_CAR_WINDOWS,
    ) -> None:
        self.model = normal_return_model(model)
        self.estimation_window = as_estimation_window(estimation_window)
        self.event_window = as_event_window(event_window)
        check_order(self.estimation_window, self.event_window)
        if self.estimation_window.post is not None and self.model.name == "garch":
            raise SpecificationError(
                'model="garch" forecasts from the end of one contiguous estimation window; '
                "it cannot use a post-event block (EstimationWindow post=None)"
            )
        self.car_windows = as_car_windows(car_windows, self.event_window)
        self.returns = self._check_returns(returns)
        self.return_type = _choice(
            "returns.attrs['return_type']", returns.attrs.get("return_type", "log"), RETURN_TYPES
        )
        self.data_versions = returns.attrs.get("data_versions")
        _check_scale(self.returns, self.return_type)
        self.events = self._check_events(events)
        index = self.returns.index
        self.benchmark = self._check_benchmark(benchmark, index)
        if self.benchmark is not None:
            _check_scale(self.benchmark, self.return_type, "benchmark")
        if self.model.uses_factors and (
            not isinstance(factors, pd.DataFrame) or factors.shape[1] == 0
        ):
            raise SpecificationError(f'model="{self.model.name}" needs factors: a DataFrame')
        self.factors = None if factors is None else _on_index(factors, index, "factors")
        mask = self.estimation_window.mask
        if mask is not None:
            mask = _on_index(mask if isinstance(mask, pd.DataFrame) else mask.to_frame(), index,
                             "estimation mask").fillna(False).astype(bool)  # fmt: skip
            if isinstance(self.estimation_window.mask, pd.Series):
                mask = mask.iloc[:, 0]
        self._mask = mask
        self.k = self.model.n_params(len(self._regressor_names()))
        min_obs = self.estimation_window.min_obs
        if min_obs is None:
            min_obs = default_min_estimation_obs(self.estimation_window, self.k)
        if min_obs <= self.k:
            raise SpecificationError(
                f"EstimationWindow min_obs={min_obs} must be larger than k = {self.k}"
            )
        self.min_obs = int(min_obs)

    # ------------------------------------------------------------------ validation
    @staticmethod
    def _check_returns(returns: Any) -> pd.DataFrame:
        if not isinstance(returns, pd.DataFrame):
            raise SpecificationError(
                f"returns must be a wide DataFrame (dates x assets); got {type(returns).__name__}"
            )
        index = _date_index(returns.index, "returns")
        if not index.is_monotonic_increasing or index.has_duplicates:
            raise SpecificationError("returns index must be sorted ascending with unique dates")
        return returns.set_axis(index, axis=0)

    @staticmethod
    def _check_events(events: Any) -> pd.DataFrame:
        if not isinstance(events, pd.DataFrame):
            raise SpecificationError(f"events must be a DataFrame; got {type(events).__name__}")
        missing = [c for c in ("event_id", "asset", "day0") if c not in events.columns]
        if missing:
            raise SpecificationError(
                f"events is missing column(s) {missing}; required: event_id, asset, day0 "
                "(optional: market, extend)"
            )
        ev = events.reset_index(drop=True).copy()
        ev["event_id"] = ev["event_id"].astype(str)
        ev["asset"] = ev["asset"].astype(str)
        try:
            day0 = pd.to_datetime(ev["day0"])
        except (TypeError, ValueError) as exc:
            raise SpecificationError("events column day0 must hold dates") from exc
        if day0.dt.tz is not None:
            first = day0.dropna()
            seen = f" (first: {first.iloc[0]})" if len(first) else ""
            raise SpecificationError(
                f"events column day0 is timezone-aware ({day0.dt.tz}){seen}; day0 must be a "
                "trading date (tz-naive), not an event time. Map event times to day 0 with "
                "eventstudy.data.day0.day0_for_events or eventstudy.data.day0.align_events"
            )
        ev["day0"] = day0.dt.normalize()
        dup = ev.duplicated(["event_id", "asset"])
        if dup.any():
            pairs = ev.loc[dup, ["event_id", "asset"]].to_records(index=False).tolist()
            raise SpecificationError(f"events has duplicate (event_id, asset) pairs: {pairs[:5]}")
        if "extend" in ev.columns:
            ext = pd.to_numeric(ev["extend"], errors="coerce")
            if ext.isna().any() or (ext < 0).any() or (ext != ext.round()).any():
                raise SpecificationError("events column extend must hold integers >= 0")
            ev["extend"] = ext.astype(np.int64)
        return ev

    def _check_benchmark(
        self, benchmark: pd.Series | pd.DataFrame | None, index: pd.DatetimeIndex
    ) -> pd.DataFrame | None:
        if benchmark is None:
            if self.model.needs_benchmark:
                raise SpecificationError(
                    f'model="{self.model.name}" needs a benchmark (Series or DataFrame)'
                )
            return None
        if isinstance(benchmark, pd.Series):
            benchmark = benchmark.to_frame(name=str(benchmark.name or "benchmark"))
        if not isinstance(benchmark, pd.DataFrame):
            raise SpecificationError("benchmark must be a Series or a DataFrame")
        if benchmark.shape[1] > 1 and "market" not in self.events.columns:
            raise SpecificationError(
                "benchmark has several columns; add a 'market' column to events naming the "
                "benchmark column of each row, or pass a Series"
            )
        return _on_index(benchmark, index, "benchmark")

    def _regressor_names(self) -> tuple[str, ...]:
        names: list[str] = []
        if self.benchmark is not None and self.model.uses_benchmark:
            names.append("market")
        if self.model.uses_factors and self.factors is not None:
            names += [str(c) for c in self.factors.columns]
        return tuple(names)

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        *,
        variance: Literal["textbook", "pyeventstudy"] = "textbook",
        alternative: Literal["two-sided", "greater", "less"] = "two-sided",
        convention: str = "textbook",
        tests: Sequence[str] | None = None,
        test_options: dict | None = None,
    ) -> EventStudyResults:
        """Fit the normal-return model for all events; inference is derived from the fit.

        Parameters
        ----------
        variance : {"textbook", "pyeventstudy"}, default "textbook"
            Per-event and cross-event variances. ``"textbook"``: CLM's prediction-error
            corrected :math:`V_i`. ``"pyeventstudy"``: PyPI eventstudy 0.1a12's convention
            (σ² with ddof 0, no prediction-error term, Var(CAR) = Lσ², t(n−1); AAR/CAAR
            t(Σ(n_i−1))), for reproducing that package only. The battery always reads textbook
            variances.
        alternative : {"two-sided", "greater", "less"}, default "two-sided"
            Alternative of every p-value (per-event t, CAAR :math:`J_1`, battery).
        convention : str, default "textbook"
            Battery convention (peer conventions such as ``"estudy2"``; see
            :func:`eventstudy.engine.stats.aar_tests`).
        tests : sequence of str, optional
            Battery tests run by :meth:`EventStudyResults.tests` (None = the battery's default
            set; an empty sequence = none).
        test_options : dict, optional
            Extra keyword options of the battery.

        Returns
        -------
        EventStudyResults
            Abnormal returns and covariances; CARs, CAARs, tests are derived on demand.
        """
        variance = _choice("variance", variance, VARIANCES)
        alternative = _choice("alternative", alternative, ALTERNATIVES)
        if self.model.name == "garch" and variance != "textbook":
            raise SpecificationError('variance="pyeventstudy" applies to OLS models, not "garch"')
        ledger = _Ledger(len(self.events))
        with small_pages():  # the windows and fits are the study's largest fresh arrays
            layout = self._layout(ledger)
            arrays = self._estimate(layout, ledger)
        return EventStudyResults(
            model=self.model.name,
            estimation_window=self.estimation_window,
            event_window=self.event_window,
            car_windows=self.car_windows,
            return_type=self.return_type,
            variance=variance,
            alternative=alternative,
            convention=convention,
            test_spec=None if tests is None else tuple(tests),
            test_options=dict(test_options or {}),
            arrays=arrays,
            events=self._events_table(ledger, layout.day0_date),
            exclusions=self._exclusions(ledger),
            data_versions=self.data_versions,
        )

    def _layout(self, ledger: _Ledger) -> _Layout:
        """Day 0 and window rows of every event on its asset's trading days."""
        ev, est, win = self.events, self.estimation_window, self.event_window
        index = self.returns.index
        values = self.returns.to_numpy(dtype=float)
        assets = pd.Index(self.returns.columns.astype(str))
        col = assets.get_indexer(ev["asset"])
        ledger.exclude(
            col < 0, "data", lambda i: f"asset {ev['asset'].iloc[i]!r} is not a column of returns"
        )
        bcol = self._benchmark_columns(ledger)
        calendars = _Calendars.build(values, win.calendar)
        colc = np.maximum(col, 0)
        n_days = np.isfinite(values).sum(axis=0)[colc] if values.size else np.zeros(len(ev), int)
        need = self.min_obs + win.length
        ledger.exclude(
            (col >= 0) & (n_days < need),
            "asset",
            lambda i: (
                f"asset {ev['asset'].iloc[i]!r} has {n_days[i]} trading day(s) with returns; an "
                f"event needs {self.min_obs} estimation days and the {win.length}-day event window"
            ),
        )
        day0 = ev["day0"].to_numpy(dtype="datetime64[ns]")
        first_row = index.searchsorted(day0, side="left")
        pos0 = calendars.day0_position(colc, first_row)
        after = np.isnat(day0) | (pos0 >= calendars.counts[colc])
        ledger.exclude(np.isnat(day0), "day0", "day 0 is missing (NaT)")
        ledger.exclude(after, "day0", "day 0 is after the last date of the returns data")
        row0 = calendars.to_rows(colc, pos0[:, None])[:, 0]
        dates = index.to_numpy()
        day0_date = np.where(row0 >= 0, dates[np.maximum(row0, 0)], np.datetime64("NaT"))
        if win.max_day0_shift is not None:
            shift = (day0_date - day0).astype("timedelta64[D]").astype(float)
            ledger.exclude(
                shift > win.max_day0_shift,
                "day0",
                lambda i: (
                    f"no trading date within {win.max_day0_shift} calendar days on or after day0 "
                    f"{pd.Timestamp(day0[i]).date()}"
                ),
            )
        ext = (
            ev["extend"].to_numpy(np.int64)
            if "extend" in ev.columns
            else np.zeros(len(ev), np.int64)
        )
        ev_rel = np.arange(win.start, win.end + int(ext.max(initial=0)) + 1, dtype=np.int64)
        cand = np.flatnonzero(ledger.ok)
        est_off = _est_offsets(est, win, ext[cand])
        rows_est, est_start, est_pattern = _estimation_rows(
            calendars, col[cand], pos0[cand], est_off
        )
        rows_ev = calendars.to_rows(col[cand], pos0[cand, None] + ev_rel[None, :])
        return _Layout(
            cand=cand,
            col=col[cand],
            bcol=bcol[cand],
            ext=ext[cand],
            ev_rel=ev_rel,
            rows_est=rows_est,
            est_start=est_start,
            est_offsets=est_pattern,
            n_rows=calendars.n_rows,
            est_width=est_off.shape[1],
            rows_ev=rows_ev,
            before_start=(rows_ev < 0) & ((pos0[cand, None] + ev_rel[None, :]) < 0),
            day0_date=day0_date,
        )

    def _benchmark_columns(self, ledger: _Ledger) -> np.ndarray:
        ev = self.events
        if self.benchmark is None or "market" not in ev.columns or self.benchmark.shape[1] == 1:
            return np.zeros(len(ev), dtype=np.int64)
        names = pd.Index(self.benchmark.columns.astype(str))
        bcol = names.get_indexer(ev["market"].astype(str))
        ledger.exclude(
            bcol < 0,
            "data",
            lambda i: f"market {ev['market'].iloc[i]!r} is not a column of benchmark",
        )
        return np.maximum(bcol, 0)

    def _regressors(
        self,
        take: Callable[[np.ndarray, np.ndarray], np.ndarray],
        bcol: np.ndarray,
        shape: tuple[int, int],
    ) -> np.ndarray:
        """(N, L, p) regressors (benchmark first, then factors) of windows of ``shape``.

        ``take(values, cols)`` gathers the windows of series ``cols`` of ``values`` (e.g.
        :func:`~eventstudy.engine.windows.gather` at the windows' rows); ``bcol``: the
        benchmark column of each event.
        """
        regs: list[np.ndarray] = []
        if self.benchmark is not None and self.model.uses_benchmark:
            regs.append(take(self.benchmark.to_numpy(dtype=float), bcol))
        if self.model.uses_factors and self.factors is not None:
            values = self.factors.to_numpy(dtype=float)
            for j in range(values.shape[1]):
                regs.append(take(values, np.full(shape[0], j)))
        if len(regs) == 1:
            return regs[0][:, :, None]
        if not regs:
            return np.zeros((*shape, 0))
        return np.stack(regs, axis=2)

    def _estimation_regressors(
        self, layout: _Layout, shape: tuple[int, int]
    ) -> np.ndarray | RowWindows:
        """The estimation windows' (N, Le, p) regressors (:meth:`_regressors`).

        When they are the benchmark alone on windows that are runs of rows and the model
        reads them a block of events at a time (``regressors_by_block``), they are left as
        :class:`~eventstudy.engine.windows.RowWindows` of the benchmark: not copied.
        """
        lazy = (
            layout.est_start is not None
            and reads_regressors_by_block(self.model)
            and self.benchmark is not None
            and self.model.uses_benchmark
            and not (self.model.uses_factors and self.factors is not None)
        )
        if lazy:
            assert self.benchmark is not None
            return layout.estimation_windows(self.benchmark.to_numpy(dtype=float), layout.bcol)
        return self._regressors(layout.gather_estimation, layout.bcol, shape)

    def _masked(self, layout: _Layout) -> np.ndarray:
        """(N, Le) True where the estimation mask removes a day (False outside the data).

        Windows that are one pattern of rows are read as runs of the mask's columns
        (:func:`~eventstudy.engine.windows.gather_pattern`, no N x Le row array).
        """
        table, col = self._mask_table(layout)
        if layout.rows_est is None:
            assert layout.est_start is not None
            return gather_pattern(
                table, layout.est_start, col, layout.est_width, layout.est_offsets,
                fill=False, dtype=bool,
            )  # fmt: skip
        return gather(table, layout.rows_est, col, fill=False, dtype=bool)

    def _mask_table(self, layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
        """The mask as a column-major (T, C) bool table, and each event's column of it.

        A Series is one column for every asset; a frame's assets are matched by name, with
        a last column of False for the assets it does not name.
        """
        assert self._mask is not None
        if isinstance(self._mask, pd.Series):
            return self._mask.to_numpy(dtype=bool)[:, None], np.zeros(layout.cand.size, np.intp)
        names = pd.Index(self._mask.columns.astype(str))
        table = np.zeros((len(self._mask), len(names) + 1), dtype=bool, order="F")
        table[:, :-1] = self._mask.to_numpy(dtype=bool)
        col = names.get_indexer(self.returns.columns.astype(str)[layout.col])
        return table, np.where(col < 0, len(names), col)

    def _estimate(self, layout: _Layout, ledger: _Ledger) -> FitArrays:
        """Gather the windows, exclude events with missing event returns, fit the model."""
        est, win = self.estimation_window, self.event_window
        values = self.returns.to_numpy(dtype=float)
        est_shape = (layout.cand.size, layout.est_width)
        y_est = layout.gather_estimation(values, layout.col)
        y_ev = gather(values, layout.rows_ev, layout.col)
        x_est = self._estimation_regressors(layout, est_shape)
        x_ev = self._regressors(
            lambda v, c: gather(v, layout.rows_ev, c), layout.bcol, layout.rows_ev.shape
        )
        own = _window_columns(layout.ev_rel, win.bounds, layout.ext)
        missing = (~np.isfinite(y_ev) | ~np.isfinite(x_ev).all(axis=2)) & own
        self._exclude_missing(layout, missing, ledger)
        if self._mask is None:  # nothing masked: no N x Le pass
            valid = np.ones((layout.cand.size, layout.est_width), dtype=bool)
            n_masked = np.zeros(layout.cand.size, dtype=np.intp)
        else:
            masked = self._masked(layout)
            valid = ~masked
            n_masked = (masked & np.isfinite(y_est)).sum(axis=1)
        layout.clear_outside(valid)  # estimation days outside the data are not usable
        names = self._regressor_names()
        if layout.cand.size:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                overwrite = {"overwrite_y": True} if accepts_overwrite_y(self.model) else {}
                fit = self.model.fit(  # y_est (gathered here) may take the residuals
                    y_est, x_est, y_ev, x_ev, valid, **overwrite,
                    regressor_names=names, forecast_steps=layout.ev_rel - est.end,
                )  # fmt: skip
            self._exclude_after_fit(layout, fit, ledger)
        else:
            fit = _empty_fit(self.model.name, self.k, est.n_days, layout.ev_rel.size)
        keep = ledger.ok[layout.cand]
        return _kept_arrays(self, layout, fit, keep, y_ev, x_est, x_ev, own, n_masked)

    def _exclude_missing(self, layout: _Layout, missing: np.ndarray, ledger: _Ledger) -> None:
        win = self.event_window
        required = win.required
        if required is None or not layout.cand.size:
            return
        req = _window_columns(layout.ev_rel, required, layout.ext)
        bad = (missing & req).any(axis=1)
        before = (layout.before_start & req).any(axis=1)
        past = (layout.rows_ev < 0) & ~layout.before_start & req
        counts = (missing & req).sum(axis=1)
        where = (
            f"event window {win.bounds}"
            if required == win.bounds
            else f"required window {required}"
        )
        full = np.zeros(ledger.reasons.size, dtype=bool)
        for mask, text in (
            (before, "event window starts before the first date of the returns data"),
            (past.any(axis=1), "event window runs past the last date of the returns data"),
        ):
            full[:] = False
            full[layout.cand[mask]] = True
            ledger.exclude(full, "event_window", text)
        by_event = dict(zip(layout.cand, counts, strict=True))
        full[:] = False
        full[layout.cand[bad]] = True
        ledger.exclude(
            full, "event_window", lambda i: f"{by_event[i]} missing return(s) in the {where}"
        )

    def _exclude_after_fit(self, layout: _Layout, fit: NormalReturnFit, ledger: _Ledger) -> None:
        n_all = ledger.reasons.size
        few = np.zeros(n_all, dtype=bool)
        few[layout.cand[fit.n_est < self.min_obs]] = True
        n_used = dict(zip(layout.cand, fit.n_est, strict=True))
        ledger.exclude(
            few,
            "estimation",
            lambda i: (
                f"{n_used[i]} usable estimation observation(s), fewer than "
                f"min_estimation_obs={self.min_obs}"
            ),
        )
        failed_mask = fit.failed != None  # noqa: E711
        reasons = dict(zip(layout.cand[failed_mask], fit.failed[failed_mask], strict=True))
        failed = np.zeros(n_all, dtype=bool)
        failed[layout.cand[failed_mask]] = True
        ledger.exclude(failed, "model", lambda i: str(reasons[i]))

    def _events_table(self, ledger: _Ledger, day0_date: np.ndarray) -> pd.DataFrame:
        ev = self.events
        table = ev[["event_id", "asset"]].copy()
        table["market"] = ev["market"].astype(str) if "market" in ev.columns else None
        table["day0"] = ev["day0"]
        table["day0_date"] = pd.to_datetime(day0_date)
        table["status"] = np.where(ledger.ok, "studied", "excluded")
        return table

    def _exclusions(self, ledger: _Ledger) -> pd.DataFrame:
        out = ~ledger.ok
        return pd.DataFrame(
            {
                "event_id": self.events["event_id"].to_numpy()[out],
                "asset": self.events["asset"].to_numpy()[out],
                "stage": ledger.stages[out].astype(str),
                "reason": ledger.reasons[out].astype(str),
            },
            columns=EXCLUSION_COLUMNS,
        )


@dataclass(frozen=True)
class _Layout:
    """Where the candidate events' windows fall (positions refer to ``cand`` order)."""

    cand: np.ndarray  # event rows that passed the checks before gathering
    col: np.ndarray  # asset column of each candidate
    bcol: np.ndarray  # benchmark column
    ext: np.ndarray  # extension of the event window (episodes)
    ev_rel: np.ndarray  # offsets of the (extended) event window
    rows_est: np.ndarray | None  # (N, Le) estimation rows, -1 outside; None: runs (est_start)
    est_start: np.ndarray | None  # (N,) first rows when the windows are one pattern of rows
    # start + est_offsets, perhaps reaching past an end of the data (rows_est then None: no
    # N x Le index array), else None
    est_offsets: np.ndarray | None  # (Le,) that pattern; None: 0..Le-1 (one run)
    n_rows: int  # rows of the data
    est_width: int  # Le, estimation days per event
    rows_ev: np.ndarray  # (N, L2) index rows of the event window, -1 outside the data
    before_start: np.ndarray  # (N, L2) event-window days before the first date of the data
    day0_date: np.ndarray  # (all events,) trading date of day 0 (NaT when none)

    def estimation_rows(self) -> np.ndarray:
        """(N, Le) index rows of the estimation windows (built from ``est_start`` if needed)."""
        if self.rows_est is not None:
            return self.rows_est
        assert self.est_start is not None
        return _inside(self.est_start[:, None] + self._pattern(), self.n_rows)

    def clear_outside(self, flags: np.ndarray) -> None:
        """Set the (N, Le) ``flags`` False on estimation days outside the data, in place.

        With a pattern of rows only the events whose windows reach past an end are read.
        """
        if self.rows_est is not None:
            flags &= self.rows_est >= 0
            return
        assert self.est_start is not None
        first, pattern = self.est_start, self._pattern()
        edge = np.flatnonzero((first < 0) | (first + pattern[-1] >= self.n_rows))
        if edge.size:
            rows = first[edge, None] + pattern
            flags[edge] &= (rows >= 0) & (rows < self.n_rows)

    def _pattern(self) -> np.ndarray:
        return np.arange(self.est_width) if self.est_offsets is None else self.est_offsets

    def gather_estimation(self, values: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """:func:`~eventstudy.engine.windows.gather` of the estimation windows of ``cols``."""
        if self.rows_est is None:
            assert self.est_start is not None
            return gather_pattern(values, self.est_start, cols, self.est_width, self.est_offsets)
        return gather(values, self.rows_est, cols)

    def estimation_windows(
        self, values: np.ndarray, cols: np.ndarray | None = None, keep: np.ndarray | None = None
    ) -> RowWindows:
        """The estimation windows (``est_start`` set) of ``values`` as RowWindows, not read.

        ``values`` (T, ...) has the data's rows; where windows reach past an end it is padded
        with missing days (a copy, so for narrow tables: dates, benchmarks). ``cols``: the
        column of each event (2-D ``values``); ``keep``: a mask of the events.
        """
        assert self.est_start is not None
        start = self.est_start if keep is None else self.est_start[keep]
        if cols is not None and keep is not None:
            cols = cols[keep]
        before, after = _reach(start, int(self._pattern()[-1]), self.n_rows)
        padded = _padded(values, before, after)
        return RowWindows(padded, start + before, self.est_width, cols, self.est_offsets)


def _padded(values: np.ndarray, before: int, after: int) -> np.ndarray:
    """``values`` with ``before`` and ``after`` rows of missing values (NaN, NaT, False) added.

    ``values`` itself when both are 0; the copy keeps a column-major layout.
    """
    if not (before or after):
        return values
    kind = values.dtype.kind
    if kind not in "fMb":
        raise TypeError(f"no missing value to pad a {values.dtype} table with")
    fill: Any = {"f": np.nan, "M": np.datetime64("NaT"), "b": False}[kind]
    order: Literal["C", "F"] = "F" if values.ndim == 2 and values.flags.f_contiguous else "C"
    shape = (before + values.shape[0] + after, *values.shape[1:])
    out = np.full(shape, fill, dtype=values.dtype, order=order)
    out[before : before + values.shape[0]] = values
    return out


def _estimation_rows(
    calendars: _Calendars, col: np.ndarray, pos0: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """``(None, starts, pattern)`` for one pattern of rows, else ``(rows, None, None)``.

    ``offsets`` (1 or N, Le) are the windows' positions relative to day 0 (``pos0``). When
    positions map to rows by a shift (the shared calendar: position = row; or every asset's
    days one block of rows, ``calendars.offsets``: row = position + the asset's first row)
    and every event has the same increasing offsets, the windows are ``start_i + pattern``
    (``pattern = offsets - offsets[0]``, None for ``0..Le-1``): only the starts are returned
    (no N x Le index array; windows may reach at most :data:`_MAX_PAD` x Le rows past either
    end of the data); else the rows of :meth:`_Calendars.to_rows` (-1 outside the data).
    """
    if calendars.rows is None and _one_pattern(offsets, pos0.size):
        start = pos0 + offsets[0, 0]
        has_days = True
        if calendars.offsets is not None:  # an asset without days maps every position to -1
            start = start + calendars.offsets[col]
            has_days = bool((calendars.counts[col] > 0).all())
        pattern = offsets[0] - offsets[0, 0]
        before, after = _reach(start, int(pattern[-1]), calendars.n_rows)
        if has_days and max(before, after) <= _MAX_PAD * pattern.size:
            one_run = bool(pattern[-1] == pattern.size - 1)
            return None, start.astype(np.int64), None if one_run else pattern.astype(np.intp)
    out = np.empty((pos0.size, offsets.shape[1]), dtype=np.int64)
    for lo in range(0, pos0.size, _ROWS_BLOCK):  # the mapping's temporaries stay small
        blk = slice(lo, lo + _ROWS_BLOCK)
        offs = offsets if offsets.shape[0] == 1 else offsets[blk]
        out[blk] = calendars.to_rows(col[blk], pos0[blk, None] + offs)
    return out, None, None


def _reach(start: np.ndarray, last: int, n_rows: int) -> tuple[int, int]:
    """Rows the windows ``start + 0..last`` reach before the data and after its ``n_rows``."""
    before = max(0, -int(start.min(initial=0)))
    after = max(0, int(start.max(initial=0)) + last + 1 - n_rows)
    return before, after


#: How far (in estimation windows) windows may reach past either end of the data and still be
#: read as one pattern of rows (:func:`_estimation_rows`).
_MAX_PAD = 2


#: Events per block of :func:`_estimation_rows` (each block's N x Le temporaries in cache).
_ROWS_BLOCK = 2048


def _one_pattern(offsets: np.ndarray, n: int) -> bool:
    """Return True when ``n`` > 0 events share ``offsets`` (one row), increasing."""
    return bool(
        n > 0 and offsets.shape[0] == 1 and offsets.shape[1] and (np.diff(offsets[0]) > 0).all()
    )


#: What :func:`_kept_arrays` keeps the rows of: arrays, or the lazy ones (``.rows``).
_Kept = TypeVar("_Kept", bound=np.ndarray | PredictionErrorCov | RowWindows)


def _empty_fit(name: str, k: int, l1: int, l2: int) -> NormalReturnFit:
    return NormalReturnFit(
        model=name,
        param_names=(),
        params=np.empty((0, 0)),
        std_errors=np.empty((0, 0)),
        k=k,
        n_est=np.empty(0, dtype=np.int64),
        sigma2=np.empty(0),
        resid_var_ddof0=np.empty(0),
        est_resid=np.empty((0, l1)),
        normal_event=np.empty((0, l2)),
        event_cov=np.empty((0, l2, l2)),
        failed=np.empty(0, dtype=object),
    )


def _kept_arrays(
    study: EventStudy,
    layout: _Layout,
    fit: NormalReturnFit,
    keep: np.ndarray,
    y_ev: np.ndarray,
    x_est: np.ndarray | RowWindows,
    x_ev: np.ndarray,
    own: np.ndarray,
    n_masked: np.ndarray,
) -> FitArrays:
    """Assemble the fitted arrays of the studied events, NaN outside each event's window."""
    all_kept = bool(keep.all())

    def kept(a: _Kept) -> _Kept:
        if all_kept:
            return a
        if isinstance(a, PredictionErrorCov | RowWindows):
            return cast(_Kept, a.rows(keep))  # the lazy ones: their rows, not built
        return a[keep]

    index_dates = np.concatenate(
        [study.returns.index.to_numpy().astype("datetime64[D]"), [np.datetime64("NaT")]]
    )

    def dates(rows: np.ndarray) -> np.ndarray:
        return index_dates.take(rows)  # row -1 (outside the data) takes the NaT at the end

    def est_dates(rows: np.ndarray) -> np.ndarray:
        """The dates of the estimation rows (private), written over the rows themselves."""
        if rows.dtype.itemsize != 8 or not rows.flags.c_contiguous:
            return dates(kept(rows))
        rows = rows if all_kept else compact_rows(rows, keep)
        out = rows.view("datetime64[D]")  # 8 bytes each: index i is read before written
        return index_dates.take(rows, out=out, mode="wrap")  # "wrap": -1 is the NaT

    ret, normal, own = kept(y_ev), kept(fit.normal_event), kept(own)  # each once
    all_own = bool(own.all())  # no event window shorter than the panel's (``extend``)
    ar = ret - normal
    cov = kept(fit.event_cov)
    blank = ~np.isfinite(ar)
    if not all_own:
        blank |= ~own
    if blank.any():  # panel contract: rows/columns of missing event days are NaN
        ar = ar if all_own else np.where(own, ar, np.nan)
        if isinstance(cov, PredictionErrorCov):
            cov = cov.with_blank(blank)
        else:  # ``cov`` is private to this fit (or a copy when rows were dropped)
            cov[blank] = np.nan
            cov.transpose(0, 2, 1)[blank] = np.nan
    lazy_market = isinstance(x_est, RowWindows)  # the benchmark's windows, not copied
    has_market = (
        (lazy_market or x_est.shape[2] > 0)
        and study.benchmark is not None
        and study.model.uses_benchmark
    )
    ids, assets = study.events["event_id"].array, study.events["asset"].array
    sel = layout.cand[keep]
    return FitArrays(
        event_ids=np.asarray(ids.take(sel), dtype=object) if sel.size else np.empty(0, object),
        assets=np.asarray(assets.take(sel), dtype=object) if sel.size else np.empty(0, object),
        est_rel_days=study.estimation_window.rel_days,
        event_rel_days=layout.ev_rel,
        nominal_length=study.event_window.length,
        extend=kept(layout.ext),
        ret=ret if all_own else np.where(own, ret, np.nan),  # private to this fit
        normal=normal if all_own else np.where(own, normal, np.nan),
        ar=ar,
        cov=cov,
        event_dates=dates(kept(layout.rows_ev)),
        est_ar=fit.est_resid if all_kept else compact_rows(fit.est_resid, keep),  # private
        est_dates=(
            est_dates(layout.estimation_rows())
            if layout.est_start is None
            else layout.estimation_windows(index_dates, keep=None if all_kept else keep)
        ),
        est_market=(
            kept(x_est)  # the benchmark's windows (RowWindows): one regressor
            if isinstance(x_est, RowWindows)
            else np.ascontiguousarray(kept(x_est[:, :, 0]))
        )
        if has_market
        else None,
        event_market=np.ascontiguousarray(kept(x_ev[:, :, 0])) if has_market else None,
        sigma2=kept(fit.sigma2),
        var0=kept(fit.resid_var_ddof0),
        n_est=kept(fit.n_est).astype(np.int64),
        n_masked=kept(n_masked).astype(np.int64),
        k=fit.k,
        param_names=fit.param_names,
        params=kept(fit.params),
        std_errors=kept(fit.std_errors),
    )
