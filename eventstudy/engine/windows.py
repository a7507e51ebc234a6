"""Windows in trading days relative to day 0, and how they are laid on the data.

Event time
----------
All windows are closed intervals of integer **trading-day offsets** relative to day 0 (the
day-0 rule per instrument lives in :mod:`eventstudy.data.day0`). Offsets count trading days of
the asset: :class:`eventstudy.engine.study.EventStudy` maps a calendar ``day0`` to the first
trading day of the asset on or after it, and offset ``t`` is the ``t``-th trading day of the
asset from there. Which days are the asset's trading days is :attr:`EventWindow.calendar`:

* ``"asset"`` (default): the dates on which the asset's return is not missing. A wide frame of
  markets with different holidays (NaN on each market's own holidays) then gives every asset
  the event time it would have alone, as if each were studied on its own (``returns[[a]]
  .dropna()``); benchmark and factors are read on the asset's dates.
* ``"shared"``: the rows of the returns index, shared by all assets; a missing return is a
  missing observation inside the window (ARC, estudy2 and the calendars of peer tools).

* :class:`EstimationWindow` ``(length, end)``: offsets ``end - length + 1 .. end``; e.g.
  ``EstimationWindow(length=250, end=-11)`` is ``-260..-11``. It must end before the event
  window starts; the days in between are the gap (``event.start - est.end - 1``). It also says
  which of its days may be used (:attr:`~EstimationWindow.mask`) and how many must be
  (:attr:`~EstimationWindow.min_obs`). An optional second block after the event window
  (:attr:`~EstimationWindow.post`, e.g. ``(11, 260)``) estimates the normal return on both
  sides of the event, so that a drift (a trend in prices) does not bias abnormal returns the
  way a trailing mean does; it must start after the event window ends.
* :class:`EventWindow` ``(start, end)``: offsets ``start..end``, both included; it also says
  on whose trading days offsets count, how far day 0 may move forward to reach a trading day,
  and what a missing return inside it does.
* CAR windows: any number of closed sub-windows of the event window.

Days of the estimation window before the first date of the data (or, for a post-event block,
after the last) count as missing observations (as estudy2 treats days before an IPO); the
minimum-observation rule then decides whether the event can be studied. By default an event
window must lie entirely inside the data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import DTypeLike

from eventstudy.engine._parallel import n_threads, run_all
from eventstudy.exceptions import SpecificationError

Calendar = Literal["asset", "shared"]
CALENDARS: tuple[str, ...] = get_args(Calendar)
Missing = Literal["exclude", "keep"]
MISSING: tuple[str, ...] = get_args(Missing)

__all__ = [
    "CALENDARS",
    "MISSING",
    "Calendar",
    "EstimationWindow",
    "EventWindow",
    "RowWindows",
    "as_car_windows",
    "as_estimation_window",
    "as_event_window",
    "compact_rows",
    "default_min_estimation_obs",
    "gather",
]


@dataclass(frozen=True)
class EstimationWindow:
    """Estimation window of ``length`` trading days ending at offset ``end`` (inclusive).

    Parameters
    ----------
    length : int
        Number of trading days, at least 1.
    end : int, default -11
        Last offset of the window, relative to day 0.
    min_obs : int, optional
        Fewest usable (not missing, not masked) days an event needs; default half the window,
        at least k + 3 (:func:`default_min_estimation_obs`).
    mask : Series or DataFrame of bool, optional
        True = do not use this date for estimation (e.g. other events' windows). A Series
        applies to every asset, a frame is matched by asset column; dates are matched to the
        returns index (absent dates and assets = usable). Masked days still count as days of
        the window (offsets do not move); they are missing observations.
    post : (int, int), optional
        A second block of offsets ``(start, end)``, both included, **after** the event window:
        the model is then estimated on both sides of the event (``length`` days before, the
        ``post`` days after). Post-event days beyond the end of the data are missing
        observations, so late events fall back on the pre-event block (subject to
        ``min_obs``). Events whose event window is extended (``extend``, episodes) have their
        post block moved by the same number of days. Not available for models that forecast
        from the end of the estimation window (``"garch"``).

    Notes
    -----
    A trailing window estimates the normal return at day 0 with data that end ``|end|`` days
    earlier: when the expected return drifts (gold's 2024-26 rally), the trailing mean lags
    and abnormal returns at random dates are biased in the direction of the drift, which
    distorts one-sided tests. A block on each side centres the estimate on the event
    (MacKinlay 1997, sec. 3, allows estimation windows after the event; the post block
    must not contain the event's own effect, hence the gap after the event window).

    Examples
    --------
    >>> EstimationWindow(length=250, end=-11).bounds
    (-260, -11)
    >>> EstimationWindow.from_bounds(-260, -11)
    EstimationWindow(length=250, end=-11)
    >>> w = EstimationWindow.from_bounds(-260, -11, post=(11, 260))
    >>> w.n_days, w.label
    (500, '(-260, -11) + (11, 260)')
    """

    length: int
    end: int = -11
    min_obs: int | None = field(default=None, kw_only=True)
    mask: pd.Series | pd.DataFrame | None = field(
        default=None, kw_only=True, compare=False, repr=False
    )
    post: tuple[int, int] | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        """Validate the fields; raise SpecificationError naming the one that is wrong."""
        if not isinstance(self.length, int | np.integer) or self.length < 1:
            raise SpecificationError(
                f"EstimationWindow length={self.length!r} must be a positive integer "
                "number of trading days"
            )
        if not isinstance(self.end, int | np.integer):
            raise SpecificationError(f"EstimationWindow end={self.end!r} must be an integer")
        if self.min_obs is not None and (
            not isinstance(self.min_obs, int | np.integer) or self.min_obs < 1
        ):
            raise SpecificationError(
                f"EstimationWindow min_obs={self.min_obs!r} must be a positive integer or None"
            )
        if self.mask is not None and not isinstance(self.mask, pd.Series | pd.DataFrame):
            raise SpecificationError(
                "EstimationWindow mask must be a boolean Series (all assets) or DataFrame "
                f"(one column per asset) indexed by date; got {type(self.mask).__name__}"
            )
        if self.post is not None:
            object.__setattr__(self, "post", _post_block(self.post, self.end))

    @classmethod
    def from_bounds(
        cls,
        start: int,
        end: int,
        *,
        min_obs: int | None = None,
        mask: pd.Series | pd.DataFrame | None = None,
        post: tuple[int, int] | None = None,
    ) -> EstimationWindow:
        """Window from its first and last offsets ``(start, end)``, both included.

        ``min_obs``, ``mask`` and the optional post-event block ``post`` are as in the class
        docstring.
        """
        if start > end:
            raise SpecificationError(
                f"estimation window ({start}, {end}): start must not be after end"
            )
        return cls(length=int(end - start + 1), end=int(end), min_obs=min_obs, mask=mask, post=post)

    @property
    def start(self) -> int:
        """First offset, ``end - length + 1``."""
        return int(self.end - self.length + 1)

    @property
    def bounds(self) -> tuple[int, int]:
        """``(start, end)`` of the pre-event block, both included."""
        return (self.start, int(self.end))

    @property
    def n_days(self) -> int:
        """Days of the window: ``length`` plus those of the post-event block."""
        post = 0 if self.post is None else self.post[1] - self.post[0] + 1
        return int(self.length + post)

    @property
    def label(self) -> str:
        """``"(-260, -11)"``, or ``"(-260, -11) + (11, 260)"`` with a post-event block."""
        pre = str(self.bounds)
        return pre if self.post is None else f"{pre} + {self.post}"

    @property
    def rel_days(self) -> np.ndarray:
        """Offsets ``start..end`` (then the post-event block's) as an int64 array."""
        pre = np.arange(self.start, self.end + 1, dtype=np.int64)
        if self.post is None:
            return pre
        return np.concatenate([pre, np.arange(self.post[0], self.post[1] + 1, dtype=np.int64)])


def _post_block(post: object, end: int) -> tuple[int, int]:
    """Check a post-event block ``(start, end)``: integers, ordered, after the pre block."""
    if not (
        isinstance(post, Sequence)
        and len(post) == 2
        and all(isinstance(v, int | np.integer) for v in post)
    ):
        raise SpecificationError(
            f"EstimationWindow post={post!r}: expected a (start, end) tuple of trading-day "
            "offsets after the event window, e.g. (11, 260)"
        )
    start, stop = int(post[0]), int(post[1])
    if start > stop or start <= end:
        raise SpecificationError(
            f"EstimationWindow post={post!r}: start must not be after end and the block must "
            f"come after the pre-event block (which ends at {end})"
        )
    return (start, stop)


@dataclass(frozen=True)
class EventWindow:
    """Event window ``start..end`` (trading-day offsets, both included), and how it is laid.

    Parameters
    ----------
    start, end : int
        First and last offset relative to day 0.
    calendar : {"asset", "shared"}, default "asset"
        On whose trading days the offsets of both windows count (see the module docstring):

        * ``"asset"``: the dates with a non-missing return of the event's asset;
        * ``"shared"``: the rows of the returns index.
    missing : {"exclude", "keep"} or (int, int), default "exclude"
        What a missing return (asset, benchmark or factor) inside the event window does,
        including days after the end of the data:

        * ``"exclude"``: the event is excluded, with the count of missing days as its reason;
        * ``"keep"``: the event is kept with NaN abnormal returns on those days (their CARs
          are NaN);
        * ``(a, b)``: the event is excluded only when a day of the sub-window ``a..b`` is
          missing; elsewhere as ``"keep"``.
    max_day0_shift : int, optional
        Largest number of calendar days day 0 may move forward to reach a trading day (PyPI
        eventstudy uses 4); None = no limit.

    Examples
    --------
    >>> EventWindow(-10, 10).bounds
    (-10, 10)
    """

    start: int
    end: int
    calendar: Calendar = field(default="asset", kw_only=True)
    missing: Missing | tuple[int, int] = field(default="exclude", kw_only=True)
    max_day0_shift: int | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        """Validate the fields (``missing`` normalised); raise SpecificationError if wrong."""
        if not all(isinstance(v, int | np.integer) for v in (self.start, self.end)):
            raise SpecificationError(
                f"event window ({self.start!r}, {self.end!r}) must be two integers"
            )
        if self.start > self.end:
            raise SpecificationError(
                f"event window ({self.start}, {self.end}): start must not be after end"
            )
        if self.calendar not in CALENDARS:
            raise SpecificationError(
                f"EventWindow calendar={self.calendar!r} is not accepted; use one of {CALENDARS}"
            )
        missing = self.missing
        if isinstance(missing, str):
            if missing not in MISSING:
                raise SpecificationError(
                    f"EventWindow missing={missing!r} is not accepted; use one of {MISSING} "
                    "or a (start, end) sub-window"
                )
        else:
            required = as_car_windows([missing], self)  # a closed sub-window, checked
            object.__setattr__(self, "missing", required[0])
        shift = self.max_day0_shift
        if shift is not None and (not isinstance(shift, int | np.integer) or shift < 0):
            raise SpecificationError(
                f"EventWindow max_day0_shift={shift!r} must be a non-negative int or None"
            )

    @property
    def required(self) -> tuple[int, int] | None:
        """The sub-window in which a missing return excludes the event (None: nowhere)."""
        if self.missing == "exclude":
            return self.bounds
        if self.missing == "keep":
            return None
        return self.missing

    @property
    def bounds(self) -> tuple[int, int]:
        """``(start, end)`` as Python ints (trading-day offsets from day 0, both included)."""
        return (int(self.start), int(self.end))

    @property
    def length(self) -> int:
        """Number of event-window days L2 = end - start + 1."""
        return int(self.end - self.start + 1)

    @property
    def rel_days(self) -> np.ndarray:
        """The offsets ``start..end`` (int64, shape (L2,))."""
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
    """Accept an :class:`EventWindow` or a ``(start, end)`` tuple of offsets (defaults kept)."""
    if isinstance(value, EventWindow):
        return value
    if isinstance(value, Sequence) and len(value) == 2:
        return EventWindow(int(value[0]), int(value[1]))
    raise SpecificationError(
        f"event_window={value!r}: expected a (start, end) tuple of trading-day offsets"
    )


def as_car_windows(
    values: Iterable[Sequence[int]], event_window: EventWindow
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
    """Check that the estimation window ends before the event window starts.

    A post-event block must start after the event window ends.

    Raises
    ------
    SpecificationError
        The windows overlap; the message suggests an offset that fits.
    """
    if est.end >= event.start:
        raise SpecificationError(
            f"estimation window {est.bounds} must end before the event window "
            f"{event.bounds} starts (e.g. end={event.start - 1})"
        )
    if est.post is not None and est.post[0] <= event.end:
        raise SpecificationError(
            f"the post-event estimation block {est.post} must start after the event window "
            f"{event.bounds} ends (e.g. start={event.end + 1})"
        )


def default_min_estimation_obs(est: EstimationWindow, k: int) -> int:
    """Default minimum of non-missing estimation observations: half the pre-event block, >= k + 3.

    ``k + 3`` keeps ``n - k - 2 > 0``, so the standardized CAR has a finite variance
    :math:`(n-k)/(n-k-2)`. A post-event block does not raise the minimum: an event near the
    end of the data (no post-event days yet) keeps the requirement of a trailing window.
    """
    return max(k + 3, math.ceil(est.length / 2))


def gather(
    values: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    fill: Any = np.nan,
    dtype: np.dtype | type = float,
) -> np.ndarray:
    """Fancy-index ``values[rows, cols]`` with out-of-range rows giving ``fill`` (NaN).

    Parameters
    ----------
    values : ndarray, shape (T, A)
        Wide data (dates x series).
    rows : ndarray of int, shape (N, L)
        Row positions; positions outside ``0..T-1`` give ``fill``.
    cols : ndarray of int, shape (N,)
        Column of each event.
    fill : scalar, default NaN
        Value of the positions outside the data (e.g. False for a mask).
    dtype : dtype, default float
        Of the result.

    Returns
    -------
    ndarray of ``dtype``, shape (N, L)
        A new array.
    """
    values = np.asarray(values)
    rows = np.asarray(rows)
    cols = np.asarray(cols)
    n_rows, n_cols = values.shape
    if not n_rows:
        return np.full(rows.shape, fill, dtype=dtype)
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
    out = out.astype(dtype, copy=False)
    if inside is not None:
        np.copyto(out, fill, where=~inside)
    return out


def gather_pattern(
    values: np.ndarray,
    first: np.ndarray,
    cols: np.ndarray,
    length: int,
    offsets: np.ndarray | None = None,
    fill: Any = np.nan,
    dtype: np.dtype | type = float,
) -> np.ndarray:
    """``values[first[:, None] + offsets, cols[:, None]]``, ``fill`` on rows outside ``0..T-1``.

    ``offsets`` (``length`` increasing ints; default ``0..length-1``) is every window's
    pattern of rows after its first, e.g. the estimation days before and after an event
    window; ``first`` may put windows partly before or after the data. The windows are read
    as runs (:func:`_take_by_column`: one column for all events, or column-major ``values``),
    those reaching past an end from a window moved inside and then corrected row by row (a
    few events); otherwise (row-major values of several columns, or windows longer than the
    data) all row by row. No copy of ``values``, no (N, length) index array for the runs.
    """
    values, first, cols = np.asarray(values), np.asarray(first), np.asarray(cols)
    n_rows = values.shape[0]
    pattern = np.arange(length) if offsets is None else np.asarray(offsets)
    span = int(pattern[-1]) + 1 if length else 0
    if first.size and span <= n_rows:
        inside = np.clip(first, 0, n_rows - span)  # the edge windows moved inside, fixed below
        out = _take_by_column(values, inside, cols, length, offsets, dtype)
        if out is not None:
            edge = np.flatnonzero(inside != first)
            if edge.size:
                rows = first[edge, None] + pattern
                out[edge] = gather(values, rows, cols[edge], fill, dtype)
            return out
    return gather(values, first[:, None] + pattern, cols, fill, dtype)


def _take_by_column(
    values: np.ndarray,
    starts: np.ndarray,
    cols: np.ndarray,
    length: int,
    offsets: np.ndarray | None,
    dtype: np.dtype | type,
) -> np.ndarray | None:
    """``values[starts[:, None] + offsets, cols[:, None]]`` read as runs, or None.

    Every window must lie inside the rows. One column for all events, or column-major
    ``values`` (every column one run of memory): :func:`take_runs` on that column or on the
    flattened table; otherwise None (the caller reads another way).
    """
    if cols.size and (cols == cols[0]).all():
        return take_runs(values[:, int(cols[0])], starts, length, offsets, dtype)
    if values.flags.f_contiguous:
        flat = values.ravel(order="F")
        return take_runs(flat, starts + cols * values.shape[0], length, offsets, dtype)
    return None


def take_runs(
    x: np.ndarray,
    starts: np.ndarray,
    length: int,
    offsets: np.ndarray | None = None,
    dtype: np.dtype | type = float,
) -> np.ndarray:
    """``x[starts[:, None] + offsets].astype(dtype)`` of a 1-D ``x``, copied run by run.

    ``offsets`` as in :func:`gather_pattern` (default ``0..length-1``). Each run of consecutive
    offsets is a row of a sliding-window view of ``x``, copied by :func:`take_windows`: no
    (N, length) index array.
    """
    if offsets is None:
        return take_windows(sliding_window_view(x, length), starts, dtype)
    out = np.empty((starts.size, length), dtype=dtype)
    for first, col, size in offset_runs(offsets):
        take_windows(sliding_window_view(x, size), starts + first, out=out[:, col : col + size])
    return out


def offset_runs(offsets: np.ndarray) -> list[tuple[int, int, int]]:
    """The runs of consecutive values of increasing ``offsets``: ``(first, position, size)``.

    E.g. ``[0, 1, 2, 7, 8]`` -> ``[(0, 0, 3), (7, 3, 2)]``.
    """
    offsets = np.asarray(offsets)
    breaks = np.flatnonzero(np.diff(offsets) != 1) + 1
    heads = np.concatenate([[0], breaks]).astype(int)
    ends = np.concatenate([breaks, [offsets.size]]).astype(int)
    return [(int(offsets[a]), int(a), int(b - a)) for a, b in zip(heads, ends, strict=True)]


class RowWindows:
    """Windows of a table's rows, read when asked: row i is ``values[starts[i] + offsets]``.

    What a study's estimation windows are when every event's window is the same pattern of
    rows inside the data (``length`` consecutive rows, or runs before and after the event
    window; the ``"shared"`` calendar, or one asset's dates): the estimation dates
    (``est_dates``) or benchmark returns (``est_market``) of N events without an N x
    ``length`` copy (200 MB each at 100,000 events of 250 days, on a machine where the
    kernel's first touch of fresh memory costs more than reading it). Reading copies:
    ``w[lo:hi]`` (a block of rows), ``w[i]`` (one row), ``w[rows]`` (rows by position or
    mask) and ``np.asarray(w)`` (all) give ndarrays of ``values``'s dtype.

    Parameters
    ----------
    values : ndarray, shape (T,) or (T, C)
        The table (e.g. trading dates, or benchmark returns with one column per benchmark).
    starts : ndarray of int, shape (N,)
        First row of each window; every window lies inside ``0..T-1``.
    length : int
        Rows per window.
    cols : ndarray of int, shape (N,), optional
        Column of each window (2-D ``values``); default the first.
    offsets : ndarray of int, shape (length,), optional
        The rows of every window after its start, increasing; default ``0..length-1``.
    """

    ndim = 2

    def __init__(
        self,
        values: np.ndarray,
        starts: np.ndarray,
        length: int,
        cols: np.ndarray | None = None,
        offsets: np.ndarray | None = None,
    ) -> None:
        values = np.asarray(values)
        self.values = values if values.ndim == 2 else values[:, None]
        self.starts = np.asarray(starts, dtype=np.intp)
        self.length = int(length)
        self.cols = (
            np.zeros(self.starts.size, dtype=np.intp)
            if cols is None
            else np.broadcast_to(np.asarray(cols, dtype=np.intp), self.starts.shape)
        )
        self.offsets = _pattern(offsets, self.length)
        first, last = (0, self.length - 1) if self.offsets is None else self.offsets[[0, -1]]
        if (
            self.starts.size
            and self.length
            and (self.starts.min() + first < 0 or self.starts.max() + last >= self.values.shape[0])
        ):
            raise ValueError("every window must lie inside the rows of values")

    @property
    def shape(self) -> tuple[int, int]:
        """``(N, length)``."""
        return (self.starts.size, self.length)

    @property
    def dtype(self) -> np.dtype:
        """The dtype of ``values`` (and of every read)."""
        return self.values.dtype

    @property
    def size(self) -> int:
        """``N x length``."""
        return self.starts.size * self.length

    def __len__(self) -> int:
        return self.starts.size

    def __repr__(self) -> str:
        return f"RowWindows(shape={self.shape}, dtype={self.dtype})"

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        """All rows, as a new array (``dtype``: converted; ``copy=False`` cannot be met)."""
        if copy is False:
            raise ValueError("RowWindows are read into a new array: copy=False is impossible")
        out = self._read(self.starts, self.cols)
        return out if dtype is None else out.astype(dtype, copy=False)

    def __getitem__(self, key: Any) -> np.ndarray:
        """Rows (then, for a tuple key, columns of them) as a new array."""
        if isinstance(key, tuple):
            rows = self[key[0]]  # 1-D for an integer row, else 2-D
            return rows[key[1:]] if rows.ndim == 1 else rows[(slice(None), *key[1:])]
        if isinstance(key, (int, np.integer)):
            return self[slice(int(key), int(key) + 1 or None)][0]
        return self._read(self.starts[key], self.cols[key])

    def rows(self, index: np.ndarray | slice) -> RowWindows:
        """The windows of rows ``index`` (positions or a mask), not read."""
        return RowWindows(
            self.values, self.starts[index], self.length, self.cols[index], self.offsets
        )

    def with_values(self, values: np.ndarray) -> RowWindows:
        """The same windows over another table of the same rows (e.g. dates as day numbers)."""
        return RowWindows(values, self.starts, self.length, self.cols, self.offsets)

    def _read(self, starts: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Copy the windows at ``starts`` of columns ``cols`` (:func:`take_runs`).

        One column, or column-major values (every column a run of memory): one read; else
        column by column.
        """
        out = _take_by_column(self.values, starts, cols, self.length, self.offsets, self.dtype)
        if out is not None:
            return out
        out = np.empty((starts.size, self.length), dtype=self.dtype)
        for col in np.unique(cols):
            where = cols == col
            column = self.values[:, int(col)]
            out[where] = take_runs(column, starts[where], self.length, self.offsets, self.dtype)
        return out


def _pattern(offsets: np.ndarray | None, length: int) -> np.ndarray | None:
    """``offsets`` as intp, None when absent or ``0..length-1``; checked increasing."""
    if offsets is None or length == 0:
        return None
    pattern = np.asarray(offsets, dtype=np.intp)
    if pattern.shape != (length,) or (length > 1 and not (np.diff(pattern) > 0).all()):
        raise ValueError(f"offsets must be {length} increasing integers")
    if pattern[0] == 0 and pattern[-1] == length - 1:
        return None  # one run from the start: the plain windows
    return pattern


def compact_rows(a: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``a[keep]`` in ``a``'s own memory: the kept rows moved to the front, ``a[:k]`` returned.

    For a private array (its other rows are overwritten): no fresh (k, ...) array, a block of
    :data:`_COMPACT_ROWS` rows copied at a time. The rows read for positions ``lo..hi`` are
    at or after ``lo`` and those of later blocks after ``hi``, so no row is overwritten
    before it is read.
    """
    index = np.flatnonzero(keep)
    for lo in range(0, index.size, _COMPACT_ROWS):
        part = index[lo : lo + _COMPACT_ROWS]
        a[lo : lo + part.size] = a[part]
    return a[: index.size]


#: Rows per block of :func:`compact_rows`.
_COMPACT_ROWS = 4096


#: Windows per task of :func:`take_windows` (below this many, one task).
_TAKE_CHUNK = 16_384


def take_windows(
    windows: np.ndarray,
    index: np.ndarray,
    dtype: np.dtype | type = float,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """``windows[index].astype(dtype)``, chunks of rows copied on the engine's threads.

    Parameters
    ----------
    windows : ndarray, shape (M, L)
        E.g. a sliding-window view.
    index : ndarray of int, shape (N,)
        Rows of ``windows`` to copy.
    dtype : dtype, default float
        Of the result.

    out : ndarray, shape (N, L), optional
        Written into (e.g. columns of a wider array); ``dtype`` is then ignored.

    Returns
    -------
    ndarray, shape (N, L)
        ``out``, or a new C-contiguous array (the same values as the fancy index).
    """
    target = np.empty((index.size, windows.shape[1]), dtype=dtype) if out is None else out

    def copy(lo: int) -> None:
        target[lo : lo + _TAKE_CHUNK] = windows[index[lo : lo + _TAKE_CHUNK]]

    run_all([partial(copy, lo) for lo in range(0, index.size, _TAKE_CHUNK)], n_threads())
    return target
