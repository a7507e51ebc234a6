"""The report's figures, each drawn once by the package's plot functions and saved as PNG.

:func:`draw_figures` takes the analyses' results and returns, per report section, the files
written with their captions. Plots draw what the results hold (:mod:`eventstudy.plotting`);
nothing is computed here. Figures are saved with a fixed size and resolution so that reruns
give the same pictures.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.report.text import Lang

__all__ = ["Figure", "draw_figures"]

TOP_EVENTS = 6
"""CAR paths drawn: the studied units with the largest absolute CAR, as one small-multiples
figure (``all_figures=True``: every unit, this many a figure)."""

CAR_LEVEL = 0.95
"""Coverage of the CAR paths' pointwise bands."""

TOP_ODDS_EVENTS = 6
"""Per-event odds figures drawn: the events whose linked markets moved most in one day
(largest absolute log-odds shift); ``all_figures=True`` draws every event's."""

MAX_MARKETS_PER_FIGURE = 4
"""Markets drawn per event (those whose odds moved most); the table lists them all."""


PNG_COMPRESS_LEVEL = 1
"""zlib level of the PNG files ``savefig`` writes (a figure not on an Agg canvas): the same
pixels as matplotlib's default (6), about 15 ms less a figure, files about 1.4 % larger."""


@dataclass(frozen=True)
class Figure:
    """A saved figure: file name (in the report directory) and caption."""

    section: str
    name: str
    caption: str


@dataclass(frozen=True)
class _Job:
    """A figure to draw: ``draw()`` returns the Axes or Figure saved as ``figure.name``."""

    figure: Figure
    draw: Callable[[], Any]
    dpi: int = 100
    tight: bool = True


def draw_figures(
    inputs: Any,
    out: Path,
    lang: Lang = "en",
    progress: Callable[[str], None] | None = None,
    *,
    all_figures: bool = False,
    workers: int | None = None,
) -> list[Figure]:
    """Draw every figure of the report into ``out``.

    Parameters
    ----------
    inputs : ReportInputs
        From :func:`eventstudy.report.analyses.run_analyses`.
    out : Path
        The report directory being built.
    lang : {"en", "ja"}
        Language of the captions and of the figures' words (axis labels, legends).
    progress : callable, optional
        Called once per figure drawn (name of the file).
    all_figures : bool, default False
        Draw the odds paths of every event with a linked market, not only the
        :data:`TOP_ODDS_EVENTS` that moved most (and every studied unit's CAR path, not only
        the :data:`TOP_EVENTS` largest).
    workers : int, optional
        Processes drawing at once. Default: one per CPU (at most 4) where processes can be
        forked (Linux), else 1. The files are the same whatever the number: each figure is
        drawn by the same code with a fixed size, resolution and no time stamp.

    Returns
    -------
    list of Figure
        In page order, whatever order they were drawn in.
    """
    parts = part_results(inputs)
    jobs = [job for part in PARTS for job in part_jobs(part, parts[part], lang, all_figures)]
    _run_jobs(jobs, out, progress or (lambda _name: None), workers)
    return [job.figure for job in jobs]


PARTS = ("gold", "odds", "association", "claims")
"""The report's parts with figures, in page order."""


def part_results(inputs: Any) -> dict[str, dict[str, Any]]:
    """Per part, the results its figures are drawn from (``inputs``: ReportInputs)."""
    return {
        "gold": {"gold": inputs.gold},
        "odds": {"odds": inputs.odds, "events": inputs.events},
        "association": {"associations": inputs.associations},
        "claims": {"claims": inputs.claims},
    }


def part_jobs(part: str, results: dict[str, Any], lang: Lang, every: bool) -> list[_Job]:
    """The figure jobs of a part, from its :func:`part_results` (none if it did not run)."""
    if part == "gold":
        return _gold_jobs(results["gold"], lang, every)
    if part == "odds":
        if results["odds"] is None:
            return []
        return _odds_jobs(results["odds"], results["events"], lang, every)
    if part == "association":
        return _association_jobs(results["associations"], lang)
    return [] if results["claims"] is None else _claims_jobs(results["claims"], lang)


def can_fork() -> bool:
    """Whether figure workers can be forked (Linux): elsewhere figures are drawn serially."""
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods() and sys.platform.startswith("linux")


