"""Tests of eventstudy.data.fetch.polymarket (and fred) on hand-written fixtures in the recorded
response shapes (tests/fixtures/http/README.md). HTTP is mocked with ``responses``; sockets
are disabled for the whole run."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd
import pytest
import responses
from _fakes import fixture
from responses import matchers
from urllib3.util.retry import RequestHistory

from eventstudy.data import store
from eventstudy.data.fetch import fetch_data, fetch_markets, fetch_series
from eventstudy.data.fetch.polymarket import (
    CLOB_URL,
    GAMMA_URL,
    MAX_WINDOW_S,
    PolymarketClient,
    clean_history,
    history_windows,
    market_rows,
)
from eventstudy.exceptions import FetchError, OfflineError

SLUG = "test-ceasefire-by-april-10"
YES = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
NO = "52114319501245915516055106046884209969926127482827954674443846427813813222426"
START = 1740787200  # 2025-03-01T00:00:00Z, the market's startDate
END = START + 40 * 86400  # closedTime 2025-04-10 00:00:00+00
WINDOWS = [
    (START, START + MAX_WINDOW_S),
    (START + MAX_WINDOW_S, START + 2 * MAX_WINDOW_S),
    (START + 2 * MAX_WINDOW_S, END),
]
HISTORY_URL = f"{CLOB_URL}/prices-history"
MARKET_URL = f"{GAMMA_URL}/markets/slug/{SLUG}"


def history_params(token: str, window: tuple[int, int], fidelity: int = 60) -> dict[str, str]:
    s, e = window
    return {"market": token, "startTs": str(s), "endTs": str(e), "fidelity": str(fidelity)}


def add_market(rsps, market=None) -> None:
    rsps.get(MARKET_URL, json=market or fixture("gamma_market_closed.json"))


def add_history(rsps, token: str, bodies: list) -> None:
    for window, body in zip(WINDOWS, bodies, strict=True):
        rsps.get(
            HISTORY_URL,
            json=fixture(body) if isinstance(body, str) else body,
            match=[matchers.query_param_matcher(history_params(token, window))],
        )


W_BODIES = [
    "clob_prices_history_w1.json",
    "clob_prices_history_w2.json",
    "clob_prices_history_w3_with_now_point.json",
]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------------------------
# pure helpers
# --------------------------------------------------------------------------------------------


def test_forty_day_market_is_three_contiguous_windows():
    windows = history_windows(START, END)
    assert windows == WINDOWS
    assert all(e - s <= 1_296_000 for s, e in windows)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert history_windows(START, START + MAX_WINDOW_S) == [(START, START + MAX_WINDOW_S)]
    assert history_windows(START, START + MAX_WINDOW_S + 1)[-1] == (
        START + MAX_WINDOW_S,
        START + MAX_WINDOW_S + 1,
    )
    assert history_windows(END, START) == []


def test_clean_history_drops_now_point_and_outside_points():
    body = fixture("clob_prices_history_w3_with_now_point.json")["history"]
    s, e = WINDOWS[2]
    out = clean_history([{"t": s - 60, "p": 0.5}, *body], s, e)
    assert list(out["t"]) == [s + 3600, s + 7200]  # before startTs and "now" point dropped
    assert out["p"].dtype == "float64"


def test_market_rows_decode_json_strings_and_match_labels():
    market = fixture("gamma_market_closed.json")
    rows = market_rows(market)
    assert list(rows.columns) == list(store.MARKET_COLUMNS)
    assert dict(zip(rows["outcome"], rows["token_id"], strict=True)) == {"Yes": YES, "No": NO}
    assert rows.loc[0, "closed_at"] == "2025-04-10 00:00:00+00"
    assert rows.loc[0, "event_slug"] == "test-ceasefire"
    assert rows.loc[0, "volume_usd"] == "123456.78"
    # outcome order is not assumed: labels travel with their token ids
    market["outcomes"] = json.dumps(["No", "Yes"])
    market["clobTokenIds"] = json.dumps([NO, YES])
    flipped = market_rows(market)
    assert dict(zip(flipped["outcome"], flipped["token_id"], strict=True)) == {"Yes": YES, "No": NO}


def test_market_without_clob_tokens_is_an_error():
    market = {**fixture("gamma_market_closed.json"), "clobTokenIds": None}
    with pytest.raises(FetchError, match="no CLOB token ids"):
        market_rows(market)


# --------------------------------------------------------------------------------------------
# fetching with mocked HTTP
# --------------------------------------------------------------------------------------------


@responses.activate
def test_fetch_market_chunks_drops_now_point_and_writes(tmp_path):
    add_market(responses)
    add_history(responses, YES, W_BODIES)
    report = fetch_markets([SLUG], data_dir=tmp_path, outcomes=["Yes"], sleep=lambda s: None)

    # exactly 1 Gamma call + 3 window calls, matched on their exact query parameters
    assert len(responses.calls) == 4
    assert report[["kind", "status"]].to_numpy().tolist() == [["odds", "ok"], ["market", "ok"]]
    assert report.loc[0, "rows"] == 7  # 3 + 3 + 2, minus the repeated boundary point

    odds = store.load_odds(YES, tmp_path)
    assert str(odds["t"].dtype) == "datetime64[us, UTC]"
    assert odds["t"].iloc[0] == pd.Timestamp("2025-03-01T00:00:00Z")
    assert odds["t"].max() <= pd.Timestamp(END, unit="s", tz="UTC")  # the "now" point is gone
    assert odds["t"].is_unique and odds["t"].is_monotonic_increasing
    assert 0.94 not in set(odds["p"])
    first_line = (tmp_path / store.odds_relpath(YES)).read_text().splitlines()[1]
    assert first_line == "2025-03-01T00:00:00Z,0.12"

    markets = store.load_markets(tmp_path)
    assert dict(zip(markets["outcome"], markets["has_prices"], strict=True)) == {
        "Yes": True,
        "No": False,
    }
    assert markets.loc[0, "closed_at"] == pd.Timestamp("2025-04-10", tz="UTC")

    params = store.load_manifest(tmp_path)["files"][store.odds_relpath(YES)]["params"]
    assert params["fidelity_min"] == 60 and params["median_spacing_s"] == 3600.0
    assert (params["startTs"], params["endTs"], params["windows"]) == (START, END, 3)


@responses.activate
def test_fidelity_is_passed_in_minutes(tmp_path):
    add_market(responses)
    for window in WINDOWS:
        responses.get(
            HISTORY_URL,
            json=fixture("clob_prices_history_w1.json"),
            match=[matchers.query_param_matcher(history_params(YES, window, 5))],
        )
    report = fetch_markets([SLUG], data_dir=tmp_path, outcomes=["yes"], fidelity=5)
    assert report.loc[0, "status"] == "ok"
    entry = store.load_manifest(tmp_path)["files"][store.odds_relpath(YES)]
    assert entry["params"]["fidelity_min"] == 5


@responses.activate
def test_400_interval_too_long_is_quoted():
    body = fixture("clob_error_interval_too_long.json")
    responses.get(HISTORY_URL, json=body, status=400)
    client = PolymarketClient(sleep=lambda s: pytest.fail("a 400 must not be retried"))
    with pytest.raises(FetchError, match="interval is too long") as info:
        client.prices_history(YES, START, START + 100)
    assert "HTTP 400" in str(info.value)
    assert len(responses.calls) == 1


@responses.activate
def test_429_then_200_is_retried_respecting_retry_after(tmp_path):
    add_market(responses)
    responses.get(
        HISTORY_URL,
        status=429,
        headers={"Retry-After": "7"},
        match=[matchers.query_param_matcher(history_params(YES, WINDOWS[0]))],
    )
    add_history(responses, YES, W_BODIES)
    sleeps: list[float] = []
    report = fetch_markets([SLUG], data_dir=tmp_path, outcomes=["Yes"], sleep=sleeps.append)
    assert report.loc[0, "status"] == "ok" and report.loc[0, "rows"] == 7
    assert sleeps == [7.0]
    assert len(responses.calls) == 5


@responses.activate
def test_503_exhausts_retries_and_writes_nothing(tmp_path):
    add_market(responses)
    responses.get(HISTORY_URL, status=503, body="Service Unavailable")
    sleeps: list[float] = []
    report = fetch_markets(
        [SLUG], data_dir=tmp_path, outcomes=["Yes"], sleep=sleeps.append, max_retries=3
    )
    odds = report.loc[report["kind"] == "odds"].iloc[0]
    assert odds["status"] == "failed"
    assert "4 attempts" in odds["error"] and "HTTP 503" in odds["error"]
    assert sleeps == [2.0, 4.0]  # urllib3's exponential backoff: none before the first retry
    assert not (tmp_path / store.odds_relpath(YES)).exists()
    # metadata is still recorded, with has_prices False
    assert not store.load_markets(tmp_path)["has_prices"].any()

    client = PolymarketClient(max_retries=2, sleep=lambda s: None)
    with pytest.raises(FetchError, match="failed after 3 attempts"):
        client.prices_history(YES, START, START + 10)


@responses.activate
def test_empty_history_for_closed_market_is_reported_not_written(tmp_path):
    add_market(responses)
    empty = "clob_prices_history_empty.json"
    add_history(responses, YES, [empty] * 3)
    add_history(responses, NO, [empty] * 3)
    report = fetch_markets([SLUG], data_dir=tmp_path)
    odds = report.loc[report["kind"] == "odds"]
    assert list(odds["status"]) == ["empty", "empty"]
    assert "no points" in odds.iloc[0]["error"]
    assert not (tmp_path / "polymarket" / "prices").exists()
    assert len(store.load_markets(tmp_path)) == 2


@responses.activate
def test_unknown_slug_fails_alone(tmp_path):
    responses.get(f"{GAMMA_URL}/markets/slug/nope", status=404, json={"error": "not found"})
    add_market(responses)
    add_history(responses, YES, W_BODIES)
    report = fetch_markets(["nope", SLUG], data_dir=tmp_path, outcomes=["Yes"])
    status = {(k, s) for k, s in zip(report["key"], report["status"], strict=True)}
    assert ("nope", "failed") in status and (SLUG, "ok") in status
    assert "'nope'" in report.loc[report["key"] == "nope", "error"].iloc[0]


@responses.activate
def test_upsert_replaces_rows_by_token_and_keeps_others(tmp_path):
    path = tmp_path / store.MARKETS_RELPATH
    path.parent.mkdir(parents=True)
    header = ",".join(store.MARKET_COLUMNS)
    old = f"1,{SLUG},Old question?,e,0x1,Yes,{YES},2025-03-01T00:00:00Z,,1.0,False,False"
    other = "2,other,Other?,e2,0x2,Yes,99,2024-01-01T00:00:00Z,,5.0,False,False"
    path.write_text(f"{header}\n{old}\n{other}\n")
    add_market(responses)
    add_history(responses, YES, W_BODIES)
    fetch_markets([SLUG], data_dir=tmp_path, outcomes=["Yes"])
    markets = store.load_markets(tmp_path)
    assert sorted(markets["token_id"]) == sorted([YES, NO, "99"])
    row = markets.loc[markets["token_id"] == YES].iloc[0]
    assert row["question"] == "Will the test ceasefire be signed by April 10?"
    assert bool(row["has_prices"])


def test_offline_refuses_network(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        add_market(rsps)
        with pytest.raises(OfflineError, match="EVENTSTUDY_OFFLINE"):
            fetch_markets([SLUG], data_dir=tmp_path)
        with pytest.raises(OfflineError):
            fetch_series(["DFII10"], data_dir=tmp_path)
        with pytest.raises(OfflineError):
            fetch_data(data_dir=tmp_path, slugs=[SLUG])
        assert len(rsps.calls) == 0
    assert _files(tmp_path) == {}


# --------------------------------------------------------------------------------------------
# FRED and fetch_data with a catalog-free slug list
# --------------------------------------------------------------------------------------------


@responses.activate
def test_fred_series_missing_values_become_blank(tmp_path):
    responses.get(
        "https://fred.stlouisfed.org/graph/fredgraph.csv",
        body=fixture("fred_DFII10.csv"),
        content_type="text/csv",
        match=[matchers.query_param_matcher({"id": "DFII10"})],
    )
    report = fetch_series(["DFII10"], start="2025-02-17", data_dir=tmp_path)
    assert report.loc[0, "status"] == "ok" and report.loc[0, "rows"] == 4
    text = (tmp_path / "series" / "DFII10.csv").read_text()
    assert text == "date,value\n2025-02-17,\n2025-02-18,2.05\n2025-02-19,\n2025-02-20,2.01\n"
    s = store.load_series("DFII10", tmp_path)
    assert s.isna().sum() == 2 and s.loc["2025-02-18"] == pytest.approx(2.05)


@responses.activate
def test_fred_html_answer_is_a_failure(tmp_path):
    responses.get(
        "https://fred.stlouisfed.org/graph/fredgraph.csv",
        body="<html><body>Series not found</body></html>",
        content_type="text/html",
    )
    report = fetch_series(["NOPE"], data_dir=tmp_path)
    assert report.loc[0, "status"] == "failed" and "NOPE" in report.loc[0, "error"]
    assert _files(tmp_path) == {}


@responses.activate
def test_fetch_data_slugs_only_fetches_no_tickers(tmp_path):
    add_market(responses)
    add_history(responses, YES, W_BODIES)
    add_history(responses, NO, W_BODIES)
    report = fetch_data(data_dir=tmp_path, slugs=[SLUG], downloader=lambda *a, **k: 1 / 0)
    assert set(report["kind"]) == {"market", "odds"}
    assert (report["status"] == "ok").all()


@responses.activate
def test_fetch_data_reads_slugs_from_catalog(tmp_path, monkeypatch):
    import sys
    import types

    fake_catalog = types.ModuleType("eventstudy.data.catalog")
    seen = []

    def load_events(path):
        seen.append(path)
        return pd.DataFrame({"polymarket_slugs": [[SLUG], [], [SLUG]]})

    fake_catalog.load_events = load_events
    monkeypatch.setitem(sys.modules, "eventstudy.data.catalog", fake_catalog)
    add_market(responses)
    add_history(responses, YES, W_BODIES)
    add_history(responses, NO, W_BODIES)
    report = fetch_data(data_dir=tmp_path, tickers=[], catalog="events.csv")
    assert seen == ["events.csv"]
    assert list(report.loc[report["kind"] == "market", "key"]) == [SLUG]  # de-duplicated
    assert (report["status"] == "ok").all()


def test_offline_switch_values(monkeypatch):
    from eventstudy.data.fetch import is_offline

    for value, expected in [("1", True), ("yes", True), ("0", False), ("", False)]:
        monkeypatch.setenv("EVENTSTUDY_OFFLINE", value)
        assert is_offline() is expected


# --------------------------------------------------------------------------------------------
# reliability: bounded waits, malformed answers, isolation, merging (issue 16)
# --------------------------------------------------------------------------------------------


class _Answer:
    """Just enough of a urllib3 response for BoundedRetry: status and headers."""

    status = 429

    def __init__(self, retry_after: str | None):
        self.headers = {} if retry_after is None else {"Retry-After": retry_after}

    def get_redirect_location(self):
        return None


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), ("NaN", 2.0), ("inf", 2.0), ("-5", 2.0), ("garbage", 2.0), ("99999", 10.0)],
)
def test_retry_after_is_finite_and_capped(header, expected):
    from eventstudy.data.fetch._common import BoundedRetry

    retry = BoundedRetry(total=4, backoff_factor=1.0, status_forcelist=[429])
    failure = RequestHistory("GET", "/x", None, 429, None)
    retry = retry.new(history=(failure, failure))  # two failures so far: backoff 1 * 2 = 2 s
    assert retry.wait_for(_Answer(header)) == expected


def test_total_wait_of_one_request_is_bounded():
    from eventstudy.data.fetch._common import MAX_TOTAL_WAIT_S, BoundedRetry

    sleeps: list[float] = []
    retry = BoundedRetry(
        total=10, backoff_factor=1.0, status_forcelist=[429], sleep_fn=sleeps.append
    )
    for _ in range(10):
        retry = retry.increment(method="GET", url="/x", response=_Answer("3600"))
    assert all(s == s and s >= 0 for s in sleeps)  # never NaN, never negative
    assert sum(sleeps) <= MAX_TOTAL_WAIT_S and max(sleeps) <= 10.0


@responses.activate
def test_retry_after_nan_does_not_reach_sleep(tmp_path):
    add_market(responses)
    responses.get(
        HISTORY_URL,
        status=429,
        headers={"Retry-After": "NaN"},
        match=[matchers.query_param_matcher(history_params(YES, WINDOWS[0]))],
    )
    add_history(responses, YES, W_BODIES)
    sleeps: list[float] = []
    report = fetch_markets([SLUG], data_dir=tmp_path, outcomes=["Yes"], sleep=sleeps.append)
    assert report.loc[0, "status"] == "ok"
    assert all(s == s for s in sleeps)  # no NaN wait


@responses.activate
def test_gamma_events_sent_as_an_object_is_read(tmp_path):
    market = {**fixture("gamma_market_closed.json"), "events": {"slug": "test-ceasefire"}}
    add_market(responses, market)
    add_history(responses, YES, W_BODIES)
    report = fetch_markets([SLUG], data_dir=tmp_path, outcomes=["Yes"])
    assert (report["status"] == "ok").all()
    assert store.load_markets(tmp_path)["event_slug"].iloc[0] == "test-ceasefire"


@pytest.mark.parametrize("t", [2**63, 2**64 + 5, -1, 1.5, "soon", None, True])
def test_impossible_timestamps_are_a_clear_failure(t):
    with pytest.raises(FetchError, match="t="):
        clean_history([{"t": t, "p": 0.5}], 0, 2**70)


@responses.activate
def test_bad_token_fails_alone_and_the_summary_is_true(tmp_path, capsys):
    from eventstudy import cli

    bad_market = {
        **fixture("gamma_market_closed.json"),
        "clobTokenIds": json.dumps(["0xnot-a-token", NO]),
    }
    add_market(responses, bad_market)
    add_history(responses, NO, W_BODIES)
    responses.get(
        f"{GAMMA_URL}/markets/slug/other-market",
        json={**fixture("gamma_market_closed.json"), "slug": "other-market"},
    )
    huge = {"history": [{"t": 2**63, "p": 0.5}]}
    add_history(responses, YES, [huge, huge, huge])  # other-market's YES: t >= 2**63
    report = fetch_markets([SLUG, "other-market"], data_dir=tmp_path, sleep=lambda s: None)
    status = dict(zip(report["key"], report["status"], strict=True))
    assert status == {SLUG: "failed", "other-market [Yes]": "failed", "other-market [No]": "ok",
                      "other-market": "ok"}  # fmt: skip
    errors = dict(zip(report["key"], report["error"], strict=True))
    assert "'0xnot-a-token' is not a decimal" in errors[SLUG]
    assert "t=9223372036854775808" in errors["other-market [Yes]"]  # 2**63
    assert (tmp_path / store.odds_relpath(NO)).is_file()  # written, and reported as written
    assert list(store.load_markets(tmp_path)["slug"]) == ["other-market"] * 2

    def fake_fetch_data(**kwargs):
        return report

    import eventstudy.data.fetch

    original = eventstudy.data.fetch.fetch_data
    eventstudy.data.fetch.fetch_data = fake_fetch_data
    try:
        assert cli.main(["fetch", "--markets", SLUG, "--data-dir", str(tmp_path)]) == 1
    finally:
        eventstudy.data.fetch.fetch_data = original
    err = capsys.readouterr().err
    assert "2 of" in err and "nothing was written for them" in err


@responses.activate
def test_a_value_that_is_not_a_slug_never_reaches_a_url(tmp_path, capsys):
    from eventstudy import cli

    report = fetch_markets(["../../admin?x#y"], data_dir=tmp_path)
    assert (
        report.loc[0, "status"] == "failed"
        and "not a Polymarket market slug" in (report.loc[0, "error"])
    )
    assert len(responses.calls) == 0
    assert cli.main(["fetch", "--markets", "ok-slug,../../admin?x#y"]) == 2
    assert "'../../admin?x#y' is not a Polymarket market slug" in capsys.readouterr().err
    assert len(responses.calls) == 0


@responses.activate
def test_one_point_answer_is_merged_into_the_stored_history(tmp_path):
    add_market(responses)
    add_history(responses, YES, W_BODIES)
    fetch_markets([SLUG], data_dir=tmp_path, outcomes=["Yes"])
    stored = store.load_odds(YES, tmp_path)
    responses.reset()
    add_market(responses)
    late = {"history": [{"t": END - 3600, "p": 0.9}]}
    add_history(responses, YES, [{"history": []}, {"history": []}, late])
    report = fetch_markets([SLUG], data_dir=tmp_path, outcomes=["Yes"])
    odds = report.loc[report["kind"] == "odds"].iloc[0]
    assert odds["status"] == "ok" and odds["rows"] == 1 and odds["added"] == 1
    merged = store.load_odds(YES, tmp_path)
    assert len(merged) == len(stored) + 1 and merged["p"].iloc[-1] == 0.9
    assert "kept from the stored file" in odds["note"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("closedTime", "garbage"),
        ("closedTime", "NaN"),
        ("closedTime", float("nan")),
        ("closedTime", 12345),
        ("closedTime", "12345"),
        ("createdAt", "yesterday"),
        ("createdAt", ["2025-03-01"]),
        ("volumeNum", "lots"),
        ("volumeNum", float("inf")),
    ],
)
@responses.activate
def test_malformed_gamma_field_fails_that_market_and_never_reaches_markets_csv(
    tmp_path, field, value
):
    bad = {**fixture("gamma_market_closed.json"), field: value}
    add_market(responses, bad)
    responses.get(
        f"{GAMMA_URL}/markets/slug/other-market",
        json={**fixture("gamma_market_closed.json"), "slug": "other-market"},
    )
    add_history(responses, YES, W_BODIES)
    report = fetch_markets([SLUG, "other-market"], data_dir=tmp_path, outcomes=["Yes"])
    status = dict(zip(report["key"], report["status"], strict=True))
    assert status == {SLUG: "failed", "other-market [Yes]": "ok", "other-market": "ok"}
    error = report.loc[report["key"] == SLUG, "error"].iloc[0]
    assert f"field {field}" in error or "volume" in error
    assert "not recorded" in error
    markets = store.load_markets(tmp_path)  # still readable
    assert list(markets["slug"]) == ["other-market", "other-market"]
    assert not markets["closed_at"].isna().any()


def test_missing_closed_time_is_left_blank_as_not_closed():
    market = {**fixture("gamma_market_closed.json")}
    market.pop("closedTime")
    assert (market_rows(market)["closed_at"] == "").all()
