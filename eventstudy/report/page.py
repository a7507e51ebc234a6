"""The report page: sections of blocks built from the analyses' results, in English or Japanese.

Nothing is computed here: every number comes from a results object (means, intervals and
p-values from :meth:`GoldStudyResults.direction_effects`, adjusted p-values from
:meth:`GoldStudyResults.adjusted_pvalues`, verdicts from the claims, tests from the
associations). This module chooses the rows to show, their order and the words.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from eventstudy.report import render as R
from eventstudy.report.cells import (
    japanese_label,
    robustness_headings,
    shown_cells,
    shown_sentence,
    verdict_rule_lines,
)
from eventstudy.report.figures import Figure, figure_names
from eventstudy.report.text import COLUMNS, HEADINGS, Lang, pct, pval, strength
from eventstudy.results import window_label

__all__ = ["build_page", "extra_tables", "findings"]

ALPHA = 0.05
"""Significance level of the headline counts."""

CLAIMS_KINDS = {
    "type": "claim_type",
    "verdict": "verdict",
    "series": "claim_series",
    "key_evidence": "claim_evidence",
}
"""The claims table's code and sentence columns (:func:`eventstudy.report.cells.shown_cells`);
the claim's text is the claims file's own words."""


def _t(lang: Lang, en: str, ja: str) -> str:
    return en if lang == "en" else ja


def _cols(lang: Lang, *names: str) -> dict[str, str]:
    return {n: COLUMNS[lang].get(n, n) for n in names}


# --------------------------------------------------------------------------------------------
# tables derived from the results (also written as CSV)
# --------------------------------------------------------------------------------------------


def extra_tables(inputs: Any) -> dict[str, pd.DataFrame]:
    """Tables the page shows that are not a results attribute as they are (also CSV files)."""
    out: dict[str, pd.DataFrame] = {}
    if inputs.robustness:
        from eventstudy.results import compare

        main = window_label(*inputs.gold.main_window)
        on = ("event_id", "window")
        car = compare(inputs.robustness, "car_pct", window=main, on=on)
        p = compare(inputs.robustness, "pvalue", window=main, on=on)
        table = pd.concat([car.add_prefix("car_pct: "), p.add_prefix("p: ")], axis=1)
        out["gold_robustness.csv"] = table.droplevel("window").reset_index()
    if inputs.associations:
        frames = []
        for kind, assoc in inputs.associations.items():
            t = assoc.table.set_index("event_id")[["car", "shift_logodds", "n_markets"]]
            frames.append(t.add_suffix(f" ({kind})") if kind != "raw" else t)
        table = pd.concat(frames, axis=1)
        table = table.loc[:, ~table.columns.duplicated()]
        out["gold_odds.csv"] = table.reset_index()
    return out


# --------------------------------------------------------------------------------------------
# findings in plain words
# --------------------------------------------------------------------------------------------


def _gold_findings(gold: Any, lang: Lang) -> list[str]:
    ev = gold.events
    n_units, n_cat = gold.n_events, len(ev)
    excluded = int((ev["status"] == "excluded").sum())
    merged = int((ev["status"] == "merged").sum())
    window = window_label(*gold.main_window)
    items = [
        _t(
            lang,
            f"Gold ({gold.settings['gold']}): {n_units} study units from {n_cat} catalog events "
            f"({excluded} not studied, reasons below; {merged} share a day 0 or an episode with "
            "another event and are counted once with it). CAR is the cumulative abnormal log "
            f"return over the trading days {window} around day 0.",
            f"金({gold.settings['gold']}): カタログの{n_cat}件のイベントから{n_units}単位を分析"
            f"(分析対象外{excluded}件、理由は下表; {merged}件は0日目やエピソードを他のイベントと"
            f"共有するため一つとして数えた)。CARは0日目前後の取引日{window}の累積異常対数リターン。",
        )
    ]
    effects = gold.direction_effects()
    for direction, verb_en, verb_ja in (("up", "rose", "上昇"), ("down", "fell", "下落")):
        row = effects.loc[direction]
        if not row["n"]:
            continue
        words = strength(row["p_hac"], lang)
        items.append(
            _t(
                lang,
                f"Events expected to push gold {direction} ({int(row['n'])} units): mean CAR "
                f"{pct(row['mean_car'])} (95% CI {pct(row['ci_low'])} to {pct(row['ci_high'])}, "
                f"HAC), one-sided p = {pval(row['p_hac'])}: {words} that gold {verb_en} on "
                "average.",
                f"金の{verb_ja}が予想されたイベント({int(row['n'])}単位): 平均CAR "
                f"{pct(row['mean_car'])}(95%信頼区間 {pct(row['ci_low'])}〜"
                f"{pct(row['ci_high'])}、HAC)、片側p値 {pval(row['p_hac'])}。平均して金が"
                f"{verb_ja}したという{words}。",
            )
        )
    items.append(_significance_sentence(gold, lang))
    return items


def _significance_sentence(gold: Any, lang: Lang) -> str:
    studied = gold.events[gold.events["status"] == "studied"].set_index("unit_id")
    n = len(studied)
    hac = int((studied["p_hac"] < ALPHA).sum())
    plc = int((studied["p_placebo"] < ALPHA).sum())
    routes = ["p_analytic", "p_hac", "p_placebo"]
    every = int((studied[routes] < ALPHA).all(axis=1).sum())
    adjusted = gold.adjusted_pvalues()
    survivors = list(adjusted.index[adjusted["p_hac"] < ALPHA])
    chance = ALPHA * n
    names = ", ".join(survivors) if survivors else _t(lang, "none", "なし")
    return _t(
        lang,
        f"One by one, {hac} of {n} units moved gold at the 5% level by the HAC route (placebo: "
        f"{plc}; all three routes: {every}). With {n} tests about {chance:.0f} would pass by "
        f"chance alone; after a Benjamini-Hochberg adjustment {len(survivors)} remain: {names}.",
        f"個別には、{n}単位のうち{hac}単位がHAC検定で5%水準で有意(プラセボ: {plc}、三つの検定"
        f"すべて: {every})。{n}回の検定では偶然だけでも約{chance:.0f}件が有意になる。"
        f"Benjamini-Hochberg補正後に残るのは{len(survivors)}件: {names}。",
    )


def _odds_findings(inputs: Any, lang: Lang) -> list[str]:
    odds = inputs.odds
    d = odds.shifts
    one_day = d[(d["horizon"] == pd.Timedelta("1D")) & (d["status"] != "not_computable")]
    ok = int((one_day["status"] == "ok").sum())
    items = [
        _t(
            lang,
            f"Polymarket: {len(one_day)} event-market links gave a one-day odds shift ({ok} with "
            "a full baseline for the abnormal z and the empirical p).",
            f"Polymarket: {len(one_day)}件のイベントとマーケットの組で1日後のオッズ変化を計算"
            f"(うち{ok}件は異常度zと経験p値の基準期間あり)。",
        )
    ]
    for kind, assoc in inputs.associations.items():
        test = assoc.tests.get("pearson_permutation")
        if test is None or test.reason:
            continue
        label = (
            _t(lang, "raw shifts", "生のオッズ変化")
            if kind == "raw"
            else _t(
                lang,
                "markets oriented so that up means more risk",
                "上昇がリスク増となるよう向きを揃えたマーケット",
            )
        )
        items.append(
            _t(
                lang,
                f"Gold CAR against the events' mean one-day log-odds shift ({label}, "
                f"{test.nobs} events): Pearson r = {test.stat:+.2f}, permutation p = "
                f"{pval(test.pvalue)}: {strength(test.pvalue, lang)} of an association.",
                f"金CARとイベントの1日対数オッズ変化の平均({label}、{test.nobs}件): "
                f"ピアソンr = {test.stat:+.2f}、並べ替えp値 {pval(test.pvalue)}。関連の"
                f"{strength(test.pvalue, lang)}。",
            )
        )
    return items


def _claims_findings(claims: Any, lang: Lang) -> list[str]:
    counts = claims.counts()
    v = claims.verdicts
    kept = int((v["survives_bh"].fillna(False).astype(bool) & (v["verdict"] == "supported")).sum())
    return [
        _t(
            lang,
            f"Claims: {counts.get('supported', 0)} supported, {counts.get('contradicted', 0)} "
            f"contradicted, {counts.get('inconclusive', 0)} inconclusive, "
            f"{counts.get('no data', 0)} without data (the missing files and the command that "
            f"fetches them are named). After a Benjamini-Hochberg adjustment across the claims, "
            f"{kept} supported claim(s) keep their p below alpha.",
            f"主張: 支持{counts.get('supported', 0)}件、反証{counts.get('contradicted', 0)}件、"
            f"判定不能{counts.get('inconclusive', 0)}件、データなし{counts.get('no data', 0)}件"
            "(不足ファイルと取得コマンドを明記)。主張間のBenjamini-Hochberg補正後もp値が有意水準"
            f"を下回る支持された主張は{kept}件。",
        )
    ]


def findings(inputs: Any, lang: Lang = "en") -> list[str]:
    """The headline: what was found, in plain words with its uncertainty.

    Also printed at the end of ``eventstudy run``.
    """
    items = []
    if inputs.claims is not None:
        items += _claims_findings(inputs.claims, lang)
    items += _gold_findings(inputs.gold, lang)
    if inputs.odds is not None:
        items += _odds_findings(inputs, lang)
    items.append(
        _t(
            lang,
            "Caveat: a p-value above 5% is not evidence of no effect (few events, little power), "
            "and many tests on one catalog find some significant results by chance; nothing here "
            "is about cause.",
            "注意: p値が5%を超えても効果がない証拠ではない(イベントが少なく検出力が低い)。また"
            "一つのカタログで多数の検定を行えば偶然に有意な結果も出る。ここでの結果は因果関係を"
            "示すものではない。",
        )
    )
    return items


# --------------------------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------------------------


def _claims_section(inputs: Any, figures: list[Figure], lang: Lang) -> list[dict]:
    from eventstudy.claims import claims_table

    claims = inputs.claims
    table = claims_table(claims).merge(
        claims.verdicts[["claim_id", "text"]], on="claim_id", how="left"
    )
    blocks = [
        R.paragraph(
            _t(
                lang,
                "Each claim from the articles was turned into a test fixed before reading the "
                "data (its series, date, horizon or window, expected direction and alpha are in "
                "claims.csv). The verdict rules are listed under the table.",
                "記事の主張は、データを見る前に固定した検定に置き換えた(系列・日付・期間・予想方向・"
                "有意水準はclaims.csv)。判定の規則は表の下に示す。",
            )
        ),
        R.table(
            shown_cells(table, lang, CLAIMS_KINDS),
            HEADINGS[lang]["claims"],
            columns=_cols(
                lang,
                "claim_id",
                "text",
                "type",
                "verdict",
                "series",
                "key_date",
                "key_evidence",
                "p",
                "p_adjusted",
            ),
            formats={"p": "{:.4f}", "p_adjusted": "{:.4f}"},
            csv="claims.csv",
            anchor="claims-table",
        ),
        R.heading(_t(lang, "Verdict rules", "判定の規則"), "claims-rules"),
        R.bullets(_verdict_rules(claims, lang)),
        R.paragraph(
            _t(
                lang,
                "p: one-sided in the expected direction (two-sided for 'any'); p (BH): "
                "Benjamini-Hochberg across the claims with a p; verdicts use p at each claim's "
                "alpha.",
                "p: 予想方向の片側p値('any'は両側); p (BH): p値のある主張間でのBenjamini-"
                "Hochberg補正。判定は各主張の有意水準でpを使う。",
            )
        ),
        R.figures(figure_names(figures, "claims")),
    ]
    return blocks


def _verdict_rules(claims: Any, lang: Lang) -> list[str]:
    """``type: rule`` for each claim type used (and ``no data`` when a verdict is)."""
    from eventstudy.claims.verdicts import NO_DATA

    used = list(dict.fromkeys(claims.verdicts["type"]))
    if (claims.verdicts["verdict"] == NO_DATA).any():
        used.append(NO_DATA)
    return verdict_rule_lines(used, lang)


def _gold_section(inputs: Any, figures: list[Figure], lang: Lang) -> list[dict]:
    gold = inputs.gold
    s = gold.settings
    blocks = [
        R.paragraph(
            _t(
                lang,
                f"{s['gold']}, {s['model'].replace('_', ' ')} model, decimal log returns shown "
                f"in percent and USD/oz. Main CAR window {window_label(*s['main_window'])} trading "
                f"days; estimation window {window_label(*s['estimation_window'])}; other events' "
                "days and futures roll days are kept out of estimation. p-values: t = per-event "
                "t (prediction-error variance, CLM 1997); HAC = event-dummy regression with "
                "Newey-West errors on GARCH(1,1)-scaled returns; placebo = pseudo-events from the "
                "series itself, fitted like the events.",
                f"{s['gold']}、{japanese_label('gold_model', s['model'])}モデル、"
                "対数リターン(%とドル/オンスで表示)。主CAR"
                f"ウィンドウは取引日{window_label(*s['main_window'])}、推定期間は"
                f"{window_label(*s['estimation_window'])}。他のイベントの日と先物の限月交代日は推定"
                "から除外。p値: t検定(予測誤差分散、CLM 1997)、HAC(GARCH(1,1)で標準化した"
                "ニューイー・ウェスト誤差のイベントダミー回帰)、プラセボ(系列自体から取り、"
                "イベントと同じ方法で推定した擬似イベント)。",
            )
        ),
        R.figures(figure_names(figures, "gold")),
        *_gold_event_blocks(gold, figures, lang),
        *_gold_detail_blocks(inputs, lang),
    ]
    return blocks


def _gold_event_blocks(gold: Any, figures: list[Figure], lang: Lang) -> list[dict]:
    ev = gold.events.copy()
    adjusted = gold.adjusted_pvalues()
    ev["p_hac_bh"] = ev["unit_id"].map(adjusted["p_hac"])
    shown = ev[ev["status"].isin(["studied", "merged"])].sort_values("day0", kind="stable")
    excluded = ev[ev["status"] == "excluded"]
    h = HEADINGS[lang]
    return [
        R.heading(h["gold_events"], "gold-events"),
        R.table(
            shown_cells(shown, lang, {}),
            h["gold_events"],
            columns=_cols(
                lang,
                "event_id",
                "title_ja",
                "title",
                "day0",
                "unit_id",
                "car_pct",
                "car_usd",
                "p_analytic",
                "p_hac",
                "p_placebo",
                "p_hac_bh",
                "timing_sensitive",
                "roll_day_in_window",
            ),
            formats={
                "car_pct": "{:+.2f}",
                "car_usd": "{:+.1f}",
                "p_analytic": "{:.3f}",
                "p_hac": "{:.3f}",
                "p_placebo": "{:.3f}",
                "p_hac_bh": "{:.3f}",
            },
            csv="gold_events.csv",
            anchor="gold-events-table",
        ),
        R.figures(figure_names(figures, "gold_events")),
        R.heading(h["gold_excluded"], "gold-excluded"),
        R.table(
            shown_cells(excluded, lang, {"reason": "event_reason"}),
            h["gold_excluded"],
            columns=_cols(lang, "event_id", "title_ja", "title", "day0", "reason"),
            csv="gold_events.csv",
            anchor="gold-excluded-table",
        ),
    ]


def _gold_detail_blocks(inputs: Any, lang: Lang) -> list[dict]:
    gold, h = inputs.gold, HEADINGS[lang]
    groups = gold.groups.copy()
    sens = gold.sensitivity
    flagged = sens[sens["sign_depends_on_timing"] | sens["significance_depends_on_timing"]]
    blocks = [
        R.heading(h["gold_groups"], "gold-groups"),
        R.table(
            shown_cells(
                groups,
                lang,
                {"by": "group_by", "group": "catalog_group", "alternative": "alternative"},
            ),
            h["gold_groups"],
            columns=_cols(
                lang,
                "by",
                "group",
                "n",
                "mean_car_pct",
                "mean_car_usd",
                "tstat",
                "pvalue",
                "alternative",
            ),
            formats={
                "mean_car_pct": "{:+.2f}",
                "mean_car_usd": "{:+.1f}",
                "tstat": "{:.2f}",
                "pvalue": "{:.3f}",
            },
            csv="gold_groups.csv",
            note=_t(
                lang,
                "t-tests treat the units as independent; the HAC tests in the findings do not.",
                "t検定は単位を独立とみなす。結論のHAC検定はそうではない。",
            ),
        ),
        R.heading(h["gold_timing"], "gold-timing"),
        R.table(
            shown_cells(flagged, lang, {"variant": "day0_variant"}),
            h["gold_timing"],
            columns=_cols(lang, "event_id", "variant", "day0", "car_pct", "pvalue", "significant"),
            formats={"car_pct": "{:+.2f}", "pvalue": "{:.3f}"},
            csv="gold_sensitivity.csv",
            note=_t(
                lang,
                "Units whose CAR sign or 5% significance changes with the day-0 choice.",
                "0日目の取り方でCARの符号または5%有意性が変わる単位。",
            ),
        ),
    ]
    if inputs.robustness:
        robust = extra_tables(inputs)["gold_robustness.csv"]
        formats = {c: ("{:+.2f}" if c.startswith("car") else "{:.3f}") for c in robust.columns}
        blocks += [
            R.heading(h["gold_robustness"], "gold-robustness"),
            R.table(
                robust,
                h["gold_robustness"],
                columns=robustness_headings(robust.columns, lang),
                formats=formats,
                csv="gold_robustness.csv",
            ),
        ]
    main = gold.main_window
    et = gold.engine_tests
    et = et[(et["window_start"] == main[0]) & (et["window_end"] == main[1])]
    blocks += [
        R.heading(h["gold_battery"], "gold-battery"),
        R.paragraph(
            _t(lang, "Caveat: ", "注意: ")
            + shown_sentence(str(gold.engine_tests["caveat"].iloc[0]), lang, "engine_caveat")
            if len(gold.engine_tests)
            else ""
        ),
        R.table(
            et,
            h["gold_battery"],
            columns=_cols(lang, "test", "stat", "dist", "pvalue", "nobs"),
            formats={"stat": "{:.3f}", "pvalue": "{:.4f}"},
            csv="gold_tests.csv",
        ),
        R.heading(h["gold_overlaps"], "gold-overlaps"),
        R.table(
            shown_cells(
                gold.overlaps[gold.overlaps["n_in_event_window"] > 0],
                lang,
                {"action": "overlap_action"},
            ),
            h["gold_overlaps"],
            columns=_cols(lang, "event_id", "day0", "in_event_window", "action"),
            csv="gold_overlaps.csv",
        ),
    ]
    return blocks


def _odds_section(inputs: Any, figures: list[Figure], lang: Lang) -> list[dict]:
    odds, h = inputs.odds, HEADINGS[lang]
    shifts = odds.shifts
    shown = shifts[shifts["status"] != "not_computable"].copy()
    day = _t(lang, "D", "日")
    shown["horizon"] = shown["horizon"].map(lambda td: f"+{int(td / pd.Timedelta('1D'))}{day}")
    n_not = int((shifts["status"] == "not_computable").sum())
    drawn = figure_names(figures, "odds_paths")
    n_events = shown["event_id"].nunique()
    n_drawn = len(drawn)
    return [
        R.paragraph(
            _t(
                lang,
                "Price of each linked market's YES token, read as its probability: the last "
                "sample strictly before the event against the last sample at or before the event "
                f"time plus the horizon (cut at the market's close). {n_not} rows could not be "
                "computed (reasons in odds_shifts.csv).",
                "各関連マーケットのYESトークン価格を確率とみなし、イベント直前の最後のサンプルと、"
                "イベント時刻+期間(マーケット終了で打ち切り)以前の最後のサンプルを比較した。"
                f"{n_not}行は計算できなかった(理由はodds_shifts.csv)。",
            )
        ),
        R.table(
            shown_cells(shown, lang, {"status": "odds_status"}),
            h["odds"],
            columns=_cols(
                lang,
                "event_id",
                "slug",
                "horizon",
                "p_before",
                "p_after",
                "shift_pp",
                "shift_logodds",
                "abnormal_z",
                "empirical_p",
                "status",
            ),
            formats={
                "p_before": "{:.3f}",
                "p_after": "{:.3f}",
                "shift_pp": "{:+.1f}",
                "shift_logodds": "{:+.2f}",
                "abnormal_z": "{:+.2f}",
                "empirical_p": "{:.3f}",
            },
            csv="odds_shifts.csv",
            anchor="odds-table",
        ),
        R.heading(h["odds_paths"], "odds-paths"),
        R.paragraph(
            _t(
                lang,
                f"Drawn: {n_drawn} of {n_events} events with a linked market, those whose "
                "markets moved most in one day (eventstudy run --all-figures draws every one; "
                "OddsStudyResults.plot(event_id) draws any). Square: the last sample before the "
                "event; circles: the samples at the horizons. Samples are Polymarket's price "
                "history at the resolution stored (daily snapshots are taken at 00:00 UTC).",
                f"関連マーケットのある{n_events}件のうち、1日でマーケットが最も大きく動いた"
                f"{n_drawn}件を表示(eventstudy run --all-figuresで全件、"
                "OddsStudyResults.plot(event_id)で任意のイベント)。四角: イベント直前の最後の"
                "サンプル、丸: 各期間のサンプル。サンプルは保存された解像度のPolymarket価格履歴"
                "(日次スナップショットは00:00 UTC)。",
            )
        ),
        R.figures(drawn),
    ]


def _association_section(inputs: Any, figures: list[Figure], lang: Lang) -> list[dict]:
    rows = []
    for kind, assoc in inputs.associations.items():
        for name, test in assoc.tests.items():
            rows.append(
                {
                    "shifts": kind,
                    "test": name,
                    "stat": test.stat,
                    "pvalue": test.pvalue,
                    "nobs": test.nobs,
                    "method": test.method or test.reason,
                }
            )
    table = pd.DataFrame(rows)
    return [
        R.paragraph(
            _t(
                lang,
                "Is gold's CAR associated with the move of the events' markets? Raw shifts mix "
                "markets whose 'yes' means more risk (e.g. military action) with markets whose "
                "'yes' means less (e.g. a ceasefire); the oriented shifts use "
                "market_orientation.csv so that up always means more risk.",
                "金のCARはイベントのマーケットの動きと関連するか。生の変化は「yes」がリスク増を意味"
                "するマーケット(例: 軍事行動)とリスク減を意味するマーケット(例: 停戦)が混在する。"
                "向きを揃えた変化はmarket_orientation.csvにより上昇が常にリスク増を意味する。",
            )
        ),
        R.table(
            shown_cells(
                table,
                lang,
                {
                    "shifts": "shift_kind",
                    "test": "association_test",
                    "method": "association_method",
                },
            ),
            HEADINGS[lang]["association"],
            columns={
                "shifts": _t(lang, "Shifts", "変化"),
                **_cols(lang, "test", "stat", "pvalue", "nobs"),
                "method": _t(lang, "Method", "方法"),
            },
            formats={"stat": "{:+.3f}", "pvalue": "{:.4f}"},
            csv="gold_odds.csv",
        ),
        R.figures(figure_names(figures, "association")),
    ]


def _data_section(inputs: Any, lang: Lang) -> list[dict]:
    versions = inputs.data_versions
    bad = versions[~versions["verified"].astype(bool)]
    blocks = []
    if len(bad):
        blocks.append(
            R.paragraph(
                _t(
                    lang,
                    f"Warning: {len(bad)} file(s) could not be traced to manifest.json "
                    f"({', '.join(bad['path'])}); their problems are in the table.",
                    f"警告: {len(bad)}件のファイルがmanifest.jsonと一致しない"
                    f"({', '.join(bad['path'])})。問題は表を参照。",
                )
            )
        )
    blocks.append(
        R.table(
            shown_cells(versions, lang, {}),
            HEADINGS[lang]["data"],
            columns=_cols(
                lang, "path", "sha256_read", "verified", "rows", "first", "last", "source"
            )
            | {"problem": _t(lang, "Problem", "問題")},
            csv="data_versions.csv",
            anchor="data-table",
        )
    )
    return blocks


def _notes(inputs: Any, lang: Lang) -> list[str]:
    """The analyses' notes; on the Japanese page each from its Japanese template."""
    notes = list(inputs.notes) + list(inputs.gold.notes)
    if inputs.odds is not None:
        notes += inputs.odds._summary_notes()
    if inputs.claims is not None:
        notes += list(inputs.claims.notes)
    return [shown_sentence(note, lang, "report_note") for note in notes]


