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
from eventstudy.plotting._labels import Lang, check_lang, label, legend_kw, text_kw, word

if TYPE_CHECKING:
    from eventstudy.engine.results import EventStudyResults

__all__ = ["plot_ar", "plot_car"]


def plot_car(
    results: EventStudyResults,
    ax: Axes | None = None,
    *,
    event_id: str | None = None,
    level: float = 0.95,
    lang: Lang = "en",
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
    lang : {"en", "ja"}, default "en"
        Language of the axis labels and the legend.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` holds the path in percent (y) against ``rel_day`` (x).

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    path = results.path_conf_int(level, event_id=event_id)
    name = (
        label(lang, "caar_n", n=results.n_events)
        if event_id is None
        else label(lang, "car_of", event_id=event_id)
    )
    x = path["rel_day"].to_numpy()
    ax.plot(x, 100 * path["estimate"], marker="o", ms=3, label=name)
    band = label(lang, "band", level=level)
    ax.fill_between(x, 100 * path["lower"], 100 * path["upper"], alpha=0.2, label=band)
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.axvline(0.0, color="0.5", lw=0.8, ls="--")
    ax.set_xlabel(label(lang, "car_x"), **text_kw(lang))
    ax.set_ylabel(
        label(lang, "car_y_of", kind=word(lang, "return", results.return_type)), **text_kw(lang)
    )
    ax.legend(loc="best", **legend_kw(lang))
    return ax


def plot_ar(
    results: EventStudyResults,
    ax: Axes | None = None,
    *,
    event_id: str | None = None,
    lang: Lang = "en",
) -> Axes:
    """Bars of the average abnormal return per day (or one event's ARs), in percent.

    Parameters
    ----------
    results : EventStudyResults
    ax : matplotlib Axes, optional
    event_id : str, optional
        Draw this event's ARs (first asset of that event); default the AAR.
    lang : {"en", "ja"}, default "en"
        Language of the axis labels and the legend.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.patches`` are the bars, heights in percent.

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    if event_id is None:
        x = results.aar["rel_day"].to_numpy()
        y = results.aar["aar"].to_numpy()
        name = label(lang, "aar_n", n=results.n_events)
    else:
        rows = results.ar[results.ar["event_id"] == str(event_id)]
        if rows.empty:
            raise KeyError(f"event_id {event_id!r} was not studied (see results.exclusions)")
        rows = rows[rows["asset"] == rows["asset"].iloc[0]]
        x, y = rows["rel_day"].to_numpy(), rows["ar"].to_numpy()
        name = label(lang, "ar_of", event_id=event_id)
    colors = np.where(y >= 0, "tab:blue", "tab:red")
    ax.bar(x, 100 * y, color=colors, label=name)
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_xlabel(label(lang, "car_x"), **text_kw(lang))
    ax.set_ylabel(
        label(lang, "ar_y_of", kind=word(lang, "return", results.return_type)), **text_kw(lang)
    )
    ax.legend(loc="best", **legend_kw(lang))
    return ax
