"""Tests of eventstudy.odds.candidates: markets that could be linked to an event.

Snapshot expectations are read independently with the csv module from
``../shared/data/snapshot/polymarket`` (market life from ``markets.csv``, samples from the raw
price lines), never copied into the repo.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.data.catalog import load_events
from eventstudy.data.store import load_markets, load_odds
from eventstudy.exceptions import DataNotFoundError, SpecificationError
from eventstudy.odds.candidates import (
    CANDIDATE_COLUMNS,
    candidate_markets,
    candidate_markets_for,
    text_terms,
)

# Issue 15, item 4: markets open and priced at these events that the catalog did not link.
NAMED = {
    "israel_strikes_iran_rising_lion": [
        "will-iran-close-the-strait-of-hormuz-in-2025",
        "khamenei-out-as-supreme-leader-of-iran-in-2025",
        "us-military-action-against-iran-before-july",
    ],
    "us_strikes_iran_nuclear_sites": [
        "will-iran-close-the-strait-of-hormuz-in-2025",
        "khamenei-out-as-supreme-leader-of-iran-in-2025",
    ],
    "iran_strikes_al_udeid": [
        "will-iran-close-the-strait-of-hormuz-in-2025",
        "khamenei-out-as-supreme-leader-of-iran-in-2025",
    ],
    "israel_iran_ceasefire": [
        "will-iran-close-the-strait-of-hormuz-in-2025",
        "khamenei-out-as-supreme-leader-of-iran-in-2025",
    ],
    "us_28_point_peace_plan": [
        "us-recognizes-russian-sovereignty-over-ukraine",
        "ukraine-agrees-not-to-join-nato-before-july",
    ],
    "oval_office_clash": ["zelenskyy-out-as-ukraine-president-before-july"],
    "tariff_pause_90day": ["us-china-trade-deal-before-june"],
    "trump_putin_alaska_summit": ["russia-x-ukraine-ceasefire-before-october"],
    "white_house_zelensky_europeans": ["russia-x-ukraine-ceasefire-before-october"],
}


# --------------------------------------------------------------------------------------------
# independent look-ups in the raw snapshot files
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_life(snapshot_dir: Path) -> dict[str, tuple[pd.Timestamp, pd.Timestamp | None, str]]:
    """slug -> (created, closed or None, Yes token id), from markets.csv read as text."""
    out = {}
    with open(snapshot_dir / "polymarket" / "markets.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["outcome"] == "Yes" and row["slug"] not in out:
                closed = pd.Timestamp(row["closed_at"]) if row["closed_at"] else None
                out[row["slug"]] = (pd.Timestamp(row["created_at"]), closed, row["token_id"])
    return out


def _raw_samples(snapshot: Path, token: str) -> list[tuple[pd.Timestamp, float]]:
    lines = (snapshot / "polymarket" / "prices" / f"{token}.csv").read_text().splitlines()
    return [(pd.Timestamp(t), float(p)) for t, p in (line.split(",") for line in lines[1:])]


@pytest.fixture(scope="module")
def catalog(repo_root: Path) -> pd.DataFrame:
    return load_events(repo_root / "events.csv")


@pytest.fixture(scope="module")
def snapshot_markets(snapshot_dir: Path) -> pd.DataFrame:
    return load_markets(snapshot_dir)


@pytest.fixture(scope="module")
def odds(snapshot_dir: Path):
    @cache
    def get(token_id: str) -> pd.DataFrame | None:
        try:
            return load_odds(token_id, snapshot_dir)
        except DataNotFoundError:
            return None

    return get


# --------------------------------------------------------------------------------------------
# the snapshot
# --------------------------------------------------------------------------------------------


@pytest.mark.snapshot
@pytest.mark.parametrize("event_id", sorted(NAMED))
def test_named_markets_are_candidates_priced_on_both_sides(
    event_id: str, catalog, snapshot_markets, odds, snapshot_dir: Path, raw_life
) -> None:
    event = catalog.set_index("event_id").loc[event_id]
    tau = event["event_time"]
    got = candidate_markets(event, snapshot_markets, odds).set_index("slug")
    assert set(NAMED[event_id]) <= set(got.index)
    for slug in NAMED[event_id]:
        created, closed, token = raw_life[slug]
        assert created <= tau and (closed is None or closed > tau), slug
        samples = _raw_samples(snapshot_dir, token)
        before = [s for s in samples if s[0] < tau][-1]
        after = next(s for s in samples if s[0] > tau)
        assert after[0] <= tau + pd.Timedelta("1D")
        row = got.loc[slug]
        assert (row["t_before"], row["p_before"]) == before, slug
        assert (row["t_after"], row["p_after"]) == after, slug
        assert "open at the event" in row["reasons"]


@pytest.mark.snapshot
def test_no_candidate_was_created_after_its_event_or_closed_before(
    catalog, snapshot_markets, odds, raw_life
) -> None:
    seen = 0
    for _, event in catalog.iterrows():
        got = candidate_markets(event, snapshot_markets, odds)
        assert list(got.columns) == CANDIDATE_COLUMNS
        tau = event["event_time"]
        for slug in got["slug"]:
            created, closed, _token = raw_life[slug]
            assert created <= tau, (event["event_id"], slug)
            assert closed is None or closed > tau, (event["event_id"], slug)
        assert (got["t_before"] < tau).all() and (got["t_after"] > tau).all()
        assert got["score"].is_monotonic_decreasing
        linked = set(event["polymarket_slugs"])
        assert list(got["linked"]) == [s in linked for s in got["slug"]]
        seen += len(got)
    assert seen > 100


@pytest.mark.snapshot
def test_candidates_for_event_id_and_command_line(
    repo_root: Path, snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = repo_root / "events.csv"
    table = candidate_markets_for("tariff_pause_90day", events, data_dir=snapshot_dir)
    assert "us-china-trade-deal-before-june" in set(table["slug"])
    assert list(table["rank"]) == list(range(1, len(table) + 1))
    argv = ["markets", "tariff_pause_90day", "--catalog", str(events)]
    assert main([*argv, "--data-dir", str(snapshot_dir)]) == 0
    assert "us-china-trade-deal-before-june" in capsys.readouterr().out
    assert main([*argv, "--data-dir", str(snapshot_dir), "--csv", "--top", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ",".join(CANDIDATE_COLUMNS) and len(lines) == 4
    with pytest.raises(SpecificationError, match="did you mean tariff_pause_90day"):
        candidate_markets_for("tariff_pause", events, data_dir=snapshot_dir)
    assert main(["markets", "no_such_event", "--catalog", str(events)]) == 2


# --------------------------------------------------------------------------------------------
# hand-made markets
# --------------------------------------------------------------------------------------------


def _toy() -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    rows = [
        # slug, question, token, created, closed, has_prices
        ("iran-hormuz", "Will Iran close the Strait of Hormuz?", "1", "2025-01-01", None, True),
        ("iran-deal", "US-Iran nuclear deal in 2025?", "2", "2025-01-01", None, True),
        ("ukraine-x", "Russia x Ukraine ceasefire?", "3", "2025-01-01", None, True),
        ("iran-late", "Iran strike by Friday?", "4", "2025-06-14", None, True),
        ("iran-unpriced", "Iran nuclear test?", "5", "2025-01-01", None, False),
        ("iran-sparse", "Iran regime falls?", "6", "2025-01-01", None, True),
        # unrelated questions: they make "iran" a rarer (more telling) word
        *[
            (f"other-{k}", f"Other question {k}?", f"9{k}", "2025-01-01", None, False)
            for k in "abcdef"
        ],
    ]
    cols = ["slug", "question", "token_id", "created_at", "closed_at", "has_prices"]
    markets = pd.DataFrame(rows, columns=cols)
    markets["created_at"] = pd.to_datetime(markets["created_at"], utc=True)
    markets["closed_at"] = pd.to_datetime(markets["closed_at"], utc=True)
    markets["outcome"] = "Yes"
    markets["volume_usd"] = 10.0 * (markets.index + 1)
    t = pd.date_range("2025-06-01", periods=30, freq="D", tz="UTC")
    daily = pd.DataFrame({"t": t, "p": 0.3})
    odds = {"1": daily, "2": daily, "3": daily, "4": daily, "6": daily.iloc[:5]}
    return markets, odds


def test_toy_candidates_keep_open_priced_matching_markets_best_first() -> None:
    markets, odds = _toy()
    event = {
        "event_id": "strike",
        "event_time": pd.Timestamp("2025-06-13 00:00", tz="UTC"),
        "title": "Israel strikes Iranian nuclear sites",
        "description": "Explosions in Tehran.",
        "category": "middle_east",
        "polymarket_slugs": ["iran-deal"],
    }
    got = candidate_markets(event, markets, odds)
    # iran-late: created after; iran-unpriced: no prices; iran-sparse: no sample after;
    # ukraine-x: no shared word
    assert list(got["slug"]) == ["iran-deal", "iran-hormuz"]
    assert list(got["linked"]) == [True, False]
    assert got.loc[0, "matched"] == "nuclear, iran"
    assert got.loc[1, "score"] < got.loc[0, "score"]
    assert got.loc[0, "p_before"] == 0.3 and got.loc[0, "t_after"] == pd.Timestamp(
        "2025-06-14", tz="UTC"
    )
    only_strong = candidate_markets(event, markets, odds, min_score=got.loc[1, "score"])
    assert list(only_strong["slug"]) == ["iran-deal"]
    with pytest.raises(SpecificationError, match="event_time"):
        candidate_markets({"title": "x"}, markets, odds)


def test_text_terms_aliases_plurals_and_stop_words() -> None:
    assert text_terms("Israel launches strikes on Iranian nuclear sites") == [
        "israel",
        "launche",
        "strike",
        "iran",
        "nuclear",
        "site",
    ]
    assert text_terms("Zelenskyy meets Putin in Paris on 15 March") == [
        "zelensky",
        "ukraine",
        "meet",
        "putin",
        "russia",
        "paris",
    ]
    assert text_terms("Hamas and the US") == ["hamas"]
