"""The report's notes: English byte for byte as before, Japanese on the Japanese page.

The analyses compose their notes from named English templates (the ``NOTE_TEXTS`` of
:mod:`eventstudy.gold.study`, :mod:`eventstudy.odds.results`, :mod:`eventstudy.claims.results`
and :mod:`eventstudy.report.analyses`); the Japanese page reads the values back and writes
the Japanese templates of ``SENTENCES_JA["report_note"]`` (the common rules of every template
are in ``test_report_ja_cells.py``). Left in English on the Japanese page, by field
(:data:`ENGLISH_FIELDS`): the odds study's per-status breakdown and an error's message.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from _report_notes import report_notes

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
DATA_TOKEN = re.compile(r"\S*[/:=_'\-\.\[]\S*")
"""A path, slug, command option, id, ticker, attribute (``.shifts``) or list inside a note."""
WORD = re.compile(r"[A-Za-z]{3,}")

ENGLISH_FIELDS = {
    "parts": "the odds study's per-status breakdown ('6 x [market closed <time> before event "
    "+ n; ...]'): the reasons' kinds with their numbers replaced by placeholders",
    "error": "an exception's message (odds study not run)",
}
"""Fields of the notes shown in English on the Japanese page, and why."""


@pytest.fixture(scope="module")
def notes(repo_root: Path, snapshot_dir: Path, tmp_path_factory) -> dict[str, str]:
    return report_notes(repo_root, snapshot_dir, tmp_path_factory.mktemp("report_notes"))


@pytest.mark.parametrize("run", ["snapshot", "variants"])
def test_the_english_notes_are_unchanged(notes, reference_dir, run):
    expected = (reference_dir / "report_notes" / f"{run}.txt").read_bytes()
    assert notes[run].encode("utf-8") == expected


def test_every_note_template_is_read_by_the_japanese_page():
    from eventstudy.claims import results as claims
    from eventstudy.gold import study as gold
    from eventstudy.odds import results as odds
    from eventstudy.report import analyses
    from eventstudy.report.cells import english_templates

    modules = (analyses, gold, odds, claims)
    keys = [key for module in modules for key in module.NOTE_TEXTS]
    assert len(keys) == len(set(keys)), "a key of two modules' NOTE_TEXTS"
    merged = {k: v for module in modules for k, v in module.NOTE_TEXTS.items()}
    assert english_templates()["report_note"] == merged


def test_a_note_is_written_in_japanese_with_the_sentences_it_holds():
    from eventstudy.claims.results import NOTE_TEXTS as CLAIMS
    from eventstudy.claims.sources import MISSING_TEXTS
    from eventstudy.gold.study import EVENT_REASON_TEXTS, NOTE_TEXTS
    from eventstudy.report.cells import japanese_sentence

    reason = EVENT_REASON_TEXTS["after_last_price"].format(
        day0="2026-03-02", gold="GC=F", last="2026-02-23"
    )
    stage = NOTE_TEXTS["stage"].format(n=8, stage="day0", event_id="a_b", event_reason=reason)
    assert japanese_sentence("report_note", stage) == (
        "段階 'day0' で対象外8件: 例 a_b: 0日目 2026-03-02 がGC=Fの最後の価格(2026-02-23)より後"
    )
    scaling = NOTE_TEXTS["hac_garch"].format(omega="2.3e-06", alpha="0.069", beta="0.912")
    hac = NOTE_TEXTS["hac"].format(regressors=["const"], nobs=2174, scaling=scaling, maxlags=7)
    shown = japanese_sentence("report_note", hac)
    assert shown.startswith("HACの経路: 金のリターンを['const']と")
    assert "GARCH(1,1)の条件付きボラティリティで標準化(omega=2.3e-06, alpha=0.069, " in shown
    missing = MISSING_TEXTS["missing_file"].format(path="prices/GLD.csv")
    command = MISSING_TEXTS["fetch"].format(command="eventstudy fetch --prices GLD")
    no_data = CLAIMS["no_data"].format(claim_id="c1", claim_reason=f"{missing}; {command}")
    assert japanese_sentence("report_note", no_data) == (
        "c1: データなし。prices/GLD.csvがデータディレクトリにない; "
        "取得コマンド: eventstudy fetch --prices GLD"
    )
    groups = NOTE_TEXTS["clusters"].format(n=4, n_clusters=2, groups="d1: a, b; d2: c, d")
    assert "(d1: a, b; d2: c, d); same_day0='separate' では一件ずつ数える。" in japanese_sentence(
        "report_note", groups
    )


def _fixed_words() -> set[str]:
    """Words of the notes' English templates that no Japanese template or label writes."""
    from eventstudy.report.cells import english_templates
    from eventstudy.report.text import CODE_LABELS_JA, SENTENCES_JA

    def literals(templates) -> str:
        return " ".join(lit for t in templates for lit, *_ in string.Formatter().parse(t))

    japanese = literals(t for kind in SENTENCES_JA.values() for t in kind.values())
    japanese += " ".join(v for kind in CODE_LABELS_JA.values() for v in kind.values())
    english = literals(english_templates()["report_note"].values())
    return set(WORD.findall(english)) - set(WORD.findall(japanese))


def _english_values(note: str) -> list[str]:
    """The values of the fields of ``note`` (English) that stay English: :data:`ENGLISH_FIELDS`."""
    from eventstudy.report.cells import english_templates, template_fields

    for template in english_templates()["report_note"].values():
        fields = template_fields(template, note)
        if fields is not None:
            return [v for k, v in fields.items() if k in ENGLISH_FIELDS]
    return []


def test_the_japanese_page_notes_show_no_fixed_english_word(snapshot_report_run):
    from eventstudy.report.page import build_page

    def page_notes(lang: str) -> list[str]:
        page = build_page(snapshot_report_run.inputs, [], [], lang)
        (section,) = [s for s in page["sections"] if s["id"] == "notes"]
        return section["blocks"][0]["entries"]

    english, japanese = page_notes("en"), page_notes("ja")
    inputs = snapshot_report_run.inputs
    raw = [*inputs.notes, *inputs.gold.notes, *inputs.odds._summary_notes(), *inputs.claims.notes]
    assert english == raw and len(japanese) == len(english)
    assert not [ja[:120] for ja in japanese if not JAPANESE.search(ja)]
    words = _fixed_words()
    assert {"catalog", "studied", "merged", "Placebo", "order", "clock", "Threshold"} <= words
    found = []
    for en, ja in zip(english, japanese, strict=True):
        for value in _english_values(en):
            ja = ja.replace(value, " ")
        left = set(WORD.findall(DATA_TOKEN.sub(" ", ja))) & words
        if left:
            found.append((sorted(left), ja[:120]))
    assert not found, found
