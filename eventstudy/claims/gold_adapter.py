"""Every use the claims make of :mod:`eventstudy.gold`, in one place.

The gold study's API is being ported; the claims touch it only here:

* :func:`gold_event_effects` is the one function that runs
  :func:`eventstudy.gold.study.gold_event_study` and reads its results
  (:func:`effects_from_study`); :func:`study_mismatch` says whether a study someone else ran
  (the report's) is the one the claims would run;
* :func:`newey_west_lags` is the gold package's Newey-West lag rule, re-used (one
  implementation) by the claims' HAC tests.
"""

from __future__ import annotations

import inspect
import os
import warnings
from dataclasses import dataclass
from typing import Any

import pandas as pd

from eventstudy.gold.inference import newey_west_lags

__all__ = [
    "GoldEffects",
    "effects_from_study",
    "gold_event_effects",
    "newey_west_lags",
    "study_mismatch",
]

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
        (event-dummy regression with Newey-West errors; two-sided), ``p_placebo`` (two-sided,
        stationary-bootstrap placebo); NaN for events not studied (``status``, ``reason``).
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
    return effects_from_study(res)


def effects_from_study(res: Any) -> GoldEffects:
    """What the claims read from a gold study (:class:`GoldStudyResults`): its events'
    :data:`EVENT_COLUMNS` (over its main window), the HAC mean tests of the ``up`` and
    ``down`` groups, and the files it read."""
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


_SPECIFICATION = (
    "model",
    "benchmark",
    "estimation_window",
    "event_window",
    "overlap",
    "mask_window",
    "placebo_statistic",
    "n_boot",
    "draws_per_boot",
    "seed",
)
"""Settings of a gold study that must be :func:`gold_event_study`'s defaults for the claims to
read it (the main window and the gold series say which claims it serves)."""


def study_mismatch(res: Any, events: pd.DataFrame) -> str | None:
    """Why a gold study is not the one :func:`gold_event_effects` would run on ``events`` for
    its gold series and main window, or None when it is.

    The study must have been run by :func:`eventstudy.gold.study.gold_event_study` on the same
    catalog with the default specification: every setting in ``_SPECIFICATION`` equal to the
    function's default, the overlap window the event window (the default), and the same event
    ids. Only its CAR windows other than the main one may differ: they change nothing the
    claims read (tested in ``tests/test_claims_snapshot.py``). Arguments the results do not
    record (``label_categories``, ``same_day0``, ``min_estimation_obs``) are taken to be the
    defaults; the data directory is checked by the caller.

    Returns
    -------
    str or None
        The first difference, in words (e.g. ``"n_boot is 30, the claims use 200"``).
    """
    from eventstudy.gold.study import gold_event_study

    defaults = {
        name: param.default
        for name, param in inspect.signature(gold_event_study).parameters.items()
        if param.default is not inspect.Parameter.empty
    }
    settings = res.settings
    for name in _SPECIFICATION:
        if settings.get(name) != defaults[name]:
            return f"{name} is {settings.get(name)!r}, the claims use {defaults[name]!r}"
    if defaults["overlap_window"] is None and settings.get("overlap_window") != settings.get(
        "event_window"
    ):
        return (
            f"overlap_window is {settings.get('overlap_window')!r}, the claims use the event window"
        )
    ids, own = set(events["event_id"].astype(str)), set(res.events["event_id"].astype(str))
    if ids != own:
        return f"it studied another catalog ({len(own ^ ids)} event ids differ)"
    return None
