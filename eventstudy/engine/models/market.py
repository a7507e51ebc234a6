r"""Market model: :math:`R_{it} = \alpha_i + \beta_i R_{mt} + \varepsilon_{it}`, OLS (k = 2)."""

from __future__ import annotations

from eventstudy.engine.models._ols import fit_ols
from eventstudy.engine.models.base import NormalReturnFit, NormalReturnModel, StackedWindows
from eventstudy.engine.windows import RowWindows

__all__ = ["MarketModel"]


class MarketModel(NormalReturnModel):
    """OLS market model on the benchmark (MacKinlay 1997, §4; CLM §4.3)."""

    name = "market"
    needs_benchmark = True
    uses_benchmark = True
    regressors_by_block = True

    def n_params(self, n_regressors: int) -> int:
        """Return k = 2 (alpha and beta)."""
        return 2

    def _fit(self, data: StackedWindows) -> NormalReturnFit:
        x_est = data.x_est  # the benchmark: RowWindows are read a block at a time by fit_ols
        if not isinstance(x_est, RowWindows):
            x_est = x_est[:, :, :1]
        x_event = data.x_event[:, :, :1]
        return fit_ols(
            self.name,
            ("alpha", "beta"),
            data.y_est,
            x_est,
            x_event,
            data.valid,
            overwrite_y=data.overwrite_y,
        )
