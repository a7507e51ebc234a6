"""Property tests of the events.csv reader (issue 16 item 11).

Any input ends in a list of catalog problems (each with its line and column, or a file-level
problem) or a valid frame: never another exception, never a partial result. The fast path for
large catalogs (``eventstudy.data._catalog_fast``) gives exactly what the exact reader gives.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from _catalogs import BASE, csv_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.data import _catalog_fast, catalog
from eventstudy.exceptions import CatalogError


def _examples(default: int) -> int:
    """Examples per property; ``EVENTSTUDY_FUZZ_EXAMPLES`` raises it for a longer search."""
    return int(os.environ.get("EVENTSTUDY_FUZZ_EXAMPLES", default))


# Values that each check finds interesting: valid, normalisable, Excel-ish, broken, hostile.
INTERESTING = {
    "event_id": ["a", "x_1", "Bad Id", "a" * 65, "dup", "é", "a\u200bb", ""],
    "date": ["2025-03-09", "2025/2/18", "２０２５-０２-１８", "2999-10-07", "0001-01-01",
             "2025-02-30", "18/02/2025", "2025-11-02", ""],
    "time": ["02:30", "01:30", "9:05:00 AM", "12:00 pm", "25:00", "9:05:30", "", "２:００"],
    "tz": ["America/New_York", "europe/london", "JST", "UTC+3", "Mars/Olympus", ""],
    "day_basis": ["time", "no_time_assume_before_cutoffs", "No Time Assume After US Close",
                  "guess", ""],
    "title": ["t", "Gold\x00", "a\u202eb", "ã‚¤ãƒ©ãƒ³", "x\u0085y", "$\\foo$", "=1+1", ""],
    "title_ja": ["サンプル", "繧､繝ｩ繝ｳ", "", "line\nbreak"],
    "category": ["nato", "Middle East", "energy", ""],
    "gold_direction": ["up", " Down", "sideways", ""],
    "polymarket": ["", "a-b c-d", "a-b\u00a0c-d", "https://polymarket.com/event/x", "a--b"],
    "sources": ["", "https://a.b/c d.e", "http://[::1", "ftp://x.y", "https://a.b/\u200bc"],
}  # fmt: skip


def _row(draw, i: int) -> dict[str, str]:
    row = {**BASE, "event_id": f"event_{i}"}
    for column, values in INTERESTING.items():
        if draw(st.booleans()):
            row[column] = draw(st.sampled_from(values))
    return row


@st.composite
def catalogs(draw) -> bytes:
    rows = [_row(draw, i) for i in range(draw(st.integers(1, 6)))]
    text = csv_text(rows)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    raw = text.encode("utf-8")
    if draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    return raw


def _exact(path: Path) -> tuple[list, pd.DataFrame]:
    problems, rows = catalog._read_rows(str(path), path.read_bytes())
    cells = pd.DataFrame({c: [r.cells.get(c, "") for r in rows] for c in catalog.COLUMNS})
    return problems, cells.astype("str")


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("catalog-properties")


@settings(max_examples=_examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=catalogs())
def test_fast_path_gives_what_the_exact_reader_gives(work: Path, raw: bytes) -> None:
    path = work / "events.csv"
    path.write_bytes(raw)
    fast = _catalog_fast.read_fast(str(path), raw)
    problems, cells = _exact(path)
    if fast is None:
        return  # the exact reader reads it: nothing to compare
    fast_problems, fast_cells = fast
    assert fast_problems == problems
    if not problems:
        pd.testing.assert_frame_equal(fast_cells.astype("str"), cells, check_dtype=False)


@settings(max_examples=_examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=catalogs())
def test_structured_input_is_problems_or_a_valid_frame(work: Path, raw: bytes) -> None:
    path = work / "events.csv"
    path.write_bytes(raw)
    _assert_problems_or_frame(path)


@settings(max_examples=_examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=600) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_problems_or_a_valid_frame(work: Path, raw: bytes) -> None:
    header = ",".join(catalog.COLUMNS).encode() + b"\n"
    for candidate in (raw, header + raw):
        path = work / "events.csv"
        path.write_bytes(candidate)
        _assert_problems_or_frame(path)


def _assert_problems_or_frame(path: Path) -> None:
    problems = catalog.check_events(path)
    for p in problems:
        assert p.path == str(path) and p.message
        assert p.line is None or p.line >= 1
    try:
        frame = catalog.load_events(path)
    except CatalogError as exc:
        assert exc.problems == problems and problems
        return
    assert problems == []
    assert list(frame.columns) == [*catalog.COLUMNS, "event_time", "time_known", "polymarket_slugs"]
    assert frame["event_time"].notna().all() and frame["event_id"].is_unique
