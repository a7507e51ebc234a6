"""Shared pieces of the test battery: the result type, options, windows and standardization.

Everything here reads an :class:`~eventstudy.panel.AbnormalReturnPanel` and never writes to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import stats as sps

from ..exceptions import SpecificationError
from ..panel import AbnormalReturnPanel

Alternative = Literal["two-sided", "greater", "less"]
ALTERNATIVES: tuple[str, ...] = ("two-sided", "greater", "less")
DayOrWindow = int | tuple[int, int]

#: Minimum number of common estimation days for a pair of events to enter the
#: Kolari-Pynnonen average correlation.
KP_MIN_OVERLAP = 10


@dataclass(frozen=True)
class TestResult:
    """One test of one null hypothesis: statistic, p-value and what they rest on.

    Attributes
    ----------
    name : str
        Test name, one of :data:`eventstudy.stats.TEST_NAMES`.
    stat : float
        Test statistic (NaN when the test cannot be computed; see ``reason``).
    pvalue : float
        p-value for ``alternative`` under ``dist``.
    dist : str
        Reference distribution, e.g. ``"t(41)"``, ``"N(0,1)"``, ``"bootstrap(999)"``,
        ``"signrank(7)"``.
    df : float or None
        Degrees of freedom of a t reference distribution, else None.
    nobs : int
        Number of events used.
    null : str
        The null hypothesis as a sentence.
    alternative : {"two-sided", "greater", "less"}
    reason : str or None
        Why ``stat`` is NaN; None when the test was computed.
    estimate : float
        The abnormal return the test is about: the AAR of a day, the CAAR of a window (mean
        CAR over events with the whole window; Brown-Warner and Lamb: sum of daily AARs;
        ``car_mean="estudy2"``: mean daily AAR).
    """

    __test__ = False  # not a pytest class

    name: str
    stat: float
    pvalue: float
    dist: str
    df: float | None
    nobs: int
    null: str
    alternative: Alternative
    reason: str | None = None
    estimate: float = field(default=math.nan)

    @property
    def is_valid(self) -> bool:
        """True when the statistic could be computed."""
        return self.reason is None and math.isfinite(self.stat)

    def __str__(self) -> str:
        title = TEST_TITLES.get(self.name, self.name)
        lines = [title, f"H0: {self.null}"]
        if self.reason is not None:
            lines.append(f"Statistic: nan (not computed: {self.reason})")
        else:
            lines.append(f"Statistic: {self.stat:.4f}")
            lines.append(f"P-value: {self.pvalue:.4f} ({self.alternative})")
        lines.append(f"Distributed: {self.dist}")
        lines.append(f"Events used: {self.nobs}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"TestResult(name={self.name!r}, stat={self.stat:.6g}, pvalue={self.pvalue:.6g}, "
            f"dist={self.dist!r}, nobs={self.nobs}, alternative={self.alternative!r}"
            + (f", reason={self.reason!r})" if self.reason else ")")
        )


TEST_TITLES: dict[str, str] = {
    "csect_t": "Cross-sectional t test",
    "brown_warner_1980": "Brown-Warner (1980) t test, independence",
    "brown_warner_1985": "Brown-Warner (1985) t test, crude dependence adjustment",
    "patell": "Patell (1976) standardized abnormal return Z test",
    "bmp": "Boehmer-Musumeci-Poulsen (1991) standardized cross-sectional t test",
    "kp_patell": "Kolari-Pynnonen (2010) adjusted Patell Z test",
    "kp_bmp": "Kolari-Pynnonen (2010) adjusted BMP t test",
    "lamb": "Lamb (1995) portfolio test with prediction error",
    "corrado_rank": "Corrado (1989) rank test",
    "cz_rank": "Corrado-Zivney (1992) modified rank test",
    "grank": "Kolari-Pynnonen (2011) generalized rank (GRANK) t test",
    "sign": "Sign test",
    "gen_sign": "Cowan (1992) generalized sign test",
    "cz_sign": "Corrado-Zivney (1992) sign test",
    "wilcoxon": "Wilcoxon signed rank test",
    "skew_t": "Skewness-adjusted t test (Hall 1992; Lyon, Barber & Tsai 1999)",
    "wild_bootstrap": "Wild bootstrap cross-sectional t test",
}


# --------------------------------------------------------------------------------------------
# options
# --------------------------------------------------------------------------------------------

#: Accepted values of each string option; the first value is the textbook default.
OPTION_VALUES: dict[str, tuple[str, ...]] = {
    "patell_ddof": ("textbook", "estudy2"),
    "pe_variance": ("panel", "estudy2"),
    "na_sums": ("textbook", "estudy2"),
    "rank_sd_divisor": ("days", "mean_obs"),
    "car_rank": ("textbook", "estudy2"),
    "gsign_phat": ("per_event", "pooled"),
    "car_aggregation": ("textbook", "estudy2"),
    "car_mean": ("textbook", "estudy2"),
    "wilcoxon_stat": ("z", "W"),
    "kp_alignment": ("calendar", "event_time"),
    "weights": ("rademacher", "mammen"),
}

#: Non-string options and their defaults.
OTHER_OPTIONS: dict[str, Any] = {"n_boot": 999, "seed": None, "rng": None}

#: Named bundles of options (``convention=``); explicit options override the bundle.
CONVENTIONS: dict[str, dict[str, str]] = {
    "textbook": {name: values[0] for name, values in OPTION_VALUES.items()},
    "estudy2": {
        "patell_ddof": "estudy2",
        "pe_variance": "estudy2",
        "na_sums": "estudy2",
        "rank_sd_divisor": "mean_obs",
        "car_rank": "estudy2",
        "gsign_phat": "pooled",
        "car_aggregation": "estudy2",
        "car_mean": "estudy2",
        "wilcoxon_stat": "W",
        "kp_alignment": "event_time",
        "weights": "rademacher",
    },
}


def _norm_name(value: str) -> str:
    return str(value).strip().lower().replace("-", "_").replace(" ", "_")


def resolve_options(convention: str = "textbook", **options: Any) -> dict[str, Any]:
    """Validate ``convention`` and ``options``; return the full option dict.

    Raises
    ------
    SpecificationError
        Unknown convention, unknown option name, or a value not accepted (the message lists the
        accepted ones).
    """
    conv = _norm_name(convention)
    if conv not in CONVENTIONS:
        raise SpecificationError(
            f"convention={convention!r} is not accepted; use one of {sorted(CONVENTIONS)}"
        )
    out: dict[str, Any] = dict(CONVENTIONS[conv])
    out.update(OTHER_OPTIONS)
    for key, value in options.items():
        if key in OPTION_VALUES:
            accepted = OPTION_VALUES[key]
            norm = {_norm_name(v): v for v in accepted}
            v = norm.get(_norm_name(value)) if isinstance(value, str) else None
            if v is None:
                raise SpecificationError(
                    f"{key}={value!r} is not accepted; use one of {list(accepted)}"
                )
            out[key] = v
        elif key in OTHER_OPTIONS:
            out[key] = value
        else:
            known = sorted([*OPTION_VALUES, *OTHER_OPTIONS])
            raise SpecificationError(f"unknown option {key!r}; accepted options are {known}")
    n_boot = out["n_boot"]
    if not isinstance(n_boot, int | np.integer) or isinstance(n_boot, bool) or n_boot < 1:
        raise SpecificationError(f"n_boot={n_boot!r} is not accepted; use a positive integer")
    return out


def check_alternative(alternative: str) -> Alternative:
    """Return ``alternative`` normalised, or raise SpecificationError listing accepted ones."""
    alt = str(alternative).strip().lower().replace("_", "-")
    if alt in ("two-sided", "twosided", "two"):
        return "two-sided"
    if alt in ALTERNATIVES:
        return alt  # type: ignore[return-value]
    raise SpecificationError(
        f"alternative={alternative!r} is not accepted; use one of {list(ALTERNATIVES)}"
    )


# --------------------------------------------------------------------------------------------
# windows, p-values, results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a test is about: one event-time day or a closed window, as column positions."""

    start: int
    end: int
    cols: np.ndarray

    @property
    def is_day(self) -> bool:
        return self.start == self.end

    @property
    def length(self) -> int:
        return len(self.cols)

    @property
    def label(self) -> str:
        if self.is_day:
            return f"day {self.start}"
        return f"window ({self.start}, {self.end})"


