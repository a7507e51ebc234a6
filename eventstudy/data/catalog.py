"""Read and check the analyst-edited events catalog (``events.csv``).

The catalog is a UTF-8 CSV file (RFC 4180 quoting), one row per event, with these columns
(any order; the shipped file uses this one):

``event_id, date, time, tz, day_basis, title, title_ja, category, gold_direction,
date_confidence, time_confidence, polymarket, description, sources``

:func:`load_events` returns it as a frame with one extra column per derived value, or raises
one :class:`~eventstudy.exceptions.CatalogError` that lists *every* problem found, each with
the file, the line as an editor shows it (header = line 1; a quoted value spanning several
lines counts each of them), the column, the value read and what was expected. A catalog with
a problem never yields a partial frame. :func:`check_events` returns the same problems as a
list without raising.

Event time
----------
``event_time`` is the moment the information became public, as a tz-aware UTC timestamp:

- ``day_basis = "time"`` (the row has a ``time``): ``date`` + ``time`` read as a wall-clock
  time in ``tz``. A wall-clock time that does not exist because the clocks jump forward
  (e.g. 02:30 America/New_York on 2025-03-09) is a problem. A wall-clock time that occurs
  twice because the clocks fall back (e.g. 01:30 America/New_York on 2025-11-02) is taken at
  its **first** occurrence (the earlier UTC instant, ``fold=0``); this is not reported.
- ``day_basis = "no_time_assume_before_cutoffs"`` (no ``time``): 00:00 local on ``date`` in
  ``tz``, the start of the day on which the news became public. Where midnight itself is
  skipped by a DST change, this is the first instant of that local day.
- ``day_basis = "no_time_assume_after_us_close"`` (no ``time``): 16:00 America/New_York on
  ``date``, the US equity close.

``time_known`` says whether the row had a clock time. For rows without one, ``event_time``
is a convention, not a fact: map them to trading days with a date rule on ``date``, ``tz`` and
``day_basis`` (see ``instruments.py``), not by comparing ``event_time`` with close times.

Harmless spelling differences are normalised before checking: surrounding spaces everywhere;
case, inner spaces and hyphens in the fixed-choice columns (``" Up "`` -> ``up``,
``"Middle East"`` -> ``middle_east``); the case of a time-zone name (``europe/london`` ->
``Europe/London``); ``9:30`` or ``09:30:00`` -> ``09:30``. A UTF-8 byte-order mark, CRLF line
ends and blank lines (including rows of empty cells, as spreadsheets write them) are accepted.
Nothing in the file is ever executed or evaluated.
"""

from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import io
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

import numpy as np
import pandas as pd

from eventstudy.data._kept import KeptValues
from eventstudy.data.calendar_range import EVENT_DATE_MAX, EVENT_DATE_MIN
from eventstudy.exceptions import CatalogError, CatalogProblem

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "CONFIDENCES",
    "DAY_BASES",
    "EVENTS_TABLE",
    "GOLD_DIRECTIONS",
    "REQUIRED_COLUMNS",
    "CheckedCatalog",
    "TableSpec",
    "check_catalog",
    "check_events",
    "check_rows",
    "event_lines",
    "is_market_slug",
    "load_events",
    "read_table",
    "sort_problems",
    "validate_events",
]

COLUMNS: tuple[str, ...] = (
    "event_id",
    "date",
    "time",
    "tz",
    "day_basis",
    "title",
    "title_ja",
    "category",
    "gold_direction",
    "date_confidence",
    "time_confidence",
    "polymarket",
    "description",
    "sources",
)
"""Columns of ``events.csv``, in the order the shipped file uses."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "event_id",
    "date",
    "tz",
    "day_basis",
    "title",
    "category",
    "gold_direction",
)
"""Columns whose value may not be blank."""

CATEGORIES: tuple[str, ...] = (
    "nato",
    "russia_ukraine",
    "middle_east",
    "us_politics",
    "trade",
    "gold_market",
    "china_taiwan",
    "latam",
)
GOLD_DIRECTIONS: tuple[str, ...] = ("up", "down", "none")
CONFIDENCES: tuple[str, ...] = ("high", "medium", "low", "unknown")
DAY_BASIS_TIME = "time"
DAY_BASIS_BEFORE_CUTOFFS = "no_time_assume_before_cutoffs"
DAY_BASIS_AFTER_US_CLOSE = "no_time_assume_after_us_close"
DAY_BASES: tuple[str, ...] = (DAY_BASIS_TIME, DAY_BASIS_BEFORE_CUTOFFS, DAY_BASIS_AFTER_US_CLOSE)

_CHOICES: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "gold_direction": GOLD_DIRECTIONS,
    "date_confidence": CONFIDENCES,
    "time_confidence": CONFIDENCES,
    "day_basis": DAY_BASES,
}
US_CLOSE_TZ = "America/New_York"
US_CLOSE_TIME = time(16, 0)

_EVENT_ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MAX_EVENT_ID_LENGTH = 64
"""Longest ``event_id`` accepted: ids name report files (``fig_odds_<event_id>.png``)."""
# Polymarket slugs are mostly lowercase, but some real ones carry capitals
# (e.g. "israel-x-hamas-ceasefire-by-friday-July-4"), so letters of either case are accepted.
_SLUG = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
MAX_SLUG_LENGTH = 200
"""Longest market slug accepted (Polymarket's are well under 150 characters)."""
MAX_MARKET_LINKS = 6
"""Most markets one event may link (an event's odds figure has a panel per market)."""
# ISO 2025-02-18, or what Excel writes: 2025/02/18, 2025/2/18 (year first: unambiguous)
_EXCEL_DATE = re.compile(r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?")
_ASCII_SPACE = re.compile(r"[ \t\r\n]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        zip(
            "jan feb mar apr may jun jul aug sep oct nov dec".split(),
            (
                "january february march april may june july august september october "
                "november december"
            ).split(),
            strict=True,
        )
    )
    for name in names
}
_EXCEL_HINT = (
    'in Excel choose File > Save As and the type "CSV UTF-8 (Comma delimited) (*.csv)", '
    "or re-save it as UTF-8 in a text editor"
)


@dataclass(frozen=True)
class TableSpec:
    """The shape of an analyst-edited CSV table: its columns, the required ones, its key.

    :func:`read_table` checks a file against it; the events catalog is :data:`EVENTS_TABLE`,
    the claims file (:mod:`eventstudy.claims.spec`) has its own.
    """

    columns: tuple[str, ...]
    required: tuple[str, ...]
    id_column: str


EVENTS_TABLE = TableSpec(COLUMNS, REQUIRED_COLUMNS, "event_id")
"""The events catalog's table shape."""


@dataclass(frozen=True)
class _Row:
    """One data record: where it starts, its cells by column, and each cell's own line."""

    line: int
    cells: dict[str, str]
    lines: dict[str, int]
    id_column: str = "event_id"

    @property
    def event_id(self) -> str | None:
        """The value of the row's key column (``event_id``, or ``claim_id`` in claims files)."""
        return self.cells.get(self.id_column) or None


_Problems = list[CatalogProblem]
_NO_CELLS = pd.DataFrame({c: pd.Series([], dtype="str") for c in COLUMNS})


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------


