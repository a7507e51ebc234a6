"""Plots of :class:`~eventstudy.gold.results.GoldStudyResults`.

One function per chart (alphalens style): ``ax=None`` in (a figure is made only then), the Axes
out, never ``plt.show()``. Returns are drawn in percent and prices in USD/oz, with the unit in
the axis label; x axes are trading-day offsets from day 0 or calendar dates. Japanese titles
render with the IPAexGothic font shipped by ``matplotlib-fontja`` (registered on import here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from eventstudy.plotting._common import (
    JAPANESE_FONT,
    axes_for,
    font_kw,
    literal_text,
    new_axes,
    set_title,
)
from eventstudy.plotting._labels import Lang, check_lang, label, legend_kw, text_kw, word

if TYPE_CHECKING:  # no import at run time: results import this module's functions lazily
    from eventstudy.gold.results import GoldStudyResults

__all__ = [
    "JAPANESE_FONT",
    "plot_caar_by_group",
    "plot_event_car",
    "plot_event_cars",
    "plot_gold_with_events",
    "plot_placebo",
]

_COLORS = {"up": "tab:red", "down": "tab:blue", "none": "tab:gray"}


def _integer_x(ax: Axes) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _event_time_axes(ax: Axes, y_key: str, lang: Lang) -> None:
    """Label a one-panel chart in event time: x in trading days (whole ticks), y, legend."""
    ax.set_xlabel(label(lang, "car_x"), **text_kw(lang))
    _integer_x(ax)
    ax.set_ylabel(label(lang, y_key), **text_kw(lang))
    ax.legend(loc="best", **legend_kw(lang, 8))


def plot_event_car(
    results: GoldStudyResults,
    event_id: str,
    ax: Axes | None = None,
    *,
    level: float = 0.95,
    title: str | None = None,
    lang: Lang = "en",
) -> Axes:
    """One event's cumulative abnormal return over the event window, with a band.

    Parameters
    ----------
    results : GoldStudyResults
    event_id : str
        A studied unit (event id, or episode id under ``overlap="merge"``).
    ax : matplotlib Axes, optional
    level : float, default 0.95
        Coverage of the pointwise band (t(df) of the event; see
        :meth:`eventstudy.engine.results.EventStudyResults.path_conf_int`).
    title : str, optional
        Default: the event's Japanese title and its id.
    lang : {"en", "ja"}, default "en"
        Language of the axis labels and the legend.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: CAR in percent (y) against the trading-day offset (x).

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    _draw_car_path(ax, results, event_id, level, lang)
    if title is None:
        japanese = _japanese_title(results, event_id)
        title = f"{japanese} ({event_id})" if japanese else event_id
    set_title(ax, title)
    _event_time_axes(ax, "car_y", lang)
    return ax


