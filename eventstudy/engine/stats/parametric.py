"""Parametric cross-event tests of the mean (cumulative) abnormal return.

Every public function has the signature
``test(panel, day_or_window, *, alternative="two-sided", convention="textbook", **options)``
and returns a :class:`~eventstudy.engine.stats.TestResult`. ``day_or_window`` is an event-time day
``d`` (the AAR of that day is tested) or a closed window ``(start, end)`` (the CAAR). Options
are documented in :func:`eventstudy.engine.stats.aar_tests`.

Missing values: on a day, events with a NaN abnormal return are left out (``nobs`` counts the
rest); for a window, CAR-based tests use the events with every day of the window, portfolio
tests (Brown-Warner, Lamb) sum the daily AARs.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from eventstudy.engine.panel import AbnormalReturnPanel
from eventstudy.engine.stats._core import (
    Alternative,
    DayOrWindow,
    InnerTest,
    PreparedPanel,
    SequentialColumnSums,
    Target,
    TestResult,
    aar_series,
    default_estimate,
    estimation_aar,
    event_counts,
    fill_signature_doc,
    nan_column_sum,
    nan_result,
    normal_result,
    null_mean,
    run,
    sigma_used,
    standardized_car,
    t_result,
    window_car,
)
from eventstudy.engine.stats.correlation import kp_factor, mean_residual_correlation
from eventstudy.engine.windows import RowWindows

__all__ = [
    "bmp",
    "brown_warner_1980",
    "brown_warner_1985",
    "csect_t",
    "kp_bmp",
    "kp_patell",
    "lamb",
    "patell",
    "skew_t",
    "skew_t_bootstrap",
    "wild_bootstrap",
]

Opts = Mapping[str, Any]
PanelLike = AbnormalReturnPanel | PreparedPanel
#: (statistic, events used, mask of the events used, reason or None) of Patell / BMP.
_StandardizedStat = tuple[float, int, np.ndarray, str | None]


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _cross_section(prep: PreparedPanel, target: Target) -> np.ndarray:
    """AR_i of the day or CAR_i of the window, per event (NaN where incomplete)."""
    return window_car(prep, target)


def _t_of_mean(x: np.ndarray) -> tuple[float, str | None]:
    n = x.size
    if n < 2:
        return math.nan, f"needs at least 2 events, has {n}"
    sd = float(np.std(x, ddof=1))
    if not sd > 0:
        return math.nan, "zero cross-sectional variance"
    return float(x.mean() / (sd / math.sqrt(n))), None


def _portfolio_caar(prep: PreparedPanel, target: Target) -> tuple[float, int]:
    """Sum of the daily AARs over the target, and the smallest daily number of events."""
    aar = aar_series(prep)[target.cols]
    n = event_counts(prep)[target.cols]
    return float(aar.sum()), int(n.min())


# --------------------------------------------------------------------------------------------
# inner implementations: (prep, target, alternative, opts) -> TestResult
# --------------------------------------------------------------------------------------------


def _csect_t(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    x = _cross_section(prep, target)
    x = x[np.isfinite(x)]
    null, est = null_mean(target), default_estimate(prep, target)
    stat, reason = _t_of_mean(x)
    if reason:
        return nan_result("csect_t", x.size, null, alt, reason, est)
    return t_result("csect_t", stat, x.size - 1, x.size, null, alt, est)


def _bw1980(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    panel = prep.panel
    s2 = sigma_used(prep, opts) ** 2
    ar = panel.event_ar[:, target.cols]
    caar, nmin = _portfolio_caar(prep, target)
    null = null_mean(target)
    var = 0.0
    for j in range(ar.shape[1]):
        ok = np.isfinite(ar[:, j]) & np.isfinite(s2)
        if opts["na_sums"] == "estudy2":
            var += np.nansum(s2) / panel.n_events**2
        else:
            var += s2[ok].sum() / max(ok.sum(), 1) ** 2
    if opts["patell_ddof"] == "estudy2":
        df = float(np.mean(panel.n_est)) - 1
    else:
        df = float(np.mean(panel.n_est - panel.k))
    if nmin < 1 or not var > 0:
        return nan_result("brown_warner_1980", nmin, null, alt, "no events or zero variance", caar)
    return t_result("brown_warner_1980", caar / math.sqrt(var), df, nmin, null, alt, caar)


def _bw1985(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    est_aar = estimation_aar(prep)
    caar, nmin = _portfolio_caar(prep, target)
    null = null_mean(target)
    if est_aar.size < 2:
        return nan_result("brown_warner_1985", nmin, null, alt, "fewer than 2 estimation days")
    s = float(np.std(est_aar, ddof=1))
    if not s > 0 or nmin < 1:
        return nan_result(
            "brown_warner_1985", nmin, null, alt, "zero estimation AAR variance or no events", caar
        )
    stat = caar / (math.sqrt(target.length) * s)
    return t_result("brown_warner_1985", stat, est_aar.size - 1, nmin, null, alt, caar)


def _market_means(prep: PreparedPanel) -> tuple[np.ndarray, np.ndarray]:
    """Cross-event mean benchmark return per estimation day (finite only) and event day."""

    def compute() -> tuple[np.ndarray, np.ndarray]:
        panel = prep.panel
        if isinstance(panel.est_market, RowWindows):
            total, n_est = _blocked_column_sums(panel.est_market)
        else:
            est = np.asarray(panel.est_market, dtype=float)
            missing = np.isnan(est)  # one scan for the counts and the sums
            has_nan = bool(missing.any())
            n_est = est.shape[0] - missing.sum(axis=0) if has_nan else est.shape[0]
            total = nan_column_sum(est, has_nan)  # np.nansum(est, axis=0), no copy
        with np.errstate(invalid="ignore", divide="ignore"):  # no event on a day: NaN, dropped
            m_est = total / n_est  # np.nanmean(est, axis=0)
        m_ev = np.nanmean(np.asarray(panel.event_market, dtype=float), axis=0)
        return m_est[np.isfinite(m_est)], m_ev

    return prep.memo(("market_means",), compute)


#: Rows per block of :func:`_blocked_column_sums`.
_SUM_BLOCK = 2048


def _blocked_column_sums(rows: RowWindows) -> tuple[np.ndarray, np.ndarray]:
    """``np.nansum(x, axis=0)`` and the non-NaN counts of the rows ``x``, read in blocks.

    The blocks are summed in numpy's order (:class:`SequentialColumnSums`): the same bits as
    one ``np.nansum`` of the whole array.
    """
    total = SequentialColumnSums(min(rows.shape[0], _SUM_BLOCK), rows.shape[1])
    count = np.zeros(rows.shape[1], dtype=np.int64)
    for r0 in range(0, rows.shape[0], _SUM_BLOCK):
        block = rows[r0 : r0 + _SUM_BLOCK]
        missing = np.isnan(block)
        target = total.next_rows(block.shape[0])
        np.copyto(target, block)
        if missing.any():
            target[missing] = 0.0  # as np.nansum
        total.add(block.shape[0])
        count += block.shape[0] - missing.sum(axis=0)
    return total.sums(), count


def _lamb(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    panel = prep.panel
    caar, nmin = _portfolio_caar(prep, target)
    null = null_mean(target)
    if panel.est_market is None or panel.event_market is None:
        why = (
            "needs benchmark returns (est_market): the normal-return model has no benchmark "
            "(e.g. constant or zero mean), so Lamb's prediction-error term is undefined"
        )
        return nan_result("lamb", nmin, null, alt, why, caar)
    est_aar = estimation_aar(prep)
    m_est, m_ev_all = _market_means(prep)
    m_ev = m_ev_all[target.cols]
    mm = m_est.mean()
    ss = float(((m_est - mm) ** 2).sum())
    if est_aar.size < 2 or not ss > 0 or nmin < 1:
        return nan_result("lamb", nmin, null, alt, "too few estimation days or events", caar)
    big_l = target.length
    c = big_l + big_l**2 / float(np.mean(panel.n_est)) + float((m_ev - mm).sum()) ** 2 / ss
    s = float(np.std(est_aar, ddof=1))
    if not s > 0:
        return nan_result("lamb", nmin, null, alt, "zero estimation AAR variance", caar)
    return normal_result("lamb", caar / (s * math.sqrt(c)), nmin, null, alt, caar)


def _q(prep: PreparedPanel) -> np.ndarray:
    """Patell's variance factor (L1_i - k_i) / (L1_i - k_i - 2) per event (NaN if df <= 2)."""

    def compute() -> np.ndarray:
        panel = prep.panel
        dfree = (panel.n_est - panel.k).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(dfree > 2, dfree / (dfree - 2), np.nan)

    return prep.memo(("patell_q",), compute)


