"""EventStudyTools ARC input files: read them, run the same study, write CSV results.

Files (``;``-separated, no header; a header line is tolerated and skipped; UTF-8 or the
Windows code page Excel writes; decimal point or comma, one convention per file):

* request file, one line per event::

      event_id;firm;market_id;event_date;group;event_start;event_end;estimation_end;estimation_length
      1;ACME;SPX;16.03.2020;covid;0;4;-1;240

  dates ``dd.mm.yyyy``; windows in trading days relative to day 0 (the event date, or the next
  trading date of the market when it is not one); the estimation window is the
  ``estimation_length`` trading days ending at ``estimation_end``.
* firm price file: ``firm;dd.mm.yyyy;price``; market price file: ``market;dd.mm.yyyy;price``.

The trading calendar is the union of the market files' dates. Firm prices are placed on it;
returns are computed with :func:`eventstudy.engine.returns.to_returns` (log by default, as ARC does;
a return after a missing price spans the gap). Events with the same windows are studied
together with :class:`eventstudy.engine.study.EventStudy`; the battery runs per ARC group.

Outputs in ``out/``: ``ar.csv`` (``event_id, firm, date, rel_day, ar, ar_se``), ``car.csv``
(``event_id, firm, window_start, window_end, car, car_se, scar, tstat, pvalue, df``; one row
per event over its event window), ``tests.csv`` (``group`` + the battery's long columns, and
CLM's :math:`J_1` CAAR test as ``test = "caar_j1"``), ``exclusions.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pandas as pd

from eventstudy.exceptions import DataFormatError

ArcModel = Literal["market", "constant-mean", "market-adjusted"]
ARC_MODELS: tuple[str, ...] = ("market", "constant-mean", "market-adjusted")

REQUEST_COLUMNS = (
    "event_id", "firm", "market", "event_date", "group", "event_start", "event_end",
    "estimation_end", "estimation_length",
)  # fmt: skip

__all__ = [
    "ARC_MODELS",
    "PRICE_PROBLEMS",
    "REQUEST_COLUMNS",
    "ArcModel",
    "read_price_values",
    "read_prices",
    "read_request",
]


def _error(
    path: Path, message: str, line: int | None = None, column: str | None = None
) -> DataFormatError:
    """A DataFormatError saying where: ``<path> line <n>: <message>``.

    The same place is kept as attributes (``column`` names the field, e.g. ``"price"``).
    """
    where = f"{path} line {line}" if line is not None else f"{path}"
    if line is not None and column is not None and column not in message:
        where += f", field {column}"
    return DataFormatError(f"{where}: {message}", path=str(path), line=line, column=column)


_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)")


def _read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252.

    EventStudyTools asks for "CSV (standard, not UTF-8)", which Excel writes in the Windows
    code page; firm names with accents then arrive as Windows-1252 bytes.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise _error(path, "file not found") from exc
    except OSError as exc:
        raise _error(path, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _lines(path: Path, width: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank line.

    Fields are ``;``-separated, double quotes allowed; empty trailing fields beyond the
    file's ``width`` (the ``;`` Excel writes for empty columns) are dropped, so a blank last
    value is kept as ``""``.
    """
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    line = 0
    try:
        for fields in reader:
            line = reader.line_num
            fields = [f.strip() for f in fields]
            while len(fields) > width and fields[-1] == "":
                fields.pop()
            if any(fields):
                yield line, fields
    except csv.Error as exc:
        raise _error(path, f"not a readable line ({exc}); check the quoting", line + 1) from exc


