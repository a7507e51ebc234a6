"""Can a linked market measure its event? An audit of ``events.csv`` links against the data.

A link from an event to a Polymarket market gives a one-day odds shift only if the market was
trading at the event time (``created_at <= event_time < closed_at``, from ``markets.csv``) and
has a price sample on both sides of it: the last one strictly before the event and one in
``(event_time, event_time + horizon]``. :func:`price_sides` finds those two samples for one
token; :func:`audit_links` checks every link of a catalog and returns one row per problem, which
``eventstudy validate`` prints as warnings. The rules are those of
:func:`eventstudy.odds.shift.odds_shift` (its module notes define "before" and "after").
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataNotFoundError
from eventstudy.odds.shift import (
    _fmt_ts,
    _opt_utc,
    _to_timedelta,
    _to_utc,
    prepare_odds,
)
from eventstudy.odds.study import select_outcome_token

__all__ = ["LINK_PROBLEMS", "audit_links", "audit_links_in", "price_sides"]

LINK_PROBLEMS: tuple[str, ...] = (
    "not_in_markets",
    "no_outcome",
    "created_after_event",
    "closed_before_event",
    "no_price_history",
    "no_sample_before",
    "no_sample_after",
)
"""Values of :func:`audit_links`' ``problem`` column, in the order they are checked."""

OddsSource = Mapping[str, "pd.DataFrame | None"] | Callable[[str], "pd.DataFrame | None"]


def price_sides(odds: pd.DataFrame, event_time: Any, horizon: Any = "1D") -> dict[str, Any]:
    """The price samples on each side of an event time.

    Parameters
    ----------
    odds : DataFrame
        One token's price path: ``t`` (tz-aware), ``p`` in [0, 1].
    event_time : Timestamp-like, tz-aware
    horizon : Timedelta-like, default "1D"
        How far after the event a sample still counts as "after".

    Returns
    -------
    dict
        ``t_before, p_before`` (last sample strictly before the event) and ``t_after, p_after``
        (first sample in ``(event_time, event_time + horizon]``); ``NaT``/NaN where there is
        none.

    Examples
    --------
    >>> odds = pd.DataFrame({"t": pd.date_range("2025-06-12", periods=3, freq="D", tz="UTC"),
    ...                      "p": [0.35, 0.40, 0.68]})
    >>> sides = price_sides(odds, pd.Timestamp("2025-06-13 03:00", tz="UTC"))
    >>> float(sides["p_before"]), float(sides["p_after"])
    (0.4, 0.68)
    """
    tau = _to_utc(event_time, "event_time")
    h = _to_timedelta(horizon, "horizon")
    return _sides(_path(odds), tau, h)


class _Path(NamedTuple):
    """A prepared price path as arrays: ``t`` in UTC nanoseconds (sorted, unique) and ``p``."""

    t: np.ndarray
    p: np.ndarray


def _path(odds: pd.DataFrame) -> _Path:
    data = prepare_odds(odds)
    return _Path(pd.DatetimeIndex(data["t"]).asi8, data["p"].to_numpy(dtype="float64"))


def _sides(path: _Path, tau: pd.Timestamp, h: pd.Timedelta) -> dict[str, Any]:
    """:func:`price_sides` of a prepared path: two binary searches."""
    out: dict[str, Any] = {"t_before": pd.NaT, "p_before": float("nan")}
    out |= {"t_after": pd.NaT, "p_after": float("nan")}
    at = tau.value  # nanoseconds, as path.t
    before = int(np.searchsorted(path.t, at, side="left")) - 1  # last sample strictly before
    after = int(np.searchsorted(path.t, at, side="right"))  # first sample strictly after
    if before >= 0:
        out["t_before"] = pd.Timestamp(int(path.t[before]), tz="UTC")
        out["p_before"] = float(path.p[before])
    if after < len(path.t) and path.t[after] <= at + h.value:
        out["t_after"] = pd.Timestamp(int(path.t[after]), tz="UTC")
        out["p_after"] = float(path.p[after])
    return out


def _load(odds: OddsSource | None, token_id: str) -> pd.DataFrame | None:
    if odds is None:
        return None
    if callable(odds):
        return odds(token_id)
    return odds.get(token_id)


