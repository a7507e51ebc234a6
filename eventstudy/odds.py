"""Polymarket odds around events: shifts, their abnormality, a screener, and gold side by side.

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

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from .exceptions import DataFormatError, DataNotFoundError, SpecificationError
from .odds_results import (
    AssociationTest,
    GoldOddsAssociation,
    OddsStudyResults,
    write_odds_shifts_csv,
)

__all__ = [
    "DEFAULT_EPS",
    "DEFAULT_HORIZONS",
    "STATUSES",
    "OddsStudyResults",
    "clip_probability",
    "default_tolerance",
    "gold_odds_association",
    "gold_odds_table",
    "logodds",
    "median_spacing",
    "odds_shift",
    "permutation_correlation_test",
    "prepare_odds",
    "run_odds_study",
    "screen_markets",
    "select_outcome_token",
    "shift_markets",
    "write_odds_shifts_csv",
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
    return str(td).replace("0 days ", "").replace(" days ", "d ")


def prepare_odds(odds: pd.DataFrame) -> pd.DataFrame:
    """Check and normalise an odds frame: columns ``t`` (tz-aware UTC) and ``p`` in [0, 1].

    Sorted by ``t``; rows with missing ``p`` dropped; duplicate timestamps keep the last value.

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
    """
    if not isinstance(odds, pd.DataFrame) or not {"t", "p"} <= set(odds.columns):
        cols = list(odds.columns) if isinstance(odds, pd.DataFrame) else type(odds).__name__
        raise DataFormatError(f"odds frame needs columns 't' and 'p'; got {cols}")
    t = pd.to_datetime(odds["t"])
    if t.dt.tz is None:
        raise DataFormatError("odds column 't' has no time zone; expected tz-aware UTC timestamps")
    out = pd.DataFrame(
        {"t": t.dt.tz_convert("UTC").dt.as_unit("ns"), "p": odds["p"].astype("float64")}
    )
    out = out.dropna(subset=["t", "p"])
    bad = out["p"][(out["p"] < 0) | (out["p"] > 1)]
    if len(bad):
        raise DataFormatError(
            f"odds column 'p' has {len(bad)} value(s) outside [0, 1] (first: {bad.iloc[0]!r}); "
            "expected probabilities"
        )
    out = out.sort_values("t", kind="stable").drop_duplicates("t", keep="last")
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
    t_start: np.ndarray, elapsed_ns: int, centres_ns: Iterable[int], guard_ns: int
) -> np.ndarray:
    """True where ``[t, t + elapsed]`` overlaps ``[c - guard, c + elapsed + guard]``."""
    hit = np.zeros(len(t_start), dtype=bool)
    for c in centres_ns:
        lo, hi = c - guard_ns, c + elapsed_ns + guard_ns
        hit |= (t_start <= hi) & (t_start + elapsed_ns >= lo)
    return hit


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
    """Odds shift of one outcome token around one event, at several horizons.

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
    With :math:`x = \\operatorname{logit}(\\operatorname{clip}(p, \\epsilon, 1-\\epsilon))`:

    .. math::

        \\Delta = x(t_{after}) - x(t_{before}),\\quad
        z = \\Delta / \\hat\\sigma_{pre},\\quad
        p_{emp} = \\frac{1 + \\#\\{j : |d_j| \\ge |\\Delta|\\}}{1 + n_{null}}

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


def _odds_shift_rows(
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
) -> list[dict]:
    _check_eps(eps)
    _check_scale(scale)
    hs = _horizons(horizons)
    tau = _to_utc(event_time, "event_time")
    created = _opt_utc(created_at, "created_at")
    closed = _opt_utc(closed_at, "closed_at")
    window = _to_timedelta(estimation_window, "estimation_window")
    guard_td = _to_timedelta(guard, "guard", positive=False)
    excl_ns = [_to_utc(e, "exclude_times").value for e in exclude_times]
    data = prepare_odds(odds)
    t_ns = pd.DatetimeIndex(data["t"]).asi8
    p = data["p"].to_numpy()
    tol = (
        default_tolerance(data["t"]) if tolerance is None else _to_timedelta(tolerance, "tolerance")
    )

    rows = []
    for h in hs:
        row = _empty_row(h, tau, tol, eps, scale)
        reasons: list[str] = []
        statuses: list[str] = []

        def fail(msg: str, row: dict = row, reasons: list[str] = reasons) -> dict:
            row["status"] = "not_computable"
            row["reason"] = "; ".join([msg, *reasons])
            return row

        if len(p) == 0:
            rows.append(fail("no price history"))
            continue
        if created is not None and created > tau:
            rows.append(fail(f"market created {_fmt_ts(created)}, after the event"))
            continue
        if closed is not None and closed <= tau:
            rows.append(fail(f"market closed {_fmt_ts(closed)}, at or before the event"))
            continue
        i_before = int(np.searchsorted(t_ns, tau.value, side="left")) - 1
        if i_before < 0:
            rows.append(
                fail(
                    f"no price sample before the event (first sample {_fmt_ts(data['t'].iloc[0])})"
                )
            )
            continue

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
            rows.append(
                fail(
                    f"no price sample in (event, {_fmt_ts(target)}]: sampling too coarse for this "
                    "horizon or no data after the event"
                )
            )
            continue

        t_before = data["t"].iloc[i_before]
        t_after = data["t"].iloc[i_after]
        row.update(
            t_before=t_before,
            p_before=p[i_before],
            t_after=t_after,
            p_after=p[i_after],
            elapsed=t_after - t_before,
            gap_before=tau - t_before,
            gap_after=target - t_after,
        )
        if row["gap_before"] > tol or row["gap_after"] > tol:
            row["stale"] = True
            statuses.append("stale")
            which = [
                f"{name} sample {_fmt_td(gap)} from its target"
                for name, gap in (("before", row["gap_before"]), ("after", row["gap_after"]))
                if gap > tol
            ]
            reasons.append(f"{' and '.join(which)} (tolerance {_fmt_td(tol)})")

        x_all = logodds(p, eps) if scale == "logodds" else 100.0 * p
        row["shift_pp"] = 100.0 * (p[i_after] - p[i_before])
        row["shift_logodds"] = float(logodds(p[i_after], eps) - logodds(p[i_before], eps))
        shift = row["shift_logodds"] if scale == "logodds" else row["shift_pp"]
        elapsed_ns = int(t_ns[i_after] - t_ns[i_before])

        # abnormal z: same-elapsed-time changes in the pre-event window, samples < event only
        pre_t, pre_x = t_ns[: i_before + 1], x_all[: i_before + 1]
        lo = np.searchsorted(pre_t, tau.value - window.value, side="left")
        hi = np.searchsorted(pre_t, tau.value - elapsed_ns, side="right")
        est = _grid_changes(pre_t, pre_x, np.arange(lo, max(lo, hi)), elapsed_ns)
        row["n_estimation"] = len(est)
        base_problems = []
        if len(est) < max(int(min_estimation_changes), 2):
            base_problems.append(
                f"abnormal_z not computed: {len(est)} same-elapsed-time changes in the "
                f"{_fmt_td(window)} pre-event window (need >= {min_estimation_changes})"
            )
        else:
            sd = float(np.std(est, ddof=1))
            row["sigma"] = sd
            if sd <= _TIE_TOL:
                base_problems.append(
                    "abnormal_z not computed: no variability "
                    f"(all {len(est)} pre-event changes are 0)"
                )
            else:
                row["abnormal_z"] = shift / sd

        # empirical p: same-elapsed-time changes over the life, outside the guard bands
        last_ns = t_ns[-1] if closed is None else min(t_ns[-1], closed.value)
        starts = np.flatnonzero(t_ns + elapsed_ns <= last_ns)
        keep = ~_band_overlap(t_ns[starts], elapsed_ns, [tau.value, *excl_ns], guard_td.value)
        null = _grid_changes(t_ns, x_all, starts[keep], elapsed_ns)
        row["n_null"] = len(null)
        if len(null) < max(int(min_null), 1):
            base_problems.append(
                f"empirical_p not computed: {len(null)} non-event changes (need >= {min_null})"
            )
        else:
            exceed = int(np.sum(np.abs(null) >= abs(shift) - _TIE_TOL))
            row["empirical_p"] = (1 + exceed) / (1 + len(null))
        if base_problems:
            statuses.append("no_baseline")
            reasons.extend(base_problems)

        row["status"] = max(statuses, key=_SEVERITY.__getitem__) if statuses else "ok"
        row["reason"] = "; ".join(reasons)
        rows.append(row)

    return rows


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
# many markets
# --------------------------------------------------------------------------------------------


def select_outcome_token(market_rows: pd.DataFrame, outcome: str = "Yes") -> pd.Series | None:
    """The row of ``market_rows`` (one market's tokens) whose outcome label is ``outcome``.

    Matching is on the label (case- and whitespace-insensitive), never on position: index 0 is
    not always "Yes" (ECOSYSTEM.md §1.2). Returns None when no label matches.
    """
    labels = market_rows["outcome"].astype(str).str.strip().str.casefold()
    hit = market_rows[labels == outcome.strip().casefold()]
    return None if hit.empty else hit.iloc[0]


def _market_meta(row: pd.Series | None, slug: str, outcome: str) -> dict:
    if row is None:
        return {"slug": slug, "question": "", "token_id": "", "outcome": outcome, "market_id": ""}
    return {
        "slug": str(row["slug"]),
        "question": str(row.get("question", "")),
        "token_id": str(row["token_id"]),
        "outcome": str(row["outcome"]),
        "market_id": str(row.get("market_id", "")),
    }


_META_COLUMNS = ["slug", "question", "token_id", "outcome", "market_id", "linked"]


def _not_computable_rows(
    meta: dict, hs: list[pd.Timedelta], tau: pd.Timestamp, reason: str, eps: float, scale: str
) -> list[dict]:
    rows = []
    for h in hs:
        r = _empty_row(h, tau, pd.NaT, eps, scale)
        r["status"], r["reason"] = "not_computable", reason
        rows.append(r | meta)
    return rows


def _rows_frame(rows: list[dict], extra: Sequence[str] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*_DETAIL_COLUMNS, *_META_COLUMNS, *extra])
    frame = _type_detail(frame)
    for c in ("slug", "question", "token_id", "outcome", "market_id"):
        frame[c] = frame[c].astype(str)
    frame["linked"] = frame["linked"].astype(bool)
    return frame


