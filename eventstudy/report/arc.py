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

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from eventstudy.data.arc import ARC_MODELS, ArcModel, read_prices, read_request
from eventstudy.engine.results import EventStudyResults
from eventstudy.engine.returns import to_returns
from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow, EventWindow
from eventstudy.exceptions import SpecificationError

__all__ = ["NEGATIVE_PRICES", "run_arc"]


NegativePrices = Literal["exclude", "abs"]
NEGATIVE_PRICES: tuple[str, ...] = ("exclude", "abs")


def run_arc(
    request: str | Path,
    firms: str | Path,
    market: str | Path,
    *,
    out: str | Path,
    model: ArcModel = "market",
    returns: Literal["log", "simple"] = "log",
    car_windows: Sequence[tuple[int, int]] | None = None,
    convention: str = "textbook",
    variance: Literal["textbook", "pyeventstudy"] = "textbook",
    negative_prices: NegativePrices = "exclude",
) -> Path:
    """Run an ARC-format event study and write ``ar.csv``, ``car.csv``, ``tests.csv``.

    Parameters
    ----------
    request, firms, market : path
        ARC request, firm price and market price files (see :mod:`eventstudy.data.arc`).
    out : path
        Output directory (created if needed).
    model : {"market", "constant-mean", "market-adjusted"}, default "market"
        * ``"market"``: OLS market model, prediction-error corrected variances (CLM 4.4.9).
        * ``"constant-mean"``: mean estimation-window return.
        * ``"market-adjusted"``: firm minus market return.
    returns : {"log", "simple"}, default "log"
        Decimal log or simple returns from the prices.
    car_windows : sequence of (int, int), optional
        CAR windows (trading-day offsets) inside each group's event window; default the event
        window of each group. Windows outside a group's event window are skipped for it.
    convention : str, default "textbook"
        Battery convention (``"estudy2"`` reproduces estudy2; see
        :func:`eventstudy.engine.stats.aar_tests`).
    variance : {"textbook", "pyeventstudy"}, default "textbook"
        See :meth:`eventstudy.engine.study.EventStudy.fit`.
    negative_prices : {"exclude", "abs"}, default "exclude"
        CRSP writes a bid/ask midpoint with a minus sign when a stock did not trade.

        * ``"exclude"``: such a price is missing; an event whose estimation or event window
          holds one is excluded with the firm, dates and prices in its reason (``exclusions.csv``);
          elsewhere it stops nothing;
        * ``"abs"``: use its absolute value as the price, as CRSP intends.

    Returns
    -------
    Path
        The output directory.

    Raises
    ------
    DataFormatError
        A malformed input line (the message names the file and line).
    SpecificationError
        An unknown ``model``, ``returns`` or ``negative_prices``.
    """
    if model not in ARC_MODELS:
        raise SpecificationError(f"model={model!r} is not accepted; use one of {ARC_MODELS}")
    if returns not in ("log", "simple"):
        raise SpecificationError(f"returns={returns!r} is not accepted; use 'log' or 'simple'")
    if negative_prices not in NEGATIVE_PRICES:
        raise SpecificationError(
            f"negative_prices={negative_prices!r} is not accepted; use one of {NEGATIVE_PRICES}"
        )
    req = read_request(request)
    firm_prices = read_prices(firms, negative=True)
    market_prices = read_prices(market, negative=negative_prices == "abs").abs()
    calendar = market_prices.index
    flagged = firm_prices < 0
    firm_prices = firm_prices.abs() if negative_prices == "abs" else firm_prices.mask(flagged)
    flagged = flagged.reindex(calendar, fill_value=False) & (negative_prices == "exclude")
    firm_returns = to_returns(firm_prices.reindex(calendar), kind=returns, multi_day=True)
    market_returns = to_returns(market_prices, kind=returns, multi_day=True)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    parts: dict[str, list[pd.DataFrame]] = {"ar": [], "car": [], "tests": [], "exclusions": []}
    keys = ["group", "event_start", "event_end", "estimation_end", "estimation_length"]
    for (group, ev_start, ev_end, est_end, est_len), rows in req.groupby(keys, sort=False):
        est = EstimationWindow(int(est_len), int(est_end))
        window = (int(ev_start), int(ev_end))
        events = pd.DataFrame(
            {
                "event_id": rows["event_id"],
                "asset": rows["firm"],
                "market": rows["market"],
                "day0": pd.to_datetime(rows["event_date"]),
            }
        )
        bad = _negative_price_exclusions(events, flagged, calendar, est, window)
        parts["exclusions"].append(bad.assign(group=group))
        events = events[~events["event_id"].isin(bad["event_id"])]
        if events.empty:
            continue
        windows = [w for w in (car_windows or [window]) if window[0] <= w[0] <= w[1] <= window[1]]
        res = EventStudy(
            firm_returns,
            events,
            model,
            benchmark=market_returns,
            estimation_window=est,
            # ARC counts days of the market calendar; a missing firm price is a missing return
            event_window=EventWindow(*window, calendar="shared"),
            car_windows=windows or [window],
        ).fit(convention=convention, variance=variance)
        _collect(res, group, parts)
    for name, frames in parts.items():
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        frame.to_csv(out / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    return out


def _negative_price_exclusions(
    events: pd.DataFrame,
    flagged: pd.DataFrame,
    calendar: pd.DatetimeIndex,
    est: EstimationWindow,
    window: tuple[int, int],
) -> pd.DataFrame:
    """Events whose estimation or event window holds a negative (CRSP midpoint) price.

    The price on the day before the estimation window counts (the first return needs it).
    """
    rows = []
    for event_id, firm, day0 in events[["event_id", "asset", "day0"]].itertuples(index=False):
        if firm not in flagged.columns or not flagged[firm].any():
            continue
        p0 = int(calendar.searchsorted(day0))
        lo, hi = max(p0 + est.start - 1, 0), min(p0 + window[1], len(calendar) - 1)
        days = calendar[lo : hi + 1][flagged[firm].to_numpy()[lo : hi + 1]]
        if len(days):
            when = ", ".join(f"{d:%d.%m.%Y}" for d in days)
            rows.append(
                (
                    event_id,
                    firm,
                    "data",
                    f"negative price(s) of {firm} on {when} inside the estimation or event window "
                    "(CRSP marks a bid/ask midpoint with a minus sign); rerun with "
                    "--negative-prices abs to use them as prices",
                )
            )
    return pd.DataFrame(rows, columns=["event_id", "firm", "stage", "reason"])


def _collect(res: EventStudyResults, group: str, parts: dict[str, list[pd.DataFrame]]) -> None:
    """Append one group's ARs, CARs, tests (with CLM's J1) and exclusions to ``parts``."""
    ar = res.ar.rename(columns={"asset": "firm"})
    parts["ar"].append(ar[["event_id", "firm", "date", "rel_day", "ar", "ar_se"]])
    parts["car"].append(pd.DataFrame(res.car).rename(columns={"asset": "firm"}))
    t = res.tests()
    j1 = pd.DataFrame(res.caar).rename(columns={"tstat": "stat", "n": "nobs"})
    j1 = j1.assign(test="caar_j1", dist="N(0,1)", alternative=res.alternative)
    t = pd.concat([t, j1[[c for c in j1.columns if c in t.columns or c == "caar"]]])
    t.insert(0, "group", group)
    parts["tests"].append(t)
    parts["exclusions"].append(res.exclusions.rename(columns={"asset": "firm"}).assign(group=group))
