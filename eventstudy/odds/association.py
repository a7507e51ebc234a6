"""Gold and odds side by side: gold's CAR against the odds shifts of each event's markets.

:func:`gold_odds_table` lines them up, :func:`gold_odds_association` tests their association
across events (:func:`permutation_correlation_test`, Kendall tau-b), and
:func:`gold_odds_associations` does it twice, on the raw shifts and on the shifts oriented by
``market_orientation.csv``. The shifts come from :func:`eventstudy.odds.study.run_odds_study`;
conventions are those of :mod:`eventstudy.odds.shift`.

Orientation
-----------
YES on "US military action against Iran" means more geopolitical risk, YES on "Russia x Ukraine
ceasefire" means less, so raw shifts of different markets point different ways and their mean
can cancel. With an orientation (``sign = +1`` where YES means more risk, ``-1`` where it means
less; :mod:`eventstudy.data.orientation`) each market's shift is multiplied by its sign before
the markets of an event are aggregated: an oriented shift above zero always means the market
moved towards more risk.
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from eventstudy import _scipy_stats as stats
from eventstudy.exceptions import SpecificationError
from eventstudy.odds.results import AssociationTest, GoldOddsAssociation, OddsStudyResults
from eventstudy.odds.shift import _TIE_TOL, Aggregate, _fmt_td, _to_timedelta

__all__ = [
    "METHOD_TEXTS",
    "REASON_TEXTS",
    "gold_odds_association",
    "gold_odds_associations",
    "gold_odds_table",
    "permutation_correlation_test",
]

METHOD_TEXTS: dict[str, str] = {
    "monte_carlo": "Monte Carlo, {n_permutations} permutations, seed {seed}",
    "exact": "exact over all {n_permutations} permutations",
    "kendall_asymptotic": "scipy.stats.kendalltau, asymptotic (ties present, no exact null)",
    "kendall_exact": "scipy.stats.kendalltau, exact null",
}
"""How each test's p-value was found (its ``method``), by kind (``str.format`` fields where
values go; the report's Japanese page reads the values back and writes its own sentence)."""

REASON_TEXTS: dict[str, str] = {
    "too_few_pairs": "need N >= 3 pairs (N = {n})",
    "no_variability": "no variability in x or y",
}
"""Why a test was not computed (its ``reason``), by kind, as :data:`METHOD_TEXTS`."""

Orientation: TypeAlias = Mapping[str, int] | pd.DataFrame
"""``slug -> +1/-1`` or :func:`eventstudy.data.orientation.load_orientation` output."""


# --------------------------------------------------------------------------------------------
# gold and odds side by side
# --------------------------------------------------------------------------------------------


def _shift_frame(shifts: OddsStudyResults | pd.DataFrame) -> pd.DataFrame:
    frame = shifts.details if isinstance(shifts, OddsStudyResults) else shifts
    need = {"event_id", "slug", "horizon", "shift_logodds", "status"}
    if not need <= set(frame.columns):
        raise SpecificationError(f"shifts lacks column(s) {sorted(need - set(frame.columns))}")
    return frame


def _gold_frame(gold_car: pd.DataFrame) -> pd.DataFrame:
    if not {"event_id", "car"} <= set(gold_car.columns):
        raise SpecificationError(
            f"gold_car needs columns 'event_id' and 'car' (decimal); got {list(gold_car.columns)}"
        )
    g = gold_car[["event_id", "car"]].copy()
    g["event_id"] = g["event_id"].astype(str)
    g["car"] = g["car"].astype("float64")
    if g["event_id"].duplicated().any():
        dup = g.loc[g["event_id"].duplicated(), "event_id"].tolist()
        raise SpecificationError(
            f"gold_car has several rows for event_id(s) {dup}; expected one per event"
        )
    return g


def _signs(orientation: Orientation | None) -> dict[str, int] | None:
    if orientation is None:
        return None
    from eventstudy.data.orientation import orientation_signs

    try:
        return orientation_signs(orientation)
    except ValueError as exc:
        raise SpecificationError(str(exc)) from exc