def shift_markets(
    event_time: Any,
    markets: pd.DataFrame,
    odds_by_token: Mapping[str, pd.DataFrame | None],
    *,
    slugs: Sequence[str] | None = None,
    include_open_markets: bool = False,
    outcome: str = "Yes",
    horizons: Iterable[Any] | str = DEFAULT_HORIZONS,
    **shift_options: Any,
) -> pd.DataFrame:
    """Odds shifts of several markets around one event (pure: frames in, frame out).

    Parameters
    ----------
    event_time : Timestamp-like, tz-aware
    markets : DataFrame
        ``markets.csv`` as :func:`eventstudy.store.load_markets` returns it (one row per token):
        ``slug, question, outcome, token_id (str), created_at, closed_at, has_prices`` at least.
    odds_by_token : mapping of str to DataFrame, str or None
        Price path (``t, p``) per token id; a missing key or None means no price history; a
        str is the reason the path could not be read (it becomes the rows' ``reason``).
    slugs : sequence of str, optional
        Markets linked to the event (``events.csv`` column ``polymarket``).
    include_open_markets : bool, default False
        Also every market open at the event time (``created_at <= event_time < closed_at``,
        with price history), flagged ``linked = False``.
    outcome : str, default "Yes"
        Outcome label of the token to study (matched on the label).
    horizons : sequence of Timedelta-like
    **shift_options
        Passed to :func:`odds_shift` (``eps``, ``scale``, ``estimation_window``, ``guard``,
        ``exclude_times``, ``min_estimation_changes``, ``min_null``, ``tolerance``).

    Returns
    -------
    DataFrame
        :func:`odds_shift`'s columns plus ``slug, question, token_id, outcome, market_id,
        linked``; a slug not in ``markets``, an outcome not offered or a token without prices
        gives ``not_computable`` rows with the reason.
    """
    return _rows_frame(
        _shift_market_rows(
            event_time,
            markets,
            odds_by_token,
            slugs=slugs,
            include_open_markets=include_open_markets,
            outcome=outcome,
            horizons=horizons,
            **shift_options,
        )
    )


