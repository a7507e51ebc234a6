"""The odds study, linear in event x market pairs, against the code it replaced.

``tests/_odds_reference.py`` holds the odds study as it was before (every event rebuilt the
list of the other events' times, every (event, market) pair prepared its token's odds again,
the association scanned the shifts once per event). Both run here on the snapshot and on
random catalogs (hypothesis: clustered and repeated event times, events without a time,
unknown slugs, markets without the outcome or without prices, unreadable price files, odds
sampled daily, hourly or irregularly, created after or closed before the event, every
option), and must give the same rows: the same statuses and reasons, numbers equal to 1e-12.
"""

from __future__ import annotations

import _odds_reference as ref
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.data.catalog import load_events
from eventstudy.data.orientation import load_orientation
from eventstudy.exceptions import DataFormatError, DataNotFoundError
from eventstudy.odds.association import (
    _permutation_tests,
    gold_odds_association,
    permutation_correlation_test,
)
from eventstudy.odds.shift import _band_overlap, odds_shift, prepare_odds
from eventstudy.odds.study import run_odds_study, screen_markets, shift_markets

TOL = 1e-12


def _same(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """Same columns, dtypes, texts and timestamps; floats equal to 1e-12."""
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=TOL, atol=TOL)


def _same_study(new, old) -> None:
    _same(new.details, old.details)
    _same(new.paths, old.paths)
    assert new.settings == old.settings


def _same_association(new, old) -> None:
    _same(new.table, old.table)
    pd.testing.assert_frame_equal(new.exclusions, old.exclusions)
    assert new.settings == old.settings
    assert list(new.tests) == list(old.tests)
    for name, test in new.tests.items():
        before = old.tests[name]
        assert (test.name, test.dist, test.nobs, test.method, test.reason) == (
            before.name, before.dist, before.nobs, before.method, before.reason
        )  # fmt: skip
        np.testing.assert_allclose([test.stat, test.pvalue], [before.stat, before.pvalue],
                                   rtol=TOL, atol=TOL)  # fmt: skip


# --------------------------------------------------------------------------------------------
# the snapshot
# --------------------------------------------------------------------------------------------


@pytest.mark.snapshot
def test_catalog_study_and_association_match_reference(snapshot_dir, repo_root) -> None:
    events = load_events(repo_root / "events.csv")
    new = run_odds_study(events, data_dir=snapshot_dir)
    old = ref.run_odds_study(events, data_dir=snapshot_dir)
    _same_study(new, old)
    assert (new.details["status"] == "ok").sum() > 20  # the comparison is not vacuous
    grouped = new.markets_by_event()
    for event_id in events["event_id"]:
        before = ref.event_markets(old, event_id)
        assert [m[0] for m in grouped.get(event_id, [])] == [m[0] for m in before]
        for now, then in ((grouped.get(event_id, []), before), (new.event_markets(event_id),
                                                                  before)):  # fmt: skip
            for (_, samples, shifts, closed), (_, samples0, shifts0, closed0) in zip(
                now, then, strict=True
            ):
                pd.testing.assert_frame_equal(samples, samples0)
                pd.testing.assert_frame_equal(shifts, shifts0)
                assert closed == closed0 or (pd.isna(closed) and pd.isna(closed0))
    assert sum(map(len, grouped.values())) > 30
    rng = np.random.default_rng(7)
    car = pd.DataFrame({"event_id": events["event_id"], "car": rng.normal(0, 0.01, len(events))})
    car.loc[::9, "car"] = np.nan
    orientation = load_orientation(repo_root / "market_orientation.csv", events)
    for kw in ({}, {"orientation": orientation}, {"aggregate": "median", "horizon": "3D"},
               {"aggregate": "largest_abs", "exact_max_n": 3, "n_permutations": 999}):  # fmt: skip
        _same_association(gold_odds_association(car, new, **kw),
                          ref.gold_odds_association(car, old, **kw))  # fmt: skip


