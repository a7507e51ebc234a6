"""Market model with GARCH(1,1) errors, fitted by ``arch`` per event (k = 2 mean parameters).

Abnormal returns are standardized by the conditional standard-deviation forecast; the
event-window covariance is the diagonal of the conditional variance forecasts (no
parameter-uncertainty term). Missing estimation days are dropped before the fit.
"""

from __future__ import annotations

import warnings

import numpy as np

from eventstudy.engine.models._ols import ddof0_variance
from eventstudy.engine.models.base import NormalReturnFit, NormalReturnModel, StackedWindows

__all__ = ["GarchMarketModel"]

_GARCH_SCALE = 100.0  # fit in percent for the optimiser; every output is back in decimals


class GarchMarketModel(NormalReturnModel):
    """Market model with GARCH(1,1) errors (``arch.arch_model(mean="LS", vol="GARCH")``)."""

    name = "garch"
    needs_benchmark = True
    uses_benchmark = True

    def n_params(self, n_regressors: int) -> int:
        """Return k = 2 mean parameters (alpha and beta)."""
        return 2

    def _fit(self, data: StackedWindows) -> NormalReturnFit:
        steps = data.forecast_steps
        if steps is None:
            steps = np.arange(1, data.y_event.shape[1] + 1)
        x_est = np.asarray(data.x_est, dtype=float)  # (RowWindows, if given, read whole)
        return _fit_garch(data.y_est, x_est, data.y_event, data.x_event, data.valid, steps)


def _fit_garch(
    y_est: np.ndarray,
    x_est: np.ndarray,
    y_event: np.ndarray,
    x_event: np.ndarray,
    valid: np.ndarray,
    forecast_steps: np.ndarray,
) -> NormalReturnFit:
    r"""Market model with GARCH(1,1) errors, one ``arch`` fit per event.

    The fit runs on returns x 100 (the optimiser's preferred scale; ``arch``'s own
    ``rescale`` is off) and every reported quantity is converted back to decimals. The
    conditional variance forecasts for the event offsets are
    :math:`h_{T+1} = \omega + a\,\varepsilon_T^2 + b\,h_T`,
    :math:`h_{T+j} = \omega + (a + b)\,h_{T+j-1}`, with T the last estimation row; the
    event-window covariance is :math:`\mathrm{diag}(h)` (no parameter-uncertainty term).
    The offsets between the estimation and the event window count as forecast steps.
    """
    from arch import arch_model

    n_ev, _ = y_est.shape
    n_win = y_event.shape[1]
    valid = valid & np.isfinite(y_est) & np.isfinite(x_est).all(axis=2)
    n = valid.sum(1)
    names = ("alpha", "beta", "omega", "arch_alpha", "garch_beta")
    params = np.full((n_ev, 5), np.nan)
    std_errors = np.full((n_ev, 5), np.nan)
    resid = np.full(y_est.shape, np.nan)
    cov = np.full((n_ev, n_win, n_win), np.nan)
    failed = np.full(n_ev, None, dtype=object)
    s = _GARCH_SCALE
    conv = np.array([1 / s, 1.0, 1 / s**2, 1.0, 1.0])
    steps = np.asarray(forecast_steps, dtype=int)
    for i in range(n_ev):
        rows = np.flatnonzero(valid[i])
        if rows.size < 10:
            failed[i] = f"GARCH needs at least 10 estimation observations, has {rows.size}"
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = arch_model(
                    y_est[i, rows] * s,
                    x=x_est[i, rows, :1] * s,
                    mean="LS",
                    vol="GARCH",
                    p=1,
                    q=1,
                    rescale=False,
                ).fit(disp="off")
        except Exception as exc:  # arch raises several types; keep the reason as data
            failed[i] = f"GARCH fit failed: {type(exc).__name__}: {exc}"
            continue
        pv = np.asarray(res.params, dtype=float)
        params[i] = pv * conv
        std_errors[i] = np.asarray(res.std_err, dtype=float) * conv
        e = np.asarray(res.resid, dtype=float)
        resid[i, rows] = e / s
        omega, a, b = pv[2], pv[3], pv[4]
        h_last = float(np.asarray(res.conditional_volatility)[-1]) ** 2
        path = np.empty(int(steps.max()))
        h = omega + a * e[-1] ** 2 + b * h_last
        for j in range(path.size):
            path[j] = h
            h = omega + (a + b) * h
        cov[i] = np.diag(path[steps - 1] / s**2)
    dof = n - 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where(dof > 0, np.nansum(resid**2, axis=1) / dof, np.nan)
    normal = params[:, :1] + params[:, 1:2] * x_event[:, :, 0]
    return NormalReturnFit(
        model="garch",
        param_names=names,
        params=params,
        std_errors=std_errors,
        k=2,
        n_est=n,
        sigma2=sigma2,
        resid_var_ddof0=ddof0_variance(resid, valid & np.isfinite(resid), n),
        est_resid=resid,
        normal_event=normal,
        event_cov=cov,
        failed=failed,
    )
