"""The report's figures speak the report's language: its figure jobs pass ``lang`` through.

Every job of the snapshot report is drawn (not saved) in English and in Japanese and the words
of each figure are read back from matplotlib: axis labels, titles, legends, texts.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from eventstudy.exceptions import SpecificationError
from eventstudy.plotting._labels import LABELS

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _figure_texts(drawn) -> set[str]:
    if isinstance(drawn, np.ndarray):
        drawn = drawn.flat[0]
    fig = getattr(drawn, "figure", drawn)
    texts = {fig._suptitle.get_text()} if fig._suptitle is not None else set()
    for legend in fig.legends:
        texts.update(t.get_text() for t in legend.get_texts())
    for ax in fig.axes:
        texts.update((ax.get_xlabel(), ax.get_ylabel(), ax.get_title()))
        texts.update(t.get_text() for t in ax.texts)
        if ax.get_legend() is not None:
            texts.update(t.get_text() for t in ax.get_legend().get_texts())
    plt.close(fig)
    return texts - {""}


@pytest.fixture(scope="module")
def words(snapshot_report_run):
    """Per language, per figure file: the words drawn."""
    from eventstudy.report.figures import PARTS, part_jobs, part_results

    parts = part_results(snapshot_report_run.inputs)
    return {
        lang: {
            job.figure.name: _figure_texts(job.draw())
            for part in PARTS
            for job in part_jobs(part, parts[part], lang, False)
        }
        for lang in ("en", "ja")
    }


# fixed words (no fields) that differ between the languages
FIXED = [key for key, en in LABELS["en"].items() if "{" not in en and en != LABELS["ja"][key]]


def test_the_same_figures_in_both_languages(words):
    assert set(words["en"]) == set(words["ja"])
    assert any(name.startswith("fig_odds_") for name in words["ja"])
    assert "fig_claims.png" in words["ja"]


#: English of the fixed texts built from data (``"through {date}"``, ``"GC=F close"``); data
#: such as market questions are English and stay so
ENGLISH_WORDS = re.compile(r"through \d{4}-\d{2}-\d{2}|(?:^|\s)(?:close|high|low)$")


def test_japanese_figures_draw_no_english_fixed_words(words):
    english = {LABELS["en"][key] for key in FIXED}
    for name, texts in words["ja"].items():
        assert not texts & english, name
        assert not [t for t in texts if ENGLISH_WORDS.search(t)], name
        assert any(JAPANESE.search(t) for t in texts), name


def test_each_figure_draws_its_words_in_its_language(words):
    expected = {
        "fig_gold_events.png": "price_oz",
        "fig_gold_directions.png": "car_x",
        "fig_placebo.png": "density",
        "fig_car_paths.png": "car_y",
        "fig_gold_vs_odds.png": "odds_shift",
        "fig_claims.png": "verdicts_title",
    }
    for name, key in expected.items():
        for lang in ("en", "ja"):
            assert LABELS[lang][key] in words[lang][name], (lang, name)
    odds = [name for name in words["ja"] if name.startswith("fig_odds_")]
    for name in odds:
        assert LABELS["ja"]["time_utc"] in words["ja"][name]
        assert LABELS["en"]["time_utc"] in words["en"][name]
    claims = [name for name in words["ja"] if name.startswith("fig_claim_")]
    assert claims and all(
        any(t.startswith("情報がない場合の到達確率") for t in words["ja"][name]) for name in claims
    )


def test_japanese_odds_titles_are_the_id_then_the_japanese_title(words, snapshot_report_run):
    events = snapshot_report_run.inputs.events.set_index("event_id")
    for name, texts in words["ja"].items():
        if not name.startswith("fig_odds_"):
            continue
        eid = name[len("fig_odds_") : -len(".png")]
        (title,) = [t for t in texts if t.startswith(f"{eid}: ")]
        first, second = title.split("\n")
        assert first.endswith(" UTC")
        japanese = events.loc[eid, "title_ja"]
        assert second == japanese or (second.endswith("…") and japanese.startswith(second[:-1]))
        (english,) = [t for t in words["en"][name] if t.startswith(f"{eid}: ")]
        assert english == first  # English: one line, as before


def test_results_plot_shortcuts_pass_the_language(snapshot_report_run):
    """The results objects' ``plot`` methods draw the same words as the plotting functions."""
    inputs = snapshot_report_run.inputs
    gold, odds = inputs.gold, inputs.odds
    studied = gold.events.loc[gold.events["status"] == "studied", "unit_id"].iloc[0]
    linked = odds.details[odds.details["status"] == "ok"]["event_id"].iloc[0]
    association = next(iter(inputs.associations.values()))
    for lang, x_label in (
        ("en", "trading days relative to day 0"),
        ("ja", "0日目を基準とした取引日"),
    ):
        assert gold.plot(event_id=studied, lang=lang).get_xlabel() == x_label
        assert gold.plot(lang=lang).get_ylabel().startswith("price" if lang == "en" else "価格")
        assert gold.study.plot_car(lang=lang).get_xlabel() == x_label
        assert gold.study.plot_ar(lang=lang).get_xlabel() == x_label
        odds_ax = odds.plot(linked, lang=lang)
        assert odds_ax.get_xlabel() == ("time (UTC)" if lang == "en" else "時刻 (UTC)")
        scatter = association.plot(lang=lang)
        assert scatter.get_ylabel() == ("gold CAR (%)" if lang == "en" else "金のCAR (%)")
        plt.close("all")
    with pytest.raises(SpecificationError, match="'en', 'ja'"):
        gold.plot(lang="fr")


def test_horizon_labels_of_the_odds_figures_do_not_overlap(snapshot_report_run):
    """Every odds figure of the real catalog (all events): no two horizon labels overlap.

    Three panels had after samples closer than a label's width (+3D next to +7D).
    """
    from eventstudy.report.figures import part_jobs, part_results

    parts = part_results(snapshot_report_run.inputs)
    labelled = 0
    for job in part_jobs("odds", parts["odds"], "en", True):
        drawn = job.draw()
        fig = drawn.flat[0].figure if isinstance(drawn, np.ndarray) else drawn.figure
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()[:1] == "+"]
            labelled += len(boxes)
            pairs = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]]
            assert not [p for p in pairs if p[0].overlaps(p[1])], job.figure.name
        plt.close(fig)
    assert labelled > 100  # the real catalog's markets: 187 labels


def test_gold_vs_odds_labels_do_not_overlap(snapshot_report_run):
    """The association figure of the real catalog labels the outlying events, no two labels
    overlapping (its 27 points crowd near the origin: they are left unlabelled)."""
    from eventstudy.report.figures import part_jobs, part_results

    parts = part_results(snapshot_report_run.inputs)
    (job,) = part_jobs("association", parts["association"], "en", False)
    drawn = job.draw()
    fig = drawn.flat[0].figure if isinstance(drawn, np.ndarray) else getattr(drawn, "figure", drawn)
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        boxes = [t.get_window_extent(renderer) for t in ax.texts]
        assert len(boxes) >= 8  # the outliers keep their names
        pairs = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]]
        assert not [p for p in pairs if p[0].overlaps(p[1])]
    plt.close(fig)
