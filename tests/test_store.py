"""Tests of eventstudy.data.store: reading the data directory, manifest, atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import store, writer
from eventstudy.exceptions import (
    DataFormatError,
    DataNotFoundError,
    DuplicateTimestampWarning,
    ProvenanceError,
    ProvenanceWarning,
    SpecificationError,
    UnknownMarketError,
)

NATO_SLUG = "will-us-leave-nato-by-june-30"
NATO_YES = "9252583647094848244431316973245869222379640287360099162283052699401101960353"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# resolve_data_dir
# --------------------------------------------------------------------------------------------


def test_resolve_data_dir_order(monkeypatch, tmp_path):
    """Argument, else $EVENTSTUDY_DATA, else ./data when it exists, else the user cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("EVENTSTUDY_DATA", str(tmp_path / "env"))
    assert store.resolve_data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert store.data_dir_origin(tmp_path / "explicit") == "argument"
    assert store.resolve_data_dir() == tmp_path / "env"
    assert store.data_dir_origin() == "$EVENTSTUDY_DATA"
    monkeypatch.delenv("EVENTSTUDY_DATA")
    cache = tmp_path / "xdg" / "eventstudy" / "data"
    assert store.resolve_data_dir() == store.default_data_dir() == cache
    assert "cache" in store.data_dir_origin()
    (tmp_path / "data").mkdir()
    assert store.resolve_data_dir() == tmp_path / "data"  # absolute: a later chdir keeps it
    assert store.data_dir_origin().startswith("./data")
    monkeypatch.setenv("EVENTSTUDY_DATA", "  ")  # blank counts as unset
    assert store.resolve_data_dir() == tmp_path / "data"
    monkeypatch.setenv("EVENTSTUDY_DATA", "../elsewhere")  # relative to the working directory
    assert store.resolve_data_dir() == tmp_path / ".." / "elsewhere"
    assert store.resolve_data_dir().is_absolute()


def test_bad_ticker_cannot_escape_data_dir(tmp_path):
    with pytest.raises(SpecificationError, match="cannot be a file name"):
        store.load_prices("../etc/passwd", tmp_path)
    with pytest.raises(SpecificationError, match="78 digits"):
        store.load_odds("0xabc", tmp_path)


# --------------------------------------------------------------------------------------------
# the real snapshot
# --------------------------------------------------------------------------------------------


@pytest.mark.snapshot
def test_snapshot_gold_prices(snapshot_dir):
    gc = store.load_prices("GC=F", snapshot_dir)
    assert list(gc.columns) == ["open", "high", "low", "close", "volume"]
    assert all(gc[c].dtype == np.float64 for c in gc.columns)
    assert isinstance(gc.index, pd.DatetimeIndex) and gc.index.tz is None
    assert gc.index.name == "date"
    assert gc.index.is_monotonic_increasing and gc.index.is_unique
    # PROVENANCE.md §0: COMEX gold close on 2025-02-18 is 2931.60
    assert gc.loc["2025-02-18", "close"] == pytest.approx(2931.6, abs=1e-4)
    assert len(gc) == 6395  # manifest rows


@pytest.mark.snapshot
def test_snapshot_close_only_ticker_keeps_what_exists(snapshot_dir):
    spx = store.load_prices("^GSPC", snapshot_dir)
    assert list(spx.columns) == ["close"]
    assert spx.index[0] == pd.Timestamp("2016-02-12")
    assert spx["close"].iloc[0] == pytest.approx(1864.78)


@pytest.mark.snapshot
def test_snapshot_series(snapshot_dir):
    s = store.load_series("DFII10", snapshot_dir)
    assert s.name == "DFII10" and s.dtype == np.float64
    assert s.index.name == "date" and s.index.is_monotonic_increasing
    assert s.loc["2003-01-02"] == pytest.approx(2.43)


