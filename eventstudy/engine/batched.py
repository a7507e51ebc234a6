r"""The engine in batches: bounded memory on one machine, or many machines through Dask.

A study of millions of (event, asset) pairs does not fit one panel: a fitted panel holds about
3.3 KB per pair with 250 estimation days and a 21-day event window, most of it the estimation
residuals (3.3 GB per million pairs; ``benchmarks/batched.py`` measures it).
:func:`run_batched` cuts the events into batches, runs the same
:class:`~eventstudy.engine.study.EventStudy` on each (every pair is fitted on its own
estimation window, so a pair's numbers do not depend on the batch it is in), keeps what each
batch yields (:class:`BatchSummary`: per-pair CARs and the additive pieces of the
cross-sectional statistics) and combines those pieces (:func:`combine`). Nothing of a batch's
panel outlives the batch.

Executors
---------
``executor`` runs the batches:

* ``None``: one after another in this process (the memory bound on one machine);
* a :class:`concurrent.futures.Executor` (threads or processes);
* a ``dask.distributed.Client`` (``pip install geo-eventstudy[dask]``): the returns are
  scattered to the workers once and batches run as tasks on the cluster. This module never
  imports Dask; it recognises a client by its ``scatter``/``submit``/``gather`` methods.

What combines across batches
----------------------------
Combined here, to round-off (checked against the local run to 1e-12):

* per pair: CAR, its standard error, t and p-value over every CAR window (the engine's
  ``car`` frame), and the exclusions;
* per CAR window and per event-window day: CAAR / AAR with CLM's :math:`J_1` (sums of CARs
  and of :math:`\gamma'V_i\gamma`, counts), over the engine's windows (an event's ``extend``
  days included, as in ``EventStudyResults.caar`` and ``.aar``); the tests below are on the
  nominal window's days and the battery's cross-section, as ``EventStudyResults.tests``;
* ``csect_t`` and ``bmp`` (count, mean and sum of squared deviations of the CARs, resp. the
  standardized CARs, merged by Chan et al.'s pairwise update), ``patell`` (sums of SCARs and
  of :math:`(n_i-k)/(n_i-k-2)`), ``sign`` (counts of positive CARs; exact binomial p-value);
* ``corrado_rank``: each pair is ranked on its own combined estimation + event series, so the
  test needs, per day of that series, the number of pairs ranked and the sum of their centred
  ranks :math:`K_{it} - (M_i + 1)/2` (multiples of 1/2: their sums are exact in any order, so
  the batches give the one-panel statistic bit for bit), and per target the pairs with a
  return in it (:func:`eventstudy.engine.stats.nonparametric.rank_result` computes it from
  them, as the battery does).

Additive too, not yet wired here: the other rank tests (``cz_rank``, ``cz_sign``: per-day
sums and counts of each pair's own scores), ``gen_sign`` (sums of per-pair positive
shares), ``brown_warner_1980/1985`` and ``lamb`` (per-day sums and counts) and the pooled
Kolari-Pynnonen :math:`\bar r` (per-date sums of standardized residuals and of their squares).
Not combinable in one pass: ``grank`` (ranks against the cross-sectional SD of all SCARs: two
passes), ``wilcoxon``, ``skew_t`` and ``wild_bootstrap`` (they need the whole cross-section;
from the kept per-pair CARs they can be computed at the end, O(N) memory) and the pairwise
Kolari-Pynnonen estimator (O(N^2) pairs across batches).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from eventstudy.engine.results import TEST_COLUMNS, pvalue
from eventstudy.engine.stats._core import TestResult
from eventstudy.engine.stats.nonparametric import _aggregate, binomial_sign_pvalue, rank_result
from eventstudy.engine.study import (
    DEFAULT_CAR_WINDOWS,
    DEFAULT_ESTIMATION_WINDOW,
    DEFAULT_EVENT_WINDOW,
    EventStudy,
)
from eventstudy.engine.windows import EstimationWindow, EventWindow

if TYPE_CHECKING:  # annotations only
    from eventstudy.engine.results import EventStudyResults
    from eventstudy.engine.stats._core import Alternative

__all__ = ["BATCHED_TESTS", "BatchSummary", "BatchedResults", "combine", "run_batched"]

#: Tests :func:`combine` computes from the batches' pieces.
BATCHED_TESTS: tuple[str, ...] = ("csect_t", "patell", "bmp", "sign", "corrado_rank")


# --------------------------------------------------------------------------------------------
# additive pieces
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moments:
    """Count, mean and sum of squared deviations of a sample, mergeable across batches."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0

    @classmethod
    def of(cls, x: np.ndarray) -> Moments:
        if not x.size:
            return cls()
        mean = float(x.mean())
        return cls(int(x.size), mean, float(((x - mean) ** 2).sum()))

    def __add__(self, other: Moments) -> Moments:
        """Chan, Golub & LeVeque's (1979) pairwise update."""
        if not other.n:
            return self
        if not self.n:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * other.n / n
        return Moments(n, mean, self.m2 + other.m2 + delta * delta * self.n * other.n / n)

    def t_of_mean(self) -> float:
        """``mean / (sd / sqrt(n))`` with the sample SD (divisor n - 1); NaN when undefined."""
        if self.n < 2 or not self.m2 > 0:
            return math.nan
        return self.mean / math.sqrt(self.m2 / (self.n - 1) / self.n)


