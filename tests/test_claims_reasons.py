"""The claims' sentences: English byte for byte as before, Japanese on the Japanese page.

The claims compose their evidence (``reason``, the ``key_evidence`` of ``claims.csv``) and
what a verdict rests on (``series``) from named English templates; the Japanese page reads
the values back and writes the Japanese templates of ``SENTENCES_JA`` (the common rules of
every template are in ``test_report_ja_cells.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _claims_reasons import SCENARIOS, claims_tables

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def tables(repo_root: Path, snapshot_dir: Path, tmp_path_factory) -> dict[str, str]:
    return claims_tables(repo_root, snapshot_dir, tmp_path_factory.mktemp("claims_reasons"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_claims_english_sentences_are_unchanged(tables, reference_dir, scenario):
    expected = (reference_dir / "claims_reasons" / f"{scenario}.csv").read_bytes()
    assert tables[scenario].encode("utf-8") == expected


def test_every_claims_template_is_read_by_the_japanese_page():
    """A ``*_TEXTS`` template added to a claims module reaches the page's templates."""
    from eventstudy.claims import comparisons, effects, sources, threshold
    from eventstudy.data.needs import NOT_FETCHABLE_TEXT
    from eventstudy.report.cells import english_templates

    kinds = ("claim_evidence", "claim_first_date", "claim_roll_day", "claim_series")
    read = {t for kind in kinds for t in english_templates()[kind].values()}
    written = {NOT_FETCHABLE_TEXT}
    for module in (comparisons, effects, sources, threshold):
        for name in dir(module):
            if name.endswith("_TEXTS"):
                written |= set(getattr(module, name).values())
    assert written == read


def test_a_threshold_reason_is_written_in_japanese_with_its_lists():
    from eventstudy.claims.threshold import FIRST_DATE_TEXTS, REASON_TEXTS, ROLL_DAY_TEXTS
    from eventstudy.report.cells import japanese_sentence

    dates = ", ".join(
        FIRST_DATE_TEXTS["first_date"].format(series=s, field=f, date="2025-03-17")
        for s, f in (("GC=F", "close"), ("GLD", "high"))
    )
    days = ROLL_DAY_TEXTS["roll_day"].format(date="2025-03-14", offset="-1")
    text = "; ".join(
        [
            REASON_TEXTS["threshold_first_above"].format(
                series="GC=F", field="intraday high", level="3,000.0", unit="USD/oz",
                date="2025-03-17",
            ),
            REASON_TEXTS["threshold_first_dates"].format(dates=dates),
            REASON_TEXTS["threshold_noinfo_beyond"].format(
                p="0.03", p_bootstrap="0.04", sigma="0.0097", n=63
            ),
            REASON_TEXTS["threshold_rolls"].format(days=days),
        ]
    )  # fmt: skip
    assert japanese_sentence("claim_evidence", text) == (
        "GC=Fの日中高値が2025-03-17に初めて3,000.0 USD/oz以上; "
        "初めて達した日: GC=F 終値 2025-03-17, GLD 高値 2025-03-17; "
        "情報がない場合に達する確率 0.03(ブートストラップ 0.04、1取引日あたりのσ 0.0097、"
        "63取引日): 主張はボラティリティ以上のことを述べていた; "
        "達した日の近くの限月交代日: 2025-03-14(-1取引日)"
    )
    assert japanese_sentence("claim_evidence", "first dates: none") == "初めて達した日: なし"
    assert japanese_sentence("claim_series", "GC=F intraday low") == "GC=F 日中安値"


def test_a_no_data_reason_keeps_its_path_slug_and_command():
    from eventstudy.claims.sources import MISSING_TEXTS
    from eventstudy.data.needs import NOT_FETCHABLE
    from eventstudy.report.cells import japanese_sentence

    path, slug = "polymarket/prices/123.csv", "will-us-leave-nato-by-june-30"
    command = f"eventstudy fetch --markets {slug} --data-dir /d"
    odds = MISSING_TEXTS["missing_odds"].format(path=path, slug=slug)
    shown = japanese_sentence("claim_evidence", f"{odds}; fetch it with: {command}")
    assert shown == (
        f"{path}(マーケット '{slug}' のYesのオッズ)がデータディレクトリにない; "
        f"取得コマンド: {command}"
    )
    gpr = "series/GPRD.csv is not in the data directory; " + NOT_FETCHABLE["GPRD"]
    shown = japanese_sentence("claim_evidence", gpr)
    assert "FRED" in shown and "series/GPRD.csv (date,value)" in shown
    assert "not in the data directory" not in shown and "download" not in shown


def test_every_snapshot_sentence_has_japanese(tables):
    """Each part of each reason the runs wrote is read by a template (none left English)."""
    import io

    import pandas as pd

    from eventstudy.report.cells import JOINER, japanese_sentence

    for scenario, text in tables.items():
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        for claim_id, reason, series in table[["claim_id", "key_evidence", "series"]].itertuples(
            index=False
        ):
            shown = japanese_sentence("claim_evidence", reason)
            parts = shown.split(JOINER)
            assert all(JAPANESE.search(p) for p in parts), (scenario, claim_id, shown)
            if " " in series:
                assert japanese_sentence("claim_series", series) != series or "CAR" in series
