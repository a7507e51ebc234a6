"""The report directory written by ``eventstudy run`` on the snapshot.

The page is read back as an HTML tree (BeautifulSoup) and its numbers are checked against the
CSV files written beside it, which come straight from the results objects: the page must say
what the tables hold.
"""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup


@pytest.fixture(scope="module")
def run(snapshot_report_run):
    return snapshot_report_run


@pytest.fixture(scope="module")
def out(run):
    return run.index.parent


@pytest.fixture(scope="module")
def soup(run):
    return BeautifulSoup(run.index.read_text(encoding="utf-8"), "html.parser")


def _table(soup, table_id: str) -> pd.DataFrame:
    """A table of the page as text cells, headed by its column headings."""
    table = soup.find("table", id=table_id)
    assert table is not None, f"no table #{table_id}"
    heads = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    rows = [
        [td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")
    ]
    return pd.DataFrame(rows, columns=heads)


def _headline(soup) -> str:
    return " ".join(li.get_text(" ", strip=True) for li in soup.select("ul.headline li"))


# --------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------


def test_report_files_and_gold_events_table(out, repo_root):
    for name in (
        "index.html",
        "gold_events.csv",
        "gold_groups.csv",
        "gold_tests.csv",
        "gold_overlaps.csv",
        "gold_sensitivity.csv",
        "gold_robustness.csv",
        "odds_shifts.csv",
        "gold_odds.csv",
        "claims.csv",
        "claims_evidence.csv",
        "data_versions.csv",
        "fig_gold_events.png",
        "fig_gold_directions.png",
        "fig_car_paths.png",
        "fig_gold_vs_odds.png",
        "fig_claims.png",
    ):
        assert (out / name).is_file(), name
    events = pd.read_csv(out / "gold_events.csv")
    catalog = pd.read_csv(repo_root / "events.csv", encoding="utf-8-sig")
    assert list(events["event_id"]) == list(catalog["event_id"])  # no row dropped
    assert set(events["status"]) <= {"studied", "excluded", "merged"}
    assert events.loc[events["status"] == "excluded", "reason"].notna().all()
    assert (events["window"] == "(-1, +1)").all()
    for col in ("car", "car_se", "p_analytic", "p_hac", "p_placebo", "p_hac_bh"):
        assert col in events.columns


def test_every_link_of_the_page_resolves(soup, out):
    """The table of contents points at sections that exist; every local link and image is a
    file of the report; every CSV written is linked."""
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    toc = [a["href"] for a in soup.select("nav.toc a")]
    assert len(toc) >= 6
    for href in toc:
        assert href.startswith("#") and href[1:] in ids, href
    for a in soup.find_all("a", href=True):
        href = a["href"]
        if href.startswith("#"):
            assert href[1:] in ids, href
        elif not href.startswith(("http://", "https://")):
            assert (out / href).is_file(), href
    for img in soup.find_all("img"):
        assert (out / img["src"]).is_file(), img["src"]
        assert img.get("alt"), img["src"]
    linked = {a["href"] for a in soup.find_all("a", href=True)}
    for csv in out.glob("*.csv"):
        assert csv.name in linked, f"{csv.name} is not linked from the page"


def test_headline_counts_agree_with_the_tables(soup, out):
    """The plain-words headline states how many units are significant out of how many and how
    many survive Benjamini-Hochberg; recount both from gold_events.csv."""
    text = _headline(soup)
    events = pd.read_csv(out / "gold_events.csv")
    studied = events[events["status"] == "studied"]
    m = re.search(r"(\d+) of (\d+) units moved gold at the 5% level by the HAC route", text)
    assert m, text
    assert int(m.group(2)) == len(studied)
    assert int(m.group(1)) == int((studied["p_hac"] < 0.05).sum())
    m = re.search(r"Benjamini-Hochberg adjustment (\d+) remain", text)
    assert m, text
    assert int(m.group(1)) == int((studied["p_hac_bh"] < 0.05).sum())
    assert "by chance alone" in text and "not evidence of no effect" in text
    # the claims' verdict counts, from claims.csv
    claims = pd.read_csv(out / "claims.csv")
    n_supported = int((claims["verdict"] == "supported").sum())
    assert f"Claims: {n_supported} supported" in text


def test_direction_effects_in_the_headline_are_the_gold_results(run, soup):
    effects = run.inputs.gold.direction_effects()
    text = _headline(soup)
    up = effects.loc["up"]
    assert f"({int(up['n'])} units): mean CAR {100 * up['mean_car']:+.2f}%" in text
    assert f"{100 * up['ci_low']:+.2f}% to {100 * up['ci_high']:+.2f}%" in text


def test_excluded_events_have_their_own_table(soup, out):
    events = pd.read_csv(out / "gold_events.csv")
    shown = _table(soup, "gold-events-table")
    excluded = _table(soup, "gold-excluded-table")
    assert set(excluded["Event"]) == set(events.loc[events["status"] == "excluded", "event_id"])
    assert not set(shown["Event"]) & set(excluded["Event"])
    assert (excluded["Reason"] != "").all()
    # studied rows come in date order, with readable headings (no raw column names)
    assert list(shown["Day 0"]) == sorted(shown["Day 0"])
    assert "p_hac" not in shown.columns and "car_pct" not in shown.columns
    # English and Japanese titles side by side
    assert "Japanese title" in shown.columns and "ロシアがウクライナへ全面侵攻開始" in set(
        _table(soup, "gold-events-table")["Japanese title"]
    ) | set(excluded["Japanese title"])


def test_data_versions_list_every_file_used(run, out, soup):
    """GC=F, GLD, the benchmarks and factors, the series the claims read, and every Polymarket
    file behind a shift, each with the sha256 of its bytes (checked here by hashing)."""
    import hashlib

    versions = pd.read_csv(out / "data_versions.csv")
    paths = set(versions["path"])
    root = run.inputs.settings["data_dir"]
    for must in ("prices/GC=F.csv", "prices/GLD.csv", "polymarket/markets.csv"):
        assert must in paths, must
    assert any(p.startswith("series/") for p in paths)  # the claims' GPRD
    details = run.inputs.odds.details
    tokens = details.loc[details["status"] != "not_computable", "token_id"].unique()
    assert len(tokens) >= 20
    from eventstudy.data.store import odds_relpath

    for token in tokens:
        assert odds_relpath(token) in paths, token
    for row in versions.itertuples():
        with open(f"{root}/{row.path}", "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == row.sha256_read, row.path
    shown = _table(soup, "data-table")
    assert len(shown) == len(versions)


def test_group_counts_are_written_as_integers(out):
    """gold_groups.csv: ``n`` of each direction is the count of studied units (events sharing a
    day 0 are one unit whose direction is their one non-"none" direction), written as an
    integer (no "12.0"), and ``nobs`` of the up-vs-down tests is up + down."""
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


def test_gold_odds_table_uses_the_gold_study_car(out):
    table = pd.read_csv(out / "gold_odds.csv").set_index("event_id")
    gold = pd.read_csv(out / "gold_events.csv").set_index("event_id")
    for col in ("car", "shift_logodds", "n_markets", "shift_logodds (oriented)"):
        assert col in table.columns, col
    assert table.index.is_unique
    np.testing.assert_allclose(
        table["car"], gold.loc[table.index, "car"], rtol=1e-12, equal_nan=True
    )
    used = table["shift_logodds"].notna()
    assert used.sum() >= 10 and (table.loc[used, "n_markets"] >= 1).all()


def test_robustness_table_compares_the_models(out, run):
    table = pd.read_csv(out / "gold_robustness.csv").set_index("event_id")
    gold = run.inputs.gold
    main = gold.events[gold.events["status"] == "studied"].set_index("unit_id")
    col = "car_pct: constant mean, GC=F"
    assert col in table.columns and "car_pct: market model (ACWI), GC=F" in table.columns
    both = main.index.intersection(table.index)
    assert len(both) == len(main)
    np.testing.assert_allclose(table.loc[both, col], 100 * main.loc[both, "car"], rtol=1e-10)


def test_odds_figures_are_the_events_that_moved_most(out, run, soup):
    from eventstudy.report.figures import TOP_ODDS_EVENTS

    shifts = pd.read_csv(out / "odds_shifts.csv")
    one_day = shifts[shifts["horizon"] == "1D"]
    moved = one_day.groupby("event_id")["shift_logodds"].apply(lambda s: s.abs().max())
    expected = set(moved.sort_values(ascending=False).index[:TOP_ODDS_EVENTS])
    drawn = {p.name[len("fig_odds_") : -4] for p in out.glob("fig_odds_*.png")}
    assert drawn == expected
    odds_part = str(soup.find("section", id="odds"))
    for eid in drawn:
        assert f"fig_odds_{eid}.png" in odds_part


def test_car_paths_are_the_units_with_the_largest_car(out, run, soup):
    """One small-multiples figure of the TOP_EVENTS largest |CAR| (gold_events.csv), in that
    order; with all_figures every studied unit once, TOP_EVENTS a figure."""
    from eventstudy.report.figures import TOP_EVENTS, part_jobs, part_results

    events = pd.read_csv(out / "gold_events.csv")
    studied = events[events["status"] == "studied"]
    ranked = list(studied.loc[studied["car"].abs().sort_values(ascending=False).index, "unit_id"])
    assert sorted(p.name for p in out.glob("fig_car_*.png")) == ["fig_car_paths.png"]
    (caption,) = [f.caption for f in run.figures if f.name == "fig_car_paths.png"]
    assert caption.endswith(": " + ", ".join(ranked[:TOP_EVENTS]))
    assert soup.find("img", src="fig_car_paths.png") is not None
    every = [j.figure for j in part_jobs("gold", part_results(run.inputs)["gold"], "en", True)]
    cars = [f for f in every if f.name.startswith("fig_car_")]
    assert len(cars) == -(-len(ranked) // TOP_EVENTS)
    assert [f.name for f in cars[:2]] == ["fig_car_paths.png", "fig_car_paths_2.png"]
    assert ", ".join(ranked) == ", ".join(f.caption.rsplit(": ", 1)[1] for f in cars)


def test_car_paths_caption_of_a_last_figure_with_one_unit():
    """Seven units, six a figure: the second figure's caption names unit 7, not '7-7'."""
    from eventstudy.report.figures import _car_paths_job

    units = [f"u{i}" for i in range(1, 8)]
    en = [_car_paths_job(None, units, first, 7, "en").figure for first in (0, 6)]
    ja = [_car_paths_job(None, units, first, 7, "ja").figure for first in (0, 6)]
    assert [f.name for f in en] == ["fig_car_paths.png", "fig_car_paths_2.png"]
    assert "the 6 of 7 studied units" in en[0].caption
    assert "unit 7 of 7 by |CAR|" in en[1].caption and en[1].caption.endswith(": u7")
    assert "1-6件目/7件" in ja[0].caption and "、7件目/7件" in ja[1].caption
    (few,) = [_car_paths_job(None, units[:4], 0, 4, "en").figure]  # every unit in one figure
    assert "all 4 studied units, largest |CAR| first" in few.caption


# --------------------------------------------------------------------------------------------
# variants of the page from the same analyses (no second run of the studies)
# --------------------------------------------------------------------------------------------


def test_japanese_report(run, tmp_path):
    from eventstudy.report.compose import write_report

    ja = write_report(run.inputs, tmp_path, lang="ja")
    soup = BeautifulSoup(ja.index.read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == "ja"
    headings = [h.get_text(strip=True) for h in soup.find_all("h2")]
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", h) for h in headings), headings
    text = _headline(soup)
    assert "Benjamini-Hochberg" in text and "偶然" in text
    # same numbers as the English page
    events = pd.read_csv(run.index.parent / "gold_events.csv")
    n = int((events["status"] == "studied").sum())
    assert f"{n}単位のうち" in text


def test_self_contained_report_is_one_file(run, tmp_path):
    from eventstudy.report.compose import write_report

    one = write_report(run.inputs, tmp_path, self_contained=True)
    soup = BeautifulSoup(one.index.read_text(encoding="utf-8"), "html.parser")
    images = soup.find_all("img")
    assert len(images) == len(run.figures)
    for img in images:
        head, data = img["src"].split(",", 1)
        assert head == "data:image/png;base64"
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"


def test_figures_are_the_same_drawn_in_parallel_or_not(run, tmp_path):
    """Worker processes draw byte-identical files (fixed size, dpi, no time stamp)."""
    from eventstudy.report.figures import draw_figures

    one = draw_figures(run.inputs, tmp_path, workers=1)
    for fig in one:
        assert (tmp_path / fig.name).read_bytes() == (run.index.parent / fig.name).read_bytes()


# --------------------------------------------------------------------------------------------
# data missing
# --------------------------------------------------------------------------------------------


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
        robustness=False,
        fetch_missing=False,
    ).index
    out = index.parent
    html = index.read_text(encoding="utf-8")
    assert (out / "gold_events.csv").is_file()
    assert "Odds study not run" in html and "DataNotFoundError" in html
    assert not (out / "gold_odds.csv").exists()
    assert not list(out.glob("fig_odds_*.png"))


def test_odds_step_does_not_hide_programming_errors(snapshot_dir, repo_root, monkeypatch):
    """Only the library's own errors (and OSError) become a note; a bug propagates."""
    import eventstudy.odds.study as odds_study
    from eventstudy.data.catalog import load_events
    from eventstudy.exceptions import DataNotFoundError
    from eventstudy.report.analyses import _odds

    events = load_events(repo_root / "events.csv")

    def missing(*args, **kwargs):
        raise DataNotFoundError("Polymarket markets", "polymarket/markets.csv")

    def bug(*args, **kwargs):
        raise TypeError("a bug")

    monkeypatch.setattr(odds_study, "run_odds_study", missing)
    odds, note = _odds(events, snapshot_dir)
    assert odds is None and "DataNotFoundError" in note and "markets.csv" in note
    monkeypatch.setattr(odds_study, "run_odds_study", bug)
    with pytest.raises(TypeError, match="a bug"):
        _odds(events, snapshot_dir)


def test_each_part_goes_to_the_figure_workers_as_soon_as_it_exists(tmp_path, monkeypatch):
    """The odds study first (its figures are the costliest), then the gold study, the
    association and the claims, each part sent to ``ready`` right after it is run; the
    robustness refits (tables only) run last, while the workers draw. The CLI's progress bar
    lists the steps in the same order."""
    from eventstudy.cli import RUN_STEPS
    from eventstudy.report import analyses

    log = []

    def record(name, value=None):
        def run(*args, **kwargs):
            log.append(name)
            return value

        return run

    (tmp_path / "claims.csv").write_text("claim_id\n")
    monkeypatch.setattr("eventstudy.data.catalog.load_events", record("catalog read"))
    monkeypatch.setattr(analyses, "_odds", record("odds run", ("odds", "")))
    monkeypatch.setattr(analyses, "_gold", record("gold run", "gold"))
    monkeypatch.setattr(analyses, "_associations", record("association run", {"raw": 1}))
    monkeypatch.setattr(analyses, "_claims", record("claims run", ("claims", "")))
    monkeypatch.setattr(analyses, "_robustness", record("robustness run", {}))
    monkeypatch.setattr(analyses, "_data_versions", record("versions run"))
    analyses.run_analyses(
        tmp_path / "events.csv",
        tmp_path,
        progress=lambda step: log.append(f"step {step}"),
        ready=lambda part, results: log.append(f"ready {part}"),
    )
    assert log == [
        "step catalog", "catalog read",
        "step odds study", "odds run", "ready odds",
        "step gold study", "gold run", "ready gold", "association run", "ready association",
        "step claims", "claims run", "ready claims",
        "step robustness", "robustness run",
        "step data versions", "versions run",
    ]  # fmt: skip
    steps = [entry.removeprefix("step ") for entry in log if entry.startswith("step ")]
    assert [s for s in RUN_STEPS if s in steps] == steps


@pytest.mark.parametrize("threshold", [(700, 10, 10), (50_000, 5, 7), (0, 10, 10)])
def test_the_collector_threshold_is_raised_during_the_run_and_restored(
    tmp_path, monkeypatch, threshold
):
    """Fewer collections while the analyses run (a higher one stays, 0 = off stays off), and
    the caller's thresholds back afterwards, also when the run fails."""
    import gc

    from eventstudy.report import compose

    seen = []

    def analyses(*args, **kwargs):
        seen.append(gc.get_threshold())
        raise RuntimeError("analysis failed")

    monkeypatch.setattr(compose, "run_analyses", analyses)
    before = gc.get_threshold()
    try:
        gc.set_threshold(*threshold)
        with pytest.raises(RuntimeError, match="analysis failed"):
            compose.run_report(tmp_path / "events.csv", tmp_path, tmp_path / "report",
                               fetch_missing=False)  # fmt: skip
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*before)
    raised = (max(threshold[0], compose.COLLECTION_THRESHOLD) if threshold[0] else 0,)
    assert seen == [raised + threshold[1:]]
    assert after == threshold


def test_overlapping_runs_restore_the_collector_threshold_once_both_ended():
    """Two runs in threads: the first ends while the second goes on (exits out of order);
    the threshold stays raised until the second ends, then is the one found before both."""
    import gc

    from eventstudy.report import compose

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        first, second = compose._fewer_collections(), compose._fewer_collections()
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)
        assert gc.get_threshold()[0] == compose.COLLECTION_THRESHOLD
        second.__exit__(None, None, None)
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
