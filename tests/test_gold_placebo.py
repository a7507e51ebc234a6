"""The gold placebo (:mod:`eventstudy.gold.placebo`): pseudo-events fitted like the events, the
shift placebo of group means, empirical p-values; worked by hand on small inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.engine.study import EventStudy
from eventstudy.exceptions import SpecificationError
from eventstudy.gold.data import GoldData
from eventstudy.gold.placebo import (
    placebo_pvalues,
    pseudo_event_placebo,
    pseudo_event_positions,
    shift_placebo,
)
from eventstudy.gold.study import gold_event_study

pytestmark = pytest.mark.filterwarnings("ignore::eventstudy.exceptions.WindowOverlapWarning")


def test_placebo_pvalues_by_hand():
    null = np.array([-2.0, -1.0, 0.0, 1.0, 3.0])
    p = placebo_pvalues(np.array([1.0, -2.5, np.nan]), null)
    # s = 1: |s*| >= 1 for -2, -1, 1, 3 (4); s* >= 1: 2; s* <= 1: 4
    np.testing.assert_allclose(p["pvalue"][:2], [5 / 6, 2 / 6])
    np.testing.assert_allclose(p["pvalue_greater"][:2], [3 / 6, 6 / 6])
    np.testing.assert_allclose(p["pvalue_less"][:2], [5 / 6, 1 / 6])
    np.testing.assert_allclose(p["percentile"][:2], [80.0, 0.0])
    assert all(math.isnan(v[2]) for v in p.values())


def test_pseudo_event_positions_by_hand():
    cal = pd.bdate_range("2024-01-01", periods=20)
    taken = pd.Series(False, index=cal)
    taken.iloc[[5, 6, 12]] = True
    pos = pseudo_event_positions(cal, taken, (-1, 1))
    # windows p-1..p+1 inside 0..19 and clear of 5, 6, 12
    assert list(pos) == [1, 2, 3, 8, 9, 10, 14, 15, 16, 17, 18]
    span = (cal[3], cal[15])
    assert list(pseudo_event_positions(cal, taken, (-1, 1), span=span)) == [3, 8, 9, 10, 14, 15]
    assert list(pseudo_event_positions(cal, taken, (0, 2)))[:3] == [0, 1, 2]


def _fit_factory(returns, est=(-60, -11)):
    def fit(events):
        return EventStudy(
            returns, events.assign(asset="G"), "constant_mean", estimation_window=est,
            event_window=(-3, 3), car_windows=[(-1, 1)],
        ).fit()  # fmt: skip

    return fit


def test_pseudo_event_placebo_fits_pseudo_events_like_the_events():
    rng = np.random.default_rng(3)
    cal = pd.bdate_range("2020-01-01", periods=400)
    returns = pd.DataFrame({"G": rng.normal(0.0005, 0.01, 400)}, index=cal)
    fit = _fit_factory(returns)
    positions = np.array([80, 81, 200, 397])  # 397: the window runs past the data -> excluded
    events = fit(pd.DataFrame({"event_id": ["a"], "day0": [cal[300]]})).car.copy()
    res = pseudo_event_placebo(fit, cal, positions, events, window=(-1, 1))
    assert res.method == "pseudo_events" and res.window_len == 3 and math.isnan(res.block_length)
    assert list(res.pseudo["position"]) == [80, 81, 200]
    y = returns["G"].to_numpy()
    for p, row in zip([80, 81, 200], res.pseudo.itertuples(), strict=True):
        est = y[p - 60 : p - 10]
        mu, s2 = est.mean(), est.var(ddof=1)
        car = (y[p - 1 : p + 2] - mu).sum()
        assert row.car == pytest.approx(car, abs=1e-14)
        assert row.stat == pytest.approx(car / math.sqrt(s2 * (3 + 9 / 50)), rel=1e-12)
    np.testing.assert_allclose(res.null, res.pseudo["stat"])
    stat = events["car"].iloc[0] / events["car_se"].iloc[0]
    assert res.events["stat"].iloc[0] == pytest.approx(stat)
    expected = placebo_pvalues(np.array([stat]), res.null)
    assert res.events["pvalue"].iloc[0] == pytest.approx(expected["pvalue"][0])
    raw = pseudo_event_placebo(fit, cal, positions, events, window=(-1, 1), statistic="car")
    np.testing.assert_allclose(raw.null, res.pseudo["car"])


def test_shift_placebo_by_hand():
    """Eligible days 0, 1, 2, 3, 5, 6 (day 4 holds a real event): the groups move by every
    calendar shift k = 1..6, circularly in 0..6; a day that is not eligible moves on to the
    next eligible one."""
    pool = pd.Series([1.0, 2.0, 3.0, 4.0, np.nan, 5.0, 6.0], index=range(7))
    positions = pd.Series({"a": 4, "b": 5, "c": 2})
    values = pd.Series({"a": 6.0, "b": 5.5, "c": 2.5})
    out = shift_placebo(
        pool, positions, values, {"ab": (["a", "b"], "greater"), "c": (["c"], "less")},
        difference=("ab", "c"),
    ).set_index("test")  # fmt: skip
    # (a, b) -> (5, 6), (6, 0), (0, 1), (1, 2), (2, 3), (3, 4 -> 5): means 5.5, 3.5, 1.5, 2.5,
    # 3.5, 4.5 -- a and b stay one day apart (mapping day 4 to day 5 first would merge them)
    ab = out.loc["placebo_mean_ab"]
    assert ab["stat"] == pytest.approx(5.75) and ab["dist"] == "placebo(6 shifts)"
    assert ab["pvalue"] == pytest.approx((1 + 0) / 7)
    # c: 3, 4 -> 5, 5, 6, 0, 1: values 4, 5, 5, 6, 1, 2; two of them <= 2.5
    assert out.loc["placebo_mean_c", "pvalue"] == pytest.approx((1 + 2) / 7)
    diff = out.loc["placebo_ab_minus_c"]
    assert diff["stat"] == pytest.approx(3.25)
    # null of the difference: 1.5, -1.5, -3.5, -3.5, 2.5, 2.5; none >= 3.25: 2 x 1/7
    assert diff["pvalue"] == pytest.approx(2 / 7)
    assert diff["alternative"] == "two-sided" and diff["nobs"] == 3


def _gold_data(n=1500, seed=5):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2016-01-04", periods=n)
    r = rng.normal(0.0003, 0.01, n)
    returns = pd.DataFrame({"gold": np.r_[np.nan, r[1:]]}, index=dates)
    close = pd.Series(1000 * np.exp(np.cumsum(r)), index=dates)
    empty = pd.DataFrame(columns=["date", "reason"])
    return GoldData(returns, close, "SIM", "ACWI", empty, ()), dates


def _events(dates, positions, directions):
    n = len(positions)
    return pd.DataFrame({
        "event_id": [f"e{i}" for i in range(n)], "date": dates[positions],
        "day0": dates[positions], "time_known": True, "title": "t", "title_ja": "t",
        "category": "nato", "gold_direction": directions,
    })  # fmt: skip


def test_gold_study_defaults_to_the_pseudo_event_placebo_and_the_garch_hac():
    data, dates = _gold_data()
    ev = _events(
        dates, [400, 600, 601, 900, 1200, 1300], ["up", "up", "up", "down", "down", "none"]
    )
    res = gold_event_study(ev, data=data)
    s = res.settings
    assert (s["hac_variance"], s["placebo"]) == ("garch", "pseudo_events")
    assert res.hac.variance == "garch" and res.placebo.method == "pseudo_events"
    pseudo = res.placebo.pseudo
    # pseudo day 0s: from the first event's day 0 on, none within the mask of an event
    assert pseudo["day0"].min() >= dates[400]
    taken = {p + k for p in (400, 600, 601, 900, 1200, 1300) for k in range(-2, 7)}
    assert not taken & set(pseudo["position"])
    ev_tbl = res.events.set_index("event_id")
    np.testing.assert_allclose(
        ev_tbl["p_placebo"], res.placebo.events.set_index("event_id").loc[ev_tbl.index, "pvalue"]
    )
    g = res.groups.set_index(["by", "group"])
    assert {"placebo_stat", "pvalue_placebo"} <= set(g.columns)
    stat = res.placebo.events.set_index("event_id")["stat"]
    assert g.loc[("gold_direction", "up"), "placebo_stat"] == pytest.approx(
        stat[["e0", "e1", "e2"]].mean()
    )
    assert "placebo_up_minus_down" in set(res.group_tests["test"])
    assert "pseudo-events" in res.summary().as_text()


def test_gold_study_keeps_the_old_routes_as_named_options():
    data, dates = _gold_data(seed=6)
    ev = _events(dates, [400, 700, 1000], ["up", "down", "up"])
    old = {"hac_variance": "newey_west", "placebo": "stationary-bootstrap"}
    res = gold_event_study(ev, data=data, n_boot=20, draws_per_boot=20, **old)
    assert res.hac.variance == "newey_west" and res.hac.volatility is None
    assert res.placebo.method == "stationary_bootstrap" and res.placebo.pseudo is None
    assert res.placebo.null.size == 400
    assert "placebo_stat" not in res.groups.columns
    with pytest.raises(SpecificationError, match="placebo="):
        gold_event_study(ev, data=data, placebo="permutation")
    with pytest.raises(SpecificationError, match="hac_variance="):
        gold_event_study(ev, data=data, hac_variance="white")


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), width=st.integers(2, 400), n=st.integers(1, 60))
def test_circular_means_by_fft_equal_the_direct_sums(seed, width, n):
    """The FFT route of the group shift placebo (large catalogs) gives the direct means."""
    from eventstudy.gold import placebo

    rng = np.random.default_rng(seed)
    f = rng.standard_normal(width)
    offsets = rng.integers(0, width, n)
    offsets[: n // 3] = offsets[0]  # events sharing a day
    shifts = np.arange(1, width)
    direct = np.array([f[(offsets + k) % width].mean() for k in shifts])
    np.testing.assert_allclose(placebo._circular_means(f, offsets, shifts), direct, atol=1e-12)
    old = placebo._DIRECT_SHIFT_CELLS
    try:
        placebo._DIRECT_SHIFT_CELLS = 0  # force the FFT
        fft = placebo._circular_means(f, offsets, shifts)
    finally:
        placebo._DIRECT_SHIFT_CELLS = old
    np.testing.assert_allclose(fft, direct, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "d", "z"]), max_size=10),
    st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none()), min_size=4, max_size=4
    ),
)
def test_finite_ids_are_those_of_the_plain_filter(ids, vals):
    """The vectorised filter equals [i for i in ids if isfinite(values.get(i, nan))]."""
    from eventstudy.gold.placebo import _finite

    values = pd.Series([np.nan if v is None else v for v in vals], index=["a", "b", "c", "d"])
    want = [i for i in ids if np.isfinite(values.get(i, np.nan))]
    assert _finite(ids, values) == want


@given(st.integers(1, 5_000))
def test_smooth_length_is_the_next_5_smooth_number(n):
    from eventstudy.gold.placebo import _smooth_length

    def smooth(m):
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        return m == 1

    assert _smooth_length(n) == next(m for m in range(n, 4 * n + 8) if smooth(m))
