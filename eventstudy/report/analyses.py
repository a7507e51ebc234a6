"""What the report shows, computed by the analyses themselves: one call, one bundle.

:func:`run_analyses` runs the gold study, its robustness refits, the odds study, the gold-odds
association (raw and oriented) and the claims, and gathers the files they read. The report
(:mod:`eventstudy.report.compose`) receives this :class:`ReportInputs` and only writes and
formats it; nothing here writes a file.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.exceptions import EventStudyError, WindowOverlapWarning

__all__ = ["NOTE_TEXTS", "ODDS_HORIZON", "ReportInputs", "run_analyses"]

NOTE_TEXTS: dict[str, str] = {
    "odds_not_run": "Odds study not run: {error}",
    "no_claims": "No claims file ({name}) beside the catalog: no claims tested.",
}
"""The sentences of :attr:`ReportInputs.notes`, by kind (``str.format`` fields; ``error``:
the error's type and message; the Japanese page reads the values back)."""

ODDS_HORIZON = "1D"
"""Horizon of the gold-vs-odds association (wall-clock, after the event)."""

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report shows, as the analyses returned it.

    Attributes
    ----------
    catalog : Path
        The events catalog read.
    events : DataFrame
        The catalog (:func:`eventstudy.data.catalog.load_events`).
    gold : GoldStudyResults
        The gold study on ``GC=F`` (constant mean, the package defaults).
    robustness : dict of str to EventStudyResults
        The same units under other models and on GLD (name -> engine results); empty when
        not asked for.
    odds : OddsStudyResults or None
        The odds study of the linked markets; None when the data directory has no Polymarket
        files (``odds_note`` says why).
    associations : dict of str to GoldOddsAssociation
        ``"raw"`` and, with ``market_orientation.csv`` beside the catalog, ``"oriented"``.
    claims : ClaimsResults or None
        The claims of ``claims.csv`` beside the catalog (or given); None without one.
    data_versions : DataFrame
        Every data file the analyses read: ``path``, ``sha256_read``, ``sha256_manifest``,
        ``verified``, ``rows``, ``source``, ... (:func:`eventstudy.data.store.file_versions`).
    notes : tuple of str
        Why a part is missing (no odds data, no claims file, ...).
    settings : dict
        Data directory, catalog, claims file.
    """

    catalog: Path
    events: pd.DataFrame
    gold: Any
    robustness: dict[str, Any]
    odds: Any
    associations: dict[str, Any]
    claims: Any
    data_versions: pd.DataFrame
    notes: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)


def run_analyses(
    catalog: str | os.PathLike[str] = "events.csv",
    data_dir: str | os.PathLike[str] | None = None,
    *,
    claims: str | os.PathLike[str] | None = None,
    n_boot: int | None = None,
    robustness: bool = True,
    strict: bool = False,
    progress: Progress | None = None,
    ready: Callable[[str, dict[str, Any]], None] | None = None,
) -> ReportInputs:
    """Run every analysis of the report on a catalog.

    Parameters
    ----------
    catalog : str or path-like, default "events.csv"
    data_dir : str or path-like, optional
        See :func:`eventstudy.data.store.resolve_data_dir`.
    claims : str or path-like, optional
        Claims file; default ``claims.csv`` beside the catalog when it exists.
    n_boot : int, optional
        Deprecated, no effect (a FutureWarning when given): the gold study's placebo fits a
        pseudo-event on every eligible non-event day, with no bootstrap resamples. To be
        removed.
    robustness : bool, default True
        Also refit the gold study's units under the market and factor models and on GLD.
    strict : bool, default False
        A data file whose bytes differ from its ``manifest.json`` entry (or a missing
        manifest) is an error (:class:`~eventstudy.exceptions.ProvenanceError`) instead of
        a warning in the results.
    progress : callable, optional
        Called with the name of each step as it starts (the CLI's progress bar).
    ready : callable, optional
        Called as each part's results exist: ``ready("odds", {"odds": ..., "events": ...})``
        after the odds study, ``ready("gold", {"gold": ...})`` after the gold study,
        ``ready("association", {"associations": ...})`` after the gold-odds association,
        ``ready("claims", {"claims": ...})`` after the claims (the robustness refits, which
        have no figures, run after them). The report starts drawing their figures
        (:meth:`eventstudy.report.drawing.FigureDrawer.ready`).

    Returns
    -------
    ReportInputs
    """
    from eventstudy.data.catalog import load_events
    from eventstudy.data.store import resolve_data_dir

    warn_n_boot(n_boot)
    step = progress or (lambda _name: None)
    catalog = Path(catalog)
    root = resolve_data_dir(data_dir).resolve()
    step("catalog")
    events = load_events(catalog)
    # In the order that starts the figure workers soonest: each part's figures are sent to
    # them as soon as its results exist; the robustness refits (tables only) come last.
    tell = ready or (lambda _part, _results: None)
    step("odds study")
    odds, odds_note = _odds(events, root)
    tell("odds", {"odds": odds, "events": events})
    step("gold study")
    gold = _gold(events, root)
    tell("gold", {"gold": gold})
    associations = _associations(catalog, events, gold, odds) if odds is not None else {}
    tell("association", {"associations": associations})
    step("claims")
    claims_path = Path(claims) if claims is not None else catalog.parent / "claims.csv"
    claims_res, claims_note = _claims(claims_path, events, root, claims is not None, gold)
    tell("claims", {"claims": claims_res})
    step("robustness")
    refits = _robustness(events, root, gold) if robustness else {}
    step("data versions")
    versions = _data_versions(root, gold, refits, odds, claims_res, strict)
    notes = tuple(n for n in (odds_note, claims_note) if n)
    settings = {"data_dir": str(root), "catalog": str(catalog),
                "claims": str(claims_path) if claims_res is not None else ""}  # fmt: skip
    return ReportInputs(catalog, events, gold, refits, odds, associations, claims_res,
                        versions, notes, settings)  # fmt: skip


N_BOOT_NO_EFFECT = (
    "has no effect and will be removed: the gold study's placebo fits a pseudo-event on every "
    "eligible non-event day (no bootstrap resamples)"
)
"""Why ``n_boot`` (``--n-boot``) is ignored: it sized the stationary-bootstrap placebo, which
the report no longer runs (the gold study's default placebo became pseudo-events)."""


def warn_n_boot(n_boot: int | None) -> None:
    """A FutureWarning, pointing at the caller's caller, when ``n_boot`` is given."""
    if n_boot is not None:
        warnings.warn(f"n_boot {N_BOOT_NO_EFFECT}", FutureWarning, stacklevel=3)


def _gold(events: pd.DataFrame, root: Path) -> Any:
    from eventstudy.gold.study import gold_event_study

    with warnings.catch_warnings():  # the report shows the overlap table and notes instead
        warnings.simplefilter("ignore", WindowOverlapWarning)
        return gold_event_study(events, data_dir=root)


def _robustness(events: pd.DataFrame, root: Path, gold: Any) -> dict[str, Any]:
    """The gold study's units under other models (refits) and the units of the study on GLD.

    Only the engine fit of GLD is shown, so its HAC, placebo, group and timing routes are not
    run (:func:`eventstudy.gold.study.gold_units_study`).
    """
    from eventstudy.gold.study import gold_units_study

    out = {
        "constant mean, GC=F": gold.study,
        "market model (ACWI), GC=F": gold.refit("market"),
        "factor model, GC=F": gold.refit("factor"),
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", WindowOverlapWarning)
            out["constant mean, GLD"] = gold_units_study(events, gold="GLD", data_dir=root)
    except EventStudyError:  # GLD missing from a data directory: leave the column out
        pass
    return out


def _odds(events: pd.DataFrame, root: Path) -> tuple[Any, str]:
    from eventstudy.odds.study import run_odds_study

    try:
        return run_odds_study(events, data_dir=root), ""
    except (EventStudyError, OSError) as exc:  # no or broken odds data: the gold report stands
        return None, NOTE_TEXTS["odds_not_run"].format(error=f"{type(exc).__name__}: {exc}")


def _associations(catalog: Path, events: pd.DataFrame, gold: Any, odds: Any) -> dict[str, Any]:
    """Raw and (with ``market_orientation.csv``) oriented; both draw one permutation stream."""
    from eventstudy.data.orientation import default_orientation_path, load_orientation
    from eventstudy.odds.association import gold_odds_association, gold_odds_associations

    car = gold.events[["event_id", "car"]]
    kw: dict[str, Any] = {"horizon": ODDS_HORIZON, "aggregate": "mean", "seed": 0}
    path = default_orientation_path(catalog)
    if path.is_file():
        return gold_odds_associations(car, odds, load_orientation(path, events), **kw)
    return {"raw": gold_odds_association(car, odds, **kw)}


def _claims(
    path: Path, events: pd.DataFrame, root: Path, asked: bool, gold: Any
) -> tuple[Any, str]:
    """The claims, reading the report's gold study when it is the one they would run.

    Their gold event effects then do not run the same study again (the default
    specification: ``n_boot`` 200; :func:`eventstudy.claims.gold_adapter.study_mismatch`).
    """
    from eventstudy.claims import run_claims
    from eventstudy.claims.gold_adapter import study_mismatch

    if not path.is_file():
        if asked:
            raise EventStudyError(f"claims file {path} not found")
        return None, NOTE_TEXTS["no_claims"].format(name=path.name)
    same = study_mismatch(gold, events) is None
    return run_claims(path, events, root, gold_study=gold if same else None), ""


def _data_versions(
    root: Path, gold: Any, refits: dict, odds: Any, claims: Any, strict: bool
) -> pd.DataFrame:
    """Every file the analyses read, with the sha256 of its bytes and the manifest's."""
    from eventstudy.data.store import MARKETS_RELPATH, file_versions, odds_relpath

    paths = list(gold.data_versions["path"]) if "path" in gold.data_versions else []
    if any("GLD" in name for name in refits):
        paths.append("prices/GLD.csv")
    if odds is not None:
        tokens = odds.details.loc[odds.details["token_id"] != "", "token_id"].unique()
        paths += [MARKETS_RELPATH] + [
            odds_relpath(t) for t in tokens if (root / odds_relpath(t)).is_file()
        ]
    if claims is not None:
        paths += list(claims.data_versions["path"])
    return file_versions(list(dict.fromkeys(paths)), root, strict=strict)