def is_market_slug(value: object) -> bool:
    """True for a Polymarket market slug.

    A slug is ASCII letters, digits and single hyphens (no leading or trailing hyphen), at
    most :data:`MAX_SLUG_LENGTH` characters.
    """
    return (
        isinstance(value, str)
        and len(value) <= MAX_SLUG_LENGTH
        and _SLUG.fullmatch(value) is not None
    )


def check_events(path: str | os.PathLike[str]) -> list[CatalogProblem]:
    """Return every problem in an events catalog (an empty list if there is none).

    Parameters
    ----------
    path : str or path-like
        The CSV file.

    Returns
    -------
    list of CatalogProblem
        File-level problems first, then by line and column.

    See Also
    --------
    load_events : read the catalog, raising one error listing these problems.
    """
    problems, _ = _read(path)
    return problems


@dataclass(frozen=True)
class CheckedCatalog:
    """An events catalog without problems: its cells, and its frame built on first use.

    What ``eventstudy validate`` holds: the frame (:func:`load_events`) is built only when a
    check needs it (an orientation file, market links with data at hand).
    """

    cells: pd.DataFrame
    """The stripped text of every cell, columns :data:`COLUMNS`."""

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def has_links(self) -> bool:
        """True when some event names a market (its ``polymarket_slugs`` is not empty)."""
        return bool((self.cells["polymarket"] != "").any())

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """The catalog frame, as :func:`load_events` returns it."""
        return _to_frame(self.cells)


def check_catalog(path: str | os.PathLike[str]) -> CheckedCatalog:
    """Check the events catalog at ``path``, building its frame only when asked for it.

    Returns
    -------
    CheckedCatalog
        The checked cells; ``.frame`` is :func:`load_events`' frame.

    Raises
    ------
    CatalogError
        If the file cannot be read or has any problem; ``err.problems`` lists them all.
    """
    problems, cells = _read(path)
    if problems:
        raise CatalogError(problems)
    return CheckedCatalog(cells)


def validate_events(path: str | os.PathLike[str]) -> int:
    """Check an events catalog; the number of events when it has no problem.

    The checks of :func:`load_events` without building the frame.

    Raises
    ------
    CatalogError
        If the file cannot be read or has any problem; ``err.problems`` lists them all.
    """
    return len(check_catalog(path))


def event_lines(path: str | os.PathLike[str], column: str = "event_id") -> dict[str, int]:
    """The line of each event's cell of ``column`` in a catalog file, by ``event_id``.

    For messages about events of a catalog already checked (e.g. ``eventstudy validate``'s
    market-link warnings), which hold ids, not lines. A file that cannot be read or parsed
    gives an empty dict (its problems are :func:`check_events`'s to report).

    Parameters
    ----------
    path : str or path-like
    column : str, default "event_id"
        The cell whose line is wanted: the row's first line for ``event_id``, further down
        when a cell before it holds a line break.

    Returns
    -------
    dict of str -> int
        1-based physical line numbers (the header is line 1).
    """
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return {}
    _, columns, records, _ = _records(str(path), raw, EVENTS_TABLE)  # parsed, not checked
    if columns is None or column not in columns or "event_id" not in columns:
        return {}
    n_columns = len(columns)
    # A column named twice (a header problem of its own): the last one, as a row's cells keep it.
    at_id, at_column = (n_columns - 1 - columns[::-1].index(c) for c in ("event_id", column))
    lines: dict[str, int] = {}
    for line, cells in records:
        if len(cells) != n_columns:
            continue  # not a row (the checks report its field count)
        # The line breaks of the cells before the column (as _make_row counts them, cell by
        # cell: the NUL between cells keeps a CR ending one and an LF starting the next apart).
        before = "\0".join(cells[:at_column])
        if "\n" in before or "\r" in before:
            line += len(_LINE_BREAK.findall(before))
        lines[cells[at_id].strip()] = line
    return lines


