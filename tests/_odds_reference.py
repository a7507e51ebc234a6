"""Verbatim copies of the odds study before it was made linear in event x market pairs.

The code of ``eventstudy.odds.study`` (whole), of ``prepare_odds`` and ``_odds_shift_rows``
with its null helpers (``eventstudy.odds.shift``) and of ``gold_odds_association`` with its
permutation test (``eventstudy.odds.association``) as of commit 82918f9: every event rebuilt
the list of all other event times and every (event, market) pair ran ``prepare_odds`` again. ``tests/test_odds_linear.py`` checks the linear implementations
against it, on the snapshot and on random catalogs. Not used by the package.
"""

# ruff: noqa

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy.exceptions import DataFormatError, DataNotFoundError, SpecificationError
from eventstudy.odds.results import AssociationTest, GoldOddsAssociation, OddsStudyResults
from eventstudy.odds.shift import (
    _DETAIL_COLUMNS,
    _SEVERITY,
    _TIE_TOL,
    DEFAULT_EPS,
    DEFAULT_HORIZONS,
    SHIFT_DEFAULTS,
    Aggregate,
    Scale,
    _check_eps,
    _check_scale,
    _empty_row,
    _fmt_td,
    _fmt_ts,
    _horizons,
    _opt_utc,
    _to_timedelta,
    _to_utc,
    _type_detail,
    default_tolerance,
    logodds,
    market_life_problem,
)

Orientation = Mapping[str, int] | pd.DataFrame


def prepare_odds(odds: pd.DataFrame) -> pd.DataFrame:
    """Check and normalise an odds frame: columns ``t`` (tz-aware UTC) and ``p`` in [0, 1].

    Sorted by ``t``; rows with missing ``p`` dropped; exact duplicate rows (same ``t`` and
    ``p``) dropped. A timestamp repeated with different prices is an error: which sample is the
    price is not for this function to guess (deduplicate first, e.g. keep the last sample as
    :func:`eventstudy.data.store.load_odds` does for files).

    Parameters
    ----------
    odds : DataFrame
        ``t`` (datetime64, tz-aware) and ``p`` (float, probability).

    Returns
    -------
    DataFrame
        ``t`` as ``datetime64[ns, UTC]``, ``p`` as float64, index 0..n-1.

    Raises
    ------
    DataFormatError
        Missing columns, naive timestamps or prices outside [0, 1].
    SpecificationError
        A timestamp appears with two different prices.
    """
    if not isinstance(odds, pd.DataFrame) or not {"t", "p"} <= set(odds.columns):
        cols = list(odds.columns) if isinstance(odds, pd.DataFrame) else type(odds).__name__
        raise DataFormatError(f"odds frame needs columns 't' and 'p'; got {cols}")
    t = pd.to_datetime(odds["t"])
    if t.dt.tz is None:
        raise DataFormatError("odds column 't' has no time zone; expected tz-aware UTC timestamps")
    out = pd.DataFrame(
        {"t": t.dt.tz_convert("UTC").dt.as_unit("ns"), "p": odds["p"].astype("float64")}
    )
    out = out.dropna(subset=["t", "p"])
    bad = out["p"][(out["p"] < 0) | (out["p"] > 1)]
    if len(bad):
        raise DataFormatError(
            f"odds column 'p' has {len(bad)} value(s) outside [0, 1] (first: {bad.iloc[0]!r}); "
            "expected probabilities"
        )
    out = out.sort_values("t", kind="stable").drop_duplicates(["t", "p"], keep="last")
    clash = out["t"].duplicated(keep=False)
    if clash.any():
        first = out.loc[clash, "t"].iloc[0]
        prices = out.loc[out["t"] == first, "p"].tolist()
        raise SpecificationError(
            f"odds has {int(out['t'].duplicated().sum())} repeated timestamp(s) with different "
            f"prices; first: {first.isoformat()} has p={prices[0]!r} and p={prices[1]!r}. "
            "Deduplicate first, e.g. keep the last sample: "
            "odds.drop_duplicates('t', keep='last') "
            "(eventstudy.data.store.load_odds already does this for files and records the count in "
            "attrs['duplicates_dropped'])"
        )
    return out.reset_index(drop=True)


