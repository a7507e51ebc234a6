"""One pure test per claim type: numbers in, labelled numbers out (no I/O, no plotting).

* ``threshold``: :func:`first_reached`, the no-information probabilities
  :func:`passage_probability_continuous`, :func:`passage_probability_daily`,
  :func:`passage_probability_bootstrap`, composed by :func:`no_information_probability`.
* ``level``: :func:`level_test`.
* ``shift``: :func:`mean_shift_test` (Newey-West HAC).
* ``association``: :func:`hac_slope_test` (Newey-West HAC).
* ``event_effect``: the gold and odds studies compute the effect; :func:`one_sided` and
  :func:`stouffer` turn their p-values into the claim's one-sided p.

Units: a price series is analysed in **log** price (distances and volatilities are decimal log
returns per trading session), a level series (GPRD, yields) in its own unit (differences per
session). Sessions are the instrument's trading days (:mod:`eventstudy.data.instruments`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import fft as sp_fft

from eventstudy import _scipy_stats as stats
from eventstudy.gold.bootstrap import mean_block_length, stationary_indices
from eventstudy.gold.hac import newey_west_meat

__all__ = [
    "LevelOutcome",
    "NoInformation",
    "TestOutcome",
    "first_reached",
    "hac_slope_test",
    "level_test",
    "mean_shift_test",
    "no_information_probability",
    "one_sided",
    "passage_probability_bootstrap",
    "passage_probability_continuous",
    "passage_probability_daily",
    "stouffer",
]


# --------------------------------------------------------------------------------------------
# threshold: first date reached
# --------------------------------------------------------------------------------------------


def first_reached(
    values: pd.Series, level: float, above: bool
) -> tuple[pd.Timestamp | None, float]:
    """First date on which ``values`` is at or above (``above``) / at or below ``level``.

    Parameters
    ----------
    values : Series
        Observations indexed by date, in the order they happened (NaN ignored).
    level : float
        The level, in the unit of ``values``.
    above : bool
        True: ``value >= level``; False: ``value <= level``.

    Returns
    -------
    (Timestamp or None, float)
        The first date and the value on it; ``(None, nan)`` if never reached.
    """
    v = values.dropna()
    hit = v >= level if above else v <= level
    if not hit.any():
        return None, math.nan
    first = hit.idxmax()
    return pd.Timestamp(first), float(v.loc[first])


# --------------------------------------------------------------------------------------------
# threshold: no-information probability
# --------------------------------------------------------------------------------------------


def passage_probability_continuous(
    distance: float, sigma: float, n: float, drift: float = 0.0
) -> float:
    r"""Probability that a Brownian motion reaches ``distance`` within ``n`` sessions.

    Parameters
    ----------
    distance : float
        Distance to the level in the claim's direction (log price for prices), > 0 means not
        yet reached; ``<= 0`` gives 1.
    sigma : float
        Standard deviation of one session's change (> 0).
    n : float
        Horizon in sessions.
    drift : float, default 0
        Mean change per session in the claim's direction.

    Returns
    -------
    float

    Notes
    -----
    For :math:`X_t = \mu t + \sigma W_t`, :math:`X_0 = 0`, :math:`b > 0` (reflection
    principle; Harrison 1985, *Brownian Motion and Stochastic Flow Systems*, §1.8;
    Borodin & Salminen 2002, formula 1.1.4):

    .. math::

        P\Big(\max_{0 \le t \le n} X_t \ge b\Big)
        = \Phi\Big(\frac{-b + \mu n}{\sigma\sqrt n}\Big)
        + e^{2\mu b/\sigma^2}\,\Phi\Big(\frac{-b - \mu n}{\sigma\sqrt n}\Big),

    which for :math:`\mu = 0` is :math:`2\,\Phi(-b/(\sigma\sqrt n))`. The path is watched
    continuously, as an intraday high (low) watches it; daily closes see less of it (see
    :func:`passage_probability_daily`).
    """
    if distance <= 0:
        return 1.0
    if n <= 0:
        return 0.0
    if not sigma > 0:  # no randomness: reached only if the drift alone gets there
        return float(drift * n >= distance)
    s = sigma * math.sqrt(n)
    first = stats.norm.logcdf((-distance + drift * n) / s)
    second = 2.0 * drift * distance / sigma**2 + stats.norm.logcdf((-distance - drift * n) / s)
    return float(min(1.0, math.exp(first) + math.exp(second)))


def passage_probability_daily(
    distance: float,
    sigma: float,
    n: int,
    drift: float = 0.0,
    *,
    points_per_sigma: int = 40,
    width: float = 10.0,
) -> float:
    r"""Probability that a Gaussian random walk reaches ``distance`` at one of ``n`` steps.

    The Brownian motion of :func:`passage_probability_continuous` observed only at the
    ``n`` session closes: steps :math:`N(\mu, \sigma^2)`, reached when
    :math:`\max_{1 \le k \le n} S_k \ge b`.

    Parameters
    ----------
    distance, sigma, drift : float
        As in :func:`passage_probability_continuous`.
    n : int
        Number of closes (sessions).
    points_per_sigma : int, default 40
        Grid points per ``sigma`` of the numerical recursion.
    width : float, default 10
        Grid and kernel half-width in standard deviations.

    Returns
    -------
    float

    Notes
    -----
    No closed form exists for discrete monitoring. The density of the walk killed at the
    barrier, :math:`f_k(y) = \int_{-\infty}^{b} f_{k-1}(x)\,\varphi_\sigma(y - x - \mu)\,dx`
    for :math:`y < b`, is propagated on a midpoint grid (spacing :math:`h = \sigma/40`; the
    midpoint rule is :math:`O(h^2)`, here accurate to about :math:`10^{-5}`) by FFT
    convolution, and :math:`P = 1 - \int f_n`. The Broadie, Glasserman & Kou (1997,
    *Mathematical Finance* 7(4)) continuity correction, the continuous formula with the
    barrier shifted by :math:`0.5826\,\sigma`, approximates it (to about 0.005 when the
    level is within one daily sigma).
    """
    if distance <= 0:
        return 1.0
    if n <= 0:
        return 0.0
    if not sigma > 0:
        return float(drift * n >= distance)
    h = sigma / points_per_sigma
    low = min(0.0, drift * n) - width * sigma * (math.sqrt(n) + 1.0)
    m = math.ceil((distance - low) / h)
    grid = distance - h * (np.arange(m, 0, -1) - 0.5)  # cell midpoints below the barrier
    k = math.ceil((width * sigma + abs(drift)) / h)
    kernel = stats.norm.pdf(h * np.arange(-k, k + 1), loc=drift, scale=sigma) * h
    mass = stats.norm.pdf(grid, loc=drift, scale=sigma) * h
    for _ in range(n - 1):
        mass = fft_convolve_full(mass, kernel)[k : k + m]
    return float(min(1.0, max(0.0, 1.0 - mass.sum())))


def fft_convolve_full(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full linear convolution of two real 1-D arrays by FFT (length ``len(a) + len(b) - 1``).

    The steps of ``scipy.signal.fftconvolve(a, b, mode="full")`` for real 1-D input, the same
    values bit for bit, without importing :mod:`scipy.signal` (about 0.2 s, most of it
    wrapping the whole package's functions, on a run's critical path): padded to the next
    fast length, ``rfftn`` of each, product, ``irfftn``, cut to the full length (an array
    of length 1 is multiplied, as scipy does).
    """
    if len(a) == 1 or len(b) == 1:  # scipy multiplies (broadcasting), no FFT
        return a * b
    shape = len(a) + len(b) - 1
    size = sp_fft.next_fast_len(shape, True)
    spectrum = sp_fft.rfftn(a, [size], axes=[0]) * sp_fft.rfftn(b, [size], axes=[0])
    return sp_fft.irfftn(spectrum, [size], axes=[0])[:shape].copy()


