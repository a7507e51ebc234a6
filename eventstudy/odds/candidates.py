"""Which Polymarket markets could an event be linked to? Candidates ranked by text match.

:func:`candidate_markets` keeps the markets that can measure the event (trading at the event
time and priced on both sides of it: the rules of :mod:`eventstudy.odds.links`) and ranks them
by how well their question matches the event's title, description and category. It is an aid
for keeping the ``polymarket`` column of ``events.csv`` complete, not a decision: the analyst
reads the question and the rules before linking. :func:`candidate_markets_for` does the same for
an ``event_id`` of a catalog, reading the markets and odds from a data directory
(``eventstudy markets EVENT_ID``).

Text match
----------
Words are lowercased, split on anything but letters and digits, plural ``s`` dropped from
words of five letters or more, and a short list of stop words, month and weekday names and
numbers removed. A few names also count as the country or actor they stand for (``Tehran`` and
``Khamenei`` count as ``iran``, ``Putin`` and ``Kremlin`` as ``russia``, ``Zelenskyy`` as
``zelensky`` and ``ukraine``; :data:`ALIASES`), and the event's category adds its own words
(:data:`CATEGORY_WORDS`, e.g. ``russia_ukraine`` adds ``russia`` and ``ukraine``). A market's
score is the sum, over the distinct words it shares with the event, of their inverse document
frequency among all markets' questions, ``log(N / (1 + df))`` (rare words weigh more; a word
in most questions adds nothing); category words count half.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.exceptions import DataNotFoundError, SpecificationError
from eventstudy.odds.links import OddsSource, _load, price_sides
from eventstudy.odds.shift import _fmt_ts, _to_timedelta, _to_utc
from eventstudy.odds.study import outcome_rows

__all__ = [
    "ALIASES",
    "CANDIDATE_COLUMNS",
    "CATEGORY_WORDS",
    "candidate_markets",
    "candidate_markets_for",
    "text_terms",
]

ALIASES: dict[str, tuple[str, ...]] = {
    "iranian": ("iran",),
    "tehran": ("iran",),
    "khamenei": ("khamenei", "iran"),
    "hormuz": ("hormuz", "iran"),
    "israeli": ("israel",),
    "netanyahu": ("netanyahu", "israel"),
    "russian": ("russia",),
    "putin": ("putin", "russia"),
    "kremlin": ("russia",),
    "moscow": ("russia",),
    "ukrainian": ("ukraine",),
    "kyiv": ("ukraine",),
    "zelensky": ("zelensky", "ukraine"),
    "zelenskyy": ("zelensky", "ukraine"),
    "zelenskiy": ("zelensky", "ukraine"),
    "chinese": ("china",),
    "beijing": ("china",),
    "taiwanese": ("taiwan",),
    "palestinian": ("gaza",),
    "venezuelan": ("venezuela",),
    "maduro": ("maduro", "venezuela"),
    "tariff": ("tariff",),
    "truce": ("ceasefire",),
    "struck": ("strike",),
    "attack": ("strike",),
    "bombing": ("strike",),
}
"""Words that also count as the words given (names of people, capitals, demonyms)."""

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "nato": ("nato",),
    "russia_ukraine": ("russia", "ukraine"),
    "middle_east": ("israel", "iran", "gaza"),
    "us_politics": (),
    "trade": ("tariff", "trade"),
    "gold_market": ("gold",),
    "china_taiwan": ("china", "taiwan"),
    "latam": ("venezuela",),
}
"""Words each catalog category adds to its events' text (at half weight)."""

CANDIDATE_COLUMNS: list[str] = [
    "event_id",
    "rank",
    "slug",
    "question",
    "score",
    "matched",
    "linked",
    "created_at",
    "closed_at",
    "t_before",
    "p_before",
    "t_after",
    "p_after",
    "volume_usd",
    "reasons",
]
"""Columns of :func:`candidate_markets`' result, in order."""