def _grid_changes(
    t_ns: np.ndarray, x: np.ndarray, starts: np.ndarray, elapsed_ns: int
) -> np.ndarray:
    """x(asof(t_i + elapsed)) - x(t_i) for start positions ``starts`` into ``t_ns``."""
    if len(starts) == 0:
        return np.empty(0)
    end = np.searchsorted(t_ns, t_ns[starts] + elapsed_ns, side="right") - 1
    return x[end] - x[starts]


def _band_overlap(
    t_start: np.ndarray, elapsed_ns: int, centres_ns: Iterable[int], guard_ns: int
) -> np.ndarray:
    """True where ``[t, t + elapsed]`` overlaps ``[c - guard, c + elapsed + guard]``."""
    hit = np.zeros(len(t_start), dtype=bool)
    for c in centres_ns:
        lo, hi = c - guard_ns, c + elapsed_ns + guard_ns
        hit |= (t_start <= hi) & (t_start + elapsed_ns >= lo)
    return hit


def _odds_shift_rows(
    odds: pd.DataFrame,
    event_time: Any,
    horizons: Iterable[Any] | str,
    *,
    created_at: Any,
    closed_at: Any,
    eps: float,
    scale: Scale,
    estimation_window: Any,
    min_estimation_changes: int,
    guard: Any,
    exclude_times: Iterable[Any],
    min_null: int,
    tolerance: Any,
) -> list[dict]:
    """The rows of :func:`odds_shift` (its defaults live there only: see
    :data:`SHIFT_DEFAULTS`)."""
    _check_eps(eps)
    _check_scale(scale)
    hs = _horizons(horizons)
    tau = _to_utc(event_time, "event_time")
    created = _opt_utc(created_at, "created_at")
    closed = _opt_utc(closed_at, "closed_at")
    window = _to_timedelta(estimation_window, "estimation_window")
    guard_td = _to_timedelta(guard, "guard", positive=False)
    excl_ns = [_to_utc(e, "exclude_times").value for e in exclude_times]
    data = prepare_odds(odds)
    t_ns = pd.DatetimeIndex(data["t"]).asi8
    p = data["p"].to_numpy()
    tol = (
        default_tolerance(data["t"]) if tolerance is None else _to_timedelta(tolerance, "tolerance")
    )

    rows = []
    for h in hs:
        row = _empty_row(h, tau, tol, eps, scale)
        reasons: list[str] = []
        statuses: list[str] = []

        def fail(msg: str, row: dict = row, reasons: list[str] = reasons) -> dict:
            row["status"] = "not_computable"
            row["reason"] = "; ".join([msg, *reasons])
            return row

        if len(p) == 0:
            rows.append(fail("no price history"))
            continue
        life = market_life_problem(tau, created, closed)
        if life is not None:
            rows.append(fail(life))
            continue
        i_before = int(np.searchsorted(t_ns, tau.value, side="left")) - 1
        if i_before < 0:
            rows.append(
                fail(
                    f"no price sample before the event (first sample {_fmt_ts(data['t'].iloc[0])})"
                )
            )
            continue

        target = tau + h
        if closed is not None and closed < target:
            target = closed
            row["truncated"] = True
            statuses.append("truncated")
            reasons.append(
                f"market closed {_fmt_ts(closed)} before event + {_fmt_td(h)}; "
                f"horizon used {_fmt_td(closed - tau)}"
            )
        row["target_time"] = target
        row["horizon_used"] = target - tau
        i_after = int(np.searchsorted(t_ns, target.value, side="right")) - 1
        if t_ns[i_after] <= tau.value:
            rows.append(
                fail(
                    f"no price sample in (event, {_fmt_ts(target)}]: sampling too coarse for this "
                    "horizon or no data after the event"
                )
            )
            continue

        t_before = data["t"].iloc[i_before]
        t_after = data["t"].iloc[i_after]
        row.update(
            t_before=t_before,
            p_before=p[i_before],
            t_after=t_after,
            p_after=p[i_after],
            elapsed=t_after - t_before,
            gap_before=tau - t_before,
            gap_after=target - t_after,
        )
        if row["gap_before"] > tol or row["gap_after"] > tol:
            row["stale"] = True
            statuses.append("stale")
            which = [
                f"{name} sample {_fmt_td(gap)} from its target"
                for name, gap in (("before", row["gap_before"]), ("after", row["gap_after"]))
                if gap > tol
            ]
            reasons.append(f"{' and '.join(which)} (tolerance {_fmt_td(tol)})")

        x_all = logodds(p, eps) if scale == "logodds" else 100.0 * p
        row["shift_pp"] = 100.0 * (p[i_after] - p[i_before])
        row["shift_logodds"] = float(logodds(p[i_after], eps) - logodds(p[i_before], eps))
        shift = row["shift_logodds"] if scale == "logodds" else row["shift_pp"]
        elapsed_ns = int(t_ns[i_after] - t_ns[i_before])

        # abnormal z: same-elapsed-time changes in the pre-event window, samples < event only
        pre_t, pre_x = t_ns[: i_before + 1], x_all[: i_before + 1]
        lo = np.searchsorted(pre_t, tau.value - window.value, side="left")
        hi = np.searchsorted(pre_t, tau.value - elapsed_ns, side="right")
        est = _grid_changes(pre_t, pre_x, np.arange(lo, max(lo, hi)), elapsed_ns)
        row["n_estimation"] = len(est)
        base_problems = []
        if len(est) < max(int(min_estimation_changes), 2):
            base_problems.append(
                f"abnormal_z not computed: {len(est)} same-elapsed-time changes in the "
                f"{_fmt_td(window)} pre-event window (need >= {min_estimation_changes})"
            )
        else:
            sd = float(np.std(est, ddof=1))
            row["sigma"] = sd
            if sd <= _TIE_TOL:
                base_problems.append(
                    "abnormal_z not computed: no variability "
                    f"(all {len(est)} pre-event changes are 0)"
                )
            else:
                row["abnormal_z"] = shift / sd

        # empirical p: same-elapsed-time changes over the life, outside the guard bands
        last_ns = t_ns[-1] if closed is None else min(t_ns[-1], closed.value)
        starts = np.flatnonzero(t_ns + elapsed_ns <= last_ns)
        keep = ~_band_overlap(t_ns[starts], elapsed_ns, [tau.value, *excl_ns], guard_td.value)
        null = _grid_changes(t_ns, x_all, starts[keep], elapsed_ns)
        row["n_null"] = len(null)
        if len(null) < max(int(min_null), 1):
            base_problems.append(
                f"empirical_p not computed: {len(null)} non-event changes (need >= {min_null})"
            )
        else:
            exceed = int(np.sum(np.abs(null) >= abs(shift) - _TIE_TOL))
            row["empirical_p"] = (1 + exceed) / (1 + len(null))
        if base_problems:
            statuses.append("no_baseline")
            reasons.extend(base_problems)

        row["status"] = max(statuses, key=_SEVERITY.__getitem__) if statuses else "ok"
        row["reason"] = "; ".join(reasons)
        rows.append(row)

    return rows


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
    """The row of ``market_rows`` (one market's tokens) whose outcome label is ``outcome``
    (see :func:`outcome_rows`); None when no label matches."""
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


