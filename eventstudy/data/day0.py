r"""Day 0: which trading date of an instrument first reflects an event, and trading-day offsets.

The calendars, time zones and strike times come from the registry
(:mod:`eventstudy.data.instruments`).

The day-0 rule
--------------
This is the one place where the package's event-timing convention is written down; every
other module links here.

**Day 0 of an event for an instrument is the first trading date of that instrument whose
daily price is struck strictly after the event time.** Formally, for an event at UTC time
:math:`\tau` and an instrument with sessions :math:`s_1 < s_2 < \dots` (tz-naive dates),
close time :math:`c` (local clock time), time zone :math:`z` and strike kind ``strike``,

.. math::

    \text{day0}(\tau) = \min \{ s_i : \text{strike}(s_i) > \tau \},
    \qquad \text{strike}(s) = \begin{cases}
        \text{localize}_z(s + c) & \texttt{strike="fixed"} \\
        \min\bigl(\text{localize}_z(s + c),\ \text{close}(s)\bigr) & \texttt{strike="close"}
    \end{cases}

where :math:`\text{localize}_z` is DST-aware and :math:`\text{close}(s)` is the calendar's
actual close of session :math:`s` (exchange-calendars ``closes``, early closes included).

Consequences:

* an event during a session but before the strike belongs to that date (day 0 = today);
* an event exactly at the strike, or after it, belongs to the next trading date (the day-0
  return close(t-1) -> close(t) must contain the event, and a price struck at the event
  instant cannot have reacted to it);
* weekend and holiday events roll forward to the next trading date;
* each instrument has its own day 0: an event at 17:45 UTC on 2025-03-12 (13:45 EDT) is after
  COMEX gold's 13:30 ET settlement (day 0 = 2025-03-13 for ``GC=F``) but before the NYSE
  16:00 close (day 0 = 2025-03-12 for ``GLD``).

Returns are close-to-close: the day-t return covers close(t-1) -> close(t), so the day-0
return is the first one that can contain the event. Event windows are integer trading-day
offsets from day 0 (:func:`session_offset`).

Early closes
------------
Each instrument says explicitly whether its daily value is the exchange's own closing price
(:attr:`Instrument.strike`):

* ``strike="close"``: the value is the closing price of the exchange whose calendar gives the
  sessions, and ``close_time`` is that calendar's regular close. On early-close days the
  strike is the calendar's actual session close. This covers the NYSE-listed ETFs and
  indices (``GLD``, ``GDX``, ``SPY``, ``^GSPC``, ``ACWI``, ``VT``, ``URTH``, ``TIP``,
  ``TLT``; ``XNYS`` 16:00, but 13:00 New York on 2025-07-03, 2025-11-28, 2025-12-24...) and
  ``^GDAXI`` (``XETR`` 17:30, but 14:00 Berlin on Xetra's last trading day of the year,
  e.g. 2025-12-30). An event at 2025-07-03 13:20 New York therefore has ``GLD`` day 0 =
  2025-07-07 (GLD's price for the 3rd was struck at 13:00; July 4 is a holiday), while one
  at 12:59 has day 0 = 2025-07-03.
* ``strike="fixed"`` (the default): the value is struck at ``close_time`` on every session,
  whatever the calendar's early closes. COMEX gold's 13:30 settlement is not an NYSE closing
  price and is not moved by NYSE early closes: the 2025-07-03 13:20 event has ``GC=F`` day 0
  = 2025-07-03 (13:20 < 13:30).

Not modelled (these instruments are ``"fixed"`` and keep their regular clock on early-close
days): CME settlement times on US early-close days (COMEX/NYMEX metals and energy,
``ES=F``), Cboe's 13:15 VIX close, the bond market's early closes (Treasury yields),
``DX-Y.NYB``, London half-days for Brent (``XLON`` is only its holiday calendar), and
``^STOXX50E`` (its ``XSWX`` sessions have no early closes).

Events whose clock time is unknown
----------------------------------
When an event's clock time is unknown (``time_known`` False), only its local calendar date
``date`` is known, and the catalog's ``day_basis`` says which side of the day's cut-offs
the analyst assumes:

* ``"no_time_assume_before_cutoffs"``: day 0 is the first session **on or after** ``date``
  (the event is assumed to precede that day's strike, wherever the instrument trades);
* ``"no_time_assume_after_us_close"``: day 0 is the first session **strictly after**
  ``date`` (the event is assumed to come after the US close of that day).

This is a rule on dates, not on the placeholder ``event_time`` the catalog stores for such
rows: an Asia/Tokyo event on Tuesday 2026-01-27 with no time has day 0 = 2026-01-27 for
``GC=F``, although 00:00 JST is 10:00 EST on Monday, before Monday's settlement.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from eventstudy.data.calendar_range import CALENDAR_END, CALENDAR_START
from eventstudy.data.instruments import (
    _REGISTRY,
    CONTINUOUS,
    END_OF_DAY,
    Instrument,
    get_instrument,
)
from eventstudy.exceptions import SpecificationError

if TYPE_CHECKING:
    import exchange_calendars as xcals

__all__ = [
    "CALENDAR_END",
    "CALENDAR_START",
    "DAY_BASES",
    "align_events",
    "day0",
    "day0_for_events",
    "session_offset",
    "trading_sessions",
]

DAY_BASES = ("time", "no_time_assume_before_cutoffs", "no_time_assume_after_us_close")
"""Accepted values of ``day_basis`` (see the module docstring)."""

DayBasis = Literal["time", "no_time_assume_before_cutoffs", "no_time_assume_after_us_close"]


# --------------------------------------------------------------------------------------------
# calendars and strike times (cached)
# --------------------------------------------------------------------------------------------


@functools.cache
def _calendar(name: str) -> xcals.ExchangeCalendar:
    import exchange_calendars as xcals  # lazy: about 0.1 s, paid when the days are not kept

    with warnings.catch_warnings():
        # exchange-calendars 4.13 reads Series.values on tz-aware data while building a
        # calendar, which pandas 3.1 deprecates; the warning is about its code, not ours.
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        return xcals.get_calendar(name, start=CALENDAR_START, end=CALENDAR_END)


@dataclass(frozen=True)
class _CalendarDays:
    """What a schedule reads from an exchange calendar, as int64 nanoseconds."""

    sessions_ns: np.ndarray  # every session (tz-naive dates)
    closes_ns: np.ndarray  # each session's close, UTC
    early_ns: np.ndarray  # the sessions that close early


_DAYS_ARRAYS = ("sessions_ns", "closes_ns", "early_ns")


@functools.cache
def _calendar_days(name: str) -> _CalendarDays:
    """Sessions, closes and early closes of a calendar over the calendar range.

    Building an exchange calendar (its holiday rules over 28 years) takes about 0.2 s of
    every run; its days depend only on the calendar, the range, the versions of
    exchange_calendars and pandas and the time-zone rules (:func:`_tz_database`), so they
    are kept in the per-user cache directory (``<user_cache_dir>/eventstudy/calendars``,
    next to the default data directory) and read from there by later runs. A file that is
    missing, unreadable or written for other versions is ignored (and replaced); a cache
    that cannot be written is not an error.
    """
    key = (
        f"days/1 {name} {CALENDAR_START} {CALENDAR_END} exchange_calendars "
        f"{importlib.metadata.version('exchange_calendars')} pandas {pd.__version__} "
        f"{_tz_database()}"
    )
    path = _days_path(key)
    days = _read_days(path, key)
    if days is None:
        cal = _calendar(name)
        days = _CalendarDays(
            pd.DatetimeIndex(cal.sessions).as_unit("ns").asi8.copy(),
            pd.DatetimeIndex(cal.closes).tz_convert("UTC").as_unit("ns").asi8.copy(),
            pd.DatetimeIndex(cal.early_closes).as_unit("ns").asi8.copy(),
        )
        _write_days(path, key, days)
    return days


def _tz_database() -> str:
    """Versions of the time-zone rules a calendar's closes (in UTC) were converted with.

    :mod:`zoneinfo` reads the system's database (on ``zoneinfo.TZPATH``) before the
    ``tzdata`` package: both are named, so a new release of either rebuilds the cache.
    """
    import zoneinfo

    try:
        package = importlib.metadata.version("tzdata")
    except importlib.metadata.PackageNotFoundError:
        package = "none"
    system = "none"
    for root in zoneinfo.TZPATH:
        try:
            with open(Path(root) / "tzdata.zi", encoding="ascii", errors="replace") as zi:
                system = zi.readline().strip()
            break
        except OSError:
            continue
    return f"tzdata {package} system {system}"


def _days_path(key: str) -> Path:
    import platformdirs  # lazy: only the cache's location needs it

    root = Path(platformdirs.user_cache_dir("eventstudy", appauthor=False))
    return root / "calendars" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"


def _read_days(path: Path, key: str) -> _CalendarDays | None:
    """The days kept at ``path`` for ``key``; None when absent, unreadable or not for it."""
    try:
        with np.load(path, allow_pickle=False) as kept:
            if str(kept["key"]) != key:
                return None
            arrays = [np.array(kept[a], dtype=np.int64) for a in _DAYS_ARRAYS]
    except Exception:  # missing, damaged or not ours: rebuilt, never a failed run
        return None
    sessions, closes, _early = arrays
    if sessions.ndim != 1 or closes.shape != sessions.shape or np.any(np.diff(sessions) <= 0):
        return None
    return _CalendarDays(*arrays)


def _write_days(path: Path, key: str, days: _CalendarDays) -> None:
    """Keep ``days`` at ``path`` (written beside it, then renamed into place)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".days-", suffix=".npz", dir=path.parent)
    except OSError:
        return  # a cache that cannot be written is not an error
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, key=np.array(key), **{a: getattr(days, a) for a in _DAYS_ARRAYS})
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
    except BaseException:  # e.g. Ctrl-C while writing: no half-written file left behind
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class _Schedule:
    sessions: pd.DatetimeIndex  # tz-naive dates, ns
    session_ns: np.ndarray  # int64 of sessions
    strike_ns: np.ndarray  # int64 UTC ns of each session's strike, increasing
    start_ns: int  # CALENDAR_START 00:00 in the instrument's tz, UTC ns


