r"""The stationary bootstrap of ``arch`` (8.0), index by index, without importing ``arch``.

Two pieces of :mod:`arch.bootstrap` are used by the placebo of the gold study
(:func:`eventstudy.gold.placebo.placebo_test`) and by the threshold claims
(:func:`eventstudy.claims.tests.passage_probability_bootstrap`):

* ``optimal_block_length`` (Politis & White 2004, with the correction of Patton, Politis &
  White 2009), here :func:`optimal_block` for one series and :func:`mean_block_length` for
  the rule both callers apply (the larger of the stationary-bootstrap lengths of a series and
  of its squares, at least 1);
* the resampled positions of ``StationaryBootstrap(block_length, ..., seed=rng)``: per draw,
  ``rng.integers(n, size=n, dtype=np.int64)`` block starts, then ``rng.random(n)`` uniforms, a
  new block where the uniform is not above ``1 / block_length``, else the next position
  (wrapping to 0), here :func:`stationary_indices`.

Importing ``arch`` costs about a second on a run's critical path (it imports its univariate
models, and with them matplotlib and statsmodels). This module repeats the same steps: the
same generator calls in the same order (so a caller drawing from the same generator between
resamples, as the placebo does, sees the same stream) and the same floating-point operations
on arrays of the same layout, so block lengths and positions are arch's, bit for bit (tested
against ``arch`` on real and generated series). The positions of a draw are computed at once
(each position is its block's start plus the distance from it, modulo ``n``: the integers
arch's loop adds one at a time).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["mean_block_length", "optimal_block", "stationary_indices"]


def optimal_block(x: np.ndarray) -> tuple[float, float]:
    r"""Optimal mean block lengths of one series: ``(stationary, circular)``, as arch's.

    ``arch.bootstrap.base._single_optimal_block``, statement by statement (the first ``m``
    where ``kn`` consecutive autocorrelations lie inside :math:`\pm 2\sqrt{\log_{10}(n)/n}`,
    a flat-top lag window up to ``2 m``, lengths capped at ``min(3 sqrt(n), n / 3)``).

    Parameters
    ----------
    x : ndarray
        One series (a column of a 2-D array in arch: pass the same view for the same bits).

    Returns
    -------
    tuple of float
        Stationary and circular bootstrap block lengths (NaN or capped when the series has
        no variation).
    """
    nobs = x.shape[0]
    eps = x - x.mean(0)
    b_max = np.ceil(min(3 * np.sqrt(nobs), nobs / 3))
    kn = max(5, int(np.log10(nobs)))
    m_max = int(np.ceil(np.sqrt(nobs))) + kn
    cv = 2 * np.sqrt(np.log10(nobs) / nobs)
    acv = np.zeros(m_max + 1)
    abs_acorr = np.zeros(m_max + 1)
    opt_m: int | None = None
    for i in range(m_max + 1):
        v1 = eps[i + 1 :] @ eps[i + 1 :]
        v2 = eps[: -(i + 1)] @ eps[: -(i + 1)]
        cross_prod = eps[i:] @ eps[: nobs - i]
        acv[i] = cross_prod / nobs
        abs_acorr[i] = np.abs(cross_prod) / np.sqrt(v1 * v2)
        if i >= kn and opt_m is None and np.all(abs_acorr[i - kn : i] < cv):
            opt_m = i - kn
    m = 2 * max(opt_m, 1) if opt_m is not None else m_max
    m = min(m, m_max)
    return _block_lengths(acv, m, nobs, b_max)


def _block_lengths(acv: np.ndarray, m: int, nobs: int, b_max: float) -> tuple[float, float]:
    """The two block lengths from the autocovariances up to lag ``m`` (arch's second half)."""
    g = 0.0
    lr_acv = acv[0]
    for k in range(1, m + 1):
        lam = 1 if k / m <= 1 / 2 else 2 * (1 - k / m)
        g += 2 * lam * k * acv[k]
        lr_acv += 2 * lam * acv[k]
    d_sb = 2 * lr_acv**2
    d_cb = 4 / 3 * lr_acv**2
    b_sb = ((2 * g**2) / d_sb) ** (1 / 3) * nobs ** (1 / 3)
    b_cb = ((2 * g**2) / d_cb) ** (1 / 3) * nobs ** (1 / 3)
    return min(b_sb, b_max), min(b_cb, b_max)


def mean_block_length(x: np.ndarray) -> float:
    """The larger stationary-bootstrap block length of ``x`` and ``x**2``, at least 1.

    ``float(max(optimal_block_length(np.column_stack([x, x**2]))["stationary"].max(), 1.0))``
    with arch's ``optimal_block_length`` (the columns are the same strided views; the
    maximum skips NaN, as pandas does, and is NaN when both are).

    Parameters
    ----------
    x : ndarray
        The series (float64).

    Returns
    -------
    float
    """
    stacked = np.asarray(np.column_stack([x, x**2]), dtype=float)
    lengths = [float(optimal_block(col)[0]) for col in stacked.T]
    finite = [b for b in lengths if not math.isnan(b)]
    top = max(finite) if finite else math.nan
    return float(max(top, 1.0))


def stationary_indices(rng: np.random.Generator, n: int, block_length: float) -> np.ndarray:
    """Positions of one stationary-bootstrap resample of ``n`` rows, as arch draws them.

    ``StationaryBootstrap(block_length, data, seed=rng)``'s ``update_indices``: block starts
    ``rng.integers(n, size=n, dtype=np.int64)``, then uniforms ``rng.random(n)``; position
    ``i > 0`` starts a new block unless its uniform is above ``1 / block_length``, else it
    follows the one before (``n`` wraps to 0).

    Parameters
    ----------
    rng : numpy.random.Generator
        Advanced by exactly the two calls above.
    n : int
        Rows of the data.
    block_length : float
        Mean block length (need not be whole).

    Returns
    -------
    ndarray of int64
        ``n`` positions in ``[0, n)``; ``data[positions]`` is arch's resample.
    """
    starts = rng.integers(n, size=n, dtype=np.int64)
    u = rng.random(n)
    pos = np.arange(n, dtype=np.int64)
    new = ~(u > 1.0 / block_length)
    new[:1] = True
    block = np.maximum.accumulate(np.where(new, pos, 0))
    return (starts[block] + (pos - block)) % n
