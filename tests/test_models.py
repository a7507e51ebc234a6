"""Normal-return models against independent references (statsmodels OLS, the uncentred
CLM formula computed directly, hand-worked constant-mean and market-adjusted cases)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from eventstudy.engine.models import MODELS, NormalReturnModel, normal_return_model
from eventstudy.exceptions import SpecificationError


def _sim(n_ev=3, le=60, l2=5, p=1, seed=0):
    rng = np.random.default_rng(seed)
    x_est = rng.normal(0, 0.01, (n_ev, le, p))
    x_ev = rng.normal(0, 0.01, (n_ev, l2, p))
    b = rng.normal(1, 0.3, (n_ev, p))
    y_est = 0.001 + np.einsum("nlp,np->nl", x_est, b) + rng.normal(0, 0.02, (n_ev, le))
    y_ev = 0.001 + np.einsum("nlp,np->nl", x_ev, b) + rng.normal(0, 0.02, (n_ev, l2))
    return y_est, x_est, y_ev, x_ev


def test_market_model_matches_statsmodels_and_clm_matrix():
    y_est, x_est, y_ev, x_ev = _sim()
    y_est[1, :7] = np.nan  # missing observations are dropped
    valid = np.ones(y_est.shape, bool)
    valid[2, 10:15] = False  # masked dates are dropped
    fit = normal_return_model("market").fit(y_est, x_est, y_ev, x_ev, valid)
    assert fit.param_names == ("alpha", "beta") and fit.k == 2
    for i in range(3):
        ok = np.isfinite(y_est[i]) & valid[i]
        X = sm.add_constant(x_est[i, ok, 0])
        ols = sm.OLS(y_est[i, ok], X).fit()
        assert fit.n_est[i] == ok.sum()
        assert_allclose(fit.params[i], ols.params, rtol=1e-10)
        assert_allclose(fit.std_errors[i], ols.bse, rtol=1e-10)
        assert_allclose(fit.sigma2[i], ols.scale, rtol=1e-10)  # SSR / (n - 2)
        Xs = sm.add_constant(x_ev[i, :, 0], has_constant="add")
        V = ols.scale * (np.eye(5) + Xs @ np.linalg.inv(X.T @ X) @ Xs.T)  # CLM 4.4.9
        assert_allclose(fit.event_cov[i], V, rtol=1e-10)
        pred = ols.get_prediction(Xs)
        assert_allclose(np.sqrt(np.diag(fit.event_cov[i])), pred.se_obs, rtol=1e-10)
        assert_allclose(fit.normal_event[i], pred.predicted_mean, rtol=1e-10)
        assert_allclose(fit.resid_var_ddof0[i], np.var(ols.resid), rtol=1e-10)


def test_market_model_variance_scalar_form():
    # diagonal = s^2 [1 + 1/n + (Rm - mean)^2 / sum (Rm - mean)^2]  (MacKinlay 1997)
    y_est, x_est, y_ev, x_ev = _sim(n_ev=1)
    fit = normal_return_model("market").fit(y_est, x_est, y_ev, x_ev, np.ones(y_est.shape, bool))
    m = x_est[0, :, 0]
    dev = x_ev[0, :, 0] - m.mean()
    c = 1 + 1 / m.size + dev**2 / ((m - m.mean()) ** 2).sum()
    assert_allclose(np.diag(fit.event_cov[0]), fit.sigma2[0] * c, rtol=1e-10)
    # CAR over the window: s^2 [L + L^2/L1 + (sum dev)^2 / Sxx]  (CLM 4.4.16)
    L = 5
    var_car = fit.sigma2[0] * (L + L**2 / m.size + dev.sum() ** 2 / ((m - m.mean()) ** 2).sum())
    assert_allclose(fit.event_cov[0].sum(), var_car, rtol=1e-10)


def test_factor_model_two_regressors():
    y_est, x_est, y_ev, x_ev = _sim(p=2, seed=3)
    fit = normal_return_model("factor").fit(
        y_est,
        x_est,
        y_ev,
        x_ev,
        np.ones(y_est.shape, bool),
        regressor_names=("mkt", "smb"),
    )
    assert fit.param_names == ("alpha", "b_mkt", "b_smb") and fit.k == 3
    for i in range(3):
        ols = sm.OLS(y_est[i], sm.add_constant(x_est[i])).fit()
        assert_allclose(fit.params[i], ols.params, rtol=1e-9)
        assert_allclose(fit.std_errors[i], ols.bse, rtol=1e-9)
        assert_allclose(fit.sigma2[i], ols.ssr / (60 - 3), rtol=1e-10)


def test_constant_mean_and_market_adjusted_by_hand():
    y_est, x_est, y_ev, x_ev = _sim(n_ev=2)
    valid = np.ones(y_est.shape, bool)
    cm = normal_return_model("constant_mean").fit(
        y_est, x_est[:, :, :0], y_ev, x_ev[:, :, :0], valid
    )
    s2 = y_est.var(axis=1, ddof=1)
    assert_allclose(cm.params[:, 0], y_est.mean(axis=1), rtol=1e-12)
    assert_allclose(cm.sigma2, s2, rtol=1e-12)
    assert_allclose(cm.event_cov[0], s2[0] * (np.eye(5) + 1 / 60), rtol=1e-12)
    ma = normal_return_model("market_adjusted").fit(y_est, x_est, y_ev, x_ev, valid)
    ar = y_est - x_est[:, :, 0]
    assert ma.k == 0 and ma.params.shape == (2, 0)
    assert_allclose(ma.sigma2, (ar**2).mean(axis=1), rtol=1e-12)
    assert_allclose(ma.normal_event, x_ev[:, :, 0])
    assert_allclose(ma.event_cov[1], ma.sigma2[1] * np.eye(5))


def test_zero_mean_by_hand():
    """AR = R; s^2 = sum R^2 / n over the usable days (nothing estimated), V = s^2 I."""
    y_est, x_est, y_ev, x_ev = _sim(n_ev=2)
    y_est[0, 3] = np.nan
    valid = np.ones(y_est.shape, bool)
    valid[1, :10] = False
    zm = normal_return_model("raw-returns").fit(y_est, x_est[:, :, :0], y_ev, x_ev[:, :, :0], valid)
    assert zm.model == "zero_mean"
    assert zm.k == 0 and zm.params.shape == (2, 0)
    used = [np.delete(y_est[0], 3), y_est[1, 10:]]
    assert list(zm.n_est) == [59, 50]
    assert_allclose(zm.sigma2, [(u**2).mean() for u in used], rtol=1e-12)
    assert_allclose(zm.normal_event, 0.0)
    assert_allclose(zm.event_cov[0], zm.sigma2[0] * np.eye(5), rtol=1e-12)
    assert np.isnan(zm.est_resid[0, 3]) and np.isnan(zm.est_resid[1, :10]).all()
    assert_allclose(zm.est_resid[1, 10:], y_est[1, 10:])


def test_singular_design_is_reported_not_raised():
    y_est, x_est, y_ev, x_ev = _sim(n_ev=2)
    x_est[1] = 0.003  # no market variation
    fit = normal_return_model("market").fit(y_est, x_est, y_ev, x_ev, np.ones(y_est.shape, bool))
    assert fit.failed[0] is None
    assert "singular" in fit.failed[1]


def test_model_names():
    assert normal_return_model("Market-Model").name == "market"
    assert normal_return_model("constant-mean").name == "constant_mean"
    with pytest.raises(SpecificationError, match="constant_mean"):
        normal_return_model("capm")
    assert set(MODELS) == {
        "constant_mean", "market", "market_adjusted", "zero_mean", "factor", "garch",
    }  # fmt: skip


def test_garch_market_model_recovers_beta_and_forecasts():
    rng = np.random.default_rng(7)
    n, l2 = 600, 5
    m = rng.normal(0, 0.01, n + l2)
    h = np.empty(n + l2)
    e = np.empty(n + l2)
    h[0] = 1e-4
    for t in range(n + l2):
        if t:
            h[t] = 1e-5 + 0.1 * e[t - 1] ** 2 + 0.8 * h[t - 1]
        e[t] = np.sqrt(h[t]) * rng.standard_normal()
    y = 0.0005 + 1.2 * m + e
    fit = normal_return_model("garch").fit(
        y[None, :n],
        m[None, :n, None],
        y[None, n:],
        m[None, n:, None],
        np.ones((1, n), bool),
        forecast_steps=np.arange(1, l2 + 1),
    )
    assert fit.failed[0] is None
    params = dict(zip(fit.param_names, fit.params[0], strict=True))
    assert abs(params["beta"] - 1.2) < 4 * fit.std_errors[0, 1]
    fc = np.diag(fit.event_cov[0])
    # one step ahead = omega + a e_T^2 + b h_T; then mean-reverting towards omega / (1 - a - b)
    assert (fc > 0).all()
    uncond = params["omega"] / (1 - params["arch_alpha"] - params["garch_beta"])
    assert abs(fc[-1] - uncond) <= abs(fc[0] - uncond) + 1e-12
    assert_allclose(fit.normal_event[0], params["alpha"] + params["beta"] * m[n:], rtol=1e-12)


def test_one_module_per_model_and_the_documented_names_are_the_accepted_ones():
    import eventstudy.engine.models as models

    for name in MODELS:
        model = normal_return_model(name)
        assert isinstance(model, NormalReturnModel) and model.name == name
        assert type(model).__module__ == f"eventstudy.engine.models.{name}"
        assert f'``"{name}"``' in (models.__doc__ or "")
        assert normal_return_model(model) is model
