"""The figures' words in English and Japanese (eventstudy.plotting._labels).

``lang="en"`` (the default) draws the words the plots always drew, character for character;
``lang="ja"`` draws them in Japanese, in the IPAexGothic font; any other language is refused
before a figure is made. The results drawn are small fakes with the attributes the plots read.
"""

from __future__ import annotations

import string
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from eventstudy.exceptions import SpecificationError
from eventstudy.plotting import claims as cplot
from eventstudy.plotting import engine as eplot
from eventstudy.plotting import gold as gplot
from eventstudy.plotting import odds as oplot
from eventstudy.plotting._common import JAPANESE_FONT
from eventstudy.plotting._labels import LABELS, LANGUAGES, check_lang, label, word


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _fields(text):
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _is_japanese_font(text):
    path = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
    return "ipaex" in path.lower()


def _names_japanese_font(texts, lang):
    """Japanese texts name the Japanese font themselves (whatever matplotlib's default font);
    English ones are drawn in the default font (IPAexGothic, from matplotlib_fontja)."""
    if lang == "ja":
        return all(t.get_fontfamily() == [JAPANESE_FONT] for t in texts)
    return all(_is_japanese_font(t) for t in texts)


# --------------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------------


def test_every_key_in_both_languages_with_the_same_fields():
    assert LANGUAGES == ("en", "ja")
    assert set(LABELS["en"]) == set(LABELS["ja"])
    for key, en in LABELS["en"].items():
        assert _fields(en) == _fields(LABELS["ja"][key]), key


def test_the_japanese_font_has_every_character_of_the_japanese_words():
    """No tofu: IPAexGothic has a glyph for each character of every Japanese label."""
    path = font_manager.findfont(
        font_manager.FontProperties(family=JAPANESE_FONT), fallback_to_default=False
    )
    font = FT2Font(path)
    chars = {ch for text in LABELS["ja"].values() for ch in text}
    missing = sorted(ch for ch in chars if font.get_char_index(ord(ch)) == 0)
    assert not missing


def test_label_fills_its_fields_and_word_falls_back_to_the_value():
    assert label("en", "band", level=0.95) == "95% band"
    assert label("ja", "band", level=0.9) == "90%信頼区間"
    with pytest.raises(KeyError):  # a text with fields, none given
        label("ja", "band")
    assert label("en", "event_at", time=pd.Timestamp("2025-03-15 12:00", tz="UTC")) == (
        "event 2025-03-15 12:00 UTC"
    )
    assert label("en", "density") == "density"
    assert word("ja", "direction", "up") == "上昇"
    assert word("en", "direction", "up") == "up"
    assert word("ja", "direction", "sideways") == "sideways"  # data without a word: as is


@pytest.mark.parametrize("lang", ["fr", "EN", None, ""])
def test_an_unknown_language_is_refused_naming_the_accepted_ones(lang):
    with pytest.raises(SpecificationError, match="'en', 'ja'"):
        check_lang(lang)
    with pytest.raises(SpecificationError, match="'en', 'ja'"):
        label(lang, "density")


# --------------------------------------------------------------------------------------------
# fakes of the results the plots draw
# --------------------------------------------------------------------------------------------


def _path(level=0.95, event_id=None):
    x = np.arange(-2, 3)
    est = 0.001 * x
    return pd.DataFrame({"rel_day": x, "estimate": est, "lower": est - 0.01,
                         "upper": est + 0.01})  # fmt: skip


def _gold():
    days = pd.bdate_range("2025-01-01", periods=80)
    close = pd.Series(np.linspace(2600, 2900, len(days)), index=days)
    events = pd.DataFrame({
        "event_id": ["e1", "e2", "e3"],
        "title_ja": ["ロシアの侵攻", None, "停戦合意"],
        "day0": [days[70], days[72], days[75]],
        "gold_direction": ["up", "down", "up"],
    })  # fmt: skip
    rel = np.arange(-2, 3)
    groups = pd.concat(
        pd.DataFrame({"group": g, "rel_day": rel, "mean_car": 0.001 * rel, "lower": -0.01,
                      "upper": 0.01, "n": n})
        for g, n in (("down", 1), ("up", 2))
    )  # fmt: skip
    null = np.random.default_rng(0).standard_normal(500)
    placebo = SimpleNamespace(
        null=null, events=pd.DataFrame({"stat": [0.5, -1.0]}), statistic="scar"
    )
    return SimpleNamespace(
        study=SimpleNamespace(path_conf_int=_path),
        main_window=(-1, 1),
        events=events,
        close=close,
        settings={"gold": "GC=F"},
        group_paths=lambda by, level: groups,
        placebo=placebo,
    )


