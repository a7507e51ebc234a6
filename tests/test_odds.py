"""Tests of eventstudy.odds.shift: odds shifts, abnormal z, empirical p, screener, gold association.

Snapshot expectations are looked up independently, by date string, in the raw CSV lines of
``../shared/data/snapshot/polymarket`` (never copied into the repo).
"""

from __future__ import annotations

import csv
import math
import statistics
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from scipy import stats

from eventstudy.exceptions import SpecificationError
from eventstudy.odds.association import (
    gold_odds_association,
    gold_odds_associations,
    gold_odds_table,
    permutation_correlation_test,
)
from eventstudy.odds.results import (
    SHIFT_COLUMNS,
    GoldOddsAssociation,
    OddsStudyResults,
    write_odds_shifts_csv,
)
from eventstudy.odds.shift import (
    DEFAULT_EPS,
    logodds,
    market_life_problem,
    odds_shift,
    prepare_odds,
)
from eventstudy.odds.study import run_odds_study, screen_markets, shift_markets
from eventstudy.plotting.odds import plot_gold_vs_odds, plot_odds_path

UKRAINE_AID = "will-trump-administration-announces-end-of-ukraine-aid-by-next-friday"
IRAN_SLUGS = [
    "us-military-action-against-iran-before-july",
    "us-military-action-against-iran-before-august",
    "us-military-action-against-iran-by-saturday",
    "us-military-action-against-iran-by-sunday-225",
]
AID_PAUSE = pd.Timestamp("2025-03-03 19:30", tz="America/New_York")  # 2025-03-04 00:30 UTC
IRAN_STRIKES = pd.Timestamp("2025-06-21 19:50", tz="America/New_York")  # 2025-06-21 23:50 UTC


# --------------------------------------------------------------------------------------------
# independent look-ups in the raw snapshot files
# --------------------------------------------------------------------------------------------


def _market_row(snapshot: Path, slug: str, outcome: str = "Yes") -> dict[str, str]:
    with open(snapshot / "polymarket" / "markets.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["slug"] == slug and row["outcome"] == outcome:
                return row
    raise AssertionError(f"{slug} {outcome} not in markets.csv")


def _raw_prices(snapshot: Path, token: str) -> dict[str, float]:
    """date string (YYYY-MM-DD) -> p of the 00:00 UTC sample, from the raw lines."""
    out = {}
    lines = (snapshot / "polymarket" / "prices" / f"{token}.csv").read_text().splitlines()
    for line in lines[1:]:
        t, p = line.split(",")
        assert t.endswith("T00:00:00Z")
        out[t[:10]] = float(p)
    return out


def _logit(p: float, eps: float = DEFAULT_EPS) -> float:
    q = min(max(p, eps), 1 - eps)
    return math.log(q / (1 - q))


def _events(event_id: str, when: pd.Timestamp, slugs: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": [event_id],
            "event_time": pd.Series([when.tz_convert("UTC")]).dt.as_unit("us"),
            "time_known": [True],
            "polymarket_slugs": pd.Series([slugs], dtype=object),
        }
    )


# --------------------------------------------------------------------------------------------
# snapshot: Ukraine aid pause (2025-03-03 evening ET)
# --------------------------------------------------------------------------------------------


@pytest.mark.snapshot
def test_ukraine_aid_pause_shifts_match_raw_csv(snapshot_dir: Path) -> None:
    row = _market_row(snapshot_dir, UKRAINE_AID)
    raw = _raw_prices(snapshot_dir, row["token_id"])
    res = run_odds_study(
        _events("us_pauses_military_aid_ukraine", AID_PAUSE, [UKRAINE_AID]),
        data_dir=snapshot_dir,
        exclude_other_events=False,
    )
    s = res.shifts.set_index("horizon")
    assert list(res.shifts.columns) == SHIFT_COLUMNS
    # event 00:30 UTC on 4 Mar: the 4 Mar 00:00 sample is the last strictly before it
    p0 = raw["2025-03-04"]
    expected_after = {"1D": "2025-03-05", "3D": "2025-03-07", "7D": "2025-03-07"}
    for h, day in expected_after.items():
        r = s.loc[pd.Timedelta(h)]
        assert r["token_id"] == row["token_id"]
        assert r["t_before"] == pd.Timestamp("2025-03-04", tz="UTC")
        assert r["t_after"] == pd.Timestamp(day, tz="UTC")
        assert r["p_before"] == pytest.approx(p0)
        assert r["p_after"] == pytest.approx(raw[day])
        assert r["shift_pp"] == pytest.approx(100 * (raw[day] - p0), abs=1e-9)
        assert r["shift_logodds"] == pytest.approx(_logit(raw[day]) - _logit(p0), abs=1e-12)
    assert s.loc[pd.Timedelta("1D"), "shift_pp"] == pytest.approx(10.9)
    # closed 2025-03-07 01:14:47 UTC: 3D (target 7 Mar 00:30) fits, 7D is truncated at the close
    assert s.loc[pd.Timedelta("3D"), "status"] != "truncated"
    assert s.loc[pd.Timedelta("7D"), "status"] == "truncated"
    assert "horizon used" in s.loc[pd.Timedelta("7D"), "reason"]
    d = res.details.set_index("horizon")
    assert d.loc[pd.Timedelta("7D"), "horizon_used"] == pd.Timedelta("3D 00:44:47")
    # a 7-sample market has no baseline: z and p are NaN with a reason, never silent
    assert np.isnan(s.loc[pd.Timedelta("1D"), "abnormal_z"])
    assert "abnormal_z not computed" in s.loc[pd.Timedelta("1D"), "reason"]