def as_target(panel: AbnormalReturnPanel, day_or_window: DayOrWindow) -> Target:
    """Resolve an event-time day ``d`` or window ``(start, end)`` against ``panel``."""
    if isinstance(day_or_window, tuple | list):
        start, end = (int(v) for v in day_or_window)
    else:
        start = end = int(day_or_window)
    try:
        cols = panel.window_index((start, end))
    except ValueError as exc:
        raise SpecificationError(str(exc)) from exc
    if len(cols) != end - start + 1:
        raise SpecificationError(
            f"window ({start}, {end}) is not fully inside the event window "
            f"({panel.event_rel_days[0]}, {panel.event_rel_days[-1]})"
        )
    return Target(start, end, cols)


def pvalue(stat: float, df: float | None, alternative: Alternative) -> float:
    """p-value of ``stat`` under N(0,1) (``df`` None) or Student t(``df``)."""
    if not math.isfinite(stat):
        return math.nan
    if df is None:
        sf, cdf = sps.norm.sf, sps.norm.cdf
        args: tuple = ()
    else:
        sf, cdf = sps.t.sf, sps.t.cdf
        args = (df,)
    if alternative == "greater":
        return float(sf(stat, *args))
    if alternative == "less":
        return float(cdf(stat, *args))
    return float(min(1.0, 2.0 * sf(abs(stat), *args)))


