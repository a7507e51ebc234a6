"""Verdict rules, one per claim type, and the multiple-testing adjustment across claims.

Four verdicts: ``supported``, ``contradicted``, ``inconclusive`` and ``no data``. The rules
(:data:`RULES`) are printed under the summary table and written in the README; the functions
here apply them to the numbers of :mod:`eventstudy.claims.tests`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "NO_DATA",
    "RULES",
    "VERDICTS",
    "adjust_pvalues",
    "directional_verdict",
    "level_verdict",
    "threshold_verdict",
]

SUPPORTED, CONTRADICTED, INCONCLUSIVE, NO_DATA = (
    "supported",
    "contradicted",
    "inconclusive",
    "no data",
)
VERDICTS: tuple[str, ...] = (SUPPORTED, CONTRADICTED, INCONCLUSIVE, NO_DATA)

_DIRECTIONAL = (
    "one-sided p in the expected direction < alpha: supported; the opposite one-sided p < "
    "alpha: contradicted; otherwise inconclusive (expected 'any': two-sided p < alpha: "
    "supported, otherwise inconclusive)"
)

RULES: dict[str, str] = {
    "threshold": (
        "supported if the series the verdict rests on (the first named, on the claim's basis: "
        "daily close or intraday high/low) reached the level on a session from made_on "
        "through the horizon's end; contradicted if it did not; no data if the file is "
        "missing or ends before the horizon without the level reached. p = probability of "
        "reaching it anyway under the no-information model (driftless Brownian motion with "
        "the trailing 250-session volatility, watched at the closes or continuously for "
        "highs/lows; 1 if not reached): a small p means the claim said more than volatility"
    ),
    "level": (
        "supported if the series stood within level +/- tolerance over the date range (basis "
        "mean: the range's mean; any: one observation; all: every observation); contradicted "
        "otherwise; no p (not a test)"
    ),
    "shift": (
        "mean over start..end minus mean over baseline..start-1, Newey-West HAC z-test: "
        + _DIRECTIONAL
    ),
    "event_effect": (
        "gold: the event's CAR over the window from the gold study's event-dummy regression "
        "with HAC errors (Newey-West on GARCH-scaled residuals; a gold_direction group: the "
        "study's HAC mean test); "
        "markets: the odds shift over the window with its empirical (placebo) p on log-odds; "
        "several events: Stouffer's combination of their one-sided p; " + _DIRECTIONAL
    ),
    "association": (
        "slope of the first series' daily log return (or change) on the second's change, "
        "same-date alignment, Newey-West HAC z-test: " + _DIRECTIONAL
    ),
    NO_DATA: (
        "a file the claim needs is not in the data directory, or does not reach the dates "
        "needed: the row names the file and the eventstudy fetch command that gets it"
    ),
}
"""The verdict rule of each claim type (and of ``no data``), as printed under the summary."""


def directional_verdict(
    expected: str, alpha: float, p_up: float, p_down: float, p_two_sided: float
) -> tuple[str, float]:
    """Verdict and the claim's p-value for an ``up`` / ``down`` / ``any`` claim.

    Parameters
    ----------
    expected : {"up", "down", "any"}
    alpha : float
    p_up, p_down, p_two_sided : float
        One-sided p-values for the alternatives "> 0" and "< 0", and the two-sided one.

    Returns
    -------
    (str, float)
        The verdict and the p-value in the claim's direction (two-sided for ``any``);
        ``inconclusive`` with NaN when the p-values are missing.
    """
    p_claim = {"up": p_up, "down": p_down, "any": p_two_sided}[expected]
    if not math.isfinite(p_claim):
        return INCONCLUSIVE, math.nan
    if p_claim < alpha:
        return SUPPORTED, p_claim
    if expected != "any":
        p_opposite = p_down if expected == "up" else p_up
        if math.isfinite(p_opposite) and p_opposite < alpha:
            return CONTRADICTED, p_claim
    return INCONCLUSIVE, p_claim


def threshold_verdict(reached: bool, horizon_observed: bool) -> str:
    """The verdict of a threshold claim.

    ``supported`` if reached; ``contradicted`` if not and the whole horizon is in the data;
    ``no data`` otherwise.
    """
    if reached:
        return SUPPORTED
    return CONTRADICTED if horizon_observed else NO_DATA


def level_verdict(within: bool) -> str:
    """``supported`` inside the tolerance band, ``contradicted`` outside."""
    return SUPPORTED if within else CONTRADICTED


def adjust_pvalues(pvalues: pd.Series) -> pd.Series:
    """Benjamini-Hochberg adjusted p-values across claims (NaN stays NaN).

    Parameters
    ----------
    pvalues : Series
        One p-value per claim (NaN for claims without a test: levels, no data).

    Returns
    -------
    Series
        Same index; ``statsmodels.stats.multitest.multipletests(method="fdr_bh")`` over the
        finite p-values (Benjamini & Hochberg 1995), which controls the false discovery rate
        under independence or positive dependence of the tests (computed as statsmodels
        does, by :func:`eventstudy.gold.multitest.fdr_bh`).
    """
    from eventstudy.gold.multitest import fdr_bh

    out = pd.Series(np.nan, index=pvalues.index, dtype="float64")
    finite = pvalues.astype(float).notna()
    if finite.any():
        out[finite] = fdr_bh(pvalues[finite].astype(float).to_numpy())
    return out
