"""EventStudy / EventStudyResults: pipeline, exclusions, properties on simulated data."""

from __future__ import annotations

import dataclasses
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from pandas.testing import assert_frame_equal

from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow, EventWindow
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


FIT_OPTIONS = ("tests", "alternative", "convention", "variance", "test_options")


def _fit(rets, mkt, events, *, event_window=(-5, 5), calendar="asset", missing="exclude",
         max_day0_shift=None, mask=None, **kw):  # fmt: skip
    """Build and fit a study; window options go to the window objects, inference to fit()."""
    est = kw.pop("estimation_window", EstimationWindow(100, -11))
    est = EstimationWindow(est.length, est.end, min_obs=est.min_obs, mask=mask)
    win = EventWindow(*event_window, calendar=calendar, missing=missing,
                      max_day0_shift=max_day0_shift)  # fmt: skip
    fit_kw = {"tests": ["csect_t", "patell", "bmp"]}
    fit_kw.update({k: kw.pop(k) for k in FIT_OPTIONS if k in kw})
    opts = {"benchmark": mkt, "car_windows": ((-1, 1), (0, 0), (0, 5))}
    opts.update(kw)
    return EventStudy(rets, events, estimation_window=est, event_window=win, **opts).fit(**fit_kw)


@pytest.fixture(scope="module")
def res(sim):
    return _fit(*sim)


def test_frames_have_the_documented_columns(res):
    assert list(res.ar.columns) == [
        "event_id", "asset", "rel_day", "date", "ret", "normal_ret", "ar", "ar_se", "sar",
    ]  # fmt: skip
    assert list(res.car.columns) == [
        "event_id", "asset", "window_start", "window_end", "car", "car_se", "tstat", "pvalue", "df",
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
    ta = a.tests().sort_values(key).reset_index(drop=True)
    tb = b.tests().sort_values(key).reset_index(drop=True)
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
        event_window=(0, 9), car_windows=[(0, 9)],
    ).fit()  # fmt: skip
    scar = r.car["tstat"].to_numpy()
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
    r = _fit(rets, mkt, events, calendar="shared")  # a NaN return is a gap, not a holiday
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
    # missing="keep" keeps the gap event with a NaN AR, other days intact
    r2 = _fit(rets, mkt, events.iloc[[0, 4]], missing="keep", calendar="shared")
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
    a = _fit(rets, mkt, events, mask=mask)
    dropped = rets.copy()
    dropped.iloc[100:130] = np.nan
    b = _fit(dropped, mkt, events.iloc[:2], calendar="shared")  # masked days keep their offsets
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
        EventStudy(rets, events, benchmark=mkt).fit(alternative="both")
    with pytest.raises(SpecificationError, match="needs a benchmark"):
        EventStudy(rets, events)
    with pytest.raises(SpecificationError, match="end before"):
        EventStudy(rets, events, benchmark=mkt, estimation_window=(-100, 0), event_window=(0, 5))
    with pytest.raises(SpecificationError, match="day0"):
        EventStudy(rets, events.drop(columns="day0"), benchmark=mkt)
    with pytest.raises(SpecificationError, match="duplicate"):
        EventStudy(rets, pd.concat([events, events]), benchmark=mkt)
    with pytest.raises(SpecificationError, match="pyeventstudy"):
        EventStudy(rets, events, benchmark=mkt).fit(variance="stata")


