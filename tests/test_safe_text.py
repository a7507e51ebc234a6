"""Untrusted text in plots and CSV files (issue 16 item 6): drawn literally, never a formula."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from eventstudy.plotting._common import literal_text, set_title
from eventstudy.report.safe_csv import neutralise, safe_frame, write_csv

HOSTILE = ["$\\foo$", "costs $5 or $6", "a \\$ b $c$", "$", "$$"]


@pytest.mark.parametrize("text", HOSTILE)
def test_data_text_is_drawn_as_written(text):
    fig, ax = plt.subplots()
    try:
        set_title(ax, text)
        fig.canvas.draw()  # mathtext would raise here for $\foo$
        shown, is_math = ax.title._preprocess_math(ax.title.get_text())
        assert (shown, is_math) == (text, False)
        label = ax.annotate(literal_text(text), (0, 0))
        assert label._preprocess_math(label.get_text()) == (text, False)
    finally:
        plt.close(fig)


def test_long_titles_are_wrapped_before_escaping():
    fig, ax = plt.subplots()
    try:
        text = "x" * 30 + "$" + "y" * 60 + "$"  # wrapping breaks the long word
        set_title(ax, text, width=40)
        fig.canvas.draw()
        shown, is_math = ax.title._preprocess_math(ax.title.get_text())
        assert shown.replace("\n", "") == text and not is_math
    finally:
        plt.close(fig)


def test_odds_path_with_a_hostile_question_draws(tmp_path):
    from eventstudy.plotting.odds import plot_odds_paths

    t = pd.date_range("2025-03-01", periods=30, freq="D", tz="UTC")
    frame = pd.DataFrame({"t": t, "p": [0.2 + 0.01 * i for i in range(30)]})
    shifts = frame.iloc[:0].assign(status=[], t_before=[], p_before=[], t_after=[],
                                   p_after=[], horizon=[])  # fmt: skip
    axes = plot_odds_paths(
        [("Will gold be $\\foo$ above $3000?", frame, shifts, pd.NaT)],
        pd.Timestamp("2025-03-15 12:00", tz="UTC"),
        title="event $x$",
    )
    fig = axes[0].figure
    fig.savefig(tmp_path / "odds.png")
    assert axes[0].title._preprocess_math(axes[0].title.get_text())[1] is False
    plt.close(fig)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-0.5", "-0.5"),
        ("+3", "+3"),
        ("-1.2e-3", "-1.2e-3"),
        ("Gold -5 %", "Gold -5 %"),
        ("", ""),
    ],
)
def test_formula_cells_are_neutralised_numbers_kept(value, written):
    assert neutralise(value) == written


def test_csv_writer_touches_text_columns_only(tmp_path):
    frame = pd.DataFrame(
        {
            "title": ["=cmd|' /C calc'!A0", "plain"],
            "car": [-0.05, 0.01],
            "n": [3, 4],
            "slugs": [["-a"], []],
        }
    )
    safe = safe_frame(frame)
    assert safe["title"].tolist() == ["'=cmd|' /C calc'!A0", "plain"]
    assert safe["car"].tolist() == [-0.05, 0.01] and safe["car"].dtype == float
    assert safe["slugs"].tolist() == [["-a"], []]
    write_csv(frame, tmp_path / "x.csv")
    back = pd.read_csv(tmp_path / "x.csv")
    assert back["car"].tolist() == [-0.05, 0.01]  # a negative number is not a formula
    assert back["title"].iloc[0].startswith("'=")
