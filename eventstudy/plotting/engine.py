"""Plots of :class:`~eventstudy.engine.results.EventStudyResults`: CAR/CAAR paths and AR bars.

Each function takes ``ax=None`` (a new figure is made only then), draws decimal returns in
percent (the axis label says so) against trading-day offsets, returns the Axes and never calls
``plt.show()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes

from eventstudy.plotting._common import new_axes

if TYPE_CHECKING:
    from eventstudy.engine.results import EventStudyResults

__all__ = ["plot_ar", "plot_car"]


def plot_car(
    results: EventStudyResults,
    ax: Axes | None = None,
    *,
    event_id: str | None = None,
    level: float = 0.95,
) -> Axes:
    """Cumulative (average) abnormal return from the event-window start, with a band.

    Parameters
    ----------
    results : EventStudyResults
    ax : matplotlib Axes, optional
    event_id : str, optional
        Plot this event's CAR path (first asset of that event); default the CAAR path.
    level : float, default 0.95
        Coverage of the band (:meth:`EventStudyResults.path_conf_int`).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` holds the path in percent (y) against ``rel_day`` (x).
    """
    ax = new_axes(ax)
    path = results.path_conf_int(level, event_id=event_id)
    label = f"CAAR (N = {results.n_events})" if event_id is None else f"CAR {event_id}"
    x = path["rel_day"].to_numpy()
    ax.plot(x, 100 * path["estimate"], marker="o", ms=3, label=label)
    ax.fill_between(
        x, 100 * path["lower"], 100 * path["upper"], alpha=0.2, label=f"{level:.0%} band"
    )
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.axvline(0.0, color="0.5", lw=0.8, ls="--")
    ax.set_xlabel("trading days relative to day 0")
    ax.set_ylabel(f"cumulative abnormal {results.return_type} return (%)")
    ax.legend(loc="best")
    return ax


def plot_ar(
    results: EventStudyResults, ax: Axes | None = None, *, event_id: str | None = None
) -> Axes:
    """Bars of the average abnormal return per day (or one event's ARs), in percent.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.patches`` are the bars, heights in percent.
    """
    ax = new_axes(ax)
    if event_id is None:
        x = results.aar["rel_day"].to_numpy()
        y = results.aar["aar"].to_numpy()
        label = f"AAR (N = {results.n_events})"
    else:
        rows = results.ar[results.ar["event_id"] == str(event_id)]
        if rows.empty:
            raise KeyError(f"event_id {event_id!r} was not studied (see results.exclusions)")
        rows = rows[rows["asset"] == rows["asset"].iloc[0]]
        x, y = rows["rel_day"].to_numpy(), rows["ar"].to_numpy()
        label = f"AR {event_id}"
    colors = np.where(y >= 0, "tab:blue", "tab:red")
    ax.bar(x, 100 * y, color=colors, label=label)
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_xlabel("trading days relative to day 0")
    ax.set_ylabel(f"abnormal {results.return_type} return (%)")
    ax.legend(loc="best")
    return ax
