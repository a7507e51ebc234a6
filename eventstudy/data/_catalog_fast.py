"""A fast path for large catalogs: pandas' C reader and a screen of every column at once.

Only the rows the screen cannot clear are handed to the exact checks of
:mod:`eventstudy.data.catalog`.

The screen is conservative: a row it clears would get no problem from the exact checks (the
property tests compare both paths). Whenever the file is not plainly regular (not UTF-8, an
unknown or missing column, a row with too few or too many fields, a blank row or line,
control characters), :func:`read_fast` returns None and the exact reader reads the whole
file, so every message, line and column is the exact reader's.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable, Collection
from functools import partial

import numpy as np
import pandas as pd

from eventstudy.data import catalog as cat

_NOT_SPECIAL = bytes(b for b in range(256) if not ((b < 32 and b != 9) or b in (44, 127)))
"""Every byte but controls (line breaks included) and the comma."""
_ASCII = bytes(range(128))
_ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_HHMM = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_SLUGS = r"{0}(?:[ \t\r\n]+{0})*".format(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_URLS = rf"{cat._PLAIN_URL.pattern}(?:[ \t\r\n]+{cat._PLAIN_URL.pattern})*"


def _suspicious(ch: str) -> bool:
    """Characters whose cells the exact checks must see.

    C1 controls, invisible characters, direction controls, and the letters of both kinds of
    mojibake.
    """
    return bool(
        cat._CONTROL.match(ch)
        or cat._INVISIBLE.match(ch)
        or cat._BIDI.match(ch)
        or cat._CP932_LEAD.match(ch)
        or "\u0080" <= ch <= "\u00ff"
        or ch in "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u20ac\u2122"
        or "\u2013" <= ch <= "\u203a"
    )


def _breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _parse(body: bytes) -> pd.DataFrame | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a ParserWarning means a row was cut: not regular
            frame = pd.read_csv(
                io.BytesIO(body),
                dtype=object,
                keep_default_na=False,
                na_values=[],
                encoding="utf-8",
                engine="c",
            )
    except (ValueError, UnicodeDecodeError, csv.Error, pd.errors.ParserError, Warning):
        return None
    if not isinstance(frame.index, pd.RangeIndex) or frame.empty:
        return None  # a first row with an extra field became an index
    return frame


def _regular(specials: bytes, raw: pd.DataFrame, header: list[str]) -> bool:
    """Every record has exactly the header's fields and no line is blank.

    pandas pads a short row silently, so the commas are counted: the file holds one comma per
    field boundary of every record plus those inside the values. The line breaks are counted
    the same way, which rules out blank lines (and so keeps line numbers exact). ``specials``
    is the file's bytes reduced to commas and line-break bytes.
    """
    values = ["\x1f".join(raw[c].tolist()) for c in raw.columns]
    n_fields = len(header)
    commas = sum(v.count(",") for v in values) + sum(h.count(",") for h in header)
    if specials.count(b",") != (len(raw) + 1) * (n_fields - 1) + commas:
        return False
    inside = sum(_breaks(v) for v in values) + sum(_breaks(h) for h in header)
    breaks = specials.count(b"\n") + specials.count(b"\r") - specials.count(b"\r\n")
    records = len(raw) + 1
    if breaks - inside not in (records, records - 1):
        return False
    return True


def _has_blank_row(cells: dict[str, list[str]]) -> bool:
    """A row of empty cells (spreadsheets write them; the exact reader knows what they mean).

    Such a row has no ``event_id``, so only those rows are looked at.
    """
    ids = cells["event_id"]
    return any(all(not cells[c][i] for c in cat.COLUMNS) for i, v in enumerate(ids) if not v)


def _row_breaks(cells: pd.DataFrame, order: list[str]) -> np.ndarray:
    """Line breaks inside each row's values; a column without any is skipped at C speed."""
    breaks = np.zeros(len(cells), dtype="int64")
    for c in order:
        values = cells[c].tolist()
        joined = "\x1f".join(values)
        if "\n" in joined or "\r" in joined:
            breaks += np.fromiter(map(_breaks, values), dtype="int64", count=len(values))
    return breaks