def _decimal_mark(values: list[tuple[int, str]], path: Path) -> str:
    """The file's decimal mark, ``"."`` or ``","``, decided once for the whole file.

    A value holding both marks settles it (the later one is the decimal mark: ``1,234.5`` or
    ``1.234,5``); otherwise a file whose values use only commas has decimal commas and one
    using only points has decimal points. Values like ``1,234`` and ``1.250`` in the same file
    without such evidence are ambiguous (thousands separator or decimal mark?) and raise.
    """
    marks = set()
    seen: dict[str, tuple[int, str] | None] = {",": None, ".": None}
    for number, value in values:
        if "," in value and "." in value:
            marks.add("," if value.rfind(",") > value.rfind(".") else ".")
        for char in ",.":
            if char in value and seen[char] is None:
                seen[char] = (number, value)
    if len(marks) > 1:
        raise _error(
            path,
            "prices mix decimal points and decimal commas (e.g. '1,234.5' and '1.234,5'); use "
            "one convention in the whole file",
        )
    if marks:
        return marks.pop()
    if seen[","] and seen["."]:
        (n1, v1), (n2, v2) = seen[","], seen["."]
        raise _error(
            path,
            f"writes {v1!r} and line {n2} writes {v2!r}: it is not clear which is the decimal "
            "mark; use one convention in the whole file, without thousands separators",
            n1,
            "price",
        )
    return "," if seen[","] else "."


def _number(value: str, decimal: str) -> float:
    """A finite price in the file's convention (``decimal`` is its decimal mark).

    ValueError for anything else (``inf``, ``nan``, ``1_000``, ``1e999`` are not prices).
    """
    value = value.replace(" ", "").replace("\u00a0", "").replace("'", "")
    thousands = "." if decimal == "," else ","
    plain = value.replace(thousands, "")
    if not _DECIMAL.fullmatch(plain):
        raise ValueError(value)
    number = float(plain.replace(decimal, "."))
    if not math.isfinite(number):  # pragma: no cover - the pattern has no exponent
        raise ValueError(value)
    return number


