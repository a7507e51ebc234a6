"""Runs whose notes pin the report's English notes byte for byte.

:func:`report_notes` writes the notes the report shows (the report's own, the gold study's,
the odds study's summary notes, the claims') of the repository's catalog on the snapshot, and
of runs that write the other notes (a gold study without the post-event estimation block,
with a one-variance HAC route and a bootstrap placebo; no odds data; no claims file).
``tests/reference/report_notes/`` holds the notes the code wrote before they were composed
from named templates (its README says how they were made).
"""

from __future__ import annotations

import warnings
from pathlib import Path


def report_notes(repo_root: Path, snapshot_dir: Path, work: Path) -> dict[str, str]:
    """Each run's notes, one a line, its data directory written ``<data_dir>``."""
    from eventstudy.data.catalog import load_events
    from eventstudy.gold.study import gold_event_study
    from eventstudy.report import analyses

    inputs = analyses.run_analyses(repo_root / "events.csv", snapshot_dir, robustness=False)
    snapshot = [*inputs.notes, *inputs.gold.notes, *inputs.odds._summary_notes()]
    snapshot += inputs.claims.notes
    events = load_events(repo_root / "events.csv").head(12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gold = gold_event_study(
            events,
            data_dir=snapshot_dir,
            estimation_post=None,
            hac_variance="newey_west",
            placebo="stationary_bootstrap",
            n_boot=5,
            draws_per_boot=5,
        )
    empty = work / "empty"
    empty.mkdir()
    variants = [
        *gold.notes,
        analyses._odds(events, empty)[1],
        analyses._claims(empty / "claims.csv", events, empty, False, None)[1],
    ]
    return {
        name: _placeholders("\n".join(notes), {"<data_dir>": snapshot_dir, "<work>": work}) + "\n"
        for name, notes in (("snapshot", snapshot), ("variants", variants))
    }


def _placeholders(text: str, dirs: dict[str, Path]) -> str:
    """``text`` with each directory written as its placeholder, as given and resolved.

    A relative ``EVENTSTUDY_DATA`` made absolute keeps its ``..`` (``/repo/../shared/...``),
    while some messages name the resolved path: both are the same directory.
    """
    for name, path in dirs.items():
        for form in sorted({str(path), str(path.resolve())}, key=len, reverse=True):
            text = text.replace(form, name)
    return text