@dataclass(frozen=True)
class Pieces:
    """The additive pieces of one target (an event-window day or a CAR window)."""

    car: Moments = field(default_factory=Moments)  # CAAR / AAR: the engine's CARs
    var_sum: float = 0.0  # sum of gamma'V gamma over events with a CAR
    scar: Moments = field(default_factory=Moments)  # BMP: events with a finite SCAR
    patell_scar: float = 0.0  # Patell: sum of SCARs over events with finite SCAR and q
    patell_q: float = 0.0
    patell_n: int = 0
    cross: Moments = field(default_factory=Moments)  # csect_t: the battery's AR / CAR
    positive: int = 0  # sign test: events whose battery AR / CAR is > 0
    ranked: int = 0  # Corrado: events with a finite AR on some day of the target

    def __add__(self, other: Pieces) -> Pieces:
        return _fieldwise_sum(self, other)


@dataclass(frozen=True)
class RankSums:
    """Corrado's rank test's additive pieces, per day of the combined estimation + event series.

    Attributes
    ----------
    n_t : ndarray, shape (L1 + L2,)
        Events ranked on each day.
    centred : ndarray, shape (L1 + L2,)
        Sum over those events of :math:`K_{it} - (M_i + 1)/2` (exact: multiples of 1/2).
    n_events : int
        Events of the panel.
    """

    n_t: np.ndarray
    centred: np.ndarray
    n_events: int

    def __add__(self, other: RankSums) -> RankSums:
        return _fieldwise_sum(self, other)


_Sums = TypeVar("_Sums", Pieces, RankSums)


def _fieldwise_sum(a: _Sums, b: _Sums) -> _Sums:
    """The pieces of two batches together: each field the sum of theirs."""
    return type(a)(*(getattr(a, f.name) + getattr(b, f.name) for f in fields(a)))


@dataclass(frozen=True)
class BatchSummary:
    """What one batch yields.

    Attributes
    ----------
    car : DataFrame or None
        The engine's ``car`` frame of the batch's pairs (None with ``keep_car=False``).
    exclusions : DataFrame
        The engine's exclusions of the batch.
    pieces : dict
        :class:`Pieces` per target: ``("day", d)`` for each event-window day, ``(a, b)`` for
        each CAR window.
    n_events : int
        Pairs studied in the batch.
    ranks : RankSums or None
        Corrado's day sums (None when the batch studied no pair).
    targets : dict
        The :class:`~eventstudy.engine.stats._core.Target` of each key of ``pieces`` that the
        battery tests (its columns of the event window).
    est_days : int
        L1, the estimation days before the event window in the rank series.
    """

    car: pd.DataFrame | None
    exclusions: pd.DataFrame
    pieces: dict[tuple, Pieces]
    n_events: int
    ranks: RankSums | None = None
    targets: dict[tuple, Any] = field(default_factory=dict)
    est_days: int = 0


