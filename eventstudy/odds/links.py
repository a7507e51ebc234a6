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

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataNotFoundError
from eventstudy.odds.shift import (
    _fmt_ts,
    _to_timedelta,
    _to_utc,
    market_life_problem,
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
        shift.

    See Also
    --------
    eventstudy.odds.candidates.candidate_markets : markets that could be linked instead.
    """
    by_slug = {str(s): g for s, g in markets.groupby("slug", sort=False)}
    paths = _once(odds)
    h = _to_timedelta(horizon, "horizon")
    tokens: dict[str, Any] = {}  # slug -> its outcome token, looked up once per slug
    rows: list[dict[str, str]] = []
    for r in events.itertuples(index=False):
        tau = _to_utc(r.event_time, f"event_time of {r.event_id}")
        for slug in r.polymarket_slugs:
            group = by_slug.get(slug)
            if slug not in tokens and group is not None:
                tokens[slug] = select_outcome_token(group, outcome)
            token = tokens.get(slug)
            found = _link_problem(slug, tau, group, token, paths, h, outcome)
            if found is not None:
                problem, message = found
                rows.append(
                    {"event_id": r.event_id, "slug": slug, "problem": problem, "message": message}
                )
    return pd.DataFrame(rows, columns=["event_id", "slug", "problem", "message"], dtype=str)


def _link_problem(
    slug: str,
    tau: pd.Timestamp,
    group: pd.DataFrame | None,
    token: Any,
    paths: Callable[[str], _Path | None] | None,
    h: pd.Timedelta,
    outcome: str,
) -> tuple[str, str] | None:
    """The first problem of one link (``problem``, ``message``), or None when it can give a shift.

    ``group`` is the link's rows of ``markets.csv`` (None when the slug is not there) and
    ``token`` the row of its ``outcome`` (:func:`select_outcome_token`); the checks run in the
    order of :data:`LINK_PROBLEMS`; ``paths`` gives a token's prices (None: not checked).
    """
    if group is None:
        return "not_in_markets", "slug not in markets.csv"
    if token is None:
        offered = ", ".join(map(str, group["outcome"]))
        return "no_outcome", f"outcome {outcome!r} not offered (outcomes: {offered})"
    life = market_life_problem(tau, token.get("created_at"), token.get("closed_at"))
    if life is not None:
        return ("created_after_event" if "created" in life else "closed_before_event"), life
    fetch = f"fetch it with: eventstudy fetch --markets {slug}"
    if "has_prices" in token and not bool(token["has_prices"]):
        return "no_price_history", f"no price history (markets.csv has_prices is False); {fetch}"
    if paths is None:
        return None
    path = paths(str(token["token_id"]))
    if path is None:
        return "no_price_history", f"no price file in the data directory; {fetch}"
    sides = _sides(path, tau, h)
    if pd.isna(sides["t_before"]):
        return "no_sample_before", "no price sample before the event"
    if pd.isna(sides["t_after"]):
        return "no_sample_after", f"no price sample in (event, {_fmt_ts(tau + h)}]"
    return None


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
