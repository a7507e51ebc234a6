"""The GARCH(1,1) fit without ``arch`` (:mod:`eventstudy.gold.garch`): the same numbers as
``arch_model(..., mean="Zero", vol="GARCH", p=1, q=1, rescale=False).fit(disp="off")``, bit for
bit, on seeded and generated series (including ones whose variance bounds bind)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.gold import garch
from eventstudy.gold.garch import fit_garch11, garch11_variance

arch = pytest.importorskip("arch")


def _arch_fit(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("ignore")
        fit = arch.arch_model(x, mean="Zero", vol="GARCH", p=1, q=1, rescale=False).fit(disp="off")
    return np.asarray(fit.params), np.asarray(fit.conditional_volatility), fit.convergence_flag


def _assert_same(x: np.ndarray) -> None:
    params, vol, flag = _arch_fit(x)
    ours = fit_garch11(x)
    np.testing.assert_array_equal(ours.params, params)
    np.testing.assert_array_equal(np.sqrt(ours.variance), vol)
    assert ours.status == flag


def _garch_path(rng: np.random.Generator, n: int, alpha: float, beta: float) -> np.ndarray:
    x, h = np.empty(n), 1.0
    for t in range(n):
        x[t] = np.sqrt(h) * rng.standard_normal()
        h = 0.05 + alpha * x[t] ** 2 + beta * h
    return x


@pytest.mark.parametrize("loop_days", [garch.LOOP_DAYS, 0])
@pytest.mark.parametrize("seed", range(6))
def test_fit_is_arch_to_the_bit_on_seeded_series(seed, loop_days, monkeypatch):
    """By the loop on Python floats and by scipy's lfilter (``LOOP_DAYS`` 0)."""
    monkeypatch.setattr(garch, "LOOP_DAYS", loop_days)
    rng = np.random.default_rng(seed)
    n = int(rng.integers(200, 3000))
    series = [
        rng.standard_normal(n) * 1.3,
        rng.standard_t(3, n),
        _garch_path(rng, n, 0.1, 0.85),
    ]
    for x in series:
        _assert_same(x)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(20, 600),
    log_scale=st.floats(-8, 8),
    calm_start=st.booleans(),
    spikes=st.integers(0, 4),
)
def test_fit_is_arch_to_the_bit_where_bounds_bind(seed, n, log_scale, calm_start, spikes):
    """Scales far from 1, a calm first half and spikes make arch's variance bounds bind."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * np.exp(log_scale)
    if calm_start:
        x[: n // 2] *= 1e-4
    x[rng.integers(0, n, spikes)] *= 1e4
    _assert_same(x)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 300),
    omega=st.floats(1e-6, 10),
    alpha=st.floats(0, 1),
    beta=st.floats(0, 1.2),
    loop_days=st.sampled_from([garch.LOOP_DAYS, 0, 7]),
)
def test_filter_is_the_plain_recursion(seed, n, omega, alpha, beta, loop_days):
    """The filtered variance equals the loop h_t = bound(w + a e_{t-1}^2 + b h_{t-1}) exactly,
    by the loop on Python floats, by scipy's lfilter (``LOOP_DAYS`` 0) and by both (7)."""
    rng = np.random.default_rng(seed)
    sq = (rng.standard_normal(n) * 3) ** 2
    lo, hi = np.full(n, 0.5), np.full(n, 20.0)
    backcast = float(sq[: min(n, 5)].mean())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(garch, "LOOP_DAYS", loop_days)
        got = garch11_variance((omega, alpha, beta), sq, backcast, (lo, hi))
    want, prev_sq, prev_h = np.empty(n), backcast, backcast
    for t in range(n):
        h = omega
        h += alpha * prev_sq
        h += beta * prev_h
        h = lo[t] if h < lo[t] else (hi[t] + np.log(h / hi[t]) if h > hi[t] else h)
        want[t], prev_sq, prev_h = h, sq[t], h
    np.testing.assert_array_equal(got, want)