def _open_slugs(markets: pd.DataFrame, tau: pd.Timestamp) -> list[str]:
    """Slugs of markets with price history open at ``tau`` (created <= tau < closed)."""
    created = pd.to_datetime(markets["created_at"], utc=True)
    closed = pd.to_datetime(markets["closed_at"], utc=True)
    open_ = (created <= tau) & (closed.isna() | (closed > tau))
    if "has_prices" in markets:
        open_ &= markets["has_prices"].astype(bool)
    return list(dict.fromkeys(markets.loc[open_, "slug"].astype(str)))


def _shift_market_rows(
    event_time: Any,
    markets: pd.DataFrame,
    odds_by_token: Mapping[str, pd.DataFrame | str | None],
    *,
    slugs: Sequence[str] | None = None,
    include_open_markets: bool = False,
    outcome: str = "Yes",
    horizons: Iterable[Any] | str = DEFAULT_HORIZONS,
    **shift_options: Any,
) -> list[dict]:
    tau = _to_utc(event_time, "event_time")
    hs = _horizons(horizons)
    eps = shift_options.get("eps", DEFAULT_EPS)
    scale = shift_options.get("scale", "logodds")
    _check_eps(eps)
    _check_scale(scale)
    slugs = list(dict.fromkeys(slugs or []))
    targets: list[tuple[str, bool]] = [(s, True) for s in slugs]
    if include_open_markets:
        targets += [(s, False) for s in _open_slugs(markets, tau) if s not in slugs]
    wanted = markets[markets["slug"].astype(str).isin({s for s, _ in targets})]
    by_slug = {str(s): g for s, g in wanted.groupby("slug", sort=False)}
    rows: list[dict] = []
    for slug, linked in targets:
        group = by_slug.get(slug)
        if group is None:
            meta = _market_meta(None, slug, outcome) | {"linked": linked}
            rows += _not_computable_rows(meta, hs, tau, "slug not in markets.csv", eps, scale)
            continue
        row = select_outcome_token(group, outcome)
        if row is None:
            meta = _market_meta(group.iloc[0], slug, outcome) | {
                "token_id": "",
                "outcome": outcome,
                "linked": linked,
            }
            offered = ", ".join(map(str, group["outcome"]))
            reason = f"outcome {outcome!r} not offered by this market (outcomes: {offered})"
            rows += _not_computable_rows(meta, hs, tau, reason, eps, scale)
            continue
        meta = _market_meta(row, slug, outcome) | {"linked": linked}
        odds = odds_by_token.get(meta["token_id"])
        if odds is None or isinstance(odds, str):
            reason = odds if isinstance(odds, str) else "no price history in the data directory"
            rows += _not_computable_rows(meta, hs, tau, reason, eps, scale)
            continue
        res = _odds_shift_rows(
            odds,
            tau,
            hs,
            created_at=row.get("created_at"),
            closed_at=row.get("closed_at"),
            **shift_options,
        )
        rows += [r | meta for r in res]
    return rows


