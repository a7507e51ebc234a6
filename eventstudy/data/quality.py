"""Data-quality checks on stored series (pure: frames in, frames out; no I/O).

Futures rolls
-------------
Yahoo's continuous futures series (``GC=F``, ``SI=F``, ``CL=F``, ``ES=F``) quote one contract
at a time and switch to the next delivery month without any adjustment, so the close-to-close
change on a switch day mixes the market's move with the price difference between two
contracts (carry: for gold about 0.3-0.6 % per two months, more in high-rate years). Counting
it as a return biases abnormal returns on those days.

:func:`detect_roll_days` finds the switch days from two signatures:

- **volume jump** (primary): Yahoo's daily volume of the quoted contract is tiny while the
  expiring month is quoted and jumps by orders of magnitude on the day the active month takes
  over (``GC=F`` 2024-03-26: 202,373 contracts after days of 12-79). A day is flagged when
  its volume is at least ``volume_ratio`` times the median of the previous ``window`` days,
  at least ``jump_ratio`` times the previous day's, and at least ``min_volume``.
- **price gap** (secondary, only where volume says nothing: zero or missing volume on the day
  and the day before, as in ``GC=F``'s early 2000s): the log close change is at least
  ``gap_z`` robust standard deviations (1.4826 x MAD of the previous ``gap_window`` changes)
  away from their median. Such a day may also be genuine news; it is reported, with its
  reason, for the caller to decide.

On ``GC=F`` in the shared snapshot (2000-08-30 to 2026-02-23) the volume rule finds 173
days, 6 to 8 a year from 2001 to 2024 (6 in 15 of those years), 94 % of them in January,
March, May, July, September and November, the months before gold's active delivery months
(2024: 01-29, 03-26, 05-29, 07-29, 09-26, 11-26); 2025 has 13 because Yahoo's series
alternates between two contracts from day to day in July to September 2025 (each switch is a
roll day for a study). The price-gap rule finds 2 days, 2001-05-18 and 2001-09-14: the second
is gold's genuine jump after the 9/11 attacks, which shows why that rule is weaker evidence
(a study may prefer to mask only ``"volume_jump"`` days and list the others).

Contract of :func:`detect_roll_days`: one row per flagged trading date of the input, sorted,
no date twice, columns :data:`ROLL_COLUMNS`; an input without rows gives an empty frame with
those columns. The function never changes prices: masking or reporting the days is the
study's decision (a study should exclude the day-``t`` return of each flagged date ``t``,
i.e. close(t-1) -> close(t), from estimation windows and flag event windows that contain one).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.exceptions import SpecificationError

__all__ = ["ROLL_COLUMNS", "detect_roll_days", "roll_dates"]

ROLL_COLUMNS = (
    "date",
    "reason",
    "gap",
    "gap_z",
    "volume",
    "volume_ratio",
    "volume_prev_ratio",
)
"""Columns of :func:`detect_roll_days`:

