"""Tests of eventstudy.data.orientation: ``market_orientation.csv`` and its validator.

The shipped file is checked against the catalog's links, read independently with the csv
module; broken files are written by hand, one problem kind each, then all at once.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.data.catalog import load_events
from eventstudy.data.orientation import (
    ORIENTATION_COLUMNS,
    YES_MEANS,
    check_orientation,
    default_orientation_path,
    load_orientation,
    orientation_signs,
)
from eventstudy.exceptions import CatalogError, OrientationError

HEADER = "slug,yes_means,rationale\n"


@pytest.fixture(scope="module")
def events(repo_root: Path) -> pd.DataFrame:
    return load_events(repo_root / "events.csv")


def _write(tmp_path: Path, text: str | bytes, name: str = "market_orientation.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _found(path: Path, events: pd.DataFrame | None = None) -> list[tuple]:
    """(line, column, value) of every problem, after checking load raises them all."""
    with pytest.raises(OrientationError) as info:
        load_orientation(path, events)
    assert info.value.problems == check_orientation(path, events)
    return [(p.line, p.column, p.value) for p in info.value.problems]


# --------------------------------------------------------------------------------------------
# the shipped file
# --------------------------------------------------------------------------------------------


def test_shipped_file_orients_every_linked_market(repo_root: Path, events: pd.DataFrame) -> None:
    path = default_orientation_path(repo_root / "events.csv")
    assert path == repo_root / "market_orientation.csv"
    table = load_orientation(path, events)
    assert list(table.columns) == ["slug", "yes_means", "sign", "rationale"]
    # the catalog's links, read here with the csv module
    with open(repo_root / "events.csv", newline="", encoding="utf-8-sig") as fh:
        linked = {s for row in csv.DictReader(fh) for s in row["polymarket"].split()}
    assert set(table["slug"]) == linked
    assert table["slug"].is_unique
    assert set(table["yes_means"]) == set(YES_MEANS)
    assert (table["sign"] == table["yes_means"].map({"more_risk": 1, "less_risk": -1})).all()
    assert table["rationale"].str.len().min() > 10
    signs = orientation_signs(table)
    # hand-checked directions: escalation questions up, settlement questions down
    assert signs["us-military-action-against-iran-before-july"] == 1
    assert signs["will-iran-close-the-strait-of-hormuz-in-2025"] == 1
    assert signs["will-us-leave-nato-by-june-30"] == 1
    assert signs["russia-x-ukraine-ceasefire-in-2025"] == -1
    assert signs["israel-x-iran-ceasefire-before-july"] == -1
    assert signs["us-china-trade-deal-before-june"] == -1
    assert all("ceasefire" not in s or v == -1 for s, v in signs.items())


def test_cli_validate_checks_the_orientation_beside_the_catalog(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = repo_root / "events.csv"
    assert main(["validate", str(catalog), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"OK: {repo_root / 'market_orientation.csv'}: 40 market orientations"
    # a broken orientation file is an error, listed like catalog problems
    bad = _write(tmp_path, HEADER + "will-us-leave-nato-by-june-30,up,x\n")
    assert main(["validate", str(catalog), "--orientation", str(bad)]) == 2
    out = capsys.readouterr().out
    assert out.splitlines()[1].endswith("problems in the market orientation file:")
    assert f"{bad} line 2, column yes_means: 'up': unknown yes_means" in out
    assert "'russia-x-ukraine-ceasefire-in-2025': market linked in the catalog" in out


def test_cli_validate_warns_when_no_orientation_file(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "events.csv"
    catalog.write_bytes((repo_root / "events.csv").read_bytes())
    assert main(["validate", str(catalog), "--data-dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == f"OK: {catalog}: 61 events"
    assert "no market_orientation.csv beside the catalog" in captured.err


# --------------------------------------------------------------------------------------------
# one broken file per problem kind
# --------------------------------------------------------------------------------------------


def test_values_are_checked_with_line_column_and_value(tmp_path: Path) -> None:
    text = (
        HEADER
        + "good-slug,More Risk,normalised spelling is fine\n"
        + "bad slug,more_risk,x\n"
        + "other-slug,moar_risk,x\n"
        + "third-slug,,\n"
        + "good-slug,less_risk,again\n"
    )
    path = _write(tmp_path, text)
    assert _found(path) == [
        (3, "slug", "bad slug"),
        (4, "yes_means", "moar_risk"),
        (5, "yes_means", ""),
        (5, "rationale", ""),
        (6, "slug", "good-slug"),
    ]
    messages = [p.message for p in check_orientation(path)]
    assert "did you mean 'more_risk'?" in messages[1]
    assert "accepted values are more_risk, less_risk" in messages[1]
    assert messages[4].startswith("duplicate slug: used on lines 2 and 6")
    with pytest.raises(CatalogError) as info:  # the CLI handles it like a catalog error
        load_orientation(path)
    assert isinstance(info.value, OrientationError)
    assert str(info.value).startswith("5 problems in the market orientation file:")


def test_every_linked_slug_needs_an_orientation(tmp_path: Path) -> None:
    events = pd.DataFrame(
        {
            "event_id": ["a", "b"],
            "polymarket_slugs": [["one", "two"], ["two", "three"]],
        }
    )
    path = _write(tmp_path, HEADER + "one,more_risk,x\nunused,less_risk,y\n")
    assert _found(path, events) == [(None, "slug", "two"), (None, "slug", "three")]
    two = check_orientation(path, events)[0]
    assert "linked in the catalog (a, b) has no orientation" in two.message
    assert "'two,more_risk|less_risk,<why>'" in two.message
    assert check_orientation(path) == []  # without the catalog, extra rows are fine


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("slug,yes_mean,rationale\n", [(1, "yes_mean", "yes_mean"), (1, "yes_means", None)]),
        ("slug,yes_means\nx,more_risk\n", [(1, "rationale", None)]),
        ("slug;yes_means;rationale\nx;more_risk;y\n", [(1, None, None)]),
        ("", [(None, None, None)]),
        (HEADER, [(None, None, None)]),
    ],
)
def test_header_and_empty_files(tmp_path: Path, text: str, expected: list[tuple]) -> None:
    assert _found(_write(tmp_path, text)) == expected


def test_excel_cp932_gets_the_catalog_hint(tmp_path: Path) -> None:
    path = _write(tmp_path, (HEADER + "x,more_risk,エスカレーション\n").encode("cp932"))
    problems = check_orientation(path)
    assert len(problems) == 1 and "Shift_JIS/CP932" in problems[0].message


def test_bom_crlf_and_quotes_accepted(tmp_path: Path) -> None:
    text = "\ufeff" + HEADER.replace("\n", "\r\n") + 'x,less_risk,"a, b"\r\n\r\n'
    table = load_orientation(_write(tmp_path, text))
    assert table.to_dict("records") == [
        {"slug": "x", "yes_means": "less_risk", "sign": -1, "rationale": "a, b"}
    ]
    assert list(ORIENTATION_COLUMNS) == ["slug", "yes_means", "rationale"]


def test_orientation_signs_accepts_mappings_and_rejects_other_values() -> None:
    assert orientation_signs({"a": 1, "b": -1}) == {"a": 1, "b": -1}
    with pytest.raises(ValueError, match="must be \\+1 or -1"):
        orientation_signs({"a": 2})
