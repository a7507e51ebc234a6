"""The report directory ``eventstudy run`` writes: analyses in, tables, figures and HTML out.

:func:`run_report` runs the analyses (:func:`eventstudy.report.analyses.run_analyses`) and hands
their results to :func:`write_report`, which writes the CSV files
(:mod:`eventstudy.report.tables`), draws the figures (:mod:`eventstudy.report.figures`) and
renders ``index.html`` from a jinja2 template (:mod:`eventstudy.report.page`,
:mod:`eventstudy.report.render`). Nothing is computed here.

Layout of ``out/``::

    index.html              findings in plain words, claims, gold, odds, association, data
                            versions, notes, files (a table of contents links them)
    gold_events.csv         one row per catalog event: status, reason, CAR over the main window
                            with its SE and p-values (analytic, HAC, placebo; raw and BH-adjusted)
    gold_groups.csv, gold_tests.csv, gold_overlaps.csv, gold_sensitivity.csv, gold_car.csv,
    gold_ar.csv, gold_robustness.csv
    odds_shifts.csv, gold_odds.csv
    claims.csv, claims_evidence.csv
    data_versions.csv       every data file read, sha256 of its bytes, verified or not
    fig_*.png               figures

The directory is built beside ``out`` and moved into place only when complete
(:func:`eventstudy.report.outdir.report_directory`). Every CSV cell that would start a
spreadsheet formula is neutralised (:mod:`eventstudy.report.safe_csv`); every text from the
catalog, the claims or Polymarket is escaped in the HTML.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventstudy._languages import Lang, check_lang
from eventstudy.report.analyses import ReportInputs, run_analyses, warn_n_boot
from eventstudy.report.drawing import FigureDrawer
from eventstudy.report.figures import Figure, draw_figures
from eventstudy.report.page import build_page, extra_tables
from eventstudy.report.render import embed_figures, render_page
from eventstudy.report.tables import write_tables

__all__ = ["ReportRun", "run_report", "write_report"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportRun:
    """What :func:`run_report` produced: the page, the analyses, the figures and files."""

    index: Path
    inputs: ReportInputs
    figures: tuple[Figure, ...]
    files: tuple[tuple[str, str], ...]
    lang: Lang = "en"
    data: Any = None
    """What :func:`eventstudy.data.ensure.ensure_data` fetched or found missing (None when
    not asked to fetch)."""


def run_report(
    catalog: str | os.PathLike[str] = "events.csv",
    data_dir: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] = "report",
    *,
    claims: str | os.PathLike[str] | None = None,
    lang: Lang = "en",
    self_contained: bool = False,
    n_boot: int | None = None,
    robustness: bool = True,
    strict: bool = False,
    all_figures: bool = False,
    fetch_missing: bool = True,
    offline: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReportRun:
    """Run the gold, odds and claims analyses on a catalog and write a report directory.

    Parameters
    ----------
    catalog : str or path-like, default "events.csv"
    data_dir : str or path-like, optional
        See :func:`eventstudy.data.store.resolve_data_dir`.
    out : str or path-like, default "report"
        Output directory: created, or replaced as a whole when it holds a previous report
        (checked before the study runs, built beside it and moved into place only when
        complete; links are never followed).
    claims : str or path-like, optional
        Claims file; default ``claims.csv`` beside the catalog when it exists.
    lang : {"en", "ja"}, default "en"
        Language of the headings, findings and captions.
    self_contained : bool, default False
        Embed the figures in ``index.html`` (one file that can be sent by mail).
    n_boot : int, optional
        Deprecated, no effect (a FutureWarning when given); see
        :func:`eventstudy.report.analyses.run_analyses`.
    robustness : bool, default True
        Also refit the gold units under the market and factor models and on GLD.
    strict : bool, default False
        A data file that does not match ``manifest.json`` is an error, not a warning.
    all_figures : bool, default False
        Draw every event's odds paths and every unit's CAR path, not only those that moved
        most (:func:`eventstudy.report.figures.draw_figures`).
    fetch_missing : bool, default True
        First fetch what the catalog and the claims need and the data directory lacks
        (:func:`eventstudy.data.ensure.ensure_data`; after ``out`` is checked, before any
        data is read). False: use the data directory as it is.
    offline : bool, optional
        Never fetch: stop with :class:`~eventstudy.data.ensure.MissingDataError` listing what
        is missing. Default ``EVENTSTUDY_OFFLINE``.
    progress : callable, optional
        Called with the name of each step as it starts and of each figure as it is drawn
        (the command line's progress bar).

    Returns
    -------
    ReportRun
        ``index`` (the ``index.html`` written), ``inputs`` (the analyses' results: ``gold``,
        ``odds``, ``claims``, ...), ``figures`` and ``files``.

    Raises
    ------
    ReportOutputError
        ``out`` cannot be used (a file, a link, a directory of other files, not writable).
    MissingDataError
        Data the run needs is missing and could not be fetched (offline, or the fetch
        failed): every item is listed with the one command that fetches them.
    """
    from eventstudy.report.outdir import report_directory

    progress = _logged(progress or (lambda _name: None))
    check_lang(lang)
    warn_n_boot(n_boot)
    with (
        _fewer_collections(),
        report_directory(out) as build,
        FigureDrawer(build, lang, progress, all_figures=all_figures) as drawer,
    ):
        data = None
        if fetch_missing:
            progress("data")
            data = _ensure(catalog, claims, data_dir, offline)
        inputs = run_analyses(
            catalog, data_dir, claims=claims, robustness=robustness,
            strict=strict, progress=progress, ready=drawer.ready,
        )  # fmt: skip
        run = write_report(inputs, build, lang=lang, self_contained=self_contained,
                           all_figures=all_figures, progress=progress, drawer=drawer)  # fmt: skip
    index = Path(out).expanduser().absolute() / "index.html"
    return ReportRun(index, inputs, run.figures, run.files, lang, data)


COLLECTION_THRESHOLD = 20_000
"""The garbage collector's first threshold during :func:`run_report` (Python's default: 700).

