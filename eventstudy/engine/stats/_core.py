"""Shared pieces of the test battery: the result type, options, windows and standardization.

Everything here reads an :class:`~eventstudy.engine.panel.AbnormalReturnPanel` and never writes to
it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import special as sc

from eventstudy.engine.panel import (
    AbnormalReturnPanel,
    PredictionErrorCov,
    cov_diagonal,
    window_block,
)
from eventstudy.engine.stats._prepared import PreparedPanel, as_prepared
from eventstudy.exceptions import SpecificationError

Alternative = Literal["two-sided", "greater", "less"]
ALTERNATIVES: tuple[str, ...] = ("two-sided", "greater", "less")
DayOrWindow = int | tuple[int, int]
#: Accepted spellings of each alternative (after lower-casing and ``_`` -> ``-``).
_ALTERNATIVE_SPELLINGS: dict[str, Alternative] = {
    "two-sided": "two-sided",
    "twosided": "two-sided",
    "two": "two-sided",
    "greater": "greater",
    "less": "less",
}


@dataclass(frozen=True)
class TestResult:
    """One test of one null hypothesis: statistic, p-value and what they rest on.

    Attributes
    ----------
    name : str
        Test name, one of :data:`eventstudy.engine.stats.TEST_NAMES`.
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
    "kp_estimator": ("pooled", "pairwise"),
    "weights": ("rademacher", "mammen"),
    "sign_pvalue": ("exact", "normal"),
    "skew_critical": ("bootstrap", "normal"),
}

#: Non-string options and their defaults.
# The wild bootstrap is seeded by default so that a rerun gives the same p-values; pass
# ``seed=None`` for fresh entropy or ``rng=`` for a Generator of your own.
DEFAULT_SEED = 20_260_101
OTHER_OPTIONS: dict[str, Any] = {"n_boot": 999, "seed": DEFAULT_SEED, "rng": None}

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
        "kp_estimator": "pairwise",
        "weights": "rademacher",
        "sign_pvalue": "normal",
        "skew_critical": "bootstrap",  # estudy2 has no skewness-adjusted t: the default
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
    alt = _ALTERNATIVE_SPELLINGS.get(str(alternative).strip().lower().replace("_", "-"))
    if alt is not None:
        return alt
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
        """True when the target is a single day (``start == end``)."""
        return self.start == self.end

    @property
    def length(self) -> int:
        """Number of event-window days covered (L)."""
        return len(self.cols)

    @property
    def label(self) -> str:
        """``"day d"`` or ``"window (start, end)"``, as the null sentences say it."""
        if self.is_day:
            return f"day {self.start}"
        return f"window ({self.start}, {self.end})"


#: A test's inner implementation: ``(prep, target, alternative, opts) -> TestResult``.
InnerTest = Callable[[PreparedPanel, Target, Alternative, Mapping[str, Any]], TestResult]


def as_target(panel: AbnormalReturnPanel | PreparedPanel, day_or_window: DayOrWindow) -> Target:
    """Resolve an event-time day ``d`` or window ``(start, end)`` against ``panel``."""
    panel = as_prepared(panel).panel
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
    """p-value of ``stat`` under N(0,1) (``df`` None) or Student t(``df``).

    Uses the functions behind ``scipy.stats.norm``/``t`` directly (``ndtr``, ``stdtr``: the
    same numbers, without the distribution objects' per-call overhead).
    """
    if not math.isfinite(stat):
        return math.nan
    if df is None:
        cdf = sc.ndtr
        args: tuple[float, ...] = ()
    else:
        cdf = sc.stdtr
        args = (df,)
    if alternative == "greater":
        return float(cdf(*args, -stat))
    if alternative == "less":
        return float(cdf(*args, stat))
    return float(min(1.0, 2.0 * cdf(*args, -abs(stat))))


def normal_result(
    name: str, stat: float, nobs: int, null: str, alternative: Alternative, estimate: float
) -> TestResult:
    """Build a result referred to N(0,1)."""
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
    """Build a result referred to Student t with ``df`` degrees of freedom (NaN if df <= 0)."""
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
    """Build the result of a test that could not be computed: NaN statistic, with the reason."""
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
# shared computations (cached on the PreparedPanel)
# --------------------------------------------------------------------------------------------

PanelLike = AbnormalReturnPanel | PreparedPanel


