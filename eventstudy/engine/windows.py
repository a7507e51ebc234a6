"""Windows in trading days relative to day 0, and where each event's windows fall in the data.

Event time
----------
All windows are closed intervals of integer **trading-day offsets** relative to day 0 (the
day-0 rule per instrument lives in :mod:`eventstudy.data.instruments`;
:class:`eventstudy.engine.study.EventStudy` maps a calendar ``day0`` to the first row of the returns
index on or after it). Offset ``t`` of an event whose day 0 sits at row ``p`` of the returns
index is row ``p + t``: offsets count rows of the (trading-date) index, not calendar days.

* :class:`EstimationWindow` ``(length, end)``: offsets ``end - length + 1 .. end``; e.g.
  ``EstimationWindow(length=250, end=-11)`` is ``-260..-11``. It must end before the event
  window starts; the days in between are the gap (``event.start - est.end - 1``).
* :class:`EventWindow` ``(start, end)``: offsets ``start..end``, both included.
* CAR windows: any number of closed sub-windows of the event window.

Rows of the estimation window before the first date of the data count as missing observations
(as estudy2 treats days before an IPO); the minimum-observation rule then decides whether the
event can be studied. An event window must lie entirely inside the data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from eventstudy.exceptions import SpecificationError

__all__ = [
    "EstimationWindow",
    "EventWindow",
    "as_car_windows",
    "as_estimation_window",
    "as_event_window",
    "default_min_estimation_obs",
    "gather",
]


@dataclass(frozen=True)
class EstimationWindow:
    """Estimation window of ``length`` trading days ending at offset ``end`` (inclusive).

    Parameters
    ----------
    length : int
        Number of trading days (rows of the returns index), at least 1.
    end : int, default -11
        Last offset of the window, relative to day 0.

    Examples
    --------
    >>> EstimationWindow(length=250, end=-11).bounds
    (-260, -11)
    >>> EstimationWindow.from_bounds(-260, -11)
    EstimationWindow(length=250, end=-11)
    """

    length: int
    end: int = -11

    def __post_init__(self) -> None:
        if not isinstance(self.length, int | np.integer) or self.length < 1:
            raise SpecificationError(
                f"EstimationWindow length={self.length!r} must be a positive integer "
                "number of trading days"
            )
        if not isinstance(self.end, int | np.integer):
            raise SpecificationError(f"EstimationWindow end={self.end!r} must be an integer")

    @classmethod
    def from_bounds(cls, start: int, end: int) -> EstimationWindow:
        """Window from its first and last offsets ``(start, end)``, both included."""
        if start > end:
            raise SpecificationError(
                f"estimation window ({start}, {end}): start must not be after end"
            )
        return cls(length=int(end - start + 1), end=int(end))

    @property
    def start(self) -> int:
        """First offset, ``end - length + 1``."""
        return int(self.end - self.length + 1)

    @property
    def bounds(self) -> tuple[int, int]:
        """``(start, end)``, both included."""
        return (self.start, int(self.end))

    @property
    def rel_days(self) -> np.ndarray:
        """Offsets ``start..end`` as an int64 array."""
        return np.arange(self.start, self.end + 1, dtype=np.int64)


@dataclass(frozen=True)
class EventWindow:
    """Event window ``start..end`` (trading-day offsets, both included)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not all(isinstance(v, int | np.integer) for v in (self.start, self.end)):
            raise SpecificationError(
                f"event window ({self.start!r}, {self.end!r}) must be two integers"
            )
        if self.start > self.end:
            raise SpecificationError(
                f"event window ({self.start}, {self.end}): start must not be after end"
            )

    @property
    def bounds(self) -> tuple[int, int]:
        return (int(self.start), int(self.end))

    @property
    def length(self) -> int:
        return int(self.end - self.start + 1)

    @property
    def rel_days(self) -> np.ndarray:
        return np.arange(self.start, self.end + 1, dtype=np.int64)


