"""A fresh machine: what a run needs (data.needs), what the data directory holds
(data.inventory), fetching exactly what is missing (data.ensure), and the ``eventstudy data``
and ``eventstudy run --offline`` commands. No network: HTTP through ``responses`` in the
recorded shapes, yfinance through an injected fake, both serving the snapshot's own rows."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import requests
import responses
from _catalogs import BASE, csv_text
from _fakes import (
    FakeDownloader,
    OfflineYahoo,
    SnapshotYahoo,
    add_snapshot_http,
    fixture,
    yf_frame,
)
from pandas.testing import assert_frame_equal, assert_series_equal

from eventstudy import cli
from eventstudy.data import store, writer
from eventstudy.data.catalog import load_events
from eventstudy.data.ensure import MissingDataError, NetworkFetcher, ensure_data
from eventstudy.data.fetch.fred import FRED_CSV_URL
from eventstudy.data.fetch.polymarket import GAMMA_URL
from eventstudy.data.inventory import data_status
from eventstudy.data.needs import required_items

MARKETS = (
    "russia-x-ukraine-ceasefire-before-july",
    "seaair-ceasefire-in-ukraine-before-may",
    "will-trump-lower-tariffs-on-china-in-april",
)


def _event(event_id: str, date: str, time: str, tz: str, category: str, direction: str, *links):
    cells = {"event_id": event_id, "date": date, "time": time, "tz": tz, "category": category}
    return {**BASE, **cells, "gold_direction": direction, "polymarket": " ".join(links)}


EVENTS = [
    _event("jeddah", "2025-03-11", "19:30", "Asia/Riyadh", "russia_ukraine", "down", *MARKETS[:2]),
    _event("tariff_pause", "2025-04-09", "13:18", "America/New_York", "trade", "down", MARKETS[2]),
    _event("iran_strikes", "2025-06-21", "19:50", "America/New_York", "middle_east", "up"),
]
CATALOG = csv_text(EVENTS)
PRICES = ("ACWI", "GC=F", "GLD")
SERIES = ("DFII10", "DTWEXBGS")
NO_SLEEP = {"sleep": lambda s: None}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("catalog") / "events.csv"
    path.write_text(CATALOG, encoding="utf-8")
    return path


def _ensure(catalog, cache, snapshot_dir, **kw):
    """ensure_data with the snapshot behind the recorded shapes; (report, yahoo, HTTP calls)."""
    yahoo = SnapshotYahoo(snapshot_dir)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        add_snapshot_http(rsps, snapshot_dir)
        fetcher = NetworkFetcher(downloader=yahoo, **NO_SLEEP)
        report = ensure_data(catalog, data_dir=cache, fetcher=fetcher, **kw)
        calls = [c.request.url for c in rsps.calls]
    return report, yahoo, calls


@pytest.fixture(scope="module")
def fetched(catalog, snapshot_dir, tmp_path_factory):
    """An empty cache after one ensure_data."""
    cache = tmp_path_factory.mktemp("cache") / "data"
    report, yahoo, calls = _ensure(catalog, cache, snapshot_dir)
    return cache, report, yahoo, calls


def _keys(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["kind"], frame["id"], strict=True))


def _ok_fetcher(seen: list):
    """A Fetcher that records its calls and writes nothing (reports every item ok)."""
    from eventstudy.data.fetch import REPORT_COLUMNS

    def fetch(kind, key, *, data_dir, start):
        seen.append((kind, key, start))
        row = dict.fromkeys(REPORT_COLUMNS, "")
        row.update(kind=kind, key=key, status="ok", rows=1, added=1, changed=0)
        return pd.DataFrame([row], columns=list(REPORT_COLUMNS))

    return fetch


# --------------------------------------------------------------------------------------------
# what a run needs (pure)
# --------------------------------------------------------------------------------------------


def test_required_items_lists_the_gold_files_and_each_linked_market(catalog):
    needs = required_items(load_events(catalog))
    expected = {("price", t) for t in PRICES} | {("series", s) for s in SERIES}
    expected |= {(k, m) for m in MARKETS for k in ("market", "odds")}
    assert _keys(needs) == expected and len(needs) == len(expected)
    assert list(needs["kind"].unique()) == ["price", "series", "market", "odds"]
    gc = needs.set_index("id").loc["GC=F"]
    assert gc["relpath"] == "prices/GC=F.csv" and "gold study" in gc["why"]
    assert gc["needed_from"] < pd.Timestamp("2024-03-11") <= gc["needed_through"]
    assert gc["needed_through"] >= pd.Timestamp("2025-07-05")  # the last event's window
    odds = needs.loc[needs["kind"] == "odds"].set_index("id")
    assert (odds["relpath"] == "").all()  # token ids unknown without markets.csv
    assert odds.loc[MARKETS[0], "events"] == ("jeddah",)
    assert needs["fetchable"].all()


def test_required_items_name_the_token_file_when_markets_are_known(catalog, snapshot_dir):
    markets = store.load_markets(snapshot_dir)
    needs = required_items(load_events(catalog), markets=markets)
    odds = needs.loc[needs["kind"] == "odds"].set_index("id")
    token = store.token_id_for(MARKETS[2], data_dir=snapshot_dir)
    assert odds.loc[MARKETS[2], "relpath"] == store.odds_relpath(token)


def test_required_items_of_claims_report_what_no_fetcher_gets(repo_root):
    from eventstudy.claims.spec import load_claims

    events = load_events(repo_root / "events.csv")
    needs = required_items(events, load_claims(repo_root / "claims.csv", events))
    by_id = needs.set_index(["kind", "id"])
    gprd = by_id.loc[("series", "GPRD")]
    assert not gprd["fetchable"] and "iacoviello" in gprd["how"]
    assert "claim gpr_drives_gold" in gprd["why"]
    nato = by_id.loc[("odds", "will-us-leave-nato-by-june-30")]
    assert "claim nato_exit_odds_12pct" in nato["why"]
    assert by_id.loc[("price", "GC=F"), "fetchable"]


# --------------------------------------------------------------------------------------------
# offline: nothing fetched, everything listed, exit 3
# --------------------------------------------------------------------------------------------


def test_offline_fetches_nothing_and_lists_every_missing_item(catalog, tmp_path):
    cache = tmp_path / "cache"
    seen: list = []
    with responses.RequestsMock() as rsps:  # any request would fail the test
        report = ensure_data(catalog, data_dir=cache, offline=True, fetcher=_ok_fetcher(seen))
        assert len(rsps.calls) == 0
    assert seen == [] and report.offline and report.fetches.empty and not cache.exists()
    assert not report.ok and len(report.missing) == 11
    command = f"eventstudy data fetch-missing --catalog {catalog} --data-dir {cache}"
    assert report.command == command and command in report.message()
    with pytest.raises(MissingDataError, match="11 of the 11 items needed are missing") as err:
        report.raise_for_missing()
    assert err.value.report is report


def test_offline_run_lists_every_missing_item_and_exits_3(catalog, tmp_path, monkeypatch, capsys):
    import eventstudy.report.compose as compose

    monkeypatch.setattr(compose, "run_analyses", lambda *a, **k: pytest.fail("ran without data"))
    cache = tmp_path / "cache"
    with responses.RequestsMock() as rsps:  # any request would fail the test
        code = cli.main(["run", "--offline", "--catalog", str(catalog), "--data-dir", str(cache),
                         "--out", str(tmp_path / "report")])  # fmt: skip
        assert len(rsps.calls) == 0
    err = capsys.readouterr().err
    assert code == 3
    assert "11 of the 11 items needed are missing" in err
    for key in (*PRICES, *SERIES, *MARKETS):
        assert f" {key}: " in err
    command = f"eventstudy data fetch-missing --catalog {catalog} --data-dir {cache}"
    assert command in err and err.count("eventstudy data fetch-missing") == 1
    assert not cache.exists()  # nothing written


def test_offline_env_refuses_fetch_missing_with_exit_3(catalog, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    with responses.RequestsMock() as rsps:
        args = ["data", "fetch-missing", "--catalog", str(catalog), "--data-dir", str(tmp_path)]
        assert cli.main(args) == 3 and len(rsps.calls) == 0
    out = capsys.readouterr().out
    assert "11 of the 11 items needed are missing" in out and "fetch-missing --catalog" in out


# --------------------------------------------------------------------------------------------
# an empty cache: the first run fetches exactly what is missing, the second nothing
# --------------------------------------------------------------------------------------------


def test_first_run_fetches_exactly_the_missing_items(fetched, catalog):
    cache, report, yahoo, calls = fetched
    assert report.ok and not report.offline
    assert (report.items["state_before"] == "missing").all()
    assert set(report.items["state"]) == {"present"}
    assert _keys(report.fetched) == _keys(report.items)
    assert sorted(t for tickers, _ in yahoo.calls for t in tickers) == sorted(PRICES)
    fred = [u for u in calls if u.startswith(FRED_CSV_URL)]
    gamma = [u for u in calls if u.startswith(GAMMA_URL)]
    assert len(fred) == len(SERIES) and sorted(u.rsplit("/", 1)[-1] for u in gamma) == sorted(
        MARKETS
    )
    files = store.load_manifest(cache)["files"]
    for rel in report.items["relpath"]:
        assert files[rel]["fetched_at"] and files[rel]["sha256"]


def test_fetched_files_equal_the_snapshot(fetched, snapshot_dir):
    cache = fetched[0]
    for ticker in PRICES:
        got = store.load_prices(ticker, cache)
        want = store.load_prices(ticker, snapshot_dir).loc["2015-01-01":]
        assert_frame_equal(got, want, check_freq=False, obj=ticker)
    for sid in SERIES:
        want = store.load_series(sid, snapshot_dir).loc["2015-01-01":]
        assert_series_equal(store.load_series(sid, cache), want, obj=sid)
    for slug in MARKETS:
        token = store.token_id_for(slug, data_dir=snapshot_dir)
        assert store.token_id_for(slug, data_dir=cache) == token
        got, want = store.load_odds(token, cache), store.load_odds(token, snapshot_dir)
        assert_frame_equal(got, want, obj=slug)


def test_study_results_equal_the_snapshot(fetched, catalog, snapshot_dir):
    from eventstudy.gold.study import gold_event_study
    from eventstudy.odds.study import run_odds_study

    cache = fetched[0]
    events = load_events(catalog)
    gold = {d: gold_event_study(events, data_dir=d, n_boot=5) for d in (cache, snapshot_dir)}
    cols = ["event_id", "status", "day0", "car"]
    assert_frame_equal(gold[cache].events[cols], gold[snapshot_dir].events[cols])
    assert gold[cache].events["status"].eq("studied").all()
    odds = {d: run_odds_study(events, data_dir=d).shifts for d in (cache, snapshot_dir)}
    cols = ["event_id", "slug", "horizon", "p_before", "p_after", "shift_pp", "status"]
    assert_frame_equal(odds[cache][cols], odds[snapshot_dir][cols])
    assert (odds[cache]["status"] == "ok").any()


def test_second_run_makes_no_request(fetched, catalog, snapshot_dir):
    cache = fetched[0]
    report, yahoo, calls = _ensure(catalog, cache, snapshot_dir)
    assert report.ok and report.fetched.empty and report.fetches.empty
    assert yahoo.calls == [] and calls == []


# --------------------------------------------------------------------------------------------
# later runs, markets without history, no network
# --------------------------------------------------------------------------------------------


def _store_until(snapshot_dir: Path, cache: Path, rel: str, last: str, fetched_at) -> int:
    """Copy a snapshot file's rows up to ``last`` into the cache, recorded as fetched then."""
    frame = pd.read_csv(snapshot_dir / rel, dtype=str, keep_default_na=False)
    frame = frame.loc[(frame["date"] >= "2015-01-01") & (frame["date"] <= last)]
    writer.write_csv_atomic(frame, rel, cache, source="test", fetched_at=fetched_at)
    return len(frame)


