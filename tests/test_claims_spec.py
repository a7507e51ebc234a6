"""The claims file: schema, validation with file/line/column/value, typed claims, the CLI."""

from __future__ import annotations

import csv
import io
import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.claims.spec import (
    COLUMNS,
    check_claims,
    claims_from_frame,
    is_claims_file,
    load_claims,
)
from eventstudy.cli import main
from eventstudy.data.catalog import load_events
from eventstudy.exceptions import CatalogError, ClaimsError

CLAIMS = Path(__file__).parent / "data" / "claims"

VALID = {
    "claim_id": "gold_3000",
    "text": "金価格は近く3000ドルを超える",
    "source": "https://example.com/article",
    "made_on": "2025-02-18",
    "type": "threshold",
    "series": "GC=F GLD",
    "expected": "above",
    "level": "3000",
    "tolerance": "",
    "start": "",
    "end": "2025-05-18",
    "baseline": "",
    "events": "",
    "window": "",
    "basis": "close",
    "sensitivity": "1M 6M",
    "alpha": "0.05",
    "notes": "",
}


def _text(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _write(tmp_path: Path, text: str | bytes, name: str = "claims.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def _row(**changes: str) -> dict[str, str]:
    return {**VALID, **changes}


def _found(path: Path, events: pd.DataFrame | None = None) -> list[tuple]:
    return [(p.line, p.column, p.value) for p in check_claims(path, events)]


@pytest.fixture(scope="module")
def events(repo_root: Path) -> pd.DataFrame:
    return load_events(repo_root / "events.csv")


# --------------------------------------------------------------------------------------------
# the shipped file
# --------------------------------------------------------------------------------------------


def test_shipped_claims_file_loads_with_the_articles_claims(
    repo_root: Path, events: pd.DataFrame
) -> None:
    frame = load_claims(repo_root / "claims.csv", events)
    assert list(frame.columns) == list(COLUMNS)
    by_id = frame.set_index("claim_id")
    # the seven bullets of issue 14 (the Vance/Oval bullet is two claims)
    expected_types = {
        "gold_tops_3000": "threshold",
        "gpr_drives_gold": "association",
        "up_events_raise_gold": "event_effect",
        "peace_through_strength_raises_gpr": "shift",
        "nato_exit_odds_12pct": "level",
        "bolton_raised_nato_exit_odds": "event_effect",
        "vance_munich_raised_gold": "event_effect",
        "oval_office_raised_gold": "event_effect",
        "aid_pause_moved_ceasefire_odds": "event_effect",
    }
    assert by_id["type"].to_dict() == expected_types
    gold = by_id.loc["gold_tops_3000"]
    assert gold["made_on"] == pd.Timestamp("2025-02-18")
    assert gold["end"] == pd.Timestamp("2025-05-18")  # three months, fixed before the data
    assert gold["sensitivity"] == "1M 6M"
    assert gold["series"].split()[0] == "GC=F"
    assert by_id.loc["nato_exit_odds_12pct", "series"] == "polymarket:will-us-leave-nato-by-june-30"
    assert (frame["alpha"] == 0.05).all()


def test_shipped_file_is_plain_utf8_with_header_in_order(repo_root: Path) -> None:
    raw = (repo_root / "claims.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").splitlines()[0].split(",") == list(COLUMNS)


def test_typed_claims_parse_parameters(tmp_path: Path) -> None:
    frame = load_claims(_write(tmp_path, _text([_row()])))
    (claim,) = claims_from_frame(frame)
    assert [s.label for s in claim.series] == ["GC=F", "GLD"]
    assert claim.primary.kind == "prices"
    assert claim.sensitivity == ("1M", "6M")
    assert claim.level == 3000.0
    assert claim.text == VALID["text"]  # any language survives


def test_defaults_and_normalisation(tmp_path: Path) -> None:
    rows = [
        _row(type=" Threshold ", expected="Above", basis="", series="gc=f"),
        _row(
            claim_id="odds",
            type="level",
            series="polymarket:will-us-leave-nato-by-june-30",
            expected="within",
            level="0.12",
            tolerance="0.03",
            start="2025-03-01",
            end="",
            basis="",
            sensitivity="",
        ),
    ]
    frame = load_claims(_write(tmp_path, _text(rows))).set_index("claim_id")
    assert frame.loc["gold_3000", ["type", "expected", "basis", "series"]].tolist() == [
        "threshold",
        "above",
        "close",
        "GC=F",
    ]
    assert frame.loc["odds", "basis"] == "mean"
    assert frame.loc["odds", "end"] == frame.loc["odds", "start"]  # a one-date level claim


# --------------------------------------------------------------------------------------------
# problems: every one with line, column and value
# --------------------------------------------------------------------------------------------

MANY = [
    (2, "claim_id", "Gold 3000"),
    (2, "made_on", "18/02/2025"),
    (3, "series", "GC=F polymarket:some-market"),
    (3, "expected", "under"),
    (3, "level", "-5"),
    (3, "tolerance", "0.1"),
    (3, "end", "2025-01-01"),
    (3, "basis", "hourly"),
    (3, "sensitivity", "9X"),
    (4, "tolerance", ""),
    (4, "end", "2025-02-01"),
    (5, "series", "series:GPR"),
    (5, "start", "2025-02-18"),
    (5, "alpha", "1.5"),
    (6, "expected", "upward"),
    (6, "events", "nope_event"),
    (6, "window", "3D"),
    (6, "sensitivity", "1:0"),
    (7, "events", "gold_direction:up"),
    (7, "window", "-1:1"),
    (8, "series", "GC=F"),
    (8, "end", "2025-01-01"),
    (8, "alpha", ""),
    (9, "claim_id", "gold_3000"),
    (9, "expected", "sideways"),
]


def test_many_problems_at_once_all_reported(events: pd.DataFrame) -> None:
    path = CLAIMS / "many_problems.csv"
    assert _found(path, events) == MANY
    with pytest.raises(ClaimsError) as info:
        load_claims(path, events)
    assert isinstance(info.value, CatalogError)  # same record, same exit code
    text = str(info.value)
    assert text.startswith(f"{len(MANY)} problems in the claims file:")
    assert "many_problems.csv line 2, column made_on (claim_id=Gold 3000): '18/02/2025'" in text
    assert "it probably means 2025-02-18" in text
    assert "line 9, column claim_id (claim_id=gold_3000): 'gold_3000': duplicate" in text
    assert "used on lines 8 and 9" in text
    assert "did you mean" not in text.split("line 9, column expected")[1]


def test_event_ids_are_checked_only_against_a_given_catalog(events: pd.DataFrame) -> None:
    path = CLAIMS / "many_problems.csv"
    assert (6, "events", "nope_event") not in _found(path)
    assert (6, "events", "nope_event") in _found(path, events)


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"type": "thresold"}, "type", "did you mean 'threshold'"),
        ({"series": "GOLD"}, "series", "unknown instrument 'GOLD'"),
        ({"series": "POLYMARKET"}, "series", "polymarket:<slug>"),
        ({"series": "polymarket:bad_slug!"}, "series", "not a Polymarket market slug"),
        ({"events": "vance_munich_speech"}, "events", "not used by a threshold claim"),
        ({"level": ""}, "level", "a threshold claim needs level"),
        ({"level": "3,000"}, None, None),  # a thousands separator is read as 3000
        ({"level": "three"}, "level", "not a number"),
        ({"end": "2028-01-01"}, "end", "outside the supported range"),
        ({"sensitivity": "0M"}, "sensitivity", "not a horizon"),
        ({"sensitivity": "2025-02-01"}, "sensitivity", "must end after made_on"),
        ({"alpha": "0"}, "alpha", "0 < alpha <= 0.5"),
        ({"made_on": "2025-02-30"}, "made_on", "not a real calendar date"),
        ({"text": "a\x00b"}, "text", "control character U+0000"),
    ],
)
def test_one_problem_names_line_column_and_value(
    tmp_path: Path, changes: dict, column: str | None, words: str | None
) -> None:
    path = _write(tmp_path, _text([_row(), _row(claim_id="second", **changes)]))
    problems = check_claims(path)
    if column is None:
        assert problems == []
        return
    assert [(p.line, p.column) for p in problems] == [(3, column)]
    assert problems[0].value == changes[column]
    assert words in problems[0].message
    assert f"{path} line 3, column {column} (claim_id=second)" in str(problems[0])


