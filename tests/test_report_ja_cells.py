"""The Japanese page shows the library's codes and composed sentences in Japanese.

The rule: every code of the library's code sets and every English template of a sentence the
page shows has Japanese (unit tests below), and the Japanese page of the real report has, in
its table cells, no code of those sets and no fixed English word of those templates (outside
the columns that hold data: ids, English titles, the claims' own texts, slugs, files; see
``DATA_HEADINGS``). In the claims' evidence and series, which write data inside sentences,
the data (paths, slugs, commands, ids, units) are left out before the words are looked for
(:func:`_claims_words`). The CSV files and the English page keep the codes (``test_report.py``;
the claims' English sentences byte for byte: ``test_claims_reasons.py``).
"""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd
import pytest

from eventstudy.claims.spec import CLAIM_TYPES, GROUP_PREFIXES
from eventstudy.claims.verdicts import RULES, VERDICTS
from eventstudy.data.catalog import CATEGORIES, GOLD_DIRECTIONS
from eventstudy.engine.stats._core import ALTERNATIVES
from eventstudy.gold.spec import GOLD_MODELS
from eventstudy.gold.timing import VARIANTS
from eventstudy.odds.shift import STATUSES

CODE_SETS: dict[str, tuple[str, ...]] = {
    "odds_status": STATUSES,
    "verdict": VERDICTS,
    "claim_type": CLAIM_TYPES,
    "gold_direction": GOLD_DIRECTIONS,
    "category": CATEGORIES,
    "gold_model": GOLD_MODELS,
    "group_by": GROUP_PREFIXES,
    "alternative": ALTERNATIVES,
    "day0_variant": VARIANTS,
}
"""The library's code sets shown in the page's tables, by their kind in ``CODE_LABELS_JA``."""

DATA_HEADINGS = {
    "event_id",
    "title",
    "unit_id",
    "slug",
    "path",
    "sha256_read",
    "source",
    "in_event_window",
    "claim_id",
    "text",
}
"""Columns (by key of ``COLUMNS``) whose cells are data (``text``: the claims file's words)."""

CLAIMS_SENTENCE_HEADINGS = {"series", "key_evidence"}
"""The claims table's sentence columns (by key of ``COLUMNS``), which hold data too."""

DATA_TOKEN = re.compile(r"\S*[/:=_'\-]\S*")
"""A path, slug, command option, id or ticker (``GC=F``) inside a sentence."""

WORD = re.compile(r"[A-Za-z]{3,}")


def _english_templates() -> dict[str, dict[str, str]]:
    from eventstudy.report.cells import english_templates

    return english_templates()


CLAIMS_KINDS = {"claim_evidence", "claim_first_date", "claim_roll_day", "claim_series"}
"""The kinds of sentence the claims write (shown in :data:`CLAIMS_SENTENCE_HEADINGS`)."""


NOTE_KINDS = {"report_note"}
"""The kinds of sentence shown in the notes, not in the tables (``test_report_ja_notes.py``)."""


def _fixed_words(claims: bool = False) -> set[str]:
    """Words of the English templates that the Japanese ones and the codes' labels do not also
    write: of the claims' kinds (``claims``), else of the other kinds (the notes' left out)."""
    from eventstudy.report.text import CODE_LABELS_JA, SENTENCES_JA

    tables = {k: v for k, v in SENTENCES_JA.items() if k not in NOTE_KINDS}
    japanese = _literals(tables) + " ".join(
        v for kind in CODE_LABELS_JA.values() for v in kind.values()
    )
    kept = set(WORD.findall(japanese))
    english = {
        k: v
        for k, v in _english_templates().items()
        if (k in CLAIMS_KINDS) == claims and k not in NOTE_KINDS
    }
    return {w for w in WORD.findall(_literals(english)) if w not in kept}


def _literals(templates: dict[str, dict[str, str]]) -> str:
    """The fixed text of the templates (their fields left out)."""
    return " ".join(
        literal
        for kind in templates.values()
        for template in kind.values()
        for literal, *_ in string.Formatter().parse(template)
    )


def test_every_code_of_the_code_sets_has_a_japanese_label():
    from eventstudy.report.text import CODE_LABELS_JA

    for kind, codes in CODE_SETS.items():
        labels = CODE_LABELS_JA[kind]
        assert set(codes) <= set(labels), f"{kind}: no Japanese for {set(codes) - set(labels)}"
        assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", labels[c]) or c == "nato"
                   for c in codes), kind  # fmt: skip


