"""The fast catalog screen against the exact per-cell checks, on adversarial text.

The screen (``eventstudy.data._catalog_fast``) clears whole columns at once and hands only
the rows it cannot clear to the exact checks; whatever it is given, its problems (messages,
lines, columns, order) and cells must be the exact reader's. The values mix what analysts,
Excel and wrong encodings put in cells: full-width digits, NBSP and NEL, zero-width and
direction characters, U+FFFD, mojibake of both kinds, CP932 bytes, bare CR, a byte-order
mark, quotes, commas and line breaks, very long fields, Excel's dates and times.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _catalogs import BASE, csv_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.data import _catalog_fast, catalog

FRAGMENTS = [
    "２０２５", "１２：００", "\u00a0", "\x85", "\u200b", "\u202e", "\u2067", "\ufeff", "\u3000",
    "\u2003", "\ufffd", "繧､繝ｩ繝ｳ", "縺", "鬥", "ã‚¤ãƒ©ãƒ³", "Ã©", "Ã", "é", "é–", "—", "‘q’",
    "“q”", "€", "™", "日本", "サンプル", '"', ",", "\n", "\r\n", "\r", " ", "\t", "x" * 3000,
    "2025/2/18", "2025-02-18", "9:05:00 AM", "12:00 pm", "02:30", "01:30", "a-b c-d",
    "https://a.b/c", "https://a.b./c", "http://[::1", "Middle East", " Up ", "europe/london",
    "no_time_assume_before_cutoffs", "time", "",
]  # fmt: skip
"""Pieces of text the checks treat specially, combined into cells by the strategy."""

RAW_BYTES = [b"\x82\xa0", b"\x93\xfa\x96\x7b", b"\xff", b"\r", b"\x00", b"\xef\xbb\xbf"]
"""Bytes spliced into the file itself: CP932 text, invalid UTF-8, a bare CR, NUL, a BOM."""


def _examples(default: int) -> int:
    return int(os.environ.get("EVENTSTUDY_FUZZ_EXAMPLES", default))


@st.composite
def cells(draw) -> str:
    parts = draw(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=3))
    return "".join(parts)


@st.composite
def catalogs(draw) -> bytes:
    rows = []
    for i in range(draw(st.integers(1, 5))):
        row = {**BASE, "event_id": f"event_{i}"}
        for column in draw(st.sets(st.sampled_from(catalog.COLUMNS), max_size=3)):
            base = "" if draw(st.booleans()) else row[column]
            row[column] = base + draw(cells())
        rows.append(row)
    raw = csv_text(rows).encode("utf-8")
    if draw(st.booleans()):
        raw = raw.replace(b"\n", b"\r\n")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from(RAW_BYTES)) + raw[at:]
    if draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    return raw


def _exact(where: str, raw: bytes) -> tuple[list, pd.DataFrame]:
    problems, rows = catalog._read_rows(where, raw)
    frame = pd.DataFrame({c: [r.cells.get(c, "") for r in rows] for c in catalog.COLUMNS})
    return problems, frame.astype("str")


def _assert_same(raw: bytes, where: str = "events.csv") -> bool:
    """The fast path gives the exact reader's problems and cells; False if it declined."""
    fast = _catalog_fast.read_fast(where, raw)
    if fast is None:
        return False
    problems, cells_ = _exact(where, raw)
    assert fast[0] == problems
    if not problems:
        pd.testing.assert_frame_equal(fast[1].astype("str"), cells_, check_dtype=False)
    return True


@settings(max_examples=_examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=catalogs())
def test_fast_screen_gives_the_exact_checks_problems(raw: bytes) -> None:
    _assert_same(raw)


@pytest.mark.parametrize("fragment", FRAGMENTS)
@pytest.mark.parametrize("column", catalog.COLUMNS)
def test_each_fragment_in_each_column(fragment: str, column: str) -> None:
    """Every fragment in every column, alone and after the valid value, on a catalog of
    valid rows: the fast path reads it (unless its structure needs the exact reader) and
    reports what the exact checks report."""
    rows = [{**BASE, "event_id": f"event_{i}"} for i in range(3)]
    rows[1][column] = fragment
    rows[2][column] = BASE[column] + fragment
    raw = csv_text(rows).encode("utf-8")
    taken = _assert_same(raw)
    # Lost characters and a bare CR (a row cut short) need the exact reader from the start.
    assert taken or "\ufffd" in fragment or fragment == "\r"


def test_fast_path_reads_the_shipped_catalog_with_a_bom(repo_root: Path) -> None:
    raw = (repo_root / "events.csv").read_bytes()
    for candidate in (raw, b"\xef\xbb\xbf" + raw.removeprefix(b"\xef\xbb\xbf")):
        assert _assert_same(candidate)