def gold_odds_table(
    gold_car: pd.DataFrame,
    shifts: OddsStudyResults | pd.DataFrame,
    *,
    horizon: Any = "1D",
    linked_only: bool = True,
    orientation: Orientation | None = None,
) -> pd.DataFrame:
    """Gold's CAR next to the odds shifts of each event's linked markets.

    Parameters
    ----------
    gold_car : DataFrame
        ``event_id``, ``car`` (decimal, e.g. 0.012 = 1.2 %), one row per event.
    shifts : OddsStudyResults or DataFrame
        :func:`run_odds_study` results (or their ``details``/``shifts`` frame).
    horizon : Timedelta-like, default "1D"
    linked_only : bool, default True
        Keep only markets linked in ``events.csv`` (when the frame has ``linked``).
    orientation : mapping slug -> +1/-1 or DataFrame, optional
        When given, adds ``sign`` (+1 YES = more risk, -1 YES = less risk, NaN when the
        market has none) and ``shift_logodds_oriented`` (``shift_logodds * sign``).

    Returns
    -------
    DataFrame
        One row per event and market: ``event_id, car, car_pct, slug, question, p_before,
        p_after, shift_pp, shift_logodds, abnormal_z, empirical_p, status, reason`` (plus
        ``sign, shift_logodds_oriented`` with an orientation); events with a CAR but no
        linked market keep one row with NaN odds columns.
    """
    h = _to_timedelta(horizon, "horizon")
    frame = _shift_frame(shifts)
    frame = frame[pd.to_timedelta(frame["horizon"]) == h]
    if linked_only and "linked" in frame:
        frame = frame[frame["linked"].astype(bool)]
    cols = [
        "event_id",
        "slug",
        "question",
        "p_before",
        "p_after",
        "shift_pp",
        "shift_logodds",
        "abnormal_z",
        "empirical_p",
        "status",
        "reason",
    ]
    cols = [c for c in cols if c in frame.columns]
    g = _gold_frame(gold_car)
    out = g.merge(
        frame[cols].assign(event_id=frame["event_id"].astype(str)), on="event_id", how="left"
    )
    out.insert(2, "car_pct", 100.0 * out["car"])
    signs = _signs(orientation)
    if signs is not None:
        sign = out["slug"].map(signs).astype("float64")
        at = out.columns.get_loc("shift_logodds") + 1
        out.insert(at, "sign", sign)
        out.insert(at + 1, "shift_logodds_oriented", out["shift_logodds"] * sign)
    return out


def _pearson_rows(x: np.ndarray, y_perm: np.ndarray) -> np.ndarray:
    xc = x - x.mean()
    yc = y_perm - y_perm.mean(axis=-1, keepdims=True)
    num = yc @ xc
    den = np.sqrt((xc @ xc) * np.sum(yc * yc, axis=-1))
    return num / den


_CHUNK_CELLS = 1 << 21
"""Permuted values held at once by :func:`_permuted_correlations` (16 MB of float64)."""