def test_every_english_template_has_a_japanese_one_with_the_same_fields():
    from eventstudy.report.text import SENTENCES_JA

    def fields(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}

    assert set(SENTENCES_JA) == set(_english_templates())
    for kind, templates in _english_templates().items():
        assert set(SENTENCES_JA[kind]) == set(templates), kind
        for key, template in templates.items():
            assert fields(SENTENCES_JA[kind][key]) == fields(template), (kind, key)


def test_verdict_rules_cover_every_rule():
    from eventstudy.report.text import SENTENCES_JA

    assert set(SENTENCES_JA["verdict_rule"]) == set(RULES)


def test_a_composed_sentence_is_rewritten_from_its_values():
    from eventstudy.gold.overlap import ACTION_TEXTS
    from eventstudy.gold.study import EVENT_REASON_TEXTS
    from eventstudy.report.cells import japanese_sentence, template_fields

    text = ACTION_TEXTS["kept_shared"].format(n_masked=64, n_shared=5)
    assert template_fields(ACTION_TEXTS["kept_shared"], text) == {"n_masked": "64", "n_shared": "5"}
    assert japanese_sentence("overlap_action", text) == (
        "採用; 推定期間の64日をマスク(イベントのマスク期間); "
        "イベントウィンドウを5件のイベントと共有"
    )
    kept = ACTION_TEXTS["kept"].format(n_masked=7)
    assert japanese_sentence("overlap_action", kept).startswith("採用; 推定期間の7日")
    milestone = EVENT_REASON_TEXTS["price_milestone"].format(category="gold_market")
    assert japanese_sentence("event_reason", milestone).startswith("価格の節目(カテゴリー 金市場)")
    assert japanese_sentence("event_reason", "something else") == "something else"


def test_joined_sentences_are_translated_one_by_one():
    """Reasons joined by '; ' (a template may hold '; ' itself): each part on its own."""
    from eventstudy.gold.overlap import ACTION_TEXTS
    from eventstudy.gold.study import EVENT_REASON_TEXTS
    from eventstudy.report.cells import japanese_sentence

    after = EVENT_REASON_TEXTS["after_last_price"].format(
        day0="2026-03-02", gold="GC=F", last="2026-02-23"
    )
    alone = japanese_sentence("event_reason", after)
    engine = "episode u1: too few estimation days (x)"  # no template: stays as it is
    assert japanese_sentence("event_reason", f"{after}; {engine}") == f"{alone}; {engine}"
    kept = ACTION_TEXTS["kept"].format(n_masked=7)  # holds '; ' itself
    dropped = ACTION_TEXTS["dropped"]
    both = japanese_sentence("event_reason", f"{dropped}; {dropped}")
    assert both == "; ".join([japanese_sentence("event_reason", dropped)] * 2)
    assert japanese_sentence("overlap_action", f"{kept}; {kept}") == "; ".join(
        [japanese_sentence("overlap_action", kept)] * 2
    )
    assert "episode" not in alone and alone != after


def test_every_template_reads_back_what_it_wrote():
    from eventstudy.report.cells import template_fields

    for kind, templates in _english_templates().items():
        for key, template in templates.items():
            names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
            values = {name: f"v{i}x" for i, name in enumerate(names)}
            text = template.format(**values)
            found = [k for k, t in templates.items() if template_fields(t, text) is not None]
            assert found[:1] == [key], (kind, key, found)
            assert template_fields(template, text) == values


def test_japanese_cells_rewrite_a_copy_and_leave_data_alone():
    from eventstudy.report.cells import japanese_cells, shown_cells

    frame = pd.DataFrame(
        {
            "event_id": ["a_b", "c"],
            "status": ["no_baseline", "new_code"],
            "flag": np.array([True, False]),
            "x": [1.5, np.nan],
        }
    )
    shown = japanese_cells(frame, {"status": "odds_status"})
    assert shown["status"].tolist() == ["基準期間なし", "new_code"]
    assert shown["flag"].tolist() == ["はい", "いいえ"]
    assert shown["event_id"].tolist() == ["a_b", "c"]
    pd.testing.assert_series_equal(shown["x"], frame["x"])
    assert frame["status"].tolist() == ["no_baseline", "new_code"]
    assert shown_cells(frame, "en", {"status": "odds_status"}) is frame


@pytest.fixture(scope="module")
def japanese_page(snapshot_report_run):
    from eventstudy.report.page import build_page

    return build_page(snapshot_report_run.inputs, [], [], "ja")


def _japanese_tables(page) -> list[dict]:
    return [b for s in page["sections"] for b in s["blocks"] if b["kind"] == "table"]