def test_later_run_fetches_only_rows_after_the_last_stored_date(snapshot_dir, tmp_path):
    catalog = tmp_path / "events.csv"
    catalog.write_text(csv_text([{**EVENTS[0], "polymarket": ""}]), encoding="utf-8")
    cache = tmp_path / "cache"
    then = datetime(2025, 3, 6, tzinfo=UTC)
    rels = [store.price_relpath(t) for t in PRICES] + [store.series_relpath(s) for s in SERIES]
    stored = {rel: _store_until(snapshot_dir, cache, rel, "2025-03-05", then) for rel in rels}
    report, yahoo, calls = _ensure(catalog, cache, snapshot_dir, now="2025-04-15")
    assert set(report.items["state_before"]) == {"stale"}
    assert set(report.items["action"]) == {"updated"}
    assert {kw["start"] for _, kw in yahoo.calls} == {"2025-03-06"}  # the day after the last
    files = store.load_manifest(cache)["files"]
    for rel, n in stored.items():
        merge = files[rel]["merge"]
        assert merge["added"] > 0 and merge["changed"] == 0, rel
        assert files[rel]["rows"] == n + merge["added"]
    gc = store.load_prices("GC=F", cache)
    want = store.load_prices("GC=F", snapshot_dir).loc["2015-01-01":]
    assert_frame_equal(gc, want, check_freq=False)  # history kept, new rows merged
    again, yahoo, calls = _ensure(catalog, cache, snapshot_dir, now="2025-04-15")
    assert again.ok and yahoo.calls == [] and calls == []