def load_events(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check an events catalog.

    Parameters
    ----------
    path : str or path-like
        The CSV file (UTF-8, with or without BOM; see the module docstring for its columns).

    Returns
    -------
    pandas.DataFrame
        One row per event in file order, with the columns of :data:`COLUMNS` as strings
        (blank cells are ``""``; choice columns normalised, e.g. ``"Up "`` -> ``"up"``) plus

        ================ ============================ =================================
        column           dtype                        meaning
        ================ ============================ =================================
        event_time       ``datetime64[us, UTC]``      moment made public (module docs)
        time_known       ``bool``                     the row has a clock time
        polymarket_slugs ``object`` (lists of str)    market slugs, possibly empty
        ================ ============================ =================================

    Raises
    ------
    CatalogError
        If the file cannot be read or has any problem; ``err.problems`` lists them all.

    Examples
    --------
    >>> events = load_events("events.csv")  # doctest: +SKIP
    >>> events.loc[events.event_id == "hamas_attack_israel", "event_time"].iloc[0]  # doctest: +SKIP
    Timestamp('2023-10-07 03:30:00+0000', tz='UTC')
    """
    where = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return check_catalog(path).frame  # raises, saying why the file cannot be read
    key = (where, hashlib.sha256(raw).hexdigest())
    return _fresh(_LOADED.get(key, lambda: _catalog_frame(where, raw)))


def _catalog_frame(where: str, raw: bytes) -> pd.DataFrame:
    """The catalog frame of a file's bytes; :class:`CatalogError` listing every problem."""
    problems, cells = _read_bytes(where, raw)
    if problems:
        raise CatalogError(problems)
    return _to_frame(cells)


_LOADED: KeptValues[pd.DataFrame] = KeptValues(8)
"""Catalog frames :func:`load_events` built, by path and sha256 of the bytes: a run reads the
catalog twice (the data check before it, then the analyses); an edited file is read again."""


def _fresh(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a kept catalog frame that shares nothing with it (the slug lists too)."""
    out = frame.copy()
    out["polymarket_slugs"] = pd.Series(
        [list(v) for v in frame["polymarket_slugs"]], index=frame.index, dtype=object
    )
    return out


# --------------------------------------------------------------------------------------------
# reading: bytes -> text -> records
# --------------------------------------------------------------------------------------------


def _read(path: str | os.PathLike[str]) -> tuple[_Problems, pd.DataFrame]:
    """Every problem of the catalog, and its cells (stripped text, columns :data:`COLUMNS`)."""
    where = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return [
            _problem(where, None, None, None, None, f"cannot read the file: {reason}")
        ], _NO_CELLS
    return _read_bytes(where, raw)


def _read_bytes(where: str, raw: bytes) -> tuple[_Problems, pd.DataFrame]:
    """:func:`_read` of the bytes read from ``where``."""
    from eventstudy.data import _catalog_fast  # lazy: it imports this module

    fast = _catalog_fast.read_fast(where, raw)
    if fast is not None:
        return fast
    problems, rows = _read_rows(where, raw)
    cells = pd.DataFrame({c: [r.cells.get(c, "") for r in rows] for c in COLUMNS}, dtype="str")
    return problems, cells


def _read_rows(where: str, raw: bytes) -> tuple[_Problems, list[_Row]]:
    """The exact reader: every problem with its line and column, and the rows."""
    problems, rows, columns, text = _structure(where, raw, EVENTS_TABLE)
    if columns is None:
        return problems, []
    problems += check_rows(where, rows, columns, _checks_for(text))
    problems += _check_mojibake(where, rows, text)
    if not rows and not problems:
        msg = "the catalog has no events; expected one row per event after the header"
        problems.append(_problem(where, None, None, None, None, msg))
    return sort_problems(problems, COLUMNS), rows


def check_rows(
    where: str,
    rows: Sequence[_Row],
    columns: Sequence[str],
    checks: Sequence[Callable[[str, _Row, set[str]], _Problems]],
) -> _Problems:
    """Every row check on every row, then duplicate keys.

    Columns absent from the header are skipped by the checks.
    """
    known = set(columns)
    problems = [p for row in rows for check in checks for p in check(where, row, known)]
    return problems + _check_duplicate_ids(where, rows)


def sort_problems(problems: _Problems, columns: Sequence[str]) -> _Problems:
    """File-level problems first, then by line and by the column's place in ``columns``."""
    order = {c: i for i, c in enumerate(columns)}
    return sorted(problems, key=lambda p: (p.line or 0, order.get(p.column or "", -1)))


def read_table(
    path: str | os.PathLike[str], spec: TableSpec
) -> tuple[_Problems, list[_Row], list[str] | None]:
    """Read an analyst-edited CSV table down to its rows, with the problems of its structure.

    Decoding (UTF-8, BOM, one problem for a Shift_JIS/CP932 or UTF-16 file), RFC 4180 records
    with their editor line numbers, the separator, the header against ``spec`` and the field
    count of every row. Value checks are the caller's (:func:`check_rows` with the table's own
    checks: the events checks here, the claims module's for claims).

    Returns
    -------
    problems : list of CatalogProblem
    rows : list of _Row
        Rows with the right number of fields, cells stripped, keyed by normalised column.
    columns : list of str or None
        The header's normalised columns, or None when the file could not be read that far.
    """
    where = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        msg = f"cannot read the file: {reason}"
        return [_problem(where, None, None, None, None, msg, spec.id_column)], [], None
    problems, rows, columns, _ = _structure(where, raw, spec)
    return problems, rows, columns


def _structure(
    where: str, raw: bytes, spec: TableSpec
) -> tuple[_Problems, list[_Row], list[str] | None, str]:
    """:func:`read_table` on bytes, also returning the decoded text."""
    problems, columns, records, text = _records(where, raw, spec)
    rows: list[_Row] = []
    bare_cr = _bare_cr_lines(text) if records else frozenset()
    for line, cells in records:
        row, row_problems = _make_row(where, line, cells, columns or [], spec.id_column, bare_cr)
        problems += row_problems
        if row is not None:
            rows.append(row)
    return problems, rows, columns, text


def _records(
    where: str, raw: bytes, spec: TableSpec
) -> tuple[_Problems, list[str] | None, list[tuple[int, list[str]]], str]:
    """The steps of :func:`_structure` before its rows: text, header, records, problems.

    Returns ``(problems, columns, records, text)``: ``columns`` the header's normalised names
    (None when the file cannot be read as a table of this kind), ``records`` each record's
    first line and cells (none when the rows cannot be read: a problem says why).
    """
    text, problems = _decode(where, raw, spec.id_column)
    if problems:
        return problems, None, [], ""  # every other check would read garbage
    header, records, problems = _split_records(where, text, spec.columns)
    if header is None:
        return problems, None, [], text
    separator = _other_separator(header, spec.columns)
    if separator is not None:
        origin = (
            "Excel does this where the decimal mark is a comma"
            if separator == "semicolons"
            else "as Excel's 'Text (Tab delimited)' writes"
        )
        msg = (
            f"the columns are separated by {separator} instead of commas ({origin}); save the "
            "file as 'CSV UTF-8 (Comma delimited)'"
        )
        return [_problem(where, 1, None, None, None, msg, spec.id_column)], None, [], text
    columns, header_problems = _check_header(where, header, spec)
    problems += header_problems
    header_off = (
        _header_field_count(where, header, records, spec.id_column) if header_problems else None
    )
    if header_off is not None:  # the header is off by a name: one problem, not one per row
        return [*problems, header_off], columns, [], text
    return problems, columns, records, text


def _decode(where: str, raw: bytes, id_column: str = "event_id") -> tuple[str, _Problems]:
    """The file's text, or one problem saying why it cannot be read (never one per row)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        msg = f"the file is UTF-16 (Excel's 'Unicode Text'), not UTF-8; {_EXCEL_HINT}"
        return "", [_problem(where, 1, None, None, None, msg, id_column)]
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        pos = exc.start
    else:
        lost = _lost_text(where, body, text, id_column)
        return text, [] if lost is None else [lost]
    line = body.count(b"\n", 0, pos) + 1
    column, key = _locate_byte(body, pos, id_column)
    byte = body[pos : pos + 1]
    n_lines = sum(1 for chunk in body.split(b"\n") if not _is_utf8(chunk))
    where_bad = (
        f"byte 0x{byte.hex()} at byte offset {pos + len(raw) - len(body)} of the file (counting "
        f"from 0) is not valid UTF-8"
    )
    if n_lines > 1:
        where_bad += f", nor are {n_lines - 1} more line(s)"
    msg = f"{where_bad}; {_encoding_hint(body)}"
    return "", [_problem(where, line, column, key, repr(byte)[2:-1], msg, id_column)]


_REPLACEMENT = "\ufffd"
_WIDESPREAD_LINES = 3
"""Lines with a replacement character from which the file gets one problem, not one per cell."""
_LOST_HINT = (
    "the characters that stood there are lost: the text was opened with the wrong encoding "
    "(e.g. a Shift_JIS/CP932 file read as UTF-8) and saved again. Retype it from the original "
    "source, or open the original file in Excel and choose 名前を付けて保存 (Save As) → "
    "'CSV UTF-8 (コンマ区切り) (*.csv)' / 文字化けで元の文字が失われています (U+FFFD)。元の"
    "ファイルを Excel で開き、「名前を付けて保存」でファイルの種類に「CSV UTF-8 (コンマ区切り) "
    "(*.csv)」を選んで保存し直すか、元の文章から入力し直してください"
)


def _lost_text(where: str, body: bytes, text: str, id_column: str) -> CatalogProblem | None:
    """One problem for a file whose text is full of U+FFFD, the mark of characters lost.

    A few are reported per cell by :func:`_check_replacement_character` instead.
    """
    if _REPLACEMENT not in text:
        return None
    lines = sum(1 for line in text.splitlines() if _REPLACEMENT in line)
    if lines < _WIDESPREAD_LINES:
        return None
    pos = body.find(_REPLACEMENT.encode("utf-8"))
    line = body.count(b"\n", 0, pos) + 1
    column, key = _locate_byte(body, pos, id_column)
    msg = (
        f"the replacement character U+FFFD ({_REPLACEMENT}) appears {text.count(_REPLACEMENT)} "
        f"times on {lines} lines, first here; {_LOST_HINT}"
    )
    return _problem(where, line, column, key, None, msg, id_column)


def _check_replacement_character(where: str, row: _Row, known: set[str]) -> _Problems:
    """U+FFFD in a cell: characters lost to a wrong encoding (a few; see :func:`_lost_text`)."""
    return [
        _cell_problem(
            where, row, column, f"contains the replacement character U+FFFD; {_LOST_HINT}"
        )
        for column, value in row.cells.items()
        if _REPLACEMENT in value
    ]


def _is_utf8(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _locate_byte(
    body: bytes, pos: int, id_column: str = "event_id"
) -> tuple[str | None, str | None]:
    """Column name and key (``event_id``) of the record holding byte ``pos``.

    The bytes are read as Latin-1 (one character per byte, so offsets are kept). Commas, double
    quotes and newlines are ASCII, and neither UTF-8 nor Shift_JIS/CP932 uses those byte values
    inside a multi-byte character, so the CSV structure is intact whatever the encoding.
    """
    text = body.decode("latin-1")
    try:
        records = list(csv.reader(io.StringIO(text[:pos], newline="")))
    except csv.Error:  # e.g. a field over the csv module's size limit: no column then
        return None, None
    if len(records) < 2:
        return None, None
    header = [name.strip() for name in records[0]]
    current = records[-1]
    index = len(current) - 1
    column = header[index] if 0 <= index < len(header) else None
    event_id = None
    if id_column in header and header.index(id_column) < index:
        raw_id = current[header.index(id_column)]
        event_id = raw_id.encode("latin-1").decode("utf-8", errors="replace").strip() or None
    return column, event_id


_JAPANESE_EXCEL_HINT = (
    "In Excel choose 名前を付けて保存 (Save As) and the file type "
    "'CSV UTF-8 (コンマ区切り) (*.csv)' (in English Excel 'CSV UTF-8 (Comma delimited)'), "
    "then validate again. / このファイルは UTF-8 ではなく Shift_JIS (CP932) で保存されています。"
    "Excel の「名前を付けて保存」でファイルの種類に「CSV UTF-8 (コンマ区切り) (*.csv)」を選んで"
    "保存し直してください。"
)


def _encoding_hint(body: bytes) -> str:
    try:
        text = body.decode("cp932")
    except UnicodeDecodeError:
        return f"the file must be saved as UTF-8: {_EXCEL_HINT}"
    if re.search(r"[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f]", text):
        return (
            "the file is Shift_JIS/CP932 (what Excel on Japanese Windows writes by default), "
            f"but it must be UTF-8. {_JAPANESE_EXCEL_HINT}"
        )
    return f"the file must be saved as UTF-8 (it may be Windows-1252 or Latin-1): {_EXCEL_HINT}"


# Mojibake: UTF-8 text once opened with the wrong encoding, then saved again as UTF-8.
# Read as CP932 (Japanese Excel opening a UTF-8 file without BOM), the lead bytes of UTF-8
# hiragana and katakana (E3 81..83) become these rare kanji; read as Windows-1252/Latin-1,
# a lead byte becomes a letter in U+00C2..U+00F4 followed by a continuation character.
_CP932_MOJIBAKE = re.compile("[縺繧繝]")


def _utf8_lead_pairs() -> str:
    """What every UTF-8 sequence of three or four bytes starts as when read as CP932.

    A lead byte E0..EF and a continuation byte 80..BF make one CP932 kanji (mostly rare ones,
    such as 鬥 for the E9 A6 that starts 首); a garbled Japanese text always holds some.
    """
    pairs = (bytes((lead, trail)) for lead in range(0xE0, 0xF0) for trail in range(0x80, 0xC0))
    chars = []
    for pair in pairs:
        try:
            chars.append(pair.decode("cp932"))
        except UnicodeDecodeError:
            continue
    return "".join(chars)


_CP932_LEAD = re.compile("[" + re.escape(_utf8_lead_pairs()) + "]")
"""Possible mojibake: garbled only when the text read back as UTF-8 is valid (legitimate
Japanese, with its kana on CP932 lead bytes 82 and 83, never is)."""
_LATIN_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)


def _mojibake_repair(value: str) -> tuple[bool, str | None]:
    """Whether ``value`` looks garbled, and the text it probably was (None if unknown)."""
    if _CP932_MOJIBAKE.search(value):
        try:
            fixed = value.encode("cp932").decode("utf-8")
        except UnicodeError:
            return True, None
        return True, fixed if fixed != value else None
    if _CP932_LEAD.search(value):
        try:
            fixed = value.encode("cp932").decode("utf-8")
        except UnicodeError:
            fixed = value
        if fixed != value:
            return True, fixed
    if _LATIN_MOJIBAKE.search(value):
        import ftfy  # lazy: only for text that the fast pattern flags
        from ftfy.badness import is_bad

        if is_bad(value):
            fixed = ftfy.fix_text(value)
            return True, fixed if fixed != value else None
    return False, None


def _check_mojibake(where: str, rows: Sequence[_Row], text: str) -> _Problems:
    """Garbled text (mojibake) in any cell; the whole text is screened once, fast."""
    if text.isascii() or not (_CP932_LEAD.search(text) or _LATIN_MOJIBAKE.search(text)):
        return []
    problems = []
    for row in rows:
        for column, value in row.cells.items():
            if value.isascii():
                continue
            garbled, fixed = _mojibake_repair(value)
            if not garbled:
                continue
            hint = f"; it probably should read {fixed!r}" if fixed else ""
            msg = (
                "the text looks garbled (mojibake: UTF-8 text opened with the wrong encoding "
                f"and saved again){hint}; retype it or copy it from the original source, and "
                "open the file in Excel via Data > From Text/CSV with UTF-8 / 文字化けしています。"
                "元の文章から入力し直してください"
            )
            problems.append(_cell_problem(where, row, column, msg))
    return problems


def _split_records(
    where: str, text: str, columns: Sequence[str] = COLUMNS
) -> tuple[list[str] | None, list[tuple[int, list[str]]], _Problems]:
    """Parse CSV records, each with the physical line on which it starts.

    Quoting is RFC 4180's, strictly: a value in double quotes ends at its closing quote
    (``"NATO Brussels" summit`` is a problem, not a value with its quotes silently dropped)
    and every opened quote is closed.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    line_after = 0  # physical lines consumed so far
    blank_rows: list[int] = []  # rows of empty cells (",,,,") not yet followed by an event
    problems: _Problems = []
    try:
        for cells in reader:
            start, line_after = line_after + 1, reader.line_num
            if not "".join(cells).strip():  # every cell blank (one join: no loop a cell)
                if header is not None and len(cells) > 1:
                    blank_rows.append(start)
                continue  # blank line, or a row of empty cells (checked below)
            if header is None:
                header = cells
            else:
                # Spreadsheets write trailing rows of empty cells, which are accepted; one in
                # the middle of the events may be a row whose content was deleted by mistake.
                for line in blank_rows:
                    msg = "every field of this row is blank; delete the row or fill it in"
                    problems.append(_problem(where, line, None, None, None, msg))
                blank_rows = []
                records.append((start, cells))
    except csv.Error as exc:
        msg = _csv_error_message(str(exc))
        return None, [], [_problem(where, line_after + 1, None, None, None, msg)]
    if header is None:
        msg = f"the file is empty; expected a header line with the columns {', '.join(columns)}"
        return None, [], [_problem(where, None, None, None, None, msg)]
    return header, records, problems


def _csv_error_message(error: str) -> str:
    """What to do about the ``csv`` module's error ``error`` (the record's first line is given)."""
    if "field larger than field limit" in error:
        return (
            f"a value is longer than {csv.field_size_limit():,} characters, the most a CSV "
            "field may hold; usually a double quote that is not closed makes the rest of "
            "the file one value: check the quoting from this line on"
        )
    if "expected after '\"'" in error:
        return (
            "a value in double quotes goes on after its closing quote (as in "
            '"NATO Brussels" summit); to keep quotes inside a value, put the whole value in '
            'double quotes and double each quote inside it: """NATO Brussels"" summit"'
        )
    if "unexpected end of data" in error:
        return (
            "a double quote opened on this line (or after it) is not closed before the end of "
            "the file; close it, or double it if it is part of the text"
        )
    return f"the CSV text cannot be parsed ({error}); check the quoting on this line"


def _other_separator(header: list[str], columns: Sequence[str] = COLUMNS) -> str | None:
    """'semicolons' or 'tabs' when a one-field header holds the column names split by them."""
    if len(header) != 1:
        return None
    for char, name in ((";", "semicolons"), ("\t", "tabs")):
        names = {_norm_choice(cell) for cell in header[0].split(char)}
        if len(names & set(columns)) >= 2:
            return name
    return None


def _check_header(
    where: str, header: list[str], spec: TableSpec = EVENTS_TABLE
) -> tuple[list[str], _Problems]:
    """Return normalised column names (unknown ones kept as read) and header problems."""
    problems = []
    columns = []
    for cell in header:
        name = _norm_choice(cell)
        if name not in spec.columns:
            close = difflib.get_close_matches(name, spec.columns, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            msg = f"unknown column; {hint}accepted columns are {', '.join(spec.columns)}"
            problems.append(_problem(where, 1, cell.strip() or None, None, cell, msg))
            columns.append(cell)
        else:
            if name in columns:
                msg = "this column appears twice in the header; keep one"
                problems.append(_problem(where, 1, name, None, cell, msg))
            columns.append(name)
    for name in spec.columns:
        if name not in columns:
            needed = "required" if name in spec.required else "expected (it may be left blank)"
            msg = f"column is missing from the header; it is {needed}"
            problems.append(_problem(where, 1, name, None, None, msg))
    return columns, problems


_BARE_CR = re.compile(r"\r(?!\n)")


def _bare_cr_lines(text: str) -> frozenset[int]:
    """Lines that end with a carriage return alone (CR without LF) in a file of LF lines.

    The CSV reader ends a row there. A file whose lines all end with CR (old Mac) has none.
    """
    if "\r" not in text or "\n" not in text:
        return frozenset()
    lines = set()
    for m in _BARE_CR.finditer(text):
        lines.add(len(_LINE_BREAK.findall(text, 0, m.start())) + 1)
        if len(lines) >= 100:
            break
    return frozenset(lines)


def _field_count_message(cells: list[str], columns: list[str], line: int, cr: set[int]) -> str:
    """Why a row has the wrong number of fields: a bare CR, an open quote or a comma."""
    found = f"found {len(cells)} fields, expected {len(columns)} (as in the header)"
    last = line + sum(len(_LINE_BREAK.findall(c)) for c in cells)
    at = sorted(cr & set(range(line - 1, last + 1)))
    if at:
        return (
            f"{found}: line {at[0]} ends with a carriage return alone (CR, U+000D, without a "
            "line feed), which ends a row in a CSV file, so the row is cut there; delete the "
            'carriage return, or put the value in double quotes ("a<CR>b") if it should hold a '
            "line break"
        )
    span = (
        f" The row runs from line {line} to line {last}: look for a double quote that is "
        "not closed."
        if last > line
        else ""
    )
    return (
        f"{found}; a value that contains a comma must be in double quotes, e.g. "
        f'"Greenland, Panama".{span}'
    )


def _header_field_count(
    where: str, header: list[str], records: list[tuple[int, list[str]]], id_column: str
) -> CatalogProblem | None:
    """One problem when every row (two or more) has the same number of fields, not the header's.

    Used when the header has a problem too (a name missing or unknown): then the header, not
    each row, is what is wrong (a row-by-row "found 14 fields, expected 13" would repeat the
    same news on every line). With a correct header the rows keep their own messages (e.g.
    an unquoted comma in every row).
    """
    counts = {len(cells) for _, cells in records}
    if len(records) < 2 or len(counts) != 1 or len(header) in counts:
        return None
    (n,) = counts
    fix = "a column name is missing from it" if n > len(header) else "it has a name too many"
    msg = (
        f"every row has {n} fields but the header names {len(header)}: {fix}; the header "
        "line must name every column once, in the order of the rows' fields"
    )
    return _problem(where, 1, None, None, None, msg, id_column)


def _make_row(
    where: str,
    line: int,
    cells: list[str],
    columns: list[str],
    id_column: str = "event_id",
    bare_cr: frozenset[int] = frozenset(),
) -> tuple[_Row | None, _Problems]:
    if len(cells) != len(columns):
        msg = _field_count_message(cells, columns, line, set(bare_cr))
        key = cells[0].strip() if cells and columns and columns[0] == id_column else None
        return None, [_problem(where, line, None, key or None, None, msg, id_column)]
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    at = line
    for name, cell in zip(columns, cells, strict=True):
        values[name] = cell.strip()
        lines[name] = at
        at += len(_LINE_BREAK.findall(cell))
    return _Row(line, values, lines, id_column), []


# --------------------------------------------------------------------------------------------
# checks: one small function per rule, each returning its problems
# --------------------------------------------------------------------------------------------


def _problem(
    where: str,
    line: int | None,
    column: str | None,
    event_id: str | None,
    value: str | None,
    message: str,
    id_name: str = "event_id",
) -> CatalogProblem:
    return CatalogProblem(where, line, column, event_id, value, message, id_name)


def _cell_problem(where: str, row: _Row, column: str, message: str) -> CatalogProblem:
    line, value = row.lines[column], row.cells[column]
    return _problem(where, line, column, row.event_id, value, message, row.id_column)


def _check_required(where: str, row: _Row, known: set[str]) -> _Problems:
    return _check_required_columns(where, row, known, REQUIRED_COLUMNS)


def _check_required_columns(
    where: str, row: _Row, known: set[str], required: Sequence[str]
) -> _Problems:
    return [
        _cell_problem(where, row, c, "missing value; this column is required")
        for c in required
        if c in known and not row.cells[c]
    ]


def _check_event_id(where: str, row: _Row, known: set[str]) -> _Problems:
    """The row's key (``event_id``, ``claim_id``) is snake_case and not too long."""
    column = row.id_column
    value = row.cells.get(column, "")
    if not value:
        return []
    if len(value) > MAX_EVENT_ID_LENGTH:
        msg = (
            f"{column} is {len(value)} characters long; at most {MAX_EVENT_ID_LENGTH} are "
            "accepted (it names the report's files); shorten it"
        )
        return [_cell_problem(where, row, column, msg)]
    if _EVENT_ID.fullmatch(value):
        return []
    plain = unicodedata.normalize("NFKC", value).lower()  # full-width ｎ -> n
    suggestion = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")
    hint = f" (e.g. '{suggestion}')" if _EVENT_ID.fullmatch(suggestion) else ""
    msg = (
        f"{column} is not snake_case; expected lowercase letters, digits and single "
        f"underscores, starting with a letter{hint}"
    )
    return [_cell_problem(where, row, column, msg)]


def _ascii_digit(ch: str) -> str:
    digit = unicodedata.decimal(ch, None)
    return ch if digit is None else str(digit)


def _ascii_spelling(value: str) -> str | None:
    """``value`` with non-ASCII digits and punctuation replaced by their ASCII equivalents.

    Full-width forms and the like: ``２０２３／２／１８`` -> ``2023/2/18``; None when that is
    not possible.
    """
    text = "".join(_ascii_digit(ch) for ch in unicodedata.normalize("NFKC", value))
    return text if text.isascii() else None


def _non_ascii_problem(where: str, row: _Row, column: str, example: str) -> _Problems:
    value = row.cells[column]
    fixed = _ascii_spelling(value)
    if fixed is not None:
        msg = (
            f"written with full-width or other non-ASCII characters; type '{fixed}' instead "
            f"(ASCII digits, e.g. {example})"
        )
    else:
        bad = next(ch for ch in value if not ch.isascii())
        msg = (
            f"contains the non-ASCII character {bad!r} (U+{ord(bad):04X}); use ASCII digits "
            f"and separators only, e.g. {example}"
        )
    return [_cell_problem(where, row, column, msg)]


def _calendar_date(value: str) -> date | ValueError | None:
    """The date written as ``2025-02-18`` or as Excel writes it (``2025/02/18``, ``2025/2/18``).

    None when not in that form, the ValueError when not a real date.
    """
    m = _EXCEL_DATE.fullmatch(value)
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[3]), int(m[4]))
    except ValueError as exc:
        return exc


def _parse_date(value: str) -> date | None:
    """The event date of a valid ``date`` cell (in the supported range), else None."""
    day = _calendar_date(value)
    return day if isinstance(day, date) and EVENT_DATE_MIN <= day <= EVENT_DATE_MAX else None


def _check_date(where: str, row: _Row, known: set[str], column: str = "date") -> _Problems:
    """The ``column`` cell, if filled, is a real date in the supported range.

    Written YYYY-MM-DD or as Excel writes it; the problem carries a guess of what was meant if
    it is not.
    """
    value = row.cells.get(column, "")
    if not value or _parse_date(value) is not None:
        return []
    if not value.isascii():
        return _non_ascii_problem(where, row, column, "2023-10-07")
    day = _calendar_date(value)
    if isinstance(day, ValueError):
        msg = f"not a real calendar date ({day}); expected YYYY-MM-DD"
    elif isinstance(day, date):
        msg = (
            f"outside the supported range {EVENT_DATE_MIN} to {EVENT_DATE_MAX}: the trading "
            "calendars that place day 0 cover 2000 to 2027; check the year"
        )
    else:
        guesses = sorted({d.isoformat() for d in _guess_dates(value)})
        if len(guesses) == 1:
            hint = f"; it probably means {guesses[0]}"
        elif guesses:
            hint = f"; it is ambiguous (could be {' or '.join(guesses)})"
        else:
            hint = " (e.g. 2025-02-18)"
        msg = f"not a date in the format YYYY-MM-DD; expected YYYY-MM-DD{hint}"
    return [_cell_problem(where, row, column, msg)]


def _guess_dates(value: str) -> list[date]:
    """Every calendar date a non-ISO date string could plausibly mean."""
    found: list[date] = []

    def attempt(y: int, m: int, d: int) -> None:
        try:
            found.append(date(y, m, d))
        except ValueError:
            pass

    s = value.strip()
    if m := re.fullmatch(r"([0-9]{1,4})\s*[-/.]\s*([0-9]{1,2})\s*[-/.]\s*([0-9]{1,4})", s):
        a, b, c = m[1], int(m[2]), m[3]
        if len(a) == 4:
            attempt(int(a), b, int(c))
        elif len(c) == 4:
            attempt(int(c), b, int(a))  # day/month/year
            attempt(int(c), int(a), b)  # month/day/year
    elif m := re.fullmatch(r"([0-9]{4})([0-9]{2})([0-9]{2})", s):
        attempt(int(m[1]), int(m[2]), int(m[3]))
    else:
        words = re.findall(r"[A-Za-z]+", s)
        numbers = [int(n) for n in re.findall(r"[0-9]+", s)]
        months = [_MONTHS[w.lower()] for w in words if w.lower() in _MONTHS]
        years = [n for n in numbers if n >= 1000]
        days = [n for n in numbers if n < 1000]
        if len(months) == 1 and len(years) == 1 and len(days) == 1:
            attempt(years[0], months[0], days[0])
    return found


def _parse_time(value: str) -> tuple[int, int] | None:
    """(hour, minute) of ``14:30``, ``9:05``, ``09:05:00`` or Excel's ``9:05:00 AM``."""
    m = _TIME.fullmatch(value)
    if m is None or m[3] not in (None, "00"):
        return None
    hour, minute = int(m[1]), int(m[2])
    if m[4] is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m[4] in "Pp" else 0)
    return (hour, minute) if hour <= 23 and minute <= 59 else None


