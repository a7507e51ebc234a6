"""Threshold claims: whether a series reached a level within a horizon, and how likely it was.

Evidence is given per series and per price field: the first session on which the daily close,
and the intraday high (at or above) or low (at or below), reached the level, from ``made_on``
through the horizon's end. The verdict rests on the first series named and the claim's
``basis``. Further series are cross-checks: a series in another unit (GLD, USD/share, beside
GC=F, USD/oz) is compared with the level converted by the median ratio of the two closes over
the :data:`CONVERSION_SESSIONS` sessions before ``made_on``. For continuous futures the roll
days near each crossing of the first series are flagged (:mod:`eventstudy.claims.rolls`).
"""

from __future__ import annotations

import math

import pandas as pd

from eventstudy.claims import verdicts as V
from eventstudy.claims.claim import Claim, horizon_end
from eventstudy.claims.context import Context, Outcome, evidence_row, fmt, span
from eventstudy.claims.rolls import roll_days_near
from eventstudy.claims.sources import MissingData, MissingFile, SeriesData
from eventstudy.claims.tests import NoInformation, first_reached, no_information_probability

__all__ = [
    "CONVERSION_SESSIONS",
    "FIRST_DATE_TEXTS",
    "REASON_TEXTS",
    "RESTS_ON_TEXTS",
    "ROLL_DAY_TEXTS",
    "threshold_outcome",
]

CONVERSION_SESSIONS = 20
"""Sessions before ``made_on`` whose median close ratio converts a cross-check's level."""
MIN_HISTORY = 30
"""Fewest sessions before ``made_on`` that calibrate the no-information model."""
PLOT_LEAD = 60
"""Sessions before ``made_on`` shown in the plot."""

_NOINFO = (
    "no-information probability {p} (bootstrap {p_bootstrap}; sigma {sigma} per session over "
    "{n} sessions)"
)
REASON_TEXTS: dict[str, str] = {
    "threshold_first_above": "{series} {field} first at or above {level} {unit} on {date}",
    "threshold_first_below": "{series} {field} first at or below {level} {unit} on {date}",
    "threshold_not_above": "{series} {field} not at or above {level} {unit} through {end}",
    "threshold_not_below": "{series} {field} not at or below {level} {unit} through {end}",
    "threshold_no_first_date": "first dates: none",
    "threshold_first_dates": "first dates: {dates}",
    "threshold_noinfo": _NOINFO,
    "threshold_noinfo_beyond": _NOINFO + ": the claim said more than volatility did",
    "threshold_noinfo_within": _NOINFO + ": volatility alone gave it that chance",
    "threshold_rolls": "roll day(s) near the crossing: {days}",
    "threshold_no_prices": "{path} has no {field} prices (basis={basis})",
}
"""The sentences of a threshold claim's ``reason`` (joined by ``"; "``) and of its missing
price field: the first series' price field (``close``, ``intraday high``...) reaching the
level or not, the first dates (``dates``: :data:`FIRST_DATE_TEXTS` joined by ``", "``), the
no-information probability with or without its reading, the roll days near the crossing
(``days``: :data:`ROLL_DAY_TEXTS` joined by ``", "``). Fields hold values as written
(numbers formatted, dates ``YYYY-MM-DD``); the Japanese page reads them back
(:mod:`eventstudy.report.cells`)."""

FIRST_DATE_TEXTS: dict[str, str] = {"first_date": "{series} {field} {date}"}
"""One item of the first dates: a series, its price field (``close``, ``high``, ``low``), the
date."""

ROLL_DAY_TEXTS: dict[str, str] = {"roll_day": "{date} ({offset} sessions)"}
"""One roll day near a crossing, with its signed offset in sessions."""

RESTS_ON_TEXTS: dict[str, str] = {"threshold": "{series} {field}"}
"""What a threshold verdict rests on: the first series and its price field."""