def test_results_are_read_only_and_summarise(res, sim):
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.model = "x"
    text = res.summary().as_text()
    assert "[1] No event excluded." in text and "CLM 4.4.9" in text
    assert "(-1, +1)" in text
    assert "CAAR per CAR window" in res.summary().as_csv()
    assert "<table" in res._repr_html_()
    assert "tabular" in res.summary().as_latex()
    assert repr(res).startswith("<EventStudyResults model='market' n_events=8")
    long = res.to_frame()
    assert list(long.columns) == ["event_id", "asset", "window", "statistic", "value"]
    assert set(long["statistic"]) == {"car", "car_pct", "car_se", "tstat", "pvalue"}
    assert len(long) == len(res.car) * 5
    ci = res.conf_int(level=0.9)
    assert (ci["lower"] < ci["car"]).all() and (ci["car"] < ci["upper"]).all()
    # the 90 % interval uses the 95 % quantile of t(df), df = 100 - 2 here
    half = 1.660551217065733 * res.car["car_se"].to_numpy()  # t.ppf(0.95, 98), R qt(0.95, 98)
    assert_allclose(ci["upper"] - ci["car"], half, rtol=1e-12)
    assert_allclose(ci["car"] - ci["lower"], half, rtol=1e-12)
    with pytest.raises(SpecificationError):
        res.conf_int(level=1.5)
    rets, mkt, events = sim
    versions = {"snapshot": "eventstudy-data/1", "sha256": "abc"}
    tagged = rets.copy()
    tagged.attrs["data_versions"] = versions
    r = _fit(tagged, mkt, events.iloc[:3])
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


# --------------------------------------------------------------------------------------------
# per-asset calendars, episodes, required sub-windows
# --------------------------------------------------------------------------------------------


def _markets_with_own_holidays():
    """Three index markets on one wide frame, each with NaN on its own holidays."""
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2021-01-01", periods=420)
    world = pd.Series(rng.normal(0.0002, 0.01, len(idx)), index=idx, name="WORLD")
    betas = {"US": 1.0, "DE": 0.8, "JP": 0.6}
    rets = pd.DataFrame(
        {
            m: 0.0001 + b * world.to_numpy() + rng.normal(0, 0.008, len(idx))
            for m, b in betas.items()
        },
        index=idx,
    )
    holidays = {"US": [140, 300, 305, 330], "DE": [298, 301, 320, 333], "JP": [299, 302, 303, 304]}
    for m, rows in holidays.items():
        rets.iloc[rows, rets.columns.get_loc(m)] = np.nan
    events = pd.DataFrame(
        {
            "event_id": ["a", "b", "c", "d"],
            "asset": ["US", "DE", "JP", "US"],
            "day0": idx[[302, 302, 301, 331]],
        }
    )
    return rets, world, events


def test_per_asset_calendars_equal_one_fit_per_market():
    rets, world, events = _markets_with_own_holidays()
    est, win = EstimationWindow(200, -6), EventWindow(-5, 5)
    wide = EventStudy(rets, events, benchmark=world, estimation_window=est, event_window=win,
                      car_windows=[(-1, 1), (-5, 5)]).fit()  # fmt: skip
    assert wide.exclusions.empty and wide.n_events == 4
    for market, group in events.groupby("asset"):
        own = rets[[market]].dropna()
        alone = EventStudy(own, group, benchmark=world,  estimation_window=est,
                           event_window=EventWindow(-5, 5, calendar="shared"),
                           car_windows=[(-1, 1), (-5, 5)]).fit()  # fmt: skip
        got = pd.DataFrame(wide.car).set_index(["event_id", "window_start"]).loc[group["event_id"]]
        exp = pd.DataFrame(alone.car).set_index(["event_id", "window_start"])
        assert_allclose(got["car"], exp.loc[got.index, "car"], rtol=1e-12)
        assert_allclose(got["car_se"], exp.loc[got.index, "car_se"], rtol=1e-12)
        ar_wide = wide.ar[wide.ar.asset == market].set_index(["event_id", "rel_day"])["ar"]
        ar_alone = alone.ar.set_index(["event_id", "rel_day"])["ar"]
        assert_allclose(ar_wide, ar_alone.loc[ar_wide.index], rtol=1e-12)
    # on the shared calendar the holidays of the other markets are missing returns
    shared = EventStudy(rets, events, benchmark=world, estimation_window=est,
                        event_window=EventWindow(-5, 5, calendar="shared")).fit()  # fmt: skip
    assert set(shared.exclusions["event_id"]) == {"a", "b", "c", "d"}


