"""Figure margins from the extents of the Axes' texts: a lighter ``tight_layout``.

:func:`fit_margins` leaves room for what is drawn outside each Axes (tick labels, axis labels,
titles, texts and annotations) with the padding ``tight_layout`` uses. It measures only those
texts, with the renderer the figure is then saved with (the measures are cached and used again
by the drawing), instead of the bounding box of every artist ``tight_layout`` computes (line
paths, legends, collections): about a third of the drawing time of a small figure. Legends are
taken to be inside their Axes, unless anchored elsewhere (``bbox_to_anchor``): those are
measured too.
"""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["fit_margins"]

OFFSET_PAD = 3.0
"""Points between an axis's offset text (``1e6``) and what it is drawn beside (matplotlib's)."""

PAD = 1.08
"""Padding around the texts, as a fraction of the font size (``tight_layout``'s default)."""


def fit_margins(fig: Figure, pad: float = PAD) -> None:
    """Set the subplot parameters of ``fig`` so that its Axes' texts fit in the figure.

    Parameters
    ----------
    fig : Figure
        Axes on one grid (``subplots``), none hidden, no figure legend or title: other
        figures (or a canvas without an Agg renderer) are laid out by ``tight_layout``.
    pad : float, default 1.08
        Space between the texts and the figure's edges, and between neighbouring Axes'
        texts, as a fraction of the font size.
    """
    axes = [ax for ax in fig.axes if ax.get_visible()]
    grid = _grid(fig, axes)
    if grid is None:
        fig.tight_layout(pad=pad)
        return
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    space = pad * mpl.rcParams["font.size"] * fig.dpi / 72.0
    room = {ax: _overhang(ax, renderer, fig.dpi) for ax in axes}
    nrows, ncols = grid
    width, height = fig.bbox.width, fig.bbox.height
    left, bottom, right, top = (max(r[i] for r in room.values()) + space for i in range(4))
    gap_x = max(room[ax][2] for ax in axes) + max(room[ax][0] for ax in axes) + space
    gap_y = max(room[ax][1] for ax in axes) + max(room[ax][3] for ax in axes) + space
    cell_w = (width - left - right - (ncols - 1) * gap_x) / ncols
    cell_h = (height - bottom - top - (nrows - 1) * gap_y) / nrows
    if cell_w <= 0 or cell_h <= 0:  # texts larger than the figure: as tight_layout would
        fig.tight_layout(pad=pad)
        return
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height, wspace=gap_x / cell_w,
                        hspace=gap_y / cell_h)  # fmt: skip


def _grid(fig: Figure, axes: list[Axes]) -> tuple[int, int] | None:
    """``(nrows, ncols)`` of the one grid every Axes is on, else None (tight_layout)."""
    if not axes or fig.legends or fig.texts or not hasattr(fig.canvas, "get_renderer"):
        return None
    specs = [ax.get_subplotspec() for ax in axes]
    if any(spec is None for spec in specs) or fig.get_layout_engine() is not None:
        return None
    grids = {spec.get_gridspec() for spec in specs if spec is not None}
    if len(grids) != 1 or len(fig.axes) != len(axes):
        return None
    return grids.pop().get_geometry()


def _overhang(ax: Axes, renderer: RendererBase, dpi: float) -> tuple[float, float, float, float]:
    """Pixels the Axes' texts reach beyond its box: left, bottom, right, top (each >= 0).

    Tick labels, the title, the Axes' texts and an anchored legend are measured where they
    are; the axis labels are stacked beyond the tick labels (where drawing puts them) with
    their ``labelpad``, and the axes' offset texts (``1e6``) beyond the tick labels, the title
    above that of y.
    """
    ax.apply_aspect()  # the Axes' place and its data limits (autoscaled), as drawing sets them
    ax.get_xlim()
    box = ax.bbox
    titles = [getattr(ax, name) for name in ("title", "_left_title", "_right_title")]
    extents = [t.get_window_extent(renderer) for t in [*titles, *ax.texts] if _shown(t)]
    legend = ax.get_legend()
    if legend is not None and legend.get_visible() and legend.get_bbox_to_anchor() is not box:
        extents.append(legend.get_window_extent(renderer))  # e.g. beside the Axes
    ticks_x = [b for b in [_tick_extent(ax.xaxis, renderer)] if b is not None]
    ticks_y = [b for b in [_tick_extent(ax.yaxis, renderer)] if b is not None]
    union = Bbox.union([box, *extents, *ticks_x, *ticks_y])
    left, bottom = box.x0 - union.x0, box.y0 - union.y0
    right, top = union.x1 - box.x1, union.y1 - box.y1
    xlabel, ylabel = ax.xaxis.label, ax.yaxis.label
    below = box.y0 - min([box.y0, *[b.y0 for b in ticks_x]])
    if _shown(ax.xaxis.offsetText):  # e.g. "1e6", under the tick labels
        offset = ax.xaxis.offsetText.get_window_extent(renderer).height
        bottom = max(bottom, below + OFFSET_PAD * dpi / 72.0 + offset)
    if _shown(ax.yaxis.offsetText):  # above the Axes, the title above it
        top += OFFSET_PAD * dpi / 72.0 + ax.yaxis.offsetText.get_window_extent(renderer).height
    if _shown(xlabel):
        below += ax.xaxis.labelpad * dpi / 72.0 + xlabel.get_window_extent(renderer).height
        bottom = max(bottom, below)
    if _shown(ylabel):
        beside = box.x0 - min([box.x0, *[b.x0 for b in ticks_y]])
        beside += ax.yaxis.labelpad * dpi / 72.0 + ylabel.get_window_extent(renderer).width
        left = max(left, beside)
    return max(left, 0.0), max(bottom, 0.0), max(right, 0.0), max(top, 0.0)


def _shown(text: Text) -> bool:
    return bool(text.get_visible() and text.get_text())


def _tick_labels(axis: Axis) -> Iterable[Text]:
    """The labels of the major ticks drawn (inside the view interval)."""
    axis.get_majorticklabels()  # ticks placed and labelled as they will be drawn
    axis.offsetText.set_text(axis.get_major_formatter().get_offset())  # as drawing sets it
    lo, hi = sorted(axis.get_view_interval())
    eps = 1e-10 * max(abs(lo), abs(hi), 1.0)
    for tick in axis.get_major_ticks():
        if lo - eps <= tick.get_loc() <= hi + eps:
            yield tick.label1
            yield tick.label2


def _tick_extent(axis: Axis, renderer: RendererBase) -> Bbox | None:
    """Union of the drawn tick labels' extents, None when there are none."""
    boxes = [t.get_window_extent(renderer) for t in _tick_labels(axis) if _shown(t)]
    return Bbox.union(boxes) if boxes else None
