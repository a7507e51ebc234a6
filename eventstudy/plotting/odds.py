"""Plots of Polymarket odds around events (:mod:`eventstudy.odds.shift`).

One function per chart: ``ax=None`` in (a figure is made only then), the Axes out, never
``plt.show()``. Probabilities are drawn on [0, 1] with the unit in the axis label; times are UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from eventstudy.odds.results import GoldOddsAssociation, horizon_label
from eventstudy.plotting._common import axes_for, font_kw, literal_text, new_axes, set_title
from eventstudy.plotting._labels import Lang, check_lang, label, legend_kw, text_kw

__all__ = ["plot_gold_vs_odds", "plot_odds_path", "plot_odds_paths"]


def plot_odds_path(
    samples: pd.DataFrame,
    shifts: pd.DataFrame,
    event_time: Any,
    ax: Axes | None = None,
    title: str | None = None,
    *,
    closed_at: Any = None,
    before: Any = "14D",
    after: Any = "14D",
    legend: bool = True,
    lang: Lang = "en",
) -> Axes:
    """A market's probability path around an event, with the samples its shifts use.

    Draws what it is given; nothing is recomputed (the shifts come from
    :func:`eventstudy.odds.study.run_odds_study`, see :meth:`OddsStudyResults.event_markets`).

    Parameters
    ----------
    samples : DataFrame
        ``t`` (tz-aware UTC), ``p`` (probability in [0, 1]) of one outcome token.
    shifts : DataFrame
        That market's shift rows for the event: ``horizon``, ``t_before``, ``p_before``,
        ``t_after``, ``p_after``, ``status``.
    event_time : Timestamp-like, tz-aware
        Drawn as a vertical line.
    ax : matplotlib Axes, optional
        Drawn into; a new figure is made when None.
    title : str, optional
        Drawn literally (data text is never parsed as math).
    closed_at : Timestamp-like, optional
        Market close, drawn as a dotted line when in view.
    before, after : Timedelta-like, default "14D"
        Wall-clock span shown either side of the event.
    legend : bool, default True
        Draw the Axes' legend (:func:`plot_odds_paths` draws one for the figure instead).
    lang : {"en", "ja"}, default "en"
        Language of the axis labels and the legend (the title is drawn as given).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is the path (step plot: a sample's value holds until the next one),
        ``ax.lines[1]`` the event line; the before sample is a filled square, the after samples
        filled circles labelled with their horizon.

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    tau = pd.Timestamp(event_time).tz_convert("UTC")
    lo, hi = tau - pd.Timedelta(before), tau + pd.Timedelta(after)
    t = pd.to_datetime(samples["t"], utc=True)
    shown = samples[(t >= lo) & (t <= hi)]
    ax.plot(pd.to_datetime(shown["t"], utc=True), shown["p"], drawstyle="steps-post",
            marker=".", color="tab:gray", lw=1.2)  # fmt: skip
    ax.axvline(tau, color="tab:red", lw=1.2, label=label(lang, "event_at", time=tau))
    if closed_at is not None and not pd.isna(closed_at):
        close = pd.Timestamp(closed_at).tz_convert("UTC")
        if lo <= close <= hi:
            ax.axvline(close, color="black", lw=0.8, ls=":", label=label(lang, "market_close"))
    ok = shifts[shifts["status"] != "not_computable"]
    if len(ok):
        ax.scatter([ok["t_before"].iloc[0]], [ok["p_before"].iloc[0]], marker="s", s=60,
                   color="tab:blue", zorder=3, label=label(lang, "before_sample"))  # fmt: skip
        after_rows = ok.drop_duplicates("t_after")
        ax.scatter(after_rows["t_after"], after_rows["p_after"], s=50, color="tab:orange",
                   zorder=3, label=label(lang, "after_sample"))  # fmt: skip
        _label_after_samples(ax, ok, after_rows, (lo, hi))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(lo, hi)
    ax.set_ylabel(label(lang, "probability_token"), **text_kw(lang))
    ax.set_xlabel(label(lang, "time_utc"), **text_kw(lang))
    if title:
        set_title(ax, title)
    if legend:
        ax.legend(loc="best", **legend_kw(lang, 8))
    ax.tick_params(axis="x", labelrotation=30)  # this Axes only (autofmt_xdate walks them all)
    return ax


#: Vertical offsets (points; negative: below the sample) tried in turn for a horizon label.
LABEL_OFFSETS = (6, -14, 18, -26, 30, -38)

#: An 8-point horizon label's character width and line height, in points (a little over).
LABEL_CHAR, LABEL_LINE = 5.0, 11.0

#: Points a label may rise above the Axes (:func:`plot_odds_paths` raises the probability
#: axis to 1.1 after drawing, for the labels of samples at p = 1).
LABEL_ABOVE = 17.0


def _label_after_samples(
    ax: Axes, ok: pd.DataFrame, after_rows: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp]
) -> None:
    """Label each after sample with its horizons (``+1D/3D``), 4 points right of the point.

    Left of it when the label would pass the Axes' right edge. Vertically at the first of
    :data:`LABEL_OFFSETS` where the label stays inside the Axes (up to :data:`LABEL_ABOVE`
    over its top) without covering one placed before (else the first where it covers none,
    else the first offset); the boxes are
    estimated in points from the Axes' size on the canvas, the shown time ``span`` and the
    probability axis (-0.02 to 1.02).
    """
    lo, hi = span
    points = 72.0 / ax.figure.dpi  # per pixel of ax.bbox (the Axes on the canvas, no draw)
    width, height = ax.bbox.width * points, ax.bbox.height * points
    seconds = (hi - lo).total_seconds()
    placed: list[tuple[float, float, float, float]] = []
    for t_a, p_a in zip(after_rows["t_after"], after_rows["p_after"], strict=True):
        hs = ok.loc[ok["t_after"] == t_a, "horizon"]
        text = "+" + "/".join(horizon_label(h) for h in hs)
        x = (t_a - lo).total_seconds() / seconds * width
        wide = LABEL_CHAR * len(text)
        left = x + 4.0 + wide > width
        x0 = x - 4.0 - wide if left else x + 4.0
        y = (float(p_a) + 0.02) / 1.04 * height
        boxes = [(x0, y + dy, x0 + wide, y + dy + LABEL_LINE) for dy in LABEL_OFFSETS]
        clear = [not any(_overlap(b, q) for q in placed) for b in boxes]
        inside = [c and 0.0 <= b[1] and b[3] <= height + LABEL_ABOVE
                  for c, b in zip(clear, boxes, strict=True)]  # fmt: skip
        k = inside.index(True) if any(inside) else clear.index(True) if any(clear) else 0
        placed.append(boxes[k])
        offset = (-4 if left else 4, LABEL_OFFSETS[k])
        ax.annotate(text, (t_a, p_a), textcoords="offset points", xytext=offset, fontsize=8,
                    ha="right" if left else "left")  # fmt: skip


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether boxes ``(x0, y0, x1, y1)`` overlap (NaN coordinates never do)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def plot_odds_paths(
    markets: Sequence[tuple[str, pd.DataFrame, pd.DataFrame, Any]],
    event_time: Any,
    axes: Sequence[Axes] | None = None,
    title: str | None = None,
    *,
    ncols: int = 2,
    before: Any = "14D",
    after: Any = "14D",
    lang: Lang = "en",
) -> np.ndarray:
    """Several markets' probability paths around one event, one Axes per market.

    Parameters
    ----------
    markets : sequence of (title, samples, shifts, closed_at)
        Per market: the Axes title (e.g. the market question), its ``t``/``p`` samples, its
        shift rows and its close time (NaT/None when open), as
        :meth:`eventstudy.odds.results.OddsStudyResults.event_markets` gives them; each is drawn
        with :func:`plot_odds_path`.
    event_time : Timestamp-like, tz-aware
    axes : sequence of matplotlib Axes, optional
        At least ``len(markets)`` Axes to draw into; by default a new figure with a grid of
        ``ncols`` columns sharing their axes (every market is drawn over the same span and
        probability range: dates under the lowest panel of each column, probabilities left of
        the first column) and a fixed layout (no ``tight_layout`` needed).
    title : str, optional
        Figure title (``suptitle``).
    ncols : int, default 2
    before, after
        Passed to :func:`plot_odds_path`.
    lang : {"en", "ja"}, default "en"
        Language of the axis labels and the legend (titles are drawn as given).

    Returns
    -------
    numpy.ndarray of Axes
        The Axes drawn into, in the order of ``markets``. Their legends are replaced by one
        figure legend (the union of their entries); dates are ticked weekly as ``MM-DD``.

    Raises
    ------
    SpecificationError
        Fewer Axes than markets, or ``lang`` is not a language of the figures.
    """
    import matplotlib.dates as mdates

    check_lang(lang)
    n = len(markets)
    layout = None
    if axes is None:
        axes, layout = _grid(n, ncols)
    else:
        axes = axes_for(axes, n, "markets")
    drawn: list[Axes] = []
    handles: dict[str, Any] = {}
    for i, (name, frame, shifts, closed_at) in enumerate(markets):
        # set before drawing: the date units keep a locator set by hand (cheaper than auto)
        axes[i].xaxis.set_major_locator(mdates.DayLocator(interval=7))
        axes[i].xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
        ax = plot_odds_path(
            frame,
            shifts,
            event_time,
            ax=axes[i],
            title=name,
            closed_at=closed_at,
            before=before,
            after=after,
            legend=False,
            lang=lang,
        )
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(lab, h)
        ax.set_ylim(-0.02, 1.1)  # room for the horizon labels of samples at p = 1
        if n > 1:
            ax.set_ylabel(label(lang, "probability"), **text_kw(lang))
        drawn.append(ax)
    if drawn:
        _figure_legend_and_layout(drawn, handles, title, layout, lang)
    return np.array(drawn, dtype=object)


