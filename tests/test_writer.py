"""Tests of eventstudy.data.writer and eventstudy.data.merge: a write never shrinks history,
refuses to merge into an unreadable file, leaves no debris, respects the umask and loses no
manifest entry when two processes write at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.data import store, writer
from eventstudy.data.merge import merge_rows
from eventstudy.exceptions import FetchError

REPO = Path(__file__).resolve().parents[1]


def _bars(dates: list[str], close: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"date": dates, "close": close})


DATES = [f"2025-01-{d:02d}" for d in range(2, 8)]


# --------------------------------------------------------------------------------------------
# merge_rows (pure)
# --------------------------------------------------------------------------------------------


def test_merge_keeps_stored_rows_and_new_values_win():
    stored = _bars(DATES, [1, 2, 3, 4, 5, 6]).astype(str)
    new = _bars(["2025-01-06", "2025-01-07", "2025-01-08"], [5.0, 60.0, 7.0]).astype(str)
    merged, stats = merge_rows(stored, new, "date")
    assert list(merged["date"]) == [*DATES, "2025-01-08"]
    assert list(merged["close"]) == ["1", "2", "3", "4", "5.0", "60.0", "7.0"]
    assert (stats.added, stats.changed, stats.kept, stats.rows) == (1, 1, 4, 7)
    assert stats.examples == ("2025-01-07 close: 6 -> 60.0",)  # 5 == 5.0 is no change
    assert "1 new, 1 changed" in stats.describe()


def test_merge_keys_compare_as_timestamps():
    stored = pd.DataFrame({"t": ["2025-03-01 00:00:00+00:00", "2025-03-02T00:00:00Z"], "p": "0.5"})
    new = pd.DataFrame({"t": ["2025-03-01T00:00:00Z"], "p": ["0.5"]})
    merged, stats = merge_rows(
        stored, new, "t", parse_key=lambda s: pd.to_datetime(s, utc=True, format="ISO8601")
    )
    assert len(merged) == 2 and stats.added == 0 and stats.changed == 0


# --------------------------------------------------------------------------------------------
# write_csv_atomic: merge, replace, refusal
# --------------------------------------------------------------------------------------------


def test_short_download_never_shrinks_the_stored_file(tmp_path):
    writer.write_csv_atomic(
        _bars(DATES, [1, 2, 3, 4, 5, 6]), "prices/GC=F.csv", tmp_path, source="s"
    )
    entry = writer.write_csv_atomic(
        _bars([*DATES[-2:], "2025-01-08"], [5.0, 6.5, 7.0]), "prices/GC=F.csv", tmp_path, source="s"
    )
    prices = store.load_prices("GC=F", tmp_path)
    assert len(prices) == 7 and prices["close"].iloc[-2:].tolist() == [6.5, 7.0]
    assert entry["rows"] == 7
    assert entry["merge"]["added"] == 1 and entry["merge"]["changed"] == 1
    assert entry["merge"]["kept"] == 4
    assert store.load_manifest(tmp_path)["files"]["prices/GC=F.csv"]["merge"] == entry["merge"]


def test_replace_writes_the_download_alone(tmp_path):
    writer.write_csv_atomic(_bars(DATES, [1, 2, 3, 4, 5, 6]), "prices/X.csv", tmp_path, source="s")
    entry = writer.write_csv_atomic(
        _bars(DATES[:2], [1.0, 2.0]), "prices/X.csv", tmp_path, source="s", replace=True
    )
    assert len(store.load_prices("X", tmp_path)) == 2
    assert entry["replaced_rows"] == 6 and "merge" not in entry


def test_unreadable_stored_file_is_not_overwritten_by_a_merge(tmp_path):
    path = tmp_path / "prices" / "X.csv"
    path.parent.mkdir(parents=True)
    path.write_text("date,close\n2025-01-02,1\nnot a date,2\n")
    before = path.read_bytes()
    with pytest.raises(FetchError, match=r"cannot be read.*line 3.*--replace"):
        writer.write_csv_atomic(_bars(DATES[:2], [1.0, 2.0]), "prices/X.csv", tmp_path, source="s")
    assert path.read_bytes() == before and not (tmp_path / "manifest.json").exists()
    writer.write_csv_atomic(
        _bars(DATES[:2], [1.0, 2.0]), "prices/X.csv", tmp_path, source="s", replace=True
    )
    assert len(store.load_prices("X", tmp_path)) == 2


def test_corrupt_manifest_stops_the_write_loudly(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(Exception, match=r"manifest.json line 1, column 2: not valid JSON"):
        writer.write_csv_atomic(_bars(DATES[:2], [1.0, 2.0]), "prices/X.csv", tmp_path, source="s")
    assert not (tmp_path / "prices" / "X.csv").exists()


# --------------------------------------------------------------------------------------------
# debris, permissions, concurrency
# --------------------------------------------------------------------------------------------


def test_temp_files_of_a_killed_fetch_are_removed_by_the_next(tmp_path):
    (tmp_path / "prices").mkdir()
    (tmp_path / "polymarket" / "prices").mkdir(parents=True)
    stale = [
        tmp_path / "prices" / ".GC=F.csv.1a2b3c4d.tmp",
        tmp_path / "polymarket" / "prices" / ".42.csv.bak.deadbeef.tmp",
        tmp_path / ".manifest.json.0badf00d.tmp",
    ]
    for path in stale:
        path.write_text("partial")
    keep = tmp_path / "prices" / "notes.tmp"  # not ours: no leading dot
    keep.write_text("x")
    writer.write_csv_atomic(_bars(DATES[:2], [1.0, 2.0]), "series/S.csv", tmp_path, source="s")
    assert not any(p.exists() for p in stale) and keep.exists()


def test_files_get_the_users_umask_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        writer.write_csv_atomic(_bars(DATES[:2], [1.0, 2.0]), "prices/X.csv", tmp_path, source="s")
    finally:
        os.umask(old)
    for path in (tmp_path / "prices" / "X.csv", tmp_path / "manifest.json"):
        assert path.stat().st_mode & 0o777 == 0o644, path


_WRITER_SCRIPT = """
import sys
import pandas as pd
from eventstudy.data import writer
root, prefix = sys.argv[1], sys.argv[2]
for i in range(15):
    frame = pd.DataFrame({"date": ["2025-01-02", "2025-01-03"], "close": [1.0, float(i)]})
    writer.write_csv_atomic(frame, f"prices/{prefix}{i}.csv", root, source=prefix)
"""


def test_two_processes_writing_at_once_lose_no_manifest_entry(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER_SCRIPT, str(tmp_path), name], env=env)
        for name in ("A", "B")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    files = json.loads((tmp_path / "manifest.json").read_text())["files"]
    assert len(files) == 30
    assert sorted(p.name for p in (tmp_path / "prices").iterdir()) == sorted(
        f"{n}{i}.csv" for n in "AB" for i in range(15)
    )
    versions = store.file_versions(list(files), tmp_path)
    assert versions["verified"].all()
