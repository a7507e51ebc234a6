"""The words drawn in the figures (axis labels, legend entries, fixed texts), per language.

:data:`LABELS` holds them by language, then by a short key; :func:`label` looks one up and
fills its ``str.format`` fields. The English words are the figures' own (``lang="en"`` draws
what the plots always drew). Data (titles, market questions, ids, units) are drawn as given,
except a few known values that :func:`word` translates (expected directions, verdicts, return
kinds) and the threshold chart's horizon and price-field names. Japanese text is drawn with
the IPAexGothic font (:func:`text_kw`, :func:`legend_kw`).
"""

from __future__ import annotations

from typing import Any

from eventstudy._languages import LANGUAGES, Lang, check_lang
from eventstudy.plotting._common import JAPANESE_FONT

__all__ = ["LABELS", "LANGUAGES", "Lang", "check_lang", "label", "legend_kw", "text_kw", "word"]

LABELS: dict[str, dict[str, str]] = {
    "en": {
        # The English figures' words exactly as the plots drew them before there was a table
        # (``caar_title``, ``gold_title`` and ``placebo_title`` were Japanese already).
        # CAR paths (engine and gold study)
        "car_x": "trading days relative to day 0",
        "car_y": "cumulative abnormal return (%)",
        "car_y_of": "cumulative abnormal {kind} return (%)",
        "ar_y_of": "abnormal {kind} return (%)",
        "return_log": "log",
        "return_simple": "simple",
        "caar_n": "CAAR (N = {n})",
        "aar_n": "AAR (N = {n})",
        "car_of": "CAR {event_id}",
        "ar_of": "AR {event_id}",
        "band": "{level:.0%} band",
        "main_window": "main window ({w0:+d}, {w1:+d})",
        "caar_y": "CAAR (%)",
        "caar_title": "金の平均累積異常リターン (CAAR) by {by}",
        "group_n": "{group} (n={n})",
        "by_gold_direction": "gold_direction",
        "by_category": "category",
        "direction_up": "up",
        "direction_down": "down",
        "direction_none": "none",
        # gold price and the events
        "event_expected": "event, expected {direction}",
        "price_oz": "price (USD/oz)",
        "price_share": "price (USD/share)",
        "gold_title": "金価格と地政学イベント (day 0)",
        # placebo
        "placebo": "placebo (non-event dates)",
        "events_n": "events (n={n})",
        "scar": "standardized CAR",
        "car_decimal": "CAR (decimal)",
        "density": "density",
        "placebo_title": "プラセボ分布とイベントのCAR",
        # Polymarket odds
        "event_at": "event {time:%Y-%m-%d %H:%M} UTC",
        "market_close": "market close",
        "before_sample": "before (last sample < event)",
        "after_sample": "after",
        "probability_token": "probability (price of the outcome token)",
        "probability": "probability",
        "time_utc": "time (UTC)",
        "odds_shift": "odds shift (log-odds, nats)",
        "gold_car": "gold CAR (%)",
        "permutation_title": "r = {r:.2f}, permutation p = {p:.3g} (N = {n})",
        "kind_raw": "raw",
        "kind_oriented": "oriented",
        # claims
        "level_at": "level {level:,g}",
        "claim_on": "claim {date:%Y-%m-%d}",
        "no_information": "no-information probability: {brownian:.2f} (Brownian), "
        "{bootstrap:.2f} (bootstrap)",
        "level_band": "level +/- tolerance",
        "claim_range": "claim's range",
        "mean_of": "mean {name}: {mean:,.1f}",
        "period_before": "before",
        "period_after": "after",
        "car_hac": "CAR {window} (%, log return, HAC route)",
        "probability_yes": "probability (Yes token)",
        "ols_slope": "OLS slope",
        "alpha": "alpha",
        "log10_p": "-log10(p)  (p: the claim's own p-value)",
        "verdicts_title": "Claims: verdicts",
        "verdict_supported": "supported",
        "verdict_contradicted": "contradicted",
        "verdict_inconclusive": "inconclusive",
        "verdict_no data": "no data",
        "through": "through {date:%Y-%m-%d}",
        "field_close": "close",
        "field_high": "high",
        "field_low": "low",
    },
    "ja": {
        "car_x": "0日目を基準とした取引日",
        "car_y": "累積異常リターン (%)",
        "car_y_of": "累積異常リターン ({kind}リターン、%)",
        "ar_y_of": "異常リターン ({kind}リターン、%)",
        "return_log": "対数",
        "return_simple": "単純",
        "caar_n": "CAAR (N = {n})",
        "aar_n": "AAR (N = {n})",
        "car_of": "CAR {event_id}",
        "ar_of": "AR {event_id}",
        "band": "{level:.0%}信頼区間",
        "main_window": "主イベントウィンドウ ({w0:+d}, {w1:+d})",
        "caar_y": "CAAR (%)",
        "caar_title": "{by}別の金の平均累積異常リターン (CAAR)",
        "group_n": "{group} (n={n})",
        "by_gold_direction": "予想方向",
        "by_category": "カテゴリー",
        "direction_up": "上昇",
        "direction_down": "下落",
        "direction_none": "方向なし",
        "event_expected": "イベント(予想: {direction})",
        "price_oz": "価格 (USD/oz)",
        "price_share": "価格 (USD/口)",
        "gold_title": "金価格と地政学イベント (0日目)",
        "placebo": "プラセボ(イベントのない日)",
        "events_n": "イベント (n={n})",
        "scar": "標準化CAR",
        "car_decimal": "CAR (小数)",
        "density": "密度",
        "placebo_title": "プラセボ分布とイベントのCAR",
        "event_at": "イベント {time:%Y-%m-%d %H:%M} UTC",
        "market_close": "マーケット終了",
        "before_sample": "前(イベント前の最後のサンプル)",
        "after_sample": "後(イベント後のサンプル)",
        "probability_token": "確率(結果トークンの価格)",
        "probability": "確率",
        "time_utc": "時刻 (UTC)",
        "odds_shift": "オッズの変化 (対数オッズ、nats)",
        "gold_car": "金のCAR (%)",
        "permutation_title": "r = {r:.2f}、並べ替え検定のp = {p:.3g} (N = {n})",
        "kind_raw": "生の値",
        "kind_oriented": "向きを揃えた値",
        "level_at": "水準 {level:,g}",
        "claim_on": "主張日 {date:%Y-%m-%d}",
        "no_information": "情報がない場合の到達確率: {brownian:.2f} (ブラウン運動)、"
        "{bootstrap:.2f} (ブートストラップ)",
        "level_band": "水準 ± 許容幅",
        "claim_range": "主張の期間",
        "mean_of": "{name}の平均: {mean:,.1f}",
        "period_before": "変化前",
        "period_after": "変化後",
        "car_hac": "CAR {window} (%、対数リターン、HAC)",
        "probability_yes": "確率(Yesトークン)",
        "ols_slope": "OLSの傾き",
        "alpha": "有意水準 (alpha)",
        "log10_p": "-log10(p)  (p: 各主張のp値)",
        "verdicts_title": "主張の判定",
        "verdict_supported": "支持",
        "verdict_contradicted": "反証",
        "verdict_inconclusive": "判定不能",
        "verdict_no data": "データなし",
        "through": "{date:%Y-%m-%d}まで",
        "field_close": "終値",
        "field_high": "高値",
        "field_low": "安値",
    },
}
"""Words of the figures: language -> key -> text (``str.format`` fields where numbers go)."""