def passage_probability_bootstrap(
    steps: np.ndarray,
    excursions: np.ndarray | None,
    distance: float,
    horizons: Sequence[int],
    *,
    n_boot: int = 2000,
    seed: int = 12345,
    block_length: float | None = None,
) -> tuple[pd.DataFrame, float]:
    r"""Share of stationary-bootstrap paths of past changes that reach ``distance``.

    Parameters
    ----------
    steps : ndarray
        Past session changes in the claim's direction (log returns for prices; negated for an
        "at or below" claim), oldest first.
    excursions : ndarray or None
        Per session, the largest move beyond the previous close in the claim's direction
        (``log(high_t / close_{t-1})``; for "below" ``-log(low_t / close_{t-1})``), aligned
        with ``steps``; None when the series has no high/low.
    distance : float
        Distance to the level (as in :func:`passage_probability_continuous`).
    horizons : sequence of int
        Horizons in sessions; every horizon reads the same paths (their first sessions).
    n_boot : int, default 2000
        Resampled paths.
    seed : int, default 12345
    block_length : float, optional
        Mean block length; default the larger of ``arch``'s ``optimal_block_length`` for the
        steps and for their squares (Politis & White 2004; Patton, Politis & White 2009), at
        least 1, so volatility clusters survive resampling.

    Returns
    -------
    (DataFrame, float)
        One row per horizon, drift and basis: ``sessions``, ``drift`` (``zero``: the steps
        demeaned, as the driftless Brownian motion; ``trailing``: as observed), ``basis``
        (``close``; ``intraday``, NaN without ``excursions``), ``probability``; and the mean
        block length used.

    Notes
    -----
    ``arch.bootstrap.StationaryBootstrap`` (Politis & Romano 1994; its positions and block
    length as :mod:`eventstudy.gold.bootstrap` draws them, the same bits without importing
    ``arch``) resamples the session
    rows (step and excursion together) in blocks of geometric length; a path is the first
    sessions of a resample (independent resamples are appended when a horizon exceeds the
    sample). With :math:`X_k = \sum_{j \le k} r_j` (minus :math:`k\bar r` for drift
    zero), a path reaches the level on closes when :math:`\max_{k \le n} X_k \ge b` and
    intraday when :math:`\max_{k \le n} (X_{k-1} + e_k) \ge b`.
    """
    r = np.asarray(steps, dtype=float)
    e = None if excursions is None else np.asarray(excursions, dtype=float)
    n_max = max([int(n) for n in horizons] + [1])
    if block_length is None:
        block_length = mean_block_length(r)
    per_path = math.ceil(n_max / len(r))
    rng = np.random.default_rng(seed)
    idx = np.array(
        [
            np.concatenate(
                [stationary_indices(rng, len(r), block_length) for _ in range(per_path)]
            )[:n_max]
            for _ in range(n_boot)
        ]
    )
    k = np.arange(1, n_max + 1)
    raw = np.cumsum(r[idx], axis=1)
    rows = []
    for drift, path in (("zero", raw - r.mean() * k), ("trailing", raw)):
        best_close = np.maximum.accumulate(path, axis=1)
        if e is not None:
            before = np.concatenate([np.zeros((n_boot, 1)), path[:, :-1]], axis=1)
            shift = r.mean() if drift == "zero" else 0.0
            best_intraday = np.maximum.accumulate(before + e[idx] - shift, axis=1)
        for n in horizons:
            for basis in ("close", "intraday"):
                if distance <= 0:
                    p = 1.0 if basis == "close" or e is not None else math.nan
                elif n <= 0:
                    p = 0.0 if basis == "close" or e is not None else math.nan
                elif basis == "close":
                    p = float((best_close[:, n - 1] >= distance).mean())
                else:
                    p = (
                        float((best_intraday[:, n - 1] >= distance).mean())
                        if e is not None
                        else (math.nan)
                    )
                rows.append((int(n), drift, basis, p))
    table = pd.DataFrame(rows, columns=["sessions", "drift", "basis", "probability"])
    return table, block_length


