"""The fast paths of the store's column parsers give exactly what the general paths give.

:func:`store._parse_float`, :func:`store._parse_dates` and :func:`store._parse_utc` first try
:func:`store._fast_float` or :func:`store._fast_datetimes` and fall back
to their general (pandas) path when a fast path returns None. Each test runs a parser twice,
once as it is and once with its fast path switched off, and requires the same outcome: the
same values bit for bit (NaN in the same places), index, dtype and name, or the same error
with the same message, line and column. A fast path that accepted a cell the general path
refuses would fail these tests (a value on one side, an error on the other).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.data import store
from eventstudy.exceptions import DataFormatError

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
PATH = Path("data.csv")
FAST = {"float": "_fast_float", "dates": "_fast_datetimes", "utc": "_fast_datetimes"}


def _raw(cells: list[str], column: str = "x") -> pd.DataFrame:
    """A column of text as :func:`store._parse_csv` gives it (lines counted from 2)."""
    raw = pd.DataFrame({column: pd.Series(cells, dtype="str")})
    raw.attrs["lines"] = np.arange(2, len(cells) + 2, dtype="int64")
    return raw


def _run(kind: str, raw: pd.DataFrame, column: str, required: bool) -> Any:
    """The parser's result, or its error as (type, message, line, column)."""
    try:
        if kind == "float":
            return store._parse_float(raw, column, PATH, required=required)
        if kind == "dates":
            return store._parse_dates(raw, column, PATH)
        return store._parse_utc(raw, column, PATH, required=required)
    except DataFormatError as exc:
        return (type(exc), str(exc), exc.line, exc.column)


def _both(kind: str, cells: list[str], *, required: bool = False) -> tuple[Any, Any]:
    """The outcome with the fast path, and with the general path only."""
    raw = _raw(cells)
    fast = _run(kind, raw, "x", required)
    with mock.patch.object(store, FAST[kind], lambda *a, **k: None):
        slow = _run(kind, raw, "x", required)
    return fast, slow


def _bits(values: Any) -> np.ndarray:
    if hasattr(values, "asi8"):  # datetimes, with or without a time zone
        return np.asarray(values.asi8)
    array = np.asarray(values, dtype=np.float64)
    nan = np.isnan(array)
    return np.where(nan, 0, array.view(np.int64)) + nan  # NaN's payload aside


def _assert_same(fast: Any, slow: Any) -> None:
    if isinstance(slow, tuple) or isinstance(fast, tuple):
        assert fast == slow
        return
    assert type(fast) is type(slow)
    assert fast.dtype == slow.dtype
    assert fast.name == slow.name
    if isinstance(slow, pd.Series):
        pd.testing.assert_index_equal(fast.index, slow.index, exact=True)
        values_fast, values_slow = fast.array, slow.array
    else:
        values_fast, values_slow = fast, slow
    if slow.dtype.kind == "f":
        assert np.array_equal(np.isnan(values_fast), np.isnan(values_slow))
    assert np.array_equal(_bits(values_fast), _bits(values_slow))


def _same(kind: str, cells: list[str], *, required: bool = False) -> Any:
    fast, slow = _both(kind, cells, required=required)
    _assert_same(fast, slow)
    return fast


def _fast_float(cells: list[str], *, required: bool = False) -> np.ndarray | None:
    return store._fast_float(np.array(cells, dtype=object), required=required)


def _fast_dates(cells: list[str]) -> np.ndarray | None:
    return store._fast_datetimes(np.array(cells, dtype=object), b"9999-99-99", "D")


def _fast_utc(cells: list[str]) -> np.ndarray | None:
    return store._fast_datetimes(np.array(cells, dtype=object), store._UTC_SECOND, "s")


# ---------------------------------------------------------------------------- numbers

ODD_NUMBERS = [
    "",
    ".",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1_000",
    "１２",
    "１.5",
    "\u0661",  # ARABIC-INDIC DIGIT ONE
    " 1.5 ",
    "\u00a01.5",
    "1.5\t",
    "+1",
    "1e5",
    "1E-5",
    "-0.0",
    "-0",
    "-00",
    "+0",
    "0",
    "007",
    "00.5",
    "abc",
    "1e400",
    "-1e400",
    "1e-400",
    "-1e-400",
    "1e",
    "e5",
    "+-1",
    "--1",
    "1-1",
    "1..2",
    "0x10",
    "1e5.0",
    ".5",
    "5.",
    "-.5",
    "18446744073709551616",
    "-9223372036854775809",
    "123456789012345678901234567890",
    "+3e66",  # pandas: 2.9999999999999996e+66, float: 3e+66
    "+12e66",
    "+3.e66",
    "+.5",
    "3e66",
    "1e+05",
    "1E+22",
]
PLAIN = ["1.5", "273.8999938964844", "0", "42"]


