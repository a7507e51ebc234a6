"""Sign and rank tests across events.

Same signature as :mod:`eventstudy.engine.stats.parametric`. Rank and Corrado-Zivney sign tests rank
each event's abnormal returns over its combined series: the estimation window followed by the
whole event window (Corrado 1989), missing days left out of the ranking; a day's statistic
uses the events observed that day, the standard deviation uses every day of the combined
series.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from eventstudy import _scipy_stats as sps
from eventstudy.engine.panel import AbnormalReturnPanel
from eventstudy.engine.stats._core import (
    ESTUDY2_MIN_PERCENTAGE,
    Alternative,
    DayOrWindow,
    InnerTest,
    PreparedPanel,
    SequentialColumnSums,
    Target,
    TestResult,
    default_estimate,
    fill_signature_doc,
    nan_result,
    normal_result,
    null_median,
    pvalue,
    run,
    sigma_used,
    standardized_car,
    t_result,
    window_car,
)
from eventstudy.engine.stats._prepared import row_ranks, sorted_ranks

__all__ = [
    "binomial_sign_pvalue",
    "corrado_rank",
    "cz_rank",
    "cz_sign",
    "gen_sign",
    "grank",
    "sign",
    "signrank_pmf",
    "wilcoxon",
]

Opts = Mapping[str, Any]
PanelLike = AbnormalReturnPanel | PreparedPanel


# --------------------------------------------------------------------------------------------
# sign tests
# --------------------------------------------------------------------------------------------


def binomial_sign_pvalue(n_pos: int, n: int, alternative: Alternative) -> float:
    r"""Exact p-value of ``n_pos`` successes in ``n`` fair-coin trials.

    ``greater``: :math:`P(X \ge n^+)`; ``less``: :math:`P(X \le n^+)`; two-sided:
    :math:`\min(1, 2\min(P(X \ge n^+), P(X \le n^+)))`, X ~ Binomial(n, 1/2), which for
    p = 1/2 equals ``scipy.stats.binomtest(n_pos, n).pvalue`` (a symmetric null).
    """
    upper = float(sps.binom.sf(n_pos - 1, n, 0.5))
    lower = float(sps.binom.cdf(n_pos, n, 0.5))
    if alternative == "greater":
        return upper
    if alternative == "less":
        return lower
    return min(1.0, 2.0 * min(upper, lower))


def _sign(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    x = window_car(prep, target)
    x = x[np.isfinite(x)]
    n = x.size
    null, est = null_median(target), default_estimate(prep, target)
    if n < 1:
        return nan_result("sign", n, null, alt, "no events", est)
    n_pos = int((x > 0).sum())
    pos = float(n_pos)
    if opts["na_sums"] == "estudy2":
        pos = pos * prep.n_events / n
    z = (pos - 0.5 * n) / math.sqrt(0.25 * n)
    if opts["sign_pvalue"] == "normal":
        return normal_result("sign", z, n, null, alt, est)
    p = binomial_sign_pvalue(n_pos, n, alt)
    return TestResult("sign", z, p, f"binomial({n}, 1/2)", None, n, null, alt, None, est)


def _p_hat(prep: PreparedPanel, opts: Opts) -> float:
    """Cowan's estimation-window share of positive residuals (per event, or pooled)."""

    def compute() -> float:
        e = prep.panel.est_ar
        ok = np.isfinite(e)
        pos = (e > 0) & ok
        if opts["gsign_phat"] == "pooled":
            return float(pos.sum() / max(ok.sum(), 1))
        per = pos.sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
        return float(per[ok.sum(axis=1) > 0].mean())

    return prep.memo(("p_hat", opts["gsign_phat"]), compute)