def window_car(panel: PanelLike, target: Target) -> np.ndarray:
    """CAR_i over the target; NaN for events with any missing day in it."""
    prep = as_prepared(panel)
    return prep.memo(
        ("car", target.start, target.end),
        lambda: prep.panel.event_ar[:, target.cols].sum(axis=1),
    )


def aar_series(panel: PanelLike) -> np.ndarray:
    """Cross-event mean abnormal return of each event-window day (NaN where nobody)."""
    prep = as_prepared(panel)
    return prep.memo(("aar",), lambda: _nanmean_rows(prep.panel.event_ar))


def event_counts(panel: PanelLike) -> np.ndarray:
    """Count the events with a finite abnormal return on each event-window day."""
    prep = as_prepared(panel)
    return prep.memo(("n_day",), lambda: np.isfinite(prep.panel.event_ar).sum(axis=0))


def estimation_aar(panel: PanelLike) -> np.ndarray:
    """Estimation-window AAR series in event time (days nobody has are dropped)."""
    prep = as_prepared(panel)

    def compute() -> np.ndarray:
        x = prep.panel.est_ar
        n = np.isfinite(x).sum(axis=0)
        s = nan_column_sum(x)
        return s[n > 0] / n[n > 0]

    return prep.memo(("est_aar",), compute)


def nan_column_sum(x: np.ndarray, has_nan: bool | None = None) -> np.ndarray:
    """``np.nansum(x, axis=0)`` of a 2-D array, without its copy of ``x`` when it has no NaN.

    ``np.nansum`` sums a C-ordered copy with NaN set to 0; a C-contiguous ``x`` without NaN
    is that copy already, so its plain column sums are the same numbers (same order of
    addition), without the N x T temporary. ``has_nan``: whether ``x`` has a NaN, when the
    caller knows (else ``x`` is scanned).
    """
    if not x.flags.c_contiguous:
        return np.nansum(x, axis=0)
    if has_nan is None:
        has_nan = bool(np.isnan(x).any())
    if not has_nan:
        return x.sum(axis=0)
    return np.nansum(x, axis=0)


class SequentialColumnSums:
    """Column sums of rows given a block at a time, as ``np.sum(stacked, axis=0)`` adds them.

    numpy sums a C-contiguous 2-D array over axis 0 row after row (``acc = r_0; acc += r_1;
    ...``). Each block is written into the rows of a buffer (:meth:`next_rows`) below the
    running total, and the buffer's rows are summed with the total as their first row
    (:meth:`add`; the first block alone): the same additions in the same order, so the same
    numbers bit for bit, without the stacked array.

    Parameters
    ----------
    rows : int
        Rows per block, at most.
    width : int
        Columns.
    """

    def __init__(self, rows: int, width: int) -> None:
        self._buffer = np.empty((rows + 1, width))  # row 0: the running total
        self._started = False

    def next_rows(self, b: int) -> np.ndarray:
        """Where to write the next block of ``b`` rows, (b, width)."""
        return self._buffer[1 : b + 1]

    def add(self, b: int) -> None:
        """Add the ``b`` rows written into :meth:`next_rows` to the running total."""
        first = 1 if not self._started else 0
        self._buffer[0] = self._buffer[first : b + 1].sum(axis=0)
        self._started = True

    def sums(self) -> np.ndarray:
        """The column sums of all rows added (zeros before any)."""
        return self._buffer[0].copy() if self._started else np.zeros(self._buffer.shape[1])


def _nanmean_rows(x: np.ndarray) -> np.ndarray:
    n = np.isfinite(x).sum(axis=0)
    s = np.nansum(x, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)


def sigma_used(panel: PanelLike, opts: Mapping[str, Any]) -> np.ndarray:
    """Residual SD s_i: textbook ``panel.sigma`` (divisor n-k) or estudy2's sd() (divisor n-1)."""
    prep = as_prepared(panel)
    if opts["patell_ddof"] != "estudy2":
        return np.asarray(prep.panel.sigma, dtype=float)

    def compute() -> np.ndarray:
        est = prep.panel.est_ar
        with np.errstate(invalid="ignore", divide="ignore"):
            n = np.isfinite(est).sum(axis=1)
            mean = np.nansum(est, axis=1) / np.maximum(n, 1)
            ss = np.nansum((est - mean[:, None]) ** 2, axis=1)
            return np.where(n > 1, np.sqrt(ss / np.maximum(n - 1, 1)), np.nan)

    return prep.memo(("sigma", "estudy2"), compute)


