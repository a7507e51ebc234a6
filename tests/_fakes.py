"""Fakes of the network shared by the fetch tests: yfinance's ``download`` and the recorded HTTP
shapes of FRED, Polymarket Gamma and the CLOB (``tests/fixtures/http/README.md``).

- :func:`yf_frame` and :class:`FakeDownloader`: the exact ``yfinance.download`` shape, queued;
- :func:`fixture`: a recorded-shape body from ``tests/fixtures/http``;
- :class:`SnapshotYahoo` and :func:`add_snapshot_http`: the same shapes serving a data
  directory's own rows (the shared snapshot), so that a directory fetched through them can be
  compared with the one they came from.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd
import responses

from eventstudy.data import store
from eventstudy.data.fetch.fred import FRED_CSV_URL
from eventstudy.data.fetch.polymarket import CLOB_URL, GAMMA_URL

HTTP = Path(__file__).parent / "fixtures" / "http"
YF_FIELDS = ["Close", "High", "Low", "Open", "Volume"]
DATES = pd.DatetimeIndex(["2025-02-14", "2025-02-18", "2025-02-19"], name="Date")


def fixture(name: str):
    """A recorded-shape body: parsed JSON for ``.json``, text otherwise."""
    text = (HTTP / name).read_text()
    return json.loads(text) if name.endswith(".json") else text


def yf_frame(data: dict[str, dict[str, list[float]]], dates=DATES) -> pd.DataFrame:
    """The exact ``yfinance.download`` shape (1.x, group_by='column', auto_adjust=True):
    MultiIndex columns ('Price', 'Ticker') even for one ticker, tz-naive index 'Date'."""
    tickers = list(data)
    columns = pd.MultiIndex.from_product([YF_FIELDS, tickers], names=["Price", "Ticker"])
    values = {(f, t): data[t].get(f, [np.nan] * len(dates)) for f in YF_FIELDS for t in tickers}
    return pd.DataFrame(values, index=dates, columns=columns)


class FakeDownloader:
    """Records calls; returns (or raises) the queued results in order."""

    def __init__(self, *results):
        self.results = list(results)
        self.calls: list[tuple[list[str], dict]] = []

    def __call__(self, tickers, **kwargs):
        self.calls.append((list(tickers), kwargs))
        result = self.results.pop(0)
        if isinstance(result, BaseException):
            raise result
        return result


class OfflineYahoo:
    """A ``yfinance.download`` fake without network, as yfinance 1.7 fails then (recorded).

    It logs to the ``"yfinance"`` logger what yfinance logs when DNS fails (the messages of
    a real call on a machine without network: a crumb warning, one error per ticker, the
    summary) and returns an empty frame: ``download()`` raises nothing.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict]] = []

    def __call__(self, tickers, **kwargs):
        import logging

        self.calls.append((list(tickers), kwargs))
        log = logging.getLogger("yfinance")
        curl = (
            "Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com. "
            "See https://curl.se/libcurl/c/libcurl-errors.html first for more details."
        )
        for ticker in tickers:
            log.warning("Cookie/crumb fetch failed (DNSError), continuing without crumb")
            log.error(f"Failed to get ticker '{ticker}' reason: {curl}")
        log.error(f"\n{len(tickers)} Failed download{'s' if len(tickers) > 1 else ''}:")
        log.error(f"{list(tickers)}: DNSError('{curl}')")
        return yf_frame({t: {} for t in tickers}).iloc[0:0]


class SnapshotYahoo:
    """A ``yfinance.download`` fake serving a data directory's ``prices/`` rows.

    Honours ``start`` (inclusive) and ``end`` (exclusive) as yfinance does; records calls.
    """

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.calls: list[tuple[list[str], dict]] = []

    def __call__(self, tickers, **kwargs):
        self.calls.append((list(tickers), kwargs))
        parts = {}
        for ticker in tickers:
            bars = pd.read_csv(self.data_dir / store.price_relpath(ticker), index_col="date")
            bars.index = pd.DatetimeIndex(pd.to_datetime(bars.index), name="Date")
            bars = bars.loc[kwargs["start"] : kwargs["end"]]
            bars = bars.loc[bars.index < pd.Timestamp(kwargs["end"])]
            parts[ticker] = bars.rename(columns=str.capitalize)
        dates = parts[tickers[0]].index
        data = {
            t: {f: list(b.reindex(dates)[f]) for f in YF_FIELDS if f in b} for t, b in parts.items()
        }
        return yf_frame(data, dates)


def _series_csv(data_dir: Path, series_id: str) -> str:
    path = data_dir / store.series_relpath(series_id)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    lines = [f"observation_date,{series_id}"]
    lines += [f"{d},{v if v else '.'}" for d, v in zip(frame["date"], frame["value"], strict=True)]
    return "\n".join(lines) + "\n"


def gamma_market(markets: pd.DataFrame, slug: str) -> dict:
    """The Gamma ``/markets/slug/{slug}`` object of a ``markets.csv`` market (fixture shape)."""
    rows = markets.loc[markets["slug"] == slug]
    first = rows.iloc[0]
    created = pd.Timestamp(first["created_at"])
    closed = pd.Timestamp(first["closed_at"])
    return {
        **fixture("gamma_market_closed.json"),
        "id": str(first["market_id"]),
        "question": str(first["question"]),
        "conditionId": str(first["condition_id"]),
        "slug": slug,
        "startDate": created.isoformat(),
        "createdAt": created.isoformat(),
        "closedTime": closed.strftime("%Y-%m-%d %H:%M:%S+00"),
        "outcomes": json.dumps(list(rows["outcome"])),
        "clobTokenIds": json.dumps(list(rows["token_id"])),
        "volumeNum": float(first["volume_usd"]),
        "negRisk": bool(first["neg_risk"]),
        "events": [{"id": "1", "slug": str(first["event_slug"]), "title": ""}],
    }


def add_snapshot_http(rsps: responses.RequestsMock, data_dir: Path) -> None:
    """Register FRED, Gamma and CLOB answers in the recorded shapes, from ``data_dir``'s files.

    The CLOB answers each window with the stored points inside it plus a "now" point beyond
    ``endTs`` (as the live endpoint does); a token without a file gets ``{"history": []}``.
    """
    data_dir = Path(data_dir)
    markets = store.load_markets(data_dir)

    def fred(request):
        series_id = parse_qs(urlparse(request.url).query)["id"][0]
        return 200, {"Content-Type": "text/csv"}, _series_csv(data_dir, series_id)

    def gamma(request):
        slug = urlparse(request.url).path.rsplit("/", 1)[-1]
        return 200, {}, json.dumps(gamma_market(markets, slug))

    def clob(request):
        query = parse_qs(urlparse(request.url).query)
        token, s, e = query["market"][0], int(query["startTs"][0]), int(query["endTs"][0])
        path = data_dir / store.odds_relpath(token)
        points = []
        if path.is_file():
            odds = store.load_odds(token, data_dir)
            t = (odds["t"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
            inside = odds.loc[(t >= s) & (t <= e)]
            pairs = zip(t[inside.index], inside["p"], strict=True)
            points = [{"t": int(x), "p": float(p)} for x, p in pairs]
            points.append({"t": e + 3600, "p": 0.5})  # the appended "now" point
        return 200, {}, json.dumps({"history": points})

    rsps.add_callback(responses.GET, FRED_CSV_URL, callback=fred)
    rsps.add_callback(responses.GET, f"{CLOB_URL}/prices-history", callback=clob)
    for slug in markets["slug"].unique():
        rsps.add_callback(responses.GET, f"{GAMMA_URL}/markets/slug/{slug}", callback=gamma)
