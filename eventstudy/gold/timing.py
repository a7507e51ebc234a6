"""Event-time uncertainty in the gold study: which conclusions depend on the day-0 choice.

For each event, day 0 is moved one session earlier and later and, for events whose clock time
is unknown, set to the session of the local date itself and to the next session
(:func:`timing_candidates`); :func:`timing_sensitivity` refits the study's normal-return model
with the engine on every candidate and says where the sign or the significance of the CAR
changes. Offsets are trading days of the gold calendar (:mod:`eventstudy.data.day0`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from eventstudy.engine.results import EventStudyResults
from eventstudy.gold.overlap import calendar_positions

__all__ = ["VARIANTS", "timing_candidates", "timing_sensitivity"]

#: The day-0 variants, in the order :func:`timing_candidates` lists them.
VARIANTS = ("base", "day0-1", "day0+1", "date_itself", "next_session")


def timing_sensitivity(
    candidates: pd.DataFrame,
    calendar: pd.DatetimeIndex,
    fit: Callable[[pd.DataFrame], EventStudyResults],
    *,
    window: tuple[int, int] = (-1, 1),
    level: float = 0.05,
    extend: pd.Series | None = None,
) -> pd.DataFrame:
    """CAR of each event under alternative day-0 choices; which conclusions depend on timing.

    Parameters
    ----------
    candidates : DataFrame
        ``event_id``, ``variant`` (e.g. ``base``, ``day0-1``, ``day0+1``, ``date_itself``,
        ``next_session``), ``position`` (day-0 row of ``calendar``, Int64; NA = none).
    calendar : DatetimeIndex
        Trading dates of the asset.
    fit : callable
        Fits the study's specification on an events frame (``event_id``, ``day0``, optional
        ``extend``) and returns its :class:`~eventstudy.engine.results.EventStudyResults`.
    window : (int, int), default (-1, 1)
        The CAR window judged.
    level : float, default 0.05
        Significance level.
    extend : Series of int, optional
        Window extension per ``event_id`` (merged episodes).

    Returns
    -------
    DataFrame
        One row per candidate: ``event_id``, ``variant``, ``day0``, ``car``, ``car_pct``,
        ``car_se``, ``pvalue``, ``sign`` (+1/-1), ``significant`` (bool), and per event
        ``sign_depends_on_timing``, ``significance_depends_on_timing`` (bool) comparing all
        candidates of the event.
    """
    keys = (candidates["event_id"].astype(str) + "@@" + candidates["variant"].astype(str)).tolist()
    pos = candidates["position"]
    ok = pos.notna().to_numpy()
    day0 = pd.Series(pd.NaT, index=candidates.index, dtype="datetime64[ns]")
    day0[ok] = calendar[pos[ok].astype(int).to_numpy()]
    events = pd.DataFrame({"event_id": np.asarray(keys, dtype=object)[ok], "day0": day0[ok]})
    if extend is not None:
        ext = candidates.loc[ok, "event_id"].map(extend)
        events["extend"] = ext.fillna(0).to_numpy(dtype=np.int64)
    car = _fit_distinct(fit, events, window)
    out = candidates.drop(columns=["position"]).copy()
    out["day0"] = day0
    for col in ("car", "car_se", "pvalue"):
        out[col] = car[col].reindex(keys).to_numpy() if len(car) else np.nan
    out["car_pct"] = 100 * out["car"]
    out = out[["event_id", "variant", "day0", "car", "car_pct", "car_se", "pvalue"]]
    out["sign"] = np.sign(out["car"])
    out["significant"] = out["pvalue"] < level
    grp = out.groupby("event_id", sort=False)["sign"]
    out["sign_depends_on_timing"] = grp.transform("max") > grp.transform("min")
    studied = out.loc[out["car"].notna()].groupby("event_id", sort=False)["significant"]
    changes = studied.max() > studied.min()  # False when all NaN
    out["significance_depends_on_timing"] = out["event_id"].map(changes).fillna(False).astype(bool)
    return out


def _fit_distinct(
    fit: Callable[[pd.DataFrame], EventStudyResults],
    events: pd.DataFrame,
    window: tuple[int, int],
) -> pd.DataFrame:
    """CARs of ``events`` from one fit per distinct (day 0, extend).

    Candidates that share them (the base and date variants, events on the same day) have the
    same fit.
    """
    if not len(events):
        return pd.DataFrame()
    cols = [c for c in ("day0", "extend") if c in events.columns]
    distinct = events.drop_duplicates(subset=cols)
    car = fit(distinct).car(window=window).set_index("event_id")
    rep = events[cols].merge(
        distinct[[*cols, "event_id"]].rename(columns={"event_id": "rep"}), on=cols, how="left"
    )["rep"]
    return car.reindex(rep.to_numpy()).set_axis(events["event_id"].to_numpy(), axis=0)


def timing_candidates(
    events: pd.DataFrame, day0: pd.Series, calendar: pd.DatetimeIndex
) -> pd.DataFrame:
    """Alternative day-0 positions per event.

    The base, one session earlier and later, and for events without a clock time the session
    of the date itself and the next session.

    Parameters
    ----------
    events : DataFrame
        ``event_id``, ``date`` (local date, YYYY-MM-DD), ``time_known`` (bool).
    day0 : Series
        Day 0 per event (index aligned with ``events``).
    calendar : DatetimeIndex
        Trading dates of the gold series.

    Returns
    -------
    DataFrame
        ``event_id``, ``variant``, ``position`` (Int64; NA when outside the data).
    """
    pos = calendar_positions(pd.Series(day0.to_numpy(), index=events["event_id"]), calendar)
    n = len(calendar)
    ok = pos.notna().to_numpy()
    p = pos.fillna(0).to_numpy(dtype=np.int64)
    known = events.get("time_known", pd.Series(True, index=events.index))
    unknown = ok & ~np.array([bool(v) for v in known], dtype=bool)
    on, after = p.copy(), p.copy()
    if unknown.any():  # the session of the local date itself, and the next one
        dates = pd.DatetimeIndex(pd.to_datetime(events.loc[unknown, "date"]))
        on[unknown] = calendar.searchsorted(dates, side="left")
        after[unknown] = calendar.searchsorted(dates, side="right")
    # one row per (event, variant), event-major in catalog order
    cand = np.column_stack([p, p - 1, p + 1, on, after])
    use = np.column_stack([ok, ok, ok, unknown, unknown])
    q = cand[use]
    return pd.DataFrame(
        {
            "event_id": np.repeat(pos.index.to_numpy(dtype=object), use.sum(axis=1)).tolist(),
            "variant": np.broadcast_to(np.array(VARIANTS, dtype=object), use.shape)[use].tolist(),
            "position": pd.array(np.where((q >= 0) & (q < n), q, 0), dtype="Int64"),
        }
    ).assign(position=lambda f: f["position"].mask((q < 0) | (q >= n)))
