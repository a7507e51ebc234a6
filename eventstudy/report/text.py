"""The report's words in English and Japanese: headings, column names, plain-language findings.

Every sentence is built from numbers the analyses computed (nothing is computed here beyond
choosing words for a p-value). :func:`strength` turns a p-value into the wording of the
evidence, the same in both languages: p < 0.01 strong, < 0.05 some, < 0.10 weak, otherwise
none.
"""

from __future__ import annotations

import math

from eventstudy._languages import LANGUAGES, Lang

__all__ = [
    "CODE_LABELS_JA",
    "COLUMNS",
    "HEADINGS",
    "LANGUAGES",
    "ROBUSTNESS_FITS_JA",
    "ROBUSTNESS_VALUES_JA",
    "SENTENCES_JA",
    "YES_NO_JA",
    "Lang",
    "pct",
    "pval",
    "strength",
]


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
        "by": "by",
        "tstat": "tstat",
        "alternative": "alternative",
        "significant": "significant",
        "key_date": "key_date",
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
        "by": "分類",
        "tstat": "t値",
        "alternative": "対立仮説",
        "significant": "5%で有意",
        "key_date": "基準日",
    },
}
"""Readable column headings of the report's tables."""

_DIRECTIONAL_JA = (
    "予想方向の片側p値 < 有意水準なら支持、逆方向の片側p値 < 有意水準なら反証、それ以外は"
    "判定不能(予想が'any'の場合: 両側p値 < 有意水準なら支持、それ以外は判定不能)"
)

_NOINFO_JA = (
    "情報がない場合に達する確率 {p}(ブートストラップ {p_bootstrap}、1取引日あたりの"
    "σ {sigma}、{n}取引日)"
)

_CAVEAT_JA = (
    "クロスセクション検定: イベントの独立を仮定する。ここでは一つの資産でイベントが集中している"
    "(推定期間とイベントウィンドウが重なる)ため、p値は楽観的。HACとプラセボの検定を優先すること"
)

_MASK_JA = (
    "推定期間 {estimation_window} では、カタログの全イベントの {mask_window} の日と系列の"
    "限月交代日をマスク(計{n_masked}取引日); 重なりの扱い '{overlap}'"
)

_ROLLS_JA = (
    "先物系列の限月交代日{n}日(二つの限月にまたがるリターン、"
    "eventstudy.data.quality.roll_dates)は全ての推定期間とプラセボの母集団から除く。"
)