def _once(odds: OddsSource | None) -> Callable[[str], _Path | None] | None:
    """``odds`` with each token's price path loaded (and prepared) once.

    Many events link the same market; loading its file again for every link made a
    2,000-row catalog cost about 20 s to validate.
    """
    if odds is None:
        return None
    cache: dict[str, _Path | None] = {}

    def load(token_id: str) -> _Path | None:
        if token_id not in cache:
            frame = _load(odds, token_id)
            cache[token_id] = None if frame is None else _path(frame)
        return cache[token_id]

    return load


def audit_links(
    events: pd.DataFrame,
    markets: pd.DataFrame,
    odds: OddsSource | None = None,
    *,
    horizon: Any = "1D",
    outcome: str = "Yes",
) -> pd.DataFrame:
    """Every catalog link that cannot give an odds shift, and why.

    Parameters
    ----------
    events : DataFrame
        :func:`eventstudy.data.catalog.load_events` output (``event_id``, ``event_time``,
        ``polymarket_slugs``).
    markets : DataFrame
        ``markets.csv`` as :func:`eventstudy.data.store.load_markets` returns it.
    odds : mapping or callable, optional
        ``token_id -> DataFrame[t, p]`` (or None when there is no file). Without it the price
        checks (``no_sample_before``, ``no_sample_after``) are skipped.
    horizon : Timedelta-like, default "1D"
    outcome : str, default "Yes"
        Outcome label of the token studied.

    Returns
    -------
    DataFrame
        One row per link with a problem: ``event_id, slug, problem, message``; ``problem`` is
        one of :data:`LINK_PROBLEMS` (the first that applies). Empty when every link can give a
        shift. Rows are in catalog order, an event's links in the order of its slugs.

    See Also
    --------
    eventstudy.odds.candidates.candidate_markets : markets that could be linked instead.

    Notes
    -----
    What a link's slug decides (in ``markets.csv``? its outcome token, life, ``has_prices``) is
    looked up once per distinct slug; each token's price path is loaded once and searched for
    all the event times linking it at once (the rules of :func:`price_sides`); only links with a
    problem get a message. The tests compare it with the former loop over links (one
    :func:`price_sides` per link) on random catalogs.
    """
    h = _to_timedelta(horizon, "horizon")
    links = _link_table(events)
    facts = _slug_facts(markets, links.distinct, outcome)
    code = np.array([f["code"] for f in facts], dtype=np.int64)[links.slug_at]
    code = _life_codes(code, links, facts)
    if odds is not None:
        code = _price_codes(code, links, facts, _once(odds), h)
    message = functools.cache(functools.partial(_message, facts=facts, h=h, outcome=outcome))
    codes, at, taus = code.tolist(), links.slug_at.tolist(), links.tau.tolist()
    rows = []
    for i in np.flatnonzero(code >= 0).tolist():
        tau = taus[i] if codes[i] == _NO_AFTER else 0  # the only message with the event time
        text = message(codes[i], at[i], tau)
        rows.append([links.event_id[i], links.slug[i], _PROBLEM[codes[i]], text])
    return pd.DataFrame(rows, columns=["event_id", "slug", "problem", "message"], dtype=str)


# A link's first problem, in the order of LINK_PROBLEMS (no file and has_prices False are both
# no_price_history, with different messages); _OK = none.
_OK, _NOT_IN_MARKETS, _NO_OUTCOME, _CREATED_AFTER, _CLOSED_BEFORE = -1, 0, 1, 2, 3
_NO_HISTORY, _NO_FILE, _NO_BEFORE, _NO_AFTER = 4, 5, 6, 7
_PROBLEM = dict(enumerate(LINK_PROBLEMS[:5])) | {
    _NO_FILE: "no_price_history",
    _NO_BEFORE: "no_sample_before",
    _NO_AFTER: "no_sample_after",
}
_NAT = np.iinfo(np.int64).min  # a missing created_at / closed_at