def test_per_asset_calendar_car_by_hand():
    """Event "b" (DE): OLS on the 200 DE trading days ending 6 DE days before day 0, worked out
    with numpy on the dropped-NaN series; CAR(-1, +1) and its variance γ'Vγ (CLM 4.4.9)."""
    rets, world, events = _markets_with_own_holidays()
    res = EventStudy(rets, events, benchmark=world, estimation_window=EstimationWindow(200, -6),
                     event_window=(-5, 5), car_windows=[(-1, 1)]).fit()  # fmt: skip
    de = rets["DE"].dropna()
    p0 = de.index.get_loc(pd.Timestamp(events.loc[1, "day0"]))
    est_dates = de.index[p0 - 205 : p0 - 5]
    ev_dates = de.index[p0 - 1 : p0 + 2]
    X = np.column_stack([np.ones(200), world.loc[est_dates]])
    y = de.loc[est_dates].to_numpy()
    b = np.linalg.solve(X.T @ X, X.T @ y)
    s2 = ((y - X @ b) ** 2).sum() / 198
    Xs = np.column_stack([np.ones(3), world.loc[ev_dates]])
    ar = de.loc[ev_dates].to_numpy() - Xs @ b
    V = s2 * (np.eye(3) + Xs @ np.linalg.inv(X.T @ X) @ Xs.T)
    row = pd.DataFrame(res.car).set_index("event_id").loc["b"]
    assert row["car"] == pytest.approx(ar.sum(), rel=1e-12)
    assert row["car_se"] == pytest.approx(np.sqrt(V.sum()), rel=1e-12)
    # DE's own holiday (row 298) is skipped: day -1 of "b" is the last DE day before day 0
    days = res.ar[(res.ar.event_id == "b") & res.ar.rel_day.between(-1, 1)]["date"]
    assert list(days) == list(ev_dates)


def test_asset_with_too_few_days_is_excluded_with_its_count():
    rets, world, events = _markets_with_own_holidays()
    rets["XX"] = np.nan
    rets.iloc[-50:, rets.columns.get_loc("XX")] = 0.001
    extra = pd.DataFrame({"event_id": ["x"], "asset": ["XX"], "day0": [rets.index[-20]]})
    ev = pd.concat([events, extra], ignore_index=True)
    res = EventStudy(rets, ev, benchmark=world, estimation_window=EstimationWindow(200, -6),
                     event_window=(-5, 5)).fit()  # fmt: skip
    ex = res.exclusions.set_index("event_id")
    assert list(ex.index) == ["x"]
    assert ex.loc["x", "stage"] == "asset"
    assert "has 50 trading day(s) with returns" in ex.loc["x", "reason"]


def test_extended_windows_sum_the_episode_days():
    rets, mkt = simulate(seed=3)
    events = pd.DataFrame(
        {"event_id": ["one", "episode"], "asset": ["A0", "A1"],
         "day0": rets.index[[200, 250]], "extend": [0, 3]}
    )  # fmt: skip
    res = EventStudy(rets, events, benchmark=mkt, estimation_window=EstimationWindow(100, -11),
                     event_window=(-5, 5), car_windows=[(-1, 1), (-5, -1)]).fit()  # fmt: skip
    plain = EventStudy(rets, events.drop(columns="extend"), benchmark=mkt,
                       estimation_window=EstimationWindow(100, -11), event_window=(-5, 8),
                       car_windows=[(-1, 4)]).fit()  # fmt: skip
    car = pd.DataFrame(res.car).set_index(["event_id", "window_start"])
    ref = plain.car(window=(-1, 4)).set_index("event_id")
    # the episode's (-1, +1) runs 3 days further: (-1, +4); the single event's does not
    assert car.loc[("episode", -1), "car"] == pytest.approx(ref.loc["episode", "car"], rel=1e-12)
    assert car.loc[("episode", -1), "car_se"] == pytest.approx(
        ref.loc["episode", "car_se"], rel=1e-12
    )
    one = plain.car(window=(-1, 1)).set_index("event_id").loc["one"]
    assert car.loc[("one", -1), "car"] == pytest.approx(one["car"], rel=1e-12)
    # a window ending before day 0 is not extended
    pre = plain.car(window=(-5, -1)).set_index("event_id").loc["episode"]
    assert car.loc[("episode", -5), "car"] == pytest.approx(pre["car"], rel=1e-12)
    # AR rows: each event's own window only; the battery reads the nominal window
    assert res.ar.groupby("event_id").size().to_dict() == {"episode": 14, "one": 11}
    assert res.panel.event_ar.shape == (2, 11)