- ``date``: the trading date whose return (close of the previous row -> close of this one)
  spans the switch (``datetime64``, as the input's index);
- ``reason``: ``"volume_jump"`` or ``"price_gap"`` (see the module docstring);
- ``gap``: log change of the close on that date (decimal; the roll gap plus the day's move);
- ``gap_z``: ``gap`` in robust standard deviations of the previous ``gap_window`` changes;
- ``volume``: the day's volume; ``volume_ratio``: volume / median volume of the previous
  ``window`` days; ``volume_prev_ratio``: volume / the previous day's volume (NaN where the
  volume is missing or the divisor is zero).
"""


def _robust_z(changes: pd.Series, window: int) -> pd.Series:
    """Each change in robust standard deviations.

    Centre and scale are the median and 1.4826 MAD of the previous ``window`` changes; NaN
    until ``window // 2`` are available.
    """
    past = changes.shift(1).rolling(window, min_periods=max(5, window // 2))
    center = past.median()
    mad = (changes.shift(1) - center).abs().rolling(window, min_periods=max(5, window // 2))
    scale = 1.4826 * mad.median()
    return (changes - center) / scale.where(scale > 0)


def detect_roll_days(
    prices: pd.DataFrame,
    *,
    window: int = 10,
    volume_ratio: float = 20.0,
    jump_ratio: float = 5.0,
    min_volume: float = 1000.0,
    gap_window: int = 60,
    gap_z: float = 6.0,
) -> pd.DataFrame:
    """Trading dates on which a continuous futures series switched contracts.

    Parameters
    ----------
    prices : DataFrame
        Daily bars as :func:`eventstudy.data.store.load_prices` returns them: indexed by
        date (sorted), with ``close`` and, for the volume signature, ``volume``. A frame
        without ``volume`` is screened by the price gap alone.
    window : int, default 10
        Trading days of the trailing volume median.
    volume_ratio : float, default 20
        Volume / trailing median at or above which a day is a jump.
    jump_ratio : float, default 5
        Volume / previous day's volume at or above which a day is a jump.
    min_volume : float, default 1000
        Smallest volume counted as a jump (ignores 2 -> 40 contracts).
    gap_window : int, default 60
        Trading days of the trailing robust scale of close changes.
    gap_z : float, default 6
        Robust z-score of the close change at or above which a day without volume
        information is flagged.

    Returns
    -------
    DataFrame
        One row per flagged date, columns :data:`ROLL_COLUMNS` (see the module docstring
        for the contract).

    Raises
    ------
    SpecificationError
        No ``close`` column, an index that is not sorted dates, or a non-positive setting.

    Examples
    --------
    >>> from eventstudy.data.store import load_prices  # doctest: +SKIP
    >>> rolls = detect_roll_days(load_prices("GC=F"))  # doctest: +SKIP
    >>> in_2024 = rolls["date"].dt.year == 2024  # doctest: +SKIP
    >>> rolls.loc[in_2024, "date"].dt.strftime("%m-%d").tolist()  # doctest: +SKIP
    ['01-29', '03-26', '05-29', '07-29', '09-26', '11-26']
    """
    if "close" not in prices.columns:
        raise SpecificationError("detect_roll_days needs a 'close' column (daily bars)")
    if not isinstance(prices.index, pd.DatetimeIndex) or not prices.index.is_monotonic_increasing:
        raise SpecificationError("detect_roll_days needs bars indexed by sorted dates")
    settings = {"window": window, "volume_ratio": volume_ratio, "jump_ratio": jump_ratio,
                "gap_window": gap_window, "gap_z": gap_z}  # fmt: skip
    bad = [k for k, v in settings.items() if not v > 0]
    if bad:
        raise SpecificationError(f"detect_roll_days: {', '.join(bad)} must be positive")
    close = prices["close"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.log(close).diff()
    z = _robust_z(gap, int(gap_window))
    if "volume" in prices.columns:
        volume = prices["volume"].astype("float64")
    else:
        volume = pd.Series(np.nan, index=prices.index)
    median = volume.shift(1).rolling(int(window), min_periods=max(2, int(window) // 2)).median()
    ratio = volume / median.where(median > 0)
    previous = volume.shift(1)
    prev_ratio = volume / previous.where(previous > 0)
    jump = (
        (volume >= min_volume)
        & ((ratio >= volume_ratio) | (median == 0))
        & ((prev_ratio >= jump_ratio) | (previous == 0))
    )
    silent = ~(volume > 0) & ~(previous > 0)
    gap_day = silent & (z.abs() >= gap_z)
    reason = pd.Series(np.where(jump, "volume_jump", np.where(gap_day, "price_gap", "")),
                       index=prices.index)  # fmt: skip
    keep = (reason != "").to_numpy()
    out = pd.DataFrame(
        {
            "date": prices.index[keep],
            "reason": reason.to_numpy()[keep],
            "gap": gap.to_numpy()[keep],
            "gap_z": z.to_numpy()[keep],
            "volume": volume.to_numpy()[keep],
            "volume_ratio": ratio.to_numpy()[keep],
            "volume_prev_ratio": prev_ratio.to_numpy()[keep],
        },
        columns=list(ROLL_COLUMNS),
    )
    out["reason"] = out["reason"].astype("str")
    return out.reset_index(drop=True)


def roll_dates(
    prices: pd.DataFrame, *, reasons: tuple[str, ...] = ("volume_jump",)
) -> pd.DatetimeIndex:
    """The dates of :func:`detect_roll_days` with one of ``reasons``.

    By default the volume signature only: a price gap may be genuine news (see the module
    docstring).

    Parameters
    ----------
    prices : DataFrame
        Daily bars (``close``, ``volume``), as for :func:`detect_roll_days`.
    reasons : tuple of str, default ("volume_jump",)

    Returns
    -------
    DatetimeIndex
        Sorted, unique dates whose return spans a contract switch.
    """
    rolls = detect_roll_days(prices)
    return pd.DatetimeIndex(rolls.loc[rolls["reason"].isin(reasons), "date"])
