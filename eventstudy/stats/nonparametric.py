"""Sign and rank tests across events.

Same signature as :mod:`eventstudy.stats.parametric`. Rank and Corrado-Zivney sign tests rank
each event's abnormal returns over its combined series: the estimation window followed by the
whole event window (Corrado 1989), missing days left out of the ranking; a day's statistic
uses the events observed that day, the standard deviation uses every day of the combined
series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy import stats as sps

from ..panel import AbnormalReturnPanel
from ._core import (
    ESTUDY2_MIN_PERCENTAGE,
    Alternative,
    DayOrWindow,
    Target,
    TestResult,
    default_estimate,
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

__all__ = [
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


def _row_ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks of each row's finite values (1 = smallest); NaN stays NaN."""
    return sps.rankdata(x, axis=1, method="average", nan_policy="omit")


# --------------------------------------------------------------------------------------------
# sign tests
# --------------------------------------------------------------------------------------------


def _sign(panel: AbnormalReturnPanel, target: Target, alt: Alternative, opts: Opts):
    x = window_car(panel, target)
    x = x[np.isfinite(x)]
    n = x.size
    null, est = null_median(target), default_estimate(panel, target)
    if n < 1:
        return nan_result("sign", n, null, alt, "no events", est)
    pos = float((x > 0).sum())
    if opts["na_sums"] == "estudy2":
        pos = pos * panel.n_events / n
    return normal_result("sign", (pos - 0.5 * n) / math.sqrt(0.25 * n), n, null, alt, est)


def _p_hat(panel: AbnormalReturnPanel, opts: Opts) -> float:
    e = panel.est_ar
    ok = np.isfinite(e)
    pos = (e > 0) & ok
    if opts["gsign_phat"] == "pooled":
        return float(pos.sum() / max(ok.sum(), 1))
    per = pos.sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
    return float(per[ok.sum(axis=1) > 0].mean())


def _gen_sign(panel: AbnormalReturnPanel, target: Target, alt: Alternative, opts: Opts):
    x = window_car(panel, target)
    x = x[np.isfinite(x)]
    n = x.size
    null, est = null_median(target), default_estimate(panel, target)
    p = _p_hat(panel, opts)
    if n < 1 or not 0 < p < 1:
        return nan_result("gen_sign", n, null, alt, f"no events or p_hat={p:.3g}", est)
    w = float((x > 0).sum())
    if opts["na_sums"] == "estudy2":
        w = w * panel.n_events / n
    return normal_result("gen_sign", (w - n * p) / math.sqrt(n * p * (1 - p)), n, null, alt, est)


# --------------------------------------------------------------------------------------------
# rank-type tests on the combined estimation + event series
# --------------------------------------------------------------------------------------------


def _combined(panel: AbnormalReturnPanel, event_cols: np.ndarray | None = None) -> np.ndarray:
    ev = panel.event_ar if event_cols is None else panel.event_ar[:, event_cols]
    return np.hstack([panel.est_ar, ev])


def _scores(kind: str, full: np.ndarray) -> np.ndarray:
    m = np.isfinite(full).sum(axis=1).astype(float)
    if kind == "cz_sign":
        med = np.nanmedian(full, axis=1)
        return np.sign(full - med[:, None])
    k = _row_ranks(full)
    if kind == "corrado_rank":
        return k - ((m + 1) / 2)[:, None]
    return k / (m + 1)[:, None] - 0.5  # cz_rank