@settings(max_examples=_examples(200), deadline=None)
@given(values=st.lists(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5)), max_size=8))
def test_words_of_each_is_words_of_every_value(values: list[list[str]]) -> None:
    texts = ["".join(v) for v in values]
    assert catalog._words_of_each(texts) == [catalog._words(t) for t in texts]


@settings(max_examples=_examples(100), deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.dates(
                min_value=pd.Timestamp("2000-01-01").date(),
                max_value=pd.Timestamp("2027-12-31").date(),
            ),
            st.sampled_from(["00:00", "01:30", "02:30", "12:00", "23:59", ""]),
            st.sampled_from(
                ["America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Lord_Howe"]
            ),
            st.sampled_from(catalog.DAY_BASES),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_event_times_once_per_distinct_moment_match_zoneinfo(rows) -> None:
    frame = pd.DataFrame(
        {
            "date": [d.isoformat() for d, *_ in rows],
            "time": [t if b == catalog.DAY_BASIS_TIME else "" for _, t, _, b in rows],
            "tz": [z for *_, z, _ in rows],
            "day_basis": [b for *_, b in rows],
        },
        dtype="str",
    )
    frame.loc[(frame["day_basis"] == catalog.DAY_BASIS_TIME) & (frame["time"] == ""), "time"] = (
        "12:00"
    )
    got = catalog._event_times(frame)
    for i, values in enumerate(frame.to_dict("records")):
        basis = values["day_basis"]
        if basis == catalog.DAY_BASIS_TIME:
            clock, zone = values["time"], values["tz"]
        elif basis == catalog.DAY_BASIS_BEFORE_CUTOFFS:
            clock, zone = "00:00", values["tz"]
        else:
            clock, zone = "16:00", catalog.US_CLOSE_TZ
        assert got.iloc[i] == pd.Timestamp(catalog._utc_moment(values["date"], clock, zone))
    assert str(got.dtype) == "datetime64[us, UTC]"
    assert np.all(got.index == frame.index)


def test_an_unparsable_url_in_polymarket_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(csv_text([{**BASE, "polymarket": "http://[::1"}]), encoding="utf-8")
    (problem,) = catalog.check_events(path)
    assert problem.column == "polymarket" and problem.value == "http://[::1"
    assert problem.message.endswith("; put only the slug, not the URL")


@settings(max_examples=_examples(300), deadline=None)
@given(ids=st.lists(st.text(alphabet="ab_1Z\x1f.é ", max_size=5), min_size=1, max_size=4))
def test_all_snake_case_at_once_is_each_id_matched(ids: list[str]) -> None:
    expected = all(catalog._EVENT_ID.fullmatch(v) for v in ids)
    assert _catalog_fast._all_snake_case(ids) == expected
    assert list(_catalog_fast._ids_ok(ids)) == [
        catalog._EVENT_ID.fullmatch(v) is not None and len(v) <= catalog.MAX_EVENT_ID_LENGTH
        for v in ids
    ]


@settings(max_examples=_examples(200), deadline=None)
@given(rows=st.lists(st.tuples(*[st.sampled_from(["a", "b", "", "c"])] * 3), min_size=1))
def test_distinct_rows_index_the_rows(rows: list[tuple[str, str, str]]) -> None:
    columns = [np.array(c, dtype=object) for c in zip(*rows, strict=True)]
    key, distinct = _catalog_fast._distinct_rows(columns)
    table = list(zip(*distinct, strict=True))
    assert len(set(table)) == len(table) == len(set(rows))
    assert [table[k] for k in key] == rows


def test_a_second_byte_order_mark_is_the_exact_readers(repo_root: Path) -> None:
    """pandas drops a mark at the start of what it reads: after the first, one more is part
    of the first column's name, which only the exact reader reports."""
    raw = b"\xef\xbb\xbf" + (repo_root / "events.csv").read_bytes()
    assert _catalog_fast.read_fast("events.csv", raw) is None
    problems, _ = _exact("events.csv", raw)
    assert [p.column for p in problems] == ["\ufeffevent_id", "event_id"]


def _csv_reads_strictly(raw: bytes) -> bool:
    """The reference: ``csv``'s strict reader reads ``raw`` (UTF-8) without an error."""
    try:
        for _ in csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), strict=True):
            pass
    except csv.Error:
        return False
    return True