# Jobs handed to forked workers by index: the children inherit this list (closures over the
# results cannot be pickled, and need not be).
_PENDING: list[_Job] = []


REPORT_RC: dict[Any, Any] = {"text.hinting": "no_hinting"}
"""matplotlib settings of the report's figures: text laid out without FreeType hinting (the
glyphs' own outlines), about a third less time per text drawn, as legible at 80-100 dpi."""


def _draw(job: _Job, out: Path) -> str:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from eventstudy.plotting._layout import fit_margins

    with matplotlib.rc_context(REPORT_RC):
        drawn = job.draw()
        fig = getattr(drawn, "figure", drawn)
        if isinstance(drawn, np.ndarray):  # plot_odds_paths returns its Axes
            fig = drawn.flat[0].figure
        fig.set_dpi(job.dpi)  # laid out at the resolution it is saved with
        if job.tight:
            fit_margins(fig)
        _save_png(fig, out / job.figure.name)
    plt.close(fig)
    return job.figure.name


def _save_png(fig: Any, path: Path | Any) -> None:
    """Render ``fig`` (Agg) and write it as PNG to ``path`` (a file name or a binary file).

    Written by :func:`eventstudy.plotting._png.png_bytes` (half the time of ``savefig``'s
    Pillow encoder); a figure on another canvas is saved by ``savefig``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from eventstudy.plotting._png import png_bytes

    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        fig.savefig(path, format="png", dpi=fig.dpi, metadata={"Software": None},
                    pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})  # fmt: skip
        return
    canvas.draw()
    data = png_bytes(np.asarray(canvas.buffer_rgba()), fig.dpi)
    if isinstance(path, Path):
        path.write_bytes(data)
    else:
        path.write(data)


def rehearse() -> None:
    """Draw a small figure in memory as the report's are drawn (fonts, text, PNG writer).

    What a process does once, before its first figure (loading the fonts, the PNG encoder):
    done by the figure workers while they wait for the first results.
    """
    import io

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from eventstudy.plotting._common import set_title
    from eventstudy.plotting._layout import fit_margins

    with matplotlib.rc_context(REPORT_RC):
        fig, ax = plt.subplots(figsize=(2, 1.5), dpi=50)
        ax.plot([0, 1], [0, 1], marker="o", label="CAR (%)")
        ax.set_xlabel("trading days")
        set_title(ax, "金価格 (day 0)")
        ax.legend(loc="best", fontsize=8)
        fit_margins(fig)
        _save_png(fig, io.BytesIO())
    plt.close(fig)


def _draw_pending(args: tuple[int, str]) -> str:
    index, out = args
    return _draw(_PENDING[index], Path(out))


def _run_jobs(
    jobs: list[_Job], out: Path, tick: Callable[[str], None], workers: int | None
) -> None:
    import multiprocessing as mp

    if workers is None:
        workers = min(4, os.cpu_count() or 1) if can_fork() else 1
    if workers <= 1 or len(jobs) < 4:
        for job in jobs:
            tick(_draw(job, out))
        return
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot  # once, here: the forked workers inherit it

    _PENDING[:] = jobs
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            tasks = [(i, str(out)) for i in range(len(jobs))]
            for name in pool.imap_unordered(_draw_pending, tasks):
                tick(name)
    finally:
        _PENDING.clear()


def _gold_jobs(gold: Any, lang: Lang, every: bool) -> list[_Job]:
    from eventstudy.plotting import gold as gplot

    symbol = gold.settings["gold"]
    en = lang == "en"
    jobs = [
        _Job(Figure("gold", "fig_gold_events.png",
                    f"{symbol} close with each event's day 0 (colour: expected direction)" if en
                    else f"{symbol} の終値と各イベントの0日目(色は予想される方向)"),
             partial(gplot.plot_gold_with_events, gold, lang=lang)),
        _Job(Figure("gold", "fig_gold_directions.png",
                    "Mean CAR path by expected gold direction, with t bands (events as "
                    "independent)" if en
                    else "予想方向別の平均CARの推移(tバンド、イベントは独立と仮定)"),
             partial(gplot.plot_caar_by_group, gold, lang=lang)),
        _Job(Figure("gold", "fig_placebo.png",
                    "Placebo distribution of the standardized CAR and the events' values" if en
                    else "標準化CARのプラセボ分布とイベントの値"),
             partial(gplot.plot_placebo, gold, lang=lang)),
    ]  # fmt: skip
    studied = gold.events[gold.events["status"] == "studied"]
    top = studied.reindex(studied["car"].abs().sort_values(ascending=False).index)
    units = list(top["unit_id"] if every else top["unit_id"].head(TOP_EVENTS))
    for first in range(0, len(units), TOP_EVENTS):
        jobs.append(_car_paths_job(gold, units, first, len(studied), lang))
    return jobs


def _car_paths_job(gold: Any, units: list[str], first: int, studied: int, lang: Lang) -> _Job:
    """One small-multiples figure of the CAR paths of ``units[first : first + TOP_EVENTS]``.

    ``units`` are in order of absolute CAR, largest first, out of ``studied``; the first is
    ``fig_car_paths.png``, the next ones (``all_figures``) ``fig_car_paths_2.png``, ...
    """
    from eventstudy.plotting import gold as gplot

    shown = units[first : first + TOP_EVENTS]
    number = first // TOP_EVENTS + 1
    name = "fig_car_paths.png" if number == 1 else f"fig_car_paths_{number}.png"
    last = first + len(shown)
    span = f"{first + 1}-{last}" if len(shown) > 1 else f"{last}"  # not "7-7"
    if first == 0 and len(shown) == studied:
        which = f"all {studied} studied units, largest |CAR| first"
    elif first == 0:
        which = f"the {len(shown)} of {studied} studied units with the largest |CAR|"
    else:
        which = f"unit{'s' if len(shown) > 1 else ''} {span} of {studied} by |CAR|"
    caption = (
        f"CAR paths with {int(100 * CAR_LEVEL)}% bands, {which} (one scale): {', '.join(shown)}"
        if lang == "en"
        else f"CARの推移と{int(100 * CAR_LEVEL)}%バンド(|CAR|の大きい順、{span}件目/{studied}件、"
        f"縦軸共通): {', '.join(shown)}"
    )
    return _Job(
        Figure("gold_events", name, caption),
        partial(gplot.plot_event_cars, gold, shown, level=CAR_LEVEL, lang=lang),
    )


def _largest_moves_first(markets: list[tuple], limit: int) -> list[tuple]:
    """The ``limit`` markets of an event whose odds moved most, in that order.

    Moved: the largest absolute log-odds shift over the horizons.
    """
    moved = [float(np.nanmax(np.abs(m[2]["shift_logodds"].to_numpy(float)), initial=0.0))
             for m in markets]  # fmt: skip
    order = np.argsort(-np.asarray(moved), kind="stable")
    return [markets[i] for i in order[:limit]]


def _odds_jobs(odds: Any, events: pd.DataFrame, lang: Lang, every: bool) -> list[_Job]:
    from eventstudy.plotting.odds import plot_odds_paths

    en = lang == "en"
    d = odds.details
    linked = d[d["linked"].astype(bool) & (d["status"] != "not_computable")]
    ids = list(dict.fromkeys(linked["event_id"]))  # event order
    if not every:
        one_day = linked[linked["horizon"] == pd.Timedelta("1D")]
        moved = one_day["shift_logodds"].abs().groupby(one_day["event_id"]).max()
        top = set(moved.sort_values(ascending=False, kind="stable").index[:TOP_ODDS_EVENTS])
        ids = [eid for eid in ids if eid in top]
    titles = events.set_index("event_id")["title_ja" if not en else "title"]
    times = linked.drop_duplicates("event_id").set_index("event_id")["event_time"]
    by_event = odds.markets_by_event(ids)  # grouped once, not searched per event
    jobs = []
    for eid in ids:
        markets = by_event.get(eid, [])
        if not markets:
            continue
        shown = _largest_moves_first(markets, MAX_MARKETS_PER_FIGURE)
        tau = times[eid]
        title = f"{eid}: {tau:%Y-%m-%d %H:%M} UTC"
        if not en and isinstance(titles.get(eid), str):  # as the CAR panels: id, then title
            title += "\n" + _one_line(titles[eid], ODDS_TITLE_WIDTH * min(2, len(shown)))
        what = (
            f"YES probability of {len(shown)} of {len(markets)} linked market(s) around the "
            "event (UTC; the largest moves; all in odds_shifts.csv)"
            if en
            else f"イベント前後の関連マーケット{len(markets)}件中{len(shown)}件のYES確率"
            "(UTC、変化の大きい順; 全件はodds_shifts.csv)"
        )
        jobs.append(
            _Job(
                Figure(
                    "odds_paths", f"fig_odds_{eid}.png", f"{eid} ({titles.get(eid, '')}): {what}"
                ),
                partial(plot_odds_paths, shown, tau, title=title, lang=lang),
                dpi=80,
                tight=False,  # plot_odds_paths lays the grid out itself
            )
        )
    return jobs


ODDS_TITLE_WIDTH = 64
"""Columns (a CJK character counts two) of an odds figure's title line per column of panels."""