def label(lang: Lang, key: str, /, **fields: Any) -> str:
    """The words of ``key`` in ``lang``, their fields filled from ``fields``.

    Parameters
    ----------
    lang : {"en", "ja"}
    key : str
        A key of :data:`LABELS`.
    **fields
        Values of the text's ``str.format`` fields (every field of the text).

    Returns
    -------
    str
    """
    text = LABELS[check_lang(lang)][key]
    return text.format(**fields)  # a text with fields and none given raises KeyError


def word(lang: Lang, prefix: str, value: object) -> str:
    """A value from the data in ``lang`` (``word("ja", "direction", "up")`` is ``"上昇"``).

    Parameters
    ----------
    lang : {"en", "ja"}
    prefix : str
        The kind of value: its key is ``"<prefix>_<value>"``.
    value : object
        A group, a direction, a verdict...; one without a key is drawn as it is.

    Returns
    -------
    str
    """
    return LABELS[check_lang(lang)].get(f"{prefix}_{value}", str(value))


def text_kw(lang: Lang) -> dict[str, Any]:
    """Font keywords of a text drawn in ``lang``: the Japanese font for Japanese, else none."""
    return {"fontfamily": JAPANESE_FONT} if lang == "ja" else {}


def legend_kw(lang: Lang, fontsize: float | None = None) -> dict[str, Any]:
    """Keywords of ``legend()`` setting its font size, in the Japanese font for Japanese.

    Parameters
    ----------
    lang : {"en", "ja"}
    fontsize : float, optional
        Default: matplotlib's legend font size.

    Returns
    -------
    dict
        ``{"fontsize": fontsize}`` (nothing when None) in English; in Japanese a ``prop``
        with the IPAexGothic family and that size.
    """
    if lang != "ja":
        return {} if fontsize is None else {"fontsize": fontsize}
    return {"prop": {"family": JAPANESE_FONT} | ({} if fontsize is None else {"size": fontsize})}