def _market(i=0):
    t = pd.date_range("2025-03-01", periods=30, freq="D", tz="UTC")
    frame = pd.DataFrame({"t": t, "p": np.linspace(0.1, 0.2 + 0.1 * i, 30)})
    shifts = pd.DataFrame({"horizon": [pd.Timedelta("1D")], "t_before": [t[14]],
                           "p_before": [0.15], "t_after": [t[16]], "p_after": [0.2],
                           "status": ["ok"]})  # fmt: skip
    return (f"market {i}", frame, shifts, t[20])


TAU = pd.Timestamp("2025-03-15 12:00", tz="UTC")


def _association():
    table = pd.DataFrame({"event_id": ["a", "b", "c"], "shift_logodds": [0.1, -0.2, 0.3],
                          "car": [0.01, -0.02, 0.0]})  # fmt: skip
    test = SimpleNamespace(stat=0.5, pvalue=0.0123, nobs=3)
    return SimpleNamespace(table=table, tests={"pearson_permutation": test})


def _engine():
    aar = pd.DataFrame({"rel_day": np.arange(-2, 3), "aar": [0.01, -0.01, 0.0, 0.02, -0.02]})
    return SimpleNamespace(path_conf_int=_path, n_events=3, return_type="log", aar=aar)


def _verdicts():
    return pd.DataFrame({"claim_id": ["c1", "c2", "c3"], "p": [0.01, 0.5, np.nan],
                         "verdict": ["supported", "inconclusive", "no data"],
                         "alpha": [0.05, 0.05, 0.05]})  # fmt: skip


def _threshold():
    days = pd.bdate_range("2025-01-01", periods=40)
    path = pd.DataFrame({"GC=F close": np.linspace(2800, 3100, 40)}, index=days)
    columns = pd.DataFrame({"series": ["GC=F"], "field": ["close"]}, index=path.columns)
    horizons = pd.DataFrame(
        {"window": ["through 2025-02-25"], "token": [""], "end": [days[-1]], "main": [True]}
    )
    return {"kind": "threshold", "path": path, "path_columns": columns, "level": 3000.0,
            "above": True, "made_on": days[5], "ends": {"through 2025-02-25": days[-1]},
            "horizons": horizons,
            "first": {"GC=F close": days[27]}, "p_noinfo": {"brownian": 0.56, "bootstrap": 0.55},
            "unit": "USD/oz", "title": "c1: gold tops $3,000"}  # fmt: skip


def _level():
    days = pd.bdate_range("2025-01-01", periods=20)
    path = pd.Series(np.linspace(1, 2, 20), index=days)
    return {"kind": "level", "path": path, "level": 1.5, "tolerance": 0.1, "start": days[5],
            "end": days[10], "unit": "x", "title": "c"}  # fmt: skip


def _shift():
    days = pd.bdate_range("2025-01-01", periods=20)
    return {"kind": "shift", "path": pd.Series(np.linspace(1, 2, 20), index=days),
            "means": {"before": (days[0], days[9], 1.25), "after": (days[10], days[19], 1.75)},
            "unit": "x", "title": "c"}  # fmt: skip


def _event_gold():
    bars = pd.DataFrame({"event_id": ["e1", "e2"], "estimate_pct": [1.0, -0.5], "p": [0.1, 0.6]})
    return {"kind": "event_gold", "bars": bars, "window": "(-1, +1)", "title": "c"}


def _association_claim():
    points = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [0.0, 0.5, 1.5]})
    return {"kind": "association", "points": points, "slope": 0.75, "x_label": "gpr change",
            "y_label": "gold (%)", "title": "c"}  # fmt: skip


# --------------------------------------------------------------------------------------------
# English: the words the plots always drew; Japanese: those words in Japanese
# --------------------------------------------------------------------------------------------


