"""The shipped claims on the real data snapshot: verdicts and the numbers behind them, each
worked out here from the raw files (not through the library's readers)."""

from __future__ import annotations

import hashlib
import inspect
import io
import math
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from matplotlib.axes import Axes

from eventstudy.claims import claims_table, load_claims, run_claims, write_claims_table
from eventstudy.claims.results import EVIDENCE_COLUMNS
from eventstudy.cli import main
from eventstudy.data.catalog import load_events
from eventstudy.data.day0 import trading_sessions

NATO_SLUG = "will-us-leave-nato-by-june-30"


@pytest.fixture(scope="module")
def events(repo_root: Path) -> pd.DataFrame:
    return load_events(repo_root / "events.csv")


@pytest.fixture(scope="module")
def res(repo_root: Path, events: pd.DataFrame, snapshot_dir: Path):
    return run_claims(repo_root / "claims.csv", events, snapshot_dir, n_boot=400)


@pytest.fixture(scope="module")
def gc(snapshot_dir: Path) -> pd.DataFrame:
    return pd.read_csv(snapshot_dir / "prices" / "GC=F.csv", index_col="date", parse_dates=True)


@pytest.fixture(scope="module")
def gprd(snapshot_dir: Path) -> pd.Series:
    raw = pd.read_csv(snapshot_dir / "series" / "GPRD.csv", index_col="date", parse_dates=True)
    return raw["value"]


def _verdict(res, claim_id: str) -> pd.Series:
    return res.verdicts.set_index("claim_id").loc[claim_id]


def _evidence(res, claim_id: str, **where) -> pd.DataFrame:
    e = res.evidence[res.evidence["claim_id"] == claim_id]
    for column, value in where.items():
        e = e[e[column] == value]
    return e


# --------------------------------------------------------------------------------------------
# gold tops $3,000 (threshold)
# --------------------------------------------------------------------------------------------


def test_gold_3000_first_dates_read_straight_from_the_csv(res, gc: pd.DataFrame) -> None:
    horizon = gc.loc["2025-02-18":"2025-05-18"]
    first_close = horizon.index[horizon["close"] >= 3000][0]
    first_high = horizon.index[horizon["high"] >= 3000][0]
    assert (first_close, first_high) == (pd.Timestamp("2025-03-17"), pd.Timestamp("2025-03-14"))
    assert horizon.loc[first_close, "close"] == 3000.0
    row = _verdict(res, "gold_tops_3000")
    assert row["verdict"] == "supported"
    assert row["series"] == "GC=F close"  # the verdict rests on GC=F's close
    assert row["key_date"] == first_close
    assert row["estimate"] == pytest.approx(horizon["close"].max())
    first = _evidence(res, "gold_tops_3000", statistic="first_reached").set_index(
        ["series", "basis"]
    )
    assert first.loc[("GC=F", "close"), "date"] == first_close
    assert first.loc[("GC=F", "intraday high"), "date"] == first_high
    assert first.loc[("GC=F", "intraday high"), "value"] == pytest.approx(3004.8, abs=1e-3)
    assert first.loc[("GC=F", "close"), "note"] == "the verdict rests on this"
    assert "2025-03-17" in row["reason"] and "2025-03-14" in row["reason"]


def test_gold_3000_cites_gld_converted_at_the_pre_claim_ratio(res, gc, snapshot_dir) -> None:
    gld = pd.read_csv(snapshot_dir / "prices" / "GLD.csv", index_col="date", parse_dates=True)
    both = pd.concat([gld["close"], gc["close"]], axis=1, join="inner", keys=["gld", "gc"])
    before = both[both.index < "2025-02-18"]
    before = before[before.index.isin(trading_sessions("GC=F", "2024-12-01", "2025-02-17"))]
    ratio = (before["gld"] / before["gc"]).tail(20).median()
    level = _evidence(res, "gold_tops_3000", series="GLD", statistic="level")
    assert level["value"].item() == pytest.approx(3000 * ratio)
    assert level["unit"].item() == "USD/share"
    window = gld.loc["2025-02-18":"2025-05-18", "close"]
    expected = window.index[window >= 3000 * ratio][0]
    gld_first = _evidence(
        res, "gold_tops_3000", series="GLD", basis="close", statistic="first_reached"
    )
    assert gld_first["date"].item() == expected


