r"""A panel prepared for the battery: per-panel quantities computed once and reused.

Most of what the cross-event tests need does not depend on the day or window tested: the
estimation-window AAR series, the residual SDs, the ranks of every event's combined
estimation + event series, the Kolari-Pynnonen average correlation, the generalized-sign
:math:`\hat p`, the wild-bootstrap weights. :class:`PreparedPanel` computes each of them the
first time a test asks for it and keeps it, so that :func:`~eventstudy.engine.stats.aar_tests`
(every event-window day) and :func:`~eventstudy.engine.stats.caar_tests` (every window) pay for
it once.

The cache lives on the :class:`PreparedPanel`, never on the (frozen) panel itself: build one
with :func:`prepare` and pass it wherever a panel is accepted. The panel's arrays must not be
modified in place while a :class:`PreparedPanel` of it is in use (the cache would be stale).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

import numpy as np

from eventstudy.engine.panel import AbnormalReturnPanel

T = TypeVar("T")


class PreparedPanel:
    """An :class:`~eventstudy.engine.panel.AbnormalReturnPanel` with cached per-panel quantities.

    Parameters
    ----------
    panel : AbnormalReturnPanel or PreparedPanel
        The panel (a :class:`PreparedPanel` is returned unwrapped to its panel, with a fresh
        cache).

    Attributes
    ----------
    panel : AbnormalReturnPanel
        The panel read by every test.

    Notes
    -----
    Cached values are keyed by what they depend on (e.g. ``("sigma", patell_ddof)``), so one
    :class:`PreparedPanel` serves any mix of tests and options. Memory: the largest entries are
    the combined series' sorting order (N x (L1 + L2) int16, kept only when GRANK and a rank
    test are expected, :meth:`expect`; the rank tests keep nothing of N x (L1 + L2): one
    blocked pass of the sort forms their day sums). GRANK keeps nothing of N x L1 (one
    blocked pass computes its sums), and the bootstraps keep no ``n_boot`` x N draws (each
    block of replications is drawn, used and overwritten).
    """

    __slots__ = ("_expected", "_key_locks", "_lock", "_memo", "panel")

    panel: AbnormalReturnPanel
    _memo: dict[Hashable, Any]
    _expected: set[str]
    _lock: threading.Lock
    _key_locks: dict[Hashable, threading.Lock]

    def __init__(self, panel: AbnormalReturnPanel | PreparedPanel) -> None:
        self.panel = panel.panel if isinstance(panel, PreparedPanel) else panel
        self._memo = {}
        self._expected = set()
        self._lock = threading.Lock()
        self._key_locks = {}

    def expect(self, tests: Iterable[str]) -> None:
        """Note tests that will run on this panel (a hint: what to compute together)."""
        self._expected.update(tests)

    def expects(self, tests: Iterable[str]) -> bool:
        """Return True when any of ``tests`` was announced by :meth:`expect`."""
        return not self._expected.isdisjoint(tests)

    @property
    def n_events(self) -> int:
        return self.panel.n_events

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the cached value of ``key``, computing it with ``compute()`` the first time.

        Thread-safe: when several threads ask for the same missing key, one computes it and
        the others wait for its value (a lock per key; the keys a computation asks for in
        turn never lead back to it, so the waits cannot deadlock).
        """
        try:
            return self._memo[key]
        except KeyError:
            pass
        with self._lock:
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:
            try:
                return self._memo[key]
            except KeyError:
                value = compute()
                self._memo[key] = value
                return value

    def __contains__(self, key: Hashable) -> bool:
        return key in self._memo

    def __repr__(self) -> str:
        return f"PreparedPanel(n_events={self.n_events}, cached={len(self._memo)})"


def prepare(panel: AbnormalReturnPanel | PreparedPanel) -> PreparedPanel:
    """Wrap ``panel`` so that repeated battery calls share their per-panel computations.

    Parameters
    ----------
    panel : AbnormalReturnPanel or PreparedPanel
        A :class:`PreparedPanel` is returned as is.

    Returns
    -------
    PreparedPanel

    Examples
    --------
    >>> prep = prepare(panel)  # doctest: +SKIP
    >>> daily = aar_tests(prep)  # doctest: +SKIP
    >>> windows = caar_tests(prep, [(-1, 1), (0, 5)])  # ranks, r_bar, ... reused  # doctest: +SKIP
    """
    return panel if isinstance(panel, PreparedPanel) else PreparedPanel(panel)


