r"""Zero-mean model: :math:`AR_{it} = R_{it}`, the normal return is zero (k = 0).

The residual variance is :math:`s_i^2 = \sum_t R_{it}^2 / n_i` over the estimation window (the
mean is not estimated, so the divisor is :math:`n_i`), the event-window covariance
:math:`s_i^2 I`.
"""

from __future__ import annotations

import numpy as np

from eventstudy.engine.models._fixed import fit_fixed
from eventstudy.engine.models.base import NormalReturnFit, NormalReturnModel, StackedWindows

__all__ = ["ZeroMean"]


class ZeroMean(NormalReturnModel):
    """Raw returns as abnormal returns (Brown & Warner 1985's "raw returns" benchmark).

    For daily returns the mean is small next to the standard deviation, so estimating it adds
    noise; but during a sustained drift (gold in 2024-26: about +0.15 % a day) a zero normal
    return makes every abnormal return carry the drift, which biases one-sided tests far more
    than a trailing mean does (see ``benchmarks/size_power.py``).
    """

    name = "zero_mean"

    def n_params(self, n_regressors: int) -> int:
        """Return k = 0: nothing is estimated, whatever regressors the study holds."""
        return 0

    def _fit(self, data: StackedWindows) -> NormalReturnFit:
        return fit_fixed(self.name, data.y_est, data.valid, np.zeros(data.y_event.shape))
