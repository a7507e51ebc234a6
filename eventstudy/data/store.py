"""The data directory (layout ``eventstudy-data/1``): paths, reading, manifest, provenance.

Layout (``/work/shared/data/README.md`` is the reference)::

    manifest.json                     format, creation date, licences; per file: source, params,
                                      fetched_at, rows, first/last date, sha256, library versions
    prices/<TICKER>.csv               date,open,high,low,close,volume  (TICKER as Yahoo spells it)
    series/<ID>.csv                   date,value
    polymarket/markets.csv            one row per outcome token (see ``MARKET_COLUMNS``)
    polymarket/prices/<TOKEN_ID>.csv  t,p   (t ISO-8601 UTC, p outcome price in [0, 1])

Which directory is used is decided once, by :func:`resolve_data_dir`: the explicit argument,
else the environment variable ``EVENTSTUDY_DATA``, else ``./data`` when that directory exists,
else a per-user cache directory (:func:`default_data_dir`, from platformdirs'
``user_cache_dir("eventstudy")``), so that nothing is ever written into a repository or an
installed package.

Readers return typed pandas objects and raise :class:`~eventstudy.exceptions.DataNotFoundError`
(naming the ticker, series or token and the ``eventstudy fetch`` command that would fetch it)
when a file is missing, and :class:`~eventstudy.exceptions.DataFormatError` (naming the file,
line and column) when a file is malformed. Line numbers count the header as line 1, as an
editor shows them.

Every reader hashes the bytes it parses (``attrs["sha256"]``, :func:`sha256_read`);
:func:`file_versions` compares those checksums with ``manifest.json`` and reports files that do
not match (:class:`~eventstudy.exceptions.ProvenanceWarning`, or an error when strict).

Writing (atomic, merged with what is stored, under a lock) is :mod:`eventstudy.data.writer`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shlex
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

from eventstudy.data._kept import KeptValues
from eventstudy.exceptions import (
    DataFormatError,
    DataNotFoundError,
    DuplicateTimestampWarning,
    ProvenanceError,
    ProvenanceWarning,
    SpecificationError,
    UnknownMarketError,
)

__all__ = [
    "DATA_ENV",
    "DATA_SUBDIR",
    "FILE_VERSION_COLUMNS",
    "FORMAT",
    "MARKETS_RELPATH",
    "MARKET_COLUMNS",
    "PRICE_COLUMNS",
    "data_dir_origin",
    "default_data_dir",
    "file_span",
    "file_versions",
    "is_token_id",
    "is_utc_timestamp",
    "load_manifest",
    "load_markets",
    "load_odds",
    "load_prices",
    "load_series",
    "market_tokens",
    "odds_relpath",
    "price_relpath",
    "require_positive",
    "resolve_data_dir",
    "series_relpath",
    "sha256_read",
    "token_id_for",
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
_SAFE_KEY = re.compile(r"[A-Za-z0-9^=._\-]+")
_TOKEN_ID = re.compile(r"[0-9]{1,80}")


# --------------------------------------------------------------------------------------------
# paths
# --------------------------------------------------------------------------------------------


DATA_SUBDIR = "data"
"""Folder of the per-user cache directory that holds the data (see :func:`default_data_dir`)."""

LOCAL_DATA = "data"
"""``./data``: used when it exists in the current working directory."""


def default_data_dir() -> Path:
    """The per-user data directory used when nothing else names one.

    ``platformdirs.user_cache_dir("eventstudy") / "data"``: ``~/.cache/eventstudy/data`` on
    Linux (``$XDG_CACHE_HOME/eventstudy/data`` when that is set), ``~/Library/Caches/
    eventstudy/data`` on macOS, ``%LOCALAPPDATA%/eventstudy/Cache/data`` on Windows. A cache:
    everything in it can be fetched again (``eventstudy data fetch-missing``).
    """
    import platformdirs  # lazy: only needed when no directory is named

    return Path(platformdirs.user_cache_dir("eventstudy", appauthor=False)) / DATA_SUBDIR


def data_dir_origin(data_dir: str | os.PathLike[str] | None = None) -> str:
    """Which rule of :func:`resolve_data_dir` chose the directory, in words.

    One of ``"argument"``, ``"$EVENTSTUDY_DATA"``, ``"./data (exists in the current
    directory)"`` or ``"per-user cache (platformdirs user_cache_dir)"``.
    """
    if data_dir is not None and str(data_dir) != "":
        return "argument"
    if os.environ.get(DATA_ENV, "").strip():
        return f"${DATA_ENV}"
    if Path(LOCAL_DATA).is_dir():
        return f"./{LOCAL_DATA} (exists in the current directory)"
    return "per-user cache (platformdirs user_cache_dir)"


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The data directory to use.

    Parameters
    ----------
    data_dir : str or path-like, optional
        Explicit directory. When None (or ``""``), in this order: ``$EVENTSTUDY_DATA`` if set
        and non-empty; ``./data`` if that directory exists in the current working directory;
        else the per-user cache directory :func:`default_data_dir`
        (``~/.cache/eventstudy/data`` on Linux). ``eventstudy data path`` prints the result
        and :func:`data_dir_origin` says which rule chose it.

    Returns
    -------
    Path
        The directory, ``~`` expanded and made absolute (a relative one is relative to the
        current working directory at this call). It is not required to exist (fetching
        creates it).
    """
    if data_dir is None or str(data_dir) == "":
        env = os.environ.get(DATA_ENV, "").strip()
        if env:
            data_dir = env
        elif Path(LOCAL_DATA).is_dir():
            data_dir = LOCAL_DATA
        else:
            return default_data_dir()
    return Path(data_dir).expanduser().absolute()