def _open_slugs(markets: pd.DataFrame, tau: pd.Timestamp) -> list[str]:
    """Slugs of markets with price history open at ``tau`` (created <= tau < closed)."""
    created = pd.to_datetime(markets["created_at"], utc=True)
    closed = pd.to_datetime(markets["closed_at"], utc=True)
    open_ = (created <= tau) & (closed.isna() | (closed > tau))
    if "has_prices" in markets:
        open_ &= markets["has_prices"].astype(bool)
    return list(dict.fromkeys(markets.loc[open_, "slug"].astype(str)))


def _shift_market_rows(
    event_time: Any,
    markets: pd.DataFrame,
    odds_by_token: Mapping[str, pd.DataFrame | str | None],
    *,
    slugs: Sequence[str] | None = None,
    include_open_markets: bool = False,
    outcome: str = "Yes",
    horizons: Iterable[Any] | str = DEFAULT_HORIZONS,
    **shift_options: Any,
) -> list[dict]:
    tau = _to_utc(event_time, "event_time")
    hs = _horizons(horizons)
    eps = shift_options.get("eps", DEFAULT_EPS)
    scale = shift_options.get("scale", "logodds")
    _check_eps(eps)
    _check_scale(scale)
    slugs = list(dict.fromkeys(slugs or []))
    targets: list[tuple[str, bool]] = [(s, True) for s in slugs]
    if include_open_markets:
        targets += [(s, False) for s in _open_slugs(markets, tau) if s not in slugs]
    wanted = markets[markets["slug"].astype(str).isin({s for s, _ in targets})]
    by_slug = {str(s): g for s, g in wanted.groupby("slug", sort=False)}
    rows: list[dict] = []
    for slug, linked in targets:
        group = by_slug.get(slug)
        if group is None:
            meta = _market_meta(None, slug, outcome) | {"linked": linked}
            rows += _not_computable_rows(meta, hs, tau, "slug not in markets.csv", eps, scale)
            continue
        row = select_outcome_token(group, outcome)
        if row is None:
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
            odds,
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


