"""The data directory (layout ``eventstudy-data/1``): paths, reading, atomic writes, manifest.

Layout (``/work/shared/data/README.md`` is the reference)::

    manifest.json                     format, creation date, licences; per file: source, params,
                                      fetched_at, rows, first/last date, sha256, library versions
    prices/<TICKER>.csv               date,open,high,low,close,volume  (TICKER as Yahoo spells it)
    series/<ID>.csv                   date,value
    polymarket/markets.csv            one row per outcome token (see ``MARKET_COLUMNS``)
    polymarket/prices/<TOKEN_ID>.csv  t,p   (t ISO-8601 UTC, p outcome price in [0, 1])

Which directory is used is decided once, by :func:`resolve_data_dir`: the explicit argument,
else the environment variable ``EVENTSTUDY_DATA``, else ``./data``.

Readers return typed pandas objects and raise :class:`~eventstudy.exceptions.DataNotFoundError`
(naming the ticker, series or token and the ``eventstudy fetch`` command that would fetch it)
when a file is missing, and :class:`~eventstudy.exceptions.DataFormatError` (naming the file,
line and column) when a file is malformed. Line numbers count the header as line 1, as an
editor shows them.

Writers (used by :mod:`eventstudy.data.fetch`) never leave a partial file or a corrupted
``manifest.json``: they write to a temporary file in the same directory, then ``os.replace``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy.exceptions import (
    DataFormatError,
    DataNotFoundError,
    SpecificationError,
    UnknownMarketError,
)

__all__ = [
    "DATA_ENV",
    "FORMAT",
    "MARKETS_RELPATH",
    "MARKET_COLUMNS",
    "PRICE_COLUMNS",
    "file_versions",
    "library_versions",
    "load_manifest",
    "load_markets",
    "load_odds",
    "load_prices",
    "load_series",
    "market_tokens",
    "odds_relpath",
    "price_relpath",
    "resolve_data_dir",
    "series_relpath",
    "token_id_for",
    "write_csv_atomic",
]

FORMAT = "eventstudy-data/1"
"""Identifier of the data-directory layout, stored as ``format`` in ``manifest.json``."""

DATA_ENV = "EVENTSTUDY_DATA"
"""Environment variable naming the data directory when no argument is given."""

MANIFEST = "manifest.json"
MARKETS_RELPATH = "polymarket/markets.csv"

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
"""Value columns of ``prices/<TICKER>.csv`` (after ``date``), in file order."""

MARKET_COLUMNS = (
    "market_id",
    "slug",
    "question",
    "event_slug",
    "condition_id",
    "outcome",
    "token_id",
    "created_at",
    "closed_at",
    "volume_usd",
    "neg_risk",
    "has_prices",
)
"""Columns of ``polymarket/markets.csv``, in file order."""

_MISSING_VALUES = ("", ".")
_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False}
_SAFE_KEY = re.compile(r"^[A-Za-z0-9^=._\-]+$")
_TOKEN_ID = re.compile(r"^[0-9]{1,80}$")


# --------------------------------------------------------------------------------------------
# paths
# --------------------------------------------------------------------------------------------


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The data directory to use.

    Parameters
    ----------
    data_dir : str or path-like, optional
        Explicit directory. When None, ``$EVENTSTUDY_DATA`` is used if set and non-empty,
        else ``./data`` (relative to the current working directory).

    Returns
    -------
    Path
        The directory, ``~`` expanded. It is not required to exist (fetching creates it).
    """
    if data_dir is None or str(data_dir) == "":
        env = os.environ.get(DATA_ENV, "").strip()
        data_dir = env if env else "data"
    return Path(data_dir).expanduser()


def _check_key(key: str, what: str) -> str:
    key = str(key).strip()
    if not key or not _SAFE_KEY.match(key) or key in {".", ".."}:
        raise SpecificationError(
            f"{what} {key!r} cannot be a file name in the data directory; expected letters, "
            "digits and ^ = . _ - only (e.g. 'GC=F', '^GSPC', 'DX-Y.NYB', 'DFII10')"
        )
    return key


def _check_token(token_id: str | int) -> str:
    token = str(token_id).strip()
    if not _TOKEN_ID.match(token):
        raise SpecificationError(
            f"Polymarket token id {token!r} is not a decimal string of up to 78 digits "
            "(the CLOB token id, not the condition id 0x...)"
        )
    return token


