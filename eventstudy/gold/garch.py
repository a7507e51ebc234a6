r"""GARCH(1,1) of a zero-mean series, fitted as ``arch`` fits it, without importing ``arch``.

``arch_model(e, mean="Zero", vol="GARCH", p=1, q=1, rescale=False).fit(disp="off")`` (arch 8)
maximises the Gaussian likelihood of

.. math:: h_t = \omega + \alpha e_{t-1}^2 + \beta h_{t-1}, \qquad h_0 = \omega + (\alpha +
          \beta)\,\bar h,

with :math:`\bar h` the backcast (exponentially weighted mean of the first 75 squares, decay
0.94), every :math:`h_t` kept inside loose bounds built from an EWMA of the squares, by SLSQP
from the best of 64 grid starting values. Importing ``arch`` costs about a second (it imports
matplotlib and statsmodels); this module repeats the same computations step by step, in the same
floating-point order, and calls the same optimiser with the same arguments, so its parameters
and volatilities are the same numbers, bit for bit (tested against ``arch``).

The recursion is a first-order linear filter between two bound checks:
:func:`scipy.signal.lfilter` evaluates :math:`y_t = x_t + \beta y_{t-1}` with
:math:`x_t = \omega + \alpha e_{t-1}^2` in exactly the order of arch's loop (one product
rounded, then one sum), and the bounds, which rarely bind, are applied where they do by
restarting the filter after that day.

Units: whatever the input is in (the caller fits in percent); variances in its square.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Garch11Fit", "fit_garch11", "garch11_variance"]

_DBL_MAX = float(np.finfo(float).max)
_LOG_2PI = float(np.log(2 * np.pi))
_TAU = 75  # backcast and bound window
_DECAY = 0.94


@dataclass(frozen=True)
class Garch11Fit:
    """A fitted GARCH(1,1).

    Attributes
    ----------
    params : ndarray, shape (3,)
        ``omega`` (input units squared), ``alpha``, ``beta``.
    variance : ndarray
        Conditional variance :math:`h_t` at the parameters (input units squared).
    status : int
        SLSQP's exit status (0 = converged), arch's ``convergence_flag``.
    loglikelihood : float
    """

    params: np.ndarray
    variance: np.ndarray
    status: int
    loglikelihood: float


def backcast(resids: np.ndarray) -> float:
    """The backcast of arch's ``GARCH``: weighted mean of the first 75 squares (weights 0.94^k)."""
    tau = min(_TAU, resids.shape[0])
    w = _DECAY ** np.arange(tau)
    w = w / sum(w)  # builtin sum, as arch
    return float(np.sum((np.absolute(resids[:tau]) ** 2.0) * w))


def variance_bounds(resids: np.ndarray) -> np.ndarray:
    """Variance bounds as arch's ``variance_bounds`` (power 2): (nobs, 2) lower, upper."""
    nobs = resids.shape[0]
    tau = min(_TAU, nobs)
    w = _DECAY ** np.arange(tau)
    w = w / sum(w)
    initial = w.dot(resids[:tau] ** 2.0)
    no_bounds = (np.full(nobs, -1.0), np.full(nobs, 1.7e308))
    ewma = garch11_variance((0.0, 1.0 - _DECAY, _DECAY), resids**2.0, float(initial), no_bounds)
    bounds = np.vstack((ewma / 1e6, ewma * 1e6)).T
    var = float(np.var(resids))
    min_upper = 1 + float(np.max(resids**2.0))
    lower, upper = var / 1e8, 1e7 * (1 + float(np.max(resids**2.0)))
    bounds[bounds[:, 0] < lower, 0] = lower
    bounds[bounds[:, 1] < min_upper, 1] = min_upper
    bounds[bounds[:, 1] > upper, 1] = upper
    return np.ascontiguousarray(bounds)


def _bounded(value: float, lo: float, hi: float) -> float:
    """One variance kept in its bounds, as arch's ``bounds_check``."""
    if value < lo:
        return lo
    if value > hi:
        return hi + 1000 if value > _DBL_MAX else hi + math.log(value / hi)
    return value


