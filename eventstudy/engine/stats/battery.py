"""The full battery: every test on every event-window day (AAR) or on a window (CAAR)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, cast

import numpy as np
import pandas as pd

from eventstudy.engine._memory import small_pages
from eventstudy.engine._parallel import n_threads, run_all
from eventstudy.engine.panel import AbnormalReturnPanel
from eventstudy.engine.stats import nonparametric, parametric
from eventstudy.engine.stats._core import (
    Alternative,
    Target,
    TestResult,
    as_target,
    check_alternative,
    resolve_options,
    run_target,
    with_car_mean,
)
from eventstudy.engine.stats._prepared import PreparedPanel, prepare
from eventstudy.exceptions import SpecificationError

#: Accepted test names, in the order the battery reports them.
#:
#: * ``"csect_t"`` -- cross-sectional t of AR/CAR, t(N-1) (estudy2 ``t_test``).
#: * ``"brown_warner_1980"`` -- portfolio t assuming independent events (estudy2 ``bw_1980``).
#: * ``"brown_warner_1985"`` -- crude dependence adjustment, S from the estimation AAR series
#:   (estudy2 ``bw_1985``, ``car_brown_warner_1985``).
#: * ``"patell"`` -- Patell (1976) Z from prediction-error standardized ARs (estudy2 ``pt``).
#: * ``"bmp"`` -- Boehmer-Musumeci-Poulsen (1991) standardized cross-sectional t (estudy2 ``bh``).
#: * ``"kp_patell"`` -- Kolari-Pynnonen (2010) cross-correlation-adjusted Patell Z.
#: * ``"kp_bmp"`` -- Kolari-Pynnonen (2010) cross-correlation-adjusted BMP t.
#: * ``"lamb"`` -- Lamb (1995) portfolio test with prediction error (estudy2 ``lmb``,
#:   ``car_lamb``).
#: * ``"corrado_rank"`` -- Corrado (1989) rank test; Cowan (1992) for windows (estudy2
#:   ``rank``, ``car_rank_test``).
#: * ``"cz_rank"`` -- Corrado-Zivney (1992) modified rank test (estudy2 ``mrank``).
#: * ``"grank"`` -- Kolari-Pynnonen (2011) generalized rank t.
#: * ``"sign"`` -- sign test (estudy2 ``sign``).
#: * ``"gen_sign"`` -- Cowan (1992) generalized sign test (estudy2 ``gsign``).
#: * ``"cz_sign"`` -- Corrado-Zivney (1992) sign test (estudy2 ``csign``).
#: * ``"wilcoxon"`` -- Wilcoxon signed rank test (estudy2 ``wlcx``).
#: * ``"skew_t"`` -- skewness-adjusted t (Hall 1992; Lyon, Barber & Tsai 1999).
#: * ``"wild_bootstrap"`` -- wild bootstrap p-value of the cross-sectional t.
TEST_NAMES: tuple[str, ...] = (
    "csect_t",
    "brown_warner_1980",
    "brown_warner_1985",
    "patell",
    "bmp",
    "kp_patell",
    "kp_bmp",
    "lamb",
    "corrado_rank",
    "cz_rank",
    "grank",
    "sign",
    "gen_sign",
    "cz_sign",
    "wilcoxon",
    "skew_t",
    "wild_bootstrap",
)

#: Other spellings accepted for test names (estudy2's function and column names).
TEST_ALIASES: dict[str, str] = {
    "t_test": "csect_t",
    "t": "csect_t",
    "bw_1980": "brown_warner_1980",
    "bw_1985": "brown_warner_1985",
    "pt": "patell",
    "boehmer": "bmp",
    "bh": "bmp",
    "lmb": "lamb",
    "rank": "corrado_rank",
    "rank_test": "corrado_rank",
    "car_rank_test": "corrado_rank",
    "mrank": "cz_rank",
    "modified_rank_test": "cz_rank",
    "sign_test": "sign",
    "gsign": "gen_sign",
    "generalized_sign_test": "gen_sign",
    "csign": "cz_sign",
    "corrado_sign_test": "cz_sign",
    "wlcx": "wilcoxon",
    "wilcoxon_test": "wilcoxon",
    "bootstrap": "wild_bootstrap",
}

_INNER = {**parametric.INNER, **nonparametric.INNER}
_BATCH = {**parametric.BATCH, **nonparametric.BATCH}

AAR_COLUMNS = (
    "rel_day", "test", "stat", "pvalue", "dist", "df", "nobs", "alternative", "reason", "estimate",
)  # fmt: skip
CAAR_COLUMNS = (
    "window_start", "window_end", "test", "stat", "pvalue", "dist", "df", "nobs", "alternative",
    "reason", "estimate",
)  # fmt: skip


def resolve_tests(tests: str | Sequence[str] | None) -> list[str]:
    """Canonical test names for ``tests`` (None = all of :data:`TEST_NAMES`).

    Raises
    ------
    SpecificationError
        A name is not a test name or alias; the message lists the accepted names.
    """
    if tests is None:
        return list(TEST_NAMES)
    if isinstance(tests, str):
        tests = [tests]
    out = []
    bad = []
    for t in tests:
        key = str(t).strip().lower().replace("-", "_").replace(" ", "_")
        key = TEST_ALIASES.get(key, key)
        if key in TEST_NAMES:
            if key not in out:
                out.append(key)
        else:
            bad.append(t)
    if bad:
        raise SpecificationError(
            f"unknown test name(s) {bad}; accepted are {list(TEST_NAMES)} "
            f"(aliases: {sorted(TEST_ALIASES)})"
        )
    return out


def _as_windows(window: tuple[int, int] | Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """One window ``(start, end)`` or a sequence of them, as a list of tuples.

    Whether ``window`` is one window is decided at run time by its shape (``np.ndim``), which
    the annotation cannot express: hence the casts. The length of each window is checked by
    :func:`~eventstudy.engine.stats._core.as_target`.
    """
    if np.ndim(window) == 1:
        return [cast(tuple[int, int], tuple(window))]
    return [cast(tuple[int, int], tuple(w)) for w in cast(Sequence[tuple[int, int]], window)]


def _rows(results: list[tuple[tuple, TestResult]], lead: tuple[str, ...]) -> pd.DataFrame:
    records = []
    for key, r in results:
        records.append(
            (*key, r.name, r.stat, r.pvalue, r.dist, np.nan if r.df is None else r.df, r.nobs,
             r.alternative, r.reason, r.estimate)
        )  # fmt: skip
    cols = [*lead, "test", "stat", "pvalue", "dist", "df", "nobs", "alternative", "reason",
            "estimate"]  # fmt: skip
    df = pd.DataFrame.from_records(records, columns=cols)
    for c in lead:
        df[c] = df[c].astype("int64")
    df["nobs"] = df["nobs"].astype("int64")
    for c in ("stat", "pvalue", "df", "estimate"):
        df[c] = df[c].astype("float64")
    df["reason"] = df["reason"].astype(object)
    return df


#: Panels with fewer cells (events x (estimation + event days)) run the battery's tests in
#: the calling thread.
PARALLEL_MIN_CELLS = 200_000

#: Tests in the order they are started on the thread pool: the longest first (at 100,000
#: events), so that the short ones fill in at the end.
_START_ORDER: tuple[str, ...] = (
    "grank", "skew_t", "wild_bootstrap", "kp_patell", "corrado_rank", "wilcoxon", "cz_rank",
    "patell", "cz_sign", "brown_warner_1985", "lamb", "gen_sign", "csect_t",
    "brown_warner_1980", "kp_bmp", "bmp", "sign",
)  # fmt: skip


def _run_test(
    name: str, prep: PreparedPanel, targets: list[Target], alt: Alternative, opts: dict[str, Any]
) -> list[TestResult]:
    """One test over all targets (batched where it can be)."""
    if name in _BATCH:
        res = _BATCH[name](prep, targets, alt, opts)
        return [with_car_mean(prep, t, r, opts) for t, r in zip(targets, res, strict=True)]
    return [run_target(name, _INNER[name], prep, t, alt, opts) for t in targets]


def _run_all(
    names: list[str],
    prep: PreparedPanel,
    targets: list[Target],
    alt: Alternative,
    opts: dict[str, Any],
) -> list[list[TestResult]]:
    """Results ``[target][test]``: each test over all targets, tests on a thread pool.

    The tests run on :func:`~eventstudy.engine._parallel.n_threads` threads (they share
    the cache of ``prep``, and each computes the same numbers on any thread), unless the
    panel has fewer than :data:`PARALLEL_MIN_CELLS` cells (threads would cost more than they
    save). A user's Generator (``rng=``) is consumed by the tests in the order of ``names``,
    so then they run one after the other in that order.
    """
    prep.expect(names)  # e.g. the rank tests sort for cz_sign and grank only when they run
    small = prep.panel.est_ar.size + prep.panel.event_ar.size < PARALLEL_MIN_CELLS
    threads = 1 if opts.get("rng") is not None or small else n_threads()
    rank = {name: k for k, name in enumerate(_START_ORDER)}
    order = sorted(range(len(names)), key=lambda k: rank.get(names[k], len(rank)))
    if threads <= 1:
        order = list(range(len(names)))
    with small_pages():
        done = run_all(
            [partial(_run_test, names[k], prep, targets, alt, opts) for k in order], threads
        )
    by_test: list[list[TestResult]] = [[] for _ in names]
    for k, res in zip(order, done, strict=True):
        by_test[k] = res
    return [[col[k] for col in by_test] for k in range(len(targets))]


def aar_tests(
    panel: AbnormalReturnPanel | PreparedPanel,
    *,
    tests: str | Sequence[str] | None = None,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> pd.DataFrame:
    r"""Run the test battery on the AAR of every event-window day.

    Parameters
    ----------
    panel : AbnormalReturnPanel or PreparedPanel
        A :class:`~eventstudy.engine.stats.PreparedPanel`
        (:func:`~eventstudy.engine.stats.prepare`) lets
        several calls share the per-panel computations.
    tests : str or sequence of str, optional
        Test names from :data:`TEST_NAMES` (estudy2 names accepted as aliases, see
        :data:`TEST_ALIASES`); default all.
    alternative : {"two-sided", "greater", "less"}
        Two-sided by default; ``"greater"``/``"less"`` give one-sided p-values.
    convention : {"textbook", "estudy2"}
        * ``"textbook"`` -- the formulas of METHODS.md (MacKinlay 1997; Campbell, Lo &
          MacKinlay 1997 and the papers cited by each test).
        * ``"estudy2"`` -- reproduce estudy2 0.10 (Rudnytskyi): sets every option below to its
          ``"estudy2"`` value (``rank_sd_divisor="mean_obs"``, ``gsign_phat="pooled"``,
          ``wilcoxon_stat="W"``, ``kp_alignment="event_time"``, ``kp_estimator="pairwise"``,
          ``sign_pvalue="normal"``).
    **options
        Individual options; each overrides the bundle.

        patell_ddof : {"textbook", "estudy2"}
            * ``"textbook"`` -- :math:`s_i` with divisor :math:`L_{1,i}-k_i` (``panel.sigma``).
            * ``"estudy2"`` -- R's ``sd()`` of the estimation residuals (divisor
              :math:`L_{1,i}-1`); also BW1980's df becomes :math:`\bar L_1 - 1`.
            Used by brown_warner_1980, patell, bmp, kp_patell, kp_bmp and grank.
        pe_variance : {"panel", "estudy2"}
            * ``"panel"`` -- prediction-error covariance from the panel (the event's own
              estimation sample, CLM eq. 4.4.9).
            * ``"estudy2"`` -- :math:`s_i^2[1 + 1/L_{1,i} + (R_m-\bar R_m)^2/\sum(R_{mt}-\bar
              R_m)^2]` with :math:`\bar R_m` and the sum over every estimation day with a
              benchmark return, even days the asset is missing (market model only).
        na_sums : {"textbook", "estudy2"}
            * ``"textbook"`` -- a cross-event sum runs over the events observed that day.
            * ``"estudy2"`` -- the sum is the mean over observed events times all N
              (``rowMeans(x, na.rm = TRUE) * ncol(x)``): affects patell, brown_warner_1980,
              sign, gen_sign, wilcoxon and the rank-test variances on days with missing events.
        rank_sd_divisor : {"days", "mean_obs"}
            * ``"days"`` -- S(K) averages the squared daily rank means over the T days.
            * ``"mean_obs"`` -- divides their sum by the mean number of observations per
              event (estudy2).
        car_rank : {"textbook", "estudy2"}
            * ``"textbook"`` -- Cowan (1992) on the ranks of the estimation + event window.
            * ``"estudy2"`` -- estudy2's ``car_rank_test``.
        gsign_phat : {"per_event", "pooled"}
            * ``"per_event"`` -- Cowan's (1992) mean of per-event positive shares.
            * ``"pooled"`` -- share of positive residuals over all estimation observations.
        car_aggregation : {"textbook", "estudy2"}
            * ``"textbook"`` -- each test's own CAR formula.
            * ``"estudy2"`` -- for csect_t, brown_warner_*, patell, bmp, kp_*, lamb: sum of the
              daily statistics over sqrt(L) on days with > 90 % of events, N(0,1).
        car_mean : {"textbook", "estudy2"}
            * ``"textbook"`` -- ``estimate`` of a window is the CAAR.
            * ``"estudy2"`` -- the mean daily AAR (estudy2's ``car_mean``).
        wilcoxon_stat : {"z", "W"}
            * ``"z"`` -- normal approximation z.
            * ``"W"`` -- the signed-rank sum W with exact p-values.
        kp_alignment : {"calendar", "event_time"}
            * ``"calendar"`` -- residual correlations on common calendar dates.
            * ``"event_time"`` -- on common relative days (eventstudy2, sipemu).
        kp_estimator : {"pooled", "pairwise"}
            The Kolari-Pynnonen :math:`\bar r` (see :mod:`eventstudy.engine.stats.correlation`).

            * ``"pooled"`` -- :math:`\sum_t[(\sum_i z_{it})^2 - \sum_i z_{it}^2] /
              \sum_t (n_t^2 - n_t)` over residuals standardized by each event's own mean and
              SD; O(N x L1). Equals ``"pairwise"`` when all events are observed on the same
              days; for staggered events it weights each pair by its common days.
            * ``"pairwise"`` -- mean of the pairwise Pearson correlations on common days
              (peers; pairs with >= 10 common days); O(N^2 x D) time, for small N.
        weights : {"rademacher", "mammen"}
            Wild bootstrap weights.
        sign_pvalue : {"exact", "normal"}
            * ``"exact"`` -- sign test p-value from Binomial(N, 1/2) (default since issue 19).
            * ``"normal"`` -- its z referred to N(0,1), no continuity correction (estudy2).
        skew_critical : {"bootstrap", "normal"}
            * ``"bootstrap"`` -- skewness-adjusted t with critical values from ``n_boot``
              resamples of size N/4 (Lyon, Barber & Tsai 1999; default since issue 19); see
              :func:`~eventstudy.engine.stats.skew_t`.
            * ``"normal"`` -- referred to N(0,1) (Hall 1992).
        n_boot : int, default 999
            Wild bootstrap replications (and skewness-adjusted t resamples).
        seed : int or None, default 20260101; rng : numpy.random.Generator, optional
            Randomness of the wild bootstrap and of the skewness-adjusted t bootstrap (``rng``
            wins). Seeded by default so reruns give the same p-values; ``seed=None`` draws
            fresh entropy.

    Returns
    -------
    pandas.DataFrame
        Long form, one row per event-window day and test, columns ``rel_day``, ``test``,
        ``stat``, ``pvalue``, ``dist``, ``df`` (NaN unless t), ``nobs``, ``alternative``,
        ``reason`` (None, or why ``stat`` is NaN) and ``estimate`` (the day's AAR).

    Raises
    ------
    SpecificationError
        Unknown test, option, option value, convention or alternative. A test that cannot be
        computed never raises; its row has NaN and a ``reason``.

    Examples
    --------
    >>> aar_tests(panel, tests=["patell", "bmp"], convention="estudy2")  # doctest: +SKIP
       rel_day    test      stat    pvalue    dist  df  nobs alternative reason  estimate
    0        0  patell  2.550740  0.010752  N(0,1) NaN     7   two-sided   None  0.023297
    """
    names = resolve_tests(tests)
    opts = resolve_options(convention, **options)
    alt = check_alternative(alternative)
    prep = prepare(panel)
    targets = _day_targets(prep)
    return _aar_frame(targets, _run_all(names, prep, targets, alt, opts))


def _day_targets(prep: PreparedPanel) -> list[Target]:
    """One target per event-window day."""
    days = [int(d) for d in prep.panel.event_rel_days]
    return [Target(d, d, np.array([col])) for col, d in enumerate(days)]


def _aar_frame(targets: list[Target], grid: list[list[TestResult]]) -> pd.DataFrame:
    """The long frame of :func:`aar_tests` from its results ``[day][test]``."""
    results = [((t.start,), r) for t, row in zip(targets, grid, strict=True) for r in row]
    return _rows(results, ("rel_day",))


def _caar_frame(targets: list[Target], grid: list[list[TestResult]]) -> pd.DataFrame:
    """The long frame of :func:`caar_tests` from its results ``[window][test]``."""
    results = [((t.start, t.end), r) for t, row in zip(targets, grid, strict=True) for r in row]
    return _rows(results, ("window_start", "window_end"))


def aar_caar_tests(
    panel: AbnormalReturnPanel | PreparedPanel,
    windows: Sequence[tuple[int, int]],
    *,
    tests: str | Sequence[str] | None = None,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(aar_tests(panel, ...), caar_tests(panel, windows, ...))`` from one run of the tests.

    Each test runs once over the days and the windows together (one pass of a bootstrap's
    draws, one comparison pass of GRANK, one pool of threads for both), giving the frames of
    the two calls. A user's Generator (``rng=``) is consumed as by the two calls in turn (the
    days, then the windows in one call): pass it to them instead.

    Parameters
    ----------
    panel : AbnormalReturnPanel or PreparedPanel
    windows : sequence of tuple of int
        CAR windows ``(start, end)``, as in :func:`caar_tests`.
    tests, alternative, convention, **options
        As in :func:`aar_tests`; ``rng`` is not accepted here.

    Returns
    -------
    aar : pandas.DataFrame
        As :func:`aar_tests`.
    caar : pandas.DataFrame
        As :func:`caar_tests` (no rows when ``windows`` is empty).

    Raises
    ------
    SpecificationError
        As :func:`caar_tests`, or ``rng=`` given.
    """
    names = resolve_tests(tests)
    opts = resolve_options(convention, **options)
    if opts["rng"] is not None:
        raise SpecificationError("aar_caar_tests does not take rng=; call aar_tests/caar_tests")
    alt = check_alternative(alternative)
    prep = prepare(panel)
    days = _day_targets(prep)
    spans = [as_target(prep, w) for w in windows]
    grid = _run_all(names, prep, days + spans, alt, opts)
    return _aar_frame(days, grid[: len(days)]), _caar_frame(spans, grid[len(days) :])


def caar_tests(
    panel: AbnormalReturnPanel | PreparedPanel,
    window: tuple[int, int] | Sequence[tuple[int, int]],
    *,
    tests: str | Sequence[str] | None = None,
    alternative: str = "two-sided",
    convention: str = "textbook",
    **options: Any,
) -> pd.DataFrame:
    """Run the test battery on the CAAR of one or more windows.

    Parameters
    ----------
    panel : AbnormalReturnPanel or PreparedPanel
    window : tuple of int, or sequence of them
        Closed event-time window(s) ``(start, end)`` inside the panel's event window.
    tests, alternative, convention, **options
        As in :func:`aar_tests`.

    Returns
    -------
    pandas.DataFrame
        Long form, one row per window and test: ``window_start``, ``window_end``, ``test``,
        ``stat``, ``pvalue``, ``dist``, ``df``, ``nobs``, ``alternative``, ``reason``,
        ``estimate`` (CAAR; mean daily AAR with ``car_mean="estudy2"``).

    Raises
    ------
    SpecificationError
        As in :func:`aar_tests`, or a window outside the event window.
    """
    names = resolve_tests(tests)
    opts = resolve_options(convention, **options)
    alt = check_alternative(alternative)
    prep = prepare(panel)
    targets = [as_target(prep, w) for w in _as_windows(window)]
    return _caar_frame(targets, _run_all(names, prep, targets, alt, opts))