CAR_WORDS = {
    "en": ("trading days relative to day 0", "cumulative abnormal return (%)",
           ["CAR", "95% band", "main window (-1, +1)"]),
    "ja": ("0日目を基準とした取引日", "累積異常リターン (%)",
           ["CAR", "95%信頼区間", "主イベントウィンドウ (-1, +1)"]),
}  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
def test_car_paths(lang):
    xlabel, ylabel, legend = CAR_WORDS[lang]
    ax = gplot.plot_event_car(_gold(), "e1", lang=lang)
    assert (ax.get_xlabel(), ax.get_ylabel(), _legend(ax)) == (xlabel, ylabel, legend)
    assert ax.get_title() == "ロシアの侵攻 (e1)"  # the title does not depend on lang
    axes = gplot.plot_event_cars(_gold(), ["e1", "e2", "e3"], lang=lang)
    assert axes[-1].get_xlabel() == xlabel and axes[0].get_ylabel() == ylabel
    assert _legend(axes[0]) == legend
    assert [ax.get_title().split("\n")[0] for ax in axes] == ["e1", "e2", "e3"]
    texts = [axes[0].xaxis.label, axes[0].yaxis.label, *axes[0].get_legend().get_texts()]
    assert _names_japanese_font(texts, lang)


def test_car_paths_in_japanese_name_the_font():
    ax = gplot.plot_event_car(_gold(), "e1", lang="ja")
    texts = [ax.xaxis.label, ax.yaxis.label, *ax.get_legend().get_texts()]
    assert all(t.get_fontfamily() == [JAPANESE_FONT] for t in texts)
    assert ax.get_legend().get_texts()[0].get_fontsize() == 8


def test_car_paths_in_english_keep_the_default_font_settings():
    """English words get no font keyword: drawn exactly as before (rcParams' family)."""
    ax = gplot.plot_event_car(_gold(), "e1")
    texts = [ax.xaxis.label, ax.yaxis.label, *ax.get_legend().get_texts()]
    family = matplotlib.rcParams["font.family"]
    assert all(t.get_fontfamily() == family for t in texts)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("price (USD/oz)", ["GC=F", "event, expected down", "event, expected up"],
                "金価格と地政学イベント (day 0)")),
        ("ja", ("価格 (USD/oz)", ["GC=F", "イベント(予想: 下落)", "イベント(予想: 上昇)"],
                "金価格と地政学イベント (0日目)")),
    ],
)  # fmt: skip
def test_gold_with_events(lang, words):
    ax = gplot.plot_gold_with_events(_gold(), lang=lang)
    assert (ax.get_ylabel(), _legend(ax), ax.get_title()) == words


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("trading days relative to day 0", "CAAR (%)", ["down (n=1)", "up (n=2)"],
                "金の平均累積異常リターン (CAAR) by gold_direction")),
        ("ja", ("0日目を基準とした取引日", "CAAR (%)", ["下落 (n=1)", "上昇 (n=2)"],
                "予想方向別の金の平均累積異常リターン (CAAR)")),
    ],
)  # fmt: skip
def test_caar_by_group(lang, words):
    ax = gplot.plot_caar_by_group(_gold(), lang=lang)
    assert (ax.get_xlabel(), ax.get_ylabel(), _legend(ax), ax.get_title()) == words


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("standardized CAR", "density", ["placebo (non-event dates)", "events (n=2)"])),
        ("ja", ("標準化CAR", "密度", ["プラセボ(イベントのない日)", "イベント (n=2)"])),
    ],
)
def test_placebo(lang, words):
    ax = gplot.plot_placebo(_gold(), lang=lang)
    assert (ax.get_xlabel(), ax.get_ylabel(), _legend(ax)) == words


