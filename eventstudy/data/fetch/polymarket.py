"""Polymarket market metadata (Gamma) and odds histories (CLOB) into the data directory.

A small ``requests`` client, no Polymarket SDK. Endpoints (ECOSYSTEM.md §1):

- Gamma ``GET https://gamma-api.polymarket.com/markets/slug/{slug}``: one market, also when
  closed. ``outcomes``, ``outcomePrices`` and ``clobTokenIds`` are JSON-encoded strings; the
  outcome label is matched, never assumed from position. ``closedTime`` is
  ``YYYY-MM-DD HH:MM:SS+00``; ``startDate``/``createdAt`` are ISO-8601 with ``Z``.
- CLOB ``GET https://clob.polymarket.com/prices-history?market=<token_id>&startTs=&endTs=
  &fidelity=``: ``{"history": [{"t": <unix s>, "p": <price>}, ...]}``. The explicit window
  may span at most 1,296,000 s (15 days), so a market's life is requested as contiguous
  windows of at most that length. The server appends a point stamped "now" beyond ``endTs``;
  every point outside ``[startTs, endTs]`` is dropped. ``interval`` is never used (it is
  relative to now and returns nothing for closed markets).

``p`` is a mid-price sample (forward-filled), not a trade: a point is not evidence that a
trade happened.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import requests

from eventstudy.data import store
from eventstudy.data.fetch._common import (
    HttpGetter,
    Sleep,
    ensure_online,
    report_frame,
    report_row,
    utc_now,
)
from eventstudy.exceptions import DataFormatError, FetchError

logger = logging.getLogger(__name__)

GAMMA_URL = "https://gamma-api.polymarket.com"
CLOB_URL = "https://clob.polymarket.com"
MAX_WINDOW_S = 1_296_000
"""Longest ``endTs - startTs`` the CLOB ``/prices-history`` accepts, in seconds (15 days)."""
DEFAULT_FIDELITY_MIN = 60


# --------------------------------------------------------------------------------------------
# pure helpers (no I/O)
# --------------------------------------------------------------------------------------------


def _json_list(market: dict[str, Any], field: str, slug: str) -> list[str]:
    value = market.get(field)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise FetchError(
                f"Gamma market {slug!r}: field {field} is not a JSON list: {value[:80]!r}"
            ) from exc
    if not isinstance(value, list):
        raise FetchError(f"Gamma market {slug!r}: field {field} is not a list: {value!r}")
    return [str(v) for v in value]


def _utc(value: Any) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    ts = pd.to_datetime(str(value), utc=True, format="ISO8601", errors="coerce")
    return None if pd.isna(ts) else ts


def market_rows(market: dict[str, Any]) -> pd.DataFrame:
    """Rows of ``polymarket/markets.csv`` for one Gamma market object, one per outcome token.

    Parameters
    ----------
    market : dict
        A Gamma market as returned by ``/markets/slug/{slug}``.

    Returns
    -------
    DataFrame
        Columns :data:`eventstudy.data.store.MARKET_COLUMNS`, all ``str`` as stored in the file
        (timestamps as Gamma sent them, booleans ``True``/``False``); ``has_prices`` is
        ``False`` (set by the caller once a history file is written).

    Raises
    ------
    FetchError
        No CLOB token ids (pre-December-2022 AMM markets have no order book and no price
        history), or ``outcomes`` and ``clobTokenIds`` of different lengths.
    """
    slug = str(market.get("slug") or "")
    outcomes = _json_list(market, "outcomes", slug)
    tokens = _json_list(market, "clobTokenIds", slug)
    if not tokens:
        raise FetchError(
            f"Polymarket market {slug!r} has no CLOB token ids (an AMM market from before "
            "December 2022, or not on the order book): no price history can be fetched"
        )
    if len(outcomes) != len(tokens):
        raise FetchError(
            f"Polymarket market {slug!r}: {len(outcomes)} outcomes but {len(tokens)} token ids"
        )
    events = market.get("events") or []
    event_slug = str(events[0].get("slug") or "") if events and isinstance(events[0], dict) else ""
    volume = market.get("volumeNum", market.get("volume"))
    common = {
        "market_id": str(market.get("id") or ""),
        "slug": slug,
        "question": str(market.get("question") or ""),
        "event_slug": event_slug,
        "condition_id": str(market.get("conditionId") or ""),
        "created_at": str(market.get("createdAt") or ""),
        "closed_at": str(market.get("closedTime") or ""),
        "volume_usd": "" if volume is None else str(volume),
        "neg_risk": str(bool(market.get("negRisk", False))),
        "has_prices": "False",
    }
    records = [
        {**common, "outcome": o, "token_id": t} for o, t in zip(outcomes, tokens, strict=True)
    ]
    return pd.DataFrame.from_records(records, columns=list(store.MARKET_COLUMNS)).astype("str")


def market_span(
    market: dict[str, Any], now: datetime | pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The time span over which a market traded, as UTC timestamps.

    Start: the earliest of ``startDate``, ``acceptingOrdersTimestamp`` and ``createdAt``.
    End: ``closedTime`` when the market is closed (``endDate``, the nominal deadline, only if
    ``closedTime`` is absent), else ``now``; never later than ``now``.

    Raises
    ------
    FetchError
        No usable start timestamp.
    """
    now_ts = pd.Timestamp(now)
    now_ts = now_ts.tz_localize("UTC") if now_ts.tz is None else now_ts.tz_convert("UTC")
    starts = [_utc(market.get(k)) for k in ("startDate", "acceptingOrdersTimestamp", "createdAt")]
    starts = [s for s in starts if s is not None]
    if not starts:
        raise FetchError(f"Polymarket market {market.get('slug')!r} has no start date")
    end = _utc(market.get("closedTime"))
    if end is None and market.get("closed"):
        end = _utc(market.get("endDate"))
    end = now_ts if end is None else min(end, now_ts)
    return min(starts), end