@dataclass(frozen=True)
class NoInformation:
    """No-information probabilities of a threshold claim (:func:`no_information_probability`).

    Attributes
    ----------
    table : DataFrame
        One row per horizon, model, basis and drift: ``sessions``, ``model`` (``brownian`` /
        ``bootstrap``), ``basis`` (``close`` / ``intraday``), ``drift`` (``zero`` /
        ``trailing``), ``probability``.
    start_value : float
        Last close before ``made_on`` (series unit).
    distance : float
        Distance to the level in the claim's direction (log for prices).
    sigma, drift : float
        Trailing standard deviation and mean of session changes (log returns for prices).
    n_calibration : int
        Sessions the calibration used.
    block_length : float
        Mean block of the bootstrap.
    """

    table: pd.DataFrame
    start_value: float
    distance: float
    sigma: float
    drift: float
    n_calibration: int
    block_length: float

    def probability(
        self, sessions: int, basis: str, model: str = "brownian", drift: str = "zero"
    ) -> float:
        """One probability of :attr:`table` (NaN when absent)."""
        t = self.table
        sel = (
            (t["sessions"] == sessions)
            & (t["basis"] == basis)
            & (t["model"] == model)
            & (t["drift"] == drift)
        )
        return float(t.loc[sel, "probability"].iloc[0]) if sel.any() else math.nan


