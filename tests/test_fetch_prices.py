"""Tests of eventstudy.data.fetch.prices (yfinance through an injected fake downloader) and of
fetch_data / the ``eventstudy fetch`` CLI. No network: sockets are disabled for the run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests
from _fakes import FakeDownloader, OfflineYahoo, yf_frame

from eventstudy import cli
from eventstudy.data import store
from eventstudy.data.fetch import DEFAULT_TICKERS, fetch_data, fetch_prices
from eventstudy.data.fetch.prices import bars_for_ticker
from eventstudy.exceptions import OfflineError

GC = {
    "Close": [2900.0, 2931.60009765625, 2940.5],
    "High": [2910.0, 2936.39990234375, 2950.0],
    "Low": [2890.0, 2873.800048828125, 2930.0],
    "Open": [2895.0, 2879.199951171875, 2932.0],
    "Volume": [100.0, 4010.0, 50.0],
}
GLD = {"Close": [265.0, 270.7, 271.0], "Volume": [1e6, 2e6, 3e6]}


class YFRateLimitError(Exception):
    """Same name and message as yfinance.exceptions.YFRateLimitError."""

    def __init__(self):
        super().__init__("Too Many Requests. Rate limited. Try after a while.")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_download_shape_is_written_in_store_layout(tmp_path):
    fake = FakeDownloader(yf_frame({"GC=F": GC, "GLD": GLD}))
    report = fetch_prices(
        ["GC=F", "GLD"], "2025-02-14", "2025-02-19", data_dir=tmp_path, downloader=fake
    )
    assert list(report.columns) == [
        "kind", "key", "status", "rows", "added", "changed", "path", "note", "error"
    ]  # fmt: skip
    assert list(report["status"]) == ["ok", "ok"] and list(report["rows"]) == [3, 3]
    text = (tmp_path / "prices" / "GC=F.csv").read_text().splitlines()
    assert text[0] == "date,open,high,low,close,volume"
    assert text[2].startswith("2025-02-18,2879.199951171875,")
    gc = store.load_prices("GC=F", tmp_path)
    assert gc.loc["2025-02-18", "close"] == pytest.approx(2931.6, abs=1e-4)
    assert list(store.load_prices("GLD", tmp_path).columns) == ["close", "volume"]
    entry = store.load_manifest(tmp_path)["files"]["prices/GC=F.csv"]
    assert entry["source"] == "yfinance.download"
    assert entry["params"]["auto_adjust"] is True and entry["params"]["end"] == "2025-02-20"
    assert (entry["first"], entry["last"], entry["rows"]) == ("2025-02-14", "2025-02-19", 3)


def test_end_is_passed_exclusive_and_options_pinned(tmp_path):
    fake = FakeDownloader(yf_frame({"GC=F": GC}))
    fetch_prices(["GC=F"], "2025-02-14", "2025-02-19", data_dir=tmp_path, downloader=fake)
    ((tickers, kwargs),) = fake.calls
    assert tickers == ["GC=F"]
    assert kwargs["start"] == "2025-02-14"
    assert kwargs["end"] == "2025-02-20"  # yfinance's end is exclusive: last date + 1 day
    assert kwargs["auto_adjust"] is True and kwargs["interval"] == "1d"
    assert kwargs["repair"] is False and kwargs["progress"] is False


def test_empty_frame_fails_every_ticker_and_writes_nothing(tmp_path):
    empty = yf_frame({"GC=F": GC}).iloc[0:0]
    report = fetch_prices(
        ["GC=F"], "2025-02-14", "2025-02-19", data_dir=tmp_path, downloader=FakeDownloader(empty)
    )
    assert list(report["status"]) == ["failed"]
    assert "GC=F" in report.loc[0, "error"] and "empty" in report.loc[0, "error"]
    assert _files(tmp_path) == {}


def test_all_nan_ticker_fails_alone(tmp_path):
    frame = yf_frame({"GC=F": GC, "XAUUSD=X": {}})  # partial failure: all-NaN columns
    report = fetch_prices(
        ["GC=F", "XAUUSD=X"],
        "2025-02-14",
        "2025-02-19",
        data_dir=tmp_path,
        downloader=FakeDownloader(frame),
    )
    status = dict(zip(report["key"], report["status"], strict=True))
    assert status == {"GC=F": "ok", "XAUUSD=X": "failed"}
    assert "XAUUSD=X" in report.loc[1, "error"] and "missing" in report.loc[1, "error"]
    assert not (tmp_path / "prices" / "XAUUSD=X.csv").exists()
    assert set(store.load_manifest(tmp_path)["files"]) == {"prices/GC=F.csv"}


def test_rows_with_nan_close_are_dropped_and_tz_removed():
    frame = yf_frame({"GC=F": {**GC, "Close": [2900.0, np.nan, 2940.5]}})
    frame.index = frame.index.tz_localize("America/New_York")
    bars = bars_for_ticker(frame, "GC=F")
    assert list(bars["date"]) == ["2025-02-14", "2025-02-19"]
    assert list(bars.columns) == ["date", "open", "high", "low", "close", "volume"]


def test_rate_limit_retried_with_backoff(tmp_path):
    sleeps: list[float] = []
    fake = FakeDownloader(YFRateLimitError(), YFRateLimitError(), yf_frame({"GC=F": GC}))
    report = fetch_prices(
        ["GC=F"],
        "2025-02-14",
        "2025-02-19",
        data_dir=tmp_path,
        downloader=fake,
        sleep=sleeps.append,
        backoff=5.0,
    )
    assert list(report["status"]) == ["ok"]
    assert len(fake.calls) == 3 and sleeps == [5.0, 10.0]


def test_rate_limit_exhausted_is_a_failure(tmp_path):
    sleeps: list[float] = []
    fake = FakeDownloader(*[YFRateLimitError() for _ in range(4)])
    report = fetch_prices(
        ["GC=F", "GLD"],
        "2025-02-14",
        "2025-02-19",
        data_dir=tmp_path,
        downloader=fake,
        sleep=sleeps.append,
        max_retries=3,
    )
    assert list(report["status"]) == ["failed", "failed"]
    assert "rate-limited" in report.loc[0, "error"]
    assert len(fake.calls) == 4 and len(sleeps) == 3
    assert _files(tmp_path) == {}


def test_failures_leave_previous_file_and_manifest_byte_identical(tmp_path, monkeypatch):
    fetch_prices(
        ["GC=F"],
        "2025-02-14",
        "2025-02-19",
        data_dir=tmp_path,
        downloader=FakeDownloader(yf_frame({"GC=F": GC})),
    )
    before = _files(tmp_path)
    # 1) the downloader raises midway (not a rate limit: no retry)
    fake = FakeDownloader(ConnectionError("DNSError: could not resolve host"))
    report = fetch_prices(
        ["GC=F"],
        "2025-02-14",
        "2025-02-19",
        data_dir=tmp_path,
        downloader=fake,
        sleep=lambda s: None,
    )
    assert report.loc[0, "status"] == "failed" and "DNSError" in report.loc[0, "error"]
    assert len(fake.calls) == 1
    assert _files(tmp_path) == before
    # 2) the rename into place fails
    monkeypatch.setattr(store.os, "replace", lambda s, d: (_ for _ in ()).throw(OSError("EIO")))
    changed = yf_frame({"GC=F": {**GC, "Close": [1.0, 2.0, 3.0]}})
    report = fetch_prices(
        ["GC=F"], "2025-02-14", "2025-02-19", data_dir=tmp_path, downloader=FakeDownloader(changed)
    )
    assert report.loc[0, "status"] == "failed" and "EIO" in report.loc[0, "error"]
    assert _files(tmp_path) == before


def test_offline_refuses_before_downloading(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    fake = FakeDownloader(yf_frame({"GC=F": GC}))
    with pytest.raises(OfflineError, match="EVENTSTUDY_OFFLINE"):
        fetch_prices(["GC=F"], "2025-02-14", "2025-02-19", data_dir=tmp_path, downloader=fake)
    with pytest.raises(OfflineError):
        fetch_data(data_dir=tmp_path, tickers=["GC=F"], downloader=fake)
    assert fake.calls == [] and _files(tmp_path) == {}


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_sockets_are_disabled_in_tests():
    from pytest_socket import SocketBlockedError

    with pytest.raises(SocketBlockedError):
        requests.get("https://query1.finance.yahoo.com/", timeout=1)


# --------------------------------------------------------------------------------------------
# fetch_data and the CLI
# --------------------------------------------------------------------------------------------


def test_fetch_data_defaults_to_snapshot_tickers(tmp_path):
    frame = yf_frame({t: GC for t in DEFAULT_TICKERS})
    fake = FakeDownloader(frame)
    report = fetch_data(data_dir=tmp_path, downloader=fake, end="2025-02-19")
    assert fake.calls[0][0] == list(DEFAULT_TICKERS) and len(DEFAULT_TICKERS) == 20
    assert (report["status"] == "ok").all() and len(report) == 20
    assert {p.stem for p in (tmp_path / "prices").glob("*.csv")} == set(DEFAULT_TICKERS)


def test_fetch_data_one_failure_does_not_stop_others(tmp_path):
    fake = FakeDownloader(yf_frame({"GC=F": GC, "NOPE": {}}))
    report = fetch_data(
        data_dir=tmp_path,
        tickers=["GC=F", "NOPE"],
        downloader=fake,
        start="2025-02-14",
        end="2025-02-19",
    )
    assert dict(zip(report["key"], report["status"], strict=True)) == {
        "GC=F": "ok",
        "NOPE": "failed",
    }


def test_cli_fetch_exits_nonzero_when_something_failed(tmp_path, monkeypatch, capsys):
    import eventstudy.data.fetch

    seen = {}

    def fake_fetch_data(**kwargs):
        seen.update(kwargs)
        return pd.DataFrame(
            {
                "kind": ["prices", "prices"],
                "key": ["GC=F", "NOPE"],
                "status": ["ok", "failed"],
                "rows": [3, 0],
                "path": ["x", ""],
                "error": ["", "no prices for NOPE"],
            }
        )

    monkeypatch.setattr(eventstudy.data.fetch, "fetch_data", fake_fetch_data)
    code = cli.main(["fetch", "--tickers", "GC=F,NOPE", "--data-dir", str(tmp_path)])
    out = capsys.readouterr()
    assert code == 1
    assert "no prices for NOPE" in out.out and "1 of 2" in out.err
    assert seen["tickers"] == ["GC=F", "NOPE"] and seen["data_dir"] == str(tmp_path)

    monkeypatch.setattr(
        eventstudy.data.fetch, "fetch_data", lambda **kw: fake_fetch_data(**kw).iloc[:1]
    )
    assert cli.main(["fetch", "--tickers", "GC=F", "--data-dir", str(tmp_path)]) == 0


def test_manifest_is_valid_json_after_many_writes(tmp_path):
    for _ in range(3):
        fetch_prices(
            ["GC=F"],
            "2025-02-14",
            "2025-02-19",
            data_dir=tmp_path,
            downloader=FakeDownloader(yf_frame({"GC=F": GC})),
        )
        json.loads((tmp_path / "manifest.json").read_text())
    assert list(store.load_manifest(tmp_path)["files"]) == ["prices/GC=F.csv"]


# --------------------------------------------------------------------------------------------
# reliability (issue 16): malformed frames fail alone, short answers merge, --replace
# --------------------------------------------------------------------------------------------


def _duplicated_close() -> pd.DataFrame:
    frame = yf_frame({"GC=F": GC, "GLD": GLD})
    extra = frame[[("Close", "GC=F")]]
    return pd.concat([frame, extra], axis=1)


def _bad_index() -> pd.DataFrame:
    frame = yf_frame({"GC=F": GC, "GLD": GLD})
    frame.index = ["a", "b", "c"]
    return frame


@pytest.mark.parametrize(
    ("frame", "gc_error"),
    [
        (_duplicated_close(), "Close twice for GC=F"),
        (_bad_index(), "not dates"),
        (yf_frame({"GC=F": {**GC, "Close": [2900.0, np.inf, 2940.5]}, "GLD": GLD}), "non-finite"),
    ],
)
def test_malformed_download_fails_per_ticker_with_a_clear_message(tmp_path, frame, gc_error):
    report = fetch_prices(
        ["GC=F", "GLD"],
        "2025-02-14",
        "2025-02-19",
        data_dir=tmp_path,
        downloader=FakeDownloader(frame),
    )
    gc = report.loc[report["key"] == "GC=F"].iloc[0]
    assert gc["status"] == "failed" and gc_error in gc["error"]
    assert not (tmp_path / "prices" / "GC=F.csv").exists()


def test_downloader_returning_garbage_is_a_failure_not_a_traceback(tmp_path):
    report = fetch_prices(
        ["GC=F"], "2025-02-14", "2025-02-19", data_dir=tmp_path, downloader=FakeDownloader(42)
    )
    assert report.loc[0, "status"] == "failed" and "GC=F" in report.loc[0, "error"]


def test_three_row_answer_never_replaces_a_long_history(tmp_path):
    dates = pd.date_range("2024-01-01", periods=250, freq="B", name="Date")
    long = {k: list(np.linspace(2000, 2500, 250)) for k in ("Close", "Open", "High", "Low")}
    fetch_prices(
        ["GC=F"],
        "2024-01-01",
        "2025-02-12",
        data_dir=tmp_path,
        downloader=FakeDownloader(yf_frame({"GC=F": {**long, "Volume": [1.0] * 250}}, dates)),
    )
    report = fetch_prices(
        ["GC=F"],
        "2025-02-14",
        "2025-02-19",
        data_dir=tmp_path,
        downloader=FakeDownloader(yf_frame({"GC=F": GC})),
    )
    assert report.loc[0, "status"] == "ok" and report.loc[0, "added"] == 3
    assert len(store.load_prices("GC=F", tmp_path)) == 253
    assert "250 kept" in report.loc[0, "note"]
    report = fetch_prices(
        ["GC=F"],
        "2025-02-14",
        "2025-02-19",
        data_dir=tmp_path,
        downloader=FakeDownloader(yf_frame({"GC=F": {**GC, "Close": [1.0, 2.0, 3.0]}})),
    )
    assert (
        report.loc[0, "changed"] == 3
        and "2025-02-14 close: 2900.0 -> 1.0" in (report.loc[0, "note"])
    )
    report = fetch_prices(
        ["GC=F"],
        "2025-02-14",
        "2025-02-19",
        data_dir=tmp_path,
        downloader=FakeDownloader(yf_frame({"GC=F": GC})),
        replace=True,
    )
    assert len(store.load_prices("GC=F", tmp_path)) == 3
    assert "replaced the stored file (253 rows)" in report.loc[0, "note"]


def test_cli_fetch_passes_replace(tmp_path, monkeypatch):
    import eventstudy.data.fetch

    seen = {}
    monkeypatch.setattr(
        eventstudy.data.fetch, "fetch_data", lambda **kw: seen.update(kw) or pd.DataFrame()
    )
    cli.main(["fetch", "--tickers", "GC=F", "--replace", "--data-dir", str(tmp_path)])
    assert seen["replace"] is True
    cli.main(["fetch", "--tickers", "GC=F", "--data-dir", str(tmp_path)])
    assert seen["replace"] is False


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tickers", "../../evil"], "'../../evil' is not a Yahoo ticker"),
        (["--tickers", "GC=F,a/b"], "'a/b' is not a Yahoo ticker"),
        (["--tickers", ".."], "'..' is not a Yahoo ticker"),
        (["--tickers", ""], "--tickers was given an empty value"),
        (["--tickers", " , "], "--tickers was given an empty value"),
        (["--series", ""], "--series was given an empty value"),
        (["--markets", ""], "--markets was given an empty value"),
    ],
)
def test_cli_fetch_refuses_bad_or_empty_values_before_any_request(
    tmp_path, monkeypatch, capsys, args, expected
):
    import eventstudy.data.fetch

    called = []
    monkeypatch.setattr(eventstudy.data.fetch, "fetch_data", lambda **kw: called.append(kw))
    assert cli.main(["fetch", *args, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "nothing was fetched" in err
    assert called == []


def test_cli_fetch_accepts_yahoo_symbols(tmp_path, monkeypatch):
    import eventstudy.data.fetch

    seen = {}
    monkeypatch.setattr(
        eventstudy.data.fetch, "fetch_data", lambda **kw: seen.update(kw) or pd.DataFrame()
    )
    assert cli.main(["fetch", "--tickers", "GC=F,^GSPC,DX-Y.NYB", "--data-dir", "x"]) == 0
    assert seen["tickers"] == ["GC=F", "^GSPC", "DX-Y.NYB"]


def test_a_value_that_is_not_a_yahoo_symbol_never_reaches_the_downloader(tmp_path):
    fake = FakeDownloader(yf_frame({"GC=F": GC}))
    report = fetch_prices(["../../evil", "GC=F"], "2025-02-14", data_dir=tmp_path, downloader=fake)
    status = dict(zip(report["key"], report["status"], strict=True))
    assert status == {"../../evil": "failed", "GC=F": "ok"}
    assert "is not a Yahoo ticker" in report.loc[report["key"] == "../../evil", "error"].iloc[0]
    assert [tickers for tickers, _ in fake.calls] == [["GC=F"]]
    nothing = FakeDownloader(yf_frame({"GC=F": GC}))
    report = fetch_prices(["a/b"], "2025-02-14", data_dir=tmp_path, downloader=nothing)
    assert list(report["status"]) == ["failed"] and nothing.calls == []


def test_yahoo_unreachable_is_a_connection_error_with_yfinance_reason(tmp_path, capfd):
    """yfinance logs why a ticker failed and returns an empty frame: the report says why."""
    report = fetch_prices(["GC=F", "GLD"], "2025-01-01", "2025-01-10", data_dir=tmp_path,
                          downloader=OfflineYahoo())  # fmt: skip
    assert list(report["status"]) == ["failed", "failed"]
    for ticker, error in zip(report["key"], report["error"], strict=True):
        assert error.startswith(f"yfinance returned no data for {ticker}")
        assert "last error: ConnectionError: yfinance could not reach Yahoo" in error
        assert "Could not resolve host" in error and f"'{ticker}'" in error
    assert "Failed download" not in capfd.readouterr().err  # yfinance's lines are not printed
    assert not (tmp_path / "prices").exists()


def test_yfinance_reason_names_the_ticker_and_not_every_failure_is_the_network():
    from eventstudy.data.fetch.prices import _with_yfinance_reason

    said = ["Failed to get ticker 'XYZ' reason: HTTP Error 404: symbol may be delisted"]
    assert _with_yfinance_reason("no data for XYZ", "XYZ", said) == (
        "no data for XYZ; yfinance said: Failed to get ticker 'XYZ' reason: HTTP Error 404: "
        "symbol may be delisted"
    )
    assert _with_yfinance_reason("no data for ABC", "ABC", said) == "no data for ABC"
    timeout = ["['ABC']: Timeout('curl: (28) Operation timed out after 10001 milliseconds')"]
    assert "last error: ConnectionError" in _with_yfinance_reason("no data", "ABC", timeout)
