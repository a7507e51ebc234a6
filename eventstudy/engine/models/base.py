"""The contract of a normal-return model, and what a fit returns.

Every model is fitted on each event's estimation window and returns, per event, the
parameters, their standard errors, the residual variance with the textbook divisor ``n - k``,
the estimation residuals, the normal (expected) returns in the event window and the
prediction-error-corrected covariance of the event-window abnormal returns.

Inputs are *stacked windows*: ``y_est`` (N, Le) asset returns on the estimation offsets,
``x_est`` (N, Le, p) regressors (no constant column), ``y_event``/``x_event`` likewise on the
event offsets, all decimal returns (log or simple, as the study chose; the models never rescale
them). NaN marks a missing observation; ``valid`` selects the estimation rows used.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from eventstudy.engine.panel import PredictionErrorCov
from eventstudy.engine.windows import RowWindows

__all__ = [
    "NormalReturnFit",
    "NormalReturnModel",
    "StackedWindows",
    "accepts_overwrite_y",
    "reads_regressors_by_block",
]


@dataclass(frozen=True)
class StackedWindows:
    """What a model is fitted on (see the module docstring for the shapes)."""

    y_est: np.ndarray
    x_est: np.ndarray | RowWindows  # RowWindows: one regressor (see regressors_by_block)
    y_event: np.ndarray
    x_event: np.ndarray
    valid: np.ndarray
    regressor_names: tuple[str, ...] = ()
    forecast_steps: np.ndarray | None = None
    overwrite_y: bool = False  # the model may write its residuals into y_est


@dataclass(frozen=True)
class NormalReturnFit:
    r"""Fitted normal-return model for N events (arrays, event order as given).

    Attributes
    ----------
    model : str
    param_names : tuple of str
        Mean-equation parameters (``alpha``, ``beta``, ``b_<name>``, ``mu``), then for GARCH
        ``omega``, ``arch_alpha``, ``garch_beta`` (variance in decimal-return units squared).
    params, std_errors : ndarray, shape (N, n_params)
        OLS standard errors are :math:`s_i \sqrt{[(X_i'X_i)^{-1}]_{jj}}`.
    k : int
        Number of estimated mean parameters (degrees of freedom used).
    n_est : ndarray of int, shape (N,)
        Non-missing estimation observations used.
    sigma2 : ndarray, shape (N,)
        :math:`s_i^2 = SSR_i / (n_i - k)` (CLM eq. 4.4.4 generalised).
    resid_var_ddof0 : ndarray, shape (N,)
        :math:`\frac1{n_i}\sum_t (\hat\varepsilon_{it} - \bar{\hat\varepsilon}_i)^2`
        (``np.var``; PyPI eventstudy's convention).
    est_resid : ndarray, shape (N, Le)
        Estimation residuals (NaN where not used).
    normal_event : ndarray, shape (N, L2)
        Normal returns in the event window.
    event_cov : ndarray, shape (N, L2, L2), or PredictionErrorCov
        :math:`V_i = s_i^2 (I + X^*_i (X_i'X_i)^{-1} X^{*\prime}_i)` (CLM eq. 4.4.9); for GARCH,
        the diagonal matrix of conditional variance forecasts.
    failed : ndarray of object, shape (N,)
        ``None`` or the reason the model could not be fitted for that event.
    """

    model: str
    param_names: tuple[str, ...]
    params: np.ndarray
    std_errors: np.ndarray
    k: int
    n_est: np.ndarray
    sigma2: np.ndarray
    resid_var_ddof0: np.ndarray
    est_resid: np.ndarray
    normal_event: np.ndarray
    event_cov: np.ndarray | PredictionErrorCov
    failed: np.ndarray


class NormalReturnModel(ABC):
    """A normal-return model: what it needs and how it is fitted for many events at once.

    Subclasses set the class attributes and implement :meth:`fit`. Build one by name with
    :func:`eventstudy.engine.models.normal_return_model`.
    """

    name: ClassVar[str]
    """Canonical name (``"market"``, ``"constant_mean"``, ...)."""
    needs_benchmark: ClassVar[bool] = False
    """The model cannot be fitted without benchmark returns."""
    uses_benchmark: ClassVar[bool] = False
    """Benchmark returns, when given, are the first regressor."""
    uses_factors: ClassVar[bool] = False
    """The study's ``factors`` are regressors."""
    regressors_by_block: ClassVar[bool] = False
    """The class's own ``_fit`` also takes ``x_est`` as
    :class:`~eventstudy.engine.windows.RowWindows` of one regressor (N, Le) and reads it a
    block of events at a time (never whole). A subclass overriding ``_fit`` does not inherit
    it (see :func:`reads_regressors_by_block`)."""

    def n_params(self, n_regressors: int) -> int:
        """Return the number of estimated mean parameters k, given the number of regressors p."""
        return 1 + n_regressors

    def fit(
        self,
        y_est: np.ndarray,
        x_est: np.ndarray | RowWindows,
        y_event: np.ndarray,
        x_event: np.ndarray,
        valid: np.ndarray,
        *,
        regressor_names: tuple[str, ...] = (),
        forecast_steps: np.ndarray | None = None,
        overwrite_y: bool = False,
    ) -> NormalReturnFit:
        """Fit the model on every event's estimation window at once.

        Parameters
        ----------
        y_est : ndarray, shape (N, Le)
            Asset returns (decimal) on the estimation offsets.
        x_est : ndarray, shape (N, Le, p), or RowWindows
            Regressors without a constant; a model with ``regressors_by_block`` also takes
            :class:`~eventstudy.engine.windows.RowWindows` (N, Le) of one regressor.
        y_event, x_event : ndarray, shapes (N, L2) and (N, L2, p)
            The same on the event offsets.
        valid : ndarray of bool, shape (N, Le)
            Rows usable for estimation; rows with NaN in ``y_est`` or ``x_est`` are dropped too.
        regressor_names : tuple of str
            Names of the regressors (factor-model parameter names ``b_<name>``).
        forecast_steps : ndarray of int, shape (L2,), optional
            Steps ahead of each event offset from the last estimation offset (GARCH; default
            ``1..L2``).
        overwrite_y : bool, default False
            The model may write its estimation residuals into ``y_est`` (a float64,
            C-contiguous, writable array) and return that array as ``est_resid``, sparing an
            N x Le array; ``y_est`` then no longer holds the returns. The OLS models do; the
            others ignore it.

        Returns
        -------
        NormalReturnFit
        """
        data = StackedWindows(
            np.asarray(y_est, dtype=float),
            x_est if isinstance(x_est, RowWindows) else np.asarray(x_est, dtype=float),
            np.asarray(y_event, dtype=float),
            np.asarray(x_event, dtype=float),
            np.asarray(valid, dtype=bool),
            tuple(regressor_names),
            forecast_steps,
            overwrite_y,
        )
        return self._fit(data)

    @abstractmethod
    def _fit(self, data: StackedWindows) -> NormalReturnFit:
        """Fit the model to the stacked windows (:meth:`fit` builds them as float arrays)."""

    def __repr__(self) -> str:
        """Return ``ClassName()``: models carry no state beyond their class."""
        return f"{type(self).__name__}()"


def reads_regressors_by_block(model: NormalReturnModel) -> bool:
    """Return True when the ``_fit`` the model runs was written to take RowWindows regressors.

    The flag :attr:`NormalReturnModel.regressors_by_block` belongs to the class that defines
    the ``_fit`` in use: a user's subclass of
    :class:`~eventstudy.engine.models.market.MarketModel` with its own ``_fit`` gets arrays.
    """
    owner = next(c for c in type(model).__mro__ if "_fit" in vars(c))
    return bool(vars(owner).get("regressors_by_block", False))


def accepts_overwrite_y(model: NormalReturnModel) -> bool:
    """Return True when the model's ``fit`` is the base one (it takes ``overwrite_y``)."""
    return type(model).fit is NormalReturnModel.fit
