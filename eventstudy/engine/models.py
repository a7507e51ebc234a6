"""Normal-return models, fitted for many events at once.

Every model is fitted on each event's estimation window and returns, per event, the parameters,
their standard errors, the residual variance with the textbook divisor ``n - k``, the
estimation residuals, the normal (expected) returns in the event window and the
prediction-error-corrected covariance of the event-window abnormal returns.

Inputs are *stacked windows*: ``y_est`` (N, Le) asset returns on the estimation offsets,
``x_est`` (N, Le, p) regressors (no constant column), ``y_event``/``x_event`` likewise on the
event offsets, all decimal returns (log or simple, as the study chose; the models never rescale
them). NaN marks a missing observation; ``valid`` selects the estimation rows used.

Models
------
* ``"constant_mean"``: :math:`R_{it} = \\mu_i + \\varepsilon_{it}` (k = 1).
* ``"market"``: :math:`R_{it} = \\alpha_i + \\beta_i R_{mt} + \\varepsilon_{it}`, OLS (k = 2).
* ``"market_adjusted"``: :math:`AR_{it} = R_{it} - R_{mt}`, nothing estimated (k = 0);
  :math:`s_i^2 = \\sum_t AR_{it}^2 / n_i` over the estimation window.
* ``"factor"``: :math:`R_{it} = \\alpha_i + \\sum_j b_{ij} F_{jt} + \\varepsilon_{it}`, OLS with any
  regressors (k = 1 + p).
* ``"garch"``: market model with GARCH(1,1) errors, fitted by ``arch`` per event (k = 2 mean
  parameters); abnormal returns are standardized by the conditional SD forecast.

The OLS models are solved in closed form for many events together (centred normal equations
with NaN masks, batched with numpy over cache-sized blocks of events), not by looping over
events; the block size does not change any number.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from eventstudy.exceptions import SpecificationError

ModelName = Literal["constant_mean", "market", "market_adjusted", "factor", "garch"]
MODELS: tuple[str, ...] = get_args(ModelName)

_ALIASES = {
    "constant_mean": "constant_mean",
    "mean": "constant_mean",
    "market": "market",
    "market_model": "market",
    "ols": "market",
    "market_adjusted": "market_adjusted",
    "factor": "factor",
    "factor_model": "factor",
    "garch": "garch",
    "garch_market": "garch",
}

__all__ = ["MODELS", "ModelName", "NormalReturnFit", "fit_normal_model", "normalize_model_name"]


def normalize_model_name(name: str) -> str:
    """Normalise spelling (case, ``-``/space to ``_``) and check the model name."""
    if not isinstance(name, str):
        raise SpecificationError(f"model={name!r} is not accepted; use one of {MODELS}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in _ALIASES:
        raise SpecificationError(f"model={name!r} is not accepted; use one of {MODELS}")
    return _ALIASES[key]


def n_params(model: str, n_regressors: int) -> int:
    """Number of estimated mean parameters k."""
    return {"constant_mean": 1, "market": 2, "market_adjusted": 0, "garch": 2}.get(
        model, 1 + n_regressors
    )


@dataclass(frozen=True)
class NormalReturnFit:
    """Fitted normal-return model for N events (arrays, event order as given).

    Attributes
    ----------
    model : str
    param_names : tuple of str
        Mean-equation parameters (``alpha``, ``beta``, ``b_<name>``, ``mu``), then for GARCH
        ``omega``, ``arch_alpha``, ``garch_beta`` (variance in decimal-return units squared).
    params, std_errors : ndarray, shape (N, n_params)
        OLS standard errors are :math:`s_i \\sqrt{[(X_i'X_i)^{-1}]_{jj}}`.
    k : int
        Number of estimated mean parameters (degrees of freedom used).
    n_est : ndarray of int, shape (N,)
        Non-missing estimation observations used.
    sigma2 : ndarray, shape (N,)
        :math:`s_i^2 = SSR_i / (n_i - k)` (CLM eq. 4.4.4 generalised).
    resid_var_ddof0 : ndarray, shape (N,)
        :math:`\\frac1{n_i}\\sum_t (\\hat\\varepsilon_{it} - \\bar{\\hat\\varepsilon}_i)^2`
        (``np.var``; PyPI eventstudy's convention).
    est_resid : ndarray, shape (N, Le)
        Estimation residuals (NaN where not used).
    normal_event : ndarray, shape (N, L2)
        Normal returns in the event window.
    event_cov : ndarray, shape (N, L2, L2)
        :math:`V_i = s_i^2 (I + X^*_i (X_i'X_i)^{-1} X^{*\\prime}_i)` (CLM eq. 4.4.9); for GARCH,
        the diagonal matrix of conditional variance forecasts.
    failed : ndarray of object, shape (N,)
        ``None`` or the reason the model could not be fitted for that event.
    """

    model: str
    param_names: tuple[str, ...]
    params: np.ndarray
    std_errors: np.ndarray
    k: int
    n_est: np.ndarray
    sigma2: np.ndarray
    resid_var_ddof0: np.ndarray
    est_resid: np.ndarray
    normal_event: np.ndarray
    event_cov: np.ndarray
    failed: np.ndarray


def _ddof0(
    resid: np.ndarray, valid: np.ndarray, n: np.ndarray, work: np.ndarray | None = None
) -> np.ndarray:
    """``np.var`` of the usable residuals of each row; ``work`` is an optional scratch array."""
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = np.where(valid, resid, 0.0) if work is None else work
        if work is not None:
            np.copyto(dev, 0.0)
            np.copyto(dev, resid, where=valid)
        mean = dev.sum(1) / n
        np.subtract(resid, mean[:, None], out=dev, where=valid)  # 0 where not valid
        np.square(dev, out=dev)
        return dev.sum(1) / n


def _nan_sum_squares(resid: np.ndarray, work: np.ndarray | None = None) -> np.ndarray:
    """``np.nansum(resid**2, axis=1)``, squaring into ``work`` (optional scratch array)."""
    sq = np.square(resid, out=work)
    np.copyto(sq, 0.0, where=np.isnan(sq))
    return sq.sum(1)


def fit_normal_model(
    model: str,
    y_est: np.ndarray,
    x_est: np.ndarray,
    y_event: np.ndarray,
    x_event: np.ndarray,
    valid: np.ndarray,
    *,
    regressor_names: tuple[str, ...] = (),
    forecast_steps: np.ndarray | None = None,
) -> NormalReturnFit:
    """Fit a normal-return model on every event's estimation window at once.

    Parameters
    ----------
    model : {"constant_mean", "market", "market_adjusted", "factor", "garch"}
        See the module docstring.
    y_est : ndarray, shape (N, Le)
        Asset returns (decimal) on the estimation offsets.
    x_est : ndarray, shape (N, Le, p)
        Regressors without a constant (p = 1 benchmark for market/market-adjusted/GARCH,
        p = 0 for constant mean, any p for the factor model).
    y_event, x_event : ndarray, shapes (N, L2) and (N, L2, p)
        The same on the event offsets.
    valid : ndarray of bool, shape (N, Le)
        Rows usable for estimation; rows with NaN in ``y_est`` or ``x_est`` are dropped too.
    regressor_names : tuple of str
        Names of the factor-model regressors (parameter names ``b_<name>``).
    forecast_steps : ndarray of int, shape (L2,), optional
        GARCH only: steps ahead of each event offset from the last estimation offset
        (``event_rel_days - estimation_end``); default ``1..L2``.

    Returns
    -------
    NormalReturnFit

    Notes
    -----
    With an intercept, the slopes solve the centred normal equations
    :math:`b_i = (\\tilde X_i'\\tilde X_i)^{-1}\\tilde X_i'\\tilde y_i` (regressors and returns
    demeaned over the usable rows), :math:`\\hat\\alpha_i = \\bar y_i - \\bar x_i' b_i`, and

    .. math::

        V_i = s_i^2\\Big[I + \\tfrac{1}{n_i}\\iota\\iota'
              + D_i(\\tilde X_i'\\tilde X_i)^{-1}D_i'\\Big],
        \\qquad D_i = X^*_i - \\iota\\bar x_i',

    which equals :math:`s_i^2[I + X^*_i(X_i'X_i)^{-1}X^{*\\prime}_i]` (Campbell, Lo & MacKinlay
    1997, eq. 4.4.9; for the market model its diagonal is
    :math:`s_i^2[1 + 1/n_i + (R_{m\\tau}-\\bar R_m)^2/\\sum_t(R_{mt}-\\bar R_m)^2]`,
    MacKinlay 1997).
    The constant-mean model gives :math:`s_i^2(I + \\iota\\iota'/n_i)`.
    """
    model = normalize_model_name(model)
    if model == "garch":
        if forecast_steps is None:
            forecast_steps = np.arange(1, y_event.shape[1] + 1)
        return _fit_garch(y_est, x_est, y_event, x_event, valid, forecast_steps)
    y_est = np.asarray(y_est, dtype=float)
    x_est = np.asarray(x_est, dtype=float)
    n_ev, n_est_rows = y_est.shape
    n_win = y_event.shape[1]
    p = x_est.shape[2]
    valid = np.broadcast_to(np.asarray(valid, dtype=bool), y_est.shape)

    if model == "market_adjusted":
        valid = valid & np.isfinite(y_est) & np.isfinite(x_est[:, :, 0])
        n = valid.sum(axis=1)
        failed = np.full(n_ev, None, dtype=object)
        resid = np.subtract(y_est, x_est[:, :, 0])
        np.copyto(resid, np.nan, where=~valid)
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma2 = _nan_sum_squares(resid) / n
        failed[n < 1] = "no usable estimation observations"
        return NormalReturnFit(
            model=model,
            param_names=(),
            params=np.empty((n_ev, 0)),
            std_errors=np.empty((n_ev, 0)),
            k=0,
            n_est=n,
            sigma2=sigma2,
            resid_var_ddof0=_ddof0(resid, valid, n),
            est_resid=resid,
            normal_event=x_event[:, :, 0].astype(float),
            event_cov=sigma2[:, None, None] * np.eye(n_win),
            failed=failed,
        )

    k = 1 + p
    if model == "constant_mean":
        names: tuple[str, ...] = ("mu",)
    elif model == "market":
        names = ("alpha", "beta")
    else:
        names = ("alpha", *(f"b_{name}" for name in regressor_names))
    out = _OLSOutput(
        n=np.empty(n_ev, dtype=np.intp),
        params=np.empty((n_ev, k)),
        std_errors=np.empty((n_ev, k)),
        sigma2=np.empty(n_ev),
        var0=np.empty(n_ev),
        resid=np.empty(y_est.shape),
        normal=np.empty((n_ev, n_win)),
        cov=np.empty((n_ev, n_win, n_win)),
        failed=np.full(n_ev, None, dtype=object),
    )
    # Every event is solved on its own rows, so blocks of events give the same numbers as one
    # pass over all of them; blocks small enough for the CPU cache make the many elementwise
    # passes much cheaper and keep the temporaries small.
    step = max(1, _BLOCK_BYTES // (8 * max(n_est_rows * max(p, 1), n_win * n_win)))
    for lo in range(0, n_ev, step):
        blk = slice(lo, lo + step)
        _fit_ols_block(y_est[blk], x_est[blk], x_event[blk], valid[blk], out, blk)
    return NormalReturnFit(
        model=model,
        param_names=names,
        params=out.params,
        std_errors=out.std_errors,
        k=k,
        n_est=out.n,
        sigma2=out.sigma2,
        resid_var_ddof0=out.var0,
        est_resid=out.resid,
        normal_event=out.normal,
        event_cov=out.cov,
        failed=out.failed,
    )


_BLOCK_BYTES = 1 << 20  # about the size of one (events x estimation days) array per block


@dataclass(frozen=True)
class _OLSOutput:
    n: np.ndarray
    params: np.ndarray
    std_errors: np.ndarray
    sigma2: np.ndarray
    var0: np.ndarray
    resid: np.ndarray
    normal: np.ndarray
    cov: np.ndarray
    failed: np.ndarray


def _fit_ols_block(y_est, x_est, x_event, valid, out: _OLSOutput, blk: slice) -> None:
    """OLS with an intercept (see :func:`fit_normal_model`) for a block of events, written
    into ``out[blk]``."""
    n_ev = y_est.shape[0]
    p = x_est.shape[2]
    k = 1 + p
    # p = 1 (market model) works on 2-D (N, L) arrays: the same arithmetic as the general
    # (N, L, p) path, without the size-1 axis and its reductions.
    x1 = x_est[:, :, 0] if p == 1 else None
    valid = valid & np.isfinite(y_est)
    if p == 1:
        valid &= np.isfinite(x1)
    elif p > 1:
        valid &= np.isfinite(x_est).all(axis=2)
    n = valid.sum(axis=1)
    failed = out.failed[blk]
    where = True if valid.all() else valid  # ufunc ``where=``: skip the mask when all usable
    nf = np.maximum(n, 1).astype(float)
    # centred data: yc = y - ybar on usable rows, 0 elsewhere (one buffer per array)
    yc = np.where(valid, y_est, 0.0)
    ybar = yc.sum(1) / nf
    np.subtract(y_est, ybar[:, None], out=yc, where=where)
    if p == 1:
        xc2 = np.where(valid, x1, 0.0)
        xbar = (xc2.sum(1) / nf)[:, None]
        np.subtract(x1, xbar, out=xc2, where=where)
        xc = xc2[:, :, None]
    elif p:
        xc = np.where(valid[:, :, None], x_est, 0.0)
        xbar = xc.sum(1) / nf[:, None]
        np.subtract(x_est, xbar[:, None, :], out=xc, where=valid[:, :, None])
    else:
        xbar = np.zeros((n_ev, 0))
    if p:
        sxx = np.einsum("nlp,nlq->npq", xc, xc)
        sxy = np.einsum("nlp,nl->np", xc, yc)
        scale = np.sqrt(np.einsum("npp->np", sxx))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = sxx / (scale[:, :, None] * scale[:, None, :])
        det = np.linalg.det(corr) if p > 1 else np.where(scale[:, 0] > 0, 1.0, 0.0)
        singular = ~(np.isfinite(det) & (det > 1e-12)) | (scale <= 0).any(axis=1)
        sxx_safe = np.where(singular[:, None, None], np.eye(p), sxx)
        sinv = np.linalg.inv(sxx_safe)
        b = np.einsum("npq,nq->np", sinv, sxy)
        failed[singular] = "regressors have no variation (singular design) in the estimation window"
    else:
        sinv = np.zeros((n_ev, 0, 0))
        b = np.zeros((n_ev, 0))
    alpha = ybar - np.einsum("np,np->n", xbar, b)
    # resid = y - (alpha + X b), NaN where not used
    resid = out.resid[blk]
    if p == 1:
        np.multiply(x1, b[:, :1], out=resid)
    elif p:
        np.einsum("nlp,np->nl", x_est, b, out=resid)
    else:
        resid[...] = 0.0
    np.add(alpha[:, None], resid, out=resid)
    np.subtract(y_est, resid, out=resid)
    if where is not True:
        np.copyto(resid, np.nan, where=~valid)
    dof = n - k
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where(dof > 0, _nan_sum_squares(resid, work=yc) / dof, np.nan)
    failed[(dof <= 0) & (failed == None)] = (  # noqa: E711
        f"fewer usable estimation observations than the {k} parameters"
    )
    out.normal[blk] = alpha[:, None] + np.einsum("nlp,np->nl", x_event, b)
    # V = s^2 (I + 1/n + D S^-1 D'), built in place
    dev = x_event - xbar[:, None, :]
    cov = out.cov[blk]
    if p == 1:
        d = dev[:, :, 0]
        np.multiply((d * sinv[:, 0, :])[:, :, None], d[:, None, :], out=cov)
    else:
        np.matmul(dev @ sinv, np.swapaxes(dev, 1, 2), out=cov)
    cov += (1.0 / nf)[:, None, None]
    _diagonal(cov)[:] += 1.0
    cov *= sigma2[:, None, None]
    var_b = sigma2[:, None] * np.einsum("npp->np", sinv)
    var_a = sigma2 * (1.0 / nf + np.einsum("np,npq,nq->n", xbar, sinv, xbar))
    out.n[blk] = n
    out.params[blk] = np.column_stack([alpha, b])
    out.std_errors[blk] = np.sqrt(np.column_stack([var_a, var_b]))
    out.sigma2[blk] = sigma2
    out.var0[blk] = _ddof0(resid, valid, n, work=yc)


def _diagonal(a: np.ndarray) -> np.ndarray:
    """Writable (N, L) view of the diagonals of a C-contiguous (N, L, L) array."""
    if not a.flags.c_contiguous:
        raise ValueError("expected a C-contiguous array")
    n_ev, size, _ = a.shape
    return a.reshape(n_ev, size * size)[:, :: size + 1]


_GARCH_SCALE = 100.0  # fit in percent for the optimiser; every output is back in decimals


def _fit_garch(y_est, x_est, y_event, x_event, valid, forecast_steps) -> NormalReturnFit:
    """Market model with GARCH(1,1) errors, one ``arch`` fit per event.

    The fit runs on returns x 100 (the optimiser's preferred scale; ``arch``'s own
    ``rescale`` is off) and every reported quantity is converted back to decimals. The
    conditional variance forecasts for the event offsets are
    :math:`h_{T+1} = \\omega + a\\,\\varepsilon_T^2 + b\\,h_T`,
    :math:`h_{T+j} = \\omega + (a + b)\\,h_{T+j-1}`, with T the last estimation row; the
    event-window covariance is :math:`\\mathrm{diag}(h)` (no parameter-uncertainty term).
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
        resid_var_ddof0=_ddof0(resid, valid & np.isfinite(resid), n),
        est_resid=resid,
        normal_event=normal,
        event_cov=cov,
        failed=failed,
    )
