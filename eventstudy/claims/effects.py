"""Event-effect claims: whether catalogued events moved gold, or a market, as stated.

* Gold (``GC=F``, ``GLD``): the gold event study (through
  :func:`eventstudy.claims.gold_adapter.gold_event_effects`) with the claim's window as its
  main CAR window. One event: its CAR from the event-dummy regression with HAC errors
  (Newey-West on GARCH(1,1)-scaled residuals)
  (``car_hac``, two-sided ``p_hac`` made one-sided with :func:`~.tests.one_sided`); the
  group ``gold_direction:up`` / ``down``: the study's HAC mean test of that group.
* Markets: :func:`eventstudy.odds.shift.odds_shift` of the ``Yes`` token over the claim's
  wall-clock window, every other catalogued event kept out of the placebo null; the two-sided
  empirical p of the log-odds shift made one-sided (the normal p of ``abnormal_z`` when the
  market's life is too short for a placebo null).
* Several events: Stouffer's combination of their one-sided p-values (:func:`~.tests.stouffer`),
  valid for non-overlapping windows; the estimate is their mean.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from eventstudy import _scipy_stats as stats
from eventstudy.claims import verdicts as V
from eventstudy.claims.claim import Claim, parse_horizon, parse_trading_window
from eventstudy.claims.context import Context, Outcome, evidence_row, sensitivity_row, utc_day
from eventstudy.claims.tests import one_sided, stouffer

__all__ = ["REASON_TEXTS", "RESTS_ON_TEXTS", "event_effect_outcome", "event_ids"]

REASON_TEXTS: dict[str, str] = {
    "effect_gold_event": "{event} (day 0 {day0}): CAR {window} {car} (HAC, two-sided p {p}; "
    "textbook {car_textbook}; placebo p {p_placebo})",
    "effect_stouffer": "Stouffer over {n} events",
    "effect_gold_group": "mean HAC CAR {window} of the {n} studied '{group}' events {car} "
    "(z {z}, one-sided p {p})",
    "effect_not_computable": "{event}: not computable ({reason})",
    "effect_normal_p": "{event}: no placebo null, normal p from abnormal_z",
    "effect_market": "{event}: {series} {p_before} -> {p_after} ({shift_pp} pp, {shift_logodds} "
    "log-odds) over {window}; empirical p {p} two-sided (z {z})",
}
"""The sentences of an event-effect claim's ``reason``, one per event (joined by ``"; "``):
a gold event's CARs and p-values, Stouffer's combination, a ``gold_direction`` group's mean
(``group``: ``up`` or ``down``), a market's odds shift or why it has none (``reason``: the
odds study's own words). Fields hold values as written (numbers formatted); the Japanese page
reads them back (:mod:`eventstudy.report.cells`). Left in one English sentence: no event
studied, with the gold study's reasons (``"no event studied (<id>: <reason>; ...)"``)."""

RESTS_ON_TEXTS: dict[str, str] = {
    "gold": "{series} CAR {window}",
    "market": "{series} shift {window}",
}
"""What an event-effect verdict rests on: a gold series' CAR, a market's odds shift."""


def event_effect_outcome(c: Claim, ctx: Context) -> Outcome:
    """Verdict and evidence of an ``event_effect`` claim, with its sensitivity windows."""
    ids, group = event_ids(c, ctx.events)
    runs = {}
    for window in (c.window, *c.sensitivity):
        if c.primary.kind == "market":
            runs[window] = _market(c, ids, window, ctx)
        else:
            runs[window] = _gold(c, ids, group, window, ctx)
    main = runs[c.window]
    if len(runs) > 1:
        main.sensitivity = [sensitivity_row(c, w, w == c.window, o) for w, o in runs.items()]
    return main


def event_ids(c: Claim, events: pd.DataFrame) -> tuple[list[str], str | None]:
    """The claim's event ids, and the ``gold_direction`` group when it names one."""
    prefix, _, value = c.events[0].partition(":")
    if prefix == "gold_direction":
        return events.loc[events["gold_direction"] == value, "event_id"].astype(str).tolist(), value
    if prefix == "category":
        return events.loc[events["category"] == value, "event_id"].astype(str).tolist(), None
    return list(c.events), None


def _combined(c: Claim, p_up: list[float], p_down: list[float]) -> tuple[str, float]:
    if len(p_up) == 1:
        pu, pd_ = p_up[0], p_down[0]
    else:
        pu, pd_ = stouffer(p_up), stouffer(p_down)
    p2 = min(1.0, 2 * min(pu, pd_)) if math.isfinite(pu) and math.isfinite(pd_) else math.nan
    return V.directional_verdict(c.expected, c.alpha, pu, pd_, p2)