ODDS_WORDS = {
    "en": ("time (UTC)", "probability (price of the outcome token)", "probability",
           ["event 2025-03-15 12:00 UTC", "market close", "before (last sample < event)",
            "after"]),
    "ja": ("時刻 (UTC)", "確率(結果トークンの価格)", "確率",
           ["イベント 2025-03-15 12:00 UTC", "マーケット終了", "前(イベント前の最後のサンプル)",
            "後(イベント後のサンプル)"]),
}  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
def test_odds_paths(lang):
    xlabel, ylabel, short, legend = ODDS_WORDS[lang]
    _, frame, shifts, closed = _market()
    ax = oplot.plot_odds_path(frame, shifts, TAU, closed_at=closed, lang=lang)
    assert (ax.get_xlabel(), ax.get_ylabel(), _legend(ax)) == (xlabel, ylabel, legend)
    one = oplot.plot_odds_paths([_market()], TAU, title="e1", lang=lang)
    assert one[0].get_ylabel() == ylabel  # one market: the whole label
    axes = oplot.plot_odds_paths([_market(i) for i in range(3)], TAU, title="e1", lang=lang)
    assert [ax.get_xlabel() for ax in axes] == ["", xlabel, xlabel]
    assert [ax.get_ylabel() for ax in axes] == [short, "", short]
    (figure_legend,) = axes[0].figure.legends
    assert [t.get_text() for t in figure_legend.get_texts()] == legend
    assert _names_japanese_font(figure_legend.get_texts(), lang)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("odds shift (log-odds, nats)", "gold CAR (%)",
                "r = 0.50, permutation p = 0.0123 (N = 3)")),
        ("ja", ("オッズの変化 (対数オッズ、nats)", "金のCAR (%)",
                "r = 0.50、並べ替え検定のp = 0.0123 (N = 3)")),
    ],
)  # fmt: skip
def test_gold_vs_odds(lang, words):
    ax = oplot.plot_gold_vs_odds(_association(), lang=lang)
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == words


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("trading days relative to day 0", "cumulative abnormal log return (%)",
                ["CAAR (N = 3)", "95% band"], "abnormal log return (%)", ["AAR (N = 3)"])),
        ("ja", ("0日目を基準とした取引日", "累積異常リターン (対数リターン、%)",
                ["CAAR (N = 3)", "95%信頼区間"], "異常リターン (対数リターン、%)",
                ["AAR (N = 3)"])),
    ],
)  # fmt: skip
def test_engine_plots(lang, words):
    car = eplot.plot_car(_engine(), lang=lang)
    ar = eplot.plot_ar(_engine(), lang=lang)
    assert (car.get_xlabel(), car.get_ylabel(), _legend(car)) == words[:3]
    assert (ar.get_xlabel(), ar.get_ylabel(), _legend(ar)) == (words[0], *words[3:])


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("Claims: verdicts", "-log10(p)  (p: the claim's own p-value)", ["alpha"],
                ["supported", "inconclusive", "no data"])),
        ("ja", ("主張の判定", "-log10(p)  (p: 各主張のp値)", ["有意水準 (alpha)"],
                ["支持", "判定不能", "データなし"])),
    ],
)  # fmt: skip
def test_verdicts(lang, words):
    ax = cplot.plot_verdicts(_verdicts(), lang=lang)
    texts = [t.get_text() for t in ax.texts]
    assert (ax.get_title(), ax.get_xlabel(), _legend(ax), texts) == words


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", (["GC=F close", "level 3,000", "claim 2025-01-08"],
                ["through 2025-02-25",
                 "no-information probability: 0.56 (Brownian), 0.55 (bootstrap)"],
                ["level +/- tolerance", "claim's range"],
                ["mean before: 1.2", "mean after: 1.8"])),
        ("ja", (["GC=F 終値", "水準 3,000", "主張日 2025-01-08"],
                ["2025-02-25まで",
                 "情報がない場合の到達確率: 0.56 (ブラウン運動)、0.55 (ブートストラップ)"],
                ["水準 ± 許容幅", "主張の期間"],
                ["変化前の平均: 1.2", "変化後の平均: 1.8"])),
    ],
)  # fmt: skip
def test_claim_charts(lang, words):
    row = pd.Series({"verdict": "supported", "reason": "r"}, name="c1")
    threshold = cplot.plot_claim(_threshold(), row, lang=lang)
    assert _legend(threshold) == words[0]
    assert [t.get_text() for t in threshold.texts] == words[1]
    assert threshold.get_ylabel() == "USD/oz"  # data: as given
    assert _legend(cplot.plot_claim(_level(), row, lang=lang)) == words[2]
    assert _legend(cplot.plot_claim(_shift(), row, lang=lang)) == words[3]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", (["GC=F close", "GLD low", "level 3,000", "claim 2025-01-08"],
                ["through 2025-02-25", "1M: through 2025-02-10"])),
        ("ja", (["GC=F 終値", "GLD 安値", "水準 3,000", "主張日 2025-01-08"],
                ["2025-02-25まで", "1M: 2025-02-10まで"])),
    ],
)  # fmt: skip
def test_threshold_words_come_from_the_fields_not_from_the_english_labels(lang, words):
    """Labels and column names that say something else (or nothing parseable) do not matter:
    the words are composed from ``horizons`` (token, end) and ``path_columns`` (series, field)."""
    data = _threshold()
    days = data["path"].index
    data["path"] = pd.DataFrame({"a": data["path"]["GC=F close"], "b": 2900.0}, index=days)
    data["path_columns"] = pd.DataFrame({"series": ["GC=F", "GLD"], "field": ["close", "low"]},
                                        index=["a", "b"])  # fmt: skip
    data["first"] = {"a": days[27]}
    data["horizons"] = pd.DataFrame({"window": ["main horizon", "one month"],
                                     "token": ["", "1M"], "end": [days[-1], days[28]],
                                     "main": [True, False]})  # fmt: skip
    data["ends"] = {"main horizon": days[-1], "one month": days[28]}
    ax = cplot.plot_threshold(data, lang=lang)
    assert _legend(ax) == words[0]
    assert [t.get_text() for t in ax.texts][:-1] == words[1]
    widths = [line.get_linewidth() for line in ax.get_lines()[:2]]
    assert widths == [1.4, 0.7]  # a close is a line, a low a thin dotted line


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ("CAR (-1, +1) (%, log return, HAC route)", ["OLS slope"])),
     ("ja", ("CAR (-1, +1) (%、対数リターン、HAC)", ["OLSの傾き"]))],
)  # fmt: skip
def test_event_effect_and_association_claims(lang, words):
    row = pd.Series({"verdict": "supported", "reason": "r"}, name="c1")
    assert cplot.plot_claim(_event_gold(), row, lang=lang).get_ylabel() == words[0]
    association = cplot.plot_claim(_association_claim(), row, lang=lang)
    assert _legend(association) == words[1]
    assert (association.get_xlabel(), association.get_ylabel()) == ("gpr change", "gold (%)")


