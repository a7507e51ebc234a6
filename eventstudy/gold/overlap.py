"""Overlapping events on one asset's trading calendar: who sits in whose window, and what to do.

One asset observed around many events (gold) differs from the classic many-firms design: the
estimation window of one event can hold other events, and the event windows of clustered events
(e.g. 12 Feb - 11 Mar 2025) overlap. This module finds those overlaps on the asset's trading
calendar and turns an overlap policy into *study units*.

Positions
---------
Everything here works in **row positions of the asset's trading calendar** (a sorted
``DatetimeIndex`` of trading dates): event ``i`` with day 0 at row ``p_i`` has the event window
``p_i + a .. p_i + b`` and the estimation window ``p_i + e1 .. p_i + e2`` (closed intervals of
trading-day offsets, see :mod:`eventstudy.engine.windows`).

Definitions
-----------
* Event ``j`` is **in the estimation window** of event ``i`` when ``j``'s day 0 lies in
  ``i``'s estimation window; it is **in the event window** of ``i`` when ``j``'s day 0 lies in
  ``i``'s event window. (Both listed in :func:`overlap_table`.)
* The **estimation mask** is the union of every catalogued event's event window: those days are
  never used to estimate a normal-return model. Because an event's own estimation window ends
  before its own event window starts, one mask on the calendar serves every event.
* Two events' event windows **overlap** when ``|p_i - p_j| <= b - a``.

Policies (``overlap=``)
-----------------------
* ``"mask"`` (default): keep every event; only mask other events' event windows out of each
  estimation window. Overlapping event windows are reported, not resolved.
* ``"drop"``: also drop every event whose event window overlaps the event window of any
  *earlier* event (by day 0; ties broken by catalog order). Conservative: in a chain A-B-C with
  A-B and B-C overlapping, both B and C are dropped, since C's window holds B's news.
* ``"merge"``: merge each connected cluster of overlapping event windows into one *episode*
  with day 0 at the cluster's first event; the episode's id is ``"<first_id>+<n-1>"`` and its
  members are listed with their offset from the episode's day 0. The episode's ``span`` (days
  from the first to the last member's day 0) is added to the end of its event window and of
  every CAR window that ends on or after day 0 (see :func:`eventstudy.gold.study.gold_event_study`),
  so the episode's CAR covers every member's news.

Overlap is judged on the event window by default; pass a narrower window (e.g. the main CAR
window) to cluster only events whose main windows overlap.

The mask applies under every policy.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd

from eventstudy.exceptions import SpecificationError

OverlapPolicy = Literal["mask", "drop", "merge"]
OVERLAP_POLICIES: tuple[str, ...] = get_args(OverlapPolicy)

__all__ = [
    "OVERLAP_POLICIES",
    "OverlapPolicy",
    "calendar_positions",
    "estimation_mask",
    "overlap_clusters",
    "overlap_table",
    "study_units",
]


def calendar_positions(day0: pd.Series, calendar: pd.DatetimeIndex) -> pd.Series:
    """Row position of each event's day 0 in a trading calendar.

    Parameters
    ----------
    day0 : Series
        Day 0 per event (tz-naive trading dates), indexed by ``event_id``; NaT allowed.
    calendar : DatetimeIndex
        The asset's trading dates, sorted.

    Returns
    -------
    Series of Int64
        Row position of each day 0 in ``calendar``; ``<NA>`` when day 0 is NaT or not a date of
        the calendar.
    """
    pos = calendar.get_indexer(pd.DatetimeIndex(day0.to_numpy()))
    out = pd.Series(pos, index=day0.index, dtype="Int64")
    return out.mask(out < 0)


def estimation_mask(
    positions: pd.Series, calendar: pd.DatetimeIndex, event_window: tuple[int, int]
) -> pd.Series:
    """Calendar days that lie in any event's event window (True = do not use in estimation).

    Parameters
    ----------
    positions : Series of Int64
        Day-0 row positions (from :func:`calendar_positions`); ``<NA>`` rows are ignored.
    calendar : DatetimeIndex
        The trading calendar the positions refer to.
    event_window : (int, int)
        Closed interval of trading-day offsets ``(a, b)``.

    Returns
    -------
    Series of bool
        Indexed by ``calendar``.
    """
    a, b = event_window
    mask = np.zeros(len(calendar), dtype=bool)
    for p in positions.dropna().astype(int):
        lo, hi = max(p + a, 0), min(p + b, len(calendar) - 1)
        if lo <= hi:
            mask[lo : hi + 1] = True
    return pd.Series(mask, index=calendar, name="masked")


def _ordered(positions: pd.Series) -> pd.Series:
    """Positions without NA, ordered by position then original order (stable)."""
    pos = positions.dropna().astype(int)
    return pos.iloc[np.argsort(pos.to_numpy(), kind="stable")]


def overlap_clusters(positions: pd.Series, event_window: tuple[int, int]) -> pd.Series:
    """Connected clusters of overlapping event windows.

    Parameters
    ----------
    positions : Series of Int64
        Day-0 row positions indexed by ``event_id``.
    event_window : (int, int)
        ``(a, b)``; windows of events ``i`` and ``j`` overlap when ``|p_i - p_j| <= b - a``.

    Returns
    -------
    Series of str
        For each event with a position: the ``event_id`` of its cluster's first event.
    """
    a, b = event_window
    pos = _ordered(positions)
    heads: dict[str, str] = {}
    head, last = None, None
    for eid, p in pos.items():
        if head is None or p - last > b - a:
            head = eid
        heads[eid] = head
        last = p
    return pd.Series(heads, dtype=object, name="cluster")


def overlap_table(
    positions: pd.Series,
    calendar: pd.DatetimeIndex,
    *,
    estimation_window: tuple[int, int],
    event_window: tuple[int, int],
    policy: OverlapPolicy = "mask",
    mask_window: tuple[int, int] | None = None,
    overlap_window: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Which events sit in each event's estimation and event windows, and what was done.

    Parameters
    ----------
    positions : Series of Int64
        Day-0 row positions in ``calendar``, indexed by ``event_id`` (``<NA>`` = no day 0 in
        the data; such events get empty lists and the action ``"not in data"``).
    calendar : DatetimeIndex
        The asset's trading dates.
    estimation_window, event_window : (int, int)
        Closed intervals of trading-day offsets.
    policy : {"mask", "drop", "merge"}
        See the module docstring.
    mask_window : (int, int), optional
        Days around each event masked out of estimation windows; default ``event_window``.
    overlap_window : (int, int), optional
        Window on which "drop" and "merge" judge overlap; default ``event_window``.

    Returns
    -------
    DataFrame
        One row per event (input order): ``event_id``, ``day0``, ``in_estimation_window`` and
        ``in_event_window`` (space-separated ``event_id`` lists, ordered by day 0),
        ``n_in_estimation_window``, ``n_in_event_window``, ``masked_estimation_days``
        (days of the estimation window inside some event's mask window), ``unit_id`` (the
        study unit the event belongs to, empty if dropped), ``action``.
    """
    policy = _check_policy(policy)
    e1, e2 = estimation_window
    a, b = event_window
    pos = _ordered(positions)
    mask_window = event_window if mask_window is None else mask_window
    overlap_window = event_window if overlap_window is None else overlap_window
    mask = estimation_mask(positions, calendar, mask_window).to_numpy()
    units = study_units(positions, event_window=overlap_window, policy=policy)
    member_unit = {m: uid for uid, row in units.iterrows() for m in row["members"]}
    rows = []
    for eid, p in positions.items():
        if pd.isna(p):
            rows.append(
                {
                    "event_id": eid,
                    "day0": pd.NaT,
                    "in_estimation_window": "",
                    "in_event_window": "",
                    "n_in_estimation_window": 0,
                    "n_in_event_window": 0,
                    "masked_estimation_days": 0,
                    "unit_id": "",
                    "action": "not in data: no day 0 on the trading calendar",
                }
            )
            continue
        p = int(p)
        others = pos.drop(eid)
        in_est = others[(others >= p + e1) & (others <= p + e2)]
        in_evt = others[(others >= p + a) & (others <= p + b)]
        lo, hi = max(p + e1, 0), min(p + e2, len(calendar) - 1)
        n_masked = int(mask[lo : hi + 1].sum()) if lo <= hi else 0
        uid = member_unit.get(eid, "")
        rows.append(
            {
                "event_id": eid,
                "day0": calendar[p],
                "in_estimation_window": " ".join(in_est.index),
                "in_event_window": " ".join(in_evt.index),
                "n_in_estimation_window": len(in_est),
                "n_in_event_window": len(in_evt),
                "masked_estimation_days": n_masked,
                "unit_id": uid,
                "action": _action(
                    eid, p, uid, units, in_evt, pos, policy, n_masked, overlap_window
                ),
            }
        )
    return pd.DataFrame(rows)


