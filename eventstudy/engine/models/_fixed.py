"""The fit of a model that estimates nothing: the normal return is given, not fitted (k = 0).

Shared by :class:`~eventstudy.engine.models.market_adjusted.MarketAdjusted` (normal return =
the benchmark's) and :class:`~eventstudy.engine.models.zero_mean.ZeroMean` (normal return = 0).
"""

from __future__ import annotations

import numpy as np

from eventstudy.engine.models._ols import ddof0_variance, nan_sum_squares
from eventstudy.engine.models.base import NormalReturnFit

__all__ = ["fit_fixed"]


def fit_fixed(
    name: str, resid: np.ndarray, valid: np.ndarray, normal_event: np.ndarray
) -> NormalReturnFit:
    r"""Fit of a normal return fixed in advance, for N events at once.

    Parameters
    ----------
    name : str
        Model name recorded in the fit.
    resid : ndarray, shape (N, Le)
        Estimation-window abnormal returns (return minus the fixed normal return); NaN where
        missing.
    valid : ndarray of bool, shape (N, Le)
        Rows usable for estimation (rows with NaN in ``resid`` are dropped too).
    normal_event : ndarray, shape (N, L2)
        The normal returns of the event window.

    Returns
    -------
    NormalReturnFit

    Notes
    -----
    Nothing is estimated (k = 0), so there is no parameter-uncertainty term:
    :math:`s_i^2 = \frac{1}{n_i}\sum_t AR_{it}^2` (divisor :math:`n_i`, the mean is not
    estimated) and :math:`V_i = s_i^2 I` (Brown & Warner 1985).
    """
    valid = valid & np.isfinite(resid)
    resid = np.where(valid, resid, np.nan)
    n = valid.sum(axis=1)
    n_ev, n_win = normal_event.shape
    failed = np.full(n_ev, None, dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = nan_sum_squares(resid) / n
    failed[n < 1] = "no usable estimation observations"
    return NormalReturnFit(
        model=name,
        param_names=(),
        params=np.empty((n_ev, 0)),
        std_errors=np.empty((n_ev, 0)),
        k=0,
        n_est=n,
        sigma2=sigma2,
        resid_var_ddof0=ddof0_variance(resid, valid, n),
        est_resid=resid,
        normal_event=normal_event.astype(float),
        event_cov=sigma2[:, None, None] * np.eye(n_win),
        failed=failed,
    )