@pytest.mark.snapshot
def test_snapshot_markets_types(snapshot_dir):
    m = store.load_markets(snapshot_dir)
    assert list(m.columns) == list(store.MARKET_COLUMNS)
    assert len(m) == 2094
    for col in ("market_id", "slug", "condition_id", "outcome", "token_id"):
        assert pd.api.types.is_string_dtype(m[col]), col
    assert str(m["created_at"].dtype) == "datetime64[us, UTC]"
    assert str(m["closed_at"].dtype) == "datetime64[us, UTC]"
    assert m["volume_usd"].dtype == np.float64
    assert m["neg_risk"].dtype == bool and m["has_prices"].dtype == bool
    # both timestamp formats: ISO with Z (created_at) and "YYYY-MM-DD HH:MM:SS+00" (closed_at)
    row = m.loc[m["slug"] == "trump-wins-ends-ukraine-war-in-90-days"].iloc[0]
    assert row["created_at"] == pd.Timestamp("2024-10-21T18:09:12.014074Z")
    assert row["closed_at"] == pd.Timestamp("2025-04-24 00:57:31", tz="UTC")
    # token ids keep all their digits and are the price files' names
    files = {p.stem for p in (snapshot_dir / "polymarket" / "prices").glob("*.csv")}
    assert set(m.loc[m["has_prices"], "token_id"]) == files
    assert m["token_id"].str.len().max() >= 77


@pytest.mark.snapshot
def test_snapshot_every_odds_file_reads(snapshot_dir):
    m = store.load_markets(snapshot_dir)
    tokens = list(m.loc[m["has_prices"], "token_id"])
    assert len(tokens) == 370
    dropped = conflicting = 0
    for token in tokens:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            odds = store.load_odds(token, snapshot_dir)
        conflicting += odds.attrs["duplicates_conflicting"]
        assert len(seen) == odds.attrs["duplicates_conflicting"]
        assert str(odds["t"].dtype) == "datetime64[us, UTC]"
        assert odds["p"].dtype == np.float64
        assert odds["t"].is_monotonic_increasing and odds["t"].is_unique
        assert odds["p"].between(0, 1).all()
        dropped += odds.attrs["duplicates_dropped"]
    assert dropped == 60  # one repeated 2025-12-17T00:00:00Z in 60 files (source artefact)
    assert conflicting == 8  # 8 of them with two different prices: each warns


@pytest.mark.parametrize(
    ("rows", "conflicting"),
    [
        (["2025-01-01T00:00:00Z,0.5", "2025-01-01T00:00:00Z,0.50"], False),
        (["2025-01-01T00:00:00Z,0.5", "2025-01-02T00:00:00Z,0.7", "2025-01-01T00:00:00Z,0.6"],
         True),
    ],
)  # fmt: skip
def test_a_repeated_timestamp_with_a_different_price_warns(tmp_path, rows, conflicting):
    path = _write(tmp_path / "polymarket" / "prices" / "42.csv", "t,p\n" + "\n".join(rows))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        odds = store.load_odds("42", tmp_path)
    assert odds.attrs["duplicates_dropped"] == 1
    assert odds.attrs["duplicates_conflicting"] == int(conflicting)
    if not conflicting:
        assert seen == []  # equal repeats stay silent
        return
    (warning,) = seen
    assert issubclass(warning.category, DuplicateTimestampWarning)
    assert str(warning.message).startswith(
        f"{path} lines 2 and 4, column p: timestamp 2025-01-01T00:00:00Z is repeated with "
        "different prices, p=0.5 and p=0.6; the last row is kept."
    )
    assert f"eventstudy fetch --markets '<market-slug>' --data-dir {tmp_path} --replace" in str(
        warning.message
    )
    assert list(odds["p"]) == [0.6, 0.7]


@pytest.mark.snapshot
def test_repeated_timestamp_warning_names_the_market_to_fetch(snapshot_dir):
    token = "86964554239869134298526596083850367463176146674230300967120111145834668642528"
    markets = pd.read_csv(snapshot_dir / "polymarket" / "markets.csv", dtype=str)
    (slug,) = markets.loc[markets["token_id"] == token, "slug"]
    with pytest.warns(DuplicateTimestampWarning) as seen:
        store.load_odds(token, snapshot_dir)
    command = f"eventstudy fetch --markets {slug} --data-dir {snapshot_dir} --replace"
    assert command in str(seen[0].message)