def _action(eid, p, uid, units, in_evt, pos, policy, n_masked, event_window) -> str:
    masked = f"{n_masked} estimation days masked (events' mask windows)"
    if policy == "mask":
        if len(in_evt):
            return f"kept; {masked}; event window shared with {len(in_evt)} event(s)"
        return f"kept; {masked}"
    if policy == "drop":
        if not uid:
            a, b = event_window
            order = list(pos.index)
            earlier = [e for e in order[: order.index(eid)] if p - pos[e] <= b - a]
            return f"dropped: event window overlaps that of earlier event(s) {' '.join(earlier)}"
        return f"kept; {masked}"
    members = units.loc[uid, "members"]
    if len(members) == 1:
        return f"kept; {masked}"
    offset = p - int(units.loc[uid, "position"])
    if uid and members[0] == eid:
        return f"episode {uid} head ({len(members)} events); {masked}"
    return f"merged into episode {uid} (day {offset:+d} of the episode)"


def study_units(
    positions: pd.Series,
    *,
    event_window: tuple[int, int],
    policy: OverlapPolicy = "mask",
) -> pd.DataFrame:
    """The units actually studied under an overlap policy.

    Parameters
    ----------
    positions : Series of Int64
        Day-0 row positions indexed by ``event_id``; ``<NA>`` rows are left out.
    event_window : (int, int)
        ``(a, b)`` trading-day offsets.
    policy : {"mask", "drop", "merge"}
        See the module docstring.

    Returns
    -------
    DataFrame
        Indexed by ``unit_id``, ordered by day 0, with ``position`` (int), ``members``
        (tuple of event ids, the first one defining day 0) and ``span`` (trading days from the
        first to the last member's day 0; 0 for single events). Under ``"mask"`` and ``"drop"``
        a unit is one event and ``unit_id == event_id``.
    """
    policy = _check_policy(policy)
    a, b = event_window
    pos = _ordered(positions)
    rows: list[tuple[str, int, tuple[str, ...]]] = []
    if policy == "mask":
        rows = [(eid, int(p), (eid,)) for eid, p in pos.items()]
    elif policy == "drop":
        seen: list[int] = []
        for eid, p in pos.items():
            if not any(p - q <= b - a for q in seen):
                rows.append((eid, int(p), (eid,)))
            seen.append(int(p))
    else:
        clusters = overlap_clusters(positions, event_window)
        for head, grp in clusters.groupby(clusters, sort=False):
            members = tuple(grp.index)
            uid = head if len(members) == 1 else f"{head}+{len(members) - 1}"
            rows.append((uid, int(pos[head]), members))
    out = pd.DataFrame(rows, columns=["unit_id", "position", "members"]).set_index("unit_id")
    out["span"] = [
        int(pos[list(m)].max()) - int(p)
        for p, m in zip(out["position"], out["members"], strict=True)
    ]
    return out.sort_values("position", kind="stable")


def _check_policy(policy: str) -> OverlapPolicy:
    norm = str(policy).strip().lower()
    if norm not in OVERLAP_POLICIES:
        raise SpecificationError(
            f"overlap={policy!r} is not accepted; use one of {OVERLAP_POLICIES}"
        )
    return norm  # type: ignore[return-value]
