"""The gold study's specification: which normal-return model, on which data and windows.

:class:`GoldSpecification` turns a frame of study units (``event_id``, ``day0``, ``extend``) into
an :class:`~eventstudy.engine.results.EventStudyResults` with the engine, so the main fit, the
day-0 sensitivity refits and the robustness refits under other models share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, get_args

import pandas as pd

from eventstudy.engine.results import EventStudyResults
from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow, EventWindow
from eventstudy.exceptions import SpecificationError

GoldModel = Literal["constant_mean", "market", "factor"]
GOLD_MODELS: tuple[GoldModel, ...] = get_args(GoldModel)
MODEL_REGRESSORS: dict[str, tuple[str, ...]] = {
    "constant_mean": (),
    "market": ("equity",),
    "factor": ("equity", "dollar", "real_yield"),
}
"""Regressors of each gold model (columns of :attr:`GoldSpecification.returns`)."""

__all__ = ["GOLD_MODELS", "MODEL_REGRESSORS", "GoldModel", "GoldSpecification"]


@dataclass(frozen=True)
class GoldSpecification:
    """What the gold study fits: gold returns and regressors, the model, the windows and mask.

    Shared by the main fit, the timing refits and :meth:`GoldStudyResults.refit`.

    Attributes
    ----------
    returns : DataFrame
        Gold (column named by ``symbol``) and the regressors ``equity``, ``dollar``,
        ``real_yield`` on the gold calendar (decimal returns; real yield in percentage points).
    symbol : str
    model : {"constant_mean", "market", "factor"}
    regressors : tuple of str
        Columns of ``returns`` the model uses (:data:`MODEL_REGRESSORS`).
    estimation_window : EstimationWindow
        With the mask of every catalogued event's days and the minimum of usable days.
    event_window : EventWindow
        With ``missing`` = the main CAR window.
    car_windows : tuple of (int, int)
    """

    returns: pd.DataFrame  # gold (named by its symbol) and the regressors
    symbol: str
    model: str
    regressors: tuple[str, ...]
    estimation_window: EstimationWindow
    event_window: EventWindow
    car_windows: tuple[tuple[int, int], ...]

    def fit(self, events: pd.DataFrame) -> EventStudyResults:
        """Fit the engine on ``events`` (``event_id``, ``day0``, optional ``extend``)."""
        ev = events.assign(asset=self.symbol)
        gold = self.returns[[self.symbol]]
        kw: dict = {}
        if self.model == "market":
            kw["benchmark"] = self.returns["equity"]
        elif self.model == "factor":
            kw["factors"] = self.returns[list(self.regressors)]
        return EventStudy(
            gold,
            ev,
            self.model,
            estimation_window=self.estimation_window,
            event_window=self.event_window,
            car_windows=self.car_windows,
            **kw,
        ).fit()

    def with_model(self, model: str) -> GoldSpecification:
        """The same specification under another model (see :data:`GOLD_MODELS`)."""
        if model not in MODEL_REGRESSORS:
            raise SpecificationError(f"model={model!r} is not accepted; use one of {GOLD_MODELS}")
        return replace(self, model=model, regressors=MODEL_REGRESSORS[model])
