"""``no data`` wherever the data are missing, and real verdicts once they are fetched.

Every data directory here is built in ``tmp_path`` with the store's own writer
(:func:`eventstudy.data.writer.write_csv_atomic`, which also writes ``manifest.json``); nothing
touches the network.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.claims import load_claims, run_claims
from eventstudy.data.catalog import load_events
from eventstudy.data.store import MARKET_COLUMNS
from eventstudy.data.writer import write_csv_atomic

NATO_SLUG = "will-us-leave-nato-by-june-30"
NATO_YES = "9252583647094848244431316973245869222379640287360099162283052699401101960353"


@pytest.fixture(scope="module")
def events(repo_root: Path) -> pd.DataFrame:
    return load_events(repo_root / "events.csv")


@pytest.fixture(scope="module")
def claims(repo_root: Path, events: pd.DataFrame) -> pd.DataFrame:
    return load_claims(repo_root / "claims.csv", events)


def _only(claims: pd.DataFrame, *ids: str) -> pd.DataFrame:
    return claims[claims["claim_id"].isin(ids)].reset_index(drop=True)


def _nato_markets(data_dir: Path, *, has_prices: bool) -> None:
    """The NATO market's two outcome rows of ``polymarket/markets.csv`` (Gamma id 516315)."""
    common = {
        "market_id": "516315",
        "slug": NATO_SLUG,
        "question": "Will US leave NATO by June 30?",
        "event_slug": "will-us-leave-nato-by-june-30",
        "condition_id": "0xa07f15fdd0baa90adf78bd4d66543083334a7e5235a95fa5f241c4e519ea83f6",
        "created_at": "2024-12-23T16:00:13.432307Z",
        "closed_at": "2025-07-01 08:08:33+00",
        "volume_usd": "622000",
        "neg_risk": "False",
        "has_prices": str(has_prices),
    }
    rows = [
        common | {"outcome": "Yes", "token_id": NATO_YES},
        common | {"outcome": "No", "token_id": "1126868054162"},
    ]
    frame = pd.DataFrame(rows).loc[:, list(MARKET_COLUMNS)]
    write_csv_atomic(frame, "polymarket/markets.csv", data_dir, source="test fixture")


def _nato_odds(data_dir: Path) -> pd.Series:
    """A daily 00:00 UTC path: about 5% until 2025-02-25, a jump to about 12% after Bolton."""
    t = pd.date_range("2024-12-24", "2025-06-30", freq="D", tz="UTC")
    wiggle = 0.004 * np.sin(np.arange(len(t)))
    p = np.where(t <= pd.Timestamp("2025-02-25", tz="UTC"), 0.05, 0.12) + wiggle
    frame = pd.DataFrame({"t": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "p": p.round(4)})
    write_csv_atomic(frame, f"polymarket/prices/{NATO_YES}.csv", data_dir, source="test fixture")
    return pd.Series(p.round(4), index=t)


# --------------------------------------------------------------------------------------------
# nothing there: every claim says which file and how to get it
# --------------------------------------------------------------------------------------------


def test_empty_data_directory_gives_no_data_everywhere(
    tmp_path: Path, claims: pd.DataFrame, events: pd.DataFrame
) -> None:
    res = run_claims(claims, events, tmp_path, n_boot=50)
    v = res.verdicts.set_index("claim_id")
    assert (v["verdict"] == "no data").all()
    assert v["p"].isna().all() and v["p_adjusted"].isna().all()
    gold_files = v.loc[["gold_tops_3000", "gpr_drives_gold", "vance_munich_raised_gold"]]
    assert (gold_files["missing_file"] == "prices/GC=F.csv").all()
    assert (
        gold_files["fetch_command"] == f"eventstudy fetch --tickers GC=F --data-dir {tmp_path}"
    ).all()
    nato = v.loc["nato_exit_odds_12pct"]
    assert nato["missing_file"] == "polymarket/markets.csv"
    assert nato["fetch_command"] == f"eventstudy fetch --markets {NATO_SLUG} --data-dir {tmp_path}"
    gpr = v.loc["peace_through_strength_raises_gpr"]
    assert gpr["missing_file"] == "series/GPRD.csv"
    assert gpr["fetch_command"] == ""  # not a FRED series: no eventstudy fetch command gets it
    assert "not a FRED series" in gpr["reason"] and "matteoiacoviello.com" in gpr["reason"]
    for claim_id, row in v.iterrows():
        assert row["missing_file"] in row["reason"], claim_id
    assert res.data_versions.empty
    assert "no data" in res.summary().as_text()
    assert res.plot("gold_tops_3000") is not None  # draws the missing file's sentence


