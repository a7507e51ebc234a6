"""The report figures' layout (eventstudy.plotting._layout) and the shared grid of odds panels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from eventstudy.plotting._layout import fit_margins
from eventstudy.plotting.claims import plot_threshold
from eventstudy.plotting.odds import plot_odds_path, plot_odds_paths


def _texts(fig):
    """Every text drawn: tick labels, axis labels, titles, annotations."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            yield from (tick.label1 for tick in axis._update_ticks() if tick.label1.get_text())
            yield from (axis.label, axis.offsetText)
        yield from (ax.title, *ax.texts)


def _crowded(ncols=1, scale=1.0):
    """Long tick labels (an offset text ``1e6`` at ``scale=1e6``), labels, titles of two lines
    and an annotation past the right edge, in each of ``ncols`` Axes."""
    fig, axes = plt.subplots(1, ncols, figsize=(7, 4), squeeze=False)
    for ax in axes[0]:
        ax.plot([0, 10], [-0.123456 * scale, 0.98765 * scale])
        ax.set_ylabel("a long label\nin two lines")
        ax.set_xlabel("trading days")
        ax.set_title("a title\nin two lines")
        ax.annotate("a label reaching past the right edge", (10, 0), xytext=(3, 3),
                    textcoords="offset points")  # fmt: skip
    return fig


def _laid_out_inside(fig):
    """``fit_margins(fig)``, then every text is inside the figure; returns the renderer."""
    fit_margins(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inside = fig.bbox.padded(0.5)
    for text in _texts(fig):
        box = text.get_window_extent(renderer)
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1, text.get_text()
        assert inside.y0 <= box.y0 and box.y1 <= inside.y1, text.get_text()
    return renderer


@pytest.mark.parametrize(("ncols", "scale"), [(1, 1.0), (2, 1.0), (1, 1e6), (2, 1e6)])
def test_every_text_inside_the_figure_and_apart(ncols, scale):
    fig = _crowded(ncols, scale)
    try:
        renderer = _laid_out_inside(fig)
        if ncols == 2:  # the left panel's annotation stops before the right panel's labels
            left, right = fig.axes
            reach = left.texts[0].get_window_extent(renderer).x1
            labels = [t.get_window_extent(renderer).x0 for t in right.get_yticklabels()]
            assert reach < min([right.yaxis.label.get_window_extent(renderer).x0, *labels])
    finally:
        plt.close(fig)


def test_shared_grid_whose_inner_panels_have_no_tick_labels():
    """Panels of a shared grid (no tick labels but on the grid's edges) are laid out too,
    every text inside the figure (small multiples of CAR paths)."""
    fig, axes = plt.subplots(2, 2, figsize=(7, 5), sharex=True, sharey=True)
    for ax in axes.flat:
        ax.plot([-10, 10], [-5.0, 12.0])
        ax.set_title("an id\na title")
    axes[1, 0].set_xlabel("trading days")
    axes[0, 0].set_ylabel("CAR (%)")
    try:
        _laid_out_inside(fig)
        assert not any(t.get_visible() for t in axes[0, 1].get_yticklabels())  # inner panel
    finally:
        plt.close(fig)


@pytest.mark.parametrize("ncols", [1, 2])
def test_margins_close_to_tight_layout(ncols):
    """The Axes take about the room tight_layout gives them (a fraction of an inch apart)."""
    fig = _crowded(ncols)
    try:
        fit_margins(fig)
        ours = [ax.get_position().bounds for ax in fig.axes]
        fig.tight_layout()
        theirs = [ax.get_position().bounds for ax in fig.axes]
    finally:
        plt.close(fig)
    np.testing.assert_allclose(ours, theirs, atol=0.03)


def test_a_figure_title_is_left_to_tight_layout(monkeypatch):
    fig = _crowded()
    fig.suptitle("whole figure")
    calls = []
    monkeypatch.setattr(type(fig), "tight_layout", lambda self, **kw: calls.append(kw))
    try:
        fit_margins(fig)
    finally:
        plt.close(fig)
    assert len(calls) == 1


def _market(i):
    t = pd.date_range("2025-03-01", periods=30, freq="D", tz="UTC")
    frame = pd.DataFrame({"t": t, "p": np.linspace(0.1, 0.2 + 0.1 * i, 30)})
    tau = pd.Timestamp("2025-03-15 12:00", tz="UTC")
    shifts = pd.DataFrame({"horizon": [pd.Timedelta("1D")], "t_before": [t[14]],
                           "p_before": [0.15], "t_after": [t[16]], "p_after": [0.2],
                           "status": ["ok"]})  # fmt: skip
    return (f"market {i}", frame, shifts, pd.NaT), tau


def test_odds_panels_share_their_axes_labels_outside():
    """Three markets in two columns: dates under the lowest panel of each column (the top
    right one has none below it), probabilities left of the first column only."""
    markets = [_market(i)[0] for i in range(3)]
    axes = plot_odds_paths(markets, _market(0)[1], title="event")
    fig = axes[0].figure
    try:
        fig.canvas.draw()
        dated = [any(t.get_visible() and t.get_text() for t in ax.get_xticklabels())
                 for ax in axes]  # fmt: skip
        assert dated == [False, True, True]
        assert [ax.get_xlabel() for ax in axes] == ["", "time (UTC)", "time (UTC)"]
        assert [bool(ax.get_ylabel()) for ax in axes] == [True, False, True]
        assert all(ax.get_legend() is None for ax in axes) and len(fig.legends) == 1
        assert {ax.get_xlim() for ax in axes} == {axes[0].get_xlim()}
    finally:
        plt.close(fig)


def test_odds_path_legend_optional():
    market, tau = _market(0)
    with_legend = plot_odds_path(market[1], market[2], tau)
    without = plot_odds_path(market[1], market[2], tau, legend=False)
    try:
        assert with_legend.get_legend() is not None
        assert without.get_legend() is None
        assert without.get_legend_handles_labels()[1] == with_legend.get_legend_handles_labels()[1]
    finally:
        plt.close(with_legend.figure)
        plt.close(without.figure)


def test_rehearsal_leaves_no_figure_and_no_setting(tmp_path, monkeypatch):
    from eventstudy.report.figures import rehearse

    monkeypatch.chdir(tmp_path)
    before = (plt.get_fignums(), matplotlib.rcParams["text.hinting"])
    rehearse()
    assert (plt.get_fignums(), matplotlib.rcParams["text.hinting"]) == before
    assert not list(tmp_path.iterdir())


HORIZON_TAU = pd.Timestamp("2025-03-01", tz="UTC")


def _after_market(after):
    """One market whose after samples are ``(horizon, days after the event, p)``."""
    t = pd.date_range(HORIZON_TAU - pd.Timedelta("14D"), HORIZON_TAU + pd.Timedelta("14D"),
                      freq="6h")  # fmt: skip
    samples = pd.DataFrame({"t": t, "p": np.full(len(t), 0.5)})
    rows = [{"horizon": pd.Timedelta(h), "t_before": HORIZON_TAU - pd.Timedelta("1h"),
             "p_before": 0.5, "t_after": HORIZON_TAU + pd.Timedelta(days=d), "p_after": p,
             "status": "ok"} for h, d, p in after]  # fmt: skip
    return ("m", samples, pd.DataFrame(rows), None)


@pytest.mark.parametrize(
    "after",
    [
        [("1D", 1, 0.45), ("3D", 2, 0.37)],  # near in time, apart in p: both above
        [("1D", 1, 0.60), ("3D", 2, 0.68)],
        [("1D", 0.5, 0.3), ("3D", 1.0, 0.3), ("7D", 1.5, 0.3)],  # three in a row
        [("1D", 1, 0.3), ("3D", 1, 0.3), ("7D", 2.5, 0.3)],  # a wide merged label first
        [("1D", 1, 0.5), ("3D", 2, 0.5)],
        [("1D", 1, 0.99), ("3D", 2, 0.99)],
        [("1D", 1, 0.02), ("3D", 2, 0.02)],  # at the bottom: not below the Axes
        [("1D", 13.5, 0.3), ("3D", 14, 0.3)],  # at the right edge: left of the points
        [("1D", 3, 0.3), ("3D", 2, 0.3)],  # not in time order
    ],
)
def test_horizon_labels_neither_overlap_nor_leave_the_axes(after):
    (ax,) = plot_odds_paths([_after_market(after)], HORIZON_TAU, title="e")
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()[:1] == "+"]
    assert len(boxes) == len({d for _, d, _ in after})  # a label per after time
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 for b in boxes)
    assert all(b.y1 <= frame.y1 for b in boxes)  # the probability axis reaches 1.1
    plt.close(fig)