def _tokens_needed(
    markets: pd.DataFrame, slugs: Iterable[str], outcome: str, tau: pd.Timestamp, include_open: bool
) -> list[str]:
    wanted = set(slugs)
    if include_open:
        wanted |= set(_open_slugs(markets, tau))
    sub = outcome_rows(markets[markets["slug"].astype(str).isin(wanted)], outcome)
    if "has_prices" in sub:
        sub = sub[sub["has_prices"].astype(bool)]
    return list(dict.fromkeys(sub["token_id"].astype(str)))


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
    times = {str(r.event_id): r.event_time for r in ev.itertuples(index=False)}
    span = _to_timedelta(paths_span, "paths_span")
    rows: list[dict] = []
    paths: list[pd.DataFrame] = []
    for r in ev.itertuples(index=False):
        event_id = str(r.event_id)
        slugs = _slugs_of(getattr(r, "polymarket_slugs", None))
        if pd.isna(r.event_time) or (not slugs and not include_open_markets):
            continue
        tau = _to_utc(r.event_time, f"event_time of {event_id}")
        others = (
            [t for k, t in times.items() if k != event_id and not pd.isna(t)]
            if exclude_other_events
            else []
        )
        tokens = _tokens_needed(markets, slugs, outcome, tau, include_open_markets)
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
            **options,
        )
        extra = {
            "event_id": event_id,
            "event_time": tau,
            "time_known": bool(getattr(r, "time_known", True)),
        }
        rows += [x | extra for x in res]
        paths += _paths_around(event_id, tau, res, odds, span)
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
    path_frame = (
        pd.concat(paths, ignore_index=True)
        if paths
        else pd.DataFrame({"event_id": [], "slug": [], "token_id": [], "t": [], "p": []})
    )
    return OddsStudyResults(details, settings, paths=path_frame)


