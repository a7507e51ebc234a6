"""EventStudy / EventStudyResults: pipeline, exclusions, properties on simulated data."""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from pandas.testing import assert_frame_equal

from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow
from eventstudy.exceptions import SpecificationError


def simulate(n_assets=8, n_days=400, seed=1, sigma=0.01, alpha=0.0002, beta=0.9):
    """Market-model returns: R = alpha + beta Rm + eps, eps ~ N(0, sigma^2) independent."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2020-01-01", periods=n_days)
    mkt = pd.Series(rng.normal(0.0003, 0.01, n_days), index=idx, name="MKT")
    eps = rng.normal(0, sigma, (n_days, n_assets))
    rets = pd.DataFrame(
        alpha + beta * mkt.to_numpy()[:, None] + eps,
        index=idx,
        columns=[f"A{j}" for j in range(n_assets)],
    )
    return rets, mkt


@pytest.fixture(scope="module")
def sim():
    rets, mkt = simulate()
    events = pd.DataFrame(
        {
            "event_id": [f"e{j}" for j in range(8)],
            "asset": rets.columns,
            "day0": rets.index[[150, 170, 190, 210, 230, 250, 270, 290]],
        }
    )
    return rets, mkt, events


def _fit(rets, mkt, events, **kw):
    opts = {
        "benchmark": mkt,
        "estimation_window": EstimationWindow(100, -11),
        "event_window": (-5, 5),
        "car_windows": ((-1, 1), (0, 0), (0, 5)),
        "tests": ["csect_t", "patell", "bmp"],
    }
    opts.update(kw)
    return EventStudy(rets, events, **opts).fit()


@pytest.fixture(scope="module")
def res(sim):
    return _fit(*sim)


def test_frames_have_the_documented_columns(res):
    assert list(res.ar.columns) == [
        "event_id", "asset", "rel_day", "date", "ret", "normal_ret", "ar", "ar_se", "sar",
    ]  # fmt: skip
    assert list(res.car.columns) == [
        "event_id", "asset", "window_start", "window_end", "car", "car_se", "scar", "tstat",
        "pvalue", "df",
    ]  # fmt: skip
    assert list(res.params.columns) == ["event_id", "asset", "param", "value", "std_error"]
    assert list(res.exclusions.columns) == ["event_id", "asset", "stage", "reason"]
    assert len(res.ar) == 8 * 11 and len(res.car) == 8 * 3
    assert res.n_events == 8
    assert (res.nobs["nobs"] == 100).all() and (res.nobs["df"] == 98).all()
    assert res.estimation_window.bounds == (-110, -11)
    assert res.event_window.bounds == (-5, 5)


def test_ar_is_return_minus_normal_and_dates_follow_the_index(res, sim):
    rets, _, events = sim
    assert_allclose(res.ar["ar"], res.ar["ret"] - res.ar["normal_ret"], rtol=1e-14)
    first = res.ar[res.ar["event_id"] == "e0"]
    pos = rets.index.get_loc(events["day0"].iloc[0])
    assert first["date"].tolist() == list(rets.index[pos - 5 : pos + 6])
    assert_allclose(first["ret"], rets["A0"].iloc[pos - 5 : pos + 6])


@settings(max_examples=30, deadline=None)
@given(st.integers(-5, 5), st.integers(0, 10))
def test_car_equals_sum_of_ars_for_any_window(res, start, length):
    end = min(start + length, 5)
    car = res.car(window=(start, end)).set_index("event_id")["car"]
    ar = res.ar[(res.ar.rel_day >= start) & (res.ar.rel_day <= end)]
    assert_allclose(car.loc[ar.groupby("event_id")["ar"].sum().index],
                    ar.groupby("event_id")["ar"].sum(), rtol=1e-12, atol=1e-15)  # fmt: skip
    caar = res.caar(window=(start, end))
    assert_allclose(caar["caar"].iloc[0], car.mean(), rtol=1e-12, atol=1e-15)


def test_car_window_method_matches_attribute_and_variance_formula(res):
    for w in res.car_windows:
        via_method = res.car(window=w)
        stored = pd.DataFrame(res.car)
        stored = stored[(stored.window_start == w[0]) & (stored.window_end == w[1])]
        assert_frame_equal(via_method, stored.reset_index(drop=True), check_frame_type=False)
    # Var(CAR) = gamma' V gamma > sum of daily variances (positive AR covariance)
    three = res.car(window=(-1, 1))
    daily = (
        res.ar[res.ar.rel_day.between(-1, 1)]
        .groupby("event_id")["ar_se"]
        .apply(lambda s: (s**2).sum())
    )
    assert (three.set_index("event_id")["car_se"] ** 2 > daily).all()


def test_injected_abnormal_return_is_recovered():
    rets, mkt = simulate(seed=5, sigma=0.01)
    day0 = rets.index[300]
    rets.loc[day0, "A3"] += 0.05
    events = pd.DataFrame({"event_id": ["hit", "miss"], "asset": ["A3", "A4"], "day0": [day0] * 2})
    r = _fit(rets, mkt, events, estimation_window=EstimationWindow(250, -11))
    row = r.ar[(r.ar.event_id == "hit") & (r.ar.rel_day == 0)].iloc[0]
    assert abs(row["ar"] - 0.05) < 4 * row["ar_se"]  # noise SD ~ 0.01
    assert row["sar"] > 3
    car = r.car.set_index(["event_id", "window_start", "window_end"])
    assert car.loc[("hit", 0, 0), "tstat"] > 3
    assert car.loc[("hit", 0, 0), "pvalue"] < 0.01
    assert abs(car.loc[("miss", 0, 0), "tstat"]) < 4
    params = r.params.set_index(["event_id", "param"])["value"]
    assert abs(params[("hit", "beta")] - 0.9) < 0.1


def test_reordering_events_changes_no_cross_sectional_statistic(sim):
    rets, mkt, events = sim
    a = _fit(rets, mkt, events)
    b = _fit(rets, mkt, events.iloc[::-1].reset_index(drop=True))
    assert_frame_equal(a.aar, b.aar, rtol=1e-12)
    assert_frame_equal(pd.DataFrame(a.caar), pd.DataFrame(b.caar), rtol=1e-12)
    key = ["test", "window_start", "window_end"]
    ta = a.tests.sort_values(key).reset_index(drop=True)
    tb = b.tests.sort_values(key).reset_index(drop=True)
    assert len(ta) > 0
    assert_allclose(ta["stat"], tb["stat"], rtol=1e-10)
    cars = a.car.sort_values(["event_id", "window_start"]).reset_index(drop=True)
    assert_frame_equal(cars, b.car.sort_values(["event_id", "window_start"]).reset_index(drop=True),
                       check_frame_type=False)  # fmt: skip


def test_scar_variance_uses_prediction_error_correction():
    """Under the null, SCAR ~ t(L1-k): Var = (L1-k)/(L1-k-2). With a short estimation window
    and a long CAR window, summing daily variances (L s^2) would give a much larger variance."""
    rng = np.random.default_rng(11)
    n_ev, n_days, l1 = 4000, 50, 30
    idx = pd.bdate_range("2021-01-01", periods=n_days)
    mkt = pd.DataFrame(rng.normal(0, 0.01, (n_days, n_ev)), index=idx)
    mkt.columns = [f"M{j}" for j in range(n_ev)]
    rets = pd.DataFrame(0.8 * mkt.to_numpy() + rng.normal(0, 0.01, (n_days, n_ev)), index=idx)
    rets.columns = [f"A{j}" for j in range(n_ev)]
    events = pd.DataFrame(
        {"event_id": rets.columns, "asset": rets.columns, "market": mkt.columns, "day0": idx[40]}
    )
    r = EventStudy(
        rets, events, benchmark=mkt, estimation_window=EstimationWindow(l1, -1),
        event_window=(0, 9), car_windows=[(0, 9)], tests=["csect_t"],
    ).fit()  # fmt: skip
    scar = r.car["scar"].to_numpy()
    expected = (l1 - 2) / (l1 - 2 - 2)
    se = expected * np.sqrt(2 / n_ev) * 1.3  # sampling SD of a variance estimate (t tails)
    assert abs(scar.var() - expected) < 4 * se
    assert abs(scar.mean()) < 4 / np.sqrt(n_ev)
    naive = r.car["car"] / np.sqrt(10 * r.nobs["sigma"] ** 2)
    assert naive.var() > expected + 8 * se  # L s^2 over-rejects


def test_every_event_is_studied_or_excluded_with_a_reason(sim):
    rets, mkt, _ = sim
    rets = rets.copy()
    rets.iloc[201, rets.columns.get_loc("A2")] = np.nan
    idx = rets.index
    events = pd.DataFrame(
        {
            "event_id": ["ok", "late", "past_end", "short", "gap", "nosuch", "weekend"],
            "asset": ["A0", "A1", "A1", "A1", "A2", "ZZ", "A5"],
            "day0": [idx[150], idx[-1] + pd.Timedelta(days=3), idx[-3], idx[30], idx[200],
                     idx[150], pd.Timestamp("2020-09-05")],
        }
    )  # fmt: skip
    r = _fit(rets, mkt, events)
    ex = r.exclusions.set_index("event_id")
    assert set(ex.index) == {"late", "past_end", "short", "gap", "nosuch"}
    assert ex.loc["late", "stage"] == "day0"
    assert "past the last date" in ex.loc["past_end", "reason"]
    assert ex.loc["short", "stage"] == "estimation"
    assert "fewer than min_estimation_obs=50" in ex.loc["short", "reason"]
    assert "1 missing return(s) in the event window" in ex.loc["gap", "reason"]
    assert "not a column of returns" in ex.loc["nosuch", "reason"]
    assert r.n_events + len(ex) == len(events)
    # a Saturday day0 moves to the next trading date (Monday)
    ev = r.events.set_index("event_id")
    assert ev.loc["weekend", "day0_date"] == pd.Timestamp("2020-09-07")
    assert ev.loc["weekend", "status"] == "studied"
    # with a 1-day limit on the shift, the Saturday event is excluded
    r1 = _fit(rets, mkt, events.iloc[[0, 6]], max_day0_shift=1)
    assert r1.exclusions["event_id"].tolist() == ["weekend"]
    # event_missing="keep" keeps the gap event with a NaN AR, other days intact
    r2 = _fit(rets, mkt, events.iloc[[0, 4]], event_missing="keep")
    assert r2.n_events == 2
    gap = r2.ar[r2.ar.event_id == "gap"]
    assert gap["ar"].isna().sum() == 1
    assert np.isnan(r2.panel.event_cov[1, 6, 6]) and np.isfinite(r2.panel.event_cov[1, 0, 0])


def test_tz_aware_day0_raises_instead_of_taking_the_local_date(sim):
    rets, mkt, events = sim
    aware = events.assign(day0=pd.to_datetime(events["day0"]).dt.tz_localize("America/New_York"))
    with pytest.raises(SpecificationError, match="tz-naive") as info:
        EventStudy(rets, aware, benchmark=mkt)
    assert "day0_for_events" in str(info.value) and "align_events" in str(info.value)
    # an event time given as a string with an offset is tz-aware too
    text = events.assign(day0=["2020-08-04T23:30:00-04:00"] * len(events))
    with pytest.raises(SpecificationError, match="trading date"):
        EventStudy(rets, text, benchmark=mkt)


def test_nat_day0_is_excluded_as_missing(sim):
    rets, mkt, events = sim
    ev = events.copy()
    ev["day0"] = ev["day0"].astype("datetime64[ns]")
    ev.loc[3, "day0"] = pd.NaT
    r = _fit(rets, mkt, ev)
    ex = r.exclusions.set_index("event_id")
    assert list(ex.index) == ["e3"]
    assert ex.loc["e3", "stage"] == "day0"
    assert ex.loc["e3", "reason"] == "day 0 is missing (NaT)"
    assert r.n_events == len(events) - 1
    # the other events are unchanged by the missing one
    kept = _fit(rets, mkt, events.drop(index=3))
    assert_frame_equal(r.car.reset_index(drop=True), kept.car.reset_index(drop=True))


def test_estimation_mask_equals_dropping_those_returns(sim):
    rets, mkt, events = sim
    mask = pd.Series(False, index=rets.index)
    mask.iloc[100:130] = True
    a = _fit(rets, mkt, events, estimation_mask=mask)
    dropped = rets.copy()
    dropped.iloc[100:130] = np.nan
    b = _fit(dropped, mkt, events.iloc[:2])
    pa = a.params[a.params.event_id.isin(["e0", "e1"])].reset_index(drop=True)
    assert_frame_equal(pa, b.params)
    assert (a.nobs.set_index("event_id").loc[["e0", "e1"], "nobs"] < 100).all()


def test_models_run_through_the_pipeline(sim):
    rets, mkt, events = sim
    factors = pd.DataFrame({"F1": np.random.default_rng(2).normal(0, 0.01, len(rets))},
                           index=rets.index)  # fmt: skip
    for model, k in (("constant_mean", 1), ("market_adjusted", 0), ("factor", 3)):
        r = _fit(rets, mkt, events, model=model, factors=factors)
        assert r.model == model and (r.nobs["k"] == k).all()
        assert r.panel.k[0] == k and r.exclusions.empty
    g = _fit(rets, mkt, events.iloc[:2], model="garch", estimation_window=EstimationWindow(140, -1),
             event_window=(0, 5), car_windows=[(0, 5)])  # fmt: skip
    assert g.n_events == 2
    assert "omega" in set(g.params["param"])
    assert_allclose(g.ar["sar"], g.ar["ar"] / g.ar["ar_se"])


def test_validation_at_construction(sim):
    rets, mkt, events = sim
    with pytest.raises(SpecificationError, match="constant_mean"):
        EventStudy(rets, events, benchmark=mkt, model="capm")
    with pytest.raises(SpecificationError, match="two-sided"):
        EventStudy(rets, events, benchmark=mkt, alternative="both")
    with pytest.raises(SpecificationError, match="needs a benchmark"):
        EventStudy(rets, events)
    with pytest.raises(SpecificationError, match="end before"):
        EventStudy(rets, events, benchmark=mkt, estimation_window=(-100, 0), event_window=(0, 5))
    with pytest.raises(SpecificationError, match="day0"):
        EventStudy(rets, events.drop(columns="day0"), benchmark=mkt)
    with pytest.raises(SpecificationError, match="duplicate"):
        EventStudy(rets, pd.concat([events, events]), benchmark=mkt)
    with pytest.raises(SpecificationError, match="pyeventstudy"):
        EventStudy(rets, events, benchmark=mkt, variance="stata")


def test_results_are_read_only_and_summarise(res, sim):
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.model = "x"
    text = res.summary().as_text()
    assert "[1] No event excluded." in text and "CLM 4.4.9" in text
    assert "(-1, 1)" in text
    assert "<table" in res._repr_html_()
    assert "tabular" in res.summary().as_latex()
    assert repr(res).startswith("<EventStudyResults model='market' n_events=8")
    long = res.to_frame()
    assert set(long["statistic"]) == {"car", "car_pct", "car_se", "scar", "pvalue"}
    assert len(long) == len(res.car) * 5
    ci = res.conf_int(level=0.9)
    assert (ci["lower"] < ci["car"]).all() and (ci["car"] < ci["upper"]).all()
    with pytest.raises(SpecificationError):
        res.conf_int(level=1.5)
    rets, mkt, events = sim
    versions = {"snapshot": "eventstudy-data/1", "sha256": "abc"}
    r = _fit(rets, mkt, events.iloc[:3], data_versions=versions)
    assert r.data_versions == versions


def test_summary_notes_list_exclusions(sim):
    rets, mkt, events = sim
    ev = events.copy()
    ev.loc[0, "day0"] = rets.index[30]
    r = _fit(rets, mkt, ev)
    assert "[1] 1 event(s) excluded" in r.summary().as_text()


def test_plots_return_axes_with_the_data(res):
    ax = res.plot_car()
    assert_allclose(ax.lines[0].get_ydata(), 100 * res.caar_path["caar"])
    assert_allclose(ax.lines[0].get_xdata(), np.arange(-5, 6))
    _, ax2 = plt.subplots()
    assert res.plot_ar(ax=ax2) is ax2
    assert_allclose([p.get_height() for p in ax2.patches], 100 * res.aar["aar"])
    ax3 = res.plot_car(event_id="e1")
    path = res.car_path[res.car_path.event_id == "e1"]
    assert_allclose(ax3.lines[0].get_ydata(), 100 * path["car"])
    plt.close("all")
