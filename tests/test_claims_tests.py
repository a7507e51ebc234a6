"""The claims' pure tests and verdict rules, against Monte Carlo and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.claims.tests import (
    first_reached,
    hac_slope_test,
    level_test,
    mean_shift_test,
    no_information_probability,
    one_sided,
    passage_probability_bootstrap,
    passage_probability_continuous,
    passage_probability_daily,
    stouffer,
)
from eventstudy.claims.verdicts import (
    RULES,
    adjust_pvalues,
    directional_verdict,
    level_verdict,
    threshold_verdict,
)

# --------------------------------------------------------------------------------------------
# Monte Carlo written here, independently of the library
# --------------------------------------------------------------------------------------------


def _mc_daily(b: float, sigma: float, n: int, drift: float, paths: int, seed: int) -> float:
    """Share of Gaussian random walks (n daily steps) whose running max reaches b."""
    rng = np.random.default_rng(seed)
    level = np.zeros(paths)
    best = np.full(paths, -np.inf)
    for _ in range(n):
        level += rng.normal(drift, sigma, paths)
        np.maximum(best, level, out=best)
    return float((best >= b).mean())


def _mc_continuous(b: float, sigma: float, n: int, drift: float, paths: int, seed: int) -> float:
    """Brownian motion watched continuously: daily steps plus the exact bridge crossing.

    Between two daily points x0 < b and x1 < b a Brownian bridge crosses b with probability
    exp(-2 (b - x0)(b - x1) / (sigma^2 dt)) (drift does not change the bridge).
    """
    rng = np.random.default_rng(seed)
    x = np.zeros(paths)
    hit = np.zeros(paths, dtype=bool)
    for _ in range(n):
        x1 = x + rng.normal(drift, sigma, paths)
        cross = np.exp(-2.0 * np.clip(b - x, 0, None) * np.clip(b - x1, 0, None) / sigma**2)
        hit |= (x1 >= b) | (rng.random(paths) < cross)
        x = x1
    return float(hit.mean())


def _se(p: float, paths: int) -> float:
    return math.sqrt(max(p * (1 - p), 1e-4) / paths)


# the gold claim's own numbers: 2,883.6 -> 3,000 USD/oz, sigma ~0.97% a session, 63 sessions
GOLD = (math.log(3000 / 2883.6), 0.0097, 63)


@pytest.mark.parametrize(
    ("b", "sigma", "n", "drift"),
    [
        (*GOLD, 0.0),
        (*GOLD, 0.0015),  # the trailing drift of gold before 2025-02-18
        (0.0396, 0.0097, 21, 0.0),  # one month
        (0.005, 0.01, 20, 0.0),  # level within one daily sigma: discrete monitoring matters most
        (0.10, 0.01, 125, -0.0005),
    ],
)
def test_daily_first_passage_agrees_with_monte_carlo(b, sigma, n, drift) -> None:
    paths = 100_000
    mc = _mc_daily(b, sigma, n, drift, paths, seed=7)
    p = passage_probability_daily(b, sigma, n, drift)
    assert abs(p - mc) < 4 * _se(mc, paths), (p, mc)


@pytest.mark.parametrize(
    ("b", "sigma", "n", "drift"), [(*GOLD, 0.0), (*GOLD, 0.0015), (0.1, 0.01, 125, -0.0005)]
)
def test_continuous_first_passage_agrees_with_monte_carlo(b, sigma, n, drift) -> None:
    paths = 100_000
    mc = _mc_continuous(b, sigma, n, drift, paths, seed=11)
    p = passage_probability_continuous(b, sigma, n, drift)
    assert abs(p - mc) < 4 * _se(mc, paths), (p, mc)


def test_continuous_without_drift_is_the_reflection_principle() -> None:
    b, sigma, n = GOLD
    assert passage_probability_continuous(b, sigma, n) == pytest.approx(
        2 * stats.norm.sf(b / (sigma * math.sqrt(n))), rel=1e-12
    )


def test_watching_closes_sees_less_than_watching_continuously() -> None:
    b, sigma, n = GOLD
    daily, continuous = (
        passage_probability_daily(b, sigma, n),
        passage_probability_continuous(b, sigma, n),
    )
    assert daily < continuous
    # Broadie-Glasserman-Kou: the continuous formula with the level moved out by 0.5826 sigma
    assert daily == pytest.approx(
        passage_probability_continuous(b + 0.5826 * sigma, sigma, n), abs=0.003
    )


def test_passage_edge_cases() -> None:
    assert passage_probability_daily(0.0, 0.01, 10) == 1.0  # already there
    assert passage_probability_continuous(-0.1, 0.01, 10) == 1.0
    assert passage_probability_daily(0.05, 0.01, 0) == 0.0  # no session left
    assert passage_probability_daily(0.05, 0.01, 1) == pytest.approx(stats.norm.sf(5), abs=1e-6)


def test_bootstrap_of_gaussian_steps_matches_the_random_walk() -> None:
    rng = np.random.default_rng(3)
    steps = rng.normal(0.0, 0.01, 1000)
    b, n = 0.05, 40
    table, block = passage_probability_bootstrap(steps, None, b, [n], n_boot=2000, seed=5)
    close = table.query("drift == 'zero' and basis == 'close'")["probability"].item()
    exact = passage_probability_daily(b, float(np.std(steps, ddof=1)), n)
    assert abs(close - exact) < 4 * _se(exact, 2000) + 0.01
    assert block >= 1.0
    assert table.query("basis == 'intraday'")["probability"].isna().all()  # no highs given


def test_bootstrap_is_seeded_and_longer_horizons_reach_more() -> None:
    rng = np.random.default_rng(4)
    steps = rng.normal(0.0005, 0.01, 250)
    highs = steps + np.abs(rng.normal(0, 0.004, 250))
    a, _ = passage_probability_bootstrap(steps, highs, 0.04, [21, 63, 300], n_boot=500, seed=9)
    b, _ = passage_probability_bootstrap(steps, highs, 0.04, [21, 63, 300], n_boot=500, seed=9)
    pd.testing.assert_frame_equal(a, b)
    for (drift, basis), g in a.groupby(["drift", "basis"]):
        assert g["probability"].is_monotonic_increasing, (drift, basis)
    wide = a.pivot_table(index=["sessions", "drift"], columns="basis", values="probability")
    assert (wide["intraday"] >= wide["close"]).all()  # a high is at least the close


def test_no_information_probability_uses_only_the_history_given() -> None:
    rng = np.random.default_rng(8)
    dates = pd.bdate_range("2024-01-01", periods=400)
    close = 2000 * np.exp(np.cumsum(rng.normal(0, 0.01, 400)))
    history = pd.DataFrame({"close": close, "high": close * 1.004, "low": close * 0.996}, dates)
    ni = no_information_probability(history, 2100, True, [63], n_boot=300, seed=1)
    last = history.tail(251)
    steps = np.diff(np.log(last["close"].to_numpy()))
    assert ni.sigma == pytest.approx(np.std(steps, ddof=1))
    assert ni.drift == pytest.approx(np.mean(steps))
    assert ni.start_value == pytest.approx(close[-1])
    assert ni.distance == pytest.approx(math.log(2100 / close[-1]))
    assert ni.n_calibration == 250
    assert ni.probability(63, "close") == pytest.approx(
        passage_probability_daily(ni.distance, ni.sigma, 63)
    )
    below = no_information_probability(history, 1900, False, [63], n_boot=300, seed=1)
    assert below.distance == pytest.approx(-math.log(1900 / close[-1]))


# --------------------------------------------------------------------------------------------
# first date, level, HAC tests
# --------------------------------------------------------------------------------------------


def test_first_reached() -> None:
    s = pd.Series(
        [2990.0, 3004.8, 2994.5, 3000.0],
        pd.to_datetime(["2025-03-13", "2025-03-14", "2025-03-15", "2025-03-17"]),
    )
    assert first_reached(s, 3000, True) == (pd.Timestamp("2025-03-14"), 3004.8)
    assert first_reached(s, 2990, False) == (pd.Timestamp("2025-03-13"), 2990.0)
    date, value = first_reached(s, 3100, True)
    assert date is None and math.isnan(value)


@pytest.mark.parametrize(("basis", "within"), [("mean", True), ("any", True), ("all", False)])
def test_level_bases(basis: str, within: bool) -> None:
    values = pd.Series([0.08, 0.12, 0.16])
    out = level_test(values, 0.12, 0.03, basis)
    assert out.within is within
    assert out.mean == pytest.approx(0.12)
    assert out.share_within == pytest.approx(1 / 3)
    assert not level_test(pd.Series([], dtype=float), 0.12, 0.03, basis).within


def _newey_west_se(x: np.ndarray, y: np.ndarray, lags: int) -> float:
    """Slope standard error, Newey-West (Bartlett) sandwich without small-sample correction."""
    X = np.column_stack([np.ones(len(x)), x])
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    u = (y - X @ beta)[:, None] * X
    S = u.T @ u
    for j in range(1, lags + 1):
        w = 1 - j / (lags + 1)
        G = u[j:].T @ u[:-j]
        S += w * (G + G.T)
    bread = np.linalg.inv(X.T @ X)
    return float(np.sqrt((bread @ S @ bread)[1, 1]))


def test_mean_shift_is_the_difference_of_means_with_newey_west_error() -> None:
    rng = np.random.default_rng(2)
    e = np.convolve(rng.normal(0, 10, 200), np.ones(5) / 5, mode="same")  # persistent noise
    before, after = pd.Series(100 + e[:90]), pd.Series(112 + e[90:180])
    out = mean_shift_test(before, after, maxlags=6)
    assert out.estimate == pytest.approx(after.mean() - before.mean())
    d = np.r_[np.zeros(90), np.ones(90)]
    assert out.se == pytest.approx(_newey_west_se(d, np.r_[before, after], 6), rel=1e-10)
    assert out.p_up == pytest.approx(stats.norm.sf(out.estimate / out.se))
    assert out.p_up + out.p_down == pytest.approx(1.0)
    assert mean_shift_test(before, after).maxlags == math.floor(4 * (180 / 100) ** (2 / 9))


def test_hac_slope() -> None:
    rng = np.random.default_rng(6)
    x = pd.Series(rng.normal(0, 50, 250))
    y = pd.Series(3e-5 * x + rng.normal(0, 0.01, 250))
    y.iloc[3] = np.nan  # dropped with its x
    out = hac_slope_test(y, x, maxlags=4)
    keep = y.notna()
    slope = np.polyfit(x[keep], y[keep], 1)[0]
    assert out.estimate == pytest.approx(slope)
    assert out.se == pytest.approx(_newey_west_se(x[keep].to_numpy(), y[keep].to_numpy(), 4))
    assert out.nobs == 249


# --------------------------------------------------------------------------------------------
# one-sided p, Stouffer, verdict rules, Benjamini-Hochberg
# --------------------------------------------------------------------------------------------


def test_one_sided_from_two_sided() -> None:
    assert one_sided(0.10, 0.02) == pytest.approx((0.05, 0.95))
    assert one_sided(0.10, -0.02) == pytest.approx((0.95, 0.05))
    assert one_sided(1.0, 0.0) == (0.5, 0.5)
    assert all(math.isnan(v) for v in one_sided(math.nan, 0.1))


def test_stouffer() -> None:
    p = [0.04, 0.20]
    z = (stats.norm.isf(0.04) + stats.norm.isf(0.20)) / math.sqrt(2)
    assert stouffer(p) == pytest.approx(stats.norm.sf(z))
    assert stouffer([0.3]) == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("expected", "p_up", "verdict", "p_claim"),
    [
        ("up", 0.01, "supported", 0.01),
        ("up", 0.30, "inconclusive", 0.30),
        ("up", 0.99, "contradicted", 0.99),
        ("down", 0.99, "supported", 0.01),
        ("down", 0.01, "contradicted", 0.99),
        ("any", 0.01, "supported", 0.02),
        ("any", 0.99, "supported", 0.02),
        ("any", 0.30, "inconclusive", 0.60),
    ],
)
def test_directional_verdict(expected, p_up, verdict, p_claim) -> None:
    p_down, p_two = 1 - p_up, 2 * min(p_up, 1 - p_up)
    assert directional_verdict(expected, 0.05, p_up, p_down, p_two) == pytest.approx(
        (verdict, p_claim)
    )
    assert directional_verdict(expected, 0.05, math.nan, math.nan, math.nan)[0] == "inconclusive"


def test_threshold_and_level_verdicts() -> None:
    assert threshold_verdict(True, False) == "supported"  # reached before the data end
    assert threshold_verdict(False, True) == "contradicted"
    assert threshold_verdict(False, False) == "no data"
    assert level_verdict(True) == "supported" and level_verdict(False) == "contradicted"


def test_benjamini_hochberg_by_hand() -> None:
    p = pd.Series([0.01, np.nan, 0.04, 0.03, 0.50], index=list("abcde"))
    adj = adjust_pvalues(p)
    finite = p.dropna().sort_values()
    m = len(finite)
    hand = (finite * m / np.arange(1, m + 1))[::-1].cummin()[::-1].clip(upper=1)
    pd.testing.assert_series_equal(
        adj.dropna(), hand.reindex(adj.dropna().index), check_names=False
    )
    assert math.isnan(adj["b"])


def test_readme_states_every_verdict_rule(repo_root) -> None:
    readme = " ".join((repo_root / "README.md").read_text(encoding="utf-8").split())
    for kind, rule in RULES.items():
        assert f"**{kind}**: {rule}" in readme, kind
