r"""Kolari-Pynnonen (2010) average cross-correlation :math:`\bar r` of estimation residuals.

Two estimators (option ``kp_estimator``), both on residuals aligned by calendar date
(``kp_alignment="calendar"``, default) or by relative day (``"event_time"``, as peers do):

* ``"pooled"`` (default) -- O(N x L1) time and memory; see :func:`pooled_mean_correlation`.
* ``"pairwise"`` -- the mean of the N(N-1)/2 pairwise Pearson correlations, each on the pair's
  common days (peers' definition); O(N^2 x D) time, computed in blocks of rows so memory stays
  O(N x D), D = number of distinct dates. Meant for small N; when every event used has the same
  observed days (a clustered design without gaps) it is computed by the pooled formula, to
  which it is then algebraically equal.

References
----------
Kolari, J. W., & Pynnonen, S. (2010). Event study testing with cross-sectional correlation of
abnormal returns. *Review of Financial Studies*, 23(11), 3996-4025.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from eventstudy.engine.panel import AbnormalReturnPanel
from eventstudy.engine.stats._prepared import PreparedPanel, as_prepared
from eventstudy.engine.windows import RowWindows
from eventstudy.exceptions import SpecificationError

#: Minimum number of common estimation days for a pair of events to enter the pairwise
#: average (and minimum number of estimation days for an event to enter the pooled one).
KP_MIN_OVERLAP = 10

ALIGNMENTS: tuple[str, ...] = ("calendar", "event_time")
ESTIMATORS: tuple[str, ...] = ("pooled", "pairwise")

#: Rows per block of the pairwise estimator are chosen so a block holds about this many pairs.
_PAIRS_PER_BLOCK = 1_000_000


def _check(alignment: str, estimator: str) -> None:
    if alignment not in ALIGNMENTS:
        raise SpecificationError(
            f"alignment={alignment!r} is not accepted; use one of {list(ALIGNMENTS)}"
        )
    if estimator not in ESTIMATORS:
        raise SpecificationError(
            f"estimator={estimator!r} is not accepted; use one of {list(ESTIMATORS)}"
        )


def _grid(panel: AbnormalReturnPanel, alignment: str) -> np.ndarray:
    """Estimation residuals on a (D, N) grid of dates (or relative days), NaN where absent."""
    n, le = panel.est_ar.shape
    if alignment == "event_time":
        return np.asarray(panel.est_ar, dtype=float).T
    dates = np.asarray(panel.est_dates, dtype="datetime64[D]")
    ok = np.isfinite(panel.est_ar) & ~np.isnat(dates)
    uniq, inv = np.unique(dates[ok], return_inverse=True)
    wide = np.full((len(uniq), n), np.nan)
    rows = np.broadcast_to(np.arange(n)[:, None], (n, le))[ok]
    wide[inv, rows] = np.asarray(panel.est_ar, dtype=float)[ok]
    return wide


def residual_correlation_matrix(
    panel: AbnormalReturnPanel, alignment: str = "calendar", min_overlap: int = KP_MIN_OVERLAP
) -> np.ndarray:
    """Pairwise correlations (N x N) of estimation-window residuals, NaN for thin pairs.

    ``alignment="calendar"`` pairs residuals on the same calendar date (``est_dates``);
    ``"event_time"`` pairs them on the same relative day, as eventstudy2 and sipemu do. Each
    correlation uses the pair's common days only (means and variances included). Memory is
    O(N^2): for large N use :func:`mean_residual_correlation`, which never builds it.
    """
    wide = _grid(panel, alignment)
    m = np.isfinite(wide).astype(float)
    x = np.where(m > 0, wide, 0.0)
    cnt = m.T @ m
    sx = x.T @ m  # sx[i, j] = sum of x_i over days where j also observed
    sxx = (x * x).T @ m
    sxy = x.T @ x
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = sx / cnt
        my = sx.T / cnt
        cov = sxy / cnt - mx * my
        vx = sxx / cnt - mx**2
        vy = sxx.T / cnt - my**2
        r = cov / np.sqrt(vx * vy)
    r[cnt < min_overlap] = np.nan
    return r


# --------------------------------------------------------------------------------------------
# pooled estimator
# --------------------------------------------------------------------------------------------


#: (rows, keys, z, eligible, n_keys) of :func:`_standardized_cells`.
_Cells = tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray, int]


def _standardized_cells(prep: PreparedPanel, alignment: str, min_overlap: int) -> _Cells:
    """Standardized residuals of every observed cell: ``(rows, keys, z, eligible, n_keys)``.

    ``rows`` is None when every cell is used (row-major order: row i holds cells
    ``i * L1 .. (i + 1) * L1 - 1``), which saves an N x L1 index array. Cached (N x L1
    numbers: only a subset of events asks for them, see :func:`_pooled_all`).
    """
    return prep.memo(
        ("kp_cells", alignment, min_overlap),
        lambda: _cells(prep, alignment, min_overlap, np.int32),
    )


def _cells(prep: PreparedPanel, alignment: str, min_overlap: int, key_type: type) -> _Cells:
    """:func:`_standardized_cells` computed afresh, the keys of type ``key_type``."""
    x, days, lo, _ = _cell_grid(prep, alignment)
    whole = None if days is None else np.asarray(days)  # every cell's day (RowWindows read)
    rows, keys, z, eligible = _row_cells(x, whole, lo, min_overlap, key_type)
    n_keys = int(keys.max()) + 1 if keys.size else 0
    return rows, keys, z, eligible, n_keys


def _cell_grid(
    prep: PreparedPanel, alignment: str
) -> tuple[np.ndarray, np.ndarray | RowWindows | None, int, int]:
    """(residuals, day numbers or None for event time, first cell number, number of cells).

    Cells are the days of the valid cells (finite residual, a date) from the first to the last
    (none: 0, 0); in event time, the estimation days (0, L1).
    """
    panel = prep.panel
    x = np.asarray(panel.est_ar, dtype=float)
    if alignment != "calendar":
        return x, None, 0, x.shape[1]
    days = _day_numbers(panel.est_dates)
    lo = hi = None
    for r0 in range(0, x.shape[0], _CELL_BLOCK):  # over valid cells, without N x L1 masks
        d = days[r0 : r0 + _CELL_BLOCK]
        valid = np.isfinite(x[r0 : r0 + _CELL_BLOCK]) & (d != _NAT)
        if valid.any():
            seen = d if valid.all() else d[valid]
            first, last = int(seen.min()), int(seen.max())
            lo = first if lo is None else min(lo, first)
            hi = last if hi is None else max(hi, last)
    if lo is None or hi is None:
        return x, days, 0, 0
    return x, days, lo, hi - lo + 1


_NAT = np.datetime64("NaT").view("int64")


def _day_numbers(dates: np.ndarray | RowWindows) -> np.ndarray | RowWindows:
    """Dates as int64 day numbers (NaT as :data:`_NAT`); RowWindows stay windows, unread."""
    if isinstance(dates, RowWindows):
        return dates.with_values(np.asarray(dates.values, dtype="datetime64[D]").view("int64"))
    return np.asarray(dates, dtype="datetime64[D]").view("int64")


def _row_cells(
    x: np.ndarray, days: np.ndarray | None, lo: int, min_overlap: int, key_type: type
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray]:
    """(rows, keys, z, eligible) of :data:`_Cells` for the rows ``x`` (day numbers ``days``).

    Every quantity is per row (its mean, SD and cells), so rows may be taken in blocks.
    """
    valid = np.isfinite(x)
    if days is not None:
        valid &= days != _NAT
        keys_full: np.ndarray = np.empty(days.shape, dtype=key_type)  # days from lo: small
        np.subtract(days, lo, out=keys_full, casting="unsafe")
    else:
        keys_full = np.broadcast_to(np.arange(x.shape[1]), x.shape)
    t_i = valid.sum(axis=1)
    complete = bool(valid.all())  # the same sums without the masking copies
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (x if complete else np.where(valid, x, 0.0)).sum(axis=1) / t_i
        dev = x - mean[:, None]
        if not complete:
            dev[~valid] = 0.0
        sd = np.sqrt(np.einsum("ij,ij->i", dev, dev) / t_i)
    eligible = (t_i >= max(min_overlap, 2)) & (sd > 0) & np.isfinite(sd)
    cell = valid & eligible[:, None]
    if cell.all():  # every cell used: the same arrays without a boolean gather
        keys: np.ndarray = np.asarray(keys_full, dtype=key_type).ravel()
        dev /= sd[:, None]  # in place: dev is this function's own array
        return None, keys, dev.ravel(), eligible
    rows = np.nonzero(cell)[0].astype(np.int32)
    return rows, np.asarray(keys_full)[cell].astype(key_type), dev[cell] / sd[rows], eligible


#: Events per block of :func:`_blocked_pooled` and :func:`_cell_grid`.
_CELL_BLOCK = 2048


def _seeded_bincount(keys: np.ndarray, weights: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """``totals`` plus ``np.bincount(keys, weights)``, added as one bincount of the whole.

    bincount adds each bin's weights one after the other in index order; with the running
    totals as the first weights of their bins, blocks of cells summed in turn give exactly
    the sums of one bincount over all cells (a running total is never -0.0: sums start at
    +0.0).
    """
    size = totals.size
    return np.bincount(
        np.concatenate([np.arange(size), keys]),
        weights=np.concatenate([totals, weights]),
        minlength=size,
    )


def _blocked_pooled(
    prep: PreparedPanel, alignment: str, min_overlap: int
) -> tuple[float, np.ndarray]:
    r"""(:math:`\bar r` of all eligible events, eligible) by :data:`_CELL_BLOCK` events at a time.

    The cells' sums accumulate block after block (:func:`_seeded_bincount`), bins up to the
    last valid day, cut at the last day of a used cell: the numbers of :func:`_pooled_sums`
    on :func:`_cells`, without its N x L1 keys and standardized residuals.
    """
    x, days, lo, size = _cell_grid(prep, alignment)
    s, q, n_t = np.zeros(size), np.zeros(size), np.zeros(size, dtype=np.int64)
    eligible = np.empty(x.shape[0], dtype=bool)
    n_keys = 0
    for r0 in range(0, x.shape[0], _CELL_BLOCK):
        rows = slice(r0, r0 + _CELL_BLOCK)
        block_days = None if days is None else days[rows]
        _, keys, z, eligible[rows] = _row_cells(x[rows], block_days, lo, min_overlap, np.intp)
        if keys.size:
            n_keys = max(n_keys, int(keys.max()) + 1)
            s = _seeded_bincount(keys, z, s)
            q = _seeded_bincount(keys, np.multiply(z, z, out=z), q)
            n_t += np.bincount(keys, minlength=size)
    s, q, counts = s[:n_keys], q[:n_keys], n_t[:n_keys].astype(float)
    den = float(np.sum(counts * counts - counts))
    return (float(np.sum(s * s - q) / den) if den > 0 else math.nan), eligible


def _pooled_sums(keys: np.ndarray, z: np.ndarray, n_keys: int, own: bool = False) -> float:
    r""":math:`\bar r` of :func:`pooled_mean_correlation` from the cells' keys and z.

    ``own``: ``z`` may be overwritten (squared in place).
    """
    keys = np.asarray(keys, dtype=np.intp)  # once: bincount would convert it at each call
    s = np.bincount(keys, weights=z, minlength=n_keys)
    q = np.bincount(keys, weights=np.multiply(z, z, out=z if own else None), minlength=n_keys)
    n_t = np.bincount(keys, minlength=n_keys).astype(float)
    den = float(np.sum(n_t * n_t - n_t))
    return float(np.sum(s * s - q) / den) if den > 0 else math.nan


def _pooled_all(prep: PreparedPanel, alignment: str, min_overlap: int) -> tuple[float, np.ndarray]:
    r"""(:math:`\bar r` of all eligible events, which events are eligible), cached.

    The cells are not kept for it: with complete data no other call needs them.
    """

    def compute() -> tuple[float, np.ndarray]:
        if ("kp_cells", alignment, min_overlap) in prep:
            _, keys, z, eligible, n_keys = _standardized_cells(prep, alignment, min_overlap)
            return _pooled_sums(keys, z, n_keys), eligible
        return _blocked_pooled(prep, alignment, min_overlap)  # cells not kept

    return prep.memo(("kp_pooled_all", alignment, min_overlap), compute)


def pooled_mean_correlation(
    panel: AbnormalReturnPanel | PreparedPanel,
    alignment: Literal["calendar", "event_time"] = "calendar",
    events: np.ndarray | None = None,
    min_overlap: int = KP_MIN_OVERLAP,
) -> float:
    r"""Pooled (overlap-weighted) average cross-correlation of estimation residuals.

    Each event's residuals are standardized over its own estimation sample,
    :math:`z_{it} = (e_{it} - \bar e_i)/\hat s_i` (divisor :math:`T_i`), and placed on the
    grid of dates t (``alignment``); with :math:`n_t` the number of events observed on t,

    .. math::
        \bar r = \frac{\sum_t \bigl[(\sum_i z_{it})^2 - \sum_i z_{it}^2\bigr]}
                      {\sum_t (n_t^2 - n_t)}
               = \frac{\sum_{i \ne j} c_{ij}\,\tilde r_{ij}}{\sum_{i \ne j} c_{ij}},
        \qquad \tilde r_{ij} = \frac{1}{c_{ij}} \sum_{t \in i \cap j} z_{it} z_{jt},

    the average of the pairwise correlations :math:`\tilde r_{ij}` weighted by the pairs'
    numbers of common days :math:`c_{ij}` (pairs with no common day get no weight). When all
    events are observed on the same days (the clustered design of Kolari & Pynnonen 2010),
    :math:`c_{ij} = T`, :math:`\tilde r_{ij}` is the Pearson correlation and :math:`\bar r` is
    exactly the mean of the N(N-1)/2 pairwise correlations. For staggered events it differs
    from that mean: :math:`\tilde r_{ij}` standardizes by each event's whole-sample moments
    (as the SARs of the Patell/BMP statistics do) rather than by the overlap's, and a pair
    counts in proportion to its overlap instead of equally once it reaches
    ``KP_MIN_OVERLAP`` days.

    Events with fewer than ``min_overlap`` observed estimation days or zero residual variance
    are left out. Time and memory O(N x L1).

    Parameters
    ----------
    panel : AbnormalReturnPanel or PreparedPanel
    alignment : {"calendar", "event_time"}
    events : ndarray of bool or int, optional
        Subset of events (default: all).
    min_overlap : int

    Returns
    -------
    float
        NaN when no two eligible events share a day.
    """
    _check(alignment, "pooled")
    prep = as_prepared(panel)
    r_all, eligible = _pooled_all(prep, alignment, min_overlap)
    use = np.ones(prep.n_events, dtype=bool)
    if events is not None:
        use = np.zeros(prep.n_events, dtype=bool)
        use[np.arange(prep.n_events)[events]] = True
    if not (eligible & ~use).any():  # every eligible event is used
        return r_all
    rows, keys, z, _, n_keys = _standardized_cells(prep, alignment, min_overlap)
    sel = np.repeat(use, z.size // max(len(use), 1)) if rows is None else use[rows]
    return _pooled_sums(keys[sel], z[sel], n_keys, own=True)  # z[sel]: a copy


# --------------------------------------------------------------------------------------------
# pairwise estimator
# --------------------------------------------------------------------------------------------


def pairwise_mean_correlation(
    panel: AbnormalReturnPanel | PreparedPanel,
    alignment: Literal["calendar", "event_time"] = "calendar",
    events: np.ndarray | None = None,
    min_overlap: int = KP_MIN_OVERLAP,
) -> float:
    r"""Mean of the pairwise Pearson correlations of estimation residuals (peers' definition).

    .. math:: \bar r = \frac{1}{|P|} \sum_{(i<j) \in P} r_{ij}

    with :math:`r_{ij}` the sample correlation of events i and j over their common days
    (means and variances over those days) and P the pairs with at least ``min_overlap``
    common days and a finite correlation. Equal to the mean of the upper triangle of
    :func:`residual_correlation_matrix`, but computed in blocks of rows (memory O(N x D)).
    When all events used share the same observed days it is evaluated in O(N x D) by the
    identity with :func:`pooled_mean_correlation`.
    """
    _check(alignment, "pairwise")
    prep = as_prepared(panel)
    wide = prep.memo(("kp_grid", alignment), lambda: _grid(prep.panel, alignment))
    idx = np.arange(prep.n_events)
    if events is not None:
        idx = idx[events]
    sub = wide[:, idx]
    fin = np.isfinite(sub)
    n = sub.shape[1]
    if n < 2:
        return math.nan
    if (fin == fin[:, :1]).all():  # clustered, no gaps: every pair has the same T days
        t = int(fin[:, 0].sum())
        if t < min_overlap:
            return math.nan
        x = sub[fin[:, 0]]
        dev = x - x.mean(axis=0)
        sd = np.sqrt((dev * dev).sum(axis=0) / t)
        ok = sd > 0
        k = int(ok.sum())
        if k < 2:
            return math.nan
        z = dev[:, ok] / sd[ok]
        s = z.sum(axis=1)
        return float(np.sum(s * s - (z * z).sum(axis=1)) / (t * k * (k - 1)))
    m = fin.astype(float)
    x = np.where(fin, sub, 0.0)
    x2 = x * x
    block = max(1, _PAIRS_PER_BLOCK // n)
    total, count = 0.0, 0
    for b0 in range(0, n - 1, block):
        b1 = min(n, b0 + block)
        mb, xb, mj, xj = m[:, b0:b1], x[:, b0:b1], m[:, b0:], x[:, b0:]
        cnt = mb.T @ mj
        with np.errstate(invalid="ignore", divide="ignore"):
            mx = (xb.T @ mj) / cnt
            my = (mb.T @ xj) / cnt
            cov = (xb.T @ xj) / cnt - mx * my
            vx = (x2[:, b0:b1].T @ mj) / cnt - mx**2
            vy = (mb.T @ x2[:, b0:]) / cnt - my**2
            r = cov / np.sqrt(vx * vy)
        upper = np.arange(b1 - b0)[:, None] < np.arange(n - b0)[None, :]
        vals = r[upper & (cnt >= min_overlap)]
        vals = vals[np.isfinite(vals)]
        total += float(vals.sum())
        count += vals.size
    return total / count if count else math.nan


def mean_residual_correlation(
    panel: AbnormalReturnPanel | PreparedPanel,
    alignment: Literal["calendar", "event_time"] = "calendar",
    events: np.ndarray | None = None,
    corr: np.ndarray | None = None,
    estimator: Literal["pooled", "pairwise"] = "pooled",
) -> float:
    r"""Average off-diagonal correlation :math:`\bar r` of estimation-window residuals.

    Parameters
    ----------
    panel : AbnormalReturnPanel or PreparedPanel
    alignment : {"calendar", "event_time"}
        * ``"calendar"`` (default) -- pair residuals of two events on the same calendar date
          (``est_dates``); right for staggered events and for one asset with overlapping
          estimation windows.
        * ``"event_time"`` -- pair them on the same relative day, as eventstudy2's ``KOLARI()``
          and sipemu do; equal to ``"calendar"`` only when all events share day 0.
    events : ndarray of bool or int, optional
        Subset of events (default: all).
    corr : ndarray, optional
        A precomputed :func:`residual_correlation_matrix` of the same alignment; implies the
        pairwise estimator.
    estimator : {"pooled", "pairwise"}
        * ``"pooled"`` (default) -- overlap-weighted average of correlations of residuals
          standardized over each event's own sample, O(N x L1)
          (:func:`pooled_mean_correlation`, formula there).
        * ``"pairwise"`` -- mean of the pairwise Pearson correlations over pairs with at least
          ``KP_MIN_OVERLAP`` common days (:func:`pairwise_mean_correlation`), O(N^2 x D).

        The two are equal when all events are observed on the same days (clustered design).

    Returns
    -------
    float
        NaN when no pair qualifies.

    References
    ----------
    Kolari, J. W., & Pynnonen, S. (2010). Event study testing with cross-sectional correlation
    of abnormal returns. *Review of Financial Studies*, 23(11), 3996-4025.
    """
    _check(alignment, estimator)
    if corr is not None:
        r = corr
        if events is not None:
            idx = np.arange(r.shape[0])[events]
            r = r[np.ix_(idx, idx)]
        vals = r[np.triu_indices(r.shape[0], 1)]
        vals = vals[np.isfinite(vals)]
        return float(vals.mean()) if vals.size else math.nan
    if estimator == "pairwise":
        return pairwise_mean_correlation(panel, alignment, events)
    return pooled_mean_correlation(panel, alignment, events)


def kp_factor(r_bar: float, n: int) -> float:
    r"""Kolari-Pynnonen (2010) correction factor for cross-correlated abnormal returns.

    .. math:: f = \sqrt{\frac{1-\bar r}{1+(n-1)\bar r}}

    Returns NaN when :math:`1 + (n-1)\bar r \le 0` or :math:`\bar r` is NaN.
    """
    den = 1.0 + (n - 1) * r_bar
    if not (math.isfinite(r_bar) and den > 0 and r_bar <= 1):
        return math.nan
    return math.sqrt((1.0 - r_bar) / den)
