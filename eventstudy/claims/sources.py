"""What the claims read from the data directory, and what to say when it is not there.

I/O only: each reader returns the series a claim names (:class:`SeriesData`) or raises
:class:`MissingData`, whose :class:`MissingFile` names the file (relative to the data
directory), why it does not serve, and the exact ``eventstudy fetch`` command that gets it
(empty when no ``eventstudy fetch`` command can: the Caldara-Iacoviello GPR files are not on
FRED). Nothing is guessed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from eventstudy.claims.claim import SeriesRef
from eventstudy.data import store
from eventstudy.data.needs import NOT_FETCHABLE  # series no fetcher gets, with what to do
from eventstudy.exceptions import DataNotFoundError

__all__ = [
    "MISSING_TEXTS",
    "MissingData",
    "MissingFile",
    "SeriesData",
    "data_versions",
    "fetch_command",
    "read_series",
    "resolve_root",
    "utc_day",
]

MISSING_TEXTS: dict[str, str] = {
    "missing_odds": "{path} (odds of market '{slug}', outcome Yes) is not in the data directory",
    "missing_gold": "{path} is not in the data directory (the gold study reads it)",
    "missing_file": "{path} is not in the data directory",
    "missing_market": "market '{slug}' is not listed in {path}",
    "empty_odds": "{path} (odds of market '{slug}') has no rows",
    "ends_early": "{path} ends on {last}; the claim needs data through {end}",
    "starts_late": "{path} starts on {first}; the claim needs data from {start}",
    "fetch": "fetch it with: {command}",
}
"""Why a file does not serve a claim (the reason of a ``no data`` verdict, followed by
``"; "`` and ``fetch``, or by :data:`eventstudy.data.needs.NOT_FETCHABLE`'s sentence).
``path`` is relative to the data directory, ``slug`` a Polymarket market, dates
``YYYY-MM-DD``; the Japanese page reads them back (:mod:`eventstudy.report.cells`). A
specific sentence comes before a general one that also reads it (``missing_odds`` before
``missing_file``)."""


@dataclass(frozen=True)
class MissingFile:
    """A file a claim needs that the data directory does not have, or not far enough.

    Attributes
    ----------
    path : str
        Path relative to the data directory (``prices/GC=F.csv``).
    reason : str
        What is missing.
    fetch_command : str
        The ``eventstudy fetch ...`` command that gets it; empty when none can (the reason
        then says where the file comes from).
    """

    path: str
    reason: str
    fetch_command: str = ""


class MissingData(Exception):
    """Raised by the readers; carries the :class:`MissingFile`."""

    def __init__(self, missing: MissingFile):
        self.missing = missing
        super().__init__(missing.reason)


@dataclass(frozen=True)
class SeriesData:
    """One series as a claim sees it.

    Attributes
    ----------
    ref : SeriesRef
    observed : Series
        The series' value per observation: ``close`` (prices), ``value`` (series), ``p``
        (markets, indexed by tz-aware UTC sample time); prices and series indexed by date.
    bars : DataFrame or None
        Prices only: ``open, high, low, close, volume`` by date.
    unit : str
        From the instrument registry (``USD/oz``, ``probability (0-1)``...).
    log : bool
        True for prices (returns, log distances), False for levels.
    files : tuple of str
        Data files read (relative paths).
    market : dict
        Markets only: ``token_id``, ``created_at``, ``closed_at``.
    """

    ref: SeriesRef
    observed: pd.Series
    bars: pd.DataFrame | None
    unit: str
    log: bool
    files: tuple[str, ...]
    market: dict = field(default_factory=dict)

    @property
    def frame(self) -> pd.DataFrame:
        """``bars`` for prices, else the observations as a one-column ``close`` frame."""
        return self.bars if self.bars is not None else self.observed.to_frame("close")

    @property
    def first(self) -> pd.Timestamp:
        """Date of the first observation (UTC date for markets)."""
        return utc_day(self.observed.index[0])

    @property
    def last(self) -> pd.Timestamp:
        """Date of the last observation (UTC date for markets)."""
        return utc_day(self.observed.index[-1])

    def require(self, start: pd.Timestamp | None, end: pd.Timestamp | None, root: Path) -> None:
        """Raise :class:`MissingData` unless the file covers ``start`` .. ``end``."""
        path = self.files[-1]
        if end is not None and self.last < end:
            raise MissingData(
                MissingFile(
                    path,
                    MISSING_TEXTS["ends_early"].format(
                        path=path, last=self.last.date(), end=end.date()
                    ),
                    fetch_command(self.ref, root),
                )
            )
        if start is not None and self.first > start:
            raise MissingData(
                MissingFile(
                    path,
                    MISSING_TEXTS["starts_late"].format(
                        path=path, first=self.first.date(), start=start.date()
                    ),
                    fetch_command(self.ref, root),
                )
            )


def utc_day(ts: object) -> pd.Timestamp:
    """The date of a timestamp as tz-naive midnight (its UTC date when tz-aware)."""
    stamp = pd.Timestamp(ts)
    return (stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp).normalize()


def fetch_command(ref: SeriesRef, root: Path) -> str:
    """The ``eventstudy fetch`` command that gets a series ('' when none can)."""
    if ref.kind == "series" and ref.key in NOT_FETCHABLE:
        return ""
    option = {"prices": "--tickers", "series": "--series", "market": "--markets"}[ref.kind]
    return store._fetch_command(option, ref.key, root)


def _missing(ref: SeriesRef, relpath: str, reason: str, root: Path) -> MissingData:
    if ref.kind == "series" and ref.key in NOT_FETCHABLE:
        reason = f"{reason}; {NOT_FETCHABLE[ref.key]}"
    return MissingData(MissingFile(relpath, reason, fetch_command(ref, root)))


def read_series(ref: SeriesRef, root: Path) -> SeriesData:
    """Read the series a claim names from the data directory ``root``.

    Raises
    ------
    MissingData
        The file (or, for a market, ``polymarket/markets.csv``, the market's row or its odds
        file) is missing.
    """
    from eventstudy.data.instruments import get_instrument

    if ref.kind == "market":
        return _read_market(ref, root)
    unit = get_instrument(ref.key).unit
    log = get_instrument(ref.key).kind == "price"
    if ref.kind == "prices":
        rel = store.price_relpath(ref.key)
        try:
            bars = store.load_prices(ref.key, root)
        except DataNotFoundError:
            raise _missing(ref, rel, MISSING_TEXTS["missing_file"].format(path=rel), root) from None
        bars = _on_calendar(bars, ref.key)
        return SeriesData(ref, bars["close"], bars, unit, log, (rel,))
    rel = store.series_relpath(ref.key)
    try:
        values = store.load_series(ref.key, root).dropna()
    except DataNotFoundError:
        raise _missing(ref, rel, MISSING_TEXTS["missing_file"].format(path=rel), root) from None
    return SeriesData(ref, values, None, unit, log, (rel,))


def _on_calendar(bars: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """Rows on the instrument's sessions (Yahoo's Globex-holiday rows of GC=F are dropped)."""
    from eventstudy.data.day0 import trading_sessions

    if bars.empty:
        return bars
    sessions = trading_sessions(symbol, bars.index[0], bars.index[-1])
    return bars[bars.index.isin(sessions)]


def _read_market(ref: SeriesRef, root: Path) -> SeriesData:
    slug = ref.key
    command = fetch_command(ref, root)
    try:
        rows = store.market_tokens(slug, root, outcome="Yes")
    except DataNotFoundError as exc:  # no markets.csv, or the slug is not listed
        path = store.MARKETS_RELPATH
        reason = (
            MISSING_TEXTS["missing_market"].format(slug=slug, path=path)
            if Path(root, path).is_file()
            else MISSING_TEXTS["missing_file"].format(path=path)
        )
        raise MissingData(MissingFile(path, reason, command)) from exc
    token = str(rows["token_id"].iloc[0])
    rel = store.odds_relpath(token)
    try:
        odds = store.load_odds(token, root)
    except DataNotFoundError:
        reason = MISSING_TEXTS["missing_odds"].format(path=rel, slug=slug)
        raise MissingData(MissingFile(rel, reason, command)) from None
    if odds.empty:
        reason = MISSING_TEXTS["empty_odds"].format(path=rel, slug=slug)
        raise MissingData(MissingFile(rel, reason, command))
    meta = {
        "token_id": token,
        "created_at": rows["created_at"].iloc[0],
        "closed_at": rows["closed_at"].iloc[0],
    }
    values = pd.Series(odds["p"].to_numpy(float), index=pd.DatetimeIndex(odds["t"]), name="p")
    files = (store.MARKETS_RELPATH, rel)
    return SeriesData(ref, values, None, "probability (0-1)", False, files, meta)


def data_versions(paths: list[str], root: Path) -> pd.DataFrame:
    """Path, sha256 of the bytes read, whether ``manifest.json`` agrees, rows and source.

    From :func:`eventstudy.data.store.file_versions` (which warns when a file is not the one
    the manifest recorded); ``verified`` is False for such files and for unlisted ones.
    """
    table = store.file_versions(list(dict.fromkeys(paths)), root)
    out = table.loc[:, ["path", "sha256_read", "verified", "rows", "source"]]
    out = out.rename(columns={"sha256_read": "sha256"})
    out["sha256"] = out["sha256"].astype("str")
    out["source"] = out["source"].astype("str")
    return out.reset_index(drop=True)


def resolve_root(data_dir: str | os.PathLike[str] | None) -> Path:
    """The data directory (:func:`eventstudy.data.store.resolve_data_dir`)."""
    return store.resolve_data_dir(data_dir)