def _daily_aggregate(kind: str, scores: np.ndarray, n_all: int, na_sums: str) -> np.ndarray:
    """Cross-event aggregate of each day: mean (Corrado) or sum/sqrt(N_t) (Corrado-Zivney)."""
    n_t = np.isfinite(scores).sum(axis=0).astype(float)
    total = np.nansum(scores, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if na_sums == "estudy2":
            total = total * n_all / n_t  # estudy2: rowMeans(x, na.rm = TRUE) * ncol(x)
        agg = total / n_t if kind == "corrado_rank" else total / np.sqrt(n_t)
    return np.where(n_t > 0, agg, np.nan)


def _rank_like(kind: str, panel: AbnormalReturnPanel, target: Target, alt: Alternative, opts):
    null, est = null_median(target), default_estimate(panel, target)
    if kind == "corrado_rank" and not target.is_day and opts["car_rank"] == "estudy2":
        return _car_rank_estudy2(panel, target, alt, opts)
    full = _combined(panel)
    sc = _scores(kind, full)
    agg = _daily_aggregate(kind, sc, panel.n_events, opts["na_sums"])
    le = panel.est_ar.shape[1]
    cols = le + target.cols
    nobs = int((np.isfinite(full[:, cols]).any(axis=1)).sum())
    days = np.isfinite(agg)
    if opts["rank_sd_divisor"] == "mean_obs":
        m = np.isfinite(full).sum(axis=1)
        divisor = float(m[m > 0].mean())
    else:
        divisor = float(days.sum())
    s = math.sqrt(float(np.sum(agg[days] ** 2)) / divisor) if divisor > 0 else math.nan
    if not s > 0 or nobs < 1:
        return nan_result(kind, nobs, null, alt, "no events or zero rank variance", est)
    stat = float(np.nansum(agg[cols]) / (math.sqrt(target.length) * s))
    return normal_result(kind, stat, nobs, null, alt, est)


def _car_rank_estudy2(panel: AbnormalReturnPanel, target: Target, alt: Alternative, opts):
    """estudy2's ``car_rank_test``: ranks over estimation + CAR window, pooled centring."""
    null, est = null_median(target), default_estimate(panel, target)
    full = _combined(panel, target.cols)
    k = _row_ranks(full)
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


def _corrado_rank(panel, target, alt, opts):
    return _rank_like("corrado_rank", panel, target, alt, opts)


def _cz_rank(panel, target, alt, opts):
    return _rank_like("cz_rank", panel, target, alt, opts)


def _cz_sign(panel, target, alt, opts):
    return _rank_like("cz_sign", panel, target, alt, opts)


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


def _grank(panel: AbnormalReturnPanel, target: Target, alt: Alternative, opts: Opts):
    null, est = null_median(target), default_estimate(panel, target)
    scar, reason = standardized_car(panel, target, opts)
    s = sigma_used(panel, opts)
    ok = np.isfinite(scar) & np.isfinite(s) & (s > 0)
    n = int(ok.sum())
    if reason:
        return nan_result("grank", n, null, alt, reason, est, dist="t")
    if n < 2:
        return nan_result("grank", n, null, alt, f"needs at least 2 events, has {n}", est, "t")
    s_scar = float(np.std(scar[ok], ddof=1))
    if not s_scar > 0:
        return nan_result("grank", n, null, alt, "zero cross-sectional SCAR variance", est, "t")
    gsar = np.hstack([panel.est_ar[ok] / s[ok, None], (scar[ok] / s_scar)[:, None]])
    k = _row_ranks(gsar)
    t_i = np.isfinite(gsar).sum(axis=1)
    u = k / (t_i + 1)[:, None] - 0.5
    n_t = np.isfinite(u).sum(axis=0)
    used = n_t > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        u_bar = np.nansum(u, axis=0) / n_t
    t_points = int(used.sum())
    s_u = math.sqrt(float(np.sum((n_t[used] / n) * u_bar[used] ** 2)) / t_points)
    if not s_u > 0:
        return nan_result("grank", n, null, alt, "zero rank variance", est, "t")
    z = float(u_bar[-1] / s_u)
    stat = grank_t(z, t_points)
    if not math.isfinite(stat):
        return nan_result("grank", n, null, alt, f"T-1-Z^2 <= 0 (Z={z:.4g})", est, "t")
    return t_result("grank", stat, t_points - 2, n, null, alt, est)


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


def _wilcoxon(panel: AbnormalReturnPanel, target: Target, alt: Alternative, opts: Opts):
    x = window_car(panel, target)
    x = x[np.isfinite(x)]
    nobs = x.size
    x = x[x != 0]
    n = x.size
    null, est = null_median(target), default_estimate(panel, target)
    if n < 1:
        return nan_result("wilcoxon", nobs, null, alt, "no non-zero abnormal returns", est)
    r = sps.rankdata(np.abs(x))
    w = float(r[x > 0].sum())
    if opts["na_sums"] == "estudy2":
        w = w * panel.n_events / n
    mean = n * (n + 1) / 4.0
    _, tie_counts = np.unique(r, return_counts=True)
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

_SIG = """
    Parameters
    ----------
    panel : AbnormalReturnPanel
    day_or_window : int or tuple of int
        Event-time day ``d`` or closed window ``(start, end)``.
    alternative : {"two-sided", "greater", "less"}
    convention : {"textbook", "estudy2"}
        Option bundle; see :func:`eventstudy.stats.aar_tests`.
    **options
        Individual options overriding the bundle; see :func:`eventstudy.stats.aar_tests`.

    Returns
    -------
    TestResult
"""


def sign(
    panel: AbnormalReturnPanel,
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
    .. math:: Z = \frac{N^+ - N/2}{\sqrt{N/4}} \sim N(0,1),

    :math:`N^+` = events with AR (CAR) > 0 (a zero counts as non-positive, as in estudy2).
    Brown & Warner (1980); Cowan (1992).
    """
    return run("sign", _sign, panel, day_or_window, alternative, convention, options)


def gen_sign(
    panel: AbnormalReturnPanel,
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
    panel: AbnormalReturnPanel,
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
    panel: AbnormalReturnPanel,
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
    panel: AbnormalReturnPanel,
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
    panel: AbnormalReturnPanel,
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
    Nonparametric rank tests for event studies, *J. Empirical Finance* 18(5), 953-971.
    """
    return run("grank", _grank, panel, day_or_window, alternative, convention, options)


def wilcoxon(
    panel: AbnormalReturnPanel,
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


for _f in (sign, gen_sign, cz_sign, corrado_rank, cz_rank, grank, wilcoxon):
    _f.__doc__ = _f.__doc__.replace("{sig}", _SIG.strip("\n").lstrip() + "\n")  # type: ignore[union-attr]

INNER = {
    "corrado_rank": _corrado_rank,
    "cz_rank": _cz_rank,
    "grank": _grank,
    "sign": _sign,
    "gen_sign": _gen_sign,
    "cz_sign": _cz_sign,
    "wilcoxon": _wilcoxon,
}
