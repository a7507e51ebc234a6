r"""Market-adjusted model: :math:`AR_{it} = R_{it} - R_{mt}`, nothing estimated (k = 0).

The residual variance is :math:`s_i^2 = \sum_t AR_{it}^2 / n_i` over the estimation window, and
the event-window covariance :math:`s_i^2 I` (no parameter uncertainty).
"""

from __future__ import annotations

import numpy as np

from eventstudy.engine.models._fixed import fit_fixed
from eventstudy.engine.models.base import NormalReturnFit, NormalReturnModel, StackedWindows

__all__ = ["MarketAdjusted"]


class MarketAdjusted(NormalReturnModel):
    """Abnormal return = asset return minus benchmark return (Brown & Warner 1985)."""

    name = "market_adjusted"
    needs_benchmark = True
    uses_benchmark = True

    def n_params(self, n_regressors: int) -> int:
        """Return k = 0: nothing is estimated."""
        return 0

    def _fit(self, data: StackedWindows) -> NormalReturnFit:
        resid = np.subtract(data.y_est, data.x_est[:, :, 0])
        return fit_fixed(self.name, resid, data.valid, data.x_event[:, :, 0])