def _gen_sign(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    x = window_car(prep, target)
    x = x[np.isfinite(x)]
    n = x.size
    null, est = null_median(target), default_estimate(prep, target)
    p = _p_hat(prep, opts)
    if n < 1 or not 0 < p < 1:
        return nan_result("gen_sign", n, null, alt, f"no events or p_hat={p:.3g}", est)
    w = float((x > 0).sum())
    if opts["na_sums"] == "estudy2":
        w = w * prep.n_events / n
    return normal_result("gen_sign", (w - n * p) / math.sqrt(n * p * (1 - p)), n, null, alt, est)


# --------------------------------------------------------------------------------------------
# rank-type tests on the combined estimation + event series
# --------------------------------------------------------------------------------------------


def _combined_counts(prep: PreparedPanel) -> np.ndarray:
    """Non-missing days M_i of each event's combined series."""
    panel = prep.panel

    def compute() -> np.ndarray:
        return np.isfinite(panel.est_ar).sum(axis=1) + np.isfinite(panel.event_ar).sum(axis=1)

    return prep.memo(("combined_m",), compute)


def _aggregate(
    kind: str, sums: tuple[np.ndarray, np.ndarray], n_all: int, na_sums: str
) -> np.ndarray:
    """Cross-event aggregate of each day: mean (Corrado) or sum/sqrt(N_t) (Corrado-Zivney).

    Computed from the day's number of scores ``n_t`` and their sum (``sums``); NaN on days
    without a score.
    """
    n_t, total = sums
    with np.errstate(invalid="ignore", divide="ignore"):
        if na_sums == "estudy2":
            total = total * n_all / n_t  # estudy2: rowMeans(x, na.rm = TRUE) * ncol(x)
        agg = total / n_t if kind == "corrado_rank" else total / np.sqrt(n_t)
    return np.where(n_t > 0, agg, np.nan)


class _CombinedSort(NamedTuple):
    r"""What the rank-type tests read of the sort of each event's combined series.

    For event i with :math:`M_i` non-missing days and ranks :math:`K_{it}` (average ranks,
    1 = smallest) over its combined series, and :math:`n_t` the events ranked on day t.
    """

    medians: np.ndarray  # (N,) as np.median (np.nanmedian when a day is missing) of each row
    order: np.ndarray | None  # (N, L1 + L2) int16 argsort of each row; None unless GRANK reads it
    n_t: np.ndarray  # (L1 + L2,) events ranked on day t, float
    centred: np.ndarray  # sum_i (K_it - (M_i + 1)/2) per day
    modified: np.ndarray  # sum_i (K_it/(M_i + 1) - 1/2) per day


def _combined_sorted(prep: PreparedPanel) -> _CombinedSort:
    """Medians, day sums of the rank scores and (maybe) the order of the combined series.

    Cached. One blocked sort of the combined series (:func:`_ranked_blocks`) serves both rank
    tests (:class:`_CentredRankSums`, :class:`_ModifiedRankSums`, formed block by block: no
    N x (L1 + L2) array of ranks is kept), the Corrado-Zivney sign test (medians) and GRANK
    (the estimation days' order, :func:`_estimation_order`). The sorting permutation is kept
    only when GRANK is expected on ``prep``; it is int16 (int32 when L1 + L2 > 32,767).
    """

    def compute() -> _CombinedSort:
        est, event = prep.panel.est_ar, prep.panel.event_ar
        n, width = est.shape[0], est.shape[1] + event.shape[1]
        medians = np.empty(n)
        narrow = np.int16 if width <= np.iinfo(np.int16).max else np.int32
        order = np.empty((n, width), dtype=narrow) if prep.expects(("grank",)) else None
        m = _combined_counts(prep)
        centred = _CentredRankSums(m, width)
        modified = _ModifiedRankSums(m, width, min(n, _RANK_BLOCK))
        nan_rule, n_t = not _combined_complete(prep), np.zeros(width)
        for rows, perm, ranks, xs in _ranked_blocks(est, event, nan_rule):
            medians[rows] = _sorted_medians(xs, nan_rule)
            if order is not None:
                order[rows] = perm
            missing = np.isnan(ranks) if nan_rule else None
            n_t += ranks.shape[0] - (0 if missing is None else missing.sum(axis=0))
            centred.add(rows, ranks, missing)
            modified.add(rows, ranks, missing)
        return _CombinedSort(medians, order, n_t, centred.total, modified.total.sums())

    return prep.memo(("combined_sorted",), compute)


#: Tests that read the combined sort.
_RANK_TESTS = ("corrado_rank", "cz_rank", "cz_sign")


#: Events per block of :func:`_ranked_blocks` (a block's rows and their sorts stay in cache).
_RANK_BLOCK = 512


def _ranked_blocks(
    est: np.ndarray, event: np.ndarray, may_miss: bool = True
) -> Iterator[tuple[slice, np.ndarray, np.ndarray, np.ndarray]]:
    """Rank each event's combined series (``est`` then ``event`` columns), a block at a time.

    :data:`_RANK_BLOCK` events at a time (every row is ranked on its own, so blocks change no
    number; the combined rows, their permutation, ranks and sorted values are never
    whole-panel arrays: each block reuses the buffers of the one before). Yields each
    block's rows, a sorting permutation (:func:`_argsort_rows`; ``may_miss``: some value
    may be NaN), average ranks (float32: integers and halves, exact far below 2**24; NaN
    where the value is; :func:`sorted_ranks`) and sorted values (NaN last). The arrays
    yielded are overwritten by the next block.
    """
    n, le = est.shape
    rows_max, width = min(n, _RANK_BLOCK), le + event.shape[1]
    buffer, ranks = np.empty((rows_max, width)), np.empty((rows_max, width), dtype=np.float32)
    for lo in range(0, n, _RANK_BLOCK):
        rows = slice(lo, min(n, lo + _RANK_BLOCK))
        block = buffer[: rows.stop - lo]
        block[:, :le] = est[rows]
        block[:, le:] = event[rows]
        perm = _argsort_rows(block) if may_miss else np.argsort(block, axis=1)
        out, xs = sorted_ranks(block, perm, out=ranks[: rows.stop - lo])
        yield rows, perm, out, xs


def _sorted_medians(xs: np.ndarray, nan_rule: bool) -> np.ndarray:
    """Median of each row of ``xs`` (sorted, NaN last), with numpy's arithmetic.

    ``np.median``: the middle value, or (a + b) / 2 of the two middle values. ``np.nanmedian``
    (``nan_rule``; rows shorter than 600) takes (a + b) / 2 with a = b for an odd count. NaN
    for a row without values.
    """
    count = xs.shape[1] - np.isnan(xs).sum(axis=1)
    rows = np.arange(xs.shape[0])
    hi = np.minimum(count // 2, xs.shape[1] - 1)
    lo = np.maximum(np.where(count % 2 == 1, hi, hi - 1), 0)
    a, b = xs[rows, lo], xs[rows, hi]
    with np.errstate(invalid="ignore", over="ignore"):
        med = (a + b) / 2.0
    if not nan_rule:
        med = np.where(count % 2 == 1, b, med)
    return np.where(count > 0, med, np.nan)


def _combined_complete(prep: PreparedPanel) -> bool:
    """Return True when no event misses a day of its combined series (cached)."""
    panel = prep.panel
    return prep.memo(
        ("combined_complete",),
        lambda: not (np.isnan(panel.est_ar).any() or np.isnan(panel.event_ar).any()),
    )


def _score_sums(kind: str, prep: PreparedPanel) -> tuple[np.ndarray, np.ndarray]:
    """Per day of the combined series: the number of scores of ``kind`` and their sum.

    Cached; the two ``na_sums`` conventions both derive from it. The rank tests' sums come
    from the combined sort (:func:`_combined_sorted`), the signs' from its medians
    (:func:`_sign_sums`); none is formed from an N x (L1 + L2) array of scores.
    """

    def compute() -> tuple[np.ndarray, np.ndarray]:
        if kind == "cz_sign":
            return _sign_sums(prep)
        sort = _combined_sorted(prep)
        return sort.n_t, (sort.centred if kind == "corrado_rank" else sort.modified)

    return prep.memo(("score_sums", kind), compute)


class _CentredRankSums:
    r"""Sum of Corrado's centred ranks :math:`K_{it} - (M_i + 1)/2` per day (events ranked).

    Added block by block (:meth:`add`) into ``total``: without missing days as
    :math:`\sum_i K_{it} - \sum_i (M_i + 1)/2` (ranks float32, summed in float64), else as the
    sum of the differences, a missing one as 0. Every term is a multiple of 1/2 and every
    partial sum is far below 2**52, so the sums are exact whatever the order of addition:
    the sum of the differences, bit for bit.
    """

    def __init__(self, m: np.ndarray, width: int) -> None:
        self.centre = (m.astype(float) + 1) / 2
        self.total = np.zeros(width)

    def add(self, rows: slice, ranks: np.ndarray, missing: np.ndarray | None) -> None:
        """Add the ranks (B, L1 + L2) of events ``rows``, NaN where ``missing`` (None: none)."""
        if missing is None:
            self.total += np.add.reduce(ranks, axis=0, dtype=np.float64)
            self.total -= self.centre[rows].sum()
            return
        centred = ranks - self.centre[rows, None]  # float64
        centred[missing] = 0.0
        self.total += np.add.reduce(centred, axis=0)


class _ModifiedRankSums:
    r"""Sum of Corrado-Zivney's scores :math:`U_{it} - 1/2 = K_{it}/(M_i + 1) - 1/2` per day.

    Added block by block (:meth:`add`) into ``total``: ``np.nansum(scores, axis=0)`` of the
    whole N x (L1 + L2) float64 score array, bit for bit, without that array: the scores are
    summed in float64 in numpy's order (:class:`SequentialColumnSums`), a missing score as 0.
    """

    def __init__(self, m: np.ndarray, width: int, block_rows: int) -> None:
        self.div = m.astype(float) + 1
        self.total = SequentialColumnSums(block_rows, width)

    def add(self, rows: slice, ranks: np.ndarray, missing: np.ndarray | None) -> None:
        """Add the ranks (B, L1 + L2) of events ``rows``, NaN where ``missing`` (None: none)."""
        scores = self.total.next_rows(ranks.shape[0])
        np.divide(ranks, self.div[rows, None], out=scores)  # float32 ranks, exact in float64
        scores -= 0.5
        if missing is not None:
            scores[missing] = 0.0  # as np.nansum
        self.total.add(ranks.shape[0])


def _sign_sums(prep: PreparedPanel) -> tuple[np.ndarray, np.ndarray]:
    """Count and sum of sign(AR_it - median_i) per day of the combined series.

    A block of events at a time, estimation and event window apart (no combined copy); the
    sums are integer-valued, hence exact.
    """
    med = _combined_sorted(prep).medians
    counts, totals = [], []
    for part in (prep.panel.est_ar, prep.panel.event_ar):
        n_t, total = np.zeros(part.shape[1]), np.zeros(part.shape[1])
        for lo in range(0, part.shape[0], _SIGN_BLOCK):
            signs = np.sign(part[lo : lo + _SIGN_BLOCK] - med[lo : lo + _SIGN_BLOCK, None])
            missing = np.isnan(signs)
            n_t += signs.shape[0] - missing.sum(axis=0)
            total += np.where(missing, 0.0, signs).sum(axis=0)
        counts.append(n_t)
        totals.append(total)
    return np.concatenate(counts), np.concatenate(totals)


#: Events per block of :func:`_sign_sums`.
_SIGN_BLOCK = 4096


def _daily_aggregate(kind: str, prep: PreparedPanel, na_sums: str) -> np.ndarray:
    """Daily aggregate of the scores of ``kind`` over the combined series (cached).

    Only what a test asks for is computed: one sort of the combined series for the three
    tests (its day sums of both rank scores and its medians, :func:`_combined_sorted`), the
    day sums of each kind's scores once for both ``na_sums`` conventions.
    """
    return prep.memo(
        ("daily_aggregate", kind, na_sums),
        lambda: _aggregate(kind, _score_sums(kind, prep), prep.n_events, na_sums),
    )


def _rank_like(
    kind: str, prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts
) -> TestResult:
    null, est = null_median(target), default_estimate(prep, target)
    if kind == "corrado_rank" and not target.is_day and opts["car_rank"] == "estudy2":
        return _car_rank_estudy2(prep, target, alt, opts)
    agg = _daily_aggregate(kind, prep, opts["na_sums"])
    nobs = int((np.isfinite(prep.panel.event_ar[:, target.cols]).any(axis=1)).sum())
    mean_obs = None
    if opts["rank_sd_divisor"] == "mean_obs":
        m = _combined_counts(prep)
        mean_obs = float(m[m > 0].mean())
    est_days = prep.panel.est_ar.shape[1]
    return rank_result(kind, agg, est_days, target, nobs, mean_obs, alt, null, est)


def rank_result(
    kind: str,
    agg: np.ndarray,
    est_days: int,
    target: Target,
    nobs: int,
    mean_obs: float | None,
    alt: Alternative,
    null: str,
    est: float,
) -> TestResult:
    """A rank test's result from the daily aggregate of its scores.

    Also what :mod:`eventstudy.engine.batched` computes from the day sums of many batches.

    Parameters
    ----------
    kind : {"corrado_rank", "cz_rank"}
    agg : ndarray, shape (L1 + L2,)
        Daily aggregate over the combined estimation + event series (:func:`_aggregate`);
        NaN on days without a score.
    est_days : int
        L1, the estimation days before the event window's columns.
    target : Target
    nobs : int
        Events with a finite AR on some day of the target.
    mean_obs : float or None
        ``rank_sd_divisor="mean_obs"``: the mean of the events' non-missing days (estudy2's
        divisor of the rank SD); None: the number of days with a score.
    alt, null, est
        As the result records them.
    """
    cols = est_days + target.cols
    days = np.isfinite(agg)
    divisor = float(days.sum()) if mean_obs is None else mean_obs
    s = math.sqrt(float(np.sum(agg[days] ** 2)) / divisor) if divisor > 0 else math.nan
    if not s > 0 or nobs < 1:
        return nan_result(kind, nobs, null, alt, "no events or zero rank variance", est)
    stat = float(np.nansum(agg[cols]) / (math.sqrt(target.length) * s))
    return normal_result(kind, stat, nobs, null, alt, est)


def _car_rank_estudy2(
    prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts
) -> TestResult:
    """estudy2's ``car_rank_test``: ranks over estimation + CAR window, pooled centring."""
    panel = prep.panel
    null, est = null_median(target), default_estimate(prep, target)
    full = np.hstack([panel.est_ar, panel.event_ar[:, target.cols]])
    k = row_ranks(full)
    m = np.isfinite(full).sum(axis=1)
    mean_rank = float(np.mean(((m + 1) / 2)[m > 0]))
    le = panel.est_ar.shape[1]
    ev = k[:, le:]
    share = 100.0 * np.isfinite(ev).mean(axis=0)
    ev = ev[:, share > ESTUDY2_MIN_PERCENTAGE]
    n_t = np.isfinite(k).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        row_mean = np.nansum(k, axis=0) / n_t
    dev2 = np.nansum(((row_mean - mean_rank) ** 2)[n_t > 0])
    nobs = int(np.isfinite(ev).any(axis=1).sum())
    if ev.shape[1] == 0 or not dev2 > 0:
        return nan_result("corrado_rank", nobs, null, alt, "no usable day or zero variance", est)
    stat = math.sqrt(ev.shape[1]) * (np.nanmean(ev) - mean_rank) / math.sqrt(dev2 / m.mean())
    return normal_result("corrado_rank", float(stat), nobs, null, alt, est)


def _corrado_rank(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    return _rank_like("corrado_rank", prep, target, alt, opts)


def _cz_rank(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    return _rank_like("cz_rank", prep, target, alt, opts)


def _cz_sign(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    return _rank_like("cz_sign", prep, target, alt, opts)


# --------------------------------------------------------------------------------------------
# GRANK
# --------------------------------------------------------------------------------------------


def grank_t(z: float, t_points: int) -> float:
    r"""GRANK t transform :math:`t = Z\sqrt{(T-2)/(T-1-Z^2)}` (Kolari & Pynnonen 2011, eq. 14).

    NaN when :math:`T - 1 - Z^2 \le 0` or T < 3.
    """
    den = t_points - 1 - z * z
    if t_points < 3 or not den > 0:
        return math.nan
    return z * math.sqrt((t_points - 2) / den)


#: Events per block of the GRANK pass (:func:`_grank_counts`), and at most
#: :data:`_GRANK_CELLS` padded cells per block: a block's GSARs, their sort, positions and
#: comparisons stay in cache, and its buffers are reused from block to block.
_GRANK_BLOCK = 1024

#: Padded cells (events x estimation days) per block of the GRANK pass, at most.
_GRANK_CELLS = 1 << 18


def _gsars(
    est: np.ndarray, s: np.ndarray, rows: slice, out: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """GSARs :math:`g_{it} = e_{it} / s_i` of events ``rows`` and where they are finite.

    Written into the first rows of ``out`` (C-contiguous, whatever the layout of ``est``);
    NaN where not finite (missing :math:`e_{it}`, :math:`s_i = 0` or not finite).
    """
    g = out[: rows.stop - rows.start]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        np.divide(est[rows], s[rows, None], out=g)
    ok = np.isfinite(g)
    if not ok.all():
        g[~ok] = np.nan
    return g, ok


def _combined_order(prep: PreparedPanel) -> np.ndarray | None:
    """The combined series' sorting permutation when it is (or will be) kept, else None.

    The combined sort runs when a rank test ran or is expected to run (on a thread pool it
    may be running now: the cache makes this wait for it), and keeps its permutation when
    GRANK was expected by then (:func:`_combined_sorted`).
    """
    if ("combined_sorted",) in prep or prep.expects(_RANK_TESTS):
        return _combined_sorted(prep).order
    return None


def _gsar_order(g: np.ndarray, est: np.ndarray, combined: np.ndarray | None) -> np.ndarray:
    """A permutation sorting each row of the GSARs ``g`` = e_it / s_i (NaN where not finite).

    With the combined series' permutation ``combined`` of these rows, the estimation days'
    order is read from it: dividing a row by s_i > 0 keeps its order (rounding is monotone),
    so the same permutation sorts ``g`` wherever ``g`` is finite exactly where e_it (``est``)
    is not NaN. Other rows (and all when ``combined`` is None) are sorted afresh.
    """
    if combined is None:
        return _argsort_rows(g)
    order = _estimation_order(combined, est.shape[1])
    same = (np.isnan(g) == np.isnan(est)).all(axis=1)
    if not same.all():
        order[~same] = _argsort_rows(g[~same])
    return order


def _argsort_rows(x: np.ndarray) -> np.ndarray:
    """A permutation sorting each row of ``x`` ascending, NaN last: as ``np.argsort``.

    Where no value is +inf, NaN are sorted as +inf (the same sorted values: NaN last, in
    some order among themselves), which numpy sorts several times faster than NaN.
    """
    missing = np.isnan(x)
    if not missing.any() or np.isposinf(x).any():
        return np.argsort(x, axis=1)
    return np.argsort(np.where(missing, np.inf, x), axis=1)


def _estimation_order(order: np.ndarray, n_est: int) -> np.ndarray:
    """The estimation columns (< ``n_est``) of each row of a combined sorting permutation."""
    return order[order < n_est].reshape(order.shape[0], n_est).astype(np.intp)


@dataclass(frozen=True)
class _GrankInput:
    """A target's GRANK inputs.

    Events used ``ok``, SCAR* ``v`` (NaN where unused) and the result's fixed fields.
    """

    target: Target
    n: int
    ok: np.ndarray
    v: np.ndarray
    null: str
    est: float


def _grank_input(
    prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts
) -> _GrankInput | TestResult:
    """The target's :class:`_GrankInput`, or its NaN result when GRANK cannot be computed."""
    null, est = null_median(target), default_estimate(prep, target)
    scar, reason = standardized_car(prep, target, opts)
    s = sigma_used(prep, opts)
    ok = np.isfinite(scar) & np.isfinite(s) & (s > 0)
    n = int(ok.sum())
    if reason:
        return nan_result("grank", n, null, alt, reason, est, dist="t")
    if n < 2:
        return nan_result("grank", n, null, alt, f"needs at least 2 events, has {n}", est, "t")
    s_scar = float(np.std(scar[ok], ddof=1))
    if not s_scar > 0:
        return nan_result("grank", n, null, alt, "zero cross-sectional SCAR variance", est, "t")
    v = np.full(prep.n_events, np.nan)
    v[ok] = scar[ok] / s_scar
    return _GrankInput(target, n, ok, v, null, est)


class _GrankCounts(NamedTuple):
    r"""One target's sums over its events, from the GRANK pass (:func:`_grank_counts`).

    With weights :math:`w_i = 1/(T_i + 1) = 1/(n_{0,i} + 2)` of the events used, GSARs
    :math:`g_{it}`, their within-event average ranks :math:`k_{0,it}` (0 where missing) and
    SCAR* :math:`v_i`.
    """

    wk0: np.ndarray  # sum_i w_i k0_it per estimation day
    above: np.ndarray  # sum_i w_i 1[v_i < g_it] per day
    eq: np.ndarray | None  # sum_i w_i 1[v_i = g_it] per day; None when no value ties
    n_t: np.ndarray  # finite GSARs per day among the events used
    n0: np.ndarray  # finite GSARs per event (every event)
    n_gt: np.ndarray  # #{t: g_it > v_i} per event (read where used)
    n_eq: np.ndarray  # #{t: g_it = v_i} per event (read where used)


class _GsarBlock(NamedTuple):
    """One block of events of the GRANK pass, see :func:`_gsar_block`."""

    rows: slice
    n0: np.ndarray  # finite GSARs per event, (B,)
    k0: np.ndarray  # within-event average ranks of the finite GSARs, 0 elsewhere, (B, L1)
    fin: np.ndarray  # where the GSAR is finite, padded with False, (B, W8)
    pos: np.ndarray  # a sorted position of each finite cell, the dtype's max elsewhere
    p: np.ndarray  # #{t: g_it < v_ik}, (B, K)
    q: np.ndarray  # #{t: g_it <= v_ik}, (B, K)


class _GrankBuffers:
    """The GRANK pass's per-block arrays, made once and reused by every block.

    ``g`` the GSARs and ``k0`` their ranks (B, L1); ``xs`` the sorted GSARs padded with NaN
    to a power of two of columns (the binary search's width); ``fin``, ``pos`` and ``mask``
    padded to a multiple of 8 columns with False, the position dtype's max and False (the
    padding never counts). ``rows`` events per block (:data:`_GRANK_BLOCK`, fewer for long
    estimation windows: :data:`_GRANK_CELLS`).
    """

    def __init__(self, n: int, width: int) -> None:
        padded = 1 << max(1, width).bit_length()  # room for every step of the search
        self.rows = max(1, min(n, _GRANK_BLOCK, _GRANK_CELLS // padded))
        w8 = -(-width // 8) * 8
        dtype = next(t for t in (np.uint8, np.uint16, np.uint32) if width < np.iinfo(t).max)
        self.g = np.empty((self.rows, width))
        self.k0 = np.empty((self.rows, width))
        self.xs = np.full((self.rows, padded), np.nan)
        self.fin = np.zeros((self.rows, w8), dtype=bool)
        self.pos = np.full((self.rows, w8), np.iinfo(dtype).max, dtype=dtype)
        self.mask = np.zeros((self.rows, w8), dtype=bool)

    def blocks(self, n: int) -> Iterator[slice]:
        """The events' blocks, in order."""
        return (slice(lo, min(n, lo + self.rows)) for lo in range(0, n, self.rows))


def _gsar_block(
    est: np.ndarray,
    s: np.ndarray,
    rows: slice,
    combined: np.ndarray | None,
    values: np.ndarray,
    buf: _GrankBuffers,
) -> _GsarBlock:
    r"""GSARs, ranks, positions and search counts of the events ``rows`` (in ``buf``).

    The GSARs :math:`g_{it} = e_{it}/s_i` (:func:`_gsars`), sorted by :func:`_gsar_order` (a
    gather through the combined series' permutation ``combined`` when given, else argsort),
    their within-event average ranks :math:`k_{0,it}` (:func:`sorted_ranks`, 0 where
    missing), :math:`n_{0,i}` the finite GSARs, and each cell's position in its sorted row,
    read off the average rank, floor(rank - 1): a tied run occupying sorted positions a..b
    gets a position in [a, b], which is all the comparisons need (a value is above or below
    the whole run, so a count of GSARs <= v never falls inside it). The counts
    :math:`p_{ik} = \#\{t: g_{it} < v_{ik}\}`, :math:`q_{ik} = \#\{t: g_{it} \le v_{ik}\}` of
    the values ``values`` (B, K) come from :func:`_search_block`.
    """
    g, ok = _gsars(est, s, rows, buf.g)
    b, width = g.shape
    block = None if combined is None else combined[rows]
    k0, xs = sorted_ranks(g, _gsar_order(g, est[rows], block), out=buf.k0[:b])
    complete = bool(ok.all())
    if not complete:
        k0[~ok] = 0.0  # ranks are NaN exactly where g is (never infinite)
    fin, pos = buf.fin[:b], buf.pos[:b]
    fin[:, :width] = ok
    pos[:, :width] = k0  # the floor of the average rank, 1-based; 0 where missing
    pos[:, :width] -= 1  # 0 - 1 wraps to the dtype's max
    buf.xs[:b, :width] = xs
    p, q = _search_block(buf.xs[:b], values)
    return _GsarBlock(rows, ok.sum(axis=1), k0, fin, pos, p, q)


def _search_block(xs: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Count, per row i and column k, the values of row i of ``xs`` below and not above v.

    ``xs`` (B, 2^j) holds each event's sorted GSARs, NaN last; ``v`` (B, K) values. Returns
    ``(p, q)``: ``p[i, k]`` = #{t: g_it < v[i, k]}, ``q[i, k]`` = #{t: g_it <= v[i, k]} (0
    where ``v`` is NaN), by :func:`_bisect_rows`; ``p`` is searched only where ``v`` equals
    a GSAR (elsewhere ``p = q``).
    """
    b, padded = xs.shape
    flat = xs.reshape(-1)
    q = _bisect_rows(flat, padded, v, "right")
    p = q.copy()
    start = (np.arange(b) * padded)[:, None]
    tie = (q > 0) & (flat[start + np.maximum(q - 1, 0)] == v)
    if tie.any():
        r, c = np.nonzero(tie)
        p[r, c] = _bisect_rows(flat, padded, v, "left")[r, c]  # rare: values tie
    return p, q


def _bisect_rows(xs: np.ndarray, width: int, v: np.ndarray, side: str) -> np.ndarray:
    """Count, per row i and column k, the values of row i of ``xs`` below ``v[i, k]``.

    ``side="left"``: below; ``"right"``: not above.

    ``xs`` holds rows of ``width`` (a power of two) values, sorted, NaN last, flattened. The
    search adds steps width/2, width/4, ..., 1 to the count while the value there passes, so
    it needs no bounds: NaN never passes.
    """
    n, k = v.shape
    idx = np.repeat(np.arange(n, dtype=np.intp) * width, k).reshape(n, k)
    start = idx.copy()
    step = width // 2
    while step >= 1:
        val = xs[idx + (step - 1)]
        with np.errstate(invalid="ignore"):
            passes = (val <= v) if side == "right" else (val < v)
        idx += passes * step
        step //= 2
    with np.errstate(invalid="ignore"):  # the last value may pass too (width - 1 values added)
        last = (xs[idx] <= v) if side == "right" else (xs[idx] < v)
    return idx - start + last


class _Segments(NamedTuple):
    """A block's rows of the events used, grouped by estimation length (see :func:`_segments`).

    ``perm`` orders the block's rows so that each length's rows are contiguous (None when
    they already are), the events used being rows ``first:`` after it; ``levels`` the
    lengths :math:`n_{0,i}`, ``starts`` their first rows (from ``first``), ``pieces`` the
    first rows of pieces of at most :data:`_LANE_ROWS` rows, ``pieces_of`` the first piece of
    each length.
    """

    perm: np.ndarray | None
    first: int
    levels: list[int]
    starts: np.ndarray
    pieces: np.ndarray
    pieces_of: np.ndarray | None


def _segments(key: np.ndarray) -> _Segments:
    """Group a block's rows by ``key`` (:math:`n_{0,i}` of the events used, -1 elsewhere)."""
    perm = None
    if key.size > 1 and bool((key[1:] < key[:-1]).any()):
        perm = np.argsort(key, kind="stable")
        key = key[perm]
    first = int(np.searchsorted(key, 0))
    key = key[first:]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])[: key.size]
    ends = np.r_[starts[1:], key.size][: starts.size]
    pieces = [np.arange(a, b, _LANE_ROWS) for a, b in zip(starts, ends, strict=True)]
    lanes = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.intp)
    pieces_of = None
    if lanes.size != starts.size:  # a length has more rows than a lane holds
        pieces_of = np.cumsum([0, *(len(x) for x in pieces[:-1])])
    return _Segments(perm, first, key[starts].tolist(), starts, lanes, pieces_of)


def _segment_counts(mask: np.ndarray, seg: _Segments) -> np.ndarray:
    """Column counts of ``mask`` (rows from ``seg.first``) over each length's rows, (S, W8).

    ``mask`` has rows of a multiple of 8 bytes (C-contiguous): they are summed as uint64
    words, each byte of a word counting one column, over pieces of at most
    :data:`_LANE_ROWS` rows (so no byte carries into the next), by one ``np.add.reduceat``;
    then the pieces of each length are added. Exact integer counts.
    """
    words = mask[seg.first :].view(np.uint64)
    lanes = np.add.reduceat(words, seg.pieces, axis=0).view(np.uint8)
    if seg.pieces_of is None:
        return lanes.astype(np.int64)
    return np.add.reduceat(lanes, seg.pieces_of, axis=0, dtype=np.int64)


#: Rows summed per uint64 word in :func:`_segment_counts` (a byte counts up to 255).
_LANE_ROWS = 255


def _grow(a: np.ndarray, extra: int, axis: int) -> np.ndarray:
    """``a`` with ``extra`` rows of zeros appended along ``axis``."""
    shape = list(a.shape)
    shape[axis] = extra
    return np.concatenate([a, np.zeros(shape, dtype=a.dtype)], axis=axis)


class _GrankGroup:
    r"""The GRANK pass's sums for the targets sharing one ``ok`` mask (usually all targets).

    Per estimation length :math:`n_{0,i}` (one row of each array per length, in ``index``;
    weight :math:`w = 1/(n_{0,i} + 2)`), sums over the events used, added block by block:
    ``fin`` the finite GSARs per day, ``k0`` the ranks :math:`\sum_i k_{0,it}` (integers and
    halves: exact), and per target (columns ``cols`` of the pass's values) ``le`` the counts
    :math:`\#\{i: g_{it} \le v_i\}` and ``eq`` the counts :math:`\#\{i: g_{it} = v_i\}`
    (added where a value ties a GSAR). All exact, so the blocks change no number.
    """

    def __init__(self, ok: np.ndarray, cols: list[int], width: int) -> None:
        self.ok, self.cols, self.width = ok, cols, width
        w8 = -(-width // 8) * 8
        self.index: dict[int, int] = {}
        self.fin = np.zeros((0, w8), dtype=np.int64)
        self.k0 = np.zeros((0, width))
        self.le = np.zeros((len(cols), 0, w8), dtype=np.int64)
        self.eq = np.zeros((len(cols), 0, w8), dtype=np.int64)
        self.ties = np.zeros(len(cols), dtype=bool)

    def _rows(self, levels: list[int]) -> np.ndarray:
        """The sums' rows of ``levels``, adding zero rows for lengths not seen before."""
        new = [lv for lv in levels if lv not in self.index]
        if new:
            self.index.update(
                zip(new, range(len(self.index), len(self.index) + len(new)), strict=True)
            )
            self.fin, self.k0 = _grow(self.fin, len(new), 0), _grow(self.k0, len(new), 0)
            self.le, self.eq = _grow(self.le, len(new), 1), _grow(self.eq, len(new), 1)
        return np.array([self.index[lv] for lv in levels], dtype=np.intp)

    def add(self, block: _GsarBlock, mask: np.ndarray) -> None:
        r"""Add a block's counts and rank sums (``mask``: a bool buffer as ``block.pos``).

        The block's rows are grouped by estimation length (:func:`_segments`), so that one
        ``np.add.reduceat`` sums each length's rows. :math:`g_{it} \le v_i` exactly where the
        cell's sorted position is below :math:`q_i`, and :math:`g_{it} = v_i` where it lies
        in :math:`[p_i, q_i)`: the comparisons run on the small integer positions.
        """
        seg = _segments(np.where(self.ok[block.rows], block.n0, -1))
        if not seg.levels:
            return
        fin, k0, pos = block.fin, block.k0, block.pos
        p, q = block.p[:, self.cols], block.q[:, self.cols]
        if seg.perm is not None:
            fin, k0, pos, p, q = (a[seg.perm] for a in (fin, k0, pos, p, q))
        rows = self._rows(seg.levels)
        self.fin[rows] += _segment_counts(fin, seg)
        self.k0[rows] += np.add.reduceat(k0[seg.first :], seg.starts, axis=0)
        ties = (p != q).any(axis=0)
        self.ties |= ties
        mask = mask[: pos.shape[0]]
        for j in range(len(self.cols)):
            le = _below(pos, q[:, j], mask, seg)
            self.le[j, rows] += le
            if ties[j]:  # rare: a value equals a GSAR
                self.eq[j, rows] += le - _below(pos, p[:, j], mask, seg)

    def counts(self, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        r"""Target ``j``'s weighted sums per day: :math:`\sum_i w_i k_{0,it}`, above, equal.

        Above: :math:`\sum_i w_i 1[v_i < g_{it}]`, the finite cells less those not above;
        equal: :math:`\sum_i w_i 1[v_i = g_{it}]`, None when no value ties a GSAR. Each is
        :func:`_level_sum` of the exact counts, in ascending order of the weights.
        """
        levels = sorted(self.index, reverse=True)  # ascending weights 1/(n0 + 2)
        rows = np.array([self.index[lv] for lv in levels], dtype=np.intp)
        weights = np.array([1.0 / float(lv + 2) for lv in levels])
        width = self.width
        wk0 = _level_sum(self.k0[rows], weights)
        above = _level_sum(self.fin[rows, :width] - self.le[j, rows, :width], weights)
        if not self.ties[j]:
            return wk0, above, None
        return wk0, above, _level_sum(self.eq[j, rows, :width], weights)

    def n_t(self) -> np.ndarray:
        """Finite GSARs per day among the events used."""
        return self.fin[:, : self.width].sum(axis=0)


def _below(pos: np.ndarray, bound: np.ndarray, mask: np.ndarray, seg: _Segments) -> np.ndarray:
    """:func:`_segment_counts` of ``pos < bound[:, None]`` (written into ``mask``)."""
    np.less(pos, bound.astype(pos.dtype)[:, None], out=mask)
    return _segment_counts(mask, seg)


def _level_sum(counts: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """``sum_l levels[l] * counts[l]``, accumulated in the order of ``levels``."""
    out = np.zeros(counts.shape[1])
    for value, c in zip(levels, counts, strict=True):
        out += value * c
    return out


def _mask_groups(inputs: list[_GrankInput], width: int) -> list[_GrankGroup]:
    """The targets grouped by their ``ok`` masks (columns: their positions in ``inputs``)."""
    cols: dict[bytes, list[int]] = {}
    for j, x in enumerate(inputs):
        cols.setdefault(np.packbits(x.ok).tobytes(), []).append(j)
    return [_GrankGroup(inputs[js[0]].ok, js, width) for js in cols.values()]


def _grank_counts(prep: PreparedPanel, opts: Opts, inputs: list[_GrankInput]) -> list[_GrankCounts]:
    r"""Every target's :class:`_GrankCounts`, from ONE blocked pass over the events.

    Each block of events (:class:`_GrankBuffers`) gets its GSARs, their sort, ranks,
    positions and the search counts of every target's SCAR* (:func:`_gsar_block`), which
    are added to the sums of each group of targets sharing events (:class:`_GrankGroup`)
    while in cache; no events x days array outlives its block. Per event:
    :math:`n_{0,i}`, :math:`\#\{t: g_{it} > v_i\} = n_{0,i} - q_i` and
    :math:`\#\{t: g_{it} = v_i\} = q_i - p_i`.
    """
    est = prep.panel.est_ar
    s, combined = sigma_used(prep, opts), _combined_order(prep)
    n, width = est.shape
    buf, groups = _GrankBuffers(n, width), _mask_groups(inputs, width)
    n0 = np.empty(n, dtype=np.int64)
    n_gt = np.empty((n, len(inputs)), dtype=np.int32)
    n_eq = np.empty((n, len(inputs)), dtype=np.int32)
    for rows in buf.blocks(n):
        values = np.column_stack([x.v[rows] for x in inputs])
        block = _gsar_block(est, s, rows, combined, values, buf)
        n0[rows] = block.n0
        n_gt[rows] = block.n0[:, None] - block.q
        n_eq[rows] = block.q - block.p
        for group in groups:
            group.add(block, buf.mask)
    out: list[_GrankCounts | None] = [None] * len(inputs)
    for group in groups:
        n_t = group.n_t()
        for jj, j in enumerate(group.cols):
            wk0, above, eq = group.counts(jj)
            out[j] = _GrankCounts(wk0, above, eq, n_t, n0, n_gt[:, j], n_eq[:, j])
    return [x for x in out if x is not None]


def _grank_batch(
    prep: PreparedPanel, targets: Sequence[Target], alt: Alternative, opts: Opts
) -> list[TestResult]:
    """GRANK of every target: the comparisons of SCAR* with the GSARs in one blocked pass."""
    staged = [_grank_input(prep, t, alt, opts) for t in targets]
    todo = [x for x in staged if isinstance(x, _GrankInput)]
    if not todo:
        return [x for x in staged if isinstance(x, TestResult)]
    counts = iter(_grank_counts(prep, opts, todo))
    return [x if isinstance(x, TestResult) else _grank_result(x, next(counts), alt) for x in staged]


def _grank_result(x: _GrankInput, counts: _GrankCounts, alt: Alternative) -> TestResult:
    r"""GRANK t of one target from its sums (Kolari & Pynnonen 2011, eq. 14).

    Ranks over the T_i = n0_i + 1 points (estimation GSARs and the cumulative SCAR*) follow
    from the estimation-only ranks k0: inserting v shifts a point's average rank by 1 if
    v < it and by 1/2 if v equals it (exactly the ranks of scipy.stats.rankdata on the
    combined row). Day t's mean scaled rank
    :math:`\bar U_t = \sum_i [w_i (k_{0,it} + 1[v_i < g_{it}] + \tfrac12 1[v_i = g_{it}])
    - \tfrac12] / n_t` over the events with a finite GSAR that day, the cumulative point's
    :math:`\bar U_0` the mean of :math:`k_{v,i}/(T_i + 1) - 1/2`, and
    :math:`Z = \bar U_0 / S_{\bar U}`.
    """
    wk0, above_cols, eq_cols, n_t, n0, n_gt, n_eq = counts
    ok, n, null, est = x.ok, x.n, x.null, x.est
    sum_u = wk0 + above_cols - 0.5 * n_t
    if eq_cols is not None:
        sum_u = sum_u + 0.5 * eq_cols
    denom = (n0 + 2).astype(float)  # T_i + 1
    k_v = (n0 - n_gt - n_eq) + (n_eq + 2) / 2.0
    u_v = k_v[ok] / denom[ok] - 0.5
    used = n_t > 0
    u_bar = sum_u[used] / n_t[used]
    u_bar0 = float(u_v.sum() / n)
    t_points = int(used.sum()) + 1
    ss = float(np.sum((n_t[used] / n) * u_bar**2)) + u_bar0**2
    s_u = math.sqrt(ss / t_points)
    if not s_u > 0:
        return nan_result("grank", n, null, alt, "zero rank variance", est, "t")
    z = float(u_bar0 / s_u)
    stat = grank_t(z, t_points)
    if not math.isfinite(stat):
        return nan_result("grank", n, null, alt, f"T-1-Z^2 <= 0 (Z={z:.4g})", est, "t")
    return t_result("grank", stat, t_points - 2, n, null, alt, est)


def _grank(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    return _grank_batch(prep, [target], alt, opts)[0]


# --------------------------------------------------------------------------------------------
# Wilcoxon signed rank
# --------------------------------------------------------------------------------------------


def signrank_pmf(n: int) -> np.ndarray:
    """Exact null distribution of the Wilcoxon signed-rank sum W+ for n untied non-zero values.

    Returns ``p`` with ``p[w] = P(W+ = w)``, w = 0..n(n+1)/2.
    """
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for r in range(1, n + 1):
        counts[r:] = counts[r:] + counts[:-r].copy()
    return counts / 2.0**n


def signed_rank_sum(x: np.ndarray) -> tuple[float, np.ndarray]:
    """Wilcoxon's W+ of non-zero ``x`` and the sizes of the tied groups of ``|x|``.

    W+ is the sum, over positive x, of the average ranks of ``|x|`` (1 = smallest; a tied run
    at sorted positions a..b gets (a + b) / 2 + 1, as ``scipy.stats.rankdata``). One sort of
    ``|x|``; the ranks are integers or halves, so their sum is exact in any order (the same
    number as ``rankdata(|x|)[x > 0].sum()``). The group sizes are those of
    ``np.unique(ranks, return_counts=True)`` (in ascending order of ``|x|``).
    """
    a = np.abs(np.asarray(x, dtype=float))
    order = np.argsort(a)
    sa = a[order]
    starts = np.flatnonzero(np.concatenate(([True], sa[1:] != sa[:-1])))
    counts = np.diff(np.append(starts, a.size))
    ranks = np.repeat(starts + (counts - 1) / 2.0 + 1.0, counts)
    return float(ranks[x[order] > 0].sum()), counts


def _wilcoxon(prep: PreparedPanel, target: Target, alt: Alternative, opts: Opts) -> TestResult:
    x = window_car(prep, target)
    x = x[np.isfinite(x)]
    nobs = x.size
    x = x[x != 0]
    n = x.size
    null, est = null_median(target), default_estimate(prep, target)
    if n < 1:
        return nan_result("wilcoxon", nobs, null, alt, "no non-zero abnormal returns", est)
    w, tie_counts = signed_rank_sum(x)
    if opts["na_sums"] == "estudy2":
        w = w * prep.n_events / n
    mean = n * (n + 1) / 4.0
    var = n * (n + 1) * (2 * n + 1) / 24.0 - float((tie_counts**3 - tie_counts).sum()) / 48.0
    z = (w - mean) / math.sqrt(var) if var > 0 else math.nan
    ties = bool((tie_counts > 1).any())
    if opts["wilcoxon_stat"] == "W":
        if not ties and float(w).is_integer():
            pmf = signrank_pmf(n)
            wi = int(w)
            upper, lower = float(pmf[wi:].sum()), float(pmf[: wi + 1].sum())
            p = {"greater": upper, "less": lower}.get(alt, min(1.0, 2 * min(upper, lower)))
            return TestResult("wilcoxon", w, p, f"signrank({n})", None, nobs, null, alt, None, est)
        p = pvalue(z, None, alt)
        return TestResult("wilcoxon", w, p, "N(0,1) approx.", None, nobs, null, alt, None, est)
    if not math.isfinite(z):
        return nan_result("wilcoxon", nobs, null, alt, "zero variance", est)
    return normal_result("wilcoxon", z, nobs, null, alt, est)


# --------------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------------


def sign(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Sign test: as many positive as non-positive abnormal returns.

    {sig}

    Notes
    -----
    .. math:: Z = \frac{N^+ - N/2}{\sqrt{N/4}},

    :math:`N^+` = events with AR (CAR) > 0 (a zero counts as non-positive, as in estudy2).
    ``stat`` is Z (estudy2's statistic). The p-value (``sign_pvalue``):

    * ``"exact"`` (default) -- from :math:`N^+ \sim` Binomial(N, 1/2)
      (:func:`binomial_sign_pvalue`, = ``scipy.stats.binomtest``); ``dist`` says
      ``binomial(N, 1/2)``. The test is discrete: at N = 50 its two-sided size at 5 % is
      3.3 % (it rejects for :math:`N^+ \le 17` or :math:`\ge 33`).
    * ``"normal"`` -- Z referred to N(0,1) without continuity correction (estudy2; the
      ``"estudy2"`` convention). It over-rejects: at N = 50 its exact size is 6.49 %
      (:math:`N^+ \le 18` or :math:`\ge 32`).

    Brown & Warner (1980); Cowan (1992). Changed default (issue 19): the p-value was the
    normal one; ``stat`` is unchanged.
    """
    return run("sign", _sign, panel, day_or_window, alternative, convention, options)


def gen_sign(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Cowan (1992) generalized sign test.

    {sig}

    Notes
    -----
    .. math::
        \hat p = \frac1N\sum_i \frac{1}{L_{1,i}}\sum_{t\in est} 1[AR_{it}>0], \qquad
        Z = \frac{w - N\hat p}{\sqrt{N\hat p(1-\hat p)}} \sim N(0,1),

    w = events with positive AR (CAR). ``gsign_phat="pooled"`` uses the share of positive
    residuals over all estimation observations pooled (estudy2, eventstudy2); the two agree
    when every event has the same number of estimation days. Cowan, A. R. (1992), *Review of
    Quantitative Finance and Accounting* 2, 343-358.
    """
    return run("gen_sign", _gen_sign, panel, day_or_window, alternative, convention, options)


def cz_sign(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Corrado-Zivney (1992) sign test (estudy2's ``csign``).

    {sig}

    Notes
    -----
    :math:`G_{it} = \operatorname{sign}(AR_{it} - \operatorname{median}_i)`, median over event
    i's combined estimation + event series;

    .. math::
        \bar G_t = \frac{1}{\sqrt{N_t}}\sum_i G_{it},\quad
        S_G = \sqrt{\frac1T\sum_t \bar G_t^2},\quad
        Z = \frac{\sum_{\tau\in W}\bar G_\tau}{\sqrt L\, S_G} \sim N(0,1)

    over the T days of the combined series. Corrado, C. J., & Zivney, T. L. (1992), *J.
    Financial and Quantitative Analysis* 27(3), 465-478.
    """
    return run("cz_sign", _cz_sign, panel, day_or_window, alternative, convention, options)


def corrado_rank(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Corrado (1989) rank test; for a window, Cowan's (1992) multi-day version.

    {sig}

    Notes
    -----
    :math:`K_{it}` = rank of :math:`AR_{it}` in event i's combined series of :math:`M_i`
    non-missing days;

    .. math::
        \bar K_t = \frac{1}{N_t}\sum_i \Bigl(K_{it} - \frac{M_i+1}{2}\Bigr),\quad
        S(K) = \sqrt{\frac1T\sum_t \bar K_t^2},\quad
        T_{CR} = \frac{\sum_{\tau\in W}\bar K_\tau}{\sqrt L\, S(K)} \sim N(0,1).

    Options: ``rank_sd_divisor="mean_obs"`` divides by the mean :math:`M_i` instead of the
    number of days T; ``na_sums="estudy2"``; ``car_rank="estudy2"`` (windows: estudy2's
    ``car_rank_test``, ranks over estimation + CAR window centred on the mean of the events'
    average ranks). Corrado, C. J. (1989), *J. Financial Economics* 23(2), 385-395; Cowan
    (1992).
    """
    return run(
        "corrado_rank", _corrado_rank, panel, day_or_window, alternative, convention, options
    )


def cz_rank(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Corrado-Zivney (1992) modified rank test (estudy2's ``mrank``).

    {sig}

    Notes
    -----
    .. math::
        U_{it} = \frac{K_{it}}{1+M_i},\quad
        \bar U_t = \frac{1}{\sqrt{N_t}}\sum_i (U_{it}-\tfrac12),\quad
        S_U = \sqrt{\frac1T\sum_t \bar U_t^2},\quad
        Z = \frac{\sum_{\tau\in W}\bar U_\tau}{\sqrt L\, S_U} \sim N(0,1).

    Corrado, C. J., & Zivney, T. L. (1992); Campbell, C. J., & Wasley, C. E. (1993), *Review
    of Quantitative Finance and Accounting* 3, 73-86.
    """
    return run("cz_rank", _cz_rank, panel, day_or_window, alternative, convention, options)


def grank(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Kolari-Pynnonen (2011) generalized rank test (GRANK-T).

    {sig}

    Notes
    -----
    The window is collapsed into one "day": :math:`SCAR_i` (see :func:`patell`), re-scaled
    cross-sectionally to :math:`SCAR^*_i = SCAR_i / s_{SCAR}`. With
    :math:`GSAR_{it} = AR_{it}/s_i` on estimation days and :math:`SCAR^*_i` on the
    cumulative day, :math:`U_{it} = K_{it}/(T_i+1) - \tfrac12` (ranks over the
    :math:`T_i` non-missing points),

    .. math::
        Z = \frac{\bar U_0}{S_{\bar U}},\quad
        S_{\bar U}^2 = \frac1T\sum_{t} \frac{N_t}{N}\bar U_t^2,\quad
        t_{grank} = Z\sqrt{\frac{T-2}{T-1-Z^2}} \sim t(T-2),

    T = number of time points (estimation days + 1). Kolari, J. W., & Pynnonen, S. (2011),
    Nonparametric rank tests for event studies, *J. Empirical Finance* 18(5), 953-971; the
    CAR version is checked against their formulas in ``tests/test_stats.py``.

    Heavy tails: the cumulative point is a sum of L standardized ARs, closer to normal than the
    daily estimation GSARs it is ranked among, so its rank is not quite uniform. In
    ``benchmarks/size_power.py`` (50 firms, 5,000 replications) GRANK on CAR(-1, +1) rejects
    6.4 % of true nulls at 5 % with t(4) errors against 5.7 % with Gaussian errors (day 0:
    5.2 % and 5.3 %), and 8.1 % on one heavy-tailed asset (gold, 40 events). For multi-day
    windows of heavy-tailed returns prefer the Corrado-Zivney rank test, BMP or the wild
    bootstrap.
    """
    return run("grank", _grank, panel, day_or_window, alternative, convention, options)


def wilcoxon(
    panel: PanelLike,
    day_or_window: DayOrWindow,
    *,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> TestResult:
    r"""Wilcoxon signed rank test of the cross-section of AR (CAR).

    {sig}

    Notes
    -----
    W = sum of the ranks of :math:`|x_i|` over :math:`x_i > 0` (zeros dropped, n non-zero),

    .. math::
        E[W] = \frac{n(n+1)}{4},\quad
        Var[W] = \frac{n(n+1)(2n+1)}{24} - \frac{\sum_g (t_g^3-t_g)}{48},\quad
        z = \frac{W - E[W]}{\sqrt{Var[W]}} \sim N(0,1)

    (:math:`t_g` sizes of tied groups). ``wilcoxon_stat="W"`` reports W itself with exact
    signed-rank p-values (estudy2's ``wlcx``; normal approximation when ties). Wilcoxon, F.
    (1945), *Biometrics Bulletin* 1(6), 80-83.
    """
    return run("wilcoxon", _wilcoxon, panel, day_or_window, alternative, convention, options)


fill_signature_doc(sign, gen_sign, cz_sign, corrado_rank, cz_rank, grank, wilcoxon)

INNER: dict[str, InnerTest] = {
    "corrado_rank": _corrado_rank,
    "cz_rank": _cz_rank,
    "grank": _grank,
    "sign": _sign,
    "gen_sign": _gen_sign,
    "cz_sign": _cz_sign,
    "wilcoxon": _wilcoxon,
}

#: Tests with a batched implementation: ``(prep, targets, alternative, opts) -> [TestResult]``.
BATCH: dict[
    str, Callable[[PreparedPanel, Sequence[Target], Alternative, Opts], list[TestResult]]
] = {
    "grank": _grank_batch,
}
