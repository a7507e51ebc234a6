"""The claims' HAC regression without statsmodels (:func:`eventstudy.claims.tests.ols_hac_slope`):
statsmodels' OLS slope and HAC standard error, bit for bit, on real and generated series."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.claims.tests import ols_hac_slope
from eventstudy.data.store import load_prices, load_series

linear_model = pytest.importorskip("statsmodels.regression.linear_model")
tools = pytest.importorskip("statsmodels.tools.tools")


def _statsmodels(y: np.ndarray, x: np.ndarray, lags: int) -> tuple[float, float]:
    exog = tools.add_constant(x, has_constant="add")
    fit = linear_model.OLS(y, exog).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    return float(fit.params[1]), float(fit.bse[1])


def _assert_same(y: np.ndarray, x: np.ndarray, lags: int) -> None:
    expected = _statsmodels(y, x, lags)
    got = ols_hac_slope(y, x, lags)
    assert np.array(got).tobytes() == np.array(expected).tobytes(), (got, expected)


def test_hac_slope_is_statsmodels_on_real_series(snapshot_dir):
    """The claims' shapes: a mean shift of GPRD (a dummy) and gold on GPRD (a slope)."""
    gprd = load_series("GPRD", snapshot_dir).loc["2024-11-20":"2025-05-18"].dropna()
    shift = (gprd.index >= "2025-02-18").astype(float)
    for lags in (0, 1, 4, 12):
        _assert_same(gprd.to_numpy(float), shift, lags)
    gold = np.log(load_prices("GC=F", snapshot_dir)["close"]).diff()
    both = pd.concat([gold, load_series("GPRD", snapshot_dir).diff()], axis=1, sort=True)
    both = both.dropna()
    both = both.loc["2024-02-01":"2025-12-31"]
    for lags in (0, 5, 9):
        _assert_same(both.iloc[:, 0].to_numpy(float), both.iloc[:, 1].to_numpy(float), lags)


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(3, 400),
    lags=st.integers(0, 12),
    kind=st.sampled_from(["dummy", "normal", "trend", "constant"]),
    scale=st.floats(-6, 6),
)
def test_hac_slope_is_statsmodels_on_generated_series(seed, n, lags, kind, scale):
    rng = np.random.default_rng(seed)
    x = {
        "dummy": (np.arange(n) >= n // 2).astype(float),
        "normal": rng.standard_normal(n),
        "trend": np.arange(n, dtype=float),
        "constant": np.full(n, 2.0),  # rank-deficient: minimum-norm slope, as statsmodels
    }[kind]
    y = 10.0**scale * rng.standard_normal(n) + 0.3 * x
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels may warn on the rank-deficient design
        _assert_same(y, x, min(lags, n - 1))
