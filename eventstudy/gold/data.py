"""Gold and its benchmark factors on one trading calendar (data for :mod:`eventstudy.gold.study`).

The calendar is the gold series' price rows that are sessions of its instrument calendar (for
``GC=F`` Yahoo has a few Globex-holiday rows such as 2025-07-04 and a Sunday 2025-07-13:
they are dropped and listed in :attr:`GoldData.dropped_rows`). Benchmarks are joined **as of**
each gold date: the last benchmark level observed on or before the gold date (at most
``max_stale_days`` calendar days old, else missing), then turned into a change between
consecutive gold dates, so every regressor covers the same interval as the gold return.
FRED series have no row on their holidays (e.g. DFII10 on Columbus Day): the level is carried
and the next change spans both days. Factors:

* ``equity``: log return of ``benchmark`` (``ACWI`` world or ``SPY`` US; NYSE 16:00 close,
  i.e. 2.5 hours after the COMEX settlement - a timing mismatch worth remembering);
* ``dollar``: log return of FRED ``DTWEXBGS`` (nominal broad dollar index; the ICE ``DX-Y.NYB``
  file in the snapshot starts only 2025-07-16);
* ``real_yield``: change of FRED ``DFII10`` (10-year TIPS yield) in **percentage points**.

Returns are decimal log returns (:mod:`eventstudy.engine.returns`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import pandas as pd

from eventstudy.engine.returns import differences, to_returns
from eventstudy.exceptions import DataFormatError, SpecificationError

Benchmark = Literal["ACWI", "SPY"]
BENCHMARKS: tuple[str, ...] = get_args(Benchmark)
DOLLAR_SERIES = "DTWEXBGS"
REAL_YIELD_SERIES = "DFII10"

__all__ = ["BENCHMARKS", "Benchmark", "GoldData", "align_factors", "load_gold_data"]


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldData:
    """Gold returns with the benchmark factors on the gold calendar.

    Attributes
    ----------
    returns : DataFrame
        Indexed by the gold series' trading dates; columns ``gold`` (decimal log return),
        ``equity`` (decimal log return of the benchmark), ``dollar`` (decimal log return of
        DTWEXBGS), ``real_yield`` (change of DFII10, percentage points). First row NaN.
    close : Series
        Gold close (USD/oz for ``GC=F``, USD/share for ``GLD``) on the same dates.
    symbol : str
        The gold series.
    benchmark : str
        The equity benchmark.
    dropped_rows : DataFrame
        Gold price rows left out (``date``, ``reason``).
    files : tuple of str
        Data files read, relative to the data directory.
    roll_days : DatetimeIndex
        Dates whose return spans a switch of futures contract
        (:func:`eventstudy.data.quality.roll_dates`; empty for an ETF or without volume).
    """

    returns: pd.DataFrame
    close: pd.Series
    symbol: str
    benchmark: str
    dropped_rows: pd.DataFrame
    files: tuple[str, ...]
    roll_days: pd.DatetimeIndex = field(default_factory=lambda: pd.DatetimeIndex([]))


def _asof(levels: pd.Series, dates: pd.DatetimeIndex, max_stale_days: int) -> pd.Series:
    """Last observed level on or before each date, missing when older than max_stale_days."""
    obs = levels.dropna()
    pos = obs.index.searchsorted(dates, side="right") - 1
    vals = np.where(pos >= 0, obs.to_numpy()[np.clip(pos, 0, None)], np.nan)
    age = (dates - obs.index[np.clip(pos, 0, None)]).days.to_numpy()
    vals = np.where((pos >= 0) & (age <= max_stale_days), vals, np.nan)
    return pd.Series(vals, index=dates, name=levels.name)


def align_factors(
    gold_close: pd.Series,
    *,
    equity: pd.Series | None = None,
    dollar: pd.Series | None = None,
    real_yield: pd.Series | None = None,
    max_stale_days: int = 5,
) -> pd.DataFrame:
    """Gold returns and benchmark changes on the gold calendar (as-of join).

    Parameters
    ----------
    gold_close : Series
        Gold closes indexed by its trading dates (sorted).
    equity, dollar : Series, optional
        Price/index levels on their own calendars.
    real_yield : Series, optional
        Yield in percent on its own calendar.
    max_stale_days : int, default 5
        A level older than this many calendar days at a gold date counts as missing.

    Returns
    -------
    DataFrame
        Columns ``gold`` and those factors given (see :class:`GoldData`), decimal log returns
        except ``real_yield`` (percentage points).
    """
    dates = pd.DatetimeIndex(gold_close.index)
    cols = {"gold": to_returns(gold_close.astype(float), kind="log")}
    if equity is not None:
        cols["equity"] = to_returns(
            _asof(equity, dates, max_stale_days), kind="log", multi_day=False
        )
    if dollar is not None:
        cols["dollar"] = to_returns(
            _asof(dollar, dates, max_stale_days), kind="log", multi_day=False
        )
    if real_yield is not None:
        cols["real_yield"] = differences(_asof(real_yield, dates, max_stale_days), multi_day=False)
    return pd.DataFrame(cols, index=dates)


def load_gold_data(
    gold: str = "GC=F",
    *,
    benchmark: Benchmark = "ACWI",
    data_dir: str | os.PathLike[str] | None = None,
    max_stale_days: int = 5,
) -> GoldData:
    """Read gold and its benchmark factors from a data directory and put them on one calendar.

    Parameters
    ----------
    gold : str, default "GC=F"
        Gold series: ``"GC=F"`` (COMEX futures, USD/oz) or ``"GLD"`` (ETF, USD/share).
    benchmark : {"ACWI", "SPY"}, default "ACWI"
        * ``"ACWI"``: iShares MSCI ACWI (world equity);
        * ``"SPY"``: SPDR S&P 500 (US equity).
    data_dir : str or path-like, optional
        See :func:`eventstudy.data.store.resolve_data_dir`.
    max_stale_days : int, default 5
        See :func:`align_factors`.

    Returns
    -------
    GoldData
    """
    from eventstudy.data.day0 import trading_sessions
    from eventstudy.data.quality import roll_dates
    from eventstudy.data.store import load_prices, price_relpath, series_relpath

    if benchmark not in BENCHMARKS:
        raise SpecificationError(
            f"benchmark={benchmark!r} is not accepted; use one of {BENCHMARKS}"
        )
    bars = load_prices(gold, data_dir, positive=True)
    close = bars["close"]
    try:
        sessions = trading_sessions(gold, close.index[0], close.index[-1])
    except SpecificationError as exc:
        raise DataFormatError(
            f"{price_relpath(gold)} in {data_dir or 'the data directory'}: its dates "
            f"{close.index[0].date()}..{close.index[-1].date()} are not covered by the {gold} "
            f"calendar ({exc})"
        ) from exc
    outside = ~close.index.isin(sessions)
    dropped = pd.DataFrame(
        {
            "date": close.index[outside],
            "reason": f"not a session of the {gold} calendar (see eventstudy.data.instruments)",
        }
    )
    close = close[~outside]
    has_volume = "volume" in bars and bars["volume"].notna().any()
    rolls = roll_dates(bars) if has_volume else pd.DatetimeIndex([])
    equity, dollar, real = _factor_levels(benchmark, data_dir)
    returns = align_factors(
        close, equity=equity, dollar=dollar, real_yield=real, max_stale_days=max_stale_days
    )
    files = (
        price_relpath(gold),
        price_relpath(benchmark),
        series_relpath(DOLLAR_SERIES),
        series_relpath(REAL_YIELD_SERIES),
    )
    rolls = rolls[rolls.isin(close.index)]
    return GoldData(returns, close.rename("close"), gold, benchmark, dropped, files, rolls)


def _factor_levels(
    benchmark: str, data_dir: str | os.PathLike[str] | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Equity closes, dollar index and real yield as read from the data directory.

    The report reads them for GC=F and again for GLD; the store parses a file's bytes once
    per content (:mod:`eventstudy.data.store`), so the second read costs little and can never
    be stale.
    """
    from eventstudy.data.store import load_prices, load_series

    return (
        load_prices(benchmark, data_dir, positive=True)["close"],
        load_series(DOLLAR_SERIES, data_dir, positive=True),  # log returns
        load_series(REAL_YIELD_SERIES, data_dir),
    )