def test_gold_3000_no_roll_day_next_to_the_crossing(res, gc) -> None:
    volume = gc["volume"]
    jumps = volume.index[(volume >= 10 * volume.shift(1)) & (volume >= 10_000)]
    near = [d for d in jumps if abs((d - pd.Timestamp("2025-03-17")).days) <= 7]
    assert near == []  # nearest is 2025-03-27, the March contract's last trading day
    assert pd.Timestamp("2025-03-27") in jumps
    roll = _evidence(res, "gold_tops_3000", basis="close", statistic="roll_days_near")
    assert roll["value"].item() == 0
    assert "nearest detected 2025-03-27 (+8 sessions)" in roll["note"].item()


def test_gold_3000_no_information_probability_against_monte_carlo(res, gc) -> None:
    sessions = trading_sessions("GC=F", "2024-01-01", "2025-02-17")
    history = gc.loc[gc.index.isin(sessions) & (gc.index < "2025-02-18"), "close"].tail(251)
    steps = np.diff(np.log(history.to_numpy()))
    sigma = np.std(steps, ddof=1)
    n = len(trading_sessions("GC=F", "2025-02-18", "2025-05-18"))
    assert n == 63
    e = _evidence(res, "gold_tops_3000").set_index(["statistic", "basis"])["value"]
    assert e[("sigma_per_session", "")] == pytest.approx(sigma)
    assert e[("start_value", "")] == pytest.approx(2883.6, abs=1e-3)  # close of 2025-02-14
    b = math.log(3000 / history.iloc[-1])
    rng = np.random.default_rng(2025)
    paths = 100_000
    walk = np.cumsum(rng.normal(0.0, sigma, (paths, n)), axis=1)
    mc = float((walk.max(axis=1) >= b).mean())
    p = _verdict(res, "gold_tops_3000")["p"]
    assert p == e[("p_noinfo_brownian", "close")]
    assert abs(p - mc) < 4 * math.sqrt(mc * (1 - mc) / paths)
    assert 0.5 < p < 0.6  # the level was about as likely as not: volatility said as much
    assert e[("p_noinfo_brownian", "intraday high")] > p
    assert abs(e[("p_noinfo_bootstrap", "close")] - p) < 0.08


def test_the_sensitivity_table_is_the_reference_csv(res, reference_dir) -> None:
    """The horizons' English labels (its ``window`` column) did not change when the figures
    stopped reading them: the CSV is the one written before (tests/reference/README.md)."""
    csv = res.sensitivity.to_csv(index=False, lineterminator="\n")
    expected = (reference_dir / "claims_sensitivity" / "sensitivity.csv").read_text("utf-8")
    assert csv == expected


def test_gold_3000_plot_data_carries_the_horizons_and_the_price_fields(res) -> None:
    data = res.plot_data["gold_tops_3000"]
    horizons = data["horizons"]
    windows = res.sensitivity.query("claim_id == 'gold_tops_3000'")["window"]
    assert horizons["window"].tolist() == windows.tolist()  # the labels of the table
    assert horizons["token"].tolist() == ["", "1M", "6M"]
    assert horizons["end"].tolist() == [pd.Timestamp(d) for d in
                                        ("2025-05-18", "2025-03-18", "2025-08-18")]  # fmt: skip
    assert horizons["main"].tolist() == [True, False, False]
    assert data["ends"] == dict(zip(horizons["window"], horizons["end"], strict=True))
    columns = data["path_columns"]
    assert columns.index.tolist() == data["path"].columns.tolist()
    assert columns["series"].tolist() == ["GC=F"] * 3 + ["GLD"] * 3
    assert columns["field"].tolist() == ["close", "high", "low"] * 2


