"""The report directory written by ``eventstudy run`` on the snapshot."""

from __future__ import annotations

import pandas as pd


def test_run_report_on_snapshot(snapshot_dir, repo_root, tmp_path):
    from eventstudy.report import run_report

    index = run_report(
        catalog=repo_root / "events.csv",
        data_dir=snapshot_dir,
        out=tmp_path / "report",
        n_boot=30,
        robustness=False,
    )
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
    assert versions["sha256"].iloc[0] in html
    assert "Exclusions" in html and "Notes" in html and "Polymarket odds" in html
    assert "Headline" in html and "catalog events studied" in html
    # Japanese titles are written as UTF-8 text
    assert "ロシアがウクライナへ全面侵攻開始" in html


def test_cli_run_prints_the_path(snapshot_dir, repo_root, tmp_path, monkeypatch, capsys):
    import eventstudy.report as report
    from eventstudy.cli import main

    calls = {}

    def fake(catalog, data_dir, out):
        calls.update(catalog=catalog, data_dir=data_dir, out=out)
        return tmp_path / "index.html"

    monkeypatch.setattr(report, "run_report", fake)
    assert main(["run", "--catalog", "x.csv", "--out", str(tmp_path)]) == 0
    assert calls["catalog"] == "x.csv"
    assert str(tmp_path / "index.html") in capsys.readouterr().out