def _paths_around(
    event_id: str,
    tau: pd.Timestamp,
    rows: list[dict],
    odds: Mapping[str, Any],
    span: pd.Timedelta,
) -> list[pd.DataFrame]:
    """Samples within ``span`` of the event of each linked market with a computed shift."""
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
        data = prepare_odds(frame)
        near = data[(data["t"] >= tau - span) & (data["t"] <= tau + span)]
        out.append(
            near.assign(event_id=event_id, slug=row["slug"], token_id=token)[
                ["event_id", "slug", "token_id", "t", "p"]
            ]
        )
    return out


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
    tokens = _tokens_needed(markets, [], outcome, tau, True)
    odds = {tok: load(tok) for tok in tokens}
    shift_options.setdefault("exclude_times", others)
    res = shift_markets(
        tau,
        markets,
        odds,
        slugs=None,
        include_open_markets=True,
        outcome=outcome,
        horizons=[horizon],
        **shift_options,
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


def _shift_frame(shifts: OddsStudyResults | pd.DataFrame) -> pd.DataFrame:
    frame = shifts.details if isinstance(shifts, OddsStudyResults) else shifts
    need = {"event_id", "slug", "horizon", "shift_logodds", "status"}
    if not need <= set(frame.columns):
        raise SpecificationError(f"shifts lacks column(s) {sorted(need - set(frame.columns))}")
    return frame


def _gold_frame(gold_car: pd.DataFrame) -> pd.DataFrame:
    if not {"event_id", "car"} <= set(gold_car.columns):
        raise SpecificationError(
            f"gold_car needs columns 'event_id' and 'car' (decimal); got {list(gold_car.columns)}"
        )
    g = gold_car[["event_id", "car"]].copy()
    g["event_id"] = g["event_id"].astype(str)
    g["car"] = g["car"].astype("float64")
    if g["event_id"].duplicated().any():
        dup = g.loc[g["event_id"].duplicated(), "event_id"].tolist()
        raise SpecificationError(
            f"gold_car has several rows for event_id(s) {dup}; expected one per event"
        )
    return g


def _signs(orientation: Orientation | None) -> dict[str, int] | None:
    if orientation is None:
        return None
    from eventstudy.data.orientation import orientation_signs

    try:
        return orientation_signs(orientation)
    except ValueError as exc:
        raise SpecificationError(str(exc)) from exc


def gold_odds_table(
    gold_car: pd.DataFrame,
    shifts: OddsStudyResults | pd.DataFrame,
    *,
    horizon: Any = "1D",
    linked_only: bool = True,
    orientation: Orientation | None = None,
) -> pd.DataFrame:
    """Gold's CAR next to the odds shifts of each event's linked markets.

    Parameters
    ----------
    gold_car : DataFrame
        ``event_id``, ``car`` (decimal, e.g. 0.012 = 1.2 %), one row per event.
    shifts : OddsStudyResults or DataFrame
        :func:`run_odds_study` results (or their ``details``/``shifts`` frame).
    horizon : Timedelta-like, default "1D"
    linked_only : bool, default True
        Keep only markets linked in ``events.csv`` (when the frame has ``linked``).
    orientation : mapping slug -> +1/-1 or DataFrame, optional
        When given, adds ``sign`` (+1 YES = more risk, -1 YES = less risk, NaN when the
        market has none) and ``shift_logodds_oriented`` (``shift_logodds * sign``).

    Returns
    -------
    DataFrame
        One row per event and market: ``event_id, car, car_pct, slug, question, p_before,
        p_after, shift_pp, shift_logodds, abnormal_z, empirical_p, status, reason`` (plus
        ``sign, shift_logodds_oriented`` with an orientation); events with a CAR but no
        linked market keep one row with NaN odds columns.
    """
    h = _to_timedelta(horizon, "horizon")
    frame = _shift_frame(shifts)
    frame = frame[pd.to_timedelta(frame["horizon"]) == h]
    if linked_only and "linked" in frame:
        frame = frame[frame["linked"].astype(bool)]
    cols = [
        "event_id",
        "slug",
        "question",
        "p_before",
        "p_after",
        "shift_pp",
        "shift_logodds",
        "abnormal_z",
        "empirical_p",
        "status",
        "reason",
    ]
    cols = [c for c in cols if c in frame.columns]
    g = _gold_frame(gold_car)
    out = g.merge(
        frame[cols].assign(event_id=frame["event_id"].astype(str)), on="event_id", how="left"
    )
    out.insert(2, "car_pct", 100.0 * out["car"])
    signs = _signs(orientation)
    if signs is not None:
        sign = out["slug"].map(signs).astype("float64")
        at = out.columns.get_loc("shift_logodds") + 1
        out.insert(at, "sign", sign)
        out.insert(at + 1, "shift_logodds_oriented", out["shift_logodds"] * sign)
    return out


def _pearson_rows(x: np.ndarray, y_perm: np.ndarray) -> np.ndarray:
    xc = x - x.mean()
    yc = y_perm - y_perm.mean(axis=-1, keepdims=True)
    num = yc @ xc
    den = np.sqrt((xc @ xc) * np.sum(yc * yc, axis=-1))
    return num / den


def permutation_correlation_test(
    x: Any,
    y: Any,
    *,
    method: Literal["pearson", "spearman"] = "pearson",
    n_permutations: int = 9999,
    exact_max_n: int = 8,
    seed: int | None = 0,
) -> AssociationTest:
    """Two-sided permutation test of zero correlation between ``x`` and ``y``.

    Parameters
    ----------
    x, y : array_like, same length N >= 3, no NaN
    method : {"pearson", "spearman"}, default "pearson"
        * ``"pearson"`` -- product-moment correlation of the values;
        * ``"spearman"`` -- Pearson correlation of the ranks (average ranks for ties).
    n_permutations : int, default 9999
        Monte Carlo permutations when ``N > exact_max_n``.
    exact_max_n : int, default 8
        Up to this N all ``N!`` permutations are enumerated (8! = 40,320) and the p-value is
        exact: ``#{pi : |r_pi| >= |r|} / N!`` (the identity included).
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng` for the Monte Carlo case.

    Returns
    -------
    AssociationTest
        ``stat`` = the correlation; Monte Carlo ``pvalue = (1 + #{|r*| >= |r|}) / (1 + B)``.
    """
    if method not in ("pearson", "spearman"):
        raise SpecificationError(
            f"method={method!r} is not accepted; expected 'pearson' or 'spearman'"
        )
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    name = f"permutation ({method})"
    null = "gold CAR and the odds shift are unrelated (exchangeable pairing)"
    alt = "two-sided: correlation != 0"
    if len(y) != n or n < 3:
        return AssociationTest(
            name, np.nan, np.nan, "permutation", null, alt, n, "", f"need N >= 3 pairs (N = {n})"
        )
    if method == "spearman":
        x, y = stats.rankdata(x), stats.rankdata(y)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return AssociationTest(
            name, np.nan, np.nan, "permutation", null, alt, n, "", "no variability in x or y"
        )
    r = float(_pearson_rows(x, y[None, :])[0])
    if n <= exact_max_n:
        perms = np.array(list(itertools.permutations(range(n))), dtype=np.intp)
        rs = _pearson_rows(x, y[perms])
        p = float(np.mean(np.abs(rs) >= abs(r) - _TIE_TOL))
        how = f"exact over all {math.factorial(n)} permutations"
    else:
        rng = np.random.default_rng(seed)
        ys = rng.permuted(np.tile(y, (int(n_permutations), 1)), axis=1)
        rs = _pearson_rows(x, ys)
        p = (1 + int(np.sum(np.abs(rs) >= abs(r) - _TIE_TOL))) / (1 + int(n_permutations))
        how = f"Monte Carlo, {n_permutations} permutations, seed {seed}"
    return AssociationTest(name, r, p, "permutation", null, alt, n, how, "")


def _kendall(x: np.ndarray, y: np.ndarray) -> AssociationTest:
    n = len(x)
    null = "gold CAR and the odds shift are independent"
    alt = "two-sided: tau != 0"
    if n < 3:
        return AssociationTest(
            "Kendall tau-b", np.nan, np.nan, "", null, alt, n, "", f"need N >= 3 pairs (N = {n})"
        )
    ties = len(np.unique(x)) < n or len(np.unique(y)) < n
    method = "asymptotic" if ties else "exact"
    res = stats.kendalltau(x, y, method=method)
    how = "scipy.stats.kendalltau, " + (
        "asymptotic (ties present, no exact null)" if ties else "exact null"
    )
    return AssociationTest(
        "Kendall tau-b",
        float(res.statistic),
        float(res.pvalue),
        "Kendall exact" if not ties else "N(0,1)",
        null,
        alt,
        n,
        how,
        "",
    )


def gold_odds_association(
    gold_car: pd.DataFrame,
    shifts: OddsStudyResults | pd.DataFrame,
    *,
    horizon: Any = "1D",
    aggregate: Aggregate = "mean",
    orientation: Orientation | None = None,
    usable_statuses: Sequence[str] = ("ok", "no_baseline", "truncated"),
    n_permutations: int = 9999,
    exact_max_n: int = 8,
    seed: int | None = 0,
) -> GoldOddsAssociation:
    """Across events: is gold's CAR associated with the log-odds shift of the linked markets?

    Parameters
    ----------
    gold_car : DataFrame
        ``event_id``, ``car`` (decimal), one row per event (from the gold study).
    shifts : OddsStudyResults or DataFrame
    horizon : Timedelta-like, default "1D"
    aggregate : {"mean", "median", "largest_abs"}, default "mean"
        How an event's several linked markets make one log-odds shift:

        * ``"mean"`` -- mean of the usable ``shift_logodds``;
        * ``"median"`` -- their median;
        * ``"largest_abs"`` -- the one with the largest ``|shift_logodds|`` (sign kept).
    orientation : mapping slug -> +1/-1 or DataFrame, optional
        Multiplies each market's shift by its sign before aggregating, so that a positive
        shift means "towards more risk" for every market (module notes); a DataFrame is
        :func:`eventstudy.data.orientation.load_orientation` output. Every market with a usable
        shift must have a sign. Default: raw shifts (sign +1 for all).
    usable_statuses : sequence of str, default ("ok", "no_baseline", "truncated")
        Rows with another status (``stale``, ``not_computable``) are left out.
    n_permutations, exact_max_n, seed
        See :func:`permutation_correlation_test`; exact enumeration for N <= ``exact_max_n``.

    Returns
    -------
    GoldOddsAssociation
        ``.table`` (per event: ``event_id, car, shift_logodds, n_markets``; the shift is
        oriented when ``orientation`` is given), ``.tests`` (permutation Pearson, permutation
        Spearman, Kendall tau-b with scipy's exact null when there are no ties),
        ``.exclusions`` (events left out and why), ``.settings["orientation"]`` (``"raw"`` or
        ``"oriented"``).

    Raises
    ------
    SpecificationError
        An option out of range, or (with ``orientation``) a market with a usable shift but no
        sign.

    See Also
    --------
    gold_odds_associations : the raw and the oriented result side by side.
    """
    if aggregate not in ("mean", "median", "largest_abs"):
        raise SpecificationError(
            f"aggregate={aggregate!r} is not accepted; expected 'mean', 'median' or 'largest_abs'"
        )
    h = _to_timedelta(horizon, "horizon")
    frame = _shift_frame(shifts)
    frame = frame[pd.to_timedelta(frame["horizon"]) == h]
    if "linked" in frame:
        frame = frame[frame["linked"].astype(bool)]
    frame = frame.assign(event_id=frame["event_id"].astype(str))
    usable = frame[frame["status"].isin(usable_statuses) & np.isfinite(frame["shift_logodds"])]
    signs = _signs(orientation)
    if signs is None:
        sign = pd.Series(1.0, index=usable.index)
    else:
        missing = sorted(set(usable["slug"].astype(str)) - set(signs))
        if missing:
            raise SpecificationError(
                f"orientation has no sign for {len(missing)} market(s) with a usable shift: "
                f"{', '.join(missing[:5])}; add them to market_orientation.csv (yes_means "
                "more_risk or less_risk)"
            )
        sign = usable["slug"].astype(str).map(signs).astype(float)
    usable = usable.assign(x=usable["shift_logodds"] * sign)
    g = _gold_frame(gold_car)
    rows, excl = [], []
    for ev_id, car in zip(g["event_id"], g["car"], strict=True):
        sub = usable[usable["event_id"] == ev_id]
        if not np.isfinite(car):
            excl.append({"event_id": ev_id, "stage": "association", "reason": "gold CAR is NaN"})
            continue
        if sub.empty:
            seen = sorted(set(frame.loc[frame["event_id"] == ev_id, "status"]))
            why = (
                f"no usable odds shift at {_fmt_td(h)} (statuses: {', '.join(seen)})"
                if seen
                else "no linked market in the odds results"
            )
            excl.append({"event_id": ev_id, "stage": "association", "reason": why})
            continue
        if aggregate == "mean":
            val = float(sub["x"].mean())
        elif aggregate == "median":
            val = float(sub["x"].median())
        else:
            val = float(sub["x"].iloc[int(np.argmax(sub["x"].abs().to_numpy()))])
        rows.append({"event_id": ev_id, "car": car, "shift_logodds": val, "n_markets": len(sub)})
    table = pd.DataFrame(rows, columns=["event_id", "car", "shift_logodds", "n_markets"])
    x, y = table["car"].to_numpy(), table["shift_logodds"].to_numpy()
    tests = {
        "pearson_permutation": permutation_correlation_test(
            x,
            y,
            method="pearson",
            n_permutations=n_permutations,
            exact_max_n=exact_max_n,
            seed=seed,
        ),
        "spearman_permutation": permutation_correlation_test(
            x,
            y,
            method="spearman",
            n_permutations=n_permutations,
            exact_max_n=exact_max_n,
            seed=seed,
        ),
        "kendall": _kendall(x, y),
    }
    settings = {
        "horizon": str(h),
        "aggregate": aggregate,
        "orientation": "raw" if signs is None else "oriented",
        "usable_statuses": list(usable_statuses),
        "n_permutations": n_permutations,
        "exact_max_n": exact_max_n,
        "seed": seed,
    }
    exclusions = pd.DataFrame(excl, columns=["event_id", "stage", "reason"])
    return GoldOddsAssociation(table, tests, exclusions, settings)


def event_markets(results: OddsStudyResults, event_id: str) -> list:
    """``OddsStudyResults.event_markets`` as of 82918f9 (``self`` -> ``results``)."""
    d = results._details
    rows = d[(d["event_id"] == event_id) & d["linked"] & (d["status"] != "not_computable")]
    out = []
    for slug, shifts in rows.groupby("slug", sort=False):
        samples = results._paths[
            (results._paths["event_id"] == event_id) & (results._paths["slug"] == slug)
        ]
        title = str(shifts["question"].iloc[0] or slug)
        out.append((title, samples[["t", "p"]], shifts, shifts["closed_at"].iloc[0]))
    return out