THRESHOLD_WORDS = {
    "en": (["GC=F close", "GC=F high", "GC=F low", "GLD close", "GLD high", "GLD low",
            "level 3,000", "claim 2025-02-18"],
           ["through 2025-05-18", "1M: through 2025-03-18", "6M: through 2025-08-18",
            "no-information probability: 0.56 (Brownian), 0.51 (bootstrap)"]),
    "ja": (["GC=F 終値", "GC=F 高値", "GC=F 安値", "GLD 終値", "GLD 高値", "GLD 安値",
            "水準 3,000", "主張日 2025-02-18"],
           ["2025-05-18まで", "1M: 2025-03-18まで", "6M: 2025-08-18まで",
            "情報がない場合の到達確率: 0.56 (ブラウン運動)、0.51 (ブートストラップ)"]),
}  # fmt: skip
"""The words of the gold_tops_3000 chart as drawn before it read the structured plot data."""


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_gold_3000_chart_words_and_no_horizon_label_under_the_legend(res, lang) -> None:
    from eventstudy.plotting._layout import fit_margins

    ax = res.plot("gold_tops_3000", lang=lang)
    fig = ax.figure
    try:
        legend = ax.get_legend()
        assert [t.get_text() for t in legend.get_texts()] == THRESHOLD_WORDS[lang][0]
        assert [t.get_text() for t in ax.texts] == THRESHOLD_WORDS[lang][1]
        fit_margins(fig)  # as the report lays it out
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        box = legend.get_window_extent(renderer)
        horizons = [t for t in ax.texts if t.get_rotation() == 90]
        assert len(horizons) == 3
        assert not [t.get_text() for t in horizons if t.get_window_extent(renderer).overlaps(box)]
        assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)
    finally:
        plt.close(fig)


def test_gold_3000_sensitivity_horizons(res) -> None:
    s = res.sensitivity[res.sensitivity["claim_id"] == "gold_tops_3000"].set_index("window")
    assert list(s.index) == [
        "through 2025-05-18",
        "1M: through 2025-03-18",
        "6M: through 2025-08-18",
    ]
    assert s["main"].tolist() == [True, False, False]
    assert (s["verdict"] == "supported").all()
    assert (s["key_date"] == pd.Timestamp("2025-03-17")).all()
    assert s["sessions"].tolist() == [63, 21, 126]
    assert s.sort_values("sessions")["p"].is_monotonic_increasing  # more time, more chance


def test_threshold_not_reached_is_contradicted(tmp_path: Path, events, snapshot_dir) -> None:
    text = (
        "claim_id,text,source,made_on,type,series,expected,level,end,basis,alpha\n"
        "gold_4000,gold tops 4000,test,2025-02-18,threshold,GC=F,above,4000,2025-05-18,"
        "intraday,0.05\n"
        "gold_2500,gold falls to 2500,test,2025-02-18,threshold,GC=F,below,2500,2025-05-18,"
        "close,0.05\n"
    )
    path = tmp_path / "claims.csv"
    path.write_text(_with_all_columns(text), encoding="utf-8")
    out = run_claims(path, events, snapshot_dir, n_boot=200).verdicts.set_index("claim_id")
    assert out.loc["gold_4000", "verdict"] == "contradicted"
    assert out.loc["gold_4000", "series"] == "GC=F intraday high"
    assert out.loc["gold_4000", "p"] == 1.0
    assert pd.isna(out.loc["gold_4000", "key_date"])
    assert out.loc["gold_2500", "verdict"] == "contradicted"
    assert out.loc["gold_2500", "estimate"] > 2500  # the lowest close of the horizon


def _with_all_columns(text: str) -> str:
    """A partial-header claims text rewritten with every column (blank where not given)."""
    from eventstudy.claims.spec import COLUMNS

    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return frame.reindex(columns=list(COLUMNS), fill_value="").to_csv(index=False)


# --------------------------------------------------------------------------------------------
# geopolitical risk: shift and association
# --------------------------------------------------------------------------------------------


def test_gpr_shift_means_computed_directly(res, gprd: pd.Series) -> None:
    before = gprd.loc["2024-11-20":"2025-02-17"]
    after = gprd.loc["2025-02-18":"2025-05-18"]
    assert (len(before), len(after)) == (90, 90)
    e = _evidence(res, "peace_through_strength_raises_gpr").set_index(["basis", "statistic"])
    assert e.loc[("before", "mean"), "value"] == pytest.approx(before.mean())
    assert e.loc[("after", "mean"), "value"] == pytest.approx(after.mean())
    row = _verdict(res, "peace_through_strength_raises_gpr")
    assert row["estimate"] == pytest.approx(after.mean() - before.mean())
    assert row["estimate"] == pytest.approx(30.37, abs=0.01)
    assert row["verdict"] == "supported" and row["p"] < 0.001
    y = np.r_[before.to_numpy(), after.to_numpy()]
    d = np.r_[np.zeros(90), np.ones(90)]
    fit = sm.OLS(y, sm.add_constant(d)).fit(cov_type="HAC", cov_kwds={"maxlags": 4})
    assert e.loc[("", "se_hac"), "value"] == pytest.approx(fit.bse[1])
    assert e.loc[("", "zero_values"), "value"] == 1  # GPRD is 0.0 on 2025-02-09