# --------------------------------------------------------------------------------------------
# an unknown language: refused before a figure is made
# --------------------------------------------------------------------------------------------

DRAWINGS = {
    "plot_event_car": lambda lang: gplot.plot_event_car(_gold(), "e1", lang=lang),
    "plot_event_cars": lambda lang: gplot.plot_event_cars(_gold(), ["e1"], lang=lang),
    "plot_caar_by_group": lambda lang: gplot.plot_caar_by_group(_gold(), lang=lang),
    "plot_gold_with_events": lambda lang: gplot.plot_gold_with_events(_gold(), lang=lang),
    "plot_placebo": lambda lang: gplot.plot_placebo(_gold(), lang=lang),
    "plot_odds_path": lambda lang: oplot.plot_odds_path(*_market()[1:3], TAU, lang=lang),
    "plot_odds_paths": lambda lang: oplot.plot_odds_paths([_market()], TAU, lang=lang),
    "plot_gold_vs_odds": lambda lang: oplot.plot_gold_vs_odds(_association(), lang=lang),
    "plot_car": lambda lang: eplot.plot_car(_engine(), lang=lang),
    "plot_ar": lambda lang: eplot.plot_ar(_engine(), lang=lang),
    "plot_verdicts": lambda lang: cplot.plot_verdicts(_verdicts(), lang=lang),
    "plot_claim": lambda lang: cplot.plot_claim(_threshold(), pd.Series(dtype=object), lang=lang),
    "plot_level": lambda lang: cplot.plot_level(_level(), lang=lang),
    "plot_shift": lambda lang: cplot.plot_shift(_shift(), lang=lang),
    "plot_event_effect": lambda lang: cplot.plot_event_effect(_event_gold(), lang=lang),
    "plot_association": lambda lang: cplot.plot_association(_association_claim(), lang=lang),
}


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_every_plot_refuses_an_unknown_language_before_drawing(name):
    before = plt.get_fignums()
    with pytest.raises(SpecificationError, match=r"lang must be one of 'en', 'ja'; got 'de'"):
        DRAWINGS[name]("de")
    assert plt.get_fignums() == before


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("n_markets", [1, 2, 3])
def test_odds_figure_legend_fits_in_the_figure(lang, n_markets):
    """The figure legend is inside the figure: two rows under a single 6-inch panel."""
    axes = oplot.plot_odds_paths([_market(i) for i in range(n_markets)], TAU, title="e1",
                                 lang=lang)  # fmt: skip
    fig = axes[0].figure
    (legend,) = fig.legends
    box = legend.get_window_extent(fig.canvas.get_renderer())
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width
    boxes = [ax.xaxis.get_tightbbox(fig.canvas.get_renderer()) for ax in axes]
    lowest = min(b.y0 for b in boxes if b is not None)  # dates and time label
    assert box.y1 <= lowest
    plt.close(fig)


def test_odds_paths_take_a_grid_of_axes():
    """A ``plt.subplots`` grid (2-D) is read panel by panel, as plot_event_cars reads it."""
    _, grid = plt.subplots(2, 2)
    axes = oplot.plot_odds_paths([_market(i) for i in range(3)], TAU, axes=grid)
    assert list(axes) == list(grid.ravel()[:3])
    with pytest.raises(SpecificationError, match="3 markets need 3 Axes; got 2"):
        oplot.plot_odds_paths([_market(i) for i in range(3)], TAU, axes=grid[0])
    plt.close("all")