def test_required_sub_window_keeps_events_missing_elsewhere():
    rets, mkt = simulate(seed=4)
    events = pd.DataFrame({"event_id": ["end"], "asset": ["A0"], "day0": [rets.index[-3]]})
    strict = _fit(rets, mkt, events)
    assert "past the last date" in strict.exclusions["reason"].iloc[0]
    kept = _fit(rets, mkt, events, missing=(-1, 1))
    assert kept.n_events == 1
    car = pd.DataFrame(kept.car).set_index(["window_start", "window_end"])["car"]
    assert np.isfinite(car[(-1, 1)]) and np.isnan(car[(0, 5)])  # (0, 5) runs past the data
    short = _fit(rets, mkt, events.assign(day0=rets.index[-1]), missing=(-1, 1))
    assert "past the last date" in short.exclusions["reason"].iloc[0]


def test_returns_that_look_like_prices_or_percent_warn():
    from eventstudy.exceptions import ReturnsScaleWarning

    rets, mkt, events = simulate()[0], simulate()[1], None
    events = pd.DataFrame({"event_id": ["e"], "asset": ["A0"], "day0": [rets.index[300]]})
    with pytest.warns(ReturnsScaleWarning, match="look like prices"):
        EventStudy(1000 * np.exp(rets.cumsum()), events, benchmark=mkt)
    with pytest.warns(ReturnsScaleWarning, match="look like percent"):
        EventStudy(100 * rets, events, benchmark=mkt)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReturnsScaleWarning)
        EventStudy(rets, events, benchmark=mkt)
    # the benchmark is checked too, and each column on its own: a frame mixing price and
    # return columns names the price columns (it used to say "percent (median 42)")
    with pytest.warns(ReturnsScaleWarning, match="benchmark look like prices"):
        EventStudy(rets, events, benchmark=1000 * np.exp(mkt.cumsum()))
    with pytest.warns(ReturnsScaleWarning, match="benchmark look like percent"):
        EventStudy(rets, events, benchmark=100 * mkt)
    mixed = rets.copy()
    mixed["A0"] = 1000 * np.exp(rets["A0"].cumsum())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReturnsScaleWarning)
        EventStudy(mixed, events, benchmark=mkt)
    messages = [str(w.message) for w in caught if w.category is ReturnsScaleWarning]
    assert len(messages) == 1 and "prices" in messages[0] and "column(s) A0 " in messages[0]


