"""Daily bars from Yahoo Finance via ``yfinance.download`` into ``prices/<TICKER>.csv``.

yfinance is imported lazily (only when no ``downloader`` is injected). The ``download()``
shape handled here (yfinance 1.x): columns are a MultiIndex with levels ``('Price', 'Ticker')``
even for one ticker, the index is a tz-naive ``DatetimeIndex`` named ``Date`` for daily bars,
``end`` is exclusive, ``auto_adjust=True`` (no ``Adj Close``). ``download()`` does not raise
for a failed ticker: it returns an empty frame or all-NaN columns, which are reported here as
errors for that ticker and never written. Why it failed, yfinance only logs (logger
``"yfinance"``, e.g. ``Failed to get ticker 'GC=F' reason: ... curl: (6) Could not resolve
host``): those messages are collected during the download instead of printed, added to the
ticker's error, and a failure to reach Yahoo at all is reported as a connection error
(``last error: ConnectionError: ...``), which stops :func:`eventstudy.data.ensure.ensure_data`
from trying the remaining items.
"""

from __future__ import annotations

import logging
import os
import re
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.data import store, writer
from eventstudy.data.fetch._common import (
    Sleep,
    describe_failure,
    ensure_online,
    report_frame,
    report_row,
    write_item,
)
from eventstudy.exceptions import FetchError

logger = logging.getLogger(__name__)

Downloader = Callable[..., pd.DataFrame]

SOURCE = "yfinance.download"
_FIELDS = {"Open": "open", "High": "high", "Low": "low", "Close": "close", "Volume": "volume"}