# --------------------------------------------------------------------------------------------
# snapshot: US strikes on Iran (Saturday 2025-06-21 19:50 ET = 23:50 UTC)
# --------------------------------------------------------------------------------------------


@pytest.mark.snapshot
def test_iran_strikes_shifts_match_raw_csv(snapshot_dir: Path) -> None:
    res = run_odds_study(
        _events("us_strikes_iran_nuclear_sites", IRAN_STRIKES, IRAN_SLUGS),
        data_dir=snapshot_dir,
        exclude_other_events=False,
    )
    s = res.shifts
    assert set(s["slug"]) == set(IRAN_SLUGS)
    assert len(s) == 4 * 3
    for slug in IRAN_SLUGS:
        row = _market_row(snapshot_dir, slug)
        raw = _raw_prices(snapshot_dir, row["token_id"])
        p0, p1 = raw["2025-06-21"], raw["2025-06-22"]  # 22 Jun 00:00 is 10 min after the event
        sub = s[s["slug"] == slug]
        assert (sub["t_before"] == pd.Timestamp("2025-06-21", tz="UTC")).all()
        assert (sub["t_after"] == pd.Timestamp("2025-06-22", tz="UTC")).all()
        np.testing.assert_allclose(sub["shift_pp"], 100 * (p1 - p0), atol=1e-9)
        np.testing.assert_allclose(sub["shift_logodds"], _logit(p1) - _logit(p0), atol=1e-12)
        # every one closed in the small hours of 22 June: all horizons truncated at the close
        assert (sub["status"] == "truncated").all()
    july = s[s["slug"] == IRAN_SLUGS[0]].iloc[0]
    assert july["shift_pp"] == pytest.approx(58.0)


@pytest.mark.snapshot
def test_iran_before_july_abnormal_z_and_empirical_p_by_hand(snapshot_dir: Path) -> None:
    row = _market_row(snapshot_dir, IRAN_SLUGS[0])
    raw = _raw_prices(snapshot_dir, row["token_id"])
    days = sorted(raw)
    x = {d: _logit(raw[d]) for d in days}
    shift = x["2025-06-22"] - x["2025-06-21"]
    nxt = {d: (pd.Timestamp(d) + pd.Timedelta("1D")).strftime("%Y-%m-%d") for d in days}
    # estimation: 1-day changes starting 23 Apr .. 20 Jun (within 60 days before 21 Jun 23:50)
    est = [x[nxt[d]] - x[d] for d in days if "2025-04-23" <= d <= "2025-06-20"]
    assert len(est) == 59
    z = shift / statistics.stdev(est)
    # null: 1-day changes not overlapping [event - 1D, event + 1D + 1D]: starts up to 19 Jun
    null = [x[nxt[d]] - x[d] for d in days if d <= "2025-06-19" and nxt[d] in x]
    p = (1 + sum(abs(v) >= abs(shift) - 1e-12 for v in null)) / (1 + len(null))
    res = run_odds_study(
        _events("iran", IRAN_STRIKES, IRAN_SLUGS[:1]),
        data_dir=snapshot_dir,
        horizons=("1D",),
        exclude_other_events=False,
    )
    r = res.details.iloc[0]
    assert r["n_estimation"] == 59
    assert r["abnormal_z"] == pytest.approx(z, rel=1e-10)
    assert r["abnormal_z"] > 5
    assert r["n_null"] == len(null)
    assert r["empirical_p"] == pytest.approx(p)
    assert r["empirical_p"] <= 0.05


@pytest.mark.snapshot
def test_market_created_after_event_is_not_computable(snapshot_dir: Path) -> None:
    slug = "another-us-military-action-against-iran-by-monday"  # created 2025-06-22 00:35 UTC
    res = run_odds_study(_events("iran", IRAN_STRIKES, [slug]), data_dir=snapshot_dir)
    s = res.shifts
    assert (s["status"] == "not_computable").all()
    assert s["reason"].str.contains("created").all()
    assert s["shift_pp"].isna().all()
    assert len(res.exclusions) == 3


@pytest.mark.snapshot
@pytest.mark.parametrize(
    ("slug", "when", "expected"),
    [
        # No price file, created 20:17 UTC, 16h47 after the 03:30 UTC Hamas attack.
        (
            "israel-and-hamas-ceasefire-by-oct-31",
            pd.Timestamp("2023-10-07 06:30", tz="Asia/Jerusalem"),
            "market created {created} UTC, after the event; no price history in the data directory",
        ),
        # Priced, but closed 07:02 UTC on inauguration day, before the noon oath.
        (
            "trump-ends-ukraine-war-before-inauguration",
            pd.Timestamp("2025-01-20 12:00", tz="America/New_York"),
            "market closed {closed} UTC, at or before the event",
        ),
    ],
)
def test_metadata_names_why_a_link_cannot_measure(
    snapshot_dir: Path, slug: str, when: pd.Timestamp, expected: str
) -> None:
    row = _market_row(snapshot_dir, slug)
    stamps = {k: row[f"{k}_at"].replace("T", " ")[:16] for k in ("created", "closed")}
    res = run_odds_study(_events("e", when, [slug]), data_dir=snapshot_dir, horizons=["1D"])
    assert res.shifts["status"].item() == "not_computable"
    assert res.shifts["reason"].item() == expected.format(**stamps)