def test_gpr_association_slope_from_the_raw_files(res, gc, gprd) -> None:
    close = gc.loc[gc.index.isin(trading_sessions("GC=F", "2024-12-01", "2026-02-23")), "close"]
    r = np.log(close).diff()
    x = gprd.reindex(close.index).diff()  # GPRD has a value every calendar day
    frame = pd.DataFrame({"r": r, "x": x}).loc["2025-02-18":"2026-02-17"].dropna()
    slope = np.polyfit(frame["x"], frame["r"], 1)[0]
    row = _verdict(res, "gpr_drives_gold")
    assert row["estimate"] == pytest.approx(slope)
    nobs = _evidence(res, "gpr_drives_gold", basis="same date", statistic="nobs")
    assert nobs["value"].item() == len(frame)
    assert row["verdict"] == "inconclusive" and 0.05 < row["p"] < 0.06


# --------------------------------------------------------------------------------------------
# event effects: gold and markets
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim_id", "day0"),
    [("vance_munich_raised_gold", "2025-02-14"), ("oval_office_raised_gold", "2025-02-28")],
)
def test_single_event_gold_claims(res, claim_id: str, day0: str) -> None:
    row = _verdict(res, claim_id)
    assert row["key_date"] == pd.Timestamp(day0)
    assert row["series"] == "GC=F CAR (-1, +1)"
    e = _evidence(res, claim_id).set_index("statistic")["value"]
    assert row["estimate"] == e["car_hac"]
    half = e["p_hac"] / 2
    assert row["p"] == pytest.approx(half if e["car_hac"] > 0 else 1 - half)
    assert row["verdict"] == ("supported" if row["p"] < 0.05 else "inconclusive")


def test_up_events_group_uses_the_gold_studys_hac_mean_test(res, events) -> None:
    row = _verdict(res, "up_events_raise_gold")
    e = _evidence(res, "up_events_raise_gold")
    group = e[e["basis"] == "gold_direction:up"].set_index("statistic")["value"]
    assert row["p"] == group["p_up"]
    # events sharing a day 0 are one unit, counted once: an up event is studied (note "") or
    # "in unit <id> with <head>"; the group mean is over distinct units
    cars = e[(e["statistic"] == "car_hac") & e["value"].notna()].copy()
    head = cars["note"].str.extract(r"^in unit \S+ with (\S+) ")[0]
    cars["unit"] = head.fillna(cars["basis"])  # a unit is named by its first event
    units = cars.drop_duplicates("unit")
    assert group["mean_car_hac"] == pytest.approx(units["value"].mean())
    assert group["n_events"] == len(units) == 21
    assert set(e["basis"]) - {"gold_direction:up"} == set(
        events.loc[events["gold_direction"] == "up", "event_id"]
    )


def test_aid_pause_shift_read_from_the_odds_file(res, snapshot_dir: Path) -> None:
    markets = pd.read_csv(snapshot_dir / "polymarket" / "markets.csv", dtype=str)
    token = markets.query("slug == 'russia-x-ukraine-ceasefire-in-2025' and outcome == 'Yes'")
    odds = pd.read_csv(snapshot_dir / "polymarket" / "prices" / f"{token['token_id'].item()}.csv")
    p = odds.set_index("t")["p"]
    # event 2025-03-03 19:30 New York = 2025-03-04 00:30 UTC: last sample before it, and the
    # last sample within 3 days after it
    before, after = p["2025-03-04T00:00:00Z"], p["2025-03-07T00:00:00Z"]
    e = _evidence(res, "aid_pause_moved_ceasefire_odds").set_index("statistic")["value"]
    assert (e["p_before"], e["p_after"]) == (before, after)
    row = _verdict(res, "aid_pause_moved_ceasefire_odds")
    assert row["estimate"] == pytest.approx(100 * (after - before))
    assert row["p"] == e["empirical_p"]  # expected 'any': the two-sided empirical p
    assert row["verdict"] == "inconclusive"
    windows = res.sensitivity.query("claim_id == 'aid_pause_moved_ceasefire_odds'")["window"]
    assert windows.tolist() == ["3D", "1D", "7D"]