def test_gold_study_names_the_benchmark_it_misses(
    tmp_path: Path, claims: pd.DataFrame, events: pd.DataFrame, snapshot_dir: Path
) -> None:
    gc = pd.read_csv(snapshot_dir / "prices" / "GC=F.csv", dtype=str)
    write_csv_atomic(gc, "prices/GC=F.csv", tmp_path, source="test copy of the snapshot")
    res = run_claims(_only(claims, "vance_munich_raised_gold"), events, tmp_path)
    row = res.verdicts.iloc[0]
    assert row["verdict"] == "no data"
    assert row["missing_file"] == "prices/ACWI.csv"  # the study's equity benchmark
    assert row["fetch_command"] == f"eventstudy fetch --tickers ACWI --data-dir {tmp_path}"


@pytest.mark.parametrize(
    ("last_row", "verdict"),
    [("2025-03-10", "no data"), ("2025-03-20", "supported")],
)
def test_threshold_with_a_short_price_file(
    tmp_path: Path,
    claims: pd.DataFrame,
    events: pd.DataFrame,
    snapshot_dir: Path,
    last_row: str,
    verdict: str,
) -> None:
    gc = pd.read_csv(snapshot_dir / "prices" / "GC=F.csv", dtype=str)
    write_csv_atomic(gc[gc["date"] <= last_row], "prices/GC=F.csv", tmp_path, source="test")
    res = run_claims(_only(claims, "gold_tops_3000"), events, tmp_path, n_boot=50)
    row = res.verdicts.iloc[0]
    assert row["verdict"] == verdict
    if verdict == "no data":  # not reached by the last row, and the horizon runs on
        assert row["missing_file"] == "prices/GC=F.csv"
        assert f"ends on {last_row}" in row["reason"]
        assert "through 2025-05-16" in row["reason"]  # the horizon's last session
        assert row["fetch_command"] == f"eventstudy fetch --tickers GC=F --data-dir {tmp_path}"
    else:  # reached on 2025-03-17, before the file ends: the rest of the horizon is moot
        assert row["key_date"] == pd.Timestamp("2025-03-17")
        cross_check = res.evidence.query("claim_id == 'gold_tops_3000' and statistic == 'missing'")
        assert "prices/GLD.csv" in cross_check["note"].item()  # GLD is cited as missing
        assert (res.sensitivity["verdict"] == "supported").all()


def test_a_sensitivity_horizon_beyond_the_data_is_no_data_alone(
    tmp_path: Path, claims: pd.DataFrame, events: pd.DataFrame, snapshot_dir: Path
) -> None:
    gc = pd.read_csv(snapshot_dir / "prices" / "GC=F.csv", dtype=str)
    write_csv_atomic(gc[gc["date"] <= "2025-03-28"], "prices/GC=F.csv", tmp_path, source="test")
    one = _only(claims, "gold_tops_3000").assign(
        series="GC=F", level=3100.0, end=pd.Timestamp("2025-03-25"), sensitivity="6M"
    )
    res = run_claims(one, events, tmp_path, n_boot=50)
    assert res.verdicts["verdict"].item() == "contradicted"  # 3,100 first closed on 2025-03-31
    sens = res.sensitivity.set_index("window")["verdict"]
    assert sens.to_dict() == {
        "through 2025-03-25": "contradicted",
        "6M: through 2025-08-18": "no data",
    }


# --------------------------------------------------------------------------------------------
# the NATO-exit market: listed but without odds, then fetched
# --------------------------------------------------------------------------------------------


