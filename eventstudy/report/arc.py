"""Run an EventStudyTools ARC-format study and write its CSV results.

The calendar is the union of the market files' dates. Firm prices are placed on it; returns
are computed with :func:`eventstudy.engine.returns.to_returns` (log by default, as ARC does; a
return after a missing price spans the gap). Events with the same windows are studied together
with :class:`eventstudy.engine.study.EventStudy`; the battery runs per ARC group. The input
files are read by :mod:`eventstudy.data.arc`.

Outputs in ``out/``: ``ar.csv`` (``event_id, firm, date, rel_day, ar, ar_se``), ``car.csv``
(``event_id, firm, window_start, window_end, car, car_se, tstat, pvalue, df``; one row
per event over its event window), ``tests.csv`` (``group`` + the battery's long columns, and
CLM's :math:`J_1` CAAR test as ``test = "caar_j1"``), ``exclusions.csv``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from eventstudy.data.arc import ARC_MODELS, ArcModel, read_prices, read_request
from eventstudy.engine.returns import to_returns
from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow, EventWindow
from eventstudy.exceptions import SpecificationError

__all__ = ["run_arc"]


def run_arc(
    request: str | Path,
    firms: str | Path,
    market: str | Path,
    *,
    out: str | Path,
    model: ArcModel = "market",
    returns: Literal["log", "simple"] = "log",
) -> Path:
    """Run an ARC-format event study and write ``ar.csv``, ``car.csv``, ``tests.csv``.

    Parameters
    ----------
    request, firms, market : path
        ARC request, firm price and market price files (see the module docstring).
    out : path
        Output directory (created if needed).
    model : {"market", "constant-mean", "market-adjusted"}, default "market"
        * ``"market"``: OLS market model, prediction-error corrected variances (CLM 4.4.9).
        * ``"constant-mean"``: mean estimation-window return.
        * ``"market-adjusted"``: firm minus market return.
    returns : {"log", "simple"}, default "log"
        Decimal log or simple returns from the prices.

    Returns
    -------
    Path
        The output directory.

    Raises
    ------
    DataFormatError
        A malformed input line (the message names the file and line).
    SpecificationError
        An unknown ``model`` or ``returns``.
    """
    if model not in ARC_MODELS:
        raise SpecificationError(f"model={model!r} is not accepted; use one of {ARC_MODELS}")
    if returns not in ("log", "simple"):
        raise SpecificationError(f"returns={returns!r} is not accepted; use 'log' or 'simple'")
    req = read_request(request)
    firm_prices = read_prices(firms)
    market_prices = read_prices(market)
    calendar = market_prices.index
    firm_returns = to_returns(firm_prices.reindex(calendar), kind=returns, multi_day=True)
    market_returns = to_returns(market_prices, kind=returns, multi_day=True)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ars, cars, tests, exclusions = [], [], [], []
    keys = ["group", "event_start", "event_end", "estimation_end", "estimation_length"]
    for (group, ev_start, ev_end, est_end, est_len), rows in req.groupby(keys, sort=False):
        events = pd.DataFrame(
            {
                "event_id": rows["event_id"],
                "asset": rows["firm"],
                "market": rows["market"],
                "day0": pd.to_datetime(rows["event_date"]),
            }
        )
        window = (int(ev_start), int(ev_end))
        res = EventStudy(
            firm_returns,
            events,
            model,
            benchmark=market_returns,
            estimation_window=EstimationWindow(int(est_len), int(est_end)),
            # ARC counts days of the market calendar; a missing firm price is a missing return
            event_window=EventWindow(*window, calendar="shared"),
            car_windows=[window],
        ).fit()
        ar = res.ar.rename(columns={"asset": "firm"})
        ars.append(ar[["event_id", "firm", "date", "rel_day", "ar", "ar_se"]])
        cars.append(pd.DataFrame(res.car).rename(columns={"asset": "firm"}))
        t = res.tests()
        j1 = res.caar.rename(columns={"tstat": "stat", "n": "nobs"})
        j1 = j1.assign(test="caar_j1", dist="N(0,1)", alternative=res.alternative)
        t = pd.concat([t, j1[[c for c in j1.columns if c in t.columns or c == "caar"]]])
        t.insert(0, "group", group)
        tests.append(t)
        exclusions.append(res.exclusions.rename(columns={"asset": "firm"}).assign(group=group))
    pd.concat(ars, ignore_index=True).to_csv(out / "ar.csv", index=False, date_format="%Y-%m-%d")
    pd.concat(cars, ignore_index=True).to_csv(out / "car.csv", index=False)
    pd.concat(tests, ignore_index=True).to_csv(out / "tests.csv", index=False)
    pd.concat(exclusions, ignore_index=True).to_csv(out / "exclusions.csv", index=False)
    return out
