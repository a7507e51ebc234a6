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
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import requests

from eventstudy.data import store, writer
from eventstudy.data.catalog import is_market_slug
from eventstudy.data.fetch._common import (
    HttpGetter,
    Sleep,
    describe_failure,
    ensure_online,
    report_frame,
    report_row,
    utc_now,
    write_item,
)
from eventstudy.exceptions import FetchError

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
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise FetchError(
            f"Gamma market {slug!r}: field {field} is not a list of strings: {str(value)[:80]!r}"
        )
    return [str(v) for v in value]


def _event_slug(events: Any) -> str:
    """The parent event's slug.

    Gamma sends a list of event objects; an object alone or anything else without a slug gives
    ``""``.
    """
    if isinstance(events, dict):
        events = [events]
    if isinstance(events, list) and events and isinstance(events[0], dict):
        return str(events[0].get("slug") or "")
    return ""


def _utc(value: Any) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    try:
        ts = pd.to_datetime(str(value), utc=True, format="ISO8601", errors="coerce")
    except (ValueError, OverflowError):  # pragma: no cover - coerce should catch these
        return None
    return None if pd.isna(ts) else ts


_TIME_EXAMPLE = "e.g. 2025-04-24 00:57:31+00 or 2024-10-21T18:09:12.014074Z"


def _time_field(market: dict[str, Any], field: str, slug: str) -> str:
    """A Gamma timestamp as stored in ``markets.csv``: ``""`` when absent, else checked text.

    It must be ISO-8601 text that :func:`eventstudy.data.store.load_markets` reads back; a
    value such as ``"garbage"``, ``NaN`` or ``12345`` raises FetchError (left blank it would
    say "not closed", a false record).
    """
    value = market.get(field)
    if value is None or value == "":
        return ""
    if isinstance(value, str) and store.is_utc_timestamp(value):
        return value.strip()
    raise FetchError(
        f"Polymarket market {slug!r}: Gamma field {field} is {value!r:.80}, not an ISO-8601 "
        f"timestamp ({_TIME_EXAMPLE}); the market is not recorded (fetch it again later, or "
        "report the answer to Polymarket)"
    )


