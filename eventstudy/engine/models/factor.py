r"""Factor model: :math:`R_{it} = \alpha_i + \sum_j b_{ij} F_{jt} + \varepsilon_{it}`, OLS.

k = 1 + p: the intercept and one slope per regressor (the benchmark, when given, is the first).
"""

from __future__ import annotations

from eventstudy.engine.models._ols import fit_ols
from eventstudy.engine.models.base import NormalReturnFit, NormalReturnModel, StackedWindows

__all__ = ["FactorModel"]


class FactorModel(NormalReturnModel):
    """OLS on a constant, the benchmark (if given) and the study's ``factors``."""

    name = "factor"
    uses_benchmark = True
    uses_factors = True

    def _fit(self, data: StackedWindows) -> NormalReturnFit:
        names = ("alpha", *(f"b_{name}" for name in data.regressor_names))
        return fit_ols(
            self.name,
            names,
            data.y_est,
            data.x_est,
            data.x_event,
            data.valid,
            overwrite_y=data.overwrite_y,
        )
