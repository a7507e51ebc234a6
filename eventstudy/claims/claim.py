"""Typed claims: :class:`Claim` and :class:`SeriesRef`, and the parsers of claim parameters.

The spellings they read are those of ``claims.csv`` (:mod:`eventstudy.claims.spec`): series
``GC=F`` / ``series:GPRD`` / ``polymarket:<slug>``, trading-day windows ``a:b``, wall-clock
windows ``3D`` / ``6h`` / ``30min``, horizons ``<n>M`` or dates. Each parser raises
``ValueError`` with a message saying what is expected; the validator turns it into a problem
with file, line and column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from eventstudy.data.catalog import is_market_slug
from eventstudy.exceptions import UnknownInstrumentError

__all__ = [
    "MARKET_PREFIX",
    "SERIES_PREFIX",
    "Claim",
    "ClaimType",
    "SeriesRef",
    "horizon_end",
    "parse_horizon",
    "parse_series",
    "parse_trading_window",
]

MARKET_PREFIX = "polymarket:"
SERIES_PREFIX = "series:"
ClaimType = Literal["threshold", "level", "shift", "event_effect", "association"]

_TRADING_WINDOW = re.compile(r"^([+-]?\d{1,4})\s*:\s*([+-]?\d{1,4})$")
_WALL_CLOCK = re.compile(r"^(\d{1,4}(?:\.\d+)?)\s*(d|h|min)$", re.IGNORECASE)
_MONTHS = re.compile(r"^(\d{1,3})\s*m$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEY = re.compile(r"^[A-Za-z0-9^=._\-]+$")


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesRef:
    """One series a claim names.

    Attributes
    ----------
    kind : {"prices", "series", "market"}
        ``prices/<key>.csv``, ``series/<key>.csv``, or the ``Yes`` token of market ``key``.
    key : str
        Ticker (Yahoo spelling), series id, or market slug.
    """

    kind: Literal["prices", "series", "market"]
    key: str

    @property
    def label(self) -> str:
        """``GC=F``, ``GPRD`` or ``polymarket:<slug>``."""
        return f"{MARKET_PREFIX}{self.key}" if self.kind == "market" else self.key

    @property
    def token(self) -> str:
        """The spelling used in ``claims.csv``."""
        return f"{SERIES_PREFIX}{self.key}" if self.kind == "series" else self.label


@dataclass(frozen=True)
class Claim:
    """One validated claim (a row of :func:`load_claims`), with parsed parameters.

    Dates are tz-naive calendar dates; ``window`` and ``sensitivity`` keep their text (their
    meaning depends on the series: see the module docstring).
    """

    claim_id: str
    text: str
    source: str
    made_on: pd.Timestamp
    type: ClaimType
    series: tuple[SeriesRef, ...]
    expected: str
    alpha: float
    level: float = math.nan
    tolerance: float = math.nan
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    baseline: pd.Timestamp | None = None
    events: tuple[str, ...] = ()
    window: str = ""
    basis: str = ""
    sensitivity: tuple[str, ...] = ()
    notes: str = ""

    @property
    def primary(self) -> SeriesRef:
        """The series the verdict rests on (the first one named)."""
        return self.series[0]


def parse_series(token: str) -> SeriesRef:
    """Parse one ``series`` token (``GC=F``, ``series:GPRD``, ``polymarket:<slug>``).

    Raises
    ------
    ValueError
        The token is malformed; the message says what is expected.
    """
    text = token.strip()
    low = text.lower()
    if low.startswith(MARKET_PREFIX):
        slug = text[len(MARKET_PREFIX) :]
        if not is_market_slug(slug):
            raise ValueError(
                "not a Polymarket market slug after 'polymarket:'; expected letters, digits "
                "and single hyphens (e.g. polymarket:will-us-leave-nato-by-june-30)"
            )
        return SeriesRef("market", slug)
    if low.startswith(SERIES_PREFIX):
        key = text[len(SERIES_PREFIX) :]
        kind: Literal["prices", "series"] = "series"
    else:
        key, kind = text, "prices"
    if not key or not _KEY.match(key) or key in {".", ".."}:
        raise ValueError(
            "not a series name; expected a ticker as Yahoo spells it (GC=F, GLD), "
            "series:<ID> for series/<ID>.csv (series:GPRD) or polymarket:<slug>"
        )
    from eventstudy.data.instruments import get_instrument

    try:
        instrument = get_instrument(key)
    except UnknownInstrumentError as exc:
        raise ValueError(f"{exc}") from None
    if not instrument.has_sessions:
        raise ValueError(
            f"{instrument.symbol} has no trading sessions; name a market as polymarket:<slug>"
        )
    return SeriesRef(kind, instrument.symbol)


def parse_trading_window(text: str) -> tuple[int, int]:
    """``"-1:1"`` -> ``(-1, 1)``: a closed window of trading-day offsets from day 0.

    Raises
    ------
    ValueError
        Not ``a:b`` with integers ``a <= b``.
    """
    m = _TRADING_WINDOW.match(text.strip())
    if m is None or int(m[1]) > int(m[2]):
        raise ValueError(
            "not a trading-day window; expected a:b with whole trading days a <= b, "
            "e.g. -1:1 for days -1, 0 and +1 around day 0"
        )
    return int(m[1]), int(m[2])


def parse_horizon(text: str) -> pd.Timedelta:
    """``"3D"``, ``"6h"``, ``"30min"`` -> a positive wall-clock duration (market windows).

    Raises
    ------
    ValueError
        Not a number followed by ``D``, ``h`` or ``min``, or not positive.
    """
    m = _WALL_CLOCK.match(text.strip())
    if m is None or float(m[1]) <= 0:
        raise ValueError(
            "not a wall-clock window; expected a positive number of days, hours or minutes, "
            "e.g. 3D, 6h or 30min"
        )
    unit = {"d": "D", "h": "h", "min": "min"}[m[2].lower()]
    return pd.Timedelta(float(m[1]), unit=unit)


def horizon_end(text: str, made_on: pd.Timestamp) -> pd.Timestamp:
    """A threshold horizon: ``"3M"`` -> ``made_on`` + 3 calendar months; a date -> itself.

    Raises
    ------
    ValueError
        Neither ``<n>M`` nor a YYYY-MM-DD date.
    """
    value = text.strip()
    if (m := _MONTHS.match(value)) is not None and int(m[1]) > 0:
        return made_on + pd.DateOffset(months=int(m[1]))
    if _ISO_DATE.match(value):
        try:
            return pd.Timestamp(value)
        except ValueError:
            pass
    raise ValueError(
        "not a horizon; expected <n>M (calendar months after made_on, e.g. 1M 6M) or a date "
        "YYYY-MM-DD"
    )