@pytest.mark.snapshot
def test_snapshot_market_tokens_and_missing_history(snapshot_dir):
    assert store.token_id_for(NATO_SLUG, "Yes", snapshot_dir) == NATO_YES
    both = store.market_tokens(NATO_SLUG, snapshot_dir, outcome=None)
    assert sorted(both["outcome"]) == ["No", "Yes"]
    # the known gap: listed but no price history; the message says how to fetch it
    with pytest.raises(DataNotFoundError) as info:
        store.load_odds(NATO_YES, snapshot_dir)
    assert f"eventstudy fetch --markets {NATO_SLUG}" in str(info.value)


@pytest.mark.snapshot
def test_snapshot_file_versions(snapshot_dir):
    v = store.file_versions(["prices/GC=F.csv", snapshot_dir / "series" / "GPRD.csv"], snapshot_dir)
    assert list(v["path"]) == ["prices/GC=F.csv", "series/GPRD.csv"]
    assert list(v.columns) == list(store.FILE_VERSION_COLUMNS)
    assert v.loc[0, "sha256_read"] == _sha(snapshot_dir / "prices" / "GC=F.csv")
    assert v.loc[0, "sha256_manifest"] == v.loc[0, "sha256_read"]
    assert v["verified"].all() and (v["problem"] == "").all()
    assert v.loc[0, "rows"] == 6395
    assert v.loc[0, "last"] == "2026-02-23"
    assert pd.isna(v.loc[0, "fetched_at"])  # the snapshot has no fetch time: NA, not guessed
    manifest = store.load_manifest(snapshot_dir)
    assert manifest["format"] == "eventstudy-data/1"


# --------------------------------------------------------------------------------------------
# tiny directories: missing and malformed files
# --------------------------------------------------------------------------------------------


