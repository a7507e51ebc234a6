"""Odds study over a catalog: every event's markets, from a data directory, and a screener.

:func:`run_odds_study` drives :func:`eventstudy.odds.shift.odds_shift` over the events of
``events.csv`` and the markets of ``markets.csv``; :func:`shift_markets` does it for one event
and frames in memory; :func:`screen_markets` ranks every market open at an event time.
Conventions, units and statuses are those of :mod:`eventstudy.odds.shift`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataFormatError, DataNotFoundError, SpecificationError
from eventstudy.odds.results import OddsStudyResults
from eventstudy.odds.shift import (
    _DETAIL_COLUMNS,
    DEFAULT_EPS,
    DEFAULT_HORIZONS,
    SHIFT_DEFAULTS,
    Scale,
    _check_eps,
    _check_scale,
    _empty_row,
    _EventTimes,
    _horizons,
    _odds_shift_rows,
    _Prepared,
    _to_timedelta,
    _to_utc,
    _type_detail,
    market_life_problem,
)

__all__ = [
    "outcome_rows",
    "run_odds_study",
    "screen_markets",
    "select_outcome_token",
    "shift_markets",
]


# --------------------------------------------------------------------------------------------
# many markets
# --------------------------------------------------------------------------------------------


def outcome_rows(markets: pd.DataFrame, outcome: str = "Yes") -> pd.DataFrame:
    """The rows of ``markets`` (one per token) whose outcome label is ``outcome``.

    Matching is on the label (case- and whitespace-insensitive), never on position: index 0 is
    not always "Yes" (ECOSYSTEM.md §1.2).
    """
    labels = markets["outcome"].astype(str).str.strip().str.casefold()
    return markets[labels == outcome.strip().casefold()]


def select_outcome_token(market_rows: pd.DataFrame, outcome: str = "Yes") -> pd.Series | None:
    """The row of ``market_rows`` (one market's tokens) whose outcome label is ``outcome``.

    See :func:`outcome_rows`; None when no label matches.
    """
    hit = outcome_rows(market_rows, outcome)
    return None if hit.empty else hit.iloc[0]


def _market_meta(row: pd.Series | None, slug: str, outcome: str) -> dict:
    if row is None:
        return {
            "slug": slug,
            "question": "",
            "token_id": "",
            "outcome": outcome,
            "market_id": "",
            "closed_at": pd.NaT,
        }
    return {
        "slug": str(row["slug"]),
        "question": str(row.get("question", "")),
        "token_id": str(row["token_id"]),
        "outcome": str(row["outcome"]),
        "market_id": str(row.get("market_id", "")),
        "closed_at": row.get("closed_at", pd.NaT),
    }


_META_COLUMNS = ["slug", "question", "token_id", "outcome", "market_id", "closed_at", "linked"]


def _not_computable_rows(
    meta: dict, hs: list[pd.Timedelta], tau: pd.Timestamp, reason: str, eps: float, scale: str
) -> list[dict]:
    rows = []
    for h in hs:
        r = _empty_row(h, tau, pd.NaT, eps, scale)
        r["status"], r["reason"] = "not_computable", reason
        rows.append(r | meta)
    return rows


def _rows_frame(rows: list[dict], extra: Sequence[str] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*_DETAIL_COLUMNS, *_META_COLUMNS, *extra])
    frame = _type_detail(frame)
    for c in ("slug", "question", "token_id", "outcome", "market_id"):
        frame[c] = frame[c].astype(str)
    frame["linked"] = frame["linked"].astype(bool)
    frame["closed_at"] = pd.to_datetime(frame["closed_at"].astype(object), utc=True)
    return frame


def shift_markets(
    event_time: Any,
    markets: pd.DataFrame,
    odds_by_token: Mapping[str, pd.DataFrame | None],
    *,
    slugs: Sequence[str] | None = None,
    include_open_markets: bool = False,
    outcome: str = "Yes",
    horizons: Iterable[Any] | str = DEFAULT_HORIZONS,
    **shift_options: Any,
) -> pd.DataFrame:
    """Odds shifts of several markets around one event (pure: frames in, frame out).

    Parameters
    ----------
    event_time : Timestamp-like, tz-aware
    markets : DataFrame
        ``markets.csv`` as :func:`eventstudy.data.store.load_markets` returns it (one row per
        token):
        ``slug, question, outcome, token_id (str), created_at, closed_at, has_prices`` at least.
    odds_by_token : mapping of str to DataFrame, str or None
        Price path (``t, p``) per token id; a missing key or None means no price history; a
        str is the reason the path could not be read (it becomes the rows' ``reason``).
    slugs : sequence of str, optional
        Markets linked to the event (``events.csv`` column ``polymarket``).
    include_open_markets : bool, default False
        Also every market open at the event time (``created_at <= event_time < closed_at``,
        with price history), flagged ``linked = False``.
    outcome : str, default "Yes"
        Outcome label of the token to study (matched on the label).
    horizons : sequence of Timedelta-like
    **shift_options
        Passed to :func:`odds_shift` (``eps``, ``scale``, ``estimation_window``, ``guard``,
        ``exclude_times``, ``min_estimation_changes``, ``min_null``, ``tolerance``).

    Returns
    -------
    DataFrame
        :func:`odds_shift`'s columns plus ``slug, question, token_id, outcome, market_id,
        linked``; a slug not in ``markets``, an outcome not offered or a token without prices
        gives ``not_computable`` rows with the reason.
    """
    return _rows_frame(
        _shift_market_rows(
            event_time,
            markets,
            odds_by_token,
            slugs=slugs,
            include_open_markets=include_open_markets,
            outcome=outcome,
            horizons=horizons,
            **shift_options,
        )
    )


class _MarketIndex:
    """``markets.csv`` indexed once per study.

    Each slug's rows, its outcome token, the tokens with prices, and the markets open at a
    time, each found without scanning every market (or matching outcome labels) again for
    every event.
    """

    def __init__(self, markets: pd.DataFrame, outcome: str) -> None:
        self.markets = markets
        self.outcome = outcome
        by = markets.groupby("slug", sort=False).indices
        self._positions = {str(k): v for k, v in by.items()}
        # outcome_rows' test, once for every row
        labels = markets["outcome"].astype(str).str.strip().str.casefold()
        self._is_outcome = (labels == outcome.strip().casefold()).to_numpy()
        self._priced = (
            markets["has_prices"].astype(bool).to_numpy()
            if "has_prices" in markets
            else np.ones(len(markets), dtype=bool)
        )
        self._tokens = markets["token_id"].astype(str).to_numpy()
        self._rows: dict[str, pd.Series | None] = {}
        self._life: tuple[pd.Series, pd.Series, pd.Series | None] | None = None

    def listed(self, slug: str) -> bool:
        """Whether ``markets.csv`` has the market."""
        return slug in self._positions

    def group(self, slug: str) -> pd.DataFrame:
        """The rows of one listed market (one per token), in file order."""
        return self.markets.take(self._positions[slug])

    def outcome_row(self, slug: str) -> pd.Series | None:
        """:func:`select_outcome_token` of the market's rows (None when not offered)."""
        if slug not in self._rows:
            where = self._positions.get(slug, np.empty(0, dtype=np.intp))
            hit = where[self._is_outcome[where]]
            self._rows[slug] = self.markets.iloc[hit[0]] if len(hit) else None
        return self._rows[slug]

    def priced_tokens(self, slug: str) -> list[str]:
        """Token ids of the market's outcome rows that have a price history."""
        where = self._positions.get(slug, np.empty(0, dtype=np.intp))
        return list(self._tokens[where[self._is_outcome[where] & self._priced[where]]])

    def open_slugs(self, tau: pd.Timestamp) -> list[str]:
        """Slugs of markets with price history open at ``tau``, in file order.

        Open: created <= tau < closed.
        """
        if self._life is None:
            m = self.markets
            has = m["has_prices"].astype(bool) if "has_prices" in m else None
            self._life = (
                pd.to_datetime(m["created_at"], utc=True),
                pd.to_datetime(m["closed_at"], utc=True),
                has,
            )
        created, closed, has = self._life
        open_ = (created <= tau) & (closed.isna() | (closed > tau))
        if has is not None:
            open_ &= has
        return list(dict.fromkeys(self.markets.loc[open_, "slug"].astype(str)))

    def tokens_needed(
        self, slugs: Iterable[str], tau: pd.Timestamp, include_open: bool
    ) -> list[str]:
        """Token ids to load for an event.

        The priced outcome tokens of its ``slugs`` (and of every market open at ``tau`` when
        ``include_open``).
        """
        wanted = dict.fromkeys(slugs)
        if include_open:
            wanted |= dict.fromkeys(self.open_slugs(tau))
        return list(dict.fromkeys(t for slug in wanted for t in self.priced_tokens(slug)))


class _PreparedOdds:
    """Each token's odds prepared once, for every event that uses the token.

    Prepared: :class:`~eventstudy.odds.shift._Prepared`. Anything but a frame is passed on as
    it is (and refused by :func:`~eventstudy.odds.shift.prepare_odds` exactly as before).
    """

    def __init__(self) -> None:
        self._done: dict[str, _Prepared] = {}

    def get(self, token: str, odds: Any) -> Any:
        if not isinstance(odds, pd.DataFrame):
            return odds
        hit = self._done.get(token)
        if hit is None or hit.source is not odds:
            hit = self._done[token] = _Prepared(odds)
        return hit


def _shift_market_rows(
    event_time: Any,
    markets: pd.DataFrame,
    odds_by_token: Mapping[str, pd.DataFrame | str | None],
    *,
    slugs: Sequence[str] | None = None,
    include_open_markets: bool = False,
    outcome: str = "Yes",
    horizons: Iterable[Any] | str = DEFAULT_HORIZONS,
    _index: _MarketIndex | None = None,
    _prepared: _PreparedOdds | None = None,
    **shift_options: Any,
) -> list[dict]:
    """The rows of :func:`shift_markets`.

    A study passes the markets indexed (``_index``), its tokens' prepared odds
    (``_prepared``) and ``exclude_times`` as an :class:`~eventstudy.odds.shift._EventTimes`,
    built once for all its events.
    """
    tau = _to_utc(event_time, "event_time")
    hs = _horizons(horizons)
    eps = shift_options.get("eps", DEFAULT_EPS)
    scale = shift_options.get("scale", "logodds")
    _check_eps(eps)
    _check_scale(scale)
    index = _index if _index is not None else _MarketIndex(markets, outcome)
    prepared = _prepared if _prepared is not None else _PreparedOdds()
    if "exclude_times" in shift_options and not isinstance(
        shift_options["exclude_times"], _EventTimes
    ):
        shift_options["exclude_times"] = _EventTimes(shift_options["exclude_times"])
    slugs = list(dict.fromkeys(slugs or []))
    targets: list[tuple[str, bool]] = [(s, True) for s in slugs]
    if include_open_markets:
        linked_slugs = set(slugs)
        targets += [(s, False) for s in index.open_slugs(tau) if s not in linked_slugs]
    rows: list[dict] = []
    for slug, linked in targets:
        if not index.listed(slug):
            meta = _market_meta(None, slug, outcome) | {"linked": linked}
            rows += _not_computable_rows(meta, hs, tau, "slug not in markets.csv", eps, scale)
            continue
        row = index.outcome_row(slug)
        if row is None:
            group = index.group(slug)
            meta = _market_meta(group.iloc[0], slug, outcome) | {
                "token_id": "",
                "outcome": outcome,
                "linked": linked,
            }
            offered = ", ".join(map(str, group["outcome"]))
            reason = f"outcome {outcome!r} not offered by this market (outcomes: {offered})"
            rows += _not_computable_rows(meta, hs, tau, reason, eps, scale)
            continue
        meta = _market_meta(row, slug, outcome) | {"linked": linked}
        odds = odds_by_token.get(meta["token_id"])
        if odds is None or isinstance(odds, str):
            # Name what the metadata already says (created after / closed before the event):
            # the price history would not have helped.
            life = market_life_problem(tau, row.get("created_at"), row.get("closed_at"))
            missing = odds if isinstance(odds, str) else "no price history in the data directory"
            reason = missing if life is None else f"{life}; {missing}"
            rows += _not_computable_rows(meta, hs, tau, reason, eps, scale)
            continue
        res = _odds_shift_rows(
            prepared.get(meta["token_id"], odds),
            tau,
            hs,
            **(
                SHIFT_DEFAULTS
                | shift_options
                | {"created_at": row.get("created_at"), "closed_at": row.get("closed_at")}
            ),
        )
        rows += [r | meta for r in res]
    return rows


def _default_loaders(
    data_dir: str | Path | None,
    markets: pd.DataFrame | None,
    odds_loader: Callable[[str], pd.DataFrame] | None,
) -> tuple[pd.DataFrame, Callable[[str], pd.DataFrame | str | None]]:
    if markets is None or odds_loader is None:
        from eventstudy.data import (
            store,  # lazy: keeps the compute functions importable on their own
        )

        if markets is None:
            markets = store.load_markets(data_dir)
        if odds_loader is None:

            def odds_loader(token_id: str) -> pd.DataFrame:
                return store.load_odds(token_id, data_dir)

    cache: dict[str, pd.DataFrame | str | None] = {}
    loader = odds_loader

    def cached(token_id: str) -> pd.DataFrame | str | None:
        if token_id not in cache:
            try:
                cache[token_id] = loader(token_id)
            except DataNotFoundError:
                cache[token_id] = None
            except DataFormatError as exc:  # one bad file must not stop the study
                cache[token_id] = f"price file unreadable: {exc}"
        return cache[token_id]

    return markets, cached


def _events_frame(events: pd.DataFrame | str | Path) -> pd.DataFrame:
    if isinstance(events, str | Path):
        from eventstudy.data.catalog import load_events

        events = load_events(events)
    missing = {"event_id", "event_time"} - set(events.columns)
    if missing:
        raise SpecificationError(
            f"events frame lacks column(s) {sorted(missing)}; expected catalog.load_events output "
            "(event_id, event_time, polymarket_slugs, ...)"
        )
    ids = events["event_id"].astype(str)
    dup = ids[ids.duplicated()].unique().tolist()
    if dup:
        raise SpecificationError(
            f"events has {len(dup)} duplicated event_id(s): {dup[:5]}; each event_id must "
            "appear once (drop or rename the repeated rows)"
        )
    return events


def _slugs_of(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, float) and math.isnan(value):
        return []
    return [str(v) for v in value]


def run_odds_study(
    events: pd.DataFrame | str | Path,
    *,
    data_dir: str | Path | None = None,
    horizons: Iterable[Any] | str = DEFAULT_HORIZONS,
    include_open_markets: bool = False,
    outcome: str = "Yes",
    eps: float = DEFAULT_EPS,
    scale: Scale = "logodds",
    estimation_window: Any = "60D",
    min_estimation_changes: int = 10,
    guard: Any = "1D",
    exclude_other_events: bool = True,
    min_null: int = 20,
    tolerance: Any = None,
    markets: pd.DataFrame | None = None,
    odds_loader: Callable[[str], pd.DataFrame] | None = None,
    paths_span: Any = "14D",
) -> OddsStudyResults:
    """Odds shifts of every event's linked markets (and optionally every open market).

    Parameters
    ----------
    events : DataFrame or path
        :func:`eventstudy.data.catalog.load_events` output (``event_id``, ``event_time`` tz-aware
        UTC, ``polymarket_slugs`` list of str, optionally ``time_known``), or a path to
        ``events.csv``.
    data_dir : path, optional
        Data directory (``eventstudy-data/1`` layout); see
        :func:`eventstudy.data.store.resolve_data_dir`.
    horizons : sequence of Timedelta-like, default ("1D", "3D", "7D")
        Wall-clock durations after the event.
    include_open_markets : bool, default False
        Also study every market (with prices) open at each event time; ``linked`` says which
        rows come from ``events.csv``.
    outcome : str, default "Yes"
        Outcome label of the token studied (label match, not position).
    eps : float, default 0.005
        Log-odds clip ``[eps, 1 - eps]``.
    scale : {"logodds", "pp"}, default "logodds"
        Scale of ``abnormal_z`` and ``empirical_p``.
    estimation_window : Timedelta-like, default "60D"
        Pre-event window for ``abnormal_z``.
    min_estimation_changes : int, default 10
    guard : Timedelta-like, default "1D"
        Guard band kept out of the null around the event.
    exclude_other_events : bool, default True
        Also keep every other catalog event's window (plus guard) out of each null.
    min_null : int, default 20
    tolerance : Timedelta-like, optional
        Default ``max(1.5 * median spacing, 1 h)`` per token.
    markets : DataFrame, optional
        ``markets.csv`` frame; default :func:`eventstudy.data.store.load_markets` (``data_dir``).
    odds_loader : callable, optional
        ``token_id -> DataFrame[t, p]``; default :func:`eventstudy.data.store.load_odds`. A
        :class:`~eventstudy.exceptions.DataNotFoundError` or
        :class:`~eventstudy.exceptions.DataFormatError` gives ``not_computable`` rows saying why.
    paths_span : Timedelta-like, default "14D"
        The samples of every linked market with a computed shift within this span either side
        of its event are kept in ``.paths`` (what the plots draw).

    Returns
    -------
    OddsStudyResults
        ``.shifts`` (one row per event, market and horizon), ``.details``, ``.paths``,
        ``.summary()``.

    See Also
    --------
    odds_shift : the computation for one token and event (module notes give the conventions).
    """
    ev = _events_frame(events)
    hs = _horizons(horizons)
    markets, load = _default_loaders(data_dir, markets, odds_loader)
    options = {
        "eps": eps,
        "scale": scale,
        "estimation_window": estimation_window,
        "min_estimation_changes": min_estimation_changes,
        "guard": guard,
        "min_null": min_null,
        "tolerance": tolerance,
    }
    _check_eps(eps)
    _check_scale(scale)
    span = _to_timedelta(paths_span, "paths_span")
    # Every event's own time is kept out of its null anyway, so "the other events" of every
    # event are all the catalog's times: one sorted array, searched for each (event, market).
    times = ev["event_time"]
    others = _EventTimes(times[times.notna()] if exclude_other_events else ())
    index = _MarketIndex(markets, outcome)
    prepared = _PreparedOdds()
    rows: list[dict] = []
    paths: list[tuple] = []
    for r in ev.itertuples(index=False):
        event_id = str(r.event_id)
        slugs = _slugs_of(getattr(r, "polymarket_slugs", None))
        if pd.isna(r.event_time) or (not slugs and not include_open_markets):
            continue
        tau = _to_utc(r.event_time, f"event_time of {event_id}")
        tokens = index.tokens_needed(slugs, tau, include_open_markets)
        odds = {tok: load(tok) for tok in tokens}
        res = _shift_market_rows(
            tau,
            markets,
            odds,
            slugs=slugs,
            include_open_markets=include_open_markets,
            outcome=outcome,
            horizons=hs,
            exclude_times=others,
            _index=index,
            _prepared=prepared,
            **options,
        )
        extra = {
            "event_id": event_id,
            "event_time": tau,
            "time_known": bool(getattr(r, "time_known", True)),
        }
        rows += [x | extra for x in res]
        paths += _paths_around(event_id, tau, res, odds, span, prepared)
    details = _rows_frame(rows, extra=("event_id", "event_time", "time_known"))
    details["event_id"] = details["event_id"].astype(str)
    details["event_time"] = pd.to_datetime(
        details["event_time"].astype(object), utc=True
    ).dt.as_unit("us")
    details["time_known"] = details["time_known"].astype(bool)
    settings = {
        "horizons": [str(h) for h in hs],
        "outcome": outcome,
        "eps": eps,
        "scale": scale,
        "estimation_window": str(_to_timedelta(estimation_window, "estimation_window")),
        "min_estimation_changes": min_estimation_changes,
        "guard": str(_to_timedelta(guard, "guard", positive=False)),
        "exclude_other_events": exclude_other_events,
        "min_null": min_null,
        "tolerance": "max(1.5 x median spacing, 1h)"
        if tolerance is None
        else str(pd.Timedelta(tolerance)),
        "include_open_markets": include_open_markets,
        "n_events": len(ev),
        "paths_span": str(span),
    }
    return OddsStudyResults(details, settings, paths=_paths_frame(paths))


def _paths_around(
    event_id: str,
    tau: pd.Timestamp,
    rows: list[dict],
    odds: Mapping[str, Any],
    span: pd.Timedelta,
    prepared: _PreparedOdds,
) -> list[tuple]:
    """Where the samples within ``span`` of the event are, per linked market with a shift.

    ``(event_id, slug, token_id, prepared odds, first, past)``: a slice of the token's
    samples (sorted by time, so found by binary search), per market with a computed shift.
    """
    out = []
    done: set[str] = set()
    for row in rows:
        token = row.get("token_id", "")
        frame = odds.get(token)
        if token in done or row.get("status") == "not_computable" or not row.get("linked"):
            continue
        if not isinstance(frame, pd.DataFrame):
            continue
        done.add(token)
        prep = prepared.get(token, frame)
        lo = int(np.searchsorted(prep.t_ns, (tau - span).value, side="left"))
        hi = int(np.searchsorted(prep.t_ns, (tau + span).value, side="right"))
        out.append((event_id, row["slug"], token, prep, lo, hi))
    return out


def _paths_frame(pieces: list[tuple]) -> pd.DataFrame:
    """``event_id, slug, token_id, t, p`` of every piece of :func:`_paths_around`, in order.

    One frame built from the slices (not one small frame per event and market).
    """
    columns = ["event_id", "slug", "token_id", "t", "p"]
    if not pieces:
        return pd.DataFrame({c: [] for c in columns})
    sizes = [hi - lo for *_, lo, hi in pieces]
    if sum(sizes) == 0:  # keep the columns' types of the per-piece frames
        frames = [
            prep.data.iloc[lo:hi].assign(event_id=e, slug=s, token_id=k)[columns]
            for e, s, k, prep, lo, hi in pieces
        ]
        return pd.concat(frames, ignore_index=True)

    def repeat(i: int) -> np.ndarray:
        return np.repeat(np.array([piece[i] for piece in pieces], dtype=object), sizes)

    t_ns = np.concatenate([prep.t_ns[lo:hi] for *_, prep, lo, hi in pieces])
    return pd.DataFrame(
        {
            "event_id": repeat(0),
            "slug": repeat(1),
            "token_id": repeat(2),
            "t": pd.to_datetime(t_ns, unit="ns", utc=True),
            "p": np.concatenate([prep.p[lo:hi] for *_, prep, lo, hi in pieces]),
        }
    )


def screen_markets(
    event: str | Any,
    *,
    events: pd.DataFrame | str | Path | None = None,
    data_dir: str | Path | None = None,
    horizon: Any = "1D",
    outcome: str = "Yes",
    rank_by: Literal["abnormal_z", "empirical_p", "shift_logodds"] = "abnormal_z",
    markets: pd.DataFrame | None = None,
    odds_loader: Callable[[str], pd.DataFrame] | None = None,
    **shift_options: Any,
) -> pd.DataFrame:
    """Which questions did the event reprice most? Rank every market open at the event time.

    Parameters
    ----------
    event : str or Timestamp-like
        An ``event_id`` of ``events`` or a tz-aware event time.
    events : DataFrame or path, optional
        Needed when ``event`` is an ``event_id``; its other events are kept out of the nulls.
    data_dir : path, optional
    horizon : Timedelta-like, default "1D"
    outcome : str, default "Yes"
    rank_by : {"abnormal_z", "empirical_p", "shift_logodds"}, default "abnormal_z"
        * ``"abnormal_z"`` -- descending ``|abnormal_z|``;
        * ``"empirical_p"`` -- ascending ``empirical_p`` (ties by ``|abnormal_z|``);
        * ``"shift_logodds"`` -- descending ``|shift_logodds|``.

        Rows where the key is NaN come last, in ``|shift_logodds|`` order.
    markets, odds_loader
        As in :func:`run_odds_study`.
    **shift_options
        Passed to :func:`odds_shift`.

    Returns
    -------
    DataFrame
        One row per market open at the event time (with price history): ``rank`` (1 = most
        repriced), ``linked`` (listed for the event in ``events.csv``) and the columns of
        :func:`odds_shift`, plus ``slug, question, token_id, outcome, market_id, volume_usd``.
    """
    if rank_by not in ("abnormal_z", "empirical_p", "shift_logodds"):
        raise SpecificationError(
            f"rank_by={rank_by!r} is not accepted; "
            "expected one of 'abnormal_z', 'empirical_p', 'shift_logodds'"
        )
    ev = _events_frame(events) if events is not None else None
    linked: list[str] = []
    others: list[Any] = []
    if isinstance(event, str) and not _looks_like_time(event):
        if ev is None:
            raise SpecificationError(
                f"event={event!r} is an event_id; pass events= (the catalog) too"
            )
        hit = ev[ev["event_id"].astype(str) == event]
        if hit.empty:
            raise SpecificationError(f"event_id {event!r} is not in the events catalog")
        tau = _to_utc(hit["event_time"].iloc[0], f"event_time of {event}")
        linked = _slugs_of(hit["polymarket_slugs"].iloc[0]) if "polymarket_slugs" in hit else []
        others = [
            t
            for k, t in zip(ev["event_id"].astype(str), ev["event_time"], strict=True)
            if k != event
        ]
    else:
        tau = _to_utc(event, "event")
        if ev is not None:
            others = [
                t for t in ev["event_time"] if not pd.isna(t) and _to_utc(t, "event_time") != tau
            ]
    others = [t for t in others if not pd.isna(t)]
    markets, load = _default_loaders(data_dir, markets, odds_loader)
    index = _MarketIndex(markets, outcome)
    tokens = index.tokens_needed([], tau, True)
    odds = {tok: load(tok) for tok in tokens}
    shift_options.setdefault("exclude_times", others)
    res = _rows_frame(
        _shift_market_rows(
            tau,
            markets,
            odds,
            slugs=None,
            include_open_markets=True,
            outcome=outcome,
            horizons=[horizon],
            _index=index,
            **shift_options,
        )
    )
    res["linked"] = res["slug"].isin(linked)
    if "volume_usd" in markets:
        vol = markets.drop_duplicates("slug").set_index("slug")["volume_usd"]
        res["volume_usd"] = res["slug"].map(vol).astype("float64")
    if rank_by == "empirical_p":
        keys = [res["empirical_p"], -res["abnormal_z"].abs()]
    else:
        keys = [-res[rank_by].abs()]
    order = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    order["fallback"] = -res["shift_logodds"].abs()
    order = order.sort_values(list(order.columns), na_position="last", kind="stable").index
    res = res.loc[order].reset_index(drop=True)
    res.insert(0, "rank", np.arange(1, len(res) + 1))
    return res


def _looks_like_time(text: str) -> bool:
    return len(text) >= 10 and text[:4].isdigit() and text[4] == "-"
