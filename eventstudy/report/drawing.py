"""The report's figures drawn by worker processes while the analyses go on.

``eventstudy run`` forks its first figure worker when it starts: it imports matplotlib and
the plot functions and draws a small figure in memory while the parent checks the data and
runs the odds study (the second core is idle then), then forks the other workers, which
inherit all that (done once, not once a worker: about 0.45 s of CPU each). The workers run
at a lower priority than the parent (:data:`NICENESS`). Each part's results are sent to
every worker (pickled, through a queue) as soon as they exist: the odds study's first, then
the gold study's, the gold-odds association's and the claims', each right after it is run
(:meth:`FigureDrawer.ready`; the rest by :meth:`FigureDrawer.listed`, which returns the
figures' list as soon as the workers have it, so that the page is written while they draw;
:meth:`FigureDrawer.finish` waits for them). A worker builds the part's
figure jobs (:mod:`eventstudy.report.figures`: the same code, the same list in every
worker) and takes them one at a time through the part's shared counter (the index of its
next job not yet taken), so the workers share the drawing. Each file written is reported
on the worker's own queue; a worker that failed passes its exception on, one that died without
saying ``end`` is an error (the first worker waits for those it forked and reports theirs).
The files are those :func:`eventstudy.report.figures.draw_figures` writes: the same code
draws them, with a fixed size and resolution, in whichever process.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing as mp
import multiprocessing.connection as mp_connection
import os
import pickle
import queue
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventstudy.report.figures import (
    PARTS,
    Figure,
    _draw,
    _Job,
    can_fork,
    part_jobs,
    part_results,
)
from eventstudy.report.text import Lang

__all__ = ["FigureDrawer"]

RESULT_MODULES = ("eventstudy.gold.study", "eventstudy.odds.study", "eventstudy.claims.study")
"""Modules of the results sent to the workers (and of what they import: pandas, scipy.special,
scipy.linalg, scipy.fft; not scipy.stats, which :mod:`eventstudy._scipy_stats` stands in for).

The analyses import them anyway; imported before the workers are forked, they are not
imported again by every worker when it unpickles its first results (about 0.9 s of CPU a
worker, 800 modules)."""


@dataclass
class _Server:
    """A worker's side: its inbox, the shared counters, the jobs of the parts received."""

    inbox: Any  # multiprocessing.Queue of pickled (part, results), None: no more parts
    outbox: Any  # multiprocessing.Queue of (kind, value) to the parent, this worker's own
    counters: dict[str, Any]  # part -> multiprocessing.Value("l"): next job not taken
    out: Path
    lang: Lang
    every: bool
    jobs: dict[str, list[_Job]] = field(default_factory=dict)

    def receive(self, message: bytes | None) -> bool:
        """Build a part's jobs (and tell the parent their figures); False at the end.

        ``message`` is a pickled ``(part, results)`` from :meth:`FigureDrawer.ready`.
        """
        if message is None:
            return False
        part, results = pickle.loads(message)
        self.jobs[part] = part_jobs(part, results, self.lang, self.every)
        self.outbox.put(("figures", (part, [job.figure for job in self.jobs[part]])))
        return True

    def take(self) -> _Job | None:
        """The next job not taken by any worker, from the parts received (page order)."""
        for part in PARTS:
            jobs = self.jobs.get(part, ())
            counter = self.counters[part]
            with counter.get_lock():
                i = int(counter.value)
                if i >= len(jobs):
                    continue
                counter.value = i + 1
            return jobs[i]
        return None

    def serve(self) -> None:
        """Draw what can be drawn; between figures, take the parts that arrived."""
        more = True  # parts may still arrive
        while True:
            while more:  # every part already sent, without waiting
                try:
                    more = self.receive(self.inbox.get_nowait())
                except queue.Empty:
                    break
            job = self.take()
            if job is not None:
                self.outbox.put(("drawn", _draw(job, self.out)))
            elif not more:
                return
            else:  # nothing to draw: wait for the next part
                more = self.receive(self.inbox.get())


NICENESS = 3
"""Added to the workers' nice value. With the parent and two workers runnable on two idle
cores, the scheduler balances the weights (1024 against 2 x 526) by giving the parent (the
analyses: the run's critical path) a core of its own and the workers the other; once the
parent waits for them, they have both. Not more: beside other busy processes a worker still
gets a third of a core (at +10 a tenth: on a loaded machine the parent then waited seconds
for its figures; measured 6.8-8.7 s against 5.8-7.1 s at 0, runs of 57 events)."""