@pytest.mark.snapshot
def test_open_markets_and_screen_match_reference(snapshot_dir, repo_root) -> None:
    events = load_events(repo_root / "events.csv")
    linked = events[events["polymarket_slugs"].map(len) > 0]
    subset = linked.iloc[[0, 5, 11]]
    kw = {"data_dir": snapshot_dir, "include_open_markets": True, "horizons": ["1D"]}
    _same_study(run_odds_study(subset, **kw), ref.run_odds_study(subset, **kw))
    event = str(linked["event_id"].iloc[3])
    new = screen_markets(event, events=events, data_dir=snapshot_dir)
    old = ref.screen_markets(event, events=events, data_dir=snapshot_dir)
    _same(new, old)
    assert len(new) > 10
    when = linked["event_time"].iloc[3]
    kw = {"events": events, "data_dir": snapshot_dir, "rank_by": "empirical_p"}
    _same(screen_markets(when, **kw), ref.screen_markets(when, **kw))


# --------------------------------------------------------------------------------------------
# random catalogs
# --------------------------------------------------------------------------------------------

START = pd.Timestamp("2025-01-01", tz="UTC")
DAY = pd.Timedelta("1D")


def _odds(rng: np.random.Generator, lo: pd.Timestamp, hi: pd.Timestamp, sampling: str):
    """A token's price path between ``lo`` and ``hi``: a random walk in log-odds, sometimes
    constant, rounded to a tick, with prices at 0 and 1 and an exact duplicate row."""
    if sampling == "daily":
        t = pd.date_range(lo.floor("D"), hi, freq="D")
    elif sampling == "hourly":
        t = pd.date_range(lo.floor("h"), min(hi, lo + 20 * DAY), freq="6h")
    else:
        span = max(int((hi - lo) / pd.Timedelta("1min")), 1)
        t = lo + pd.to_timedelta(np.sort(rng.choice(span, min(span, 400), replace=False)), "min")
    n = len(t)
    x = np.cumsum(rng.normal(0, rng.choice([0.0, 0.2, 1.0]), n)) + rng.normal(0, 2)
    p = np.round(1 / (1 + np.exp(-x)), int(rng.choice([2, 3, 6])))
    frame = pd.DataFrame({"t": pd.DatetimeIndex(t).as_unit("us"), "p": p})
    if n > 3 and rng.random() < 0.3:
        frame = pd.concat([frame, frame.iloc[[n // 2]]], ignore_index=True)
    return frame


@st.composite
def worlds(draw):
    """(markets, odds by token, loader, events, study options)."""
    seed = draw(st.integers(0, 2**32 - 1))
    n_markets = draw(st.integers(1, 7))
    n_events = draw(st.integers(1, 22))
    sampling = draw(st.sampled_from(["daily", "hourly", "irregular"]))
    rng = np.random.default_rng(seed)
    rows, odds = [], {}
    for m in range(n_markets):
        created = START + pd.Timedelta(hours=int(rng.integers(0, 40 * 24)))
        life = pd.Timedelta(hours=int(rng.integers(24 * rng.choice([1, 60]), 170 * 24)))
        closed = created + life if rng.random() < 0.8 else pd.NaT
        labels = ["Yes", "No"] if rng.random() < 0.85 else [["No", "Maybe"], [" yes ", "no"]][m % 2]
        for k, label in enumerate(labels):
            token = str(10 * m + k + 1)
            priced = rng.random() < 0.85
            rows.append({"market_id": f"id{m}", "slug": f"m{m}", "question": f"Question {m}?",
                         "outcome": label, "token_id": token,
                         "created_at": created if rng.random() < 0.95 else pd.NaT,
                         "closed_at": closed, "volume_usd": float(rng.integers(1, 10**6)),
                         "has_prices": priced})  # fmt: skip
            if priced:
                end = closed if closed is not pd.NaT else START + 170 * DAY
                odds[token] = _odds(rng, created - 2 * DAY, end + DAY, sampling)
    markets = pd.DataFrame(rows)
    for c in ("created_at", "closed_at"):
        markets[c] = pd.to_datetime(markets[c], utc=True).dt.as_unit("us")
    broken = set(rng.choice(sorted(odds), size=min(2, len(odds)), replace=False)) if odds else set()

    def loader(token: str) -> pd.DataFrame:
        if token in broken and int(token) % 3 == 0:
            raise DataFormatError(f"prices/{token}.csv line 3, column p: 'x' is not a number")
        if token in broken:
            raise DataNotFoundError(f"odds for {token}", f"prices/{token}.csv", None)
        return odds[token]

    # clustered times: many events share a few instants, some sit on a sample, some have none
    centres = START + pd.to_timedelta(rng.integers(20 * 24, 160 * 24, 4), "h")
    times = [
        pd.NaT if rng.random() < 0.08 else
        centres[rng.integers(0, 4)] + pd.Timedelta(minutes=int(rng.choice([0, 0, 30, 1500])))
        for _ in range(n_events)
    ]  # fmt: skip
    slugs = [f"m{m}" for m in range(n_markets)] * 4 + ["not-listed"]
    events = pd.DataFrame({
        "event_id": [f"e{i}" for i in range(n_events)],
        "event_time": pd.to_datetime(pd.Series(times, dtype=object), utc=True).dt.as_unit("us"),
        "time_known": rng.random(n_events) < 0.7,
        "polymarket_slugs": pd.Series(
            [list(rng.choice(slugs, int(rng.integers(0, 4)))) for _ in range(n_events)],
            dtype=object),
    })  # fmt: skip
    options = {
        "horizons": draw(st.lists(st.sampled_from(["6h", "1D", "3D", "7D"]), min_size=1,
                                  max_size=3, unique=True)),
        "include_open_markets": draw(st.booleans()),
        "exclude_other_events": draw(st.booleans()),
        "scale": draw(st.sampled_from(["logodds", "pp"])),
        "eps": draw(st.sampled_from([0.005, 0.02])),
        "estimation_window": draw(st.sampled_from(["5D", "60D"])),
        "min_estimation_changes": draw(st.sampled_from([2, 10])),
        "guard": draw(st.sampled_from(["0D", "6h", "1D"])),
        "min_null": draw(st.sampled_from([1, 20])),
        "tolerance": draw(st.sampled_from([None, "2D"])),
    }  # fmt: skip
    return markets, odds, loader, events, options


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), seed=st.integers(0, 1000))
def test_random_catalogs_match_reference(world, seed) -> None:
    markets, _, loader, events, options = world
    kw = {"markets": markets, "odds_loader": loader, **options}
    new = run_odds_study(events, **kw)
    old = ref.run_odds_study(events, **kw)
    _same_study(new, old)
    # the association over these shifts, with some CARs missing and random orientations
    rng = np.random.default_rng(seed)
    car = pd.DataFrame({"event_id": events["event_id"], "car": rng.normal(0, 0.01, len(events))})
    car.loc[rng.random(len(car)) < 0.15, "car"] = np.nan
    signs = {f"m{m}": int(rng.choice([-1, 1])) for m in range(10)}
    for agg in ("mean", "median", "largest_abs"):
        akw = {"aggregate": agg, "horizon": options["horizons"][0], "n_permutations": 199,
               "exact_max_n": 5, "orientation": signs if agg != "median" else None}  # fmt: skip
        _same_association(gold_odds_association(car, new, **akw),
                          ref.gold_odds_association(car, old, **akw))  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), pick=st.integers(0, 100), by_time=st.booleans(),
       rank_by=st.sampled_from(["abnormal_z", "empirical_p", "shift_logodds"]))  # fmt: skip