# --------------------------------------------------------------------------------------------
# no data: the NATO-exit market has no odds in the snapshot
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("claim_id", ["nato_exit_odds_12pct", "bolton_raised_nato_exit_odds"])
def test_nato_market_is_no_data_with_the_fetch_command(res, snapshot_dir, claim_id) -> None:
    markets = pd.read_csv(snapshot_dir / "polymarket" / "markets.csv", dtype=str)
    token = markets.query(f"slug == '{NATO_SLUG}' and outcome == 'Yes'")["token_id"].item()
    assert not (snapshot_dir / "polymarket" / "prices" / f"{token}.csv").exists()
    row = _verdict(res, claim_id)
    assert row["verdict"] == "no data"
    assert row["missing_file"] == f"polymarket/prices/{token}.csv"
    assert row["fetch_command"] == (
        f"eventstudy fetch --markets {NATO_SLUG} --data-dir {snapshot_dir}"
    )
    assert row["fetch_command"] in row["reason"]
    assert math.isnan(row["p"]) and math.isnan(row["p_adjusted"])


# --------------------------------------------------------------------------------------------
# the results object
# --------------------------------------------------------------------------------------------


def test_benjamini_hochberg_across_claims(res) -> None:
    v = res.verdicts.dropna(subset=["p"]).sort_values("p")
    m = len(v)
    hand = (v["p"] * m / np.arange(1, m + 1))[::-1].cummin()[::-1].clip(upper=1)
    assert v["p_adjusted"].to_numpy() == pytest.approx(hand.to_numpy())
    assert (v["survives_bh"] == (v["p_adjusted"] < v["alpha"])).all()


def test_data_versions_are_the_files_sha256(res, snapshot_dir: Path) -> None:
    dv = res.data_versions
    assert set(dv.columns) == {"claim_id", "path", "sha256", "verified", "rows", "source"}
    assert dv["verified"].all()  # the snapshot's files are those its manifest recorded
    gold = dv[dv["claim_id"] == "gold_tops_3000"]
    assert gold["path"].tolist() == ["prices/GC=F.csv", "prices/GLD.csv"]
    for path, digest in zip(dv["path"], dv["sha256"], strict=True):
        assert hashlib.sha256((snapshot_dir / path).read_bytes()).hexdigest() == digest
    assert "prices/ACWI.csv" in set(dv.loc[dv["claim_id"] == "vance_munich_raised_gold", "path"])
    assert "sha256=" in res.settings["claims_file"]


def test_summary_and_tidy_frame(res) -> None:
    smry = res.summary()
    text = smry.as_text()
    for claim_id in res.claim_ids:
        assert claim_id in text
    assert "Verdict rules:" in text and "threshold: supported if" in text
    assert "Benjamini-Hochberg" in text
    assert "eventstudy fetch --markets will-us-leave-nato-by-june-30" in text
    assert "<table" in smry.as_html()
    assert "tabular" in smry.as_latex()
    assert "gold_tops_3000" in smry.as_csv()
    frame = res.to_frame()
    assert list(frame.columns) == ["event_id", "asset", "window", "statistic", "value"]
    assert list(res.evidence.columns) == list(EVIDENCE_COLUMNS)
    assert frame["value"].dtype == "float64"
    p_rows = frame[frame["statistic"] == "p_adjusted"].set_index("event_id")["value"]
    assert len(p_rows) == len(res.verdicts)
    expected = res.verdicts.set_index("claim_id")["p_adjusted"]
    pd.testing.assert_series_equal(p_rows, expected.loc[p_rows.index], check_names=False)
    assert repr(res) == (
        "<ClaimsResults claims=9 verdicts={'supported': 2, 'inconclusive': 5, 'no data': 2}>"
    )


def test_plots_return_axes(res) -> None:
    for claim_id in res.claim_ids:
        ax = res.plot(claim_id)
        assert isinstance(ax, Axes)
        plt.close(ax.figure)
    ax = res.plot("gold_tops_3000")
    labels = [line.get_label() for line in ax.lines]
    assert "GC=F close" in labels and "level 3,000" in labels
    assert any("0.5" in t.get_text() for t in ax.texts)  # the no-information probability
    plt.close(ax.figure)
    fig, axis = plt.subplots()
    assert res.plot_verdicts(ax=axis) is axis
    top = max(axis.get_yticklabels(), key=lambda t: t.get_position()[1])
    assert top.get_text() == res.claim_ids[0]  # the first claim on top
    plt.close(fig)
    with pytest.raises(KeyError, match="no claim 'nope'"):
        res.plot("nope")


