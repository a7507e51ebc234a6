"""Factor model: :math:`R_{it} = \\alpha_i + \\sum_j b_{ij} F_{jt} + \\varepsilon_{it}`, OLS.

k = 1 + p: the intercept and one slope per regressor (the benchmark, when given, is the first).
"""

from __future__ import annotations

import numpy as np

from eventstudy.engine.models._ols import fit_ols
from eventstudy.engine.models.base import NormalReturnFit, NormalReturnModel

__all__ = ["FactorModel"]


class FactorModel(NormalReturnModel):
    """OLS on a constant, the benchmark (if given) and the study's ``factors``."""

    name = "factor"
    uses_benchmark = True
    uses_factors = True

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
        """See :meth:`NormalReturnModel.fit`; parameters ``alpha`` and ``b_<name>``."""
        names = ("alpha", *(f"b_{name}" for name in regressor_names))
        return fit_ols(self.name, names, y_est, x_est, x_event, valid)
