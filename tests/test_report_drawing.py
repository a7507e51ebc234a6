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


def _assert_run_fails(monkeypatch, tmp_path, draw, error):
    """Two workers drawing with ``draw`` make ``finish`` raise ``error``; none is left."""
    _fake_jobs(monkeypatch, draw)
    with drawing.FigureDrawer(tmp_path, workers=2) as drawer, pytest.raises(error):
        drawer.finish(_inputs())
    assert not drawer.processes


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

    _assert_run_fails(monkeypatch, tmp_path, draw, ValueError)


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


def test_results_that_cannot_be_pickled_fail_when_sent(monkeypatch, tmp_path):
    """The parent pickles a part's results when it sends them: a failure is raised there, not
    printed by a queue's thread while the part is silently lost."""
    _fake_jobs(monkeypatch, _write)
    with drawing.FigureDrawer(tmp_path, workers=2) as drawer:
        with pytest.raises(Exception, match="pickle"):
            drawer.ready("gold", {"gold": lambda: None})
        assert "gold" not in drawer.sent


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return any(line.split() == ["State:", "Z", "(zombie)"] for line in fh)
    except FileNotFoundError:
        return True


def test_workers_end_when_the_run_is_killed(tmp_path):
    """A run killed by a timeout (SIGKILL: no clean-up in the parent) leaves no figure worker
    behind waiting on its inbox."""
    import subprocess
    import time

    code = (
        "import sys, time\n"
        "from eventstudy.report import drawing\n"
        "drawing._warm_up = lambda: None\n"
        f"drawer = drawing.FigureDrawer({str(tmp_path)!r}, workers=2).__enter__()\n"
        "first = drawer.processes[0].pid\n"
        "path = f'/proc/{first}/task/{first}/children'\n"
        "while not open(path).read().split():  # the first worker forks the second\n"
        "    time.sleep(0.01)\n"
        "print(first, open(path).read(), flush=True)\n"
        "time.sleep(60)\n"
    )
    run = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in run.stdout.readline().split()]
    assert len(workers) == 2 and not any(_gone(pid) for pid in workers)
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(_gone(pid) for pid in workers):
        time.sleep(0.05)
    assert all(_gone(pid) for pid in workers)


def test_workers_yield_the_cpu_to_the_parent(monkeypatch, tmp_path):
    """The workers run at a lower priority (higher nice value) than the run itself."""

    def draw(name, out):
        (out / name).write_text(str(os.nice(0)))
        return name

    _fake_jobs(monkeypatch, draw)
    with drawing.FigureDrawer(tmp_path, workers=2) as drawer:
        drawer.finish(_inputs())
    mine = os.nice(0)
    expected = min(19, mine + drawing.NICENESS)
    assert {int(p.read_text()) for p in tmp_path.iterdir()} == {expected}


@pytest.mark.parametrize("who", ["first", "forked"])
def test_either_worker_dying_is_an_error(monkeypatch, tmp_path, who):
    """The first worker (forked by the run) or one it forked dies on its first figure: the
    other draws the rest and the run fails instead of waiting for ever."""
    import time

    run = os.getpid()

    def draw(name, out):
        if (os.getppid() == run) == (who == "first"):
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.3)  # leaves figures to the other worker
        return _write(name, out)

    _assert_run_fails(monkeypatch, tmp_path, draw, RuntimeError)


def test_workers_draw_with_what_they_inherited_frozen(monkeypatch, tmp_path):
    """The collector's full passes skip the objects a worker started with (gc.freeze)."""
    import gc

    def draw(name, out):
        (out / name).write_text(str(gc.get_freeze_count()))
        return name

    _fake_jobs(monkeypatch, draw)
    with drawing.FigureDrawer(tmp_path, workers=2) as drawer:
        drawer.finish(_inputs())
    assert gc.get_freeze_count() == 0  # not in the run's own process
    assert all(int(p.read_text()) > 1000 for p in tmp_path.iterdir())


@pytest.mark.parametrize("workers", [1, 2])
def test_the_figures_are_listed_before_they_are_drawn(monkeypatch, tmp_path, workers):
    """``listed`` gives the page its figures while the workers still draw (here: every worker
    waits for a file the test writes only once the list is in hand); ``finish`` waits."""
    import time

    go = tmp_path / "go"
    out = tmp_path / "out"
    out.mkdir()

    def draw(name, out):
        deadline = time.monotonic() + 30
        while workers > 1 and not go.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return _write(name, out)

    _fake_jobs(monkeypatch, draw)
    names = [f"fig_{part}_{i}.png" for part in ("gold", "odds", "claims") for i in range(2)]
    with drawing.FigureDrawer(out, workers=workers) as drawer:
        listed = drawer.listed(_inputs())
        assert [f.name for f in listed] == names
        if workers > 1:
            assert list(out.iterdir()) == []  # nothing drawn yet
        go.write_text("")
        assert drawer.listed(_inputs()) is listed  # asked again: the same list, nothing sent
        assert drawer.finish(_inputs()) == listed
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
