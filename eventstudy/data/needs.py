"""What a run needs from the data directory: one row per item, and why (pure: no I/O).

:func:`required_items` lists, for an events catalog (and optionally a claims file), every file
``eventstudy run`` and the claims read:

- the gold study (:func:`eventstudy.gold.data.load_gold_data`): ``GC=F`` (the gold series),
  ``ACWI`` (equity benchmark of the market and factor models), FRED ``DTWEXBGS`` (dollar) and
  ``DFII10`` (real yield); the report's robustness columns add ``GLD``;
- the odds study (:func:`eventstudy.odds.study.run_odds_study`): ``polymarket/markets.csv``
  rows of every market linked in the catalog's ``polymarket`` column, and each market's
  ``Yes`` token price file;
- the claims: every series a claim names (``GC=F``, ``series:GPRD``, ``polymarket:<slug>``),
  plus the gold study's files for a gold ``event_effect`` claim.

:mod:`eventstudy.data.ensure` compares the list with the data directory and fetches what is
missing. Item kinds are ``price`` (``prices/<TICKER>.csv``), ``series`` (``series/<ID>.csv``),
``market`` (the market's rows in ``polymarket/markets.csv``) and ``odds``
(``polymarket/prices/<TOKEN_ID>.csv``; the token id is known only once ``markets.csv`` lists the
market, so ``relpath`` is empty until then).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from eventstudy.data import store

__all__ = [
    "ESTIMATION_DAYS",
    "NEED_COLUMNS",
    "NOT_FETCHABLE",
    "NOT_FETCHABLE_TEXT",
    "POST_EVENT_DAYS",
    "required_items",
]

NEED_COLUMNS = (
    "kind",
    "id",
    "relpath",
    "why",
    "events",
    "fetchable",
    "how",
    "needed_from",
    "needed_through",
)
"""Columns of :func:`required_items`, in order."""

ESTIMATION_DAYS = 400
"""Calendar days of data needed before an event: the gold study's estimation window
(-260, -11) trading days is about 378 calendar days; a claim's 250-session calibration less."""

POST_EVENT_DAYS = 21
"""Calendar days of data needed after an event: the event window's +10 trading days (about
14 calendar days, more over holidays) and the odds study's 7-day horizon."""

ODDS_BEFORE_DAYS = 30
"""Calendar days of odds history needed before an event (the odds study's 'before' sample)."""

NOT_FETCHABLE_TEXT = (
    "the Caldara-Iacoviello geopolitical risk index is not a FRED series, so no eventstudy "
    "fetch command gets it: download data_gpr_daily_recent.xls from "
    "https://www.matteoiacoviello.com/gpr.htm and write its date and "
    "{key} columns as series/{key}.csv (date,value)"
)
"""What to do for a series no fetcher gets (``key``: its id); the Japanese page reads the
id back (:mod:`eventstudy.report.cells`)."""

NOT_FETCHABLE: dict[str, str] = {
    key: NOT_FETCHABLE_TEXT.format(key=key) for key in ("GPRD", "GPRD_ACT", "GPRD_THREAT", "GPR")
}
"""Series ids no fetcher can get (``eventstudy fetch --series`` is FRED), with what to do."""

GOLD_FILES = (
    ("price", "ACWI", "gold study: equity benchmark of the market and factor models"),
    ("series", "DTWEXBGS", "gold study: dollar factor (FRED broad dollar index)"),
    ("series", "DFII10", "gold study: real-yield factor (FRED 10-year TIPS yield)"),
)
"""Files :func:`eventstudy.gold.data.load_gold_data` reads besides the gold series."""

_HOW = {
    "price": "Yahoo Finance daily bars (yfinance)",
    "series": "FRED (fredgraph.csv)",
    "market": "Polymarket Gamma API (market metadata)",
    "odds": "Polymarket CLOB /prices-history (fetched with its market)",
}
_KIND_ORDER = {"price": 0, "series": 1, "market": 2, "odds": 3}


def _day(value: Any) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return (ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo else ts).normalize()


def _item(
    kind: str, key: str, why: str, events: Iterable[str], span: tuple[Any, Any], relpath: str = ""
) -> dict[str, Any]:
    unfetchable = kind == "series" and key in NOT_FETCHABLE
    if not relpath and kind == "price":
        relpath = store.price_relpath(key)
    elif not relpath and kind == "series":
        relpath = store.series_relpath(key)
    elif kind == "market":
        relpath = store.MARKETS_RELPATH
    return {
        "kind": kind,
        "id": key,
        "relpath": relpath,
        "why": why,
        "events": tuple(events),
        "fetchable": not unfetchable,
        "how": NOT_FETCHABLE[key] if unfetchable else _HOW[kind],
        "needed_from": _day(span[0]),
        "needed_through": _day(span[1]),
    }


