"""Market-adjusted model: :math:`AR_{it} = R_{it} - R_{mt}`, nothing estimated (k = 0).

The residual variance is :math:`s_i^2 = \\sum_t AR_{it}^2 / n_i` over the estimation window, and
the event-window covariance :math:`s_i^2 I` (no parameter uncertainty).
"""

from __future__ import annotations

import numpy as np

from eventstudy.engine.models._ols import ddof0_variance, nan_sum_squares
from eventstudy.engine.models.base import NormalReturnFit, NormalReturnModel, StackedWindows

__all__ = ["MarketAdjusted"]


class MarketAdjusted(NormalReturnModel):
    """Abnormal return = asset return minus benchmark return (Brown & Warner 1985)."""

    name = "market_adjusted"
    needs_benchmark = True
    uses_benchmark = True

    def n_params(self, n_regressors: int) -> int:
        """k = 0: nothing is estimated."""
        return 0

    def _fit(self, data: StackedWindows) -> NormalReturnFit:
        y_est, x_est, x_event = data.y_est, data.x_est, data.x_event
        n_ev = y_est.shape[0]
        n_win = data.y_event.shape[1]
        valid = data.valid & np.isfinite(y_est) & np.isfinite(x_est[:, :, 0])
        n = valid.sum(axis=1)
        failed = np.full(n_ev, None, dtype=object)
        resid = np.subtract(y_est, x_est[:, :, 0])
        np.copyto(resid, np.nan, where=~valid)
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma2 = nan_sum_squares(resid) / n
        failed[n < 1] = "no usable estimation observations"
        return NormalReturnFit(
            model=self.name,
            param_names=(),
            params=np.empty((n_ev, 0)),
            std_errors=np.empty((n_ev, 0)),
            k=0,
            n_est=n,
            sigma2=sigma2,
            resid_var_ddof0=ddof0_variance(resid, valid, n),
            est_resid=resid,
            normal_event=x_event[:, :, 0].astype(float),
            event_cov=sigma2[:, None, None] * np.eye(n_win),
            failed=failed,
        )
