"""The instrument registry: calendar, time zone, strike time and unit of each series.

Each ticker or series the package reads has an :class:`Instrument` entry saying on which
trading calendar it has values, at what local clock time its daily value is struck, whether
it is a price (analyse returns) or a level (analyse differences), and what it is. The
built-in entries ship as the package resource ``eventstudy/data/instruments.csv`` (one row
per instrument, columns as the :class:`Instrument` fields); :func:`register_instrument` adds
your own. How an event time becomes day 0 on these calendars is :mod:`eventstudy.data.day0`.

How the calendars were chosen
-----------------------------
The sessions of an instrument must be the dates on which its price file has rows, otherwise
day 0 falls on a date without a price. Measured on the ``eventstudy-data/1`` snapshot from
2015-01-01 to each file's last row:

* ``GC=F``: exchange-calendars ``CMES`` (alias ``COMEX``) has sessions on US holidays (MLK,
  Presidents', Memorial, Labor, Thanksgiving...) because Globex trades on them, but COMEX does
  not settle on them and Yahoo has no rows: 73 ``CMES`` sessions without a row and 2 rows
  outside ``CMES``. ``XNYS`` sessions leave 3 sessions without a row (2016-10-10,
  2016-11-11, 2018-01-29: gaps in Yahoo's futures series; ``GLD`` has rows on them and
  COMEX is open on Columbus and Veterans Days) and 4 rows outside ``XNYS`` (2025-01-09, the
  NYSE's day of mourning for President Carter; 2025-07-04 and 2025-09-01, Globex holiday
  trading dated on the holiday; Sunday 2025-07-13). COMEX metals and NYMEX energy therefore
  use ``XNYS`` sessions.
* ``GLD`` and the other NYSE-listed ETFs match ``XNYS`` exactly (0 and 0).
* ``^GDAXI`` matches ``XETR`` exactly. Yahoo's ``^STOXX50E`` has no rows on Swiss holidays
  (Berchtoldstag, Ascension, Whit Monday, 1 August): it matches ``XSWX`` (1 session without a
  row, 0 extra rows) against 33 and 5 for ``XETR``, so it uses ``XSWX`` sessions with the
  17:30 Europe/Berlin close.
* ``EURUSD=X`` uses ``24/5`` (Monday to Friday): 8 sessions without a row (New Year, Christmas,
  Easter 2025 and 3 gaps) and 3 weekend rows.
* FRED Treasury series (``DGS10``, ``DGS2``, ``DFII10``, ``T10YIE``) follow the bond-market
  calendar, which exchange-calendars lacks: ``XNYS`` leaves 20 sessions without a value
  (Columbus and Veterans Days) and 4 extra values (Good Fridays).
* ``GPRD`` and its components have a value every calendar day (``24/7``, 0 and 0).

Calendars are built once per process for 2000-01-01 to 2027-12-31
(:data:`eventstudy.data.day0.CALENDAR_START`, :data:`~eventstudy.data.day0.CALENDAR_END`);
events outside that range raise :class:`~eventstudy.exceptions.SpecificationError`.

Polymarket odds trade continuously (calendar ``"continuous"``): there are no sessions and no
day 0; measure odds shifts in wall-clock hours around the event time.
:func:`eventstudy.data.day0.day0` raises for such instruments.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import zoneinfo
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal, cast

import pandas as pd

from eventstudy.exceptions import SpecificationError, UnknownInstrumentError

__all__ = [
    "CONTINUOUS",
    "END_OF_DAY",
    "Instrument",
    "get_instrument",
    "register_instrument",
    "registered_instruments",
]

CONTINUOUS = "continuous"
"""Calendar name of instruments that trade around the clock without sessions (Polymarket)."""
END_OF_DAY = dt.time.max
"""``close_time`` meaning 24:00, the end of the local calendar day (written ``"24:00"``)."""
Kind = Literal["price", "level"]
_KINDS = ("price", "level")
Strike = Literal["fixed", "close"]
_STRIKES = ("fixed", "close")


def _parse_close_time(value: Any, symbol: str) -> dt.time | None:
    if value is None or isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text == "24:00":
            return END_OF_DAY
        try:
            return dt.time.fromisoformat(text)
        except ValueError:
            pass
    raise SpecificationError(
        f"Instrument {symbol!r}: close_time {value!r} is not a clock time; expected a "
        "datetime.time, 'HH:MM' (local time of the daily price), '24:00' (end of day), "
        f"or None for calendar {CONTINUOUS!r}."
    )


@functools.cache
def _calendar_names() -> tuple[str, ...]:
    import exchange_calendars as xcals  # lazy: about 0.1 s, paid only to check a new name

    return tuple(sorted(xcals.get_calendar_names(include_aliases=True)))


_SHIPPED_CALENDARS: set[str] = set()
"""Calendars of the shipped table, filled as it is read: exchange-calendars names (a test
checks each), so the built-in instruments do not import exchange_calendars to check them."""


@dataclass(frozen=True)
class Instrument:
    """What the package knows about one ticker or series: calendar, clock, unit.

    Parameters
    ----------
    symbol : str
        Ticker as Yahoo spells it (``"GC=F"``, ``"^VIX"``), FRED id (``"DGS10"``) or
        series name (``"GPRD"``, ``"POLYMARKET"``).
    calendar : str
        exchange-calendars name whose sessions are the dates the series has values on
        (``"XNYS"``, ``"XETR"``, ``"24/7"``...), or ``"continuous"`` for around-the-clock
        markets without sessions (then ``close_time`` is None).
    tz : str
        IANA time zone in which ``close_time`` is read (``"America/New_York"``).
    close_time : datetime.time or str or None
        Local clock time at which the daily value is struck (settlement, close, fixing),
        e.g. ``"13:30"``; ``"24:00"`` (:data:`END_OF_DAY`) for end-of-day values. Strings
        are converted to :class:`datetime.time`.
    kind : {"price", "level"}
        * ``"price"``: a traded price or exchange rate; analyse (log or simple) returns.
        * ``"level"``: a yield, spread, volatility index, risk index or probability;
          analyse first differences in its own unit.
    description : str
        One line saying what the series is and when its value is struck.
    unit : str
        Unit of the values (``"USD/oz"``, ``"percent"``, ``"index points"``).
    notes : str, optional
        Why this calendar and strike time were chosen; known gaps against the data.
    strike : {"fixed", "close"}, default "fixed"
        * ``"fixed"``: the value is struck at ``close_time`` on every session (a settlement
          or fixing with its own clock, e.g. COMEX gold at 13:30 ET).
        * ``"close"``: the value is the closing price of the exchange of ``calendar``;
          ``close_time`` must be that calendar's regular close, and on early-close days the
          strike moves to the calendar's actual session close (``GLD``: 13:00 ET on
          2025-07-03). Checked when the schedule is first built (first day-0 call).
        See "Early closes" in the module docstring.

    Raises
    ------
    SpecificationError
        Unknown calendar name (the message lists accepted ones), unknown time zone,
        malformed close time or kind.

    Examples
    --------
    >>> gold = Instrument("XAU_LBMA_PM", "XLON", "Europe/London", "15:00", "price",
    ...                   "LBMA gold price PM auction", "USD/oz")
    >>> gold.close_time
    datetime.time(15, 0)
    """

    symbol: str
    calendar: str
    tz: str
    close_time: dt.time | None
    kind: Kind
    description: str
    unit: str
    notes: str = field(default="", compare=False)
    strike: Strike = "fixed"

    def __post_init__(self) -> None:
        if not isinstance(self.symbol, str) or not self.symbol.strip():
            raise SpecificationError(f"Instrument symbol {self.symbol!r} must be a non-empty str.")
        object.__setattr__(self, "symbol", self.symbol.strip())
        sym = self.symbol
        if self.calendar not in (CONTINUOUS, *_SHIPPED_CALENDARS) and (
            self.calendar not in _calendar_names()
        ):
            accepted = ", ".join([CONTINUOUS, *_calendar_names()])
            raise SpecificationError(
                f"Instrument {sym!r}: calendar {self.calendar!r} is not an exchange-calendars "
                f"name. Accepted: {accepted}."
            )
        try:
            zoneinfo.ZoneInfo(self.tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise SpecificationError(
                f"Instrument {sym!r}: tz {self.tz!r} is not an IANA time zone; expected a name "
                "from zoneinfo.available_timezones(), e.g. 'America/New_York', "
                "'Europe/Berlin', 'UTC'."
            ) from exc
        object.__setattr__(self, "close_time", _parse_close_time(self.close_time, sym))
        if self.calendar == CONTINUOUS and self.close_time is not None:
            raise SpecificationError(
                f"Instrument {sym!r}: a {CONTINUOUS!r} instrument has no daily strike; "
                f"pass close_time=None (got {self.close_time})."
            )
        if self.calendar != CONTINUOUS and self.close_time is None:
            raise SpecificationError(
                f"Instrument {sym!r}: calendar {self.calendar!r} needs close_time, the local "
                "time at which the daily value is struck ('HH:MM' or '24:00')."
            )
        if self.strike not in _STRIKES:
            raise SpecificationError(
                f"Instrument {sym!r}: strike {self.strike!r} is not accepted; expected "
                "'fixed' (struck at close_time every session) or 'close' (the exchange's "
                "closing price: close_time, or the calendar's earlier close on early-close days)."
            )
        if self.strike == "close" and self.calendar == CONTINUOUS:
            raise SpecificationError(
                f"Instrument {sym!r}: a {CONTINUOUS!r} instrument has no closing price; "
                "pass strike='fixed'."
            )
        if self.kind not in _KINDS:
            raise SpecificationError(
                f"Instrument {sym!r}: kind {self.kind!r} is not accepted; expected one of "
                f"{', '.join(_KINDS)} ('price' -> returns, 'level' -> differences)."
            )

    @property
    def has_sessions(self) -> bool:
        """False for continuous markets (no trading sessions, no day 0)."""
        return self.calendar != CONTINUOUS

    @property
    def change(self) -> Literal["return", "difference"]:
        """How to measure day-to-day changes: ``"return"`` for prices, else ``"difference"``."""
        return "return" if self.kind == "price" else "difference"

    @property
    def close_time_str(self) -> str:
        """``close_time`` as ``"HH:MM"`` (``"24:00"`` for end of day, ``""`` if none)."""
        if self.close_time is None:
            return ""
        if self.close_time == END_OF_DAY:
            return "24:00"
        return self.close_time.strftime("%H:%M:%S" if self.close_time.second else "%H:%M")


_TABLE = "instruments.csv"
"""The built-in registry, a package resource: one row per instrument (see :class:`Instrument`)."""


def _builtin_instruments() -> tuple[Instrument, ...]:
    """Read the shipped ``instruments.csv`` into :class:`Instrument` entries."""
    text = resources.files("eventstudy.data").joinpath(_TABLE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    _SHIPPED_CALENDARS.update(row["calendar"] for row in rows)
    return tuple(
        Instrument(
            symbol=row["symbol"],
            calendar=row["calendar"],
            tz=row["tz"],
            close_time=_parse_close_time(row["close_time"] or None, row["symbol"]),
            kind=cast(Kind, row["kind"]),  # text of the CSV, checked by __post_init__
            description=row["description"],
            unit=row["unit"],
            notes=row["notes"],
            strike=cast(Strike, row["strike"]),  # likewise
        )
        for row in rows
    )


_REGISTRY: dict[str, Instrument] = {inst.symbol: inst for inst in _builtin_instruments()}


def register_instrument(instrument: Instrument, *, replace: bool = False) -> Instrument:
    """Add an instrument to the registry (validated when the :class:`Instrument` is built).

    Parameters
    ----------
    instrument : Instrument
        The entry; its ``symbol`` is the key.
    replace : bool, default False
        Overwrite an existing entry with the same symbol. Without it, re-registering an equal
        instrument is a no-op and a different one raises.

    Returns
    -------
    Instrument
        The registered instrument.

    Raises
    ------
    SpecificationError
        ``instrument`` is not an :class:`Instrument`, or the symbol is taken by a different
        entry and ``replace`` is False.
    """
    if not isinstance(instrument, Instrument):
        raise SpecificationError(
            f"register_instrument expects an Instrument, got {type(instrument).__name__}; "
            "build one with Instrument(symbol, calendar, tz, close_time, kind, description, unit)."
        )
    old = _REGISTRY.get(instrument.symbol)
    if old is not None and old != instrument and not replace:
        raise SpecificationError(
            f"Instrument {instrument.symbol!r} is already registered ({old.calendar}, "
            f"{old.tz}, close {old.close_time_str}); pass replace=True to overwrite it."
        )
    _REGISTRY[instrument.symbol] = instrument
    return instrument


def get_instrument(symbol: str | Instrument) -> Instrument:
    """Look up an instrument by symbol (exact, else case-insensitive).

    Parameters
    ----------
    symbol : str or Instrument
        ``"GC=F"``, ``"gld"``...; an :class:`Instrument` is returned as is.

    Returns
    -------
    Instrument

    Raises
    ------
    UnknownInstrumentError
        No entry; the message names the symbol and lists the registered ones.
    """
    if isinstance(symbol, Instrument):
        return symbol
    key = str(symbol).strip()
    if key in _REGISTRY:
        return _REGISTRY[key]
    matches = [k for k in _REGISTRY if k.casefold() == key.casefold()]
    if len(matches) == 1:
        return _REGISTRY[matches[0]]
    raise UnknownInstrumentError(
        f"unknown instrument {symbol!r}. Registered: {', '.join(_REGISTRY)}. "
        "Add one with eventstudy.data.instruments.register_instrument(Instrument(...))."
    )


def registered_instruments() -> pd.DataFrame:
    """The registry as a table, one row per instrument.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``symbol``; columns ``calendar``, ``tz``, ``close_time`` (``"HH:MM"`` local,
        ``"24:00"`` = end of day, ``""`` = continuous), ``strike`` (``fixed`` / ``close``:
        see "Early closes" in the module docstring), ``kind`` (``price`` / ``level``),
        ``change`` (``return`` / ``difference``), ``unit``, ``description``, ``notes``.
    """
    rows = [
        {
            "symbol": i.symbol,
            "calendar": i.calendar,
            "tz": i.tz,
            "close_time": i.close_time_str,
            "strike": i.strike,
            "kind": i.kind,
            "change": i.change,
            "unit": i.unit,
            "description": i.description,
            "notes": i.notes,
        }
        for i in _REGISTRY.values()
    ]
    return pd.DataFrame(rows).set_index("symbol")