QUOTING = [
    b"", b'"', b'""', b'"""', b'""""', b'"a"', b'"a"b', b'"a" ,b', b'a"b', b'a"b"', b'a,"b"',
    b'a,"b', b'a,"b""', b'a,"b"""', b'"a""b"', b'"a\nb",c', b'"a"\r\nb', b'"a"\rb', b'x"\n"y"',
    b'"NATO Brussels" summit', b'"""NATO Brussels"" summit"', b'a,b"c,"d"', b'a"b,"c',
    b'"a,""b",c\n', b'\n"a"', b'\r"a"\r', b'"\xc3\xa9",\xe6\x97\xa5"',
]  # fmt: skip
"""Quoting as analysts get it wrong and right: a value going on after its closing quote,
unclosed quotes, doubled quotes, quotes inside unquoted values, every kind of line break."""


@pytest.mark.parametrize("raw", QUOTING)
def test_strict_quoting_is_csvs(raw: bytes) -> None:
    assert _catalog_fast._strictly_quoted(raw) is _csv_reads_strictly(raw)


@settings(max_examples=_examples(500), deadline=None)
@given(parts=st.lists(st.sampled_from(['"', '""', ",", "\n", "\r", "\r\n", "a", "é", " "])))
def test_strict_quoting_is_csvs_on_any_text(parts: list[str]) -> None:
    raw = "".join(parts).encode("utf-8")
    assert _catalog_fast._strictly_quoted(raw) is _csv_reads_strictly(raw)


@settings(max_examples=_examples(300), deadline=None)
@given(
    parts=st.lists(st.sampled_from(['"', ",", "\n", "\r\n", "ab", "日本"])), limit=st.integers(1, 6)
)
def test_strict_quoting_never_clears_a_value_longer_than_csvs_limit(parts, limit) -> None:
    # Conservative on lengths: what it clears, csv reads; what csv rejects, it rejects.
    raw = "".join(parts).encode("utf-8")
    default = csv.field_size_limit(limit)
    try:
        if _catalog_fast._strictly_quoted(raw):
            assert _csv_reads_strictly(raw)
    finally:
        csv.field_size_limit(default)


def test_a_value_longer_than_the_limit_goes_to_the_exact_reader(tmp_path: Path) -> None:
    row = {**BASE, "event_id": "long", "description": "x" * (csv.field_size_limit() + 1)}
    path = tmp_path / "events.csv"
    path.write_bytes(csv_text([row]).encode("utf-8"))
    with pytest.raises(catalog.CatalogError, match="longer than"):
        catalog.load_events(path)


def _lines_row_by_row(raw: bytes, column: str) -> dict[str, int]:
    """The reference: each checked row's line of ``column`` (``_make_row``'s, cell by cell)."""
    _, rows, columns, _ = catalog._structure("events.csv", raw, catalog.EVENTS_TABLE)
    if columns is None or column not in columns or "event_id" not in columns:
        return {}
    return {row.cells["event_id"]: row.lines[column] for row in rows}


@settings(max_examples=_examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=catalogs(), column=st.sampled_from(catalog.COLUMNS))
def test_event_lines_are_the_rows_lines(raw: bytes, column: str, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("lines") / "events.csv"
    path.write_bytes(raw)
    assert catalog.event_lines(path, column) == _lines_row_by_row(raw, column)


def test_event_lines_count_a_cr_and_an_lf_in_two_cells_as_two_breaks(tmp_path: Path) -> None:
    # polymarket ends with CR and the next cell, description, starts with LF: two line breaks,
    # not one CRLF (sources, the cell after them, is two lines below the record's first).
    row = {**BASE, "event_id": "e", "polymarket": "MARKETS", "description": "DESCRIPTION"}
    text = csv_text([row]).replace("MARKETS", '"x\r"').replace("DESCRIPTION", '"\nb"')
    raw = text.encode("utf-8")
    (tmp_path / "events.csv").write_bytes(raw)
    lines = catalog.event_lines(tmp_path / "events.csv", "sources")
    assert lines == _lines_row_by_row(raw, "sources") == {"e": 4}


def test_event_lines_of_a_column_named_twice_are_the_last_ones(tmp_path: Path) -> None:
    # As a row's cells keep it (the header's problem is reported by the checks).
    lines = ["event_id,polymarket,title,polymarket", 'e1,"a\nb",t,zz']
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    path = tmp_path / "events.csv"
    path.write_bytes(raw)
    assert catalog.event_lines(path, "polymarket") == _lines_row_by_row(raw, "polymarket")
    assert catalog.event_lines(path, "polymarket") == {"e1": 3}  # the second, after "a\nb"


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 24])
def test_longest_line_in_chunks(chunk: int, monkeypatch) -> None:
    monkeypatch.setattr(_catalog_fast, "_LINE_CHUNK", chunk)
    for raw in [b"", b"a", b"ab\r\nc", b"\r\r\n", b"abc\r", b"a\rbcd\nef", b"xy\n" * 5 + b"z" * 9]:
        expected = max(map(len, raw.splitlines()), default=0)
        assert _catalog_fast._longest_line(raw) == expected, raw