def test_stale_item_whose_source_has_nothing_newer_is_not_asked_again(snapshot_dir, tmp_path):
    """The snapshot's prices end 2026-02-23: a 2026-03-02 event needs more, the source has none
    (an empty download); that is recorded (checked_at), not reported as a failure."""
    catalog = tmp_path / "events.csv"
    catalog.write_text(csv_text([_event("late", "2026-03-02", "12:00", "UTC", "trade", "up")]))
    cache = tmp_path / "cache"
    then = datetime(2026, 2, 24, tzinfo=UTC)
    rels = [store.price_relpath(t) for t in PRICES] + [store.series_relpath(s) for s in SERIES]
    for rel in rels:
        _store_until(snapshot_dir, cache, rel, "2026-12-31", then)
    report, yahoo, calls = _ensure(catalog, cache, snapshot_dir, now="2026-04-30")
    prices = report.items.loc[report.items["kind"] == "price"]
    assert set(prices["state_before"]) == {"stale"} and len(yahoo.calls) == 3
    assert set(prices["action"]) == {"up to date"} and report.ok
    files = store.load_manifest(cache)["files"]
    assert all(files[store.price_relpath(t)].get("checked_at") for t in PRICES)
    again, yahoo, calls = _ensure(catalog, cache, snapshot_dir, now="2026-04-30")
    assert yahoo.calls == [] and calls == [] and set(again.items["state"]) == {"present"}


