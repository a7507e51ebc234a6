"""The contract between the normal-return models and the test battery.

:class:`AbnormalReturnPanel` holds, for ``N`` events aligned in event time, everything the
cross-event tests in :mod:`eventstudy.engine.stats` need: estimation-window residuals, event-window
abnormal returns, residual standard deviations with their degrees of freedom, and the
prediction-error-corrected covariance of each event's event-window abnormal returns.
:mod:`eventstudy.engine.study` builds it; :mod:`eventstudy.engine.stats` only reads it.

Conventions
-----------
* Returns and abnormal returns are decimals (0.01 = 1 %), in the unit the study chose (simple or
  log); the panel does not know which and never rescales.
* Columns are trading-day offsets relative to day 0 (see :mod:`eventstudy.data.instruments`);
  ``event_rel_days`` is a closed interval ``start..end``; ``est_rel_days`` are the estimation
  window's offsets (all negative for a pre-event window).
* Missing observations are NaN. ``n_est`` counts the non-missing estimation residuals of each
  event; tests that need complete rows say how they treat NaN.
* ``event_cov[i]`` is Var(AR_i | X) = s_i^2 (I + X*_i (X_i'X_i)^{-1} X*_i') (Campbell, Lo &
  MacKinlay 1997, eq. 4.4.9), with s_i^2 = SSR_i / (n_est_i - k_i); rows/columns for missing
  event days are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from eventstudy.engine._memory import small_pages
from eventstudy.engine.windows import RowWindows


class PredictionErrorCov:
    r"""Prediction-error covariances of a model with at most one regressor, built when read.

    .. math:: V_i = s_i^2\Big[I + \tfrac{1}{n_i}\iota\iota' + \frac{d_i d_i'}{S_i}\Big],
              \qquad d_{i\tau} = R_{m\tau} - \bar R_{m,i}

    (Campbell, Lo & MacKinlay 1997, eq. 4.4.9, one regressor: the market model; without one,
    the constant-mean model, :math:`d = 0` and :math:`1/S = 0`): an (N, L, L) array held as
    its factors (N x L deviations and three numbers per event), 21 times smaller for a 21-day
    event window; rows and columns of ``blank`` days are NaN. Every read computes its
    entries with the operations, in the order, of the materialized array
    (:func:`~eventstudy.engine.models._ols.fit_ols`): the same bits. ``np.asarray(v)`` reads
    it whole; :meth:`diagonal` and :func:`window_block` read only what they need.

    Parameters
    ----------
    dev : ndarray, shape (N, L)
        :math:`d_{i\tau}`.
    inv_sxx : ndarray, shape (N,)
        :math:`1/S_i`, the inverse of the centred sum of squares of the regressor.
    inv_n : ndarray, shape (N,)
        :math:`1/n_i`.
    sigma2 : ndarray, shape (N,)
        :math:`s_i^2`.
    blank : ndarray of bool, shape (N, L), optional
        Days whose row and column are NaN.
    """

    ndim = 3
    dtype = np.dtype(float)

    def __init__(
        self,
        dev: np.ndarray,
        inv_sxx: np.ndarray,
        inv_n: np.ndarray,
        sigma2: np.ndarray,
        blank: np.ndarray | None = None,
    ) -> None:
        self.dev, self.inv_sxx, self.inv_n, self.sigma2 = dev, inv_sxx, inv_n, sigma2
        self.blank = blank

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(N, L, L)``."""
        n, width = self.dev.shape
        return (n, width, width)

    def __len__(self) -> int:
        return self.dev.shape[0]

    def __repr__(self) -> str:
        return f"PredictionErrorCov(shape={self.shape})"

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        """The whole (N, L, L) array, built (``copy=False`` cannot be met)."""
        if copy is False:
            raise ValueError(
                "PredictionErrorCov is built into a new array: copy=False is impossible"
            )
        out = np.ascontiguousarray(self._entries(np.arange(self.dev.shape[1])))
        return out if dtype is None else out.astype(dtype, copy=False)

    def __getitem__(self, key: Any) -> np.ndarray:
        """Entries of the whole array (built whole first: for many reads, ``np.asarray`` once)."""
        return np.asarray(self)[key]

    def rows(self, index: np.ndarray | slice) -> PredictionErrorCov:
        """The covariances of events ``index`` (positions or a mask), not built."""
        blank = None if self.blank is None else self.blank[index]
        return PredictionErrorCov(
            self.dev[index], self.inv_sxx[index], self.inv_n[index], self.sigma2[index], blank
        )

    def leading(self, width: int) -> PredictionErrorCov:
        """The covariances of the first ``width`` days (``v[:, :width, :width]``), not built."""
        blank = None if self.blank is None else self.blank[:, :width]
        return PredictionErrorCov(self.dev[:, :width], self.inv_sxx, self.inv_n, self.sigma2, blank)

    def with_blank(self, blank: np.ndarray) -> PredictionErrorCov:
        """The same covariances with the rows and columns of ``blank`` days NaN as well."""
        both = blank if self.blank is None else (blank | self.blank)
        return PredictionErrorCov(self.dev, self.inv_sxx, self.inv_n, self.sigma2, both)

    def diagonal(self) -> np.ndarray:
        """``np.diagonal(v, axis1=1, axis2=2)``: the (N, L) variances of each day.

        (Not ``ndarray.diagonal()``, whose default axes are 0 and 1.)
        """
        d = self.dev
        out = d * self.inv_sxx[:, None]
        out *= d
        out += self.inv_n[:, None]
        out += 1.0
        out *= self.sigma2[:, None]
        if self.blank is not None:
            np.copyto(out, np.nan, where=self.blank)
        return out

    def _entries(self, cols: np.ndarray) -> np.ndarray:
        """``v[:, cols][:, :, cols]``, an (N, w, w) array with the event axis innermost.

        The layout :func:`window_block` reads (the sums over a window add in that order),
        written straight into memory: no C-ordered block to transpose and copy.
        """
        d = np.ascontiguousarray(self.dev[:, cols].T)  # (w, N)
        scaled = d * self.inv_sxx  # d_it / S_i: (d[:, cols] * inv_sxx[:, None]).T
        out = np.multiply(d[:, None, :], scaled[None, :, :])  # out[j, i] = v[:, i, j] so far
        out += self.inv_n
        same = cols[:, None] == cols[None, :]
        if same.any():
            out[same.T] += 1.0
        out *= self.sigma2
        if self.blank is not None:
            blank = np.ascontiguousarray(self.blank[:, cols].T)
            np.copyto(out, np.nan, where=blank[None, :, :] | blank[:, None, :])
        return out.transpose(2, 1, 0)