def test_no_price_history_reason_names_the_market_life_first() -> None:
    markets, _paths = _toy_markets()
    tau = pd.Timestamp("2025-03-15 18:00", tz="UTC")
    closed = markets.assign(closed_at=pd.Timestamp("2025-03-01", tz="UTC"))
    res = shift_markets(tau, closed, {}, slugs=["quiet-market", "late-market"], horizons=["1D"])
    assert list(res["reason"]) == [
        "market closed 2025-03-01 00:00 UTC, at or before the event; no price history in the "
        "data directory",
        "market created 2025-03-20 00:00 UTC, after the event; no price history in the data "
        "directory",
    ]
    open_ = shift_markets(tau, markets, {}, slugs=["quiet-market"], horizons=["1D"])
    assert open_["reason"].item() == "no price history in the data directory"
    assert market_life_problem(tau, "2025-03-15 18:00+00:00", None) is None  # created at tau
    assert market_life_problem(tau, None, tau) == (
        "market closed 2025-03-15 18:00 UTC, at or before the event"
    )


@pytest.mark.snapshot
def test_catalog_run_and_outputs(snapshot_dir: Path, repo_root: Path, tmp_path: Path) -> None:
    from eventstudy.data.catalog import load_events

    events = load_events(repo_root / "events.csv")
    res = run_odds_study(events, data_dir=snapshot_dir)
    assert set(res.shifts["status"]) <= {
        "ok",
        "no_baseline",
        "stale",
        "truncated",
        "not_computable",
    }
    iran = res.shifts[
        (res.shifts["event_id"] == "us_strikes_iran_nuclear_sites")
        & (res.shifts["slug"] == IRAN_SLUGS[0])
    ]
    assert iran["p_before"].iloc[0] == pytest.approx(0.4135)
    # numbers only where a status allows them
    nc = res.shifts["status"] == "not_computable"
    assert res.shifts.loc[nc, "shift_pp"].isna().all()
    assert res.shifts.loc[~nc, "shift_pp"].notna().all()
    ok = res.shifts["status"] == "ok"
    assert res.shifts.loc[ok, ["abnormal_z", "empirical_p"]].notna().all().all()
    text = res.summary().as_text()
    assert "[1]" in text and "not_computable" in text
    assert "<table" in res._repr_html_()
    path = write_odds_shifts_csv(res, tmp_path)
    assert path.name == "odds_shifts.csv"
    back = pd.read_csv(path, dtype={"token_id": str})
    assert list(back.columns) == SHIFT_COLUMNS
    assert set(back["horizon"]) == {"1D", "3D", "7D"}
    assert set(back["token_id"].dropna()) <= set(res.shifts["token_id"])


@pytest.mark.snapshot
def test_screen_markets_on_iran_strikes(snapshot_dir: Path) -> None:
    table = screen_markets(IRAN_STRIKES, data_dir=snapshot_dir, horizon="1D")
    assert len(table) > 5
    assert (table["rank"] == np.arange(1, len(table) + 1)).all()
    z = table["abnormal_z"].abs().to_numpy()
    finite = z[np.isfinite(z)]
    assert (np.diff(finite) <= 0).all()
    assert np.isfinite(z[: len(finite)]).all()  # NaN keys come last
    top = table.iloc[0]
    assert "iran" in top["slug"]


# --------------------------------------------------------------------------------------------
# synthetic paths
# --------------------------------------------------------------------------------------------


def _path(times: pd.DatetimeIndex, x: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"t": times, "p": 1.0 / (1.0 + np.exp(-x))})


def _random_walk(n: int, sd: float, seed: int, start: float = -0.5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.0, sd, n)
    x = start + np.cumsum(steps)
    return start + 0.8 * np.tanh((x - start) / 0.8)  # keep it well inside the clip


def test_planted_jump_minute_sampling() -> None:
    times = pd.date_range("2025-01-01", periods=90 * 1440, freq="min", tz="UTC")
    x = _random_walk(len(times), 0.0015, seed=1)
    tau = pd.Timestamp("2025-03-10 14:07:30", tz="UTC")
    x = x + 1.5 * (times >= tau + pd.Timedelta("20min"))
    res = odds_shift(_path(times, x), tau, ["1h", "1D"]).set_index("horizon")
    r = res.loc[pd.Timedelta("1h")]
    assert r["status"] == "ok"
    assert r["t_before"] == pd.Timestamp("2025-03-10 14:07", tz="UTC")
    assert r["t_after"] == pd.Timestamp("2025-03-10 15:07", tz="UTC")
    assert r["shift_logodds"] == pytest.approx(1.5, abs=0.1)
    assert r["abnormal_z"] > 20
    assert r["empirical_p"] < 1e-3
    assert res.loc[pd.Timedelta("1D"), "abnormal_z"] > 5