def _default_loaders(
    data_dir: str | Path | None,
    markets: pd.DataFrame | None,
    odds_loader: Callable[[str], pd.DataFrame] | None,
) -> tuple[pd.DataFrame, Callable[[str], pd.DataFrame | str | None]]:
    if markets is None or odds_loader is None:
        from . import store  # lazy: keeps the compute functions importable on their own

        if markets is None:
            markets = store.load_markets(data_dir)
        if odds_loader is None:

            def odds_loader(token_id: str) -> pd.DataFrame:
                return store.load_odds(token_id, data_dir)

    cache: dict[str, pd.DataFrame | str | None] = {}
    loader = odds_loader

    def cached(token_id: str) -> pd.DataFrame | str | None:
        if token_id not in cache:
            try:
                cache[token_id] = loader(token_id)
            except DataNotFoundError:
                cache[token_id] = None
            except DataFormatError as exc:  # one bad file must not stop the study
                cache[token_id] = f"price file unreadable: {exc}"
        return cache[token_id]

    return markets, cached


def _events_frame(events: pd.DataFrame | str | Path) -> pd.DataFrame:
    if isinstance(events, str | Path):
        from .catalog import load_events

        events = load_events(events)
    missing = {"event_id", "event_time"} - set(events.columns)
    if missing:
        raise SpecificationError(
            f"events frame lacks column(s) {sorted(missing)}; expected catalog.load_events output "
            "(event_id, event_time, polymarket_slugs, ...)"
        )
    return events


def _slugs_of(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, float) and math.isnan(value):
        return []
    return [str(v) for v in value]


def _tokens_needed(
    markets: pd.DataFrame, slugs: Iterable[str], outcome: str, tau: pd.Timestamp, include_open: bool
) -> list[str]:
    wanted = set(slugs)
    if include_open:
        wanted |= set(_open_slugs(markets, tau))
    sub = markets[markets["slug"].astype(str).isin(wanted)]
    labels = sub["outcome"].astype(str).str.strip().str.casefold()
    sub = sub[labels == outcome.strip().casefold()]
    if "has_prices" in sub:
        sub = sub[sub["has_prices"].astype(bool)]
    return list(dict.fromkeys(sub["token_id"].astype(str)))


