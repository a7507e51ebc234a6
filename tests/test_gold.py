"""Tests of the gold study: numbers against independent computations from the raw closes,
simulated shocks recovered by every route, overlaps checked against the catalog's dates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from eventstudy.engine.study import EventStudy
from eventstudy.gold.data import GoldData, load_gold_data
from eventstudy.gold.groups import group_tests
from eventstudy.gold.inference import event_dummy_regression, newey_west_lags
from eventstudy.gold.overlap import (
    calendar_positions,
    overlap_clusters,
    overlap_table,
    study_units,
)
from eventstudy.gold.placebo import placebo_test
from eventstudy.gold.study import gold_event_study

pytestmark = pytest.mark.filterwarnings("ignore::eventstudy.exceptions.WindowOverlapWarning")

FAST = {"n_boot": 40, "draws_per_boot": 25}


# --------------------------------------------------------------------------------------------
# fixtures on the snapshot (computed once per session)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def catalog(repo_root):
    from eventstudy.data.catalog import load_events

    return load_events(repo_root / "events.csv")


@pytest.fixture(scope="session")
def gold_data(snapshot_dir):
    return load_gold_data("GC=F", data_dir=snapshot_dir)


@pytest.fixture(scope="session")
def study(catalog, gold_data, snapshot_dir):
    return gold_event_study(
        catalog, data=gold_data, data_dir=snapshot_dir, n_boot=60, draws_per_boot=25
    )


@pytest.fixture(scope="session")
def raw_gc(snapshot_dir):
    """GC=F closes read with plain pandas (independent of eventstudy.data.store)."""
    raw = pd.read_csv(snapshot_dir / "prices" / "GC=F.csv", parse_dates=["date"])
    return raw.set_index("date")["close"]


@pytest.fixture(scope="session")
def raw_rolls(snapshot_dir):
    """GC=F's contract switches by hand, a plain loop over the raw volumes: a day is one when
    its volume is at least 1,000 contracts, 20 times the median of the 10 days before (at least
    5 of them known) and 5 times the day before's (eventstudy.data.quality's documented rule)."""
    raw = pd.read_csv(snapshot_dir / "prices" / "GC=F.csv", parse_dates=["date"])
    v = raw["volume"].to_numpy(float)
    days = set()
    for i in range(1, len(v)):
        before = v[max(0, i - 10) : i]
        before = before[~np.isnan(before)]
        if len(before) < 5 or np.isnan(v[i]) or np.isnan(v[i - 1]):
            continue
        med = float(np.median(before))
        if (
            v[i] >= 1000
            and (med == 0 or v[i] >= 20 * med)
            and (v[i - 1] == 0 or v[i] >= 5 * v[i - 1])
        ):
            days.add(raw["date"].iloc[i])
    return days


# --------------------------------------------------------------------------------------------
# snapshot: accounting, hand-computed numbers
# --------------------------------------------------------------------------------------------


def test_every_event_studied_or_excluded_with_reason(study, catalog):
    ev = study.events
    assert list(ev["event_id"]) == list(catalog["event_id"])
    assert set(ev["status"]) <= {"studied", "excluded", "merged"}
    excluded = ev[ev["status"] == "excluded"]
    assert (excluded["reason"].str.len() > 0).all()
    assert set(excluded["event_id"]) == set(study.exclusions["event_id"])
    # events after the data end (2026-02-23) are excluded at the day-0 stage
    late = catalog.loc[pd.to_datetime(catalog["date"]) > "2026-02-23", "event_id"]
    stages = study.exclusions.set_index("event_id")["stage"]
    assert len(late) == 8
    assert (stages[late] == "day0").all()
    assert ev.loc[ev["status"] == "studied", "car"].notna().all()


def test_russia_invasion_path_from_raw_closes(study, raw_gc, raw_rolls):
    """2022-02-24: +0.8 % on day 0, -2.0 % on day +1, after a 2.9 % six-session run-up."""
    simple = raw_gc.pct_change()
    assert simple["2022-02-24"] == pytest.approx(0.0083, abs=5e-4)
    assert simple["2022-02-25"] == pytest.approx(-0.0201, abs=5e-4)
    p = raw_gc.index.get_loc(pd.Timestamp("2022-02-24"))
    runup = raw_gc.iloc[p - 1] / raw_gc.iloc[p - 6] - 1  # closes of the six prior sessions
    assert runup == pytest.approx(0.029, abs=1e-3)

    # constant-mean ARs by hand: mean log return over offsets -260..-11 and +11..+260, the
    # (-1, +5) days of every catalogued event and the contract switches left out
    logret = np.log(raw_gc).diff()
    est = _estimation_rows(p, _masked_rows(study, raw_gc.index, raw_rolls))
    unrolled = _estimation_rows(p, _masked_rows(study, raw_gc.index))
    mu = logret.iloc[est].mean()
    n = len(est)
    s = math.sqrt(((logret.iloc[est] - mu) ** 2).sum() / (n - 1))
    ar = study.ar[study.ar["event_id"] == "russia_invades_ukraine"].set_index("rel_day")
    for k in range(-10, 11):
        assert ar.loc[k, "ret"] == pytest.approx(logret.iloc[p + k], abs=1e-12)
        assert ar.loc[k, "ar"] == pytest.approx(logret.iloc[p + k] - mu, abs=1e-12)
    assert ar.loc[0, "date"] == pd.Timestamp("2022-02-24")
    car = study.car(window=(-1, 1)).set_index("event_id").loc["russia_invades_ukraine"]
    assert car["car"] == pytest.approx(sum(logret.iloc[p + k] - mu for k in (-1, 0, 1)), abs=1e-12)
    # CLM 4.4.16 for the constant-mean model: Var = s^2 (L + L^2 / L1)
    assert n < len(unrolled)  # roll days were masked
    assert car["car_se"] == pytest.approx(s * math.sqrt(3 + 9 / n), rel=1e-10)
    run = study.car(window=(-5, -1)).set_index("event_id").loc["russia_invades_ukraine", "car"]
    assert run == pytest.approx(sum(logret.iloc[p + k] - mu for k in range(-5, 0)), abs=1e-12)


def _masked_rows(study, dates: pd.DatetimeIndex, rolls=()) -> np.ndarray:
    """Rows of ``dates`` in the (-1, +5) days of any catalogued event or on a roll day (the
    study's mask)."""
    day0 = pd.to_datetime(study.events["day0"])
    masked = dates.isin(list(rolls))
    for p in dates.get_indexer(day0[day0 <= dates[-1]]):
        masked[p - 1 : p + 6] = True
    return masked


def _estimation_rows(p: int, masked: np.ndarray) -> np.ndarray:
    """Offsets -260..-11 and +11..+260 of day-0 row p, inside the data and not masked."""
    rows = np.r_[p - 260 : p - 10, p + 11 : p + 261]
    rows = rows[(rows >= 0) & (rows < masked.size)]
    return rows[~masked[rows]]


def test_usd_effect_uses_price_before_window(study, raw_gc):
    row = study.events.set_index("event_id").loc["russia_invades_ukraine"]
    assert row["price_before"] == pytest.approx(raw_gc["2022-02-22"])
    assert row["car_usd"] == pytest.approx(row["car"] * raw_gc["2022-02-22"])


def test_feb_mar_2025_cluster(catalog, gold_data, raw_gc):
    """12 Feb - 11 Mar 2025 holds fifteen events; under "merge" they form one episode."""
    dates = pd.to_datetime(catalog["date"])
    in_cluster = catalog.loc[(dates >= "2025-02-12") & (dates <= "2025-03-11"), "event_id"]
    assert len(in_cluster) == 15
    from eventstudy.data.day0 import day0_for_events

    d0 = pd.Series(day0_for_events(catalog, "GC=F").to_numpy(), index=catalog["event_id"])
    cal = gold_data.returns.index
    pos = calendar_positions(d0, cal)
    units = study_units(pos, event_window=(-10, 10), policy="merge")
    holders = [u for u, r in units.iterrows() if set(in_cluster) <= set(r["members"])]
    assert len(holders) == 1
    # in_event_window of the Jeddah statement, recomputed from the raw file's dates
    table = overlap_table(pos, cal, estimation_window=(-260, -11), event_window=(-10, 10))
    row = table.set_index("event_id").loc["jeddah_ceasefire_proposal_aid_resumes"]
    file_dates = raw_gc.index
    p = file_dates.get_loc(pd.Timestamp("2025-03-11"))
    lo, hi = file_dates[p - 10], file_dates[p + 10]
    expected = {e for e, d in d0.items() if lo <= d <= hi and e != row.name}
    assert set(row["in_event_window"].split()) == expected
    assert row["n_in_event_window"] == len(expected)


def test_gld_can_have_a_different_day0(catalog, snapshot_dir):
    from eventstudy.data.day0 import day0_for_events

    gc = day0_for_events(catalog, "GC=F")
    gld = day0_for_events(catalog, "GLD")
    # day 0 never precedes the event's local date minus one day; GLD closes (16:00 ET) after
    # COMEX settles (13:30 ET) on the same session, so GLD's day 0 is never after GC=F's, and
    # the two differ exactly for events made public between those times
    assert (gld <= gc).all()
    assert (gc >= pd.to_datetime(catalog["date"]) - pd.Timedelta(days=1)).all()
    local = catalog["event_time"].dt.tz_convert("America/New_York")
    between = (local.dt.strftime("%H:%M") >= "13:30") & (local.dt.strftime("%H:%M") < "16:00")
    between &= catalog["time_known"] & (local.dt.day_of_week < 5)
    assert ((gld != gc) == between).all()
    assert (gld != gc).any()


def test_timing_sensitivity_variants(study, catalog):
    sens = study.sensitivity
    unknown = catalog.loc[~catalog["time_known"], "event_id"]
    studied = study.events[study.events["status"] == "studied"].set_index("event_id")["unit_id"]
    for eid in set(unknown) & set(studied.index):
        v = sens[sens["event_id"] == studied[eid]].set_index("variant")  # rows per unit
        assert {"base", "day0-1", "day0+1", "date_itself", "next_session"} <= set(v.index)
        assert v.loc["base", "day0"] in (
            v.loc["date_itself", "day0"],
            v.loc["next_session", "day0"],
        )
    base = sens[sens["variant"] == "base"].set_index("event_id")["car"]
    main = study.car(window=(-1, 1)).set_index("event_id")["car"]
    pd.testing.assert_series_equal(base.sort_index(), main.sort_index(), check_names=False)


def test_overlap_warning_and_to_frame(study, catalog, gold_data):
    from eventstudy.exceptions import WindowOverlapWarning

    with pytest.warns(WindowOverlapWarning, match="share days"):
        gold_event_study(catalog, data=gold_data, **FAST)
    frame = study.to_frame()
    assert list(frame.columns) == ["event_id", "asset", "window", "statistic", "value"]
    assert (frame["asset"] == "GC=F").all()
    assert len(frame) == (4 * 5 + 3) * study.n_events
    wide = frame.pivot_table(index=["event_id", "window"], columns="statistic", values="value")
    np.testing.assert_allclose(wide["car_pct"], 100 * wide["car"])
    main = wide.xs("(-1, +1)", level="window")
    studied = study.events[study.events["status"] == "studied"]
    ev = studied.set_index("unit_id").loc[main.index]
    np.testing.assert_allclose(main["p_hac"], ev["p_hac"])
    np.testing.assert_allclose(main["car_usd"], ev["car"] * ev["price_before"])


def test_summary_and_notes(study):
    text = study.summary().as_text()
    assert "[1] 61 catalog events" in text
    assert "HAC" in text and "placebo" in text.lower()
    assert "GoldStudyResults" in repr(study)


def test_summary_shows_each_p_beside_its_own_car(study):
    """p HAC tests the HAC regression's CAR, not the textbook one: both are shown, each labelled."""
    per_event = study._summary_tables()[0][1]
    columns = list(per_event.columns)
    assert columns.index("HAC CAR %") == columns.index("p HAC") - 1
    studied = study.events[study.events["status"] == "studied"]
    np.testing.assert_allclose(per_event["HAC CAR %"], 100 * studied["car_hac"].to_numpy(float))
    np.testing.assert_allclose(per_event["CAR %"], 100 * studied["car"].to_numpy(float))
    assert (per_event["HAC CAR %"] != per_event["CAR %"]).any()  # two estimates, not one


# --------------------------------------------------------------------------------------------
# simulation: injected shocks are recovered, null p-values are uniform
# --------------------------------------------------------------------------------------------


def _synthetic(catalog, shock: float, seed: int):
    """GARCH-like gold returns on business days; shocks on day 0 of up/down catalog events."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2016-01-04", "2026-02-20")
    n = len(dates)
    sig = np.empty(n)
    r = np.empty(n)
    s2 = 1e-4
    for t in range(n):
        z = rng.standard_normal()
        r[t] = math.sqrt(s2) * z
        s2 = 1e-4 * 0.05 + 0.05 * r[t] ** 2 + 0.90 * s2
        sig[t] = s2
    ev = catalog[pd.to_datetime(catalog["date"]) <= "2026-01-31"].copy()
    day0 = dates[dates.searchsorted(pd.to_datetime(ev["date"]))]
    ev["day0"] = day0
    sign = ev["gold_direction"].map({"up": 1.0, "down": -1.0, "none": 0.0}).to_numpy()
    labels = ev["category"].eq("gold_market").to_numpy()
    for d, sgn, lab in zip(day0, sign, labels, strict=True):
        if not lab:
            r[dates.get_loc(d)] += shock * sgn
    injected = pd.Series(0.0, index=dates)
    for d, sgn, lab in zip(day0, sign, labels, strict=True):
        if not lab:
            injected[d] += shock * sgn
    close = pd.Series(1000 * np.exp(np.cumsum(r)), index=dates, name="close")
    returns = pd.DataFrame({"gold": np.r_[np.nan, r[1:]]}, index=dates)
    data = GoldData(returns, close, "SIM", "ACWI", pd.DataFrame(columns=["date", "reason"]), ())
    return ev.drop(columns=["event_time"]), data, injected


def test_injected_shocks_recovered_by_all_routes(catalog):
    ev, data, injected = _synthetic(catalog, shock=0.06, seed=7)
    res = gold_event_study(ev, data=data, **FAST)
    st = res.events[res.events["status"] == "studied"].set_index("unit_id")
    # the injected abnormal return summed over each event's (-1, +1) window (clustered events
    # share shocks: two events one day apart both carry both shocks)
    win = res.ar[res.ar["rel_day"].between(-1, 1)]
    expected = win.assign(x=injected.reindex(win["date"]).to_numpy()).groupby("event_id")["x"].sum()
    # the shock is recovered exactly: CAR(shocked) - CAR(same noise, no shock) = injected sum
    ev0, data0, _ = _synthetic(catalog, shock=0.0, seed=7)
    base = gold_event_study(ev0, data=data0, **FAST).events
    base = base[base["status"] == "studied"].set_index("unit_id")
    np.testing.assert_allclose(
        st["car"] - base.loc[st.index, "car"], expected[st.index], atol=1e-12
    )
    err = st["car"] - expected[st.index]
    assert (err.abs() < 4 * st["car_se"]).all()
    moved = st[expected[st.index].abs() > 0.05].reset_index()
    # all three routes reject for most shocked events, rarely for the others; the GARCH-scaled
    # HAC route less often: a 6 % day-0 shock raises the conditional variance of day +1 (the
    # price of holding its size on a series whose big moves cluster)
    for col, share in (("p_analytic", 0.8), ("p_hac", 0.7), ("p_placebo", 0.8)):
        assert (moved[col] < 0.05).mean() > share, col
    tests = res.hac.tests.set_index("test")
    assert tests.loc["mean_car_up", "pvalue"] < 1e-4
    assert tests.loc["mean_car_down", "pvalue"] < 1e-3
    assert tests.loc["wald_all_zero", "pvalue"] < 1e-6
    g = res.groups.set_index(["by", "group"])
    assert g.loc[("gold_direction", "up"), "pvalue"] < 1e-3
    up_ids = st.index[st["gold_direction"] == "up"]
    assert g.loc[("gold_direction", "up"), "mean_car_pct"] == pytest.approx(
        100 * expected[up_ids].mean(), abs=1.5
    )
    gt = res.group_tests.set_index("test")
    assert (gt.drop("placebo_up_minus_down")["pvalue"] < 1e-3).all()
    # the shift placebo: no shift of the two groups comes near them, two-sided p = 2 / (K + 1)
    k = int(gt.loc["placebo_up_minus_down", "dist"].split("(")[1].split()[0])
    assert gt.loc["placebo_up_minus_down", "pvalue"] == pytest.approx(2 / (k + 1))
    # the engine's battery pools up (+6 %) and down (-6 %) shocks: the CAAR is positive but
    # diluted, so only the dispersion-free tests reject strongly
    et = res.engine_tests
    main = et[(et["window_start"] == -1) & (et["window_end"] == 1)].set_index("test")
    assert main.loc["brown_warner_1985", "pvalue"] < 1e-6
    assert (et["caveat"] == et["caveat"].iloc[0]).all()


def test_no_shock_placebo_pvalues_uniform():
    rng = np.random.default_rng(11)
    n = 2000
    dates = pd.bdate_range("2010-01-01", periods=n)
    vol = np.exp(np.convolve(rng.standard_normal(n), np.ones(20) / 8, mode="same"))
    ar = pd.Series(0.01 * vol * rng.standard_normal(n), index=dates)
    starts = rng.choice(np.arange(300, n - 5, 20), size=80, replace=False)
    windows = {f"e{i}": list(dates[s : s + 3]) for i, s in enumerate(starts)}
    event_days = pd.Series(False, index=dates)
    for w in windows.values():
        event_days[w] = True
    plc = placebo_test(ar, event_days, windows, n_boot=40, draws_per_boot=50, seed=3)
    p = plc.events["pvalue"].to_numpy()
    assert stats.kstest(p, "uniform").pvalue > 0.01
    # HAC route keeps its size too (|z| > 1.96 in about 5 % of events)
    reg = event_dummy_regression(ar, windows)
    assert (reg.car["pvalue"] < 0.05).mean() < 0.15
    # ... whereas the statsmodels gamma'V gamma alone would be far too small
    assert (reg.car["se_param"] < 0.2 * reg.car["car_se"]).all()


# --------------------------------------------------------------------------------------------
# small hand-checkable pieces
# --------------------------------------------------------------------------------------------


def test_newey_west_lags():
    assert newey_west_lags(100) == 4
    assert newey_west_lags(2000) == math.floor(4 * 20 ** (2 / 9))


def test_dummy_coefficients_are_abnormal_returns():
    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2020-01-01", periods=400)
    y = pd.Series(0.001 + 0.01 * rng.standard_normal(400), index=dates)
    windows = {"a": list(dates[100:103]), "b": list(dates[102:105])}  # share one day
    reg = event_dummy_regression(y, windows, maxlags=3)
    event = np.zeros(400, bool)
    event[100:105] = True
    mu = y[~event].mean()
    car = reg.car.set_index("event_id")["car"]
    assert car["a"] == pytest.approx((y.iloc[100:103] - mu).sum(), abs=1e-12)
    assert car["b"] == pytest.approx((y.iloc[102:105] - mu).sum(), abs=1e-12)
    # shared day counted in both CARs: their covariance includes its variance
    assert reg.car_cov.loc["a", "b"] > 0


def test_overlap_policies_on_a_small_calendar():
    cal = pd.bdate_range("2024-01-01", periods=100)
    pos = pd.Series([10, 14, 19, 60, pd.NA], index=["a", "b", "c", "d", "e"], dtype="Int64")
    assert overlap_clusters(pos, (-1, 1)).to_dict() == {"a": "a", "b": "b", "c": "c", "d": "d"}
    # (-3, 3): windows overlap when day 0s are <= 6 apart: a-b (4) and b-c (5) chain
    assert overlap_clusters(pos, (-3, 3)).to_dict() == {"a": "a", "b": "a", "c": "a", "d": "d"}
    drop = study_units(pos, event_window=(-3, 3), policy="drop")
    assert list(drop.index) == ["a", "d"]  # b overlaps a; c overlaps b (earlier) -> dropped
    merge = study_units(pos, event_window=(-3, 3), policy="merge")
    assert list(merge.index) == ["a+2", "d"]
    assert merge.loc["a+2", "members"] == ("a", "b", "c")
    table = overlap_table(
        pos, cal, estimation_window=(-8, -4), event_window=(-3, 3), policy="drop"
    ).set_index("event_id")
    assert table.loc["b", "in_event_window"] == ""  # a's day 0 (10) is outside 11..17
    assert table.loc["b", "action"] == "dropped: event window overlaps that of earlier event(s) a"
    assert table.loc["c", "in_estimation_window"] == "b"  # 11..15 holds b's day 0 (14)
    assert table.loc["c", "action"].startswith("dropped")
    assert table.loc["e", "action"].startswith("not in data")


def test_market_model_ar_matches_ols_by_hand():
    """model="market": OLS of gold on a constant and the equity return over offsets -260..-11
    and +11..+260 (nothing masked), day-0 AR = y - a - b m, worked out with numpy."""
    rng = np.random.default_rng(5)
    dates = pd.bdate_range("2020-01-01", periods=400)
    m = 0.01 * rng.standard_normal(400)
    y = 0.0002 + 0.3 * m + 0.008 * rng.standard_normal(400)
    returns = pd.DataFrame({"gold": y, "equity": m}, index=dates)
    close = pd.Series(1000 * np.exp(np.cumsum(y)), index=dates)
    data = GoldData(returns, close, "SIM", "ACWI", pd.DataFrame(columns=["date", "reason"]), ())
    ev = pd.DataFrame({"event_id": ["x"], "date": [dates[300]], "day0": [dates[300]],
                       "time_known": [True], "title": ["x"], "title_ja": ["x"],
                       "category": ["trade"], "gold_direction": ["up"]})  # fmt: skip
    res = gold_event_study(ev, data=data, model="market", **FAST)
    rows = np.r_[40:290, 311:400]  # offsets -260..-11 and +11..+99 (the data end at +99)
    X = np.column_stack([np.ones(rows.size), m[rows]])
    b = np.linalg.lstsq(X, y[rows], rcond=None)[0]
    row = res.ar.set_index("rel_day").loc[0]
    assert row["ar"] == pytest.approx(y[300] - b[0] - b[1] * m[300], abs=1e-12)
    beta = res.params.set_index("param").loc["beta", "value"]
    assert beta == pytest.approx(b[1], abs=1e-12)


def test_group_tests_by_hand():
    cars = pd.DataFrame(
        {
            "event_id": list("abcdef"),
            "car": [0.02, 0.03, 0.01, -0.01, -0.02, 0.0],
            "gold_direction": ["up", "up", "up", "down", "down", "none"],
            "category": ["x", "x", "y", "y", "y", "x"],
            "price_before": [2000.0] * 6,
        }
    )
    groups, tests = group_tests(cars, n_permutations=999)
    g = groups.set_index(["by", "group"])
    assert g.loc[("gold_direction", "up"), "sd_car"] == pytest.approx(0.01)  # sd of 2, 3, 1 %
    assert g.loc[("gold_direction", "down"), "sd_car"] == pytest.approx(0.01 / np.sqrt(2))
    assert g.loc[("category", "y"), "mean_car_pct"] == pytest.approx(-2 / 3)
    t = stats.ttest_1samp([0.02, 0.03, 0.01], 0, alternative="greater")
    assert g.loc[("gold_direction", "up"), "pvalue"] == pytest.approx(t.pvalue)
    assert g.loc[("gold_direction", "up"), "mean_car_usd"] == pytest.approx(40.0)
    w = stats.ttest_ind([0.02, 0.03, 0.01], [-0.01, -0.02], equal_var=False)
    assert tests.set_index("test").loc["welch_t_up_vs_down", "pvalue"] == pytest.approx(w.pvalue)
    # exact permutation: C(5, 3) = 10 relabellings; the observed one alone has |d| >= 0.035
    perm = tests.set_index("test").loc["permutation_up_vs_down"]
    assert perm["stat"] == pytest.approx(0.035)
    assert perm["pvalue"] == pytest.approx(0.1)


def test_group_tests_small_groups_use_the_exact_mann_whitney_replica(monkeypatch):
    """Up and down groups of 3 and 2: scipy's ``auto`` picks the exact null of U, which
    ``eventstudy._scipy_stats`` repeats (no scipy.stats import, the same numbers)."""
    from eventstudy import _scipy_stats

    def no_scipy(*args):
        raise AssertionError("handed to scipy.stats")

    monkeypatch.setattr(_scipy_stats, "_scipy_mannwhitneyu", no_scipy)
    up, down = [0.02, 0.03, -0.015], [-0.01, -0.02]
    cars = pd.DataFrame(
        {
            "event_id": list("abcde"),
            "car": up + down,
            "gold_direction": ["up"] * 3 + ["down"] * 2,
            "category": ["x"] * 5,
            "price_before": [2000.0] * 5,
        }
    )
    _, tests = group_tests(cars, n_permutations=99)
    row = tests.set_index("test").loc["mann_whitney_up_vs_down"]
    expected = stats.mannwhitneyu(up, down, method="exact")
    assert (row["stat"], row["pvalue"]) == (float(expected.statistic), float(expected.pvalue))


def test_model_option_is_validated(catalog, gold_data):
    from eventstudy.exceptions import SpecificationError

    with pytest.raises(SpecificationError, match="constant_mean"):
        gold_event_study(catalog, data=gold_data, model="capm")


# --------------------------------------------------------------------------------------------
# plots
# --------------------------------------------------------------------------------------------


def test_plots_return_axes_and_render_japanese(study):
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    from eventstudy.plotting import gold as gplot

    ax = gplot.plot_event_car(study, "russia_invades_ukraine")
    title = ax.title
    assert "ロシア" in title.get_text()
    path = font_manager.findfont(title.get_fontproperties(), fallback_to_default=False)
    assert "ipaex" in path.lower()
    assert "DejaVu" not in path
    y = ax.lines[0].get_ydata()
    car = study.car_path.query("event_id == 'russia_invades_ukraine'")["car"]
    np.testing.assert_allclose(y, 100 * car.to_numpy())
    for fn in (gplot.plot_caar_by_group, gplot.plot_gold_with_events, gplot.plot_placebo):
        fig, ax2 = plt.subplots()
        assert fn(study, ax=ax2) is ax2
        plt.close(fig)
    plt.close("all")


def test_car_small_multiples_one_scale_one_legend(study):
    import matplotlib.pyplot as plt

    from eventstudy.exceptions import SpecificationError
    from eventstudy.plotting import gold as gplot

    units = [
        "russia_invades_ukraine",
        "oval_office_clash",
        "us_election_2024",
        "vance_munich_speech",
    ]
    axes = gplot.plot_event_cars(study, units, ncols=3)
    try:
        assert len(axes) == 4 and len(axes[0].figure.axes) == 4  # the fifth and sixth removed
        for ax, unit in zip(axes, units, strict=True):
            car = study.car_path.query("event_id == @unit")["car"].to_numpy()
            np.testing.assert_allclose(ax.lines[0].get_ydata(), 100 * car)
            first, *rest = ax.title.get_text().split("\n")
            assert first == unit and 1 <= len(rest) <= 2
        assert "ロシア" in axes[0].title.get_text()
        assert len({ax.get_ylim() for ax in axes}) == 1  # one scale
        assert [ax.get_legend() is not None for ax in axes] == [True, False, False, False]
        # the lowest panel of each column shows its x ticks, the others do not
        axes[0].figure.canvas.draw()
        shown = [any(t.get_visible() and t.get_text() for t in ax.get_xticklabels())
                 for ax in axes]  # fmt: skip
        assert shown == [False, True, True, True]
        assert [bool(ax.get_ylabel()) for ax in axes] == [True, False, False, True]
        with pytest.raises(SpecificationError, match="4 units need 4 Axes"):
            gplot.plot_event_cars(study, units, axes=list(axes[:3]))
        with pytest.raises(KeyError, match="not a studied unit"):
            gplot.plot_event_cars(study, ["no_such_event"])
    finally:
        plt.close("all")


def test_car_small_multiples_of_no_unit_open_no_figure(study):
    import matplotlib.pyplot as plt

    from eventstudy.plotting import gold as gplot

    before = plt.get_fignums()
    assert len(gplot.plot_event_cars(study, [])) == 0
    assert plt.get_fignums() == before


def test_car_small_multiples_into_a_grid_of_axes(study):
    """A 2-D array of Axes (as plt.subplots gives it) is drawn into row by row."""
    import matplotlib.pyplot as plt

    from eventstudy.plotting import gold as gplot

    units = ["russia_invades_ukraine", "oval_office_clash", "us_election_2024"]
    _, grid = plt.subplots(2, 2)
    try:
        axes = gplot.plot_event_cars(study, units, axes=grid)
        assert list(axes) == list(grid.flat[:3])
        assert [ax.title.get_text().split("\n")[0] for ax in axes] == units
        # not shared: each panel still has whole trading days on its x axis
        assert all(type(ax.xaxis.get_major_locator()).__name__ == "MaxNLocator" for ax in axes)
    finally:
        plt.close("all")


def test_merge_policy_extends_the_episode_window(catalog, gold_data):
    res = gold_event_study(catalog, data=gold_data, overlap="merge", overlap_window=(-1, 1), **FAST)
    ev = res.events.set_index("event_id")
    uid = "trump_putin_call_hegseth_brussels+7"
    members = ev.index[ev["unit_id"] == uid]
    assert list(members) == [
        "trump_putin_call_hegseth_brussels",
        "trump_russia_back_in_g8",
        "vance_munich_speech",
        "zelensky_rejects_minerals_draft",
        "state_dept_taiwan_factsheet",
        "paris_emergency_european_meeting",
        "riyadh_us_russia_talks",
        "trump_calls_zelensky_dictator",
    ]
    assert ev.loc[members[0], "status"] == "studied"
    assert (ev.loc[members[1:], "status"] == "merged").all()
    # day 0 2025-02-12, last member 2025-02-19 = 4 sessions later (17 Feb is a holiday)
    assert (ev.loc[members, "window"] == "(-1, +5)").all()
    ar = res.ar[(res.ar["event_id"] == uid) & res.ar["rel_day"].between(-1, 5)]
    assert ar["date"].iloc[0] == pd.Timestamp("2025-02-11")
    assert ar["date"].iloc[-1] == pd.Timestamp("2025-02-20")
    assert ev.loc[members[0], "car"] == pytest.approx(ar["ar"].sum(), abs=1e-12)
    hac = res.hac.car.set_index("event_id").loc[uid]
    assert hac["n_days"] == 7


def test_drop_policy_leaves_no_overlapping_event_windows(catalog, gold_data):
    res = gold_event_study(catalog, data=gold_data, overlap="drop", **FAST)
    studied = res.events[res.events["status"] == "studied"]
    cal = gold_data.returns.index
    pos = np.sort(cal.get_indexer(pd.DatetimeIndex(studied["day0"])))
    assert (np.diff(pos) > 20).all()
    dropped = res.exclusions[res.exclusions["stage"] == "overlap"]
    assert dropped["reason"].str.startswith("dropped: event window overlaps").all()
    merged = res.events[res.events["status"] == "merged"]  # same day 0 as a studied event
    assert set(merged["unit_id"]) <= set(studied["unit_id"])
    assert len(studied) + len(merged) + len(res.exclusions) == len(catalog)


@settings(max_examples=25, deadline=None)
@given(
    shock=st.floats(-0.1, 0.1),
    p0=st.integers(300, 380),
    k=st.integers(-3, 3),
    window=st.tuples(st.integers(-5, 0), st.integers(0, 5)),
)
def test_property_shock_in_event_window_moves_only_that_ar(shock, p0, k, window):
    """An abnormal return injected at offset k changes AR_k by exactly the shock, no other AR,
    and CAR = sum of ARs over any window."""
    rng = np.random.default_rng(1)
    dates = pd.bdate_range("2020-01-01", periods=400)
    base = pd.DataFrame({"gold": 0.01 * rng.standard_normal(400)}, index=dates)
    hit = base.copy()
    hit.iloc[p0 + k, 0] += shock
    ev = pd.DataFrame({"event_id": ["e"], "asset": ["gold"], "day0": [dates[p0]]})
    kw = {"estimation_window": (-260, -11), "event_window": (-5, 5), "car_windows": (window,)}
    a = EventStudy(base, ev, "constant_mean", **kw).fit()
    b = EventStudy(hit, ev, "constant_mean", **kw).fit()
    diff = b.ar["ar"].to_numpy() - a.ar["ar"].to_numpy()
    expected = np.where(a.ar["rel_day"].to_numpy() == k, shock, 0.0)
    np.testing.assert_allclose(diff, expected, atol=1e-14)
    sel = a.ar["rel_day"].between(*window)
    assert a.car["car"].iloc[0] == pytest.approx(a.ar.loc[sel, "ar"].sum(), abs=1e-14)


def test_asof_join_of_benchmarks_on_the_gold_calendar():
    from eventstudy.gold.data import align_factors

    gold = pd.Series(
        [100.0, 101.0, 102.0, 103.0],
        index=pd.to_datetime(["2024-10-11", "2024-10-14", "2024-10-15", "2024-10-28"]),
    )
    # DFII10 has no value on Columbus Day (14 Oct) and none between 16 and 27 Oct
    real = pd.Series(
        [2.00, 2.10, 2.30], index=pd.to_datetime(["2024-10-11", "2024-10-15", "2024-10-16"])
    )
    out = align_factors(gold, real_yield=real, max_stale_days=5)
    assert np.isnan(out["real_yield"].iloc[0])
    assert out["real_yield"].iloc[1] == pytest.approx(0.0)  # level carried over the holiday
    assert out["real_yield"].iloc[2] == pytest.approx(0.10)  # change spans 11 -> 15 Oct
    assert np.isnan(out["real_yield"].iloc[3])  # last value 12 days old: missing
    assert out["gold"].iloc[1] == pytest.approx(math.log(101 / 100))


def test_documented_options_are_the_accepted_ones():
    import typing

    from eventstudy.gold.overlap import OVERLAP_POLICIES, OverlapPolicy
    from eventstudy.gold.spec import GOLD_MODELS, MODEL_REGRESSORS, GoldModel

    assert set(GOLD_MODELS) == set(MODEL_REGRESSORS) == set(typing.get_args(GoldModel))
    assert set(OVERLAP_POLICIES) == set(typing.get_args(OverlapPolicy))
    for name in GOLD_MODELS:
        assert f'"{name}"' in gold_event_study.__doc__
    for name in OVERLAP_POLICIES:
        assert f'"{name}"' in gold_event_study.__doc__


def test_constant_mean_cars_from_raw_closes_for_events_before_2025(study, raw_gc, raw_rolls):
    """Every event before 2024 (the raw file's calendar equals the study's up to 2024 plus
    260 sessions): constant mean over the unmasked rows -260..-11 and +11..+260 (other events'
    (-1, +5) days and roll days masked), CAR(-1, +1) and its CLM standard error, by hand."""
    logret = np.log(raw_gc).diff().to_numpy()
    dates = raw_gc.index
    day0 = pd.to_datetime(study.events["day0"])
    masked = _masked_rows(study, dates, raw_rolls)
    ev = study.events[(study.events["status"] == "studied") & (day0 < "2024-01-01")]
    assert len(ev) == 6
    for _, row in ev.iterrows():
        p = dates.get_loc(row["day0"])
        est = _estimation_rows(p, masked)
        mu = logret[est].mean()
        s2 = ((logret[est] - mu) ** 2).sum() / (len(est) - 1)
        car = (logret[p - 1 : p + 2] - mu).sum()
        se = math.sqrt(s2 * (3 + 9 / len(est)))
        assert row["car"] == pytest.approx(car, abs=1e-12), row["event_id"]
        assert row["car_pct"] == pytest.approx(100 * car, abs=1e-10), row["event_id"]
        assert row["car_se"] == pytest.approx(se, rel=1e-9), row["event_id"]
        assert row["price_before"] == pytest.approx(raw_gc.iloc[p - 2])


def test_refit_under_another_model_keeps_units_and_mask(study, gold_data):
    """refit("market") = the engine on the same units and mask with the equity benchmark;
    checked by hand (numpy OLS on the unmasked days -260..-11 and +11..+260), Russia event."""
    market = study.refit("market")
    assert market.model == "market" and market.n_events == study.n_events
    assert set(market.nobs["event_id"]) == set(study.nobs["event_id"])
    assert_n = market.nobs.set_index("event_id")["nobs"]
    base_n = study.nobs.set_index("event_id")["nobs"]
    assert (assert_n <= base_n).all()  # same mask; equity may miss a day more
    r = gold_data.returns
    eid = "russia_invades_ukraine"
    p = r.index.get_loc(study.units.set_index("event_id").loc[eid, "day0"])
    est = np.r_[p - 260 : p - 10, p + 11 : p + 261]  # both estimation blocks
    est = est[est < len(r)]
    masked = study.specification.estimation_window.mask.reindex(r.index).to_numpy()
    est = est[~masked[est] & r[["gold", "equity"]].iloc[est].notna().all(axis=1).to_numpy()]
    X = np.column_stack([np.ones(est.size), r["equity"].iloc[est]])
    b = np.linalg.lstsq(X, r["gold"].iloc[est].to_numpy(), rcond=None)[0]
    ar = r["gold"].iloc[p - 1 : p + 2].to_numpy() - b[0] - b[1] * r["equity"].iloc[p - 1 : p + 2]
    car = market.car(window=(-1, 1)).set_index("event_id").loc[eid, "car"]
    assert car == pytest.approx(ar.sum(), abs=1e-12)


def test_events_sharing_a_day0_are_one_unit_counted_once(study, catalog, gold_data):
    """2025-03-03: two 'up' NATO events share day 0 -> one unit; 2025-06-23: an 'up' and a
    'none' event -> one 'up' unit. Group tests and the HAC mean tests count each day once;
    same_day0="separate" counts the events one by one."""
    ev = study.events.set_index("event_id")
    assert ev.loc["lee_musk_leave_nato_posts", "unit_id"] == "lee_musk_leave_nato_posts+1"
    assert ev.loc["lee_amerexit_massie_cold_war_relic", "status"] == "merged"
    assert (
        ev.loc["lee_amerexit_massie_cold_war_relic", "car"]
        == ev.loc["lee_musk_leave_nato_posts", "car"]
    )
    units = study.events[study.events["status"].isin(["studied", "merged"])]
    days = units.groupby("unit_id")["day0"].nunique()
    assert (days == 1).all()  # under the default "mask" policy a unit is one day 0
    assert units.groupby("day0")["unit_id"].nunique().max() == 1  # and one day 0 one unit
    up_days = units.loc[units["gold_direction"] == "up", "day0"].nunique()
    hac = study.hac.tests.set_index("test")
    assert hac.loc["mean_car_up", "nobs"] == up_days
    groups = study.groups.set_index(["by", "group"])
    assert groups.loc[("gold_direction", "up"), "n"] == up_days
    assert any("share a day 0" in n for n in study.notes)
    separate = gold_event_study(catalog, data=gold_data, same_day0="separate", **FAST)
    n_up = int((separate.events.query("status == 'studied'")["gold_direction"] == "up").sum())
    assert separate.hac.tests.set_index("test").loc["mean_car_up", "nobs"] == n_up > up_days


def test_roll_days_are_masked_and_flagged(study, gold_data, raw_rolls):
    """GC=F's contract switches: known to the data, masked from estimation, and a main window
    holding one is flagged (GLD, an ETF, has none)."""
    assert set(gold_data.roll_days) <= raw_rolls
    assert pd.Timestamp("2024-03-26") in set(gold_data.roll_days)  # quality.py's example
    mask = study.specification.estimation_window.mask
    assert mask.reindex(gold_data.roll_days).all()
    flagged = study.events[study.events["roll_day_in_window"]]
    for unit in flagged["unit_id"]:
        days = study.ar[(study.ar["event_id"] == unit) & study.ar["rel_day"].between(-1, 1)]
        assert set(days["date"]) & set(gold_data.roll_days)
    assert any("roll days" in n for n in study.notes)


def test_bad_gold_files_name_the_file(tmp_path, snapshot_dir):
    from eventstudy.exceptions import DataFormatError

    for name in ("ACWI.csv", "GLD.csv"):
        (tmp_path / "prices").mkdir(exist_ok=True)
        (tmp_path / "prices" / name).write_bytes((snapshot_dir / "prices" / name).read_bytes())
    (tmp_path / "series").mkdir()
    for name in ("DTWEXBGS.csv", "DFII10.csv"):
        (tmp_path / "series" / name).write_bytes((snapshot_dir / "series" / name).read_bytes())
    rows = "date,open,high,low,close,volume\n2024-01-02,1,1,1,2050.0,10\n2024-01-03,1,1,1,0,10\n"
    (tmp_path / "prices" / "GC=F.csv").write_text(rows)
    with pytest.raises(DataFormatError, match=r"GC=F\.csv"):
        load_gold_data("GC=F", data_dir=tmp_path)
    future = (
        "date,open,high,low,close,volume\n2030-01-02,1,1,1,2050.0,10\n2030-01-03,1,1,1,2051,10\n"
    )
    (tmp_path / "prices" / "GC=F.csv").write_text(future)
    with pytest.raises(DataFormatError, match=r"GC=F\.csv.*calendar"):
        load_gold_data("GC=F", data_dir=tmp_path)


def test_direction_effects_and_adjusted_pvalues_by_hand(study):
    eff = study.direction_effects(level=0.9)
    hac = study.hac.tests.set_index("test")
    up = eff.loc["up"]
    assert up["mean_car"] == hac.loc["mean_car_up", "estimate"]
    assert up["ci_high"] - up["mean_car"] == pytest.approx(1.6448536269514722 * up["se"])
    assert (
        up["p_hac"] == hac.loc["mean_car_up", "pvalue"]
        and up["n"] == hac.loc["mean_car_up", "nobs"]
    )
    # Benjamini-Hochberg by hand: p_(i) m / i, then the running minimum from the largest down
    adj = study.adjusted_pvalues()
    p = study.events.query("status == 'studied'").set_index("unit_id")["p_hac"].sort_values()
    m = len(p)
    raw = p.to_numpy() * m / np.arange(1, m + 1)
    expected = np.minimum.accumulate(raw[::-1])[::-1].clip(max=1)
    np.testing.assert_allclose(adj.loc[p.index, "p_hac"], expected, rtol=1e-12)


def test_group_paths_count_units_as_the_group_table_does(study):
    """On the snapshot several events share a day 0; the path plot's groups hold the same
    units as the group table (a unit takes its members' one told direction)."""
    paths = study.group_paths("gold_direction")
    at0 = paths[paths["rel_day"] == 0].set_index("group")["n"]
    table = study.groups[study.groups["by"] == "gold_direction"].set_index("group")["n"]
    assert len(table) >= 2
    for group, n in table.items():
        assert at0.get(group, 0) == n, group


# --------------------------------------------------------------------------------------------
# the units' engine fit alone (the report's GLD robustness column)
# --------------------------------------------------------------------------------------------


def _same_engine_fit(a, b):
    pd.testing.assert_frame_equal(a.car(), b.car(), check_exact=True)
    pd.testing.assert_frame_equal(a.exclusions, b.exclusions, check_exact=True)
    for w in ((-1, 1), (0, 5)):
        pd.testing.assert_frame_equal(a.car(window=w), b.car(window=w), check_exact=True)


def test_units_study_is_the_study_of_the_full_study(catalog, gold_data, study):
    from eventstudy.gold.study import gold_units_study

    _same_engine_fit(gold_units_study(catalog, data=gold_data), study.study)


@pytest.mark.parametrize(
    "settings",
    [
        {"model": "market", "overlap": "merge"},
        {"overlap": "drop", "same_day0": "separate", "estimation_post": None},
        {"car_windows": ((0, 5), (-1, 1)), "mask_window": (-10, 10), "min_estimation_obs": 150},
    ],
)
def test_units_study_follows_the_settings(catalog, gold_data, settings):
    from eventstudy.gold.study import gold_units_study

    full = gold_event_study(catalog, data=gold_data, placebo="stationary_bootstrap",
                            n_boot=5, draws_per_boot=5, **settings)  # fmt: skip
    _same_engine_fit(gold_units_study(catalog, data=gold_data, **settings), full.study)


def test_units_study_refuses_other_settings(catalog, gold_data):
    from eventstudy.exceptions import SpecificationError
    from eventstudy.gold.study import gold_units_study

    with pytest.raises(SpecificationError, match="n_boot"):
        gold_units_study(catalog, data=gold_data, n_boot=10)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 12)), max_size=40))
