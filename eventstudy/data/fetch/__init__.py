"""Fetching live data into a data directory (``eventstudy fetch``).

The network only: download, retry, and hand frames to :mod:`eventstudy.data.store`, which writes
them atomically and records them in ``manifest.json``. Sources:

- :mod:`~eventstudy.data.fetch.prices`: Yahoo Finance daily bars via ``yfinance.download``;
- :mod:`~eventstudy.data.fetch.polymarket`: Polymarket Gamma metadata and CLOB odds histories;
- :mod:`~eventstudy.data.fetch.fred`: FRED series via the keyless CSV endpoint.

Setting ``EVENTSTUDY_OFFLINE=1`` makes every fetcher refuse the network with
:class:`~eventstudy.exceptions.OfflineError`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence

import pandas as pd
import requests

from eventstudy.data.fetch._common import (
    OFFLINE_ENV,
    REPORT_COLUMNS,
    describe_failure,
    ensure_online,
    is_offline,
    report_frame,
    report_row,
)
from eventstudy.data.fetch.fred import fetch_series
from eventstudy.data.fetch.polymarket import DEFAULT_FIDELITY_MIN, fetch_markets
from eventstudy.data.fetch.prices import fetch_prices
from eventstudy.exceptions import OfflineError

__all__ = [
    "DEFAULT_TICKERS",
    "OFFLINE_ENV",
    "REPORT_COLUMNS",
    "catalog_slugs",
    "ensure_online",
    "fetch_data",
    "fetch_markets",
    "fetch_prices",
    "fetch_series",
    "is_offline",
]

logger = logging.getLogger(__name__)

DEFAULT_TICKERS = (
    "GC=F", "GLD", "SI=F", "GDX", "SPY", "ES=F", "^GSPC", "ACWI", "VT", "URTH",
    "DX-Y.NYB", "^VIX", "^TNX", "^FVX", "CL=F", "TIP", "TLT", "EURUSD=X", "^STOXX50E", "^GDAXI",
)  # fmt: skip
"""Tickers fetched when nothing is named: those of the shared snapshot."""


def catalog_slugs(catalog: str | os.PathLike[str]) -> list[str]:
    """Unique Polymarket market slugs of an events catalog, in catalog order.

    Reads the catalog with :func:`eventstudy.data.catalog.load_events` (its ``polymarket_slugs``
    column holds a list of slugs per event).
    """
    from eventstudy.data.catalog import load_events  # lazy: the catalog module is only needed here

    events = load_events(catalog)
    slugs: list[str] = []
    for value in events["polymarket_slugs"]:
        if isinstance(value, str):
            value = [value]
        for slug in value if value is not None else []:
            if isinstance(slug, str) and slug.strip():
                slugs.append(slug.strip())
    return list(dict.fromkeys(slugs))


def fetch_data(
    data_dir: str | os.PathLike[str] | None = None,
    tickers: Sequence[str] | None = None,
    series: Sequence[str] | None = None,
    slugs: Sequence[str] | None = None,
    catalog: str | os.PathLike[str] | None = None,
    start: str = "2015-01-01",
    end: str | None = None,
    *,
    fidelity: int = DEFAULT_FIDELITY_MIN,
    downloader: Callable[..., pd.DataFrame] | None = None,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    replace: bool = False,
) -> pd.DataFrame:
    """Fill a data directory: prices, FRED series and Polymarket markets with their odds.

    Parameters
    ----------
    data_dir : str or path-like, optional
        Data directory; see :func:`eventstudy.data.store.resolve_data_dir`. Created if needed.
    tickers : sequence of str, optional
        Yahoo tickers. Default: :data:`DEFAULT_TICKERS`, but only when no series, slugs or
        tickers are named (a bare ``eventstudy fetch`` or one with only ``--catalog``).
    series : sequence of str, optional
        FRED series ids (e.g. ``DFII10``).
    slugs : sequence of str, optional
        Polymarket market slugs.
    catalog : str or path-like, optional
        An events catalog; every slug in its ``polymarket_slugs`` column is fetched too.
    start : str, default "2015-01-01"
        First date (``YYYY-MM-DD``) for prices and series. Polymarket histories start at the
        later of this date and the market's start.
    end : str, optional
        Last date, inclusive; default today (prices, series) or the market's close (odds).
    fidelity : int, default 60
        Polymarket sampling step in minutes.
    downloader, session, sleep
        Injected ``yfinance.download`` replacement, HTTP session and retry wait (tests).
    replace : bool, default False
        Replace stored files by the downloads instead of merging (``eventstudy fetch
        --replace``). By default a download is merged into the stored file by date or
        timestamp: history never shrinks, the download's values win where both have a row,
        and the rows whose values changed are counted (``changed``, ``note``).

    Returns
    -------
    DataFrame
        The fetch report, one row per item, columns :data:`REPORT_COLUMNS`: ``kind``
        ("prices", "series", "market", "odds"), ``key``, ``status`` ("ok", "failed" or
        "empty"), ``rows`` (downloaded), ``added`` (rows new to the file), ``changed``
        (stored rows whose values the download changed), ``path``, ``note`` (what the merge
        did) and ``error``. A failure in one item never stops the others and never touches
        its stored file; check ``(report["status"] == "failed").any()``.

    Raises
    ------
    OfflineError
        ``EVENTSTUDY_OFFLINE`` is set (checked before anything is attempted).
    CatalogError
        The catalog has problems.
    """
    ensure_online("data for the data directory")
    slug_list = list(slugs or [])
    if catalog is not None:
        slug_list.extend(catalog_slugs(catalog))
    slug_list = list(dict.fromkeys(slug_list))
    if tickers is None and series is None and not slugs:
        tickers = list(DEFAULT_TICKERS)

    parts: list[pd.DataFrame] = []
    jobs: list[tuple[str, Sequence[str], Callable[[], pd.DataFrame]]] = []
    if tickers:
        jobs.append(
            (
                "prices",
                tickers,
                lambda: fetch_prices(
                    tickers,
                    start,
                    end,
                    data_dir=data_dir,
                    downloader=downloader,
                    sleep=sleep,
                    replace=replace,
                ),
            )
        )
    if series:
        jobs.append(
            (
                "series",
                series,
                lambda: fetch_series(
                    series,
                    start,
                    end,
                    data_dir=data_dir,
                    session=session,
                    sleep=sleep,
                    replace=replace,
                ),
            )
        )
    if slug_list:
        jobs.append(
            (
                "market",
                slug_list,
                lambda: fetch_markets(
                    slug_list,
                    data_dir=data_dir,
                    start=start,
                    end=end,
                    fidelity=fidelity,
                    session=session,
                    sleep=sleep,
                    replace=replace,
                ),
            )
        )
    for kind, keys, job in jobs:
        try:
            parts.append(job())
        except OfflineError:
            raise
        except Exception as exc:  # raised before any item of the job was attempted
            logger.error("fetching %s failed: %s", kind, exc)
            text = f"nothing attempted: {describe_failure(exc)}"
            parts.append(report_frame([report_row(kind, k, "failed", error=text) for k in keys]))
    if not parts:
        return report_frame([])
    return pd.concat(parts, ignore_index=True)