class _Links(NamedTuple):
    """The catalog's links as arrays, in catalog order (an event's links in slug order).

    ``tau`` is the event time in UTC nanoseconds; ``slug_at`` numbers the distinct slugs in
    order of first appearance (``distinct``).
    """

    event_id: list[str]
    slug: list[str]
    tau: np.ndarray
    slug_at: np.ndarray
    distinct: list[str]


def _event_times_ns(events: pd.DataFrame) -> np.ndarray:
    """Each event's time in UTC nanoseconds, checked as :func:`_to_utc` checks one."""
    col = events["event_time"]
    if isinstance(col.dtype, pd.DatetimeTZDtype) and not col.isna().any():
        return pd.DatetimeIndex(col).tz_convert("UTC").as_unit("ns").asi8
    ids = events["event_id"].tolist()
    taus = [_to_utc(v, f"event_time of {i}").value for i, v in zip(ids, col.tolist(), strict=True)]
    return np.array(taus, dtype=np.int64)


def _link_table(events: pd.DataFrame) -> _Links:
    tau = _event_times_ns(events)
    per_event = [list(s) for s in events["polymarket_slugs"].tolist()]
    counts = np.fromiter(map(len, per_event), dtype=np.intp, count=len(per_event))
    at = np.repeat(np.arange(len(per_event)), counts)
    slug = list(itertools.chain.from_iterable(per_event))
    slug_at, distinct = pd.factorize(pd.Series(slug, dtype=object), use_na_sentinel=False)
    ids = events["event_id"].to_numpy(dtype=object)[at].tolist()
    return _Links(ids, slug, tau[at], slug_at.astype(np.intp), list(distinct))


def _slug_facts(markets: pd.DataFrame, slugs: list[str], outcome: str) -> list[dict[str, Any]]:
    """Per distinct linked slug (in order of first appearance): what its links share."""
    wanted = set(slugs)
    keys = markets["slug"].astype(str)
    linked = markets[keys.isin(wanted)]
    by_slug = {str(s): g for s, g in linked.groupby("slug", sort=False)}
    return [_slug_fact(by_slug.get(s), outcome) | {"slug": s} for s in slugs]


def _slug_fact(group: pd.DataFrame | None, outcome: str) -> dict[str, Any]:
    """One slug's facts, shared by all its links.

    ``code`` (its own problem or ``_OK``), ``offered`` outcome labels, ``created``/``closed``
    (UTC ns, ``_NAT`` when missing) with their Timestamps, ``priced`` (False only when
    ``has_prices`` says so) and ``token_id``.
    """
    fact: dict[str, Any] = {"code": _OK, "offered": "", "token_id": "", "priced": True}
    fact |= {"created": _NAT, "closed": _NAT, "created_ts": None, "closed_ts": None}
    if group is None:
        return fact | {"code": _NOT_IN_MARKETS}
    token = select_outcome_token(group, outcome)
    if token is None:
        return fact | {"code": _NO_OUTCOME, "offered": ", ".join(map(str, group["outcome"]))}
    created = _opt_utc(token.get("created_at"), "created_at")
    closed = _opt_utc(token.get("closed_at"), "closed_at")
    fact |= {"created_ts": created, "closed_ts": closed, "token_id": str(token["token_id"])}
    fact["created"] = _NAT if created is None else created.value
    fact["closed"] = _NAT if closed is None else closed.value
    fact["priced"] = not ("has_prices" in token and not bool(token["has_prices"]))
    return fact


def _life_codes(code: np.ndarray, links: _Links, facts: list[dict[str, Any]]) -> np.ndarray:
    """Codes of the links their slug left without a problem, from the market's life.

    Created after the event, else closed at or before it (as
    :func:`eventstudy.odds.shift.market_life_problem`), then ``has_prices`` False.
    """
    at = links.slug_at
    created = np.array([f["created"] for f in facts], dtype=np.int64)[at]
    closed = np.array([f["closed"] for f in facts], dtype=np.int64)[at]
    priced = np.array([f["priced"] for f in facts], dtype=bool)[at]
    late = (code == _OK) & (created != _NAT) & (created > links.tau)
    code[late] = _CREATED_AFTER
    gone = (code == _OK) & (closed != _NAT) & (closed <= links.tau)
    code[gone] = _CLOSED_BEFORE
    code[(code == _OK) & ~priced] = _NO_HISTORY
    return code


