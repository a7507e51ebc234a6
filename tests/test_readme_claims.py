"""The README's table of the shipped claims on the snapshot states what the code computes.

The table is written by hand; this test reads each row's verdict and its first "p X (BH Y)"
and checks them against :func:`eventstudy.claims.run_claims` on the snapshot, to the digits
the README shows (the verdicts and the main p-values cannot drift from the data, as they once
did; the other numbers of a row are not checked).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.claims import run_claims
from eventstudy.data.catalog import load_events

ROW = re.compile(r"^\| `(?P<claim>[a-z0-9_]+)`[^|]*\| (?P<verdict>[a-z ]+) \| (?P<evidence>.*) \|$")
P_AND_BH = re.compile(r"\bp (?P<p>[0-9.]+)(?: two-sided)? \(BH (?P<bh>[0-9.]+)\)")


def _readme_rows(repo_root: Path) -> dict[str, tuple[str, str]]:
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    section = text.split("### The shipped claims on the snapshot", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            rows[match["claim"]] = (match["verdict"], match["evidence"])
    return rows


def _shown(value: str, computed: float) -> bool:
    """``computed`` rounds to ``value`` at the decimals ``value`` is written with."""
    decimals = len(value.split(".", 1)[1]) if "." in value else 0
    return f"{computed:.{decimals}f}" == value


@pytest.fixture(scope="module")
def verdicts(repo_root: Path, snapshot_dir: Path) -> pd.DataFrame:
    events = load_events(repo_root / "events.csv")
    res = run_claims(repo_root / "claims.csv", events, snapshot_dir)
    return res.verdicts.set_index("claim_id")


def test_readme_claims_table_matches_the_snapshot(repo_root: Path, verdicts) -> None:
    rows = _readme_rows(repo_root)
    assert set(rows) == set(verdicts.index)
    checked = 0
    for claim, (verdict, evidence) in rows.items():
        row = verdicts.loc[claim]
        assert verdict == row["verdict"], claim
        found = P_AND_BH.search(evidence)
        if found:
            assert _shown(found["p"], row["p"]), (claim, found["p"], row["p"])
            assert _shown(found["bh"], row["p_adjusted"]), (claim, found["bh"], row["p_adjusted"])
            checked += 1
    assert checked >= 5  # every claim with a test p-value quotes it


def test_shown_rounds_at_the_written_digits() -> None:
    assert _shown("0.25", 0.2496) and not _shown("0.23", 0.2496)
    assert _shown("0.0003", 0.000286) and not _shown("0.0003", 0.00036)