def test_same_day0_groups_are_those_of_a_groupby(positions):
    """The vectorised grouping equals the plain pandas one (order of groups and of members)."""
    from eventstudy.gold.study import _same_day0_groups

    ids = [f"e{i}" for i in range(len(positions))]
    eligible = pd.Series(pd.array(positions, dtype="Int64"), index=ids, dtype="Int64")
    pos = eligible.dropna()
    groups = pos.groupby(pos.astype(int), sort=False)
    want = {str(g.index[0]): tuple(map(str, g.index)) for _, g in groups if len(g) > 1}
    got = _same_day0_groups(eligible)
    assert got == want and list(got) == list(want)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 30), max_size=8), max_size=6),
    st.lists(st.integers(0, 30), max_size=8),
)
def test_roll_days_in_windows_are_the_intersections(windows, rolls):
    """The vectorised look-up equals DatetimeIndex.intersection window by window."""
    from eventstudy.gold.study import _roll_days_in

    day = pd.Timestamp("2024-01-01")
    wins = {f"u{i}": np.array(sorted({day + pd.Timedelta(days=d) for d in w}), dtype="M8[ns]")
            for i, w in enumerate(windows)}  # fmt: skip
    roll_days = pd.DatetimeIndex([day + pd.Timedelta(days=d) for d in rolls])
    want = {u: list(pd.DatetimeIndex(d).intersection(roll_days)) for u, d in wins.items()}
    assert _roll_days_in(wins, roll_days) == want