@pytest.mark.parametrize(
    ("changes", "column", "value", "words"),
    [
        ({"series": "GC=F GLD GC=F"}, "series", "GC=F", "series listed 2 times"),
        ({"sensitivity": "1M 6M 1M"}, "sensitivity", "1M", "horizon listed 2 times"),
        (
            {"type": "event_effect", "series": "GC=F", "expected": "up", "level": "",
             "end": "", "events": "vance_munich_speech", "window": "-1:1", "basis": "",
             "sensitivity": "0:1 0:1"},
            "sensitivity", "0:1", "window listed 2 times",
        ),
    ],
)  # fmt: skip
def test_a_series_or_horizon_named_twice_is_a_problem(
    tmp_path: Path, changes: dict, column: str, value: str, words: str
) -> None:
    """Named twice, a series drew twice (and once crashed the threshold chart's data)."""
    problems = check_claims(_write(tmp_path, _text([_row(**changes)])))
    assert [(p.line, p.column, p.value) for p in problems] == [(2, column, value)]
    assert words in problems[0].message


def test_missing_and_unknown_header_columns(tmp_path: Path) -> None:
    header = [c for c in COLUMNS if c != "alpha"] + ["colour"]
    row = {k: v for k, v in _row().items() if k != "alpha"} | {"colour": "red"}
    problems = check_claims(_write(tmp_path, _text([row], header)))
    assert [(p.line, p.column) for p in problems] == [(1, "colour"), (1, "alpha")]
    assert "required" in problems[1].message