def run_odds_study(
    events: pd.DataFrame | str | Path,
    *,
    data_dir: str | Path | None = None,
    horizons: Iterable[Any] | str = DEFAULT_HORIZONS,
    include_open_markets: bool = False,
    outcome: str = "Yes",
    eps: float = DEFAULT_EPS,
    scale: Scale = "logodds",
    estimation_window: Any = "60D",
    min_estimation_changes: int = 10,
    guard: Any = "1D",
    exclude_other_events: bool = True,
    min_null: int = 20,
    tolerance: Any = None,
    markets: pd.DataFrame | None = None,
    odds_loader: Callable[[str], pd.DataFrame] | None = None,
) -> OddsStudyResults:
    """Odds shifts of every event's linked markets (and optionally every open market).

    Parameters
    ----------
    events : DataFrame or path
        :func:`eventstudy.catalog.load_events` output (``event_id``, ``event_time`` tz-aware
        UTC, ``polymarket_slugs`` list of str, optionally ``time_known``), or a path to
        ``events.csv``.
    data_dir : path, optional
        Data directory (``eventstudy-data/1`` layout); see
        :func:`eventstudy.store.resolve_data_dir`.
    horizons : sequence of Timedelta-like, default ("1D", "3D", "7D")
        Wall-clock durations after the event.
    include_open_markets : bool, default False
        Also study every market (with prices) open at each event time; ``linked`` says which
        rows come from ``events.csv``.
    outcome : str, default "Yes"
        Outcome label of the token studied (label match, not position).
    eps : float, default 0.005
        Log-odds clip ``[eps, 1 - eps]``.
    scale : {"logodds", "pp"}, default "logodds"
        Scale of ``abnormal_z`` and ``empirical_p``.
    estimation_window : Timedelta-like, default "60D"
        Pre-event window for ``abnormal_z``.
    min_estimation_changes : int, default 10
    guard : Timedelta-like, default "1D"
        Guard band kept out of the null around the event.
    exclude_other_events : bool, default True
        Also keep every other catalog event's window (plus guard) out of each null.
    min_null : int, default 20
    tolerance : Timedelta-like, optional
        Default ``max(1.5 * median spacing, 1 h)`` per token.
    markets : DataFrame, optional
        ``markets.csv`` frame; default :func:`eventstudy.store.load_markets` (``data_dir``).
    odds_loader : callable, optional
        ``token_id -> DataFrame[t, p]``; default :func:`eventstudy.store.load_odds`. A
        :class:`~eventstudy.exceptions.DataNotFoundError` or
        :class:`~eventstudy.exceptions.DataFormatError` gives ``not_computable`` rows saying why.

    Returns
    -------
    OddsStudyResults
        ``.shifts`` (one row per event, market and horizon), ``.details``, ``.summary()``.

    See Also
    --------
    odds_shift : the computation for one token and event (module notes give the conventions).
    """
    ev = _events_frame(events)
    hs = _horizons(horizons)
    markets, load = _default_loaders(data_dir, markets, odds_loader)
    options = {
        "eps": eps,
        "scale": scale,
        "estimation_window": estimation_window,
        "min_estimation_changes": min_estimation_changes,
        "guard": guard,
        "min_null": min_null,
        "tolerance": tolerance,
    }
    _check_eps(eps)
    _check_scale(scale)
    times = {str(r.event_id): r.event_time for r in ev.itertuples(index=False)}
    rows: list[dict] = []
    for r in ev.itertuples(index=False):
        event_id = str(r.event_id)
        slugs = _slugs_of(getattr(r, "polymarket_slugs", None))
        if pd.isna(r.event_time) or (not slugs and not include_open_markets):
            continue
        tau = _to_utc(r.event_time, f"event_time of {event_id}")
        others = (
            [t for k, t in times.items() if k != event_id and not pd.isna(t)]
            if exclude_other_events
            else []
        )
        tokens = _tokens_needed(markets, slugs, outcome, tau, include_open_markets)
        odds = {tok: load(tok) for tok in tokens}
        res = _shift_market_rows(
            tau,
            markets,
            odds,
            slugs=slugs,
            include_open_markets=include_open_markets,
            outcome=outcome,
            horizons=hs,
            exclude_times=others,
            **options,
        )
        extra = {
            "event_id": event_id,
            "event_time": tau,
            "time_known": bool(getattr(r, "time_known", True)),
        }
        rows += [x | extra for x in res]
    details = _rows_frame(rows, extra=("event_id", "event_time", "time_known"))
    details["event_id"] = details["event_id"].astype(str)
    details["event_time"] = pd.to_datetime(
        details["event_time"].astype(object), utc=True
    ).dt.as_unit("us")
    details["time_known"] = details["time_known"].astype(bool)
    settings = {
        "horizons": [str(h) for h in hs],
        "outcome": outcome,
        "eps": eps,
        "scale": scale,
        "estimation_window": str(_to_timedelta(estimation_window, "estimation_window")),
        "min_estimation_changes": min_estimation_changes,
        "guard": str(_to_timedelta(guard, "guard", positive=False)),
        "exclude_other_events": exclude_other_events,
        "min_null": min_null,
        "tolerance": "max(1.5 x median spacing, 1h)"
        if tolerance is None
        else str(pd.Timedelta(tolerance)),
        "include_open_markets": include_open_markets,
        "n_events": len(ev),
    }
    return OddsStudyResults(details, settings)


