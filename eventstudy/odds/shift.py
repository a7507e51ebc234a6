"""Polymarket odds around one event: the shift of one outcome token and its abnormality.

This module holds the per-market maths (:func:`odds_shift`, :func:`logodds`,
:func:`clip_probability`, :func:`prepare_odds`, the sample-grid null distributions). The
catalog / data-directory driver and the screener live in :mod:`eventstudy.odds.study`
(:func:`~eventstudy.odds.study.run_odds_study`, :func:`~eventstudy.odds.study.shift_markets`,
:func:`~eventstudy.odds.study.screen_markets`), gold-vs-odds association in
:mod:`eventstudy.odds.association`; their public names stay importable from here.

Conventions (used by every function here)
-----------------------------------------
* **Prices.** ``p`` is a Polymarket outcome price in [0, 1], read as the market's probability of
  that outcome. It is a forward-filled mid-price series, not trades: a sample is not evidence that
  anything traded (ECOSYSTEM.md §1.3).
* **Times.** All timestamps are tz-aware UTC; horizons, windows, guards and tolerances are
  :class:`pandas.Timedelta` of *wall-clock* time (markets trade 24/7), e.g. ``"1D"``, ``"6h"``.
* **Before.** ``p_before`` is the last sample stamped *strictly before* the event time: a sample
  stamped exactly at the event time cannot reflect it.
* **After.** ``p_after`` at horizon ``h`` is the last sample at or before
  ``min(event_time + h, closed_at)`` and strictly after the event time (as-of lookup, right for
  any sampling: daily 00:00 UTC in the snapshot, minutes from the live API). When the market
  closed before ``event_time + h`` the row is ``truncated`` and ``horizon_used`` says how far the
  window really reached; no window runs past the market's close.
* **Units.** ``shift_pp`` is in percentage points of probability, ``100 * (p_after - p_before)``,
  from the raw prices. ``shift_logodds`` is ``logit(p_after) - logit(p_before)`` in natural
  log-odds, after clipping both prices to ``[eps, 1 - eps]``; the default ``eps = 0.005`` (half
  the usual 0.01 tick) bounds ``|logit|`` by ``log(199) = 5.29``.
* **Abnormal.** ``abnormal_z`` divides the event shift by the standard deviation (ddof = 1) of
  the market's own changes over the *same elapsed time* in a pre-event estimation window (default
  the 60 days before the event): changes start at every sample ``t_i`` in
  ``[event_time - window, event_time - elapsed]`` and end at the last sample at or before
  ``t_i + elapsed`` among samples strictly before the event (overlapping changes on the sample
  grid). ``elapsed = t_after - t_before`` is the time between the two samples the event shift
  uses, so coarse sampling and truncation at the close are compared like with like. No drift is
  removed: a fair-odds price is a martingale. ``empirical_p`` is two-sided,
  ``(1 + #{|d_j| >= |shift|}) / (1 + n_null)``, over the market's same-elapsed-time changes
  ``d_j`` starting at every sample of its life whose window ``[t_j, t_j + elapsed]`` lies inside
  the observed life and does not overlap ``[event_time - guard, event_time + elapsed + guard]``
  nor the same band around any other event time given in ``exclude_times``.
  Both are computed on the scale chosen with ``scale`` (log-odds by default).

Statuses (column ``status``; ``reason`` says why in words)
---------------------------------------------------------
``ok``
    Shift, ``abnormal_z`` and ``empirical_p`` computed.
``no_baseline``
    The shift is computed but ``abnormal_z`` and/or ``empirical_p`` are not (too few pre-event
    or non-event changes, or no variability: a constant price has ``abnormal_z`` NaN and, since
    every null change ties with a zero shift, ``empirical_p = 1``).
``stale``
    A sample used lies farther from its target time than the tolerance (default
    ``max(1.5 * median sample spacing, 1 h)``); numbers are given but are not about that time.
``truncated``
    The market closed before ``event_time + h``; the shift runs to the close (see
    ``horizon_used``).
``not_computable``
    No shift: no price history, market created after or closed before the event, no sample
    before the event, or no sample between the event and the horizon.

When several apply the status is the first of ``not_computable, truncated, stale, no_baseline``
and ``reason`` lists all of them.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataFormatError, SpecificationError

__all__ = [
    "DEFAULT_EPS",
    "DEFAULT_HORIZONS",
    "STATUSES",
    "clip_probability",
    "default_tolerance",
    "logodds",
    "market_life_problem",
    "median_spacing",
    "odds_shift",
    "prepare_odds",
]

DEFAULT_EPS: float = 0.005
"""Default clip for log-odds: prices are clipped to ``[0.005, 0.995]`` (half a 0.01 tick)."""

DEFAULT_HORIZONS: tuple[str, ...] = ("1D", "3D", "7D")
"""Default horizons after the event (wall-clock days)."""

STATUSES: tuple[str, ...] = ("ok", "no_baseline", "stale", "truncated", "not_computable")
"""Accepted values of the ``status`` column, from best to worst."""

_SEVERITY = {"not_computable": 4, "truncated": 3, "stale": 2, "no_baseline": 1, "ok": 0}
_TIE_TOL = 1e-12  # |d| >= |shift| - tol: float noise in log-odds never breaks a tie

Scale = Literal["logodds", "pp"]
Aggregate = Literal["mean", "median", "largest_abs"]

_DETAIL_COLUMNS = [
    "horizon",
    "horizon_used",
    "target_time",
    "t_before",
    "p_before",
    "t_after",
    "p_after",
    "elapsed",
    "shift_pp",
    "shift_logodds",
    "abnormal_z",
    "sigma",
    "n_estimation",
    "empirical_p",
    "n_null",
    "gap_before",
    "gap_after",
    "tolerance",
    "stale",
    "truncated",
    "status",
    "reason",
    "eps",
    "scale",
]


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def clip_probability(p: Any, eps: float = DEFAULT_EPS) -> np.ndarray:
    """Clip probabilities to ``[eps, 1 - eps]``.

    Parameters
    ----------
    p : array_like
        Probabilities in [0, 1].
    eps : float, default 0.005
        Clip width, in probability (not percentage points); ``0 < eps < 0.5``.

    Returns
    -------
    ndarray of float
    """
    _check_eps(eps)
    return np.clip(np.asarray(p, dtype=float), eps, 1.0 - eps)


def logodds(p: Any, eps: float = DEFAULT_EPS) -> np.ndarray:
    """Natural log-odds ``log(p / (1 - p))`` after clipping ``p`` to ``[eps, 1 - eps]``.

    Parameters
    ----------
    p : array_like
        Probabilities in [0, 1].
    eps : float, default 0.005
        Clip width; the result is finite, bounded by ``log((1 - eps) / eps)``.

    Returns
    -------
    ndarray of float
        Log-odds (nats).
    """
    q = clip_probability(p, eps)
    return np.log(q) - np.log1p(-q)


def _check_eps(eps: float) -> None:
    if not (isinstance(eps, int | float) and 0.0 < float(eps) < 0.5):
        raise SpecificationError(
            f"eps={eps!r} is not accepted; expected a float with 0 < eps < 0.5"
        )


def _to_utc(value: Any, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise SpecificationError(f"{name}={value!r} is not a timestamp") from exc
    if ts is pd.NaT:
        raise SpecificationError(f"{name} is NaT; expected a tz-aware timestamp")
    if ts.tzinfo is None:
        raise SpecificationError(
            f"{name}={value!r} has no time zone; pass a tz-aware timestamp "
            "(e.g. pd.Timestamp('2025-06-21 19:50', tz='America/New_York'))"
        )
    return ts.tz_convert("UTC")


def _opt_utc(value: Any, name: str) -> pd.Timestamp | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return _to_utc(value, name)


def _to_timedelta(value: Any, name: str, *, positive: bool = True) -> pd.Timedelta:
    try:
        td = pd.Timedelta(value)
    except (TypeError, ValueError) as exc:
        raise SpecificationError(
            f"{name}={value!r} is not a duration; expected e.g. '1D', '6h', '30min' or a Timedelta"
        ) from exc
    if (
        td is pd.NaT
        or (positive and td <= pd.Timedelta(0))
        or (not positive and td < pd.Timedelta(0))
    ):
        raise SpecificationError(
            f"{name}={value!r} must be a {'positive' if positive else 'non-negative'} duration"
        )
    return td


def _horizons(horizons: Iterable[Any] | str | pd.Timedelta) -> list[pd.Timedelta]:
    if isinstance(horizons, str | pd.Timedelta):
        horizons = [horizons]
    out = [_to_timedelta(h, "horizons") for h in horizons]
    if not out:
        raise SpecificationError("horizons is empty; pass at least one duration, e.g. ('1D',)")
    return out


def _check_scale(scale: str) -> None:
    if scale not in ("logodds", "pp"):
        raise SpecificationError(
            f"scale={scale!r} is not accepted; expected one of 'logodds', 'pp'"
        )


def _fmt_ts(ts: pd.Timestamp | None) -> str:
    return "NaT" if ts is None or ts is pd.NaT else ts.strftime("%Y-%m-%d %H:%M UTC")


def _fmt_td(td: pd.Timedelta) -> str:
    """A duration as ``1d``, ``2d 6h``, ``3h 20m``, ``45s`` (no zero parts)."""
    td = pd.Timedelta(td)
    sign, td = ("-", -td) if td < pd.Timedelta(0) else ("", td)
    c = td.components
    parts = [f"{v}{u}" for v, u in ((c.days, "d"), (c.hours, "h"), (c.minutes, "m"),
                                    (c.seconds, "s")) if v]  # fmt: skip
    return sign + (" ".join(parts) if parts else "0s")


def market_life_problem(event_time: Any, created_at: Any, closed_at: Any) -> str | None:
    """Why a market cannot measure an event from its life alone, or None if it can.

    A market measures an event only if it was trading at the event time:
    ``created_at <= event_time < closed_at`` (a missing ``closed_at`` means still open). This
    needs no price history, so it also names the problem for markets without one.

    Parameters
    ----------
    event_time : Timestamp-like, tz-aware
    created_at, closed_at : Timestamp-like or None
        Market creation and close (UTC), as in ``markets.csv``.

    Returns
    -------
    str or None
        ``"market created <time>, after the event"`` or ``"market closed <time>, at or before
        the event"``; None when the market was open at the event time.

    Examples
    --------
    >>> market_life_problem(pd.Timestamp("2023-10-07 03:30", tz="UTC"),
    ...                     "2023-10-07 20:17:00+00:00", "2023-11-01 06:37:00+00:00")
    'market created 2023-10-07 20:17 UTC, after the event'
    """
    tau = _to_utc(event_time, "event_time")
    created = _opt_utc(created_at, "created_at")
    closed = _opt_utc(closed_at, "closed_at")
    if created is not None and created > tau:
        return f"market created {_fmt_ts(created)}, after the event"
    if closed is not None and closed <= tau:
        return f"market closed {_fmt_ts(closed)}, at or before the event"
    return None


def prepare_odds(odds: pd.DataFrame) -> pd.DataFrame:
    """Check and normalise an odds frame: columns ``t`` (tz-aware UTC) and ``p`` in [0, 1].

    Sorted by ``t``; rows with missing ``p`` dropped; exact duplicate rows (same ``t`` and
    ``p``) dropped. A timestamp repeated with different prices is an error: which sample is the
    price is not for this function to guess (deduplicate first, e.g. keep the last sample as
    :func:`eventstudy.data.store.load_odds` does for files).

    Parameters
    ----------
    odds : DataFrame
        ``t`` (datetime64, tz-aware) and ``p`` (float, probability).

    Returns
    -------
    DataFrame
        ``t`` as ``datetime64[ns, UTC]``, ``p`` as float64, index 0..n-1.

    Raises
    ------
    DataFormatError
        Missing columns, naive timestamps or prices outside [0, 1].
    SpecificationError
        A timestamp appears with two different prices.
    """
    if not isinstance(odds, pd.DataFrame) or not {"t", "p"} <= set(odds.columns):
        cols = list(odds.columns) if isinstance(odds, pd.DataFrame) else type(odds).__name__
        raise DataFormatError(f"odds frame needs columns 't' and 'p'; got {cols}")
    t = pd.to_datetime(odds["t"])
    if t.dt.tz is None:
        raise DataFormatError("odds column 't' has no time zone; expected tz-aware UTC timestamps")
    t = t.dt.tz_convert("UTC").dt.as_unit("ns")
    p = odds["p"].astype("float64")
    t_ns, p_values = t.array.asi8, p.to_numpy()
    if (
        len(t_ns) > 0
        and t_ns[0] != pd.NaT.value
        and bool(np.all(t_ns[1:] > t_ns[:-1]))
        and bool(np.all((p_values >= 0) & (p_values <= 1)))  # False for NaN
    ):  # already what the steps below make (a stored file is): the same frame, built directly
        return pd.DataFrame({"t": t.array, "p": p_values})
    out = pd.DataFrame({"t": t, "p": p})
    out = out.dropna(subset=["t", "p"])
    bad = out["p"][(out["p"] < 0) | (out["p"] > 1)]
    if len(bad):
        raise DataFormatError(
            f"odds column 'p' has {len(bad)} value(s) outside [0, 1] (first: {bad.iloc[0]!r}); "
            "expected probabilities"
        )
    out = out.sort_values("t", kind="stable").drop_duplicates(["t", "p"], keep="last")
    clash = out["t"].duplicated(keep=False)
    if clash.any():
        first = out.loc[clash, "t"].iloc[0]
        prices = out.loc[out["t"] == first, "p"].tolist()
        raise SpecificationError(
            f"odds has {int(out['t'].duplicated().sum())} repeated timestamp(s) with different "
            f"prices; first: {first.isoformat()} has p={prices[0]!r} and p={prices[1]!r}. "
            "Deduplicate first, e.g. keep the last sample: "
            "odds.drop_duplicates('t', keep='last') "
            "(eventstudy.data.store.load_odds already does this for files and records the count in "
            "attrs['duplicates_dropped'])"
        )
    return out.reset_index(drop=True)


def median_spacing(t: pd.Series | pd.DatetimeIndex) -> pd.Timedelta:
    """Median time between consecutive samples (NaT with fewer than two samples)."""
    t = pd.DatetimeIndex(t)
    if len(t) < 2:
        return pd.NaT
    return pd.Timedelta(np.median(np.diff(t.asi8)), unit="ns")


def default_tolerance(t: pd.Series | pd.DatetimeIndex) -> pd.Timedelta:
    """``max(1.5 * median spacing, 1 hour)``: how far a sample may sit from its target time."""
    spacing = median_spacing(t)
    one_hour = pd.Timedelta("1h")
    if spacing is pd.NaT:
        return one_hour
    return max(1.5 * spacing, one_hour)


# --------------------------------------------------------------------------------------------
# changes on the sample grid (the null and the estimation window)
# --------------------------------------------------------------------------------------------


def _grid_changes(
    t_ns: np.ndarray, x: np.ndarray, starts: np.ndarray, elapsed_ns: int
) -> np.ndarray:
    """x(asof(t_i + elapsed)) - x(t_i) for start positions ``starts`` into ``t_ns``."""
    if len(starts) == 0:
        return np.empty(0)
    end = np.searchsorted(t_ns, t_ns[starts] + elapsed_ns, side="right") - 1
    return x[end] - x[starts]


def _band_overlap(
    t_start: np.ndarray, elapsed_ns: int, centres: np.ndarray, guard_ns: int
) -> np.ndarray:
    """True where ``[t, t + elapsed]`` overlaps ``[c - guard, c + elapsed + guard]``.

    ``c`` is any centre of ``centres`` (int64 ns, sorted ascending).

    The two intervals overlap exactly when ``t - elapsed - guard <= c <= t + elapsed + guard``
    (integer arithmetic), so one binary search per start finds whether a centre lies in that
    range: O(S log K) for S starts and K centres, instead of one pass over the starts per
    centre.
    """
    if len(centres) == 0 or len(t_start) == 0:
        return np.zeros(len(t_start), dtype=bool)
    reach = elapsed_ns + guard_ns
    first = np.searchsorted(centres, t_start - reach, side="left")
    past = np.searchsorted(centres, t_start + reach, side="right")
    return past > first


class _EventTimes:
    """Event times kept out of the nulls, converted once: sorted int64 ns (UTC).

    Built from any iterable of tz-aware timestamps; each value is checked by the same rule as
    :func:`odds_shift` (``exclude_times``) when the times are first needed, so a catalog's
    times are converted once per study instead of once per event and market.
    """

    __slots__ = ("_ns", "_values")

    def __init__(self, values: Iterable[Any]) -> None:
        self._values = values
        self._ns: np.ndarray | None = None

    @property
    def ns(self) -> np.ndarray:
        if self._ns is None:
            values = self._values
            if (
                isinstance(values, pd.Series | pd.Index)
                and isinstance(values.dtype, pd.DatetimeTZDtype)
                and not values.isna().any()
            ):
                ns = pd.DatetimeIndex(values).as_unit("ns").asi8
            else:
                ns = [_to_utc(e, "exclude_times").value for e in values]
            self._ns = np.unique(np.asarray(ns, dtype=np.int64))
            self._values = ()
        return self._ns


class _Prepared:
    """One token's odds as :func:`prepare_odds` returns them, with what every event reuses.

    That is: the times as int64 ns, the prices, the default tolerance and the values on each
    scale.
    """

    __slots__ = ("_scaled", "_tolerance", "data", "p", "source", "t_ns")

    def __init__(self, odds: pd.DataFrame) -> None:
        self.source = odds
        self.data = prepare_odds(odds)
        self.t_ns = pd.DatetimeIndex(self.data["t"]).asi8
        self.p = self.data["p"].to_numpy()
        self._tolerance: pd.Timedelta | None = None
        self._scaled: dict[tuple[float, str], np.ndarray] = {}

    def stamp(self, i: int) -> pd.Timestamp:
        """The ``i``-th sample time (``data["t"].iloc[i]``, without the frame lookup)."""
        return pd.Timestamp(int(self.t_ns[i]), tz="UTC")

    def tolerance(self) -> pd.Timedelta:
        if self._tolerance is None:
            self._tolerance = default_tolerance(self.data["t"])
        return self._tolerance

    def scaled(self, eps: float, scale: str) -> np.ndarray:
        key = (eps, scale)
        if key not in self._scaled:
            self._scaled[key] = logodds(self.p, eps) if scale == "logodds" else 100.0 * self.p
        return self._scaled[key]


# --------------------------------------------------------------------------------------------
# one market, one event
# --------------------------------------------------------------------------------------------


def odds_shift(
    odds: pd.DataFrame,
    event_time: Any,
    horizons: Iterable[Any] | str = DEFAULT_HORIZONS,
    *,
    created_at: Any = None,
    closed_at: Any = None,
    eps: float = DEFAULT_EPS,
    scale: Scale = "logodds",
    estimation_window: Any = "60D",
    min_estimation_changes: int = 10,
    guard: Any = "1D",
    exclude_times: Iterable[Any] = (),
    min_null: int = 20,
    tolerance: Any = None,
) -> pd.DataFrame:
    r"""Odds shift of one outcome token around one event, at several horizons.

    Parameters
    ----------
    odds : DataFrame
        One token's price path:

        ========================= =====
        t                         p
        ========================= =====
        2025-06-21 00:00:00+00:00 0.4135
        2025-06-22 00:00:00+00:00 0.9935
        ========================= =====

        ``t`` tz-aware (UTC), any sampling; ``p`` probability in [0, 1].
    event_time : Timestamp-like, tz-aware
        When the event became public.
    horizons : sequence of Timedelta-like, default ("1D", "3D", "7D")
        Wall-clock durations after the event (``"6h"``, ``"30min"`` for fine data).
    created_at, closed_at : Timestamp-like, optional
        Market creation and close (UTC). A market created after, or closed at or before, the
        event is ``not_computable``; a close before ``event_time + h`` truncates that horizon.
    eps : float, default 0.005
        Clip for log-odds: ``p`` is clipped to ``[eps, 1 - eps]`` (raw ``p`` for ``shift_pp``).
    scale : {"logodds", "pp"}, default "logodds"
        Scale on which ``abnormal_z`` and ``empirical_p`` are computed:

        * ``"logodds"`` -- changes in clipped log-odds;
        * ``"pp"`` -- changes in percentage points of probability.
    estimation_window : Timedelta-like, default "60D"
        Length of the pre-event window whose same-elapsed-time changes scale ``abnormal_z``.
    min_estimation_changes : int, default 10
        Fewer pre-event changes than this leave ``abnormal_z`` NaN (status ``no_baseline``).
    guard : Timedelta-like, default "1D"
        Guard band around the event (and around ``exclude_times``) kept out of the null.
    exclude_times : iterable of Timestamp-like
        Other event times whose windows are also kept out of the null.
    min_null : int, default 20
        Fewer non-event changes than this leave ``empirical_p`` NaN (it could not go below
        ``1 / (1 + n_null)`` anyway).
    tolerance : Timedelta-like, optional
        Largest accepted distance between a sample and its target time; default
        ``max(1.5 * median spacing, 1 h)`` of this token's samples.

    Returns
    -------
    DataFrame
        One row per horizon: ``horizon``, ``horizon_used`` (``min(h, closed_at - event_time)``),
        ``target_time``, ``t_before``, ``p_before``, ``t_after``, ``p_after``, ``elapsed``
        (``t_after - t_before``), ``shift_pp`` (percentage points), ``shift_logodds`` (nats),
        ``abnormal_z``, ``sigma`` (SD of pre-event changes on ``scale``), ``n_estimation``,
        ``empirical_p``, ``n_null``, ``gap_before``, ``gap_after``, ``tolerance``, ``stale``,
        ``truncated``, ``status``, ``reason``, ``eps``, ``scale``. See the module notes.

    Notes
    -----
    With :math:`x = \operatorname{logit}(\operatorname{clip}(p, \epsilon, 1-\epsilon))`:

    .. math::

        \Delta = x(t_{after}) - x(t_{before}),\quad
        z = \Delta / \hat\sigma_{pre},\quad
        p_{emp} = \frac{1 + \#\{j : |d_j| \ge |\Delta|\}}{1 + n_{null}}

    (METHODS.md, "Prediction-market odds as the outcome"; the +1 form as in sipemu's
    bootstrap test).

    Examples
    --------
    >>> odds = pd.DataFrame({"t": pd.date_range("2025-01-01", periods=5, freq="D", tz="UTC"),
    ...                      "p": [0.2, 0.2, 0.2, 0.6, 0.6]})
    >>> odds_shift(odds, pd.Timestamp("2025-01-03 12:00", tz="UTC"), ["1D"])["shift_pp"].item()
    40.0
    """
    rows = _odds_shift_rows(
        odds,
        event_time,
        horizons,
        created_at=created_at,
        closed_at=closed_at,
        eps=eps,
        scale=scale,
        estimation_window=estimation_window,
        min_estimation_changes=min_estimation_changes,
        guard=guard,
        exclude_times=exclude_times,
        min_null=min_null,
        tolerance=tolerance,
    )
    return _type_detail(pd.DataFrame(rows, columns=_DETAIL_COLUMNS))


#: The keyword defaults of :func:`odds_shift`, for callers that pass only some options.
SHIFT_DEFAULTS: dict[str, Any] = {
    name: param.default
    for name, param in inspect.signature(odds_shift).parameters.items()
    if param.kind is inspect.Parameter.KEYWORD_ONLY
}


def _odds_shift_rows(
    odds: pd.DataFrame | _Prepared,
    event_time: Any,
    horizons: Iterable[Any] | str,
    *,
    created_at: Any,
    closed_at: Any,
    eps: float,
    scale: Scale,
    estimation_window: Any,
    min_estimation_changes: int,
    guard: Any,
    exclude_times: Iterable[Any] | _EventTimes,
    min_null: int,
    tolerance: Any,
) -> list[dict]:
    """The rows of :func:`odds_shift` (its defaults live there only: :data:`SHIFT_DEFAULTS`).

    ``odds`` may be a :class:`_Prepared` token and ``exclude_times`` an :class:`_EventTimes`
    (what a study builds once and passes to every event): the rows are the same, without
    preparing the odds or converting the times again.
    """
    _check_eps(eps)
    _check_scale(scale)
    hs = _horizons(horizons)
    tau = _to_utc(event_time, "event_time")
    created = _opt_utc(created_at, "created_at")
    closed = _opt_utc(closed_at, "closed_at")
    window = _to_timedelta(estimation_window, "estimation_window")
    guard_td = _to_timedelta(guard, "guard", positive=False)
    times = exclude_times if isinstance(exclude_times, _EventTimes) else _EventTimes(exclude_times)
    others = times.ns
    prepared = odds if isinstance(odds, _Prepared) else _Prepared(odds)
    tol = prepared.tolerance() if tolerance is None else _to_timedelta(tolerance, "tolerance")

    life = market_life_problem(tau, created, closed) if len(prepared.p) else None
    event = _Event(
        prepared, tau, closed, life, tol, eps, scale, window, guard_td.value, others,
        min_estimation_changes, min_null,
    )  # fmt: skip
    return [_horizon_row(event, h) for h in hs]


@dataclass(frozen=True)
class _Event:
    """What every horizon of one token and one event shares (:func:`_odds_shift_rows`)."""

    prepared: _Prepared
    tau: pd.Timestamp
    closed: pd.Timestamp | None
    life: str | None
    tol: pd.Timedelta
    eps: float
    scale: Scale
    window: pd.Timedelta
    guard_ns: int
    others: np.ndarray
    min_estimation_changes: int
    min_null: int


def _failed(row: dict, msg: str, reasons: list[str]) -> dict:
    """``row`` marked ``not_computable`` for ``msg`` (then the reasons found so far)."""
    row["status"] = "not_computable"
    row["reason"] = "; ".join([msg, *reasons])
    return row


def _horizon_row(ev: _Event, h: pd.Timedelta) -> dict:
    """One row of :func:`odds_shift`: the shift over horizon ``h`` with its baselines."""
    prepared, tau, closed = ev.prepared, ev.tau, ev.closed
    t_ns, p = prepared.t_ns, prepared.p
    row = _empty_row(h, tau, ev.tol, ev.eps, ev.scale)
    reasons: list[str] = []
    statuses: list[str] = []
    if len(p) == 0:
        return _failed(row, "no price history", reasons)
    if ev.life is not None:
        return _failed(row, ev.life, reasons)
    i_before = int(np.searchsorted(t_ns, tau.value, side="left")) - 1
    if i_before < 0:
        first = _fmt_ts(prepared.data["t"].iloc[0])
        return _failed(row, f"no price sample before the event (first sample {first})", reasons)

    target = tau + h
    if closed is not None and closed < target:
        target = closed
        row["truncated"] = True
        statuses.append("truncated")
        reasons.append(
            f"market closed {_fmt_ts(closed)} before event + {_fmt_td(h)}; "
            f"horizon used {_fmt_td(closed - tau)}"
        )
    row["target_time"] = target
    row["horizon_used"] = target - tau
    i_after = int(np.searchsorted(t_ns, target.value, side="right")) - 1
    if t_ns[i_after] <= tau.value:
        msg = (
            f"no price sample in (event, {_fmt_ts(target)}]: sampling too coarse for this "
            "horizon or no data after the event"
        )
        return _failed(row, msg, reasons)

    _fill_samples(row, prepared, i_before, i_after, tau, target)
    if row["gap_before"] > ev.tol or row["gap_after"] > ev.tol:
        row["stale"] = True
        statuses.append("stale")
        reasons.append(_stale_reason(row, ev.tol))

    x_all = prepared.scaled(ev.eps, ev.scale)
    row["shift_pp"] = 100.0 * (p[i_after] - p[i_before])
    row["shift_logodds"] = float(logodds(p[i_after], ev.eps) - logodds(p[i_before], ev.eps))
    shift = row["shift_logodds"] if ev.scale == "logodds" else row["shift_pp"]
    elapsed_ns = int(t_ns[i_after] - t_ns[i_before])
    base_problems = _abnormal_z(row, ev, x_all, i_before, elapsed_ns, shift)
    base_problems += _empirical_p(row, ev, x_all, elapsed_ns, shift)
    if base_problems:
        statuses.append("no_baseline")
        reasons.extend(base_problems)

    row["status"] = max(statuses, key=_SEVERITY.__getitem__) if statuses else "ok"
    row["reason"] = "; ".join(reasons)
    return row


def _fill_samples(
    row: dict,
    prepared: _Prepared,
    i_before: int,
    i_after: int,
    tau: pd.Timestamp,
    target: pd.Timestamp,
) -> None:
    """The samples before the event and at the target, with their times and gaps."""
    t_before, t_after = prepared.stamp(i_before), prepared.stamp(i_after)
    row.update(
        t_before=t_before,
        p_before=prepared.p[i_before],
        t_after=t_after,
        p_after=prepared.p[i_after],
        elapsed=t_after - t_before,
        gap_before=tau - t_before,
        gap_after=target - t_after,
    )


def _stale_reason(row: dict, tol: pd.Timedelta) -> str:
    """Which sample lies farther than ``tol`` from its target, in words."""
    which = [
        f"{name} sample {_fmt_td(gap)} from its target"
        for name, gap in (("before", row["gap_before"]), ("after", row["gap_after"]))
        if gap > tol
    ]
    return f"{' and '.join(which)} (tolerance {_fmt_td(tol)})"


def _abnormal_z(
    row: dict, ev: _Event, x_all: np.ndarray, i_before: int, elapsed_ns: int, shift: float
) -> list[str]:
    """Set ``abnormal_z`` from the pre-event window; the problems found, in words.

    The null: same-elapsed-time changes in the pre-event window, samples before the event only.
    """
    t_ns, tau = ev.prepared.t_ns, ev.tau
    pre_t, pre_x = t_ns[: i_before + 1], x_all[: i_before + 1]
    lo = np.searchsorted(pre_t, tau.value - ev.window.value, side="left")
    hi = np.searchsorted(pre_t, tau.value - elapsed_ns, side="right")
    est = _grid_changes(pre_t, pre_x, np.arange(lo, max(lo, hi)), elapsed_ns)
    row["n_estimation"] = len(est)
    if len(est) < max(int(ev.min_estimation_changes), 2):
        return [
            f"abnormal_z not computed: {len(est)} same-elapsed-time changes in the "
            f"{_fmt_td(ev.window)} pre-event window (need >= {ev.min_estimation_changes})"
        ]
    sd = float(np.std(est, ddof=1))
    row["sigma"] = sd
    if sd <= _TIE_TOL:
        return [f"abnormal_z not computed: no variability (all {len(est)} pre-event changes are 0)"]
    row["abnormal_z"] = shift / sd
    return []


def _empirical_p(
    row: dict, ev: _Event, x_all: np.ndarray, elapsed_ns: int, shift: float
) -> list[str]:
    """Set ``empirical_p`` from the market's life; the problems found, in words.

    The null: same-elapsed-time changes over the market's life, outside the guard bands around
    this and every other event.
    """
    t_ns, closed = ev.prepared.t_ns, ev.closed
    last_ns = t_ns[-1] if closed is None else min(t_ns[-1], closed.value)
    starts = np.flatnonzero(t_ns + elapsed_ns <= last_ns)
    t_start = t_ns[starts]
    near = _band_overlap(t_start, elapsed_ns, np.array([ev.tau.value]), ev.guard_ns)
    keep = ~(near | _band_overlap(t_start, elapsed_ns, ev.others, ev.guard_ns))
    null = _grid_changes(t_ns, x_all, starts[keep], elapsed_ns)
    row["n_null"] = len(null)
    if len(null) < max(int(ev.min_null), 1):
        return [f"empirical_p not computed: {len(null)} non-event changes (need >= {ev.min_null})"]
    exceed = int(np.sum(np.abs(null) >= abs(shift) - _TIE_TOL))
    row["empirical_p"] = (1 + exceed) / (1 + len(null))
    return []


def _empty_row(
    h: pd.Timedelta, tau: pd.Timestamp, tol: pd.Timedelta, eps: float, scale: str
) -> dict:
    return {
        "horizon": h,
        "horizon_used": pd.NaT,
        "target_time": tau + h,
        "t_before": pd.NaT,
        "p_before": np.nan,
        "t_after": pd.NaT,
        "p_after": np.nan,
        "elapsed": pd.NaT,
        "shift_pp": np.nan,
        "shift_logodds": np.nan,
        "abnormal_z": np.nan,
        "sigma": np.nan,
        "n_estimation": 0,
        "empirical_p": np.nan,
        "n_null": 0,
        "gap_before": pd.NaT,
        "gap_after": pd.NaT,
        "tolerance": tol,
        "stale": False,
        "truncated": False,
        "status": "ok",
        "reason": "",
        "eps": float(eps),
        "scale": scale,
    }


def _type_detail(out: pd.DataFrame) -> pd.DataFrame:
    for c in ("target_time", "t_before", "t_after"):
        out[c] = pd.to_datetime(out[c].astype(object), utc=True).dt.as_unit("us")
    for c in ("horizon", "horizon_used", "elapsed", "gap_before", "gap_after", "tolerance"):
        out[c] = pd.to_timedelta(out[c].astype(object)).dt.as_unit("us")
    for c in (
        "p_before",
        "p_after",
        "shift_pp",
        "shift_logodds",
        "abnormal_z",
        "sigma",
        "empirical_p",
        "eps",
    ):
        out[c] = out[c].astype("float64")
    for c in ("n_estimation", "n_null"):
        out[c] = out[c].astype("int64")
    for c in ("stale", "truncated"):
        out[c] = out[c].astype(bool)
    for c in ("status", "reason", "scale"):
        out[c] = out[c].astype(str)
    return out


# --------------------------------------------------------------------------------------------
# names that moved to eventstudy.odds.study / eventstudy.odds.association
