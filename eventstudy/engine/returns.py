r"""Returns from prices and differences from levels, in one unit convention.

Units
-----
Returns are **decimals** (0.01 = 1 %). The package default is the **log (continuously
compounded) return** :math:`r_t = \ln P_t - \ln P_{t-1}`, chosen once for the whole package:

* log returns add over time, so a CAR over a window is exactly the abnormal part of the
  window's log return (simple returns only add approximately);
* it is the default of the two peers we reproduce on price input: estudy2
  (``get_rates_from_prices(compounding = "continuous")``) and EventStudyTools' ARC.

``kind="simple"`` gives :math:`R_t = P_t / P_{t-1} - 1`. Nothing is ever rescaled to percent.

Level series (yields, VIX, the GPR index) are not prices: use :func:`differences`
(:math:`\Delta x_t = x_t - x_{t-1}`, in the series' own unit, e.g. percentage points for a yield).

Gaps
----
With ``multi_day=True`` (estudy2's ``multi_day = TRUE``), a missing price does not break the
series: the return on the next date with a price spans the gap (from the last available price),
and the missing date itself has a NaN return. With ``multi_day=False`` the return after a gap is
NaN as well. The first price of a series never has a return.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd

from eventstudy.exceptions import SpecificationError

ReturnKind = Literal["log", "simple"]
RETURN_KINDS: tuple[str, ...] = get_args(ReturnKind)

__all__ = ["RETURN_KINDS", "ReturnKind", "differences", "to_returns"]


def _check_frame(data: pd.Series | pd.DataFrame, name: str) -> None:
    if not isinstance(data, pd.Series | pd.DataFrame):
        raise SpecificationError(
            f"{name} must be a pandas Series or DataFrame indexed by date; "
            f"got {type(data).__name__}"
        )
    if not data.index.is_monotonic_increasing or data.index.has_duplicates:
        raise SpecificationError(
            f"{name} index must be sorted ascending without duplicate dates; sort it with "
            "`.sort_index()` and drop duplicates first"
        )


def _previous(values: pd.Series | pd.DataFrame, multi_day: bool) -> pd.Series | pd.DataFrame:
    """Previous observation used as the base of each change."""
    if multi_day:
        return values.ffill().shift(1)
    return values.shift(1)


def to_returns(
    prices: pd.Series | pd.DataFrame,
    *,
    kind: ReturnKind = "log",
    multi_day: bool = True,
) -> pd.Series | pd.DataFrame:
    r"""Decimal returns from prices.

    Parameters
    ----------
    prices : Series or DataFrame
        Prices indexed by trading date (sorted), one column per asset; NaN = no price.
        Prices must be positive.
    kind : {"log", "simple"}, default "log"
        * ``"log"``: continuously compounded return :math:`\ln(P_t / P_{t-1})`.
        * ``"simple"``: :math:`P_t / P_{t-1} - 1`.
    multi_day : bool, default True
        If True, a return after missing prices spans the gap (estudy2 ``multi_day = TRUE``);
        if False it is NaN.

    Returns
    -------
    Series or DataFrame
        Same shape and labels as ``prices``; the first row is NaN. ``attrs["return_type"]``
        says ``kind`` (read by :class:`~eventstudy.engine.study.EventStudy`); other ``attrs``
        of ``prices`` (e.g. ``data_versions``) are kept.

    Raises
    ------
    SpecificationError
        Unknown ``kind``, unsorted index, or non-positive prices.

    Notes
    -----
    With :math:`s(t)` the last date before :math:`t` with a price (``multi_day=True``) or
    :math:`t-1` (``multi_day=False``):

    .. math:: r_t = \ln P_t - \ln P_{s(t)}, \qquad R_t = P_t / P_{s(t)} - 1.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.Series([100.0, None, 121.0], index=pd.date_range("2024-01-01", periods=3))
    >>> to_returns(p, kind="simple").round(2).tolist()
    [nan, nan, 0.21]
    """
    if kind not in RETURN_KINDS:
        raise SpecificationError(f"kind={kind!r} is not accepted; use one of {RETURN_KINDS}")
    _check_frame(prices, "prices")
    values = prices.astype(float)
    if (values <= 0).to_numpy().any():
        raise SpecificationError(
            "prices must be positive for returns; use differences() for level series "
            "(yields, VIX, GPR) that can be zero or negative"
        )
    if kind == "log":
        logp = np.log(values)
        out = logp - _previous(logp, multi_day)
    else:
        out = values / _previous(values, multi_day) - 1.0
    return _tagged(out, prices, kind)


def _tagged(
    out: pd.Series | pd.DataFrame, source: pd.Series | pd.DataFrame, kind: str
) -> pd.Series | pd.DataFrame:
    """``out`` with the attrs of ``source`` and ``attrs["return_type"] = kind``."""
    out.attrs = {**source.attrs, "return_type": kind}
    return out


def differences(
    levels: pd.Series | pd.DataFrame, *, multi_day: bool = True
) -> pd.Series | pd.DataFrame:
    r"""First differences of a level series (yields, VIX, GPR), in the series' own unit.

    Parameters
    ----------
    levels : Series or DataFrame
        Levels indexed by date (sorted); NaN = no observation.
    multi_day : bool, default True
        If True a change after missing observations spans the gap; if False it is NaN.

    Returns
    -------
    Series or DataFrame
        :math:`\Delta x_t = x_t - x_{s(t)}` (see :func:`to_returns`); the first row is NaN;
        ``attrs["return_type"] = "difference"``.
    """
    _check_frame(levels, "levels")
    values = levels.astype(float)
    return _tagged(values - _previous(values, multi_day), levels, "difference")
