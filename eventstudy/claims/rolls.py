"""Roll days of a continuous futures series near a threshold crossing (a hook).

Yahoo's ``GC=F`` follows the nearest delivery month and moves to the next contract on the
expiring contract's last trading day (see the ``GC=F`` notes in
``eventstudy/data/instruments.csv``); on that day the return mixes two contracts. A threshold
crossing on or next to a roll day may be the roll, not the market.

The roll days come from :func:`eventstudy.data.quality.roll_dates` (volume signature) by
default; pass any callable ``(bars) -> DatetimeIndex`` as ``roll_days=`` to
:func:`eventstudy.claims.run_claims` to use another rule.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

__all__ = ["RollDetector", "roll_days_near"]

RollDetector = Callable[[pd.DataFrame], pd.DatetimeIndex]
"""``bars -> roll dates``: ``bars`` as :func:`eventstudy.data.store.load_prices` returns."""


def roll_days_near(
    roll_days: pd.DatetimeIndex, sessions: pd.DatetimeIndex, date: pd.Timestamp, window: int
) -> list[tuple[pd.Timestamp, int]]:
    """Roll days within ``window`` sessions of ``date``, with their session offsets.

    Parameters
    ----------
    roll_days : DatetimeIndex
    sessions : DatetimeIndex
        The series' session dates (its rows), sorted.
    date : Timestamp
        A session (the crossing).
    window : int
        Sessions either side.

    Returns
    -------
    list of (Timestamp, int)
        Each nearby roll day and its offset in sessions (negative: before ``date``).
    """
    pos = int(sessions.searchsorted(date))
    out = []
    for day in roll_days:
        k = int(sessions.searchsorted(day)) - pos
        if abs(k) <= window:
            out.append((pd.Timestamp(day), k))
    return out