def test_market_without_history_is_recorded_and_not_asked_again(snapshot_dir, tmp_path):
    slug = "test-ceasefire-by-april-10"
    catalog = tmp_path / "events.csv"
    event = _event("talks", "2025-03-20", "12:00", "UTC", "russia_ukraine", "down", slug)
    catalog.write_text(csv_text([event]), encoding="utf-8")
    cache = tmp_path / "cache"
    yahoo = SnapshotYahoo(snapshot_dir)
    for attempt in range(2):
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            rsps.get(f"{GAMMA_URL}/markets/slug/{slug}", json=fixture("gamma_market_closed.json"))
            add_snapshot_http(rsps, snapshot_dir)  # the CLOB has no points for its tokens
            fetcher = NetworkFetcher(downloader=yahoo, **NO_SLEEP)
            report = ensure_data(catalog, data_dir=cache, fetcher=fetcher)
            n_calls = len(rsps.calls)
        odds = report.items.set_index("kind").loc["odds"]
        assert report.ok and odds["state"] == "unavailable"
        assert "no points" in odds["note"] and "no data at their source" in report.message()
        if attempt == 0:
            assert odds["action"] == "empty" and n_calls > 0
            unavailable = store.load_manifest(cache)["unavailable"]
            assert list(unavailable) == [odds["relpath"]]
        else:
            assert odds["action"] == "" and n_calls == 0 and len(yahoo.calls) == 3


