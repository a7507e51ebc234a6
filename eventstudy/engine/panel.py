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

import numpy as np

from eventstudy.engine.windows import RowWindows


def window_block(cov: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``cov[:, cols][:, :, cols]``, the (N, w, w) block of a window's columns (1-D).

    For a run of columns (a closed window) only that block is copied, in the memory layout
    numpy gives the fancy index (event axis innermost), so that its sums add in the same
    order and give the same bits, several times faster and without the (N, w, L) copy.
    """
    cols = np.asarray(cols)
    if cols.size and (np.diff(cols) == 1).all():
        sl = slice(int(cols[0]), int(cols[-1]) + 1)
        return np.ascontiguousarray(cov[:, sl, sl].transpose(2, 1, 0)).transpose(2, 1, 0)
    return cov[:, cols][:, :, cols]


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
    event_cov : ndarray of float, shape (N, L2, L2)
        Prediction-error-corrected covariance of the event-window ARs (see module notes).
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
    event_cov: np.ndarray
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
