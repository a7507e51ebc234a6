r"""The event-dummy regression in closed form, linear in the number of events.

:func:`eventstudy.gold.inference.event_dummy_regression` regresses the asset return on a
constant, the benchmark regressors and one dummy per event-window day, with Newey-West (HAC)
errors. Written as one OLS, the design has one column per distinct event day and the CAR
covariance is an events x events matrix: cubic time and quadratic memory in the catalog. This
module computes the same numbers from the structure of that regression:

* a one-day dummy fits its day exactly, so the coefficients ``b`` of the constant and the
  regressors are the OLS coefficients on the non-event days, and each dummy is that day's
  abnormal return ``y_d - z_d'b``;
* the residual of every event day is zero, so the HAC meat has only the ``b`` block:
  :math:`V_b = G S G` with :math:`G = (Z_{ne}'Z_{ne})^{-1}` and S the Bartlett-weighted
  Newey-West sum of the scores :math:`z_t\hat e_t` over the whole sample (zeros on event
  days; statsmodels' ``cov_type="HAC"`` without small-sample correction), and the dummies'
  covariance is :math:`Z_D V_b Z_D'`;
* the CAR covariance is therefore a rank-k part plus a banded part,

  .. math:: \Sigma_{ij} = a_i' V_b a_j + \sum_{s \in W_i}\sum_{t \in W_j} \omega_{|s-t|},
            \qquad a_i = \sum_{d \in W_i} z_d,

  with :math:`\omega_k` the Bartlett-weighted autocovariances of the non-event residuals (zero
  beyond ``maxlags``). :class:`CarCovariance` keeps these factors and gives the diagonal, any
  quadratic form and the Wald statistic without forming :math:`\Sigma`: identical windows are
  merged (their CARs are equal and :math:`c'\Sigma^+c` is unchanged), the banded part of the
  distinct windows, sorted by start, is factorised by a banded Cholesky and the rank-k part is
  added by the Woodbury identity.

Positions are rows of the regression sample (after rows with missing values are dropped), as
the Newey-West lags are. With GARCH scaling (``scale``) the error part is
:math:`\sum_{s \in W_i}\sum_{t \in W_j} \sigma_s\sigma_t\,\omega_{|s-t|}`, the
:math:`\omega_k` those of the standardized residuals; it stays banded and positive
semi-definite (:math:`D\Omega D`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg

__all__ = [
    "CarCovariance",
    "DummyRegression",
    "bartlett_autocov",
    "dummy_regression",
    "newey_west_meat",
]

#: Distinct windows up to which a singular banded part falls back to a dense pseudo-inverse.
DENSE_FALLBACK_MAX = 4_000


@dataclass(frozen=True)
class DummyRegression:
    """The closed-form event-dummy regression (see the module docstring).

    Attributes
    ----------
    b : ndarray, shape (k,)
        Constant and regressor coefficients (OLS on the non-event days).
    v_b : ndarray, shape (k, k)
        Their HAC covariance.
    days : ndarray of int, shape (D,)
        Sample rows that carry a dummy, ascending.
    delta : ndarray, shape (D,)
        The dummies' coefficients (the abnormal returns of those days).
    ar : ndarray, shape (T,)
        ``y - Z b`` on every sample row (the caller takes the error part's autocovariances
        from it, :func:`bartlett_autocov`, after any scaling).
    """

    b: np.ndarray
    v_b: np.ndarray
    days: np.ndarray
    delta: np.ndarray
    ar: np.ndarray


def bartlett_autocov(e: np.ndarray, maxlags: int) -> np.ndarray:
    """``w_j γ_j`` for j = 0..maxlags: Bartlett-weighted autocovariances of ``e``.

    NaN marks an event day, left out of the sums and of the count; the weights are
    ``1 - j/(maxlags + 1)``.
    """
    n = e.size
    n_ok = int(np.isfinite(e).sum())
    z = np.where(np.isfinite(e), e, 0.0)
    out = np.zeros(maxlags + 1)
    for lag in range(min(maxlags, n - 1) + 1):
        out[lag] = float(z[lag:] @ z[: n - lag]) / n_ok * (1.0 - lag / (maxlags + 1.0))
    return out


def newey_west_meat(scores: np.ndarray, maxlags: int) -> np.ndarray:
    """The HAC meat ``Σ_j w_j (X_j'X_0 + X_0'X_j)`` with Bartlett weights.

    As statsmodels' ``S_hac_simple`` (the same operations in the same order, so the same
    bits), with weights ``w_j = 1 - j / (maxlags + 1)``.

    Parameters
    ----------
    scores : ndarray, shape (n, k)
        Regressors times residuals, one row per observation, in time order.
    maxlags : int
        Bartlett-kernel lags.

    Returns
    -------
    ndarray, shape (k, k)
    """
    s = scores.T @ scores
    for lag in range(1, maxlags + 1):
        cross = scores[lag:].T @ scores[:-lag]
        s += (1.0 - lag / (maxlags + 1.0)) * (cross + cross.T)
    return s


def dummy_regression(
    y: np.ndarray, z: np.ndarray, days: np.ndarray, maxlags: int
) -> DummyRegression:
    """Fit the event-dummy regression of ``y`` on ``z`` (constant first) and day dummies.

    Parameters
    ----------
    y : ndarray, shape (T,)
    z : ndarray, shape (T, k)
        The constant and the regressors.
    days : ndarray of int
        Sample rows carrying a dummy (distinct, ascending).
    maxlags : int

    Returns
    -------
    DummyRegression
    """
    event = np.zeros(y.size, dtype=bool)
    event[days] = True
    zn, yn = z[~event], y[~event]
    pinv = np.linalg.pinv(zn)  # as statsmodels' OLS (minimum-norm when regressors collinear)
    gram_inv = pinv @ pinv.T
    b = pinv @ yn
    ar = y - z @ b
    scores = z * np.where(event, 0.0, ar)[:, None]
    v_b = gram_inv @ newey_west_meat(scores, maxlags) @ gram_inv.T
    return DummyRegression(b, v_b, days, ar[days], ar)


@dataclass(frozen=True)
class CarCovariance:
    r"""Covariance of N window sums of dummies, kept as factors (see the module docstring).

    Parameters
    ----------
    indptr, rows : ndarray of int
        Window ``i`` holds the sample rows ``rows[indptr[i]:indptr[i + 1]]`` (ascending).
    a : ndarray, shape (N, k)
        Sum of the regressors (constant first) over each window's days.
    v_b : ndarray, shape (k, k)
    autocov : ndarray, shape (m + 1,)
        ``ω_0..ω_m``; zero beyond m.
    scale : ndarray, shape (T,), optional
        Per-row standard deviation σ_t (decimal) when ``autocov`` belongs to standardized
        residuals (GARCH scaling): the error part becomes
        :math:`\sum_{s \in W_i}\sum_{t \in W_j} \sigma_s\sigma_t\,\omega_{|s-t|}`.
        None = 1 on every row.
    """

    indptr: np.ndarray
    rows: np.ndarray
    a: np.ndarray
    v_b: np.ndarray
    autocov: np.ndarray
    scale: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of windows N."""
        return self.indptr.size - 1

    def _omega(self, lag: np.ndarray) -> np.ndarray:
        m = self.autocov.size - 1
        return np.where(lag <= m, self.autocov[np.minimum(lag, m)], 0.0)

    def _padded(self, idx: np.ndarray, fill: int) -> np.ndarray:
        """(len(idx), Lmax) rows of the windows ``idx``, padded with ``fill``."""
        lengths = np.diff(self.indptr)[idx]
        width = int(lengths.max(initial=0))
        out = np.full((idx.size, width), fill, dtype=np.int64)
        col = np.arange(width)
        fill = col[None, :] < lengths[:, None]
        out[fill] = self.rows[(self.indptr[idx][:, None] + col[None, :])[fill]]
        return out

    def _cross_error(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """``γ_i'Ωγ_j`` for paired index arrays, in blocks of bounded size."""
        out = np.empty(i.size)
        lengths = np.diff(self.indptr)
        width = max(int(lengths.max(initial=1)), 1)
        step = max(1, 2_000_000 // (width * width))
        for lo in range(0, i.size, step):
            # pads far below and far above every row: no pad pair is within the lags
            pi = self._padded(i[lo : lo + step], -(1 << 40))
            pj = self._padded(j[lo : lo + step], 1 << 40)
            lag = np.abs(pi[:, :, None] - pj[:, None, :])
            omega = self._omega(lag)
            if self.scale is not None:
                omega *= self._scale_at(pi)[:, :, None] * self._scale_at(pj)[:, None, :]
            out[lo : lo + step] = omega.sum(axis=(1, 2))
        return out

    def _scale_at(self, padded: np.ndarray) -> np.ndarray:
        """σ at padded rows, 0 at the pads (outside the sample)."""
        assert self.scale is not None
        ok = (padded >= 0) & (padded < self.scale.size)
        return np.where(ok, self.scale[np.where(ok, padded, 0)], 0.0)

    def param_part(self) -> np.ndarray:
        """Diagonal of the parameter part ``a_i'V_b a_i``."""
        return np.einsum("ij,jk,ik->i", self.a, self.v_b, self.a)

    def error_part(self) -> np.ndarray:
        """Diagonal of the error part ``γ_i'Ωγ_i``."""
        idx = np.arange(self.n)
        return self._cross_error(idx, idx)

    def quad(self, w: np.ndarray) -> float:
        """``w'Σw`` for a weight vector over the N windows, in O(T m)."""
        counts = np.diff(self.indptr)
        u = np.bincount(self.rows, weights=np.repeat(w, counts))
        if self.scale is not None:
            u = u * self.scale[: u.size]
        total = self.autocov[0] * float(u @ u)
        for lag in range(1, min(self.autocov.size, u.size)):
            total += 2.0 * self.autocov[lag] * float(u[lag:] @ u[:-lag])
        aw = self.a.T @ w
        return total + float(aw @ self.v_b @ aw)

    def dense(self, idx: np.ndarray | None = None) -> np.ndarray:
        """The covariance matrix of the windows ``idx`` (all by default), formed densely."""
        idx = np.arange(self.n) if idx is None else np.asarray(idx)
        ii, jj = np.meshgrid(idx, idx, indexing="ij")
        err = self._cross_error(ii.ravel(), jj.ravel()).reshape(ii.shape)
        a = self.a[idx]
        return a @ self.v_b @ a.T + err

    def wald(self, c: np.ndarray, idx: np.ndarray) -> tuple[float, int]:
        """``c'Σ⁺c`` and the rank of Σ for the windows ``idx`` with CARs ``c``.

        Identical windows are merged first (``c`` must agree on them); the distinct ones are
        solved by banded Cholesky and Woodbury, or, when the banded part is singular, by the
        dense pseudo-inverse (up to :data:`DENSE_FALLBACK_MAX` distinct windows; NaN beyond).
        """
        keep = self._distinct(idx)
        uidx, cu = idx[keep], c[keep]
        band = self._banded_error(uidx)
        factor = _banded_cholesky(band)
        if factor is None:
            if uidx.size > DENSE_FALLBACK_MAX:
                return math.nan, uidx.size
            return _pinv_wald(self.dense(uidx), cu)
        return _woodbury_quad(factor, self.a[uidx], self.v_b, cu), int(uidx.size)

    def _distinct(self, idx: np.ndarray) -> np.ndarray:
        """Positions in ``idx`` of the first of each group of identical windows.

        Sorted by the windows' rows (so by start).
        """
        rows = self._padded(idx, -1)
        _, first = np.unique(rows, axis=0, return_index=True)
        return first

    def _banded_error(self, idx: np.ndarray) -> np.ndarray:
        """Lower banded storage of the error part of the windows ``idx`` (sorted by start)."""
        first = self.rows[self.indptr[idx]]
        last = self.rows[self.indptr[idx + 1] - 1]
        reach = last + self.autocov.size - 1  # windows further apart share no lag <= m
        bw = int((np.searchsorted(first, reach, side="right") - 1 - np.arange(idx.size)).max())
        band = np.zeros((bw + 1, idx.size))
        for d in range(bw + 1):
            i = np.arange(idx.size - d)
            band[d, : i.size] = self._cross_error(idx[i], idx[i + d])
        return band


def _banded_cholesky(band: np.ndarray) -> np.ndarray | None:
    """Lower Cholesky factor in banded storage, or None when not clearly positive definite."""
    try:
        factor = linalg.cholesky_banded(band, lower=True)
    except linalg.LinAlgError:
        return None
    diag = factor[0] ** 2
    if not (diag.min(initial=1.0) > 1e-12 * max(float(np.abs(band).max()), 1e-300)):
        return None
    return factor


def _woodbury_quad(factor: np.ndarray, a: np.ndarray, v_b: np.ndarray, c: np.ndarray) -> float:
    """``c'(B + A V A')^{-1} c`` with B given by its banded Cholesky factor."""
    w, q = np.linalg.eigh(v_b)
    r = q * np.sqrt(np.clip(w, 0.0, None))  # V = R R'
    ar = a @ r
    rhs = np.column_stack([c, ar])
    sol = linalg.cho_solve_banded((factor, True), rhs)
    bc, bar = sol[:, 0], sol[:, 1:]
    inner = np.eye(r.shape[1]) + ar.T @ bar
    t = ar.T @ bc
    return float(c @ bc - t @ np.linalg.solve(inner, t))


def _pinv_wald(s: np.ndarray, c: np.ndarray) -> tuple[float, int]:
    rank = int(np.linalg.matrix_rank(s, tol=1e-12 * max(np.abs(s).max(), 1e-300)))
    return float(c @ np.linalg.pinv(s, rcond=1e-10, hermitian=True) @ c), rank