def test_no_network_stops_after_the_first_connection_error(catalog, tmp_path, capsys):
    cache = tmp_path / "cache"
    empty = yf_frame({"GC=F": {}}).iloc[0:0]
    yahoo = FakeDownloader(*[empty] * 3)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(FRED_CSV_URL, body=requests.ConnectionError("Name or service not known"))
        rsps.get(f"{GAMMA_URL}/markets/slug/{MARKETS[0]}", json={})
        report = ensure_data(catalog, data_dir=cache, fetcher=NetworkFetcher(yahoo, **NO_SLEEP))
        assert len(rsps.calls) == 1  # the first series; nothing after it
    actions = report.items.set_index(["kind", "id"])["action"]
    assert actions[("series", SERIES[0])] == "failed"
    assert actions[("series", SERIES[1])] == "not attempted"
    assert (actions.loc["market"] == "not attempted").all()
    assert not report.ok and len(report.missing) == 11
    assert "network looks unreachable" in report.message()


def test_yahoo_unreachable_stops_the_fetch_too(catalog, tmp_path, capsys):
    """yfinance raises nothing without network; its logged DNS error counts as unreachable."""
    yahoo = OfflineYahoo()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        report = ensure_data(
            catalog, data_dir=tmp_path / "cache", fetcher=NetworkFetcher(yahoo, **NO_SLEEP)
        )
        assert len(rsps.calls) == 0  # no FRED or Polymarket request after Yahoo failed
    assert len(yahoo.calls) == 1
    actions = report.items.set_index(["kind", "id"])["action"]
    assert (actions == "failed").sum() == 1
    assert (actions == "not attempted").sum() == len(actions) - 1
    assert "network looks unreachable" in report.message()