def normal_result(
    name: str, stat: float, nobs: int, null: str, alternative: Alternative, estimate: float
) -> TestResult:
    """A result referred to N(0,1)."""
    return TestResult(
        name, float(stat), pvalue(stat, None, alternative), "N(0,1)", None, int(nobs),
        null, alternative, None, float(estimate),
    )  # fmt: skip


def t_result(
    name: str,
    stat: float,
    df: float,
    nobs: int,
    null: str,
    alternative: Alternative,
    estimate: float,
) -> TestResult:
    """A result referred to Student t with ``df`` degrees of freedom."""
    if not df > 0:
        return nan_result(name, nobs, null, alternative, "no degrees of freedom left", estimate)
    dist = f"t({df:g})"
    return TestResult(
        name, float(stat), pvalue(stat, df, alternative), dist, float(df), int(nobs),
        null, alternative, None, float(estimate),
    )  # fmt: skip


def nan_result(
    name: str,
    nobs: int,
    null: str,
    alternative: Alternative,
    reason: str,
    estimate: float = math.nan,
    dist: str = "N(0,1)",
    df: float | None = None,
) -> TestResult:
    """A result that could not be computed, with the reason."""
    return TestResult(
        name, math.nan, math.nan, dist, df, int(nobs), null, alternative, reason, float(estimate)
    )


def null_mean(target: Target) -> str:
    """Null sentence for tests of the mean (cumulative) abnormal return."""
    if target.is_day:
        return f"The mean abnormal return on {target.label} is zero."
    return f"The cumulative average abnormal return over {target.label} is zero."


def null_median(target: Target) -> str:
    """Null sentence for sign and rank tests."""
    what = "abnormal returns on" if target.is_day else "cumulative abnormal returns over"
    return (
        f"The {what} {target.label} are as likely to be above as below their "
        "estimation-window distribution (no abnormal performance)."
    )


# --------------------------------------------------------------------------------------------
# shared computations
# --------------------------------------------------------------------------------------------


def window_car(panel: AbnormalReturnPanel, target: Target) -> np.ndarray:
    """CAR_i over the target; NaN for events with any missing day in it."""
    return panel.event_ar[:, target.cols].sum(axis=1)


def aar_series(panel: AbnormalReturnPanel) -> np.ndarray:
    """Cross-event mean abnormal return of each event-window day (NaN where nobody)."""
    return _nanmean_rows(panel.event_ar)


def _nanmean_rows(x: np.ndarray) -> np.ndarray:
    n = np.isfinite(x).sum(axis=0)
    s = np.nansum(x, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)


def sigma_used(panel: AbnormalReturnPanel, opts: Mapping[str, Any]) -> np.ndarray:
    """Residual SD s_i: textbook ``panel.sigma`` (divisor n-k) or estudy2's sd() (divisor n-1)."""
    if opts["patell_ddof"] == "estudy2":
        with np.errstate(invalid="ignore", divide="ignore"):
            n = np.isfinite(panel.est_ar).sum(axis=1)
            mean = np.nansum(panel.est_ar, axis=1) / np.maximum(n, 1)
            ss = np.nansum((panel.est_ar - mean[:, None]) ** 2, axis=1)
            return np.where(n > 1, np.sqrt(ss / np.maximum(n - 1, 1)), np.nan)
    return np.asarray(panel.sigma, dtype=float)