def history_windows(
    start_ts: int, end_ts: int, max_window: int = MAX_WINDOW_S
) -> list[tuple[int, int]]:
    """Contiguous ``(startTs, endTs)`` windows covering ``[start_ts, end_ts]``.

    Parameters
    ----------
    start_ts, end_ts : int
        Unix seconds (UTC), ``start_ts <= end_ts``.
    max_window : int, default 1,296,000
        Longest window, in seconds.

    Returns
    -------
    list of (int, int)
        Windows ``(s_i, e_i)`` with ``s_0 = start_ts``, ``s_{i+1} = e_i``,
        ``e_i - s_i <= max_window`` and the last ``e = end_ts``; empty if
        ``end_ts < start_ts``. A point on a shared boundary may come back twice and is
        de-duplicated by :func:`clean_history`.
    """
    if max_window <= 0:
        raise ValueError("max_window must be positive")
    windows = []
    s = int(start_ts)
    end_ts = int(end_ts)
    while s < end_ts:
        e = min(s + max_window, end_ts)
        windows.append((s, e))
        s = e
    return windows


def clean_history(points: Iterable[dict[str, Any]], start_ts: int, end_ts: int) -> pd.DataFrame:
    """Points of one ``/prices-history`` window as a tidy frame.

    Parameters
    ----------
    points : iterable of dict
        The ``history`` list: ``{"t": <unix seconds>, "p": <price>}``.
    start_ts, end_ts : int
        The window requested (unix seconds); points outside ``[start_ts, end_ts]`` (the
        appended "now" point in particular) are dropped.

    Returns
    -------
    DataFrame
        Columns ``t`` (int64 unix seconds) and ``p`` (float64), sorted by ``t``, unique ``t``
        (the last value of a repeated ``t`` is kept).

    Raises
    ------
    FetchError
        A point lacks ``t``/``p`` or has ``p`` outside [0, 1].
    """
    records = list(points)
    try:
        t = np.array([int(pt["t"]) for pt in records], dtype="int64")
        p = np.array([float(pt["p"]) for pt in records], dtype="float64")
    except (KeyError, TypeError, ValueError) as exc:
        raise FetchError(f"malformed /prices-history point: {exc!r}") from exc
    frame = pd.DataFrame({"t": t, "p": p})
    frame = frame.loc[(frame["t"] >= start_ts) & (frame["t"] <= end_ts)]
    bad = ~frame["p"].between(0.0, 1.0)
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise FetchError(f"/prices-history returned p={row['p']} at t={row['t']}: not in [0, 1]")
    frame = frame.drop_duplicates("t", keep="last").sort_values("t", ignore_index=True)
    return frame