def plot_event_cars(
    results: GoldStudyResults,
    event_ids: Sequence[str],
    axes: Sequence[Axes] | None = None,
    *,
    level: float = 0.95,
    ncols: int = 3,
    lang: Lang = "en",
) -> np.ndarray:
    """Several events' CAR paths as small multiples, on one scale.

    Each panel is :func:`plot_event_car`'s chart of one unit; in a new figure the panels share
    their axes (the same trading-day offsets and the same percent scale, so that the paths can
    be compared at a glance; ``axes`` passed in are drawn as they are: share them for one
    scale), the axis labels sit at the grid's edges and one legend, in the first panel, names
    the line, the band and the main window.

    Parameters
    ----------
    results : GoldStudyResults
    event_ids : sequence of str
        Studied units (event ids, or episode ids under ``overlap="merge"``), one panel each,
        in this order (row by row).
    axes : sequence or array of matplotlib Axes, optional
        At least ``len(event_ids)`` Axes to draw into, taken row by row (a 2-D array from
        ``plt.subplots`` is flattened); by default a new figure with a grid of ``ncols``
        columns sharing their x and y axes (panels left over are hidden).
    level : float, default 0.95
        Coverage of the pointwise bands (as in :func:`plot_event_car`).
    ncols : int, default 3
        Columns of the new grid.
    lang : {"en", "ja"}, default "en"
        Language of the axis labels and the legend.

    Returns
    -------
    numpy.ndarray of Axes
        The Axes drawn into, in the order of ``event_ids``; ``lines[0]`` of each is the CAR in
        percent against the trading-day offset. Titles: the unit's id, then its Japanese title
        (when it is a catalog event).

    Raises
    ------
    SpecificationError
        Fewer Axes than units, or ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    n = len(event_ids)
    if axes is None:
        axes = _car_grid(n, ncols) if n else []  # no units: no (empty) figure either
    else:
        axes = axes_for(axes, n, "units")
    drawn = list(axes[:n])
    for ax, unit in zip(drawn, event_ids, strict=True):
        _draw_car_path(ax, results, unit, level, lang)
        japanese = _japanese_title(results, unit)
        set_title(ax, japanese, width=TITLE_WIDTH, max_lines=2, first=unit)
        ax.title.set_fontsize(9)
        _integer_x(ax)  # every panel: axes passed in need not share their x axis
    if drawn:
        drawn[0].legend(loc="best", **legend_kw(lang, 7))  # where it hides least of the path
        _edge_labels(drawn, lang)
    return np.array(drawn, dtype=object)


def _edge_labels(drawn: list[Axes], lang: Lang) -> None:
    """Axis labels of small multiples: x under the lowest panels, y left of the first column."""
    for ax in drawn:
        spec = ax.get_subplotspec()
        if spec is None or spec.is_last_row() or ax is drawn[-1]:
            ax.set_xlabel(label(lang, "car_x"), fontsize=9, **text_kw(lang))
        if spec is None or spec.is_first_col():
            ax.set_ylabel(label(lang, "car_y"), fontsize=9, **text_kw(lang))


def _car_grid(n: int, ncols: int) -> list[Axes]:
    """The Axes of a new figure for ``n`` CAR panels in ``ncols`` columns (x and y shared).

    Panels left over in the last row are hidden; the x tick labels of the panel above a
    hidden one are shown (it is the lowest of its column).
    """
    import matplotlib.pyplot as plt

    cols = max(1, min(int(ncols), n))
    rows = max(1, -(-n // cols))
    fig, grid = plt.subplots(rows, cols, figsize=(3.6 * cols, 0.4 + 3.0 * rows), squeeze=False,
                             sharex=True, sharey=True)  # fmt: skip
    flat = list(grid.flat)
    for ax in flat[n:]:
        fig.delaxes(ax)
    for ax in flat[max(0, n - cols) : n]:  # lowest panel of its column
        ax.xaxis.set_tick_params(labelbottom=True)
    return flat[:n]


TITLE_WIDTH = 46
"""Columns of a small-multiples panel's title (a CJK character counts two); two lines at most."""


def _draw_car_path(
    ax: Axes, results: GoldStudyResults, unit: str, level: float, lang: Lang
) -> None:
    """A unit's CAR path (percent) with its band, the main window and the zero lines."""
    try:
        path = results.study.path_conf_int(level, event_id=unit)
    except KeyError:
        raise KeyError(f"{unit!r} is not a studied unit of these results") from None
    x = path["rel_day"].to_numpy()
    ax.plot(x, 100 * path["estimate"], color="black", marker="o", ms=3, label="CAR")
    ax.fill_between(
        x,
        100 * path["lower"],
        100 * path["upper"],
        color="gray",
        alpha=0.25,
        label=label(lang, "band", level=level),
    )
    w0, w1 = results.main_window
    window = label(lang, "main_window", w0=w0, w1=w1)
    ax.axvspan(w0 - 0.5, w1 + 0.5, color="gold", alpha=0.2, label=window)
    ax.axhline(0, color="gray", lw=0.8)
    ax.axvline(0, color="gray", lw=0.8, ls="--")


def _japanese_title(results: GoldStudyResults, unit: str) -> str:
    """The catalog's Japanese title of an event id; ``""`` for an episode id or no title."""
    row = results.events[results.events["event_id"] == unit]
    if not len(row) or pd.isna(row["title_ja"].iloc[0]):
        return ""
    return str(row["title_ja"].iloc[0])


