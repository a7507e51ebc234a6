"""The market-link audit as it was before it worked per slug and per token (verbatim).

``tests/test_links.py`` compares :func:`eventstudy.odds.links.audit_links` with this loop over
links on random catalogs. Kept on purpose: do not "fix" or share code with the package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from eventstudy.odds.links import OddsSource, _once, _Path, _sides
from eventstudy.odds.shift import _fmt_ts, _to_timedelta, _to_utc, market_life_problem
from eventstudy.odds.study import select_outcome_token


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