def _one_line(text: str, width: int) -> str:
    """``text`` on one line of at most ``width`` columns, cut with an ellipsis when longer."""
    from eventstudy.plotting._common import wrap_wide

    first, *rest = wrap_wide(text, width)
    return first[:-1] + "…" if rest else first


def _associations_figure(associations: dict[str, Any], lang: Lang = "en") -> Any:
    """Gold CAR against the odds shift, one panel per association kind (raw, oriented)."""
    import matplotlib.pyplot as plt

    from eventstudy.plotting._common import font_kw
    from eventstudy.plotting._labels import word
    from eventstudy.plotting.odds import plot_gold_vs_odds

    kinds = list(associations)
    fig, axes = plt.subplots(1, len(kinds), figsize=(6.5 * len(kinds), 5), squeeze=False)
    for ax, kind in zip(axes[0], kinds, strict=True):
        plot_gold_vs_odds(associations[kind], ax=ax, lang=lang)
        title = f"{word(lang, 'kind', kind)}: {ax.get_title()}"
        ax.set_title(title, fontsize=9, **font_kw(title))
    return fig


def _association_jobs(associations: dict[str, Any], lang: Lang) -> list[_Job]:
    if not associations:
        return []
    caption = (
        "Gold CAR (%) against the mean one-day log-odds shift of each event's markets: raw "
        "(left) and oriented so that up means more risk (right)"
        if lang == "en"
        else "各イベントの金CAR(%)とマーケットの1日対数オッズ変化の平均: 生の値(左)と、"
        "上昇がリスク増を意味するよう向きを揃えた値(右)"
    )
    figure = Figure("association", "fig_gold_vs_odds.png", caption)
    return [_Job(figure, partial(_associations_figure, associations, lang))]


