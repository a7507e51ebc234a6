"""The report directory written by ``eventstudy run`` on the snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def snapshot_report(snapshot_dir, repo_root, tmp_path_factory):
    """One ``run_report`` on the snapshot, shared by the tests below (keeps the suite short)."""
    from eventstudy.report.compose import run_report

    return run_report(
        catalog=repo_root / "events.csv",
        data_dir=snapshot_dir,
        out=tmp_path_factory.mktemp("snapshot_report") / "report",
        n_boot=30,
        robustness=False,
    )


def test_run_report_on_snapshot(snapshot_report, repo_root):
    index = snapshot_report
    out = index.parent
    assert index.name == "index.html"
    for name in (
        "gold_events.csv",
        "gold_groups.csv",
        "gold_overlaps.csv",
        "gold_sensitivity.csv",
        "data_versions.csv",
        "fig_gold_events.png",
        "fig_caar_direction.png",
    ):
        assert (out / name).is_file(), name
    events = pd.read_csv(out / "gold_events.csv")
    catalog = pd.read_csv(repo_root / "events.csv")
    assert list(events["event_id"]) == list(catalog["event_id"])
    assert set(events["status"]) <= {"studied", "excluded", "merged"}
    assert events.loc[events["status"] == "excluded", "reason"].notna().all()
    for col in ("car", "car_se", "p_analytic", "p_hac", "p_placebo", "window"):
        assert col in events.columns
    assert (events["window"] == "(-1, +1)").all()
    html = index.read_text(encoding="utf-8")
    versions = pd.read_csv(out / "data_versions.csv")
    assert "prices/GC=F.csv" in set(versions["path"])
    assert versions["sha256_read"].iloc[0] in html
    assert "Exclusions" in html and "Notes" in html and "Polymarket odds" in html
    assert "Headline" in html and "catalog events studied" in html
    # Japanese titles are written as UTF-8 text
    assert "ロシアがウクライナへ全面侵攻開始" in html


def test_group_counts_are_written_as_integers(snapshot_report):
    """gold_groups.csv: ``n`` of each direction is the count of studied units (events sharing a
    day 0 are one unit whose direction is their one non-"none" direction), written as an
    integer (no "12.0"), and ``nobs`` of the up-vs-down tests is up + down."""
    out = snapshot_report.parent
    events = pd.read_csv(out / "gold_events.csv")
    members = events[events["status"].isin(["studied", "merged"])].groupby("unit_id")

    def unit_direction(directions):
        told = set(directions) - {"none"}
        return "none" if not told else told.pop() if len(told) == 1 else "mixed"

    studied = members["gold_direction"].agg(unit_direction).rename("gold_direction").to_frame()
    text = (out / "gold_groups.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    n_col, nobs_col, by_col, grp_col = (header.index(c) for c in ("n", "nobs", "by", "group"))
    for line in text[1:]:
        cells = line.split(",")
        if cells[by_col] == "gold_direction":
            expected = int((studied["gold_direction"] == cells[grp_col]).sum())
            assert cells[n_col] == str(expected), line
        if cells[nobs_col]:
            ups_downs = int(studied["gold_direction"].isin(["up", "down"]).sum())
            assert cells[nobs_col] == str(ups_downs), line


def test_cli_run_prints_the_path(snapshot_dir, repo_root, tmp_path, monkeypatch, capsys):
    import eventstudy.report.compose as report
    from eventstudy import cli
    from eventstudy.cli import main

    calls = {}

    def fake(catalog, data_dir, out):
        calls.update(catalog=catalog, data_dir=data_dir, out=out)
        return tmp_path / "index.html"

    monkeypatch.setattr(report, "run_report", fake)
    monkeypatch.setattr(cli, "_ensure_data", lambda args: None)  # data: tests/test_ensure.py
    assert main(["run", "--catalog", "x.csv", "--out", str(tmp_path)]) == 0
    assert calls["catalog"] == "x.csv"
    assert str(tmp_path / "index.html") in capsys.readouterr().out


def test_report_writes_gold_odds_table(snapshot_report):
    out = snapshot_report.parent
    table = pd.read_csv(out / "gold_odds.csv")
    for col in (
        "event_id",
        "car",
        "car_pct",
        "horizon",
        "shift_logodds",
        "n_markets",
        "n_linked",
        "status",
        "reason",
    ):
        assert col in table.columns, col
    assert table["event_id"].is_unique
    row = table.set_index("event_id").loc["us_strikes_iran_nuclear_sites"]
    assert row["status"] == "used"
    assert row["n_markets"] >= 1 and row["n_linked"] >= row["n_markets"]
    assert np.isfinite(row["shift_logodds"])
    assert row["car_pct"] == pytest.approx(100 * row["car"])
    # events left out of the association say why and carry no shift
    left = table[table["status"] != "used"]
    assert left["reason"].notna().all() and left["shift_logodds"].isna().all()
    assert (table.loc[table["status"] == "used", "n_markets"] >= 1).all()


def test_gold_odds_car_is_the_gold_study_car(snapshot_report):
    out = snapshot_report.parent
    table = pd.read_csv(out / "gold_odds.csv").set_index("event_id")
    gold = pd.read_csv(out / "gold_events.csv").set_index("event_id")
    eid = "us_strikes_iran_nuclear_sites"
    assert table.loc[eid, "car"] == pytest.approx(gold.loc[eid, "car"], rel=1e-12)
    both = table.index.intersection(gold.index)
    assert len(both) == len(table)
    np.testing.assert_allclose(table.loc[both, "car"], gold.loc[both, "car"], rtol=1e-12)


def test_report_embeds_odds_figures_and_association(snapshot_report):
    out = snapshot_report.parent
    html = snapshot_report.read_text(encoding="utf-8")
    figs = sorted(p.name for p in out.glob("fig_odds_*.png"))
    assert figs, "no odds figure written"
    assert "fig_odds_us_strikes_iran_nuclear_sites.png" in figs
    for name in figs:
        assert f"src='{name}'" in html, name
        assert (out / name).stat().st_size > 1000
    assert "00:00 UTC" in html  # says what the samples are
    assert (out / "fig_gold_vs_odds.png").is_file() and "fig_gold_vs_odds.png" in html
    assert "gold_odds.csv" in html
    for test in ("pearson_permutation", "spearman_permutation", "kendall"):
        assert test in html
    assert "not harmonised" in html
    odds_part = html[html.index("<h2>Polymarket odds</h2>") :]
    assert "fig_odds_" in odds_part and "fig_odds_" not in html[: html.index("Polymarket")]


def test_report_without_polymarket_data_says_why(snapshot_dir, repo_root, tmp_path):
    """A data directory with prices but no polymarket/ folder: gold report, odds note."""
    from eventstudy.report.compose import run_report

    data = tmp_path / "data"
    data.mkdir()
    for entry in snapshot_dir.iterdir():
        if entry.name != "polymarket":
            (data / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    index = run_report(
        catalog=repo_root / "events.csv",
        data_dir=data,
        out=tmp_path / "report",
        n_boot=10,
        robustness=False,
    )
    out = index.parent
    html = index.read_text(encoding="utf-8")
    assert (out / "gold_events.csv").is_file()
    assert "Odds study not run" in html and "DataNotFoundError" in html
    assert not (out / "gold_odds.csv").exists()
    assert not list(out.glob("fig_odds_*.png"))


def test_odds_section_does_not_hide_programming_errors(
    snapshot_dir, repo_root, tmp_path, monkeypatch
):
    """Only the library's own errors (and OSError) become a note; a bug propagates."""
    import eventstudy.odds.study as odds_study
    from eventstudy.data.catalog import load_events
    from eventstudy.exceptions import DataNotFoundError
    from eventstudy.report.compose import _odds_section

    events = load_events(repo_root / "events.csv")
    gold = pd.DataFrame({"event_id": events["event_id"], "car": np.nan, "status": "excluded"})

    def missing(*args, **kwargs):
        raise DataNotFoundError("Polymarket markets", "polymarket/markets.csv")

    def bug(*args, **kwargs):
        raise TypeError("a bug")

    monkeypatch.setattr(odds_study, "run_odds_study", missing)
    html, note = _odds_section(events, snapshot_dir, tmp_path, gold)
    assert html == "" and "DataNotFoundError" in note and "markets.csv" in note
    monkeypatch.setattr(odds_study, "run_odds_study", bug)
    with pytest.raises(TypeError, match="a bug"):
        _odds_section(events, snapshot_dir, tmp_path, gold)