def test_planted_jump_daily_recovered_at_right_horizon() -> None:
    times = pd.date_range("2024-01-01", periods=300, freq="D", tz="UTC")
    rng = np.random.default_rng(7)
    x = -0.4 + np.cumsum(rng.normal(0.0, 0.04, len(times)))
    tau = pd.Timestamp("2024-08-01 15:00", tz="UTC")
    x = x + 1.0 * (times > tau + pd.Timedelta("2D"))  # lands between +2D and +3D
    res = odds_shift(_path(times, x), tau, ["1D", "3D"]).set_index("horizon")
    assert (res["status"] == "ok").all()
    assert abs(res.loc[pd.Timedelta("1D"), "abnormal_z"]) < 4
    assert res.loc[pd.Timedelta("1D"), "empirical_p"] > 0.01
    assert res.loc[pd.Timedelta("3D"), "abnormal_z"] > 8
    assert res.loc[pd.Timedelta("3D"), "empirical_p"] < 0.01
    assert res.loc[pd.Timedelta("3D"), "t_after"] == pd.Timestamp("2024-08-04", tz="UTC")


def test_constant_price_gives_zero_shift_and_no_significance() -> None:
    times = pd.date_range("2025-01-01", periods=200, freq="D", tz="UTC")
    odds = pd.DataFrame({"t": times, "p": 0.37})
    res = odds_shift(odds, pd.Timestamp("2025-05-01 12:00", tz="UTC"), ["1D", "3D", "7D"])
    assert (res["shift_pp"] == 0).all() and (res["shift_logodds"] == 0).all()
    assert res["abnormal_z"].isna().all()
    assert res["reason"].str.contains("no variability").all()
    assert (res["empirical_p"] == 1.0).all()
    assert (res["status"] == "no_baseline").all()


def test_clipping_keeps_logodds_finite() -> None:
    times = pd.date_range("2025-01-01", periods=4, freq="D", tz="UTC")
    odds = pd.DataFrame({"t": times, "p": [0.0, 0.0, 1.0, 1.0]})
    res = odds_shift(odds, pd.Timestamp("2025-01-02 06:00", tz="UTC"), ["1D"], eps=0.005)
    r = res.iloc[0]
    assert r["shift_pp"] == 100.0
    assert r["shift_logodds"] == pytest.approx(2 * math.log(199))
    assert np.isfinite(logodds([0.0, 1.0])).all()
    assert logodds(1.0, eps=0.01) == pytest.approx(math.log(99))


def test_sample_at_event_time_is_not_before() -> None:
    times = pd.date_range("2025-01-01", periods=10, freq="D", tz="UTC")
    odds = pd.DataFrame({"t": times, "p": np.linspace(0.1, 0.5, 10)})
    tau = pd.Timestamp("2025-01-05", tz="UTC")  # exactly a sample time
    r = odds_shift(odds, tau, ["1D"]).iloc[0]
    assert r["t_before"] == pd.Timestamp("2025-01-04", tz="UTC")
    assert r["t_after"] == pd.Timestamp("2025-01-06", tz="UTC")


def test_horizon_finer_than_sampling_is_not_computable() -> None:
    times = pd.date_range("2025-01-01", periods=10, freq="D", tz="UTC")
    odds = pd.DataFrame({"t": times, "p": 0.3})
    r = odds_shift(odds, pd.Timestamp("2025-01-05 12:00", tz="UTC"), ["1h"]).iloc[0]
    assert r["status"] == "not_computable"
    assert "sampling too coarse" in r["reason"]


def test_created_after_and_closed_before() -> None:
    times = pd.date_range("2025-01-01", periods=30, freq="D", tz="UTC")
    odds = pd.DataFrame({"t": times, "p": 0.3})
    tau = pd.Timestamp("2025-01-10 12:00", tz="UTC")
    r = odds_shift(odds, tau, ["1D"], created_at="2025-01-11T00:00:00Z")
    assert r["status"].item() == "not_computable" and "created" in r["reason"].item()
    r = odds_shift(odds, tau, ["1D"], closed_at="2025-01-10 06:00+00:00")
    assert r["status"].item() == "not_computable" and "closed" in r["reason"].item()
    r = odds_shift(odds, tau, ["1D", "7D"], closed_at="2025-01-13 06:00+00:00").set_index("horizon")
    assert r.loc[pd.Timedelta("1D"), "status"] != "truncated"
    assert r.loc[pd.Timedelta("7D"), "status"] == "truncated"
    assert r.loc[pd.Timedelta("7D"), "t_after"] == pd.Timestamp("2025-01-13", tz="UTC")


def test_stale_sample_is_flagged() -> None:
    times = pd.date_range("2025-01-01", periods=60, freq="D", tz="UTC").delete(range(30, 36))
    odds = pd.DataFrame({"t": times, "p": np.linspace(0.2, 0.6, len(times))})
    r = odds_shift(odds, pd.Timestamp("2025-02-03 12:00", tz="UTC"), ["3D"]).iloc[0]
    assert r["status"] == "stale"
    assert "before sample" in r["reason"] and "tolerance" in r["reason"]
    assert r["t_before"] == pd.Timestamp("2025-01-30", tz="UTC")