def plot_caar_by_group(
    results: GoldStudyResults,
    ax: Axes | None = None,
    *,
    by: str = "gold_direction",
    level: float = 0.95,
    title: str | None = None,
    lang: Lang = "en",
) -> Axes:
    """Mean CAR path per group (default: expected gold direction), with t bands.

    Parameters
    ----------
    results : GoldStudyResults
    ax : matplotlib Axes, optional
    by : str, default "gold_direction"
        Column of ``results.events`` to group by (``gold_direction`` or ``category``).
    level : float, default 0.95
    title : str, optional
    lang : {"en", "ja"}, default "en"
        Language of the default title, the axis labels and the legend (in Japanese the
        expected directions are named in Japanese).

    Returns
    -------
    matplotlib.axes.Axes
        One line per group, in percent, labelled ``"<group> (n=...)"``.

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    paths = results.group_paths(by=by, level=level)
    for grp, g in paths.groupby("group"):
        color = _COLORS.get(grp)
        x = g["rel_day"].to_numpy()
        group = word(lang, "direction", grp) if by == "gold_direction" else grp
        name = literal_text(label(lang, "group_n", group=group, n=int(g["n"].max())))
        ax.plot(x, 100 * g["mean_car"], color=color, label=name)
        ax.fill_between(x, 100 * g["lower"], 100 * g["upper"], color=color, alpha=0.15)
    ax.axhline(0, color="gray", lw=0.8)
    ax.axvline(0, color="gray", lw=0.8, ls="--")
    title = title or label(lang, "caar_title", by=word(lang, "by", by))
    ax.set_title(title, **font_kw(title))
    _event_time_axes(ax, "caar_y", lang)
    return ax


def plot_gold_with_events(
    results: GoldStudyResults,
    ax: Axes | None = None,
    *,
    start: Any = None,
    end: Any = None,
    title: str | None = None,
    annotate: bool = False,
    lang: Lang = "en",
) -> Axes:
    """Gold price over time with a marker at each event's day 0, coloured by direction.

    Parameters
    ----------
    results : GoldStudyResults
    ax : matplotlib Axes, optional
    start, end : date-like, optional
        Date range; default from 60 trading days before the first event to the data end.
    title : str, optional
        Default a Japanese title.
    annotate : bool, default False
        Write each event id beside its marker.
    lang : {"en", "ja"}, default "en"
        Language of the default title, the axis label and the legend.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is the price in USD/oz; one scatter collection per direction.

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax, figsize=(10, 4))
    close = results.close
    ev = results.events.dropna(subset=["day0"])
    ev = ev[pd.to_datetime(ev["day0"]) <= close.index[-1]]
    if start is None and len(ev):
        first = close.index.searchsorted(pd.to_datetime(ev["day0"]).min())
        start = close.index[max(first - 60, 0)]
    close = close.loc[start:end]
    ax.plot(
        close.index, close.to_numpy(), color="goldenrod", lw=1.2, label=results.settings["gold"]
    )
    for direction, g in ev.groupby("gold_direction"):
        d = pd.DatetimeIndex(g["day0"])
        d = d[(d >= close.index[0]) & (d <= close.index[-1])]
        y = close.reindex(d).to_numpy()
        ax.scatter(
            d,
            y,
            color=_COLORS.get(direction, "black"),
            s=18,
            zorder=3,
            label=literal_text(
                label(lang, "event_expected", direction=word(lang, "direction", direction))
            ),
        )
        if annotate:
            for dd, yy, eid in zip(d, y, g["event_id"], strict=False):
                ax.annotate(literal_text(eid), (dd, yy), fontsize=6, rotation=60)
    title = title or label(lang, "gold_title")
    ax.set_title(title, **font_kw(title))
    unit = "price_oz" if results.settings["gold"] == "GC=F" else "price_share"
    ax.set_ylabel(label(lang, unit), **text_kw(lang))
    ax.legend(loc="upper left", **legend_kw(lang, 8))
    return ax


def plot_placebo(
    results: GoldStudyResults,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    lang: Lang = "en",
) -> Axes:
    """Placebo distribution of the CAR statistic with each studied event's value marked.

    Parameters
    ----------
    results : GoldStudyResults
    ax : matplotlib Axes, optional
    title : str, optional
        Default a Japanese title.
    lang : {"en", "ja"}, default "en"
        Language of the axis labels and the legend.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    null = results.placebo.null
    ax.hist(
        null,
        bins=60,
        color="lightgray",
        density=True,
        histtype="stepfilled",
        label=label(lang, "placebo"),
    )  # one outline, not 60 bars: the same picture
    vals = results.placebo.events["stat"].dropna().to_numpy()
    ax.vlines(vals, 0, 1, transform=ax.get_xaxis_transform(), color="tab:red", lw=0.6,
              alpha=0.6)  # full-height lines, one collection  # fmt: skip
    ax.plot([], [], color="tab:red", label=label(lang, "events_n", n=len(vals)))
    stat = results.placebo.statistic
    ax.set_xlabel(label(lang, "scar" if stat == "scar" else "car_decimal"), **text_kw(lang))
    ax.set_ylabel(label(lang, "density"), **text_kw(lang))
    title = title or label(lang, "placebo_title")
    ax.set_title(title, **font_kw(title))
    ax.legend(**legend_kw(lang, 8))
    return ax