#: Inches of one row of the figure legend (8-point text).
LEGEND_ROW = 0.2


def _legend_columns(cols: int, n_entries: int, layout: dict | None) -> int:
    """Columns of the figure legend: one row, but two under a single column of panels.

    Two rows only in a figure :func:`_grid` made (``layout`` given), whose single column
    (``cols`` of the grid) is a 6-inch panel, narrower than the four entries side by side,
    and which has room below for them; in Axes passed in, one row as before.
    """
    if layout is None or cols > 1:
        return n_entries
    return max(1, -(-n_entries // 2))


def _grid(n: int, ncols: int) -> tuple[list[Axes], dict[str, float]]:
    """A new figure for ``n`` panels in ``ncols`` columns, their x and y axes shared.

    Returns its first ``n`` Axes (the others hidden) and the fixed layout
    (``subplots_adjust`` arguments) for :func:`_figure_legend_and_layout`.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    cols = max(1, min(int(ncols), n))
    rows = max(1, -(-n // cols))
    top, bottom, gap = 0.95, 0.95, 0.75  # inches: suptitle + titles; ticks + legend
    if cols == 1:  # a 6-inch figure: its legend takes two rows (_legend_columns)
        bottom += LEGEND_ROW
    height = rows * 2.9 + (rows - 1) * gap + top + bottom
    # Titles at the top of their Axes (where matplotlib would put them: no ticks above the
    # panels, no offset text on a probability axis) without the search for what is above
    # them, which measures every shared panel's axis for every title.
    with mpl.rc_context({"axes.titley": 1.0}):
        _, grid = plt.subplots(rows, cols, figsize=(6.0 * cols, height), squeeze=False,
                               sharex=True, sharey=True)  # fmt: skip
    layout = {
        "left": 0.75 / (6.0 * cols),
        "right": 1 - 0.15 / (6.0 * cols),
        "top": 1 - top / height,
        "bottom": bottom / height,
        "hspace": gap / 2.9,
        "wspace": 0.15,
    }
    flat = list(grid.ravel())
    for extra in flat[n:]:
        extra.set_visible(False)
    return flat[:n], layout


def _figure_legend_and_layout(
    drawn: list[Axes],
    handles: dict[str, Any],
    title: str | None,
    layout: dict | None,
    lang: Lang = "en",
) -> None:
    """Draw one figure legend for the panels, the figure title, and the layout.

    The layout only for a figure made by :func:`_grid`: dates and the time label under the
    lowest panel of each column, the probability label left of the first column.
    """
    fig = drawn[0].figure
    spec = drawn[0].get_subplotspec()
    cols = spec.get_gridspec().ncols if spec is not None else len(drawn)
    fig.legend(
        list(handles.values()),
        list(handles),
        loc="lower center",
        ncol=_legend_columns(cols, len(handles), layout),
        frameon=False,
        **legend_kw(lang, 8),
    )
    if title:
        fig.suptitle(literal_text(title), **font_kw(title))
    if layout is not None:
        fig.subplots_adjust(**layout)
        lowest = drawn[max(0, len(drawn) - cols) :]  # no panel below: show their dates
        for i, ax in enumerate(drawn):
            ax.set_xlabel(label(lang, "time_utc") if ax in lowest else "", **text_kw(lang))
            if i % cols:
                ax.set_ylabel("")
        for ax in lowest:
            ax.tick_params(axis="x", labelbottom=True, labelrotation=30)


MAX_LABELS = 40
"""Points of :func:`plot_gold_vs_odds` labelled with their event id by default."""


def plot_gold_vs_odds(
    association: GoldOddsAssociation,
    ax: Axes | None = None,
    title: str | None = None,
    *,
    max_labels: int | None = MAX_LABELS,
    lang: Lang = "en",
) -> Axes:
    """Scatter of gold CAR (percent) against the events' log-odds shift, one point per event.

    Parameters
    ----------
    association : GoldOddsAssociation
        From :func:`eventstudy.odds.shift.gold_odds_association`.
    ax : matplotlib Axes, optional
    title : str, optional
        Default: the permutation test's r and p-value.
    max_labels : int or None, default 40
        Label at most this many points with their event id: the places farthest from the
        centre of the cloud first (Euclidean distance in standard deviations of each axis;
        ties in table order), each once with the number of other events there (``"e1 +2"``),
        leaving out a label that would cover one already placed, so that the figure stays
        readable (a crowd of points near the centre is not labelled) and quick to draw. None
        labels every point, overlapping or not.
    lang : {"en", "ja"}, default "en"
        Language of the axis labels and the default title.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.collections[0]``: x = log-odds shift (nats), y = CAR in percent; ``ax.texts``:
        the labels.

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    table = association.table
    x = table["shift_logodds"].to_numpy(dtype=float)
    y = 100.0 * table["car"].to_numpy(dtype=float)
    ax.scatter(x, y, color="tab:blue")
    names = table["event_id"].to_numpy(dtype=object)
    for i, text in _labels(x, y, names, max_labels):
        ax.annotate(
            literal_text(text), (x[i], y[i]), textcoords="offset points", xytext=(3, 3),
            fontsize=7,
        )  # fmt: skip
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel(label(lang, "odds_shift"), **text_kw(lang))
    ax.set_ylabel(label(lang, "gold_car"), **text_kw(lang))
    if title is None:
        test = association.tests.get("pearson_permutation")
        if test is not None and np.isfinite(test.stat):
            title = label(lang, "permutation_title", r=test.stat, p=test.pvalue, n=test.nobs)
    if title:
        set_title(ax, title)
    return ax


def _labels(
    x: np.ndarray, y: np.ndarray, names: np.ndarray, limit: int | None
) -> list[tuple[int, str]]:
    """``(position, text)`` of the labels, in table order.

    Every point's event id (``limit`` None), or up to ``limit`` places, farthest from the
    centre first (in standard deviations), each named once (``"e1 +2"``: e1 and two other
    events at that point) and skipped when its label would cover one already placed.
    """
    n = len(x)
    if limit is None:
        return [(i, str(names[i])) for i in range(n)]
    places = pd.DataFrame({"x": x, "y": y})
    first = ~places.duplicated().to_numpy()
    size = places.groupby(["x", "y"], sort=False, dropna=False)["x"].transform("size").to_numpy()
    ok = first & np.isfinite(x) & np.isfinite(y)
    if not ok.any() or limit <= 0:
        return []
    xs, ys = x[ok], y[ok]
    width = max(float(np.ptp(xs)), 1e-12)
    height = max(float(np.ptp(ys)), 1e-12)
    far = np.hypot((x - xs.mean()) / (xs.std() or 1.0), (y - ys.mean()) / (ys.std() or 1.0))
    text = [str(names[i]) + (f" +{size[i] - 1}" if size[i] > 1 else "") for i in range(n)]
    # a label starts just right of its point; at 7 pt a character is under 1/80 of the data's
    # width and a line under 1/25 of its height (the report's 6.5 x 5 inch panels, the axes
    # 5% wider and higher than the data)
    reach = np.array([(len(t) + 2) / 80 * width for t in text])
    chosen: list[int] = []
    for i in np.flatnonzero(ok)[np.argsort(-far[ok], kind="stable")]:
        if all(
            x[i] + reach[i] < x[j] or x[j] + reach[j] < x[i] or abs(y[i] - y[j]) > height / 25
            for j in chosen
        ):
            chosen.append(int(i))
            if len(chosen) == limit:
                break
    return [(i, text[i]) for i in sorted(chosen)]