# --------------------------------------------------------------------------------------------
# gold
# --------------------------------------------------------------------------------------------


def _gold(c: Claim, ids: list[str], group: str | None, window: str, ctx: Context) -> Outcome:
    w = parse_trading_window(window)
    eff = ctx.gold(c.primary.key, w)
    label, wtext = c.primary.label, f"({w[0]:+d}, {w[1]:+d})"
    table = eff.events.set_index("event_id")
    evidence = []
    for eid in ids:
        r = table.loc[eid]
        if r["status"] == "excluded":
            evidence.append(
                evidence_row(c, label, eid, wtext, "excluded", math.nan, note=str(r["reason"]))
            )
            continue
        note = "" if r["status"] == "studied" else str(r["reason"])
        for stat in ("car", "car_hac", "p_hac", "p_placebo"):
            unit = "log return" if stat.startswith("car") else "probability"
            evidence.append(
                evidence_row(c, label, eid, wtext, stat, r[stat], unit, r["day0"], note)
            )
    studied = [e for e in ids if table.loc[e, "status"] != "excluded"]
    common: dict[str, Any] = {  # keyword arguments shared by every Outcome below
        "rests_on": RESTS_ON_TEXTS["gold"].format(series=label, window=wtext),
        "unit": "log return",
        "files": list(eff.data_versions["path"].astype(str)),
        "evidence": evidence,
        "plot": {
            "kind": "event_gold",
            "bars": pd.DataFrame(
                {
                    "event_id": studied,
                    "estimate_pct": [100 * float(table.loc[e, "car_hac"]) for e in studied],
                    "p": [float(table.loc[e, "p_hac"]) for e in studied],
                }
            ),
            "window": wtext,
            "title": f"{c.claim_id}: {c.text}",
        },
    }
    if group is not None:
        return _gold_group(c, eff.direction_tests.loc[group], group, wtext, common)
    if not studied:
        reasons = "; ".join(f"{e}: {table.loc[e, 'reason']}" for e in ids)
        return Outcome(c, V.INCONCLUSIVE, reason=f"no event studied ({reasons})", **common)
    ups, downs = zip(
        *(one_sided(float(table.loc[e, "p_hac"]), float(table.loc[e, "car_hac"])) for e in studied),
        strict=True,
    )
    verdict, p = _combined(c, list(ups), list(downs))
    parts = [
        REASON_TEXTS["effect_gold_event"].format(
            event=e,
            day0=pd.Timestamp(table.loc[e, "day0"]).date(),
            window=wtext,
            car=f"{table.loc[e, 'car_hac']:+.2%}",
            p=f"{table.loc[e, 'p_hac']:.3f}",
            car_textbook=f"{table.loc[e, 'car']:+.2%}",
            p_placebo=f"{table.loc[e, 'p_placebo']:.3f}",
        )
        for e in studied
    ]
    if len(studied) > 1:
        parts.append(REASON_TEXTS["effect_stouffer"].format(n=len(studied)))
    return Outcome(
        c,
        verdict,
        key_date=pd.Timestamp(table.loc[studied[0], "day0"]) if len(studied) == 1 else None,
        estimate=float(np.mean([table.loc[e, "car_hac"] for e in studied])),
        estimate_label="CAR (HAC)" if len(studied) == 1 else "mean CAR (HAC)",
        p=p,
        reason="; ".join(parts),
        **common,
    )


def _gold_group(c: Claim, t: pd.Series, group: str, wtext: str, common: dict[str, Any]) -> Outcome:
    p_group = float(t["pvalue"])  # one-sided in the group's own direction
    pu, pd_ = (p_group, 1 - p_group) if group == "up" else (1 - p_group, p_group)
    verdict, p = V.directional_verdict(c.expected, c.alpha, pu, pd_, min(1.0, 2 * min(pu, pd_)))
    label, basis = c.primary.label, f"gold_direction:{group}"
    common["evidence"] += [
        evidence_row(c, label, basis, wtext, "mean_car_hac", t["mean_car_hac"], "log return"),
        evidence_row(c, label, basis, wtext, "z", t["stat"], str(t["dist"])),
        evidence_row(c, label, basis, wtext, f"p_{group}", p_group, "probability"),
        evidence_row(c, label, basis, wtext, "n_events", t["n"], "events"),
    ]
    reason = REASON_TEXTS["effect_gold_group"].format(
        window=wtext,
        n=int(t["n"]),
        group=group,
        car=f"{t['mean_car_hac']:+.3%}",
        z=f"{t['stat']:.2f}",
        p=f"{p_group:.3f}",
    )
    return Outcome(
        c,
        verdict,
        estimate=float(t["mean_car_hac"]),
        p=p,
        reason=reason,
        estimate_label="mean CAR (HAC) of the group",
        **common,
    )