def _require_sessions(inst: Instrument, what: str) -> None:
    if not inst.has_sessions:
        raise SpecificationError(
            f"{inst.symbol!r} trades continuously (calendar {CONTINUOUS!r}): it has no "
            f"trading sessions, so {what} is not defined. Measure its changes in wall-clock "
            "hours around the event time (UTC) instead."
        )


def _localize(naive: pd.DatetimeIndex, tz: str) -> pd.DatetimeIndex:
    # Strikes never fall in a DST gap or overlap for the built-in clocks; for user clocks a
    # nonexistent time moves forward and an ambiguous one takes the later (standard-time) instant.
    return naive.tz_localize(tz, ambiguous=False, nonexistent="shift_forward")


def _close_strikes(
    inst: Instrument, cal: _CalendarDays, keep: np.ndarray, nominal_ns: np.ndarray
) -> np.ndarray:
    """Strikes of a ``strike="close"`` instrument: the calendar's actual session closes.

    ``close_time`` must be the calendar's regular close, i.e. equal the actual close on every
    session that is not an early close; early closes are then earlier than ``close_time``.
    """
    closes = cal.closes_ns[keep]
    early = np.isin(cal.sessions_ns[keep], cal.early_ns)
    bad = np.flatnonzero((~early & (closes != nominal_ns)) | (closes > nominal_ns))
    if bad.size:
        i = int(bad[0])
        raise SpecificationError(
            f"Instrument {inst.symbol!r}: strike='close' needs close_time to be the regular "
            f"close of {inst.calendar}, but on session "
            f"{pd.Timestamp(cal.sessions_ns[keep][i]).date()} {inst.calendar} closes at "
            f"{pd.Timestamp(closes[i], tz='UTC').tz_convert(inst.tz)} while close_time "
            f"{inst.close_time_str} {inst.tz} gives "
            f"{pd.Timestamp(nominal_ns[i], tz='UTC').tz_convert(inst.tz)}; fix close_time/tz or "
            "use strike='fixed'."
        )
    return np.minimum(closes, nominal_ns)