def _volume_field(market: dict[str, Any], slug: str) -> str:
    """Gamma's traded volume as stored: ``""`` when absent, else a finite number as text."""
    volume = market.get("volumeNum", market.get("volume"))
    if volume is None or volume == "":
        return ""
    try:
        number = float(volume)
    except (TypeError, ValueError, OverflowError):
        number = float("nan")
    if isinstance(volume, bool) or not np.isfinite(number):
        raise FetchError(
            f"Polymarket market {slug!r}: Gamma volume is {volume!r:.80}, not a finite "
            "number of USD; the market is not recorded"
        )
    return str(volume).strip()


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
        history), ``outcomes`` and ``clobTokenIds`` of different lengths, a token id that
        is not a decimal string, a ``createdAt``/``closedTime`` that is not an ISO-8601
        timestamp or a volume that is not a finite number: every field is checked as
        :func:`~eventstudy.data.store.load_markets` reads it, so nothing unreadable is
        written.
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
    bad = [t for t in tokens if not store.is_token_id(t)]
    if bad:
        raise FetchError(
            f"Polymarket market {slug!r}: token id {bad[0][:90]!r} is not a decimal string of "
            "up to 78 digits; the market is not recorded"
        )
    event_slug = _event_slug(market.get("events"))
    common = {
        "market_id": str(market.get("id") or ""),
        "slug": slug,
        "question": str(market.get("question") or ""),
        "event_slug": event_slug,
        "condition_id": str(market.get("conditionId") or ""),
        "created_at": _time_field(market, "createdAt", slug),
        "closed_at": _time_field(market, "closedTime", slug),
        "volume_usd": _volume_field(market, slug),
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
    found = [_utc(market.get(k)) for k in ("startDate", "acceptingOrdersTimestamp", "createdAt")]
    starts = [s for s in found if s is not None]
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


MAX_TS = 253_402_300_799
"""Latest unix second accepted from the CLOB (9999-12-31T23:59:59Z)."""


def _point(point: Any) -> tuple[int, float]:
    """``(t, p)`` of one ``{"t": <unix s>, "p": <price>}`` point, or FetchError saying why."""
    if not isinstance(point, dict) or "t" not in point or "p" not in point:
        raise FetchError(f"malformed /prices-history point (expected t and p): {point!r:.80}")
    t, p = point["t"], point["p"]
    if isinstance(t, bool) or not isinstance(t, int | float) or t != t:
        raise FetchError(f"/prices-history point has t={t!r:.40}, not unix seconds")
    if not 0 <= t <= MAX_TS or t != int(t):
        raise FetchError(
            f"/prices-history point has t={t!r:.40}: not whole unix seconds between 1970 and 9999"
        )
    try:
        price = float(p)
    except (TypeError, ValueError, OverflowError) as exc:
        raise FetchError(f"/prices-history point has p={p!r:.40}, not a number") from exc
    if isinstance(p, bool) or not 0.0 <= price <= 1.0:
        raise FetchError(f"/prices-history returned p={p!r:.40} at t={t}: not in [0, 1]")
    return int(t), price


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
        ``points`` is not a list, or a point lacks ``t``/``p``, has a ``t`` that is not
        whole unix seconds in 1970..9999 (e.g. ``2**63``) or a ``p`` outside [0, 1].
    """
    if not isinstance(points, list | tuple):
        raise FetchError(f"/prices-history 'history' is not a list: {str(points)[:80]!r}")
    t = np.empty(len(points), dtype="int64")
    p = np.empty(len(points), dtype="float64")
    for i, point in enumerate(points):
        t[i], p[i] = _point(point)
    frame = pd.DataFrame({"t": t, "p": p})
    frame = frame.loc[(frame["t"] >= start_ts) & (frame["t"] <= end_ts)]
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
        """The Gamma market object of a slug (works for closed markets).

        Raises
        ------
        FetchError
            ``slug`` is not a market slug (nothing is requested then: a value such as
            ``../../admin?x#y`` never reaches a URL), or Gamma has no such market.
        """
        if not is_market_slug(slug):
            raise FetchError(
                f"{slug!r} is not a Polymarket market slug (letters, digits and single hyphens, "
                "e.g. will-us-leave-nato-by-june-30); nothing was requested"
            )
        try:
            market = self._json(f"{GAMMA_URL}/markets/slug/{quote(slug, safe='')}")
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
                raise FetchError(
                    f"/prices-history for token {token_id}: no 'history' in {str(body)[:200]!r}"
                )
            parts.append(clean_history(body["history"] or [], s, e))
        if not parts:
            return pd.DataFrame({"t": np.array([], "int64"), "p": np.array([], "float64")})
        both = pd.concat(parts, ignore_index=True)
        return both.drop_duplicates("t", keep="last").sort_values("t", ignore_index=True)


# --------------------------------------------------------------------------------------------
# fetch into the data directory
# --------------------------------------------------------------------------------------------


def _odds_report(
    client: PolymarketClient,
    slug: str,
    row: pd.Series,
    span: tuple[pd.Timestamp, pd.Timestamp],
    *,
    data_dir: str | os.PathLike[str] | None,
    fidelity: int,
    versions: dict[str, str],
    replace: bool,
) -> dict[str, Any]:
    """Fetch and write one outcome token's history; its report row (never raises)."""
    key = f"{slug} [{row['outcome']}]"
    token = row["token_id"]
    span_start, span_end = span
    start_s, end_s = int(span_start.timestamp()), int(span_end.timestamp())

    def write() -> tuple[str, int, dict[str, Any]]:
        relpath = store.odds_relpath(token)
        history = client.prices_history(token, start_s, end_s, fidelity)
        if history.empty:
            raise _Empty(
                f"the CLOB returned no points for token {token} between "
                f"{span_start:%Y-%m-%d %H:%M} and {span_end:%Y-%m-%d %H:%M} UTC; nothing written"
            )
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
        entry = writer.write_csv_atomic(
            history_file_frame(history),
            relpath,
            data_dir,
            source="polymarket-clob/prices-history",
            params=params,
            note="outcome mid-price samples (not trades), t in UTC",
            versions=versions,
            replace=replace,
        )
        return relpath, len(history), entry

    try:
        return write_item("odds", key, data_dir, write, reraise=(_Empty,))
    except _Empty as empty:
        return report_row("odds", key, "empty", error=str(empty))


class _Empty(FetchError):
    """The CLOB had no points for a token: reported as ``empty``, not ``failed``."""


def _market_report(
    client: PolymarketClient, slug: str, now_ts: pd.Timestamp, clip: tuple[Any, Any]
) -> tuple[pd.DataFrame, tuple[pd.Timestamp, pd.Timestamp]]:
    """The market's rows and its (clipped) span, or an exception saying why not."""
    market = client.market(slug)
    rows = market_rows(market)
    span_start, span_end = market_span(market, now_ts)
    clip_start, clip_end = clip
    if clip_start is not None:
        span_start = max(span_start, clip_start)
    if clip_end is not None:
        span_end = min(span_end, clip_end)
    return rows, (span_start, span_end)


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
    replace: bool = False,
) -> pd.DataFrame:
    """Fetch market metadata and odds histories for Polymarket market slugs.

    For each slug: the Gamma market (rows merged by ``token_id`` into
    ``polymarket/markets.csv``), then for each outcome token its whole-life history from the
    CLOB, merged by ``t`` into ``polymarket/prices/<TOKEN_ID>.csv`` (``t`` ISO-8601 UTC with
    ``Z``, ``p``). Every slug and every token is a separate item: whatever goes wrong with one
    (an unknown slug, a malformed answer, a bad token id) is reported on its row and the
    others go on.

    Parameters
    ----------
    slugs : sequence of str
        Market slugs (not event slugs). A value that is not a slug (letters, digits and
        single hyphens) is reported as failed without any request.
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
        Retries on HTTP 429/5xx with exponential backoff, honouring ``Retry-After`` (see
        :class:`~eventstudy.data.fetch._common.HttpGetter` for the caps).
    now : datetime, optional
        The current time (UTC) for open markets; default the clock.
    replace : bool, default False
        Replace each stored odds file by the download instead of merging into it by ``t``.
        ``markets.csv`` is always merged (by ``token_id``): other markets' rows are kept.

    Returns
    -------
    DataFrame
        The fetch report (columns of :data:`~eventstudy.data.fetch.REPORT_COLUMNS`): one
        ``kind="market"`` row per slug (``key`` = slug, ``rows`` = outcome tokens) and one
        ``kind="odds"`` row per token (``key`` = ``"slug [outcome]"``, ``rows`` = points
        downloaded, ``added``/``changed``/``note`` from the merge). ``status`` is ``"ok"``,
        ``"failed"`` (``error`` says why; nothing written for it) or ``"empty"`` (the CLOB
        returned no points for the whole span: nothing written and ``has_prices`` stays
        False).

    Raises
    ------
    OfflineError
        ``EVENTSTUDY_OFFLINE`` is set.
    FetchError
        ``fidelity`` is not a positive number of minutes.
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
    versions = writer.library_versions("requests")
    root = store.resolve_data_dir(data_dir)
    report: list[dict[str, Any]] = []
    new_rows: list[pd.DataFrame] = []
    market_rows_at: list[int] = []

    for slug in slugs:
        try:
            rows, span = _market_report(client, slug, now_ts, (clip_start, clip_end))
        except Exception as exc:  # isolate the slug: report it, go on with the others
            report.append(report_row("market", slug, "failed", error=describe_failure(exc)))
            continue
        for _, row in rows.iterrows():
            if wanted is None or row["outcome"].casefold() in wanted:
                report.append(
                    _odds_report(
                        client,
                        slug,
                        row,
                        span,
                        data_dir=data_dir,
                        fidelity=fidelity,
                        versions=versions,
                        replace=replace,
                    )
                )
        new_rows.append(rows)
        market_rows_at.append(len(report))
        path = str(root / store.MARKETS_RELPATH)
        report.append(report_row("market", slug, "ok", rows=len(rows), path=path))

    if new_rows:
        _write_markets(new_rows, slugs, root, versions, [report[i] for i in market_rows_at])
    return report_frame(report)


def _write_markets(
    new_rows: list[pd.DataFrame],
    slugs: list[str],
    root: Path,
    versions: dict[str, str],
    market_report: list[dict[str, Any]],
) -> None:
    """Merge the fetched markets' rows into ``markets.csv``.

    On failure their report rows are marked failed (the odds files already written stay, and
    their rows say so).
    """
    fetched = pd.concat(new_rows, ignore_index=True)
    fetched = fetched.drop_duplicates("token_id", keep="last")
    fetched["has_prices"] = [
        str((root / store.odds_relpath(t)).is_file()) for t in fetched["token_id"]
    ]
    try:
        entry = writer.write_csv_atomic(
            fetched,
            store.MARKETS_RELPATH,
            root,
            source=f"{GAMMA_URL}/markets/slug/{{slug}}",
            params={"slugs": slugs},
            note="Gamma market metadata, one row per outcome token; has_prices says "
            "whether polymarket/prices/<token_id>.csv exists",
            versions=versions,
        )
    except Exception as exc:  # the odds files written so far stay and are reported ok
        for row in market_report:
            row.update(status="failed", rows=0, error=f"markets.csv not written: {exc}")
        return
    merge = entry.get("merge") or {}
    for row in market_report:
        row["note"] = f"markets.csv: {merge.get('added', row['rows'])} new token row(s) in all"