def threshold_outcome(c: Claim, ctx: Context) -> Outcome:
    """Verdict and evidence of a ``threshold`` claim (rules in :mod:`~.verdicts`)."""
    from eventstudy.data.day0 import trading_sessions

    above = c.expected == "above"
    prim = ctx.series(c.primary)
    bars = prim.frame
    field = _field(c.basis, above)
    if field not in bars.columns or bars[field].isna().all():
        path = prim.files[-1]
        reason = REASON_TEXTS["threshold_no_prices"].format(path=path, field=field, basis=c.basis)
        raise MissingData(MissingFile(path, reason))
    history = bars[bars.index < c.made_on]
    if len(history) < MIN_HISTORY:
        prim.require(c.made_on - pd.Timedelta(days=2 * MIN_HISTORY), None, ctx.root)
    horizons = _horizons(c)
    ends = dict(zip(horizons["window"], horizons["end"], strict=True))
    sessions = {
        label: trading_sessions(c.primary.key, c.made_on, end) for label, end in ends.items()
    }
    noinfo = no_information_probability(
        history,
        c.level,
        above,
        sorted({len(s) for s in sessions.values()}),
        log=prim.log,
        calibration=ctx.calibration,
        n_boot=ctx.n_boot,
        seed=ctx.seed,
    )
    others: list[SeriesData | MissingFile] = []
    for ref in c.series[1:]:
        try:
            others.append(ctx.series(ref))
        except MissingData as exc:
            others.append(exc.missing)
    main_label = next(iter(ends))
    # the primary's roll days, found once for every horizon (a scan of the whole series)
    rolls = ctx.roll_days(prim.frame) if c.primary.key.endswith("=F") else pd.DatetimeIndex([])
    runs = {}
    for label, end in ends.items():
        try:
            runs[label] = _one_horizon(
                c, ctx, prim, others, end, sessions[label], noinfo, above, rolls
            )
        except MissingData as exc:
            if label == main_label:
                raise
            runs[label] = Outcome(c, V.NO_DATA, reason=exc.missing.reason)
    main = runs[main_label]
    main.sensitivity = [
        {
            "claim_id": c.claim_id,
            "window": label,
            "main": label == main_label,
            "verdict": o.verdict,
            "key_date": o.key_date,
            "estimate": o.estimate,
            "p": o.p,
            "p_bootstrap": noinfo.probability(len(sessions[label]), c.basis, "bootstrap"),
            "sessions": len(sessions[label]),
        }
        for label, o in runs.items()
    ]
    main.evidence += _noinfo_rows(
        c, noinfo, len(sessions[main_label]), span(c.made_on, c.end), prim.unit
    )
    path, columns = _path(c, prim, others, main.evidence, max(ends.values()))
    main.plot = {
        "kind": "threshold",
        "path": path,
        "path_columns": columns,
        "level": c.level,
        "above": above,
        "made_on": c.made_on,
        "ends": ends,
        "horizons": horizons,
        "first": main.plot["first"],
        "p_noinfo": {
            "brownian": noinfo.probability(len(sessions[main_label]), c.basis),
            "bootstrap": noinfo.probability(len(sessions[main_label]), c.basis, "bootstrap"),
        },
        "unit": prim.unit,
        "title": f"{c.claim_id}: {c.text}",
    }
    main.files = [*prim.files, *(f for o in others if isinstance(o, SeriesData) for f in o.files)]
    return main


def _field(basis: str, above: bool) -> str:
    """The price field a basis reads: ``close``, or ``high``/``low`` for intraday."""
    return "close" if basis == "close" else ("high" if above else "low")


def _name(field: str) -> str:
    return field if field == "close" else f"intraday {field}"


def _end(c: Claim) -> pd.Timestamp:
    """The end of a threshold claim's main horizon (a column the claim type requires).

    Raises
    ------
    ValueError
        ``c.end`` is missing, which :func:`~eventstudy.claims.spec.load_claims` rules out.
    """
    if c.end is None:
        raise ValueError(f"{c.claim_id}: a threshold claim needs an end date")
    return c.end


def _horizons(c: Claim) -> pd.DataFrame:
    """The main horizon first, then the sensitivity horizons, one row each.

    Returns
    -------
    DataFrame
        ``window`` (the horizon's label, e.g. ``"1M: through 2025-03-18"``: the ``window``
        column of the sensitivity table), ``token`` (``"1M"``, ``"6M"``...; ``""`` for the
        main horizon, given by the claim's end date), ``end`` (the horizon's last date) and
        ``main``.
    """
    tokens = ["", *dict.fromkeys(c.sensitivity)]  # a horizon named twice: drawn once
    ends = [_end(c), *(horizon_end(token, c.made_on) for token in c.sensitivity)]
    return pd.DataFrame(
        {
            "window": [_window(t, e) for t, e in zip(tokens, ends, strict=True)],
            "token": tokens,
            "end": pd.DatetimeIndex(ends),
            "main": [t == "" for t in tokens],
        }
    )


def _window(token: str, end: pd.Timestamp) -> str:
    """A horizon's label: ``"through 2025-05-18"``, or ``"1M: through 2025-03-18"``."""
    through = f"through {end.date()}"
    return f"{token}: {through}" if token else through