def build_page(
    inputs: Any,
    figures: list[Figure],
    files: list[tuple[str, str]],
    lang: Lang = "en",
) -> dict[str, Any]:
    """The page dict :func:`eventstudy.report.render.render_page` renders.

    Parameters
    ----------
    inputs : ReportInputs
    figures : list of Figure
        From :func:`eventstudy.report.figures.draw_figures`.
    files : list of (file name, description)
        From :func:`eventstudy.report.tables.write_tables`.
    lang : {"en", "ja"}

    Returns
    -------
    dict
    """
    h = HEADINGS[lang]
    sections = [
        {
            "id": "findings",
            "heading": h["findings"],
            "blocks": [R.bullets(findings(inputs, lang), "headline")],
        }
    ]
    if inputs.claims is not None:
        sections.append(
            {
                "id": "claims",
                "heading": h["claims"],
                "blocks": _claims_section(inputs, figures, lang),
            }
        )
    sections.append(
        {"id": "gold", "heading": h["gold"], "blocks": _gold_section(inputs, figures, lang)}
    )
    if inputs.odds is not None:
        sections.append(
            {"id": "odds", "heading": h["odds"], "blocks": _odds_section(inputs, figures, lang)}
        )
        if inputs.associations:
            sections.append(
                {
                    "id": "association",
                    "heading": h["association"],
                    "blocks": _association_section(inputs, figures, lang),
                }
            )
    sections += [
        {"id": "data", "heading": h["data"], "blocks": _data_section(inputs, lang)},
        {"id": "notes", "heading": h["notes"], "blocks": [R.notes(_notes(inputs, lang))]},
        {
            "id": "files",
            "heading": h["files"],
            "blocks": [R.links([(name, name, what) for name, what in files])],
        },
    ]
    versions = inputs.data_versions
    subtitle = _t(
        lang,
        f"Catalog {inputs.catalog.name} ({len(inputs.events)} events); data directory "
        f"{inputs.settings.get('data_dir', '')} ({len(versions)} files, "
        f"{int(np.sum(versions['verified'].astype(bool)))} verified against manifest.json).",
        f"カタログ {inputs.catalog.name}({len(inputs.events)}件)、データディレクトリ "
        f"{inputs.settings.get('data_dir', '')}({len(versions)}ファイル、うち"
        f"{int(np.sum(versions['verified'].astype(bool)))}件がmanifest.jsonと一致)。",
    )
    return {
        "lang": lang,
        "title": h["title"],
        "subtitle": subtitle,
        "toc_label": h["toc"],
        "back_to_top": h["back"],
        "warnings": [],
        "sections": sections,
    }