def as_estimation_window(value: EstimationWindow | tuple[int, int]) -> EstimationWindow:
    """Accept an :class:`EstimationWindow` or a ``(start, end)`` tuple of offsets."""
    if isinstance(value, EstimationWindow):
        return value
    if isinstance(value, Sequence) and len(value) == 2:
        return EstimationWindow.from_bounds(int(value[0]), int(value[1]))
    raise SpecificationError(
        f"estimation_window={value!r}: expected EstimationWindow(length=..., end=...) or a "
        "(start, end) tuple of trading-day offsets"
    )


def as_event_window(value: EventWindow | tuple[int, int]) -> EventWindow:
    """Accept an :class:`EventWindow` or a ``(start, end)`` tuple of offsets."""
    if isinstance(value, EventWindow):
        return value
    if isinstance(value, Sequence) and len(value) == 2:
        return EventWindow(int(value[0]), int(value[1]))
    raise SpecificationError(
        f"event_window={value!r}: expected a (start, end) tuple of trading-day offsets"
    )


def as_car_windows(
    values: Iterable[tuple[int, int]], event_window: EventWindow
) -> tuple[tuple[int, int], ...]:
    """Check CAR sub-windows: closed, ordered, inside the event window; duplicates dropped."""
    out: list[tuple[int, int]] = []
    for value in values:
        if not (isinstance(value, Sequence) and len(value) == 2):
            raise SpecificationError(
                f"car window {value!r}: expected a (start, end) tuple of trading-day offsets"
            )
        start, end = int(value[0]), int(value[1])
        if start > end or start < event_window.start or end > event_window.end:
            raise SpecificationError(
                f"car window ({start}, {end}) must satisfy start <= end and lie inside the "
                f"event window {event_window.bounds}"
            )
        if (start, end) not in out:
            out.append((start, end))
    return tuple(out)


def check_order(est: EstimationWindow, event: EventWindow) -> None:
    """The estimation window must end before the event window starts."""
    if est.end >= event.start:
        raise SpecificationError(
            f"estimation window {est.bounds} must end before the event window "
            f"{event.bounds} starts (e.g. end={event.start - 1})"
        )


def default_min_estimation_obs(est: EstimationWindow, k: int) -> int:
    """Default minimum of non-missing estimation observations: half the window, at least k + 3.

    ``k + 3`` keeps ``n - k - 2 > 0``, so the standardized CAR has a finite variance
    :math:`(n-k)/(n-k-2)`.
    """
    return max(k + 3, math.ceil(est.length / 2))


def gather(values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Fancy-index ``values[rows, cols]`` with out-of-range rows giving NaN.

    Parameters
    ----------
    values : ndarray, shape (T, A)
        Wide data (dates x series).
    rows : ndarray of int, shape (N, L)
        Row positions; positions outside ``0..T-1`` give NaN.
    cols : ndarray of int, shape (N,)
        Column of each event.

    Returns
    -------
    ndarray of float, shape (N, L)
        A new array.
    """
    values = np.asarray(values)
    rows = np.asarray(rows)
    cols = np.asarray(cols)
    n_rows, n_cols = values.shape
    inside = None
    if rows.size and (rows.min() < 0 or rows.max() >= n_rows):
        inside = (rows >= 0) & (rows < n_rows)
        rows = np.clip(rows, 0, n_rows - 1)
    # one take on a flat view: cheaper than 2-D fancy indexing with broadcast columns
    if cols.size and cols.min() < 0:
        out = values[rows, cols[:, None]]
    elif cols.size and (cols == cols[0]).all():
        out = values[:, cols[0]].take(rows)  # one series for all events (e.g. a benchmark)
    elif values.flags.f_contiguous:
        out = values.ravel(order="F").take(rows + (cols * n_rows)[:, None])
    elif values.flags.c_contiguous:
        flat = rows * n_cols
        flat += cols[:, None]
        out = values.ravel().take(flat)
    else:
        out = values[rows, cols[:, None]]
    out = out.astype(float, copy=False)
    if inside is not None:
        np.copyto(out, np.nan, where=~inside)
    return out