def price_relpath(ticker: str) -> str:
    """Relative path of a ticker's daily bars, e.g. ``prices/GC=F.csv``."""
    return f"prices/{_check_key(ticker, 'ticker')}.csv"


def series_relpath(series_id: str) -> str:
    """Relative path of a series, e.g. ``series/DFII10.csv``."""
    return f"series/{_check_key(series_id, 'series id')}.csv"


def odds_relpath(token_id: str | int) -> str:
    """Relative path of an outcome token's price history, ``polymarket/prices/<TOKEN_ID>.csv``."""
    return f"polymarket/prices/{_check_token(token_id)}.csv"


def _fetch_command(option: str, value: str, root: Path) -> str:
    return f"eventstudy fetch {option} {shlex.quote(value)} --data-dir {shlex.quote(str(root))}"


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------


def _read_raw(path: Path, what: str, fetch_command: str | None) -> pd.DataFrame:
    """Read a CSV as strings (no NA guessing), or raise DataNotFoundError / DataFormatError."""
    if not path.is_file():
        raise DataNotFoundError(what, str(path), fetch_command)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path}: not a readable CSV file ({exc})") from exc


def _require_columns(raw: pd.DataFrame, path: Path, required: Iterable[str]) -> None:
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise DataFormatError(
            f"{path} line 1: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(map(str, raw.columns)) or 'none'}"
        )


def _first_bad(mask: np.ndarray | pd.Series, raw: pd.DataFrame, column: str) -> tuple[int, str]:
    pos = int(np.flatnonzero(np.asarray(mask))[0])
    return pos + 2, str(raw[column].iloc[pos])


def _parse_float(raw: pd.DataFrame, column: str, path: Path, *, required: bool) -> pd.Series:
    """Parse a text column to float64; blanks and '.' become NaN unless ``required``."""
    text = raw[column].str.strip()
    blank = text.isin(_MISSING_VALUES)
    values = pd.to_numeric(text.where(~blank, None), errors="coerce").astype("float64")
    bad = values.isna() & ~blank
    if bad.any():
        line, seen = _first_bad(bad, raw, column)
        raise DataFormatError(f"{path} line {line}, column {column}: {seen!r} is not a number")
    if required and blank.any():
        line, seen = _first_bad(blank, raw, column)
        raise DataFormatError(f"{path} line {line}, column {column}: value is missing")
    return values


def _parse_dates(raw: pd.DataFrame, column: str, path: Path) -> pd.DatetimeIndex:
    text = raw[column].str.strip()
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        line, seen = _first_bad(dates.isna(), raw, column)
        raise DataFormatError(
            f"{path} line {line}, column {column}: {seen!r} is not a date; expected YYYY-MM-DD"
        )
    dup = dates.duplicated()
    if dup.any():
        line, seen = _first_bad(dup, raw, column)
        raise DataFormatError(f"{path} line {line}, column {column}: date {seen} is repeated")
    return pd.DatetimeIndex(dates, name="date")