The analyses allocate and free millions of small containers (pandas' index and block
objects) but leave few reference cycles: at the default the collector ran about 420 times in
a run of the real catalog and took 0.24-0.32 s of the parent's CPU, at 20,000 it runs about
10 times and takes under 0.09 s, with the same peak memory (210 MB). Restored afterwards."""


class _CollectorRuns:
    """The runs going on (threads share one change) and the thresholds the first one found."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.found: tuple[int, int, int] = gc.get_threshold()


_COLLECTOR_RUNS = _CollectorRuns()


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Raise the collector's first threshold to :data:`COLLECTION_THRESHOLD`, then restore it.

    Runs that overlap (threads) share one change: the first sets it, the last restores the
    thresholds the first found. A threshold of 0 (automatic collection off) stays 0.
    """
    runs = _COLLECTOR_RUNS
    with runs.lock:
        if runs.count == 0:
            runs.found = gc.get_threshold()
            if runs.found[0]:
                gc.set_threshold(max(runs.found[0], COLLECTION_THRESHOLD), *runs.found[1:])
        runs.count += 1
    try:
        yield
    finally:
        with runs.lock:
            runs.count -= 1
            if runs.count == 0:
                gc.set_threshold(*runs.found)


def _ensure(catalog: Any, claims: Any, data_dir: Any, offline: bool | None) -> Any:
    """Fetch what the run needs (the claims file beside the catalog counts when present)."""
    from eventstudy.data.ensure import ensure_data

    if claims is None and (Path(catalog).parent / "claims.csv").is_file():
        claims = Path(catalog).parent / "claims.csv"
    report = ensure_data(catalog, claims, data_dir, offline=offline)
    report.raise_for_missing()
    return report


def _logged(progress: Callable[[str], None]) -> Callable[[str], None]:
    """``progress``, also logging each step and how long the one before it took (``-v``)."""
    last: list[tuple[str, float]] = []

    def step(name: str) -> None:
        if name.endswith(".png"):  # a figure drawn (in the order the workers finish)
            logger.debug("%s drawn", name)
            progress(name)
            return
        now = time.perf_counter()
        if last:
            logger.info("%s done in %.2f s", last[0][0], now - last[0][1])
        logger.info("%s ...", name)
        last[:] = [(name, now)]
        progress(name)

    return step


def write_report(
    inputs: ReportInputs,
    out: str | os.PathLike[str],
    *,
    lang: Lang = "en",
    self_contained: bool = False,
    all_figures: bool = False,
    progress: Callable[[str], None] | None = None,
    drawer: FigureDrawer | None = None,
) -> ReportRun:
    """Write the tables, figures and ``index.html`` of analyses already run into ``out``.

    Parameters
    ----------
    inputs : ReportInputs
        From :func:`eventstudy.report.analyses.run_analyses`.
    out : str or path-like
        An existing, empty directory.
    lang : {"en", "ja"}, default "en"
    self_contained : bool, default False
        Embed the figures in ``index.html``.
    all_figures : bool, default False
        See :func:`run_report`.
    progress : callable, optional
    drawer : FigureDrawer, optional
        Figures already being drawn while the analyses ran (:func:`run_report`): the rest
        are drawn by it. Default: :func:`eventstudy.report.figures.draw_figures`.

    Returns
    -------
    ReportRun
    """
    out = Path(out)
    step = progress or (lambda _name: None)
    step("tables")
    files = write_tables(inputs, extra_tables(inputs), out, lang)
    if drawer is None:
        step("figures")
        figures = draw_figures(inputs, out, lang, progress, all_figures=all_figures)
        step("page")
    else:  # the page is written while the workers draw (it only names the files)
        step("page")
        figures = drawer.listed(inputs)
    page = build_page(inputs, figures, files, lang)
    index = out / "index.html"
    if not self_contained:
        index.write_text(render_page(page), encoding="utf-8")
    if drawer is not None:
        step("figures")
        drawer.finish(inputs)
    if self_contained:  # the figures' bytes go into the page
        embed_figures(page, out)
        index.write_text(render_page(page), encoding="utf-8")
    return ReportRun(index, inputs, tuple(figures), tuple(files), lang)
