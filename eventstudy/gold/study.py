"""Gold: one asset, many events.

Abnormal gold returns around every event of a catalog, for one gold series (``GC=F`` COMEX
futures by default, ``GLD`` as a cross-check: it closes at 16:00 New York, so an event between
13:30 and 16:00 has a different day 0), with four routes to inference:

1. per event, the textbook market-model machinery (estimation window, prediction-error
   variance; Campbell, Lo & MacKinlay 1997 §4.4) - :func:`event_abnormal_returns`;
2. an event-dummy regression over the whole series with Newey-West errors -
   :func:`eventstudy.gold.inference.event_dummy_regression`;
3. a placebo distribution from a stationary bootstrap of non-event abnormal returns -
   :func:`eventstudy.gold.inference.placebo_test`;
4. the engine's cross-sectional battery (:mod:`eventstudy.engine.study`), when available, with the
   caveat that it assumes independent events.

Overlaps between events are found and handled by :mod:`eventstudy.gold.overlap`; groups by
direction and category by :func:`group_tests`; event-time uncertainty by
:func:`timing_sensitivity`. :func:`gold_event_study` runs them all and returns a
:class:`~eventstudy.gold.results.GoldStudyResults`.

Units and timing
----------------
Returns are decimal **log** returns (the package default, :mod:`eventstudy.engine.returns`); percent
and USD/oz appear only in display columns whose names say so (``car_pct``, ``car_usd``).
Windows are closed intervals of trading-day offsets from day 0 on the gold series' own
calendar; day 0 follows the package rule (:mod:`eventstudy.data.instruments`: the first trading
date whose price is struck strictly after the event time; ``GC=F`` 13:30, ``GLD`` 16:00
New York).

Modules
-------
:mod:`eventstudy.gold.data` puts gold and its benchmark factors on one calendar (the as-of join
of benchmarks and FRED series is documented there); :mod:`eventstudy.gold.groups` holds the
per-event computations; :mod:`eventstudy.gold.inference` the HAC regression and the placebo;
:mod:`eventstudy.gold.results` the results object. Their public names are re-exported here.

Same-day dollar and real-yield moves can themselves be reactions to the event (a "bad
control"): the factor model can absorb part of an event's effect. The default model is
therefore the constant mean; the others are robustness checks.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Literal, get_args

import pandas as pd

from eventstudy.exceptions import SpecificationError, WindowOverlapWarning
from eventstudy.gold.data import BENCHMARKS, Benchmark, GoldData, align_factors, load_gold_data
from eventstudy.gold.groups import (
    EventARs,
    event_abnormal_returns,
    group_tests,
    timing_candidates,
    timing_sensitivity,
)
from eventstudy.gold.inference import PlaceboResults
from eventstudy.gold.overlap import (
    OverlapPolicy,
    calendar_positions,
    estimation_mask,
    overlap_table,
    study_units,
)
from eventstudy.gold.results import GoldStudyResults

GoldModel = Literal["constant_mean", "market", "factor"]
GOLD_MODELS: tuple[str, ...] = get_args(GoldModel)
MODEL_REGRESSORS: dict[str, tuple[str, ...]] = {
    "constant_mean": (),
    "market": ("equity",),
    "factor": ("equity", "dollar", "real_yield"),
}

__all__ = [
    "BENCHMARKS",
    "GOLD_MODELS",
    "MODEL_REGRESSORS",
    "EventARs",
    "GoldData",
    "GoldStudyResults",
    "align_factors",
    "event_abnormal_returns",
    "gold_event_study",
    "group_tests",
    "load_gold_data",
    "timing_candidates",
    "timing_sensitivity",
]


# --------------------------------------------------------------------------------------------
# the whole study
# --------------------------------------------------------------------------------------------

ENGINE_CAVEAT = (
    "cross-sectional test: assumes independent events; here one asset with clustered events "
    "(overlapping estimation and event windows), so p-values are optimistic - prefer the HAC "
    "and placebo routes"
)


def _check_choice(name: str, value: str, accepted: Sequence[str]) -> str:
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
    min_estimation_obs: int = 100,
    maxlags: int | None = None,
    placebo_statistic: Literal["scar", "car"] = "scar",
    n_boot: int = 200,
    draws_per_boot: int = 50,
    seed: int = 12345,
    run_engine: bool = True,
) -> GoldStudyResults:
    """Abnormal gold returns around every event of a catalog, with overlap handling and
    time-series inference.

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
        Pre-loaded data (else read from ``data_dir`` with :func:`load_gold_data`).
    data_dir : str or path-like, optional
    estimation_window : (int, int), default (-260, -11)
        Trading-day offsets, as the engine's ``EstimationWindow(250, -11)``.
    event_window : (int, int), default (-10, 10)
    car_windows : sequence of (int, int), default ((-1, 1), (0, 0), (0, 5), (-5, -1))
        The first is the **main window** used by the HAC, placebo, group and sensitivity
        routes and in :attr:`GoldStudyResults.events`.
    overlap : {"mask", "drop", "merge"}, default "mask"
        What to do with events whose event windows overlap (:mod:`eventstudy.gold.overlap`):

        * ``"mask"``: keep every event (windows may share days; reported and warned);
        * ``"drop"``: drop every event whose window overlaps an earlier event's;
        * ``"merge"``: one episode per cluster, day 0 at its first event, windows extended to
          the last member.

        Under every policy other events' ``mask_window`` days are kept out of estimation.
    mask_window : (int, int), default (-1, 5)
        Days around every catalogued event (label events included) kept out of every
        estimation window and of the placebo population. Not the full ±10 event window: in
        2025-26 events are so dense that masking ±10 days leaves 25 of 250 estimation days for
        January-2026 events; pass ``mask_window=event_window`` for the strict version.
    overlap_window : (int, int), optional
        Window on which ``"drop"`` and ``"merge"`` judge overlap; default ``event_window``
        (as the brief of the overlap policies says). With (-10, 10) the 2025 events chain into
        long episodes; ``overlap_window=car_windows[0]`` merges only events whose main windows
        overlap.
    label_categories : sequence of str, default ("gold_market",)
        Categories treated as labels (price milestones: outcomes, not shocks): excluded from
        the study with a reason, but their days are masked.
    min_estimation_obs : int, default 100
        Minimum usable estimation days per event.
    maxlags : int, optional
        Newey-West lags; default ``floor(4 (T/100)^(2/9))``.
    placebo_statistic : {"scar", "car"}, default "scar"
        See :func:`eventstudy.gold.inference.placebo_test`.
    n_boot, draws_per_boot, seed : int
        Placebo settings (seeded).
    run_engine : bool, default True
        Also run :class:`eventstudy.engine.study.EventStudy` for its cross-sectional battery.

    Returns
    -------
    GoldStudyResults

    Notes
    -----
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
    from eventstudy.gold.inference import event_dummy_regression
    from eventstudy.gold.results import GoldStudyResults

    model = _check_choice("model", model, GOLD_MODELS)  # type: ignore[assignment]
    car_windows = tuple(tuple(int(v) for v in w) for w in car_windows)
    main = car_windows[0]
    regressors = MODEL_REGRESSORS[model]
    if data is None:
        data = load_gold_data(gold, benchmark=benchmark, data_dir=data_dir)
    returns, close, cal = data.returns, data.close, data.returns.index
    last = cal[-1]
    notes: list[str] = []

    ev = events.reset_index(drop=True)
    if "day0" in ev.columns:
        day0 = pd.Series(pd.DatetimeIndex(ev["day0"]), index=ev.index)
    else:
        from eventstudy.data.day0 import day0_for_events

        day0 = day0_for_events(ev, gold)
    ids = ev["event_id"].astype(str)
    d0 = pd.Series(day0.to_numpy(), index=ids)
    pos_all = calendar_positions(d0, cal)
    exclusions: list[tuple[str, str, str]] = []
    for eid, d in d0.items():
        if pd.isna(pos_all[eid]):
            if pd.notna(d) and d > last:
                exclusions.append(
                    (
                        eid,
                        "day0",
                        f"day 0 {d.date()} is after the last {gold} price ({last.date()})",
                    )
                )
            else:
                exclusions.append((eid, "day0", f"day 0 {d} has no {gold} price row"))
    mask = estimation_mask(pos_all, cal, mask_window)
    is_label = ev["category"].isin(label_categories).to_numpy()
    for eid in ids[is_label]:
        if pd.notna(pos_all[eid]):
            exclusions.append(
                (
                    eid,
                    "catalog",
                    "price milestone (category "
                    f"{ev.loc[ids == eid, 'category'].iloc[0]}): an outcome, not a "
                    "shock; used only to mask estimation windows",
                )
            )
    eligible = pos_all[~is_label]
    overlaps = overlap_table(
        eligible,
        cal,
        estimation_window=estimation_window,
        event_window=event_window,
        policy=overlap,
        mask_window=mask_window,
        overlap_window=overlap_window,
    )
    units = study_units(eligible, event_window=overlap_window or event_window, policy=overlap)
    span = units["span"]
    n_shared = int((overlaps["n_in_event_window"] > 0).sum())
    if overlap == "mask" and n_shared:
        notes.append(
            f"{n_shared} events have another event's day 0 inside their event window "
            f"{_window_text(event_window)}: their CARs share days (overlaps table)."
        )
        warnings.warn(
            f"{n_shared} events have another event's day 0 inside their event window "
            f"{_window_text(event_window)}; their CARs share days (see results.overlaps, or use "
            'overlap="drop"/"merge"). Silence with warnings.simplefilter("ignore", '
            "WindowOverlapWarning).",
            WindowOverlapWarning,
            stacklevel=2,
        )
    members = {uid: row["members"] for uid, row in units.iterrows()}
    in_unit = {m for ms in members.values() for m in ms}
    for eid in eligible.dropna().index:
        if eid not in in_unit:
            reason = overlaps.loc[overlaps["event_id"] == eid, "action"].iloc[0]
            exclusions.append((eid, "overlap", reason))
    res = event_abnormal_returns(
        returns,
        units["position"],
        regressors=regressors,
        estimation_window=estimation_window,
        event_window=event_window,
        car_windows=car_windows,
        mask=mask,
        min_estimation_obs=min_estimation_obs,
        extend=span,
    )
    for uid, stage, reason in res.exclusions.itertuples(index=False):
        for m in members[uid]:
            exclusions.append((m, stage, reason if m == uid else f"episode {uid}: {reason}"))
    main_car = res.car[(res.car["window_start"] == main[0]) & (res.car["window_end"] == main[1])]
    studied = list(main_car["event_id"])

    # main-window dates per studied unit
    def main_days(uid: str) -> list[pd.Timestamp]:
        p0 = int(units.loc[uid, "position"])
        end = main[1] + (int(span[uid]) if main[1] >= 0 else 0)
        return list(cal[p0 + main[0] : p0 + end + 1])

    windows = {uid: main_days(uid) for uid in studied}
    direction = ev.set_index(ids)["gold_direction"]
    unit_dir = {uid: direction[members[uid][0]] for uid in studied}
    first_pos = int(units.loc[studied, "position"].min()) + estimation_window[0] if studied else 0
    sample = returns.iloc[max(first_pos, 1) :]
    hac = event_dummy_regression(
        sample["gold"],
        windows,
        sample[list(regressors)] if regressors else None,
        maxlags=maxlags,
        directions=unit_dir,
    )
    event_days = (mask.reindex(hac.ar.index, fill_value=False) | hac.event_days).rename("event")
    placebo = _placebo_by_length(
        hac.ar,
        event_days,
        windows,
        statistic=placebo_statistic,
        n_boot=n_boot,
        draws_per_boot=draws_per_boot,
        seed=seed,
    )

    # per-unit frame for groups and USD
    meta = ev.set_index(ids)
    price_before = {
        uid: float(close.iloc[int(units.loc[uid, "position"]) + main[0] - 1]) for uid in studied
    }
    unit_tbl = main_car.set_index("event_id")[["car", "car_se", "pvalue"]].copy()
    unit_tbl["gold_direction"] = [unit_dir[u] for u in unit_tbl.index]
    unit_tbl["category"] = [meta.loc[members[u][0], "category"] for u in unit_tbl.index]
    unit_tbl["price_before"] = [price_before[u] for u in unit_tbl.index]
    groups, gtests = group_tests(unit_tbl.reset_index(), seed=seed)

    # timing sensitivity (per studied unit's head event)
    head_rows = ev[ids.isin([members[u][0] for u in studied]).to_numpy()]
    cands = timing_candidates(head_rows, day0[head_rows.index], cal)
    head_to_unit = {members[u][0]: u for u in studied}
    cands["event_id"] = cands["event_id"].map(head_to_unit)
    sens = timing_sensitivity(
        returns,
        cands,
        extend=span,
        regressors=regressors,
        estimation_window=estimation_window,
        event_window=event_window,
        window=main,
        mask=mask,
        min_estimation_obs=min_estimation_obs,
    )

    engine_tests = (
        _engine_battery(
            returns,
            units.loc[studied],
            cal,
            regressors,
            model,
            estimation_window,
            event_window,
            car_windows,
            mask,
            min_estimation_obs,
            notes,
        )
        if run_engine
        else pd.DataFrame()
    )
    if run_engine and int(span.max() if len(span) else 0) > 0:
        notes.append(
            "Engine battery: merged episodes use the nominal CAR windows from the episode's day 0 "
            "(the engine does not extend windows by the episode's span)."
        )

    # the per-event table
    exc_df = pd.DataFrame(exclusions, columns=["event_id", "stage", "reason"])
    hac_car = hac.car.set_index("event_id")
    plc = placebo.events.set_index("event_id")
    timing = sens.groupby("event_id")[
        ["sign_depends_on_timing", "significance_depends_on_timing"]
    ].any()
    unit_of = {m: u for u, ms in members.items() for m in ms}
    rows = []
    for i, eid in enumerate(ids):
        uid = unit_of.get(eid, "")
        exc_here = exc_df[exc_df["event_id"] == eid]
        row = {
            "event_id": eid,
            "title": ev.loc[i, "title"],
            "title_ja": ev.loc[i, "title_ja"],
            "category": ev.loc[i, "category"],
            "gold_direction": ev.loc[i, "gold_direction"],
            "day0": d0[eid],
            "status": "excluded",
            "reason": "",
            "unit_id": "",
            "window": _window_text(main),
        }
        if uid in span.index and main[1] >= 0:
            row["window"] = _window_text((main[0], main[1] + int(span[uid])))
        if len(exc_here):
            row["reason"] = "; ".join(exc_here["reason"])
        elif uid in unit_tbl.index:
            head = members[uid][0] == eid
            row["status"] = "studied" if head else "merged"
            row["unit_id"] = uid
            if len(members[uid]) > 1:
                row["reason"] = (
                    f"head of episode {uid} ({len(members[uid])} events)"
                    if head
                    else f"merged into episode {uid} (values are the episode's)"
                )
            c = unit_tbl.loc[uid]
            row.update(
                {
                    "car": c["car"],
                    "car_pct": 100 * c["car"],
                    "car_se": c["car_se"],
                    "price_before": c["price_before"],
                    "car_usd": c["car"] * c["price_before"],
                    "p_analytic": c["pvalue"],
                    "car_hac": hac_car.loc[uid, "car"],
                    "se_hac": hac_car.loc[uid, "car_se"],
                    "p_hac": hac_car.loc[uid, "pvalue"],
                    "p_placebo": plc.loc[uid, "pvalue"],
                    "placebo_percentile": plc.loc[uid, "percentile"],
                    "timing_sensitive": bool(timing.loc[uid].any())
                    if uid in timing.index
                    else False,
                }
            )
        rows.append(row)
    table = pd.DataFrame(rows)

    n_st = int((table["status"] == "studied").sum())
    notes.insert(
        0,
        f"{len(ev)} catalog events: {n_st} studied, "
        f"{int((table['status'] == 'merged').sum())} merged into episodes, "
        f"{int((table['status'] == 'excluded').sum())} excluded (reasons in "
        "exclusions).",
    )
    for stage, g in exc_df.groupby("stage", sort=False):
        notes.append(
            f"{len(g)} excluded at stage '{stage}': e.g. {g['event_id'].iloc[0]}: "
            f"{g['reason'].iloc[0]}"
        )
    notes.append(
        f"Estimation windows mask the {_window_text(mask_window)} days of every catalogued "
        f"event ({int(mask.sum())} trading days in all); overlap policy '{overlap}'."
    )
    notes.append(
        f"HAC route: OLS of gold on {['const', *regressors]} plus one dummy per main-window "
        f"day over {hac.nobs} days; Newey-West (Bartlett) with maxlags={hac.maxlags}; CAR "
        "variance = parameter part (statsmodels HAC γ'Vγ) + Newey-West variance of the "
        "window's error sum (a one-day dummy has a zero residual, so γ'Vγ alone is too small)."
    )
    notes.append(
        f"Placebo: statistic '{placebo_statistic}', {len(placebo.null)} draws from "
        f"{n_boot} stationary-bootstrap resamples (mean block {placebo.block_length:.1f} days, "
        f"seed {seed}) of non-event abnormal returns."
    )
    notes.append(ENGINE_CAVEAT[0].upper() + ENGINE_CAVEAT[1:] + " (engine_tests, group t-tests).")
    if len(data.dropped_rows):
        notes.append(
            f"{len(data.dropped_rows)} {gold} price rows outside its trading calendar "
            f"were dropped (e.g. {data.dropped_rows['date'].iloc[-1].date()})."
        )
    notes.append(f"USD effects are first order: CAR x {gold} close on the day before the window.")
    try:
        from eventstudy.data.store import file_versions

        versions = file_versions(data.files, data_dir)
    except Exception as exc:  # the data may come from memory, without a manifest
        versions = pd.DataFrame({"path": list(data.files)})
        notes.append(f"Data versions unavailable: {exc}")
    settings = {
        "gold": gold,
        "model": model,
        "benchmark": data.benchmark,
        "regressors": tuple(regressors),
        "estimation_window": tuple(estimation_window),
        "event_window": tuple(event_window),
        "main_window": main,
        "car_windows": car_windows,
        "overlap": overlap,
        "overlap_window": tuple(overlap_window or event_window),
        "mask_window": tuple(mask_window),
        "maxlags": hac.maxlags,
        "placebo_statistic": placebo_statistic,
        "n_boot": n_boot,
        "draws_per_boot": draws_per_boot,
        "seed": seed,
    }
    return GoldStudyResults(
        events=table,
        ar=res.ar,
        car=res.car,
        params=res.params,
        exclusions=exc_df,
        overlaps=overlaps,
        hac=hac,
        placebo=placebo,
        groups=groups,
        group_tests=gtests,
        sensitivity=sens,
        engine_tests=engine_tests,
        data_versions=versions,
        close=close,
        settings=settings,
        notes=tuple(notes),
    )