def test_caar_and_its_standard_error_by_hand():
    """Constant mean, two events, no regressors: V = s^2 (I + 11'/n) (CLM 4.4.9), so
    Var(CAR over L days) = s^2 (L + L^2 / n) and se(CAAR) = sqrt(sum_i Var_i) / N."""
    rng = np.random.default_rng(21)
    idx = pd.bdate_range("2022-01-03", periods=300)
    rets = pd.DataFrame(rng.normal(0.0005, 0.01, (300, 2)), index=idx, columns=["A", "B"])
    events = pd.DataFrame({"event_id": ["a", "b"], "asset": ["A", "B"], "day0": idx[[200, 260]]})
    res = EventStudy(rets, events, "constant_mean", estimation_window=EstimationWindow(150, -11),
                     event_window=(-5, 5), car_windows=[(-1, 1)]).fit()  # fmt: skip
    cars, variances = [], []
    for col, p in (("A", 200), ("B", 260)):
        est = rets[col].to_numpy()[p - 160 : p - 10]
        mu, n = est.mean(), est.size
        s2 = ((est - mu) ** 2).sum() / (n - 1)
        cars.append((rets[col].to_numpy()[p - 2 : p + 3] - mu).sum())  # window (-2, +2)
        variances.append(s2 * (5 + 25 / n))
    caar = res.caar(window=(-2, 2)).iloc[0]
    assert caar["caar"] == pytest.approx(np.mean(cars), rel=1e-12)
    assert caar["caar_se"] == pytest.approx(np.sqrt(np.sum(variances)) / 2, rel=1e-12)
    assert caar["tstat"] == pytest.approx(np.mean(cars) / (np.sqrt(np.sum(variances)) / 2))
    one = res.car(window=(-2, 2)).set_index("event_id")
    assert_allclose(one["car_se"], np.sqrt(variances), rtol=1e-12)
    assert_allclose(one["car"], cars, rtol=1e-12)
    long = res.to_frame()
    pct = long[(long["statistic"] == "car_pct") & (long["window"] == "(-1, +1)")]
    car = long[(long["statistic"] == "car") & (long["window"] == "(-1, +1)")]
    assert_allclose(pct["value"].to_numpy(), 100 * car["value"].to_numpy(), rtol=1e-15)


def test_estimation_on_both_sides_of_the_event_by_hand():
    """Constant mean on (-60, -11) + (11, 60): mu and s^2 over both blocks, V = s^2 (I + 11'/n);
    post days past the data end are missing (the late event keeps 19 of its 50); a
    masked post day is left out; an extended event moves its post block by ``extend``."""
    rng = np.random.default_rng(8)
    idx = pd.bdate_range("2022-01-03", periods=300)
    y = rng.normal(0.001, 0.01, 300)
    rets = pd.DataFrame({"A": y}, index=idx)
    events = pd.DataFrame({"event_id": ["mid", "late", "ext"], "asset": "A",
                           "day0": idx[[150, 270, 100]], "extend": [0, 0, 3]})  # fmt: skip
    mask = pd.Series(False, index=idx)
    mask.iloc[150 + 20] = True
    est = EstimationWindow.from_bounds(-60, -11, min_obs=40, mask=mask, post=(11, 60))
    res = EventStudy(rets, events, "constant_mean", estimation_window=est,
                     event_window=(-5, 5), car_windows=[(-1, 1)]).fit()  # fmt: skip
    rows = {
        "mid": [*range(90, 140), *(p for p in range(161, 211) if p != 170)],
        "late": [*range(210, 260), *range(281, 300)],  # 300..330 lie past the data: missing
        "ext": [*range(40, 90), *range(114, 164)],  # post block moved by extend = 3
    }
    car = res.car.set_index("event_id")
    nobs = res.nobs.set_index("event_id")["nobs"]
    for eid, p, ln in (("mid", 150, 3), ("late", 270, 3), ("ext", 100, 6)):  # (-1, +1 + extend)
        est_y = y[rows[eid]]
        mu, n = est_y.mean(), est_y.size
        s2 = ((est_y - mu) ** 2).sum() / (n - 1)
        assert nobs[eid] == n
        assert car.loc[eid, "car"] == pytest.approx((y[p - 1 : p - 1 + ln] - mu).sum(), abs=1e-14)
        assert car.loc[eid, "car_se"] == pytest.approx(np.sqrt(s2 * (ln + ln**2 / n)), rel=1e-12)
    assert res.estimation_window.label == "(-60, -11) + (11, 60)"
    assert "(-60, -11) + (11, 60)" in res.summary().as_text()


def test_garch_refuses_a_post_event_block(sim):
    rets, mkt, events = sim
    est = EstimationWindow(100, -11, post=(11, 100))
    with pytest.raises(SpecificationError, match="post-event block"):
        EventStudy(rets, events, "garch", benchmark=mkt, estimation_window=est)