_NOTES_JA = {
    # the gold study (eventstudy.gold.study.NOTE_TEXTS)
    "counts": "カタログのイベント{n}件: 分析{n_studied}件、エピソードに統合{n_merged}件、"
    "対象外{n_excluded}件(理由は「分析対象外のイベントとその理由」の表)。",
    "stage": "段階 '{stage}' で対象外{n}件: 例 {event_id}: {event_reason}",
    "overlap": "{n_shared}件のイベントは、イベントウィンドウ {window} の中に他のイベントの0日目が"
    "ある: それらのCARは同じ日を含む(重なりの表)。",
    "clusters": "{n}件のイベントが他のイベントと0日目を共有し、{n_clusters}個のクラスターになる。"
    "各クラスターはイベントをまたぐ平均と検定で一度だけ数える({groups}); "
    "same_day0='separate' では一件ずつ数える。",
    "mask_post": _MASK_JA + "; 重なりの表はイベント前のブロックのイベントだけを示す。",
    "mask": _MASK_JA + "。",
    "hac": "HACの経路: 金のリターンを{regressors}とメインウィンドウの各日のダミーにOLS回帰"
    "({nobs}日); 誤差分散: {scaling}(Bartlett、maxlags={maxlags}); CARの分散 = パラメータの"
    "部分(HAC γ'Vγ) + ウィンドウの誤差の和の分散(1日のダミーの残差はゼロなので、γ'Vγだけでは"
    "小さすぎる)。",
    "hac_garch": "各日をGARCH(1,1)の条件付きボラティリティで標準化(omega={omega}, "
    "alpha={alpha}, beta={beta})し、標準化残差にニューイー・ウェスト",
    "hac_given": "各日を与えられたボラティリティで標準化し、標準化残差にニューイー・ウェスト",
    "hac_long_run": "標本全体で一つのニューイー・ウェスト長期分散",
    "placebo_pseudo": "プラセボ: 統計量 '{statistic}'、擬似イベント{n}件({first}から{last}までの"
    "イベントのない全ての0日目、イベントと同じく推定); グループ平均は、系列に沿ってグループを"
    "まとめてずらしたものと比較({n_shifts}通りのずらし)。",
    "placebo_bootstrap": "プラセボ: 統計量 '{statistic}'、イベント外の異常リターンの定常"
    "ブートストラップ再標本{n_boot}個から{n}回抽出(平均ブロック長 {block}日、シード{seed})。",
    "caveat": _CAVEAT_JA + "(engine_tests、グループのt検定)。",
    "dropped_rows": "取引日カレンダーにない{gold}の価格行{n}行を除外(例 {date})。",
    "usd": "ドル建ての効果は一次近似: CAR × ウィンドウ前日の{gold}終値。",
    "rolls_flagged": _ROLLS_JA + "{n_flagged}件のメインウィンドウが限月交代日を含み、その"
    "CARには限月間の価格差が入る(roll_day_in_window): {listed}。",
    "rolls": _ROLLS_JA,
    "in_memory": "データはメモリ上で与えられた(ファイルのないGoldData): データのバージョンなし。",
    # the odds study (eventstudy.odds.results.NOTE_TEXTS)
    "method": "p_before: イベント時刻より前の最後のサンプル; p_after: イベント後で"
    "min(イベント + h, 終了)以前の最後のサンプル。shift_ppは%ポイント; dlogodds = 自然対数"
    "オッズの変化(pを[{eps}, {eps_high}]に制限)。z = 変化 / イベント前{window}の同じ経過時間の"
    "変化の標準偏差; p_empはマーケットのイベント外の変化に対する両側p値、"
    "(1 + #{{|d| >= |shift|}}) / (1 + n_null); いずれも{scale}の尺度。時刻はUTC。",
    "status_truncated": "「終了で打ち切り」{n}行(イベント + 期間より前にマーケットが終了; "
    "変化は終了時点(t_after)まで): {parts}",
    "status_stale": "「サンプルが古い」{n}行(使ったサンプルが目標時刻から許容幅より離れている): "
    "{parts}",
    "status_no_baseline": "「基準期間なし」{n}行(変化は計算済み; abnormal_zやempirical_pは"
    "計算できず(履歴またはばらつきがない)): {parts}",
    "status_not_computable": "「計算不能」{n}行(変化なし): {parts}",
    "time_unknown": "{n}件のイベントは時刻が不明: event_timeはカタログの取り決めなので、"
    "p_beforeにすでにニュースが含まれている可能性がある。",
    "more_rows": "ほか{n}行は.shiftsにある。",
    # the claims (eventstudy.claims.results.NOTE_TEXTS)
    "no_data": "{claim_id}: データなし。{claim_reason}",
    "noinfo_model": "到達の主張の情報がないモデル: made_onより前の{calibration}取引日; "
    "ブートストラップ{n_boot}経路、シード{seed}。",
    # the report (eventstudy.report.analyses.NOTE_TEXTS)
    "odds_not_run": "オッズの分析は実行せず: {error}",
    "no_claims": "カタログと同じ場所に主張のファイル({name})がない: 主張は検証せず。",
}