@settings(max_examples=40, deadline=None)
@given(
    gaps=st.lists(st.integers(1, 36 * 60), min_size=5, max_size=60),
    offset=st.integers(0, 100),
    horizon_min=st.integers(1, 48 * 60),
    seed=st.integers(0, 1000),
)
def test_asof_lookup_properties(gaps: list[int], offset: int, horizon_min: int, seed: int) -> None:
    start = pd.Timestamp("2025-01-01", tz="UTC")
    times = start + pd.to_timedelta(np.cumsum(gaps), unit="min")
    p = np.random.default_rng(seed).uniform(0, 1, len(times))
    odds = pd.DataFrame({"t": times, "p": p})
    tau = times[len(times) // 2] + pd.Timedelta(minutes=offset)
    h = pd.Timedelta(minutes=horizon_min)
    r = odds_shift(odds, tau, [h], min_null=1).iloc[0]
    if r["status"] == "not_computable":
        assert not ((times > tau) & (times <= tau + h)).any()
        return
    assert r["t_before"] < tau < r["t_after"] <= tau + h
    # as-of: no sample strictly between t_before and the event, nor between t_after and target
    assert not ((times > r["t_before"]) & (times < tau)).any()
    assert not ((times > r["t_after"]) & (times <= tau + h)).any()
    i, j = times.get_loc(r["t_before"]), times.get_loc(r["t_after"])
    assert r["shift_logodds"] == pytest.approx(float(logodds(p[j]) - logodds(p[i])))
    ep = r["empirical_p"]
    assert (np.isnan(ep) and "empirical_p not computed" in r["reason"]) or 0 < ep <= 1


def test_bad_options_raise() -> None:
    odds = pd.DataFrame({"t": pd.date_range("2025-01-01", periods=3, tz="UTC"), "p": 0.5})
    with pytest.raises(SpecificationError, match="scale"):
        odds_shift(odds, pd.Timestamp("2025-01-02", tz="UTC"), scale="bps")  # type: ignore[arg-type]
    with pytest.raises(SpecificationError, match="time zone"):
        odds_shift(odds, pd.Timestamp("2025-01-02"))
    with pytest.raises(SpecificationError, match="eps"):
        odds_shift(odds, pd.Timestamp("2025-01-02", tz="UTC"), eps=0.7)


# --------------------------------------------------------------------------------------------
# markets: outcome by label, open markets, screener
# --------------------------------------------------------------------------------------------


def _toy_markets() -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    times = pd.date_range("2025-01-01", periods=120, freq="D", tz="UTC")
    rng = np.random.default_rng(3)
    tau = pd.Timestamp("2025-03-15 18:00", tz="UTC")
    paths = {}
    for k, jump in (("1", 0.0), ("3", 2.0), ("5", 0.0)):
        x = -1 + np.cumsum(rng.normal(0, 0.05, len(times))) + jump * (times > tau)
        paths[k] = _path(times, x)
    paths["2"] = pd.DataFrame({"t": times, "p": 1 - paths["1"]["p"]})
    rows = [
        # "No" listed first: the token must be chosen by label, not position
        ("m1", "quiet-market", "No", "2"),
        ("m1", "quiet-market", "Yes", "1"),
        ("m2", "jumpy-market", "Yes", "3"),
        ("m2", "jumpy-market", "No", "4"),
        ("m3", "late-market", "Yes", "5"),
    ]
    markets = pd.DataFrame(rows, columns=["market_id", "slug", "outcome", "token_id"])
    markets["question"] = markets["slug"].str.replace("-", " ") + "?"
    created = {"m1": "2024-12-01", "m2": "2024-12-01", "m3": "2025-03-20"}
    markets["created_at"] = pd.to_datetime(markets["market_id"].map(created), utc=True)
    markets["closed_at"] = pd.to_datetime("2025-06-01", utc=True)
    markets["has_prices"] = markets["token_id"] != "4"
    markets["volume_usd"] = 1000.0
    return markets, paths


def test_shift_markets_picks_outcome_by_label_and_open_markets() -> None:
    markets, paths = _toy_markets()
    tau = pd.Timestamp("2025-03-15 18:00", tz="UTC")
    res = shift_markets(tau, markets, paths, slugs=["quiet-market", "nope"], horizons=["1D"])
    assert list(res["slug"]) == ["quiet-market", "nope"]
    assert res["token_id"].iloc[0] == "1"
    assert res["status"].iloc[1] == "not_computable"
    assert "not in markets.csv" in res["reason"].iloc[1]
    res_no = shift_markets(
        tau, markets, paths, slugs=["quiet-market"], outcome="No", horizons=["1D"]
    )
    assert res_no["token_id"].item() == "2"
    assert res_no["shift_pp"].item() == pytest.approx(-res["shift_pp"].iloc[0])
    res_open = shift_markets(
        tau, markets, paths, slugs=["quiet-market"], include_open_markets=True, horizons=["1D"]
    )
    # late-market was created after the event: not open, not included
    assert list(res_open["slug"]) == ["quiet-market", "jumpy-market"]
    assert list(res_open["linked"]) == [True, False]


def test_exact_duplicate_rows_are_dropped() -> None:
    times = pd.date_range("2025-01-01", periods=10, freq="D", tz="UTC")
    odds = pd.DataFrame({"t": times, "p": np.linspace(0.1, 0.5, 10)})
    tau = pd.Timestamp("2025-01-05 12:00", tz="UTC")
    doubled = pd.concat([odds, odds.iloc[[4]]], ignore_index=True)  # 2025-01-05 twice, same p
    assert prepare_odds(doubled).equals(prepare_odds(odds))
    assert_frame_equal(odds_shift(doubled, tau, ["1D"]), odds_shift(odds, tau, ["1D"]))


def test_conflicting_duplicate_timestamp_raises() -> None:
    times = pd.date_range("2025-01-01", periods=10, freq="D", tz="UTC")
    odds = pd.DataFrame({"t": times, "p": np.linspace(0.1, 0.5, 10)})
    extra = pd.DataFrame({"t": [times[4]], "p": [0.9]})  # 2025-01-05 again, another price
    bad = pd.concat([odds, extra], ignore_index=True)
    with pytest.raises(SpecificationError, match="2025-01-05") as info:
        odds_shift(bad, pd.Timestamp("2025-01-05 12:00", tz="UTC"), ["1D"])
    msg = str(info.value)
    assert "p=0.2777" in msg and "p=0.9" in msg
    assert "keep='last'" in msg and "duplicates_dropped" in msg
    with pytest.raises(SpecificationError, match="different prices"):
        prepare_odds(bad)
    # deduplicated as the message says, the last sample is used
    fixed = bad.drop_duplicates("t", keep="last")
    r = odds_shift(fixed, pd.Timestamp("2025-01-05 12:00", tz="UTC"), ["1D"]).iloc[0]
    assert r["p_before"] == 0.9


def test_run_odds_study_rejects_duplicated_event_ids() -> None:
    markets, paths = _toy_markets()
    tau = pd.Timestamp("2025-03-15 18:00", tz="UTC")
    events = pd.concat(
        [_events("e1", tau, ["quiet-market"]), _events("e2", tau, ["jumpy-market"])] * 2
        + [_events("e3", tau, ["quiet-market"])],
        ignore_index=True,
    )
    with pytest.raises(SpecificationError, match="duplicated event_id") as info:
        run_odds_study(events, markets=markets, odds_loader=paths.__getitem__, horizons=["1D"])
    assert "['e1', 'e2']" in str(info.value)
    one = run_odds_study(
        events.drop_duplicates("event_id"),
        markets=markets,
        odds_loader=paths.__getitem__,
        horizons=["1D"],
    )
    assert sorted(one.shifts["event_id"]) == ["e1", "e2", "e3"]


def test_screen_markets_ranks_planted_jump_first() -> None:
    markets, paths = _toy_markets()
    events = pd.DataFrame(
        {
            "event_id": ["e1"],
            "event_time": [pd.Timestamp("2025-03-15 18:00", tz="UTC")],
            "polymarket_slugs": pd.Series([["quiet-market"]], dtype=object),
        }
    )
    table = screen_markets(
        "e1", events=events, markets=markets, odds_loader=paths.__getitem__, horizon="1D"
    )
    assert list(table["slug"]) == ["jumpy-market", "quiet-market"]
    assert table["rank"].tolist() == [1, 2]
    assert table["abnormal_z"].iloc[0] > 10
    assert table["linked"].tolist() == [False, True]
    with pytest.raises(SpecificationError, match="events="):
        screen_markets("e1", markets=markets, odds_loader=paths.__getitem__)


# --------------------------------------------------------------------------------------------
# gold and odds: permutation tests
# --------------------------------------------------------------------------------------------


def test_permutation_exact_perfect_association() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=7)
    res = permutation_correlation_test(x, 2 * x + 1, method="pearson")
    assert res.stat == pytest.approx(1.0)
    assert res.pvalue == pytest.approx(1 / math.factorial(7))
    assert "exact" in res.method


