"""Tests of eventstudy.odds.links: can a catalog link measure its event?

Toy markets are built by hand; the snapshot checks read ``markets.csv`` independently with the
csv module (never copied into the repo).
"""

from __future__ import annotations

import csv
from pathlib import Path

import _links_reference
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from eventstudy.cli import main
from eventstudy.odds.links import LINK_PROBLEMS, audit_links, audit_links_in, price_sides

TAU = pd.Timestamp("2025-03-15 18:00", tz="UTC")


def _daily(first: str, days: int, p: float = 0.4) -> pd.DataFrame:
    t = pd.date_range(first, periods=days, freq="D", tz="UTC")
    return pd.DataFrame({"t": t, "p": p})


def _toy() -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    rows = [
        # slug, token, created, closed, has_prices
        ("good", "1", "2025-01-01", None, True),
        ("late", "2", "2025-03-16", None, True),
        ("gone", "3", "2025-01-01", "2025-03-15 18:00", True),
        ("unpriced", "4", "2025-01-01", None, False),
        ("starts-after", "5", "2025-01-01", None, True),
        ("stops-before", "6", "2025-01-01", None, True),
        ("no-file", "7", "2025-01-01", None, True),
    ]
    markets = pd.DataFrame(rows, columns=["slug", "token_id", "created_at", "closed_at", "ok"])
    markets["created_at"] = pd.to_datetime(markets["created_at"], utc=True)
    markets["closed_at"] = pd.to_datetime(markets["closed_at"], utc=True)
    markets["has_prices"] = markets.pop("ok")
    markets["outcome"] = "Yes"
    no = markets.assign(outcome="No", token_id=markets["token_id"] + "0")
    markets = pd.concat([no, markets], ignore_index=True)  # "No" first: chosen by label
    odds = {
        "1": _daily("2025-03-01", 30),
        "2": _daily("2025-03-17", 10),
        "3": _daily("2025-03-01", 14),
        "5": _daily("2025-03-16", 10),
        "6": _daily("2025-03-01", 10),
    }
    return markets, odds


def test_audit_names_the_first_problem_of_every_link() -> None:
    markets, odds = _toy()
    slugs = ["good", "late", "gone", "unpriced", "starts-after", "stops-before", "no-file", "nope"]
    events = pd.DataFrame({"event_id": ["e"], "event_time": [TAU], "polymarket_slugs": [slugs]})
    got = audit_links(events, markets, odds.get)
    fetch = "fetch it with: eventstudy fetch --markets"
    rows = {
        "late": ("created_after_event", "market created 2025-03-16 00:00 UTC, after the event"),
        "gone": (
            "closed_before_event",
            "market closed 2025-03-15 18:00 UTC, at or before the event",
        ),
        "unpriced": (
            "no_price_history",
            f"no price history (markets.csv has_prices is False); {fetch} unpriced",
        ),
        "starts-after": ("no_sample_before", "no price sample before the event"),
        "stops-before": ("no_sample_after", "no price sample in (event, 2025-03-16 18:00 UTC]"),
        "no-file": ("no_price_history", f"no price file in the data directory; {fetch} no-file"),
        "nope": ("not_in_markets", "slug not in markets.csv"),
    }
    expected = pd.DataFrame(
        [("e", slug, problem, msg) for slug, (problem, msg) in rows.items()],
        columns=["event_id", "slug", "problem", "message"],
        dtype=str,
    )
    assert_frame_equal(got, expected)
    assert set(got["problem"]) <= set(LINK_PROBLEMS)
    # without odds only the metadata is checked
    meta = audit_links(events, markets)
    assert list(meta["slug"]) == ["late", "gone", "unpriced", "nope"]


def test_price_sides_uses_strictly_before_and_the_horizon() -> None:
    odds = _daily("2025-03-10", 10)  # a sample at 00:00 every day
    at_midnight = pd.Timestamp("2025-03-15", tz="UTC")
    sides = price_sides(odds, at_midnight, "1D")
    assert sides["t_before"] == pd.Timestamp("2025-03-14", tz="UTC")  # not the one at tau
    assert sides["t_after"] == pd.Timestamp("2025-03-16", tz="UTC")
    assert pd.isna(price_sides(odds, at_midnight, "12h")["t_after"])


# --------------------------------------------------------------------------------------------
# the snapshot and the command line
# --------------------------------------------------------------------------------------------