def test_screen_and_shift_markets_match_reference(world, pick, by_time, rank_by) -> None:
    markets, odds, loader, events, options = world
    timed = events[events["event_time"].notna()]
    if timed.empty:
        return
    row = timed.iloc[pick % len(timed)]
    event = row["event_time"] if by_time else row["event_id"]
    shift_opts = {k: options[k] for k in ("scale", "eps", "guard", "min_null", "tolerance")}
    kw = {"events": events, "markets": markets, "odds_loader": loader, "rank_by": rank_by,
          "horizon": options["horizons"][0], **shift_opts}  # fmt: skip
    _same(screen_markets(event, **kw), ref.screen_markets(event, **kw))
    # shift_markets with frames in and an explicit list of other times
    frames = {token: frame for token, frame in odds.items() if int(token) % 4 != 1}
    others = list(timed["event_time"])
    skw = {"slugs": [*row["polymarket_slugs"], "m0"], "horizons": options["horizons"],
           "include_open_markets": options["include_open_markets"], "exclude_times": others,
           **shift_opts}  # fmt: skip
    tau = row["event_time"]
    _same(
        shift_markets(tau, markets, frames, **skw), ref.shift_markets(tau, markets, frames, **skw)
    )


@settings(max_examples=200, deadline=None)
@given(starts=st.lists(st.integers(-50, 50), max_size=30), centres=st.lists(st.integers(-60, 60),
       max_size=12), elapsed=st.integers(0, 7), guard=st.integers(0, 5))  # fmt: skip