def test_permutation_exact_matches_scipy() -> None:
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=6), rng.normal(size=6)
    ours = permutation_correlation_test(x, y, method="pearson")
    # two-sided as #{|r*| >= |r|} / N!: scipy's exact test of the statistic |r|, one tail
    ref = stats.permutation_test(
        (y,),
        lambda yy: abs(stats.pearsonr(x, yy).statistic),
        permutation_type="pairings",
        n_resamples=np.inf,
        alternative="greater",
    )
    assert ours.stat == pytest.approx(stats.pearsonr(x, y).statistic)
    assert ours.pvalue == pytest.approx(ref.pvalue, abs=1e-12)
    sp = permutation_correlation_test(x, y, method="spearman")
    assert sp.stat == pytest.approx(stats.spearmanr(x, y).statistic)


def test_permutation_pvalues_uniform_under_independence() -> None:
    rng = np.random.default_rng(2024)
    pvals = []
    for k in range(300):
        x, y = rng.normal(size=12), rng.normal(size=12)
        pvals.append(permutation_correlation_test(x, y, n_permutations=499, seed=k).pvalue)
    pvals = np.array(pvals)
    assert stats.kstest(pvals, "uniform").pvalue > 0.01
    assert 0.02 <= np.mean(pvals <= 0.05) <= 0.09