def _check_time(where: str, row: _Row, known: set[str]) -> _Problems:
    value = row.cells.get("time", "")
    if not value or _parse_time(value) is not None:
        return []
    if not value.isascii():
        return _non_ascii_problem(where, row, "time", "09:05")
    m = _TIME.fullmatch(value)
    if m is None:
        msg = (
            "time is not in the format HH:MM; expected a 24-hour local time such as 14:30 "
            "(Excel's 2:30:00 PM is read too)"
        )
    elif m[3] not in (None, "00"):
        msg = f"seconds are not used; expected HH:MM (e.g. {int(m[1]):02d}:{m[2]})"
    else:
        msg = "not a valid time of day; expected HH:MM with hours 00-23 and minutes 00-59"
    return [_cell_problem(where, row, "time", msg)]


# Abbreviations people type for zones (not IANA names): the zone to suggest instead.
_TZ_ABBREVIATIONS = {
    "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "CST": "America/Chicago", "ET": "America/New_York",
    "EDT": "America/New_York", "PT": "America/Los_Angeles", "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles", "CDT": "America/Chicago", "BST": "Europe/London",
    "CEST": "Europe/Berlin", "MSK": "Europe/Moscow", "IST": "Asia/Kolkata (or Asia/Jerusalem)",
    "IDT": "Asia/Jerusalem", "AEST": "Australia/Sydney", "HKT": "Asia/Hong_Kong",
    "SGT": "Asia/Singapore", "GST": "Asia/Dubai", "TRT": "Europe/Istanbul",
}  # fmt: skip
_UTC_OFFSET = re.compile(r"(?:UTC|GMT)\s*([+-])\s*([0-9]{1,2})(?::?00)?", re.IGNORECASE)


