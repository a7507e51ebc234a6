r"""Normal-return models, one module per model, resolved by name in one place.

* ``"constant_mean"`` (:class:`ConstantMean`): :math:`R_{it} = \mu_i + \varepsilon_{it}` (k = 1).
* ``"market"`` (:class:`MarketModel`): :math:`R_{it} = \alpha_i + \beta_i R_{mt} +
  \varepsilon_{it}`, OLS (k = 2).
* ``"market_adjusted"`` (:class:`MarketAdjusted`): :math:`AR_{it} = R_{it} - R_{mt}` (k = 0).
* ``"zero_mean"`` (:class:`ZeroMean`): :math:`AR_{it} = R_{it}` (k = 0).
* ``"factor"`` (:class:`FactorModel`): OLS on a constant, the benchmark (if given) and any
  factors (k = 1 + p).
* ``"garch"`` (:class:`GarchMarketModel`): market model with GARCH(1,1) errors (``arch``).

:func:`normal_return_model` is the factory (as ``arch.arch_model`` is for volatility models):
it takes a name (spelling differences such as ``"Market-Model"`` are normalised) or a model
instance and returns the model. The OLS models share one batched solver
(:mod:`eventstudy.engine.models._ols`).
"""

from __future__ import annotations

from typing import Literal, get_args

from eventstudy.engine.models.base import NormalReturnFit, NormalReturnModel
from eventstudy.engine.models.constant_mean import ConstantMean
from eventstudy.engine.models.factor import FactorModel
from eventstudy.engine.models.garch import GarchMarketModel
from eventstudy.engine.models.market import MarketModel
from eventstudy.engine.models.market_adjusted import MarketAdjusted
from eventstudy.engine.models.zero_mean import ZeroMean
from eventstudy.exceptions import SpecificationError

__all__ = [
    "MODELS",
    "ConstantMean",
    "FactorModel",
    "GarchMarketModel",
    "MarketAdjusted",
    "MarketModel",
    "ModelName",
    "NormalReturnFit",
    "NormalReturnModel",
    "ZeroMean",
    "normal_return_model",
]

ModelName = Literal["constant_mean", "market", "market_adjusted", "zero_mean", "factor", "garch"]
MODELS: tuple[str, ...] = get_args(ModelName)
"""Accepted model names."""

_CLASSES: dict[str, type[NormalReturnModel]] = {
    cls.name: cls
    for cls in (ConstantMean, MarketModel, MarketAdjusted, ZeroMean, FactorModel, GarchMarketModel)
}
_ALIASES = {
    "mean": "constant_mean",
    "market_model": "market",
    "ols": "market",
    "factor_model": "factor",
    "garch_market": "garch",
    "raw": "zero_mean",
    "raw_returns": "zero_mean",
}


def normal_return_model(model: str | NormalReturnModel) -> NormalReturnModel:
    """Return the normal-return model of a name (or the model itself).

    Parameters
    ----------
    model : {"constant_mean", "market", "market_adjusted", "zero_mean", "factor", "garch"} \
or NormalReturnModel
        Case, ``-`` and spaces are normalised; aliases ``"mean"``, ``"market_model"``,
        ``"ols"``, ``"factor_model"``, ``"garch_market"``, ``"raw"``, ``"raw_returns"`` are
        accepted.

    Returns
    -------
    NormalReturnModel

    Raises
    ------
    SpecificationError
        Unknown name; the message lists the accepted ones.
    """
    if isinstance(model, NormalReturnModel):
        return model
    if isinstance(model, str):
        key = model.strip().lower().replace("-", "_").replace(" ", "_")
        key = _ALIASES.get(key, key)
        if key in _CLASSES:
            return _CLASSES[key]()
    raise SpecificationError(f"model={model!r} is not accepted; use one of {MODELS}")