@pytest.mark.parametrize("odd", ODD_NUMBERS)
@pytest.mark.parametrize("required", [False, True])
def test_float_odd_cells_alone_and_among_plain_numbers(odd: str, required: bool) -> None:
    _same("float", [odd], required=required)
    _same("float", [*PLAIN, odd, *PLAIN], required=required)


@pytest.mark.parametrize(
    "odd",
    ["nan", "inf", "Infinity", "1_000", "１２", "\u0661", " 1.5 ", "\u00a01.5", "1e400", "-0",
     "-0.0", "1e-400x", "abc", "1e", "+-1", "1e5.0", "+1", "+3e66", "+.5"],
)  # fmt: skip
def test_fast_float_leaves_odd_cells_to_the_general_path(odd: str) -> None:
    assert _fast_float([*PLAIN, odd]) is None


def test_fast_float_blanks_are_nan_unless_required() -> None:
    values = _fast_float(["1.5", "", ".", "2"])
    assert values is not None
    assert np.array_equal(np.isnan(values), [False, True, True, False])
    assert _fast_float(["1.5", ""], required=True) is None
    assert _fast_float([]) is not None
    assert _fast_float(["1e+05", "-2.5E+22", "3e66", "-.5", "5."]) is not None


def test_float_errors_name_the_cell() -> None:
    error = _same("float", ["1", "2", "x"])
    assert error[1:] == ("data.csv line 4, column x: 'x' is not a number", 4, "x")
    error = _same("float", ["1", "inf"])
    assert "'inf' is not a finite number" in error[1] and error[2] == 3
    error = _same("float", ["1", ""], required=True)
    assert "value is missing" in error[1] and error[2] == 3


def _formatted(value: float, how: int) -> str:
    if how == 0:
        return repr(value)
    if how == 18:
        return f"{value:.6f}"
    return f"{value:.{how}g}"


finite = st.floats(allow_nan=False, allow_infinity=False)


@SETTINGS
@given(st.lists(st.tuples(finite, st.integers(0, 18)), min_size=1, max_size=30))
def test_float_formatted_doubles(cells: list[tuple[float, int]]) -> None:
    text = [_formatted(value, how) for value, how in cells]
    _same("float", text, required=True)
    values = np.array([float(t) for t in text])
    if np.isfinite(values).all() and not np.signbit(values[values == 0.0]).any():
        assert _fast_float(text) is not None  # the fast path was taken ('2e+308' is not)


decimal = st.builds(
    lambda sign, digits, point, exponent: (
        sign + (digits[:point] + "." + digits[point:] if point is not None else digits) + exponent
    ),
    st.sampled_from(["", "-", "+"]),
    st.text("0123456789", min_size=1, max_size=20),
    st.none() | st.integers(0, 20),
    st.just("") | st.builds(lambda e, n: f"{e}{n}", st.sampled_from("eE"), st.integers(-330, 330)),
)


@SETTINGS
@given(st.lists(decimal | st.sampled_from(["", "."]), min_size=1, max_size=30))
def test_float_random_decimal_literals(text: list[str]) -> None:
    _same("float", text)


@SETTINGS
@given(st.lists(st.text("0123456789.+-eE_ nai\u00a0１", max_size=6), min_size=1, max_size=8))
def test_float_random_text(text: list[str]) -> None:
    _same("float", text)


@SETTINGS
@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=5), min_size=1, max_size=5))
def test_float_any_text(text: list[str]) -> None:
    _same("float", text)


# ---------------------------------------------------------------------------- dates


def test_fast_dates_agree_with_pandas_on_every_month_and_day() -> None:
    cells = [
        f"{year}-{month:02d}-{day:02d}"
        for year in ["0000", "0001", "1582", "1600", "1677", "1900", "2000", "2023", "2024", "2262",
                     "9999"]
        for month in range(14)
        for day in range(33)
    ]  # fmt: skip
    text = pd.Series(cells, dtype="str")
    general = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").to_numpy()
    for cell, expected in zip(cells, general, strict=True):
        days = _fast_dates([cell])
        if pd.isna(expected):
            assert days is None, cell
        else:
            assert days is not None and days[0] == expected, cell
    _same("dates", [c for c, e in zip(cells, general, strict=True) if not pd.isna(e)])


