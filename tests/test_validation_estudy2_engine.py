"""The engine against estudy2 0.10.0's COVID-19 lockdown case (``validation/estudy2_covid19``).

Mapping of estudy2's calendar windows to event time (see the CONVENTIONS.md of the case):
day 0 = 2020-03-16 (first day of the event window 2020-03-16..2020-03-20), event window (0, 4);
the estimation window 2019-04-01..2020-03-13 ends at offset -1 and holds 240 trading days of
returns (2019-04-02..2020-03-13; the 2019-04-01 close has no return), so
``EstimationWindow(length=240, end=-1)``. Missing returns (ZM, UBER IPOs) are dropped from the
estimation as estudy2 does (ZM 227, UBER 212 observations).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from eventstudy.engine.returns import to_returns
from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow

RTOL = 1e-8


@pytest.fixture(scope="module")
def case(validation_dir, reference_dir):
    d = validation_dir / "estudy2_covid19"  # inputs
    e = reference_dir / "estudy2_covid19"  # estudy2's outputs

    def read(name):
        return pd.read_csv(d / name, index_col=0, parse_dates=True)

    return {
        "rates": read("rates_logreturns.csv"),
        "index": read("rates_indx_logreturns.csv")["^GSPC"],
        "prices": read("prices.csv"),
        "prices_indx": read("prices_indx.csv")["^GSPC"],
        "coef": pd.read_csv(e / "expected_market_model_coefficients.csv").set_index("ticker"),
        "param": pd.read_csv(e / "expected_parametric_tests.csv", parse_dates=["date"]),
        "car": pd.read_csv(e / "expected_car_parametric_tests.csv"),
        "nonpar": pd.read_csv(e / "expected_nonparametric_tests.csv"),
        "car_rank": pd.read_csv(e / "expected_car_rank_test.csv"),
    }


def _study(returns, market, **fit_options):
    events = pd.DataFrame({"event_id": "covid19", "asset": returns.columns, "day0": "2020-03-16"})
    return EventStudy(
        returns,
        events,
        "market",
        benchmark=market,
        estimation_window=EstimationWindow(length=240, end=-1),
        event_window=(0, 4),
        car_windows=[(0, 4)],
    ).fit(**fit_options)


@pytest.fixture(scope="module")
def res(case):
    return _study(case["rates"], case["index"])


def _coefs(res):
    wide = res.params.pivot(index="asset", columns="param", values="value")
    return wide.join(res.nobs.set_index("asset")["nobs"])


def test_market_model_coefficients(res, case):
    got = _coefs(res).loc[case["coef"].index]
    assert_allclose(got["alpha"], case["coef"]["alpha"], rtol=RTOL)
    assert_allclose(got["beta"], case["coef"]["beta"], rtol=RTOL)
    assert got["nobs"].tolist() == case["coef"]["estimation_length"].tolist()


def test_coefficients_from_prices_with_multi_day_log_returns(case):
    rets = to_returns(case["prices"], kind="log", multi_day=True)
    mkt = to_returns(case["prices_indx"], kind="log", multi_day=True)
    # our returns reproduce estudy2's securities returns (max abs diff ~1e-15)
    assert_allclose(rets.iloc[1:], case["rates"], rtol=0, atol=1e-14)
    res = _study(rets, mkt)
    got = _coefs(res).loc[case["coef"].index]
    assert_allclose(got["alpha"], case["coef"]["alpha"], rtol=RTOL)
    assert_allclose(got["beta"], case["coef"]["beta"], rtol=RTOL)
    assert got["nobs"].tolist() == case["coef"]["estimation_length"].tolist()


def test_mean_abnormal_return_per_day(res, case):
    exp = case["param"].set_index("date")["mean"]
    got = res.ar.groupby("date")["ar"].mean()
    assert_allclose(got.loc[exp.index], exp, rtol=RTOL)
    assert_allclose(res.aar["aar"], exp.to_numpy(), rtol=RTOL)
    assert res.aar["rel_day"].tolist() == [0, 1, 2, 3, 4]
    assert res.ar["date"].min() == pd.Timestamp("2020-03-16")
    assert res.ar["date"].max() == pd.Timestamp("2020-03-20")


def test_car_mean_is_mean_daily_aar(res, case):
    # estudy2's car_mean is the mean daily AAR over the window, i.e. CAAR / L
    exp = case["car"]["car_mean"].iloc[0]
    assert_allclose(res.caar["caar"].iloc[0] / 5, exp, rtol=RTOL)
    # CAR equals the sum of ARs, per stock
    sums = res.ar.groupby("asset")["ar"].sum()
    assert_allclose(res.car.set_index("asset")["car"].loc[sums.index], sums, rtol=1e-12)


def test_no_exclusions_and_textbook_variance(res):
    assert res.exclusions.empty
    assert res.n_events == 7
    # s^2 with n - 2 and the prediction-error term: V_tt > s^2 (1 + 1/n)
    ar_var = res.ar.set_index("asset")["ar_se"] ** 2
    s2 = res.nobs.set_index("asset")["sigma"] ** 2
    n = res.nobs.set_index("asset")["nobs"]
    lower = (s2 * (1 + 1 / n)).loc[ar_var.index]
    assert (ar_var.to_numpy() >= lower.to_numpy() * (1 - 1e-12)).all()


# estudy2 column -> battery test name
_DAILY = {
    "t_test_stat": "csect_t",
    "bw_1980_stat": "brown_warner_1980",
    "bw_1985_stat": "brown_warner_1985",
    "pt_stat": "patell",
    "bh_stat": "bmp",
    "lmb_stat": "lamb",
}
_DAILY_NONPARAMETRIC = {
    "sign_stat": "sign",
    "gsign_stat": "gen_sign",
    "csign_stat": "cz_sign",
    "rank_stat": "corrado_rank",
    "mrank_stat": "cz_rank",
    "wlcx_stat": "wilcoxon",
}
_CAR = {
    "car_lamb": "lamb",
    "car_brown_warner_1985": "brown_warner_1985",
    "car_rank_test": "corrado_rank",
}


def test_pipeline_hands_off_to_battery(case):
    """End to end: returns -> EventStudy -> panel -> battery reproduces estudy2's tables."""
    res = _study(case["rates"], case["index"], convention="estudy2")
    tests = res.tests()
    assert {"test", "rel_day", "window_start", "window_end", "stat", "pvalue", "dist", "df",
            "nobs", "alternative", "reason"} <= set(tests.columns)  # fmt: skip
    daily = tests[tests["rel_day"].notna()]
    assert set(daily["rel_day"].astype(int)) == {0, 1, 2, 3, 4}
    exp = case["param"].set_index("date")
    nonpar = case["nonpar"]
    for table, mapping in ((exp.reset_index(), _DAILY), (nonpar, _DAILY_NONPARAMETRIC)):
        for column, name in mapping.items():
            got = daily[daily["test"] == name].sort_values("rel_day")["stat"].to_numpy(float)
            assert_allclose(got, table[column].to_numpy(float), rtol=1e-8, err_msg=name)
    window = tests[tests["rel_day"].isna()]
    assert (window["window_start"] == 0).all() and (window["window_end"] == 4).all()
    rank = case["car_rank"]
    expected_car = {**dict(zip(case["car"]["name"], case["car"]["statistic"], strict=True)),
                    **dict(zip(rank["name"], rank["statistic"], strict=True))}  # fmt: skip
    for column, name in _CAR.items():
        got = window.loc[window["test"] == name, "stat"].to_numpy(float)
        assert_allclose(got, [expected_car[column]], rtol=1e-8, err_msg=name)
    # the panel handed to the battery is the textbook one
    assert_allclose(res.panel.event_ar.mean(axis=0), exp["mean"].to_numpy(), rtol=RTOL)
    assert np.all(res.panel.k == 2)
    assert_allclose(res.panel.sigma, res.nobs["sigma"].to_numpy(), rtol=0)