_Variance = tuple[np.ndarray | PredictionErrorCov | None, np.ndarray | None, str | None]


def _variance_parts(prep: PreparedPanel, opts: Mapping[str, Any]) -> _Variance:
    """(V or the panel's ``event_cov``, per-event scale or None, reason) for ``event_variance``."""
    panel = prep.panel

    def compute() -> _Variance:
        s = sigma_used(prep, opts)
        if opts["pe_variance"] == "panel":
            with np.errstate(invalid="ignore", divide="ignore"):
                scale = (s / np.asarray(panel.sigma, dtype=float)) ** 2
            return panel.event_cov, scale, None
        if panel.est_market is None or panel.event_market is None:
            why = "pe_variance='estudy2' needs benchmark returns (est_market, event_market)"
            return None, None, why
        est_m = np.asarray(panel.est_market, dtype=float)
        n_m = np.isfinite(est_m).sum(axis=1)
        mean_m = np.nansum(est_m, axis=1) / np.maximum(n_m, 1)
        ss = np.nansum((est_m - mean_m[:, None]) ** 2, axis=1)
        d = np.asarray(panel.event_market, dtype=float) - mean_m[:, None]
        l2 = d.shape[1]
        with np.errstate(invalid="ignore", divide="ignore"):
            inner = (
                1.0 / panel.n_est[:, None, None] + d[:, :, None] * d[:, None, :] / ss[:, None, None]
            )
            v = (s**2)[:, None, None] * (np.eye(l2)[None, :, :] + inner)
        miss = ~np.isfinite(panel.event_ar)
        v = np.where(miss[:, :, None] | miss[:, None, :], np.nan, v)
        return v, None, None

    return prep.memo(("variance", opts["patell_ddof"], opts["pe_variance"]), compute)


def event_variance(
    panel: PanelLike, opts: Mapping[str, Any]
) -> tuple[np.ndarray | None, str | None]:
    """Prediction-error covariance V_i of the event-window ARs, shape (N, L2, L2).

    ``pe_variance="panel"`` rescales ``panel.event_cov`` to the s_i of ``patell_ddof``;
    ``"estudy2"`` rebuilds s_i^2 [I + 1/L1_i + d d' / sum (R_mt - Rbar_m)^2] from ``est_market``
    over every estimation day with a benchmark return, d_tau = R_m,tau - Rbar_m.
    """
    v, scale, reason = _variance_parts(as_prepared(panel), opts)
    if v is None or scale is None:
        return None if v is None else np.asarray(v), reason
    return np.asarray(v) * scale[:, None, None], None


def _variance_diagonal(
    prep: PreparedPanel, opts: Mapping[str, Any], v: np.ndarray | PredictionErrorCov
) -> np.ndarray:
    """The (N, L2) diagonals of ``v`` (those of :func:`_variance_parts`), cached."""
    key = ("variance_diagonal", opts["patell_ddof"], opts["pe_variance"])
    return prep.memo(key, lambda: np.ascontiguousarray(cov_diagonal(v)))


def standardized_car(
    panel: PanelLike, target: Target, opts: Mapping[str, Any]
) -> tuple[np.ndarray, str | None]:
    """SCAR_i = CAR_i / sqrt(gamma' V_i gamma) (SAR_i for a single day); NaN where missing."""
    prep = as_prepared(panel)

    def compute() -> tuple[np.ndarray, str | None]:
        v, scale, reason = _variance_parts(prep, opts)
        if v is None:
            return np.full(prep.n_events, np.nan), reason
        if target.is_day:  # gamma' V gamma is one diagonal element
            day = _variance_diagonal(prep, opts, v)[:, int(target.cols[0])]
            var = day if scale is None else day * scale
        else:  # gamma' V gamma sums the window's block of V
            sub = window_block(v, target.cols)
            if scale is not None:
                sub = sub * scale[:, None, None]
            var = sub.sum(axis=(1, 2))
        car = window_car(prep, target)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(var > 0, car / np.sqrt(var), np.nan)
        return out, None

    key = ("scar", target.start, target.end, opts["patell_ddof"], opts["pe_variance"])
    return prep.memo(key, compute)


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


