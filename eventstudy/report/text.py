"""The report's words in English and Japanese: headings, column names, plain-language findings.

Every sentence is built from numbers the analyses computed (nothing is computed here beyond
choosing words for a p-value). :func:`strength` turns a p-value into the wording of the
evidence, the same in both languages: p < 0.01 strong, < 0.05 some, < 0.10 weak, otherwise
none.
"""

from __future__ import annotations

import math

from eventstudy._languages import LANGUAGES, Lang

__all__ = ["COLUMNS", "HEADINGS", "LANGUAGES", "Lang", "pct", "pval", "strength"]


HEADINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Gold, Polymarket odds and geopolitical events",
        "toc": "Contents",
        "findings": "Findings",
        "claims": "Claims tested against the data",
        "gold": "Gold around the events",
        "gold_events": "Per-event results",
        "gold_excluded": "Events not studied, and why",
        "gold_groups": "By expected direction and by category",
        "gold_timing": "Does the day-0 choice matter?",
        "gold_robustness": "Robustness: other models and GLD",
        "gold_battery": "Cross-sectional test battery",
        "gold_overlaps": "Events inside other events' windows",
        "odds": "Polymarket odds around the events",
        "odds_paths": "Odds paths",
        "association": "Gold and the odds moves",
        "data": "Data versions",
        "notes": "Notes",
        "files": "Files of this report",
        "back": "Back to the contents",
    },
    "ja": {
        "title": "金・Polymarketオッズと地政学イベント",
        "toc": "目次",
        "findings": "結論",
        "claims": "データで検証した主張",
        "gold": "イベント前後の金価格",
        "gold_events": "イベント別の結果",
        "gold_excluded": "分析対象外のイベントとその理由",
        "gold_groups": "予想される方向別・カテゴリー別",
        "gold_timing": "0日目の取り方で結果は変わるか",
        "gold_robustness": "頑健性: 他のモデルとGLD",
        "gold_battery": "クロスセクション検定一式",
        "gold_overlaps": "他のイベントの期間と重なるイベント",
        "odds": "イベント前後のPolymarketオッズ",
        "odds_paths": "オッズの推移",
        "association": "金とオッズの動きの関係",
        "data": "データのバージョン",
        "notes": "注記",
        "files": "このレポートのファイル",
        "back": "目次へ戻る",
    },
}
"""Section headings (ids are the keys)."""

COLUMNS: dict[str, dict[str, str]] = {
    "en": {
        "event_id": "Event",
        "title": "Title",
        "title_ja": "Japanese title",
        "day0": "Day 0",
        "category": "Category",
        "gold_direction": "Expected gold move",
        "car_pct": "CAR (%)",
        "car_usd": "CAR (USD/oz)",
        "p_analytic": "p (t)",
        "p_hac": "p (HAC)",
        "p_placebo": "p (placebo)",
        "p_hac_bh": "p (HAC, BH-adjusted)",
        "timing_sensitive": "Depends on day 0",
        "roll_day_in_window": "Roll day in window",
        "unit_id": "Counted as",
        "reason": "Reason",
        "stage": "Stage",
        "status": "Status",
        "variant": "Day-0 variant",
        "slug": "Market",
        "horizon": "Horizon",
        "p_before": "Before",
        "p_after": "After",
        "shift_pp": "Shift (pp)",
        "shift_logodds": "Shift (log-odds)",
        "abnormal_z": "z",
        "empirical_p": "p (empirical)",
        "claim_id": "Claim",
        "text": "What was claimed",
        "type": "Type",
        "verdict": "Verdict",
        "series": "Series",
        "key_evidence": "Key evidence",
        "p": "p",
        "p_adjusted": "p (BH-adjusted)",
        "path": "File",
        "sha256_read": "sha256 of the bytes read",
        "verified": "Matches manifest",
        "rows": "Rows",
        "source": "Source",
        "first": "First",
        "last": "Last",
        "test": "Test",
        "stat": "Statistic",
        "pvalue": "p",
        "dist": "Distribution",
        "nobs": "N",
        "n": "N",
        "group": "Group",
        "mean_car_pct": "Mean CAR (%)",
        "mean_car_usd": "Mean CAR (USD/oz)",
        "in_event_window": "Other events in its window",
        "action": "Action",
    },
    "ja": {
        "event_id": "イベント",
        "title": "タイトル(英語)",
        "title_ja": "タイトル",
        "day0": "0日目",
        "category": "カテゴリー",
        "gold_direction": "金の予想方向",
        "car_pct": "CAR (%)",
        "car_usd": "CAR (ドル/オンス)",
        "p_analytic": "p値 (t検定)",
        "p_hac": "p値 (HAC)",
        "p_placebo": "p値 (プラセボ)",
        "p_hac_bh": "p値 (HAC, BH補正)",
        "timing_sensitive": "0日目次第",
        "roll_day_in_window": "限月交代日を含む",
        "unit_id": "集計単位",
        "reason": "理由",
        "stage": "段階",
        "status": "状態",
        "variant": "0日目の候補",
        "slug": "マーケット",
        "horizon": "期間",
        "p_before": "前",
        "p_after": "後",
        "shift_pp": "変化 (%ポイント)",
        "shift_logodds": "変化 (対数オッズ)",
        "abnormal_z": "z値",
        "empirical_p": "p値 (経験分布)",
        "claim_id": "主張",
        "text": "主張の内容",
        "type": "種類",
        "verdict": "判定",
        "series": "系列",
        "key_evidence": "主な根拠",
        "p": "p値",
        "p_adjusted": "p値 (BH補正)",
        "path": "ファイル",
        "sha256_read": "読み込んだバイトのsha256",
        "verified": "マニフェストと一致",
        "rows": "行数",
        "source": "出典",
        "first": "最初",
        "last": "最後",
        "test": "検定",
        "stat": "統計量",
        "pvalue": "p値",
        "dist": "分布",
        "nobs": "N",
        "n": "N",
        "group": "グループ",
        "mean_car_pct": "平均CAR (%)",
        "mean_car_usd": "平均CAR (ドル/オンス)",
        "in_event_window": "期間内の他のイベント",
        "action": "処理",
    },
}
"""Readable column headings of the report's tables."""

_STRENGTH = {
    "en": ("strong evidence", "evidence", "weak evidence", "no evidence"),
    "ja": ("強い証拠がある", "証拠がある", "弱い証拠がある", "証拠はない"),
}


def strength(p: float, lang: Lang = "en") -> str:
    """Words for the evidence a p-value gives: < 0.01 strong, < 0.05 some, < 0.10 weak."""
    words = _STRENGTH[lang]
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "not computed" if lang == "en" else "計算できない"
    if p < 0.01:
        return words[0]
    if p < 0.05:
        return words[1]
    if p < 0.10:
        return words[2]
    return words[3]


def pct(value: float, digits: int = 2) -> str:
    """A decimal return as a signed percentage (``0.0123`` -> ``+1.23%``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{100 * value:+.{digits}f}%"


def pval(value: float) -> str:
    """A p-value with three decimals, or ``< 0.001``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"
