"""The association's permutation tests, fast path against the straightforward one.

:func:`eventstudy.odds.association._permuted_correlations` scales each pair once and computes
a block of permuted correlations as one gather and one product;
:func:`eventstudy.odds.association.gold_odds_associations` draws the raw and the oriented
association's permutations once. The straightforward computation (each pair alone, every
permuted row centred and scaled again) must give the same correlations to 1e-12 and the same
p-values, bit for bit, for a given seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.odds.association import (
    _CHUNK_CELLS,
    _aggregate,
    _pearson_rows,
    _permutation_tests,
    _permutation_tests_many,
    _permuted_correlations,
    gold_odds_association,
    gold_odds_associations,
)
from eventstudy.odds.shift import _TIE_TOL


def _straightforward(x: np.ndarray, y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Pearson r of ``x`` with each row of ``rng.permuted(np.tile(y, (n, 1)), axis=1)``."""
    rng = np.random.default_rng(seed)
    return _pearson_rows(x, rng.permuted(np.tile(y, (n, 1)), axis=1))


def _p(rs: np.ndarray, r: float) -> float:
    return (1 + int(np.sum(np.abs(rs) >= abs(r) - _TIE_TOL))) / (1 + len(rs))


values = st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 3))  # ties happen


@settings(max_examples=60, deadline=None)
@given(
    data=st.integers(3, 40).flatmap(
        lambda n: st.tuples(
            st.lists(values, min_size=n, max_size=n), st.lists(values, min_size=n, max_size=n)
        )
    ),
    n_perm=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
)
def test_permuted_correlations_match_the_straightforward_ones(data, n_perm, seed):
    x, y = (np.asarray(v, float) for v in data)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return
    (fast,) = _permuted_correlations([(x, y)], n_perm, seed)
    slow = _straightforward(x, y, n_perm, seed)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
    r = float(_pearson_rows(x, y[None, :])[0])
    assert _p(fast, r) == _p(slow, r)


def test_permuted_correlations_across_blocks():
    """More permutations than one block holds: the stream continues across blocks."""
    rng = np.random.default_rng(3)
    size = 500
    n = 3 * (_CHUNK_CELLS // size) + 7
    x, y = rng.normal(size=size), rng.normal(size=size)
    (fast,) = _permuted_correlations([(x, y)], n, 11)
    np.testing.assert_allclose(fast, _straightforward(x, y, n, 11), rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(3, 30),
    k=st.integers(1, 4),
    seed=st.integers(0, 1000),
    draw=st.integers(0, 1000),
)
def test_shared_stream_gives_each_dataset_its_own_tests(n, k, seed, draw):
    """Datasets tested together get what each gets alone (exact, Monte Carlo, sizes mixed)."""
    rng = np.random.default_rng(draw)
    sets = [(rng.normal(size=m).round(1), rng.normal(size=m).round(1))
            for m in [n] * k + [max(3, n - 1)]]  # fmt: skip
    together = _permutation_tests_many(sets, ("pearson", "spearman"), 199, 5, seed)
    for (x, y), tests in zip(sets, together, strict=True):
        assert tests == _permutation_tests(x, y, ("pearson", "spearman"), 199, 5, seed)


def test_raw_and_oriented_together_equal_each_alone():
    rng = np.random.default_rng(5)
    events = [f"e{i}" for i in range(40)]
    slugs = [f"m{j}" for j in range(6)]
    rows = [{"event_id": e, "slug": s, "horizon": pd.Timedelta("1D"), "linked": True,
             "status": "ok", "shift_logodds": rng.normal()}
            for e in events for s in rng.choice(slugs, 2, replace=False)]  # fmt: skip
    shifts = pd.DataFrame(rows)
    car = pd.DataFrame({"event_id": events, "car": rng.normal(0, 0.01, len(events))})
    signs = {s: (1 if j % 2 else -1) for j, s in enumerate(slugs)}
    both = gold_odds_associations(car, shifts, signs, n_permutations=999, seed=7)
    alone = {
        "raw": gold_odds_association(car, shifts, n_permutations=999, seed=7),
        "oriented": gold_odds_association(
            car, shifts, orientation=signs, n_permutations=999, seed=7
        ),
    }
    for kind in ("raw", "oriented"):
        pd.testing.assert_frame_equal(both[kind].table, alone[kind].table)
        assert both[kind].tests == alone[kind].tests
        assert both[kind].settings == alone[kind].settings


@settings(max_examples=200, deadline=None)
@given(
    shifts=st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=40),
    how=st.sampled_from(["mean", "median", "largest_abs"]),
)
def test_an_events_aggregate_is_the_pandas_one(shifts, how):
    """Bit for bit what ``Series.mean`` / ``median`` / the largest absolute value give."""
    sub = pd.Series(shifts, dtype=float)
    if how == "mean":
        expected = float(sub.mean())
    elif how == "median":
        expected = float(sub.median())
    else:
        expected = float(sub.iloc[int(np.argmax(sub.abs().to_numpy()))])
    assert _aggregate(sub.to_numpy(), how) == expected