def test_missing_price_file_names_ticker_and_command(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        store.load_prices("GC=F", tmp_path)
    msg = str(info.value)
    assert "GC=F" in msg
    assert f"eventstudy fetch --tickers GC=F --data-dir {tmp_path}" in msg
    assert isinstance(info.value, FileNotFoundError)


def test_missing_series_and_unknown_token(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"DGS10.*eventstudy fetch --series DGS10"):
        store.load_series("DGS10", tmp_path)
    with pytest.raises(DataNotFoundError, match=r"not listed in polymarket/markets\.csv"):
        store.load_odds("123", tmp_path)


def test_prices_bad_date_names_line_and_column(tmp_path):
    _write(tmp_path / "prices" / "GLD.csv", "date,close\n2025-01-02,1\n2025-13-06,2\n")
    with pytest.raises(DataFormatError) as info:
        store.load_prices("GLD", tmp_path)
    msg = str(info.value)
    assert "GLD.csv line 3, column date" in msg and "'2025-13-06'" in msg


def test_prices_bad_number_blank_close_and_duplicate(tmp_path):
    path = tmp_path / "prices" / "GLD.csv"
    _write(path, "date,close\n2025-01-02,1\n2025-01-03,abc\n")
    with pytest.raises(DataFormatError, match="line 3, column close: 'abc' is not a number"):
        store.load_prices("GLD", tmp_path)
    _write(path, "date,close\n2025-01-02,\n2025-01-03,1\n")
    with pytest.raises(DataFormatError, match="line 2, column close: value is missing"):
        store.load_prices("GLD", tmp_path)
    _write(path, "date,close\n2025-01-02,1\n2025-01-02,2\n")
    with pytest.raises(DataFormatError, match=r"line 3.*repeated"):
        store.load_prices("GLD", tmp_path)
    _write(path, "date,open\n2025-01-02,1\n")
    with pytest.raises(DataFormatError, match=r"missing column.*close"):
        store.load_prices("GLD", tmp_path)


def test_prices_sorted_partial_blank_kept_as_nan(tmp_path):
    _write(
        tmp_path / "prices" / "X.csv",
        "date,open,high,low,close,volume\n2025-01-03,2,,2,2.5,10\n2025-01-02,1,,1,1.5,\n",
    )
    p = store.load_prices("X", tmp_path)
    expected = pd.DataFrame(
        {"open": [1.0, 2.0], "low": [1.0, 2.0], "close": [1.5, 2.5], "volume": [np.nan, 10.0]},
        index=pd.DatetimeIndex(["2025-01-02", "2025-01-03"], name="date"),
    )
    pd.testing.assert_frame_equal(p, expected, check_index_type=False)


def test_series_blank_is_nan(tmp_path):
    _write(tmp_path / "series" / "S.csv", "date,value\n2025-01-02,1.5\n2025-01-03,\n")
    s = store.load_series("S", tmp_path)
    assert s.iloc[0] == 1.5 and np.isnan(s.iloc[1])


def test_odds_outside_unit_interval_and_duplicate_t(tmp_path):
    path = tmp_path / "polymarket" / "prices" / "42.csv"
    _write(path, "t,p\n2025-01-01T00:00:00Z,0.5\n2025-01-02T00:00:00Z,1.5\n")
    with pytest.raises(DataFormatError, match=r"42.csv line 3, column p: '1.5' is outside \["):
        store.load_odds("42", tmp_path)
    _write(path, "t,p\n2025-01-01T00:00:00Z,0.5\n2025-01-01T00:00:00Z,0.6\n")
    with pytest.raises(DataFormatError, match=r"line 3, column t.*repeated"):
        store.load_odds("42", tmp_path, duplicates="raise")
    with pytest.warns(DuplicateTimestampWarning):
        kept = store.load_odds("42", tmp_path)  # default: the last row of a repeated t wins
    assert list(kept["p"]) == [0.6] and kept.attrs["duplicates_dropped"] == 1
    _write(path, "t,p\n2025-01-02T00:00:00Z,0.5\n2025-01-01T12:00:00Z,0.25\n")
    odds = store.load_odds(42, tmp_path)  # int accepted, sorted on read
    assert list(odds["p"]) == [0.25, 0.5]
    assert odds["t"].iloc[0] == pd.Timestamp("2025-01-01T12:00:00Z")


def _markets_csv(rows: list[str]) -> str:
    return ",".join(store.MARKET_COLUMNS) + "\n" + "".join(r + "\n" for r in rows)


def test_markets_unknown_slug_and_outcome(tmp_path):
    _write(
        tmp_path / "polymarket" / "markets.csv",
        _markets_csv(
            [
                "1,s,Q?,e,0x1,Yes,11,2025-01-01T00:00:00Z,,10.5,False,False",
                "1,s,Q?,e,0x1,No,12,2025-01-01T00:00:00Z,,10.5,False,False",
            ]
        ),
    )
    assert store.token_id_for("s", "no", tmp_path) == "12"  # label match, case-insensitive
    with pytest.raises(UnknownMarketError) as info:
        store.market_tokens("nope", tmp_path)
    assert "'nope'" in str(info.value) and "eventstudy fetch --markets nope" in str(info.value)
    assert isinstance(info.value, DataNotFoundError)
    with pytest.raises(SpecificationError, match="outcomes are 'Yes', 'No'"):
        store.market_tokens("s", tmp_path, outcome="Maybe")
    m = store.load_markets(tmp_path)
    assert m["closed_at"].isna().all()  # blank closed_at: not closed -> NaT


def test_markets_bad_bool(tmp_path):
    _write(
        tmp_path / "polymarket" / "markets.csv",
        _markets_csv(["1,s,Q?,e,0x1,Yes,11,2025-01-01T00:00:00Z,,10.5,False,maybe"]),
    )
    with pytest.raises(DataFormatError, match="line 2, column has_prices: 'maybe'"):
        store.load_markets(tmp_path)


# --------------------------------------------------------------------------------------------
# write_csv_atomic and the manifest
# --------------------------------------------------------------------------------------------


def _bars(close: list[float]) -> pd.DataFrame:
    dates = pd.date_range("2025-01-02", periods=len(close), freq="D").strftime("%Y-%m-%d")
    return pd.DataFrame({"date": dates, "close": close})


def test_write_creates_file_and_manifest(tmp_path):
    entry = writer.write_csv_atomic(
        _bars([1.0, 2.0, 3.0]), "prices/T.csv", tmp_path, source="test", params={"a": 1}
    )
    path = tmp_path / "prices" / "T.csv"
    assert path.read_text() == "date,close\n2025-01-02,1.0\n2025-01-03,2.0\n2025-01-04,3.0\n"
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["format"] == "eventstudy-data/1"
    assert {"created", "files", "licences"} <= set(manifest)
    stored = manifest["files"]["prices/T.csv"]
    assert stored == entry
    assert stored["sha256"] == _sha(path)
    assert stored["rows"] == 3 and stored["params"] == {"a": 1}
    assert (stored["first"], stored["last"]) == ("2025-01-02", "2025-01-04")
    assert stored["fetched_at"].endswith("Z") and "pandas" in stored["versions"]
    assert store.load_prices("T", tmp_path)["close"].tolist() == [1.0, 2.0, 3.0]
    names = sorted(p.name for p in tmp_path.rglob("*"))
    assert names == [writer.LOCK_NAME, "T.csv", "manifest.json", "prices"]


def test_write_keeps_other_entries_and_created(tmp_path):
    writer.write_csv_atomic(_bars([1.0]), "prices/A.csv", tmp_path, source="s")
    created = json.loads((tmp_path / "manifest.json").read_text())["created"]
    writer.write_csv_atomic(_bars([2.0]), "prices/B.csv", tmp_path, source="s")
    manifest = store.load_manifest(tmp_path)
    assert set(manifest["files"]) == {"prices/A.csv", "prices/B.csv"}
    assert manifest["created"] == created


def _snapshot_bytes(root: Path) -> dict[str, bytes]:
    """Every file's bytes, except the (empty) lock file."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.name != writer.LOCK_NAME
    }


def test_failed_replace_leaves_everything_byte_identical(tmp_path, monkeypatch):
    writer.write_csv_atomic(_bars([1.0, 2.0]), "prices/T.csv", tmp_path, source="s")
    before = _snapshot_bytes(tmp_path)

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(writer.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        writer.write_csv_atomic(_bars([9.0]), "prices/T.csv", tmp_path, source="s")
    assert _snapshot_bytes(tmp_path) == before  # also: no temporary files left behind


def test_failed_manifest_replace_restores_previous_data_file(tmp_path, monkeypatch):
    writer.write_csv_atomic(_bars([1.0, 2.0]), "prices/T.csv", tmp_path, source="s")
    before = _snapshot_bytes(tmp_path)
    real_replace = os.replace

    def fail_on_manifest(src, dst):
        if Path(dst).name == "manifest.json":
            raise OSError("manifest write failed")
        return real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", fail_on_manifest)
    with pytest.raises(OSError, match="manifest write failed"):
        writer.write_csv_atomic(_bars([9.0]), "prices/T.csv", tmp_path, source="s")
    assert _snapshot_bytes(tmp_path) == before
    # a brand-new file is removed again when its manifest entry cannot be written
    with pytest.raises(OSError):
        writer.write_csv_atomic(_bars([9.0]), "prices/NEW.csv", tmp_path, source="s")
    assert _snapshot_bytes(tmp_path) == before


def test_failed_serialisation_leaves_nothing(tmp_path):
    class Bad(pd.DataFrame):
        def to_csv(self, *args, **kwargs):
            raise RuntimeError("cannot serialise")

    with pytest.raises(RuntimeError):
        writer.write_csv_atomic(Bad(_bars([1.0])), "prices/T.csv", tmp_path, source="s")
    assert _snapshot_bytes(tmp_path) == {}


def test_write_refuses_paths_outside(tmp_path):
    with pytest.raises(SpecificationError):
        writer.write_csv_atomic(_bars([1.0]), "../x.csv", tmp_path, source="s")


def test_load_manifest_rejects_other_format(tmp_path):
    _write(tmp_path / "manifest.json", json.dumps({"format": "other/2", "files": {}}))
    with pytest.raises(DataFormatError, match="other/2"):
        store.load_manifest(tmp_path)
    _write(tmp_path / "manifest.json", "{not json")
    with pytest.raises(DataFormatError, match="not valid JSON"):
        store.load_manifest(tmp_path)


# --------------------------------------------------------------------------------------------
# provenance: the checksum of the bytes read, checked against the manifest (issue 16)
# --------------------------------------------------------------------------------------------


def _recorded_dir(tmp_path: Path) -> Path:
    frame = pd.DataFrame({"date": ["2025-01-02", "2025-01-03"], "close": [1.0, 2.0]})
    writer.write_csv_atomic(frame, "prices/GC=F.csv", tmp_path, source="test")
    return tmp_path


def test_loaders_record_the_checksum_of_the_bytes_they_read(tmp_path):
    root = _recorded_dir(tmp_path)
    path = root / "prices" / "GC=F.csv"
    prices = store.load_prices("GC=F", root)
    read = _sha(path)
    assert prices.attrs["sha256"] == read == store.sha256_read(path)
    path.write_text(path.read_text().replace("2.0", "2.5"))  # edited after the analysis read it
    v = store.file_versions(["prices/GC=F.csv"], root)
    assert v.loc[0, "sha256_read"] == read  # what the numbers came from, not today's bytes
    assert bool(v.loc[0, "verified"])  # those bytes are the recorded ones


def test_edited_file_is_reported_and_strict_raises(tmp_path):
    root = _recorded_dir(tmp_path)
    path = root / "prices" / "GC=F.csv"
    path.write_text(path.read_text().replace("2.0", "2.5"))
    store.load_prices("GC=F", root)
    with pytest.warns(
        ProvenanceWarning, match=r"prices/GC=F.csv: sha256 of the bytes read differs"
    ):
        v = store.file_versions(["prices/GC=F.csv"], root)
    assert not v.loc[0, "verified"] and v.loc[0, "sha256_read"] == _sha(path)
    assert v.loc[0, "sha256_manifest"] != v.loc[0, "sha256_read"]
    with pytest.raises(ProvenanceError, match="1 of 1 data file"):
        store.file_versions(["prices/GC=F.csv"], root, strict=True)


@pytest.mark.parametrize(
    ("manifest", "why"),
    [(None, "manifest.json is missing"), ("{oops", "manifest cannot be read.*line 1, column 2")],
)
def test_missing_or_corrupt_manifest_is_never_swallowed(tmp_path, manifest, why):
    root = _recorded_dir(tmp_path)
    if manifest is None:
        (root / "manifest.json").unlink()
    else:
        (root / "manifest.json").write_text(manifest)
    with pytest.warns(ProvenanceWarning, match=why):
        v = store.file_versions(["prices/GC=F.csv"], root)
    assert not v["verified"].any() and v.loc[0, "sha256_read"] == _sha(root / "prices/GC=F.csv")
    with pytest.raises(ProvenanceError, match=why):
        store.file_versions(["prices/GC=F.csv"], root, strict=True)


def test_unlisted_and_missing_files_are_not_verified(tmp_path):
    root = _recorded_dir(tmp_path)
    _write(root / "series" / "X.csv", "date,value\n2025-01-02,1\n")
    with pytest.warns(ProvenanceWarning):
        v = store.file_versions(["series/X.csv", "series/GONE.csv"], root)
    assert list(v["problem"]) == ["not listed in manifest.json", "file missing or unreadable"]
    assert pd.isna(v["sha256_read"].iloc[1]) and pd.isna(v["sha256_manifest"].iloc[0])


# --------------------------------------------------------------------------------------------
# data faults name their file (issue 16 item 8)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date,close\n", r"GC=F.csv: no data rows \(only a header\); at least 2 needed"),
        ("date,close\n2025-01-02,1\n", r"GC=F.csv: 1 data row; at least 2 needed"),
        ("date,close\n2025-01-02,1\n2025-01-03,inf\n", r"line 3, column close: 'inf' is not a fi"),
        ("date,close\n2025-01-02,1\n2025-01-03,1e999\n", r"line 3, column close: '1e999'"),
        ("date,close\n2025-01-02,1,9\n2025-01-03,2\n", r"line 2: 3 fields, expected 2"),
    ],
)
def test_price_file_faults_are_format_errors_naming_the_file(tmp_path, text, expected):
    _write(tmp_path / "prices" / "GC=F.csv", text)
    with pytest.raises(DataFormatError, match=expected) as info:
        store.load_prices("GC=F", tmp_path)
    assert info.value.path == str(tmp_path / "prices" / "GC=F.csv")


def test_non_positive_prices_are_named_when_returns_need_them(tmp_path):
    _write(tmp_path / "prices" / "CL=F.csv", "date,close\n2020-04-17,18.27\n2020-04-20,-37.63\n")
    assert store.load_prices("CL=F", tmp_path)["close"].iloc[-1] == -37.63  # a real print
    with pytest.raises(DataFormatError, match=r"CL=F.csv line 3, column close: '-37.63' is not"):
        store.load_prices("CL=F", tmp_path, positive=True)


def test_series_without_any_value_is_a_format_error(tmp_path):
    _write(tmp_path / "series" / "DFII10.csv", "date,value\n2025-01-02,\n2025-01-03,.\n")
    with pytest.raises(DataFormatError, match=r"DFII10.csv: every value is blank"):
        store.load_series("DFII10", tmp_path)


@pytest.mark.parametrize(
    ("ticker", "text"),
    [("GC=F", "date,open,high,low,close,volume\n"), ("ACWI", "date,close\n2025-01-02,inf\n")],
)
def test_gold_data_from_a_faulty_directory_names_the_file(snapshot_dir, tmp_path, ticker, text):
    from eventstudy.gold.data import load_gold_data

    for rel in ("prices/GC=F.csv", "prices/ACWI.csv", "series/DTWEXBGS.csv", "series/DFII10.csv"):
        _write(tmp_path / rel, (snapshot_dir / rel).read_text())
    _write(tmp_path / "prices" / f"{ticker}.csv", text)
    with pytest.raises(DataFormatError, match=f"prices/{ticker}.csv"):
        load_gold_data("GC=F", data_dir=tmp_path)


@pytest.mark.parametrize("value", ["0", "-5"])
def test_gold_data_names_a_non_positive_dollar_index(snapshot_dir, tmp_path, value):
    from eventstudy.gold.data import load_gold_data

    for rel in ("prices/GC=F.csv", "prices/ACWI.csv", "series/DTWEXBGS.csv", "series/DFII10.csv"):
        _write(tmp_path / rel, (snapshot_dir / rel).read_text())
    path = tmp_path / "series" / "DTWEXBGS.csv"
    lines = path.read_text().splitlines()
    lines[-1] = f"{lines[-1].split(',')[0]},{value}"
    path.write_text("\n".join(lines) + "\n")
    expected = rf"DTWEXBGS.csv line {len(lines)}, column value: '{value}' is not a positive price"
    with pytest.raises(DataFormatError, match=expected) as info:
        load_gold_data("GC=F", data_dir=tmp_path)
    assert info.value.path == str(path)
    assert store.load_series("DTWEXBGS", tmp_path).iloc[-1] == float(value)  # a level is read


@pytest.mark.parametrize(("bars", "column"), [(True, "close"), (False, "value")])
def test_claim_log_changes_name_the_file_date_and_column_of_a_non_positive_price(bars, column):
    from types import SimpleNamespace

    from eventstudy.claims.comparisons import _changes

    observed = pd.Series([2900.0, 0.0, 2950.0], index=pd.date_range("2025-03-11", periods=3))
    s = SimpleNamespace(log=True, bars=observed.to_frame() if bars else None,
                        observed=observed, files=("prices/GC=F.csv",))  # fmt: skip
    expected = rf"GC=F.csv: 0 on 2025-03-12 \(column {column}\) is not a positive price"
    with pytest.raises(DataFormatError, match=expected) as info:
        _changes(s, observed, Path("/data"))
    assert info.value.path == str(Path("/data/prices/GC=F.csv"))
    s.log = False
    assert _changes(s, observed, Path("/data")).iloc[1] == -2900.0


def test_a_file_parsed_once_per_content_and_again_when_edited(tmp_path):
    """The records cache (store._parse_once): a second read of the same bytes reuses them;
    an edited file is parsed again; what a loader returns never depends on the cache."""
    from eventstudy.data import store

    path = tmp_path / "prices" / "X.csv"
    path.parent.mkdir()
    path.write_text("date,close\n2024-01-02,1.5\n2024-01-03,2.5\n")
    first = store.load_prices("X", tmp_path)
    again = store.load_prices("X", tmp_path)
    pd.testing.assert_frame_equal(first, again)
    assert store.file_span(path, "price") == (2, "2024-01-02", "2024-01-03")
    path.write_text("date,close\n2024-01-02,1.5\n2024-01-03,3.5\n2024-01-04,4.5\n")
    edited = store.load_prices("X", tmp_path)
    assert list(edited["close"]) == [1.5, 3.5, 4.5]
    assert edited.attrs["sha256"] != first.attrs["sha256"]
    assert store.file_span(path, "price") == (3, "2024-01-02", "2024-01-04")


def _fresh(path: Path, kind: str):
    """What the loader builds from the file's records without the build cache."""
    raw = store._parse_csv(path, path.read_text(encoding="utf-8"))
    build = {
        "price": lambda: store._prices_frame(raw, path, positive=True),
        "series": lambda: store._series_frame(raw, path, path.stem, positive=True),
        "odds": lambda: store._odds_frame(raw, path),
        "market": lambda: store._markets_frame(raw, path),
    }
    return build[kind]()


@pytest.mark.snapshot
def test_loaders_hand_out_fresh_copies_of_what_they_built(snapshot_dir):
    """The build cache (store._build_once): after a span primes it, each loader returns what
    an uncached build returns, as a new object; changing one never reaches the next."""
    root = snapshot_dir
    odds = store.load_markets(root).query("has_prices")["token_id"].iloc[0]
    cases = [
        ("price", "prices/GC=F.csv", lambda: store.load_prices("GC=F", root, positive=True)),
        (
            "series",
            "series/DTWEXBGS.csv",
            lambda: store.load_series("DTWEXBGS", root, positive=True),
        ),
        ("odds", store.odds_relpath(odds), lambda: store.load_odds(odds, root)),
        ("market", store.MARKETS_RELPATH, lambda: store.load_markets(root)),
    ]
    for kind, rel, load in cases:
        store.file_span(root / rel, kind)
        first = load()
        expected = _fresh(root / rel, kind)
        expected.attrs["sha256"] = _sha(root / rel)
        assert first.attrs == expected.attrs
        if isinstance(first, pd.Series):
            pd.testing.assert_series_equal(first, expected)
            first.iloc[0] = -1.0
            first.index.name = "changed"
        else:
            pd.testing.assert_frame_equal(first, expected)
            first.iloc[0, 0] = first.iloc[-1, 0]
            first["added"] = 1
            first.index.name = "changed"
        index_values = np.asarray(first.index)  # the index's own buffer (copy() shares it)
        if index_values.flags.writeable and len(index_values) > 1:
            index_values[0] = index_values[1]
        first.attrs["sha256"] = "changed"
        again = load()
        assert again is not first
        (pd.testing.assert_series_equal if kind == "series" else pd.testing.assert_frame_equal)(
            again, expected
        )
        assert again.attrs["sha256"] == _sha(root / rel)


def test_a_cached_build_still_checks_signs_warns_and_raises(tmp_path):
    """A span builds without the sign check and without warning; the loaders still refuse a
    non-positive price (the same first error as an uncached read), warn on every read of a
    conflicting repeat and raise on a repeat with ``duplicates="raise"``."""
    prices = _write(tmp_path / "prices" / "X.csv",
                    "date,close,volume\n2024-01-02,1.5,1\n2024-01-03,0,2\n")  # fmt: skip
    store.file_span(prices, "price")
    assert list(store.load_prices("X", tmp_path)["close"]) == [1.5, 0.0]
    with pytest.raises(DataFormatError, match="line 3, column close: '0' is not a positive"):
        store.load_prices("X", tmp_path, positive=True)
    _write(prices, "date,close,volume\n2024-01-02,1.5,1\n2024-01-03,0,x\n")
    with pytest.raises(DataFormatError, match="column volume"):
        store.load_prices("X", tmp_path)
    with pytest.raises(DataFormatError, match="column close"):  # the sign check comes first
        store.load_prices("X", tmp_path, positive=True)
    series = _write(tmp_path / "series" / "S.csv", "date,value\n2024-01-02,1\n2024-01-03,-1\n")
    store.file_span(series, "series")
    with pytest.raises(DataFormatError, match="line 3, column value"):
        store.load_series("S", tmp_path, positive=True)
    rows = "t,p\n2025-01-01T00:00:00Z,0.5\n2025-01-02T00:00:00Z,0.7\n2025-01-01T00:00:00Z,0.6\n"
    odds = _write(tmp_path / "polymarket" / "prices" / "42.csv", rows)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        store.file_span(odds, "odds")
        assert seen == []
        for _ in range(2):
            assert list(store.load_odds("42", tmp_path)["p"]) == [0.6, 0.7]
    assert [w.category for w in seen] == [DuplicateTimestampWarning] * 2
    with pytest.raises(DataFormatError, match="line 4, column t: timestamp"):
        store.load_odds("42", tmp_path, duplicates="raise")
