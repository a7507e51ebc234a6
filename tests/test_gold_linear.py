"""The gold study's linear-time implementations against the straightforward reference.

``tests/_gold_reference.py`` holds the per-event loops, the dense dummy regression and the
composition as they were before the gold study was made linear in the catalog. Here both run
on small random catalogs (hypothesis): dense clusters, events on the same day, events outside
the data, label events, all three overlap policies, and the outputs must agree (exactly for
labels, counts and texts; to 1e-9 relative for floating-point numbers, which are summed in a
different order).
"""

from __future__ import annotations

import math
import warnings

import _gold_reference as ref
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from eventstudy.exceptions import SpecificationError
from eventstudy.gold import overlap
from eventstudy.gold.data import GoldData
from eventstudy.gold.inference import event_dummy_regression
from eventstudy.gold.placebo import placebo_test
from eventstudy.gold.study import gold_event_study
from eventstudy.gold.timing import timing_candidates

RTOL = 1e-9
POLICIES = ("mask", "drop", "merge")


def _close(a, b, **kw):
    """Frames or series equal: exact for non-floats, to RTOL for floats."""
    kw = {"check_exact": False, "rtol": RTOL, "atol": 1e-14, **kw}
    if len(a) == 0:  # the reference's empty frames have float columns
        kw["check_dtype"] = kw["check_index_type"] = False
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, **kw)
    else:
        pd.testing.assert_series_equal(a, b, **kw)


# --------------------------------------------------------------------------------------------
# random catalogs
# --------------------------------------------------------------------------------------------


@st.composite
def positions(draw, max_n: int = 25, calendar: int = 120):
    """Day-0 positions with clusters, ties and missing days (Int64, indexed by event_id)."""
    n = draw(st.integers(1, max_n))
    vals = draw(
        st.lists(
            st.one_of(st.none(), st.integers(0, calendar - 1), st.integers(40, 48)),
            min_size=n,
            max_size=n,
        )
    )
    ids = [f"e{i}" for i in draw(st.permutations(range(n)))]
    return pd.Series(vals, index=ids, dtype="Int64")


WINDOWS = st.tuples(st.integers(-6, 0), st.integers(0, 6))


@settings(max_examples=80, deadline=None)
@given(pos=positions(), est=st.tuples(st.integers(-40, -20), st.integers(-12, -8)),
       win=WINDOWS, mask_w=WINDOWS, ov_w=st.one_of(st.none(), WINDOWS),
       policy=st.sampled_from(POLICIES))  # fmt: skip
def test_overlap_table_matches_reference(pos, est, win, mask_w, ov_w, policy):
    cal = pd.bdate_range("2020-01-01", periods=120)
    kw = {"estimation_window": est, "event_window": win, "policy": policy,
          "mask_window": mask_w, "overlap_window": ov_w}  # fmt: skip
    _close(overlap.overlap_table(pos, cal, **kw), ref.overlap_table(pos, cal, **kw))
    ow = ov_w or win
    _close(
        overlap.study_units(pos, event_window=ow, policy=policy),
        ref.study_units(pos, event_window=ow, policy=policy),
    )
    _close(overlap.estimation_mask(pos, cal, mask_w), ref.estimation_mask(pos, cal, mask_w))
    _close(overlap.overlap_clusters(pos, ow), ref.overlap_clusters(pos, ow))


@settings(max_examples=60, deadline=None)
@given(pos=positions(calendar=60), known=st.lists(st.booleans(), min_size=25, max_size=25))
def test_timing_candidates_match_reference(pos, known):
    assume(pos.notna().any())  # the reference cannot build an empty table
    cal = pd.bdate_range("2020-01-01", periods=60)
    day0 = pd.Series([cal[int(p)] if pd.notna(p) else pd.NaT for p in pos])
    dates = [(d - pd.Timedelta(days=1)).strftime("%Y-%m-%d") if pd.notna(d) else "2020-01-01"
             for d in day0]  # fmt: skip
    ev = pd.DataFrame({"event_id": pos.index, "date": dates, "time_known": known[: len(pos)]})
    _close(timing_candidates(ev, day0, cal), ref.timing_candidates(ev, day0, cal))


# --------------------------------------------------------------------------------------------
# the dummy regression
# --------------------------------------------------------------------------------------------


def _series(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2018-01-01", periods=n)
    x = pd.DataFrame({"equity": rng.standard_normal(n), "dollar": rng.standard_normal(n)},
                     index=dates) * 0.01  # fmt: skip
    y = pd.Series(0.0003 + 0.4 * x["equity"] + 0.01 * rng.standard_normal(n), index=dates)
    y.iloc[[0, 17, 150]] = np.nan  # rows dropped from the sample
    x.iloc[60, 1] = np.nan
    return y, x, dates, rng


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_events=st.integers(1, 30), length=st.integers(1, 6),
       with_x=st.booleans(), maxlags=st.one_of(st.none(), st.integers(0, 8)))  # fmt: skip
