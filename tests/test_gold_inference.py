"""The gold HAC route (:mod:`eventstudy.gold.inference`): against statsmodels, by hand, and a
short seeded size check on a simulated GARCH series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from eventstudy.exceptions import SpecificationError
from eventstudy.gold.inference import event_dummy_regression, garch_volatility


def _series(n=600, seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2020-01-01", periods=n)
    x = pd.DataFrame({"equity": 0.01 * rng.standard_normal(n)}, index=dates)
    y = pd.Series(0.0003 + 0.2 * x["equity"] + 0.01 * rng.standard_normal(n), index=dates)
    return y, x


def _windows(dates, starts, length=3):
    return {f"e{i}": list(dates[s : s + length]) for i, s in enumerate(starts)}


def _statsmodels_reference(y, x, windows, m):
    """The dummy regression as statsmodels fits it: OLS on const, x and one dummy per event
    day, cov_type="HAC" (Bartlett, maxlags m, no small-sample correction)."""
    days = sorted({d for w in windows.values() for d in w})
    dummies = pd.DataFrame(0.0, index=y.index, columns=[str(d.date()) for d in days])
    for d in days:
        dummies.loc[d, str(d.date())] = 1.0
    exog = pd.concat([pd.Series(1.0, index=y.index, name="const"), x, dummies], axis=1)
    fit = sm.OLS(y, exog).fit(cov_type="HAC", cov_kwds={"maxlags": m})
    gamma = np.array([[1.0 if d in w else 0.0 for d in days] for w in windows.values()])
    k0 = 1 + x.shape[1]
    cov = np.asarray(fit.cov_params())[k0:, k0:]
    return fit, gamma @ fit.params.to_numpy()[k0:], gamma @ cov @ gamma.T


@pytest.mark.parametrize("variance", ["garch", "newey_west"])
def test_dummy_coefficients_and_parameter_part_equal_statsmodels(variance):
    y, x = _series()
    windows = _windows(y.index, [100, 102, 250, 400])  # e0 and e1 share a day
    res = event_dummy_regression(y, windows, x, maxlags=5, variance=variance)
    fit, car, cov_param = _statsmodels_reference(y, x, windows, 5)
    np.testing.assert_allclose(res.car["car"], car, rtol=1e-9)
    np.testing.assert_allclose(res.car["se_param"], np.sqrt(np.diag(cov_param)), rtol=1e-9)
    np.testing.assert_allclose(res.params.iloc[:2], fit.params.iloc[:2], rtol=1e-9)
    assert res.variance == variance and res.nobs == 600


def test_newey_west_error_part_by_hand():
    """One long-run variance: w_j gamma_j of the non-event residuals (divisor: their count)."""
    y, x = _series(seed=1)
    windows = _windows(y.index, [100, 300])
    res = event_dummy_regression(y, windows, x, maxlags=2, variance="newey_west")
    e = res.ar.to_numpy().copy()
    e[res.event_days.to_numpy()] = 0.0
    n_ne = int((~res.event_days).sum())
    g = [e[j:] @ e[: e.size - j] / n_ne * (1 - j / 3) for j in range(3)]
    var3 = 3 * g[0] + 2 * (2 * g[1] + g[2])  # three consecutive days
    np.testing.assert_allclose(res.car["se_error"], math.sqrt(var3), rtol=1e-12)
    assert res.volatility is None and res.garch_params is None


def test_garch_error_part_with_a_given_volatility_by_hand():
    """sum_{s,t in W} sigma_s sigma_t w_|s-t| gamma_|s-t| of the standardized residuals."""
    y, x = _series(seed=2)
    sigma = pd.Series(np.linspace(0.005, 0.02, y.size), index=y.index)
    windows = _windows(y.index, [150, 151, 500])  # e0 and e1 overlap on two days
    res = event_dummy_regression(y, windows, x, maxlags=1, variance="garch", volatility=sigma)
    u = (res.ar / sigma).to_numpy().copy()
    u[res.event_days.to_numpy()] = 0.0
    n_ne = int((~res.event_days).sum())
    g0, g1 = u @ u / n_ne, u[1:] @ u[:-1] / n_ne * 0.5
    s = sigma.to_numpy()

    def cov(a, b):
        return sum(
            s[i] * s[j] * {0: g0, 1: g1}.get(abs(i - j), 0.0)
            for i in range(a, a + 3)
            for j in range(b, b + 3)
        )

    starts = [150, 151, 500]
    error = np.array([[cov(a, b) for b in starts] for a in starts])
    np.testing.assert_allclose(res.car["se_error"] ** 2, np.diag(error), rtol=1e-12)
    _, _, cov_param = _statsmodels_reference(y, x, windows, 1)
    np.testing.assert_allclose(res.car_cov.to_numpy(), cov_param + error, rtol=1e-9)
    assert res.autocov.iloc[0] == pytest.approx(g0)
    with pytest.raises(SpecificationError, match="positive on every date"):
        event_dummy_regression(y, windows, x, volatility=sigma.iloc[:-5])
    with pytest.raises(SpecificationError, match="variance="):
        event_dummy_regression(y, windows, x, variance="white")


def _garch_path(rng, n, omega, alpha, beta, regimes, df=None):
    """GARCH(1,1) errors (unit-variance normal or t(df) shocks) times a volatility regime."""
    e, h = np.empty(n), np.empty(n)
    h[0] = omega / (1 - alpha - beta)
    z = rng.standard_normal(n) if df is None else rng.standard_t(df, n) / math.sqrt(df / (df - 2))
    for t in range(n):
        if t:
            h[t] = omega + alpha * e[t - 1] ** 2 + beta * h[t - 1]
        e[t] = math.sqrt(h[t]) * z[t]
    return e * regimes


def test_garch_wald_holds_its_size_on_a_garch_series_where_one_variance_does_not():
    """30 seeded GARCH(1,1) series (t(6) shocks, volatility tripled in the second half) with 20
    random 3-day windows: the GARCH-scaled Wald stays near chi2(20); one Newey-West variance
    for the whole sample makes it far too dispersed."""
    rng = np.random.default_rng(19)
    n, reps, k = 1500, 30, 20
    dates = pd.bdate_range("2015-01-01", periods=n)
    regimes = np.where(np.arange(n) < n // 2, 1.0, 3.0)
    wald = {"garch": [], "newey_west": []}
    for _ in range(reps):
        y = pd.Series(0.002 * _garch_path(rng, n, 0.02, 0.08, 0.9, regimes, 6), index=dates)
        starts = np.sort(rng.choice(np.arange(50, n - 5, 6), size=k, replace=False))
        windows = _windows(dates, starts)
        for variance in wald:
            res = event_dummy_regression(y, windows, variance=variance)
            wald[variance].append(res.tests.set_index("test").loc["wald_all_zero", "stat"])
    crit = stats.chi2.ppf(0.95, k)
    g, nw = np.array(wald["garch"]), np.array(wald["newey_west"])
    # seeded: GARCH mean 17.7, SD 8.7, 2 rejections (1.5 expected); one variance: SD 17.0, 6
    # (over 200 series: 4.0 % against 14.5 %)
    assert abs(g.mean() - k) < 3.5 and g.std() < 1.5 * math.sqrt(2 * k)
    assert (g > crit).sum() <= 3
    assert nw.std() > 2.5 * math.sqrt(2 * k) and (nw > crit).sum() >= 5


def test_garch_volatility_recovers_the_conditional_variance():
    rng = np.random.default_rng(4)
    n = 3000
    e = _garch_path(rng, n, 1e-6, 0.1, 0.85, np.ones(n))
    sigma, params, note = garch_volatility(pd.Series(e, index=pd.bdate_range("2010", periods=n)))
    assert note == ""
    assert params["alpha"] == pytest.approx(0.1, abs=0.04)
    assert params["beta"] == pytest.approx(0.85, abs=0.08)
    # sigma_t is the filter of the fitted parameters: h_t = omega + alpha e_{t-1}^2 + beta h_{t-1}
    h = sigma.to_numpy() ** 2
    rebuilt = params["omega"] + params["alpha"] * e[:-1] ** 2 + params["beta"] * h[:-1]
    np.testing.assert_allclose(h[1:], rebuilt, rtol=1e-6)