def summarize(
    results: EventStudyResults, *, keep_car: bool = True, ranks: bool = True
) -> BatchSummary:
    """Reduce a fitted study to the :class:`BatchSummary` that :func:`combine` merges.

    Parameters
    ----------
    results : EventStudyResults
        A fitted :class:`~eventstudy.engine.results.EventStudyResults`.
    keep_car : bool, default True
        Keep its per-pair ``car`` frame (else ``car`` is None).
    ranks : bool, default True
        Form Corrado's day sums (one sort of each pair's combined series, the costliest piece:
        about as long as the fit); False leaves ``ranks`` None.

    Returns
    -------
    BatchSummary
        Pieces per event-window day and CAR window, with the textbook variance (the
        battery's ``convention="textbook"``) on the nominal event window.
    """
    from eventstudy.engine import stats
    from eventstudy.engine.panel import cov_diagonal
    from eventstudy.engine.stats._core import (
        as_target,
        resolve_options,
        standardized_car,
        window_car,
    )
    from eventstudy.engine.stats.parametric import _q

    pieces: dict[tuple, Pieces] = {}
    targets: dict[tuple, Any] = {}
    rank_sums, est_days = None, 0
    if results.n_events:
        prep = stats.prepare(results.panel)
        opts = resolve_options("textbook")
        q = _q(prep)
        event_ar = prep.panel.event_ar
        # AAR: each day of the engine's event window (with the days ``extend`` adds), its ARs
        # and their variances, as EventStudyResults.aar reads them.
        ar, ar_var = results.arrays.ar, cov_diagonal(results._cov)
        rel_days = [int(d) for d in results.arrays.event_rel_days]
        day_sums = {d: (ar[:, j], ar_var[:, j]) for j, d in enumerate(rel_days)}
        nominal = [int(d) for d in prep.panel.event_rel_days]
        none = np.full(ar.shape[0], np.nan)
        for d in sorted(set(rel_days) - set(nominal)):  # only extended windows have these days:
            pieces[("day", d)] = _pieces(*day_sums[d], none, none, none, 0)  # no test on them
        days = [(("day", d), (d, d)) for d in nominal]
        for key, window in [*days, *((w, w) for w in results.car_windows)]:
            car, var = day_sums[key[1]] if key[0] == "day" else results._sums(window)
            target = as_target(prep, window)
            # The battery's AR / CAR over the target's days: an event's ``extend`` days are in
            # the engine's CAR (and so in CAAR / AAR), not in the battery's cross-section.
            cross = window_car(prep, target)
            scar, _ = standardized_car(prep, target, opts)
            ranked = int(np.isfinite(event_ar[:, target.cols]).any(axis=1).sum())
            pieces[key] = _pieces(car, var, cross, scar, q, ranked)
            targets[key] = target
        est_days = prep.panel.est_ar.shape[1]
        rank_sums = _rank_sums(prep) if ranks else None
    return BatchSummary(
        car=pd.DataFrame(results.car) if keep_car else None,
        exclusions=results.exclusions,
        pieces=pieces,
        n_events=results.n_events,
        ranks=rank_sums,
        targets=targets,
        est_days=est_days,
    )


def _rank_sums(prep: Any) -> RankSums:
    """Corrado's day sums of a batch, as the battery forms them (one sort of each series)."""
    from eventstudy.engine.stats import nonparametric

    n_t, centred = nonparametric._score_sums("corrado_rank", prep)
    return RankSums(n_t.copy(), centred.copy(), prep.n_events)


def _pieces(
    car: np.ndarray,
    var: np.ndarray,
    cross: np.ndarray,
    scar: np.ndarray,
    q: np.ndarray,
    ranked: int,
) -> Pieces:
    ok = np.isfinite(car)
    x = cross[np.isfinite(cross)]
    fin = np.isfinite(scar)
    pat = fin & np.isfinite(q)
    return Pieces(
        car=Moments.of(car[ok]),
        var_sum=float(var[ok].sum()),
        scar=Moments.of(scar[fin]),
        patell_scar=float(scar[pat].sum()),
        patell_q=float(q[pat].sum()),
        patell_n=int(pat.sum()),
        cross=Moments.of(x),
        positive=int((x > 0).sum()),
        ranked=ranked,
    )


# --------------------------------------------------------------------------------------------
# running batches
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """Everything but the events: what each batch's ``EventStudy`` is built with."""

    model: Any
    benchmark: Any
    factors: Any
    estimation_window: Any
    event_window: Any
    car_windows: Any
    keep_car: bool
    tests: tuple[str, ...] = BATCHED_TESTS


def _run_batch(returns: pd.DataFrame, events: pd.DataFrame, spec: _Spec) -> BatchSummary:
    """One batch: the engine on ``events``, reduced to its summary (picklable, top level)."""
    res = EventStudy(
        returns,
        events,
        spec.model,
        benchmark=spec.benchmark,
        factors=spec.factors,
        estimation_window=spec.estimation_window,
        event_window=spec.event_window,
        car_windows=spec.car_windows,
    ).fit(tests=())
    return summarize(res, keep_car=spec.keep_car, ranks="corrado_rank" in spec.tests)


