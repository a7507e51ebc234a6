"""Tests of eventstudy.report.outdir and its use by ``run_report`` / ``eventstudy run``:
checked first, built aside, moved into place whole, links never followed (issue 16 item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventstudy.exceptions import ReportOutputError
from eventstudy.report.outdir import MARKER, report_directory


def _previous_report(out: Path) -> None:
    out.mkdir(parents=True)
    (out / "index.html").write_text("old index")
    (out / "gold_events.csv").write_text("old csv")
    (out / MARKER).touch()


def test_new_directory_is_built_aside_and_moved_into_place(tmp_path):
    out = tmp_path / "reports" / "run1"
    with report_directory(out) as build:
        assert build.parent == out.parent and build.name.startswith(".run1.")
        assert not out.exists()  # nothing is visible before the report is complete
        (build / "index.html").write_text("new")
    assert (out / "index.html").read_text() == "new" and (out / MARKER).is_file()
    assert [p.name for p in out.parent.iterdir()] == ["run1"]  # no build directory left


def test_previous_report_is_replaced_as_a_whole(tmp_path):
    out = tmp_path / "report"
    _previous_report(out)
    (out / "fig_car_gone.png").write_text("stale figure")
    with report_directory(out) as build:
        (build / "index.html").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_failure_mid_run_leaves_the_previous_report_untouched(tmp_path):
    out = tmp_path / "report"
    _previous_report(out)
    with pytest.raises(RuntimeError, match="study failed"), report_directory(out) as build:
        (build / "gold_events.csv").write_text("new csv")
        raise RuntimeError("study failed")
    assert (out / "index.html").read_text() == "old index"
    assert (out / "gold_events.csv").read_text() == "old csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_link_inside_out_is_never_followed(tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("do not touch")
    out = tmp_path / "report"
    _previous_report(out)
    (out / "gold_events.csv").unlink()
    (out / "gold_events.csv").symlink_to(outside)
    with report_directory(out) as build:
        (build / "gold_events.csv").write_text("new csv")
    assert outside.read_text() == "do not touch"
    assert not (out / "gold_events.csv").is_symlink()
    assert (out / "gold_events.csv").read_text() == "new csv"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("x"), "is a file, not a directory"),
        (lambda p: p.symlink_to(p.parent), "is a symbolic link"),
        (lambda p: (p.mkdir(), (p / "thesis.docx").write_text("mine")), "holding other files"),
    ],
)
def test_unusable_out_is_refused_before_anything_runs(tmp_path, make, message):
    out = tmp_path / "out"
    make(out)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(ReportOutputError, match=message), report_directory(out):
        pytest.fail("the body must not run")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_unwritable_place_is_refused_at_once(tmp_path, monkeypatch):
    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", denied)
    with (
        pytest.raises(ReportOutputError, match="Permission denied"),
        report_directory(tmp_path / "x" / "report"),
    ):
        pytest.fail("the body must not run")


def test_cli_run_exits_2_for_a_file_as_out_before_computing(tmp_path, monkeypatch, capsys):
    import eventstudy.report.compose as compose
    from eventstudy.cli import main

    monkeypatch.setattr(
        compose, "run_analyses", lambda *a, **k: pytest.fail("computed although --out is bad")
    )
    target = tmp_path / "report.txt"
    target.write_text("a file")
    assert main(["run", "--out", str(target), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a directory" in err and str(target) in err
    assert target.read_text() == "a file"


def test_build_directories_of_killed_runs_are_removed_by_the_next_run(tmp_path):
    """A run killed mid-way leaves ``.<name>.<pid>.<hex>.tmp``; the next run removes it when
    that process is gone, and leaves a live process's directory and other files alone."""
    import os
    import subprocess
    import sys

    from eventstudy.report.outdir import report_directory

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(done.stdout)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    stale = tmp_path / f".report.{dead}.0123abcd.tmp"
    stale_old = tmp_path / f".report.old.{dead}.89abcdef.tmp"
    live = tmp_path / f".report.{os.getpid()}.deadbeef.tmp"
    for d in (stale, stale_old, live):
        d.mkdir()
        (d / "index.html").write_text("x")
    (stale / "link").symlink_to(outside)
    other = tmp_path / ".notes.tmp"
    other.mkdir()
    with report_directory(tmp_path / "report") as build:
        (build / "index.html").write_text("new")
    assert not stale.exists() and not stale_old.exists()
    assert live.is_dir() and other.is_dir() and outside.read_text() == "keep"
    assert (tmp_path / "report" / "index.html").read_text() == "new"
