"""Group and direction tests of the gold study: mean CAR by expected direction and category.

Frame in, labelled frame out; no I/O. Units: CARs are decimal (log) returns; ``*_pct`` columns
are percent and ``*_usd`` columns USD/oz. The orchestration lives in
:func:`eventstudy.gold.study.gold_event_study`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from eventstudy import _scipy_stats as stats

__all__ = ["group_tests", "unit_direction", "unit_label"]


def unit_direction(directions: Iterable[str]) -> str:
    """A study unit's expected gold direction from its members' directions.

    The members are the events sharing a day 0 or an episode. Their one non-``none``
    direction; ``none`` when none is told, ``mixed`` when they disagree.
    """
    told = set(directions) - {"none"}
    return "none" if not told else told.pop() if len(told) == 1 else "mixed"


def unit_label(values: Iterable[str]) -> str:
    """A study unit's label (e.g. category) from its members' labels.

    Their common value, or ``mixed``.
    """
    unique = set(values)
    return unique.pop() if len(unique) == 1 else "mixed"


_PERM_CHUNK = 256  # permutations drawn at a time (memory: _PERM_CHUNK x events floats)


# --------------------------------------------------------------------------------------------
# groups and directions
# --------------------------------------------------------------------------------------------


def _alternative(by: str, group: str) -> str:
    if by == "gold_direction":
        return {"up": "greater", "down": "less"}.get(group, "two-sided")
    return "two-sided"


def group_tests(
    cars: pd.DataFrame,
    *,
    n_permutations: int = 9999,
    seed: int = 12345,
    placebo_pool: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean CAR by expected direction and by category, and up-versus-down tests.

    Parameters
    ----------
    cars : DataFrame
        One row per studied event: ``event_id``, ``car`` (decimal), ``gold_direction``
        (up/down/none), ``category``, ``price_before`` (gold price on the day before the CAR
        window, USD/oz); with ``placebo_pool`` also ``position`` (day-0 row of the calendar)
        and ``placebo_stat`` (the event's placebo statistic, NaN = not in the placebo).
    n_permutations : int, default 9999
        Monte-Carlo permutations for the difference test (exact when fewer arrangements).
    seed : int, default 12345
    placebo_pool : Series, optional
        Pseudo-event statistics by day-0 position (:attr:`PlaceboResults.pseudo`): adds the
        placebo tests of :func:`eventstudy.gold.placebo.shift_placebo`.

    Returns
    -------
    groups : DataFrame
        ``by`` (gold_direction or category), ``group``, ``n``, ``mean_car``, ``median_car``,
        ``sd_car`` (decimal), ``mean_car_pct``, ``mean_car_usd`` (USD/oz, mean of CAR x
        price_before), ``tstat``, ``pvalue``, ``alternative`` (``greater`` for up events,
        ``less`` for down events, ``two-sided`` otherwise; t(n-1) on the events' CARs), and
        with a placebo pool ``placebo_stat`` (the group's mean placebo statistic) and
        ``pvalue_placebo`` (same alternative).
    tests : DataFrame
        ``test``, ``stat``, ``pvalue``, ``dist``, ``nobs``, ``null``, ``alternative``,
        ``reason``: Welch t, Mann-Whitney U (exact when possible) and a permutation test of the
        difference in means between up and down events (two-sided); with a placebo pool also
        ``placebo_up_minus_down``.

    Notes
    -----
    The t, Welch, Mann-Whitney and permutation tests treat events as independent draws. For one
    asset with clustered events that is an approximation; the dependence-robust versions are
    the HAC mean tests of :func:`eventstudy.gold.inference.event_dummy_regression` and the
    placebo tests, which move each group along the series with its clustering kept.
    """
    rows = []
    cars = cars.dropna(subset=["car"])
    for by in ("gold_direction", "category"):
        for group, g in cars.groupby(by, sort=True):
            c = g["car"].to_numpy(float)
            n = len(c)
            alt = _alternative(by, str(group))
            if n >= 2 and np.std(c, ddof=1) > 0:
                res = stats.ttest_1samp(c, 0.0, alternative=alt)
                t, p = float(res.statistic), float(res.pvalue)
            else:
                t = p = np.nan
            rows.append(
                {
                    "by": by,
                    "group": group,
                    "n": n,
                    "mean_car": c.mean(),
                    "median_car": float(np.median(c)),
                    "sd_car": float(np.std(c, ddof=1)) if n > 1 else np.nan,
                    "mean_car_pct": 100 * c.mean(),
                    "mean_car_usd": float((g["car"] * g["price_before"]).mean()),
                    "tstat": t,
                    "pvalue": p,
                    "alternative": alt,
                }
            )
    groups = pd.DataFrame(rows)
    up = cars.loc[cars["gold_direction"] == "up", "car"].to_numpy(float)
    down = cars.loc[cars["gold_direction"] == "down", "car"].to_numpy(float)
    null = "mean CARs of 'up' and 'down' events are equal"
    tests = []
    if len(up) >= 2 and len(down) >= 2:
        w = stats.ttest_ind(up, down, equal_var=False)
        tests.append(
            (
                "welch_t_up_vs_down",
                float(w.statistic),
                float(w.pvalue),
                f"t({float(w.df):.1f})",
                null,
                "",
            )
        )
        mw = stats.mannwhitneyu(up, down, alternative="two-sided", method="auto")
        tests.append(
            (
                "mann_whitney_up_vs_down",
                float(mw.statistic),
                float(mw.pvalue),
                "U",
                "CAR distributions of 'up' and 'down' events are equal",
                "",
            )
        )
        perm_stat, perm_p = _permutation_mean_difference(up, down, n_permutations, seed)
        tests.append(
            (
                "permutation_up_vs_down",
                perm_stat,
                perm_p,
                "permutation",
                null,
                "",
            )
        )
    else:
        for name in ("welch_t_up_vs_down", "mann_whitney_up_vs_down", "permutation_up_vs_down"):
            tests.append(
                (
                    name,
                    np.nan,
                    np.nan,
                    "",
                    null,
                    f"needs >= 2 up and >= 2 down events (have {len(up)}, {len(down)})",
                )
            )
    test_df = pd.DataFrame(tests, columns=["test", "stat", "pvalue", "dist", "null", "reason"])
    test_df.insert(4, "nobs", len(up) + len(down))
    test_df.insert(6, "alternative", "two-sided")
    if placebo_pool is not None:
        groups, test_df = _with_placebo(cars, groups, test_df, placebo_pool)
    return groups, test_df