def no_information_probability(
    history: pd.DataFrame,
    level: float,
    above: bool,
    horizons: Sequence[int],
    *,
    log: bool = True,
    calibration: int = 250,
    n_boot: int = 2000,
    seed: int = 12345,
) -> NoInformation:
    r"""How likely the level was to be reached anyway, from data before the claim only.

    Parameters
    ----------
    history : DataFrame
        The series' rows strictly before ``made_on``, indexed by session date: ``close`` and,
        when the series has them, ``high`` and ``low``.
    level : float
        The claim's level (series unit).
    above : bool
        True for "at or above", False for "at or below".
    horizons : sequence of int
        Trading sessions from ``made_on`` through each horizon's end.
    log : bool, default True
        Work in log prices (prices); False works in levels (yields, indexes).
    calibration : int, default 250
        Trailing sessions (about a year) that calibrate the volatility, drift and bootstrap.
    n_boot : int, default 2000
    seed : int, default 12345

    Returns
    -------
    NoInformation

    Notes
    -----
    With :math:`x = \log P` (or the level), :math:`x_0` the last close before ``made_on`` and
    :math:`b = \pm(\log L - x_0)` the distance in the claim's direction, the session changes
    of the calibration window give :math:`\hat\sigma` (ddof 1) and :math:`\hat\mu`. The
    no-information model is a Brownian motion with drift 0 (``drift="zero"``, the main
    number: no view on direction) or the trailing drift :math:`\hat\mu`
    (``drift="trailing"``), watched at the closes (:func:`passage_probability_daily`) or
    continuously for intraday highs/lows (:func:`passage_probability_continuous`); and a
    stationary block bootstrap of the same changes (:func:`passage_probability_bootstrap`;
    demeaned for drift 0).
    """
    h = history.tail(calibration + 1)
    f = np.log if log else (lambda v: np.asarray(v, dtype=float))
    sign = 1.0 if above else -1.0
    close = f(h["close"].to_numpy(float))
    steps = sign * np.diff(close)
    extreme = "high" if above else "low"
    excursions = None
    if extreme in h.columns and h[extreme].notna().all():
        excursions = sign * (f(h[extreme].to_numpy(float))[1:] - close[:-1])
    distance = sign * (float(f(np.array([level], dtype=float))[0]) - close[-1])
    sigma, mu = float(np.std(steps, ddof=1)), float(np.mean(steps))
    rows = []
    for n in horizons:
        for drift, m in (("zero", 0.0), ("trailing", mu)):
            rows.append(
                (
                    int(n),
                    "brownian",
                    "close",
                    drift,
                    passage_probability_daily(distance, sigma, int(n), m),
                )
            )
            rows.append(
                (
                    int(n),
                    "brownian",
                    "intraday",
                    drift,
                    passage_probability_continuous(distance, sigma, int(n), m),
                )
            )
    boot, block = passage_probability_bootstrap(
        steps, excursions, distance, horizons, n_boot=n_boot, seed=seed
    )
    table = pd.concat(
        [
            pd.DataFrame(rows, columns=["sessions", "model", "basis", "drift", "probability"]),
            boot.assign(model="bootstrap"),
        ],
        ignore_index=True,
    )
    table = table.loc[:, ["sessions", "model", "basis", "drift", "probability"]]
    return NoInformation(table, float(h["close"].iloc[-1]), distance, sigma, mu, len(steps), block)


# --------------------------------------------------------------------------------------------
# level
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelOutcome:
    """Output of :func:`level_test` (series unit)."""

    n: int
    mean: float
    min: float
    max: float
    share_within: float
    within: bool
    basis: str


