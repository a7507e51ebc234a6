r"""Constant-mean model: :math:`R_{it} = \mu_i + \varepsilon_{it}` (k = 1)."""

from __future__ import annotations

import numpy as np

from eventstudy.engine.models._ols import fit_ols
from eventstudy.engine.models.base import NormalReturnFit, NormalReturnModel, StackedWindows

__all__ = ["ConstantMean"]


class ConstantMean(NormalReturnModel):
    r"""Mean return of the estimation window; no benchmark (MacKinlay 1997, §4).

    The event-window covariance is :math:`s_i^2(I + \iota\iota'/n_i)` (the mean is estimated).
    """

    name = "constant_mean"

    def n_params(self, n_regressors: int) -> int:
        """Return k = 1 (the mean), whatever regressors the study holds."""
        return 1

    def _fit(self, data: StackedWindows) -> NormalReturnFit:
        none_est = np.zeros((*data.y_est.shape, 0))
        none_event = np.zeros((*data.y_event.shape, 0))
        return fit_ols(
            self.name,
            ("mu",),
            data.y_est,
            none_est,
            none_event,
            data.valid,
            overwrite_y=data.overwrite_y,
        )
