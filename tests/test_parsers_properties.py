"""Property tests of the data-directory readers and the ARC readers (issue 16 item 11).

Any bytes in a file end in the reader's own error (``DataFormatError`` naming the file, and
its line and column wherever the problem has one) or a valid result: never another
exception, never a partial result. ``EVENTSTUDY_FUZZ_EXAMPLES=2000`` runs more examples (the
default run stays short).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.data import arc, store
from eventstudy.exceptions import DataFormatError

SETTINGS = settings(
    max_examples=int(os.environ.get("EVENTSTUDY_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

DATES = [
    "2025-01-02",
    "2025-01-03",
    "2025-01-06",
    "2025-1-7",
    "2025-02-30",
    "",
    "x",
    "２０２５-01-08",
]
NUMBERS = [
    "1",
    "2.5",
    "-3",
    "0",
    "",
    ".",
    "inf",
    "-inf",
    "nan",
    "1e999",
    "1e-320",
    "abc",
    "1,5",
    "9" * 400,
    '"7"',
]
TIMES = [
    "2025-01-02T00:00:00Z",
    "2025-04-24 00:57:31+00",
    "2025-01-02",
    "",
    "soon",
    "2025-01-02T00:00:00+25:00",
    "99999-01-01T00:00:00Z",
]
PROBS = ["0", "0.5", "1", "1.5", "-0.1", "", "nan", "inf"]
TOKENS = ["1", "42", "0x12", "", "9" * 81, "7" * 78]
BOOLS = ["True", "false", "1", "0", "maybe", ""]
GLUE = [",", "\n", "\r\n", '"', ",,", "\n\n", "\x00", "\u00a0"]  # fmt: skip


def _line(draw, pools: list[list[str]]) -> str:
    cells = [draw(st.sampled_from(pool)) for pool in pools]
    text = ",".join(cells)
    if draw(st.integers(0, 9)) == 0:
        text += draw(st.sampled_from(GLUE))
    return text


@st.composite
def files(draw, header: str, pools: list[list[str]]) -> bytes:
    lines = [header] + [_line(draw, pools) for _ in range(draw(st.integers(0, 6)))]
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))
    if draw(st.integers(0, 4)) == 0:
        text = text.replace(",", draw(st.sampled_from([";", "\t", ", "])), 1)
    return text.encode("utf-8")


ANY_BYTES = st.binary(max_size=400)


def _write(root: Path, rel: str, raw: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return path


def _assert_own_error(exc: DataFormatError, path: Path, raw: bytes) -> None:
    assert exc.path == str(path) and str(exc).startswith(str(path))
    if exc.line is not None:
        assert 1 <= exc.line <= raw.count(b"\n") + raw.count(b"\r") + 2
        assert f"line {exc.line}" in str(exc)
    if exc.column is not None:
        assert exc.line is not None and str(exc.column) in str(exc)


def _run(load, path: Path, raw: bytes):
    try:
        return load()
    except DataFormatError as exc:
        _assert_own_error(exc, path, raw)
        return None


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("parsers")


PRICE_FILES = files("date,open,high,low,close,volume", [DATES, NUMBERS, NUMBERS, NUMBERS,
                    NUMBERS, NUMBERS]) | files("date,close", [DATES, NUMBERS])  # fmt: skip


@SETTINGS
@given(raw=PRICE_FILES | ANY_BYTES)
def test_prices(root: Path, raw: bytes) -> None:
    path = _write(root, "prices/X.csv", raw)
    prices = _run(lambda: store.load_prices("X", root), path, raw)
    if prices is not None:
        assert len(prices) >= 2 and prices.index.is_unique and prices.index.is_monotonic_increasing
        assert np.isfinite(prices["close"]).all()
        assert all(np.isfinite(prices[c].dropna()).all() for c in prices.columns)


@SETTINGS
@given(raw=files("date,value", [DATES, NUMBERS]) | ANY_BYTES)
def test_series(root: Path, raw: bytes) -> None:
    path = _write(root, "series/S.csv", raw)
    series = _run(lambda: store.load_series("S", root), path, raw)
    if series is not None:
        assert series.index.is_unique and series.index.is_monotonic_increasing
        assert series.notna().any() and not np.isinf(series).any()


@SETTINGS
@given(raw=files("t,p", [TIMES, PROBS]) | ANY_BYTES)
def test_odds(root: Path, raw: bytes) -> None:
    path = _write(root, "polymarket/prices/42.csv", raw)
    odds = _run(lambda: store.load_odds("42", root), path, raw)
    if odds is not None:
        assert str(odds["t"].dtype) == "datetime64[us, UTC]" and odds["t"].is_unique
        assert odds["t"].is_monotonic_increasing and odds["p"].between(0, 1).all()


MARKET_HEADER = ",".join(store.MARKET_COLUMNS)
MARKET_POOLS = [["1"], ["slug-a", ""], ["Q?", "=1+1"], ["e"], ["0xab"], ["Yes", "No"], TOKENS,
                TIMES, TIMES, NUMBERS, BOOLS, BOOLS]  # fmt: skip


@SETTINGS
@given(raw=files(MARKET_HEADER, MARKET_POOLS) | ANY_BYTES)
def test_markets(root: Path, raw: bytes) -> None:
    path = _write(root, store.MARKETS_RELPATH, raw)
    markets = _run(lambda: store.load_markets(root), path, raw)
    if markets is not None:
        assert markets["token_id"].str.fullmatch("[0-9]{1,80}").all()
        assert markets["token_id"].is_unique
        assert markets["neg_risk"].dtype == bool and markets["has_prices"].dtype == bool


JSON_PARTS = ['{"format": "eventstudy-data/1", "files": {}}', '{"files": []}', "[]", "{",
              "null", '{"format": "eventstudy-data/1", "files": {"a": 1}}', "[" * 3000,
              '"\\ud800"']  # fmt: skip


@SETTINGS
@given(raw=st.sampled_from(JSON_PARTS).map(str.encode) | ANY_BYTES)
def test_manifest(root: Path, raw: bytes) -> None:
    path = _write(root, "manifest.json", raw)
    manifest = _run(lambda: store.load_manifest(root), path, raw)
    if manifest is not None:
        assert manifest["format"] == store.FORMAT and isinstance(manifest["files"], dict)


ARC_DATES = ["16.03.2020", "17.03.2020", "1.1.2020", "2020-03-16", "", "31.02.2020"]
ARC_NUMBERS = ["1", "-1", "240", "0", "1.5", "x", "", "1_0", "１２"]
ARC_PRICES = ["10", "10,5", "1.234,5", "1,234.5", "-16.75", "inf", "nan", "0", "", "1e3", "1_0"]


@st.composite
def arc_files(draw, pools: list[list[str]]) -> bytes:
    lines = [";".join(draw(st.sampled_from(pool)) for pool in pools)
             for _ in range(draw(st.integers(0, 5)))]  # fmt: skip
    text = "\n".join(lines)
    if draw(st.booleans()):
        text += draw(st.sampled_from([*GLUE, ";", '"', "\n" + "x" * 200]))
    return text.encode(draw(st.sampled_from(["utf-8", "cp1252", "utf-16"])), errors="replace")


REQUEST_POOLS = [["1", "2"], ["ACME", "BETA"], ["SPX"], ARC_DATES, ["g"], ARC_NUMBERS,
                 ARC_NUMBERS, ARC_NUMBERS, ARC_NUMBERS]  # fmt: skip


@SETTINGS
@given(raw=arc_files(REQUEST_POOLS) | ANY_BYTES)
def test_arc_request(root: Path, raw: bytes) -> None:
    path = _write(root, "arc/request.csv", raw)
    frame = _run(lambda: arc.read_request(path), path, raw)
    if frame is not None:
        assert list(frame.columns) == list(arc.REQUEST_COLUMNS) and len(frame) >= 1
        assert (frame["event_start"] <= frame["event_end"]).all()
        assert not frame.duplicated(["event_id", "firm"]).any()


@SETTINGS
@given(raw=arc_files([["ACME", "BETA"], ARC_DATES, ARC_PRICES]) | ANY_BYTES)
def test_arc_prices(root: Path, raw: bytes) -> None:
    path = _write(root, "arc/firms.csv", raw)
    frame = _run(lambda: arc.read_prices(path), path, raw)
    if frame is not None:
        values = frame.to_numpy(dtype=float)
        assert len(frame) >= 1 and frame.index.is_monotonic_increasing
        assert all(math.isnan(v) or (math.isfinite(v) and v > 0) for v in values.ravel())


def test_arc_number_rules() -> None:
    assert arc._number("1.234,5", ",") == 1234.5 and arc._number("1,234.5", ".") == 1234.5
    for bad in ("inf", "nan", "1_0", "1e999", "--1"):
        with pytest.raises(ValueError):
            arc._number(bad, ".")
