"""The placebo chart (eventstudy.plotting.gold.plot_placebo) draws what the results hold."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from eventstudy.plotting.gold import plot_placebo


def test_placebo_histogram_and_one_line_per_event():
    rng = np.random.default_rng(1)
    null = rng.standard_normal(2000)
    stats = [-1.5, 0.25, np.nan, 2.0]
    placebo = SimpleNamespace(null=null, events=pd.DataFrame({"stat": stats}), statistic="scar")
    ax = plot_placebo(SimpleNamespace(placebo=placebo))
    try:
        (hist,) = ax.patches  # the density as one filled outline
        xy = hist.get_path().vertices
        assert xy[:, 0].min() == null.min() and xy[:, 0].max() == null.max()
        counts, _ = np.histogram(null, bins=60, density=True)
        assert np.isclose(xy[:, 1].max(), counts.max())
        (lines,) = ax.collections  # the events' values, full height
        segments = lines.get_segments()
        assert [s[0][0] for s in segments] == [-1.5, 0.25, 2.0]
        assert all((s[0][1], s[1][1]) == (0, 1) for s in segments)
        assert lines.get_transform() == ax.get_xaxis_transform()
        assert ax.get_ylim()[1] < 1.0  # the lines do not stretch the density axis
        labels = ax.get_legend_handles_labels()[1]
        assert labels == ["placebo (non-event dates)", "events (n=3)"]
    finally:
        plt.close(ax.figure)