def garch11_variance(
    params: tuple[float, float, float] | np.ndarray,
    sq: np.ndarray,
    backcast: float,
    bounds: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    r"""Conditional variances :math:`h_t` of arch's ``garch_recursion`` (p = q = 1), exactly.

    Parameters
    ----------
    params : (omega, alpha, beta)
    sq : ndarray
        Squared residuals :math:`e_t^2`.
    backcast : float
        :math:`\bar h`, standing for :math:`e_{-1}^2` and :math:`h_{-1}`.
    bounds : (ndarray, ndarray)
        Lower and upper bound of each :math:`h_t`.

    Returns
    -------
    ndarray
        :math:`h_t`, same length as ``sq``.
    """
    from scipy.signal import lfilter

    omega, alpha, beta = (float(p) for p in params)
    lo, hi = bounds
    n = sq.shape[0]
    out = np.empty(n)
    if not n:
        return out
    x = omega + alpha * sq[:-1]  # x[t - 1] drives h_t, t >= 1: omega + alpha e_{t-1}^2
    h = omega
    h += alpha * backcast
    h += beta * backcast
    out[0] = _bounded(h, lo[0], hi[0])
    t = 1
    filt_b, filt_a = np.array([1.0]), np.array([1.0, -beta])
    while t < n:
        seg = lfilter(filt_b, filt_a, x[t - 1 :], zi=np.array([beta * out[t - 1]]))[0]
        bad = np.flatnonzero((seg < lo[t:]) | (seg > hi[t:]))
        if not bad.size:
            out[t:] = seg
            break
        k = int(bad[0])
        out[t : t + k] = seg[:k]
        out[t + k] = _bounded(float(seg[k]), lo[t + k], hi[t + k])
        t += k + 1
    return out


def _loglikelihood(resids: np.ndarray, sigma2: np.ndarray) -> float:
    """Gaussian log-likelihood as arch's ``Normal.loglikelihood`` (numpy's pairwise sum)."""
    lls = -0.5 * (np.log(2 * np.pi) + np.log(sigma2) + resids**2.0 / sigma2)
    return float(np.sum(lls))


class _Objective:
    """Negative log-likelihood of the parameters, as arch's ``_loglikelihood``."""

    def __init__(self, resids: np.ndarray) -> None:
        self.resids = resids
        self.sq = np.absolute(resids) ** 2.0
        self.backcast = backcast(resids)
        vb = variance_bounds(resids)
        self.bounds = (np.ascontiguousarray(vb[:, 0]), np.ascontiguousarray(vb[:, 1]))

    def variance(self, params: np.ndarray) -> np.ndarray:
        return garch11_variance(params, self.sq, self.backcast, self.bounds)

    def llf(self, params: np.ndarray) -> float:
        return _loglikelihood(self.resids, self.variance(params))

    def __call__(self, params: np.ndarray, *args: object) -> float:
        return -float(self.llf(np.asarray(params, dtype=float)))


def starting_values(resids: np.ndarray, objective: _Objective) -> np.ndarray:
    """Starting values as arch's ``GARCH``: the best of its 64-point grid by likelihood."""
    target = np.mean(np.absolute(resids) ** 2.0)
    scale = np.mean(resids**2) / (target ** (2.0 / 2.0))
    target *= scale ** (2.0 / 2)
    svs, llfs = [], np.zeros(64)
    alphas = [0.01, 0.05, 0.1, 0.2]
    for i, (alpha, _gamma, agb) in enumerate(
        itertools.product(alphas, alphas, [0.5, 0.7, 0.9, 0.98])
    ):
        sv = (1.0 - agb) * target * np.ones(3, dtype=float)
        sv[1:2] = alpha / 1
        agb -= alpha
        sv[2:3] = agb / 1
        svs.append(sv)
        llfs[i] = objective.llf(sv)
    return svs[int(np.argmax(llfs))]


def _constraint(coeff: np.ndarray, val: float) -> Callable[..., float]:
    def f(params: np.ndarray, *args: object) -> float:
        return np.dot(coeff, params) - val

    return f


def fit_garch11(resids: np.ndarray) -> Garch11Fit:
    r"""Fit a zero-mean GARCH(1,1) with normal errors as ``arch`` 8 does (SLSQP, same steps).

    Parameters
    ----------
    resids : ndarray
        The series (any units; arch's ``rescale=False``), no missing values.

    Returns
    -------
    Garch11Fit
    """
    from scipy.optimize import minimize

    resids = np.ascontiguousarray(resids, dtype=float)
    objective = _Objective(resids)
    sv = starting_values(resids, objective)
    v = float(np.mean(np.absolute(resids) ** 2.0))
    bounds = [(1e-8 * v, 10.0 * float(v)), (0.0, 1.0), (0.0, 1.0)]
    a = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0, -1.0, -1.0]])
    b = np.array([0.0, 0.0, 0.0, -1.0])
    cons = [{"type": "ineq", "fun": _constraint(a[i], b[i])} for i in range(4)]
    sigma2 = np.zeros(resids.shape[0])
    opt = minimize(objective, sv, args=(sigma2, objective.backcast, None), method="SLSQP",
                   bounds=bounds, constraints=cons, tol=None, options={"disp": False})  # fmt: skip
    params = np.asarray(opt.x, dtype=float)
    return Garch11Fit(params, objective.variance(params), int(opt.status), -1.0 * opt.fun)
