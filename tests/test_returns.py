"""Returns and differences: units, gaps (multi_day), validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_series_equal

from eventstudy.engine.returns import RETURN_KINDS, differences, to_returns
from eventstudy.exceptions import SpecificationError

IDX = pd.date_range("2024-01-01", periods=5, freq="B")


def test_log_is_default_and_simple_by_hand():
    p = pd.Series([100.0, 110.0, 99.0, 99.0, 108.9], index=IDX, name="GLD")
    log = to_returns(p)
    expected = pd.Series(
        [np.nan, np.log(1.1), np.log(0.9), 0.0, np.log(1.1)], index=IDX, name="GLD"
    )
    assert_series_equal(log, expected, rtol=1e-15)
    simple = to_returns(p, kind="simple")
    assert_series_equal(
        simple, pd.Series([np.nan, 0.1, -0.1, 0.0, 0.1], index=IDX, name="GLD"), rtol=1e-12
    )


def test_multi_day_spans_gap_or_gives_nan():
    p = pd.DataFrame({"A": [100.0, np.nan, np.nan, 121.0, 121.0], "B": 1.0}, index=IDX)
    spanning = to_returns(p, kind="simple", multi_day=True)
    assert_frame_equal(
        spanning,
        pd.DataFrame({"A": [np.nan, np.nan, np.nan, 0.21, 0.0], "B": [np.nan, 0, 0, 0, 0.0]}, IDX),
        rtol=1e-12,
    )
    broken = to_returns(p, kind="log", multi_day=False)
    assert np.isnan(broken["A"].iloc[3])
    assert broken["A"].iloc[4] == 0.0
    # log returns across the gap add up to the two-point log return
    assert np.isclose(to_returns(p)["A"].sum(), np.log(1.21))


def test_leading_missing_prices_like_an_ipo():
    p = pd.Series([np.nan, np.nan, 50.0, 55.0, 60.5], index=IDX)
    r = to_returns(p, kind="simple")
    assert r.isna().tolist() == [True, True, True, False, False]


def test_differences_for_levels():
    y = pd.Series([4.0, 4.1, np.nan, 3.9, -0.2], index=IDX)
    assert_series_equal(
        differences(y), pd.Series([np.nan, 0.1, np.nan, -0.2, -4.1], index=IDX), rtol=1e-12
    )
    assert np.isnan(differences(y, multi_day=False).iloc[3])


def test_rejects_bad_input():
    with pytest.raises(SpecificationError, match=r"log.*simple"):
        to_returns(pd.Series([1.0, 2.0], index=IDX[:2]), kind="pct")
    with pytest.raises(SpecificationError, match="positive"):
        to_returns(pd.Series([1.0, -2.0], index=IDX[:2]))
    with pytest.raises(SpecificationError, match="sorted"):
        to_returns(pd.Series([1.0, 2.0], index=IDX[:2][::-1]))
    assert set(RETURN_KINDS) == {"log", "simple"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.5, 2.0), min_size=2, max_size=30))
def test_log_returns_telescope(growth):
    prices = pd.Series(100 * np.cumprod(growth))
    r = to_returns(prices)
    assert np.isclose(r.sum(), np.log(prices.iloc[-1] / prices.iloc[0]), atol=1e-10)
    assert np.allclose(np.expm1(r.iloc[1:]), to_returns(prices, kind="simple").iloc[1:])