def _verdicts(claims: Any, lang: Lang = "en") -> Any:
    """The verdicts' chart on a figure of its own size, laid out once (by :func:`_draw`)."""
    import matplotlib.pyplot as plt

    from eventstudy.plotting.claims import plot_verdicts, verdicts_figsize

    _, ax = plt.subplots(figsize=verdicts_figsize(len(claims.verdicts)))
    return plot_verdicts(claims.verdicts, ax=ax, lang=lang)


def _claims_jobs(claims: Any, lang: Lang) -> list[_Job]:
    en = lang == "en"
    caption = (
        "Each claim's p-value (log scale) coloured by its verdict"
        if en
        else "各主張のp値(対数目盛り、色は判定)"
    )
    jobs = [_Job(Figure("claims", "fig_claims.png", caption), partial(_verdicts, claims, lang))]
    drawable = claims.verdicts[
        (claims.verdicts["type"] == "threshold") & (claims.verdicts["verdict"] != "no data")
    ]
    for claim_id in drawable["claim_id"]:
        caption = (
            f"{claim_id}: the series, the level and the dates"
            if en
            else f"{claim_id}: 系列・水準・日付"
        )
        jobs.append(
            _Job(
                Figure("claims", f"fig_claim_{claim_id}.png", caption),
                partial(claims.plot, claim_id, lang=lang),
            )
        )
    return jobs


def figure_names(figures: list[Figure], section: str) -> list[tuple[str, str]]:
    """``(file, caption)`` of a section's figures, in drawing order."""
    return [(f.name, f.caption) for f in figures if f.section == section]