def _patell_stat(prep: PreparedPanel, target: Target, opts: Opts) -> _StandardizedStat:
    scar, reason = standardized_car(prep, target, opts)
    q = _q(prep)
    ok = np.isfinite(scar) & np.isfinite(q)
    n = int(ok.sum())
    if reason:
        return math.nan, n, ok, reason
    if n < 1:
        return math.nan, n, ok, "no event with a standardized abnormal return"
    if opts["na_sums"] == "estudy2":
        qall = q[np.isfinite(q)]
        return float(scar[ok].mean() * prep.n_events / math.sqrt(qall.sum())), n, ok, None
    return float(scar[ok].sum() / math.sqrt(q[ok].sum())), n, ok, None


def _patell(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    stat, n, _, reason = _patell_stat(prep, target, opts)
    null, est = null_mean(target), default_estimate(prep, target)
    if reason:
        return nan_result("patell", n, null, alt, reason, est)
    return normal_result("patell", stat, n, null, alt, est)


def _bmp_stat(prep: PreparedPanel, target: Target, opts: Opts) -> _StandardizedStat:
    scar, reason = standardized_car(prep, target, opts)
    ok = np.isfinite(scar)
    if reason:
        return math.nan, int(ok.sum()), ok, reason
    stat, reason = _t_of_mean(scar[ok])
    return stat, int(ok.sum()), ok, reason


def _bmp(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    stat, n, _, reason = _bmp_stat(prep, target, opts)
    null, est = null_mean(target), default_estimate(prep, target)
    if reason:
        return nan_result("bmp", n, null, alt, reason, est, dist="t")
    return t_result("bmp", stat, n - 1, n, null, alt, est)


def _r_bar(prep: PreparedPanel, events: np.ndarray, opts: Opts) -> float:
    """Kolari-Pynnonen r_bar of the events used, cached per set of events and options."""
    align, estimator = opts["kp_alignment"], opts["kp_estimator"]
    key = ("r_bar", align, estimator, np.packbits(events).tobytes())
    return prep.memo(
        key, lambda: mean_residual_correlation(prep, align, events=events, estimator=estimator)
    )


#: Above this average residual correlation the events' estimation residuals are taken to be
#: (almost) one series (one asset at near-identical dates, duplicated events): the
#: Kolari-Pynnonen factor then divides by about sqrt(N) a statistic whose cross-section is one
#: observation repeated, and is reported as not applicable. Cross-sectional correlations of
#: different firms' residuals on a common date are far below it (typically 0.01-0.3).
KP_MAX_RBAR = 0.9


def _one_asset(prep: PreparedPanel, ok: np.ndarray) -> bool:
    """Whether the events ``ok`` are all of one asset (asset codes computed once per panel)."""
    codes = prep.memo(
        ("asset_codes",),
        lambda: np.unique(np.asarray(prep.panel.assets), return_inverse=True)[1].ravel(),
    )
    chosen = codes[ok]
    return bool(chosen.size) and bool((chosen == chosen[0]).all())


def _kp_not_applicable(prep: PreparedPanel, ok: np.ndarray, opts: Opts) -> tuple[str, float]:
    """Say why the Kolari-Pynnonen correction does not apply to the events ``ok``.

    Returns the reason ("" when it applies) and the events' r_bar (NaN when not computed).
    """
    assets = prep.panel.assets
    if assets is not None and ok.sum() > 1 and _one_asset(prep, ok):
        return (
            f"all {int(ok.sum())} events are of one asset ({np.asarray(assets)[ok][0]}): the "
            "Kolari-Pynnonen r_bar would correlate one return series with itself on the days "
            "the estimation windows share (window overlap), not different assets' residuals on "
            "a common date, so the cross-correlation correction does not apply; use a "
            "time-series route (e.g. eventstudy.gold's HAC regression or placebo)",
            math.nan,
        )
    r_bar = _r_bar(prep, ok, opts)
    if math.isfinite(r_bar) and r_bar >= KP_MAX_RBAR:
        return (
            f"r_bar={r_bar:.4g} >= {KP_MAX_RBAR}: the events' estimation residuals are "
            "(almost) the same series (one asset at near-identical dates, or duplicated "
            "events), so the Kolari-Pynnonen adjustment is degenerate",
            r_bar,
        )
    return "", r_bar


def _kp(
    name: str,
    base: Callable[[PreparedPanel, Target, Opts], _StandardizedStat],
    prep: PreparedPanel,
    target: Target,
    alt: Alternative,
    opts: Opts,
) -> TestResult:
    stat, n, ok, reason = base(prep, target, opts)
    null, est = null_mean(target), default_estimate(prep, target)
    dist = "N(0,1)" if name == "kp_patell" else "t"
    if reason:
        return nan_result(name, n, null, alt, reason, est, dist=dist)
    why, r_bar = _kp_not_applicable(prep, ok, opts)
    if why:
        return nan_result(name, n, null, alt, why, est, dist=dist)
    f = kp_factor(r_bar, n)
    if not math.isfinite(f):
        why = f"no valid correlation adjustment (r_bar={r_bar:.4g}, N={n})"
        return nan_result(name, n, null, alt, why, est, dist=dist)
    if name == "kp_patell":
        return normal_result(name, stat * f, n, null, alt, est)
    return t_result(name, stat * f, n - 1, n, null, alt, est)


def _kp_patell(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    return _kp("kp_patell", _patell_stat, prep, target, alt, opts)


def _kp_bmp(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    return _kp("kp_bmp", _bmp_stat, prep, target, alt, opts)


def skewness_adjusted_t(x: np.ndarray) -> float:
    r"""Skewness-adjusted t of a sample (Hall 1992; Lyon, Barber & Tsai 1999, eq. 5).

    .. math::
        S = \bar x / s, \quad \hat\gamma = \frac{\sum_i (x_i - \bar x)^3}{N s^3}, \quad
        t_{sa} = \sqrt{N}\,\bigl(S + \tfrac13 \hat\gamma S^2 + \tfrac{1}{6N}\hat\gamma\bigr)

    with :math:`s` the sample standard deviation (divisor N-1). NaN for N < 3 or s = 0.
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 3:
        return math.nan
    s = float(np.std(x, ddof=1))
    if not s > 0:
        return math.nan
    m = float(x.mean())
    big_s = m / s
    dev = x - m
    gamma = float((dev * dev * dev).sum() / (n * s**3))  # not dev ** 3: pow() is 70x slower
    return math.sqrt(n) * (big_s + gamma * big_s**2 / 3.0 + gamma / (6.0 * n))


def skew_t_bootstrap(
    x: np.ndarray, n_boot: int, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    r"""Bootstrap distribution of the skewness-adjusted t (Lyon, Barber & Tsai 1999, sec. III.B).

    ``n_boot`` resamples of size :math:`n_b = \max(3, \lfloor N/4 \rfloor)` drawn with
    replacement from ``x``; in each,

    .. math::
        S^b = \frac{\bar x^b - \bar x}{s^b},\quad
        \hat\gamma^b = \frac{\sum_j (x^b_j - \bar x^b)^3}{n_b (s^b)^3},\quad
        t^b = \sqrt{n_b}\Bigl(S^b + \tfrac13\hat\gamma^b (S^b)^2 + \tfrac{1}{6 n_b}\hat\gamma^b
        \Bigr),

    centred on the sample mean so that the resamples obey the null. Resamples with
    :math:`s^b = 0` are dropped.

    Returns
    -------
    t_boot : ndarray
        The finite :math:`t^b`.
    n_b : int
        The resample size.
    """
    x = np.asarray(x, dtype=float)
    return _skew_t_from_draws(x, skew_t_draws(x.size, n_boot, rng))


def skew_t_draws(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Return the resample indices of :func:`skew_t_bootstrap`: ``(n_boot, max(3, n // 4))``.

    int32 (half the memory of int64) when ``n`` fits: numpy's Generator draws the same
    values, and leaves the same state, for a range below 2**32 whatever the integer type.
    """
    dtype = np.int32 if n <= np.iinfo(np.int32).max else np.int64
    return rng.integers(0, n, size=(n_boot, max(3, n // 4)), dtype=dtype)


def _skew_t_from_draws(x: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, int]:
    """:func:`skew_t_bootstrap` on given resample indices (rows of ``draws``)."""
    tb, sd = _skew_t_rows(x, draws)
    return tb[(sd > 0) & np.isfinite(tb)], draws.shape[1]


def _skew_t_rows(x: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:math:`t^b` and :math:`s^b` of every resample (rows of ``draws``), by two passes.

    The reference formula. Resamples are processed :data:`_SKEW_CHUNK` at a time so the
    temporaries stay in cache.
    """
    n_boot, n_b = draws.shape
    tb, sd = np.empty(n_boot), np.empty(n_boot)
    x_mean = x.mean()
    for lo in range(0, n_boot, _SKEW_CHUNK):
        xb = x[draws[lo : lo + _SKEW_CHUNK]]
        mean = xb.mean(axis=1)
        xb -= mean[:, None]  # deviations, in place
        sq = xb * xb
        s = np.sqrt(sq.sum(axis=1) / (n_b - 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            gamma = np.einsum("ij,ij->i", sq, xb) / (n_b * s**3)
            big_s = (mean - x_mean) / s
            t = math.sqrt(n_b) * (big_s + gamma * big_s**2 / 3.0 + gamma / (6.0 * n_b))
        tb[lo : lo + _SKEW_CHUNK], sd[lo : lo + _SKEW_CHUNK] = t, s
    return tb, sd


#: Bootstrap resamples of the skewness-adjusted t computed together (cache-sized blocks).
_SKEW_CHUNK = 64

#: Bytes of one block of bootstrap rows over all N events (resample counts or weights as
#: float64, raw draws): small enough that the allocator serves every block from the pages of
#: the one before. A whole-panel block (e.g. 128 x 100,000 floats) is a fresh mapping each
#: time, and on a virtual machine the kernel's first touch of fresh pages can cost more than
#: the arithmetic done in them.
_BLOCK_BYTES = 1 << 23


def _block_rows(n: int, itemsize: int = 8) -> int:
    """Bootstrap rows of ``n`` values of ``itemsize`` bytes per block: even, at least 2.

    About :data:`_BLOCK_BYTES` per block. Even, so that a block of Rademacher signs uses
    whole 64-bit outputs of the generator (see :func:`_rademacher_signs`).
    """
    rows = max(2, _BLOCK_BYTES // max(1, n * itemsize))
    return rows - rows % 2


#: A moment-route :math:`t^b` within this relative distance of the observed statistic (or with
#: a resample variance below ``_SKEW_VAR_FLOOR`` of its raw second moment) is recomputed by
#: the two-pass formula before it is counted. The moment route's rounding error is below
#: 1e-9 relative (sums of at most N products), far inside this margin.
_SKEW_RECHECK = 1e-6
_SKEW_VAR_FLOOR = 1e-3


def _draw_counts(n: int, n_boot: int, seed: Any) -> np.ndarray:
    """How often each of ``n`` values is drawn in each resample, ``(n_boot, n)`` uint8/uint16.

    The resamples are exactly those of ``skew_t_draws(n, n_boot, default_rng(seed))``; only
    their counts are kept (a resample's sums do not depend on the order of its draws). The
    rows of :func:`_count_blocks`, stacked.
    """
    blocks = [block.copy() for block in _count_blocks(n, n_boot, seed)]
    wide = np.result_type(*(b.dtype for b in blocks)) if blocks else np.uint8
    return np.concatenate([b.astype(wide) for b in blocks]) if blocks else np.empty((0, n), wide)


def _count_blocks(n: int, n_boot: int, seed: Any) -> Iterator[np.ndarray]:
    """The rows of :func:`_draw_counts`, :func:`_tile_rows` resamples at a time.

    Each block is yielded in one reused buffer (read it before the next). The resamples are
    drawn in blocks of about :data:`_BLOCK_BYTES`, which consume the generator as one call
    does (value by value); one bincount per resample keeps its counts in cache.
    """
    rng = np.random.default_rng(seed)
    n_b = max(3, n // 4)
    rows, step = _tile_rows(n), _block_rows(n_b, 4)
    buffer = np.empty((min(rows, n_boot), n), dtype=np.uint8)
    for lo in range(0, n_boot, rows):
        size = min(rows, n_boot - lo)
        for d0 in range(0, size, step):
            for b, row in enumerate(skew_t_draws(n, min(step, size - d0), rng), start=d0):
                counts = np.bincount(row, minlength=n)
                if buffer.dtype == np.uint8 and n_b > 255 and counts.max() > 255:
                    buffer = buffer.astype(np.uint16)  # a value drawn over 255 times
                buffer[b] = counts
        yield buffer[:size]


def _tile_rows(n: int) -> int:
    """Replications per block of :func:`_count_blocks` and :func:`_weight_blocks`.

    At most the rows of a :data:`_TILE`, and about ``4 x`` :data:`_BLOCK_BYTES` of one-byte
    values over ``n`` events; even (see :func:`_block_rows`).
    """
    rows = max(2, min(_TILE[0], 4 * _BLOCK_BYTES // max(1, n)))
    return rows - rows % 2


def _tile_products(
    block: np.ndarray,
    values: np.ndarray | _PowerColumns,
    kind: str = "counts",
    squares: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """``(w @ values, (w * w) @ squares)`` of the floats ``w`` of ``block``, tile by tile.

    ``block`` (rows, n) holds resample counts (``kind="counts"``) or compact bootstrap
    weights (``"rademacher"``, ``"mammen"``; see :func:`_float_weights`). Each
    :data:`_TILE` of it is turned into floats in a reused buffer and multiplied by the
    matching rows of ``values`` (n, K; or :class:`_PowerColumns`, built tile by tile), which
    stay in cache. The second product is None without ``squares``.
    """
    rows, n = block.shape
    out = np.zeros((rows, values.shape[1]))
    out2 = None if squares is None else np.zeros((rows, squares.shape[1]))
    cols = _TILE[1]
    buffer = np.empty((rows, min(cols, n)))
    for c0 in range(0, n, cols):
        tile = buffer[:, : min(cols, n - c0)]
        if kind == "counts":
            np.copyto(tile, block[:, c0 : c0 + cols])  # the counts as floats, exactly
        else:
            _float_weights(block[:, c0 : c0 + cols], kind, out=tile)
        out += tile @ values[c0 : c0 + cols]
        if out2 is not None and squares is not None:
            out2 += (tile * tile) @ squares[c0 : c0 + cols]
    return out, out2


#: (replications, events) of a tile of :func:`_skew_t_moments` and :func:`_boot_t`: the tile
#: as floats (8 MiB) and its slice of the events' values stay in cache, where whole rows of
#: events would stream the values from memory once per block of replications.
_TILE = (256, 4096)


class _PowerColumns:
    """The rows of ``[y, y**2, y**3]`` (``y = xs - xs.mean(axis=0)``), built when sliced.

    ``basis[lo:hi]`` computes those rows into one reused buffer (read it before the next
    slice): the values of ``np.hstack([y, y * y, (y * y) * y])[lo:hi]``, bit for bit, without
    the (N, 3K) array, which on a large panel is fresh memory the kernel must first map.
    """

    def __init__(self, xs: np.ndarray) -> None:
        self.xs, self.mean = xs, xs.mean(axis=0)
        self.shape = (xs.shape[0], 3 * xs.shape[1])
        self._buffer = np.empty((min(_TILE[1], xs.shape[0]), 3 * xs.shape[1]))

    def __getitem__(self, rows: slice) -> np.ndarray:
        x = self.xs[rows]
        k = x.shape[1]
        out = self._buffer[: x.shape[0]]
        y, y2, y3 = out[:, :k], out[:, k : 2 * k], out[:, 2 * k :]
        np.subtract(x, self.mean, out=y)
        np.multiply(y, y, out=y2)
        np.multiply(y2, y, out=y3)
        return out


def _skew_t_moments(
    counts: Iterable[np.ndarray], xs: np.ndarray, n_b: int
) -> tuple[np.ndarray, np.ndarray]:
    r"""(:math:`t^b`, suspect) for every resample and sample (columns of ``xs``).

    ``counts``: the resamples' draw counts, blocks of rows in order (:func:`_count_blocks`,
    or an array's row blocks).

    With :math:`y = x - \bar x` and :math:`S_k = \sum_j c_{bj} y_j^k` (``counts`` c), one
    matrix product gives each resample's :math:`\bar y^b = S_1/n_b`,
    :math:`\sum (y - \bar y^b)^2 = S_2 - n_b (\bar y^b)^2` and
    :math:`\sum (y - \bar y^b)^3 = S_3 - 3\bar y^b S_2 + 2 n_b (\bar y^b)^3`. ``suspect``
    marks replications whose variance is mostly cancellation (or not finite): the caller
    recomputes them by the two-pass formula.
    """
    k = xs.shape[1]
    basis = _PowerColumns(xs)
    parts = [_tile_products(block, basis)[0] for block in counts]
    sums = np.concatenate(parts) if parts else np.empty((0, 3 * k))
    s1, s2, s3 = sums[:, :k], sums[:, k : 2 * k], sums[:, 2 * k :]
    m = s1 / n_b
    ss = s2 - n_b * m * m
    cube = s3 - 3.0 * m * s2 + 2.0 * n_b * m**3
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.sqrt(ss / (n_b - 1))
        gamma = cube / (n_b * s**3)
        big_s = m / s
        t = math.sqrt(n_b) * (big_s + gamma * big_s**2 / 3.0 + gamma / (6.0 * n_b))
    suspect = ~np.isfinite(t) | ~(ss > _SKEW_VAR_FLOOR * s2)
    return t, suspect


def _skew_pvalue(tb: np.ndarray, stat: float, alt: Alternative) -> float:
    upper = (1.0 + np.sum(tb >= stat)) / (tb.size + 1.0)
    lower = (1.0 + np.sum(tb <= stat)) / (tb.size + 1.0)
    return float({"greater": upper, "less": lower}.get(alt, min(1.0, 2.0 * min(upper, lower))))


def _skew_result(
    target: Target,
    x: np.ndarray,
    stat: float,
    tb: np.ndarray,
    n_b: int,
    alt: Alternative,
    est: float,
) -> TestResult:
    """The bootstrap result from the finite :math:`t^b` (``tb``)."""
    null = null_mean(target)
    dist = f"bootstrap({tb.size}, n_b={n_b})"
    if tb.size == 0:
        why = "no bootstrap resample with non-zero variance"
        return nan_result("skew_t", x.size, null, alt, why, est, dist=dist)
    p = _skew_pvalue(tb, stat, alt)
    return TestResult("skew_t", stat, p, dist, None, x.size, null, alt, None, est)


def _skew_t(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    return _skew_t_batch(prep, [target], alt, opts)[0]


def _skew_t_batch(
    prep: PreparedPanel, targets: Sequence[Target], alt: Alternative, opts: Opts
) -> list[TestResult]:
    """Skewness-adjusted t of every target; bootstrap critical values shared by sample size.

    With a fixed ``seed`` (the default) every target draws from ``default_rng(seed)`` afresh,
    so targets with the same number of events share their resamples: their :math:`t^b` come
    from one matrix product of the resample counts with :math:`[y, y^2, y^3]`
    (:func:`_skew_t_moments`); replications near the observed statistic are recomputed by
    the two-pass formula, so p-values and counts are those of :func:`skew_t_bootstrap`.
    With ``rng=`` or ``seed=None`` the stream moves on target by target, as separate calls.
    """
    out: dict[int, TestResult] = {}
    groups: dict[int, list[tuple[int, float, np.ndarray]]] = {}
    n_boot = int(opts["n_boot"])
    for k, target in enumerate(targets):
        x = _cross_section(prep, target)
        x = x[np.isfinite(x)]
        est = default_estimate(prep, target)
        stat = skewness_adjusted_t(x)
        if not math.isfinite(stat):
            why = f"needs at least 3 events with non-zero variance, has {x.size}"
            out[k] = nan_result("skew_t", x.size, null_mean(target), alt, why, est)
        elif opts["skew_critical"] == "normal":
            out[k] = normal_result("skew_t", stat, x.size, null_mean(target), alt, est)
        elif opts["rng"] is not None or opts["seed"] is None:  # a stream moving on per target
            rng = opts["rng"] if opts["rng"] is not None else np.random.default_rng()
            tb, n_b = skew_t_bootstrap(x, n_boot, rng)
            out[k] = _skew_result(target, x, stat, tb, n_b, alt, est)
        else:
            groups.setdefault(x.size, []).append((k, stat, x))
    for n, members in groups.items():
        for k, tb, n_b in _skew_group(n, members, n_boot, opts["seed"]):
            stat, x = next((m[1], m[2]) for m in members if m[0] == k)
            target = targets[k]
            out[k] = _skew_result(target, x, stat, tb, n_b, alt, default_estimate(prep, target))
    return [out[k] for k in range(len(targets))]


def _skew_group(
    n: int,
    members: list[tuple[int, float, np.ndarray]],
    n_boot: int,
    seed: Any,
) -> list[tuple[int, np.ndarray, int]]:
    """``(k, finite t^b, n_b)`` of targets ``members`` (k, stat, x) sharing ``n`` events."""
    n_b = max(3, n // 4)
    xs = np.column_stack([m[2] for m in members])
    tb_all, suspect = _skew_t_moments(_count_blocks(n, n_boot, seed), xs, n_b)
    results = []
    draws = None
    for j, (k, stat, x) in enumerate(members):
        tb, sd = tb_all[:, j].copy(), np.ones(n_boot)
        redo = suspect[:, j] | (np.abs(tb - stat) <= _SKEW_RECHECK * max(abs(stat), 1.0))
        if redo.any():
            if draws is None:
                draws = skew_t_draws(n, n_boot, np.random.default_rng(seed))
            tb[redo], sd[redo] = _skew_t_rows(x, draws[redo])
        results.append((k, tb[(sd > 0) & np.isfinite(tb)], n_b))
    return results


# --------------------------------------------------------------------------------------------
# wild bootstrap
# --------------------------------------------------------------------------------------------

_MAMMEN_LO = -(math.sqrt(5) - 1) / 2
_MAMMEN_HI = (math.sqrt(5) + 1) / 2
_MAMMEN_P_LO = (math.sqrt(5) + 1) / (2 * math.sqrt(5))


def _weights(rng: np.random.Generator, kind: str, shape: tuple[int, int]) -> np.ndarray:
    if kind == "mammen":
        return np.where(rng.random(shape) < _MAMMEN_P_LO, _MAMMEN_LO, _MAMMEN_HI)
    return rng.choice(np.array([-1.0, 1.0]), size=shape)


def _rademacher_signs(
    rng: np.random.Generator, shape: tuple[int, int], out: np.ndarray | None = None
) -> np.ndarray:
    """``rng.integers(0, 2, size=shape) * 2 - 1`` as int8, the same draws and stream use.

    For a range of two values numpy's Generator takes the top bit of one 32-bit draw per
    value (Lemire's method never rejects there), and PCG64 serves 32-bit draws as the low,
    then the high half of a 64-bit output, keeping an unused high half for the next 32-bit
    draw. On a little-endian PCG64 with no half kept the bits are read straight off
    ``random_raw`` (about 3x faster, no int64 array), and after an odd number of values the
    unused half is kept in the generator's state as ``integers`` keeps it, so later draws
    are the same too. Anywhere else ``rng.integers`` is used. Written into ``out`` (int8,
    C-contiguous, ``shape``) when given.
    """
    size = shape[0] * shape[1]
    signs = np.empty(shape, dtype=np.int8) if out is None else out
    bit_generator = rng.bit_generator
    if (
        sys.byteorder != "little"
        or type(bit_generator).__name__ != "PCG64"
        or bit_generator.state["has_uint32"]
    ):
        signs[...] = rng.integers(0, 2, size=shape) * 2 - 1
        return signs
    raw = bit_generator.random_raw((size + 1) // 2)
    # the top bit of each little-endian 32-bit half is bit 7 of its byte 3: read the bytes
    np.right_shift(raw.view(np.uint8)[3::4][:size], 7, out=signs.view(np.uint8).reshape(-1))
    if size % 2:  # the last output's high half is what the next 32-bit draw would use
        state = dict(bit_generator.state)
        state["has_uint32"], state["uinteger"] = 1, int(raw[-1] >> np.uint64(32))
        bit_generator.state = state
    signs *= 2
    signs -= 1
    return signs


def _compact_weights(prep: PreparedPanel, opts: Opts, n: int) -> np.ndarray:
    """Return the (n_boot, n) weights of :func:`_weight_blocks`, stacked (one byte each).

    The draws are exactly those of ``_weights(np.random.default_rng(seed), kind, (B, n))``:
    int8 signs for Rademacher, booleans "low value" for Mammen.
    """
    blocks = [block.copy() for block in _weight_blocks(prep, opts, n)]
    dtype = np.int8 if opts["weights"] == "rademacher" else np.bool_
    return np.concatenate(blocks) if blocks else np.empty((0, n), dtype=dtype)


def _weight_blocks(prep: PreparedPanel, opts: Opts, n: int) -> Iterator[np.ndarray]:
    """The (n_boot, n) weights of ``default_rng(seed)``, :func:`_tile_rows` rows at a time.

    One byte each (int8 signs for Rademacher, booleans "low value" for Mammen), yielded in
    one reused buffer (read each block before the next). The draws are those of
    ``_weights(np.random.default_rng(seed), kind, (B, n))``, taken in row chunks of about
    :data:`_BLOCK_BYTES` (which consume the generator identically). With ``seed=None`` the
    entropy is drawn once per prepared panel, so all its days and windows (and later calls)
    share the weights, as with a fixed seed.
    """
    n_boot, kind, seed = int(opts["n_boot"]), opts["weights"], opts["seed"]
    if seed is None:
        seed = prep.memo(("boot_entropy",), lambda: np.random.SeedSequence().entropy)
    rng = np.random.default_rng(seed)
    rows, step = _tile_rows(n), _block_rows(n)
    dtype = np.int8 if kind == "rademacher" else np.bool_
    buffer: np.ndarray = np.empty((min(rows, n_boot), n), dtype=dtype)
    for lo in range(0, n_boot, rows):
        block = buffer[: min(rows, n_boot - lo)]
        for c0 in range(0, block.shape[0], step):
            part = block[c0 : c0 + step]
            if kind == "mammen":
                np.less(rng.random(part.shape), _MAMMEN_P_LO, out=part)
            else:  # the draws of rng.choice([-1.0, 1.0], ...), without the float array
                _rademacher_signs(rng, part.shape, out=part)
        yield block


def _boot_t(blocks: Iterable[np.ndarray], kind: str, x: np.ndarray) -> np.ndarray:
    r"""Cross-sectional t of every replication for every column of ``x`` (n, K).

    ``blocks``: the compact weights (:func:`_weight_blocks`), blocks of replications in
    order, or an array's row blocks. Mean and variance of :math:`w_b x` as matrix products
    (:func:`_tile_products`): :math:`\bar x^*_b = w_b'x/n`,
    :math:`s^{*2}_b = (\sum_i w_{bi}^2 x_i^2 - n \bar x^{*2}_b)/(n-1)`.
    """
    n = x.shape[0]
    x2 = x * x
    parts = [_tile_products(b, x, kind, x2 if kind == "mammen" else None) for b in blocks]
    if not parts:
        return np.empty((0, x.shape[1]))
    mean = np.concatenate([p[0] for p in parts]) / n
    ss = (  # Rademacher: w^2 = 1
        np.concatenate([p[1] for p in parts if p[1] is not None])
        if kind == "mammen"
        else x2.sum(axis=0)
    )
    var = np.maximum((ss - n * mean * mean) / (n - 1), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return mean / (np.sqrt(var) / math.sqrt(n))


def _two_pass_t(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Compute the t of each row of ``w * x`` by the two-pass mean and SD (the reference)."""
    xs = w * x[None, :]
    sd = xs.std(axis=1, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return xs.mean(axis=1) / (sd / math.sqrt(x.size))


def _boot_pvalue(
    tb: np.ndarray,
    stat: float,
    alt: Alternative,
    n_boot: int,
    recheck: Callable[[np.ndarray], np.ndarray] | None = None,
) -> float:
    """Bootstrap p-value (1 + hits) / (B + 1); replications within 1e-8 of the cut-off recomputed.

    The matrix-product t* of :func:`_boot_t` can differ from the two-pass one in the last
    bits; a replication that ties the observed t (e.g. all Rademacher weights +1, common when
    N is small) must count exactly as the two-pass formula counts it, so ``recheck(rows)``
    recomputes those rows by :func:`_two_pass_t`.
    """
    if recheck is not None:
        ref = stat if alt in ("greater", "less") else abs(stat)
        val = tb if alt in ("greater", "less") else np.abs(tb)
        close = ~np.isfinite(val) | (np.abs(val - ref) <= 1e-8 * max(abs(ref), 1e-300))
        if close.any():
            tb = tb.copy()
            rows = np.flatnonzero(close)
            tb[rows] = recheck(rows)
    if alt == "greater":
        hits = np.sum(tb >= stat)
    elif alt == "less":
        hits = np.sum(tb <= stat)
    else:
        hits = np.sum(np.abs(tb) >= abs(stat))
    return (1.0 + float(hits)) / (n_boot + 1.0)


def _float_weights(compact: np.ndarray, kind: str, out: np.ndarray | None = None) -> np.ndarray:
    """The bootstrap weights of ``compact`` (int8 signs or Mammen "low" flags) as floats.

    Written into ``out`` when given (C-ordered, the shape of ``compact``): the same values.
    """
    if out is None:
        if kind == "mammen":
            return np.where(compact, _MAMMEN_LO, _MAMMEN_HI)
        return compact.astype(float)
    if kind == "mammen":
        out[...] = _MAMMEN_HI
        np.copyto(out, _MAMMEN_LO, where=compact)
    else:
        np.copyto(out, compact)
    return out


def _wild_bootstrap_batch(
    prep: PreparedPanel, targets: Sequence[Target], alt: Alternative, opts: Opts
) -> list[TestResult]:
    """Wild bootstrap of every target at once: one weight matrix times all cross-sections.

    With ``rng=`` the generator is consumed target by target, in order, as separate calls
    would; otherwise each target's weights are those of ``default_rng(seed)`` (shared by all
    targets with the same number of events).
    """
    n_boot = int(opts["n_boot"])
    dist = f"bootstrap({n_boot})"
    out: dict[int, TestResult] = {}
    groups: dict[int, list[tuple[int, float, np.ndarray]]] = {}
    for k, target in enumerate(targets):
        x = _cross_section(prep, target)
        x = x[np.isfinite(x)]
        null, est = null_mean(target), default_estimate(prep, target)
        stat, reason = _t_of_mean(x)
        if reason:
            out[k] = nan_result("wild_bootstrap", x.size, null, alt, reason, est, dist=dist)
        elif opts["rng"] is not None:
            tb = _two_pass_t(_weights(opts["rng"], opts["weights"], (n_boot, x.size)), x)
            p = _boot_pvalue(tb, stat, alt, n_boot)
            out[k] = TestResult("wild_bootstrap", stat, p, dist, None, x.size, null, alt, None, est)
        else:
            groups.setdefault(x.size, []).append((k, stat, x))
    for n, members in groups.items():
        xs = np.column_stack([m[2] for m in members])
        tb_all = _boot_t(_weight_blocks(prep, opts, n), opts["weights"], xs)
        for j, (k, stat, x) in enumerate(members):
            target = targets[k]

            def recheck(rows: np.ndarray, x: np.ndarray = x, n: int = n) -> np.ndarray:
                compact = _compact_weights(prep, opts, n)  # drawn again: rarely needed
                return _two_pass_t(_float_weights(compact[rows], opts["weights"]), x)

            p = _boot_pvalue(tb_all[:, j], stat, alt, n_boot, recheck)
            null, est = null_mean(target), default_estimate(prep, target)
            out[k] = TestResult("wild_bootstrap", stat, p, dist, None, n, null, alt, None, est)
    return [out[k] for k in range(len(targets))]


def _wild_bootstrap(
    prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts
) -> TestResult:
    return _wild_bootstrap_batch(prep, [target], alt, opts)[0]


# --------------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------------


def csect_t(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Cross-sectional t test of the AAR (CAAR).

    {sig}

    Notes
    -----
    .. math::
        t = \frac{\bar x}{s_x/\sqrt N} \sim t(N-1), \qquad
        \bar x = \frac1N \sum_i x_i, \quad s_x^2 = \frac{1}{N-1}\sum_i (x_i-\bar x)^2,

    with :math:`x_i = AR_{i\tau}` for a day and :math:`CAR_i(\tau_1,\tau_2)` for a window
    (Brown & Warner 1985; Campbell, Lo & MacKinlay 1997, sec. 4.4). Equals estudy2's
    ``t_test``.
    """
    return run("csect_t", _csect_t, panel, day_or_window, alternative, convention, options)


def brown_warner_1980(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Brown-Warner (1980) portfolio t test assuming independent events.

    {sig}

    Notes
    -----
    .. math::
        t = \frac{\sum_{\tau} AAR_\tau}{\sqrt{\sum_\tau \frac{1}{N_\tau^2}
            \sum_{i \in N_\tau} s_i^2}}
            \sim t(\bar L_1 - k)

    with :math:`s_i` the residual SD (divisor :math:`L_{1,i}-k`; ``patell_ddof="estudy2"``
    uses :math:`L_{1,i}-1` and df :math:`\bar L_1 - 1`, and ``na_sums="estudy2"`` divides by all
    N events). Brown, S. J., & Warner, J. B. (1980), *J. Financial Economics* 8, 205-258.
    """
    return run("brown_warner_1980", _bw1980, panel, day_or_window, alternative, convention, options)


def brown_warner_1985(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Brown-Warner (1985) t test with crude dependence adjustment.

    {sig}

    Notes
    -----
    .. math::
        t = \frac{\sum_{\tau=\tau_1}^{\tau_2} AAR_\tau}{\sqrt{L}\, S(AAR)} \sim t(T_e - 1),
        \quad S^2(AAR) = \frac{1}{T_e-1}\sum_{t \in est}(AAR_t - \overline{AAR})^2

    over the :math:`T_e` estimation days (event time), L = window length. For a window this
    equals estudy2's ``car_brown_warner_1985`` (sum of daily statistics over sqrt(L)) exactly.
    Brown, S. J., & Warner, J. B. (1985), *J. Financial Economics* 14, 3-31.
    """
    return run("brown_warner_1985", _bw1985, panel, day_or_window, alternative, convention, options)


def lamb(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Lamb (1995) portfolio test with a prediction-error term (as in estudy2).

    {sig}

    Notes
    -----
    .. math::
        z = \frac{\sum_\tau AAR_\tau}{S(AAR)\sqrt{L + L^2/\bar L_1 +
            (\sum_\tau (\bar R_{m\tau} - \bar R_m))^2 / \sum_{t\in est}(\bar R_{mt}-\bar R_m)^2}}
            \sim N(0,1)

    :math:`\bar R_{mt}` is the cross-event mean benchmark return on each event-time day (the
    benchmark itself when all events share it, as estudy2 requires). For one day this is
    estudy2's ``lamb``; for a window estudy2's ``car_lamb`` instead sums daily statistics
    (``car_aggregation="estudy2"``). Lamb, R. P. (1995), *J. Risk and Insurance* 62(1), 111-127.
    Without benchmark returns (constant-mean or zero-mean model) the prediction-error term is
    undefined: NaN with the reason.
    """
    return run("lamb", _lamb, panel, day_or_window, alternative, convention, options)


def patell(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Patell (1976) standardized abnormal return test.

    {sig}

    Notes
    -----
    .. math::
        SCAR_i = \frac{CAR_i}{\sqrt{\gamma' V_i \gamma}}, \qquad
        Z = \frac{\sum_i SCAR_i}{\sqrt{\sum_i \frac{L_{1,i}-k_i}{L_{1,i}-k_i-2}}} \sim N(0,1),

    :math:`V_i = s_i^2 [I + X^*_i (X_i'X_i)^{-1} X^{*\prime}_i]` (CLM eq. 4.4.9, the panel's
    ``event_cov``), so for one day :math:`SCAR_i = SAR_i = AR_i/(s_i\sqrt{C_i})`,
    :math:`C_i = 1 + 1/L_1 + (R_m - \bar R_m)^2/\sum(R_{mt}-\bar R_m)^2`. Options:
    ``patell_ddof="estudy2"`` (:math:`s_i` with divisor :math:`L_1-1`), ``pe_variance="estudy2"``
    (C from all estimation-window benchmark days), ``na_sums="estudy2"``.
    Patell, J. M. (1976), *J. Accounting Research* 14(2), 246-276; Campbell, Lo & MacKinlay
    (1997) eq. 4.4.22-4.4.24.
    """
    return run("patell", _patell, panel, day_or_window, alternative, convention, options)


def bmp(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Boehmer-Musumeci-Poulsen (1991) standardized cross-sectional test.

    {sig}

    Notes
    -----
    .. math::
        t = \frac{\overline{SCAR}}{s_{SCAR}/\sqrt N} \sim t(N-1),

    with :math:`SCAR_i` as in :func:`patell` (prediction-error variance of the whole CAR,
    including the covariance the shared parameter estimates induce between event days) and
    :math:`s_{SCAR}` the cross-sectional SD (divisor N-1). Boehmer, E., Musumeci, J., &
    Poulsen, A. B. (1991), *J. Financial Economics* 30(2), 253-272.
    """
    return run("bmp", _bmp, panel, day_or_window, alternative, convention, options)


def kp_patell(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Kolari-Pynnonen (2010) adjusted Patell test.

    {sig}

    Notes
    -----
    .. math::
        Z_{KP} = Z_{Patell} \sqrt{\frac{1-\bar r}{1+(N-1)\bar r}} \sim N(0,1),

    :math:`\bar r` the mean off-diagonal correlation of the estimation-window residuals of the
    events used (:func:`mean_residual_correlation`), aligned by calendar date by default
    (``kp_alignment="event_time"`` as peers). Kolari, J. W., & Pynnonen, S. (2010), *Review of
    Financial Studies* 23(11), 3996-4025.

    The correction is for the cross-sectional correlation of *different* assets' abnormal
    returns. It does not apply, and the result is NaN with the reason, when every event is of
    one asset (``panel.assets``; the r_bar of one series with itself measures how much the
    estimation windows overlap) or when :math:`\bar r \ge` ``KP_MAX_RBAR`` (0.9: the
    residuals are almost one series, e.g. one asset at near-identical dates).
    """
    return run("kp_patell", _kp_patell, panel, day_or_window, alternative, convention, options)


def kp_bmp(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Kolari-Pynnonen (2010) adjusted BMP test.

    {sig}

    Notes
    -----
    .. math::
        t_{KP} = t_{BMP} \sqrt{\frac{1-\bar r}{1+(N-1)\bar r}} \sim t(N-1)

    (see :func:`kp_patell` for :math:`\bar r`, and when the test does not apply).
    Kolari, J. W., & Pynnonen, S. (2010).
    """
    return run("kp_bmp", _kp_bmp, panel, day_or_window, alternative, convention, options)


def skew_t(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Skewness-adjusted cross-sectional t test.

    {sig}

    Notes
    -----
    .. math::
        t_{sa} = \sqrt N\bigl(S + \tfrac13\hat\gamma S^2 + \tfrac{1}{6N}\hat\gamma\bigr),
        \quad S = \bar x/s_x,\quad \hat\gamma = \frac{\sum_i(x_i-\bar x)^3}{N s_x^3},

    (x = AR or CAR). ``skew_critical`` chooses the reference distribution:

    * ``"bootstrap"`` (default since issue 19) -- critical values from ``n_boot`` resamples of
      size N/4 (:func:`skew_t_bootstrap`; Lyon, Barber & Tsai 1999, as eventstudy2 does),
      seeded by ``seed``/``rng``; p = (1 + #{t^b >= t})/(B + 1) (``greater``), the mirror for
      ``less``, twice the smaller for two-sided; ``dist`` = ``bootstrap(B, n_b=...)``.
    * ``"normal"`` -- N(0,1) (Hall 1992; the default before issue 19). With a noisy sample
      skewness (heavy-tailed ARs) it over-rejects.

    In ``benchmarks/size_power.py`` (50 firms, t(4) errors, 5,000 replications) the
    bootstrap rejects 5.9 % of day-0 and 6.0 % of CAR(-1, +1) true nulls at 5 %, N(0,1)
    6.7 % and 7.3 % (gold, 40 events: 5.8 and 5.7 % against 8.0 and 8.0 %); the bootstrap's price
    is power (77 % against 88 % for +1 % on day 0).

    Hall, P. (1992), *Annals of Statistics* 20(2), 675-694; Lyon, J. D., Barber, B. M., &
    Tsai, C.-L. (1999), *J. Finance* 54(1), 165-201.
    """
    return run("skew_t", _skew_t, panel, day_or_window, alternative, convention, options)


def wild_bootstrap(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Wild bootstrap p-value for the cross-sectional t statistic.

    {sig}

    Notes
    -----
    Each replication multiplies every event's AR (CAR) by an independent weight
    :math:`w_i` (``weights="rademacher"``: :math:`\pm1` with probability 1/2; ``"mammen"``:
    :math:`-(\sqrt5-1)/2` w.p. :math:`(\sqrt5+1)/(2\sqrt5)`, else :math:`(\sqrt5+1)/2`),
    which imposes the null of a symmetric, mean-zero cross-section, and recomputes
    :math:`t^*`. With B = ``n_boot`` (999) replications,

    .. math::
        p = \frac{1 + \#\{b: |t^*_b| \ge |t|\}}{B+1}

    (``greater``: :math:`t^*_b \ge t`; ``less``: :math:`t^*_b \le t`). Reproducible with
    ``seed=`` or ``rng=`` (a ``numpy.random.Generator``). Wu, C. F. J. (1986), *Annals of
    Statistics* 14(4), 1261-1295; Mammen, E. (1993), *Annals of Statistics* 21(1), 255-285.
    """
    return run(
        "wild_bootstrap", _wild_bootstrap, panel, day_or_window, alternative, convention, options
    )


fill_signature_doc(
    csect_t, brown_warner_1980, brown_warner_1985, lamb, patell, bmp, kp_patell, kp_bmp,
    skew_t, wild_bootstrap,
)  # fmt: skip

#: A batched implementation: ``(prep, targets, alternative, opts) -> [TestResult]``.
BatchTest = Callable[[PreparedPanel, Sequence[Target], Alternative, Opts], list[TestResult]]
#: Tests with a batched implementation.
BATCH: dict[str, BatchTest] = {
    "wild_bootstrap": _wild_bootstrap_batch,
    "skew_t": _skew_t_batch,
}

INNER: dict[str, InnerTest] = {
    "csect_t": _csect_t,
    "brown_warner_1980": _bw1980,
    "brown_warner_1985": _bw1985,
    "patell": _patell,
    "bmp": _bmp,
    "kp_patell": _kp_patell,
    "kp_bmp": _kp_bmp,
    "lamb": _lamb,
    "skew_t": _skew_t,
    "wild_bootstrap": _wild_bootstrap,
}