def _serve(servers: list[_Server], parent: int) -> None:
    """The first worker: matplotlib, then the other workers forked, then the parts.

    It waits for the workers it forked before it ends (they end with it): one that died
    without saying ``end`` is reported to the parent as an error.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers
    _die_with_parent(parent)
    _yield_to_parent()
    first, *others = servers
    forked: list[int] = []
    try:
        _warm_up()
        # Everything there is now (the parent's modules and data, matplotlib) is kept out of
        # the collector's full passes: each went through ~175,000 objects (~90 ms) a worker
        # while it drew; the forked workers inherit this.
        gc.freeze()
        forked = [_fork(server) for server in others]
        first.serve()
        _reap(forked)
        first.outbox.put(("end", None))
    except BaseException as exc:  # handed to the parent, which raises it
        _send_error(first.outbox, exc)
    first.outbox.close()
    first.outbox.join_thread()


def _fork(server: _Server) -> int:
    """Fork a worker from this one (matplotlib already imported): its process id."""
    zygote = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:  # the child: serve, then leave without running the forking worker's code
        _die_with_parent(zygote)
        server.serve()
        server.outbox.put(("end", None))
    except BaseException as exc:
        _send_error(server.outbox, exc)
        code = 1
    finally:
        server.outbox.close()
        server.outbox.join_thread()
        os._exit(code)


def _reap(pids: list[int]) -> None:
    """Wait for the forked workers; raise if one did not end normally."""
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise RuntimeError(f"a figure worker exited with code {code} before it ended")


def _die_with_parent(parent: int) -> None:
    """Have the kernel end this worker (SIGTERM) when the parent process dies (Linux).

    A run killed by a timeout or ``kill`` would otherwise leave its workers waiting on their
    inboxes for ever (they hold the pipes' write ends too, so they never see an end of file).
    """
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux's C library: rely on stop()
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _yield_to_parent() -> None:
    """Lower this worker's priority by :data:`NICENESS` (where the system allows it)."""
    try:
        os.nice(NICENESS)
    except (OSError, AttributeError):  # not allowed, or no nice (Windows: never forked)
        pass


def _warm_up() -> None:
    """Import matplotlib (Agg) and the plot functions, draw once, before any result arrives."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot

    import eventstudy.plotting  # noqa: F401
    from eventstudy.report.figures import rehearse

    rehearse()


def _send_error(outbox: Any, exc: BaseException) -> None:
    """The exception to the parent; a RuntimeError with its text if it cannot be pickled."""
    import pickle

    try:
        pickle.dumps(exc)
    except Exception:  # an exception that cannot be pickled
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    outbox.put(("error", exc))


class FigureDrawer:
    """Figures of a report drawn by forked workers as their inputs become ready.

    Parameters
    ----------
    out : Path
        The report directory being built.
    lang : {"en", "ja"}
    progress : callable, optional
        Called with each file name drawn (in :meth:`finish`).
    all_figures : bool, default False
        See :func:`eventstudy.report.figures.draw_figures`.
    workers : int, optional
        Worker processes. Default: one per CPU (at most 4) where processes can be forked
        (Linux); with 1 (or no fork) every figure is drawn in this process by
        :meth:`finish`, as :func:`~eventstudy.report.figures.draw_figures` does.

    Notes
    -----
    Use as a context manager (the first worker starts on entering and forks the others; on
    leaving, the workers still running are stopped: an analysis failed, or Ctrl-C).
    :meth:`ready` is given to :func:`eventstudy.report.analyses.run_analyses`;
    :meth:`finish` is called by :func:`eventstudy.report.compose.write_report` with the
    complete inputs.
    """

    def __init__(
        self,
        out: Path,
        lang: Lang = "en",
        progress: Callable[[str], None] | None = None,
        *,
        all_figures: bool = False,
        workers: int | None = None,
    ) -> None:
        self.out = Path(out)
        self.lang = lang
        self.tick = progress or (lambda _name: None)
        self.every = all_figures
        if workers is None:
            workers = min(4, os.cpu_count() or 1)
        self.workers = workers if can_fork() else 1
        self.processes: list[Any] = []
        self.inboxes: list[Any] = []
        self.outboxes: list[Any] = []  # one a worker: one killed while it writes to its
        # queue (holding the queue's lock) cannot block the others' reports
        self.sent: set[str] = set()
        self.figures: dict[str, list[Figure]] = {}  # part -> its figures, as listed by a worker
        self.open: dict[Any, Any] = {}  # a worker's queue reader -> queue, until its "end"
        self.serial: list[_Job] = []  # without workers: the jobs finish() draws
        self.all_listed: list[Figure] | None = None  # what listed() returned

    def __enter__(self) -> FigureDrawer:
        if self.workers > 1:
            self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self) -> None:
        for module in RESULT_MODULES:  # imported once, here, instead of once per worker
            importlib.import_module(module)
        ctx = mp.get_context("fork")
        counters = {part: ctx.Value("l", 0) for part in PARTS}
        self.inboxes = [ctx.Queue() for _ in range(self.workers)]
        self.outboxes = [ctx.Queue() for _ in range(self.workers)]
        servers = [_Server(inbox, outbox, counters, self.out, self.lang, self.every)
                   for inbox, outbox in zip(self.inboxes, self.outboxes, strict=True)]  # fmt: skip
        process = ctx.Process(target=_serve, args=(servers, os.getpid()), daemon=True)
        process.start()  # it forks the others once it has imported matplotlib
        self.processes.append(process)
        self.open = {box._reader: box for box in self.outboxes}

    def ready(self, part: str, results: dict[str, Any]) -> None:
        """Send a part's results to the workers, which start drawing its figures.

        Parameters
        ----------
        part : {"gold", "odds", "association", "claims"}
        results : dict
            ``gold`` for ``"gold"``; ``odds`` and ``events`` for ``"odds"``;
            ``associations`` for ``"association"``; ``claims`` for ``"claims"``
            (:func:`eventstudy.report.figures.part_results`).
        """
        if not self.processes or part in self.sent:
            return
        # Pickled here, once and at once: what reaches the workers is the results as they are
        # now, and a result that cannot be pickled fails here, loudly, not in a queue's thread.
        payload = pickle.dumps((part, results), protocol=pickle.HIGHEST_PROTOCOL)
        self.sent.add(part)
        for inbox in self.inboxes:  # the bytes are written by the queue's thread
            inbox.put(payload)

    def listed(self, inputs: Any) -> list[Figure]:
        """Send what is not sent yet; the figures as soon as the workers have listed them.

        The page can be built while the workers draw (:meth:`finish` waits for them).

        Parameters
        ----------
        inputs : ReportInputs

        Returns
        -------
        list of Figure
            In page order (that of :func:`~eventstudy.report.figures.draw_figures`).
        """
        if self.all_listed is not None:
            return self.all_listed
        parts = part_results(inputs)
        if not self.processes:
            lang, every = self.lang, self.every
            self.serial = [job for part in PARTS
                           for job in part_jobs(part, parts[part], lang, every)]  # fmt: skip
            self.all_listed = [job.figure for job in self.serial]
            return self.all_listed
        for part in PARTS:
            self.ready(part, parts[part])
        for inbox in self.inboxes:
            inbox.put(None)  # no more parts
        try:
            self._read(lambda: all(part in self.figures for part in PARTS))
        except BaseException:
            self.stop()
            raise
        self.all_listed = [figure for part in PARTS for figure in self.figures[part]]
        return self.all_listed

    def finish(self, inputs: Any) -> list[Figure]:
        """Draw what is not drawn yet, wait for every worker, and return :meth:`listed`'s list.

        ``inputs`` (ReportInputs) as for :meth:`listed` (not used again once it was called).
        """
        listed = self.listed(inputs)
        if not self.processes:
            for job in self.serial:
                self.tick(_draw(job, self.out))
            self.serial = []
            return listed
        try:
            self._read(lambda: not self.open)
        finally:
            self.stop()
        return listed

    def _read(self, done: Callable[[], bool]) -> None:
        """Read the workers' reports until ``done()``; raise what a worker raised.

        ``drawn``: a file written (ticked); ``figures``: a part's list; ``end``: that
        worker's queue is closed (removed from :attr:`open`).
        """
        while not done():
            readable = mp_connection.wait(list(self.open), timeout=1.0)
            if not readable:
                self._check_alive()
            for reader in readable:
                kind, value = self.open[reader].get()
                if kind == "drawn":
                    self.tick(value)
                elif kind == "figures":
                    self.figures[value[0]] = value[1]
                elif kind == "error":
                    raise value
                else:
                    del self.open[reader]

    def _check_alive(self) -> None:
        """A worker that exited with an error code did not finish its figures."""
        for process in self.processes:
            if process.exitcode not in (None, 0):
                raise RuntimeError(
                    f"a figure worker exited with code {process.exitcode} before it ended"
                )

    def stop(self) -> None:
        """Stop the workers still running (nothing to do once :meth:`finish` returned)."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for box in [*self.inboxes, *self.outboxes] if self.processes else []:
            box.cancel_join_thread()
            box.close()
        self.processes.clear()
        self.inboxes.clear()
        self.outboxes.clear()
        self.open.clear()