def level_test(values: pd.Series, level: float, tolerance: float, basis: str) -> LevelOutcome:
    r"""Whether a series stood within ``level`` +/- ``tolerance``.

    Parameters
    ----------
    values : Series
        The observations of the date range (NaN ignored).
    level, tolerance : float
        Series unit; the band is closed: :math:`|v - L| \le \text{tol}`.
    basis : {"mean", "any", "all"}
        * ``"mean"``: the mean over the range is within the band;
        * ``"any"``: at least one observation is;
        * ``"all"``: every observation is.

    Returns
    -------
    LevelOutcome
        ``within`` is False when there is no observation.
    """
    v = values.dropna().to_numpy(float)
    inside = np.abs(v - level) <= tolerance + 1e-12
    mean = float(v.mean()) if len(v) else math.nan
    within = {
        "mean": bool(len(v)) and abs(mean - level) <= tolerance + 1e-12,
        "any": bool(inside.any()),
        "all": bool(len(v)) and bool(inside.all()),
    }[basis]
    return LevelOutcome(
        n=len(v),
        mean=mean,
        min=float(v.min()) if len(v) else math.nan,
        max=float(v.max()) if len(v) else math.nan,
        share_within=float(inside.mean()) if len(v) else math.nan,
        within=within,
        basis=basis,
    )


# --------------------------------------------------------------------------------------------
# shift and association: HAC regressions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestOutcome:
    r"""A one-coefficient test with its one- and two-sided p-values.

    Attributes
    ----------
    estimate, se, stat : float
        Coefficient, HAC standard error, ``estimate / se``.
    p_two_sided, p_up, p_down : float
        :math:`2\Phi(-|z|)`, :math:`1 - \Phi(z)` (alternative > 0), :math:`\Phi(z)`.
    nobs : int
    maxlags : int
        Newey-West lags.
    dist : str
        Reference distribution (``"N(0,1)"``).
    """

    __test__ = False  # not a pytest class

    estimate: float
    se: float
    stat: float
    p_two_sided: float
    p_up: float
    p_down: float
    nobs: int
    maxlags: int
    dist: str = "N(0,1)"


def ols_hac_slope(y: np.ndarray, x: np.ndarray, maxlags: int) -> tuple[float, float]:
    """Slope of ``y`` on a constant and ``x`` and its Newey-West standard error, as statsmodels.

    ``OLS(y, add_constant(x, has_constant="add")).fit(cov_type="HAC",
    cov_kwds={"maxlags": maxlags})`` (statsmodels 0.15): ``params[1]`` and ``bse[1]``, the
    same array operations in the same order (the pseudo-inverse of ``pinv_extended``, the
    residuals, the Bartlett-weighted score sums of ``S_hac_simple`` as
    :func:`~eventstudy.gold.hac.newey_west_meat` computes them, the sandwich of ``_HCCM2``,
    no small-sample correction), so the same bits without importing statsmodels
    (about 0.2 s on a run's serial path: its regression module loads the formula API).
    Unlike statsmodels, a rank-deficient design does not warn.

    Parameters
    ----------
    y, x : ndarray
        Response and regressor, one-dimensional, of the same length.
    maxlags : int
        Bartlett-kernel lags.

    Returns
    -------
    (float, float)
        Slope and its HAC standard error.
    """
    exog = np.column_stack([np.ones(x.shape[0]), np.asarray(x)[:, None]])
    pinv = _pinv_extended(exog)
    bread = np.dot(pinv, np.transpose(pinv))
    params = np.dot(pinv, y)
    scores = exog * (y - np.dot(exog, params))[:, None]
    cov = np.dot(np.dot(bread, newey_west_meat(scores, maxlags)), bread.T)
    with np.errstate(invalid="ignore"):
        bse = np.sqrt(np.diag(cov))
    return float(params[1]), float(bse[1])


def _pinv_extended(x: np.ndarray, rcond: float = 1e-15) -> np.ndarray:
    """The pseudo-inverse of statsmodels' ``pinv_extended(x)[0]``, from the SVD, step by step."""
    x = np.asarray(x).conjugate()
    u, s, vt = np.linalg.svd(x, False)
    cutoff = rcond * np.maximum.reduce(s)
    for i in range(min(vt.shape[1], u.shape[0])):
        s[i] = 1.0 / s[i] if s[i] > cutoff else 0.0
    return np.dot(np.transpose(vt), np.multiply(s[:, np.newaxis], np.transpose(u)))