@functools.cache
def _schedule(inst: Instrument) -> _Schedule:
    _require_sessions(inst, "a session schedule")
    cal = _calendar_days(inst.calendar)
    sessions = pd.DatetimeIndex(cal.sessions_ns.view("datetime64[ns]"))
    keep = np.asarray(sessions >= pd.Timestamp(CALENDAR_START))
    sessions = pd.DatetimeIndex(sessions[keep], freq=None)
    if inst.close_time == END_OF_DAY:
        offset = pd.Timedelta(days=1)
    else:
        t = inst.close_time
        assert t is not None
        offset = pd.Timedelta(hours=t.hour, minutes=t.minute, seconds=t.second,
                              microseconds=t.microsecond)  # fmt: skip
    strikes = _localize(sessions + offset, inst.tz).tz_convert("UTC").as_unit("ns")
    start = _localize(pd.DatetimeIndex([CALENDAR_START]).as_unit("ns"), inst.tz)
    strike_ns = strikes.asi8.copy()
    if inst.strike == "close":
        # the exchange's closing price: struck at the actual close (early closes included)
        strike_ns = _close_strikes(inst, cal, keep, strike_ns)
    if np.any(np.diff(strike_ns) <= 0):  # pragma: no cover - guards odd user clocks
        raise SpecificationError(f"{inst.symbol!r}: strike times are not increasing.")
    return _Schedule(sessions, sessions.asi8.copy(), strike_ns, int(start.asi8[0]))


