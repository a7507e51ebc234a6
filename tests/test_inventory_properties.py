"""Property tests of the data-directory inventory (issue 16): ``eventstudy data status``,
``data fetch-missing`` and ``run --offline`` read every stored file's span through the
loaders' checks, so any mutation of a data file ends as that file being ``unreadable`` with
the loader's own error (file, line, column), never another exception, and a readable file's
rows and dates are the loader's. ``EVENTSTUDY_FUZZ_EXAMPLES`` runs more examples.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.data import store
from eventstudy.data.inventory import data_status, inventory, item_states
from eventstudy.exceptions import DataFormatError

SETTINGS = settings(
    max_examples=int(os.environ.get("EVENTSTUDY_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

VALID = {
    "price": (
        "GC=F",
        "prices/GC=F.csv",
        "date,open,high,low,close,volume\n2025-01-02,1,2,0.5,1.5,10\n"
        "2025-01-03,1.5,2,1,1.75,12\n2025-01-06,1.75,2,1.5,1.8,9\n",
        lambda root: store.load_prices("GC=F", root).index,
    ),
    "series": (
        "DFII10",
        "series/DFII10.csv",
        "date,value\n2025-01-02,1.9\n2025-01-03,.\n2025-01-06,2.05\n",
        lambda root: store.load_series("DFII10", root).index,
    ),
    "odds": (
        "42",
        "polymarket/prices/42.csv",
        "t,p\n2025-01-02T00:00:00Z,0.5\n2025-01-03T00:00:00Z,0.55\n2025-01-04T00:00:00Z,0.6\n",
        lambda root: pd.DatetimeIndex(store.load_odds("42", root)["t"]),
    ),
}
CELLS = ["2025-01-07", "2099999999-01-01", "99999999999", "2025-13-01", "2025-01-02", "",
         "date", "t", "0", "-5", "0.5", "1.5", "inf", "nan", "1e999", "x", "2025-01-08T00:00:00Z",
         "2025-01-08 00:00:00+00", "２０２５-01-08", "\u00a0"]  # fmt: skip
RAW = [b"\xaa", b"\x00", b"\r", b"\n", b",", b'"', b"\xef\xbb\xbf", b"\xff\xfe"]


@st.composite
def mutated(draw, text: str) -> bytes:
    """``text`` with one to three edits: a cell replaced, a line added, repeated or cut, or
    raw bytes put somewhere (the faults found in the review: an epoch as a timestamp, a
    ``\\xaa`` byte, a repeated header at the end, year 2099999999)."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["cell", "line", "header", "cut", "bytes"]))
        at = draw(st.integers(0, len(lines) - 1)) if lines else 0
        if op == "cell" and lines:
            cells = lines[at].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(CELLS))
            lines[at] = ",".join(cells)
        elif op == "line":
            width = len(lines[0].split(",")) if lines else 2
            new = ",".join(draw(st.sampled_from(CELLS)) for _ in range(width))
            lines.insert(draw(st.integers(0, len(lines))), new)
        elif op == "header" and lines:
            lines.append(lines[0])
        elif op == "cut" and lines:
            del lines[at]
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    if draw(st.booleans()):
        pos = draw(st.integers(0, len(raw)))
        raw = raw[:pos] + draw(st.sampled_from(RAW)) + raw[pos:]
    return raw