def screen_markets(
    event: str | Any,
    *,
    events: pd.DataFrame | str | Path | None = None,
    data_dir: str | Path | None = None,
    horizon: Any = "1D",
    outcome: str = "Yes",
    rank_by: Literal["abnormal_z", "empirical_p", "shift_logodds"] = "abnormal_z",
    markets: pd.DataFrame | None = None,
    odds_loader: Callable[[str], pd.DataFrame] | None = None,
    **shift_options: Any,
) -> pd.DataFrame:
    """Which questions did the event reprice most? Rank every market open at the event time.

    Parameters
    ----------
    event : str or Timestamp-like
        An ``event_id`` of ``events`` or a tz-aware event time.
    events : DataFrame or path, optional
        Needed when ``event`` is an ``event_id``; its other events are kept out of the nulls.
    data_dir : path, optional
    horizon : Timedelta-like, default "1D"
    outcome : str, default "Yes"
    rank_by : {"abnormal_z", "empirical_p", "shift_logodds"}, default "abnormal_z"
        * ``"abnormal_z"`` -- descending ``|abnormal_z|``;
        * ``"empirical_p"`` -- ascending ``empirical_p`` (ties by ``|abnormal_z|``);
        * ``"shift_logodds"`` -- descending ``|shift_logodds|``.

        Rows where the key is NaN come last, in ``|shift_logodds|`` order.
    markets, odds_loader
        As in :func:`run_odds_study`.
    **shift_options
        Passed to :func:`odds_shift`.

    Returns
    -------
    DataFrame
        One row per market open at the event time (with price history): ``rank`` (1 = most
        repriced), ``linked`` (listed for the event in ``events.csv``) and the columns of
        :func:`odds_shift`, plus ``slug, question, token_id, outcome, market_id, volume_usd``.
    """
    if rank_by not in ("abnormal_z", "empirical_p", "shift_logodds"):
        raise SpecificationError(
            f"rank_by={rank_by!r} is not accepted; "
            "expected one of 'abnormal_z', 'empirical_p', 'shift_logodds'"
        )
    ev = _events_frame(events) if events is not None else None
    linked: list[str] = []
    others: list[Any] = []
    if isinstance(event, str) and not _looks_like_time(event):
        if ev is None:
            raise SpecificationError(
                f"event={event!r} is an event_id; pass events= (the catalog) too"
            )
        hit = ev[ev["event_id"].astype(str) == event]
        if hit.empty:
            raise SpecificationError(f"event_id {event!r} is not in the events catalog")
        tau = _to_utc(hit["event_time"].iloc[0], f"event_time of {event}")
        linked = _slugs_of(hit["polymarket_slugs"].iloc[0]) if "polymarket_slugs" in hit else []
        others = [
            t
            for k, t in zip(ev["event_id"].astype(str), ev["event_time"], strict=True)
            if k != event
        ]
    else:
        tau = _to_utc(event, "event")
        if ev is not None:
            others = [
                t for t in ev["event_time"] if not pd.isna(t) and _to_utc(t, "event_time") != tau
            ]
    others = [t for t in others if not pd.isna(t)]
    markets, load = _default_loaders(data_dir, markets, odds_loader)
    tokens = _tokens_needed(markets, [], outcome, tau, True)
    odds = {tok: load(tok) for tok in tokens}
    shift_options.setdefault("exclude_times", others)
    res = shift_markets(
        tau,
        markets,
        odds,
        slugs=None,
        include_open_markets=True,
        outcome=outcome,
        horizons=[horizon],
        **shift_options,
    )
    res["linked"] = res["slug"].isin(linked)
    if "volume_usd" in markets:
        vol = markets.drop_duplicates("slug").set_index("slug")["volume_usd"]
        res["volume_usd"] = res["slug"].map(vol).astype("float64")
    if rank_by == "empirical_p":
        keys = [res["empirical_p"], -res["abnormal_z"].abs()]
    else:
        keys = [-res[rank_by].abs()]
    order = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    order["fallback"] = -res["shift_logodds"].abs()
    order = order.sort_values(list(order.columns), na_position="last", kind="stable").index
    res = res.loc[order].reset_index(drop=True)
    res.insert(0, "rank", np.arange(1, len(res) + 1))
    return res


def _looks_like_time(text: str) -> bool:
    return len(text) >= 10 and text[:4].isdigit() and text[4] == "-"


# --------------------------------------------------------------------------------------------
# gold and odds side by side
# --------------------------------------------------------------------------------------------


def _shift_frame(shifts: OddsStudyResults | pd.DataFrame) -> pd.DataFrame:
    frame = shifts.details if isinstance(shifts, OddsStudyResults) else shifts
    need = {"event_id", "slug", "horizon", "shift_logodds", "status"}
    if not need <= set(frame.columns):
        raise SpecificationError(f"shifts lacks column(s) {sorted(need - set(frame.columns))}")
    return frame


def _gold_frame(gold_car: pd.DataFrame) -> pd.DataFrame:
    if not {"event_id", "car"} <= set(gold_car.columns):
        raise SpecificationError(
            f"gold_car needs columns 'event_id' and 'car' (decimal); got {list(gold_car.columns)}"
        )
    g = gold_car[["event_id", "car"]].copy()
    g["event_id"] = g["event_id"].astype(str)
    g["car"] = g["car"].astype("float64")
    if g["event_id"].duplicated().any():
        dup = g.loc[g["event_id"].duplicated(), "event_id"].tolist()
        raise SpecificationError(
            f"gold_car has several rows for event_id(s) {dup}; expected one per event"
        )
    return g