@example(seed=3415, n_events=1, length=1, with_x=True, maxlags=None)  # no window in the sample
def test_dummy_regression_matches_dense_statsmodels(seed, n_events, length, with_x, maxlags):
    y, x, dates, rng = _series(seed)
    starts = rng.integers(0, len(dates) - length, n_events)
    starts[: n_events // 3] = starts[0]  # identical windows (singular dense covariance)
    windows = {f"u{i}": list(dates[s : s + length + (i % 3 == 1)]) for i, s in enumerate(starts)}
    windows["late"] = [pd.Timestamp("2030-01-02")]  # no day in the sample
    dirs = {k: ["up", "down", "none"][i % 3] for i, k in enumerate(windows)}
    regs = x if with_x else None
    new = event_dummy_regression(
        y, windows, regs, variance="newey_west", maxlags=maxlags, directions=dirs
    )
    old = ref.event_dummy_regression(y, windows, regs, maxlags=maxlags, directions=dirs)
    if old.car["window_start"].isna().all():
        # no window has a day in the sample: the reference's NaT columns take the unit of the
        # Timestamp("2030-01-02") above (s), the new ones that of the data's dates (us)
        old.car[["window_start", "window_end"]] = old.car[["window_start", "window_end"]].astype(
            new.car["window_start"].dtype
        )
    _close(new.car, old.car, rtol=1e-7)
    _close(new.car_cov, old.car_cov, rtol=1e-7, atol=1e-16)
    _close(new.params, old.params, rtol=1e-7)
    _close(new.ar, old.ar, rtol=1e-7, atol=1e-15)
    _close(new.event_days, old.event_days)
    _close(new.autocov, old.autocov)
    # the reference predates the mean tests' estimate and se columns: stat = estimate / se
    _close(new.tests.drop(columns=["estimate", "se"]), old.tests, rtol=1e-6)
    means = new.tests[new.tests["test"].str.startswith("mean_car") & new.tests["se"].notna()]
    np.testing.assert_allclose(means["estimate"] / means["se"], means["stat"], rtol=1e-10)
    assert (new.maxlags, new.nobs) == (old.maxlags, old.nobs)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_events=st.integers(1, 25), length=st.integers(1, 5))
def test_garch_scaled_wald_and_mean_tests_equal_the_dense_formulas(seed, n_events, length):
    """With a per-day volatility the banded/Woodbury Wald and the mean tests' quadratic forms
    equal c'Σ⁺c and a'Σa on the dense covariance."""
    y, x, dates, rng = _series(seed)
    starts = rng.integers(0, len(dates) - length, n_events)
    windows = {f"u{i}": list(dates[s : s + length]) for i, s in enumerate(starts)}
    dirs = {k: ["up", "down"][i % 2] for i, k in enumerate(windows)}
    sigma = pd.Series(0.005 + 0.015 * rng.random(len(dates)), index=dates)
    res = event_dummy_regression(
        y, windows, x, variance="garch", volatility=sigma, maxlags=3, directions=dirs
    )
    ok = res.car["car"].notna().to_numpy()
    assume(ok.any())  # every window on a dropped row: no CAR, no Wald
    c = res.car["car"].to_numpy()[ok]
    cov = res.car_cov.to_numpy()[np.ix_(ok, ok)]
    tests = res.tests.set_index("test")
    dense = float(c @ np.linalg.pinv(cov, rcond=1e-10, hermitian=True) @ c)
    assert tests.loc["wald_all_zero", "stat"] == pytest.approx(dense, rel=1e-6)
    np.testing.assert_allclose(res.car["car_se"].to_numpy()[ok], np.sqrt(np.diag(cov)),
                               rtol=1e-10)  # fmt: skip
    up = np.array([dirs[e] == "up" for e in res.car["event_id"][ok]])
    if up.any():
        a = up / up.sum()
        assert tests.loc["mean_car_up", "se"] == pytest.approx(math.sqrt(a @ cov @ a), rel=1e-9)


def test_placebo_matches_reference():
    y, _, dates, rng = _series(3, n=900)
    ar = y.dropna()
    starts = rng.choice(np.arange(280, 880, 7), size=40, replace=False)
    windows = {f"e{i}": list(dates[s : s + 3]) for i, s in enumerate(starts)}
    event_days = pd.Series(False, index=ar.index)
    for w in windows.values():
        event_days[event_days.index.isin(w)] = True
    for statistic in ("scar", "car"):
        kw = {"statistic": statistic, "n_boot": 30, "draws_per_boot": 20, "seed": 5}
        new = placebo_test(ar, event_days, windows, **kw)
        old = ref.placebo_test(ar, event_days, windows, **kw)
        np.testing.assert_array_equal(new.null, old.null)
        _close(new.events, old.events)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), nx=st.integers(2, 40), ny=st.integers(2, 40),
       ties=st.booleans())  # fmt: skip