def _loader_says(load, root: Path) -> tuple[str, tuple[str, str] | None]:
    """The loader's error text ("" when it reads) and the first and last date it reads."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dates = load(root)
    except DataFormatError as exc:
        return str(exc), None
    span = (f"{dates.min():%Y-%m-%d}", f"{dates.max():%Y-%m-%d}") if len(dates) else None
    return "", span


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("inventory")


def _check(root: Path, kind: str, raw: bytes) -> None:
    key, rel, _, load = VALID[kind]
    shutil.rmtree(root, ignore_errors=True)
    (root / rel).parent.mkdir(parents=True)
    (root / rel).write_bytes(raw)
    error, span = _loader_says(load, root)
    held = inventory(root).set_index("path").loc[rel]
    assert held["error"] == error  # the loader's own message, or "" when it reads
    status = data_status(root).set_index("path").loc[rel]
    assert status["state"] == ("unreadable" if error else "held") and status["note"] == error
    if not error:
        assert (held["first"], held["last"]) == (span or ("", ""))
    if kind == "odds":
        return
    needs = pd.DataFrame([{"kind": kind, "id": key, "relpath": rel, "fetchable": True,
                           "how": "", "needed_through": pd.Timestamp("2025-01-06")}])  # fmt: skip
    state = item_states(needs, root, now="2025-01-10").iloc[0]
    assert (state["state"] == "unreadable") == bool(error)
    if error:
        assert state["note"] == error and error.startswith(str(root / rel))


@SETTINGS
@given(raw=mutated(VALID["price"][2]))
def test_price_file_mutations(root: Path, raw: bytes) -> None:
    _check(root, "price", raw)


@SETTINGS
@given(raw=mutated(VALID["series"][2]))
def test_series_file_mutations(root: Path, raw: bytes) -> None:
    _check(root, "series", raw)


@SETTINGS
@given(raw=mutated(VALID["odds"][2]))
def test_odds_file_mutations(root: Path, raw: bytes) -> None:
    _check(root, "odds", raw)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("odds", b"t,p\n2025-01-02T00:00:00Z,0.5\n99999999999,0.5\n", "line 3, column t"),
        ("price", VALID["price"][2].encode() + b"2025-01-07,1,2,1,\xaa,3\n", "line 5: byte 0xaa"),
        ("price", (VALID["price"][2] * 1).encode() + b"date,open,high,low,close,volume\n",
         "line 5, column date: 'date' is not a date"),
        ("series", b"date,value\n2025-01-02,1.9\n2099999999-01-01,2\n",
         "line 3, column date: '2099999999-01-01'"),
    ],
)  # fmt: skip
def test_review_cases_are_unreadable_not_tracebacks(root, kind, raw, expected):
    _check(root, kind, raw)
    rel = VALID[kind][1]
    assert expected in inventory(root).set_index("path").loc[rel, "error"]


def test_the_quick_span_of_verified_files_equals_the_checked_one(snapshot_dir):
    """Files whose sha256 is the manifest's are spanned from their first column as text; on
    every price, series and odds file of the snapshot that gives the loaders' rows and dates."""
    from eventstudy.data import inventory as inv

    checked = 0
    for kind, folder in inv._KIND_DIRS:
        for path in sorted((snapshot_dir / folder).glob("*.csv")):
            assert inv._quick_span(path.read_bytes()) == store.file_span(path, kind), path
            checked += 1
    assert checked > 300


def test_a_verified_file_with_a_bad_last_key_still_goes_through_the_loader(tmp_path):
    """The quick path declines what is not a date, so the loader names the problem."""
    from eventstudy.data import inventory as inv

    path = tmp_path / "GC=F.csv"
    path.write_text("date,close\n2024-01-02,2000\n2099999999-01-01,2001\n", encoding="utf-8")
    assert inv._quick_span(path.read_bytes()) is None
    n, _, _, error = inv._span_or_error(path, "price", path.read_bytes())
    assert n is None and "GC=F.csv" in error


def test_a_signed_number_is_not_an_odds_timestamp(tmp_path):
    """pandas' ISO parser reads ``-5`` as the year -5; the odds reader refuses it by name (it
    used to pass, and the inventory then crashed in strftime; found by hypothesis)."""
    path = tmp_path / "123.csv"
    path.write_bytes(b"t,p\n-5,0.5\n2025-01-03T00:00:00Z,0.55\n")
    with pytest.raises(DataFormatError, match=r"line 2.*column t"):
        store.file_span(path, "odds")