def _choice_ok(value: str, accepted: Collection[str]) -> bool:
    return value == "" or cat._norm_choice(value) in accepted


def _each(values: list[str], test: Callable[[str], object]) -> np.ndarray:
    """``test`` of every value, computed once per distinct value."""
    seen = {v: bool(test(v)) for v in set(values)}
    return np.fromiter(map(seen.__getitem__, values), dtype=bool, count=len(values))


def _matches(pattern: re.Pattern[str], values: list[str]) -> np.ndarray:
    return np.fromiter(map(bool, map(pattern.fullmatch, values)), dtype=bool, count=len(values))


_EVENT_ID_OK = re.compile(cat._EVENT_ID.pattern)
_HHMM_OK = re.compile(_HHMM)
_SLUGS_OK = re.compile(_SLUGS)
_URLS_OK = re.compile(_URLS)


def _date_ok(value: str) -> bool:
    return cat._parse_date(value) is not None


def _time_ok(value: str) -> bool:
    return value == "" or _HHMM_OK.fullmatch(cat._norm_time(value)) is not None


def _links_ok(value: str) -> bool:
    if value == "":
        return True
    return _SLUGS_OK.fullmatch(value) is not None and all(
        len(w) <= cat.MAX_SLUG_LENGTH for w in cat._words(value)
    )


def _flag(cells: dict[str, list[str]], suspicious: set[str]) -> np.ndarray:
    """Rows the screen cannot clear."""
    n = len(cells["event_id"])
    bad = np.zeros(n, dtype=bool)
    for c in cat.REQUIRED_COLUMNS:
        bad |= np.asarray(cells[c], dtype=object) == ""
    eid = cells["event_id"]
    bad |= ~_matches(_EVENT_ID_OK, eid)
    bad |= np.fromiter(map(len, eid), dtype="int64", count=n) > cat.MAX_EVENT_ID_LENGTH
    bad |= pd.Series(eid).duplicated(keep=False).to_numpy()
    bad |= ~_each(cells["date"], _date_ok)
    bad |= ~_each(cells["time"], _time_ok)
    bad |= _each(cells["tz"], lambda v: cat._zone_name(v) is None)
    for column, accepted in cat._CHOICES.items():
        bad |= ~_each(cells[column], partial(_choice_ok, accepted=accepted))
    is_time_basis = _each(cells["day_basis"], lambda v: cat._norm_choice(v) == "time")
    bad |= is_time_basis != (np.asarray(cells["time"], dtype=object) != "")
    bad |= ~_each(cells["polymarket"], _links_ok)
    sources = cells["sources"]
    bad |= ~(_matches(_URLS_OK, sources) | (np.asarray(sources, dtype=object) == ""))
    bad |= _nonexistent_local_times(cells, is_time_basis & ~bad)
    if suspicious:
        screen = re.compile("[" + "".join(re.escape(ch) for ch in sorted(suspicious)) + "]")
        for values in cells.values():
            bad |= np.fromiter(map(bool, map(screen.search, values)), dtype=bool, count=n)
    return bad


def _nonexistent_local_times(cells: dict[str, list[str]], timed: np.ndarray) -> np.ndarray:
    """Rows with a wall-clock time that a DST change skips or repeats.

    Looked for among ``timed`` (rows whose parts are valid); the exact check decides about
    them. Each distinct (date, time, zone) is localised once, vectorised per zone.
    """
    bad = np.zeros(len(timed), dtype=bool)
    idx = np.flatnonzero(timed)
    if not len(idx):
        return bad
    keys = [(cells["date"][i], cells["time"][i], cells["tz"][i]) for i in idx]
    distinct = list(set(keys))
    day = pd.Series([cat._norm_date(d) for d, _, _ in distinct], dtype=object)
    clock = pd.Series([cat._norm_time(t) for _, t, _ in distinct], dtype=object)
    zone = np.array([cat._zone_name(z) for _, _, z in distinct], dtype=object)
    local = pd.to_datetime(day + " " + clock, format="%Y-%m-%d %H:%M")
    unsure = np.zeros(len(distinct), dtype=bool)
    for name in pd.unique(zone):
        at = zone == name
        stamped = local[at].dt.tz_localize(name, ambiguous="NaT", nonexistent="NaT")
        unsure[at] = stamped.isna().to_numpy()
    if unsure.any():
        doubtful = {k for k, u in zip(distinct, unsure, strict=True) if u}
        bad[idx] = [k in doubtful for k in keys]
    return bad