def test_short_row_and_unclosed_quote(tmp_path: Path) -> None:
    text = _text([_row()]) + 'short,"unclosed\n'
    problems = check_claims(_write(tmp_path, text))
    assert len(problems) == 1 and problems[0].line == 3
    assert "double quote opened on this line" in problems[0].message  # RFC 4180: strictly


def test_empty_file_and_no_claims(tmp_path: Path) -> None:
    assert "the file is empty" in check_claims(_write(tmp_path, ""))[0].message
    only_header = ",".join(COLUMNS) + "\n"
    assert "no claims" in check_claims(_write(tmp_path, only_header))[0].message


def test_cp932_file_gets_the_excel_hint(tmp_path: Path) -> None:
    path = _write(tmp_path, _text([_row()]).encode("cp932"))
    (problem,) = check_claims(path)
    assert "Shift_JIS/CP932" in problem.message and problem.line == 2


# --------------------------------------------------------------------------------------------
# property: any input ends in the validator's own error or a valid result
# --------------------------------------------------------------------------------------------

_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "2025-02-18",
            "2025-13-45",
            "threshold",
            "level",
            "shift",
            "event_effect",
            "association",
            "above",
            "within",
            "up",
            "any",
            "GC=F",
            "GLD GC=F",
            "series:GPRD",
            "polymarket:will-us-leave-nato-by-june-30",
            "-1:1",
            "3D",
            "1M",
            "0.05",
            "3000",
            "gold_direction:up",
            "vance_munich_speech",
            "close",
            "intraday",
            "nan",
            "inf",
            "1e400",
        ]
    ),
)


def _must_be_own_error_or_frame(path: Path) -> None:
    try:
        frame = load_claims(path)
    except ClaimsError as exc:
        assert exc.problems, "a ClaimsError always lists its problems"
        for p in exc.problems:
            assert p.path == str(path) and p.message
        return
    assert list(frame.columns) == list(COLUMNS)
    claims_from_frame(frame)  # a valid frame always yields typed claims


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.dictionaries(st.sampled_from(COLUMNS), _cells, max_size=6))
def test_property_mutated_rows_end_in_own_error_or_valid(tmp_path: Path, cells: dict) -> None:
    _must_be_own_error_or_frame(_write(tmp_path, _text([_row(**cells)])))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.one_of(st.binary(max_size=300), st.text(alphabet=string.printable, max_size=300)))
def test_property_arbitrary_bytes_end_in_own_error_or_valid(tmp_path: Path, raw) -> None:
    header = ",".join(COLUMNS) + "\n"
    body = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    _must_be_own_error_or_frame(_write(tmp_path, header.encode() + body))
    _must_be_own_error_or_frame(_write(tmp_path, body))


# --------------------------------------------------------------------------------------------
# command line: eventstudy validate tells a claims file from a catalog by its header
# --------------------------------------------------------------------------------------------


def test_is_claims_file(repo_root: Path) -> None:
    assert is_claims_file(repo_root / "claims.csv")
    assert not is_claims_file(repo_root / "events.csv")
    assert not is_claims_file(repo_root / "no-such-file.csv")


def test_cli_validate_claims_ok(repo_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo_root / "claims.csv"
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"OK: {path}: 9 claims")
    assert "checked against" in out


def test_cli_validate_claims_lists_problems_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _text([_row(), _row(claim_id="b", level="x", expected="sideways")]))
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert out.startswith("2 problems in the claims file:")
    assert f"{path} line 3, column expected (claim_id=b): 'sideways'" in out
    assert f"{path} line 3, column level (claim_id=b): 'x': not a number" in out


def test_cli_validate_checks_event_ids_against_the_catalog_beside(
    tmp_path: Path, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "events.csv").write_bytes((repo_root / "events.csv").read_bytes())
    row = _row(
        type="event_effect",
        series="GC=F",
        expected="up",
        level="",
        end="",
        sensitivity="",
        basis="",
        events="no_such_event",
        window="-1:1",
    )
    path = _write(tmp_path, _text([row]))
    assert main(["validate", str(path)]) == 2
    assert "column events (claim_id=gold_3000): 'no_such_event'" in capsys.readouterr().out
