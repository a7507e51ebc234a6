"""The engine against PyPI ``eventstudy`` 0.1a12 (``validation/pyeventstudy_gafam``).

PyPI eventstudy's conventions, pinned from its outputs (and reproduced by
``variance="pyeventstudy"``): market model OLS on ``estimation_size`` days ending ``buffer`` days
before the event-window start, i.e. ``EstimationWindow(length=size, end=start - buffer - 1)``;
σ² = ``np.var`` of the estimation residuals (ddof 0); Var(AR) = σ² (no prediction-error term);
Var(CAR(start..τ)) = L σ²; t distribution with ``size - 1`` df, two-sided p. Multi-event:
Var(AAR) = Σσ²_i / N², Var(CAAR) cumulative, df = Σ(size - 1). Day 0 is the first trading
date within 4 calendar days on or after the event date. The simple returns are used as given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow, EventWindow

# expected files carry 12 decimals: compare at 1e-8 relative with a 1e-11 absolute floor
RTOL, ATOL = 1e-8, 1e-11
SINGLE = [
    ("expected_single_mm_AAPL_2007-01-09.csv", "AAPL", "2007-01-09"),
    ("expected_single_mm_AAPL_2008-01-09.csv", "AAPL", "2008-01-09"),
    ("expected_single_mm_MSFT_2007-01-09.csv", "MSFT", "2007-01-09"),
]


@pytest.fixture(scope="module")
def gafam(validation_dir):
    return pd.read_csv(
        validation_dir / "pyeventstudy_gafam" / "returns_GAFAM.csv", index_col=0, parse_dates=True
    )


def _single(returns, asset, day0, variance):
    events = pd.DataFrame({"event_id": [f"{asset}_{day0}"], "asset": [asset], "day0": [day0]})
    returns = returns.copy()
    returns.attrs["return_type"] = "simple"
    return EventStudy(
        returns,
        events,
        "market",
        benchmark=returns["SPY"],
        estimation_window=EstimationWindow(length=300, end=-2 - 30 - 1),
        # PyPI eventstudy moves day 0 at most 4 days; it counts rows of its data frame, which
        # here are every asset's trading days, so the default (asset) calendar is the same
        event_window=EventWindow(-2, 10, max_day0_shift=4),
        car_windows=[(-2, 10), (0, 0)],
    ).fit(variance=variance)


@pytest.mark.parametrize(("fname", "asset", "day0"), SINGLE)
def test_single_event_compatibility(gafam, reference_dir, fname, asset, day0):
    exp = pd.read_csv(reference_dir / "pyeventstudy_gafam" / fname)
    res = _single(gafam, asset, day0, "pyeventstudy")
    path = res.car_path
    assert res.ar["rel_day"].tolist() == exp["rel"].tolist()
    assert_allclose(res.ar["ar"], exp["AR"], rtol=RTOL, atol=ATOL)
    assert_allclose(res.ar["ar_se"], exp["Std. E. AR"], rtol=RTOL, atol=ATOL)
    assert_allclose(path["car"], exp["CAR"], rtol=RTOL, atol=ATOL)
    assert_allclose(path["car_se"], exp["Std. E. CAR"], rtol=RTOL, atol=ATOL)
    assert_allclose(path["tstat"], exp["T-stat"], rtol=RTOL, atol=ATOL)
    assert_allclose(path["pvalue"], exp["P-value"], rtol=RTOL, atol=ATOL)
    # the same numbers through car(window=...) for the full window
    full = res.car(window=(-2, 10))
    assert_allclose(full["car"], exp["CAR"].iloc[-1], rtol=RTOL, atol=ATOL)
    assert full["df"].iloc[0] == 299


def test_textbook_default_differs_as_documented(gafam, reference_dir):
    exp = pd.read_csv(reference_dir / "pyeventstudy_gafam" / SINGLE[0][0])
    res = _single(gafam, "AAPL", "2007-01-09", "textbook")
    # same OLS, so the same ARs ...
    assert_allclose(res.ar["ar"], exp["AR"], rtol=RTOL, atol=ATOL)
    # ... but s^2 uses n - 2 and the prediction-error term: every SE is larger
    assert (res.ar["ar_se"].to_numpy() > exp["Std. E. AR"].to_numpy()).all()
    n = 300
    s0 = exp["Std. E. AR"].iloc[0]
    s_textbook = res.nobs["sigma"].iloc[0]
    assert_allclose(s_textbook**2, s0**2 * n / (n - 2), rtol=1e-8)
    path = res.car_path
    assert (path["car_se"].to_numpy() > exp["Std. E. CAR"].to_numpy()).all()
    # the textbook t on day 0 is smaller than the peer's 2.1404
    t0 = path.loc[path.rel_day == 0, "tstat"].iloc[0]
    assert 1.9 < t0 < exp.loc[exp.rel == 0, "T-stat"].iloc[0]
    assert res.car["df"].iloc[0] == 298


@pytest.fixture(scope="module")
def tenk(gafam, validation_dir):
    raw = pd.read_csv(validation_dir / "pyeventstudy_gafam" / "10K.csv", encoding="utf-8-sig")
    day0 = pd.to_datetime(raw["event_date"], format="%d/%m/%Y")
    events = pd.DataFrame(
        {
            "event_id": [
                f"{a}_{d:%Y-%m-%d}" for a, d in zip(raw.security_ticker, day0, strict=True)
            ],
            "asset": raw["security_ticker"],
            "market": raw["market_ticker"],
            "day0": day0,
        }
    )
    gafam = gafam.copy()
    gafam.attrs["return_type"] = "simple"
    return EventStudy(
        gafam,
        events,
        benchmark=gafam[["SPY"]],
        estimation_window=EstimationWindow(length=200, end=-5 - 30 - 1),
        event_window=EventWindow(-5, 10, max_day0_shift=4),
        car_windows=[(-5, 10)],
    ).fit(variance="pyeventstudy")


def test_multiple_events_compatibility(tenk, reference_dir):
    exp = pd.read_csv(reference_dir / "pyeventstudy_gafam" / "expected_multiple_mm_10K.csv")
    assert tenk.n_events == 38
    assert_allclose(tenk.aar["aar"], exp["AAR"], rtol=RTOL, atol=ATOL)
    assert_allclose(tenk.aar["aar_se"], exp["Std. E. AAR"], rtol=RTOL, atol=ATOL)
    path = tenk.caar_path
    assert_allclose(path["caar"], exp["CAAR"], rtol=RTOL, atol=ATOL)
    assert_allclose(path["caar_se"], exp["Std. E. CAAR"], rtol=RTOL, atol=ATOL)
    assert_allclose(path["tstat"], exp["T-stat"], rtol=RTOL, atol=ATOL)
    assert_allclose(path["pvalue"], exp["P-value"], rtol=RTOL, atol=ATOL)
    assert_allclose(tenk.caar["caar"].iloc[0], exp["CAAR"].iloc[-1], rtol=RTOL)


def test_unusable_events_are_excluded_with_reasons(tenk):
    ex = tenk.exclusions
    assert list(ex.columns) == ["event_id", "asset", "stage", "reason"]
    assert sorted(ex["event_id"]) == ["AMZN_2020-01-31", "FB_2020-01-30", "GOOG_2020-02-04"]
    assert (ex["stage"] == "day0").all()
    assert ex["reason"].str.contains("after the last date").all()
    status = tenk.events.set_index("event_id")["status"]
    assert (status == "excluded").sum() == 3
    assert (status == "studied").sum() == 38
    assert np.isfinite(tenk.panel.event_ar).all()
