"""Every use the claims make of :mod:`eventstudy.gold`, in one place.

The gold study's API is being ported; the claims touch it only here:

* :func:`gold_event_effects` is the one function that runs
  :func:`eventstudy.gold.study.gold_event_study` and reads its results;
* :func:`newey_west_lags` is the gold package's Newey-West lag rule, re-used (one
  implementation) by the claims' HAC tests.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import pandas as pd

from eventstudy.gold.inference import newey_west_lags

__all__ = ["GoldEffects", "gold_event_effects", "newey_west_lags"]

EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "gold_direction",
    "day0",
    "status",
    "reason",
    "window",
    "car",
    "car_pct",
    "car_hac",
    "p_hac",
    "p_placebo",
)
"""Columns read from ``GoldStudyResults.events``."""


@dataclass(frozen=True)
class GoldEffects:
    """What the claims need from one gold event study.

    Attributes
    ----------
    events : DataFrame
        One row per catalog event, columns :data:`EVENT_COLUMNS`: ``car`` (decimal log
        return, textbook constant-mean CAR), ``car_pct`` (percent), ``car_hac`` and ``p_hac``
        (event-dummy regression with HAC errors, Newey-West on GARCH-scaled residuals;
        two-sided), ``p_placebo`` (two-sided, the study's placebo: pseudo-events by default);
        NaN for events not studied (``status``, ``reason``).
    direction_tests : DataFrame
        The HAC mean test of the ``up`` and ``down`` groups, indexed by direction:
        ``mean_car_hac`` (decimal; the HAC test's estimate: the mean ``car_hac`` of the group's
        study units, events sharing a day 0 counted once), ``n``, ``stat``, ``pvalue``
        (one-sided in the group's direction: ``up`` > 0, ``down`` < 0), ``dist``.
    data_versions : DataFrame
        Files the study read (``path``, ``sha256``, ...).
    """

    events: pd.DataFrame
    direction_tests: pd.DataFrame
    data_versions: pd.DataFrame


def gold_event_effects(
    events: pd.DataFrame,
    *,
    gold: str,
    window: tuple[int, int],
    data_dir: str | os.PathLike[str] | None,
) -> GoldEffects:
    """Run the gold event study once and keep what the claims need.

    Parameters
    ----------
    events : DataFrame
        The whole catalog (:func:`eventstudy.data.catalog.load_events`): every event masks
        its days out of the others' estimation windows, as in the study itself.
    gold : {"GC=F", "GLD"}
    window : (int, int)
        The CAR window (closed, trading days relative to day 0), the study's main window.
    data_dir : path, optional

    Returns
    -------
    GoldEffects

    Raises
    ------
    DataNotFoundError
        A file the study needs is missing (gold, its equity benchmark, DTWEXBGS, DFII10).

    Notes
    -----
    The call: ``gold_event_study(events, gold=gold, car_windows=(window,), data_dir=data_dir)``
    (defaults otherwise: constant-mean model, estimation window
    (-260, -11), overlap policy ``mask``, placebo seed 12345). Read back: ``.events`` (the
    :data:`EVENT_COLUMNS`), ``.hac.tests`` rows ``mean_car_up`` / ``mean_car_down``
    (``stat``, ``pvalue``, ``dist``, ``nobs``) and ``.data_versions``.
    """
    from eventstudy.exceptions import WindowOverlapWarning
    from eventstudy.gold.study import gold_event_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WindowOverlapWarning)  # overlaps are in the study's notes
        res = gold_event_study(events, gold=gold, car_windows=(window,), data_dir=data_dir)
    table = res.events.reindex(columns=list(EVENT_COLUMNS))
    tests = res.hac.tests.set_index("test")
    rows = []
    for direction in ("up", "down"):
        name = f"mean_car_{direction}"
        if name not in tests.index:
            continue
        t = tests.loc[name]
        rows.append(
            {
                "direction": direction,
                "mean_car_hac": float(t["estimate"]),
                "n": int(t["nobs"]),
                "stat": float(t["stat"]),
                "pvalue": float(t["pvalue"]),
                "dist": str(t["dist"]),
            }
        )
    direction_tests = pd.DataFrame(
        rows, columns=["direction", "mean_car_hac", "n", "stat", "pvalue", "dist"]
    ).set_index("direction")
    return GoldEffects(table, direction_tests, res.data_versions)