def cov_diagonal(cov: np.ndarray | PredictionErrorCov) -> np.ndarray:
    """The (N, L) diagonals of covariances (N, L, L): an array's view, or built."""
    if isinstance(cov, PredictionErrorCov):
        return cov.diagonal()
    return np.diagonal(cov, axis1=1, axis2=2)


def window_block(cov: np.ndarray | PredictionErrorCov, cols: np.ndarray) -> np.ndarray:
    """``cov[:, cols][:, :, cols]``, the (N, w, w) block of a window's columns (1-D).

    For a run of columns (a closed window) only that block is copied (or, from
    :class:`PredictionErrorCov`, built), in the memory layout numpy gives the fancy index
    (event axis innermost), so that its sums add in the same order and give the same bits,
    several times faster and without the (N, w, L) copy.
    """
    cols = np.asarray(cols)
    with small_pages():  # a fresh (N, w, w) array, written once
        if isinstance(cov, PredictionErrorCov):
            return cov._entries(cols)
        if cols.size and (np.diff(cols) == 1).all():
            block = cov[:, int(cols[0]) : int(cols[-1]) + 1, int(cols[0]) : int(cols[-1]) + 1]
        else:
            return cov[:, cols][:, :, cols]
        return np.ascontiguousarray(block.transpose(2, 1, 0)).transpose(2, 1, 0)


@dataclass(frozen=True)
class AbnormalReturnPanel:
    """Abnormal returns of N events in event time, with what the variance formulas need.

    Attributes
    ----------
    event_ids : ndarray of str, shape (N,)
    est_rel_days : ndarray of int, shape (Le,)
        Relative day of each estimation column.
    est_ar : ndarray of float, shape (N, Le)
        Estimation-window residuals (NaN where missing).
    est_dates : ndarray of datetime64[D], shape (N, Le), or RowWindows
        Calendar date of each estimation cell (NaT where the event has no such day); used for
        calendar-time alignment (e.g. the Kolari-Pynnonen correlation). A study whose
        estimation windows are runs of rows of its data gives
        :class:`~eventstudy.engine.windows.RowWindows` (the same dates, read when asked:
        ``np.asarray(panel.est_dates)``, or a block of rows ``panel.est_dates[lo:hi]``).
    event_rel_days : ndarray of int, shape (L2,)
    event_ar : ndarray of float, shape (N, L2)
        Event-window abnormal returns (NaN where missing).
    event_dates : ndarray of datetime64[D], shape (N, L2)
    sigma : ndarray of float, shape (N,)
        Residual standard deviation s_i with the textbook divisor ``n_est - k``.
    n_est : ndarray of int, shape (N,)
        Non-missing estimation observations L1_i.
    k : ndarray of int, shape (N,)
        Parameters estimated by the normal-return model (0 market-adjusted, 1 constant mean,
        2 market model, 1 + number of factors for a factor model).
    event_cov : ndarray of float, shape (N, L2, L2), or PredictionErrorCov
        Prediction-error-corrected covariance of the event-window ARs (see module notes).
        A market-model or constant-mean study gives :class:`PredictionErrorCov` (the same
        numbers, held as factors and built when read: ``np.asarray(panel.event_cov)``,
        :func:`cov_diagonal`, :func:`window_block`).
    est_market : ndarray of float, shape (N, Le), RowWindows, or None
        Benchmark returns in the estimation window (None for models without a benchmark);
        RowWindows as ``est_dates``.
    event_market : ndarray of float, shape (N, L2) or None
        Benchmark returns in the event window.
    assets : ndarray of str, shape (N,) or None
        The asset of each event, when known. Cross-sectional-correlation corrections
        (Kolari-Pynnonen) need events of different assets: with one asset they report NaN
        with the reason.
    """

    event_ids: np.ndarray
    est_rel_days: np.ndarray
    est_ar: np.ndarray
    est_dates: np.ndarray | RowWindows
    event_rel_days: np.ndarray
    event_ar: np.ndarray
    event_dates: np.ndarray
    sigma: np.ndarray
    n_est: np.ndarray
    k: np.ndarray
    event_cov: np.ndarray | PredictionErrorCov
    est_market: np.ndarray | RowWindows | None = None
    event_market: np.ndarray | None = None
    assets: np.ndarray | None = None

    @property
    def n_events(self) -> int:
        """Number of events N (rows of ``event_ar``)."""
        return int(self.event_ar.shape[0])

    def window_index(self, window: tuple[int, int]) -> np.ndarray:
        """Column positions of the closed event-time interval ``window = (start, end)``."""
        start, end = window
        mask = (self.event_rel_days >= start) & (self.event_rel_days <= end)
        if not mask.any() or start > end:
            raise ValueError(
                f"window {window} is outside the event window "
                f"({self.event_rel_days[0]}, {self.event_rel_days[-1]})"
            )
        return np.flatnonzero(mask)
