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
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy.gold.inference import newey_west_lags

if TYPE_CHECKING:
    from eventstudy.gold.results import GoldStudyResults

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
    return effects_from_study(res)


def effects_from_study(res: GoldStudyResults) -> GoldEffects:
    """What the claims read from a gold study.

    Parameters
    ----------
    res : GoldStudyResults
        From :func:`eventstudy.gold.study.gold_event_study`.

    Returns
    -------
    GoldEffects
        Its events' :data:`EVENT_COLUMNS` (over its main window), the HAC mean tests of the
        ``up`` and ``down`` groups, and the files it read.
    """
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


_SERVES = ("gold", "car_windows")
"""Arguments of :func:`gold_event_study` that say which claims a study serves: its gold series
and main window (its first CAR window); its other CAR windows change nothing the claims read
(``tests/test_claims_snapshot.py``)."""

_CHECKED_APART = ("events", "data_dir")
"""Arguments compared otherwise: the catalog (:func:`study_mismatch`, from the study's events
table) and the data directory (the caller compares the sha256 of every file the study read)."""


def study_mismatch(res: GoldStudyResults, events: pd.DataFrame) -> str | None:
    """Why a gold study is not the one the claims would run, or None when it is.

    The claims' own study is :func:`gold_event_effects` on ``events`` for the study's gold
    series and main window. Every argument of :func:`eventstudy.gold.study.gold_event_study`
    but the gold series, the CAR windows, the catalog and the data directory must be recorded
    in ``res.settings`` with the function's default value (a default of None as the function
    resolves it: the overlap window is the event window, ``maxlags`` the Newey-West rule for
    the HAC sample's length); an argument the settings do not record is a mismatch, so a new
    option of the study is never taken for its default. The catalog must be the same: the
    same event ids in the same order, with the same category, expected gold direction and day
    0 (``events``' ``day0`` column when it has one, as the study reads it). The files the
    study read are checked by the caller.

    Parameters
    ----------
    res : GoldStudyResults
        From :func:`eventstudy.gold.study.gold_event_study`.
    events : DataFrame
        The catalog the claims run on.

    Returns
    -------
    str or None
        The first difference, in words (e.g. ``"hac_variance is 'newey_west', the claims use
        'garch'"``).
    """
    from eventstudy.gold.study import gold_event_study

    settings = res.settings
    for name, param in inspect.signature(gold_event_study).parameters.items():
        if name in _SERVES or name in _CHECKED_APART:
            continue
        if name not in settings:
            return f"the study does not record {name}"
        want = _default_setting(name, param.default, res)
        if not _same_setting(settings[name], want):
            return f"{name} is {settings[name]!r}, the claims use {want!r}"
    return _catalog_mismatch(res, events)


def _default_setting(name: str, default: Any, res: GoldStudyResults) -> Any:
    """What ``res.settings[name]`` holds when the study ran with the default ``default``."""
    if default is None and name == "overlap_window":
        return res.settings.get("event_window")
    if default is None and name == "maxlags":
        return newey_west_lags(int(res.hac.nobs))
    if isinstance(default, list | tuple):
        return tuple(default)
    return default


def _same_setting(value: Any, want: Any) -> bool:
    """Whether a recorded setting is ``want`` (a list the same as a tuple)."""
    if want is None:
        return value is None
    if isinstance(want, tuple) and isinstance(value, list | tuple):
        return tuple(value) == want
    return bool(value == want)


def _catalog_mismatch(res: GoldStudyResults, events: pd.DataFrame) -> str | None:
    """Why the study's events are not ``events`` (ids and order, category, direction, day 0)."""
    own = res.events.reset_index(drop=True)
    ids, own_ids = events["event_id"].astype(str).tolist(), own["event_id"].astype(str).tolist()
    if ids != own_ids:
        differ = len(set(ids) ^ set(own_ids))
        if differ:
            return f"it studied another catalog ({differ} event ids differ)"
        return "it studied the catalog's events in another order"
    if "day0" in events.columns:
        day0 = pd.Series(pd.DatetimeIndex(events["day0"]))
    else:
        from eventstudy.data.day0 import day0_for_events

        day0 = pd.Series(pd.DatetimeIndex(day0_for_events(events, res.settings["gold"])))
    given = {
        "category": events["category"].reset_index(drop=True),
        "gold_direction": events["gold_direction"].reset_index(drop=True),
        "day0": day0,
    }
    for column, values in given.items():
        theirs = own[column]
        same = (values.isna() & theirs.isna()) | (values == theirs)
        if not same.all():
            return (
                f"it studied another catalog (the {column} of {int((~same).sum())} events differ)"
            )
    return None