def test_factor_levels_are_read_again_when_a_file_changes(snapshot_dir, tmp_path):
    """Factor levels follow the files' bytes, even an edit of the same size with the file's
    time put back (what a cache keyed on size and mtime would miss), and mutating what was
    returned changes nothing read later."""
    import shutil

    from eventstudy.gold.data import _factor_levels

    for rel in ("prices/ACWI.csv", "series/DTWEXBGS.csv", "series/DFII10.csv"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        shutil.copyfile(snapshot_dir / rel, tmp_path / rel)
    equity, _, _ = _factor_levels("ACWI", tmp_path)
    equity.iloc[:] = -1.0  # a copy: the cache is not touched
    again, _, _ = _factor_levels("ACWI", tmp_path)
    assert (again > 0).all()
    path = tmp_path / "prices/ACWI.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")  # the last day removed
    shorter, _, _ = _factor_levels("ACWI", tmp_path)
    assert len(shorter) == len(again) - 1
    pd.testing.assert_series_equal(shorter, again.iloc[:-1])
    import os

    text = path.read_text()
    stamp = path.stat()
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    fields = last.split(",")  # date,open,high,low,close,volume
    fields[4] = ("2" if fields[4][0] != "2" else "3") + fields[4][1:]  # same length
    edited = ",".join(fields)
    assert len(edited) == len(last) and edited != last
    path.write_text(text.replace(last, edited))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert path.stat().st_size == stamp.st_size
    changed, _, _ = _factor_levels("ACWI", tmp_path)
    assert not changed.equals(shorter)