# --------------------------------------------------------------------------------------------
# markets
# --------------------------------------------------------------------------------------------


def _shift(
    odds: pd.DataFrame,
    event_time: pd.Timestamp,
    horizon: pd.Timedelta,
    market: dict,
    others: list[pd.Timestamp],
) -> pd.Series:
    """The one call to the odds machinery: one token, one event, one horizon.

    Returns
    -------
    pandas.Series
        The single row of :func:`eventstudy.odds.shift.odds_shift` for ``horizon`` (its
        probabilities, shift in percentage points and log-odds, ``abnormal_z``, empirical p).
    """
    from eventstudy.odds.shift import odds_shift

    return odds_shift(
        odds,
        event_time,
        [horizon],
        created_at=market["created_at"],
        closed_at=market["closed_at"],
        exclude_times=others,
    ).iloc[0]


def _market_part(event: str, label: str, window: str, r: pd.Series) -> str:
    """One market event's sentence of the ``reason``: the odds shift and its empirical p."""
    return REASON_TEXTS["effect_market"].format(
        event=event,
        series=label,
        p_before=f"{r['p_before']:.3f}",
        p_after=f"{r['p_after']:.3f}",
        shift_pp=f"{r['shift_pp']:+.1f}",
        shift_logodds=f"{r['shift_logodds']:+.2f}",
        window=window,
        p=f"{r['empirical_p']:.3f}",
        z=f"{r['abnormal_z']:.2f}",
    )


def _market(c: Claim, ids: list[str], window: str, ctx: Context) -> Outcome:
    s = ctx.series(c.primary)
    horizon = parse_horizon(window)
    label = c.primary.label
    odds = pd.DataFrame({"t": s.observed.index, "p": s.observed.to_numpy()})
    times = ctx.events.set_index("event_id")["event_time"]
    evidence, ups, downs, parts, shifts, points = [], [], [], [], [], {}
    for eid in ids:
        others = [t for k, t in times.items() if k != eid and not pd.isna(t)]
        r = _shift(odds, times[eid], horizon, s.market, others)
        note = f"{r['status']}: {r['reason']}" if r["status"] != "ok" else ""
        for stat, unit in (
            ("p_before", "probability"),
            ("p_after", "probability"),
            ("shift_pp", "percentage points"),
            ("shift_logodds", "log-odds"),
            ("abnormal_z", "N(0,1)"),
            ("empirical_p", "probability"),
        ):
            evidence.append(
                evidence_row(c, label, eid, window, stat, r[stat], unit, times[eid], note)
            )
        if r["status"] == "not_computable":
            parts.append(
                REASON_TEXTS["effect_not_computable"].format(event=eid, reason=r["reason"])
            )
            continue
        p2 = float(r["empirical_p"])
        if not math.isfinite(p2) and math.isfinite(float(r["abnormal_z"])):
            p2 = float(2 * stats.norm.sf(abs(float(r["abnormal_z"]))))
            parts.append(REASON_TEXTS["effect_normal_p"].format(event=eid))
        u, d = one_sided(p2, float(r["shift_logodds"]))
        ups.append(u)
        downs.append(d)
        shifts.append(float(r["shift_pp"]))
        points[eid] = (r["t_before"], float(r["p_before"]), r["t_after"], float(r["p_after"]))
        parts.append(_market_part(eid, label, window, r))
    common: dict[str, Any] = {  # keyword arguments shared by every Outcome below
        "rests_on": RESTS_ON_TEXTS["market"].format(series=label, window=window),
        "unit": "percentage points",
        "estimate_label": "odds shift" if len(ids) == 1 else "mean odds shift",
        "files": list(s.files),
        "evidence": evidence,
        "plot": {
            "kind": "event_market",
            "path": s.observed,
            "event_times": {e: times[e] for e in ids},
            "points": points,
            "title": f"{c.claim_id}: {c.text}",
        },
    }
    if not ups:
        return Outcome(c, V.INCONCLUSIVE, reason="; ".join(parts), **common)
    verdict, p = _combined(c, ups, downs)
    key = utc_day(times[ids[0]]) if len(ids) == 1 else None
    return Outcome(
        c,
        verdict,
        key_date=key,
        estimate=float(np.mean(shifts)),
        p=p,
        reason="; ".join(parts),
        **common,
    )