def test_nato_market_listed_without_odds_is_no_data(
    tmp_path: Path, claims: pd.DataFrame, events: pd.DataFrame
) -> None:
    _nato_markets(tmp_path, has_prices=False)
    ids = ("nato_exit_odds_12pct", "bolton_raised_nato_exit_odds")
    v = run_claims(_only(claims, *ids), events, tmp_path).verdicts
    assert (v["verdict"] == "no data").all()
    assert (v["missing_file"] == f"polymarket/prices/{NATO_YES}.csv").all()
    assert (
        v["fetch_command"] == f"eventstudy fetch --markets {NATO_SLUG} --data-dir {tmp_path}"
    ).all()


def test_nato_market_once_fetched_gets_real_verdicts(
    tmp_path: Path, claims: pd.DataFrame, events: pd.DataFrame
) -> None:
    _nato_markets(tmp_path, has_prices=True)
    path = _nato_odds(tmp_path)
    ids = ("nato_exit_odds_12pct", "bolton_raised_nato_exit_odds")
    res = run_claims(_only(claims, *ids), events, tmp_path)
    v = res.verdicts.set_index("claim_id")

    march = path["2025-03-01":"2025-03-31"]
    level = v.loc["nato_exit_odds_12pct"]
    assert level["verdict"] == "supported"  # basis any: some March sample within 9-15%
    assert level["estimate"] == pytest.approx(march.mean())
    assert math.isnan(level["p"])  # a level is not a test

    # Bolton: 2025-02-24 21:00 New York = 2025-02-25 02:00 UTC; window 3 days
    before = path[pd.Timestamp("2025-02-25 00:00", tz="UTC")]
    after = path[pd.Timestamp("2025-02-28 00:00", tz="UTC")]
    bolton = v.loc["bolton_raised_nato_exit_odds"]
    assert bolton["estimate"] == pytest.approx(100 * (after - before))
    assert bolton["verdict"] == "supported"
    assert bolton["key_date"] == pd.Timestamp("2025-02-25")
    e = res.evidence.query("claim_id == 'bolton_raised_nato_exit_odds'").set_index("statistic")
    assert e.loc["p_before", "value"] == pytest.approx(before)
    # the jump is the largest 3-day change of the market's life: the smallest placebo p
    assert bolton["p"] == pytest.approx(e.loc["empirical_p", "value"] / 2)
    sens = res.sensitivity.query("claim_id == 'bolton_raised_nato_exit_odds'")
    assert sens["window"].tolist() == ["3D", "1D", "7D"]
    assert set(res.data_versions["path"]) == {
        "polymarket/markets.csv",
        f"polymarket/prices/{NATO_YES}.csv",
    }
    assert res.data_versions["sha256"].str.fullmatch("[0-9a-f]{64}").all()


def test_missing_data_is_raised_anew_and_keeps_no_reference_cycle(tmp_path: Path, events):
    """The claims' cache keeps what is missing, not the exception: a kept exception raised
    again would collect every raise's frames, which refer back to the cache. Each use's
    traceback is as long as the first's, and the cache is freed without the cycle
    collector."""
    import traceback
    import weakref

    from _gc import cycle_collector_off

    from eventstudy.claims.claim import SeriesRef
    from eventstudy.claims.context import Context
    from eventstudy.claims.sources import MissingData

    ctx = Context(root=tmp_path, events=events, n_boot=10, seed=1, calibration=10,
                  roll_days=lambda frame: pd.DatetimeIndex([]), roll_window=3)  # fmt: skip
    ref = SeriesRef("prices", "GC=F")
    raised, depth = [], []
    for _ in range(2):
        with pytest.raises(MissingData) as info:
            ctx.series(ref)
        raised.append(info.value)
        depth.append(len(traceback.extract_tb(info.value.__traceback__)))
    assert raised[0].missing == raised[1].missing and "GC=F" in raised[0].missing.path
    assert depth[1] == depth[0]  # the second raise's traceback holds no frames of the first
    alive = weakref.ref(ctx)
    with cycle_collector_off():
        del ctx, raised, info
        assert alive() is None
