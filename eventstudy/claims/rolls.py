"""Roll days of a continuous futures series near a threshold crossing (a hook).

Yahoo's ``GC=F`` follows the nearest delivery month and moves to the next contract on the
expiring contract's last trading day (see the ``GC=F`` notes in
``eventstudy/data/instruments.csv``); on that day the return mixes two contracts. A threshold
crossing on or next to a roll day may be the roll, not the market.

:func:`volume_roll_days` is a deliberately simple detector from the data alone. The data
checks of ``eventstudy.data.quality`` (``detect_roll_days``, being written) can replace it:
pass any callable ``(bars) -> DatetimeIndex`` as ``roll_days=`` to
:func:`eventstudy.claims.run_claims`.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

__all__ = ["RollDetector", "roll_days_near", "volume_roll_days"]

RollDetector = Callable[[pd.DataFrame], pd.DatetimeIndex]
"""``bars -> roll dates``: ``bars`` as :func:`eventstudy.data.store.load_prices` returns."""


def volume_roll_days(
    bars: pd.DataFrame, *, factor: float = 10.0, min_volume: float = 10_000
) -> pd.DatetimeIndex:
    """Days on which volume jumps ``factor``-fold to at least ``min_volume`` contracts.

    Parameters
    ----------
    bars : DataFrame
        Daily bars with a ``volume`` column (contracts), indexed by date.
    factor : float, default 10
    min_volume : float, default 10,000

    Returns
    -------
    DatetimeIndex
        The candidate roll days (empty without a ``volume`` column).

    Notes
    -----
    On the snapshot 65 of the 75 such days of ``GC=F`` since 2015 are the third-last
    business day of an odd month: the series moves from the expiring odd-month contract
    (hundreds of contracts a day) to the next even month, which is then in its pre-delivery
    roll (100,000+). Rolls into odd months show no jump and are not detected.
    """
    if "volume" not in bars.columns:
        return pd.DatetimeIndex([])
    v = bars["volume"]
    jump = (v >= factor * v.shift(1)) & (v >= min_volume)
    return pd.DatetimeIndex(bars.index[jump.fillna(False).to_numpy(bool)])


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