def _hac_ols(y: np.ndarray, x: np.ndarray, maxlags: int | None) -> TestOutcome:
    from eventstudy.claims.gold_adapter import newey_west_lags

    lags = newey_west_lags(len(y)) if maxlags is None else int(maxlags)
    est, se = ols_hac_slope(y, x, lags)
    z = est / se if se > 0 else math.nan
    return TestOutcome(
        estimate=est,
        se=se,
        stat=z,
        p_two_sided=float(2 * stats.norm.sf(abs(z))),
        p_up=float(stats.norm.sf(z)),
        p_down=float(stats.norm.cdf(z)),
        nobs=len(y),
        maxlags=lags,
    )


def mean_shift_test(
    before: pd.Series, after: pd.Series, *, maxlags: int | None = None
) -> TestOutcome:
    r"""Mean after minus mean before, with a Newey-West standard error.

    Parameters
    ----------
    before, after : Series
        Observations of the two periods (NaN dropped), in time order.
    maxlags : int, optional
        Bartlett-kernel lags; default :math:`\lfloor 4 (T/100)^{2/9} \rfloor` (Newey & West
        1994) of the pooled sample.

    Returns
    -------
    TestOutcome
        ``estimate`` = mean(after) - mean(before), in the series' unit.

    Notes
    -----
    OLS of :math:`y_t = \alpha + \delta\,1[t \ge \text{start}] + \varepsilon_t` on the
    pooled periods; :math:`\hat\delta` is the difference of the means and its variance is
    the Newey & West (1987) HAC estimate, so the autocorrelation of a daily index (GPRD is
    persistent) is accounted for; :math:`z = \hat\delta/\widehat{se} \sim N(0,1)`.
    """
    b, a = before.dropna().to_numpy(float), after.dropna().to_numpy(float)
    y = np.concatenate([b, a])
    d = np.concatenate([np.zeros(len(b)), np.ones(len(a))])
    return _hac_ols(y, d, maxlags)


def hac_slope_test(y: pd.Series, x: pd.Series, *, maxlags: int | None = None) -> TestOutcome:
    r"""Slope of ``y`` on ``x`` (with a constant), with a Newey-West standard error.

    Parameters
    ----------
    y, x : Series
        Aligned on the same index; rows with a NaN in either are dropped.
    maxlags : int, optional
        Default :math:`\lfloor 4 (T/100)^{2/9} \rfloor`.

    Returns
    -------
    TestOutcome
        ``estimate`` in units of y per unit of x.

    Notes
    -----
    :math:`y_t = a + b x_t + e_t`, OLS, HAC (Bartlett) covariance (Newey & West 1987),
    :math:`z = \hat b/\widehat{se} \sim N(0,1)`.
    """
    frame = pd.concat([y.rename("y"), x.rename("x")], axis=1).dropna()
    return _hac_ols(frame["y"].to_numpy(float), frame["x"].to_numpy(float), maxlags)


# --------------------------------------------------------------------------------------------
# event effects: one-sided p-values
# --------------------------------------------------------------------------------------------


def one_sided(p_two_sided: float, estimate: float) -> tuple[float, float]:
    """One-sided p-values (up, down) from a symmetric two-sided test.

    For a test statistic symmetric under the null (t, normal, a symmetric placebo):
    :math:`p_{>} = p/2` when the estimate is positive and :math:`1 - p/2` otherwise, and
    :math:`p_{<} = 1 - p_{>}` (a zero estimate gives 0.5 and 0.5 at p = 1).
    """
    if not (math.isfinite(p_two_sided) and math.isfinite(estimate)):
        return math.nan, math.nan
    half = p_two_sided / 2.0
    if estimate > 0:
        return half, 1.0 - half
    if estimate < 0:
        return 1.0 - half, half
    return 0.5, 0.5


def stouffer(p_up: Sequence[float]) -> float:
    r"""Combined one-sided p-value of independent one-sided tests (Stouffer et al. 1949).

    :math:`Z = \sum_i \Phi^{-1}(1 - p_i)/\sqrt{k}`, :math:`p = 1 - \Phi(Z)`; equal
    weights. Valid when the tests are independent (event windows that do not overlap).
    """
    p = np.clip(np.asarray(p_up, dtype=float), 1e-300, 1 - 1e-16)
    if len(p) == 0 or not np.isfinite(p).all():
        return math.nan
    z = stats.norm.isf(p).sum() / math.sqrt(len(p))
    return float(stats.norm.sf(z))