def test_the_japanese_page_tables_show_no_code_of_the_code_sets(japanese_page):
    codes = {c for codes in CODE_SETS.values() for c in codes} | {"yes", "no", "raw", "oriented"}
    found = {
        (table["caption"], heading, cell)
        for table in _japanese_tables(japanese_page)
        for row in table["rows"]
        for heading, cell in zip(table["columns"], row, strict=True)
        if cell in codes
    }
    assert not found, sorted(found)[:20]


def _claims_words(cell: str, data: list[str]) -> set[str]:
    """The words of a claims cell, its data (``data``: the claims' units, commands, files,
    then any path, slug, id or ticker) left out."""
    for value in sorted(data, key=len, reverse=True):
        cell = cell.replace(value, " ")
    return set(WORD.findall(DATA_TOKEN.sub(" ", cell)))


def test_the_japanese_page_tables_show_no_fixed_english_word(japanese_page, snapshot_report_run):
    from eventstudy.report.text import COLUMNS

    data = {COLUMNS["ja"][key] for key in DATA_HEADINGS}
    claims = {COLUMNS["ja"][key] for key in CLAIMS_SENTENCE_HEADINGS}
    v = snapshot_report_run.inputs.claims.verdicts
    values = [str(x) for c in ("unit", "fetch_command", "missing_file") for x in v[c] if x]
    words, claims_words = _fixed_words(), _fixed_words(claims=True)
    assert {"kept", "masked", "estimation", "shared", "window", "days"} <= words
    assert {"first", "directory", "volatility", "slope", "studied", "textbook"} <= claims_words
    found = {
        (table["caption"], heading, cell)
        for table in _japanese_tables(japanese_page)
        for row in table["rows"]
        for heading, cell in zip(table["columns"], row, strict=True)
        if heading not in data
        and (
            _claims_words(cell, values) & claims_words
            if heading in claims
            else set(WORD.findall(cell)) & words
        )
    }
    assert not found, sorted(found)[:20]


def test_the_japanese_claims_table_shows_its_sentences_in_japanese(japanese_page):
    from eventstudy.report.text import COLUMNS, HEADINGS

    (table,) = [
        t for t in _japanese_tables(japanese_page) if t["caption"] == HEADINGS["ja"]["claims"]
    ]
    column = table["columns"].index(COLUMNS["ja"]["key_evidence"])
    cells = [row[column] for row in table["rows"]]
    assert cells and all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", c) for c in cells)
    assert not [c for c in cells if "not in the data directory" in c or "sessions" in c]


def test_the_japanese_page_names_its_rules_and_caveat_in_japanese(japanese_page):
    from eventstudy.gold.results import ENGINE_CAVEAT

    text = repr(japanese_page["sections"])
    assert ENGINE_CAVEAT not in text
    assert not [rule for rule in RULES.values() if rule in text]


def test_every_association_and_robustness_name_has_japanese(snapshot_report_run):
    from eventstudy.report.text import CODE_LABELS_JA, ROBUSTNESS_FITS_JA

    inputs = snapshot_report_run.inputs
    assert set(inputs.associations) <= set(CODE_LABELS_JA["shift_kind"])
    for assoc in inputs.associations.values():
        assert set(assoc.tests) <= set(CODE_LABELS_JA["association_test"])
    assert set(inputs.robustness) <= set(ROBUSTNESS_FITS_JA)


def test_the_sentence_kinds_are_the_templates_kinds():
    from eventstudy.report.cells import SENTENCE_KINDS, english_templates
    from eventstudy.report.text import SENTENCES_JA

    assert set(SENTENCE_KINDS) == set(english_templates()) == set(SENTENCES_JA)


def test_many_joined_sentences_are_translated_in_linear_time():
    """A claim over many events: each part translated, without trying every run of parts."""
    import time

    from eventstudy.claims.effects import REASON_TEXTS
    from eventstudy.report.cells import japanese_sentence

    one = REASON_TEXTS["effect_gold_event"].format(
        event="e", day0="2025-02-14", window="(-1, +1)", car="+0.60%", p="0.696",
        car_textbook="+0.45%", p_placebo="0.780",
    )  # fmt: skip
    alone = japanese_sentence("claim_evidence", one)
    assert alone != one
    for n in (10, 200):
        start = time.process_time()
        assert japanese_sentence("claim_evidence", "; ".join([one] * n)) == "; ".join([alone] * n)
        if n == 10:
            small = time.process_time() - start
    assert time.process_time() - start < 60 * max(small, 1e-3)  # 20x the parts: not 400x