def _one_horizon(
    c: Claim,
    ctx: Context,
    prim: SeriesData,
    others: list[SeriesData | MissingFile],
    end: pd.Timestamp,
    sessions: pd.DatetimeIndex,
    noinfo: NoInformation,
    above: bool,
    rolls: pd.DatetimeIndex,
) -> Outcome:
    window = span(c.made_on, end)
    evidence: list[dict] = []
    first: dict[str, pd.Timestamp] = {}
    for s in [prim, *others]:
        if isinstance(s, MissingFile):
            evidence.append(evidence_row(c, "", "", window, "missing", math.nan, note=s.reason))
            continue
        level = c.level
        if s is not prim and s.unit != prim.unit:
            level, note = _converted_level(c, s, prim)
            statistic = "level" if math.isfinite(level) else "missing"
            evidence.append(
                evidence_row(c, s.ref.label, "", window, statistic, level, s.unit, note=note)
            )
            if not math.isfinite(level):
                continue
        rows = s.frame[(s.frame.index >= c.made_on) & (s.frame.index <= end)]
        for field in ("close", "high" if above else "low"):
            if field not in rows.columns or rows[field].isna().all():
                continue
            rests = s is prim and field == _field(c.basis, above)
            date, value = first_reached(rows[field], level, above)
            name = _name(field)
            evidence.append(
                evidence_row(
                    c,
                    s.ref.label,
                    name,
                    window,
                    "first_reached",
                    value,
                    s.unit,
                    date,
                    "the verdict rests on this" if rests else "",
                )
            )
            if date is not None:
                first[f"{s.ref.label} {field}"] = date
                n_to = int((rows.index <= date).sum())
                evidence.append(
                    evidence_row(
                        c, s.ref.label, name, window, "sessions_to_first", n_to, "sessions"
                    )
                )
                if s is prim and len(rolls):
                    evidence.append(_roll_row(c, s, name, window, rolls, date, ctx.roll_window))
            extreme = rows[field].max() if above else rows[field].min()
            evidence.append(
                evidence_row(
                    c, s.ref.label, name, window, "max" if above else "min", extreme, s.unit
                )
            )
    field = _field(c.basis, above)
    observed = len(sessions) > 0 and prim.frame.index[-1] >= sessions[-1]
    key_date = first.get(f"{c.primary.label} {field}")
    if key_date is None and not observed:
        prim.require(None, sessions[-1] if len(sessions) else end, ctx.root)
    path = prim.frame[(prim.frame.index >= c.made_on) & (prim.frame.index <= end)][field]
    p_noinfo = noinfo.probability(len(sessions), c.basis)
    return Outcome(
        c,
        V.threshold_verdict(key_date is not None, observed),
        rests_on=RESTS_ON_TEXTS["threshold"].format(series=c.primary.label, field=_name(field)),
        key_date=key_date,
        estimate=float(path.max() if above else path.min()) if len(path) else math.nan,
        estimate_label=f"{'max' if above else 'min'} {_name(field)} over the horizon",
        unit=prim.unit,
        p=p_noinfo if key_date is not None else 1.0,
        reason=_reason(c, prim, first, key_date, field, noinfo, len(sessions), evidence),
        evidence=evidence,
        plot={"first": first},
    )


def _converted_level(c: Claim, s: SeriesData, prim: SeriesData) -> tuple[float, str]:
    both = pd.concat([s.frame["close"], prim.frame["close"]], axis=1, join="inner", keys=["s", "p"])
    both = both[both.index < c.made_on].tail(CONVERSION_SESSIONS)
    if both.empty:
        return math.nan, f"no common sessions before made_on to convert {prim.unit} to {s.unit}"
    ratio = float((both["s"] / both["p"]).median())
    note = (
        f"{fmt(c.level)} {prim.unit} x {s.ref.label}/{prim.ref.label} close ratio {ratio:.5f} "
        f"(median of the {len(both)} sessions to {both.index[-1].date()})"
    )
    return c.level * ratio, note


def _roll_row(
    c: Claim,
    s: SeriesData,
    name: str,
    window: str,
    rolls: pd.DatetimeIndex,
    date: pd.Timestamp,
    roll_window: int,
) -> dict:
    index = s.frame.index
    near = roll_days_near(rolls, index, date, roll_window)
    if near:
        days = ", ".join(
            ROLL_DAY_TEXTS["roll_day"].format(date=d.date(), offset=f"{k:+d}") for d, k in near
        )
        note = REASON_TEXTS["threshold_rolls"].format(days=days)
    else:
        note = f"no roll day within {roll_window} sessions"
        nearest = roll_days_near(rolls, index, date, len(index))
        if nearest:
            d, k = min(nearest, key=lambda x: abs(x[1]))
            note += f"; nearest detected {d.date()} ({k:+d} sessions)"
    return evidence_row(
        c, s.ref.label, name, window, "roll_days_near", len(near), "days", note=note
    )