def _life(snapshot: Path, slug: str) -> tuple[str, str]:
    with open(snapshot / "polymarket" / "markets.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["slug"] == slug and row["outcome"] == "Yes":
                return row["created_at"], row["has_prices"]
    raise AssertionError(slug)


CATALOG_HEADER = (
    "event_id,date,time,tz,day_basis,title,title_ja,category,gold_direction,date_confidence,"
    "time_confidence,polymarket,description,sources\n"
)


def _catalog(tmp_path: Path, links: dict[str, tuple[str, str]]) -> Path:
    """A catalog with one timed row per event: event_id -> (date time in UTC, slugs)."""
    lines = [CATALOG_HEADER]
    for event_id, (when, slugs) in links.items():
        day, clock = when.split()
        lines.append(
            f"{event_id},{day},{clock},UTC,time,T,タイトル,nato,none,high,high,{slugs},d,"
            "https://example.com/a\n"
        )
    path = tmp_path / "events.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.snapshot
def test_validate_warns_about_links_and_still_exits_0(
    snapshot_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hamas = "israel-and-hamas-ceasefire-by-oct-31"
    created, has_prices = _life(snapshot_dir, hamas)
    assert created.startswith("2023-10-07T20:17") and has_prices == "False"
    iran = "us-military-action-against-iran-before-july"
    path = _catalog(
        tmp_path,
        {
            "hamas": ("2023-10-07 03:30", hamas),
            "iran": ("2025-06-21 23:50", iran),  # priced on both sides: no warning
            "nato": ("2025-03-02 04:00", "will-us-leave-nato-by-june-30"),  # no price history
        },
    )
    assert main(["validate", str(path), "--data-dir", str(snapshot_dir)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"OK: {path}: 3 events"
    warned = [line for line in err.splitlines() if line.startswith("  - ")]
    assert warned == [
        f"  - {path} line 2 (event_id=hamas), column polymarket: '{hamas}': market created "
        "2023-10-07 20:17 UTC, after the event",
        f"  - {path} line 4 (event_id=nato), column polymarket: 'will-us-leave-nato-by-june-30': "
        "no price history (markets.csv has_prices is False); fetch it with: eventstudy fetch "
        "--markets will-us-leave-nato-by-june-30",
    ]
    problems, root = audit_links_in(
        pd.DataFrame(
            {
                "event_id": ["iran"],
                "event_time": [pd.Timestamp("2025-06-21 23:50", tz="UTC")],
                "polymarket_slugs": [[iran]],
            }
        ),
        data_dir=snapshot_dir,
    )
    assert problems.empty and root == snapshot_dir


def test_validate_without_data_only_notes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _catalog(tmp_path, {"e": ("2025-03-02 04:00", "will-us-leave-nato-by-june-30")})
    empty = tmp_path / "no-data"
    empty.mkdir()
    assert main(["validate", str(path), "--data-dir", str(empty)]) == 0
    err = capsys.readouterr().err
    assert "market links not checked against data" in err


def test_audit_loads_each_token_once() -> None:
    """Many links to one market read its price file once per audit (issue 16: one load per
    link made validate cost about 10 ms per catalog row)."""
    markets, odds = _toy()
    loads: list[str] = []

    def counted(token_id: str) -> pd.DataFrame | None:
        loads.append(token_id)
        return odds.get(token_id)

    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(5)],
            "event_time": [TAU] * 5,
            "polymarket_slugs": [["good", "stops-before", "no-file"]] * 5,
        }
    )
    got = audit_links(events, markets, counted)
    assert sorted(loads) == ["1", "6", "7"]
    assert list(got["slug"]) == ["stops-before", "no-file"] * 5


def test_validate_reads_the_catalog_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventstudy.data import catalog

    reads: list[str] = []
    read = catalog._read

    def counted(path: str) -> object:
        reads.append(str(path))
        return read(path)

    monkeypatch.setattr(catalog, "_read", counted)
    path = _catalog(tmp_path, {"e": ("2025-03-02 04:00", "will-us-leave-nato-by-june-30")})
    empty = tmp_path / "no-data"
    empty.mkdir()
    assert main(["validate", str(path), "--data-dir", str(empty)]) == 0
    assert reads == [str(path)]


# --------------------------------------------------------------------------------------------
# the per-slug, per-token audit against the former loop over links
# --------------------------------------------------------------------------------------------


@st.composite
def _random_audit(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, dict, str]:
    """Markets of every kind around a few event times, and events linking them at random."""
    base = pd.Timestamp("2025-03-10", tz="UTC")
    hours = st.integers(-24 * 12, 24 * 12)
    rows = []
    for k in range(draw(st.integers(1, 6))):
        created = draw(st.none() | hours)
        closed = draw(st.none() | hours)
        at = lambda h: pd.NaT if h is None else base + pd.Timedelta(hours=h)  # noqa: E731
        labels = draw(st.sampled_from([("Yes", "No"), ("No", "Yes"), ("No",), (" yes ",)]))
        priced = draw(st.booleans())
        for j, label in enumerate(labels):
            rows.append((f"m{k}", f"{k}{j}", at(created), at(closed), priced, label))
    markets = pd.DataFrame(
        rows, columns=["slug", "token_id", "created_at", "closed_at", "has_prices", "outcome"]
    )
    markets["created_at"] = pd.to_datetime(markets["created_at"], utc=True)
    markets["closed_at"] = pd.to_datetime(markets["closed_at"], utc=True)
    odds = {}
    for token in markets["token_id"]:
        if draw(st.booleans()):
            stamps = sorted(set(draw(st.lists(hours, max_size=8))))
            t = pd.DatetimeIndex([base + pd.Timedelta(hours=h) for h in stamps], tz="UTC")
            odds[token] = pd.DataFrame({"t": t, "p": 0.5})
    slugs = [f"m{k}" for k in range(8)]  # m6, m7 are not in markets.csv
    n = draw(st.integers(0, 8))
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "event_time": [
                (base + pd.Timedelta(hours=draw(hours))).tz_convert("Asia/Tokyo") for _ in range(n)
            ],
            "polymarket_slugs": [
                draw(st.lists(st.sampled_from(slugs), max_size=4)) for _ in range(n)
            ],
        }
    )
    horizon = draw(st.sampled_from(["1D", "12h", "3D"]))
    return events, markets, odds, horizon


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_random_audit())
def test_audit_equals_the_former_loop_over_links(case) -> None:
    events, markets, odds, horizon = case
    for source in (odds.get, None):
        got = audit_links(events, markets, source, horizon=horizon)
        expected = _links_reference.audit_links(events, markets, source, horizon=horizon)
        assert_frame_equal(got, expected)
    # an event_time column of objects (not a datetime dtype) gives the same
    as_objects = events.assign(event_time=events["event_time"].astype(object))
    got = audit_links(as_objects, markets, odds.get, horizon=horizon)
    assert_frame_equal(
        got, _links_reference.audit_links(events, markets, odds.get, horizon=horizon)
    )