def test_gold_odds_association_end_to_end() -> None:
    rng = np.random.default_rng(5)
    n = 7
    car = rng.normal(0, 0.01, n)
    ids = [f"e{i}" for i in range(n)]
    rows = []
    for i, c in zip(ids, car, strict=True):
        for slug, sign in (("a", 1.0), ("b", 1.0)):
            rows.append(
                {
                    "event_id": i,
                    "slug": slug,
                    "horizon": pd.Timedelta("1D"),
                    "shift_logodds": sign * 100 * c + 0.01 * (slug == "b"),
                    "status": "ok",
                }
            )
    rows.append(
        {
            "event_id": "e_none",
            "slug": "a",
            "horizon": pd.Timedelta("1D"),
            "shift_logodds": np.nan,
            "status": "not_computable",
        }
    )
    shifts = pd.DataFrame(rows)
    gold = pd.DataFrame({"event_id": [*ids, "e_none"], "car": [*car, 0.0]})
    assoc = gold_odds_association(gold, shifts, horizon="1D")
    assert assoc.nobs == n
    assert assoc.table["n_markets"].eq(2).all()
    t = assoc.tests
    assert t["pearson_permutation"].stat == pytest.approx(1.0)
    assert t["pearson_permutation"].pvalue <= 2 / math.factorial(n)
    assert t["kendall"].stat == pytest.approx(1.0)
    assert t["kendall"].pvalue == pytest.approx(stats.kendalltau(car, car, method="exact").pvalue)
    assert list(assoc.exclusions["event_id"]) == ["e_none"]
    assert "[1]" in assoc.summary().as_text()
    side = gold_odds_table(gold, shifts, horizon="1D")
    assert len(side) == 2 * n + 1
    assert side["car_pct"].iloc[0] == pytest.approx(100 * car[0])
    ax = plot_gold_vs_odds(assoc)
    assert len(ax.collections[0].get_offsets()) == n
    plt.close("all")


def test_gold_vs_odds_labels_the_farthest_points_of_a_large_catalog() -> None:
    rng = np.random.default_rng(5)
    n = 300
    table = pd.DataFrame({"event_id": [f"e{i}" for i in range(n)],
                          "car": rng.normal(0, 0.01, n), "shift_logodds": rng.normal(0, 1, n),
                          "n_markets": 1})  # fmt: skip
    table.loc[17, ["car", "shift_logodds"]] = [0.2, 9.0]  # the outliers are named
    table.loc[230, ["car", "shift_logodds"]] = [-0.15, -7.0]
    assoc = GoldOddsAssociation(table, {}, pd.DataFrame(), {})
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))  # as the report draws it
    ax = plot_gold_vs_odds(assoc, ax=axes[0])
    texts = [t.get_text() for t in ax.texts]
    assert 15 <= len(texts) <= 40 and {"e17", "e230"} <= set(texts)
    assert texts == sorted(texts, key=lambda s: int(s[1:]))  # in table order
    assert len(ax.collections[0].get_offsets()) == n  # every point is drawn
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert [t.get_text() for t in plot_gold_vs_odds(assoc, max_labels=2).texts] == ["e17", "e230"]
    assert len(plot_gold_vs_odds(assoc, max_labels=None).texts) == n
    # events at one place (a burst sharing day 0 and markets) are named once, with a count
    table.loc[[40, 41, 42], ["car", "shift_logodds"]] = [0.3, -8.0]
    burst = GoldOddsAssociation(table, {}, pd.DataFrame(), {})
    texts = [t.get_text() for t in plot_gold_vs_odds(burst).texts]
    assert "e40 +2" in texts and "e41" not in texts and "e42" not in texts
    # a small catalog too: the outliers named, no label over another (a crowd stays unnamed)
    small = GoldOddsAssociation(table.head(40), {}, pd.DataFrame(), {})
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    ax = plot_gold_vs_odds(small, ax=axes[0])
    texts = [t.get_text() for t in ax.texts]
    assert "e17" in texts and len(texts) < 40
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    every = [t.get_text() for t in plot_gold_vs_odds(small, max_labels=None).texts]
    assert every == list(table["event_id"][:40])
    plt.close("all")


def test_orientation_harmonises_opposite_markets() -> None:
    """Two markets of opposite sense move in mirror: raw means cancel, oriented ones do not."""
    rng = np.random.default_rng(11)
    n = 9
    car = rng.normal(0, 0.01, n)
    rows = []
    for i, c in enumerate(car):
        for slug, sense in (("war", 1.0), ("peace", -1.0)):
            rows.append(
                {
                    "event_id": f"e{i}",
                    "slug": slug,
                    "horizon": pd.Timedelta("1D"),
                    # "war" YES rises with risk, "peace" YES falls; plus a little noise
                    "shift_logodds": sense * 50 * c + rng.normal(0, 1e-3),
                    "status": "ok",
                }
            )
    shifts = pd.DataFrame(rows)
    gold = pd.DataFrame({"event_id": [f"e{i}" for i in range(n)], "car": car})
    orientation = pd.DataFrame(
        {
            "slug": ["war", "peace"],
            "yes_means": ["more_risk", "less_risk"],
            "sign": [1, -1],
            "rationale": ["", ""],
        }
    )
    both = gold_odds_associations(gold, shifts, orientation, horizon="1D")
    raw, oriented = both["raw"], both["oriented"]
    assert raw.settings["orientation"] == "raw" and oriented.settings["orientation"] == "oriented"
    assert list(raw.table["event_id"]) == list(oriented.table["event_id"])
    # by hand: oriented = (war - peace) / 2 = 50c + noise; raw = (war + peace) / 2 = noise
    wide = shifts.pivot(index="event_id", columns="slug", values="shift_logodds")
    np.testing.assert_allclose(oriented.table["shift_logodds"], (wide["war"] - wide["peace"]) / 2)
    np.testing.assert_allclose(raw.table["shift_logodds"], (wide["war"] + wide["peace"]) / 2)
    np.testing.assert_allclose(oriented.table["shift_logodds"], 50 * car, atol=3e-3)
    assert np.abs(raw.table["shift_logodds"]).max() < 3e-3
    assert oriented.tests["pearson_permutation"].stat > 0.99
    assert oriented.tests["kendall"].stat == pytest.approx(1.0)
    assert abs(raw.tests["pearson_permutation"].stat) < 0.9
    # a mapping works the same; a market without a sign is an error, not a silent +1
    mapped = gold_odds_association(gold, shifts, orientation={"war": 1, "peace": -1})
    assert_frame_equal(mapped.table, oriented.table)
    with pytest.raises(SpecificationError, match=r"no sign for 1 market.*peace"):
        gold_odds_association(gold, shifts, orientation={"war": 1})
    with pytest.raises(SpecificationError, match=r"must be \+1 or -1"):
        gold_odds_association(gold, shifts, orientation={"war": 1, "peace": 0})
    side = gold_odds_table(gold, shifts, orientation=orientation)
    at = list(side.columns).index("shift_logodds")
    assert list(side.columns[at + 1 : at + 3]) == ["sign", "shift_logodds_oriented"]
    np.testing.assert_allclose(side["shift_logodds_oriented"], side["shift_logodds"] * side["sign"])