def _check_tz(where: str, row: _Row, known: set[str]) -> _Problems:
    value = row.cells.get("tz", "")
    if not value or _zone_name(value) is not None:
        return []
    abbreviation = _TZ_ABBREVIATIONS.get(value.strip().upper())
    offset = _UTC_OFFSET.fullmatch(value.strip())
    if abbreviation:
        hint = f"it is an abbreviation; use the place's zone, e.g. '{abbreviation}'; "
    elif offset:
        hours = int(offset[2])
        sign = "-" if offset[1] == "+" else "+"  # POSIX Etc/ zones invert the sign
        etc = "Etc/GMT" if hours == 0 else f"Etc/GMT{sign}{hours}"
        hint = (
            "a fixed UTC offset ignores daylight saving time; use the place's zone (e.g. "
            f"'Europe/Moscow'), or '{etc}' if a fixed offset is really meant; "
        )
    else:
        close = difflib.get_close_matches(value, sorted(_zones()), n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    msg = f"not an IANA time zone; {hint}expected a name like 'America/New_York' or 'Asia/Tokyo'"
    return [_cell_problem(where, row, "tz", msg)]


def _check_choices(where: str, row: _Row, known: set[str]) -> _Problems:
    problems = []
    for column, accepted in _CHOICES.items():
        value = row.cells.get(column, "")
        if not value or _norm_choice(value) in accepted:
            continue
        close = difflib.get_close_matches(_norm_choice(value), accepted, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        msg = f"unknown {column}; {hint}accepted values are {', '.join(accepted)}"
        problems.append(_cell_problem(where, row, column, msg))
    return problems


def _check_day_basis_matches_time(where: str, row: _Row, known: set[str]) -> _Problems:
    basis = _norm_choice(row.cells.get("day_basis", ""))
    if basis not in DAY_BASES or "time" not in known:
        return []
    has_time = bool(row.cells["time"])
    if has_time and basis != DAY_BASIS_TIME:
        msg = f"the row has a time ({row.cells['time']}), so day_basis must be 'time'"
    elif not has_time and basis == DAY_BASIS_TIME:
        msg = (
            "the row has no time, so day_basis must be one of "
            f"{DAY_BASIS_BEFORE_CUTOFFS}, {DAY_BASIS_AFTER_US_CLOSE} (or fill in the time)"
        )
    else:
        return []
    return [_cell_problem(where, row, "day_basis", msg)]


def _check_local_time_exists(where: str, row: _Row, known: set[str]) -> _Problems:
    moment = _local_moment(row)
    if moment is None:
        return []
    utc_then_back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    if utc_then_back.replace(tzinfo=None) == moment.replace(tzinfo=None):
        return []
    msg = (
        f"{row.cells['time']} does not exist on {row.cells['date']} in "
        f"{_zone_name(row.cells['tz'])}: the clocks jump forward then (daylight saving time); "
        "give the time as shown on clocks at that moment"
    )
    return [_cell_problem(where, row, "time", msg)]


def _slug_hint(word: str) -> str:
    """How to fix a ``polymarket`` word that is not a slug: a URL's last part, or spacing."""
    if not word.startswith(("http://", "https://")):
        return "; separate several slugs with spaces"
    try:
        tail = urlsplit(word).path.rstrip("/").rsplit("/", 1)[-1]
    except ValueError:  # e.g. an unclosed IPv6 bracket: no part to suggest
        return "; put only the slug, not the URL"
    return f"; put only the slug (e.g. '{tail}'), not the URL"


def _check_polymarket(where: str, row: _Row, known: set[str]) -> _Problems:
    problems = []
    slugs = _words(row.cells.get("polymarket", ""))
    for slug in slugs:
        if is_market_slug(slug):
            continue
        msg = (
            "not a Polymarket market slug; expected letters, digits and single hyphens"
            f"{_slug_hint(slug)}"
        )
        problem = _cell_problem(where, row, "polymarket", msg)
        problems.append(_replace_value(problem, slug))
    return problems + _link_count_problems(where, row, slugs)


def _repeated(where: str, row: _Row, column: str, names: list[str], what: str) -> _Problems:
    """A problem for each name listed more than once in ``column`` (``what``: market, series)."""
    return [
        _replace_value(
            _cell_problem(where, row, column, f"{what} listed {n} times; name each {what} once"),
            name,
        )
        for name, n in Counter(names).items()
        if n > 1
    ]


def _link_count_problems(where: str, row: _Row, slugs: list[str]) -> _Problems:
    """A slug listed twice, and more than :data:`MAX_MARKET_LINKS` markets, in one cell."""
    problems = _repeated(where, row, "polymarket", slugs, "market")
    distinct = len(set(slugs))
    if distinct > MAX_MARKET_LINKS:
        msg = (
            f"links {distinct} markets; at most {MAX_MARKET_LINKS} per event: keep the ones "
            "closest to the event's question"
        )
        problems.append(_cell_problem(where, row, "polymarket", msg))
    return problems


_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::[0-9]{1,5})?(?:[/?#][!-~]*)?"
)
"""An ASCII http(s) URL with a dotted host: accepted without parsing (the common case)."""


def _source_ok(url: str) -> bool:
    """True for one ``sources`` word that is an http(s) URL with a dotted host."""
    if _PLAIN_URL.fullmatch(url):
        return True
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and "." in (parts.hostname or "")
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False


def _check_sources(where: str, row: _Row, known: set[str]) -> _Problems:
    problems = []
    for url in _words(row.cells.get("sources", "")):
        if _source_ok(url):
            continue
        msg = "not an http(s) URL; separate several sources with spaces"
        problems.append(_replace_value(_cell_problem(where, row, "sources", msg), url))
    return problems


def _check_duplicate_ids(where: str, rows: Sequence[_Row]) -> _Problems:
    first: dict[str, int] = {}
    problems = []
    for row in rows:
        key = row.id_column
        value = row.cells.get(key, "")
        if not value:
            continue
        if value in first:
            msg = (
                f"duplicate {key}: used on lines {first[value]} and {row.lines[key]}; "
                f"each {key} must be unique"
            )
            problems.append(_cell_problem(where, row, key, msg))
        else:
            first[value] = row.lines[key]
    return problems


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0 controls but tab and line breaks, DEL, C1 controls (NEL U+0085 among them)."""
_FREE_TEXT = frozenset({"title", "title_ja", "description"})
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Direction embeddings, overrides and isolates: they make text display unlike its bytes."""
_INVISIBLE = re.compile(
    "[\u00a0\u00ad\u0600-\u0605\u061c\u06dd\u070f\u1680\u180e\u2000-\u200f"
    "\u2028-\u202f\u205f-\u206f\u3000\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)
"""Format characters (zero-width space and joiners, direction marks, BOM, tags) and Unicode
spaces and separators (no-break space, line separator): they look like nothing or a space."""


def _check_control_characters(where: str, row: _Row, known: set[str]) -> _Problems:
    """NUL and other control characters, C0 and C1 (line breaks and tabs in text are fine)."""
    problems = []
    for column, value in row.cells.items():
        if (m := _CONTROL.search(value)) is not None:
            msg = (
                f"contains the control character U+{ord(m[0]):04X}, which editors do not show; "
                "delete it (it often comes from a copy-paste or a binary file)"
            )
            problems.append(_cell_problem(where, row, column, msg))
    return problems


def _invisible(value: str, *, free_text: bool) -> str | None:
    """The first invisible character of ``value`` (:data:`_INVISIBLE`).

    In free text only the direction controls count (a no-break space in a title is harmless).
    """
    m = (_BIDI if free_text else _INVISIBLE).search(value)
    return None if m is None else m[0]


def _check_invisible_characters(where: str, row: _Row, known: set[str]) -> _Problems:
    """Invisible characters in ids, dates, slugs and URLs (and direction overrides anywhere).

    A slug split by a no-break space is one word to every program; a URL with a zero-width
    space leads elsewhere; a right-to-left override shows text differently from its bytes.
    """
    problems = []
    for column, value in row.cells.items():
        if value.isascii():
            continue
        bad = _invisible(value, free_text=column in _FREE_TEXT)
        if bad is None:
            continue
        name = unicodedata.name(bad, "unnamed")
        spacing = unicodedata.category(bad) in ("Zs", "Zl", "Zp")
        fix = "type a normal space instead" if spacing else "delete it"
        msg = (
            f"contains the invisible character U+{ord(bad):04X} ({name}), which looks like "
            f"nothing or a space but is not one; {fix} (retype the value rather than paste it)"
        )
        problems.append(_cell_problem(where, row, column, msg))
    return problems


_ROW_CHECKS: tuple[Callable[[str, _Row, set[str]], _Problems], ...] = (
    _check_control_characters,
    _check_invisible_characters,
    _check_replacement_character,
    _check_required,
    _check_event_id,
    _check_date,
    _check_time,
    _check_tz,
    _check_choices,
    _check_day_basis_matches_time,
    _check_local_time_exists,
    _check_polymarket,
    _check_sources,
)


# --------------------------------------------------------------------------------------------
# helpers and the frame
# --------------------------------------------------------------------------------------------


def _checks_for(text: str) -> list[Callable[[str, _Row, set[str]], _Problems]]:
    """The row checks worth running.

    The character checks only when the whole text (screened once, in C) has such a character
    somewhere.
    """
    skip = set()
    if _CONTROL.search(text) is None:
        skip.add(_check_control_characters)
    if _REPLACEMENT not in text:
        skip.add(_check_replacement_character)
    if text.isascii() or (_INVISIBLE.search(text) is None and _BIDI.search(text) is None):
        skip.add(_check_invisible_characters)
    return [check for check in _ROW_CHECKS if check not in skip]


def _replace_value(problem: CatalogProblem, value: str) -> CatalogProblem:
    return replace(problem, value=value)


@functools.lru_cache(maxsize=4096)
def _norm_choice(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _zones_by_lower() -> dict[str, str]:
    return {z.lower(): z for z in _zones()}


def _zone_name(value: str) -> str | None:
    value = value.strip()
    return value if value in _zones() else _zones_by_lower().get(value.lower())


def _words(value: str) -> list[str]:
    """``value`` split at ASCII spaces, tabs and line breaks only.

    A no-break space or other Unicode space stays inside a word, where the checks see it
    (``str.split`` would split there silently).
    """
    return [w for w in _ASCII_SPACE.split(value) if w]


_OTHER_SPACE = re.compile(r"[^\S \t\r\n]")
"""Characters at which ``str.split`` splits and :func:`_words` does not (e.g. U+00A0)."""


def _words_of_each(values: list[str]) -> list[list[str]]:
    """:func:`_words` of every value; ``str.split`` (C speed) where it splits the same."""
    if _OTHER_SPACE.search("".join(values)) is None:
        return [v.split() for v in values]
    return [_words(v) for v in values]


def _norm_time(value: str) -> str:
    parsed = _parse_time(value)
    return f"{parsed[0]:02d}:{parsed[1]:02d}" if parsed else value


def _norm_date(value: str) -> str:
    parsed = _parse_date(value)
    return parsed.isoformat() if parsed else value


def _local_moment(row: _Row) -> datetime | None:
    """``date time`` in ``tz`` with fold=0, or None when any part is blank or invalid."""
    d, t, z = (row.cells.get(c, "") for c in ("date", "time", "tz"))
    zone = _zone_name(z) if z else None
    day = _parse_date(d) if d else None
    clock = _parse_time(t) if t else None
    if day is None or clock is None or zone is None:
        return None
    return datetime.combine(day, time(*clock), tzinfo=ZoneInfo(zone))


def _utc_moment(day: str, clock: str, zone: str) -> datetime:
    """``day`` (ISO) at ``clock`` (HH:MM) in ``zone``, fold=0, in UTC."""
    local = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _mapped(column: pd.Series, fn: Callable[[str], Any]) -> pd.Series:
    """``fn`` applied once per distinct value (catalog columns repeat a few values)."""
    return column.map({value: fn(value) for value in pd.unique(column)})


def _utc_moments(day: np.ndarray, clock: np.ndarray, zone: np.ndarray) -> pd.Series:
    """:func:`_utc_moment` of every (day, clock, zone), vectorised per time zone.

    Wall-clock times a DST change makes ambiguous or skipped are rare; they are computed one
    by one with ``zoneinfo`` (fold=0).
    """
    stamps = pd.Series(day, dtype=object) + " " + pd.Series(clock, dtype=object)
    local = pd.to_datetime(stamps, format="%Y-%m-%d %H:%M").dt.as_unit("us")
    out = pd.Series(pd.NaT, index=local.index, dtype="datetime64[us, UTC]")
    for name in pd.unique(zone):
        at = zone == name
        stamped = local[at].dt.tz_localize(name, ambiguous="NaT", nonexistent="NaT")
        out[at] = stamped.dt.tz_convert("UTC")
    for i in np.flatnonzero(out.isna().to_numpy()):
        out.iloc[i] = pd.Timestamp(_utc_moment(day[i], clock[i], zone[i]))
    return out


def _event_times(frame: pd.DataFrame) -> pd.Series:
    """``event_time`` of every row (module docstring), computed once per distinct moment."""
    basis = frame["day_basis"].to_numpy(dtype=object)
    clock = np.where(
        basis == DAY_BASIS_TIME,
        frame["time"].to_numpy(dtype=object),
        np.where(basis == DAY_BASIS_BEFORE_CUTOFFS, "00:00", US_CLOSE_TIME.strftime("%H:%M")),
    ).astype(object)
    zone = np.where(basis == DAY_BASIS_AFTER_US_CLOSE, US_CLOSE_TZ, frame["tz"].to_numpy())
    keys = frame["date"].to_numpy(dtype=object) + " " + clock + " " + zone.astype(object)
    codes, distinct = pd.factorize(keys)
    parts = np.array([k.split(" ") for k in distinct], dtype=object).reshape(-1, 3)
    moments = _utc_moments(parts[:, 0], parts[:, 1], parts[:, 2])
    return pd.Series(moments.array.take(codes), index=frame.index)


def _to_frame(cells: pd.DataFrame) -> pd.DataFrame:
    """The catalog frame (see :func:`load_events`) from the checked cells."""
    frame = pd.DataFrame({c: cells[c].astype("str") for c in COLUMNS})
    for column in _CHOICES:
        frame[column] = _mapped(frame[column], _norm_choice)
    frame["tz"] = _mapped(frame["tz"], lambda v: _zone_name(v) or v)
    frame["time"] = _mapped(frame["time"], _norm_time)
    frame["date"] = _mapped(frame["date"], _norm_date)
    frame = frame.astype("str")
    frame["event_time"] = _event_times(frame)
    frame["time_known"] = (frame["time"] != "").astype(bool)
    frame["polymarket_slugs"] = pd.Series(
        _words_of_each(frame["polymarket"].tolist()), index=frame.index, dtype=object
    )
    return frame