def test_run_without_network_exits_3_with_the_whole_list(catalog, tmp_path, monkeypatch, capsys):
    """Not offline, but no network: the fetch fails fast and the run stops before computing."""
    import eventstudy.data.fetch.prices as prices
    import eventstudy.report.compose as compose

    empty = yf_frame({"GC=F": {}}).iloc[0:0]
    monkeypatch.setattr(prices, "_yfinance_download", lambda: FakeDownloader(*[empty] * 3))
    monkeypatch.setattr(compose, "run_analyses", lambda *a, **k: pytest.fail("ran without data"))
    monkeypatch.delenv("EVENTSTUDY_OFFLINE", raising=False)
    cache = tmp_path / "cache"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(FRED_CSV_URL, body=requests.ConnectionError("Name or service not known"))
        code = cli.main(["run", "--catalog", str(catalog), "--data-dir", str(cache),
                         "--out", str(tmp_path / "report")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 3 and "11 of the 11 items needed are missing" in err
    assert "network looks unreachable" in err and "eventstudy data fetch-missing" in err


@pytest.mark.parametrize("progress", [True, None])
def test_progress_bar_on_stderr_only_when_asked_or_a_terminal(catalog, tmp_path, capsys, progress):
    seen: list = []
    report = ensure_data(catalog, data_dir=tmp_path, fetcher=_ok_fetcher(seen), progress=progress)
    err = capsys.readouterr().err
    assert len(seen) == 8  # 3 tickers, 2 series, 3 markets (a market and its odds: one fetch)
    assert ("price", "GC=F", "2015-01-01") in seen and ("market", MARKETS[0], None) in seen
    assert ("eventstudy: fetching" in err) is bool(progress)  # pytest's stderr is no terminal
    assert not report.ok  # the fake wrote nothing: the items are still missing, and said so
    missing = report.missing
    assert set(missing.loc[missing["kind"] != "odds", "action"]) == {"fetched"}


# --------------------------------------------------------------------------------------------
# status, path, and nothing written outside the data directory
# --------------------------------------------------------------------------------------------


def test_data_status_says_rows_dates_source_checksum_and_staleness(
    catalog, snapshot_dir, tmp_path, capsys
):
    cache = tmp_path / "cache"
    then = datetime(2025, 3, 6, tzinfo=UTC)
    _store_until(snapshot_dir, cache, "prices/GC=F.csv", "2025-03-05", then)
    n = _store_until(snapshot_dir, cache, "prices/GLD.csv", "2025-12-31", then)
    with (cache / "prices" / "GLD.csv").open("a") as fh:  # edited after it was recorded
        fh.write("2026-01-02,1,1,1,1,1\n")
    status = data_status(cache, required_items(load_events(catalog))).set_index("id")
    gc, gld = status.loc["GC=F"], status.loc["GLD"]
    assert (gc["state"], gc["first"], gc["last"], gc["source"]) == (
        "stale", "2015-01-02", "2025-03-05", "test"
    )  # fmt: skip
    assert gc["ends_early"] and gc["verified"] and gc["fetched_at"] == "2025-03-06T00:00:00Z"
    assert gld["state"] == "present" and not gld["ends_early"] and gld["rows"] == n + 1
    assert not gld["verified"]  # its checksum no longer matches the manifest
    assert status.loc["ACWI", "state"] == "missing" and pd.isna(status.loc["ACWI", "rows"])
    code = cli.main(["data", "status", "--catalog", str(catalog), "--data-dir", str(cache)])
    out = capsys.readouterr().out
    assert code == 0 and f"data directory: {cache} (argument)" in out
    assert "1 present" in out and "1 stale" in out and "9 missing" in out


def _tree(path: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in path.rglob("*") if "__pycache__" not in p.parts}


def test_fresh_machine_run_writes_only_into_the_user_cache(
    catalog, snapshot_dir, repo_root, tmp_path, monkeypatch, capsys
):
    """No data directory named, no ./data: `eventstudy run` fetches into the per-user cache
    (XDG_CACHE_HOME here) and writes nothing into the repository, the package or the cwd."""
    import eventstudy
    import eventstudy.data.fetch.prices as prices
    import eventstudy.report.compose as compose

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("EVENTSTUDY_DATA", raising=False)
    monkeypatch.delenv("EVENTSTUDY_OFFLINE", raising=False)
    monkeypatch.setattr(prices, "_yfinance_download", lambda: SnapshotYahoo(snapshot_dir))
    seen = {}

    def analyses(catalog, data_dir, **kwargs):  # the studies themselves: tests/test_report.py
        seen.update(data_dir=data_dir)
        return "inputs"

    monkeypatch.setattr(compose, "run_analyses", analyses)
    monkeypatch.setattr(
        compose, "write_report", lambda *a, **k: SimpleNamespace(figures=(), files=())
    )
    package = Path(eventstudy.__file__).parent
    before = (_tree(package), _git_status(repo_root))

    assert cli.main(["data", "path"]) == 0
    cache = tmp_path / "xdg" / "eventstudy" / "data"
    assert capsys.readouterr().out.strip() == str(cache)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        add_snapshot_http(rsps, snapshot_dir)
        out = tmp_path / "out" / "report"
        assert cli.main(["run", "-q", "--catalog", str(catalog), "--out", str(out)]) == 0
    assert seen["data_dir"] is None and "fetched 11 item(s)" in capsys.readouterr().err
    assert list(work.iterdir()) == [] and not (tmp_path / "home").exists()
    assert (_tree(package), _git_status(repo_root)) == before
    written = {p.relative_to(tmp_path).parts[:3] for p in tmp_path.rglob("*") if p.is_file()}
    # the cache (data; exchange calendars' days when a schedule was built), and the report
    # directory asked for (its marker file; the page was faked)
    written.discard(("xdg", "eventstudy", "calendars"))
    # matplotlib's own font list, written by the figure workers' first text layout into the
    # user cache when this process has not built it yet (the test run alone)
    written = {p for p in written if p[:2] != ("xdg", "matplotlib")}
    assert written == {("xdg", "eventstudy", "data"), ("out", "report", ".eventstudy-report")}
    assert json.loads((cache / "manifest.json").read_text())["files"]


def _git_status(repo: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain"],
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):  # not a git checkout (an sdist)
        return ""
    return out.stdout


@pytest.mark.parametrize("manifest", ["{not json", "", "[1,2,3]"])
def test_unreadable_manifest_is_a_warning_unless_strict(fetched, catalog, tmp_path, manifest):
    import shutil

    cache = tmp_path / "data"
    shutil.copytree(fetched[0], cache)
    (cache / store.MANIFEST).write_text(manifest, encoding="utf-8")
    status = data_status(cache, required_items(load_events(catalog)))
    held = status.loc[status["state"] == "present"]
    assert len(held) and not held["verified"].any()
    if manifest != "[1,2,3]":  # one run is enough: the three fail in load_manifest alike
        return
    out = tmp_path / "report"
    args = ["run", "-q", "--offline", "--catalog", str(catalog), "--data-dir", str(cache)]
    with responses.RequestsMock():  # any request would fail the test
        assert cli.main([*args, "--out", str(out)]) == 0
        versions = pd.read_csv(out / "data_versions.csv", dtype=str)
        assert versions["problem"].str.contains("the manifest cannot be read").all()
        assert cli.main([*args, "--strict", "--out", str(tmp_path / "strict")]) == 2


@pytest.mark.parametrize(
    ("rel", "tail", "expected"),
    [
        ("prices/GC=F.csv", b"2026-01-05,1,2,1,\xaa,3\n", "byte 0xaa is not UTF-8"),
        ("prices/GC=F.csv", b"date,open,high,low,close,volume\n", "'date' is not a date"),
        ("series/DFII10.csv", b"2099999999-01-01,2\n", "'2099999999-01-01' is not a date"),
    ],
)
def test_an_unreadable_stored_file_is_named_by_status_fetch_missing_and_run(
    fetched, catalog, tmp_path, capsys, rel, tail, expected
):
    import shutil

    cache = tmp_path / "data"
    shutil.copytree(fetched[0], cache)
    with (cache / rel).open("ab") as fh:
        fh.write(tail)
    base = ["--catalog", str(catalog), "--data-dir", str(cache)]
    assert cli.main(["data", "status", *base]) == 0
    out = capsys.readouterr().out
    assert "1 unreadable" in out
    status = data_status(cache, required_items(load_events(catalog))).set_index("path")
    assert status.loc[rel, "state"] == "unreadable" and expected in status.loc[rel, "note"]
    with responses.RequestsMock():  # any request would fail the test
        assert cli.main(["data", "fetch-missing", "--offline", *base]) == 2
        assert cli.main(["run", "-q", "--offline", *base, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count(f"{cache / rel} line ") == 2 and err.count(expected) == 2
    assert "Traceback" not in err


def test_linked_markets_need_their_events_span_as_each_event_alone_gives(repo_root):
    """Each linked market's dates (events found once for all markets): from ODDS_BEFORE_DAYS
    before its first event's UTC day to POST_EVENT_DAYS after its last, with its events in
    catalog order, on the real catalog (markets linked by one event and by several)."""
    from eventstudy.data.needs import ODDS_BEFORE_DAYS, POST_EVENT_DAYS

    events = load_events(repo_root / "events.csv")
    needs = required_items(events).set_index(["kind", "id"])
    linked = events.explode("polymarket_slugs").dropna(subset=["polymarket_slugs"])
    assert linked["polymarket_slugs"].duplicated().any()  # some market has several events
    for slug, rows in linked.groupby("polymarket_slugs", sort=False):
        days = [t.tz_convert("UTC").tz_localize(None).normalize() for t in rows["event_time"]]
        item = needs.loc[("odds", slug)]
        assert item["needed_from"] == min(days) - pd.Timedelta(days=ODDS_BEFORE_DAYS)
        assert item["needed_through"] == max(days) + pd.Timedelta(days=POST_EVENT_DAYS)
        assert item["events"] == tuple(rows["event_id"])
