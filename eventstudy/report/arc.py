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

from eventstudy.data.arc import ARC_MODELS, ArcModel, read_price_values, read_request
from eventstudy.engine.results import EventStudyResults
from eventstudy.engine.returns import to_returns
from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow, EventWindow, as_car_windows
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
        window of each group. A window is used in the groups whose event window holds it; one
        that fits no group (or has start > end) raises.
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

        Both apply to the firm and the market files. A value that is no price at all (blank,
        zero, ``inf``, ``nan``, ``C``) is treated as a missing price in the same way: outside
        every window it is ignored, inside an event's windows that event is excluded with the
        file, line and value in its reason.

    Returns
    -------
    Path
        The output directory.

    Raises
    ------
    DataFormatError
        A malformed input line (the message names the file and line).
    SpecificationError
        An unknown ``model``, ``returns``, ``negative_prices`` or ``convention``, or a CAR
        window that fits no group's event window.
    """
    _check_options(model, returns, negative_prices, convention)
    req = read_request(request)
    _check_car_windows(req, car_windows)
    firm_prices, firm_bad = _prices(firms, negative_prices)
    market_prices, market_bad = _prices(market, negative_prices)
    calendar = market_prices.index
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
        bad = _bad_price_exclusions(events, (firm_bad, market_bad), calendar, est, window)
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


def _check_options(model: str, returns: str, negative_prices: str, convention: str) -> None:
    """The options, checked before any file is read."""
    from eventstudy.engine.stats import resolve_options

    if model not in ARC_MODELS:
        raise SpecificationError(f"model={model!r} is not accepted; use one of {ARC_MODELS}")
    if returns not in ("log", "simple"):
        raise SpecificationError(f"returns={returns!r} is not accepted; use 'log' or 'simple'")
    if negative_prices not in NEGATIVE_PRICES:
        raise SpecificationError(
            f"negative_prices={negative_prices!r} is not accepted; use one of {NEGATIVE_PRICES}"
        )
    resolve_options(convention)  # SpecificationError listing the conventions


def _check_car_windows(req: pd.DataFrame, car_windows: Sequence[tuple[int, int]] | None) -> None:
    """Every CAR window fits the event window of some group (the engine's message if not)."""
    bounds = set(zip(req["event_start"], req["event_end"], strict=True))
    for car in car_windows or ():
        first: SpecificationError | None = None
        for start, end in sorted(bounds):
            try:
                as_car_windows([car], EventWindow(int(start), int(end)))
            except SpecificationError as exc:
                first = first or exc
            else:
                first = None
                break
        if first is not None:
            raise first


def _prices(path: str | Path, negative_prices: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A price file's usable prices (NaN where there is none) and its lines that are not.

    With ``negative_prices="abs"`` negative prices are used as their absolute value and are
    not problems.
    """
    prices, problems = read_price_values(path)
    negative = prices < 0
    if negative_prices == "abs":
        return prices.abs(), problems[problems["kind"] != "negative"]
    return prices.mask(negative), problems


def _bad_price_exclusions(
    events: pd.DataFrame,
    problems: tuple[pd.DataFrame, pd.DataFrame],
    calendar: pd.DatetimeIndex,
    est: EstimationWindow,
    window: tuple[int, int],
) -> pd.DataFrame:
    """Events whose estimation or event window holds a firm or market price that is not one.

    ``problems`` are the firm and market files' lines (:func:`read_price_values`); the price
    on the day before the estimation window counts (the first return needs it).
    """
    # a price on a day off the market calendar is never used, whatever it is
    firm_bad, market_bad = (bad[bad["date"].isin(calendar)] for bad in problems)
    rows = []
    columns = ["event_id", "asset", "market", "day0"]
    for event_id, firm, market, day0 in events[columns].itertuples(index=False):
        p0 = int(calendar.searchsorted(day0))
        lo, hi = max(p0 + est.start - 1, 0), min(p0 + window[1], len(calendar) - 1)
        first, last = calendar[lo], calendar[hi]
        reasons = [
            _reason(bad, name, first, last, what)
            for bad, name, what in ((firm_bad, firm, ""), (market_bad, market, "market "))
        ]
        reason = "; ".join(r for r in reasons if r)
        if reason:
            rows.append((event_id, firm, "data", reason))
    return pd.DataFrame(rows, columns=["event_id", "firm", "stage", "reason"])


def _reason(
    bad: pd.DataFrame, name: str, first: pd.Timestamp, last: pd.Timestamp, what: str
) -> str:
    """Why ``name``'s prices from ``first`` to ``last`` exclude an event ("" if they do not)."""
    inside = bad[(bad["name"] == name) & (bad["date"] >= first) & (bad["date"] <= last)]
    if inside.empty:
        return ""
    parts = []
    negative = inside[inside["kind"] == "negative"]
    if len(negative):
        when = ", ".join(f"{d:%d.%m.%Y}" for d in negative["date"])
        parts.append(
            f"negative price(s) of {what}{name} on {when} inside the estimation or event window "
            "(CRSP marks a bid/ask midpoint with a minus sign); rerun with "
            "--negative-prices abs to use them as prices"
        )
    other = inside[inside["kind"] != "negative"]
    if len(other):
        lines = "; ".join(other["message"])
        parts.append(
            f"no price of {what}{name} on {len(other)} day(s) inside the estimation or event "
            f"window ({lines}); correct the line(s) or delete them"
        )
    return "; ".join(parts)


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