def default_estimate(panel: PanelLike, target: Target) -> float:
    """AAR of a day; CAAR (mean CAR over events with the whole window) of a window."""
    prep = as_prepared(panel)

    def compute() -> float:
        if target.is_day:
            return float(aar_series(prep)[target.cols[0]])
        car = window_car(prep, target)
        car = car[np.isfinite(car)]
        return float(car.mean()) if car.size else math.nan

    return prep.memo(("estimate", target.start, target.end), compute)


def run_target(
    name: str,
    inner: InnerTest,
    panel: PanelLike,
    target: Target,
    alternative: Alternative,
    opts: Mapping[str, Any],
) -> TestResult:
    """Run ``inner(prep, target, alternative, opts)`` with the window-level options applied."""
    prep = as_prepared(panel)
    if not target.is_day and opts["car_aggregation"] == "estudy2" and name in DAILY_SUM_TESTS:
        res = _daily_sum(name, inner, prep, target, alternative, opts)
    else:
        res = inner(prep, target, alternative, opts)
    return with_car_mean(prep, target, res, opts)


def with_car_mean(
    prep: PreparedPanel, target: Target, res: TestResult, opts: Mapping[str, Any]
) -> TestResult:
    """``res`` with ``estimate`` = mean daily AAR for a window under ``car_mean="estudy2"``."""
    if target.is_day or opts["car_mean"] != "estudy2":
        return res
    aar = aar_series(prep)[target.cols]
    share = 100.0 * (event_counts(prep)[target.cols] / prep.n_events)
    keep = share > ESTUDY2_MIN_PERCENTAGE
    est = float(np.nanmean(aar[keep])) if keep.any() else math.nan
    return TestResult(
        res.name, res.stat, res.pvalue, res.dist, res.df, res.nobs, res.null,
        res.alternative, res.reason, est,
    )  # fmt: skip


def _daily_sum(
    name: str,
    inner: InnerTest,
    prep: PreparedPanel,
    target: Target,
    alternative: Alternative,
    opts: Mapping[str, Any],
) -> TestResult:
    panel = prep.panel
    share = 100.0 * (event_counts(prep)[target.cols] / prep.n_events)
    null = null_mean(target)
    stats_, nobs = [], []
    for col, pct in zip(target.cols, share, strict=True):
        if not pct > ESTUDY2_MIN_PERCENTAGE:
            continue
        day = int(panel.event_rel_days[col])
        r = inner(prep, Target(day, day, np.array([col])), alternative, opts)
        stats_.append(r.stat)
        nobs.append(r.nobs)
    est = default_estimate(prep, target)
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
    inner: InnerTest,
    panel: PanelLike,
    day_or_window: DayOrWindow,
    alternative: str,
    convention: str,
    options: Mapping[str, Any],
) -> TestResult:
    """Validate the arguments of a public test function and run it."""
    opts = resolve_options(convention, **options)
    alt = check_alternative(alternative)
    prep = as_prepared(panel)
    target = as_target(prep, day_or_window)
    return run_target(name, inner, prep, target, alt, opts)


# The parameter section shared by the public one-test functions; each module fills ``{sig}``.
SIGNATURE_DOC = """
    Parameters
    ----------
    panel : AbnormalReturnPanel or PreparedPanel
    day_or_window : int or tuple of int
        Event-time day ``d`` (tests the AAR of that day) or closed window ``(start, end)``
        (tests the CAAR).
    alternative : {"two-sided", "greater", "less"}
    convention : {"textbook", "estudy2"}
        Option bundle; see :func:`eventstudy.engine.stats.aar_tests`.
    **options
        Individual options overriding the bundle; see :func:`eventstudy.engine.stats.aar_tests`.

    Returns
    -------
    TestResult
"""


def fill_signature_doc(*functions: Callable[..., TestResult]) -> None:
    """Put :data:`SIGNATURE_DOC` where each function's docstring says ``{sig}``.

    ``{sig}`` stands on its own line followed by a blank line, so the filled docstring has
    the parameter section, a blank line, then the next section. Functions without a docstring
    (``python -OO``) are left alone.
    """
    for func in functions:
        if func.__doc__ is not None:
            func.__doc__ = func.__doc__.replace("{sig}", SIGNATURE_DOC.strip("\n").lstrip())