def history_file_frame(history: pd.DataFrame) -> pd.DataFrame:
    """The ``polymarket/prices/<TOKEN_ID>.csv`` layout: ``t`` as ``YYYY-MM-DDTHH:MM:SSZ``, ``p``."""
    t = pd.to_datetime(history["t"], unit="s", utc=True)
    return pd.DataFrame({"t": t.dt.strftime("%Y-%m-%dT%H:%M:%SZ"), "p": history["p"].to_numpy()})


def median_spacing_s(history: pd.DataFrame) -> float | None:
    """Median gap between consecutive points, in seconds (None with fewer than 2 points)."""
    if len(history) < 2:
        return None
    return float(np.median(np.diff(history["t"].to_numpy())))


# --------------------------------------------------------------------------------------------
# client
# --------------------------------------------------------------------------------------------


class PolymarketClient:
    """The two public read endpoints used here, with retries (see :class:`HttpGetter`).

    Parameters
    ----------
    session : requests.Session, optional
        Injected session (a ``requests_cache.CachedSession`` works); default a new Session.
    max_retries : int, default 4
        Retries on HTTP 429/5xx and connection errors, with exponential backoff
        ``backoff * 2**attempt`` seconds (or ``Retry-After``).
    backoff : float, default 1.0
        Base wait in seconds.
    sleep : callable, default time.sleep
        Injected for tests.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        max_retries: int = 4,
        backoff: float = 1.0,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.http = HttpGetter(session, max_retries=max_retries, backoff=backoff, sleep=sleep)

    def _json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        response = self.http.get(url, params)
        try:
            return response.json()
        except ValueError as exc:
            raise FetchError(f"GET {response.url} did not return JSON") from exc

    def market(self, slug: str) -> dict[str, Any]:
        """The Gamma market object of a slug (works for closed markets)."""
        try:
            market = self._json(f"{GAMMA_URL}/markets/slug/{slug}")
        except FetchError as exc:
            raise FetchError(f"Polymarket market {slug!r}: {exc}") from exc
        if not isinstance(market, dict) or not market.get("slug"):
            raise FetchError(f"Polymarket market {slug!r}: Gamma returned no market object")
        return market

    def prices_history(
        self, token_id: str, start_ts: int, end_ts: int, fidelity: int = DEFAULT_FIDELITY_MIN
    ) -> pd.DataFrame:
        """The odds history of one token over ``[start_ts, end_ts]`` (unix seconds).

        Requests contiguous windows of at most :data:`MAX_WINDOW_S` seconds, drops points
        outside each window, concatenates, sorts and de-duplicates ``t``.

        Returns
        -------
        DataFrame
            Columns ``t`` (int64 unix seconds, UTC) and ``p`` (float64); possibly empty.
        """
        parts = []
        for s, e in history_windows(start_ts, end_ts):
            params = {"market": str(token_id), "startTs": s, "endTs": e, "fidelity": fidelity}
            body = self._json(f"{CLOB_URL}/prices-history", params)
            if not isinstance(body, dict) or "history" not in body:
                raise FetchError(f"/prices-history for token {token_id}: no 'history' in {body!r}")
            parts.append(clean_history(body["history"] or [], s, e))
        if not parts:
            return pd.DataFrame({"t": np.array([], "int64"), "p": np.array([], "float64")})
        both = pd.concat(parts, ignore_index=True)
        return both.drop_duplicates("t", keep="last").sort_values("t", ignore_index=True)


# --------------------------------------------------------------------------------------------
# fetch into the data directory
# --------------------------------------------------------------------------------------------


def _read_markets_raw(data_dir: str | os.PathLike[str] | None) -> pd.DataFrame:
    path = store.resolve_data_dir(data_dir) / store.MARKETS_RELPATH
    if not path.is_file():
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in store.MARKET_COLUMNS})
    store.load_markets(data_dir)  # validates before we rewrite it
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return raw.loc[:, list(store.MARKET_COLUMNS)]


def upsert_markets(existing: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``existing`` rows with the rows of ``new`` replacing those of the same ``token_id``.

    Rows keep their order; new tokens are appended. Both frames hold ``str`` columns.
    """
    keep = existing.loc[~existing["token_id"].isin(set(new["token_id"]))]
    return pd.concat([keep, new], ignore_index=True).loc[:, list(store.MARKET_COLUMNS)]