def _chunks(events: pd.DataFrame | Iterable[pd.DataFrame], size: int) -> Iterator[pd.DataFrame]:
    if isinstance(events, pd.DataFrame):
        for lo in range(0, max(len(events), 1), size):
            yield events.iloc[lo : lo + size]
    else:
        yield from events


def _is_dask_client(executor: Any) -> bool:
    return all(hasattr(executor, m) for m in ("scatter", "submit", "gather"))


def iter_batches(
    returns: pd.DataFrame,
    events: pd.DataFrame | Iterable[pd.DataFrame],
    spec: _Spec,
    *,
    batch_size: int,
    executor: Any = None,
    max_pending: int = 4,
) -> Iterator[BatchSummary]:
    """Yield each batch's :class:`BatchSummary`, in batch order.

    At most ``max_pending`` batches are in flight with an executor (so a stream of event
    chunks is never read far ahead).
    """
    chunks = _chunks(events, batch_size)
    if executor is None:
        for chunk in chunks:
            yield _run_batch(returns, chunk, spec)
        return
    if _is_dask_client(executor):
        data = executor.scatter(returns, broadcast=True)

        def submit(chunk):
            return executor.submit(_run_batch, data, chunk, spec, pure=False)
    else:

        def submit(chunk):
            return executor.submit(_run_batch, returns, chunk, spec)

    yield from _bounded(chunks, submit, max(1, max_pending))


def _bounded(
    chunks: Iterator[pd.DataFrame], submit: Callable[[pd.DataFrame], Any], width: int
) -> Iterator[BatchSummary]:
    """Yield the results of ``submit(chunk)`` futures in order, at most ``width`` in flight."""
    pending: list[Any] = []
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= width:
            yield pending.pop(0).result()
    for fut in pending:
        yield fut.result()


# --------------------------------------------------------------------------------------------
# combining
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchedResults:
    """The combined results of :func:`run_batched`.

    Attributes
    ----------
    car : DataFrame or None
        Per pair and CAR window, as :attr:`EventStudyResults.car` (None with
        ``keep_car=False``).
    exclusions : DataFrame
        ``event_id, asset, stage, reason``.
    caar : DataFrame
        Per CAR window: ``window_start, window_end, caar, caar_se, tstat, pvalue, n``
        (:math:`J_1`, N(0,1)), as :attr:`EventStudyResults.caar`.
    aar : DataFrame
        Per event-window day: ``rel_day, aar, aar_se, tstat, pvalue, n``.
    tests : DataFrame
        The tests asked for (default all of :data:`BATCHED_TESTS`) on every day and CAR
        window, in the columns of :meth:`EventStudyResults.tests`, with the battery's
        textbook options (``convention="textbook"``; the estudy2 options are not combined),
        two-sided.
    n_events : int
    n_batches : int
    """

    car: pd.DataFrame | None
    exclusions: pd.DataFrame
    caar: pd.DataFrame
    aar: pd.DataFrame
    tests: pd.DataFrame
    n_events: int
    n_batches: int