def event_variance(
    panel: AbnormalReturnPanel, opts: Mapping[str, Any]
) -> tuple[np.ndarray | None, str | None]:
    """Prediction-error covariance V_i of the event-window ARs, shape (N, L2, L2).

    ``pe_variance="panel"`` rescales ``panel.event_cov`` to the s_i of ``patell_ddof``;
    ``"estudy2"`` rebuilds s_i^2 [I + 1/L1_i + d d' / sum (R_mt - Rbar_m)^2] from ``est_market``
    over every estimation day with a benchmark return, d_tau = R_m,tau - Rbar_m.
    """
    s = sigma_used(panel, opts)
    if opts["pe_variance"] == "panel":
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = (s / np.asarray(panel.sigma, dtype=float)) ** 2
        return panel.event_cov * scale[:, None, None], None
    if panel.est_market is None or panel.event_market is None:
        return None, "pe_variance='estudy2' needs benchmark returns (est_market, event_market)"
    est_m = np.asarray(panel.est_market, dtype=float)
    n_m = np.isfinite(est_m).sum(axis=1)
    mean_m = np.nansum(est_m, axis=1) / np.maximum(n_m, 1)
    ss = np.nansum((est_m - mean_m[:, None]) ** 2, axis=1)
    d = np.asarray(panel.event_market, dtype=float) - mean_m[:, None]
    l2 = d.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        inner = 1.0 / panel.n_est[:, None, None] + d[:, :, None] * d[:, None, :] / ss[:, None, None]
        v = (s**2)[:, None, None] * (np.eye(l2)[None, :, :] + inner)
    miss = ~np.isfinite(panel.event_ar)
    v = np.where(miss[:, :, None] | miss[:, None, :], np.nan, v)
    return v, None


def standardized_car(
    panel: AbnormalReturnPanel, target: Target, opts: Mapping[str, Any]
) -> tuple[np.ndarray, str | None]:
    """SCAR_i = CAR_i / sqrt(gamma' V_i gamma) (SAR_i for a single day); NaN where missing."""
    v, reason = event_variance(panel, opts)
    if v is None:
        return np.full(panel.n_events, np.nan), reason
    sub = v[:, target.cols][:, :, target.cols]
    var = sub.sum(axis=(1, 2))
    car = window_car(panel, target)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(var > 0, car / np.sqrt(var), np.nan)
    return out, None


def residual_correlation_matrix(
    panel: AbnormalReturnPanel, alignment: str = "calendar", min_overlap: int = KP_MIN_OVERLAP
) -> np.ndarray:
    """Pairwise correlations (N x N) of estimation-window residuals, NaN for thin pairs.

    ``alignment="calendar"`` pairs residuals on the same calendar date (``est_dates``);
    ``"event_time"`` pairs them on the same relative day, as eventstudy2 and sipemu do.
    """
    n, le = panel.est_ar.shape
    if alignment == "event_time":
        wide = np.asarray(panel.est_ar, dtype=float).T  # (Le, N)
    else:
        dates = np.asarray(panel.est_dates, dtype="datetime64[D]")
        ok = np.isfinite(panel.est_ar) & ~np.isnat(dates)
        uniq, inv = np.unique(dates[ok], return_inverse=True)
        wide = np.full((len(uniq), n), np.nan)
        rows = np.broadcast_to(np.arange(n)[:, None], (n, le))[ok]
        wide[inv, rows] = np.asarray(panel.est_ar, dtype=float)[ok]
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


def mean_residual_correlation(
    panel: AbnormalReturnPanel,
    alignment: Literal["calendar", "event_time"] = "calendar",
    events: np.ndarray | None = None,
    corr: np.ndarray | None = None,
) -> float:
    r"""Average off-diagonal correlation :math:`\bar r` of estimation-window residuals.

    Parameters
    ----------
    panel : AbnormalReturnPanel
    alignment : {"calendar", "event_time"}
        * ``"calendar"`` (default) -- pair residuals of two events on the same calendar date
          (``est_dates``); right for staggered events and for one asset with overlapping
          estimation windows.
        * ``"event_time"`` -- pair them on the same relative day, as eventstudy2's ``KOLARI()``
          and sipemu do; equal to ``"calendar"`` only when all events share day 0.
    events : ndarray of bool or int, optional
        Subset of events (default: all).
    corr : ndarray, optional
        A precomputed :func:`residual_correlation_matrix` of the same alignment.

    Returns
    -------
    float
        Mean of the pairwise Pearson correlations over pairs with at least
        ``KP_MIN_OVERLAP`` common days; NaN when no pair qualifies.

    References
    ----------
    Kolari, J. W., & Pynnonen, S. (2010). Event study testing with cross-sectional correlation
    of abnormal returns. *Review of Financial Studies*, 23(11), 3996-4025.
    """
    if alignment not in OPTION_VALUES["kp_alignment"]:
        raise SpecificationError(
            f"alignment={alignment!r} is not accepted; use one of "
            f"{list(OPTION_VALUES['kp_alignment'])}"
        )
    r = residual_correlation_matrix(panel, alignment) if corr is None else corr
    if events is not None:
        idx = np.arange(panel.n_events)[events]
        r = r[np.ix_(idx, idx)]
    iu = np.triu_indices(r.shape[0], 1)
    vals = r[iu]
    vals = vals[np.isfinite(vals)]
    return float(vals.mean()) if vals.size else math.nan