def _range_text(inst: Instrument, sch: _Schedule) -> str:
    return (
        f"the calendar of {inst.symbol!r} ({inst.calendar}) covers sessions "
        f"{sch.sessions[0].date()}..{sch.sessions[-1].date()} (CALENDAR_START={CALENDAR_START}, "
        f"CALENDAR_END={CALENDAR_END})"
    )


def _to_utc(value: Any, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise SpecificationError(
            f"{what} {value!r} is not a timestamp; expected a tz-aware time such as "
            "'2022-02-24T02:55:00Z' or pd.Timestamp('2025-02-18 20:00', tz='America/New_York')."
        ) from exc
    if ts is pd.NaT or pd.isna(ts):
        raise SpecificationError(f"{what} is missing (NaT); an event with a known time needs it.")
    if ts.tzinfo is None:
        raise SpecificationError(
            f"{what} {value!r} has no time zone; give a tz-aware time, e.g. "
            f"pd.Timestamp({str(value)!r}, tz='America/New_York') or a string ending in 'Z'."
        )
    return ts.tz_convert("UTC")


def _to_date(value: Any, what: str) -> pd.Timestamp:
    try:
        d = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise SpecificationError(f"{what} {value!r} is not a date; expected YYYY-MM-DD.") from exc
    if d is pd.NaT or pd.isna(d):
        raise SpecificationError(f"{what} is missing; an event without a clock time needs it.")
    if d.tzinfo is not None:
        d = d.tz_localize(None)
    return d.normalize().as_unit("ns")


def _check_basis(day_basis: str, where: str) -> None:
    if day_basis not in DAY_BASES:
        raise SpecificationError(
            f"{where}: day_basis {day_basis!r} is not accepted; expected one of "
            f"{', '.join(DAY_BASES)}."
        )


# --------------------------------------------------------------------------------------------
# day 0
# --------------------------------------------------------------------------------------------


def _positions_time(sch: _Schedule, t_ns: np.ndarray) -> np.ndarray:
    # first session whose strike is strictly greater than the event time
    return np.searchsorted(sch.strike_ns, t_ns, side="right")


def _positions_date(sch: _Schedule, d_ns: np.ndarray, basis: np.ndarray) -> np.ndarray:
    on_or_after = np.searchsorted(sch.session_ns, d_ns, side="left")
    after = np.searchsorted(sch.session_ns, d_ns, side="right")
    return np.where(basis == "no_time_assume_after_us_close", after, on_or_after)


def day0(
    event_time: Any,
    symbol: str | Instrument,
    *,
    time_known: bool = True,
    event_date: Any = None,
    day_basis: DayBasis = "time",
) -> pd.Timestamp:
    """Day 0 of one event for one instrument (the rule is in the module docstring).

    Parameters
    ----------
    event_time : str, datetime or pandas.Timestamp, tz-aware
        When the event happened (any time zone; compared in UTC). Ignored (may be None) when
        ``day_basis`` is not ``"time"``.
    symbol : str or Instrument
        Registered symbol (``"GC=F"``) or an :class:`Instrument`.
    time_known : bool, default True
        Whether the clock time is known; must agree with ``day_basis`` (True iff ``"time"``).
    event_date : str or date, optional
        The event's local calendar date (``YYYY-MM-DD``); required when the time is unknown.
    day_basis : {"time", "no_time_assume_before_cutoffs", "no_time_assume_after_us_close"}
        * ``"time"``: first session whose strike is strictly after ``event_time``.
        * ``"no_time_assume_before_cutoffs"``: first session on or after ``event_date``.
        * ``"no_time_assume_after_us_close"``: first session strictly after ``event_date``.

    Returns
    -------
    pandas.Timestamp
        The session date, tz-naive, at midnight.

    Raises
    ------
    SpecificationError
        Naive or missing ``event_time``, missing ``event_date``, unknown ``day_basis``,
        ``time_known`` contradicting ``day_basis``, an event outside the calendar range, or an
        instrument without sessions (Polymarket).
    UnknownInstrumentError
        ``symbol`` is not registered.

    Examples
    --------
    >>> day0("2025-02-18 20:00-05:00", "GC=F")  # after the close: next session
    Timestamp('2025-02-19 00:00:00')
    >>> day0(None, "GC=F", time_known=False, event_date="2026-01-26",
    ...      day_basis="no_time_assume_before_cutoffs")
    Timestamp('2026-01-26 00:00:00')
    """
    inst = get_instrument(symbol)
    _require_sessions(inst, "day 0")
    _check_basis(day_basis, "day0")
    if time_known != (day_basis == "time"):
        raise SpecificationError(
            f"day0: time_known={time_known} contradicts day_basis={day_basis!r}; use "
            "day_basis='time' for events with a known clock time and one of "
            "'no_time_assume_before_cutoffs', 'no_time_assume_after_us_close' otherwise."
        )
    sch = _schedule(inst)
    if day_basis == "time":
        t = _to_utc(event_time, "event_time")
        t_ns = t.as_unit("ns")._value
        if t_ns < sch.start_ns:
            raise SpecificationError(f"event_time {t} is before {_range_text(inst, sch)}.")
        pos = int(_positions_time(sch, np.array([t_ns]))[0])
        where = f"event_time {t}"
    else:
        d = _to_date(event_date, "event_date")
        if d < pd.Timestamp(CALENDAR_START):
            raise SpecificationError(f"event_date {d.date()} is before {_range_text(inst, sch)}.")
        pos = int(_positions_date(sch, np.array([d._value]), np.array([day_basis]))[0])
        where = f"event_date {d.date()}"
    if pos >= len(sch.sessions):
        raise SpecificationError(f"{where} has no later session: {_range_text(inst, sch)}.")
    return sch.sessions[pos]


def _event_ids(events: pd.DataFrame) -> pd.Index:
    if "event_id" in events.columns:
        return pd.Index(events["event_id"].astype(str))
    return pd.Index(events.index.astype(str))


def _utc_ns(values: pd.Series, use: np.ndarray, ids: pd.Index) -> np.ndarray:
    out = np.zeros(len(values), dtype=np.int64)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        conv = values.dt.tz_convert("UTC").dt.as_unit("ns")
        bad = use & conv.isna().to_numpy()
        if bad.any():
            raise SpecificationError(
                f"event_time is missing for events with day_basis 'time': {list(ids[bad])}."
            )
        ns = conv.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
        return np.where(use, ns.view(np.int64), 0)
    problems = []
    for i, (v, u) in enumerate(zip(values, use, strict=True)):
        if not u:
            continue
        try:
            out[i] = _to_utc(v, "event_time").as_unit("ns")._value
        except SpecificationError as exc:
            problems.append(f"{ids[i]}: {exc}")
    if problems:
        raise SpecificationError("bad event_time:\n  " + "\n  ".join(problems))
    return out


def _day_basis(events: pd.DataFrame, ids: pd.Index) -> np.ndarray:
    """Each event's ``day_basis`` (one of :data:`DAY_BASES`; ``"time"`` without the column).

    Raises
    ------
    SpecificationError
        A value is not in :data:`DAY_BASES` (the offending events are listed).
    """
    if "day_basis" not in events.columns:
        return np.full(len(events), "time", dtype=object)
    basis = events["day_basis"].astype(str).to_numpy()
    bad = ~np.isin(basis, DAY_BASES)
    if bad.any():
        raise SpecificationError(
            f"day_basis not accepted for events {list(ids[bad])} (values "
            f"{sorted(set(basis[bad]))}); expected one of {', '.join(DAY_BASES)}."
        )
    return basis


def _check_time_known(events: pd.DataFrame, ids: pd.Index, is_time: np.ndarray) -> None:
    """Raise SpecificationError where ``time_known`` (when given) contradicts the day basis."""
    if "time_known" not in events.columns:
        return
    known = events["time_known"].astype(bool).to_numpy()
    bad = known != is_time
    if bad.any():
        raise SpecificationError(
            f"time_known contradicts day_basis for events {list(ids[bad])}: rows with a "
            "clock time need day_basis 'time', rows without one a 'no_time_...' basis."
        )


def _date_ns(events: pd.DataFrame, no_time: np.ndarray, ids: pd.Index) -> np.ndarray:
    """The ``date`` of the events without a clock time as int64 ns (meaningless elsewhere).

    Raises
    ------
    SpecificationError
        No ``date`` column, a value that is not a date, or a missing date where ``no_time``.
    """
    if "date" not in events.columns:
        raise SpecificationError(
            "events has no column 'date' (YYYY-MM-DD), needed for rows without a clock time."
        )
    try:
        dates = pd.to_datetime(events["date"].where(no_time), format="mixed")
    except (ValueError, TypeError) as exc:
        raise SpecificationError(
            f"events column 'date' has values that are not dates (YYYY-MM-DD): {exc}"
        ) from exc
    if dates[no_time].isna().any():
        raise SpecificationError(
            f"date is missing for events without a clock time: "
            f"{list(ids[no_time & dates.isna().to_numpy()])}."
        )
    return dates.dt.as_unit("ns").to_numpy(dtype="datetime64[ns]").view(np.int64)


def day0_for_events(events: pd.DataFrame, symbol: str | Instrument) -> pd.Series:
    """Day 0 of every event of a catalog frame for one instrument (vectorised :func:`day0`).

    Parameters
    ----------
    events : pandas.DataFrame
        As returned by :func:`eventstudy.data.catalog.load_events`. Used columns:

        ============  ==========================================================
        event_time    tz-aware time (UTC); needed for rows with day_basis "time"
        date          local date ``YYYY-MM-DD``; needed for rows without time
        day_basis     optional; "time" when absent (see the module docstring)
        time_known    optional; checked against day_basis
        event_id      optional; names the rows in error messages
        ============  ==========================================================

        For example::

            event_id         date        event_time                 day_basis  time_known
            hamas_attack     2023-10-07  2023-10-07 03:30:00+00:00  time       True
            gold_5000        2026-01-26  2026-01-25 15:00:00+00:00  no_time_…  False

    symbol : str or Instrument
        Registered symbol or an :class:`Instrument`.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]`` session dates (tz-naive), same index as ``events``, named
        ``day0_<symbol>``.

    Raises
    ------
    SpecificationError
        Missing columns or values, contradicting ``time_known``, events outside the calendar
        range (all offending ``event_id`` are listed), or a continuous instrument.
    """
    inst = get_instrument(symbol)
    _require_sessions(inst, "day 0")
    name = f"day0_{inst.symbol}"
    n = len(events)
    if n == 0:
        return pd.Series(pd.DatetimeIndex([], dtype="datetime64[ns]"), index=events.index,
                         name=name)  # fmt: skip
    ids = _event_ids(events)
    basis = _day_basis(events, ids)
    is_time = basis == "time"
    _check_time_known(events, ids, is_time)
    sch = _schedule(inst)
    pos = np.zeros(n, dtype=np.int64)
    out_of_range: list[str] = []
    if is_time.any():
        if "event_time" not in events.columns:
            raise SpecificationError("events has no column 'event_time' (tz-aware UTC times).")
        t_ns = _utc_ns(events["event_time"], is_time, ids)
        early = is_time & (t_ns < sch.start_ns)
        out_of_range += list(ids[early])
        pos[is_time] = _positions_time(sch, t_ns[is_time])
    if (~is_time).any():
        no_time = ~is_time
        d_ns = _date_ns(events, no_time, ids)
        early = no_time & (d_ns < pd.Timestamp(CALENDAR_START).as_unit("ns")._value)
        out_of_range += list(ids[early])
        pos[no_time] = _positions_date(sch, d_ns[no_time], basis[no_time])
    out_of_range += list(ids[pos >= len(sch.sessions)])
    if out_of_range:
        raise SpecificationError(
            f"events outside the calendar range: {sorted(set(out_of_range))}; "
            f"{_range_text(inst, sch)}."
        )
    return pd.Series(sch.sessions[pos], index=events.index, name=name)


def align_events(events: pd.DataFrame, symbols: str | Sequence[str]) -> pd.DataFrame:
    """Day 0 of every event for each instrument, side by side.

    Parameters
    ----------
    events : pandas.DataFrame
        As from :func:`eventstudy.data.catalog.load_events` (see :func:`day0_for_events`).
    symbols : str or sequence of str
        Registered symbols, e.g. ``["GC=F", "GLD"]`` (a single str is one symbol).

    Returns
    -------
    pandas.DataFrame
        Columns ``event_id``, ``event_time`` (tz-aware UTC; for rows without a clock time the
        catalog's placeholder) and one ``day0_<SYMBOL>`` column per instrument
        (``datetime64[ns]`` session dates), in the order given; same index as ``events``.

    Raises
    ------
    SpecificationError
        No symbols, or as :func:`day0_for_events`.
    UnknownInstrumentError
        A symbol is not registered.
    """
    syms = [symbols] if isinstance(symbols, str) else list(symbols)
    if not syms:
        raise SpecificationError(
            f"align_events: no instruments given; pass symbols such as ['GC=F', 'GLD']. "
            f"Registered: {', '.join(_REGISTRY)}."
        )
    insts = [get_instrument(s) for s in syms]
    ids = _event_ids(events)
    out = pd.DataFrame({"event_id": ids.to_numpy()}, index=events.index)
    if "event_time" in events.columns:
        et = events["event_time"]
        if not isinstance(et.dtype, pd.DatetimeTZDtype):
            et = pd.Series(
                [pd.NaT if v is None or v is pd.NaT else _to_utc(v, "event_time") for v in et],
                index=events.index,
                dtype="datetime64[ns, UTC]",
            )
        out["event_time"] = et.dt.tz_convert("UTC")
    else:
        out["event_time"] = pd.Series(pd.NaT, index=events.index, dtype="datetime64[ns, UTC]")
    for inst in insts:
        col = day0_for_events(events, inst)
        out[col.name] = col
    return out


# --------------------------------------------------------------------------------------------
# sessions and trading-day offsets
# --------------------------------------------------------------------------------------------


def trading_sessions(symbol: str | Instrument, start: Any, end: Any) -> pd.DatetimeIndex:
    """Trading sessions of an instrument between two dates, both included.

    Parameters
    ----------
    symbol : str or Instrument
    start, end : str or date-like
        Dates ``YYYY-MM-DD`` (times are dropped).

    Returns
    -------
    pandas.DatetimeIndex
        tz-naive session dates (``datetime64[ns]``), increasing.

    Raises
    ------
    SpecificationError
        ``start`` after ``end``, dates outside the calendar range, or a continuous instrument.
    """
    inst = get_instrument(symbol)
    _require_sessions(inst, "trading sessions")
    sch = _schedule(inst)
    lo, hi = _to_date(start, "start"), _to_date(end, "end")
    if lo > hi:
        raise SpecificationError(f"trading_sessions: start {lo.date()} is after end {hi.date()}.")
    if lo < pd.Timestamp(CALENDAR_START) or hi > pd.Timestamp(CALENDAR_END):
        raise SpecificationError(
            f"trading_sessions: {lo.date()}..{hi.date()} is outside {_range_text(inst, sch)}."
        )
    i = int(np.searchsorted(sch.session_ns, lo._value, side="left"))
    j = int(np.searchsorted(sch.session_ns, hi._value, side="right"))
    return sch.sessions[i:j]


def session_offset(symbol: str | Instrument, session: Any, k: int) -> pd.Timestamp:
    """The session ``k`` trading days after (``k > 0``) or before (``k < 0``) ``session``.

    Parameters
    ----------
    symbol : str or Instrument
    session : str or date-like
        A session date of the instrument (e.g. a day 0).
    k : int
        Offset in the instrument's trading days; 0 returns ``session``.

    Returns
    -------
    pandas.Timestamp
        tz-naive session date.

    Raises
    ------
    SpecificationError
        ``session`` is not a session of the instrument (the message gives the neighbours), or
        the offset leaves the calendar range.

    Examples
    --------
    >>> session_offset("GLD", "2025-02-14", 1)  # Friday + 1 skips Presidents' Day
    Timestamp('2025-02-18 00:00:00')
    """
    inst = get_instrument(symbol)
    _require_sessions(inst, "a trading-day offset")
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise SpecificationError(f"session_offset: k must be an int (trading days), got {k!r}.")
    sch = _schedule(inst)
    d = _to_date(session, "session")
    i = int(np.searchsorted(sch.session_ns, d._value, side="left"))
    if i >= len(sch.sessions) or sch.session_ns[i] != d._value:
        prev = sch.sessions[i - 1].date() if i > 0 else None
        nxt = sch.sessions[i].date() if i < len(sch.sessions) else None
        raise SpecificationError(
            f"{d.date()} is not a trading session of {inst.symbol!r} ({inst.calendar}); "
            f"the sessions around it are {prev} and {nxt}."
        )
    j = i + int(k)
    if not 0 <= j < len(sch.sessions):
        raise SpecificationError(
            f"session_offset: {d.date()} {k:+d} trading days leaves {_range_text(inst, sch)}."
        )
    return sch.sessions[j]
