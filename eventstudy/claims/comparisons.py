"""Level, shift and association claims: a series against a band, its own past, another series.

* ``level``: the observations dated ``start`` .. ``end`` against ``level`` +/- ``tolerance``
  (:func:`~.tests.level_test`). A market's window is cut at its close.
* ``shift``: the mean over ``start`` .. ``end`` minus the mean over ``baseline`` ..
  ``start`` - 1 day, Newey-West HAC (:func:`~.tests.mean_shift_test`).
* ``association``: the first series' session changes (log returns for prices, differences for
  levels) on the second series' changes between the same sessions, the second series taken as
  of each session date (its last value on or before it, at most :data:`MAX_STALE_DAYS` old:
  the gold study's as-of rule), HAC slope (:func:`~.tests.hac_slope_test`); the same with the
  second series lagged one calendar day is a sensitivity row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from eventstudy.claims import verdicts as V
from eventstudy.claims.claim import Claim
from eventstudy.claims.context import Context, Outcome, evidence_row, fmt, in_dates, span
from eventstudy.claims.sources import SeriesData, utc_day
from eventstudy.claims.tests import TestOutcome, hac_slope_test, level_test, mean_shift_test
from eventstudy.data import store

__all__ = [
    "MAX_STALE_DAYS",
    "REASON_TEXTS",
    "RESTS_ON_TEXTS",
    "association_outcome",
    "level_outcome",
    "shift_outcome",
]

MAX_STALE_DAYS = 5
"""Association: the second series' value may be at most this many calendar days old."""
PLOT_MARGIN = pd.Timedelta(days=30)

REASON_TEXTS: dict[str, str] = {
    "level_no_observation": "no observation of {series} in {window}",
    "level": "{series} over {window} ({n} observations): mean {mean}, range {low}..{high}, "
    "{share} within {band} {unit} (basis {basis})",
    "shift": "{series} mean {after} over {window_after} vs {before} over {window_before}: "
    "difference {difference} {unit} (HAC se {se}, z {z}, {lags} lags)",
    "association": "{y} ({y_unit}) on {x} changes over {window} ({n} sessions): slope {slope} "
    "{y_unit} per unit of {x} (HAC se {se}, z {z})",
    "association_effect": "one sd of {x} changes moves {y} by {effect}",
    "association_lagged": "{x} lagged a day: z {z_lagged}",
}
"""The sentences of the ``reason`` of level, shift and association claims (an association's
three joined by ``"; "``). Fields hold values as written (numbers formatted, windows
``YYYY-MM-DD..YYYY-MM-DD``, ``y_unit`` ``log return`` or the series' unit); the Japanese page
reads them back (:mod:`eventstudy.report.cells`)."""

RESTS_ON_TEXTS: dict[str, str] = {"association": "{y} on {x}"}
"""What an association verdict rests on: the first series on the second."""


def _coverage_end(s: SeriesData, end: pd.Timestamp) -> pd.Timestamp:
    """``end``, or a market's close date if earlier (no data can exist after it)."""
    closed = s.market.get("closed_at")
    return end if closed is None or pd.isna(closed) else min(end, utc_day(closed))


