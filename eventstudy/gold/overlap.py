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

from typing import Literal, cast, get_args

import numpy as np
import pandas as pd

from eventstudy.exceptions import SpecificationError

OverlapPolicy = Literal["mask", "drop", "merge"]
OVERLAP_POLICIES: tuple[str, ...] = get_args(OverlapPolicy)

_MASKED = "{n_masked} estimation days masked (events' mask windows)"
ACTION_TEXTS: dict[str, str] = {
    "kept": "kept; " + _MASKED,
    "kept_shared": "kept; " + _MASKED + "; event window shared with {n_shared} event(s)",
    "dropped": "dropped: event window overlaps that of earlier event(s) {earlier}",
    "episode_head": "episode {unit_id} head ({n_members} events); " + _MASKED,
    "merged": "merged into episode {unit_id} (day {offset} of the episode)",
    "not_in_data": "not in data: no day 0 on the trading calendar",
}
"""The sentences of the ``action`` column, by kind (``str.format`` fields where values go;
the report's Japanese page reads the values back and writes its own sentence)."""

__all__ = [
    "ACTION_TEXTS",
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
    n = len(calendar)
    p = positions.dropna().to_numpy(dtype=np.int64)
    lo, hi = np.maximum(p + a, 0), np.minimum(p + b, n - 1)
    ok = lo <= hi
    # +1 where a window starts, -1 after it ends: covered days have a positive running sum
    delta = np.bincount(lo[ok], minlength=n + 1) - np.bincount(hi[ok] + 1, minlength=n + 1)
    mask = np.cumsum(delta[:n]) > 0
    return pd.Series(mask, index=calendar, name="masked")


def _ordered(positions: pd.Series) -> pd.Series:
    """Positions without NA, ordered by position then original order (stable)."""
    pos = positions.dropna().astype(int)
    return pos.iloc[np.argsort(pos.to_numpy(), kind="stable")]


def _cluster_starts(values: np.ndarray, event_window: tuple[int, int]) -> np.ndarray:
    """Boolean over sorted positions: True where a new cluster of overlapping windows starts."""
    a, b = event_window
    return np.r_[True, np.diff(values) > b - a] if values.size else np.zeros(0, dtype=bool)


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
    pos = _ordered(positions)
    ids = pos.index.to_numpy(dtype=object)
    starts = _cluster_starts(pos.to_numpy(), event_window)
    head = ids[np.maximum.accumulate(np.where(starts, np.arange(ids.size), 0))]
    return pd.Series(dict(zip(ids, head, strict=True)), dtype=object, name="cluster")


class _Sorted:
    """Events with a day 0, sorted by position (ties in input order), for interval look-ups."""

    def __init__(self, positions: pd.Series) -> None:
        pos = _ordered(positions)
        self.values = pos.to_numpy(dtype=np.int64)
        self.ids = list(pos.index)
        self.rank = dict(zip(self.ids, range(len(self.ids)), strict=True))
        self._joined = " ".join(self.ids)
        self._offsets = np.r_[0, np.cumsum([len(e) + 1 for e in self.ids])]

    def between(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sorted-rank range ``[start, stop)`` of the events with ``lo <= position <= hi``."""
        return (
            np.searchsorted(self.values, lo, side="left"),
            np.searchsorted(self.values, hi, side="right"),
        )

    def names(self, start: int, stop: int, skip: int = -1) -> str:
        """Space-separated ids of sorted ranks ``start..stop-1``, leaving out rank ``skip``."""
        if start <= skip < stop:
            parts = (self.names(start, skip), self.names(skip + 1, stop))
            return " ".join(p for p in parts if p)
        if stop <= start:
            return ""
        return self._joined[self._offsets[start] : self._offsets[stop] - 1]


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

    Notes
    -----
    Sorted once; each event's neighbours are a range of the sorted positions (binary search),
    and masked days come from a running count, so the time is linear in the number of events
    plus the length of the id lists written.
    """
    policy = _check_policy(policy)
    mask_window = event_window if mask_window is None else mask_window
    overlap_window = event_window if overlap_window is None else overlap_window
    srt = _Sorted(positions)
    units = study_units(positions, event_window=overlap_window, policy=policy)
    ids = list(positions.index)
    has = positions.notna().to_numpy()
    p = positions.fillna(0).to_numpy(dtype=np.int64)
    k = np.array([srt.rank.get(e, -1) for e in ids], dtype=np.int64)
    (e1, e2), (a, b) = estimation_window, event_window
    est = srt.between(p + e1, p + e2)
    evt = srt.between(p + a, p + b)
    n_est = np.where(has, est[1] - est[0] - ((est[0] <= k) & (k < est[1])), 0)
    n_evt = np.where(has, evt[1] - evt[0] - ((evt[0] <= k) & (k < evt[1])), 0)
    cum = np.r_[0, np.cumsum(estimation_mask(positions, calendar, mask_window).to_numpy())]
    lo, hi = np.maximum(p + e1, 0), np.minimum(p + e2, len(calendar) - 1)
    n_masked = np.where(has & (lo <= hi), cum[np.maximum(hi + 1, 0)] - cum[lo], 0)
    unit = _unit_lookup(units)
    in_unit = [unit.get(e) for e in ids]
    reach = overlap_window[1] - overlap_window[0]
    earlier = np.searchsorted(srt.values, p - reach, side="left")
    actions = [
        _action(policy, in_unit[i], int(n_evt[i]), int(n_masked[i]), int(p[i]),
                srt.names(int(earlier[i]), int(k[i])) if policy == "drop" else "")
        if has[i] else ACTION_TEXTS["not_in_data"]
        for i in range(len(ids))
    ]  # fmt: skip
    day0 = pd.Series(pd.NaT, index=range(len(ids)), dtype=f"datetime64[{calendar.unit}]")
    day0[has] = calendar[p[has]]
    return pd.DataFrame(
        {
            "event_id": ids,
            "day0": day0.array if has.any() else [pd.NaT] * len(ids),
            "in_estimation_window": _names(srt, est, k, has),
            "in_event_window": _names(srt, evt, k, has),
            "n_in_estimation_window": n_est,
            "n_in_event_window": n_evt,
            "masked_estimation_days": n_masked,
            "unit_id": [u[0] if u else "" for u in in_unit],
            "action": actions,
        }
    )


def _names(
    srt: _Sorted, span: tuple[np.ndarray, np.ndarray], k: np.ndarray, has: np.ndarray
) -> list[str]:
    """The id list of each event's range of sorted ranks, itself left out."""
    lo, hi = span
    return [srt.names(int(lo[i]), int(hi[i]), int(k[i])) if has[i] else "" for i in range(k.size)]


def _unit_lookup(units: pd.DataFrame) -> dict[str, tuple[str, int, int, bool]]:
    """Per member event: (unit id, unit day-0 position, number of members, is the head)."""
    out = {}
    for uid, p, members in zip(units.index, units["position"], units["members"], strict=True):
        for k, m in enumerate(members):
            out[m] = (uid, int(p), len(members), k == 0)
    return out


def _action(
    policy: str,
    unit: tuple[str, int, int, bool] | None,
    n_evt: int,
    n_masked: int,
    p: int,
    earlier: str,
) -> str:
    """What the policy did with one event (``unit``: see :func:`_unit_lookup`)."""
    kept = ACTION_TEXTS["kept"].format(n_masked=n_masked)
    if policy == "mask":
        if n_evt:
            return ACTION_TEXTS["kept_shared"].format(n_masked=n_masked, n_shared=n_evt)
        return kept
    if policy == "drop":
        if unit is None:
            return ACTION_TEXTS["dropped"].format(earlier=earlier)
        return kept
    assert unit is not None, "under 'merge' every event with a day 0 belongs to a unit"
    uid, position, size, is_head = unit
    if size == 1:
        return kept
    if is_head:
        return ACTION_TEXTS["episode_head"].format(unit_id=uid, n_members=size, n_masked=n_masked)
    return ACTION_TEXTS["merged"].format(unit_id=uid, offset=f"{p - position:+d}")


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
    ids, values = list(pos.index), pos.to_numpy(dtype=np.int64)
    if policy == "merge":
        starts = np.flatnonzero(_cluster_starts(values, event_window))
        stops = np.r_[starts[1:], len(ids)].astype(np.int64)[: starts.size]
        rows = [
            (ids[i] if j - i == 1 else f"{ids[i]}+{j - i - 1}", int(values[i]), tuple(ids[i:j]))
            for i, j in zip(starts, stops, strict=True)
        ]
        span = values[stops - 1] - values[starts] if len(ids) else np.zeros(0, np.int64)
    else:
        # "drop": an event overlaps an earlier one iff it overlaps the one just before it
        keep = np.r_[True, np.diff(values) > b - a] if policy == "drop" else np.ones(len(ids))
        keep = keep.astype(bool)[: len(ids)]
        rows = [(e, int(p), (e,)) for e, p, k in zip(ids, values, keep, strict=True) if k]
        span = np.zeros(len(rows), dtype=np.int64)
    out = pd.DataFrame(rows, columns=["unit_id", "position", "members"]).set_index("unit_id")
    out["span"] = span.astype(np.int64)
    return out.sort_values("position", kind="stable")


def _check_policy(policy: str) -> OverlapPolicy:
    norm = str(policy).strip().lower()
    if norm not in OVERLAP_POLICIES:
        raise SpecificationError(
            f"overlap={policy!r} is not accepted; use one of {OVERLAP_POLICIES}"
        )
    return cast(OverlapPolicy, norm)  # one of OVERLAP_POLICIES, the Literal's values