def combine(
    summaries: Iterable[BatchSummary],
    car_windows: Sequence[tuple[int, int]],
    tests: Sequence[str] = BATCHED_TESTS,
) -> BatchedResults:
    """Combine batch summaries (consumed one at a time) into :class:`BatchedResults`.

    ``tests``: those of :data:`BATCHED_TESTS` to report (``corrado_rank`` needs summaries
    with ``ranks``).
    """
    total: dict[tuple, Pieces] = {}
    ranks: RankSums | None = None
    targets: dict[tuple, Any] = {}
    est_days = 0
    cars, excl, n_events, n_batches = [], [], 0, 0
    for s in summaries:
        for key, p in s.pieces.items():
            total[key] = total.get(key, Pieces()) + p
        if s.targets and not targets:  # the same in every batch that studied a pair
            targets, est_days = s.targets, s.est_days
        if s.ranks is not None:
            ranks = s.ranks if ranks is None else ranks + s.ranks
        elif s.n_events and "corrado_rank" in tests:
            raise ValueError(
                "corrado_rank needs every batch's rank sums: a batch was summarized with "
                "summarize(..., ranks=False)"
            )
        if s.car is not None:
            cars.append(s.car)
        excl.append(s.exclusions)
        n_events += s.n_events
        n_batches += 1
    days = sorted(k[1] for k in total if k[0] == "day")
    windows = [(start, end) for start, end in car_windows]
    aar = _mean_frame([total[("day", d)] for d in days], {"rel_day": days}, "aar")
    caar = _mean_frame(
        [total.get(w, Pieces()) for w in windows],
        {"window_start": [w[0] for w in windows], "window_end": [w[1] for w in windows]},
        "caar",
    )
    agg = None if ranks is None else _aggregate("corrado_rank", (ranks.n_t, ranks.centred),
                                                ranks.n_events, "textbook")  # fmt: skip

    def corrado(key: tuple) -> TestResult | None:
        if agg is None:
            return None
        return rank_result("corrado_rank", agg, est_days, targets[key], total[key].ranked,
                           None, "two-sided", "", math.nan)  # fmt: skip

    tested = [d for d in days if ("day", d) in targets]  # not the days only ``extend`` adds
    rows = [_test_rows(total[("day", d)], d, (d, d), corrado(("day", d))) for d in tested]
    rows += [_test_rows(total[w], None, w, corrado(w)) for w in windows if w in total]
    kept = [r for group in rows for r in group if r["test"] in tests]
    table = pd.DataFrame(kept, columns=TEST_COLUMNS)
    for col in ("rel_day", "window_start", "window_end"):
        table[col] = table[col].astype("Int64")
    return BatchedResults(
        car=_window_major(cars, windows),
        exclusions=pd.concat([e for e in excl if len(e)] or excl[:1], ignore_index=True)
        if excl
        else pd.DataFrame(),
        caar=caar,
        aar=aar,
        tests=table,
        n_events=n_events,
        n_batches=n_batches,
    )