def _permuted_correlations(
    pairs: Sequence[tuple[np.ndarray, np.ndarray]], n: int, seed: int | None
) -> list[np.ndarray]:
    """Pearson r of each ``(x, y)`` with ``n`` random permutations of ``y``.

    The permutations are drawn in blocks of rows and shared by the pairs (all of length N).
    They are those of ``rng.permuted(np.tile(y, (n, 1)), axis=1)``: the generator
    shuffles one row after the other, and a row's shuffle does not depend on its values, so
    shuffling the positions ``0..N-1`` once gives every pair the permutations it would have
    drawn alone with the same seed, without holding an ``n x N`` matrix.

    A permutation of ``y`` has the mean and the sum of squares of ``y``, so each pair is
    centred and scaled once (:func:`_unit_centred`) and a block of correlations is one
    gather of the permuted positions and one product with the scaled ``x`` (the same values
    as :func:`_pearson_rows` on the permuted rows up to rounding, about 1e-16).
    """
    rng = np.random.default_rng(seed)
    size = len(pairs[0][1])
    block = max(1, _CHUNK_CELLS // max(1, size))
    scaled = [(_unit_centred(x), _unit_centred(y)) for x, y in pairs]
    out = [np.empty(n) for _ in pairs]
    for start in range(0, n, block):
        k = min(block, n - start)
        order = rng.permuted(np.tile(np.arange(size), (k, 1)), axis=1)
        for (x, y), rs in zip(scaled, out, strict=True):
            rs[start : start + k] = y.take(order) @ x
    return out


def _unit_centred(v: np.ndarray) -> np.ndarray:
    """``v`` minus its mean, divided by the norm of that (a vector of norm 1)."""
    c = v - v.mean()
    return c / np.sqrt(c @ c)


def permutation_correlation_test(
    x: Any,
    y: Any,
    *,
    method: Literal["pearson", "spearman"] = "pearson",
    n_permutations: int = 9999,
    exact_max_n: int = 8,
    seed: int | None = 0,
) -> AssociationTest:
    """Two-sided permutation test of zero correlation between ``x`` and ``y``.

    Parameters
    ----------
    x, y : array_like, same length N >= 3, no NaN
    method : {"pearson", "spearman"}, default "pearson"
        * ``"pearson"`` -- product-moment correlation of the values;
        * ``"spearman"`` -- Pearson correlation of the ranks (average ranks for ties).
    n_permutations : int, default 9999
        Monte Carlo permutations when ``N > exact_max_n``.
    exact_max_n : int, default 8
        Up to this N all ``N!`` permutations are enumerated (8! = 40,320) and the p-value is
        exact: ``#{pi : |r_pi| >= |r|} / N!`` (the identity included).
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng` for the Monte Carlo case.

    Returns
    -------
    AssociationTest
        ``stat`` = the correlation; Monte Carlo ``pvalue = (1 + #{|r*| >= |r|}) / (1 + B)``.
    """
    return _permutation_tests(x, y, (method,), n_permutations, exact_max_n, seed)[0]


def _permutation_tests(
    x: Any,
    y: Any,
    methods: Sequence[str],
    n_permutations: int,
    exact_max_n: int,
    seed: int | None,
) -> list[AssociationTest]:
    """Run :func:`permutation_correlation_test` for each method.

    The Monte Carlo ones share one stream of permutations (each gets the permutations it
    would have drawn alone).
    """
    return _permutation_tests_many([(x, y)], methods, n_permutations, exact_max_n, seed)[0]


_Drawn: TypeAlias = tuple[int, str, np.ndarray, np.ndarray, float]
"""A Monte Carlo test to run: dataset, method, the values (ranks) correlated, observed r."""


def _permutation_tests_many(
    datasets: Sequence[tuple[Any, Any]],
    methods: Sequence[str],
    n_permutations: int,
    exact_max_n: int,
    seed: int | None,
) -> list[list[AssociationTest]]:
    """:func:`_permutation_tests` of each ``(x, y)``, one list of tests (``methods``) each.

    The Monte Carlo tests of all datasets with the same number of pairs share one stream of
    permutations (each gets the permutations it would have drawn alone with ``seed``: they
    depend on the seed and the number of pairs only).
    """
    for method in methods:
        if method not in ("pearson", "spearman"):
            raise SpecificationError(
                f"method={method!r} is not accepted; expected 'pearson' or 'spearman'"
            )
    done: list[dict[str, AssociationTest]] = [{} for _ in datasets]
    by_size: dict[int, list[_Drawn]] = {}
    for i, (x, y) in enumerate(datasets):
        for method, test in _direct_tests(x, y, methods, exact_max_n, by_size, i).items():
            done[i][method] = test
    b = int(n_permutations)
    how = METHOD_TEXTS["monte_carlo"].format(n_permutations=n_permutations, seed=seed)
    for n, drawn in by_size.items():
        sims = _permuted_correlations([(xm, ym) for _, _, xm, ym, _ in drawn], b, seed)
        for (i, method, _, _, r), rs in zip(drawn, sims, strict=True):
            p = (1 + int(np.sum(np.abs(rs) >= abs(r) - _TIE_TOL))) / (1 + b)
            done[i][method] = AssociationTest(
                f"permutation ({method})", r, p, "permutation", _NULL, _ALT, n, how, ""
            )
    return [[tests[method] for method in methods] for tests in done]


_NULL = "gold CAR and the odds shift are unrelated (exchangeable pairing)"
_ALT = "two-sided: correlation != 0"


def _direct_tests(
    x: Any,
    y: Any,
    methods: Sequence[str],
    exact_max_n: int,
    by_size: dict[int, list[_Drawn]],
    index: int,
) -> dict[str, AssociationTest]:
    """The tests of one dataset that need no random permutation.

    Too few pairs, no variability, exact enumeration; the Monte Carlo ones are appended to
    ``by_size[N]`` (as ``(index, method, values, values, r)``).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    done: dict[str, AssociationTest] = {}
    for method in methods:
        name = f"permutation ({method})"
        if len(y) != n or n < 3:
            done[method] = AssociationTest(
                name, np.nan, np.nan, "permutation", _NULL, _ALT, n, "",
                REASON_TEXTS["too_few_pairs"].format(n=n),
            )  # fmt: skip
            continue
        xm, ym = (stats.rankdata(x), stats.rankdata(y)) if method == "spearman" else (x, y)
        if np.ptp(xm) == 0 or np.ptp(ym) == 0:
            done[method] = AssociationTest(
                name,
                np.nan,
                np.nan,
                "permutation",
                _NULL,
                _ALT,
                n,
                "",
                REASON_TEXTS["no_variability"],
            )
            continue
        r = float(_pearson_rows(xm, ym[None, :])[0])
        if n <= exact_max_n:
            perms = np.array(list(itertools.permutations(range(n))), dtype=np.intp)
            rs = _pearson_rows(xm, ym[perms])
            p = float(np.mean(np.abs(rs) >= abs(r) - _TIE_TOL))
            how = METHOD_TEXTS["exact"].format(n_permutations=math.factorial(n))
            done[method] = AssociationTest(name, r, p, "permutation", _NULL, _ALT, n, how, "")
        else:
            by_size.setdefault(n, []).append((index, method, xm, ym, r))
    return done


def _kendall(x: np.ndarray, y: np.ndarray) -> AssociationTest:
    n = len(x)
    null = "gold CAR and the odds shift are independent"
    alt = "two-sided: tau != 0"
    if n < 3:
        return AssociationTest(
            "Kendall tau-b",
            np.nan,
            np.nan,
            "",
            null,
            alt,
            n,
            "",
            REASON_TEXTS["too_few_pairs"].format(n=n),
        )
    ties = len(np.unique(x)) < n or len(np.unique(y)) < n
    method = "asymptotic" if ties else "exact"
    res = stats.kendalltau(x, y, method=method)
    how = METHOD_TEXTS["kendall_asymptotic" if ties else "kendall_exact"]
    return AssociationTest(
        "Kendall tau-b",
        float(res.statistic),
        float(res.pvalue),
        "Kendall exact" if not ties else "N(0,1)",
        null,
        alt,
        n,
        how,
        "",
    )


def gold_odds_association(
    gold_car: pd.DataFrame,
    shifts: OddsStudyResults | pd.DataFrame,
    *,
    horizon: Any = "1D",
    aggregate: Aggregate = "mean",
    orientation: Orientation | None = None,
    usable_statuses: Sequence[str] = ("ok", "no_baseline", "truncated"),
    n_permutations: int = 9999,
    exact_max_n: int = 8,
    seed: int | None = 0,
) -> GoldOddsAssociation:
    """Test across events whether gold's CAR goes with the log-odds shift of linked markets.

    Parameters
    ----------
    gold_car : DataFrame
        ``event_id``, ``car`` (decimal), one row per event (from the gold study).
    shifts : OddsStudyResults or DataFrame
    horizon : Timedelta-like, default "1D"
    aggregate : {"mean", "median", "largest_abs"}, default "mean"
        How an event's several linked markets make one log-odds shift:

        * ``"mean"`` -- mean of the usable ``shift_logodds``;
        * ``"median"`` -- their median;
        * ``"largest_abs"`` -- the one with the largest ``|shift_logodds|`` (sign kept).
    orientation : mapping slug -> +1/-1 or DataFrame, optional
        Multiplies each market's shift by its sign before aggregating, so that a positive
        shift means "towards more risk" for every market (module notes); a DataFrame is
        :func:`eventstudy.data.orientation.load_orientation` output. Every market with a usable
        shift must have a sign. Default: raw shifts (sign +1 for all).
    usable_statuses : sequence of str, default ("ok", "no_baseline", "truncated")
        Rows with another status (``stale``, ``not_computable``) are left out.
    n_permutations, exact_max_n, seed
        See :func:`permutation_correlation_test`; exact enumeration for N <= ``exact_max_n``.
        Both permutation tests use the same permutations (those each would draw alone).

    Returns
    -------
    GoldOddsAssociation
        ``.table`` (per event: ``event_id, car, shift_logodds, n_markets``; the shift is
        oriented when ``orientation`` is given), ``.tests`` (permutation Pearson, permutation
        Spearman, Kendall tau-b with scipy's exact null when there are no ties),
        ``.exclusions`` (events left out and why), ``.settings["orientation"]`` (``"raw"`` or
        ``"oriented"``).

    Raises
    ------
    SpecificationError
        An option out of range, or (with ``orientation``) a market with a usable shift but no
        sign.

    See Also
    --------
    gold_odds_associations : the raw and the oriented result side by side.
    """
    return _gold_odds_associations(
        gold_car, shifts, (orientation,), horizon=horizon, aggregate=aggregate,
        usable_statuses=usable_statuses, n_permutations=n_permutations,
        exact_max_n=exact_max_n, seed=seed,
    )[0]  # fmt: skip


def _gold_odds_associations(
    gold_car: pd.DataFrame,
    shifts: OddsStudyResults | pd.DataFrame,
    orientations: Sequence[Orientation | None],
    *,
    horizon: Any,
    aggregate: Aggregate,
    usable_statuses: Sequence[str],
    n_permutations: int,
    exact_max_n: int,
    seed: int | None,
) -> list[GoldOddsAssociation]:
    """:func:`gold_odds_association` under each orientation (None: raw), with the options.

    The permutation tests of all of them share one stream of permutations per number of
    events (:func:`_permutation_tests_many`): each gets the permutations it would have drawn
    alone with ``seed``, and the raw and the oriented association (same events) draw them
    once instead of twice.
    """
    if aggregate not in ("mean", "median", "largest_abs"):
        raise SpecificationError(
            f"aggregate={aggregate!r} is not accepted; expected 'mean', 'median' or 'largest_abs'"
        )
    h = _to_timedelta(horizon, "horizon")
    frame = _shift_frame(shifts)
    frame = frame[pd.to_timedelta(frame["horizon"]) == h]
    if "linked" in frame:
        frame = frame[frame["linked"].astype(bool)]
    frame = frame.assign(event_id=frame["event_id"].astype(str))
    usable = frame[frame["status"].isin(usable_statuses) & np.isfinite(frame["shift_logodds"])]
    g = _gold_frame(gold_car)
    parts = [
        _association_table(g, frame, usable, _signs(orientation), h, aggregate)
        for orientation in orientations
    ]
    tables = [table for table, _ in parts]
    tests = _permutation_tests_many(
        [(t["car"].to_numpy(), t["shift_logodds"].to_numpy()) for t in tables],
        ("pearson", "spearman"), n_permutations, exact_max_n, seed,
    )  # fmt: skip
    common = {"horizon": str(h), "aggregate": aggregate, "orientation": "raw",
              "usable_statuses": list(usable_statuses), "n_permutations": n_permutations,
              "exact_max_n": exact_max_n, "seed": seed}  # fmt: skip
    out = []
    for (table, exclusions), (pearson, spearman), orientation in zip(
        parts, tests, orientations, strict=True
    ):
        x, y = table["car"].to_numpy(), table["shift_logodds"].to_numpy()
        kind = "raw" if orientation is None else "oriented"
        settings = common | {"orientation": kind, "usable_statuses": list(usable_statuses)}
        found = {"pearson_permutation": pearson, "spearman_permutation": spearman,
                 "kendall": _kendall(x, y)}  # fmt: skip
        out.append(GoldOddsAssociation(table, found, exclusions, settings))
    return out


def _association_table(
    g: pd.DataFrame,
    frame: pd.DataFrame,
    usable: pd.DataFrame,
    signs: dict[str, int] | None,
    h: pd.Timedelta,
    aggregate: Aggregate,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per event ``event_id, car, shift_logodds, n_markets`` and the events left out."""
    if signs is None:
        sign = pd.Series(1.0, index=usable.index)
    else:
        missing = sorted(set(usable["slug"].astype(str)) - set(signs))
        if missing:
            raise SpecificationError(
                f"orientation has no sign for {len(missing)} market(s) with a usable shift: "
                f"{', '.join(missing[:5])}; add them to market_orientation.csv (yes_means "
                "more_risk or less_risk)"
            )
        sign = usable["slug"].astype(str).map(signs).astype(float)
    xs = (usable["shift_logodds"] * sign).to_numpy(dtype=float)
    # each event's rows, found once (positions in file order) instead of a scan per event
    by_event = usable.groupby("event_id", sort=False).indices
    statuses = frame["status"].to_numpy()
    seen_by_event = frame.groupby("event_id", sort=False).indices
    rows, excl = [], []
    for ev_id, car in zip(g["event_id"], g["car"], strict=True):
        at = by_event.get(ev_id)
        if not np.isfinite(car):
            excl.append({"event_id": ev_id, "stage": "association", "reason": "gold CAR is NaN"})
            continue
        if at is None:
            where = seen_by_event.get(ev_id)
            seen = sorted(set(statuses[where])) if where is not None else []
            why = (
                f"no usable odds shift at {_fmt_td(h)} (statuses: {', '.join(seen)})"
                if seen
                else "no linked market in the odds results"
            )
            excl.append({"event_id": ev_id, "stage": "association", "reason": why})
            continue
        value = _aggregate(xs[at], aggregate)
        rows.append({"event_id": ev_id, "car": car, "shift_logodds": value, "n_markets": len(at)})
    table = pd.DataFrame(rows, columns=["event_id", "car", "shift_logodds", "n_markets"])
    return table, pd.DataFrame(excl, columns=["event_id", "stage", "reason"])


def _aggregate(sub: np.ndarray, aggregate: Aggregate) -> float:
    """One event's markets' shifts (finite) as one value (see :func:`gold_odds_association`).

    The mean is pandas' (the sum, pairwise as numpy adds, over the count), without building
    a Series per event.
    """
    if aggregate == "mean":
        return float(sub.sum() / float(len(sub)))
    if aggregate == "median":
        return float(pd.Series(sub).median())
    return float(sub[int(np.argmax(np.abs(sub)))])


def gold_odds_associations(
    gold_car: pd.DataFrame,
    shifts: OddsStudyResults | pd.DataFrame,
    orientation: Orientation,
    **options: Any,
) -> dict[str, GoldOddsAssociation]:
    """The gold-odds association on raw and on oriented shifts, with the same options.

    Parameters
    ----------
    gold_car, shifts
        As in :func:`gold_odds_association`.
    orientation : mapping slug -> +1/-1 or DataFrame
        :func:`eventstudy.data.orientation.load_orientation` output or a mapping.
    **options
        Passed to :func:`gold_odds_association` (``horizon``, ``aggregate``, ...).

    Returns
    -------
    dict
        ``{"raw": ..., "oriented": ...}``, two :class:`GoldOddsAssociation`. They use the same
        events; only the sign of each market's shift differs.

    Examples
    --------
    >>> orientation = load_orientation("market_orientation.csv", events)  # doctest: +SKIP
    >>> both = gold_odds_associations(gold, odds, orientation, horizon="1D")  # doctest: +SKIP
    >>> both["oriented"].tests["spearman_permutation"].stat  # doctest: +SKIP
    """
    if "orientation" in options:
        raise SpecificationError("pass orientation as the third argument, not as an option")
    raw, oriented = _gold_odds_associations(
        gold_car, shifts, (None, orientation), **(_ASSOCIATION_DEFAULTS | options)
    )
    return {"raw": raw, "oriented": oriented}


_ASSOCIATION_DEFAULTS: dict[str, Any] = {
    name: parameter.default
    for name, parameter in inspect.signature(gold_odds_association).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name != "orientation"
}
"""The defaults of :func:`gold_odds_association` (for :func:`gold_odds_associations`)."""