_STOP = set(
    """
    a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does during each few for from further had has
    have having he her here hers him his how i if in into is it its just more most no nor not
    now of off on once only or other our out over own same she should so some such than that
    the their them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would yes you your end ends ending
    said says say new time day days week year years first last next today local utc et est
    edt cet about around into onto per via one two three four five six seven eight nine ten
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday mon tue wed thu fri sat sun row public time approximate unknown found
    close closes closed closing open opened conference president held announce announces
    announced call calls called tell tells told post posts posted report reports reported
    state
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    if len(word) >= 5 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as", "os")):
        return word[:-1]
    return word


def text_terms(text: str) -> list[str]:
    """The words of ``text`` used for matching (module notes), in order, with repeats.

    Examples
    --------
    >>> text_terms("Israel launches strikes on Iranian nuclear sites")
    ['israel', 'launche', 'strike', 'iran', 'nuclear', 'site']
    """
    out: list[str] = []
    for raw in _WORD.findall(str(text).lower()):
        if raw.isdigit() or len(raw) < 3 or raw in _STOP:
            continue
        word = _stem(raw)
        if word in _STOP:
            continue
        out.extend(ALIASES.get(word, (word,)))
    return out


@lru_cache(maxsize=8)
def _idf(texts: tuple[str, ...]) -> dict[str, float]:
    """Inverse document frequency of every word over the markets' texts (one per market)."""
    docs = [set(text_terms(t)) for t in texts]
    df = Counter(w for d in docs for w in d)
    n = len(docs)
    return {w: max(0.0, math.log(n / (1 + k))) for w, k in df.items()}


def _texts(markets: pd.DataFrame) -> tuple[str, ...]:
    one = markets.drop_duplicates("slug")
    return tuple(
        f"{q} {s.replace('-', ' ')}"
        for q, s in zip(one["question"].astype(str), one["slug"].astype(str), strict=True)
    )


def _event_field(event: Mapping[str, Any] | pd.Series, name: str, default: Any = "") -> Any:
    value = event.get(name, default)
    return default if value is None or (isinstance(value, float) and math.isnan(value)) else value


def candidate_markets(
    event: Mapping[str, Any] | pd.Series,
    markets: pd.DataFrame,
    odds: OddsSource,
    *,
    horizon: Any = "1D",
    outcome: str = "Yes",
    min_score: float = 0.0,
) -> pd.DataFrame:
    """Markets that could measure an event, ranked by how well they match its text.

    A market is a candidate when it was trading at the event time (``created_at <=
    event_time < closed_at``; no ``closed_at`` = still open), its ``outcome`` token has a price
    sample strictly before the event and one in ``(event_time, event_time + horizon]``, and its
    question shares at least one word with the event (score above ``min_score``). Markets
    created after the event are never returned.

    Parameters
    ----------
    event : mapping or Series
        One catalog row (:func:`eventstudy.data.catalog.load_events`): ``event_id``,
        ``event_time`` (tz-aware), ``title``, and optionally ``description``, ``category``,
        ``polymarket_slugs``.
    markets : DataFrame
        ``markets.csv`` as :func:`eventstudy.data.store.load_markets` returns it (one row per
        token): ``slug, question, outcome, token_id, created_at, closed_at`` and optionally
        ``has_prices``, ``volume_usd``.
    odds : mapping or callable
        ``token_id -> DataFrame[t, p]`` or None (no price history).
    horizon : Timedelta-like, default "1D"
        How far after the event the "after" sample may lie.
    outcome : str, default "Yes"
        Outcome label of the token whose prices are checked.
    min_score : float, default 0.0
        Keep markets whose score is above this.

    Returns
    -------
    DataFrame
        Columns :data:`CANDIDATE_COLUMNS`, one row per candidate, best first (score, then
        volume): ``score`` (text match, module notes), ``matched`` (shared words, rarest
        first), ``linked`` (already in the event's ``polymarket``), the market's life, the two
        price samples and ``reasons`` (why it qualifies, in words).

    Examples
    --------
    >>> events = load_events("events.csv")  # doctest: +SKIP
    >>> event = events.set_index("event_id").loc["tariff_pause_90day"]  # doctest: +SKIP
    >>> candidate_markets(event, markets, odds_by_token).head()  # doctest: +SKIP
    """
    for name in ("event_time", "title"):
        if name not in event:
            raise SpecificationError(
                f"event lacks {name!r}; expected a catalog row (load_events output)"
            )
    event_id = str(_event_field(event, "event_id", getattr(event, "name", "")))
    tau = _to_utc(event["event_time"], f"event_time of {event_id}")
    h = _to_timedelta(horizon, "horizon")
    linked = set(_event_field(event, "polymarket_slugs", []) or [])
    category = str(_event_field(event, "category"))
    words = Counter(
        text_terms(f"{_event_field(event, 'title')} {_event_field(event, 'description')}")
    )
    extra = set(CATEGORY_WORDS.get(category, ())) - set(words)
    idf = _idf(_texts(markets))
    created_all = pd.to_datetime(markets["created_at"], utc=True)
    closed_all = pd.to_datetime(markets["closed_at"], utc=True)
    trading = (created_all <= tau) & (closed_all.isna() | (closed_all > tau))

    tokens = outcome_rows(markets[trading.to_numpy()], outcome).drop_duplicates("slug")
    if "has_prices" in tokens:
        tokens = tokens[tokens["has_prices"].astype(bool)]

    rows: list[dict[str, Any]] = []
    for _, token in tokens.iterrows():
        slug = token["slug"]
        created = pd.Timestamp(token["created_at"])
        closed = pd.Timestamp(token["closed_at"]) if pd.notna(token["closed_at"]) else None
        market_words = set(text_terms(f"{token.get('question', '')} {str(slug).replace('-', ' ')}"))
        shared = [w for w in market_words if w in words]
        shared_extra = [w for w in market_words if w in extra]
        score = sum(idf.get(w, 0.0) for w in shared) + 0.5 * sum(
            idf.get(w, 0.0) for w in shared_extra
        )
        if score <= min_score:
            continue
        path = _load(odds, str(token["token_id"]))
        if path is None:
            continue
        sides = price_sides(path, tau, h)
        if pd.isna(sides["t_before"]) or pd.isna(sides["t_after"]):
            continue
        matched = sorted(shared, key=lambda w: (-idf.get(w, 0.0), w)) + sorted(
            f"{w} (category)" for w in shared_extra
        )
        until = "still open" if closed is None else f"closed {_fmt_ts(closed)}"
        reasons = (
            f"created {_fmt_ts(created)}, {until}: open at the event; priced "
            f"{sides['p_before']:.3f} at {_fmt_ts(sides['t_before'])} and "
            f"{sides['p_after']:.3f} at {_fmt_ts(sides['t_after'])}; "
            f"shares: {', '.join(matched)}"
        )
        rows.append(
            {
                "event_id": event_id,
                "slug": str(slug),
                "question": str(token.get("question", "")),
                "score": float(score),
                "matched": ", ".join(matched),
                "linked": str(slug) in linked,
                "created_at": created,
                "closed_at": closed if closed is not None else pd.NaT,
                **sides,
                "volume_usd": float(token.get("volume_usd", float("nan"))),
                "reasons": reasons,
            }
        )
    out = pd.DataFrame(rows, columns=[c for c in CANDIDATE_COLUMNS if c != "rank"])
    if out.empty:
        out.insert(1, "rank", pd.Series(dtype="int64"))
        return out
    out = out.sort_values(
        ["score", "volume_usd"], ascending=False, na_position="last", kind="stable"
    )
    out = out.reset_index(drop=True)
    out.insert(1, "rank", range(1, len(out) + 1))
    for c in ("created_at", "closed_at", "t_before", "t_after"):
        out[c] = pd.to_datetime(out[c].astype(object), utc=True)
    return out


def candidate_markets_for(
    event_id: str,
    events: pd.DataFrame | str | Path,
    *,
    data_dir: str | Path | None = None,
    markets: pd.DataFrame | None = None,
    odds_loader: Callable[[str], pd.DataFrame] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """:func:`candidate_markets` for one ``event_id`` of a catalog, data from a data directory.

    Parameters
    ----------
    event_id : str
    events : DataFrame or path
        The catalog (:func:`eventstudy.data.catalog.load_events` output) or its path.
    data_dir : path, optional
        See :func:`eventstudy.data.store.resolve_data_dir`.
    markets, odds_loader
        As in :func:`eventstudy.odds.study.run_odds_study` (default: read ``data_dir``).
    **options
        Passed to :func:`candidate_markets` (``horizon``, ``outcome``, ``min_score``).

    Returns
    -------
    DataFrame
        As :func:`candidate_markets`.

    Raises
    ------
    SpecificationError
        ``event_id`` is not in the catalog.
    """
    from eventstudy.odds.study import _default_loaders, _events_frame

    ev = _events_frame(events)
    hit = ev[ev["event_id"].astype(str) == event_id]
    if hit.empty:
        close = [e for e in ev["event_id"].astype(str) if event_id.lower() in e]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
        raise SpecificationError(f"event_id {event_id!r} is not in the events catalog{hint}")
    markets, load = _default_loaders(data_dir, markets, odds_loader)
    return candidate_markets(hit.iloc[0], markets, _quiet(load), **options)


def _quiet(load: Callable[[str], Any]) -> Callable[[str], pd.DataFrame | None]:
    """A loader that returns None for a missing or unreadable price file."""

    def get(token_id: str) -> pd.DataFrame | None:
        try:
            got = load(token_id)
        except DataNotFoundError:
            return None
        return got if isinstance(got, pd.DataFrame) else None

    return get
