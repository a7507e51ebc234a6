"""``eventstudy._scipy_stats`` returns scipy.stats' numbers bit for bit (and its types).

Every replica against the scipy.stats function it repeats, on random inputs and on the edge
cases (NaN, infinities, zero, ties, samples of one to three values, huge and tiny values),
compared exactly (``assert_array_equal``: equal bits up to the sign of zero, NaN where NaN).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from eventstudy import _scipy_stats as rep

# scipy warns (tiny samples, precision loss, division by zero); the replicas do not
pytestmark = pytest.mark.filterwarnings("ignore")

EDGE = np.array(
    [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 37.5, -37.5,
     38.5, -38.5, 8.3, -8.3, np.inf, -np.inf, np.nan, 1e-8, -1e-8, 40.0, -40.0, 1e5, -1e5]
)  # fmt: skip
PROBS = np.array(
    [0.0, 1.0, 0.5, 1e-300, 5e-324, 1e-16, 1 - 1e-16, 0.975, 0.025, 0.95, 0.999999, 1e-10,
     -0.1, 1.1, np.nan, np.inf, -np.inf, 0.3, 0.7]
)  # fmt: skip


def _same(got, expected):
    """Same values (exact), same type (numpy scalar or array), same dtype and shape."""
    assert type(got) is type(expected), (type(got), type(expected))
    np.testing.assert_array_equal(got, expected, strict=True)
    # the sign of zero too
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))


def _points(rng, n=2000):
    return np.concatenate(
        [EDGE, rng.normal(0, 1, n), rng.normal(0, 10, n), rng.standard_cauchy(n) * 100]
    )


def _inputs(x):
    """The same points as an array, as scalars (Python and numpy) and as a 0-d array."""
    yield x
    yield x[: x.size // 2 * 2].reshape(-1, 2)[:7]
    for v in x[:30]:
        yield float(v)
        yield np.float64(v)
        yield np.asarray(v)
    yield [1, 2, 3]  # integers
    yield 2
    yield x[np.abs(x) < 1e30].astype(np.float32)[:40]


@pytest.mark.parametrize("method", ["cdf", "sf", "logcdf"])
def test_norm_cdf_sf_logcdf(method):
    rng = np.random.default_rng(1)
    for x in _inputs(_points(rng)):
        _same(getattr(rep.norm, method)(x), getattr(stats.norm, method)(x))


@pytest.mark.parametrize("method", ["ppf", "isf"])
def test_norm_quantiles(method):
    rng = np.random.default_rng(2)
    q = np.concatenate([PROBS, rng.random(3000), rng.random(300) ** 40])
    for x in _inputs(q):
        _same(getattr(rep.norm, method)(x), getattr(stats.norm, method)(x))


def test_norm_pdf_with_loc_and_scale():
    rng = np.random.default_rng(3)
    x = _points(rng)
    pairs = [(0, 1), (0.01, 0.2), (-3.0, 7.5), (0.0, 1e-8), (1e-4, 3e-3), (0.0, 0.0),
             (0.0, -1.0), (np.nan, 1.0), (0.0, np.nan), (0.0, np.inf)]  # fmt: skip
    for loc, scale in pairs:
        for v in _inputs(x):
            _same(rep.norm.pdf(v, loc=loc, scale=scale), stats.norm.pdf(v, loc=loc, scale=scale))
    _same(rep.norm.pdf(x), stats.norm.pdf(x))
    h = 0.0123 / 40
    k = np.arange(-500, 501)
    _same(
        rep.norm.pdf(h * k, loc=2e-4, scale=0.0123), stats.norm.pdf(h * k, loc=2e-4, scale=0.0123)
    )


DFS = [1, 2, 3, 4.5, 10, 29, 56, 1e3, 1e8, np.inf, 0, -1, np.nan, 0.3]


@pytest.mark.parametrize("method", ["cdf", "sf"])
def test_t_cdf_sf(method):
    rng = np.random.default_rng(4)
    x = _points(rng, 500)
    for df in DFS:
        for v in _inputs(x):
            _same(getattr(rep.t, method)(v, df), getattr(stats.t, method)(v, df))
    dfs = rng.integers(-1, 60, x.size)  # an array of df, integer
    _same(getattr(rep.t, method)(x, dfs), getattr(stats.t, method)(x, dfs))
    dfs = rng.random(x.size) * 30
    _same(getattr(rep.t, method)(x, dfs), getattr(stats.t, method)(x, dfs))


def test_t_ppf():
    rng = np.random.default_rng(5)
    q = np.concatenate([PROBS, rng.random(500)])
    for df in DFS:
        for v in _inputs(q):
            _same(rep.t.ppf(v, df), stats.t.ppf(v, df))
    dfs = rng.integers(-1, 60, q.size)
    _same(rep.t.ppf(q, dfs), stats.t.ppf(q, dfs))
    _same(rep.t.ppf(0.975, dfs.astype(float)), stats.t.ppf(0.975, dfs.astype(float)))
    import pandas as pd

    n = pd.Series(rng.integers(0, 40, 50))
    _same(rep.t.ppf(0.95, np.maximum(n - 1, 1)), stats.t.ppf(0.95, np.maximum(n - 1, 1)))


def test_chi2_sf():
    rng = np.random.default_rng(6)
    x = np.concatenate([np.abs(_points(rng, 500)), _points(rng, 100)])
    for df in [1, 2, 3, 7, 57, 200, 0.5, 0, -2, np.nan, np.inf]:
        for v in _inputs(x):
            _same(rep.chi2.sf(v, df), stats.chi2.sf(v, df))
    dfs = rng.integers(0, 60, x.size)
    _same(rep.chi2.sf(x, dfs), stats.chi2.sf(x, dfs))


@pytest.mark.parametrize("method", ["cdf", "sf"])
def test_binom_cdf_sf(method):
    for n in [0, 1, 2, 3, 5, 10, 25, 57, 60, 200, 1001]:
        for p in [0.5, 0.0, 1.0, 0.3, 1.2, -0.1, np.nan]:
            for k in [*range(-2, min(n, 70) + 3), n - 1, n, n + 1]:
                _same(getattr(rep.binom, method)(k, n, p), getattr(stats.binom, method)(k, n, p))
            ks = np.arange(-3, n + 4)
            _same(getattr(rep.binom, method)(ks, n, p), getattr(stats.binom, method)(ks, n, p))
    for k in [2.5, -0.5, np.nan, np.inf, -np.inf, 3.0]:
        _same(getattr(rep.binom, method)(k, 10, 0.5), getattr(stats.binom, method)(k, 10, 0.5))
    for n in [2.5, -1, np.nan, 10.0]:
        _same(getattr(rep.binom, method)(3, n, 0.5), getattr(stats.binom, method)(3, n, 0.5))


def _samples(rng):
    """1-D float samples: normal, heavy-tailed, ties, constant, tiny, huge, of 1 to 60."""
    for n in [1, 2, 3, 4, 5, 7, 8, 9, 10, 20, 33, 34, 57, 60]:
        yield rng.normal(0, 0.02, n)
        yield rng.standard_cauchy(n)
        yield np.round(rng.normal(0, 2, n))  # ties
        yield rng.normal(1e6, 1e-3, n)  # precision loss in the variance
        yield np.full(n, 0.25)
        yield rng.normal(0, 1e-200, n)


def test_rankdata():
    rng = np.random.default_rng(7)
    for x in _samples(rng):
        _same(rep.rankdata(x), stats.rankdata(x))
    for x in ([], [np.nan, 1.0, 1.0], [3, 1, 2, 2], np.array([[1.0, 2.0], [2.0, 0.0]]),
              [np.inf, -np.inf, 0.0, np.inf]):  # fmt: skip
        _same(rep.rankdata(x), stats.rankdata(x))


def _pairs(samples, step, shift):
    """Pairs of samples of different kinds and sizes, both ways round, and each with itself."""
    for i, a in enumerate(samples):
        b = samples[(step * i + shift) % len(samples)]
        yield from ((a, b), (b, a), (a, a))


def _check_test(got, expected, df=False):
    _same(got.statistic, expected.statistic)
    _same(got.pvalue, expected.pvalue)
    if df:
        np.testing.assert_array_equal(got.df, expected.df, strict=True)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_ttest_1samp(alternative):
    rng = np.random.default_rng(8)
    for x in _samples(rng):
        for mu in (0.0, 0.01, 0):
            got = rep.ttest_1samp(x, mu, alternative=alternative)
            _check_test(got, stats.ttest_1samp(x, mu, alternative=alternative), df=True)
    for x in ([], [1.0, np.nan, 2.0], [1, 2, 4]):  # handed to scipy
        got = rep.ttest_1samp(x, 0.0, alternative=alternative)
        _check_test(got, stats.ttest_1samp(x, 0.0, alternative=alternative))


@pytest.mark.parametrize("equal_var", [False, True])
def test_ttest_ind(equal_var):
    rng = np.random.default_rng(9)
    for x, y in _pairs(list(_samples(rng)), 7, 3):
        got = rep.ttest_ind(x, y, equal_var=equal_var)
        _check_test(got, stats.ttest_ind(x, y, equal_var=equal_var), df=True)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
@pytest.mark.parametrize("method", ["auto", "asymptotic", "exact"])
def test_mannwhitneyu(alternative, method):
    rng = np.random.default_rng(10)
    for x, y in _pairs([s for s in _samples(rng) if len(s) <= 34], 5, 1):
        got = rep.mannwhitneyu(x, y, alternative=alternative, method=method)
        expected = stats.mannwhitneyu(x, y, alternative=alternative, method=method)
        _check_test(got, expected)


@pytest.mark.parametrize("method", ["auto", "asymptotic", "exact"])
def test_kendalltau(method):
    rng = np.random.default_rng(11)
    for x in _samples(rng):
        n = len(x)
        for y in (rng.normal(size=n), np.round(rng.normal(size=n)), x + rng.normal(size=n),
                  -x, x, np.sort(x), rng.permutation(n).astype(float)):  # fmt: skip
            for a, b in ((x, y), (y, x)):
                _same_outcome(
                    lambda a=a, b=b: rep.kendalltau(a, b, method=method),
                    lambda a=a, b=b: stats.kendalltau(a, b, method=method),
                )


def _same_outcome(ours, theirs):
    """The same result, or the same exception type (scipy's ZeroDivisionError at n = 2 ...)."""
    try:
        expected = theirs()
    except Exception as exc:
        with pytest.raises(type(exc)):
            ours()
        return
    _check_test(ours(), expected)


def test_kendalltau_long_samples():
    """Chunks of the discordant-pair count (512) crossed, ties and no ties, up to n = 2000."""
    rng = np.random.default_rng(12)
    for n in (171, 172, 511, 512, 513, 1100, 2000):
        x = rng.normal(size=n)
        for y in (x + rng.normal(size=n), np.round(rng.normal(size=n) * 3), x[::-1].copy()):
            _check_test(rep.kendalltau(x, y), stats.kendalltau(x, y))
            _check_test(rep.kendalltau(y, x), stats.kendalltau(y, x))
    x = rng.normal(size=40)
    for y in (x, -x, x + 0 * rng.normal(size=40)):  # min(dis, tot - dis) <= 1: exact at n > 33
        _check_test(rep.kendalltau(x, y), stats.kendalltau(x, y))
    y = np.sort(x)
    y[[3, 4]] = y[[4, 3]]
    _check_test(rep.kendalltau(np.sort(x), y), stats.kendalltau(np.sort(x), y))


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
@pytest.mark.parametrize("method", ["auto", "exact"])
def test_mannwhitneyu_exact_null(alternative, method):
    """The exact null of U (``auto`` picks it for n1 or n2 <= 8 without ties), every size."""
    rng = np.random.default_rng(13)
    for n1 in range(1, 9):
        for n2 in range(1, 9):
            for _ in range(3):
                xy = rng.permutation(rng.normal(size=n1 + n2))  # no ties
                x, y = xy[:n1], xy[n1:]
                got = rep.mannwhitneyu(x, y, alternative=alternative, method=method)
                _check_test(got, stats.mannwhitneyu(x, y, alternative=alternative, method=method))
    # U = 0, U = n1 n2 and the middle (p clipped to 1 in the two-sided test)
    for x, y in (([1.0, 2.0], [3.0, 4.0, 5.0]), ([3.0, 4.0, 5.0], [1.0, 2.0]),
                 ([1.0, 4.0], [2.0, 3.0]), ([1.0, 6.0, 3.0], [2.0, 4.0, 5.0])):  # fmt: skip
        got = rep.mannwhitneyu(x, y, alternative=alternative, method=method)
        _check_test(got, stats.mannwhitneyu(x, y, alternative=alternative, method=method))


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_mannwhitneyu_exact_long_and_tied(alternative):
    """One small sample against a long one; explicit ``exact`` with ties (U of half-integers
    truncated, as scipy does)."""
    rng = np.random.default_rng(14)
    for n1, n2 in ((1, 300), (3, 60), (8, 9), (8, 57), (5, 1500), (8, 1100)):
        x, y = rng.normal(size=n1), rng.normal(0.3, 1, size=n2)
        for a, b in ((x, y), (y, x)):
            got = rep.mannwhitneyu(a, b, alternative=alternative)
            _check_test(got, stats.mannwhitneyu(a, b, alternative=alternative))
    for n1, n2 in ((3, 4), (8, 8), (6, 20), (12, 15)):
        x, y = np.round(rng.normal(size=n1)), np.round(rng.normal(size=n2))
        got = rep.mannwhitneyu(x, y, alternative=alternative, method="exact")
        _check_test(got, stats.mannwhitneyu(x, y, alternative=alternative, method="exact"))