ODD_DATES = [
    "",
    " 2025-01-02",
    "2025-01-02 ",
    "2025-1-02",
    "2025-01-2",
    "25-01-02",
    "2025/01/02",
    "2025-01-02T00:00",
    "２０２５-01-02",
    "2025-0\u0661-02",
    "2025-02-30",
    "2025-13-01",
    "2025-00-01",
    "2025-01-00",
    "-025-01-02",
    "2025--1-02",
    "2025-01-02\x00",
    "2025-01-03",  # repeated below
    "x",
]


@pytest.mark.parametrize("odd", ODD_DATES)
def test_dates_odd_cells(odd: str) -> None:
    _same("dates", [odd])
    _same("dates", ["2025-01-02", odd, "2025-01-03"])


@pytest.mark.parametrize("kind", ["float", "dates", "utc"])
def test_no_cells(kind: str) -> None:
    """A header-only column (the writer checks a stored file so) reads the same too."""
    _same(kind, [])
    _same(kind, [], required=True)


def test_dates_shifted_cells_are_not_read_as_a_grid() -> None:
    # the text joined is two well-formed dates, the cells are not
    assert _fast_dates(["2020-01-012", "020-01-01"]) is None
    _same("dates", ["2020-01-012", "020-01-01"])


days = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(
    lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
)


@SETTINGS
@given(st.lists(days, min_size=1, max_size=40))
def test_dates_random_days(cells: list[str]) -> None:
    index = _same("dates", cells)
    if len(set(cells)) == len(cells):
        assert isinstance(index, pd.DatetimeIndex)
        assert _fast_dates(cells) is not None


@SETTINGS
@given(st.lists(days | st.text("0123456789- T", min_size=8, max_size=12), min_size=1, max_size=8))
def test_dates_random_text(cells: list[str]) -> None:
    _same("dates", cells)


# ---------------------------------------------------------------------------- timestamps


def test_fast_utc_agrees_with_pandas_on_times_of_day() -> None:
    cells = [
        f"{day}T{hour:02d}:{minute:02d}:{second:02d}Z"
        for day in ["0000-01-01", "2024-02-29", "2025-02-29", "2025-12-31", "9999-12-31"]
        for hour in range(26)
        for minute in (0, 1, 59, 60, 61, 99)
        for second in (0, 59, 60, 61)
    ]
    for cell in cells:
        _same("utc", [cell], required=True)


ODD_STAMPS = [
    "",
    " 2025-02-18T14:00:00Z",
    "2025-02-18T14:00:00Z ",
    "2025-02-18T14:00:00",
    "2025-02-18 14:00:00Z",
    "2025-02-18T14:00:00.5Z",
    "2025-02-18T14:00:00+00:00",
    "2025-04-24 00:57:31+00",
    "2025-02-18t14:00:00z",
    "2025-02-18T14:00:0０Z",
    "2025-02-30T14:00:00Z",
    "2025-02-18T24:00:00Z",
    "-025-02-18T14:00:00Z",
    "x",
]


@pytest.mark.parametrize("odd", ODD_STAMPS)
@pytest.mark.parametrize("required", [False, True])
def test_utc_odd_cells(odd: str, required: bool) -> None:
    _same("utc", [odd], required=required)
    _same("utc", ["2025-02-18T14:00:00Z", odd], required=required)


stamps = st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59)).map(
    lambda t: f"{t.year:04d}-{t:%m-%dT%H:%M:%S}Z"
)


@SETTINGS
@given(st.lists(stamps, min_size=1, max_size=40))
def test_utc_random_instants(cells: list[str]) -> None:
    _same("utc", cells, required=True)
    assert _fast_utc(cells) is not None


# ---------------------------------------------------------------------------- real files


def test_every_snapshot_column_reads_the_same(snapshot_dir: Path) -> None:
    files = sorted(snapshot_dir.glob("prices/*.csv")) + sorted(snapshot_dir.glob("series/*.csv"))
    odds = sorted(snapshot_dir.glob("polymarket/prices/*.csv"))
    assert files and odds
    for path in files + odds:
        raw = store._parse_csv(path, path.read_text(encoding="utf-8"))
        for column in raw.columns:
            kind = {"date": "dates", "t": "utc"}.get(column, "float")
            fast = _run(kind, raw, column, False)
            with mock.patch.object(store, FAST[kind], lambda *a, **k: None):
                slow = _run(kind, raw, column, False)
            _assert_same(fast, slow)
