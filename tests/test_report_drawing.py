"""Figures drawn by forked workers while the analyses go on (eventstudy.report.drawing)."""

from __future__ import annotations

import os
import signal
import sys
from types import SimpleNamespace

import pytest

from eventstudy.report import drawing
from eventstudy.report.figures import Figure, _Job

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork")


def _fake_jobs(monkeypatch, draw):
    """Every part has two jobs named after it; ``draw(name)`` is what drawing does."""

    def part_jobs(part, results, lang, every):
        if results.get(part) is None:
            return []
        return [_Job(Figure(part, f"fig_{part}_{i}.png", ""), lambda: None) for i in range(2)]

    monkeypatch.setattr(drawing, "part_jobs", part_jobs)
    monkeypatch.setattr(drawing, "_draw", lambda job, out: draw(job.figure.name, out))
    monkeypatch.setattr(drawing, "_warm_up", lambda: None)


def _inputs():
    return SimpleNamespace(gold=1, odds=1, events=None, associations={}, claims=1)


def _write(name, out):
    (out / name).write_text(str(os.getpid()))
    return name


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_every_figure_once_in_page_order(monkeypatch, tmp_path, workers):
    _fake_jobs(monkeypatch, _write)
    ticks = []
    with drawing.FigureDrawer(tmp_path, progress=ticks.append, workers=workers) as drawer:
        drawer.ready("gold", {"gold": 1})  # the rest is sent by finish
        figures = drawer.finish(_inputs())
    names = [f"fig_{part}_{i}.png" for part in ("gold", "odds", "claims") for i in range(2)]
    assert [f.name for f in figures] == names
    assert sorted(ticks) == sorted(names)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_a_parts_figures_left_out_when_it_did_not_run(monkeypatch, tmp_path):
    _fake_jobs(monkeypatch, _write)
    with drawing.FigureDrawer(tmp_path, workers=2) as drawer:
        figures = drawer.finish(SimpleNamespace(**{**vars(_inputs()), "odds": None}))
    assert [f.section for f in figures] == ["gold", "gold", "claims", "claims"]


def test_a_figure_that_fails_raises_in_the_parent(monkeypatch, tmp_path):
    def draw(name, out):
        if name == "fig_odds_1.png":
            raise ValueError("cannot draw")
        return _write(name, out)

    _fake_jobs(monkeypatch, draw)
    with drawing.FigureDrawer(tmp_path, workers=2) as drawer, pytest.raises(ValueError):
        drawer.finish(_inputs())
    assert not drawer.processes


def test_a_worker_that_dies_is_an_error(monkeypatch, tmp_path):
    def draw(name, out):
        if name == "fig_claims_0.png":
            os.kill(os.getpid(), signal.SIGKILL)
        return _write(name, out)

    _fake_jobs(monkeypatch, draw)
    with drawing.FigureDrawer(tmp_path, workers=2) as drawer, pytest.raises(RuntimeError):
        drawer.finish(_inputs())


def test_leaving_early_stops_the_workers(monkeypatch, tmp_path):
    _fake_jobs(monkeypatch, _write)
    with pytest.raises(KeyError), drawing.FigureDrawer(tmp_path, workers=2) as drawer:
        processes = list(drawer.processes)
        drawer.ready("gold", {"gold": 1})
        raise KeyError("an analysis failed")
    assert all(not p.is_alive() for p in processes)