def _window_major(cars: list[pd.DataFrame], windows: list[tuple]) -> pd.DataFrame | None:
    """Concatenate the batches' CAR frames in the engine's order: by window, then input order."""
    if not cars:
        return None
    car = pd.concat(cars, ignore_index=True)
    rank = {w: i for i, w in enumerate(windows)}
    key = [rank[w] for w in zip(car["window_start"], car["window_end"], strict=True)]
    return car.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def _mean_frame(pieces: list[Pieces], keys: dict, name: str) -> pd.DataFrame:
    n = np.array([p.car.n for p in pieces], dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.array([p.car.mean if p.car.n else math.nan for p in pieces])
        se = np.sqrt(np.array([p.var_sum for p in pieces])) / n
        t = mean / se
    return pd.DataFrame(
        {**keys, name: mean, f"{name}_se": se, "tstat": t, "pvalue": pvalue(t, None, "two-sided"),
         "n": n}
    )  # fmt: skip


def _test_rows(
    p: Pieces,
    rel_day: int | None,
    window: tuple[int, int],
    corrado: TestResult | None = None,
) -> list[dict]:
    alt: Alternative = "two-sided"
    base = {"rel_day": rel_day, "window_start": window[0], "window_end": window[1],
            "alternative": alt}  # fmt: skip
    t_cs = p.cross.t_of_mean()
    t_bmp = p.scar.t_of_mean()
    z_pat = p.patell_scar / math.sqrt(p.patell_q) if p.patell_n else math.nan
    n = p.cross.n
    z_sign = (p.positive - 0.5 * n) / math.sqrt(0.25 * n) if n else math.nan
    # the sign test's p-value is the engine's default: exact binomial
    sign_exact = (f"binomial({n}, 1/2)", binomial_sign_pvalue(p.positive, n, alt)) if n else None
    out = []
    for test, stat, df, nobs, exact in (
        ("csect_t", t_cs, n - 1, n, None),
        ("patell", z_pat, None, p.patell_n, None),
        ("bmp", t_bmp, p.scar.n - 1, p.scar.n, None),
        ("sign", z_sign, None, n, sign_exact),
    ):
        ok = math.isfinite(stat) and (df is None or df > 0)
        dist = "N(0,1)" if df is None else f"t({df:g})"
        p_value = float(pvalue(stat, df, alt)) if ok else math.nan
        if ok and exact is not None:
            dist, p_value = exact
        out.append({
            **base, "test": test, "stat": stat if ok else math.nan,
            "pvalue": p_value, "dist": dist,
            "df": math.nan if df is None else float(df), "nobs": nobs,
            "reason": None if ok else "too few events or zero variance",
        })  # fmt: skip
    if corrado is not None:
        out.append({
            **base, "test": "corrado_rank", "stat": corrado.stat, "pvalue": corrado.pvalue,
            "dist": corrado.dist, "df": math.nan if corrado.df is None else float(corrado.df),
            "nobs": corrado.nobs, "reason": corrado.reason,
        })  # fmt: skip
    return out


def run_batched(
    returns: pd.DataFrame,
    events: pd.DataFrame | Iterable[pd.DataFrame],
    model: Any = "market",
    *,
    benchmark: pd.Series | pd.DataFrame | None = None,
    factors: pd.DataFrame | None = None,
    estimation_window: EstimationWindow | tuple[int, int] = DEFAULT_ESTIMATION_WINDOW,
    event_window: EventWindow | tuple[int, int] = DEFAULT_EVENT_WINDOW,
    car_windows: Sequence[tuple[int, int]] = DEFAULT_CAR_WINDOWS,
    batch_size: int = 50_000,
    executor: Any = None,
    keep_car: bool = True,
    max_pending: int = 4,
    tests: Sequence[str] | None = None,
) -> BatchedResults:
    """Run an event study batch by batch and combine the batches' results.

    Parameters
    ----------
    returns, model, benchmark, factors, estimation_window, event_window, car_windows
        As :class:`~eventstudy.engine.study.EventStudy` (every batch uses them).
    events : DataFrame or iterable of DataFrames
        Event rows as :class:`EventStudy` takes them, or an iterable of such chunks (e.g. a
        generator reading a large file in pieces: it is consumed as batches run).
    batch_size : int, default 50_000
        Rows per batch when ``events`` is one DataFrame. Peak memory grows with it: a batch's
        fitted panel holds about 3.3 KB per event with L1 = 250 estimation days and a 21-day
        event window (``benchmarks/batched.py``: 1,000,000 events in batches of 50,000 peaked
        at 0.42 GB resident).
    executor : None, concurrent.futures.Executor or dask.distributed.Client
        Where batches run (see the module docstring).
    keep_car : bool, default True
        Keep the per-pair CAR frame (O(N) memory); False keeps only the combined statistics.
    max_pending : int, default 4
        Batches in flight at once with an executor.
    tests : sequence of str, optional
        Tests to combine, of :data:`BATCHED_TESTS` (default all of them). Leaving out
        ``corrado_rank`` saves its sort of every pair's combined series, about as long as
        the fit (1,000,000 events: 7.8 s against 14.6 s in ``benchmarks/batched.py``).

    Returns
    -------
    BatchedResults

    Examples
    --------
    >>> from dask.distributed import Client  # doctest: +SKIP
    >>> client = Client("tcp://scheduler:8786")  # doctest: +SKIP
    >>> res = run_batched(returns, events, benchmark=market, executor=client)  # doctest: +SKIP
    >>> res.caar  # doctest: +SKIP
    """
    chosen = _batched_tests(tests)
    spec = _Spec(
        model, benchmark, factors, estimation_window, event_window, tuple(car_windows), keep_car,
        tests=chosen,
    )  # fmt: skip
    batches = iter_batches(
        returns, events, spec, batch_size=batch_size, executor=executor, max_pending=max_pending
    )
    return combine(batches, _car_windows(event_window, car_windows), chosen)


def _batched_tests(tests: Sequence[str] | None) -> tuple[str, ...]:
    """Canonical names of ``tests`` (aliases as the battery takes them), in their order.

    Raises
    ------
    SpecificationError
        A test that does not combine across batches (or is not a test at all).
    """
    from eventstudy.engine.stats import resolve_tests
    from eventstudy.exceptions import SpecificationError

    if tests is None:
        return BATCHED_TESTS
    names = resolve_tests(tests)
    other = [name for name in names if name not in BATCHED_TESTS]
    if other:
        raise SpecificationError(
            f"test(s) {', '.join(other)} do not combine across batches; run_batched computes "
            f"{', '.join(BATCHED_TESTS)} (see the module docstring)"
        )
    return tuple(names)


def _car_windows(
    event_window: EventWindow | tuple[int, int], car_windows: Sequence[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    """Validate ``car_windows`` against ``event_window``; return them as tuples."""
    from eventstudy.engine.windows import as_car_windows, as_event_window

    return as_car_windows(car_windows, as_event_window(event_window))
