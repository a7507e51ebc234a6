"""A fast path for large catalogs: pandas' C reader and a screen of every column at once.

Only the rows the screen cannot clear are handed to the exact checks of
:mod:`eventstudy.data.catalog`.

The screen is conservative: a row it clears would get no problem from the exact checks (the
property tests compare both paths). Whenever the file is not plainly regular (not UTF-8, an
unknown or missing column, a row with too few or too many fields, a blank row or line,
control characters), :func:`read_fast` returns None and the exact reader reads the whole
file, so every message, line and column is the exact reader's.

The screen works on whole columns: each per-value check runs once per distinct value, the
character checks skip a column that is all ASCII, and in free text only the characters that
can give a problem (controls, direction controls, mojibake) flag a cell.
"""

from __future__ import annotations

import csv
import io
import operator
import re
import warnings
from collections.abc import Callable, Collection, Sequence
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


_MARKS = re.compile(
    "[" + cat._CONTROL.pattern[1:-1] + cat._BIDI.pattern[1:-1] + cat._CP932_LEAD.pattern[1:-1] + "]"
)
"""Single characters that give a free-text cell a problem: C1 controls, direction controls and
the kanji a UTF-8 lead byte becomes when read as CP932."""


def _free_text_screen(wide: str, texts: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern found in every free-text cell that the exact checks report, or None.

    Free text (titles, descriptions) is checked only for control and direction characters
    and for mojibake (:func:`eventstudy.data.catalog._mojibake_repair`, which needs one of
    :data:`_MARKS` or a Latin mojibake pair). ``wide`` is the file's non-ASCII text: every
    pair of the text is a pair of ``wide`` too (with some that are not, where ASCII stood
    between), so the pairs looked for are those of ``wide`` that one of ``texts`` (the free
    text) holds. None when there is nothing to look for.
    """
    marks = sorted(set(_MARKS.findall(wide)))
    parts = ["[" + "".join(re.escape(ch) for ch in marks) + "]"] if marks else []
    pairs = set(cat._LATIN_MOJIBAKE.findall(wide))
    parts += [re.escape(p) for p in sorted(pairs) if any(p in text for text in texts)]
    return re.compile("|".join(parts)) if parts else None


def _breaks(text: str) -> int:
    if "\n" not in text and "\r" not in text:
        return 0
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _parse(raw: bytes, start: int) -> pd.DataFrame | None:
    """The records of ``raw`` from byte ``start`` on, or None when pandas finds them irregular."""
    handle = io.BytesIO(raw)  # shares the bytes (no copy of a large file)
    handle.seek(start)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a ParserWarning means a row was cut: not regular
            frame = pd.read_csv(
                handle,
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


def _regular(specials: bytes, joined: Sequence[str], n_rows: int, header: list[str]) -> bool:
    """Every record has exactly the header's fields and no line is blank.

    pandas pads a short row silently, so the commas are counted: the file holds one comma per
    field boundary of every record plus those inside the values. The line breaks are counted
    the same way, which rules out blank lines (and so keeps line numbers exact). ``specials``
    is the file's bytes reduced to commas and line-break bytes; ``joined`` holds each
    column's values joined by U+001F (which the file cannot hold), ``n_rows`` is the number of
    records after the header.
    """
    n_fields = len(header)
    commas = sum(v.count(",") for v in joined) + sum(h.count(",") for h in header)
    if specials.count(b",") != (n_rows + 1) * (n_fields - 1) + commas:
        return False
    inside = sum(_breaks(v) for v in joined) + sum(_breaks(h) for h in header)
    breaks = specials.count(b"\n") + specials.count(b"\r") - specials.count(b"\r\n")
    records = n_rows + 1
    return breaks - inside in (records, records - 1)


def _has_blank_row(cells: dict[str, list[str]]) -> bool:
    """A row of empty cells (spreadsheets write them; the exact reader knows what they mean).

    Such a row has no ``event_id``, so only those rows are looked at.
    """
    ids = cells["event_id"]
    return any(all(not cells[c][i] for c in cat.COLUMNS) for i, v in enumerate(ids) if not v)


def _row_breaks(raw: dict[str, list[str]], joined: dict[str, str]) -> np.ndarray:
    """Line breaks inside each row's values; a column without any is skipped at C speed."""
    breaks = np.zeros(len(next(iter(raw.values()))), dtype="int64")
    for c, values in raw.items():
        if _breaks(joined[c]):
            breaks += np.fromiter(map(_breaks, values), dtype="int64", count=len(values))
    return breaks


def _choice_ok(value: str, accepted: Collection[str]) -> bool:
    return value == "" or cat._norm_choice(value) in accepted


def _each(values: list[str], test: Callable[[str], object]) -> np.ndarray:
    """``test`` of every value, computed once per distinct value."""
    seen = {v: bool(test(v)) for v in set(values)}
    if all(seen.values()):
        return np.ones(len(values), dtype=bool)
    return np.fromiter(map(seen.__getitem__, values), dtype=bool, count=len(values))


def _matches(pattern: re.Pattern[str], values: list[str]) -> np.ndarray:
    return np.fromiter(map(bool, map(pattern.fullmatch, values)), dtype=bool, count=len(values))


def _blank(values: list[str]) -> np.ndarray:
    if all(values):
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(map(operator.not_, values), dtype=bool, count=len(values))


def _ids_ok(ids: list[str]) -> np.ndarray:
    """Ids that are snake_case and not too long; all tested at once when all are snake_case."""
    ok = np.ones(len(ids), dtype=bool) if _all_snake_case(ids) else _matches(_EVENT_ID_OK, ids)
    if ids and max(map(len, ids)) > cat.MAX_EVENT_ID_LENGTH:
        ok &= np.fromiter(map(len, ids), dtype="int64", count=len(ids)) <= cat.MAX_EVENT_ID_LENGTH
    return ok


def _all_snake_case(ids: list[str]) -> bool:
    """True when every id matches ``catalog._EVENT_ID``, tested on all of them joined.

    Such an id is lowercase ASCII letters, digits and underscores, starts with a letter, has
    no two underscores in a row and does not end with one.
    """
    joined = "\x1f".join(ids)
    if not joined.isascii() or joined.encode("ascii").translate(None, _ID_BYTES):
        return False
    if "__" in joined or "_\x1f" in joined or joined.endswith("_"):
        return False
    if joined.count("\x1f") != len(ids) - 1:  # an id holding the separator itself
        return False
    firsts = "".join([v[:1] for v in ids])
    return len(firsts) == len(ids) and firsts.isalpha()


def _repeated(ids: list[str]) -> np.ndarray:
    """Every row whose id another row has too."""
    if len(set(ids)) == len(ids):
        return np.zeros(len(ids), dtype=bool)
    return pd.Series(ids, dtype=object).duplicated(keep=False).to_numpy()


_EVENT_ID_OK = re.compile(cat._EVENT_ID.pattern)
_ID_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789_\x1f"
"""The bytes of snake_case ids joined by U+001F."""
_HHMM_OK = re.compile(_HHMM)
_SLUGS_OK = re.compile(_SLUGS)
_URLS_OK = re.compile(_URLS)
_FREE_TEXT = ("title", "title_ja", "description")


def _zone_ok(value: str) -> bool:
    return cat._zone_name(value) is not None


def _date_ok(value: str) -> bool:
    return cat._parse_date(value) is not None


def _time_ok(value: str) -> bool:
    return value == "" or _HHMM_OK.fullmatch(cat._norm_time(value)) is not None


def _links_ok(value: str) -> bool:
    if value == "":
        return True
    if _SLUGS_OK.fullmatch(value) is None:
        return False
    words = cat._words(value)
    return (
        all(len(w) <= cat.MAX_SLUG_LENGTH for w in words)
        and len(words) <= cat.MAX_MARKET_LINKS
        and len(set(words)) == len(words)
    )


def _sources_ok(value: str) -> bool:
    """The exact ``sources`` check: plain URLs at C speed, any other word parsed."""
    if _URLS_OK.fullmatch(value) is not None:
        return True
    return all(cat._source_ok(w) for w in cat._words(value))


def _values_flag(cells: dict[str, list[str]]) -> np.ndarray:
    """Rows with a value that a per-value check (all but the character checks) rejects."""
    eid = cells["event_id"]
    n = len(eid)
    bad = np.zeros(n, dtype=bool)
    for c in cat.REQUIRED_COLUMNS:
        bad |= _blank(cells[c])
    bad |= ~_ids_ok(eid)
    bad |= _repeated(eid)
    bad |= ~_each(cells["date"], _date_ok)
    bad |= ~_each(cells["time"], _time_ok)
    bad |= ~_each(cells["tz"], _zone_ok)
    for column, accepted in cat._CHOICES.items():
        bad |= ~_each(cells[column], partial(_choice_ok, accepted=accepted))
    is_time_basis = _each(cells["day_basis"], lambda v: cat._norm_choice(v) == "time")
    bad |= is_time_basis == _blank(cells["time"])
    bad |= ~_each(cells["polymarket"], _links_ok)
    bad |= ~_each(cells["sources"], _sources_ok)
    bad |= _nonexistent_local_times(cells, is_time_basis & ~bad)
    return bad


def _characters_flag(cells: dict[str, list[str]], joined: dict[str, str], wide: str) -> np.ndarray:
    """Rows with a cell that the character checks (controls, invisible, mojibake) may report.

    A column that is all ASCII (``joined``: each column's values as read, joined) has none.
    Elsewhere, any non-ASCII character in a structured column (ids, dates, zones, choices,
    slugs, URLs) flags its row; in free text only what :func:`_free_text_screen` finds does.
    """
    n = len(cells["event_id"])
    bad = np.zeros(n, dtype=bool)
    ascii_columns = {c for c, text in joined.items() if text.isascii()}
    free = [joined[c] for c in _FREE_TEXT if c not in ascii_columns]
    screen = _free_text_screen(wide, free)
    for c, values in cells.items():
        if c in ascii_columns or (c in _FREE_TEXT and screen is None):
            continue
        wide_at = np.flatnonzero(
            ~np.fromiter(map(str.isascii, values), dtype=bool, count=len(values))
        )
        if c in _FREE_TEXT and screen is not None:
            wide_at = wide_at[[screen.search(values[i]) is not None for i in wide_at]]
        bad[wide_at] = True
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
    key, distinct = _distinct_rows([np.asarray(cells[c], dtype=object)[idx] for c in _MOMENT])
    day = pd.Series([cat._norm_date(d) for d in distinct[0]], dtype=object)
    clock = pd.Series([cat._norm_time(t) for t in distinct[1]], dtype=object)
    zone = np.array([cat._zone_name(z) for z in distinct[2]], dtype=object)
    local = pd.to_datetime(day + " " + clock, format="%Y-%m-%d %H:%M")
    unsure = np.zeros(len(zone), dtype=bool)
    for name in pd.unique(zone):
        at = zone == name
        stamped = local[at].dt.tz_localize(name, ambiguous="NaT", nonexistent="NaT")
        unsure[at] = stamped.isna().to_numpy()
    bad[idx] = unsure[key]
    return bad


_MOMENT = ("date", "time", "tz")


def _distinct_rows(columns: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct rows of equally long ``columns``, and where each row is among them.

    Returns
    -------
    (ndarray, list of ndarray)
        For each row, the index of its distinct row; the columns of the distinct rows.
    """
    codes, uniques = zip(*(pd.factorize(c) for c in columns), strict=True)
    combined = np.zeros(len(columns[0]), dtype="int64")
    for code, unique in zip(codes, uniques, strict=True):
        combined = combined * len(unique) + code
    _, first, key = np.unique(combined, return_index=True, return_inverse=True)
    return key.reshape(-1), [c[first] for c in columns]


def _rows(
    cells: dict[str, list[str]],
    raw: dict[str, list[str]],
    joined: dict[str, str],
    at: np.ndarray,
) -> list[cat._Row]:
    """Exact-checker rows (with each cell's line) for the row positions ``at``.

    ``raw`` holds the values as read, by normalised column in file order.
    """
    breaks = _row_breaks(raw, joined)
    starts = 2 + np.concatenate([[0], np.cumsum(1 + breaks)[:-1]])
    rows = []
    for i in at:
        line = int(starts[i])
        values, lines = {}, {}
        for name, column in raw.items():
            values[name] = cells[name][i]
            lines[name] = line
            line += _breaks(column[i])
        rows.append(cat._Row(int(starts[i]), values, lines))
    return rows


def read_fast(where: str, raw: bytes) -> tuple[list, pd.DataFrame] | None:
    """``(problems, cells)`` as :func:`eventstudy.data.catalog._read` returns them.

    None when the file needs the exact reader from the start (see the module docstring).
    """
    screened = _screen_bytes(raw)
    if screened is None:
        return None
    start, specials, wide = screened
    if not _strictly_quoted(raw[start:]):
        return None  # pandas' reader is lenient there; the exact reader names the line
    parsed = _parse(raw, start)
    if parsed is None:
        return None
    header = [str(c) for c in parsed.columns]
    columns = [cat._norm_choice(c) for c in header]
    if sorted(columns) != sorted(cat.COLUMNS) or cat._other_separator(header) is not None:
        return None
    values = {name: parsed[c].tolist() for name, c in zip(columns, parsed.columns, strict=True)}
    joined = {name: "\x1f".join(v) for name, v in values.items()}
    if not _regular(specials, list(joined.values()), len(parsed), header):
        return None
    cells = {c: list(map(str.strip, values[c])) for c in cat.COLUMNS}
    if _has_blank_row(cells):
        return None
    flags = _values_flag(cells) | _characters_flag(cells, joined, wide)
    flagged = np.flatnonzero(flags)
    frame = pd.DataFrame(cells, dtype=object)  # made str by _to_frame, if it is needed
    if not len(flagged):
        return [], frame
    rows = _rows(cells, values, joined, flagged)
    return _flagged_problems(where, rows), frame


_QUOTED_FIELD = re.compile(rb'"(?<![^,\r\n]")[^"]*(?:""[^"]*)*(?:"(?=[,\r\n]|\Z)|(?P<open>))')
"""A value in double quotes: a quote where a field starts (the text's start, after a comma or
a line break), its text (doubled quotes inside), and its closing quote where the field must
end (a comma, a line break, the end). ``open`` matches (empty) when it does not end there: the
text goes on after the closing quote, or the quote is never closed. A quote inside an unquoted
value is text (it starts no match), as ``csv`` reads it."""


def _strictly_quoted(raw: bytes) -> bool:
    """True when ``csv.reader(..., strict=True)`` reads the CSV bytes ``raw`` without an error.

    That is: every value in double quotes ends at its closing quote, every quote opened is
    closed (RFC 4180, as ``catalog._split_records`` reads it), and no value is longer than
    ``csv.field_size_limit()`` characters. Checked on the bytes (a quote, comma or line break
    is one byte in UTF-8, never part of another character's) by :data:`_QUOTED_FIELD`, which
    visits only the quotes: about 0.07 s for a 90 MB catalog of 100,000 rows, against 0.9 s
    for a pass of the ``csv`` reader. Conservative about lengths: a value in quotes whose
    bytes, or a line whose bytes, exceed the limit gives False (the exact reader then reads
    the file and reports what is wrong).
    """
    limit = csv.field_size_limit()
    for match in _QUOTED_FIELD.finditer(raw):
        if match.group("open") is not None or match.end() - match.start() - 2 > limit:
            return False
    return len(raw) <= limit or _longest_line(raw) <= limit


def _longest_line(raw: bytes) -> int:
    """Bytes of the longest line of ``raw`` (CR, LF and CRLF end lines; ends not counted).

    Read :data:`_LINE_CHUNK` bytes at a time, so the scan's arrays stay small.
    """
    codes = np.frombuffer(raw, dtype=np.uint8)
    longest, last_end = 0, -1
    for lo in range(0, codes.size, _LINE_CHUNK):
        part = codes[lo : lo + _LINE_CHUNK]
        ends = np.flatnonzero((part == 10) | (part == 13)) + lo
        if ends.size:
            gaps = np.diff(ends, prepend=last_end) - 1
            longest, last_end = max(longest, int(gaps.max())), int(ends[-1])
    return max(longest, codes.size - last_end - 1)


_LINE_CHUNK = 1 << 24
"""Bytes per step of :func:`_longest_line` (16 MiB)."""


def _screen_bytes(raw: bytes) -> tuple[int, bytes, str] | None:
    """The file's bytes split for the screen, or None when the exact reader must read them.

    Returns
    -------
    tuple of (int, bytes, str) or None
        Where the body starts (3 after a UTF-8 byte-order mark, else 0), the body's special
        bytes (controls, line breaks included, and commas: what :data:`_NOT_SPECIAL` does not
        delete) and its non-ASCII text. None for UTF-16, for control characters (the exact
        reader names them), for bytes that are not UTF-8, for U+FFFD and for a second
        byte-order mark (part of the first column's name to the exact reader).
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    if raw.startswith(b"\xef\xbb\xbf", start):  # a second mark: pandas would drop it too
        return None
    specials = raw.translate(None, _NOT_SPECIAL)  # the mark's bytes are not special
    if specials.translate(None, b",\r\n"):  # control characters: the exact reader names them
        return None
    try:
        wide = raw.translate(None, _ASCII).decode("utf-8")[1 if start else 0 :]
    except UnicodeDecodeError:
        return None
    if cat._REPLACEMENT in wide:  # lost characters: the exact reader counts them
        return None
    return start, specials, wide


def _flagged_problems(where: str, rows: list[cat._Row]) -> list:
    """The exact checks' problems of the flagged ``rows``, sorted as the exact reader sorts."""
    known = set(cat.COLUMNS)
    problems = []
    for row in rows:
        for check in cat._ROW_CHECKS:
            problems += check(where, row, known)
    problems += cat._check_duplicate_ids(where, rows)
    text = "\n".join("\x1f".join(r.cells.values()) for r in rows)
    problems += cat._check_mojibake(where, rows, text)
    return cat.sort_problems(problems, cat.COLUMNS)