def _noinfo_rows(c: Claim, ni: NoInformation, n: int, window: str, unit: str) -> list[dict]:
    label = c.primary.label
    change = "log return" if c.primary.kind == "prices" else unit
    extreme = _name(_field("intraday", c.expected == "above"))
    rows = [
        evidence_row(
            c,
            label,
            "close" if r.basis == "close" else extreme,
            window,
            f"p_noinfo_{r.model}" + ("" if r.drift == "zero" else "_trailing_drift"),
            r.probability,
            "probability",
        )
        for r in ni.table[ni.table["sessions"] == n].itertuples(index=False)
    ]
    return [
        *rows,
        evidence_row(c, label, "", window, "start_value", ni.start_value, unit),
        evidence_row(c, label, "", window, "distance", ni.distance, change),
        evidence_row(c, label, "", window, "sigma_per_session", ni.sigma, change),
        evidence_row(c, label, "", window, "drift_per_session", ni.drift, change),
        evidence_row(c, label, "", window, "sessions", n, "sessions"),
        evidence_row(c, label, "", window, "calibration_sessions", ni.n_calibration, "sessions"),
        evidence_row(c, label, "", window, "block_length", ni.block_length, "sessions"),
    ]


def _reason(
    c: Claim,
    prim: SeriesData,
    first: dict[str, pd.Timestamp],
    key_date: pd.Timestamp | None,
    field: str,
    noinfo: NoInformation,
    n: int,
    evidence: list[dict],
) -> str:
    side = "above" if c.expected == "above" else "below"
    values = {"series": c.primary.label, "field": _name(field), "level": fmt(c.level)}
    if key_date is not None:
        head = REASON_TEXTS[f"threshold_first_{side}"].format(
            **values, unit=prim.unit, date=key_date.date()
        )
    else:
        head = REASON_TEXTS[f"threshold_not_{side}"].format(
            **values, unit=prim.unit, end=_end(c).date()
        )
    dates = ", ".join(_first_date(key, date) for key, date in first.items())
    p, pb = noinfo.probability(n, c.basis), noinfo.probability(n, c.basis, "bootstrap")
    reading = "" if key_date is None else ("_beyond" if p < c.alpha else "_within")
    tail = REASON_TEXTS[f"threshold_noinfo{reading}"].format(
        p=f"{p:.2f}", p_bootstrap=f"{pb:.2f}", sigma=f"{noinfo.sigma:.4f}", n=n
    )
    listed = (
        REASON_TEXTS["threshold_first_dates"].format(dates=dates)
        if dates
        else REASON_TEXTS["threshold_no_first_date"]
    )
    rolls = [r["note"] for r in evidence if r["statistic"] == "roll_days_near" and r["value"]]
    return "; ".join([head, listed, tail, *rolls])


def _first_date(key: str, date: pd.Timestamp) -> str:
    """One item of the first dates (``key``: ``"<series> <field>"``)."""
    series, _, field = key.rpartition(" ")
    return FIRST_DATE_TEXTS["first_date"].format(series=series, field=field, date=date.date())


def _path(
    c: Claim,
    prim: SeriesData,
    others: list[SeriesData | MissingFile],
    evidence: list[dict],
    last_end: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every cited series in the first series' unit, from PLOT_LEAD sessions before made_on.

    Returns
    -------
    path : DataFrame
        One column per series and price field (``"GC=F close"``), indexed by date.
    columns : DataFrame
        Indexed by ``path``'s column names: ``series`` (the series' label, ``GC=F``) and
        ``field`` (``close``, ``high`` or ``low``).
    """
    index = prim.frame.index
    start = index[max(0, int(index.searchsorted(c.made_on)) - PLOT_LEAD)]
    columns = {}
    names = []
    for s in [prim, *others]:
        if isinstance(s, MissingFile):
            continue
        scale = 1.0
        if s is not prim and s.unit != prim.unit:
            levels = [
                r["value"]
                for r in evidence
                if r["series"] == s.ref.label and r["statistic"] == "level"
            ]
            if not levels:
                continue
            scale = c.level / levels[0]
        for field in ("close", "high", "low"):
            name = f"{s.ref.label} {field}"
            if field in s.frame.columns and name not in columns:  # a series named twice: once
                columns[name] = s.frame[field] * scale
                names.append((s.ref.label, field))
    path = pd.DataFrame(columns)
    fields = pd.DataFrame(names, index=path.columns, columns=["series", "field"], dtype=object)
    return path[(path.index >= start) & (path.index <= last_end)], fields
