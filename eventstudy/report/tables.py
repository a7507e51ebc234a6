"""The report's CSV files: every table the page shows, in full, written spreadsheet-safe.

Each file is written with :func:`eventstudy.report.safe_csv.write_csv` (text cells that would
start a spreadsheet formula are neutralised; numbers stay numbers). :func:`write_tables`
returns the files written with a one-line description each, for the page's file list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.report.safe_csv import write_csv
from eventstudy.report.text import Lang

__all__ = ["write_tables"]

_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "gold_events.csv": (
        "one row per catalog event: status, reason, CAR over the main window with its SE and "
        "p-values (analytic, HAC, placebo) and BH-adjusted ones",
        "カタログの各イベント: 状態・理由・主ウィンドウのCARと標準誤差・p値(補正前後)",
    ),
    "gold_groups.csv": (
        "mean CAR by expected direction and category; up-versus-down tests",
        "予想方向別・カテゴリー別の平均CAR、上昇対下落の検定",
    ),
    "gold_tests.csv": (
        "HAC joint tests, group tests and the engine's cross-sectional battery (with caveat)",
        "HAC同時検定・グループ検定・クロスセクション検定一式(注意書き付き)",
    ),
    "gold_overlaps.csv": (
        "other events in each event's windows",
        "各イベントの期間内の他のイベント",
    ),
    "gold_sensitivity.csv": ("CAR under alternative day-0 choices", "0日目の候補ごとのCAR"),
    "gold_car.csv": ("every unit's CAR over every CAR window", "全単位・全CARウィンドウのCAR"),
    "gold_ar.csv": ("abnormal returns over the event window", "イベント期間の異常リターン"),
    "gold_robustness.csv": (
        "main-window CAR and p under other models and with GLD",
        "他のモデルとGLDでの主ウィンドウCARとp値",
    ),
    "odds_shifts.csv": ("Polymarket odds shifts", "Polymarketのオッズ変化"),
    "gold_odds.csv": (
        "per event with linked markets: gold CAR and the mean one-day log-odds shift, raw and "
        "oriented",
        "関連マーケットのあるイベント: 金CARと1日対数オッズ変化の平均(生・向き揃え)",
    ),
    "claims.csv": (
        "one row per claim: verdict, key evidence, p, BH-adjusted p, data files with sha256",
        "各主張: 判定・主な根拠・p値・BH補正p値・データファイルとsha256",
    ),
    "claims_evidence.csv": ("every number behind the verdicts", "判定の根拠となる全ての数値"),
    "data_versions.csv": (
        "every data file read, with the sha256 of its bytes and whether the manifest agrees",
        "読み込んだ全データファイル、バイトのsha256とマニフェストとの一致",
    ),
}


def _gold_tables(inputs: Any, adjusted: pd.DataFrame) -> dict[str, pd.DataFrame]:
    gold = inputs.gold
    events = gold.events.copy()
    for col in ("p_analytic", "p_hac", "p_placebo"):
        events[f"{col}_bh"] = (
            events["unit_id"].map(adjusted[col]).where(events["status"] == "studied")
        )
    groups = pd.concat(
        [gold.groups.assign(kind="group"), gold.group_tests.assign(kind="test")],
        ignore_index=True,
    )
    for count in ("n", "nobs"):  # counts stay integers where the two tables do not overlap
        if count in groups:
            groups[count] = groups[count].astype("Int64")
    tests = pd.concat(
        [
            gold.hac.tests.assign(route="hac_regression"),
            gold.group_tests.assign(route="cross_event_groups"),
            gold.engine_tests.assign(route="engine_battery"),
        ],
        ignore_index=True,
    )
    return {
        "gold_events.csv": events,
        "gold_groups.csv": groups,
        "gold_tests.csv": tests,
        "gold_overlaps.csv": gold.overlaps,
        "gold_sensitivity.csv": gold.sensitivity,
        "gold_car.csv": pd.DataFrame(gold.car),
        "gold_ar.csv": gold.ar,
    }


def write_tables(
    inputs: Any, extra: dict[str, pd.DataFrame], out: Path, lang: Lang = "en"
) -> list[tuple[str, str]]:
    """Write every CSV of the report into ``out``.

    Parameters
    ----------
    inputs : ReportInputs
    extra : dict of file name -> DataFrame
        Tables the page builds from the results (robustness, gold-odds, claims).
    out : Path
    lang : {"en", "ja"}
        Language of the descriptions.

    Returns
    -------
    list of (file name, description)
    """
    tables = _gold_tables(inputs, inputs.gold.adjusted_pvalues())
    if inputs.odds is not None:
        shifts = inputs.odds.shifts
        shifts["horizon"] = shifts["horizon"].map(_horizon)
        tables["odds_shifts.csv"] = shifts
    if inputs.claims is not None:
        from eventstudy.claims import claims_table

        tables["claims.csv"] = claims_table(inputs.claims)
        tables["claims_evidence.csv"] = inputs.claims.evidence
    tables.update(extra)
    tables["data_versions.csv"] = inputs.data_versions
    written = []
    index = 0 if lang == "en" else 1
    for name, frame in tables.items():
        write_csv(frame, out / name, date_format="%Y-%m-%dT%H:%M:%S")
        written.append((name, _DESCRIPTIONS.get(name, ("", ""))[index]))
    return written


def _horizon(td: Any) -> str:
    from eventstudy.odds.results import horizon_label

    return horizon_label(td)