def test_report_table(res, tmp_path: Path) -> None:
    table = claims_table(res)
    assert list(table.columns[:6]) == [
        "claim_id",
        "type",
        "verdict",
        "series",
        "key_date",
        "key_evidence",
    ]
    out = write_claims_table(res, tmp_path / "claims.csv")
    back = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("claim_id")
    assert back.loc["gold_tops_3000", "key_date"] == "2025-03-17"
    assert back.loc["gold_tops_3000", "series"] == "GC=F close"
    assert "prices/GC=F.csv sha256=" in back.loc["gold_tops_3000", "data_files"]
    assert back.loc["nato_exit_odds_12pct", "fetch_command"].startswith("eventstudy fetch")


def test_cli_claims_prints_the_verdict_table(
    tmp_path: Path, repo_root: Path, snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = load_claims(repo_root / "claims.csv")
    one = frame[frame["claim_id"] == "peace_through_strength_raises_gpr"]
    text = pd.read_csv(repo_root / "claims.csv", dtype=str, keep_default_na=False)
    text = text[text["claim_id"].isin(one["claim_id"])]
    path = tmp_path / "claims.csv"
    text.to_csv(path, index=False)
    args = ["claims", str(path), "--catalog", str(repo_root / "events.csv")]
    assert main([*args, "--data-dir", str(snapshot_dir)]) == 0
    out = capsys.readouterr().out
    assert "peace_through_strength_raises_gpr" in out and "supported" in out
    assert "shift: mean over start..end" in out  # the rule, under the table
    assert main([*args, "--data-dir", str(snapshot_dir), "--csv"]) == 0
    assert capsys.readouterr().out.startswith("claim_id,type,verdict,series,key_date")
    assert main(["claims", str(repo_root / "tests/data/claims/many_problems.csv")]) == 2


# --------------------------------------------------------------------------------------------
# the report's gold study, handed to the claims
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_gold(events, snapshot_dir):
    """The gold study as ``eventstudy run`` runs it (four CAR windows, default n_boot)."""
    import warnings

    from eventstudy.gold.study import gold_event_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gold_event_study(events, data_dir=snapshot_dir)


def test_the_reports_gold_study_gives_the_claims_the_same_numbers(
    repo_root, events, snapshot_dir, report_gold, res
) -> None:
    from eventstudy.claims.gold_adapter import effects_from_study, gold_event_effects

    own = gold_event_effects(events, gold="GC=F", window=(-1, 1), data_dir=snapshot_dir)
    given = effects_from_study(report_gold)
    pd.testing.assert_frame_equal(given.events, own.events, check_exact=True)
    pd.testing.assert_frame_equal(given.direction_tests, own.direction_tests, check_exact=True)
    pd.testing.assert_frame_equal(given.data_versions, own.data_versions)
    handed = run_claims(
        repo_root / "claims.csv", events, snapshot_dir, n_boot=400, gold_study=report_gold
    )
    for name in ("verdicts", "evidence", "sensitivity", "data_versions"):
        pd.testing.assert_frame_equal(getattr(handed, name), getattr(res, name), check_exact=True)


def test_a_gold_study_that_is_not_the_claims_own_is_refused(
    repo_root, events, snapshot_dir, report_gold
) -> None:
    from types import SimpleNamespace

    from eventstudy.claims.gold_adapter import study_mismatch
    from eventstudy.exceptions import SpecificationError

    assert study_mismatch(report_gold, events) is None
    recorded = report_gold.settings

    def like(settings=None, table=None, sha=None, drop=None, versions=None):
        if versions is None:
            versions = report_gold.data_versions
        if sha is not None:
            versions = versions.assign(sha256_read=sha)
        kept = {k: v for k, v in (recorded | (settings or {})).items() if k != drop}
        return SimpleNamespace(settings=kept, hac=report_gold.hac, data_versions=versions,
                               events=report_gold.events if table is None else table)  # fmt: skip

    ev = report_gold.events
    studied = int(np.flatnonzero(ev["status"] == "studied")[0])
    shifted = ev.copy()
    shifted.loc[studied, "day0"] += pd.Timedelta("1D")
    turned = ev.assign(gold_direction=ev["gold_direction"].replace({"up": "down"}))
    span = (pd.Timestamp("2020-01-02"), pd.Timestamp("2025-12-31"))
    cases = {
        "n_boot is 30, the claims use 200": like({"n_boot": 30}),
        "model is 'market'": like({"model": "market"}),
        "hac_variance is 'newey_west', the claims use 'garch'": like(
            {"hac_variance": "newey_west"}
        ),
        "placebo is 'stationary_bootstrap'": like({"placebo": "stationary_bootstrap"}),
        "placebo_span is (Timestamp('2020-01-02": like({"placebo_span": span}),
        "estimation_post is None, the claims use (11, 260)": like({"estimation_post": None}),
        f"maxlags is {recorded['maxlags'] + 1}, the claims use {recorded['maxlags']}": like(
            {"maxlags": recorded["maxlags"] + 1}
        ),
        "same_day0 is 'separate'": like({"same_day0": "separate"}),
        "label_categories is ()": like({"label_categories": ()}),
        "min_estimation_obs is 50": like({"min_estimation_obs": 50}),
        "data is 'in memory', the claims use None": like({"data": "in memory"}),
        "overlap_window is (-3, 3)": like({"overlap_window": (-3, 3)}),
        "the study does not record same_day0": like(drop="same_day0"),
        "another catalog (10 event ids differ)": like(table=ev.head(len(ev) - 10)),
        "events in another order": like(table=ev.iloc[::-1]),
        "another catalog (the day0 of 1 events differ)": like(table=shifted),
        "another catalog (the gold_direction of": like(table=turned),
        "prices/GC=F.csv in": like(sha="0" * 64),
        "it read no files": like(versions=pd.DataFrame({"path": []})),
    }
    for words, fake in cases.items():
        with pytest.raises(SpecificationError, match=re.escape(words)):
            run_claims(repo_root / "claims.csv", events, snapshot_dir, gold_study=fake)
    # every option of the study is checked: one the settings leave out is never taken as default
    from eventstudy.gold.study import gold_event_study

    options = set(inspect.signature(gold_event_study).parameters)
    options -= {"events", "gold", "car_windows", "data_dir"}
    assert {"hac_variance", "placebo", "placebo_span", "estimation_post", "maxlags",
            "same_day0", "data"} <= options  # fmt: skip
    for name in options:
        assert study_mismatch(like(drop=name), events) == f"the study does not record {name}"
    # day 0 as the study reads it: a day0 column of the catalog is used when there is one
    assert study_mismatch(report_gold, events.assign(day0=ev["day0"].to_numpy())) is None
    moved = events.assign(day0=shifted["day0"].to_numpy())
    assert (
        study_mismatch(report_gold, moved)
        == "it studied another catalog (the day0 of 1 events differ)"
    )


def test_a_gold_study_with_another_method_is_not_reused(events, snapshot_dir) -> None:
    """A real study run with a non-default method (no GARCH scaling) is told apart."""
    import warnings

    from eventstudy.claims.gold_adapter import study_mismatch
    from eventstudy.gold.study import gold_event_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = gold_event_study(events, data_dir=snapshot_dir, car_windows=((-1, 1),),
                                 hac_variance="newey_west")  # fmt: skip
    assert study_mismatch(other, events) == "hac_variance is 'newey_west', the claims use 'garch'"


def test_a_threshold_claim_finds_the_roll_days_once_for_all_its_horizons(
    tmp_path: Path, events, snapshot_dir, res
) -> None:
    """gold_tops_3000 has three horizons (through 2025-05-18, 1M, 6M): the roll detector
    reads GC=F once, and the evidence is that of the default detector."""
    from eventstudy.data.quality import roll_dates

    calls = []

    def counting(bars: pd.DataFrame) -> pd.DatetimeIndex:
        calls.append(len(bars))
        return roll_dates(bars)

    claims = load_claims(Path(__file__).parents[1] / "claims.csv", events)
    path = tmp_path / "claims.csv"
    claims.loc[claims["claim_id"] == "gold_tops_3000"].to_csv(path, index=False)
    out = run_claims(path, events, snapshot_dir, n_boot=400, roll_days=counting)
    assert len(calls) == 1
    mine = out.evidence.drop(columns="claim_id").reset_index(drop=True)
    theirs = res.evidence.loc[res.evidence["claim_id"] == "gold_tops_3000"]
    theirs = theirs.drop(columns="claim_id").reset_index(drop=True)
    mine["date"] = mine["date"].astype(theirs["date"].dtype)  # the unit the others give
    pd.testing.assert_frame_equal(mine, theirs)
