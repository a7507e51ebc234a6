"""Batched OLS with an intercept for many events at once: the solver of the OLS models.

The constant-mean, market and factor models are all OLS of the asset return on a constant and
p regressors (p = 0, 1, any); they share this solver and differ only in their regressors and
parameter names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from eventstudy.engine._parallel import n_threads, run_all
from eventstudy.engine.models.base import NormalReturnFit
from eventstudy.engine.panel import PredictionErrorCov
from eventstudy.engine.windows import RowWindows

__all__ = ["ddof0_variance", "fit_ols", "nan_sum_squares"]

_BLOCK_BYTES = 1 << 20  # about the size of one (events x estimation days) array per block
_TASKS_PER_THREAD = 4  # runs of consecutive blocks per thread (evens out uneven progress)


def ddof0_variance(
    resid: np.ndarray, valid: np.ndarray, n: np.ndarray, work: np.ndarray | None = None
) -> np.ndarray:
    """``np.var`` of the usable residuals of each row; ``work`` is an optional scratch array.

    When every residual is usable the masks are skipped (the same numbers, in the same
    memory order).
    """
    where = True if valid.all() else valid
    with np.errstate(invalid="ignore", divide="ignore"):
        if work is None:
            dev = _masked_copy(resid, valid, where)
        else:
            dev = work
            if where is not True:
                np.copyto(dev, 0.0)
            np.copyto(dev, resid, where=where)
        mean = dev.sum(1) / n
        np.subtract(resid, mean[:, None], out=dev, where=where)  # 0 where not valid
        np.square(dev, out=dev)
        return dev.sum(1) / n


def _masked_copy(x: np.ndarray, valid: np.ndarray, where: bool | np.ndarray) -> np.ndarray:
    """``np.where(valid, x, 0.0)``; a plain copy when ``where`` is True and both are C-ordered.

    (np.where's result is then C-ordered too: the same array, so the same row sums.)
    """
    if where is True and x.flags.c_contiguous and valid.flags.c_contiguous:
        return np.array(x, dtype=np.result_type(x, 0.0), order="C")
    return np.where(valid, x, 0.0)


def nan_sum_squares(resid: np.ndarray, work: np.ndarray | None = None) -> np.ndarray:
    """``np.nansum(resid**2, axis=1)``, squaring into ``work`` (optional scratch array)."""
    sq = np.square(resid, out=work)
    missing = np.isnan(sq)
    if missing.any():
        np.copyto(sq, 0.0, where=missing)
    return sq.sum(1)


@dataclass(frozen=True)
class _OLSOutput:
    n: np.ndarray
    params: np.ndarray
    std_errors: np.ndarray
    sigma2: np.ndarray
    var0: np.ndarray
    resid: np.ndarray
    normal: np.ndarray
    cov: np.ndarray | None  # None with at most one regressor: V is kept as its factors
    dev: np.ndarray  # (N, L2) event-window deviations of the regressor (0 without one)
    inv_sxx: np.ndarray  # (N,) its inverse centred sum of squares (0 without a regressor)
    inv_n: np.ndarray  # (N,) 1 / n
    failed: np.ndarray


def fit_ols(
    name: str,
    param_names: tuple[str, ...],
    y_est: np.ndarray,
    x_est: np.ndarray | RowWindows,
    x_event: np.ndarray,
    valid: np.ndarray,
    *,
    overwrite_y: bool = False,
) -> NormalReturnFit:
    r"""OLS of ``y`` on a constant and the p columns of ``x`` for every event at once.

    Parameters
    ----------
    name : str
        Model name recorded in the fit.
    param_names : tuple of str
        ``1 + p`` names: the intercept's, then the regressors'.
    y_est, x_est, x_event, valid
        See :meth:`eventstudy.engine.models.base.NormalReturnModel.fit`; ``x_est`` may be
        :class:`~eventstudy.engine.windows.RowWindows` (N, Le) of one regressor, read a block
        of events at a time.
    overwrite_y : bool, default False
        Write the residuals into ``y_est`` when it is a float64, C-contiguous, writable array
        (each block of events reads its returns before writing its residuals), returned as
        ``est_resid``; otherwise into a new array.

    Returns
    -------
    NormalReturnFit

    Notes
    -----
    The slopes solve the centred normal equations
    :math:`b_i = (\tilde X_i'\tilde X_i)^{-1}\tilde X_i'\tilde y_i` (regressors and returns
    demeaned over the usable rows), :math:`\hat\alpha_i = \bar y_i - \bar x_i' b_i`, and

    .. math::

        V_i = s_i^2\Big[I + \tfrac{1}{n_i}\iota\iota'
              + D_i(\tilde X_i'\tilde X_i)^{-1}D_i'\Big],
        \qquad D_i = X^*_i - \iota\bar x_i',

    which equals :math:`s_i^2[I + X^*_i(X_i'X_i)^{-1}X^{*\prime}_i]` (Campbell, Lo & MacKinlay
    1997, eq. 4.4.9; for the market model its diagonal is
    :math:`s_i^2[1 + 1/n_i + (R_{m\tau}-\bar R_m)^2/\sum_t(R_{mt}-\bar R_m)^2]`,
    MacKinlay 1997). With p = 0 (constant mean) it is :math:`s_i^2(I + \iota\iota'/n_i)`.

    Events are solved in cache-sized blocks, on
    :func:`~eventstudy.engine._parallel.n_threads` threads; every event is solved on its own
    rows, so neither the block size nor the threads change a number.
    """
    y_est = np.asarray(y_est, dtype=float)
    if not isinstance(x_est, RowWindows):
        x_est = np.asarray(x_est, dtype=float)
    n_ev, n_est_rows = y_est.shape
    n_win = x_event.shape[1]
    p = 1 if isinstance(x_est, RowWindows) else x_est.shape[2]
    k = 1 + p
    valid = np.broadcast_to(np.asarray(valid, dtype=bool), y_est.shape)
    out = _OLSOutput(
        n=np.empty(n_ev, dtype=np.intp),
        params=np.empty((n_ev, k)),
        std_errors=np.empty((n_ev, k)),
        sigma2=np.empty(n_ev),
        var0=np.empty(n_ev),
        resid=y_est if overwrite_y and _writable_c_float(y_est) else np.empty(y_est.shape),
        normal=np.empty((n_ev, n_win)),
        cov=None if p <= 1 else np.empty((n_ev, n_win, n_win)),
        dev=np.empty((n_ev, n_win) if p <= 1 else (0, n_win)),
        inv_sxx=np.empty(n_ev if p <= 1 else 0),
        inv_n=np.empty(n_ev if p <= 1 else 0),
        failed=np.full(n_ev, None, dtype=object),
    )
    step = max(1, _BLOCK_BYTES // (8 * max(n_est_rows * max(p, 1), n_win * n_win)))
    blocks = [slice(lo, lo + step) for lo in range(0, n_ev, step)]
    threads = n_threads()
    per_task = -(-len(blocks) // (threads * _TASKS_PER_THREAD)) if threads > 1 else len(blocks)
    tasks = [
        partial(_fit_blocks, y_est, x_est, x_event, valid, out, blocks[i : i + per_task])
        for i in range(0, len(blocks), max(per_task, 1))
    ]
    run_all(tasks, threads)
    return NormalReturnFit(
        model=name,
        param_names=param_names,
        params=out.params,
        std_errors=out.std_errors,
        k=k,
        n_est=out.n,
        sigma2=out.sigma2,
        resid_var_ddof0=out.var0,
        est_resid=out.resid,
        normal_event=out.normal,
        event_cov=(
            PredictionErrorCov(out.dev, out.inv_sxx, out.inv_n, out.sigma2)
            if out.cov is None
            else out.cov
        ),
        failed=out.failed,
    )


def _fit_blocks(
    y_est: np.ndarray,
    x_est: np.ndarray | RowWindows,
    x_event: np.ndarray,
    valid: np.ndarray,
    out: _OLSOutput,
    blocks: list[slice],
) -> None:
    """:func:`_fit_block` of each of ``blocks`` (rows of :func:`fit_ols`'s inputs) in turn."""
    for blk in blocks:
        x_blk = x_est[blk]
        if isinstance(x_est, RowWindows):
            x_blk = x_blk[:, :, None]  # one regressor
        _fit_block(y_est[blk], x_blk, x_event[blk], valid[blk], out, blk)


def _fit_block(
    y_est: np.ndarray,
    x_est: np.ndarray,
    x_event: np.ndarray,
    valid: np.ndarray,
    out: _OLSOutput,
    blk: slice,
) -> None:
    """Solve the OLS of :func:`fit_ols` for a block of events, writing into ``out[blk]``.

    ``y_est`` (n, L1), ``x_est`` (n, L1, p), ``x_event`` (n, L2, p) and ``valid`` (n, L1) are
    the block's rows of :func:`fit_ols`'s inputs.
    """
    n_ev = y_est.shape[0]
    p = x_est.shape[2]
    k = 1 + p
    # p = 1 (market model) works on 2-D (N, L) arrays: the same arithmetic as the general
    # (N, L, p) path, without the size-1 axis and its reductions. (x1 is unused for p != 1.)
    x1 = x_est[:, :, 0] if p == 1 else np.empty((n_ev, 0))
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
    yc = _masked_copy(y_est, valid, where)
    ybar = yc.sum(1) / nf
    np.subtract(y_est, ybar[:, None], out=yc, where=where)
    if p == 1:
        xc2 = _masked_copy(x1, valid, where)
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
    # resid = y - (alpha + X b), NaN where not used; the fitted values in yc (no longer
    # needed), as ``resid`` may be ``y_est`` itself (fit_ols's overwrite_y)
    resid = out.resid[blk]
    fitted = yc
    if p == 1:
        np.multiply(x1, b[:, :1], out=fitted)
    elif p:
        np.einsum("nlp,np->nl", x_est, b, out=fitted)
    else:
        fitted[...] = 0.0
    np.add(alpha[:, None], fitted, out=fitted)
    np.subtract(y_est, fitted, out=resid)
    if where is not True:
        np.copyto(resid, np.nan, where=~valid)
    dof = n - k
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where(dof > 0, nan_sum_squares(resid, work=yc) / dof, np.nan)
    failed[(dof <= 0) & (failed == None)] = (  # noqa: E711
        f"fewer usable estimation observations than the {k} parameters"
    )
    out.normal[blk] = alpha[:, None] + np.einsum("nlp,np->nl", x_event, b)
    # V = s^2 (I + 1/n + D S^-1 D'): its factors with at most one regressor
    # (PredictionErrorCov builds it, when read, with these operations; without a regressor
    # D S^-1 D' is 0, as 0 x 0), else built in place
    dev = x_event - xbar[:, None, :]
    if out.cov is None:
        out.dev[blk] = dev[:, :, 0] if p == 1 else 0.0
        out.inv_sxx[blk] = sinv[:, 0, 0] if p == 1 else 0.0
        out.inv_n[blk] = 1.0 / nf
    else:
        cov = out.cov[blk]
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
    out.var0[blk] = ddof0_variance(resid, valid, n, work=yc)


def _writable_c_float(a: np.ndarray) -> bool:
    """Return True for a float64, C-contiguous, writable array (one that may take results)."""
    return a.dtype == np.float64 and a.flags.c_contiguous and a.flags.writeable


def _diagonal(a: np.ndarray) -> np.ndarray:
    """Writable (N, L) view of the diagonals of a C-contiguous (N, L, L) array."""
    if not a.flags.c_contiguous:
        raise ValueError("expected a C-contiguous array")
    n_ev, size, _ = a.shape
    return a.reshape(n_ev, size * size)[:, :: size + 1]