def test_band_overlap_by_binary_search_matches_the_loop(starts, centres, elapsed, guard) -> None:
    t = np.asarray(starts, dtype=np.int64)
    c = np.unique(np.asarray(centres, dtype=np.int64))
    np.testing.assert_array_equal(
        _band_overlap(t, elapsed, c, guard), ref._band_overlap(t, elapsed, list(c), guard)
    )


def test_odds_shift_with_many_exclusions_matches_reference() -> None:
    rng = np.random.default_rng(3)
    odds = _odds(rng, START, START + 150 * DAY, "daily")
    tau = START + pd.Timedelta("80D 13h")
    others = [*(START + pd.to_timedelta(rng.integers(0, 150 * 24, 40), "h")), tau]
    kw = {"exclude_times": others, "guard": "6h", "estimation_window": "30D"}
    new = odds_shift(odds, tau, ["1D", "3D"], **kw)
    old = pd.DataFrame(ref._odds_shift_rows(odds, tau, ["1D", "3D"], **(ref.SHIFT_DEFAULTS | kw)))
    assert list(new["n_null"]) == list(old["n_null"]) and new["n_null"].min() > 0
    np.testing.assert_allclose(new["empirical_p"], old["empirical_p"], rtol=TOL)


@pytest.mark.parametrize("n", [3, 8, 9, 40, 2500])
@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_permutations_in_blocks_match_one_matrix(n, method) -> None:
    rng = np.random.default_rng(n)
    x = rng.normal(size=n)
    y = np.round(0.3 * x + rng.normal(size=n), 1)  # ties for the ranks
    new = permutation_correlation_test(x, y, method=method, n_permutations=1999, seed=5)
    old = ref.permutation_correlation_test(x, y, method=method, n_permutations=1999, seed=5)
    assert new == old
    # gold_odds_association draws one stream for both methods: each gets its own permutations
    other = "spearman" if method == "pearson" else "pearson"
    both = _permutation_tests(x, y, (method, other), 1999, 8, 5)
    alone = ref.permutation_correlation_test(x, y, method=other, n_permutations=1999, seed=5)
    assert both == [old, alone]


MESSES = ["none", "unsorted", "nan", "nat", "exact_duplicate", "outside", "clash", "int_p"]


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 12),
    mess=st.sampled_from(MESSES),
    unit=st.sampled_from(["s", "us", "ns"]),
    tz=st.sampled_from(["UTC", "Asia/Tokyo"]),
)
def test_prepare_odds_matches_reference(seed, n, unit, tz, mess) -> None:
    rng = np.random.default_rng(seed)
    t = pd.Series(START + pd.to_timedelta(np.sort(rng.choice(10_000, n, replace=False)), "h"))
    t = t.dt.tz_convert(tz).dt.as_unit(unit)
    p = pd.Series(np.round(rng.random(n), 3))
    if n >= 3 and mess == "unsorted":
        t = t.iloc[::-1].reset_index(drop=True)
    elif n >= 3 and mess == "nan":
        p.iloc[1] = np.nan
    elif n >= 3 and mess == "nat":
        t.iloc[2] = pd.NaT
    elif n >= 3 and mess in ("exact_duplicate", "clash"):
        t.iloc[2], p.iloc[2] = t.iloc[1], p.iloc[1] + (0.1 if mess == "clash" else 0.0)
    elif n >= 1 and mess == "outside":
        p.iloc[-1] = 1.5
    elif mess == "int_p":
        p = (p > 0.5).astype(int)
    frame = pd.DataFrame({"t": t, "p": p}, index=np.arange(n) * 3 + 7)
    frame.attrs["sha256"] = "x"
    outcomes = []
    for fn in (prepare_odds, ref.prepare_odds):
        try:
            outcomes.append(fn(frame))
        except Exception as exc:  # the same error, with the same message
            outcomes.append((type(exc), str(exc)))
    new, old = outcomes
    if isinstance(old, tuple):
        assert new == old
    else:
        pd.testing.assert_frame_equal(new, old, check_exact=True)
        assert new.attrs == old.attrs
        assert isinstance(new.index, pd.RangeIndex) and isinstance(old.index, pd.RangeIndex)