def level_outcome(c: Claim, ctx: Context) -> Outcome:
    """Verdict and evidence of a ``level`` claim."""
    s = ctx.series(c.primary)
    s.require(c.start, _coverage_end(s, c.end), ctx.root)
    values = in_dates(s.observed, c.start, c.end)
    window, label = span(c.start, c.end), c.primary.label
    if values.empty:
        reason = REASON_TEXTS["level_no_observation"].format(series=label, window=window)
        return Outcome(c, V.INCONCLUSIVE, rests_on=label, files=list(s.files), reason=reason)
    out = level_test(values, c.level, c.tolerance, c.basis)
    evidence = [
        evidence_row(c, label, c.basis, window, "level", c.level, s.unit),
        evidence_row(c, label, c.basis, window, "tolerance", c.tolerance, s.unit),
        evidence_row(c, label, c.basis, window, "mean", out.mean, s.unit),
        evidence_row(c, label, c.basis, window, "min", out.min, s.unit, values.idxmin()),
        evidence_row(c, label, c.basis, window, "max", out.max, s.unit, values.idxmax()),
        evidence_row(c, label, c.basis, window, "share_within", out.share_within, "share"),
        evidence_row(c, label, c.basis, window, "n", out.n, "observations"),
    ]
    band = f"{fmt(c.level - c.tolerance, 3)}..{fmt(c.level + c.tolerance, 3)}"
    reason = REASON_TEXTS["level"].format(
        series=label,
        window=window,
        n=out.n,
        mean=fmt(out.mean, 3),
        low=fmt(out.min, 3),
        high=fmt(out.max, 3),
        share=f"{out.share_within:.0%}",
        band=band,
        unit=s.unit,
        basis=c.basis,
    )
    plot = {
        "kind": "level",
        "path": in_dates(s.observed, c.start - PLOT_MARGIN, c.end + PLOT_MARGIN),
        "level": c.level,
        "tolerance": c.tolerance,
        "start": c.start,
        "end": c.end,
        "unit": s.unit,
        "title": f"{c.claim_id}: {c.text}",
    }
    return Outcome(
        c,
        V.level_verdict(out.within),
        rests_on=label,
        estimate=out.mean,
        estimate_label=f"mean over the range (basis {c.basis})",
        unit=s.unit,
        reason=reason,
        evidence=evidence,
        files=list(s.files),
        plot=plot,
    )


def hac_rows(
    c: Claim, label: str, basis: str, window: str, test: TestOutcome, unit: str, name: str
) -> list[dict]:
    """Evidence rows of a HAC test: the estimate (as ``name``), se, z, the p-values, n, lags."""
    return [
        evidence_row(c, label, basis, window, name, test.estimate, unit),
        evidence_row(c, label, basis, window, "se_hac", test.se, unit),
        evidence_row(c, label, basis, window, "z", test.stat, test.dist),
        evidence_row(c, label, basis, window, "p_two_sided", test.p_two_sided, "probability"),
        evidence_row(c, label, basis, window, "p_up", test.p_up, "probability"),
        evidence_row(c, label, basis, window, "p_down", test.p_down, "probability"),
        evidence_row(c, label, basis, window, "nobs", test.nobs, "observations"),
        evidence_row(c, label, basis, window, "maxlags", test.maxlags, "lags"),
    ]


def shift_outcome(c: Claim, ctx: Context) -> Outcome:
    """Verdict and evidence of a ``shift`` claim."""
    s = ctx.series(c.primary)
    s.require(c.baseline, _coverage_end(s, c.end), ctx.root)
    last_before = c.start - pd.Timedelta(days=1)
    before = in_dates(s.observed, c.baseline, last_before)
    after = in_dates(s.observed, c.start, c.end)
    test = mean_shift_test(before, after)
    verdict, p = _verdict(c, test)
    label = c.primary.label
    win_b, win_a = span(c.baseline, last_before), span(c.start, c.end)
    window = f"{win_a} vs {win_b}"
    evidence = [
        evidence_row(c, label, "before", win_b, "mean", before.mean(), s.unit),
        evidence_row(c, label, "before", win_b, "n", len(before), "observations"),
        evidence_row(c, label, "after", win_a, "mean", after.mean(), s.unit),
        evidence_row(c, label, "after", win_a, "n", len(after), "observations"),
        *hac_rows(c, label, "", window, test, s.unit, "difference"),
    ]
    zeros = int((before == 0).sum() + (after == 0).sum())
    if zeros:
        note = "exact zeros, kept as published (possibly a day without data)"
        evidence.append(
            evidence_row(c, label, "", window, "zero_values", zeros, "observations", note=note)
        )
    reason = REASON_TEXTS["shift"].format(
        series=label,
        after=fmt(after.mean(), 2),
        window_after=win_a,
        before=fmt(before.mean(), 2),
        window_before=win_b,
        difference=fmt(test.estimate, 2),
        unit=s.unit,
        se=fmt(test.se, 2),
        z=f"{test.stat:.2f}",
        lags=test.maxlags,
    )
    plot = {
        "kind": "shift",
        "path": in_dates(s.observed, c.baseline, c.end),
        "means": {
            "before": (c.baseline, last_before, float(before.mean())),
            "after": (c.start, c.end, float(after.mean())),
        },
        "unit": s.unit,
        "title": f"{c.claim_id}: {c.text}",
    }
    return Outcome(
        c,
        verdict,
        rests_on=label,
        estimate=test.estimate,
        estimate_label="mean after minus mean before",
        unit=s.unit,
        p=p,
        reason=reason,
        evidence=evidence,
        files=list(s.files),
        plot=plot,
    )