def test_permutation_test_matches_reference(seed, nx, ny, ties):
    from eventstudy.gold.groups import _permutation_mean_difference

    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal(nx) + 0.3, rng.standard_normal(ny)
    if ties:  # equal values and a shift: many permutations tie the observed difference
        x, y = np.round(x), np.round(y)
    for b in (99, 999):
        assert _permutation_mean_difference(x, y, b, seed) == ref._permutation_mean_difference(
            x, y, b, seed
        )


def test_permutation_test_on_thousands_of_events_matches_reference():
    """Above the size where the k-th smallest key is found in a band (thousands of events),
    the Monte Carlo p-value is the reference's (argsort of every row of keys)."""
    from eventstudy.gold.groups import _permutation_mean_difference

    rng = np.random.default_rng(11)
    x, y = rng.standard_normal(2500) + 0.04, rng.standard_normal(3500)
    for seed in (1, 2):
        got = _permutation_mean_difference(x, y, 99, seed)
        assert got == ref._permutation_mean_difference(x, y, 99, seed)
        assert 0 < got[1] < 1


def test_kth_smallest_key_and_the_sums_of_the_smallest_keys():
    """The band search gives np.partition's k-th value, also for rows whose k-th falls outside
    the band; rows whose keys tie at the k-th take the first k of argpartition."""
    from eventstudy.gold.groups import _kth_smallest_uniform, _smallest_key_sums

    rng = np.random.default_rng(12)
    keys = rng.random((40, 3000))
    keys[3] *= 0.5  # the 1,500th smallest far below the band around 0.5
    keys[7, :2000] = 0.9  # ties beyond the band
    for k in (1, 17, 1500, 2999):
        np.testing.assert_array_equal(
            _kth_smallest_uniform(keys, k), np.partition(keys, k - 1, axis=1)[:, k - 1]
        )
    values = rng.standard_normal(3000)
    keys[9, :3] = keys[9].min()  # four keys tie at the smallest (k = 1, 2, 3)
    for k in (1, 2, 1500):  # row 7 ties at the 1,500th
        first = np.argpartition(keys, k - 1, axis=1)[:, :k]
        expected = values[first].sum(axis=1)
        got = _smallest_key_sums(keys, k, values, np.empty_like(keys))
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------------------------
# the whole composition
# --------------------------------------------------------------------------------------------


@st.composite
def catalogs(draw):
    """A random catalog on a synthetic gold series, with clusters and events after the data."""
    seed = draw(st.integers(0, 10_000))
    n = draw(st.integers(2, 30))
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2019-01-01", periods=700)
    r = 0.01 * rng.standard_normal(len(dates))
    r[0] = np.nan
    m = 0.01 * rng.standard_normal(len(dates))
    m2, m3 = 0.01 * rng.standard_normal((2, len(dates)))
    returns = pd.DataFrame({"gold": r, "equity": m, "dollar": m2, "real_yield": m3},
                           index=dates)  # fmt: skip
    close = pd.Series(1500 * np.exp(np.nancumsum(r)), index=dates)
    data = GoldData(returns, close, "SIM", "ACWI", pd.DataFrame(columns=["date", "reason"]), ())
    pos = rng.integers(250, 720, n)  # some after the last date
    pos[: n // 3] = pos[-1] if pos[-1] < 690 else 400  # a cluster on one day
    day0 = [dates[p] if p < len(dates) else dates[-1] + pd.Timedelta(days=7 * (p - 699))
            for p in pos]  # fmt: skip
    ids = [f"ev{i:02d}" for i in draw(st.permutations(range(n)))]
    ev = pd.DataFrame({
        "event_id": ids,
        "date": [(d - pd.Timedelta(days=int(k))).strftime("%Y-%m-%d")
                 for d, k in zip(day0, rng.integers(0, 2, n), strict=True)],
        "time_known": rng.random(n) < 0.5,
        "title": ids, "title_ja": ids,
        "category": rng.choice(["nato", "trade", "gold_market"], n, p=[0.5, 0.35, 0.15]),
        "gold_direction": rng.choice(["up", "down", "none"], n),
        "day0": day0,
    })  # fmt: skip
    return ev, data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=catalogs(), policy=st.sampled_from(POLICIES),
       model=st.sampled_from(["constant_mean", "market", "factor"]),
       overlap_window=st.sampled_from([None, (-1, 1)]))  # fmt: skip