def _threshold(n_series):
    """A threshold chart's data: ``n_series`` series (close, high, low each), horizons ending
    early, midway and on the last date shown (where the legend used to be, lower right)."""
    days = pd.bdate_range("2025-01-01", periods=120)
    rise = np.linspace(2600, 3400, len(days))
    names = ["GC=F", "GLD", "XAUUSD", "IAU"][:n_series]
    fields = [(s, f) for s in names for f in ("close", "high", "low")]
    path = pd.DataFrame({f"{s} {f}": rise + 10 * i for i, (s, f) in enumerate(fields)},
                        index=days)  # fmt: skip
    columns = pd.DataFrame(fields, index=path.columns, columns=["series", "field"])
    ends = [days[60], days[30], days[-1]]
    tokens = ["", "1M", "6M"]
    windows = [
        f"{t}: " * bool(t) + f"through {e.date()}" for t, e in zip(tokens, ends, strict=True)
    ]
    horizons = pd.DataFrame({"window": windows, "token": tokens, "end": ends,
                             "main": [True, False, False]})  # fmt: skip
    return {"kind": "threshold", "path": path, "path_columns": columns, "level": 3000.0,
            "above": True, "made_on": days[10], "horizons": horizons,
            "ends": dict(zip(horizons["window"], ends, strict=True)), "first": {},
            "p_noinfo": {"brownian": 0.5, "bootstrap": 0.5}, "unit": "USD/oz",
            "title": "c: gold tops $3,000"}  # fmt: skip


@pytest.mark.parametrize("n_series", [1, 2, 4])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_threshold_horizon_labels_clear_of_the_legend(lang, n_series):
    """No horizon label under the legend (the last one sat under it, lower right), the legend
    inside the figure, after the report's layout."""
    ax = plot_threshold(_threshold(n_series), lang=lang)
    fig = ax.figure
    try:
        renderer = _laid_out_inside(fig)
        legend = ax.get_legend().get_window_extent(renderer)
        assert fig.bbox.padded(0.5).contains(legend.x0, legend.y0)
        assert fig.bbox.padded(0.5).contains(legend.x1, legend.y1)
        labels = [t for t in ax.texts if t.get_rotation() == 90]
        assert len(labels) == 3
        for text in labels:
            assert not text.get_window_extent(renderer).overlaps(legend), text.get_text()
    finally:
        plt.close(fig)