def load_prices(ticker: str, data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Daily bars of one instrument from ``prices/<TICKER>.csv``.

    Parameters
    ----------
    ticker : str
        The ticker as Yahoo spells it (``"GC=F"``, ``"^GSPC"``, ``"DX-Y.NYB"``).
    data_dir : str or path-like, optional
        Data directory; see :func:`resolve_data_dir`.

    Returns
    -------
    DataFrame
        Indexed by ``date`` (tz-naive ``DatetimeIndex`` of the exchange's trading dates,
        sorted, unique), with float64 columns among ``open, high, low, close, volume`` in that
        order. ``close`` is always present and never NaN. A column that is blank on every row
        (``^GSPC`` in the snapshot has close only) is left out rather than kept as all-NaN;
        other blanks are NaN. Prices are in the instrument's currency (``close`` is yfinance's
        auto-adjusted close); ``^TNX``/``^FVX`` are yields in percent, ``^VIX`` index points.

    Raises
    ------
    DataNotFoundError
        The file does not exist; the message gives the ``eventstudy fetch`` command.
    DataFormatError
        Missing ``date``/``close`` column, an unparsable date or number, a repeated date or a
        blank close (the message gives file, line and column).
    """
    root = resolve_data_dir(data_dir)
    path = root / price_relpath(ticker)
    raw = _read_raw(path, f"prices for {ticker}", _fetch_command("--tickers", ticker, root))
    _require_columns(raw, path, ("date", "close"))
    index = _parse_dates(raw, "date", path)
    columns: dict[str, pd.Series] = {}
    for col in PRICE_COLUMNS:
        if col not in raw.columns:
            continue
        values = _parse_float(raw, col, path, required=col == "close")
        if col != "close" and len(values) and values.isna().all():
            continue
        columns[col] = pd.Series(values.to_numpy(), index=index, name=col)
    frame = pd.DataFrame(columns, index=index)
    return frame.sort_index()


def load_series(series_id: str, data_dir: str | os.PathLike[str] | None = None) -> pd.Series:
    """One observation per date from ``series/<ID>.csv``.

    Parameters
    ----------
    series_id : str
        FRED id (``"DFII10"``), GPR index (``"GPRD"``) or another stored series id.
    data_dir : str or path-like, optional
        Data directory; see :func:`resolve_data_dir`.

    Returns
    -------
    Series
        float64 values named ``series_id``, indexed by ``date`` (tz-naive, sorted, unique).
        Blank values (and FRED's ``.``) are missing observations and become NaN: they are
        kept, not dropped, so callers decide how to treat them. Units are the source's
        (FRED yields in percent; GPR index with 1985-2019 = 100).

    Raises
    ------
    DataNotFoundError
        The file does not exist.
    DataFormatError
        Missing ``date``/``value`` column, a bad date or number, a repeated date.
    """
    root = resolve_data_dir(data_dir)
    path = root / series_relpath(series_id)
    raw = _read_raw(path, f"series {series_id}", _fetch_command("--series", series_id, root))
    _require_columns(raw, path, ("date", "value"))
    index = _parse_dates(raw, "date", path)
    values = _parse_float(raw, "value", path, required=False)
    return pd.Series(values.to_numpy(), index=index, name=series_id).sort_index()


def _parse_bool(raw: pd.DataFrame, column: str, path: Path) -> pd.Series:
    text = raw[column].str.strip().str.lower()
    bad = ~text.isin(list(_BOOL_WORDS))
    if bad.any():
        line, seen = _first_bad(bad, raw, column)
        raise DataFormatError(f"{path} line {line}, column {column}: {seen!r} is not True or False")
    return text.map(_BOOL_WORDS).astype(bool)


def _parse_utc(raw: pd.DataFrame, column: str, path: Path, *, required: bool) -> pd.Series:
    text = raw[column].str.strip()
    blank = text == ""
    parsed = pd.to_datetime(text.where(~blank, None), utc=True, format="ISO8601", errors="coerce")
    bad = parsed.isna() & ~blank
    if bad.any() or (required and blank.any()):
        line, seen = _first_bad(bad | (blank & required), raw, column)
        raise DataFormatError(
            f"{path} line {line}, column {column}: {seen!r} is not an ISO-8601 timestamp "
            "(e.g. 2025-02-18T14:00:00Z or 2025-04-24 00:57:31+00)"
        )
    return parsed.dt.as_unit("us")


def load_markets(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Polymarket market metadata from ``polymarket/markets.csv``, one row per outcome token.

    Parameters
    ----------
    data_dir : str or path-like, optional
        Data directory; see :func:`resolve_data_dir`.

    Returns
    -------
    DataFrame
        Columns ``MARKET_COLUMNS``: ``market_id``, ``slug``, ``question``, ``event_slug``,
        ``condition_id``, ``outcome`` and ``token_id`` as ``str`` (token ids are decimal
        strings of up to 78 digits and must never be converted to numbers);
        ``created_at``, ``closed_at`` as ``datetime64[us, UTC]`` (both Gamma formats,
        ``2024-10-21T18:09:12.014074Z`` and ``2025-04-24 00:57:31+00``, are read; a blank
        ``closed_at`` means the market had not closed and is NaT); ``volume_usd`` float64
        (USD); ``neg_risk`` and ``has_prices`` bool (``has_prices`` says whether
        ``polymarket/prices/<token_id>.csv`` was stored).

    Raises
    ------
    DataNotFoundError
        The file does not exist.
    DataFormatError
        A column is missing, a timestamp, number or boolean is malformed, or a token id is
        repeated.
    """
    root = resolve_data_dir(data_dir)
    path = root / MARKETS_RELPATH
    raw = _read_raw(
        path,
        "Polymarket market list",
        f"eventstudy fetch --markets <slug>[,<slug>...] --data-dir {shlex.quote(str(root))}",
    )
    _require_columns(raw, path, MARKET_COLUMNS)
    bad = ~raw["token_id"].str.fullmatch(_TOKEN_ID.pattern.strip("^$"))
    if bad.any():
        line, seen = _first_bad(bad, raw, "token_id")
        raise DataFormatError(
            f"{path} line {line}, column token_id: {seen!r} is not a decimal token id"
        )
    dup = raw["token_id"].duplicated()
    if dup.any():
        line, seen = _first_bad(dup, raw, "token_id")
        raise DataFormatError(f"{path} line {line}, column token_id: {seen} is repeated")
    out = raw.loc[:, list(MARKET_COLUMNS)].copy()
    out["created_at"] = _parse_utc(raw, "created_at", path, required=False)
    out["closed_at"] = _parse_utc(raw, "closed_at", path, required=False)
    out["volume_usd"] = _parse_float(raw, "volume_usd", path, required=False)
    out["neg_risk"] = _parse_bool(raw, "neg_risk", path)
    out["has_prices"] = _parse_bool(raw, "has_prices", path)
    return out


def market_tokens(
    slug: str,
    data_dir: str | os.PathLike[str] | None = None,
    outcome: str | None = "Yes",
) -> pd.DataFrame:
    """The ``markets.csv`` rows of one market, one per outcome token.

    Parameters
    ----------
    slug : str
        The market slug (Gamma ``slug``), e.g. ``"will-us-leave-nato-by-june-30"``.
    data_dir : str or path-like, optional
        Data directory; see :func:`resolve_data_dir`.
    outcome : str or None, default "Yes"
        Keep only this outcome label (compared case-insensitively; never by position);
        None keeps every outcome.

    Returns
    -------
    DataFrame
        The matching rows of :func:`load_markets` (usually one row when ``outcome`` is given),
        with a fresh ``RangeIndex``.

    Raises
    ------
    UnknownMarketError
        The slug is not listed (a :class:`DataNotFoundError`; the message gives the command
        that would fetch the market).
    SpecificationError
        The market has no outcome with that label; the message lists the labels it has.
    """
    root = resolve_data_dir(data_dir)
    markets = load_markets(root)
    rows = markets.loc[markets["slug"] == slug]
    if rows.empty:
        raise UnknownMarketError(
            slug, str(root / MARKETS_RELPATH), _fetch_command("--markets", slug, root)
        )
    if outcome is not None:
        labels = list(rows["outcome"])
        rows = rows.loc[rows["outcome"].str.casefold() == str(outcome).casefold()]
        if rows.empty:
            raise SpecificationError(
                f"Polymarket market {slug!r} has no outcome {outcome!r}; "
                f"its outcomes are {', '.join(map(repr, labels))}"
            )
    return rows.reset_index(drop=True)


def token_id_for(
    slug: str, outcome: str = "Yes", data_dir: str | os.PathLike[str] | None = None
) -> str:
    """The CLOB token id (decimal string) of one outcome of a market; see :func:`market_tokens`."""
    rows = market_tokens(slug, data_dir, outcome=outcome)
    return str(rows["token_id"].iloc[0])


def _slug_of_token(token: str, root: Path) -> str | None:
    try:
        markets = load_markets(root)
    except (DataNotFoundError, DataFormatError):
        return None
    hit = markets.loc[markets["token_id"] == token, "slug"]
    return None if hit.empty else str(hit.iloc[0])


def _odds_fast(path: Path) -> tuple[pd.Series | None, pd.Series | None]:
    """Parse a well-formed odds file quickly; (None, None) if anything needs a closer look."""
    if not path.is_file():
        return None, None
    try:
        raw = pd.read_csv(path, dtype={"t": "str"}, keep_default_na=False, encoding="utf-8")
    except (ValueError, UnicodeDecodeError):
        return None, None
    if list(raw.columns) != ["t", "p"] or raw["p"].dtype != np.float64:
        return None, None
    t = pd.to_datetime(raw["t"], utc=True, format="ISO8601", errors="coerce")
    if t.isna().any() or raw["p"].isna().any():
        return None, None
    return t.dt.as_unit("us"), raw["p"]


def load_odds(
    token_id: str | int,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    duplicates: Literal["last", "raise"] = "last",
) -> pd.DataFrame:
    """Price history of one Polymarket outcome token from ``polymarket/prices/<TOKEN_ID>.csv``.

    Parameters
    ----------
    token_id : str
        CLOB token id, a decimal string of up to 78 digits (pass it as ``str``).
    data_dir : str or path-like, optional
        Data directory; see :func:`resolve_data_dir`.
    duplicates : {"last", "raise"}, default "last"
        What to do with a timestamp that appears on more than one row:

        - ``"last"``: keep the row that comes last in the file and drop the others; the
          number dropped is in ``frame.attrs["duplicates_dropped"]``. (60 snapshot files
          repeat 2025-12-17T00:00:00Z, 8 of them with two different prices.)
        - ``"raise"``: raise :class:`DataFormatError` naming the line.

    Returns
    -------
    DataFrame
        Columns ``t`` (``datetime64[us, UTC]``, sorted, unique) and ``p`` (float64 in
        [0, 1], the outcome price: a mid-price sample, not a trade), with a ``RangeIndex``.
        Sampling is irregular; the snapshot holds one sample a day at 00:00 UTC.
        ``attrs["duplicates_dropped"]`` counts rows left out for repeating a timestamp.

    Raises
    ------
    DataNotFoundError
        The file does not exist. When ``markets.csv`` lists the token, the message gives
        ``eventstudy fetch --markets <slug>``.
    DataFormatError
        A bad timestamp, a price that is not a number in [0, 1], or (with
        ``duplicates="raise"``) a repeated ``t``.
    """
    if duplicates not in ("last", "raise"):
        raise SpecificationError(f"duplicates={duplicates!r}; expected 'last' or 'raise'")
    token = _check_token(token_id)
    root = resolve_data_dir(data_dir)
    path = root / odds_relpath(token)
    if not path.is_file():
        slug = _slug_of_token(token, root)
        if slug is None:
            what = f"odds for Polymarket token {token} (not listed in {MARKETS_RELPATH})"
            command = _fetch_command("--markets", "<market-slug>", root)
        else:
            what = f"odds for Polymarket token {token} (market {slug!r})"
            command = _fetch_command("--markets", slug, root)
        raise DataNotFoundError(what, str(path), command)
    t, p = _odds_fast(path)
    if t is None or p is None:  # something is off: the slow path names line and column
        raw = _read_raw(path, f"odds for Polymarket token {token}", None)
        _require_columns(raw, path, ("t", "p"))
        t = _parse_utc(raw, "t", path, required=True)
        p = _parse_float(raw, "p", path, required=True)
        raw_for_lines = raw
    else:
        raw_for_lines = None
    outside = (p < 0.0) | (p > 1.0)
    if outside.any():
        raw = raw_for_lines if raw_for_lines is not None else pd.DataFrame({"p": p.astype(str)})
        line, seen = _first_bad(outside, raw, "p")
        raise DataFormatError(
            f"{path} line {line}, column p: {seen} is outside [0, 1]; p is a probability"
        )
    dup = t.duplicated(keep="last")
    if dup.any() and duplicates == "raise":
        raw = raw_for_lines if raw_for_lines is not None else pd.DataFrame({"t": t.astype(str)})
        line, seen = _first_bad(t.duplicated(), raw, "t")
        raise DataFormatError(f"{path} line {line}, column t: timestamp {seen} is repeated")
    frame = pd.DataFrame({"t": t.reset_index(drop=True), "p": p.reset_index(drop=True)})
    frame = frame.loc[~dup.to_numpy()].sort_values("t", ignore_index=True)
    frame.attrs["duplicates_dropped"] = int(dup.sum())
    return frame


# --------------------------------------------------------------------------------------------
# manifest
# --------------------------------------------------------------------------------------------


def load_manifest(data_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The parsed ``manifest.json`` of a data directory.

    Returns
    -------
    dict
        Keys ``format`` (``"eventstudy-data/1"``), ``created``, ``files`` (relative path ->
        entry with ``source``, ``rows``, ``sha256`` and, for fetched files, ``params``,
        ``fetched_at``, ``first``, ``last``, ``versions``) and optionally ``description``,
        ``licences``, ``updated``.

    Raises
    ------
    DataNotFoundError
        No ``manifest.json``.
    DataFormatError
        Not JSON, or not the ``eventstudy-data/1`` format.
    """
    root = resolve_data_dir(data_dir)
    path = root / MANIFEST
    if not path.is_file():
        raise DataNotFoundError(
            "the data-directory manifest", str(path), _fetch_command("--tickers", "GC=F", root)
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files", {}), dict):
        raise DataFormatError(f"{path}: expected an object with a 'files' object")
    if manifest.get("format") != FORMAT:
        raise DataFormatError(
            f"{path}: format {manifest.get('format')!r} is not supported; expected {FORMAT!r}"
        )
    manifest.setdefault("files", {})
    return manifest


def _as_relpath(path: str | os.PathLike[str], root: Path) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(root.resolve())
        except ValueError as exc:
            raise SpecificationError(f"{path} is not inside the data directory {root}") from exc
    return p.as_posix()


def file_versions(
    paths: Iterable[str | os.PathLike[str]], data_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Which version of each data file was used, as recorded in ``manifest.json``.

    Results objects store this table so that a number can be traced to the exact files.

    Parameters
    ----------
    paths : iterable of str or path-like
        Paths relative to the data directory (``"prices/GC=F.csv"``; see
        :func:`price_relpath`, :func:`odds_relpath`) or absolute paths inside it.
    data_dir : str or path-like, optional
        Data directory; see :func:`resolve_data_dir`.

    Returns
    -------
    DataFrame
        One row per path (in the order given, duplicates removed) with columns ``path``,
        ``sha256``, ``rows`` (nullable Int64), ``source``, ``fetched_at``, ``first``,
        ``last``. Values a manifest entry lacks (e.g. ``fetched_at`` for the snapshot, or a
        file not listed at all) are missing (NA), never guessed.

    Raises
    ------
    DataNotFoundError, DataFormatError
        As :func:`load_manifest`.
    """
    root = resolve_data_dir(data_dir)
    files = load_manifest(root)["files"]
    rels = list(dict.fromkeys(_as_relpath(p, root) for p in paths))
    cols = ("sha256", "source", "fetched_at", "first", "last")
    records = []
    for rel in rels:
        entry = files.get(rel, {})
        row: dict[str, Any] = {"path": rel}
        row.update({c: entry.get(c) for c in cols})
        row["rows"] = entry.get("rows")
        records.append(row)
    frame = pd.DataFrame.from_records(records, columns=["path", *cols, "rows"])
    frame = frame.loc[:, ["path", "sha256", "rows", "source", "fetched_at", "first", "last"]]
    frame["rows"] = frame["rows"].astype("Int64")
    for c in ("path", "sha256", "source", "fetched_at", "first", "last"):
        frame[c] = frame[c].astype("str")
    return frame


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------


def library_versions(*extra: str) -> dict[str, str]:
    """Versions of Python and of the libraries that shaped a file (for the manifest).

    Parameters
    ----------
    *extra : str
        Further distribution names (``"yfinance"``, ``"curl_cffi"``); those not installed
        are left out.
    """
    versions = {"python": platform.python_version()}
    for name in ("geo-eventstudy", "pandas", "numpy", *extra):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _date_range(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    for col in ("date", "t"):
        if col in frame.columns and len(frame):
            values = pd.to_datetime(frame[col], utc=col == "t", format="ISO8601")
            fmt = "%Y-%m-%d" if col == "date" else "%Y-%m-%dT%H:%M:%SZ"
            return values.min().strftime(fmt), values.max().strftime(fmt)
    return None, None


def _tmp_path(directory: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    return Path(tmp)


def _new_manifest(now: datetime) -> dict[str, Any]:
    return {
        "created": now.date().isoformat(),
        "description": "Data directory written by eventstudy fetch",
        "files": {},
        "format": FORMAT,
        "licences": {
            "polymarket": "Polymarket public APIs (Gamma, CLOB); check Polymarket's terms",
            "prices": "Yahoo Finance data via yfinance: research use, not for redistribution",
            "series": "FRED public data (Federal Reserve Bank of St. Louis)",
        },
    }


def write_csv_atomic(
    frame: pd.DataFrame,
    relpath: str,
    data_dir: str | os.PathLike[str] | None,
    *,
    source: str,
    params: Mapping[str, Any] | None = None,
    note: str | None = None,
    versions: Mapping[str, str] | None = None,
    fetched_at: datetime | None = None,
) -> dict[str, Any]:
    """Write a frame as CSV into the data directory and record it in ``manifest.json``.

    Parameters
    ----------
    frame : DataFrame
        The rows to write, already in the file's layout (columns as stored, values formatted;
        the index is not written). Written with ``\\n`` line endings, UTF-8, no index.
    relpath : str
        Path relative to the data directory, e.g. ``"prices/GC=F.csv"``.
    data_dir : str or path-like or None
        Data directory (created if needed); None resolves as :func:`resolve_data_dir`.
    source : str
        Where the data came from (endpoint or function), stored as ``source``.
    params : mapping, optional
        JSON-serialisable request parameters (tickers, start, end, fidelity, ...).
    note : str, optional
        Free text stored as ``note``.
    versions : mapping, optional
        Library versions; default :func:`library_versions`.
    fetched_at : datetime, optional
        Retrieval time (UTC); default now.

    Returns
    -------
    dict
        The manifest entry written: ``source``, ``params``, ``fetched_at`` (UTC ISO-8601 with
        ``Z``), ``rows``, ``first``/``last`` (from a ``date`` or ``t`` column, if any),
        ``sha256`` of the file's bytes, ``versions`` and ``note`` if given.

    Notes
    -----
    Both files are written to temporary files in their own directories and moved into place
    with ``os.replace`` (atomic on POSIX and Windows within one file system): data file
    first, then the manifest. If anything fails before both moves succeed, the previous data
    file is restored and the temporary files are removed, so a failed write leaves the data
    file and ``manifest.json`` byte-identical to before. Not safe against two processes
    writing the same data directory at the same time.
    """
    root = resolve_data_dir(data_dir)
    rel = Path(relpath).as_posix()
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise SpecificationError(f"relpath {relpath!r} must be relative to the data directory")
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST
    now = (fetched_at or datetime.now(UTC)).astimezone(UTC)

    if manifest_path.is_file():
        manifest = load_manifest(root)
    else:
        manifest = _new_manifest(now)

    tmp_data = _tmp_path(target.parent, target.name)
    tmp_manifest: Path | None = None
    backup: Path | None = None
    replaced = False
    try:
        frame.to_csv(tmp_data, index=False, lineterminator="\n", encoding="utf-8")
        first, last = _date_range(frame)
        entry: dict[str, Any] = {
            "fetched_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "params": dict(params or {}),
            "rows": len(frame),
            "sha256": _sha256(tmp_data),
            "source": source,
            "versions": dict(versions) if versions is not None else library_versions(),
        }
        if first is not None:
            entry["first"], entry["last"] = first, last
        if note:
            entry["note"] = note
        manifest["files"][rel] = entry
        manifest["updated"] = entry["fetched_at"]
        manifest["files"] = dict(sorted(manifest["files"].items()))
        tmp_manifest = _tmp_path(root, MANIFEST)
        tmp_manifest.write_text(
            json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        if target.exists():
            backup = _tmp_path(target.parent, target.name + ".bak")
            backup.unlink()
            try:
                os.link(target, backup)
            except OSError:  # file systems without hard links
                shutil.copy2(target, backup)
        os.replace(tmp_data, target)
        replaced = True
        os.replace(tmp_manifest, manifest_path)
    except BaseException:
        if replaced:
            if backup is not None:
                os.replace(backup, target)
                backup = None
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        for leftover in (tmp_data, tmp_manifest, backup):
            if leftover is not None:
                leftover.unlink(missing_ok=True)
    return entry