def _check_key(key: str, what: str) -> str:
    key = str(key).strip()
    if not key or not _SAFE_KEY.fullmatch(key) or key in {".", ".."}:
        raise SpecificationError(
            f"{what} {key!r} cannot be a file name in the data directory; expected letters, "
            "digits and ^ = . _ - only (e.g. 'GC=F', '^GSPC', 'DX-Y.NYB', 'DFII10')"
        )
    return key


def is_token_id(value: object) -> bool:
    """True for a CLOB token id: a decimal string of 1 to 80 ASCII digits."""
    return isinstance(value, str | int) and _TOKEN_ID.fullmatch(str(value)) is not None


def _check_token(token_id: str | int) -> str:
    token = str(token_id).strip()
    if not _TOKEN_ID.fullmatch(token):
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

_READ_SHA256: dict[str, str] = {}
"""sha256 of the bytes last read from each file (by resolved path) in this process."""


def _format_error(
    path: Path, message: str, line: int | None = None, column: str | None = None
) -> DataFormatError:
    where = str(path)
    if line is not None:
        where += f" line {line}"
        if column is not None:
            where += f", column {column}"
    return DataFormatError(f"{where}: {message}", path=str(path), line=line, column=column)


def _record_read(path: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    _READ_SHA256[str(path.resolve())] = digest
    return digest


def sha256_read(path: str | os.PathLike[str]) -> str | None:
    """sha256 of the bytes this process last read from ``path`` with a loader, or None.

    Every reader of this module hashes the exact bytes it parses; this is what results record
    as ``sha256_read`` (:func:`file_versions`), so a file edited after it was read is still
    traced to the version the numbers came from.
    """
    return _READ_SHA256.get(str(Path(path).resolve()))


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _format_error(
            path,
            f"byte 0x{data[exc.start : exc.start + 1].hex()} is not UTF-8; data files are "
            "UTF-8 text (re-fetch the file, or re-save it as UTF-8)",
            line,
        ) from exc


def _parse_csv(path: Path, text: str) -> pd.DataFrame:
    """Records of a CSV text as a frame of strings; ``attrs["lines"]`` maps row -> line.

    Strict where pandas guesses: every record must have as many fields as the header (pandas
    would silently shift a row with one extra field into an index), blank lines are skipped.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    line_after = 0
    try:
        for cells in reader:
            start, line_after = line_after + 1, reader.line_num
            if not cells or cells == [""]:
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            if len(cells) != len(header):
                raise _format_error(
                    path, f"{len(cells)} fields, expected {len(header)} as in the header", start
                )
            rows.append(cells)
            lines.append(start)
    except csv.Error as exc:
        raise _format_error(
            path, f"not a readable CSV record ({exc}); check the quoting", line_after + 1
        ) from exc
    if header is None:
        raise _format_error(path, "the file is empty; expected a header line")
    if len(set(header)) != len(header):
        repeated = next(c for c in header if header.count(c) > 1)
        raise _format_error(path, f"column {repeated!r} appears twice in the header", 1)
    frame = pd.DataFrame(rows, columns=header, dtype="str") if rows else None
    if frame is None:
        frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in header})
    frame.attrs["lines"] = np.asarray(lines, dtype="int64")
    return frame


def _read_raw(path: Path, what: str, fetch_command: str | None) -> pd.DataFrame:
    """Read a CSV as strings (no NA guessing), or raise DataNotFoundError / DataFormatError.

    The bytes are read once, hashed (:func:`sha256_read`) and parsed from memory, so the
    checksum recorded is that of the bytes the numbers come from.
    """
    if not path.is_file():
        raise DataNotFoundError(what, str(path), fetch_command)
    data = path.read_bytes()
    digest = _record_read(path, data)
    raw = _parse_once(path, data, digest)
    raw.attrs["sha256"] = digest
    return raw


PARSED_CACHE_FILES = 256
"""Files whose records :func:`_parse_once` keeps (the most recently read)."""
_PARSED: KeptValues[pd.DataFrame] = KeptValues(PARSED_CACHE_FILES)


def _parse_once(path: Path, data: bytes, digest: str | None = None) -> pd.DataFrame:
    """The records of a CSV file's bytes (:func:`_parse_csv`), parsed once per content.

    A run reads most files twice: the data check before it (:func:`file_span`) and the
    study's loader; claims read ``markets.csv`` again. The frame of strings is kept for the
    :data:`PARSED_CACHE_FILES` files last read, keyed by path and sha256 of the bytes (an
    edited file is parsed again), and handed out as a shallow copy (the loaders build new
    frames from it and never write into it). Errors are raised every time, never kept.
    """
    key = (str(path), digest or hashlib.sha256(data).hexdigest())
    raw = _PARSED.get(key, lambda: _parse_csv(path, _decode(path, data)))
    return raw.copy(deep=False)


_BUILT: KeptValues[Any] = KeptValues(PARSED_CACHE_FILES)
_Built = TypeVar("_Built", pd.DataFrame, pd.Series)


def _build_once(raw: pd.DataFrame, path: Path, what: str, build: Callable[[], _Built]) -> _Built:
    """A loader's typed frame of a file's records (``what``), built once per content.

    The data check before a run spans every file it needs with its loader's checks
    (:func:`file_span`), then the study loads the same files, some more than once (the gold
    study, its refits and the claims read ``GC=F``; ``markets.csv`` is read by five
    callers). The frame ``build()`` returns is kept for the :data:`PARSED_CACHE_FILES`
    files last built, keyed by path, sha256 of the bytes (``raw.attrs["sha256"]``) and
    ``what``; callers get it as it is and must not modify it (loaders hand out a
    :meth:`~pandas.DataFrame.copy`). A build that raises is not kept (errors are raised
    every time).
    """
    return _BUILT.get((str(path), str(raw.attrs["sha256"]), what), build)


def _own_copy(kept: _Built) -> _Built:
    """A copy of a kept frame that shares no buffer with it, its index included.

    ``DataFrame.copy()`` copies the values but the new index still reads the kept index's
    array, which ``index.asi8`` or ``np.asarray(index)`` can write into: a caller's edit
    would then reach every later load of the file.
    """
    out = kept.copy(deep=True)
    index = kept.index
    if isinstance(index, pd.RangeIndex):  # its copies share the cached array of its values
        out.index = pd.RangeIndex(index.start, index.stop, index.step, name=index.name)
    else:
        out.index = index.copy(deep=True)
    return out


def _require_columns(raw: pd.DataFrame, path: Path, required: Iterable[str]) -> None:
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise _format_error(
            path,
            f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, raw.columns))}",
            1,
        )


def _require_rows(raw: pd.DataFrame, path: Path, minimum: int, why: str) -> None:
    if len(raw) < minimum:
        found = "no data rows (only a header)" if len(raw) == 0 else f"{len(raw)} data row"
        raise _format_error(
            path,
            f"{found}; at least {minimum} needed ({why}). Fetch the file again "
            "(eventstudy fetch) or remove it",
        )


def _first_bad(mask: np.ndarray | pd.Series, raw: pd.DataFrame, column: str) -> tuple[int, str]:
    pos = int(np.flatnonzero(np.asarray(mask))[0])
    lines = raw.attrs.get("lines")
    line = int(lines[pos]) if lines is not None and len(lines) > pos else pos + 2
    return line, str(raw[column].iloc[pos])


def _bad_value(
    raw: pd.DataFrame, mask: np.ndarray | pd.Series, column: str, path: Path, message: str
) -> DataFormatError:
    line, seen = _first_bad(mask, raw, column)
    return _format_error(path, f"{seen!r} {message}", line, column)


def _parse_float(raw: pd.DataFrame, column: str, path: Path, *, required: bool) -> pd.Series:
    """Parse a text column to float64; blanks and '.' become NaN unless ``required``.

    ``inf``, ``nan`` and numbers too large for a float are refused: a price or level is a
    finite number. A column of plain numbers takes :func:`_fast_float`; the rest, and every
    error, the general path below.
    """
    fast = _fast_float(raw[column].to_numpy(dtype=object), required=required)
    if fast is not None:
        return pd.Series(fast, index=raw.index, name=column)
    text = raw[column].str.strip()
    blank = text.isin(_MISSING_VALUES)
    values = pd.to_numeric(text.where(~blank, None), errors="coerce").astype("float64")
    bad = values.isna() & ~blank
    if bad.any():
        raise _bad_value(raw, bad, column, path, "is not a number")
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        raise _bad_value(raw, infinite, column, path, "is not a finite number")
    if required and blank.any():
        line, _ = _first_bad(blank, raw, column)
        raise _format_error(path, "value is missing", line, column)
    return values


def _ascii_text(text: np.ndarray) -> str | None:
    """The cells of ``text`` joined, or None when one is not a ``str`` or is not ASCII."""
    try:
        joined = "".join(text)
    except TypeError:  # a cell that is not a string
        return None
    return joined if joined.isascii() else None


def _fast_float(text: np.ndarray, *, required: bool) -> np.ndarray | None:
    """The values :func:`_parse_float` gives a column of plain numbers, or None.

    Parameters
    ----------
    text : ndarray of object
        The column's cells.
    required : bool
        Whether a blank is an error (then a blank gives None).

    Returns
    -------
    ndarray of float64 or None
        NaN where a cell is blank or '.'. None unless every other cell is an ASCII decimal
        literal (digits, '.', '-', exponent; no space, '_', 'nan', 'inf' nor other digits
        that ``float`` would also read) with a finite value other than -0.0. ``float`` and
        ``pd.to_numeric`` (fast_float) both round such a literal correctly, so the values
        are those of the general path bit for bit. Left to the general path, as anything
        refused: a leading '+', with which pandas falls back to a parser that does not
        always round correctly (``+3e66`` is 2.9999999999999996e+66), and -0.0, as pandas
        reads an integer ``-0`` as +0.0.
    """
    joined = _ascii_text(text)
    if joined is None or joined.encode("ascii").translate(None, b"0123456789.+-eE"):
        return None
    if "+" in joined and (text.astype("U1") == "+").any():  # a '+' not in an exponent
        return None
    blank = (text == "") | (text == ".")
    if required and blank.any():
        return None
    try:
        values = np.where(blank, "nan", text).astype(np.float64)
    except ValueError:  # not a number ('1e', '+-1', ...)
        return None
    if not (np.isfinite(values) | blank).all() or np.signbit(values[values == 0.0]).any():
        return None
    return values


def _parse_dates(raw: pd.DataFrame, column: str, path: Path) -> pd.DatetimeIndex:
    days = _fast_datetimes(raw[column].to_numpy(dtype=object), b"9999-99-99", "D")
    if days is not None:
        index = pd.DatetimeIndex(days.astype("datetime64[us]"), name="date")
        if not index.has_duplicates:  # else the error below
            return index
    text = raw[column].str.strip()
    ok = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
    dates = pd.to_datetime(text.where(ok, None), format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise _bad_value(raw, dates.isna(), column, path, "is not a date; expected YYYY-MM-DD")
    dup = dates.duplicated()
    if dup.any():
        line, seen = _first_bad(dup, raw, column)
        raise _format_error(path, f"date {seen} is repeated", line, column)
    return pd.DatetimeIndex(dates, name="date")


def _fixed_width(text: np.ndarray, pattern: bytes) -> np.ndarray | None:
    """The cells as rows of ASCII codes when every one has the shape ``pattern``, else None.

    Parameters
    ----------
    text : ndarray of object
        A column's cells.
    pattern : bytes
        The shape, one byte per character: ``9`` stands for any ASCII digit, any other
        byte for itself (``b"9999-99-99"``).

    Returns
    -------
    ndarray of uint8, shape (len(text), len(pattern)), or None
        None when a cell is not a ``str`` of exactly that shape (a space around it, another
        length, a non-ASCII digit, ...), and for no cells (pandas gives an empty date column
        another unit than a full one).
    """
    joined = _ascii_text(text)
    width = len(pattern)
    if not len(text) or joined is None or len(joined) != width * len(text):
        return None
    if (np.fromiter(map(len, text), np.intp, len(text)) != width).any():
        return None
    grid = np.frombuffer(joined.encode("ascii"), np.uint8).reshape(len(text), width)
    want = np.frombuffer(pattern, np.uint8)
    digit = (grid >= ord("0")) & (grid <= ord("9"))
    return grid if np.where(want == ord("9"), digit, grid == want).all() else None


def _fast_datetimes(text: np.ndarray, pattern: bytes, unit: str) -> np.ndarray | None:
    """The datetimes of a column whose cells all have one fixed shape, or None.

    Parameters
    ----------
    text : ndarray of object
        The column's cells.
    pattern : bytes
        Their shape (:func:`_fixed_width`): ``b"9999-99-99"`` for a day, or
        ``b"9999-99-99T99:99:99Z"`` for a UTC second (the ``Z`` is dropped before numpy
        reads the rest: numpy warns on a time zone).
    unit : str
        The numpy unit, ``"D"`` or ``"s"``.

    Returns
    -------
    ndarray of datetime64[unit] or None
        None when a cell has another shape (a blank, a space around it, another ISO-8601
        form, a non-ASCII digit) or is not a calendar date or time of day (``2023-02-30``,
        ``24:00:00``, ``23:59:60``): the general path of :func:`_parse_dates` or
        :func:`_parse_utc` then reads, or refuses, the column. Repeats are not checked.
    """
    grid = _fixed_width(text, pattern)
    if grid is None:
        return None
    width = len(pattern.removesuffix(b"Z"))
    cells = np.ascontiguousarray(grid[:, :width]).view(f"S{width}").ravel()
    try:
        return cells.astype(f"datetime64[{unit}]")
    except ValueError:  # month 13, February 30, hour 24, ...
        return None


def _prices_frame(raw: pd.DataFrame, path: Path, *, positive: bool = False) -> pd.DataFrame:
    _require_columns(raw, path, ("date", "close"))
    _require_rows(raw, path, 2, "a return needs two prices")
    index = _parse_dates(raw, "date", path)
    columns: dict[str, pd.Series] = {}
    for col in PRICE_COLUMNS:
        if col not in raw.columns:
            continue
        values = _parse_float(raw, col, path, required=col == "close")
        if col == "close" and positive and (values <= 0).any():
            raise _bad_value(raw, (values <= 0).to_numpy(), col, path, _NOT_POSITIVE)
        if col != "close" and len(values) and values.isna().all():
            continue
        columns[col] = pd.Series(values.to_numpy(), index=index, name=col)
    return pd.DataFrame(columns, index=index).sort_index()


def load_prices(
    ticker: str, data_dir: str | os.PathLike[str] | None = None, *, positive: bool = False
) -> pd.DataFrame:
    """Daily bars of one instrument from ``prices/<TICKER>.csv``.

    Parameters
    ----------
    ticker : str
        The ticker as Yahoo spells it (``"GC=F"``, ``"^GSPC"``, ``"DX-Y.NYB"``).
    data_dir : str or path-like, optional
        Data directory; see :func:`resolve_data_dir`.
    positive : bool, default False
        Also require every close to be above 0, as returns do (a study computing returns
        passes True, so a zero or negative price is reported with its file, line and column;
        ``CL=F`` printed a negative price on 2020-04-20, so it is not the default).

    Returns
    -------
    DataFrame
        Indexed by ``date`` (tz-naive ``DatetimeIndex`` of the exchange's trading dates,
        sorted, unique), with float64 columns among ``open, high, low, close, volume`` in that
        order. ``close`` is always present, finite and never NaN. A column that is blank on
        every row (``^GSPC`` in the snapshot has close only) is left out rather than kept as
        all-NaN; other blanks are NaN. Prices are in the instrument's currency (``close`` is
        yfinance's auto-adjusted close); ``^TNX``/``^FVX`` are yields in percent, ``^VIX``
        index points. ``attrs["sha256"]`` is the checksum of the bytes read.

    Raises
    ------
    DataNotFoundError
        The file does not exist; the message gives the ``eventstudy fetch`` command.
    DataFormatError
        Missing ``date``/``close`` column, fewer than two rows, a row with the wrong number
        of fields, an unparsable date or number, ``inf``, a repeated date, a blank close
        or (``positive``) a close at or below 0
        (the message gives file, line and column; so do the error's ``path``, ``line`` and
        ``column`` attributes).
    """
    root = resolve_data_dir(data_dir)
    path = root / price_relpath(ticker)
    raw = _read_raw(path, f"prices for {ticker}", _fetch_command("--tickers", ticker, root))
    try:
        frame = _prices_once(raw, path)
    except DataFormatError:
        if positive:  # the first problem in the order of the checks with the sign check
            _prices_frame(raw, path, positive=True)
        raise
    if positive and (frame["close"] <= 0).any():
        frame = _prices_frame(raw, path, positive=True)  # raises, naming the line
    frame = _own_copy(frame)
    frame.attrs["sha256"] = raw.attrs["sha256"]
    return frame


def _prices_once(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """:func:`_prices_frame` without the sign check (the same frame when closes are > 0)."""
    return _build_once(raw, path, "prices", lambda: _prices_frame(raw, path))


_NOT_POSITIVE = (
    "is not a positive price; returns need prices above 0 (for a level that can be zero or "
    "negative, use differences)"
)


def require_positive(values: pd.Series, path: str | os.PathLike[str], column: str) -> None:
    """Raise DataFormatError naming ``path``, the date and ``column`` of the first value <= 0.

    For callers holding values already read (a loader with ``positive=True`` also gives the
    line); NaN is not checked.

    Raises
    ------
    DataFormatError
        A value at or below 0.
    """
    bad = (values <= 0).to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        day = pd.Timestamp(values.index[pos]).strftime("%Y-%m-%d")
        raise _format_error(
            Path(path),
            f"{float(values.iloc[pos]):g} on {day} (column {column}) {_NOT_POSITIVE}",
            None,
            column,
        )


def _series_frame(
    raw: pd.DataFrame, path: Path, series_id: str, *, positive: bool = False
) -> pd.Series:
    _require_columns(raw, path, ("date", "value"))
    _require_rows(raw, path, 1, "a series needs an observation")
    index = _parse_dates(raw, "date", path)
    values = _parse_float(raw, "value", path, required=False)
    if positive and (values <= 0).any():
        raise _bad_value(raw, (values <= 0).to_numpy(), "value", path, _NOT_POSITIVE)
    if values.isna().all():
        raise _format_error(
            path,
            f"every value is blank: the series has no observation. Fetch it again "
            f"(eventstudy fetch --series {series_id}) or remove the file",
        )
    return pd.Series(values.to_numpy(), index=index, name=series_id).sort_index()


def load_series(
    series_id: str, data_dir: str | os.PathLike[str] | None = None, *, positive: bool = False
) -> pd.Series:
    """One observation per date from ``series/<ID>.csv``.

    Parameters
    ----------
    series_id : str
        FRED id (``"DFII10"``), GPR index (``"GPRD"``) or another stored series id.
    data_dir : str or path-like, optional
        Data directory; see :func:`resolve_data_dir`.
    positive : bool, default False
        Also require every value to be above 0, as returns do (the dollar index
        ``DTWEXBGS`` in the gold study): a zero or negative value is reported with its
        file, line and column.

    Returns
    -------
    Series
        float64 values named ``series_id``, indexed by ``date`` (tz-naive, sorted, unique).
        Blank values (and FRED's ``.``) are missing observations and become NaN: they are
        kept, not dropped, so callers decide how to treat them. Units are the source's
        (FRED yields in percent; GPR index with 1985-2019 = 100). ``attrs["sha256"]`` is the
        checksum of the bytes read.

    Raises
    ------
    DataNotFoundError
        The file does not exist.
    DataFormatError
        Missing ``date``/``value`` column, no rows or no value in any row, a bad date or
        number, ``inf``, a repeated date, or (``positive``) a value at or below 0.
    """
    root = resolve_data_dir(data_dir)
    path = root / series_relpath(series_id)
    raw = _read_raw(path, f"series {series_id}", _fetch_command("--series", series_id, root))
    series = _series_once(raw, path, series_id)
    if positive and (series <= 0).any():
        series = _series_frame(raw, path, series_id, positive=True)  # raises, naming the line
    series = _own_copy(series)
    series.attrs["sha256"] = raw.attrs["sha256"]
    return series


def _series_once(raw: pd.DataFrame, path: Path, series_id: str) -> pd.Series:
    """:func:`_series_frame` without the sign check (the same series when values are > 0)."""
    return _build_once(
        raw, path, f"series {series_id}", lambda: _series_frame(raw, path, series_id)
    )


def _parse_bool(raw: pd.DataFrame, column: str, path: Path) -> pd.Series:
    text = raw[column].str.strip().str.lower()
    bad = ~text.isin(list(_BOOL_WORDS))
    if bad.any():
        raise _bad_value(raw, bad, column, path, "is not True or False")
    return text.map(_BOOL_WORDS).astype(bool)


def _utc_series(text: pd.Series) -> pd.Series:
    """ISO-8601 text -> UTC timestamps; NaT where it is not one.

    The text must start with a four-digit calendar date (``YYYY-MM-DD``): pandas' ISO parser
    would read ``-5`` as the year -5, which no later step (a ``strftime``) can handle.
    """
    dated = text.str.match(r"\d{4}-\d{2}-\d{2}", na=False)
    parsed = pd.to_datetime(text.where(dated), utc=True, format="ISO8601", errors="coerce")
    return parsed


def is_utc_timestamp(text: str) -> bool:
    """Whether ``text`` is a timestamp the ``markets.csv`` and odds readers accept.

    ISO-8601 (both Gamma formats, ``2025-04-24 00:57:31+00`` and
    ``2024-10-21T18:09:12.014074Z``), read exactly as :func:`load_markets` reads it.
    """
    stripped = str(text).strip()
    return bool(stripped) and not pd.isna(_utc_series(pd.Series([stripped], dtype="str"))[0])


_UTC_SECOND = b"9999-99-99T99:99:99Z"
"""The shape of the timestamps in the odds files, read by :func:`_fast_datetimes`."""


def _parse_utc(raw: pd.DataFrame, column: str, path: Path, *, required: bool) -> pd.Series:
    seconds = _fast_datetimes(raw[column].to_numpy(dtype=object), _UTC_SECOND, "s")
    if seconds is not None:
        stamps = pd.DatetimeIndex(seconds.astype("datetime64[us]")).tz_localize("UTC")
        return pd.Series(stamps, index=raw.index, name=column)
    text = raw[column].str.strip()
    blank = text == ""
    parsed = _utc_series(text.where(~blank, None))
    bad = parsed.isna() & ~blank
    if bad.any() or (required and blank.any()):
        raise _bad_value(
            raw,
            bad | (blank & required),
            column,
            path,
            "is not an ISO-8601 timestamp (e.g. 2025-02-18T14:00:00Z or 2025-04-24 00:57:31+00)",
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
    out = _own_copy(_markets_once(raw, path))
    out.attrs["sha256"] = raw.attrs["sha256"]
    return out


def _markets_once(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    return _build_once(raw, path, "markets", lambda: _markets_frame(raw, path))


def _markets_frame(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    _require_columns(raw, path, MARKET_COLUMNS)
    bad = ~raw["token_id"].str.fullmatch(_TOKEN_ID.pattern)
    if bad.any():
        raise _bad_value(raw, bad, "token_id", path, "is not a decimal token id")
    dup = raw["token_id"].duplicated()
    if dup.any():
        line, seen = _first_bad(dup, raw, "token_id")
        raise _format_error(path, f"token id {seen} is repeated", line, "token_id")
    out = raw.loc[:, list(MARKET_COLUMNS)].copy()
    out.attrs = {}
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
          number dropped is in ``frame.attrs["duplicates_dropped"]``. A repeat with the same
          price is dropped silently; one with a different price also warns
          (:class:`~eventstudy.exceptions.DuplicateTimestampWarning`, naming the file, lines,
          timestamp and both prices) and is counted in
          ``frame.attrs["duplicates_conflicting"]``. (60 snapshot files repeat
          2025-12-17T00:00:00Z, 8 of them with two different prices.)
        - ``"raise"``: raise :class:`DataFormatError` naming the line.

    Returns
    -------
    DataFrame
        Columns ``t`` (``datetime64[us, UTC]``, sorted, unique) and ``p`` (float64 in
        [0, 1], the outcome price: a mid-price sample, not a trade), with a ``RangeIndex``.
        Sampling is irregular; the snapshot holds one sample a day at 00:00 UTC.
        ``attrs["duplicates_dropped"]`` counts rows left out for repeating a timestamp,
        ``attrs["duplicates_conflicting"]`` the repeated timestamps with different prices.

    Warns
    -----
    DuplicateTimestampWarning
        A timestamp is repeated with different prices (``duplicates="last"``).

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
    raw = _read_raw(path, f"odds for Polymarket token {token}", None)
    frame = _odds_once(raw, path)
    if frame.attrs["duplicates_conflicting"] or (
        duplicates == "raise" and frame.attrs["duplicates_dropped"]
    ):  # warn (each call, as a fresh read does) or raise
        frame = _odds_frame(raw, path, duplicates=duplicates)
    else:
        frame = _own_copy(frame)
    frame.attrs["sha256"] = raw.attrs["sha256"]
    return frame


def _odds_frame(
    raw: pd.DataFrame, path: Path, *, duplicates: Literal["last", "raise"] = "last"
) -> pd.DataFrame:
    _require_columns(raw, path, ("t", "p"))
    _require_rows(raw, path, 1, "an odds history needs a sample")
    t = _parse_utc(raw, "t", path, required=True)
    p = _parse_float(raw, "p", path, required=True)
    outside = ((p < 0.0) | (p > 1.0)).to_numpy()
    if outside.any():
        raise _bad_value(raw, outside, "p", path, "is outside [0, 1]; p is a probability")
    dup = t.duplicated(keep="last").to_numpy()
    if dup.any() and duplicates == "raise":
        line, seen = _first_bad(t.duplicated().to_numpy(), raw, "t")
        raise _format_error(path, f"timestamp {seen} is repeated", line, "t")
    frame = pd.DataFrame({"t": t.reset_index(drop=True), "p": p.reset_index(drop=True)})
    conflicts = _warn_conflicting_duplicates(frame, raw, path) if dup.any() else 0
    frame = frame.loc[~dup].sort_values("t", ignore_index=True)
    frame.attrs["duplicates_dropped"] = int(dup.sum())
    frame.attrs["duplicates_conflicting"] = conflicts
    return frame


def _warn_conflicting_duplicates(frame: pd.DataFrame, raw: pd.DataFrame, path: Path) -> int:
    """Warn when a repeated timestamp has different prices; the number of such timestamps."""
    repeated = frame.loc[frame["t"].duplicated(keep=False)]
    spread = repeated.groupby("t")["p"].nunique()
    clashing = spread.index[spread.to_numpy() > 1]
    if not len(clashing):
        return 0
    rows = repeated.loc[repeated["t"] == clashing[0]]
    lines = raw.attrs.get("lines")
    at = [int(lines[i]) if lines is not None and len(lines) > i else i + 2 for i in rows.index]
    seen = [raw["t"].iloc[i].strip() for i in rows.index]
    values = [raw["p"].iloc[i].strip() for i in rows.index]
    more = f" ({len(clashing)} such timestamps)" if len(clashing) > 1 else ""
    # the file is <root>/polymarket/prices/<token>.csv: its market's slug is in markets.csv
    root = path.parents[2]
    command = _fetch_command("--markets", _slug_of_token(path.stem, root) or "<market-slug>", root)
    warnings.warn(
        DuplicateTimestampWarning(
            f"{path} lines {at[0]} and {at[-1]}, column p: timestamp {seen[0]} is repeated with "
            f"different prices, p={values[0]} and p={values[-1]}{more}; the last row is kept. "
            f"Fetch the file again ({command} --replace) or correct it; "
            "silence with warnings.simplefilter('ignore', DuplicateTimestampWarning)"
        ),
        stacklevel=4,
    )
    return len(clashing)


def _odds_quietly(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():  # a span does not report conflicting repeats
        warnings.simplefilter("ignore", DuplicateTimestampWarning)
        return _odds_frame(raw, path)


def _odds_once(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """:func:`_odds_frame` with ``duplicates="last"``, without its warning."""
    return _build_once(raw, path, "odds", lambda: _odds_quietly(raw, path))


_SPAN_READERS = {
    "price": lambda raw, path: _prices_once(raw, path).index,
    "series": lambda raw, path: _series_once(raw, path, path.stem).index,
    "odds": lambda raw, path: pd.DatetimeIndex(_odds_once(raw, path)["t"]),
    "market": lambda raw, path: _markets_once(raw, path).iloc[:0].index,
}


def file_span(path: str | os.PathLike[str], kind: str) -> tuple[int, str | None, str | None]:
    """Data rows, first and last date (``YYYY-MM-DD``) of a data file, read by its loader.

    Parameters
    ----------
    path : str or path-like
        The file.
    kind : {"price", "series", "odds", "market"}
        Which loader's checks apply (:func:`load_prices`, :func:`load_series`,
        :func:`load_odds`, :func:`load_markets`); ``market`` gives no dates.

    Returns
    -------
    tuple
        ``(rows, first, last)``: data lines, and the first and last date (None when there is
        none). The file is not recorded as read (:func:`sha256_read`).

    Raises
    ------
    DataFormatError
        Whatever the loader would refuse (not UTF-8, a bad date, timestamp or number, a
        repeated header line, ...), naming file, line, column and value.
    """
    path = Path(path)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    raw = _parse_once(path, data, digest)
    raw.attrs["sha256"] = digest
    dates = _SPAN_READERS[kind](raw, path)
    if not len(dates):
        return len(raw), None, None
    return len(raw), f"{dates.min():%Y-%m-%d}", f"{dates.max():%Y-%m-%d}"


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
        ``fetched_at``, ``first``, ``last``, ``versions``, ``merge``) and optionally
        ``description``, ``licences``, ``updated``.

    Raises
    ------
    DataNotFoundError
        No ``manifest.json``.
    DataFormatError
        Not UTF-8 JSON (line and column given), not an object with a ``files`` object of
        objects, or not the ``eventstudy-data/1`` format.
    """
    root = resolve_data_dir(data_dir)
    path = root / MANIFEST
    if not path.is_file():
        raise DataNotFoundError(
            "the data-directory manifest", str(path), _fetch_command("--tickers", "GC=F", root)
        )
    data = path.read_bytes()
    try:
        manifest = json.loads(_decode(path, data))
    except json.JSONDecodeError as exc:
        raise DataFormatError(
            f"{path} line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})",
            path=str(path),
            line=exc.lineno,
            column=str(exc.colno),
        ) from exc
    except RecursionError as exc:
        raise _format_error(path, "not valid JSON (nested too deeply)") from exc
    files = manifest.get("files", {}) if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not all(isinstance(e, dict) for e in files.values()):
        raise _format_error(path, "expected an object with a 'files' object of objects")
    if manifest.get("format") != FORMAT:
        raise _format_error(
            path, f"format {manifest.get('format')!r} is not supported; expected {FORMAT!r}"
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


def _hash_file(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


FILE_VERSION_COLUMNS = (
    "path",
    "sha256_read",
    "sha256_manifest",
    "verified",
    "rows",
    "source",
    "fetched_at",
    "first",
    "last",
    "problem",
)
"""Columns of :func:`file_versions`, in order."""


def _manifest_or_problem(root: Path) -> tuple[dict[str, Any], str]:
    """The manifest's ``files``, or ``{}`` and why they cannot be used."""
    try:
        return load_manifest(root)["files"], ""
    except DataNotFoundError:
        return {}, f"{root / MANIFEST} is missing, so no file can be verified"
    except DataFormatError as exc:
        return {}, f"the manifest cannot be read: {exc}"


def _version_problem(
    rel: str, read: str | None, entry: dict[str, Any], manifest_problem: str
) -> str:
    if read is None:
        return "file missing or unreadable"
    if manifest_problem:
        return manifest_problem
    if not entry:
        return f"not listed in {MANIFEST}"
    if entry.get("sha256") != read:
        return (
            f"sha256 of the bytes read differs from {MANIFEST} (the file changed after it "
            "was recorded); re-fetch it or restore the recorded version"
        )
    return ""


def file_versions(
    paths: Iterable[str | os.PathLike[str]],
    data_dir: str | os.PathLike[str] | None = None,
    *,
    strict: bool = False,
    read: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Which version of each data file was used, checked against ``manifest.json``.

    Results objects store this table so that a number can be traced to the exact bytes it
    came from, and a file that nobody recorded (edited by hand, half-written, or from a
    directory without a manifest) is reported instead of passing silently.

    Parameters
    ----------
    paths : iterable of str or path-like
        Paths relative to the data directory (``"prices/GC=F.csv"``; see
        :func:`price_relpath`, :func:`odds_relpath`) or absolute paths inside it.
    data_dir : str or path-like, optional
        Data directory; see :func:`resolve_data_dir`.
    strict : bool, default False
        Raise :class:`~eventstudy.exceptions.ProvenanceError` instead of warning when any
        file is not verified (what ``eventstudy run --strict`` asks for).
    read : mapping, optional
        Relative path -> sha256 of the bytes the caller read (e.g. a frame's
        ``attrs["sha256"]``). Default: what this process's loaders last read from the file
        (:func:`sha256_read`), else the file's bytes now.

    Returns
    -------
    DataFrame
        One row per path (in the order given, duplicates removed), columns
        :data:`FILE_VERSION_COLUMNS`:

        - ``path``: relative to the data directory;
        - ``sha256_read``: checksum of the bytes read (NA when the file is missing);
        - ``sha256_manifest``: checksum recorded in ``manifest.json`` (NA when not listed);
        - ``verified`` (bool): both checksums present and equal;
        - ``rows`` (nullable Int64), ``source``, ``fetched_at``, ``first``, ``last``: the
          manifest entry's values, NA when it lacks them (never guessed);
        - ``problem``: why the file is not verified, ``""`` when it is.

    Warns
    -----
    ProvenanceWarning
        One warning listing every file not verified (when ``strict`` is False). A missing or
        unreadable manifest is reported this way too, never swallowed.

    Raises
    ------
    ProvenanceError
        ``strict`` is True and a file is not verified.
    SpecificationError
        An absolute path outside the data directory.
    """
    root = resolve_data_dir(data_dir)
    files, manifest_problem = _manifest_or_problem(root)
    rels = list(dict.fromkeys(_as_relpath(p, root) for p in paths))
    given = dict(read or {})
    records = []
    for rel in rels:
        entry = files.get(rel, {})
        sha_read = given.get(rel) or sha256_read(root / rel) or _hash_file(root / rel)
        problem = _version_problem(rel, sha_read, entry, manifest_problem)
        records.append(
            {
                "path": rel,
                "sha256_read": sha_read,
                "sha256_manifest": entry.get("sha256"),
                "verified": not problem,
                "rows": entry.get("rows") if isinstance(entry.get("rows"), int) else None,
                **{c: entry.get(c) for c in ("source", "fetched_at", "first", "last")},
                "problem": problem,
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(FILE_VERSION_COLUMNS))
    frame["rows"] = frame["rows"].astype("Int64")
    frame["verified"] = frame["verified"].astype(bool)
    for c in FILE_VERSION_COLUMNS:
        if c not in ("rows", "verified"):
            frame[c] = frame[c].astype("str")
    bad = frame.loc[~frame["verified"]]
    if len(bad):
        lines = [f"{r.path}: {r.problem}" for r in bad.itertuples(index=False)]
        msg = (
            f"{len(bad)} of {len(frame)} data file(s) in {root} are not verified against "
            f"{MANIFEST}:\n  " + "\n  ".join(lines)
        )
        if strict:
            raise ProvenanceError(msg, path=str(root / MANIFEST))
        warnings.warn(ProvenanceWarning(msg), stacklevel=2)
    return frame