def _placebo_by_length(ar, event_days, windows, **kw) -> PlaceboResults:
    """Placebo per window length (merged episodes are longer); the null kept is the one of
    the most common length."""
    from eventstudy.gold.inference import placebo_test

    lengths = pd.Series({u: len(w) for u, w in windows.items()})
    common = int(lengths.mode().iloc[0])
    results = {
        n: placebo_test(ar, event_days, {u: windows[u] for u in g.index}, **kw)
        for n, g in lengths.groupby(lengths)
    }
    base = results[common]
    frames = [r.events.assign(window_len=n) for n, r in results.items()]
    events = pd.concat(frames, ignore_index=True).set_index("event_id").loc[list(windows)]
    return PlaceboResults(
        events=events.reset_index(),
        null=base.null,
        statistic=base.statistic,
        block_length=base.block_length,
        window_len=common,
    )


def _window_text(w: tuple[int, int]) -> str:
    return f"({w[0]:+d}, {w[1]:+d})"


def _engine_battery(
    returns,
    units,
    cal,
    regressors,
    model,
    estimation_window,
    event_window,
    car_windows,
    mask,
    min_estimation_obs,
    notes,
) -> pd.DataFrame:
    """The engine's cross-sectional battery on the studied units, with the caveat attached."""
    from eventstudy.engine.study import EventStudy

    evs = pd.DataFrame(
        {
            "event_id": units.index,
            "asset": "gold",
            "day0": cal[units["position"].astype(int).to_numpy()],
        }
    )
    kw: dict = {}
    if model == "market":
        kw["benchmark"] = returns["equity"]
    elif model == "factor":
        kw["factors"] = returns[list(regressors)]
    try:
        fit = EventStudy(
            returns[["gold"]],
            evs,
            model=model,
            estimation_window=estimation_window,
            event_window=event_window,
            car_windows=car_windows,
            estimation_mask=mask,
            min_estimation_obs=min_estimation_obs,
            **kw,
        ).fit()
    except Exception as exc:  # report, never hide: the gold routes do not depend on it
        notes.append(f"Engine battery failed ({type(exc).__name__}: {exc}); not reported.")
        return pd.DataFrame()
    tests = fit.tests.copy()
    if tests.empty:
        notes.append("Engine returned no cross-sectional tests.")
    tests["caveat"] = ENGINE_CAVEAT
    return tests