def fetch_markets(
    slugs: Sequence[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    fidelity: int = DEFAULT_FIDELITY_MIN,
    outcomes: Sequence[str] | None = None,
    session: requests.Session | None = None,
    sleep: Sleep = time.sleep,
    max_retries: int = 4,
    now: datetime | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Fetch market metadata and odds histories for Polymarket market slugs.

    For each slug: the Gamma market (rows upserted by ``token_id`` into
    ``polymarket/markets.csv``), then for each outcome token its whole-life history from the
    CLOB, written to ``polymarket/prices/<TOKEN_ID>.csv`` (``t`` ISO-8601 UTC with ``Z``,
    ``p``).

    Parameters
    ----------
    slugs : sequence of str
        Market slugs (not event slugs).
    data_dir : str or path-like, optional
        Data directory; see :func:`eventstudy.data.store.resolve_data_dir`.
    start, end : str or Timestamp, optional
        Clip the history to ``[start, end]`` (dates are read as 00:00 UTC; ``end`` is
        inclusive of its whole day). Default: the market's whole life, from its start to its
        ``closedTime`` (or now if still open).
    fidelity : int, default 60
        Sampling step requested from the CLOB, in **minutes** (1 = one point a minute). The
        manifest records it and the median spacing actually observed, which can differ.
    outcomes : sequence of str, optional
        Only these outcome labels (e.g. ``["Yes"]``); default every outcome.
    session : requests.Session, optional
        Injected HTTP session.
    sleep : callable, default time.sleep
        Wait between retries (injected by tests).
    max_retries : int, default 4
        Retries on HTTP 429/5xx with exponential backoff, honouring ``Retry-After``.
    now : datetime, optional
        The current time (UTC) for open markets; default the clock.

    Returns
    -------
    DataFrame
        The fetch report: one ``kind="market"`` row per slug (``key`` = slug, ``rows`` =
        outcome tokens) and one ``kind="odds"`` row per token (``key`` = ``"slug [outcome]"``,
        ``rows`` = points written). ``status`` is ``"ok"``, ``"failed"`` (``error`` says
        why; nothing written) or ``"empty"`` (the CLOB returned no points for the whole
        span: nothing written and ``has_prices`` stays False).

    Raises
    ------
    OfflineError
        ``EVENTSTUDY_OFFLINE`` is set.
    """
    slugs = list(dict.fromkeys(s.strip() for s in slugs if s and s.strip()))
    ensure_online(f"Polymarket markets {', '.join(slugs)}")
    if int(fidelity) < 1:
        raise FetchError(f"fidelity must be a positive number of minutes, got {fidelity!r}")
    client = PolymarketClient(session, max_retries=max_retries, sleep=sleep)
    now_ts = pd.Timestamp(now if now is not None else utc_now())
    now_ts = now_ts.tz_localize("UTC") if now_ts.tz is None else now_ts.tz_convert("UTC")
    clip_start = None if start is None else pd.Timestamp(start, tz="UTC")
    clip_end = None if end is None else pd.Timestamp(end, tz="UTC") + pd.Timedelta(days=1)
    wanted = None if outcomes is None else {o.casefold() for o in outcomes}
    versions = store.library_versions("requests")
    report: list[dict[str, Any]] = []
    new_rows: list[pd.DataFrame] = []

    for slug in slugs:
        try:
            market = client.market(slug)
            rows = market_rows(market)
            span_start, span_end = market_span(market, now_ts)
        except FetchError as exc:
            report.append(report_row("market", slug, "failed", error=str(exc)))
            continue
        if clip_start is not None:
            span_start = max(span_start, clip_start)
        if clip_end is not None:
            span_end = min(span_end, clip_end)
        start_s = int(span_start.timestamp())
        end_s = int(span_end.timestamp())
        for _, row in rows.iterrows():
            if wanted is not None and row["outcome"].casefold() not in wanted:
                continue
            key = f"{slug} [{row['outcome']}]"
            token = row["token_id"]
            relpath = store.odds_relpath(token)
            try:
                history = client.prices_history(token, start_s, end_s, fidelity)
                if history.empty:
                    report.append(
                        report_row(
                            "odds",
                            key,
                            "empty",
                            error=f"the CLOB returned no points for token {token} between "
                            f"{span_start:%Y-%m-%d %H:%M} and {span_end:%Y-%m-%d %H:%M} UTC; "
                            "nothing written",
                        )
                    )
                    continue
                params = {
                    "endpoint": f"{CLOB_URL}/prices-history",
                    "slug": slug,
                    "outcome": row["outcome"],
                    "token_id": token,
                    "startTs": start_s,
                    "endTs": end_s,
                    "windows": len(history_windows(start_s, end_s)),
                    "fidelity_min": int(fidelity),
                    "median_spacing_s": median_spacing_s(history),
                }
                store.write_csv_atomic(
                    history_file_frame(history),
                    relpath,
                    data_dir,
                    source="polymarket-clob/prices-history",
                    params=params,
                    note="outcome mid-price samples (not trades), t in UTC",
                    versions=versions,
                )
            except (FetchError, OSError) as exc:
                report.append(report_row("odds", key, "failed", error=str(exc)))
                continue
            path = str(store.resolve_data_dir(data_dir) / relpath)
            report.append(report_row("odds", key, "ok", rows=len(history), path=path))
        new_rows.append(rows)
        report.append(
            report_row(
                "market",
                slug,
                "ok",
                rows=len(rows),
                path=str(store.resolve_data_dir(data_dir) / store.MARKETS_RELPATH),
            )
        )

    if new_rows:
        fetched = pd.concat(new_rows, ignore_index=True)
        root = store.resolve_data_dir(data_dir)
        fetched["has_prices"] = [
            str((root / store.odds_relpath(t)).is_file()) for t in fetched["token_id"]
        ]
        try:
            merged = upsert_markets(_read_markets_raw(data_dir), fetched)
            store.write_csv_atomic(
                merged,
                store.MARKETS_RELPATH,
                data_dir,
                source=f"{GAMMA_URL}/markets/slug/{{slug}}",
                params={"slugs": slugs},
                note="Gamma market metadata, one row per outcome token; has_prices says "
                "whether polymarket/prices/<token_id>.csv exists",
                versions=versions,
            )
        except (FetchError, OSError, DataFormatError) as exc:
            for r in report:
                if r["kind"] == "market" and r["status"] == "ok":
                    r.update(status="failed", rows=0, error=f"markets.csv not written: {exc}")
    return report_frame(report)