def _price_codes(
    code: np.ndarray,
    links: _Links,
    facts: list[dict[str, Any]],
    paths: Callable[[str], _Path | None] | None,
    h: pd.Timedelta,
) -> np.ndarray:
    """No price file, no sample before, no sample after: the links still fine, per token.

    Each token's path is loaded once, in order of first use as the links are read.
    """
    todo = np.flatnonzero(code == _OK)
    if paths is None or not len(todo):
        return code
    token = np.array([f["token_id"] for f in facts], dtype=object)[links.slug_at[todo]]
    groups, first = pd.factorize(pd.Series(token, dtype=object))
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(len(first) + 1))
    for g, token_id in enumerate(first):
        rows = todo[order[bounds[g] : bounds[g + 1]]]
        code[rows] = _side_codes(paths(str(token_id)), links.tau[rows], h.value)
    return code


def _side_codes(path: _Path | None, tau: np.ndarray, h_ns: int) -> np.ndarray:
    """The codes of links to one token at event times ``tau`` (UTC ns), by :func:`_sides`' rules."""
    if path is None:
        return np.full(len(tau), _NO_FILE)
    n = len(path.t)
    before = np.searchsorted(path.t, tau, side="left") - 1  # last sample strictly before
    after = np.searchsorted(path.t, tau, side="right")  # first sample strictly after
    in_time = path.t[np.minimum(after, n - 1)] <= tau + h_ns if n else np.zeros(len(tau), bool)
    has_after = (after < n) & in_time
    return np.where(before < 0, _NO_BEFORE, np.where(has_after, _OK, _NO_AFTER))


def _message(
    code: int, slug_at: int, tau: int, *, facts: list[dict[str, Any]], h: pd.Timedelta, outcome: str
) -> str:
    """The message of problem ``code`` for a link to slug ``slug_at`` at ``tau`` (UTC ns).

    Only ``no_sample_after`` depends on the event time; callers pass ``tau=0`` for the others
    so that a cache keeps one message per slug and problem.
    """
    fact = facts[slug_at]
    fetch = f"fetch it with: eventstudy fetch --markets {fact['slug']}"
    if code == _NOT_IN_MARKETS:
        return "slug not in markets.csv"
    if code == _NO_OUTCOME:
        return f"outcome {outcome!r} not offered (outcomes: {fact['offered']})"
    if code == _CREATED_AFTER:
        return f"market created {_fmt_ts(fact['created_ts'])}, after the event"
    if code == _CLOSED_BEFORE:
        return f"market closed {_fmt_ts(fact['closed_ts'])}, at or before the event"
    if code == _NO_HISTORY:
        return f"no price history (markets.csv has_prices is False); {fetch}"
    if code == _NO_FILE:
        return f"no price file in the data directory; {fetch}"
    if code == _NO_BEFORE:
        return "no price sample before the event"
    return f"no price sample in (event, {_fmt_ts(pd.Timestamp(tau, tz='UTC') + h)}]"


def audit_links_in(
    events: pd.DataFrame,
    *,
    data_dir: str | Path | None = None,
    horizon: Any = "1D",
    outcome: str = "Yes",
) -> tuple[pd.DataFrame, Path]:
    """:func:`audit_links` with markets and odds read from a data directory.

    Parameters
    ----------
    events : DataFrame
        :func:`eventstudy.data.catalog.load_events` output.
    data_dir : path, optional
        See :func:`eventstudy.data.store.resolve_data_dir`.
    horizon, outcome
        As in :func:`audit_links`.

    Returns
    -------
    (DataFrame, Path)
        The problems and the data directory used.

    Raises
    ------
    DataNotFoundError
        The data directory has no ``polymarket/markets.csv``.
    """
    from eventstudy.data import store  # lazy: the checks above stay importable without I/O

    root = store.resolve_data_dir(data_dir)
    markets = store.load_markets(root)

    def odds(token_id: str) -> pd.DataFrame | None:
        try:
            return store.load_odds(token_id, root)
        except DataNotFoundError:
            return None

    return audit_links(events, markets, odds, horizon=horizon, outcome=outcome), root
