"""Market model: :math:`R_{it} = \\alpha_i + \\beta_i R_{mt} + \\varepsilon_{it}`, OLS (k = 2)."""

from __future__ import annotations

import numpy as np

from eventstudy.engine.models._ols import fit_ols
from eventstudy.engine.models.base import NormalReturnFit, NormalReturnModel

__all__ = ["MarketModel"]


class MarketModel(NormalReturnModel):
    """OLS market model on the benchmark (MacKinlay 1997, §4; CLM §4.3)."""

    name = "market"
    needs_benchmark = True
    uses_benchmark = True

    def n_params(self, n_regressors: int) -> int:
        """k = 2 (alpha and beta)."""
        return 2

    def fit(
        self,
        y_est: np.ndarray,
        x_est: np.ndarray,
        y_event: np.ndarray,
        x_event: np.ndarray,
        valid: np.ndarray,
        *,
        regressor_names: tuple[str, ...] = (),
        forecast_steps: np.ndarray | None = None,
    ) -> NormalReturnFit:
        """See :meth:`NormalReturnModel.fit`; the benchmark is ``x[..., 0]``."""
        return fit_ols(
            self.name, ("alpha", "beta"), y_est, x_est[:, :, :1], x_event[:, :, :1], valid
        )