def _span(dates: pd.Series, before: int, after: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The calendar days of ``dates``, widened by ``before`` and ``after`` days."""
    return _day_span(pd.to_datetime(dates).map(_day), before, after)


def _day_span(days: pd.Series, before: int, after: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``(first day - before, last day + after)`` of days already mapped by :func:`_day`."""
    return days.min() - pd.Timedelta(days=before), days.max() + pd.Timedelta(days=after)


def _gold_items(
    events: pd.DataFrame, gold: Sequence[str], benchmark: str, claim: str = ""
) -> list[dict[str, Any]]:
    """The gold study's files for ``events`` (why: the study's role, or ``claim <id>``)."""
    if events.empty:
        return []
    span = _span(events["event_time"], ESTIMATION_DAYS, POST_EVENT_DAYS)
    ids = list(events["event_id"].astype(str))
    tag = f"{claim} (gold study)" if claim else ""
    rows = [_item("price", g, tag or f"gold study: gold series {g}", ids, span) for g in gold]
    for kind, key, what in GOLD_FILES:
        key = benchmark if key == "ACWI" else key
        rows.append(_item(kind, key, tag or what, ids, span))
    return rows


def _yes_tokens(markets: pd.DataFrame | None) -> dict[str, str]:
    if markets is None or markets.empty:
        return {}
    labels = markets["outcome"].astype(str).str.strip().str.casefold()
    yes = markets.loc[labels == "yes"]
    return dict(zip(yes["slug"].astype(str), yes["token_id"].astype(str), strict=True))


def _market_items(
    slug: str, why: str, events: Sequence[str], span: tuple[Any, Any], tokens: dict[str, str]
) -> list[dict[str, Any]]:
    token = tokens.get(slug)
    odds_path = store.odds_relpath(token) if token else ""
    return [
        _item("market", slug, why, events, span),
        _item("odds", slug, f"{why} (its Yes token)", events, span, relpath=odds_path),
    ]


def _catalog_market_items(events: pd.DataFrame, tokens: dict[str, str]) -> list[dict[str, Any]]:
    linked: dict[str, list[int]] = {}
    for pos, value in enumerate(events["polymarket_slugs"]):
        for slug in [value] if isinstance(value, str) else list(value or []):
            if isinstance(slug, str) and slug.strip():
                linked.setdefault(slug.strip(), []).append(pos)
    rows: list[dict[str, Any]] = []
    if not linked:
        return rows
    days = pd.to_datetime(events["event_time"]).map(_day)  # once, not once per market
    event_ids = events["event_id"].astype(str).tolist()
    for slug, positions in linked.items():
        span = _day_span(days.iloc[positions], ODDS_BEFORE_DAYS, POST_EVENT_DAYS)
        ids = [event_ids[p] for p in positions]
        rows += _market_items(slug, "odds study: linked market", ids, span, tokens)
    return rows


def _claim_events(claim: Any, events: pd.DataFrame) -> pd.DataFrame:
    """The catalog rows a claim's ``events`` names (ids, or one group ``column:value``)."""
    if not claim.events or events.empty:
        return events.iloc[0:0]
    keep = events["event_id"].astype(str).isin(claim.events)
    for token in claim.events:
        column, _, value = token.partition(":")
        if value and column in ("gold_direction", "category") and column in events:
            keep |= events[column].astype(str) == value
    return events.loc[keep]


def _claim_span(claim: Any, named: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    from eventstudy.claims.claim import horizon_end  # lazy: claims parse their own horizons

    dates = [d for d in (claim.made_on, claim.start, claim.end, claim.baseline) if d is not None]
    for token in claim.sensitivity:
        try:
            dates.append(horizon_end(token, claim.made_on))
        except ValueError:  # a window such as 0:5 or 3D, not a horizon
            continue
    dates += list(named["event_time"].map(_day))
    return _span(pd.Series(dates), ESTIMATION_DAYS, POST_EVENT_DAYS)


def _claim_items(claims: Any, events: pd.DataFrame, tokens: dict[str, str]) -> list[dict]:
    if isinstance(claims, pd.DataFrame):
        from eventstudy.claims.spec import claims_from_frame  # lazy: only with claims

        claims = claims_from_frame(claims)
    rows: list[dict[str, Any]] = []
    for claim in claims:
        named = _claim_events(claim, events)
        span = _claim_span(claim, named)
        why = f"claim {claim.claim_id}"
        ids = list(named["event_id"].astype(str))
        for ref in claim.series:
            if ref.kind == "market":
                rows += _market_items(ref.key, why, ids, span, tokens)
            else:
                kind = "price" if ref.kind == "prices" else "series"
                rows.append(_item(kind, ref.key, why, ids, span))
        gold = [r.key for r in claim.series if r.kind == "prices" and r.key in ("GC=F", "GLD")]
        if claim.type == "event_effect" and gold:
            rows += _gold_items(named, gold, "ACWI", claim=why)
    return rows


def _combine(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in NEED_COLUMNS})
        frame["fetchable"] = frame["fetchable"].astype(bool)
        return frame
    frame = pd.DataFrame.from_records(rows, columns=list(NEED_COLUMNS))
    out = frame.groupby(["kind", "id"], sort=False).agg(
        relpath=("relpath", "first"),
        why=("why", lambda s: "; ".join(dict.fromkeys(s))),
        events=("events", lambda s: tuple(dict.fromkeys(e for t in s for e in t))),
        fetchable=("fetchable", "all"),
        how=("how", "first"),
        needed_from=("needed_from", "min"),
        needed_through=("needed_through", "max"),
    )
    out = out.reset_index()
    order = out["kind"].map(_KIND_ORDER)
    out = out.assign(_o=order).sort_values(["_o", "id"], kind="stable").drop(columns="_o")
    return out.loc[:, list(NEED_COLUMNS)].reset_index(drop=True)


def required_items(
    events: pd.DataFrame,
    claims: pd.DataFrame | Iterable[Any] | None = None,
    *,
    markets: pd.DataFrame | None = None,
    gold: Sequence[str] = ("GC=F", "GLD"),
    benchmark: str = "ACWI",
) -> pd.DataFrame:
    """Every data item a run on ``events`` (and ``claims``) reads, with why.

    Parameters
    ----------
    events : DataFrame
        The catalog as :func:`eventstudy.data.catalog.load_events` returns it (columns
        ``event_id``, ``event_time``, ``polymarket_slugs``).
    claims : DataFrame or iterable of Claim, optional
        :func:`eventstudy.claims.spec.load_claims` output (or its
        :func:`~eventstudy.claims.spec.claims_from_frame` claims); None: the run only.
    markets : DataFrame, optional
        ``polymarket/markets.csv`` as :func:`eventstudy.data.store.load_markets` returns it,
        to name each market's ``Yes`` token file; without it (or for a market it does not
        list) the odds item's ``relpath`` is ``""``.
    gold : sequence of str, default ("GC=F", "GLD")
        Gold series of the run: ``GC=F`` is the study's, ``GLD`` the report's robustness
        column.
    benchmark : str, default "ACWI"
        Equity benchmark of the gold study.

    Returns
    -------
    DataFrame
        One row per item, columns :data:`NEED_COLUMNS`:

        ====================  =================================================================
        ``kind``              ``price``, ``series``, ``market`` or ``odds``
        ``id``                ticker, series id or market slug
        ``relpath``           file relative to the data directory (``""``: odds, token unknown)
        ``why``               what reads it (``gold study: ...``, ``claim <id>``, ...)
        ``events``            tuple of the event ids that need it
        ``fetchable``         False when no fetcher can get it (see :data:`NOT_FETCHABLE`)
        ``how``               the source, or for an unfetchable item where it comes from
        ``needed_from``       first date needed (tz-naive, about 400 days before the first
                              event for the estimation window)
        ``needed_through``    last date needed (about 21 days after the last event)
        ====================  =================================================================

        Sorted by kind (price, series, market, odds), then id. An item several readers need
        appears once, with their reasons joined by ``"; "``.

    Examples
    --------
    >>> from eventstudy.data.catalog import load_events
    >>> required_items(load_events("events.csv"))[["kind", "id", "why"]]  # doctest: +SKIP
    """
    tokens = _yes_tokens(markets)
    rows = _gold_items(events, list(gold[:1]), benchmark)
    if len(gold) > 1 and not events.empty:
        span = _span(events["event_time"], ESTIMATION_DAYS, POST_EVENT_DAYS)
        ids = list(events["event_id"].astype(str))
        why = "report robustness: gold series"
        rows += [_item("price", g, f"{why} {g}", ids, span) for g in gold[1:]]
    rows += _catalog_market_items(events, tokens)
    if claims is not None:
        rows += _claim_items(claims, events, tokens)
    return _combine(rows)