def _is_rate_limit(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "ratelimit" in text or "rate limit" in text or "too many requests" in text


def _download_with_retries(
    downloader: Downloader,
    tickers: list[str],
    kwargs: dict[str, Any],
    *,
    max_retries: int,
    backoff: float,
    sleep: Sleep,
) -> pd.DataFrame:
    for attempt in range(max_retries + 1):
        try:
            with warnings.catch_warnings():
                # yfinance 1.7 uses pandas' deprecated ``inplace=`` (Pandas4Warning): its
                # problem, not the user's; our own checks of the frame follow.
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", FutureWarning)
                return downloader(tickers, **kwargs)
        except Exception as exc:
            if not _is_rate_limit(exc):
                raise FetchError(
                    f"yfinance download of {', '.join(tickers)} failed: {type(exc).__name__}: {exc}"
                ) from exc
            if attempt == max_retries:
                raise FetchError(
                    f"Yahoo rate-limited the download of {', '.join(tickers)} "
                    f"{max_retries + 1} times ({exc}); try again later"
                ) from exc
            wait = backoff * 2**attempt
            logger.warning("Yahoo rate limit (%s); retrying in %.0f s", exc, wait)
            sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


#: What yfinance logs when the network, not Yahoo, failed (curl: 6 no host, 7 no connection,
#: 28 timeout, 35 TLS handshake).
_CONNECTION_FAILURE = re.compile(
    r"DNSError|Could not resolve host|Failed to connect|Connection refused|ConnectionError"
    r"|Network is unreachable|timed out|curl: \((?:6|7|28|35)\)",
    re.IGNORECASE,
)


class _Messages(logging.Handler):
    """Keeps the messages of the records it is given (WARNING and above)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _yfinance_log() -> Iterator[list[str]]:
    """Collect what the ``"yfinance"`` logger says meanwhile, instead of printing it."""
    log = logging.getLogger("yfinance")
    handler, propagate = _Messages(), log.propagate
    log.addHandler(handler)
    log.propagate = False
    try:
        yield handler.messages
    finally:
        log.removeHandler(handler)
        log.propagate = propagate


def _with_yfinance_reason(error: str, ticker: str, said: list[str]) -> str:
    """``error`` (a ticker's failure) with the reason yfinance logged for it, if any.

    The reason is yfinance's message naming the ticker (``'GC=F'``), else one about the
    connection. A connection failure becomes ``...; last error: ConnectionError: ...``, the
    words :func:`eventstudy.data.ensure.ensure_data` reads as "the network is unreachable".
    """
    about = [m for m in said if f"'{ticker}'" in m]
    about += [m for m in said if _CONNECTION_FAILURE.search(m) and m not in about]
    if not about:
        return error
    reason = " ".join(about[0].split())
    if _CONNECTION_FAILURE.search(reason):
        return f"{error}; last error: ConnectionError: yfinance could not reach Yahoo ({reason})"
    return f"{error}; yfinance said: {reason}"


def _ticker_columns(download: pd.DataFrame, ticker: str) -> pd.DataFrame:
    cols = download.columns
    if not isinstance(cols, pd.MultiIndex):
        return download
    names = list(cols.names)
    level = names.index("Ticker") if "Ticker" in names else 1
    if ticker not in cols.get_level_values(level):
        raise FetchError(f"yfinance returned no columns for {ticker}; not written")
    return download.xs(ticker, axis=1, level=level)


def _dates(index: pd.Index, ticker: str) -> pd.DatetimeIndex:
    try:
        dates = pd.DatetimeIndex(index)
    except (TypeError, ValueError, OverflowError) as exc:
        raise FetchError(
            f"yfinance returned an index for {ticker} that is not dates ({exc}); not written"
        ) from exc
    if dates.isna().any():
        raise FetchError(f"yfinance returned a missing date (NaT) for {ticker}; not written")
    if dates.tz is not None:
        dates = dates.tz_localize(None)
    return dates.normalize()


def bars_for_ticker(download: pd.DataFrame, ticker: str) -> pd.DataFrame:
    """One ticker's bars from a ``yfinance.download`` frame, in the ``prices/`` layout.

    Parameters
    ----------
    download : DataFrame
        As returned by ``yfinance.download`` with ``group_by='column'`` (MultiIndex columns
        ``('Price', 'Ticker')``); ``('Ticker', 'Price')`` and flat single-ticker columns are
        accepted too.
    ticker : str
        The ticker to extract.

    Returns
    -------
    DataFrame
        Columns ``date`` (``YYYY-MM-DD`` strings), ``open``, ``high``, ``low``, ``close``,
        ``volume`` (float64), one row per date with a non-missing close, sorted.

    Raises
    ------
    FetchError
        The frame is empty or not a frame, lacks the ticker or its ``Close``, has a column
        twice, an index that is not dates, a non-finite value (``inf``), or every close is
        NaN. Nothing is written then.
    """
    if not isinstance(download, pd.DataFrame) or download.empty:
        raise FetchError(f"yfinance returned no data for {ticker} (empty frame); not written")
    sub = _ticker_columns(download, ticker)
    repeated = sorted({str(c) for c in sub.columns[sub.columns.duplicated()]})
    if repeated:
        raise FetchError(
            f"yfinance returned the column(s) {', '.join(repeated)} twice for {ticker}; it is "
            "not clear which to keep, so nothing was written"
        )
    if "Close" not in sub.columns:
        raise FetchError(
            f"yfinance data for {ticker} has no Close column (columns: {list(sub.columns)})"
        )
    bars = pd.DataFrame(
        {
            out: pd.to_numeric(sub[col], errors="coerce")
            for col, out in _FIELDS.items()
            if col in sub.columns
        }
    ).astype("float64")
    bars.index = _dates(sub.index, ticker)
    bars = bars.loc[bars["close"].notna()]
    if bars.empty:
        raise FetchError(
            f"yfinance returned no prices for {ticker} (every close is missing: unknown ticker, "
            "no trading in the range, or a failed download); not written"
        )
    infinite = np.isinf(bars.to_numpy()).any(axis=1)
    if infinite.any():
        raise FetchError(
            f"yfinance returned a non-finite value for {ticker} on "
            f"{bars.index[infinite][0]:%Y-%m-%d}; not written"
        )
    bars = bars.loc[~bars.index.duplicated(keep="last")].sort_index()
    for col in store.PRICE_COLUMNS:
        if col not in bars.columns:
            bars[col] = float("nan")
    out = bars.loc[:, list(store.PRICE_COLUMNS)]
    out.insert(0, "date", bars.index.strftime("%Y-%m-%d"))
    return out.reset_index(drop=True)


_YAHOO_SYMBOL = re.compile(r"[A-Za-z0-9.^=-]+")


def is_yahoo_symbol(value: str) -> bool:
    """Whether ``value`` can be a Yahoo symbol: letters, digits and ``. ^ = -``, not only dots.

    ``GC=F``, ``^GSPC`` and ``DX-Y.NYB`` are; ``../../evil``, ``a/b`` and ``""`` are not (they
    are refused before any request).
    """
    return bool(_YAHOO_SYMBOL.fullmatch(value)) and set(value) != {"."}


def _not_a_symbol(ticker: str) -> dict[str, Any]:
    return report_row(
        "prices",
        ticker,
        "failed",
        error=f"{ticker[:80]!r} is not a Yahoo ticker (letters, digits and . ^ = - only, e.g. "
        "GC=F, ^GSPC, DX-Y.NYB); nothing was requested",
    )


def _yfinance_download() -> Downloader:
    import yfinance as yf  # lazy: heavy import, only needed online

    return yf.download


def fetch_prices(
    tickers: Iterable[str],
    start: str | pd.Timestamp,
    end: str | pd.Timestamp | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    downloader: Downloader | None = None,
    sleep: Sleep = time.sleep,
    max_retries: int = 3,
    backoff: float = 5.0,
    replace: bool = False,
) -> pd.DataFrame:
    """Download daily bars and write ``prices/<TICKER>.csv`` for each ticker.

    Parameters
    ----------
    tickers : iterable of str
        Yahoo tickers (``"GC=F"``, ``"^GSPC"``); downloaded in one ``download()`` call. A
        value that is not a Yahoo symbol (:func:`is_yahoo_symbol`) is reported as failed
        without any request.
    start : str or Timestamp
        First date, inclusive (``YYYY-MM-DD``).
    end : str or Timestamp, optional
        Last date, **inclusive** (``YYYY-MM-DD``); default today (UTC). yfinance's ``end``
        is exclusive, so ``end + 1 day`` is passed to it.
    data_dir : str or path-like, optional
        Data directory; see :func:`eventstudy.data.store.resolve_data_dir`.
    downloader : callable, optional
        Replacement for ``yfinance.download`` with the same signature and return shape
        (used by tests). Default: ``yfinance.download``, imported lazily.
    sleep : callable, default time.sleep
        Called with the wait in seconds between retries.
    max_retries : int, default 3
        Retries after a rate-limit error (``YFRateLimitError`` or a message saying "rate
        limit"/"Too Many Requests"), waiting ``backoff * 2**attempt`` seconds.
    backoff : float, default 5.0
        Base wait in seconds.
    replace : bool, default False
        Replace each stored file by the download instead of merging into it (see Notes).

    Returns
    -------
    DataFrame
        The fetch report, one row per ticker: ``kind`` ("prices"), ``key`` (ticker),
        ``status`` ("ok" or "failed"), ``rows`` (downloaded), ``added``, ``changed``,
        ``path``, ``note`` (what the merge did) and ``error``.

    Notes
    -----
    Bars are requested with ``interval="1d", auto_adjust=True, repair=False, keepna=False,
    actions=False``: ``close`` is the split- and dividend-adjusted close as of today, which
    changes after every later dividend; the manifest records these parameters and the
    retrieval time. The download is merged into the stored file by date
    (:func:`eventstudy.data.writer.write_csv_atomic`): stored dates it lacks are kept, its
    values win on dates both have, and the report counts dates whose values changed (after a
    dividend, every older auto-adjusted close changes; stored dates before the download's
    ``start`` then keep their older adjustment, so re-fetch the whole span with ``replace``
    for a consistent series). A ticker that fails leaves its stored file and manifest entry
    untouched.

    Raises
    ------
    OfflineError
        ``EVENTSTUDY_OFFLINE`` is set.
    """
    tickers = list(dict.fromkeys(str(t).strip() for t in tickers if str(t).strip()))
    ensure_online(f"Yahoo prices for {', '.join(tickers)}")
    refused = [_not_a_symbol(t) for t in tickers if not is_yahoo_symbol(t)]
    tickers = [t for t in tickers if is_yahoo_symbol(t)]
    if not tickers:
        return report_frame(refused)
    start_ts = pd.Timestamp(start).normalize()
    end_ts = pd.Timestamp(end).normalize() if end is not None else pd.Timestamp.now("UTC")
    end_ts = end_ts.tz_localize(None) if end_ts.tz is not None else end_ts
    end_ts = end_ts.normalize()
    kwargs: dict[str, Any] = {
        "start": start_ts.strftime("%Y-%m-%d"),
        "end": (end_ts + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
        "interval": "1d",
        "auto_adjust": True,
        "actions": False,
        "repair": False,
        "keepna": False,
        "group_by": "column",
        "progress": False,
        "threads": False,
    }
    if downloader is None:
        downloader = _yfinance_download()
    rows: list[dict[str, Any]] = refused
    try:
        with _yfinance_log() as said:
            download = _download_with_retries(
                downloader, tickers, kwargs, max_retries=max_retries, backoff=backoff, sleep=sleep
            )
    except Exception as exc:  # the download as a whole failed: every ticker is reported
        text = describe_failure(exc)
        return report_frame(rows + [report_row("prices", t, "failed", error=text) for t in tickers])

    versions = writer.library_versions("yfinance", "curl_cffi")
    params = {k: kwargs[k] for k in ("start", "end", "interval", "auto_adjust", "repair")}
    params["end_is_exclusive"] = True
    for ticker in tickers:

        def write(ticker: str = ticker) -> tuple[str, int, dict[str, Any]]:
            relpath = store.price_relpath(ticker)
            try:
                bars = bars_for_ticker(download, ticker)
            except FetchError as exc:
                raise FetchError(_with_yfinance_reason(str(exc), ticker, said)) from exc
            entry = writer.write_csv_atomic(
                bars,
                relpath,
                data_dir,
                source=SOURCE,
                params={"ticker": ticker, **params},
                note="yfinance daily bars, auto-adjusted close; date = exchange trading date",
                versions=versions,
                replace=replace,
            )
            return relpath, len(bars), entry

        rows.append(write_item("prices", ticker, data_dir, write))
    return report_frame(rows)