def gold_odds_table(
    gold_car: pd.DataFrame,
    shifts: OddsStudyResults | pd.DataFrame,
    *,
    horizon: Any = "1D",
    linked_only: bool = True,
) -> pd.DataFrame:
    """Gold's CAR next to the odds shifts of each event's linked markets.

    Parameters
    ----------
    gold_car : DataFrame
        ``event_id``, ``car`` (decimal, e.g. 0.012 = 1.2 %), one row per event.
    shifts : OddsStudyResults or DataFrame
        :func:`run_odds_study` results (or their ``details``/``shifts`` frame).
    horizon : Timedelta-like, default "1D"
    linked_only : bool, default True
        Keep only markets linked in ``events.csv`` (when the frame has ``linked``).

    Returns
    -------
    DataFrame
        One row per event and market: ``event_id, car, car_pct, slug, question, p_before,
        p_after, shift_pp, shift_logodds, abnormal_z, empirical_p, status, reason``; events
        with a CAR but no linked market keep one row with NaN odds columns.
    """
    h = _to_timedelta(horizon, "horizon")
    frame = _shift_frame(shifts)
    frame = frame[pd.to_timedelta(frame["horizon"]) == h]
    if linked_only and "linked" in frame:
        frame = frame[frame["linked"].astype(bool)]
    cols = [
        "event_id",
        "slug",
        "question",
        "p_before",
        "p_after",
        "shift_pp",
        "shift_logodds",
        "abnormal_z",
        "empirical_p",
        "status",
        "reason",
    ]
    cols = [c for c in cols if c in frame.columns]
    g = _gold_frame(gold_car)
    out = g.merge(
        frame[cols].assign(event_id=frame["event_id"].astype(str)), on="event_id", how="left"
    )
    out.insert(2, "car_pct", 100.0 * out["car"])
    return out


def _pearson_rows(x: np.ndarray, y_perm: np.ndarray) -> np.ndarray:
    xc = x - x.mean()
    yc = y_perm - y_perm.mean(axis=-1, keepdims=True)
    num = yc @ xc
    den = np.sqrt((xc @ xc) * np.sum(yc * yc, axis=-1))
    return num / den


def permutation_correlation_test(
    x: Any,
    y: Any,
    *,
    method: Literal["pearson", "spearman"] = "pearson",
    n_permutations: int = 9999,
    exact_max_n: int = 8,
    seed: int | None = 0,
) -> AssociationTest:
    """Two-sided permutation test of zero correlation between ``x`` and ``y``.

    Parameters
    ----------
    x, y : array_like, same length N >= 3, no NaN
    method : {"pearson", "spearman"}, default "pearson"
        * ``"pearson"`` -- product-moment correlation of the values;
        * ``"spearman"`` -- Pearson correlation of the ranks (average ranks for ties).
    n_permutations : int, default 9999
        Monte Carlo permutations when ``N > exact_max_n``.
    exact_max_n : int, default 8
        Up to this N all ``N!`` permutations are enumerated (8! = 40,320) and the p-value is
        exact: ``#{pi : |r_pi| >= |r|} / N!`` (the identity included).
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng` for the Monte Carlo case.

    Returns
    -------
    AssociationTest
        ``stat`` = the correlation; Monte Carlo ``pvalue = (1 + #{|r*| >= |r|}) / (1 + B)``.
    """
    if method not in ("pearson", "spearman"):
        raise SpecificationError(
            f"method={method!r} is not accepted; expected 'pearson' or 'spearman'"
        )
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    name = f"permutation ({method})"
    null = "gold CAR and the odds shift are unrelated (exchangeable pairing)"
    alt = "two-sided: correlation != 0"
    if len(y) != n or n < 3:
        return AssociationTest(
            name, np.nan, np.nan, "permutation", null, alt, n, "", f"need N >= 3 pairs (N = {n})"
        )
    if method == "spearman":
        x, y = stats.rankdata(x), stats.rankdata(y)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return AssociationTest(
            name, np.nan, np.nan, "permutation", null, alt, n, "", "no variability in x or y"
        )
    r = float(_pearson_rows(x, y[None, :])[0])
    if n <= exact_max_n:
        perms = np.array(list(itertools.permutations(range(n))), dtype=np.intp)
        rs = _pearson_rows(x, y[perms])
        p = float(np.mean(np.abs(rs) >= abs(r) - _TIE_TOL))
        how = f"exact over all {math.factorial(n)} permutations"
    else:
        rng = np.random.default_rng(seed)
        ys = rng.permuted(np.tile(y, (int(n_permutations), 1)), axis=1)
        rs = _pearson_rows(x, ys)
        p = (1 + int(np.sum(np.abs(rs) >= abs(r) - _TIE_TOL))) / (1 + int(n_permutations))
        how = f"Monte Carlo, {n_permutations} permutations, seed {seed}"
    return AssociationTest(name, r, p, "permutation", null, alt, n, how, "")


def _kendall(x: np.ndarray, y: np.ndarray) -> AssociationTest:
    n = len(x)
    null = "gold CAR and the odds shift are independent"
    alt = "two-sided: tau != 0"
    if n < 3:
        return AssociationTest(
            "Kendall tau-b", np.nan, np.nan, "", null, alt, n, "", f"need N >= 3 pairs (N = {n})"
        )
    ties = len(np.unique(x)) < n or len(np.unique(y)) < n
    method = "asymptotic" if ties else "exact"
    res = stats.kendalltau(x, y, method=method)
    how = "scipy.stats.kendalltau, " + (
        "asymptotic (ties present, no exact null)" if ties else "exact null"
    )
    return AssociationTest(
        "Kendall tau-b",
        float(res.statistic),
        float(res.pvalue),
        "Kendall exact" if not ties else "N(0,1)",
        null,
        alt,
        n,
        how,
        "",
    )


