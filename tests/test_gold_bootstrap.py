"""The stationary bootstrap without ``arch`` (:mod:`eventstudy.gold.bootstrap`): arch's block
lengths and resampled positions, bit for bit, on real and generated series; and the threshold
claims' bootstrap probabilities as they were computed with ``arch``."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.claims.tests import passage_probability_bootstrap
from eventstudy.data.store import load_prices, load_series
from eventstudy.gold.bootstrap import mean_block_length, optimal_block, stationary_indices

bootstrap = pytest.importorskip("arch.bootstrap")


def _arch_lengths(x: np.ndarray) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return bootstrap.optimal_block_length(np.column_stack([x, x**2]))


def _assert_lengths_are_archs(x: np.ndarray) -> None:
    obl = _arch_lengths(x)
    stacked = np.column_stack([x, x**2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ours = [optimal_block(col) for col in stacked.T]
        mine = mean_block_length(x)
    np.testing.assert_array_equal(np.array(ours, dtype=float), obl.to_numpy())
    expected = float(max(obl["stationary"].max(), 1.0))
    assert mine == expected or (math.isnan(mine) and math.isnan(expected))


def _real_series(snapshot_dir) -> list[np.ndarray]:
    close = load_prices("GC=F", snapshot_dir)["close"]
    returns = np.log(close).diff().dropna().to_numpy()
    gprd = load_series("GPRD", snapshot_dir).dropna().diff().dropna().to_numpy()
    return [returns, returns[-250:], returns[-60:], gprd, gprd[-250:]]


def test_block_lengths_are_archs_on_real_series(snapshot_dir):
    for x in _real_series(snapshot_dir):
        _assert_lengths_are_archs(x)


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(8, 3000),
    phi=st.floats(-0.95, 0.95),
    kind=st.sampled_from(["normal", "t", "ar", "rounded"]),
)
def test_block_lengths_are_archs_on_generated_series(seed, n, phi, kind):
    rng = np.random.default_rng(seed)
    x = rng.standard_t(3, n) if kind == "t" else rng.standard_normal(n)
    if kind == "ar":  # autocorrelated: long blocks, the cap b_max binds for strong phi
        for t in range(1, n):
            x[t] += phi * x[t - 1]
    if kind == "rounded":  # ties and zeros
        x = np.round(x)
    _assert_lengths_are_archs(x * 0.01)


def test_block_lengths_are_archs_without_variation():
    """A constant series: 0 / 0 in arch's formula (NaN), then the floor of 1."""
    _assert_lengths_are_archs(np.full(40, 0.5))


def _arch_draws(n: int, block_length: float, seed: int, reps: int, between: int) -> list:
    """arch's resampled positions; ``between`` integers drawn from the same generator after
    each resample (as the gold placebo draws its window starts)."""
    rng = np.random.default_rng(seed)
    bs = bootstrap.StationaryBootstrap(block_length, np.arange(n), seed=rng)
    out = []
    for data in bs.bootstrap(reps):
        out.append((data[0][0].copy(), rng.integers(0, 10**6, size=between)))
    return out


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 400),
    block_length=st.one_of(st.floats(0.2, 60.0), st.sampled_from([1.0, 2.0, 7.0, 1e9, 0.999999])),
    between=st.integers(0, 5),
)
def test_positions_are_archs(seed, n, block_length, between):
    expected = _arch_draws(n, block_length, seed, 6, between)
    rng = np.random.default_rng(seed)
    for positions, after in expected:
        got = stationary_indices(rng, n, block_length)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, positions)
        np.testing.assert_array_equal(rng.integers(0, 10**6, size=between), after)


def _passage_with_arch(steps, excursions, distance, horizons, n_boot, seed):
    """:func:`passage_probability_bootstrap` as it was written with ``arch``."""
    r = np.asarray(steps, dtype=float)
    n_max = max([int(n) for n in horizons] + [1])
    obl = bootstrap.optimal_block_length(np.column_stack([r, r**2]))
    block_length = float(max(obl["stationary"].max(), 1.0))
    per_path = math.ceil(n_max / len(r))
    bs = bootstrap.StationaryBootstrap(
        block_length, np.arange(len(r)), seed=np.random.default_rng(seed)
    )
    draws = bs.bootstrap(n_boot * per_path)
    idx = np.array(
        [
            np.concatenate([next(draws)[0][0] for _ in range(per_path)])[:n_max]
            for _ in range(n_boot)
        ]
    )
    return idx, block_length


@pytest.mark.parametrize("horizons", [[21, 63], [21, 63, 300]])
def test_threshold_bootstrap_is_the_one_computed_with_arch(snapshot_dir, horizons):
    """Same block length and, through the same paths, the same probabilities (a horizon past
    the sample appends resamples)."""
    steps = _real_series(snapshot_dir)[1]
    excursions = np.abs(steps) * 0.5
    idx, block = _passage_with_arch(steps, excursions, 0.05, horizons, 300, 7)
    table, got_block = passage_probability_bootstrap(
        steps, excursions, 0.05, horizons, n_boot=300, seed=7
    )
    assert got_block == block
    path = np.cumsum(steps[idx], axis=1)
    best = np.maximum.accumulate(path, axis=1)
    trailing = table.loc[(table["drift"] == "trailing") & (table["basis"] == "close")]
    for n, p in zip(trailing["sessions"], trailing["probability"], strict=True):
        assert p == float((best[:, n - 1] >= 0.05).mean())