def kp_factor(r_bar: float, n: int) -> float:
    r"""Kolari-Pynnonen (2010) correction factor for cross-correlated abnormal returns.

    .. math:: f = \sqrt{\frac{1-\bar r}{1+(n-1)\bar r}}

    Returns NaN when :math:`1 + (n-1)\bar r \le 0` or :math:`\bar r` is NaN.
    """
    den = 1.0 + (n - 1) * r_bar
    if not (math.isfinite(r_bar) and den > 0 and r_bar <= 1):
        return math.nan
    return math.sqrt((1.0 - r_bar) / den)


# --------------------------------------------------------------------------------------------
# running one test on one target
# --------------------------------------------------------------------------------------------

#: Tests whose window statistic becomes sum(daily statistic) / sqrt(L) under
#: ``car_aggregation="estudy2"`` (estudy2's ``car_lamb``, ``car_brown_warner_1985`` pattern).
DAILY_SUM_TESTS: frozenset[str] = frozenset(
    {
        "csect_t", "brown_warner_1980", "brown_warner_1985", "patell", "bmp", "kp_patell",
        "kp_bmp", "lamb",
    }
)  # fmt: skip

#: estudy2 keeps a day in a CAR aggregation only when more than this share (%) of events has it.
ESTUDY2_MIN_PERCENTAGE = 90.0


def default_estimate(panel: AbnormalReturnPanel, target: Target) -> float:
    """AAR of a day; CAAR (mean CAR over events with the whole window) of a window."""
    if target.is_day:
        return float(aar_series(panel)[target.cols[0]])
    car = window_car(panel, target)
    car = car[np.isfinite(car)]
    return float(car.mean()) if car.size else math.nan


def run_target(
    name: str,
    inner: Any,
    panel: AbnormalReturnPanel,
    target: Target,
    alternative: Alternative,
    opts: Mapping[str, Any],
) -> TestResult:
    """Run ``inner(panel, target, alternative, opts)`` with the window-level options applied."""
    if not target.is_day and opts["car_aggregation"] == "estudy2" and name in DAILY_SUM_TESTS:
        res = _daily_sum(name, inner, panel, target, alternative, opts)
    else:
        res = inner(panel, target, alternative, opts)
    if not target.is_day and opts["car_mean"] == "estudy2":
        aar = aar_series(panel)[target.cols]
        share = 100.0 * np.isfinite(panel.event_ar[:, target.cols]).mean(axis=0)
        keep = share > ESTUDY2_MIN_PERCENTAGE
        est = float(np.nanmean(aar[keep])) if keep.any() else math.nan
        res = TestResult(
            res.name, res.stat, res.pvalue, res.dist, res.df, res.nobs, res.null,
            res.alternative, res.reason, est,
        )  # fmt: skip
    return res


def _daily_sum(
    name: str,
    inner: Any,
    panel: AbnormalReturnPanel,
    target: Target,
    alternative: Alternative,
    opts: Mapping[str, Any],
) -> TestResult:
    share = 100.0 * np.isfinite(panel.event_ar[:, target.cols]).mean(axis=0)
    null = null_mean(target)
    stats_, nobs = [], []
    for col, pct in zip(target.cols, share, strict=True):
        if not pct > ESTUDY2_MIN_PERCENTAGE:
            continue
        day = int(panel.event_rel_days[col])
        r = inner(panel, Target(day, day, np.array([col])), alternative, opts)
        stats_.append(r.stat)
        nobs.append(r.nobs)
    est = default_estimate(panel, target)
    if not stats_:
        return nan_result(
            name, 0, null, alternative,
            f"no day in the window has more than {ESTUDY2_MIN_PERCENTAGE:g}% of events", est,
        )  # fmt: skip
    vals = np.asarray(stats_, dtype=float)
    stat = float(np.nansum(vals) / math.sqrt(len(vals)))
    if not np.isfinite(vals).any():
        return nan_result(name, min(nobs), null, alternative, "no daily statistic", est)
    return normal_result(name, stat, min(nobs), null, alternative, est)


def run(
    name: str,
    inner: Any,
    panel: AbnormalReturnPanel,
    day_or_window: DayOrWindow,
    alternative: str,
    convention: str,
    options: Mapping[str, Any],
) -> TestResult:
    """Validate the arguments of a public test function and run it."""
    opts = resolve_options(convention, **options)
    alt = check_alternative(alternative)
    target = as_target(panel, day_or_window)
    return run_target(name, inner, panel, target, alt, opts)