def test_gold_event_study_matches_reference(case, policy, model, overlap_window):
    ev, data = case
    kw = {"data": data, "overlap": policy, "model": model, "overlap_window": overlap_window,
          "n_boot": 20, "draws_per_boot": 10, "min_estimation_obs": 60}  # fmt: skip
    # the reference predates issue 19's defaults: pin the methods it used
    pinned = {"hac_variance": "newey_west", "placebo": "stationary_bootstrap",
              "estimation_post": None}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            old = ref.gold_event_study(ev, **kw)
        except Exception as exc:  # the reference fails (e.g. nothing studied): so must we,
            # with its exception or our own error naming every event left out
            with pytest.raises((type(exc), SpecificationError)):
                gold_event_study(ev, **kw, **pinned)
            return
        # the reference counts events sharing a day 0 one by one, as same_day0="separate"
        new = gold_event_study(ev, same_day0="separate", **kw, **pinned)
    # columns added after the reference was taken: roll days (none here), HAC estimate and se
    # and the merged rows' reason reworded ("unit" for same-day-0 clusters and episodes alike)
    _close(new.events.drop(columns=["roll_day_in_window", "reason"]),
           old.events.drop(columns=["reason"]), rtol=1e-7)  # fmt: skip
    excluded = old.events["status"] == "excluded"
    _close(new.events.loc[excluded, "reason"], old.events.loc[excluded, "reason"])
    assert not new.events["roll_day_in_window"].any()
    _close(new.exclusions, old.exclusions)
    _close(new.overlaps, old.overlaps)
    _close(new.hac.car, old.hac.car, rtol=1e-7)
    _close(new.placebo.events, old.placebo.events, rtol=1e-7)
    # the ARs come from the closed-form regression: equal to round-off, so is the null
    np.testing.assert_allclose(new.placebo.null, old.placebo.null, rtol=1e-9)
    _close(new.sensitivity, old.sensitivity, rtol=1e-7)
    if policy != "merge":  # an episode's direction and category now come from all its members
        _close(new.hac.tests.drop(columns=["estimate", "se"]), old.hac.tests, rtol=1e-6)
        _close(new.groups, old.groups, rtol=1e-7)
        _close(new.group_tests, old.group_tests, rtol=1e-7)
    # the method notes were reworded after the reference (roll days, data versions); the
    # counts are the same sentence
    assert new.notes[0] == old.notes[0]
    assert {k: new.settings[k] for k in old.settings} == old.settings


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=catalogs())
def test_a_same_day0_cluster_is_its_members_counted_once(case):
    """Events sharing a day 0 (mask policy): the cluster's CAR is each member's CAR when they
    are studied one by one, and every member row carries it."""
    ev, data = case
    kw = {"data": data, "n_boot": 10, "draws_per_boot": 5, "min_estimation_obs": 60}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            apart = gold_event_study(ev, same_day0="separate", **kw)
        except Exception:  # nothing studied: covered by the reference test
            return
        together = gold_event_study(ev, **kw)
    a = apart.events.set_index("event_id")
    t = together.events.set_index("event_id")
    members = t[t["status"].isin(["studied", "merged"])].groupby("unit_id")
    for unit, rows in members:
        ids = list(rows.index)
        np.testing.assert_allclose(a.loc[ids, "car"], rows["car"], rtol=1e-10)
        assert (rows["status"] == "studied").sum() == 1
        assert len(ids) == 1 or unit.endswith(f"+{len(ids) - 1}")
    assert together.n_events == members.ngroups


def test_a_catalog_with_nothing_to_study_gets_an_error_naming_each_event():
    """Every event after the last price or labelled an outcome: no unit is left. The error
    names each event with its stage and reason (it used to be ``max() arg is an empty
    sequence`` or a NaN-to-integer error from deep inside the study)."""
    dates = pd.bdate_range("2019-01-01", periods=400)
    r = 0.01 * np.random.default_rng(1).standard_normal(len(dates))
    r[0] = np.nan
    returns = pd.DataFrame({"gold": r, "equity": r, "dollar": r, "real_yield": r}, index=dates)
    close = pd.Series(1500 * np.exp(np.nancumsum(r)), index=dates)
    data = GoldData(returns, close, "SIM", "ACWI", pd.DataFrame(columns=["date", "reason"]), ())
    day0 = [dates[-1] + pd.Timedelta(days=30), dates[300]]
    ev = pd.DataFrame({
        "event_id": ["late", "milestone"], "date": [d.strftime("%Y-%m-%d") for d in day0],
        "time_known": [False, False], "title": ["l", "m"], "title_ja": ["l", "m"],
        "category": ["nato", "gold_market"], "gold_direction": ["up", "none"], "day0": day0,
    })  # fmt: skip
    for placebo in ("pseudo_events", "stationary_bootstrap"):
        with pytest.raises(SpecificationError, match="no event of the catalog") as err:
            gold_event_study(ev, data=data, placebo=placebo, min_estimation_obs=60)
        assert "late (day0: day 0" in str(err.value)
        assert "milestone (catalog:" in str(err.value)
