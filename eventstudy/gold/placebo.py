"""Placebo inference for one asset and many events: the same statistic at non-event dates.

Two ways to build the null distribution of an event's CAR statistic:

* ``"pseudo_events"`` (default of :func:`eventstudy.gold.study.gold_event_study`):
  :func:`pseudo_event_placebo` puts a pseudo-event on every eligible non-event trading day of
  the actual series (:func:`pseudo_event_positions`) and fits it with **the same engine
  specification as the real events** (model, estimation window and mask, minimum observations,
  CAR window). The null therefore carries the series' own behaviour: its volatility regimes,
  heavy tails, drift and the estimation error of the normal-return model.
  :func:`shift_placebo` tests the mean statistic of a group of events, and the difference
  between two groups, against the same groups moved together to other dates of the series
  (every circular shift along the eligible days), which keeps their clustering.
* ``"stationary_bootstrap"`` (the pre-issue-19 route): :func:`placebo_test` resamples the
  non-event abnormal returns with a stationary bootstrap and draws random windows. Resampled
  blocks mix gold's volatility regimes (issue 19 measured a mean square of 1.28 for random
  dates' standardized CARs against 1.03 for its null), and it has no group test; kept as a
  named option.

Units: decimal returns; positions are rows of the asset's trading calendar.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import pandas as pd

from eventstudy.gold.bootstrap import mean_block_length, stationary_indices
from eventstudy.gold.inference import WindowDates, _datetime64

if TYPE_CHECKING:
    from eventstudy.engine.results import EventStudyResults

PlaceboMethod = Literal["pseudo_events", "stationary_bootstrap"]
PLACEBO_METHODS: tuple[PlaceboMethod, ...] = get_args(PlaceboMethod)
PlaceboStatistic = Literal["scar", "car"]

__all__ = [
    "PLACEBO_METHODS",
    "PlaceboMethod",
    "PlaceboResults",
    "placebo_pvalues",
    "placebo_test",
    "pseudo_event_placebo",
    "pseudo_event_positions",
    "shift_placebo",
]


@dataclass(frozen=True)
class PlaceboResults:
    """A placebo null distribution and each event's place in it.

    Attributes
    ----------
    events : DataFrame
        One row per event: ``event_id``, ``stat`` (the event's statistic), ``car``,
        ``scale`` (decimal: the engine's CAR standard error, which ``stat`` divides ``car``
        by, for pseudo-events; the trailing AR standard deviation s for the bootstrap, whose
        ``stat`` divides by s √L),
        ``pvalue`` (two-sided, empirical), ``pvalue_greater``, ``pvalue_less`` (one-sided),
        ``percentile`` (share of placebo statistics <= the event's, 0-100).
    null : ndarray
        The placebo statistics.
    statistic : {"scar", "car"}
    block_length : float
        Mean block of the stationary bootstrap (NaN for pseudo-events).
    window_len : int
        Days of the CAR window.
    method : {"pseudo_events", "stationary_bootstrap"}
    pseudo : DataFrame or None
        Pseudo-events: ``position`` (calendar row of day 0), ``day0``, ``car``, ``car_se``,
        ``stat``; the pool :func:`shift_placebo` draws from.
    """

    events: pd.DataFrame
    null: np.ndarray
    statistic: str
    block_length: float
    window_len: int
    method: str = "stationary_bootstrap"
    pseudo: pd.DataFrame | None = None


def placebo_pvalues(stat: np.ndarray, null: np.ndarray) -> dict[str, np.ndarray]:
    r"""Empirical p-values of each ``stat`` against ``null``, the observed value included.

    :math:`p = (1 + \#\{|s^*| \ge |s|\})/(N + 1)` (two-sided),
    :math:`(1 + \#\{s^* \ge s\})/(N + 1)` (``greater``),
    :math:`(1 + \#\{s^* \le s\})/(N + 1)` (``less``);
    ``percentile`` = 100 x share of ``null`` <= s. NaN where ``stat`` is NaN.
    """
    stat = np.asarray(stat, dtype=float)
    srt = np.sort(np.asarray(null, dtype=float))
    abs_srt = np.sort(np.abs(srt))
    n = srt.size
    ge = n - np.searchsorted(srt, stat, side="left")
    le = np.searchsorted(srt, stat, side="right")
    abs_ge = n - np.searchsorted(abs_srt, np.abs(stat), side="left")
    nan = ~np.isfinite(stat)

    def out(x):
        return np.where(nan, np.nan, x)

    return {
        "pvalue": out((1.0 + abs_ge) / (n + 1.0)),
        "pvalue_greater": out((1.0 + ge) / (n + 1.0)),
        "pvalue_less": out((1.0 + le) / (n + 1.0)),
        "percentile": out(100.0 * le / max(n, 1)),
    }


def pseudo_event_positions(
    calendar: pd.DatetimeIndex,
    event_days: pd.Series,
    window: tuple[int, int],
    *,
    span: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> np.ndarray:
    """Calendar rows that can serve as pseudo-event day 0s.

    Parameters
    ----------
    calendar : DatetimeIndex
        The asset's trading dates.
    event_days : Series of bool
        True on days taken by real events (e.g. every catalogued event's mask window), on
        ``calendar``.
    window : (int, int)
        The CAR window (offsets): a pseudo-event's window must lie inside the calendar and
        hold no event day.
    span : (Timestamp, Timestamp), optional
        First and last allowed day 0 (inclusive); default the whole calendar.

    Returns
    -------
    ndarray of int
        Sorted positions.
    """
    taken = event_days.reindex(calendar, fill_value=False).to_numpy(bool)
    a, b = window
    n = len(calendar)
    pos = np.arange(max(0, -a), n - max(0, b))
    csum = np.concatenate([[0], np.cumsum(taken)])
    clean = csum[pos + b + 1] - csum[pos + a] == 0
    pos = pos[clean]
    if span is not None:
        lo, hi = (
            calendar.searchsorted(pd.Timestamp(span[0])),
            calendar.searchsorted(pd.Timestamp(span[1]), side="right"),
        )
        pos = pos[(pos >= lo) & (pos < hi)]
    return pos


def pseudo_event_placebo(
    fit: Callable[[pd.DataFrame], EventStudyResults],
    calendar: pd.DatetimeIndex,
    positions: np.ndarray,
    events: pd.DataFrame,
    *,
    window: tuple[int, int],
    extend: int = 0,
    statistic: PlaceboStatistic = "scar",
) -> PlaceboResults:
    """Placebo distribution from pseudo-events fitted like the real ones.

    Parameters
    ----------
    fit : callable
        Fits the study's specification on an events frame (``event_id``, ``day0``,
        ``extend``) and returns the engine's results (the same callable that fitted the real
        events, so window, model, estimation window and mask are the same).
    calendar : DatetimeIndex
        The asset's trading dates.
    positions : ndarray of int
        Day-0 rows of the pseudo-events (:func:`pseudo_event_positions`).
    events : DataFrame
        The real events' statistics over the same window: ``event_id``, ``car``, ``car_se``.
    window : (int, int)
        The CAR window; extended by ``extend`` days when it ends on or after day 0.
    extend : int, default 0
        Window extension of the events tested (merged episodes).
    statistic : {"scar", "car"}, default "scar"
        ``"scar"``: CAR / its standard error (the engine's prediction-error variance from the
        event's own estimation window, CLM eq. 4.4.17); ``"car"``: the CAR (decimal).

    Returns
    -------
    PlaceboResults
        ``null`` holds one statistic per pseudo-event that the engine could study.

    Notes
    -----
    Every eligible day is a pseudo-event, so the null is not a random draw: neighbouring
    pseudo-events share window days and their statistics are dependent, which leaves the
    marginal distribution (what an event at a random non-event date would show) unbiased.
    """
    pseudo = pd.DataFrame(
        {
            "event_id": [f"pseudo@{p}" for p in positions],
            "day0": calendar[np.asarray(positions, dtype=int)],
            "extend": int(extend),
        }
    )
    res = fit(pseudo)
    car = res.car(window=window)
    pos_of = dict(zip(pseudo["event_id"], positions, strict=True))
    table = pd.DataFrame(
        {
            "position": car["event_id"].map(pos_of).astype(int).to_numpy(),
            "day0": calendar[car["event_id"].map(pos_of).astype(int).to_numpy()],
            "car": car["car"].to_numpy(float),
            "car_se": car["car_se"].to_numpy(float),
        }
    )
    table["stat"] = table["car"] / table["car_se"] if statistic == "scar" else table["car"]
    null = table["stat"].to_numpy(float)
    null = null[np.isfinite(null)]
    ev_stat = events["car"] / events["car_se"] if statistic == "scar" else events["car"]
    scale = events["car_se"] if statistic == "scar" else pd.Series(1.0, index=events.index)
    out = pd.DataFrame(
        {
            "event_id": events["event_id"].to_numpy(),
            "stat": ev_stat.to_numpy(float),
            "car": events["car"].to_numpy(float),
            "scale": scale.to_numpy(float),
            **placebo_pvalues(ev_stat.to_numpy(float), null),
        }
    )
    return PlaceboResults(
        events=out,
        null=null,
        statistic=statistic,
        block_length=math.nan,
        window_len=window[1] - window[0] + 1 + (int(extend) if window[1] >= 0 else 0),
        method="pseudo_events",
        pseudo=table,
    )


def shift_placebo(
    pool: pd.Series,
    positions: pd.Series,
    values: pd.Series,
    groups: Mapping[str, tuple[Sequence[str], str]],
    *,
    difference: tuple[str, str] | None = None,
) -> pd.DataFrame:
    r"""Placebo tests of group mean statistics: the groups moved together along the series.

    Parameters
    ----------
    pool : Series
        Pseudo-event statistics indexed by day-0 position (:attr:`PlaceboResults.pseudo`);
        NaN entries are not eligible.
    positions : Series of int
        Day-0 position of each event, indexed by ``event_id``.
    values : Series
        Each event's statistic (the same one as ``pool``'s), indexed by ``event_id``.
    groups : mapping name -> (event_ids, alternative)
        ``alternative`` in {"greater", "less", "two-sided"}.
    difference : (str, str), optional
        Two group names: also test mean(first) - mean(second), two-sided.

    Returns
    -------
    DataFrame
        ``test`` (``placebo_mean_<group>`` or ``placebo_<a>_minus_<b>``), ``stat`` (the
        observed mean statistic or difference), ``pvalue``, ``dist``
        (``placebo(K shifts)``), ``nobs``, ``alternative``, ``reason``.

    Notes
    -----
    With :math:`P` the sorted eligible positions, spanning the trading days :math:`a..b`, the
    group is moved by every calendar shift :math:`k = 1, \dots, b - a` (circularly inside
    :math:`a..b`): event i goes to :math:`a + (p_i - a + k) \bmod (b - a + 1)`, or, when that
    day is not eligible (a real event's window), to the next eligible day. The events keep
    their calendar spacing and coincidences (events on one day stay on one pseudo-day), so
    the null keeps the dependence that clustered events bring to a group mean; the volatility
    regimes are those of the series at the shifted dates. (Mapping the events' own days, which
    are never eligible, to eligible days before shifting would collapse events a few days
    apart onto one pseudo-event and widen the null.) p-values as :func:`placebo_pvalues`;
    two-sided = min(1, 2 x the smaller one-sided p).
    """
    pool = pool.dropna().sort_index()
    eligible = pool.index.to_numpy(int)
    vals = pool.to_numpy(float)
    lo = int(eligible.min()) if eligible.size else 0
    width = int(eligible.max()) - lo + 1 if eligible.size else 0
    k = np.arange(1, width)
    rows = []

    # the statistic of the next eligible day, for every day lo..lo + width - 1
    next_value = vals[np.searchsorted(eligible, lo + np.arange(width)) % max(eligible.size, 1)]

    spectrum: list[np.ndarray] = []  # rfft of next_value, computed once when first needed

    def shifted(ids: Sequence[str]) -> np.ndarray:
        offsets = (positions.loc[list(ids)].to_numpy(int) - lo) % width
        return _circular_means(next_value, offsets, k, spectrum)

    for name, (ids, alt) in groups.items():
        ids = _finite(ids, values)
        obs = float(values.loc[ids].mean()) if ids else math.nan
        null = shifted(ids) if ids and width > 1 else np.array([])
        rows.append(_shift_row(f"placebo_mean_{name}", obs, null, alt, len(ids)))
    if difference is not None:
        a, b = (_finite(groups[g][0], values) for g in difference)
        ok = bool(a) and bool(b) and width > 1
        obs = float(values.loc[a].mean() - values.loc[b].mean()) if ok else math.nan
        null = shifted(a) - shifted(b) if ok else np.array([])
        name = f"placebo_{difference[0]}_minus_{difference[1]}"
        rows.append(_shift_row(name, obs, null, "two-sided", len(a) + len(b)))
    return pd.DataFrame(rows)


def _finite(ids: Sequence[str], values: pd.Series) -> list[str]:
    """The ``ids`` whose value is finite, in order (an id missing from ``values`` is not)."""
    ids = list(ids)
    v = values.reindex(ids).to_numpy(float) if ids else np.zeros(0)
    return [i for i, ok in zip(ids, np.isfinite(v), strict=True) if ok]


#: Up to this many (shift x event) cells the shifted means are summed directly; beyond, by FFT.
_DIRECT_SHIFT_CELLS = 5_000_000


def _circular_means(
    f: np.ndarray, offsets: np.ndarray, shifts: np.ndarray, spectrum: list[np.ndarray] | None = None
) -> np.ndarray:
    r"""Mean of ``f[(o + k) % W]`` over the offsets ``o``, for each shift ``k`` (W = ``f.size``).

    Small problems gather directly. Large ones use the cross-correlation of the offsets'
    counts with ``f`` repeated twice (``[f, f]``: its linear correlation over lags 0..W-1 is
    the circular one), by FFT on a 5-smooth length of at least 3W - 1 (no wrap-around), in
    :math:`O(W \log W)` instead of O(W x events); the two agree to rounding (tested). An FFT of
    length W itself would be as exact but, for a W with a large prime factor, 40 times
    slower. ``spectrum``: a list that holds the FFT of ``[f, f]`` once computed (empty at
    first), for callers that correlate several groups with the same ``f``.
    """
    width = f.size
    if shifts.size * offsets.size <= _DIRECT_SHIFT_CELLS:
        return f[(offsets[None, :] + shifts[:, None]) % width].mean(axis=1)
    n_fft = _smooth_length(3 * width - 1)
    spectrum = [] if spectrum is None else spectrum
    if not spectrum:
        spectrum.append(np.fft.rfft(np.concatenate([f, f]), n=n_fft))
    counts = np.bincount(offsets, minlength=width).astype(float)
    corr = np.fft.irfft(np.conj(np.fft.rfft(counts, n=n_fft)) * spectrum[0], n=n_fft)[:width]
    return corr[shifts % width] / offsets.size


def _smooth_length(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n (a fast FFT length)."""
    best = 1 << max(n - 1, 0).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def _shift_row(test: str, obs: float, null: np.ndarray, alt: str, nobs: int) -> dict:
    if not null.size or not math.isfinite(obs):
        return {"test": test, "stat": obs, "pvalue": math.nan, "dist": "placebo",
                "nobs": nobs, "alternative": alt,
                "reason": "no event with a statistic, or no eligible pseudo-event day"}  # fmt: skip
    p = placebo_pvalues(np.array([obs]), null)
    greater, less = float(p["pvalue_greater"][0]), float(p["pvalue_less"][0])
    pvalue = {"greater": greater, "less": less}.get(alt, min(1.0, 2.0 * min(greater, less)))
    return {"test": test, "stat": obs, "pvalue": pvalue, "dist": f"placebo({null.size} shifts)",
            "nobs": nobs, "alternative": alt, "reason": ""}  # fmt: skip


def placebo_test(
    ar: pd.Series,
    event_days: pd.Series,
    windows: Mapping[str, WindowDates],
    *,
    statistic: PlaceboStatistic = "scar",
    scale_window: int = 250,
    n_boot: int = 200,
    draws_per_boot: int = 50,
    block_length: float | None = None,
    seed: int = 12345,
) -> PlaceboResults:
    """Placebo distribution from a stationary bootstrap of non-event abnormal returns.

    The pre-issue-19 route, kept as ``placebo="stationary_bootstrap"``; the default is
    :func:`pseudo_event_placebo`.

    Parameters
    ----------
    ar : Series
        Abnormal returns (decimal) on the asset's trading dates, e.g.
        :attr:`EventRegressionResults.ar`.
    event_days : Series of bool
        True on days inside any event's window: they are left out of the placebo population
        and of the scale estimate.
    windows : mapping event_id -> sequence of dates or datetime64 array
        The days of each event's CAR window (all of equal length L).
    statistic : {"scar", "car"}, default "scar"
        * ``"scar"``: CAR / (s √L), s the standard deviation of the ``scale_window`` non-event
          ARs just before the window (local volatility; gold's varies several-fold over the
          sample).
        * ``"car"``: the raw CAR (decimal).
    scale_window : int, default 250
        Trailing non-event trading days for ``s``.
    n_boot : int, default 200
        Stationary-bootstrap resamples of the non-event AR series.
    draws_per_boot : int, default 50
        Random window positions drawn in each resample.
    block_length : float, optional
        Mean block length of the stationary bootstrap; default: the larger of
        ``optimal_block_length`` (Politis-White 2004, Patton et al. 2009) for the ARs and for
        their squares.
    seed : int, default 12345

    Returns
    -------
    PlaceboResults

    Notes
    -----
    The non-event ARs (event days removed, order kept) are resampled with
    ``arch.bootstrap.StationaryBootstrap`` (Politis & Romano 1994; drawn as
    :mod:`eventstudy.gold.bootstrap` draws it, the same bits without importing ``arch``). In
    each resample the statistic is computed at ``draws_per_boot`` random window starts (after
    the first ``scale_window`` days, so the trailing scale exists). p-values:
    :func:`placebo_pvalues`. Resampling blocks of a decade of returns mixes its volatility
    regimes, so the null's spread is an average one: events in volatile spells look more
    extreme than they are.
    """
    ar = ar.astype(float)
    base_mask = (~event_days.reindex(ar.index, fill_value=False)) & ar.notna()
    base = ar[base_mask].to_numpy()
    lens = {len(list(w)) for w in windows.values()}
    if len(lens) != 1:
        raise ValueError(f"placebo windows must all have the same length; got lengths {lens}")
    L = lens.pop()
    if block_length is None:
        block_length = mean_block_length(base)
    rng = np.random.default_rng(seed)
    n = len(base)
    lo = scale_window if statistic == "scar" else 0
    if n - L - lo < 1:
        raise ValueError(f"too few non-event observations ({n}) for windows of {L} days")
    null = []
    for _ in range(n_boot):  # the mean block length need not be whole
        x = base[stationary_indices(rng, n, block_length)]
        starts = rng.integers(lo, n - L + 1, size=draws_per_boot)
        cs = np.concatenate([[0.0], np.cumsum(x)])
        sums = cs[starts + L] - cs[starts]
        if statistic == "scar":
            cs2 = np.concatenate([[0.0], np.cumsum(x**2)])
            m1 = (cs[starts] - cs[starts - scale_window]) / scale_window
            m2 = (cs2[starts] - cs2[starts - scale_window]) / scale_window
            sd = np.sqrt(np.maximum(m2 - m1**2, 0) * scale_window / (scale_window - 1))
            null.append(sums / (sd * math.sqrt(L)))
        else:
            null.append(sums)
    null_arr = np.concatenate(null)

    ids = list(windows)
    car, scale = _window_sums_and_scales(ar, base_mask, windows, scale_window)
    stat = car / (scale * math.sqrt(L)) if statistic == "scar" else car
    events = pd.DataFrame(
        {
            "event_id": ids,
            "stat": stat,
            "car": car,
            "scale": scale,
            **placebo_pvalues(stat, null_arr),
        }
    )
    return PlaceboResults(
        events=events,
        null=null_arr,
        statistic=statistic,
        block_length=float(block_length),
        window_len=L,
    )


def _window_sums_and_scales(
    ar: pd.Series, base_mask: pd.Series, windows: Mapping[str, WindowDates], scale_window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each window's CAR and the SD of the non-event ARs before it, all windows at once.

    The CAR is NaN when a day is missing; the SD is over the ``scale_window`` non-event ARs
    before the window's first day (NaN with fewer than 20).
    """
    values = ar.to_numpy(dtype=float)
    sizes = np.array([len(w) for w in windows.values()], dtype=np.int64)
    owner = np.repeat(np.arange(sizes.size), sizes)
    flat = np.concatenate([_datetime64(w).astype("datetime64[ns]") for w in windows.values()])
    pos = ar.index.get_indexer(pd.DatetimeIndex(flat))
    vals = np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)
    car = np.bincount(owner, weights=np.nan_to_num(vals), minlength=sizes.size)
    car[np.bincount(owner, weights=np.isnan(vals), minlength=sizes.size) > 0] = np.nan
    first_day = np.minimum.reduceat(flat, np.r_[0, np.cumsum(sizes)[:-1]]) if flat.size else flat
    first = ar.index.get_indexer(pd.DatetimeIndex(first_day))
    base = values[base_mask.to_numpy()]
    n_before = np.r_[0, np.cumsum(base_mask.to_numpy())][np.where(first < 0, len(ar) - 1, first)]
    scale = np.full(sizes.size, np.nan)
    full = n_before >= scale_window
    if full.any():
        trail = np.lib.stride_tricks.sliding_window_view(base, scale_window)
        scale[full] = np.std(trail[n_before[full] - scale_window], axis=1, ddof=1)
    for i in np.flatnonzero(~full & (n_before >= 20)):
        scale[i] = float(np.std(base[: n_before[i]], ddof=1))
    return car, scale