CODE_LABELS_JA: dict[str, dict[str, str]] = {
    "odds_status": {
        "ok": "計算済み",
        "no_baseline": "基準期間なし",
        "stale": "サンプルが古い",
        "truncated": "終了で打ち切り",
        "not_computable": "計算不能",
    },
    "verdict": {
        "supported": "支持",
        "contradicted": "反証",
        "inconclusive": "判定不能",
        "no data": "データなし",
    },
    "claim_type": {
        "threshold": "到達",
        "level": "水準",
        "shift": "変化",
        "event_effect": "イベント効果",
        "association": "関連",
    },
    "gold_direction": {"up": "上昇", "down": "下落", "none": "方向なし"},
    "gold_model": {"constant_mean": "定数平均", "market": "マーケット", "factor": "ファクター"},
    "category": {
        "nato": "NATO",
        "russia_ukraine": "ロシア・ウクライナ",
        "middle_east": "中東",
        "us_politics": "米国政治",
        "trade": "通商",
        "gold_market": "金市場",
        "china_taiwan": "中国・台湾",
        "latam": "中南米",
        "mixed": "複数カテゴリー",
    },
    "group_by": {"gold_direction": "予想方向", "category": "カテゴリー"},
    "alternative": {"two-sided": "両側", "greater": "片側(大)", "less": "片側(小)"},
    "day0_variant": {
        "base": "基準",
        "day0-1": "0日目-1",
        "day0+1": "0日目+1",
        "date_itself": "日付そのもの",
        "next_session": "翌取引日",
    },
    "shift_kind": {"raw": "生の変化", "oriented": "向きを揃えた変化"},
    "association_test": {
        "pearson_permutation": "ピアソン(並べ替え検定)",
        "spearman_permutation": "スピアマン(並べ替え検定)",
        "kendall": "ケンドール",
    },
    "price_field": {
        "close": "終値",
        "high": "高値",
        "low": "安値",
        "intraday high": "日中高値",
        "intraday low": "日中安値",
    },
    "return_unit": {"log return": "対数リターン"},
}
"""Japanese labels of the codes the library writes in table cells: kind -> code -> label.

The kinds are the library's code sets (odds statuses, verdicts, claim types, catalog
directions and categories, the gold study's models, test alternatives, day-0 variants,
association shift kinds and tests, the claims' price fields and return unit); ``mixed`` is
the category of a unit whose members differ. The English page and the CSV files show the
codes themselves."""