def gold_odds_association(
    gold_car: pd.DataFrame,
    shifts: OddsStudyResults | pd.DataFrame,
    *,
    horizon: Any = "1D",
    aggregate: Aggregate = "mean",
    orientation: Mapping[str, int] | None = None,
    usable_statuses: Sequence[str] = ("ok", "no_baseline", "truncated"),
    n_permutations: int = 9999,
    exact_max_n: int = 8,
    seed: int | None = 0,
) -> GoldOddsAssociation:
    """Across events: is gold's CAR associated with the log-odds shift of the linked markets?

    Parameters
    ----------
    gold_car : DataFrame
        ``event_id``, ``car`` (decimal), one row per event (from the gold study).
    shifts : OddsStudyResults or DataFrame
    horizon : Timedelta-like, default "1D"
    aggregate : {"mean", "median", "largest_abs"}, default "mean"
        How an event's several linked markets make one log-odds shift:

        * ``"mean"`` -- mean of the usable ``shift_logodds``;
        * ``"median"`` -- their median;
        * ``"largest_abs"`` -- the one with the largest ``|shift_logodds|`` (sign kept).
    orientation : mapping slug -> +1/-1, optional
        Multiplies a market's shift before aggregating, so that +1 means the same direction
        for every market (e.g. YES = escalation); default +1 for all.
    usable_statuses : sequence of str, default ("ok", "no_baseline", "truncated")
        Rows with another status (``stale``, ``not_computable``) are left out.
    n_permutations, exact_max_n, seed
        See :func:`permutation_correlation_test`; exact enumeration for N <= ``exact_max_n``.

    Returns
    -------
    GoldOddsAssociation
        ``.table`` (per event: ``event_id, car, shift_logodds, n_markets``), ``.tests``
        (permutation Pearson, permutation Spearman, Kendall tau-b with scipy's exact null when
        there are no ties), ``.exclusions`` (events left out and why).
    """
    if aggregate not in ("mean", "median", "largest_abs"):
        raise SpecificationError(
            f"aggregate={aggregate!r} is not accepted; expected 'mean', 'median' or 'largest_abs'"
        )
    h = _to_timedelta(horizon, "horizon")
    frame = _shift_frame(shifts)
    frame = frame[pd.to_timedelta(frame["horizon"]) == h]
    if "linked" in frame:
        frame = frame[frame["linked"].astype(bool)]
    frame = frame.assign(event_id=frame["event_id"].astype(str))
    usable = frame[frame["status"].isin(usable_statuses) & np.isfinite(frame["shift_logodds"])]
    sign = usable["slug"].map(lambda s: (orientation or {}).get(s, 1)).astype(float)
    usable = usable.assign(x=usable["shift_logodds"] * sign)
    g = _gold_frame(gold_car)
    rows, excl = [], []
    for ev_id, car in zip(g["event_id"], g["car"], strict=True):
        sub = usable[usable["event_id"] == ev_id]
        if not np.isfinite(car):
            excl.append({"event_id": ev_id, "stage": "association", "reason": "gold CAR is NaN"})
            continue
        if sub.empty:
            seen = sorted(set(frame.loc[frame["event_id"] == ev_id, "status"]))
            why = (
                f"no usable odds shift at {_fmt_td(h)} (statuses: {', '.join(seen)})"
                if seen
                else "no linked market in the odds results"
            )
            excl.append({"event_id": ev_id, "stage": "association", "reason": why})
            continue
        if aggregate == "mean":
            val = float(sub["x"].mean())
        elif aggregate == "median":
            val = float(sub["x"].median())
        else:
            val = float(sub["x"].iloc[int(np.argmax(sub["x"].abs().to_numpy()))])
        rows.append({"event_id": ev_id, "car": car, "shift_logodds": val, "n_markets": len(sub)})
    table = pd.DataFrame(rows, columns=["event_id", "car", "shift_logodds", "n_markets"])
    x, y = table["car"].to_numpy(), table["shift_logodds"].to_numpy()
    tests = {
        "pearson_permutation": permutation_correlation_test(
            x,
            y,
            method="pearson",
            n_permutations=n_permutations,
            exact_max_n=exact_max_n,
            seed=seed,
        ),
        "spearman_permutation": permutation_correlation_test(
            x,
            y,
            method="spearman",
            n_permutations=n_permutations,
            exact_max_n=exact_max_n,
            seed=seed,
        ),
        "kendall": _kendall(x, y),
    }
    settings = {
        "horizon": str(h),
        "aggregate": aggregate,
        "usable_statuses": list(usable_statuses),
        "n_permutations": n_permutations,
        "exact_max_n": exact_max_n,
        "seed": seed,
    }
    exclusions = pd.DataFrame(excl, columns=["event_id", "stage", "reason"])
    return GoldOddsAssociation(table, tests, exclusions, settings)
