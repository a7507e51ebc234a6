"""Run pre-specified claims against the data: :func:`run_claims`.

Each claim of ``claims.csv`` (:mod:`eventstudy.claims.spec`) goes to the handler of its type
(:mod:`~eventstudy.claims.threshold`, :mod:`~eventstudy.claims.comparisons`,
:mod:`~eventstudy.claims.effects`), which reads its series (:mod:`~eventstudy.claims.sources`),
runs its test (:mod:`~eventstudy.claims.tests`) and applies its verdict rule
(:mod:`~eventstudy.claims.verdicts`). A claim whose data are missing gets the verdict
``no data`` naming the file and the ``eventstudy fetch`` command; it never stops the others.
The outcomes are collected in a :class:`~eventstudy.claims.results.ClaimsResults`.

Timing conventions
------------------
* ``made_on`` splits information from outcome: threshold models are calibrated on rows
  strictly before ``made_on``; the outcome runs from the session of ``made_on`` on.
* Prices are dated by the exchange's trading dates, on the instrument's calendar (rows off
  it, e.g. Yahoo's Globex-holiday rows of ``GC=F``, are dropped). Polymarket samples are dated
  by their UTC date (the snapshot samples at 00:00 UTC: about 20:00 New York the day before).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy.claims import verdicts as V
from eventstudy.claims.claim import Claim
from eventstudy.claims.comparisons import association_outcome, level_outcome, shift_outcome
from eventstudy.claims.context import Context, Outcome
from eventstudy.claims.effects import event_effect_outcome
from eventstudy.claims.rolls import RollDetector
from eventstudy.claims.sources import MISSING_TEXTS, MissingData, resolve_root
from eventstudy.claims.spec import COLUMNS, claims_from_frame, load_claims
from eventstudy.claims.threshold import threshold_outcome
from eventstudy.data.quality import roll_dates
from eventstudy.exceptions import SpecificationError

if TYPE_CHECKING:
    from eventstudy.claims.results import ClaimsResults
    from eventstudy.gold.results import GoldStudyResults

__all__ = ["HANDLERS", "run_claims"]

HANDLERS = {
    "threshold": threshold_outcome,
    "level": level_outcome,
    "shift": shift_outcome,
    "event_effect": event_effect_outcome,
    "association": association_outcome,
}
"""The handler of each claim type: ``(claim, context) -> Outcome``."""


def run_claims(
    claims: pd.DataFrame | str | os.PathLike[str],
    events: pd.DataFrame | str | os.PathLike[str],
    data_dir: str | os.PathLike[str] | None = None,
    *,
    n_boot: int = 2000,
    seed: int = 12345,
    calibration: int = 250,
    roll_days: RollDetector | None = None,
    roll_window: int = 5,
    gold_study: GoldStudyResults | None = None,
) -> ClaimsResults:
    """Test every claim of a claims file against the data and give each a verdict.

    Parameters
    ----------
    claims : path or DataFrame
        ``claims.csv`` (checked with :func:`~eventstudy.claims.spec.load_claims` against the
        catalog), or the frame :func:`~eventstudy.claims.spec.load_claims` returned.
    events : path or DataFrame
        The events catalog (``events.csv`` or :func:`eventstudy.data.catalog.load_events`).
    data_dir : path, optional
        Data directory; see :func:`eventstudy.data.store.resolve_data_dir`.
    n_boot : int, default 2000
        Bootstrap paths of the threshold no-information model.
    seed : int, default 12345
        Seed of the bootstrap (the gold study's placebo keeps its own seed, 12345).
    calibration : int, default 250
        Sessions before ``made_on`` that calibrate the threshold no-information model.
    roll_days : callable, optional
        ``bars -> DatetimeIndex`` of futures roll days; default
        :func:`eventstudy.data.quality.roll_dates` (the volume signature of a contract
        switch).
    roll_window : int, default 5
        Roll days within this many sessions of a threshold crossing are flagged.
    gold_study : GoldStudyResults, optional
        A gold study already run on ``events`` and this data directory by
        :func:`eventstudy.gold_event_study` with its default specification (``gold`` and the
        CAR windows aside), as ``eventstudy run`` has one. Gold ``event_effect`` claims on its
        gold series whose window is its main window read it instead of running the same
        study again (the same numbers; other windows and series still run their own). It is
        checked (:func:`eventstudy.claims.gold_adapter.study_mismatch`, and the sha256 of
        each file it read against the data directory's file): a study that differs is a
        :class:`~eventstudy.exceptions.SpecificationError`.

    Returns
    -------
    ClaimsResults
        ``verdicts``, ``evidence``, ``sensitivity``, ``data_versions``, ``summary()``,
        ``to_frame()``, ``plot(claim_id)``, ``plot_verdicts()``.

    Raises
    ------
    ClaimsError
        The claims file has problems (all listed).
    CatalogError
        The events catalog has problems.
    SpecificationError
        A claims frame names event ids the catalog does not have.

    Examples
    --------
    >>> res = run_claims("claims.csv", "events.csv")  # doctest: +SKIP
    >>> print(res.summary())  # doctest: +SKIP
    >>> res.verdicts[["claim_id", "verdict", "key_date", "p", "p_adjusted"]]  # doctest: +SKIP
    """
    from eventstudy.claims.results import ClaimsResults
    from eventstudy.data.catalog import load_events

    ev = events if isinstance(events, pd.DataFrame) else load_events(events)
    frame = claims if isinstance(claims, pd.DataFrame) else load_claims(claims, ev)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise SpecificationError(
            f"the claims frame lacks the columns {', '.join(missing)}; pass a path to "
            "claims.csv or the frame eventstudy.load_claims returns"
        )
    items = claims_from_frame(frame)
    _check_event_ids(items, ev)
    ctx = Context(
        root=resolve_root(data_dir),
        events=ev,
        n_boot=int(n_boot),
        seed=int(seed),
        calibration=int(calibration),
        roll_days=roll_days or roll_dates,
        roll_window=int(roll_window),
    )
    if gold_study is not None:
        _use_gold_study(ctx, gold_study)
    outcomes = [_run_one(c, ctx) for c in items]
    settings = {
        "data_dir": str(ctx.root),
        "n_boot": ctx.n_boot,
        "seed": ctx.seed,
        "calibration": ctx.calibration,
        "roll_window": ctx.roll_window,
        "roll_days": getattr(ctx.roll_days, "__name__", repr(ctx.roll_days)),
        "claims_file": _file_hash(claims),
        "events_file": _file_hash(events),
    }
    return ClaimsResults.from_outcomes(outcomes, ctx.root, settings)


def _use_gold_study(ctx: Context, res: GoldStudyResults) -> None:
    """Give ``ctx`` the gold study the caller ran, after checking it is the claims' own."""
    from eventstudy.claims.gold_adapter import effects_from_study, study_mismatch

    problem = study_mismatch(res, ctx.events)
    if problem is None and not len(res.data_versions):
        problem = "it read no files (data given in memory)"
    if problem is None:
        for path, digest in zip(
            res.data_versions["path"], res.data_versions["sha256_read"], strict=True
        ):
            file = ctx.root / str(path)
            now = hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else None
            if now != digest:
                problem = f"{path} in {ctx.root} is not the file it read"
                break
    if problem is not None:
        raise SpecificationError(
            f"gold_study is not the gold study the claims would run: {problem}; leave "
            "gold_study out to let the claims run their own"
        )
    settings = res.settings
    ctx.give_gold(settings["gold"], tuple(settings["main_window"]), effects_from_study(res))


def _run_one(claim: Claim, ctx: Context) -> Outcome:
    try:
        return HANDLERS[claim.type](claim, ctx)
    except MissingData as exc:
        m = exc.missing
        how = (
            "; " + MISSING_TEXTS["fetch"].format(command=m.fetch_command) if m.fetch_command else ""
        )
        reason = f"{m.reason}{how}"
        return Outcome(claim, V.NO_DATA, rests_on=claim.primary.label, reason=reason, missing=m)


def _file_hash(source: Any) -> str:
    if isinstance(source, pd.DataFrame):
        return "(frame)"
    path = Path(source)
    return f"{path} sha256={hashlib.sha256(path.read_bytes()).hexdigest()}"


def _check_event_ids(items: list[Claim], events: pd.DataFrame) -> None:
    known = set(events["event_id"].astype(str))
    unknown = sorted(
        (c.claim_id, e)
        for c in items
        if c.type == "event_effect"
        for e in c.events
        if ":" not in e and e not in known
    )
    if unknown:
        listed = ", ".join(f"{e} (claim {c})" for c, e in unknown)
        raise SpecificationError(f"claims name event ids not in the events catalog: {listed}")