def _date(value: str, path: Path, number: int, what: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError as exc:
        raise _error(
            path, f"{what} {value!r} is not a date; expected dd.mm.yyyy", number, what
        ) from exc


def _int(value: str, path: Path, number: int, what: str) -> int:
    if not _INTEGER.fullmatch(value):
        raise _error(path, f"{what} {value!r} is not an integer", number, what)
    return int(value)


def _is_header(fields: list[str], date_pos: int) -> bool:
    try:
        dt.datetime.strptime(fields[date_pos], "%d.%m.%Y")
    except (ValueError, IndexError):
        return True
    return False


def read_request(path: str | Path) -> pd.DataFrame:
    """Read an ARC request file into a frame with :data:`REQUEST_COLUMNS`.

    Raises
    ------
    DataFormatError
        Naming the file and line of the first malformed line.
    """
    path = Path(path)
    rows = []
    for number, fields in _lines(path, len(REQUEST_COLUMNS)):
        if number == 1 and _is_header(fields, 3):
            continue
        if len(fields) != 9:
            raise _error(
                path, f"{len(fields)} fields, expected 9 ({';'.join(REQUEST_COLUMNS)})", number
            )
        ev_start = _int(fields[5], path, number, "event-window start")
        ev_end = _int(fields[6], path, number, "event-window end")
        est_end = _int(fields[7], path, number, "estimation-window end")
        est_len = _int(fields[8], path, number, "estimation-window length")
        if ev_start > ev_end or est_end >= ev_start or est_len < 1:
            raise _error(
                path,
                "windows must satisfy event start <= end, estimation end < event start and "
                f"length >= 1; got event ({ev_start}, {ev_end}), estimation end {est_end}, "
                f"length {est_len}",
                number,
            )
        rows.append(
            (fields[0], fields[1], fields[2], _date(fields[3], path, number, "event date"),
             fields[4], ev_start, ev_end, est_end, est_len)
        )  # fmt: skip
    if not rows:
        raise _error(path, "no request lines")
    frame = pd.DataFrame(rows, columns=list(REQUEST_COLUMNS))
    dup = frame.duplicated(["event_id", "firm"])
    if dup.any():
        first = frame.loc[dup].iloc[0]
        raise _error(path, f"duplicate event id {first.event_id!r} for firm {first.firm!r}")
    return frame


PRICE_PROBLEMS = ("negative", "not a price")
"""Values of :func:`read_price_values`' ``kind`` column."""


def read_price_values(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read an ARC price file, keeping the lines whose price is not a price aside.

    A malformed line (wrong number of fields, a date that is not ``dd.mm.yyyy``, a second
    price for a name and date) raises; a price that is blank, not a number (``inf``, ``nan``,
    ``C``), zero or negative does not: whether it matters depends on the event windows (see
    :func:`eventstudy.report.arc.run_arc`).

    Returns
    -------
    prices : DataFrame
        Dates (index, sorted) x names; negative prices as written (CRSP marks a bid/ask
        midpoint with a minus sign), NaN where a name has no price or a value that is not one.
    problems : DataFrame
        One row per line whose price is negative or not a price: ``name``, ``date``,
        ``line``, ``value`` (as written), ``kind`` (one of :data:`PRICE_PROBLEMS`) and
        ``message`` (``<file> line <n>, field price: ...``).

    Raises
    ------
    DataFormatError
        A malformed line, naming the file and line.
    """
    path = Path(path)
    rows = []
    for number, fields in _lines(path, 3):
        if number == 1 and _is_header(fields, 1):
            continue
        if len(fields) != 3:
            raise _error(path, f"{len(fields)} fields, expected 3 (name;dd.mm.yyyy;price)", number)
        rows.append((number, fields))
    decimal = _decimal_mark([(number, fields[2]) for number, fields in rows], path)
    names, dates, prices, lines, problems = [], [], [], [], []
    for number, (name, day, value) in rows:
        when = _date(day, path, number, "date")
        price, kind, why = _price(value, decimal)
        if kind:
            message = str(_error(path, why, number, "price"))
            problems.append((name, pd.Timestamp(when), number, value, kind, message))
        names.append(name)
        dates.append(when)
        prices.append(price)
        lines.append(number)
    if not names:
        raise _error(path, "no price lines")
    long = pd.DataFrame({"name": names, "date": pd.to_datetime(dates), "price": prices})
    dup = long.duplicated(["name", "date"])
    if dup.any():
        at = int(dup.to_numpy().argmax())
        row = long.iloc[at]
        raise _error(
            path, f"a second price for {row['name']!r} on {row['date']:%d.%m.%Y}", lines[at], "date"
        )
    wide = long.pivot(index="date", columns="name", values="price").sort_index()
    columns = ["name", "date", "line", "value", "kind", "message"]
    return wide, pd.DataFrame(problems, columns=columns)


def _price(value: str, decimal: str) -> tuple[float, str, str]:
    """``(price, kind, why)``: kind ``""`` for a price, else one of :data:`PRICE_PROBLEMS`."""
    if not value:
        return math.nan, "not a price", "price is blank; expected a positive number"
    try:
        price = _number(value, decimal)
    except ValueError:
        return math.nan, "not a price", f"price {value!r} is not a number"
    if price < 0:
        return price, "negative", f"price {price} must be positive"
    if price == 0:
        return math.nan, "not a price", f"price {price} must be positive (zero is not a price)"
    return price, "", ""


def read_prices(path: str | Path, *, negative: bool = False) -> pd.DataFrame:
    """Read an ARC price file (``name;dd.mm.yyyy;price``) into a wide frame (dates x names).

    Every price must be one: the first line whose price is not raises (see
    :func:`read_price_values` to keep such lines aside instead).

    Parameters
    ----------
    path : path
    negative : bool, default False
        Accept negative prices and return them as they are (CRSP marks a bid/ask midpoint,
        used when a stock did not trade, with a minus sign). Without it a negative price is
        an error naming the line. Zero is never a price.

    Returns
    -------
    DataFrame
        Dates (index, sorted) x names; NaN where a name has no price.

    Raises
    ------
    DataFormatError
        A malformed line or a value that is not a price, naming the file and line.
    """
    path = Path(path)
    wide, problems = read_price_values(path)
    if negative:
        problems = problems[problems["kind"] != "negative"]
    if len(problems):
        first = problems.iloc[0]
        raise DataFormatError(
            first["message"], path=str(path), line=int(first["line"]), column="price"
        )
    return wide