def _with_placebo(
    cars: pd.DataFrame, groups: pd.DataFrame, tests: pd.DataFrame, pool: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the shift-placebo mean of every group and the up-minus-down difference."""
    from eventstudy.gold.placebo import shift_placebo

    ids = cars["event_id"].astype(str)
    positions = pd.Series(cars["position"].to_numpy(int), index=ids)
    values = pd.Series(cars["placebo_stat"].to_numpy(float), index=ids)
    spec = {
        f"{by}={group}": (list(ids[(cars[by] == group).to_numpy()]), _alternative(by, group))
        for by, group in zip(groups["by"], groups["group"], strict=True)
    }
    has_both = {"gold_direction=up", "gold_direction=down"} <= set(spec)
    diff = ("gold_direction=up", "gold_direction=down") if has_both else None
    res = shift_placebo(pool, positions, values, spec, difference=diff)
    by_name = res.set_index("test")
    keys = [f"placebo_mean_{by}={g}" for by, g in zip(groups["by"], groups["group"], strict=True)]
    groups = groups.assign(
        placebo_stat=by_name.loc[keys, "stat"].to_numpy(float),
        pvalue_placebo=by_name.loc[keys, "pvalue"].to_numpy(float),
    )
    null = "mean placebo statistics of 'up' and 'down' events are equal"
    if diff is None:
        row = {"test": "placebo_up_minus_down", "stat": np.nan, "pvalue": np.nan, "dist": "",
               "nobs": 0, "null": null, "alternative": "two-sided",
               "reason": "needs 'up' and 'down' events"}  # fmt: skip
    else:
        r = by_name.loc["placebo_gold_direction=up_minus_gold_direction=down"]
        row = {"test": "placebo_up_minus_down", "stat": r["stat"], "pvalue": r["pvalue"],
               "dist": r["dist"], "nobs": int(r["nobs"]), "null": null,
               "alternative": "two-sided", "reason": r["reason"]}  # fmt: skip
    return groups, pd.concat([tests, pd.DataFrame([row])], ignore_index=True)


def _permutation_mean_difference(
    x: np.ndarray, y: np.ndarray, n_permutations: int, seed: int
) -> tuple[float, float]:
    r"""Two-sided permutation test of mean(x) - mean(y).

    Exact (all C(n, n_x) relabellings, p = share with \|d\| >= \|d_obs\|) when there are at
    most ``n_permutations`` of them, else Monte Carlo with p = (1 + count) / (1 + B); the
    conventions of :func:`scipy.stats.permutation_test`, vectorised.
    """
    from itertools import combinations

    pooled = np.concatenate([x, y])
    n, nx = len(pooled), len(x)
    obs = float(x.mean() - y.mean())
    tol = 1e-14 * max(1.0, abs(obs))
    if math.comb(n, nx) <= n_permutations:
        idx = np.array(list(combinations(range(n), nx)))
        sel = np.zeros((len(idx), n), bool)
        sel[np.arange(len(idx))[:, None], idx] = True
        sx = (sel * pooled).sum(axis=1)
        d = sx / nx - (pooled.sum() - sx) / (n - nx)
        return obs, float(np.mean(np.abs(d) >= abs(obs) - tol))
    rng = np.random.default_rng(seed)
    hits = 0
    total = pooled.sum()
    # Permutation b puts x's label on the nx smallest of row b of rng.random((B, n)) (the first
    # nx of its argsort). Rows are drawn in chunks into one buffer, which consume the
    # generator as one (B, n) draw does.
    keys = np.empty((min(_PERM_CHUNK, n_permutations), n))
    labels = np.empty_like(keys)
    for c0 in range(0, n_permutations, _PERM_CHUNK):
        rows = min(_PERM_CHUNK, n_permutations - c0)
        block = keys[:rows]
        rng.random(out=block)
        sx = _smallest_key_sums(block, nx, pooled, labels[:rows])
        d = sx / nx - (total - sx) / (n - nx)
        hits += int(np.sum(np.abs(d) >= abs(obs) - tol))
    return obs, float((1 + hits) / (1 + n_permutations))


def _smallest_key_sums(
    keys: np.ndarray, k: int, values: np.ndarray, work: np.ndarray
) -> np.ndarray:
    """Per row of ``keys``, the sum of ``values`` at its ``k`` smallest keys.

    ``keys`` (rows, n) are uniform draws on [0, 1); ``work`` a float scratch array of its
    shape. Each row's k-th smallest key (:func:`_kth_smallest_uniform`) bounds the set, whose
    indicator times ``values`` is one matrix-vector product: about twice as fast as
    ``values[np.argpartition(keys, k - 1)[:, :k]].sum(axis=1)`` at 16,000 values, the same
    sums up to rounding (the permutation test's tolerance covers the order of addition). A
    row whose keys tie at its k-th (a set not defined by the keys alone) takes the first k
    of ``np.argpartition``, as before.
    """
    chosen = keys <= _kth_smallest_uniform(keys, k)[:, None]
    np.copyto(work, chosen)
    sums = work @ values
    tied = np.flatnonzero(np.count_nonzero(chosen, axis=1) != k)
    if tied.size:
        first = np.argpartition(keys[tied], k - 1, axis=1)[:, :k]
        sums[tied] = values[first].sum(axis=1)
    return sums


def _kth_smallest_uniform(keys: np.ndarray, k: int) -> np.ndarray:
    r"""The ``k``-th smallest value (1-based) of each row of uniform draws ``keys`` (rows, n).

    The k-th order statistic of n uniforms lies within a few standard deviations
    (:math:`\sqrt{p(1-p)/n}`, p = k/n) of p: the keys below a band of 6 of them around p
    are counted, the few inside it sorted, and the k-th read there (a partition of the
    whole row where it falls outside the band: the same value).
    """
    rows, n = keys.shape
    p = k / n
    half = 6.0 * math.sqrt(p * (1.0 - p) / n) + 4.0 / n
    lo, hi = p - half, p + half
    below = np.count_nonzero(keys < lo, axis=1)
    flat = np.flatnonzero((keys >= lo) & (keys < hi))  # row-major: rows in order
    row = flat // n
    counts = np.bincount(row, minlength=rows)
    band = np.full((rows, max(1, int(counts.max(initial=0)))), np.inf)
    band[row, np.arange(flat.size) - (np.cumsum(counts) - counts)[row]] = keys.ravel()[flat]
    band.sort(axis=1)
    rank = k - 1 - below  # 0-based position of the k-th inside the band
    inside = (rank >= 0) & (rank < counts)
    out = np.empty(rows)
    out[inside] = band[inside, rank[inside]]
    if not inside.all():
        outside = np.flatnonzero(~inside)
        out[outside] = np.partition(keys[outside], k - 1, axis=1)[:, k - 1]
    return out
