"""A catalog and a claims file with hostile text: shown as written, never executed.

Titles hold a ``<script>``, an attribute-breaking quote and a spreadsheet formula; the page
must show them as text (escaped by the template), and the CSV files must not let a
spreadsheet evaluate them (:mod:`eventstudy.report.safe_csv`).
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from bs4 import BeautifulSoup

SCRIPT = "<script>document.title='pwned'</script> strike"
QUOTE = 'Summit "><img src=x onerror="document.title=\'pwned\'"> talks'
FORMULA = '=HYPERLINK("http://evil.example","click") tariffs'
JA = '<b>太字</b> と "引用" の見出し'
CLAIM = "<img src=x onerror=alert(1)> gold tops $3,000"

KEEP = ("russia_invades_ukraine", "us_strikes_iran_nuclear_sites", "liberation_day_tariffs",
        "tariff_pause_90day", "oval_office_clash", "israel_iran_ceasefire")  # fmt: skip


@pytest.fixture(scope="module")
def hostile(repo_root, snapshot_dir, tmp_path_factory):
    """A six-event catalog with hostile titles and a one-claim claims file beside it, and the
    report written from them."""
    from eventstudy.report.compose import run_report

    root = tmp_path_factory.mktemp("hostile")
    events = pd.read_csv(repo_root / "events.csv", dtype=str, keep_default_na=False,
                         encoding="utf-8-sig")  # fmt: skip
    events = events[events["event_id"].isin(KEEP)].copy()
    hostile = [SCRIPT, QUOTE, FORMULA, "@SUM(A1:A9) pause", "-2+3 clash", "ok"]
    titles = dict(zip(KEEP, hostile, strict=True))
    events["title"] = events["event_id"].map(titles)
    events["title_ja"] = JA
    events.to_csv(root / "events.csv", index=False, encoding="utf-8")
    claims = pd.read_csv(repo_root / "claims.csv", dtype=str, keep_default_na=False)
    claims = claims[claims["claim_id"] == "gold_tops_3000"].copy()
    claims["text"] = CLAIM
    claims.to_csv(root / "claims.csv", index=False, encoding="utf-8")
    run = run_report(catalog=root / "events.csv", data_dir=snapshot_dir,
                       out=root / "report", robustness=False)  # fmt: skip
    return run


def test_hostile_titles_are_shown_not_executed(hostile):
    html = hostile.index.read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None  # the page itself has no script at all
    assert not [img for img in soup.find_all("img") if img.get("onerror")]
    assert "<script>document.title" not in html and "&lt;script&gt;" in html
    text = soup.get_text()
    for written in (SCRIPT, QUOTE, FORMULA, JA, CLAIM):
        assert written in text, written  # shown as the analyst wrote it


def test_hostile_titles_cannot_start_a_spreadsheet_formula(hostile):
    out = hostile.index.parent
    with open(out / "gold_events.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    titles = {row["event_id"]: row["title"] for row in rows}
    assert titles["liberation_day_tariffs"] == "'" + FORMULA
    assert titles["tariff_pause_90day"] == "'@SUM(A1:A9) pause"
    assert titles["oval_office_clash"] == "'-2+3 clash"
    assert titles["russia_invades_ukraine"] == SCRIPT  # no formula start: unchanged
    for name in ("gold_events.csv", "claims.csv", "odds_shifts.csv", "gold_overlaps.csv"):
        path = out / name
        if not path.is_file():
            continue
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    if cell[:1] in ("=", "@", "+", "-"):
                        float(cell)  # only plain numbers may start with a sign


def test_hostile_page_runs_no_script_in_a_browser(browser, hostile):
    """Opened in Chromium: the injected handlers never run (they would set the title)."""
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(hostile.index.as_uri())
    page.wait_for_load_state("load")
    assert page.title() != "pwned" and dialogs == []
    assert SCRIPT in page.inner_text("body")
    page.close()
