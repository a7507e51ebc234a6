"""Windows as trading-day offsets."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.engine.windows import (
    EstimationWindow,
    EventWindow,
    as_car_windows,
    as_estimation_window,
    as_event_window,
    check_order,
    default_min_estimation_obs,
    gather,
    gather_pattern,
)
from eventstudy.exceptions import SpecificationError


def test_estimation_window_bounds():
    w = EstimationWindow(length=250, end=-11)
    assert w.bounds == (-260, -11)
    assert w.rel_days[0] == -260 and w.rel_days[-1] == -11 and w.rel_days.size == 250
    assert as_estimation_window((-260, -11)) == w
    assert as_estimation_window(w) is w


def test_event_window_and_car_windows():
    ev = as_event_window((-10, 10))
    assert ev == EventWindow(-10, 10) and ev.length == 21
    assert as_car_windows([(-1, 1), (0, 0), (-1, 1)], ev) == ((-1, 1), (0, 0))
    with pytest.raises(SpecificationError, match="inside the event window"):
        as_car_windows([(0, 11)], ev)
    with pytest.raises(SpecificationError, match="start must not be after end"):
        EventWindow(3, 1)


def test_estimation_must_end_before_event():
    check_order(EstimationWindow(100, -1), EventWindow(0, 5))
    with pytest.raises(SpecificationError, match="end before"):
        check_order(EstimationWindow(100, 0), EventWindow(0, 5))


def test_bad_values():
    with pytest.raises(SpecificationError, match="positive integer"):
        EstimationWindow(length=0)
    with pytest.raises(SpecificationError):
        as_estimation_window("250")


def test_min_obs_rule():
    assert default_min_estimation_obs(EstimationWindow(250), 2) == 125
    assert default_min_estimation_obs(EstimationWindow(4), 2) == 5


def test_gather_out_of_range_is_nan():
    values = np.arange(12.0).reshape(6, 2)
    rows = np.array([[-1, 0, 1], [4, 5, 6]])
    out = gather(values, rows, np.array([1, 0]))
    np.testing.assert_array_equal(out, [[np.nan, 1, 3], [8, 10, np.nan]])


def test_post_event_block():
    w = EstimationWindow.from_bounds(-260, -11, post=(11, 260))
    assert w.bounds == (-260, -11) and w.post == (11, 260)
    assert w.n_days == 500 and w.label == "(-260, -11) + (11, 260)"
    assert list(w.rel_days[248:252]) == [-12, -11, 11, 12] and w.rel_days.size == 500
    assert EstimationWindow(250, -11).label == "(-260, -11)"
    # the minimum stays half the pre-event block: late events have no post-event days yet
    assert default_min_estimation_obs(w, 1) == 125
    check_order(w, EventWindow(-10, 10))
    with pytest.raises(SpecificationError, match="must start after the event window"):
        check_order(w, EventWindow(-10, 11))
    with pytest.raises(SpecificationError, match="after the pre-event block"):
        EstimationWindow(100, -11, post=(-20, 5))
    with pytest.raises(SpecificationError, match=r"expected a \(start, end\) tuple"):
        EstimationWindow(100, -11, post=11)


@pytest.mark.parametrize("layout", ["F", "C", "one column"])
def test_gather_of_consecutive_runs_equals_the_fancy_index(layout):
    """``gather_pattern`` (rows known to be start + 0..L-1) copies sliding-window runs: the
    same array as the fancy index, for column-major, row-major (falls back) and one-column
    data."""
    rng = np.random.default_rng(5)
    values = rng.normal(size=(40, 3))
    values = np.asfortranarray(values) if layout == "F" else np.ascontiguousarray(values)
    cols = np.zeros(6, dtype=np.intp) if layout == "one column" else rng.integers(0, 3, 6)
    starts = rng.integers(0, 40 - 7, 6)
    rows = starts[:, None] + np.arange(7)
    got = gather_pattern(values, starts, cols, 7)
    np.testing.assert_array_equal(got, values[rows, cols[:, None]])
    np.testing.assert_array_equal(got, gather(values, rows, cols))
    assert got.flags.c_contiguous and got.dtype == float


@pytest.mark.parametrize("layout", ["F", "C", "one column"])
def test_gather_runs_builds_rows_only_to_fall_back(layout):
    """``gather_pattern`` (starts and a length, no row array) gives ``gather`` at the rows
    ``start + 0..L-1``: runs for column-major and one-column data, the rows otherwise."""
    rng = np.random.default_rng(6)
    values = rng.normal(size=(50, 4))
    values = np.asfortranarray(values) if layout == "F" else np.ascontiguousarray(values)
    cols = np.full(9, 2) if layout == "one column" else rng.integers(0, 4, 9)
    starts = rng.integers(0, 50 - 8, 9)
    rows = starts[:, None] + np.arange(8)
    np.testing.assert_array_equal(
        gather_pattern(values, starts, cols, 8), gather(values, rows, cols)
    )


def test_study_windows_as_runs_equal_the_row_gather():
    """Complete data (estimation rows consecutive runs): the fitted estimation dates,
    residuals and benchmark equal those of a study whose windows take the row-by-row path
    (one NaN far from every window forces the general calendar)."""
    import pandas as pd

    from eventstudy.engine.study import EventStudy

    rng = np.random.default_rng(2)
    idx = pd.bdate_range("2020-01-01", periods=400)
    mkt = pd.Series(rng.normal(0, 0.01, 400), index=idx)
    rets = pd.DataFrame(rng.normal(0, 0.02, (400, 3)), index=idx, columns=["A", "B", "C"])
    events = pd.DataFrame(
        {"event_id": ["e1", "e2", "e3"], "asset": ["A", "C", "B"], "day0": idx[[300, 320, 350]]}
    )
    holed = rets.copy()
    holed.iloc[2, 1] = np.nan  # before every estimation window (B's first days)
    fast, slow = (
        EventStudy(r, events, benchmark=mkt, estimation_window=(-150, -11)).fit(tests=())
        for r in (rets, holed)
    )
    for name in ("est_dates", "est_ar", "est_market", "ar", "cov"):
        np.testing.assert_array_equal(getattr(fast.arrays, name), getattr(slow.arrays, name))


def test_row_windows_read_what_a_gather_of_the_rows_reads():
    from eventstudy.engine.windows import RowWindows

    values = np.arange(60.0).reshape(15, 4)
    starts, cols = np.array([0, 7, 3, 11, 2]), np.array([1, 1, 3, 0, 1])
    windows = RowWindows(values, starts, 4, cols)
    expected = gather(values, starts[:, None] + np.arange(4), cols)
    assert windows.shape == (5, 4) and len(windows) == 5 and windows.dtype == values.dtype
    np.testing.assert_array_equal(np.asarray(windows), expected)
    np.testing.assert_array_equal(windows[1:4], expected[1:4])
    np.testing.assert_array_equal(windows[-1], expected[-1])
    np.testing.assert_array_equal(windows[np.array([4, 0])], expected[[4, 0]])
    np.testing.assert_array_equal(windows[:, 2], expected[:, 2])
    assert windows[3, 1] == expected[3, 1] and windows[-1, 0] == expected[-1, 0]
    np.testing.assert_array_equal(windows[0:2, 3], expected[0:2, 3])
    with pytest.raises(ValueError, match="copy=False"):
        np.array(windows, copy=False)
    mask = np.array([True, False, True, True, False])
    np.testing.assert_array_equal(np.asarray(windows.rows(mask)), expected[mask])
    np.testing.assert_array_equal(np.asarray(windows.with_values(-values)), -expected)
    dates = np.arange(np.datetime64("2024-01-01"), np.datetime64("2024-01-16"))
    by_date = RowWindows(dates, starts, 4)
    assert by_date.dtype == np.dtype("datetime64[D]")
    np.testing.assert_array_equal(by_date[1], dates[7:11])
    with pytest.raises(ValueError, match="inside the rows"):
        RowWindows(values, np.array([12]), 4)


@pytest.mark.parametrize("share", [0.0, 0.3, 0.9, 1.0])
def test_compact_rows_is_the_boolean_index_in_place(share, monkeypatch):
    import eventstudy.engine.windows as windows

    monkeypatch.setattr(windows, "_COMPACT_ROWS", 7)  # many blocks
    a = np.arange(600.0).reshape(100, 3, 2)
    keep = np.random.default_rng(3).random(100) < share
    expected = a[keep]
    got = windows.compact_rows(a, keep)
    np.testing.assert_array_equal(got, expected)
    assert got.size == 0 or np.shares_memory(got, a)  # no new array


def test_offset_runs_split_a_pattern_into_runs_of_consecutive_rows():
    from eventstudy.engine.windows import offset_runs

    assert offset_runs(np.array([0, 1, 2, 7, 8])) == [(0, 0, 3), (7, 3, 2)]
    assert offset_runs(np.array([3])) == [(3, 0, 1)]
    assert offset_runs(np.array([0, 2, 4])) == [(0, 0, 1), (2, 1, 1), (4, 2, 1)]


@pytest.mark.parametrize("layout", ["F", "C", "one column"])
def test_windows_of_a_pattern_of_rows_read_the_rows_they_name(layout):
    """RowWindows and ``gather_pattern`` with ``offsets`` (rows before and after a gap, as an
    estimation window on both sides of an event) read ``values[start + offsets, col]``."""
    from eventstudy.engine.windows import RowWindows

    rng = np.random.default_rng(8)
    values = rng.normal(size=(60, 3))
    values = np.asfortranarray(values) if layout == "F" else np.ascontiguousarray(values)
    offsets = np.array([0, 1, 2, 3, 9, 10, 13])
    starts = rng.integers(0, 60 - 13, 11)
    cols = np.zeros(11, dtype=np.intp) if layout == "one column" else rng.integers(0, 3, 11)
    expected = values[starts[:, None] + offsets, cols[:, None]]
    np.testing.assert_array_equal(gather_pattern(values, starts, cols, 7, offsets), expected)
    windows = RowWindows(values, starts, 7, cols, offsets)
    np.testing.assert_array_equal(np.asarray(windows), expected)
    np.testing.assert_array_equal(windows[2:5], expected[2:5])
    np.testing.assert_array_equal(windows[3, 4], expected[3, 4])
    keep = rng.random(11) < 0.5
    np.testing.assert_array_equal(np.asarray(windows.rows(keep)), expected[keep])
    np.testing.assert_array_equal(np.asarray(windows.with_values(2 * values)), 2 * expected)
    # 0..L-1 is the plain window; a pattern must increase and fit inside the rows
    assert RowWindows(values, starts, 4, cols, np.arange(4)).offsets is None
    with pytest.raises(ValueError, match="increasing"):
        RowWindows(values, starts, 3, cols, np.array([0, 2, 2]))
    with pytest.raises(ValueError, match="inside the rows"):
        RowWindows(values, np.array([50]), 7, None, offsets)


@pytest.mark.parametrize("mask_kind", [None, "series", "frame"])
@pytest.mark.parametrize("calendar", ["shared", "asset"])
def test_study_windows_as_a_pattern_of_rows_equal_the_row_gather(calendar, mask_kind, monkeypatch):
    """Estimation windows on both sides of the event (a post block), events whose windows
    reach past both ends of the data, assets whose days are one block of rows (returns from
    prices start on different rows), an estimation mask: the windows read as one pattern of
    rows (the data padded with missing days at its ends) give every fitted array, exclusion
    and test of the row-by-row path (forced here)."""
    import pandas as pd

    import eventstudy.engine.study as study_module
    from eventstudy.engine.study import EventStudy
    from eventstudy.engine.windows import RowWindows

    rng = np.random.default_rng(9)
    idx = pd.bdate_range("2020-01-01", periods=300)
    mkt = pd.Series(rng.normal(0, 0.01, 300), index=idx)
    rets = pd.DataFrame(rng.normal(0, 0.02, (300, 3)), index=idx, columns=["A", "B", "C"])
    rets.iloc[:1] = np.nan
    rets.iloc[:4, 1] = np.nan  # B's days start later: one block of rows each
    pos = np.r_[rng.integers(5, 60, 6), rng.integers(100, 200, 6), rng.integers(240, 299, 6)]
    events = pd.DataFrame(
        {"event_id": [f"e{i}" for i in range(18)], "asset": list("ABC") * 6, "day0": idx[pos]}
    )
    mask = None
    if mask_kind is not None:
        masked = pd.Series(rng.random(300) < 0.1, index=idx)
        mask = masked if mask_kind == "series" else pd.DataFrame({"A": masked, "C": ~masked})
    est = EstimationWindow.from_bounds(-60, -11, post=(11, 60), mask=mask, min_obs=60)
    win = EventWindow(-5, 5, calendar=calendar, missing="keep")

    from eventstudy.engine.models.market import MarketModel

    usable: list[np.ndarray] = []

    class Recorded(MarketModel):  # what the study tells the model is usable
        def fit(self, y_est, x_est, y_event, x_event, valid, **kw):
            usable.append(np.array(valid))
            return super().fit(y_est, x_est, y_event, x_event, valid, **kw)

    def fit():
        return EventStudy(
            rets, events, model=Recorded(), benchmark=mkt, estimation_window=est,
            event_window=win,
        ).fit()  # fmt: skip

    fast = fit()
    assert fast.n_events > 0 and len(fast.exclusions) > 0  # early and late events drop out
    assert np.isnat(np.asarray(fast.arrays.est_dates)).any()  # windows past the data's ends
    monkeypatch.setattr(study_module, "_one_pattern", lambda offsets, n: False)
    slow = fit()
    assert isinstance(fast.arrays.est_dates, RowWindows)  # the pattern, not the rows
    assert isinstance(slow.arrays.est_dates, np.ndarray)
    np.testing.assert_array_equal(usable[0], usable[1])  # days outside the data are not
    assert not usable[0].all()
    pd.testing.assert_frame_equal(fast.events, slow.events)
    pd.testing.assert_frame_equal(fast.exclusions, slow.exclusions)
    for name in ("est_ar", "ar", "ret", "normal", "sigma2", "n_est", "n_masked", "params"):
        np.testing.assert_array_equal(getattr(fast.arrays, name), getattr(slow.arrays, name))
    for name in ("est_dates", "cov", "est_market"):
        np.testing.assert_array_equal(
            np.asarray(getattr(fast.arrays, name)), np.asarray(getattr(slow.arrays, name))
        )
    pd.testing.assert_frame_equal(fast.tests(), slow.tests())


@pytest.mark.parametrize("layout", ["F", "C", "one column"])
def test_gather_pattern_fills_the_rows_outside_the_data(layout):
    """``gather_pattern`` reads windows reaching before and after the data (the row-by-row
    gather with NaN, or False for a boolean table, outside), also when the windows are longer
    than the data; no window, no rows."""
    from eventstudy.engine.windows import RowWindows, gather_pattern

    rng = np.random.default_rng(13)
    values = rng.normal(size=(40, 3))
    values = np.asfortranarray(values) if layout == "F" else np.ascontiguousarray(values)
    offsets = np.array([0, 1, 2, 8, 9])
    first = np.array([-9, -3, 0, 5, 30, 35, 39, 12])
    cols = np.zeros(8, dtype=np.intp) if layout == "one column" else rng.integers(0, 3, 8)
    rows = first[:, None] + offsets
    expected = gather(values, rows, cols)  # NaN outside
    got = gather_pattern(values, first, cols, 5, offsets)
    np.testing.assert_array_equal(got, expected)
    assert np.isnan(got[0]).sum() == 4 and np.isnan(got[5]).sum() == 2  # before, after
    flags = np.asfortranarray(values > 0) if layout == "F" else values > 0
    inside = (rows >= 0) & (rows < 40)
    want = np.where(inside, flags[np.clip(rows, 0, 39), cols[:, None]], False)
    got_flags = gather_pattern(flags, first, cols, 5, offsets, fill=False, dtype=bool)
    assert got_flags.dtype == bool
    np.testing.assert_array_equal(got_flags, want)
    short = values[:6]  # windows longer than the data: row by row
    np.testing.assert_array_equal(
        gather_pattern(short, first, cols, 5, offsets), gather(short, rows, cols)
    )
    assert gather_pattern(values, first[:0], cols[:0], 5, offsets).shape == (0, 5)
    assert RowWindows(values, first[:0], 0, None, np.array([], dtype=int)).shape == (0, 0)