SENTENCES_JA: dict[str, dict[str, str]] = {
    "overlap_action": {
        "kept": "採用; 推定期間の{n_masked}日をマスク(イベントのマスク期間)",
        "kept_shared": "採用; 推定期間の{n_masked}日をマスク(イベントのマスク期間); "
        "イベントウィンドウを{n_shared}件のイベントと共有",
        "dropped": "除外: イベントウィンドウが先行イベント {earlier} と重なる",
        "episode_head": "エピソード {unit_id} の先頭({n_members}件); "
        "推定期間の{n_masked}日をマスク(イベントのマスク期間)",
        "merged": "エピソード {unit_id} に統合(エピソードの{offset}日目)",
        "not_in_data": "データなし: 取引日カレンダーに0日目がない",
    },
    "event_reason": {
        "after_last_price": "0日目 {day0} が{gold}の最後の価格({last})より後",
        "dropped": "除外: イベントウィンドウが先行イベント {earlier} と重なる",
        "no_price_row": "0日目 {day0} の{gold}の価格行がない",
        "price_milestone": "価格の節目(カテゴリー {category}): ショックではなく結果。"
        "推定期間のマスクにのみ使用",
        "unit_head": "単位 {unit_id} の代表({n_members}件: 同じ0日目または統合エピソード)",
        "unit_member": "単位 {unit_id} に {head} とともに含まれる(同じ0日目または統合"
        "エピソード。値は単位のもので一度だけ数える)",
    },
    "association_method": {
        "monte_carlo": "モンテカルロ法、並べ替え{n_permutations}回、シード{seed}",
        "exact": "全{n_permutations}通りの並べ替えによる正確検定",
        "kendall_asymptotic": "scipy.stats.kendalltau、漸近分布(同順位あり、正確な帰無分布なし)",
        "kendall_exact": "scipy.stats.kendalltau、正確な帰無分布",
        "too_few_pairs": "組が3未満のため計算できない (N = {n})",
        "no_variability": "xまたはyにばらつきがないため計算できない",
    },
    "engine_caveat": {"caveat": _CAVEAT_JA},
    "verdict_rule": {
        "threshold": "判定の根拠となる系列(最初に挙げた系列。主張の基準により日次終値または"
        "日中の高値・安値)がmade_onから期間末までのいずれかの取引日に水準に達すれば支持、"
        "達しなければ反証。ファイルがない、または水準に達しないまま期間末より前に終わる場合は"
        "データなし。p = 情報がないモデル(直近250取引日のボラティリティによるドリフトなしの"
        "ブラウン運動。終値で、または高値・安値では連続的に観測)の下でそれでも達する確率"
        "(達しなければ1): pが小さいほど主張はボラティリティ以上のことを述べていた",
        "level": "系列が期間中に水準±許容幅の範囲にあれば支持(基準mean: 期間の平均、any: "
        "一つの観測、all: 全ての観測)、そうでなければ反証。p値なし(検定ではない)",
        "shift": "start..endの平均からbaseline..start-1の平均を引いた差、ニューイー・ウェスト"
        "HACのz検定: " + _DIRECTIONAL_JA,
        "event_effect": "金: 金の分析のイベントダミー回帰(GARCHで標準化した残差にニューイー・"
        "ウェストのHAC誤差)によるウィンドウのCAR(gold_directionのグループ: 分析のHAC平均検定)。"
        "マーケット: ウィンドウのオッズ変化と対数オッズの経験(プラセボ)p値。複数のイベント: "
        "片側p値のStoufferの結合。" + _DIRECTIONAL_JA,
        "association": "最初の系列の日次対数リターン(または変化)の二番目の系列の変化への回帰の"
        "傾き、同日で揃え、ニューイー・ウェストHACのz検定: " + _DIRECTIONAL_JA,
        "no data": "主張に必要なファイルがデータディレクトリにない、または必要な日付まで"
        "届いていない: 行にファイル名と取得するeventstudy fetchコマンドを示す",
    },
    "claim_evidence": {
        "threshold_first_above": "{series}の{field}が{date}に初めて{level} {unit}以上",
        "threshold_first_below": "{series}の{field}が{date}に初めて{level} {unit}以下",
        "threshold_not_above": "{series}の{field}は{end}まで{level} {unit}以上にならず",
        "threshold_not_below": "{series}の{field}は{end}まで{level} {unit}以下にならず",
        "threshold_no_first_date": "初めて達した日: なし",
        "threshold_first_dates": "初めて達した日: {dates}",
        "threshold_noinfo": _NOINFO_JA,
        "threshold_noinfo_beyond": _NOINFO_JA + ": 主張はボラティリティ以上のことを述べていた",
        "threshold_noinfo_within": _NOINFO_JA + ": ボラティリティだけでもその確率があった",
        "threshold_rolls": "達した日の近くの限月交代日: {days}",
        "threshold_no_prices": "{path}に{field}の価格がない(basis={basis})",
        "level_no_observation": "{window}に{series}の観測がない",
        "level": "{series}、{window}({n}件の観測): 平均 {mean}、範囲 {low}..{high}、"
        "{share}が{band} {unit}の範囲内(基準 {basis})",
        "shift": "{series}の平均 {window_after}は{after}、{window_before}は{before}: 差 "
        "{difference} {unit}(HAC標準誤差 {se}、z {z}、ラグ{lags})",
        "association": "{x}の変化に対する{y}({y_unit})の回帰、{window}({n}取引日): 傾き "
        "{slope}(単位: {x}の1単位あたりの{y_unit}、HAC標準誤差 {se}、z {z})",
        "association_effect": "{x}の変化1標準偏差で{y}が{effect}動く",
        "association_lagged": "{x}を1日ずらすと z {z_lagged}",
        "effect_gold_event": "{event}(0日目 {day0}): CAR {window} {car}(HAC、両側p値 {p}、"
        "教科書的CAR {car_textbook}、プラセボp値 {p_placebo})",
        "effect_stouffer": "{n}件のイベントをStoufferの方法で結合",
        "effect_gold_group": "分析対象の予想方向「{group}」のイベント{n}件のHAC CAR {window}の"
        "平均 {car}(z {z}、片側p値 {p})",
        "effect_not_computable": "{event}: 計算不能({reason})",
        "effect_normal_p": "{event}: プラセボの帰無分布がないため、abnormal_zの正規分布によるp値",
        "effect_market": "{event}: {series} {p_before} -> {p_after}({shift_pp} %ポイント、"
        "対数オッズ {shift_logodds})、期間 {window}、経験分布の両側p値 {p}(z {z})",
        "missing_odds": "{path}(マーケット '{slug}' のYesのオッズ)がデータディレクトリにない",
        "missing_gold": "{path}がデータディレクトリにない(金の分析が読むファイル)",
        "missing_file": "{path}がデータディレクトリにない",
        "missing_market": "マーケット '{slug}' が{path}にない",
        "empty_odds": "{path}(マーケット '{slug}' のオッズ)に行がない",
        "ends_early": "{path}は{last}で終わるが、主張には{end}までのデータが必要",
        "starts_late": "{path}は{first}から始まるが、主張には{start}からのデータが必要",
        "fetch": "取得コマンド: {command}",
        "not_fetchable": "Caldara-Iacoviello地政学リスク指数はFREDの系列ではないため、"
        "eventstudy fetchでは取得できない: https://www.matteoiacoviello.com/gpr.htm から"
        "data_gpr_daily_recent.xlsをダウンロードし、日付と{key}の列をseries/{key}.csv "
        "(date,value)として書き出す",
    },
    "claim_first_date": {"first_date": "{series} {field} {date}"},
    "claim_roll_day": {"roll_day": "{date}({offset}取引日)"},
    "claim_series": {
        "association": "{x}に対する{y}",
        "gold": "{series} CAR {window}",
        "market": "{series} 変化 {window}",
        "threshold": "{series} {field}",
    },
    "report_note": _NOTES_JA,
}
"""Japanese sentences of texts composed outside the report, with the English texts' fields:
kind -> key of the English template -> Japanese template. The English templates are
:data:`eventstudy.gold.overlap.ACTION_TEXTS` (``overlap_action``),
:data:`eventstudy.gold.study.EVENT_REASON_TEXTS` with the overlap table's ``dropped``
(``event_reason``: events left out under ``overlap="drop"`` carry that action) and
:data:`eventstudy.odds.association.METHOD_TEXTS` with ``REASON_TEXTS``
(``association_method``: the page's method column shows a test's reason when it has no
method),
:data:`eventstudy.gold.results.ENGINE_CAVEAT` (``engine_caveat``) and
:data:`eventstudy.claims.verdicts.RULES` (``verdict_rule``, by claim type); the claims'
evidence (``claim_evidence``: the ``REASON_TEXTS`` of :mod:`eventstudy.claims.threshold`,
:mod:`~eventstudy.claims.comparisons` and :mod:`~eventstudy.claims.effects`,
:data:`eventstudy.claims.sources.MISSING_TEXTS` and
:data:`eventstudy.data.needs.NOT_FETCHABLE_TEXT`), the items of its lists
(``claim_first_date``, ``claim_roll_day``: :mod:`eventstudy.claims.threshold`'s
``FIRST_DATE_TEXTS`` and ``ROLL_DAY_TEXTS``) and what a verdict rests on (``claim_series``:
the modules' ``RESTS_ON_TEXTS``); the report's notes (``report_note``: the ``NOTE_TEXTS``
of :mod:`eventstudy.gold.study`, :mod:`eventstudy.odds.results`,
:mod:`eventstudy.claims.results` and :mod:`eventstudy.report.analyses`)."""

ROBUSTNESS_FITS_JA: dict[str, str] = {
    "constant mean, GC=F": "定数平均モデル、GC=F",
    "market model (ACWI), GC=F": "マーケットモデル(ACWI)、GC=F",
    "factor model, GC=F": "ファクターモデル、GC=F",
    "constant mean, GLD": "定数平均モデル、GLD",
}
"""Japanese names of the robustness refits (the report's analyses name them in English)."""

ROBUSTNESS_VALUES_JA: dict[str, str] = {"car_pct": "CAR (%)", "p": "p値"}
"""Japanese names of the values of the robustness table (``<value>: <refit>`` columns)."""

YES_NO_JA: dict[bool, str] = {True: "はい", False: "いいえ"}
"""A true/false cell in the Japanese page (the English page writes ``yes`` / ``no``)."""

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
