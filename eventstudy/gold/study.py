"""Gold: one asset, many events, on the engine.

Abnormal gold returns around every event of a catalog, for one gold series (``GC=F`` COMEX
futures by default, ``GLD`` as a cross-check: it closes at 16:00 New York, so an event between
13:30 and 16:00 has a different day 0), with four routes to inference:

1. per event, the textbook machinery of :class:`~eventstudy.engine.study.EventStudy`
   (estimation window with other events' days masked, prediction-error variance; Campbell,
   Lo & MacKinlay 1997 §4.4);
2. an event-dummy regression over the whole series with HAC errors on GARCH-scaled returns -
   :func:`eventstudy.gold.inference.event_dummy_regression`;
3. a placebo distribution from pseudo-events on every non-event day of the series, fitted like
   the real events, with group tests that move each group along the series -
   :mod:`eventstudy.gold.placebo`;
4. the engine's cross-sectional battery (``results.engine_tests``, computed when asked for),
   with the caveat that it assumes independent events.

Overlaps between events are found and handled by :mod:`eventstudy.gold.overlap`; groups by
direction and category by :func:`eventstudy.gold.groups.group_tests`; event-time uncertainty by
:mod:`eventstudy.gold.timing`. :func:`gold_event_study` composes them and returns a
:class:`~eventstudy.gold.results.GoldStudyResults`.

Units and timing
----------------
Returns are decimal **log** returns (the package default, :mod:`eventstudy.engine.returns`);
percent and USD/oz appear only in display columns whose names say so (``car_pct``,
``car_usd``). Windows are closed intervals of trading-day offsets from day 0 on the gold
series' own calendar; day 0 follows the package rule (:mod:`eventstudy.data.day0`: the first
trading date whose price is struck strictly after the event time; ``GC=F`` 13:30, ``GLD``
16:00 New York).

Same-day dollar and real-yield moves can themselves be reactions to the event (a "bad
control"): the factor model can absorb part of an event's effect. The default model is
therefore the constant mean; the others are robustness checks.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

from eventstudy.engine.results import EventStudyResults
from eventstudy.engine.windows import EstimationWindow, EventWindow
from eventstudy.exceptions import SpecificationError, WindowOverlapWarning
from eventstudy.gold.data import Benchmark, GoldData, load_gold_data
from eventstudy.gold.groups import group_tests, unit_direction, unit_label
from eventstudy.gold.inference import (
    HAC_VARIANCES,
    EventRegressionResults,
    HacVariance,
    WindowDates,
    event_dummy_regression,
)
from eventstudy.gold.overlap import (
    OverlapPolicy,
    calendar_positions,
    estimation_mask,
    overlap_table,
    study_units,
)
from eventstudy.gold.placebo import (
    PLACEBO_METHODS,
    PlaceboMethod,
    PlaceboResults,
    PlaceboStatistic,
    placebo_test,
    pseudo_event_placebo,
    pseudo_event_positions,
)
from eventstudy.gold.results import ENGINE_CAVEAT, GoldStudyResults
from eventstudy.gold.spec import GOLD_MODELS, MODEL_REGRESSORS, GoldModel, GoldSpecification
from eventstudy.gold.timing import timing_candidates, timing_sensitivity
from eventstudy.results import window_label

__all__ = [
    "EVENT_REASON_TEXTS",
    "GOLD_MODELS",
    "MODEL_REGRESSORS",
    "NOTE_TEXTS",
    "UNIT_SETTINGS",
    "GoldModel",
    "gold_event_study",
    "gold_units_study",
]


_Choice = TypeVar("_Choice", bound=str)

EVENT_REASON_TEXTS: dict[str, str] = {
    "after_last_price": "day 0 {day0} is after the last {gold} price ({last})",
    "no_price_row": "day 0 {day0} has no {gold} price row",
    "price_milestone": "price milestone (category {category}): an outcome, not a shock; used "
    "only to mask estimation windows",
    "unit_head": "head of unit {unit_id} ({n_members} events: same day 0 or merged episode)",
    "unit_member": "in unit {unit_id} with {head} (same day 0 or merged episode; values are the "
    "unit's, counted once)",
}
"""The sentences of the events table's ``reason`` column written here, by kind
(``str.format`` fields where values go; the report's Japanese page reads the values back and
writes its own sentence). Events left out under ``overlap="drop"`` carry the overlap table's
``action`` (:data:`eventstudy.gold.overlap.ACTION_TEXTS`)."""

_OVERLAP_TEXT = "{n_shared} events have another event's day 0 inside their event window {window}"
"""The start of the overlap note, and of its :class:`WindowOverlapWarning`."""

_MASK_TEXT = (
    "Estimation windows {estimation_window} mask the {mask_window} days of every catalogued "
    "event and the series' roll days ({n_masked} trading days in all); overlap policy "
    "'{overlap}'"
)
_ROLLS_TEXT = (
    "{n} roll days of the futures series (a return spanning two contracts, "
    "eventstudy.data.quality.roll_dates) are kept out of every estimation window and of the "
    "placebo population."
)

NOTE_TEXTS: dict[str, str] = {
    "counts": "{n} catalog events: {n_studied} studied, {n_merged} merged into episodes, "
    "{n_excluded} excluded (reasons in exclusions).",
    "stage": "{n} excluded at stage '{stage}': e.g. {event_id}: {event_reason}",
    "overlap": _OVERLAP_TEXT + ": their CARs share days (overlaps table).",
    "clusters": "{n} events share a day 0 with another event and form {n_clusters} clusters, "
    "each counted once in cross-event averages and tests ({groups}); same_day0='separate' "
    "counts them one by one.",
    "mask_post": _MASK_TEXT + "; the overlaps table lists events in the pre-event block only.",
    "mask": _MASK_TEXT + ".",
    "hac": "HAC route: OLS of gold on {regressors} plus one dummy per main-window day over "
    "{nobs} days; error variance: {scaling} (Bartlett, maxlags={maxlags}); CAR variance = "
    "parameter part (HAC γ'Vγ) + the variance of the window's error sum (a one-day dummy has a "
    "zero residual, so γ'Vγ alone is too small).",
    "hac_garch": "every day scaled by its GARCH(1,1) conditional volatility (omega={omega}, "
    "alpha={alpha}, beta={beta}), Newey-West on the standardized residuals",
    "hac_given": "every day scaled by the given volatility, Newey-West on standardized residuals",
    "hac_long_run": "one Newey-West long-run variance for the whole sample",
    "placebo_pseudo": "Placebo: statistic '{statistic}' of {n} pseudo-events (every non-event "
    "day 0 from {first} to {last}, fitted like the events); group means against the groups "
    "moved together along the series ({n_shifts} shifts).",
    "placebo_bootstrap": "Placebo: statistic '{statistic}', {n} draws from {n_boot} "
    "stationary-bootstrap resamples (mean block {block} days, seed {seed}) of non-event "
    "abnormal returns.",
    "caveat": ENGINE_CAVEAT[0].upper() + ENGINE_CAVEAT[1:] + " (engine_tests, group t-tests).",
    "dropped_rows": "{n} {gold} price rows outside its trading calendar were dropped "
    "(e.g. {date}).",
    "usd": "USD effects are first order: CAR x {gold} close on the day before the window.",
    "rolls_flagged": _ROLLS_TEXT + " {n_flagged} main window(s) hold one, so their CAR includes "
    "a roll gap (roll_day_in_window): {listed}.",
    "rolls": _ROLLS_TEXT,
    "in_memory": "Data given in memory (GoldData without files): no data versions.",
}
"""The sentences of :attr:`GoldStudyResults.notes <eventstudy.gold.results.GoldStudyResults>`,
by kind (``str.format`` fields, as :data:`EVENT_REASON_TEXTS`; ``scaling`` holds one of the
``hac_*`` texts, ``event_reason`` an exclusion's reason)."""


def _check_choice(name: str, value: str, accepted: Sequence[_Choice]) -> _Choice:
    """The entry of ``accepted`` that ``value`` names (case, ``-`` and blanks ignored).

    Raises
    ------
    SpecificationError
        ``value`` names none of them.
    """
    norm = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for a in accepted:
        if norm == a.lower():
            return a
    raise SpecificationError(f"{name}={value!r} is not accepted; use one of {tuple(accepted)}")


def gold_event_study(
    events: pd.DataFrame,
    *,
    gold: str = "GC=F",
    model: GoldModel = "constant_mean",
    benchmark: Benchmark = "ACWI",
    data: GoldData | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    estimation_window: tuple[int, int] = (-260, -11),
    event_window: tuple[int, int] = (-10, 10),
    car_windows: Sequence[tuple[int, int]] = ((-1, 1), (0, 0), (0, 5), (-5, -1)),
    overlap: OverlapPolicy = "mask",
    mask_window: tuple[int, int] = (-1, 5),
    overlap_window: tuple[int, int] | None = None,
    label_categories: Sequence[str] = ("gold_market",),
    same_day0: Literal["cluster", "separate"] = "cluster",
    min_estimation_obs: int = 100,
    estimation_post: tuple[int, int] | None = (11, 260),
    maxlags: int | None = None,
    hac_variance: HacVariance = "garch",
    placebo: PlaceboMethod = "pseudo_events",
    placebo_statistic: Literal["scar", "car"] = "scar",
    placebo_span: tuple[str | pd.Timestamp, str | pd.Timestamp] | None = None,
    n_boot: int = 200,
    draws_per_boot: int = 50,
    seed: int = 12345,
) -> GoldStudyResults:
    """Abnormal gold returns around every event of a catalog.

    With overlap handling and time-series inference.

    Parameters
    ----------
    events : DataFrame
        A catalog as returned by :func:`eventstudy.data.catalog.load_events` (used columns:
        ``event_id``, ``date``, ``event_time``, ``time_known``, ``day_basis``, ``title``,
        ``title_ja``, ``category``, ``gold_direction``). Day 0 per event comes from
        :func:`eventstudy.data.day0.day0_for_events` for ``gold``. A ``day0`` column, if
        present, is used instead (tests, what-if studies).
    gold : str, default "GC=F"
        ``"GC=F"`` (COMEX settlement 13:30 New York) or ``"GLD"`` (NYSE 16:00).
    model : {"constant_mean", "market", "factor"}, default "constant_mean"
        * ``"constant_mean"``: gold's mean return over the estimation window;
        * ``"market"``: market model on the equity ``benchmark``;
        * ``"factor"``: equity return, dollar (DTWEXBGS) return, real-yield (DFII10) change.
    benchmark : {"ACWI", "SPY"}, default "ACWI"
        Equity index of the market and factor models.
    data : GoldData, optional
        Pre-loaded data (else read from ``data_dir`` with
        :func:`eventstudy.gold.data.load_gold_data`).
    data_dir : str or path-like, optional
    estimation_window : (int, int), default (-260, -11)
        Trading-day offsets of the pre-event estimation block, as the engine's
        ``EstimationWindow(250, -11)``.
    event_window : (int, int), default (-10, 10)
    car_windows : sequence of (int, int), default ((-1, 1), (0, 0), (0, 5), (-5, -1))
        The first is the **main window** used by the HAC, placebo, group and sensitivity
        routes and in :attr:`GoldStudyResults.events`. An event is studied when its main
        window has every return; other windows may be NaN (e.g. near the end of the data).
    overlap : {"mask", "drop", "merge"}, default "mask"
        What to do with events whose event windows overlap (:mod:`eventstudy.gold.overlap`):

        * ``"mask"``: keep every event (windows may share days; reported and warned);
        * ``"drop"``: drop every event whose window overlaps an earlier event's;
        * ``"merge"``: one episode per cluster, day 0 at its first event, windows extended to
          the last member (the engine's ``extend``).

        Under every policy other events' ``mask_window`` days are kept out of estimation.
    mask_window : (int, int), default (-1, 5)
        Days around every catalogued event (label events included) kept out of every
        estimation window and of the placebo population. Not the full ±10 event window: in
        2025-26 events are so dense that masking ±10 days leaves 25 of 250 estimation days for
        January-2026 events; pass ``mask_window=event_window`` for the strict version.
    overlap_window : (int, int), optional
        Window on which ``"drop"`` and ``"merge"`` judge overlap; default ``event_window``.
        With (-10, 10) the 2025 events chain into long episodes;
        ``overlap_window=car_windows[0]`` merges only events whose main windows overlap.
    label_categories : sequence of str, default ("gold_market",)
        Categories treated as labels (price milestones: outcomes, not shocks): excluded from
        the study with a reason, but their days are masked.
    same_day0 : {"cluster", "separate"}, default "cluster"
        Events with the same day 0 have the same CAR:

        * ``"cluster"``: they form one unit (id ``"<first>+<n-1>"``, every member named),
          so every cross-event average and test counts that day once. The unit's expected
          direction is the members' one non-``none`` direction (``none`` if all are, ``mixed``
          when they conflict; mixed units are left out of the up/down tests); its category is
          the members' category, or ``mixed``.
        * ``"separate"``: each event is its own unit (the day counts once per event).
    min_estimation_obs : int, default 100
        Minimum usable estimation days per event (pre- and post-event blocks together).
    estimation_post : (int, int) or None, default (11, 260)
        The post-event estimation block: the normal return is estimated on both sides of the
        event (:class:`~eventstudy.engine.windows.EstimationWindow` ``post``); days after the
        end of the data are missing, so recent events fall back on the pre-event block.
        ``None`` = trailing window only (the default before issue 19). Chosen by
        ``benchmarks/size_power.py`` (random dates on GC=F, one-sided 5 % cross-event t of
        CAR(-1, +1), "greater"/"less"): trailing mean 9.0 / 3.6 % over 2016-26 and 12.9 / 1.8 %
        during the 2024-26 rally (it lags the drift); both sides 6.9 / 4.6 % and 8.9 / 4.2 %;
        zero mean 17.9 / 0.8 %; market-adjusted 5.8 / 3.9 % but 15.9 / 0.8 % in the rally. A
        (-135, -11) + (11, 135) window does slightly better in the rally (7.5 / 5.4 %) but
        leaves five 2026 events of the catalog with fewer than ``min_estimation_obs`` days.
    maxlags : int, optional
        Newey-West lags; default ``floor(4 (T/100)^(2/9))``.
    hac_variance : {"garch", "newey_west"}, default "garch"
        Error variance of the HAC route (:func:`eventstudy.gold.inference.event_dummy_regression`):

        * ``"garch"``: each day scaled by its GARCH(1,1) conditional volatility, Newey-West on
          the standardized residuals (holds its 5 % size on GC=F);
        * ``"newey_west"``: one long-run variance for the whole sample (the pre-issue-19
          route; over-rejects when volatility moves).
    placebo : {"pseudo_events", "stationary_bootstrap"}, default "pseudo_events"
        * ``"pseudo_events"``: every non-event trading day of ``placebo_span`` is a
          pseudo-event fitted with the same engine specification
          (:func:`eventstudy.gold.placebo.pseudo_event_placebo`); groups are tested by moving
          them along the series (:func:`eventstudy.gold.placebo.shift_placebo`);
        * ``"stationary_bootstrap"``: the pre-issue-19 resampling placebo
          (:func:`eventstudy.gold.placebo.placebo_test`; no group placebo tests).
    placebo_statistic : {"scar", "car"}, default "scar"
        ``"scar"``: CAR / its standard error; ``"car"``: the CAR.
    placebo_span : (date, date), optional
        First and last pseudo-event day 0; default from the first studied event's day 0 to the
        end of the data (the regimes the events live in).
    n_boot, draws_per_boot : int
        Stationary-bootstrap settings (``placebo="stationary_bootstrap"`` only).
    seed : int
        Seed of the randomised parts (stationary bootstrap, permutation test).

    Returns
    -------
    GoldStudyResults

    Notes
    -----
    Other events are masked in both estimation blocks; the ``overlaps`` table reports other
    events inside the pre-event block (``estimation_window``) only.

    Exclusion stages: ``catalog`` (label category), ``day0`` (day 0 after the last price or
    not on the calendar), ``overlap`` (dropped or merged by the policy), ``estimation`` (too
    few usable days), ``event_window`` (missing returns in the main window).

    The HAC regression uses the whole sample from the first studied event's estimation
    window to the end of the data. USD effects are first order: CAR x gold close on the day
    before the main window.

    Examples
    --------
    >>> from eventstudy.data.catalog import load_events
    >>> res = gold_event_study(load_events("events.csv"), model="factor")  # doctest: +SKIP
    >>> res.events[["event_id", "status", "car_pct", "p_hac", "p_placebo"]]  # doctest: +SKIP
    >>> print(res.summary())  # doctest: +SKIP
    """
    model = _check_choice("model", model, GOLD_MODELS)
    hac_variance = _check_choice("hac_variance", hac_variance, HAC_VARIANCES)
    placebo = _check_choice("placebo", placebo, PLACEBO_METHODS)
    car_windows = tuple((int(a), int(b)) for a, b in car_windows)
    main = car_windows[0]
    data_given = None if data is None else "in memory"  # recorded in the settings
    if data is None:
        data = load_gold_data(gold, benchmark=benchmark, data_dir=data_dir)
    u = _fit_units(
        events,
        data,
        gold=gold,
        model=model,
        estimation_window=estimation_window,
        event_window=event_window,
        car_windows=car_windows,
        overlap=overlap,
        mask_window=mask_window,
        overlap_window=overlap_window,
        label_categories=label_categories,
        same_day0=same_day0,
        min_estimation_obs=min_estimation_obs,
        estimation_post=estimation_post,
    )
    cal, ev, ids, day0, d0, mask = data.returns.index, u.ev, u.ids, u.day0, u.d0, u.mask
    units, members, overlaps, spec, fit = u.units, u.members, u.overlaps, u.spec, u.fit
    unit_events, main_car, studied = u.unit_events, u.main_car, list(u.main_car.index)
    notes, exclusions = list(u.notes), list(u.exclusions)

    windows = _main_window_dates(fit, main)
    direction = dict(zip(ids, ev["gold_direction"], strict=True))
    unit_dir = {uid: unit_direction([direction[m] for m in members[uid]]) for uid in studied}
    unit_pos = units["position"].reindex(studied).to_numpy(dtype=np.int64)
    first_pos = int(unit_pos.min()) + estimation_window[0] if studied else 0
    sample = spec.returns.iloc[max(first_pos, 1) :]
    hac = event_dummy_regression(
        sample[gold],
        windows,
        sample[list(spec.regressors)] if spec.regressors else None,
        variance=hac_variance,
        maxlags=maxlags,
        directions=unit_dir,
    )
    if placebo == "pseudo_events":
        span = placebo_span or (cal[int(units.loc[studied, "position"].min())], cal[-1])
        plc = _pseudo_placebo(spec, cal, mask, units.loc[studied], main_car, main,
                              span=span, statistic=placebo_statistic)  # fmt: skip
    else:
        event_days = (mask.reindex(hac.ar.index, fill_value=False) | hac.event_days).rename("e")
        boot = {"n_boot": n_boot, "draws_per_boot": draws_per_boot, "seed": seed}
        plc = _placebo_by_length(hac.ar, event_days, windows, statistic=placebo_statistic, **boot)

    category = dict(zip(ids, ev["category"], strict=True))
    unit_tbl = main_car[["car", "car_se", "pvalue"]].copy()
    unit_tbl["gold_direction"] = [unit_dir[u] for u in unit_tbl.index.tolist()]
    unit_tbl["category"] = [
        unit_label([category[m] for m in members[u]]) for u in unit_tbl.index.tolist()
    ]
    unit_tbl["price_before"] = data.close.to_numpy(dtype=float)[unit_pos + main[0] - 1]
    unit_tbl["position"] = units.loc[unit_tbl.index, "position"].astype(int)
    unit_tbl["placebo_stat"] = _common_length_stat(plc, list(unit_tbl.index))
    pool = None
    if plc.pseudo is not None:
        pool = plc.pseudo.set_index("position")["stat"]
    groups, gtests = group_tests(unit_tbl.reset_index(), seed=seed, placebo_pool=pool)

    heads = [members[u][0] for u in studied]
    head_rows = ev[ids.isin(heads).to_numpy()]
    cands = timing_candidates(head_rows, day0[head_rows.index], cal)
    head_to_unit = {members[u][0]: u for u in studied}
    cands["event_id"] = cands["event_id"].map(head_to_unit)
    sens = timing_sensitivity(cands, cal, spec.fit, window=main, extend=units["span"])

    exc_df = pd.DataFrame(exclusions, columns=["event_id", "stage", "reason"])
    table = _events_table(ev, ids, d0, members, units, main, exc_df, unit_tbl, hac, plc, sens)
    notes = [*_count_notes(table, exc_df), *notes]
    notes += _method_notes(mask, mask_window, overlap, spec, hac, plc, data, (n_boot, seed))
    notes += _roll_notes(table, windows, data.roll_days, units)
    settings = {
        "gold": gold,
        "model": model,
        "benchmark": data.benchmark,
        "data": data_given,
        "regressors": spec.regressors,
        "estimation_window": tuple(estimation_window),
        "event_window": tuple(event_window),
        "main_window": main,
        "car_windows": car_windows,
        "overlap": overlap,
        "overlap_window": tuple(overlap_window or event_window),
        "mask_window": tuple(mask_window),
        "label_categories": tuple(label_categories),
        "same_day0": same_day0,
        "min_estimation_obs": int(min_estimation_obs),
        "estimation_post": None if estimation_post is None else tuple(estimation_post),
        "maxlags": hac.maxlags,
        "hac_variance": hac_variance,
        "placebo": placebo,
        "placebo_statistic": placebo_statistic,
        "placebo_span": None if placebo_span is None else tuple(map(pd.Timestamp, placebo_span)),
        "n_boot": n_boot,
        "draws_per_boot": draws_per_boot,
        "seed": seed,
    }
    return GoldStudyResults(
        events=table,
        study=fit,
        specification=spec,
        units=unit_events,
        exclusions=exc_df,
        overlaps=overlaps,
        hac=hac,
        placebo=plc,
        groups=groups,
        group_tests=gtests,
        sensitivity=sens,
        data_versions=_data_versions(data, data_dir, notes),
        close=data.close,
        settings=settings,
        notes=tuple(notes),
    )


#: The settings of :func:`gold_event_study` that define the study units and their engine fit.
UNIT_SETTINGS = (
    "model",
    "estimation_window",
    "event_window",
    "car_windows",
    "overlap",
    "mask_window",
    "overlap_window",
    "label_categories",
    "same_day0",
    "min_estimation_obs",
    "estimation_post",
)


def gold_units_study(
    events: pd.DataFrame,
    *,
    gold: str = "GC=F",
    benchmark: Benchmark = "ACWI",
    data: GoldData | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    **settings: Any,
) -> EventStudyResults:
    """The engine fit of the gold study's units alone: ``gold_event_study(...).study``.

    The same units, windows, estimation mask and exclusions, without the HAC, placebo, group
    and timing routes (which cost most of the study's time): for robustness columns that show
    only the engine's CARs, e.g. the study on GLD in the report.

    Parameters
    ----------
    events : DataFrame
        As :func:`gold_event_study`.
    gold, benchmark, data, data_dir
        As :func:`gold_event_study`.
    **settings
        Any of :data:`UNIT_SETTINGS`, as :func:`gold_event_study` takes them (its defaults
        otherwise).

    Returns
    -------
    EventStudyResults
        Equal to ``gold_event_study(events, ...).study`` with the same arguments.

    Raises
    ------
    SpecificationError
        A setting that is not one of :data:`UNIT_SETTINGS`, or no event can be studied.
    """
    unknown = sorted(set(settings) - set(UNIT_SETTINGS))
    if unknown:
        raise SpecificationError(f"gold_units_study does not take {unknown}; use {UNIT_SETTINGS}")
    params = inspect.signature(gold_event_study).parameters
    kw = {name: settings.get(name, params[name].default) for name in UNIT_SETTINGS}
    kw["model"] = _check_choice("model", kw["model"], GOLD_MODELS)
    kw["car_windows"] = tuple((int(a), int(b)) for a, b in kw["car_windows"])
    if data is None:
        data = load_gold_data(gold, benchmark=benchmark, data_dir=data_dir)
    return _fit_units(events, data, gold=gold, **kw).fit


@dataclasses.dataclass(frozen=True)
class _Units:
    """The catalog's study units, fitted by the engine: where every route of the study starts.

    ``ev`` is the catalog with a fresh index, ``ids`` its event ids, ``day0``/``d0`` day 0 per
    event (by row, by id), ``mask`` the estimation mask on the gold calendar; ``units``,
    ``members`` and ``overlaps`` as :mod:`eventstudy.gold.overlap`; ``main_car`` the engine's
    main-window CARs of the studied units, indexed by unit id.
    """

    ev: pd.DataFrame
    ids: pd.Series
    day0: pd.Series
    d0: pd.Series
    mask: pd.Series
    units: pd.DataFrame
    members: dict[str, tuple[str, ...]]
    overlaps: pd.DataFrame
    notes: tuple[str, ...]
    exclusions: tuple[tuple[str, str, str], ...]
    spec: GoldSpecification
    unit_events: pd.DataFrame
    fit: EventStudyResults
    main_car: pd.DataFrame


def _fit_units(
    events: pd.DataFrame,
    data: GoldData,
    *,
    gold: str,
    model: GoldModel,
    estimation_window: tuple[int, int],
    event_window: tuple[int, int],
    car_windows: tuple[tuple[int, int], ...],
    overlap: OverlapPolicy,
    mask_window: tuple[int, int],
    overlap_window: tuple[int, int] | None,
    label_categories: Sequence[str],
    same_day0: str,
    min_estimation_obs: int,
    estimation_post: tuple[int, int] | None,
) -> _Units:
    """Day 0s, exclusions, overlaps and units of a catalog, and the engine fit of the units.

    Raises
    ------
    SpecificationError
        ``same_day0`` is not accepted, or no unit can be studied.
    """
    cal = data.returns.index
    ev = events.reset_index(drop=True)
    ids = ev["event_id"].astype(str)
    day0 = _day0(ev, gold)
    d0 = pd.Series(day0.to_numpy(), index=ids)
    pos_all = calendar_positions(d0, cal)
    exclusions = _day0_exclusions(d0, pos_all, cal, gold)
    rolls = pd.Series(cal.isin(data.roll_days), index=cal)
    mask = estimation_mask(pos_all, cal, mask_window) | rolls
    is_label = ev["category"].isin(label_categories).to_numpy()
    exclusions += _label_exclusions(ev, ids, pos_all, is_label)
    eligible = pos_all[~is_label]
    if same_day0 not in ("cluster", "separate"):
        raise SpecificationError(f"same_day0={same_day0!r}; use 'cluster' or 'separate'")
    siblings = _same_day0_groups(eligible) if same_day0 == "cluster" else {}
    overlaps = overlap_table(
        eligible,
        cal,
        estimation_window=estimation_window,
        event_window=event_window,
        policy=overlap,
        mask_window=mask_window,
        overlap_window=overlap_window,
    )
    heads_only = eligible.drop(index=[m for ms in siblings.values() for m in ms[1:]])
    units = study_units(heads_only, event_window=overlap_window or event_window, policy=overlap)
    units = _with_siblings(units, siblings)
    notes = _overlap_notes(overlaps, overlap, event_window) + _cluster_notes(siblings, d0)
    members = dict(zip(units.index, units["members"], strict=True))
    exclusions += _overlap_exclusions(eligible, members, overlaps)
    spec = GoldSpecification(
        returns=data.returns.rename(columns={"gold": gold}),
        symbol=gold,
        model=model,
        regressors=MODEL_REGRESSORS[model],
        estimation_window=EstimationWindow.from_bounds(
            *estimation_window, min_obs=min_estimation_obs, mask=mask, post=estimation_post
        ),
        event_window=EventWindow(*event_window, missing=car_windows[0]),
        car_windows=car_windows,
    )
    unit_events = pd.DataFrame(
        {
            "event_id": units.index,
            "day0": cal[units["position"].astype(int).to_numpy()],
            "extend": units["span"].to_numpy(),
        }
    )
    fit = spec.fit(unit_events)
    exclusions += _engine_exclusions(fit.exclusions, members)
    main_car = fit.car(window=car_windows[0]).set_index("event_id")
    if main_car.empty:
        raise SpecificationError(_nothing_studied(gold, exclusions))
    return _Units(ev, ids, day0, d0, mask, units, members, overlaps, tuple(notes),
                  tuple(exclusions), spec, unit_events, fit, main_car)  # fmt: skip


# --------------------------------------------------------------------------------------------
# pieces of the composition (small, pure)
# --------------------------------------------------------------------------------------------


def _same_day0_groups(eligible: pd.Series) -> dict[str, tuple[str, ...]]:
    """Events sharing a day 0: first event (catalog order) -> all of them, for groups of 2+."""
    pos = eligible.dropna()
    p = pos.to_numpy(dtype=np.int64)
    ids = [str(e) for e in pos.index]
    order = np.argsort(p, kind="stable")  # by day 0, catalog order inside a day
    starts = (
        np.flatnonzero(np.r_[True, np.diff(p[order]) != 0]) if p.size else np.zeros(0, np.int64)
    )
    stops = np.r_[starts[1:], p.size]
    shared = np.flatnonzero(stops - starts > 1)
    shared = shared[np.argsort(order[starts[shared]], kind="stable")]  # by first appearance
    return {
        ids[order[starts[g]]]: tuple(ids[i] for i in order[starts[g] : stops[g]]) for g in shared
    }


def _with_siblings(units: pd.DataFrame, siblings: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Units with each member's same-day-0 siblings added; ids ``"<first>+<n-1>"``."""
    if not siblings:
        return units
    members = [
        tuple(m for head in ms for m in siblings.get(head, (head,))) for ms in units["members"]
    ]
    index = [ms[0] if len(ms) == 1 else f"{ms[0]}+{len(ms) - 1}" for ms in members]
    out = units.assign(members=members).set_axis(pd.Index(index, name="unit_id"), axis=0)
    return out


def _cluster_notes(siblings: dict[str, tuple[str, ...]], d0: pd.Series) -> list[str]:
    if not siblings:
        return []
    groups = "; ".join(f"{d0[h].date()}: {', '.join(ms)}" for h, ms in siblings.items())
    n = sum(len(ms) for ms in siblings.values())
    return [NOTE_TEXTS["clusters"].format(n=n, n_clusters=len(siblings), groups=groups)]


def _day0(ev: pd.DataFrame, gold: str) -> pd.Series:
    if "day0" in ev.columns:
        return pd.Series(pd.DatetimeIndex(ev["day0"]), index=ev.index)
    from eventstudy.data.day0 import day0_for_events

    return day0_for_events(ev, gold)


def _day0_exclusions(
    d0: pd.Series, pos_all: pd.Series, cal: pd.DatetimeIndex, gold: str
) -> list[tuple[str, str, str]]:
    last = cal[-1]
    out = []
    for eid, d in d0[pos_all.isna().to_numpy()].items():
        if pd.notna(d) and d > last:
            reason = EVENT_REASON_TEXTS["after_last_price"].format(
                day0=d.date(), gold=gold, last=last.date()
            )
        else:
            reason = EVENT_REASON_TEXTS["no_price_row"].format(day0=d, gold=gold)
        out.append((str(eid), "day0", reason))
    return out


def _label_exclusions(
    ev: pd.DataFrame, ids: pd.Series, pos_all: pd.Series, is_label: np.ndarray
) -> list[tuple[str, str, str]]:
    keep = is_label & pos_all.notna().to_numpy()
    return [
        (
            eid,
            "catalog",
            EVENT_REASON_TEXTS["price_milestone"].format(category=category),
        )
        for eid, category in zip(ids[keep], ev.loc[keep, "category"], strict=True)
    ]


def _overlap_notes(
    overlaps: pd.DataFrame, overlap: str, event_window: tuple[int, int]
) -> list[str]:
    n_shared = int((overlaps["n_in_event_window"] > 0).sum())
    if overlap != "mask" or not n_shared:
        return []
    fields = {"n_shared": n_shared, "window": window_label(*event_window)}
    text = _OVERLAP_TEXT.format(**fields)
    warnings.warn(
        f'{text}; their CARs share days (see results.overlaps, or use overlap="drop"/'
        '"merge"). Silence with warnings.simplefilter("ignore", WindowOverlapWarning).',
        WindowOverlapWarning,
        stacklevel=4,
    )
    return [NOTE_TEXTS["overlap"].format(**fields)]


def _overlap_exclusions(
    eligible: pd.Series, members: dict[str, tuple[str, ...]], overlaps: pd.DataFrame
) -> list[tuple[str, str, str]]:
    in_unit = {m for ms in members.values() for m in ms}
    action = dict(zip(overlaps["event_id"], overlaps["action"], strict=True))
    return [
        (str(eid), "overlap", str(action[eid]))
        for eid in eligible.dropna().index
        if eid not in in_unit
    ]


def _engine_exclusions(
    exclusions: pd.DataFrame, members: dict[str, tuple[str, ...]]
) -> list[tuple[str, str, str]]:
    out = []
    for uid, stage, reason in exclusions[["event_id", "stage", "reason"]].itertuples(index=False):
        for m in members[uid]:
            out.append((m, stage, reason if m == uid else f"episode {uid}: {reason}"))
    return out


def _main_window_dates(fit: EventStudyResults, main: tuple[int, int]) -> dict[str, np.ndarray]:
    """Dates of each studied unit's main window (extended for episodes), from the engine."""
    a = fit.arrays
    rel = a.event_rel_days
    end = main[1] + (a.extend if main[1] >= 0 else 0)
    end = np.broadcast_to(end, a.extend.shape)
    sel = (rel[None, :] >= main[0]) & (rel[None, :] <= end[:, None])
    dates = a.event_dates.astype("datetime64[ns]")[sel]
    bounds = np.r_[0, np.cumsum(sel.sum(axis=1))]
    return {uid: dates[bounds[i] : bounds[i + 1]] for i, uid in enumerate(a.event_ids)}


def _by_length(results: dict[int, PlaceboResults], order: list[str]) -> PlaceboResults:
    """One placebo per window length (merged episodes are longer) -> one result.

    Every event's row, and the null of the most common length.
    """
    common = max(results, key=lambda n: (len(results[n].events), -n))
    base = results[common]
    frames = [r.events.assign(window_len=r.window_len) for r in results.values()]
    events = pd.concat(frames, ignore_index=True).set_index("event_id").loc[order]
    return dataclasses.replace(base, events=events.reset_index())


def _nothing_studied(gold: str, exclusions: list) -> str:
    """The error message when no event is left to study: every event and why it was left out."""
    shown = [f"{eid} ({stage}: {reason})" for eid, stage, reason in exclusions[:10]]
    more = f"; and {len(exclusions) - 10} more" if len(exclusions) > 10 else ""
    return (
        f"no event of the catalog can be studied on {gold}: "
        + ("; ".join(shown) or "the catalog is empty")
        + more
        + ". Add events inside the price history (with room for the estimation window) or "
        "fetch more data."
    )


def _placebo_by_length(
    ar: pd.Series, event_days: pd.Series, windows: Mapping[str, WindowDates], **kw: Any
) -> PlaceboResults:
    """Stationary-bootstrap placebo per window length."""
    lengths = pd.Series({u: len(w) for u, w in windows.items()})
    results = {
        int(n): placebo_test(ar, event_days, {u: windows[u] for u in g.index}, **kw)
        for n, g in lengths.groupby(lengths)
    }
    return _by_length(results, list(windows))


def _pseudo_placebo(
    spec: GoldSpecification,
    cal: pd.DatetimeIndex,
    mask: pd.Series,
    units: pd.DataFrame,
    main_car: pd.DataFrame,
    main: tuple[int, int],
    *,
    span: tuple[str | pd.Timestamp, str | pd.Timestamp],
    statistic: PlaceboStatistic,
) -> PlaceboResults:
    """Pseudo-event placebo per window extension.

    Pseudo day 0s whose (extended) main window holds no masked day, fitted by the study's own
    specification.
    """
    spans = units["span"].astype(int)
    results = {}
    for ext, g in spans.groupby(spans):
        window = (main[0], main[1] + (int(ext) if main[1] >= 0 else 0))
        positions = pseudo_event_positions(cal, mask, window, span=span)
        cars = main_car.loc[g.index].reset_index()[["event_id", "car", "car_se"]]
        results[int(ext)] = pseudo_event_placebo(
            spec.fit, cal, positions, cars, window=main, extend=int(ext), statistic=statistic
        )
    return _by_length(results, list(units.index))


def _common_length_stat(plc: PlaceboResults, ids: list[str]) -> np.ndarray:
    """Each unit's placebo statistic where its window has the null's length, else NaN.

    The group placebo compares like with like.
    """
    ev = plc.events.set_index("event_id").loc[ids]
    return ev["stat"].where(ev["window_len"] == plc.window_len).to_numpy(float)


def _events_table(
    ev: pd.DataFrame,
    ids: pd.Series,
    d0: pd.Series,
    members: dict[str, tuple[str, ...]],
    units: pd.DataFrame,
    main: tuple[int, int],
    exc_df: pd.DataFrame,
    unit_tbl: pd.DataFrame,
    hac: EventRegressionResults,
    placebo: PlaceboResults,
    sens: pd.DataFrame,
) -> pd.DataFrame:
    """One row per catalog event: status, reason, and the main-window CAR with its p-values."""
    reasons = exc_df.groupby("event_id", sort=False)["reason"].agg("; ".join)
    reason_of = reasons.to_dict()
    unit_of = {m: u for u, ms in members.items() for m in ms}
    id_list = ids.tolist()
    uid = np.array([unit_of.get(e, "") for e in id_list], dtype=object)
    table = pd.DataFrame(
        {
            "event_id": ids.to_numpy(),
            "title": ev["title"].to_numpy(),
            "title_ja": ev["title_ja"].to_numpy(),
            "category": ev["category"].to_numpy(),
            "gold_direction": ev["gold_direction"].to_numpy(),
            "day0": d0.to_numpy(),
            "status": "excluded",
            "reason": [reason_of.get(e, "") for e in id_list],
            "unit_id": "",
            "window": window_label(*main),
        }
    )
    if main[1] >= 0:
        span = pd.Series(uid).map(units["span"])
        has = span.notna().to_numpy()
        table.loc[has, "window"] = [
            window_label(main[0], main[1] + int(k)) for k in span[has].to_numpy()
        ]
    studied = ~ids.isin(reasons.index).to_numpy() & pd.Series(uid).isin(unit_tbl.index).to_numpy()
    if studied.any():
        table = _fill_studied(table, studied, uid, members, unit_tbl, hac, placebo, sens)
    return table


def _fill_studied(
    table: pd.DataFrame,
    studied: np.ndarray,
    uid: np.ndarray,
    members: dict[str, tuple[str, ...]],
    unit_tbl: pd.DataFrame,
    hac: EventRegressionResults,
    placebo: PlaceboResults,
    sens: pd.DataFrame,
) -> pd.DataFrame:
    """The main-window results of the studied and merged events, read from their unit."""
    units = uid[studied]
    eids = table["event_id"].to_numpy(dtype=object)[studied]
    size = np.array([len(members[u]) for u in units])
    head = np.array([members[u][0] == e for u, e in zip(units, eids, strict=True)], dtype=bool)
    reason = np.where(
        size > 1,
        np.where(
            head,
            [EVENT_REASON_TEXTS["unit_head"].format(unit_id=u, n_members=n)
             for u, n in zip(units, size, strict=True)],
            [EVENT_REASON_TEXTS["unit_member"].format(unit_id=u, head=members[u][0])
             for u in units],
        ),
        "",
    )  # fmt: skip
    c = unit_tbl.loc[units]
    hac_car = hac.car.set_index("event_id").loc[units]
    plc = placebo.events.set_index("event_id").loc[units]
    timing = sens.groupby("event_id")[
        ["sign_depends_on_timing", "significance_depends_on_timing"]
    ].any()
    sensitive = timing.any(axis=1).reindex(units).fillna(False).to_numpy(dtype=bool)
    values = {
        "status": np.where(head, "studied", "merged"),
        "unit_id": units,
        "reason": reason,
        "car": c["car"].to_numpy(),
        "car_pct": 100 * c["car"].to_numpy(),
        "car_se": c["car_se"].to_numpy(),
        "price_before": c["price_before"].to_numpy(),
        "car_usd": (c["car"] * c["price_before"]).to_numpy(),
        "p_analytic": c["pvalue"].to_numpy(),
        "car_hac": hac_car["car"].to_numpy(),
        "se_hac": hac_car["car_se"].to_numpy(),
        "p_hac": hac_car["pvalue"].to_numpy(),
        "p_placebo": plc["pvalue"].to_numpy(),
        "placebo_percentile": plc["percentile"].to_numpy(),
        "timing_sensitive": sensitive,
    }
    for col, vals in values.items():
        if col not in table.columns:  # object: NaN on the rows of excluded events
            table[col] = pd.Series(np.nan, index=table.index, dtype=object)
        full = table[col].to_numpy(dtype=object).copy()
        full[studied] = vals
        table[col] = full
    return table.infer_objects()


def _roll_notes(
    table: pd.DataFrame,
    windows: Mapping[str, WindowDates],
    roll_days: pd.DatetimeIndex,
    units: pd.DataFrame,
) -> list[str]:
    """Say how many roll days were masked and flag main windows holding one (in ``table``)."""
    if not len(roll_days):
        table["roll_day_in_window"] = False
        return []
    hit = _roll_days_in(windows, roll_days)
    table["roll_day_in_window"] = table["unit_id"].map(lambda u: bool(hit.get(u))).astype(bool)
    flagged = {u: ds for u, ds in hit.items() if ds}
    if not flagged:
        return [NOTE_TEXTS["rolls"].format(n=len(roll_days))]
    listed = "; ".join(f"{u} ({', '.join(f'{d.date()}' for d in ds)})" for u, ds in flagged.items())
    return [
        NOTE_TEXTS["rolls_flagged"].format(n=len(roll_days), n_flagged=len(flagged), listed=listed)
    ]


def _roll_days_in(
    windows: Mapping[str, WindowDates], roll_days: pd.DatetimeIndex
) -> dict[str, list[pd.Timestamp]]:
    """The roll days in each window, ascending and distinct (``DatetimeIndex.intersection``).

    One membership test over all windows' days at once.
    """
    days = [np.asarray(w, dtype="datetime64[ns]") for w in windows.values()]
    flat = np.concatenate(days) if days else np.array([], "M8[ns]")
    hit = np.isin(flat, np.asarray(pd.DatetimeIndex(roll_days).as_unit("ns")))
    bounds = np.cumsum([0, *map(len, days)])
    return {
        u: [
            pd.Timestamp(x)
            for x in np.unique(flat[bounds[i] : bounds[i + 1]][hit[bounds[i] : bounds[i + 1]]])
        ]
        for i, u in enumerate(windows)
    }


def _count_notes(table: pd.DataFrame, exc_df: pd.DataFrame) -> list[str]:
    status = table["status"]
    notes = [
        NOTE_TEXTS["counts"].format(
            n=len(table),
            n_studied=int((status == "studied").sum()),
            n_merged=int((status == "merged").sum()),
            n_excluded=int((status == "excluded").sum()),
        )
    ]
    for stage, g in exc_df.groupby("stage", sort=False):
        notes.append(
            NOTE_TEXTS["stage"].format(
                n=len(g),
                stage=stage,
                event_id=g["event_id"].iloc[0],
                event_reason=g["reason"].iloc[0],
            )
        )
    return notes


def _hac_note(spec: GoldSpecification, hac: EventRegressionResults) -> str:
    if hac.variance == "garch":
        g = hac.garch_params
        scaling = (
            NOTE_TEXTS["hac_garch"].format(
                omega=f"{g['omega']:.3g}", alpha=f"{g['alpha']:.3f}", beta=f"{g['beta']:.3f}"
            )
            if g is not None
            else NOTE_TEXTS["hac_given"]
        )
    else:
        scaling = NOTE_TEXTS["hac_long_run"]
    return NOTE_TEXTS["hac"].format(
        regressors=["const", *spec.regressors],
        nobs=hac.nobs,
        scaling=scaling,
        maxlags=hac.maxlags,
    )


def _placebo_note(placebo: PlaceboResults, boot: tuple[int, int]) -> str:
    if placebo.pseudo is not None:  # set by the pseudo-event method only
        days = placebo.pseudo["day0"]
        return NOTE_TEXTS["placebo_pseudo"].format(
            statistic=placebo.statistic,
            n=len(placebo.null),
            first=days.min().date(),
            last=days.max().date(),
            n_shifts=max(len(placebo.null) - 1, 0),
        )
    return NOTE_TEXTS["placebo_bootstrap"].format(
        statistic=placebo.statistic,
        n=len(placebo.null),
        n_boot=boot[0],
        block=f"{placebo.block_length:.1f}",
        seed=boot[1],
    )


def _method_notes(
    mask: pd.Series,
    mask_window: tuple[int, int],
    overlap: str,
    spec: GoldSpecification,
    hac: EventRegressionResults,
    placebo: PlaceboResults,
    data: GoldData,
    boot: tuple[int, int],
) -> list[str]:
    gold = spec.symbol
    notes = [
        NOTE_TEXTS["mask_post" if spec.estimation_window.post else "mask"].format(
            estimation_window=spec.estimation_window.label,
            mask_window=window_label(*mask_window),
            n_masked=int(mask.sum()),
            overlap=overlap,
        ),
        _hac_note(spec, hac),
        _placebo_note(placebo, boot),
        NOTE_TEXTS["caveat"],
    ]
    if len(data.dropped_rows):
        notes.append(
            NOTE_TEXTS["dropped_rows"].format(
                n=len(data.dropped_rows), gold=gold, date=data.dropped_rows["date"].iloc[-1].date()
            )
        )
    notes.append(NOTE_TEXTS["usd"].format(gold=gold))
    return notes


def _data_versions(
    data: GoldData, data_dir: str | os.PathLike[str] | None, notes: list[str]
) -> pd.DataFrame:
    """The files read with their checksums (a ProvenanceWarning when the manifest disagrees)."""
    from eventstudy.data.store import file_versions

    if not data.files:  # data given in memory
        notes.append(NOTE_TEXTS["in_memory"])
        return pd.DataFrame({"path": []})
    return file_versions(data.files, data_dir)
