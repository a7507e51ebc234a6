"""The few ``scipy.stats`` functions the library calls, without importing :mod:`scipy.stats`.

Importing :mod:`scipy.stats` costs 0.6-1.0 s (about 600 modules) at every ``eventstudy run``,
for a handful of calls whose numbers come from :mod:`scipy.special` (already imported) and a
few lines of numpy. Each object here repeats one ``scipy.stats`` function of **scipy 1.17.1**
step for step (the same :mod:`scipy.special` ufunc on the same dtypes, the same argument
checks, the same order of floating-point operations), so that it returns the very same bits:
``tests/test_scipy_replicas.py`` checks every one against scipy on random inputs and edge
cases (NaN, infinities, ties, tiny samples). Use it as ``from eventstudy import _scipy_stats
as stats``: the call sites read as they did with scipy.

- :data:`norm` (``cdf``, ``sf``, ``ppf``, ``isf``, ``logcdf``, ``pdf``), :data:`t` (``cdf``,
  ``sf``, ``ppf``), :data:`chi2` (``sf``): the ``rv_continuous`` methods with the default
  ``loc=0, scale=1`` (``norm.pdf`` also with ``loc`` and ``scale``);
- :data:`binom` (``cdf``, ``sf``): the ``rv_discrete`` methods;
- :func:`rankdata` (``method="average"``), :func:`ttest_1samp`, :func:`ttest_ind`,
  :func:`mannwhitneyu`, :func:`kendalltau`: the tests, on the 1-D samples the library
  passes. Inputs outside what is repeated here (other methods, NaN in a sample, samples too
  small for scipy's own checks) are handed to scipy itself, imported then, so every call
  returns scipy's result whatever the input.

Check this module again (run its tests) when scipy is upgraded; ``pyproject.toml`` asks for
scipy >= 1.17 (the binomial uses scipy.special's private ``_binom_cdf``/``_binom_sf``).

Differences from scipy, not in the numbers: scipy's ``RuntimeWarning`` about precision lost
in the variance of a (nearly) constant sample is not raised by :func:`ttest_1samp` and
:func:`ttest_ind`; the exact Mann-Whitney null is built again at every call, where scipy
keeps the last one (one call per study here); :func:`kendalltau` counts discordant pairs in
blocks, about ten times slower than scipy at 100,000 pairs (event counts are far smaller).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from scipy import special as sc
from scipy.special import _ufuncs as scu

__all__ = [
    "binom",
    "chi2",
    "kendalltau",
    "mannwhitneyu",
    "norm",
    "rankdata",
    "t",
    "ttest_1samp",
    "ttest_ind",
]

_NORM_PDF_C = np.sqrt(2 * np.pi)  # scipy.stats._continuous_distns._norm_pdf_C


def _result(out: np.ndarray) -> Any:
    """A 0-d result as a numpy scalar, as ``rv_generic`` methods return it (``output[()]``)."""
    return out[()] if out.ndim == 0 else out


def _continuous(
    x: Any,
    shapes: tuple[Any, ...],
    fn: Callable[..., Any],
    support: tuple[float, float],
    kind: str,
) -> Any:
    r"""``rv_continuous.cdf``/``sf``/``logcdf`` with ``loc=0, scale=1``.

    Parameters
    ----------
    x : array_like
        Quantiles.
    shapes : tuple of array_like
        Shape parameters; valid where all are > 0 (``rv_generic._argcheck``).
    fn : callable
        ``_cdf``/``_sf``/``_logcdf`` of the distribution, called as scipy calls it: on the
        valid points inside the open support only.
    support : (float, float)
        The support ``(a, b)``.
    kind : {"cdf", "sf", "logcdf"}
        Which method: sets the value outside the support (``cdf``: 0 below, 1 above;
        ``sf``: 1 below, 0 above; ``logcdf``: -inf below, 0 above).

    Returns
    -------
    numpy.float64 or ndarray
        NaN where a shape parameter is invalid or ``x`` is NaN.
    """
    x = np.asarray(x)
    x = np.asarray(x, dtype=np.promote_types(x.dtype, np.float64))
    args = tuple(np.asarray(s) for s in shapes)
    a, b = support
    cond0: Any = True
    for arg in args:
        cond0 = np.logical_and(cond0, arg > 0)
    with np.errstate(invalid="ignore"):
        inside = (a < x) & (x < b)
    cond = cond0 & inside
    shape = np.shape(cond)
    out = np.zeros(shape, x.dtype)
    if kind == "logcdf":
        out.fill(-np.inf)
    out[np.broadcast_to(~np.asarray(cond0) | np.isnan(x), shape)] = np.nan
    if kind == "sf":
        out[np.broadcast_to(cond0 & (x <= a), shape)] = 1.0
    else:
        out[np.broadcast_to(cond0 & (x >= b), shape)] = 1.0 if kind == "cdf" else 0.0
    if np.any(cond):
        pick = [np.broadcast_to(v, shape)[cond] for v in (x, *args)]
        out[cond] = fn(*pick)
    return _result(out)


def _quantile(
    q: Any, shapes: tuple[Any, ...], fn: Callable[..., Any], support: tuple[float, float]
) -> Any:
    """``rv_continuous.ppf``/``isf`` with ``loc=0, scale=1``.

    Parameters
    ----------
    q : array_like
        Probabilities.
    shapes : tuple of array_like
        Shape parameters; valid where all are > 0.
    fn : callable
        ``_ppf``/``_isf`` of the distribution, on the valid points with ``0 < q < 1``.
    support : (float, float)
        The values at ``q == 0`` and ``q == 1`` (``(a, b)`` for ppf, ``(b, a)`` for isf).

    Returns
    -------
    numpy.float64 or ndarray
        ``fn(q) * 1 + 0`` (so ``-0.0`` becomes ``0.0``, as in scipy); NaN outside [0, 1].
    """
    q = np.asarray(q)
    args = tuple(np.asarray(s) for s in shapes)
    cond0: Any = True
    for arg in args:
        cond0 = np.logical_and(cond0, arg > 0)
    cond = cond0 & (0 < q) & (q < 1)
    shape = np.shape(cond)
    out = np.full(shape, fill_value=np.nan)
    out[np.broadcast_to(cond0 & (q == 0), shape)] = support[0]
    out[np.broadcast_to(cond0 & (q == 1), shape)] = support[1]
    if np.any(cond):
        pick = [np.broadcast_to(v, shape)[cond] for v in (q, *args)]
        out[cond] = fn(*pick) * np.int64(1) + np.int64(0)
    return _result(out)


class _Norm:
    """``scipy.stats.norm`` (standard normal; :meth:`pdf` also with ``loc``/``scale``)."""

    support = (-np.inf, np.inf)

    def cdf(self, x: Any) -> Any:
        """``norm.cdf(x)``: ``special.ndtr``."""
        return _continuous(x, (), sc.ndtr, self.support, "cdf")

    def sf(self, x: Any) -> Any:
        """``norm.sf(x)``: ``special.ndtr(-x)``."""
        return _continuous(x, (), lambda v: sc.ndtr(-v), self.support, "sf")

    def logcdf(self, x: Any) -> Any:
        """``norm.logcdf(x)``: ``special.log_ndtr``."""
        return _continuous(x, (), sc.log_ndtr, self.support, "logcdf")

    def ppf(self, q: Any) -> Any:
        """``norm.ppf(q)``: ``special.ndtri``."""
        return _quantile(q, (), sc.ndtri, self.support)

    def isf(self, q: Any) -> Any:
        """``norm.isf(q)``: ``-special.ndtri``."""
        return _quantile(q, (), lambda v: -sc.ndtri(v), self.support[::-1])

    def pdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        r"""``norm.pdf(x, loc, scale)``: :math:`\exp(-z^2/2)/\sqrt{2\pi}/\text{scale}`.

        Parameters
        ----------
        x : array_like
            Points.
        loc, scale : array_like, default 0 and 1
            Location and scale; NaN where ``scale <= 0``.

        Returns
        -------
        numpy.float64 or ndarray
        """
        x, loc, scale = map(np.asarray, (x, loc, scale))
        dtyp = np.promote_types(x.dtype, np.float64)
        x = np.asarray((x - loc) / scale, dtype=dtyp)
        cond0 = scale > 0
        with np.errstate(invalid="ignore"):
            cond = cond0 & (self.support[0] <= x) & (x <= self.support[1])
        shape = np.shape(cond)
        out = np.zeros(shape, dtyp)
        np.putmask(out, np.broadcast_to(~cond0 | np.isnan(x), shape), np.nan)
        if np.any(cond):
            xs, ss = (np.broadcast_to(v, shape)[cond] for v in (x, scale))
            out[cond] = np.exp(-(xs**2) / 2.0) / _NORM_PDF_C / ss
        return _result(out)


class _T:
    """``scipy.stats.t`` (Student's t with ``df`` degrees of freedom)."""

    support = (-np.inf, np.inf)

    def cdf(self, x: Any, df: Any) -> Any:
        """``t.cdf(x, df)``: ``special.stdtr(df, x)``."""
        return _continuous(x, (df,), lambda v, d: sc.stdtr(d, v), self.support, "cdf")

    def sf(self, x: Any, df: Any) -> Any:
        """``t.sf(x, df)``: ``special.stdtr(df, -x)``."""
        return _continuous(x, (df,), lambda v, d: sc.stdtr(d, -v), self.support, "sf")

    def ppf(self, q: Any, df: Any) -> Any:
        """``t.ppf(q, df)``: ``special.stdtrit(df, q)``."""
        return _quantile(q, (df,), lambda v, d: sc.stdtrit(d, v), self.support)


class _Chi2:
    """``scipy.stats.chi2``."""

    support = (0.0, np.inf)

    def sf(self, x: Any, df: Any) -> Any:
        """``chi2.sf(x, df)``: ``special.chdtrc(df, x)``."""
        return _continuous(x, (df,), lambda v, d: sc.chdtrc(d, v), self.support, "sf")


class _Binom:
    """``scipy.stats.binom`` (``rv_discrete`` with the boost ufuncs of scipy.special)."""

    @staticmethod
    def _prepare(k: Any, n: Any, p: Any) -> tuple[np.ndarray, ...]:
        """Arrays ``k, n, p``, the valid-parameter mask and the points to evaluate.

        Parameters
        ----------
        k : array_like
            Quantiles.
        n, p : array_like
            Number of trials and success probability.

        Returns
        -------
        tuple of ndarray
            ``k, n, p, cond0`` (valid ``n``, ``p``), ``cond`` (valid, ``0 <= k < n``, finite).
        """
        k, n, p = (np.asarray(v) for v in (k, n, p))
        k = np.asarray(k - np.asarray(0))
        cond0 = (n >= 0) & (n == np.round(n)) & (p >= 0) & (p <= 1)
        cond = cond0 & ((k >= 0) & (k < n)) & np.isfinite(k)
        return k, n, p, cond0, cond

    @staticmethod
    def _evaluate(out: np.ndarray, cond: np.ndarray, fn: Any, *args: np.ndarray) -> Any:
        """Fill ``out[cond]`` with ``clip(fn(floor(k), n, p), 0, 1)``; the scipy result.

        Parameters
        ----------
        out : ndarray
            Output with the values outside ``cond`` already set.
        cond : ndarray of bool
            Where to evaluate.
        fn : ufunc
            ``_binom_cdf`` or ``_binom_sf``.
        *args : ndarray
            ``k, n, p``.

        Returns
        -------
        numpy.float64 or ndarray
        """
        if np.any(cond):
            shape = np.shape(cond)
            k, n, p = (np.broadcast_to(v, shape)[cond] for v in args)
            out[cond] = np.clip(fn(np.floor(k), n, p), 0, 1)
        return _result(out)

    def cdf(self, k: Any, n: Any, p: Any) -> Any:
        """``binom.cdf(k, n, p)``: ``special._ufuncs._binom_cdf(floor(k), n, p)``."""
        k, n, p, cond0, cond = self._prepare(k, n, p)
        shape = np.shape(cond)
        out = np.zeros(shape, "d")
        out[np.broadcast_to(k >= n, shape)] = 1.0
        out[np.broadcast_to(np.isneginf(k), shape)] = 0.0
        out[np.broadcast_to(~cond0 | np.isnan(k), shape)] = np.nan
        return self._evaluate(out, cond, scu._binom_cdf, k, n, p)

    def sf(self, k: Any, n: Any, p: Any) -> Any:
        """``binom.sf(k, n, p)``: ``special._ufuncs._binom_sf(floor(k), n, p)``."""
        k, n, p, cond0, cond = self._prepare(k, n, p)
        shape = np.shape(cond)
        out = np.zeros(shape, "d")
        out[np.broadcast_to(~cond0 | np.isnan(k), shape)] = np.nan
        out[np.broadcast_to(((k < 0) | np.isneginf(k)) & cond0, shape)] = 1.0
        return self._evaluate(out, cond, scu._binom_sf, k, n, p)


norm = _Norm()
"""``scipy.stats.norm``: ``cdf``, ``sf``, ``ppf``, ``isf``, ``logcdf``, ``pdf``."""
t = _T()
"""``scipy.stats.t``: ``cdf``, ``sf``, ``ppf``."""
chi2 = _Chi2()
"""``scipy.stats.chi2``: ``sf``."""
binom = _Binom()
"""``scipy.stats.binom``: ``cdf``, ``sf``."""


# --------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------


class TestResult(NamedTuple):
    """Statistic and p-value (and ``df`` for the t tests; NaN otherwise)."""

    statistic: Any
    pvalue: Any
    df: Any = np.nan


def _sample(a: Any) -> np.ndarray | None:
    """``a`` as a 1-D float64 array without NaN, or None (then scipy decides).

    Parameters
    ----------
    a : array_like
        A sample.

    Returns
    -------
    ndarray or None
    """
    x = np.asarray(a)
    if x.ndim != 1 or x.dtype != np.float64 or np.isnan(x).any():
        return None
    return x


def rankdata(a: Any) -> np.ndarray:
    """``scipy.stats.rankdata(a)`` (``method="average"``, ``nan_policy="propagate"``).

    Parameters
    ----------
    a : array_like
        Values, raveled.

    Returns
    -------
    ndarray of float64
        Average ranks (1 = smallest) in the shape of ``a`` raveled; all NaN if ``a`` has a
        NaN.
    """
    x = np.ravel(np.asarray(a))
    n = x.size
    if n == 0:
        return np.empty(x.shape, dtype=np.float64)
    ranks, _ = _average_ranks(x)
    if x.dtype.kind in "fc" and np.isnan(x).any():
        ranks = np.full(n, np.nan)
    return ranks


def _average_ranks(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.stats._stats_py._rankdata(x, "average", return_ties=True)`` for 1-D ``x``.

    Parameters
    ----------
    x : ndarray, 1-D, not empty
        Values.

    Returns
    -------
    ranks : ndarray of float64
        Average ranks.
    ties : ndarray of float64
        The size of each tied run at its first sorted position, 0 elsewhere.
    """
    n = x.size
    j = np.argsort(x, axis=-1, stable=True)
    ordinal = np.arange(1, n + 1, dtype=np.float64)
    y = x[j]
    first = np.concatenate([np.ones(1, dtype=bool), y[:-1] != y[1:]])
    indices = np.arange(n)[first]
    counts = np.diff(indices, append=np.asarray([n], dtype=indices.dtype))
    sorted_ranks = np.repeat(ordinal[first] + (counts.astype(np.float64) - 1) / 2, counts)
    ranks = np.empty(n, dtype=np.float64)
    ranks[j] = sorted_ranks
    ties = np.zeros(n, dtype=np.float64)
    ties[first] = counts
    return ranks, ties


def _var_ddof1(x: np.ndarray) -> np.float64:
    """``scipy.stats._stats_py._var(x, ddof=1)`` of a 1-D sample.

    Parameters
    ----------
    x : ndarray
        1-D float64 sample.

    Returns
    -------
    numpy.float64
    """
    mean = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mean) ** 2, axis=-1)
    n = np.asarray(x.shape[-1], dtype=x.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        var *= n / (n - 1)
    return var


def _t_pvalue(stat: Any, df: Any, alternative: str) -> Any:
    """``scipy.stats._stats_py._get_pvalue`` under ``_SimpleStudentT(df)``.

    Parameters
    ----------
    stat : numpy.float64
        The t statistic.
    df : numpy.float64
        Degrees of freedom.
    alternative : {"two-sided", "greater", "less"}
        Alternative hypothesis.

    Returns
    -------
    numpy.float64
    """
    if alternative == "less":
        return sc.stdtr(df, stat)
    if alternative == "greater":
        return sc.stdtr(df, -stat)
    return 2 * sc.stdtr(df, -np.abs(stat))


def ttest_1samp(a: Any, popmean: float, alternative: str = "two-sided") -> TestResult:
    """``scipy.stats.ttest_1samp(a, popmean, alternative=alternative)``.

    Parameters
    ----------
    a : array_like
        1-D sample.
    popmean : float
        Mean under the null hypothesis.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        Alternative hypothesis.

    Returns
    -------
    TestResult
        ``statistic``, ``pvalue``, ``df`` (numpy floats). Other input (not 1-D float64,
        fewer than two values, NaN, a popmean that is not a float) goes to scipy itself.
    """
    x = _sample(a)
    if x is None or x.size < 2 or not isinstance(popmean, float | int) or alternative not in (
        "two-sided", "greater", "less"
    ):  # fmt: skip
        from scipy import stats

        res = stats.ttest_1samp(a, popmean, alternative=alternative)
        return TestResult(res.statistic, res.pvalue, res.df)
    n = x.shape[-1]
    mean = np.mean(x, axis=-1)
    d = mean - np.asarray(popmean, dtype=np.float64)
    denom = np.sqrt(_var_ddof1(x) / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.divide(d, denom)
    df = np.asarray(n - 1, dtype=stat.dtype)
    return TestResult(stat[()], _t_pvalue(stat, df, alternative)[()], np.int64(n - 1))


def ttest_ind(a: Any, b: Any, equal_var: bool = True) -> TestResult:
    """``scipy.stats.ttest_ind(a, b, equal_var=equal_var)`` (two-sided).

    Parameters
    ----------
    a, b : array_like
        1-D samples.
    equal_var : bool, default True
        Student's (pooled variance) or Welch's test; only Welch's is repeated here.

    Returns
    -------
    TestResult
        ``statistic``, ``pvalue``, ``df``. Other input (Student's test, samples not 1-D
        float64, fewer than two values in a sample, NaN) goes to scipy itself.
    """
    x, y = _sample(a), _sample(b)
    if equal_var or x is None or y is None or x.size < 2 or y.size < 2:
        from scipy import stats

        res = stats.ttest_ind(a, b, equal_var=equal_var)
        return TestResult(res.statistic, res.pvalue, res.df)
    n1, n2 = x.shape[-1], y.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        v1, v2 = _var_ddof1(x), _var_ddof1(y)
    m1, m2 = np.mean(x, axis=-1), np.mean(y, axis=-1)
    vn1, vn2 = v1 / n1, v2 / n2
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (vn1 + vn2) ** 2 / (vn1**2 / (n1 - 1) + vn2**2 / (n2 - 1))
    df = np.where(np.isnan(df), 1.0, df)
    denom = np.sqrt(vn1 + vn2)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.divide(m1 - m2, denom)
    p = _t_pvalue(stat, np.asarray(df, dtype=stat.dtype), "two-sided")
    return TestResult(stat[()], p[()], df[()])


def mannwhitneyu(x: Any, y: Any, alternative: str = "two-sided", method: str = "auto") -> Any:
    """``scipy.stats.mannwhitneyu(x, y, alternative=alternative, method=method)``.

    Parameters
    ----------
    x, y : array_like
        1-D samples.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        Alternative hypothesis.
    method : {"auto", "asymptotic", "exact"}, default "auto"
        As scipy (``_mwu_choose_method``): ``auto`` is exact when one sample has at most 8
        values and there are no ties, asymptotic otherwise.

    Returns
    -------
    TestResult
        ``statistic`` (U of ``x``) and ``pvalue``. Both nulls are repeated here: the normal
        approximation (tie and continuity corrections) and the exact distribution of U
        (:func:`_mwu_sf`). Input not 1-D float64 or with NaN goes to scipy itself.
    """
    a, b = _sample(x), _sample(y)
    if (
        a is None
        or b is None
        or a.size == 0
        or b.size == 0
        or method not in ("auto", "asymptotic", "exact")
        or alternative not in ("two-sided", "greater", "less")
    ):
        return _scipy_mannwhitneyu(x, y, alternative, method)
    n1, n2 = a.size, b.size
    ranks, ties = _average_ranks(np.concatenate([a, b]))
    u1 = np.sum(ranks[:n1], axis=-1) - n1 * (n1 + 1) / 2
    u2 = n1 * n2 - u1
    if alternative == "greater":
        u, f = u1, 1
    elif alternative == "less":
        u, f = u2, 1
    else:
        u, f = np.maximum(u1, u2), 2
    if method == "auto":
        method = "asymptotic" if (n1 > 8 and n2 > 8) or np.any(ties > 1) else "exact"
    if method == "exact":
        p = np.asarray(_mwu_sf(n1, n2, np.asarray(u, np.int64)), dtype=np.float64)
    else:
        p = _mwu_asymptotic_sf(u, n1, n2, ties)
    p *= f
    return TestResult(u1, np.clip(p, 0.0, 1.0))


def _mwu_asymptotic_sf(u: np.float64, n1: int, n2: int, ties: np.ndarray) -> Any:
    """``special.ndtr(-z)`` of ``scipy.stats._mannwhitneyu._get_mwu_z`` (with continuity).

    Parameters
    ----------
    u : numpy.float64
        The U statistic of the alternative.
    n1, n2 : int
        Sample sizes.
    ties : ndarray of float64
        Tie run sizes, as :func:`_average_ranks` returns them.

    Returns
    -------
    numpy.float64
        The normal survival function of the standardized U.
    """
    n = n1 + n2
    tie_term = np.sum(ties**3 - ties, axis=-1)
    s = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    numerator = u - n1 * n2 / 2
    numerator -= 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        z = numerator / s
    return sc.ndtr(-z)


def _mwu_sigma(n1: int, n2: int, a: Any) -> np.ndarray:
    """``scipy.stats._mannwhitneyu._MWU.build_sigma_array(a)``.

    Parameters
    ----------
    n1, n2 : int
        Sample sizes, ``n1 <= n2``.
    a : numpy.int64
        Largest index.

    Returns
    -------
    ndarray of int
        ``sigma(1) ... sigma(a)``: sums of the divisors ``d`` of each index with
        ``d <= n1``, minus those with ``n2 < d <= n1 + n2``.
    """
    s_array = np.zeros(a + 1, dtype=int)
    for d in np.arange(1, n1 + 1):
        s_array[np.arange(d, a + 1, d)] += d
    for d in np.arange(n2 + 1, n2 + n1 + 1):
        s_array[np.arange(d, a + 1, d)] -= d
    return s_array[1:]


def _mwu_u_freqs(n1: int, n2: int, maxu: Any) -> np.ndarray:
    """``scipy.stats._mannwhitneyu._MWU.build_u_freqs_array(maxu)``.

    scipy keeps the arrays of its last ``(n1, n2)`` to slice them on the next call; each
    entry depends only on the entries before it, so building them again gives the same
    bits.

    Parameters
    ----------
    n1, n2 : int
        Sample sizes, ``n1 <= n2``.
    maxu : numpy.int64
        Largest U, at most ``n1 * n2 / 2``.

    Returns
    -------
    ndarray of float64
        ``P(U = u)`` for ``u = 0 ... maxu``: counts in uint64 (float64 once a count passes
        the uint64 maximum), divided by ``binom(n1 + n2, n1)``.
    """
    total = sc.binom(n1 + n2, n1)
    s_array = _mwu_sigma(n1, n2, maxu)
    configurations = np.zeros(maxu + 1, dtype=np.uint64)
    configurations_is_uint = True
    uint_max = np.iinfo(np.uint64).max
    configurations[0] = 1
    for u in np.arange(1, maxu + 1):
        coeffs = s_array[u - 1 :: -1]
        new_val = np.dot(configurations[:u], coeffs) / u
        if new_val > uint_max and configurations_is_uint:
            configurations = configurations.astype(float)
            configurations_is_uint = False
        configurations[u] = new_val
    return configurations / total


def _mwu_sf(n1: int, n2: int, k: np.ndarray) -> Any:
    """``scipy.stats._mannwhitneyu._MWU(n1, n2).sf(k)``: ``P(U >= k)`` under the null.

    The distribution is symmetric; scipy sums from the left: ``cdf(n1 * n2 - k)`` when
    ``k`` is past the middle, ``1 - cdf(k) + pmf(k)`` otherwise (``_MWU.cdf``: cumulative
    sum of :func:`_mwu_u_freqs`; ``_MWU.pmf``: its entry; scipy builds it again for ``pmf``
    or slices its cached copy, the same bits).

    Parameters
    ----------
    n1, n2 : int
        Sample sizes (either order).
    k : ndarray of int64
        U values (0-d here).

    Returns
    -------
    numpy.float64 or ndarray of float64
    """
    n1, n2 = min(n1, n2), max(n1, n2)
    kc = np.asarray(n1 * n2 - k)
    i = k < kc
    kc[i] = k[i]
    pmfs = _mwu_u_freqs(n1, n2, np.max(kc))  # scipy's pmf slices the same array
    cdfs = np.asarray(np.cumsum(pmfs)[kc])
    if np.any(i):
        cdfs[i] = 1.0 - cdfs[i] + pmfs[kc[i]]
    return cdfs[()]


def _scipy_mannwhitneyu(x: Any, y: Any, alternative: str, method: str) -> Any:
    """``scipy.stats.mannwhitneyu`` itself (imported now).

    Parameters
    ----------
    x, y : array_like
        Samples.
    alternative, method : str
        As :func:`mannwhitneyu`.

    Returns
    -------
    TestResult
    """
    from scipy import stats

    res = stats.mannwhitneyu(x, y, alternative=alternative, method=method)
    return TestResult(res.statistic, res.pvalue)


def kendalltau(x: Any, y: Any, method: str = "auto") -> TestResult:
    """``scipy.stats.kendalltau(x, y, method=method)`` (tau-b, two-sided).

    Parameters
    ----------
    x, y : array_like
        1-D samples of the same length.
    method : {"auto", "exact", "asymptotic"}, default "auto"
        Null distribution, as scipy: exact only without ties.

    Returns
    -------
    TestResult
        ``statistic`` (tau-b) and ``pvalue``. Input not 1-D float64, with NaN, of
        different lengths or shorter than 2 goes to scipy itself (as does ``exact`` with
        ties, which scipy refuses).
    """
    a, b = _sample(x), _sample(y)
    if a is None or b is None or a.size != b.size or a.size < 2:
        return _scipy_kendalltau(x, y, method)
    size = a.size
    perm = np.argsort(b)  # as scipy: sort on y, dense ranks of y, then a stable sort on x
    a, b = a[perm], b[perm]
    yr = np.r_[True, b[1:] != b[:-1]].cumsum(dtype=np.intp)
    perm = np.argsort(a, kind="mergesort")
    a, yr = a[perm], yr[perm]
    xr = np.r_[True, a[1:] != a[:-1]].cumsum(dtype=np.intp)
    dis = _discordant(yr)
    obs = np.r_[True, (xr[1:] != xr[:-1]) | (yr[1:] != yr[:-1]), True]
    cnt = np.diff(np.nonzero(obs)[0]).astype("int64", copy=False)
    ntie = int((cnt * (cnt - 1) // 2).sum())
    xtie, x0, x1 = _tie_counts(xr)
    ytie, y0, y1 = _tie_counts(yr)
    tot = (size * (size - 1)) // 2
    if xtie == tot or ytie == tot or method not in ("auto", "exact", "asymptotic"):
        return _scipy_kendalltau(x, y, method)
    if method == "exact" and (xtie != 0 or ytie != 0):
        return _scipy_kendalltau(x, y, method)  # scipy raises
    con_minus_dis = tot - xtie - ytie + ntie - 2 * dis
    tau = np.minimum(1.0, max(-1.0, con_minus_dis / np.sqrt(tot - xtie) / np.sqrt(tot - ytie)))
    if method == "auto":
        exact = (xtie == 0 and ytie == 0) and (size <= 33 or min(dis, tot - dis) <= 1)
        method = "exact" if exact else "asymptotic"
    if method == "exact":
        pvalue = _kendall_p_exact(size, tot - dis)
    else:
        m = size * (size - 1.0)
        var = (
            (m * (2 * size + 5) - x1 - y1) / 18
            + (2 * xtie * ytie) / m
            + x0 * y0 / (9 * m * (size - 2))
        )
        z = con_minus_dis / np.sqrt(var)
        pvalue = 2 * sc.ndtr(-np.abs(z))
    return TestResult(tau[()], np.asarray(pvalue)[()])


def _scipy_kendalltau(x: Any, y: Any, method: str) -> TestResult:
    """``scipy.stats.kendalltau`` itself (imported now).

    Parameters
    ----------
    x, y : array_like
        Samples.
    method : str
        As :func:`kendalltau`.

    Returns
    -------
    TestResult
    """
    from scipy import stats

    res = stats.kendalltau(x, y, method=method)
    return TestResult(res.statistic, res.pvalue)


def _tie_counts(ranks: np.ndarray) -> tuple[int, int, int]:
    r"""``count_rank_tie`` of ``scipy.stats.kendalltau``: tied pairs and two tie sums.

    Parameters
    ----------
    ranks : ndarray of intp
        Dense ranks (1-based).

    Returns
    -------
    tuple of int
        :math:`\sum c(c-1)/2`, :math:`\sum c(c-1)(c-2)`, :math:`\sum c(c-1)(2c+5)` over
        the tied runs of sizes c > 1.
    """
    cnt = np.bincount(ranks).astype("int64", copy=False)
    cnt = cnt[cnt > 1]
    return (
        int((cnt * (cnt - 1) // 2).sum()),
        int((cnt * (cnt - 1.0) * (cnt - 2)).sum()),
        int((cnt * (cnt - 1.0) * (2 * cnt + 5)).sum()),
    )


def _discordant(y: np.ndarray, chunk: int = 512) -> int:
    """Pairs ``i < j`` with ``y[i] > y[j]`` (``scipy.stats._stats._kendall_dis``).

    With the pairs sorted on x (ties in x sorted on y), the discordant pairs are exactly
    the inversions of y. Counted in chunks: within a chunk by comparing every pair, against
    the earlier values by a binary search in their sorted copy. Integers, so exact.

    Parameters
    ----------
    y : ndarray of intp
        Dense ranks of y in the x order.
    chunk : int, default 512
        Chunk length.

    Returns
    -------
    int
    """
    seen = np.empty(0, dtype=y.dtype)
    total = 0
    for start in range(0, y.size, chunk):
        part = y[start : start + chunk]
        total += int(np.triu(part[:, None] > part[None, :], 1).sum())
        total += int((seen.size - np.searchsorted(seen, part, side="right")).sum())
        seen = np.sort(np.concatenate([seen, part]))
    return total


def _kendall_p_exact(n: int, c: int) -> Any:
    """``scipy.stats._mstats_basic._kendall_p_exact(n, c)``, two-sided.

    Parameters
    ----------
    n : int
        Number of pairs.
    c : int
        Number of concordant pairs.

    Returns
    -------
    numpy.float64
        The exact p-value of Kendall's tau without ties (Kendall 1970).
    """
    c = int(min(c, (n * (n - 1)) // 2 - c))
    if n <= 2:
        prob = 1.0
    elif c == 0:
        prob = 2.0 / math.factorial(n) if n < 171 else 0.0
    elif c == 1:
        prob = 2.0 / math.factorial(n - 1) if n < 172 else 0.0
    elif 4 * c == n * (n - 1):
        prob = 1.0
    elif n < 171:
        new = np.zeros(c + 1)
        new[0:2] = 1.0
        for j in range(3, n + 1):
            new = np.cumsum(new)
            if j <= c:
                new[j:] -= new[: c + 1 - j]
        prob = 2.0 * np.sum(new) / math.factorial(n)
    else:
        new = np.zeros(c + 1)
        new[0:2] = 1.0
        for j in range(3, n + 1):
            new = np.cumsum(new) / j
            if j <= c:
                new[j:] -= new[: c + 1 - j]
        prob = np.sum(new)
    return np.clip(prob, 0, 1)