def as_prepared(panel: AbnormalReturnPanel | PreparedPanel) -> PreparedPanel:
    """``panel`` itself if prepared, else a fresh (single-use) :class:`PreparedPanel`."""
    return prepare(panel)


def sorted_ranks(
    x: np.ndarray, order: np.ndarray, out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Average ranks of each row of ``x`` given a sorting permutation, and the sorted values.

    Parameters
    ----------
    x : ndarray, shape (n, m)
    order : ndarray of int, shape (n, m)
        Sorts each row ascending with NaN last (``np.argsort(x, axis=1)``).
    out : ndarray, shape (n, m), optional
        Where to write the ranks (e.g. float32: ranks are integers or halves, exact there
        below 2**24); default a new float64 array.

    Returns
    -------
    ranks : ndarray, shape (n, m)
        As :func:`row_ranks`.
    xs : ndarray, shape (n, m)
        ``x`` sorted within rows.
    """
    x = np.asarray(x, dtype=float)
    n, m = x.shape
    flat = _flat_index(order)  # one index for the gather and the scatter
    xs = sorted_by(x, order, flat)
    ranks = np.empty_like(x) if out is None else out
    pos = np.arange(m)
    tied = xs[:, 1:] == xs[:, :-1]  # NaN never ties
    if not tied.any():
        _scatter_rows(ranks, order, pos + 1.0, flat)
    else:
        start = np.ones((n, m), dtype=bool)
        start[:, 1:] = ~tied
        first = np.maximum.accumulate(np.where(start, pos, 0), axis=1)
        end = np.ones((n, m), dtype=bool)
        end[:, :-1] = start[:, 1:]
        last = np.minimum.accumulate(np.where(end, pos, m)[:, ::-1], axis=1)[:, ::-1]
        _scatter_rows(ranks, order, (first + last) / 2.0 + 1.0, flat)
    missing = np.isnan(x)
    if missing.any():
        ranks[missing] = np.nan
    return ranks, xs


def _flat_index(order: np.ndarray) -> np.ndarray:
    """Position of ``order[i, j]`` in a C-ordered array of its shape: ``i * m + order[i, j]``."""
    n, m = order.shape
    return order + (np.arange(n, dtype=np.intp) * m)[:, None]


def sorted_by(x: np.ndarray, order: np.ndarray, flat: np.ndarray | None = None) -> np.ndarray:
    """Each row of ``x`` (n, m) in the order of its row of ``order``: ``np.sort(x, axis=1)``.

    The same values as the sort when ``order`` sorts ``x`` (``np.argsort``; equal values are
    equal whichever comes first), read by one flat gather: several times faster than sorting
    again. ``flat``: :func:`_flat_index` of ``order``, when the caller has it.
    """
    if not x.flags.c_contiguous:
        return np.take_along_axis(x, order.astype(np.intp), axis=1)
    return x.reshape(-1).take(_flat_index(order) if flat is None else flat)


def _scatter_rows(
    out: np.ndarray, order: np.ndarray, values: np.ndarray, flat: np.ndarray | None = None
) -> None:
    """``np.put_along_axis(out, order, values, axis=1)`` (``values`` broadcast to ``order``).

    On a C-contiguous ``out`` by one flat index (faster than put_along_axis's broadcast index
    arrays; the same assignments), with ``values`` cast to ``out``'s dtype before the scatter
    (the assignment casts them so: the same numbers; into a float32 ``out``, as the ranks of
    the combined series, about 3x faster than a cast per scattered element). ``flat``:
    :func:`_flat_index` of ``order``, when the caller has it.
    """
    n, m = order.shape
    if not out.flags.c_contiguous or out.shape != (n, m):
        np.put_along_axis(out, order, np.broadcast_to(values, (n, m)), axis=1)
        return
    values = np.broadcast_to(np.asarray(values, dtype=out.dtype), (n, m))
    flat = _flat_index(order) if flat is None else flat
    out.reshape(-1)[flat.ravel()] = values.ravel()


def row_ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (1 = smallest) of each row's non-NaN values; NaN stays NaN.

    Equal to ``scipy.stats.rankdata(x, axis=1, method="average", nan_policy="omit")``, by one
    argsort of each row: a tied run occupying sorted positions ``a..b``
    (0-based) gets rank ``(a + b) / 2 + 1``.
    """
    x = np.asarray(x, dtype=float)
    if x.shape[1] == 0:
        return x.copy()
    return sorted_ranks(x, np.argsort(x, axis=1))[0]