def _verdict(c: Claim, test: TestOutcome) -> tuple[str, float]:
    return V.directional_verdict(c.expected, c.alpha, test.p_up, test.p_down, test.p_two_sided)


def _changes(s: SeriesData, values: pd.Series, root: Path) -> pd.Series:
    """Session changes: log returns of a price, differences of a level (engine conventions).

    A price at or below 0 in the file is a DataFormatError naming the file, date and column.
    """
    from eventstudy.engine.returns import differences, to_returns

    if s.log:
        column = "close" if s.bars is not None else "value"
        store.require_positive(s.observed, root / s.files[0], column)
        return to_returns(values, kind="log", multi_day=False)
    return differences(values, multi_day=False)


def _association_reason(
    y: str, x: str, y_unit: str, window: str, test: TestOutcome, sd_x: float, lagged: TestOutcome
) -> str:
    """The ``reason`` of an association claim: the slope, a sd's effect, the lagged z."""
    return "; ".join(
        [
            REASON_TEXTS["association"].format(
                y=y,
                y_unit=y_unit,
                x=x,
                window=window,
                n=test.nobs,
                slope=f"{test.estimate:.3g}",
                se=f"{test.se:.3g}",
                z=f"{test.stat:.2f}",
            ),
            REASON_TEXTS["association_effect"].format(
                x=x, y=y, effect=f"{test.estimate * sd_x:+.3%}"
            ),
            REASON_TEXTS["association_lagged"].format(x=x, z_lagged=f"{lagged.stat:.2f}"),
        ]
    )


def association_outcome(c: Claim, ctx: Context) -> Outcome:
    """Verdict and evidence of an ``association`` claim."""
    ys, xs = ctx.series(c.series[0]), ctx.series(c.series[1])
    for s in (ys, xs):
        s.require(c.start, c.end, ctx.root)
    dates = pd.DatetimeIndex(ys.observed.index)
    y = _changes(ys, ys.observed, ctx.root)
    inside = (dates >= c.start) & (dates <= c.end)
    fits = {}
    for lag in (0, 1):
        asof = xs.observed.sort_index().reindex(
            dates - pd.Timedelta(days=lag),
            method="ffill",
            tolerance=pd.Timedelta(days=MAX_STALE_DAYS),
        )
        x = _changes(xs, pd.Series(asof.to_numpy(), index=dates), ctx.root)[inside]
        fits[lag] = (hac_slope_test(y[inside], x), x)
    test, x = fits[0]
    verdict, p = _verdict(c, test)
    yl, xl = c.series[0].label, c.series[1].label
    y_unit = "log return" if ys.log else ys.unit
    x_unit = "log return" if xs.log else xs.unit
    unit, window = f"{y_unit} per unit of {xl}", span(c.start, c.end)
    label = RESTS_ON_TEXTS["association"].format(y=yl, x=xl)
    sd_x = float(x.std())
    evidence = hac_rows(c, label, "same date", window, test, unit, "slope")
    evidence.append(
        evidence_row(
            c,
            label,
            "same date",
            window,
            "effect_of_1sd",
            test.estimate * sd_x,
            y_unit,
            note=f"slope x sd of {xl} changes ({fmt(sd_x, 2)} {x_unit})",
        )
    )
    evidence += hac_rows(c, label, "lag 1 day", window, fits[1][0], unit, "slope")
    reason = _association_reason(yl, xl, y_unit, window, test, sd_x, fits[1][0])
    plot = {
        "kind": "association",
        "points": pd.DataFrame({"x": x, "y": y[inside]}).dropna(),
        "slope": test.estimate,
        "x_label": f"{xl} change ({x_unit})",
        "y_label": f"{yl} ({y_unit})",
        "title": f"{c.claim_id}: {c.text}",
    }
    return Outcome(
        c,
        verdict,
        rests_on=label,
        estimate=test.estimate,
        estimate_label="HAC slope, same date",
        unit=unit,
        p=p,
        reason=reason,
        evidence=evidence,
        files=[*ys.files, *xs.files],
        plot=plot,
    )