def _rows(
    cells: dict[str, list[str]], raw: pd.DataFrame, order: list[str], at: np.ndarray
) -> list[cat._Row]:
    """Exact-checker rows (with each cell's line) for the row positions ``at``."""
    breaks = _row_breaks(raw, order)
    starts = 2 + np.concatenate([[0], np.cumsum(1 + breaks)[:-1]])
    raw_values = {name: raw[name].to_numpy() for name in order}
    cell_values = cells
    rows = []
    for i in at:
        line = int(starts[i])
        values, lines = {}, {}
        for name in order:
            values[name] = str(cell_values[name][i])
            lines[name] = line
            line += _breaks(str(raw_values[name][i]))
        rows.append(cat._Row(int(starts[i]), values, lines))
    return rows


def read_fast(where: str, raw: bytes) -> tuple[list, pd.DataFrame] | None:
    """``(problems, cells)`` as :func:`eventstudy.data.catalog._read` returns them.

    None when the file needs the exact reader from the start (see the module docstring).
    """
    screened = _screen_bytes(raw)
    if screened is None:
        return None
    body, specials, wide = screened
    suspicious = {ch for ch in set(wide) if _suspicious(ch)}
    parsed = _parse(body)
    if parsed is None:
        return None
    header = [str(c) for c in parsed.columns]
    columns = [cat._norm_choice(c) for c in header]
    if sorted(columns) != sorted(cat.COLUMNS) or cat._other_separator(header) is not None:
        return None
    if not _regular(specials, parsed, header):
        return None
    raw_cells = parsed.set_axis(columns, axis=1)
    cells = {c: list(map(str.strip, raw_cells[c].tolist())) for c in cat.COLUMNS}
    if _has_blank_row(cells):
        return None
    flagged = np.flatnonzero(_flag(cells, suspicious))
    frame = pd.DataFrame(cells, dtype="str")
    if not len(flagged):
        return [], frame
    return _flagged_problems(where, cells, raw_cells, columns, flagged), frame


def _screen_bytes(raw: bytes) -> tuple[bytes, bytes, str] | None:
    """The file's bytes split for the screen, or None when the exact reader must read them.

    Returns
    -------
    tuple of (bytes, bytes, str) or None
        The body (a UTF-8 byte-order mark left out), its special bytes (controls, line breaks
        included, and commas: what :data:`_NOT_SPECIAL` does not delete) and its non-ASCII
        text. None for UTF-16, for control characters (the exact reader names them), for
        bytes that are not UTF-8 and for U+FFFD.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    specials = body.translate(None, _NOT_SPECIAL)
    if specials.translate(None, b",\r\n"):  # control characters: the exact reader names them
        return None
    try:
        wide = body.translate(None, _ASCII).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if cat._REPLACEMENT in wide:  # lost characters: the exact reader counts them
        return None
    return body, specials, wide


def _flagged_problems(
    where: str,
    cells: dict[str, list[str]],
    raw_cells: pd.DataFrame,
    columns: list[str],
    flagged: np.ndarray,
) -> list:
    """The exact checks' problems of the ``flagged`` rows, sorted as the exact reader sorts."""
    rows = _rows(cells, raw_cells, columns, flagged)
    known = set(columns)
    problems = []
    for row in rows:
        for check in cat._ROW_CHECKS:
            problems += check(where, row, known)
    problems += cat._check_duplicate_ids(where, rows)
    text = "\n".join("\x1f".join(r.cells.values()) for r in rows)
    problems += cat._check_mojibake(where, rows, text)
    return cat.sort_problems(problems, cat.COLUMNS)