# --------------------------------------------------------------------------------------------
# results object, CSV and plot
# --------------------------------------------------------------------------------------------


def test_results_object_and_csv(tmp_path: Path) -> None:
    markets, paths = _toy_markets()
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2"],
            "event_time": pd.to_datetime(["2025-03-15 18:00", "2025-03-25 06:00"], utc=True),
            "polymarket_slugs": pd.Series([["jumpy-market", "late-market"], []], dtype=object),
        }
    )
    res = run_odds_study(events, markets=markets, odds_loader=paths.__getitem__, horizons=["1D"])
    assert isinstance(res, OddsStudyResults)
    assert list(res.shifts.columns) == SHIFT_COLUMNS
    assert res.n_events == 1 and len(res.shifts) == 2
    assert res.shifts.set_index("slug").loc["late-market", "status"] == "not_computable"
    assert "OddsStudyResults" in repr(res)
    out = write_odds_shifts_csv(res, tmp_path / "x.csv")
    text = out.read_text().splitlines()
    assert text[0] == ",".join(SHIFT_COLUMNS)
    assert "T18:00:00Z" not in text[1]  # sample stamps, not the event time, are written
    assert "2025-03-15T00:00:00Z" in text[1]


def test_plot_odds_path_draws_the_samples_the_shifts_use() -> None:
    times = pd.date_range("2025-01-01", periods=40, freq="D", tz="UTC")
    odds = pd.DataFrame({"t": times, "p": np.linspace(0.2, 0.8, 40)})
    tau = pd.Timestamp("2025-01-20 15:00", tz="UTC")
    shifts = odds_shift(odds, tau, ["1D", "3D", "7D"], min_null=1)
    _fig, ax0 = plt.subplots()
    ax = plot_odds_path(odds, shifts, tau, ax=ax0, title="toy")
    assert ax is ax0
    event_x = ax.lines[1].get_xdata()[0]
    assert mdates.date2num(tau) == pytest.approx(
        mdates.date2num(event_x) if not isinstance(event_x, float) else event_x
    )
    assert ax.get_title() == "toy"
    before, after = ax.collections[0].get_offsets(), ax.collections[1].get_offsets()
    assert len(before) == 1 and len(after) == 3
    assert before[0][1] == pytest.approx(odds["p"].iloc[19])
    np.testing.assert_allclose(after[:, 1], shifts["p_after"])  # drawn, not recomputed
    ax2 = plot_odds_path(odds, shifts, tau)
    assert ax2 is not ax0
    plt.close("all")


def test_odds_results_keep_the_paths_they_plot(snapshot_dir) -> None:
    from eventstudy.data.catalog import load_events

    events = load_events(Path(__file__).resolve().parents[1] / "events.csv")
    res = run_odds_study(events, data_dir=snapshot_dir)
    iran = res.paths[res.paths["event_id"] == "us_strikes_iran_nuclear_sites"]
    before_july = iran[iran["slug"] == IRAN_SLUGS[0]]
    raw = pd.read_csv(
        snapshot_dir / "polymarket" / "prices" / f"{before_july['token_id'].iloc[0]}.csv"
    )
    raw["t"] = pd.to_datetime(raw["t"], utc=True)
    window = raw[(raw["t"] >= IRAN_STRIKES - pd.Timedelta("14D"))
                 & (raw["t"] <= IRAN_STRIKES + pd.Timedelta("14D"))]  # fmt: skip
    assert before_july["p"].tolist() == window["p"].tolist()
    ax = res.plot("us_strikes_iran_nuclear_sites", slug=IRAN_SLUGS[0])
    assert list(ax.lines[0].get_ydata()) == window["p"].tolist()
    long = res.to_frame()
    assert list(long.columns) == ["event_id", "asset", "window", "statistic", "value"]
    row = long[(long["event_id"] == "us_strikes_iran_nuclear_sites")
               & (long["asset"] == IRAN_SLUGS[0]) & (long["window"] == "+1D")]  # fmt: skip
    pp = row.set_index("statistic").loc["shift_pp", "value"]
    assert pp == pytest.approx(58.0, abs=0.05)  # 0.4135 -> 0.9935
    plt.close("all")
