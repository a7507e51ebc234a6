"""What every claim handler shares: the run's context, the outcome record, evidence rows.

:class:`Context` reads each series (and runs each gold study) once per run and remembers what
is missing (the :class:`~eventstudy.claims.sources.MissingFile`), raising a new
:class:`~eventstudy.claims.sources.MissingData` for it at each use, so every claim that needs a
missing file says ``no data`` the same way. :class:`Outcome` is what a handler returns;
:func:`evidence_row` makes one row of the tidy evidence table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.claims.claim import Claim, SeriesRef
from eventstudy.claims.gold_adapter import GoldEffects, gold_event_effects
from eventstudy.claims.rolls import RollDetector
from eventstudy.claims.sources import (
    MISSING_TEXTS,
    MissingData,
    MissingFile,
    SeriesData,
    read_series,
    utc_day,
)
from eventstudy.exceptions import DataNotFoundError

__all__ = [
    "Context",
    "Outcome",
    "evidence_row",
    "fmt",
    "in_dates",
    "sensitivity_row",
    "span",
    "utc_day",
]


@dataclass
class Context:
    """Settings and caches of one :func:`~eventstudy.claims.run_claims` call."""

    root: Path
    events: pd.DataFrame
    n_boot: int
    seed: int
    calibration: int
    roll_days: RollDetector
    roll_window: int
    _series: dict = field(default_factory=dict)
    _gold: dict = field(default_factory=dict)

    def series(self, ref: SeriesRef) -> SeriesData:
        """The series (read once), or :class:`MissingData`."""
        if ref not in self._series:
            try:
                self._series[ref] = read_series(ref, self.root)
            except MissingData as exc:
                self._series[ref] = exc.missing
        return _value(self._series[ref])

    def give_gold(self, symbol: str, window: tuple[int, int], effects: GoldEffects) -> None:
        """Use ``effects`` for ``symbol`` and ``window`` instead of running the gold study.

        ``effects`` come from a study the caller already ran and checked
        (:func:`eventstudy.claims.gold_adapter.study_mismatch`).

        Parameters
        ----------
        symbol : str
            The gold series (``"GC=F"``, ``"GLD"``).
        window : (int, int)
            The CAR window the study's effects are for (its main window).
        effects : GoldEffects
            What :func:`eventstudy.claims.gold_adapter.effects_from_study` read from it.
        """
        self._gold[(symbol, window)] = effects

    def gold(self, symbol: str, window: tuple[int, int]) -> GoldEffects:
        """The gold study for one gold series and CAR window (run once), or MissingData."""
        key = (symbol, window)
        if key not in self._gold:
            try:
                self._gold[key] = gold_event_effects(
                    self.events, gold=symbol, window=window, data_dir=self.root
                )
            except DataNotFoundError as exc:
                rel = _relative(exc.path, self.root)
                reason = MISSING_TEXTS["missing_gold"].format(path=rel)
                self._gold[key] = MissingFile(rel, reason, exc.fetch_command or "")
        return _value(self._gold[key])


def _value(value: Any) -> Any:
    """``value``, or a new :class:`MissingData` raised for a cached :class:`MissingFile`.

    The cache keeps what is missing, not the exception: a kept exception raised again would
    add each raise's frames to its traceback, and those frames refer back to this context (a
    reference cycle keeping the claims' data alive until a full garbage collection).
    """
    if isinstance(value, MissingFile):
        raise MissingData(value)
    return value


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


@dataclass
class Outcome:
    """What one claim produced.

    :class:`~eventstudy.claims.results.ClaimsResults` collects them (field meanings as in its
    ``verdicts`` table).
    """

    claim: Claim
    verdict: str
    rests_on: str = ""
    key_date: pd.Timestamp | None = None
    estimate: float = math.nan
    estimate_label: str = ""
    unit: str = ""
    p: float = math.nan
    reason: str = ""
    evidence: list[dict] = field(default_factory=list)
    sensitivity: list[dict] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    plot: dict = field(default_factory=dict)
    missing: MissingFile | None = None


def evidence_row(
    c: Claim,
    series: str,
    basis: str,
    window: str,
    statistic: str,
    value: float,
    unit: str = "",
    date: Any = None,
    note: str = "",
) -> dict:
    """One row of the evidence table (columns of ``EVIDENCE_COLUMNS``)."""
    return {
        "claim_id": c.claim_id,
        "series": series,
        "basis": basis,
        "window": window,
        "statistic": statistic,
        "value": math.nan if value is None else float(value),
        "unit": unit,
        "date": pd.NaT if date is None or pd.isna(date) else utc_day(date),
        "note": note,
    }


def sensitivity_row(c: Claim, window: str, main: bool, o: Outcome, **extra: Any) -> dict:
    """One row of the sensitivity table from an outcome computed on another window."""
    row = {
        "claim_id": c.claim_id,
        "window": window,
        "main": main,
        "verdict": o.verdict,
        "key_date": o.key_date,
        "estimate": o.estimate,
        "p": o.p,
        "p_bootstrap": math.nan,
        "sessions": math.nan,
    }
    row.update(extra)
    return row


def span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """``YYYY-MM-DD..YYYY-MM-DD``."""
    return f"{start.date()}..{end.date()}"


def fmt(value: float, digits: int = 1) -> str:
    """A number with thousands separators, ``nan`` when missing."""
    return f"{value:,.{digits}f}" if math.isfinite(value) else "nan"


def in_dates(values: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Observations dated ``start`` .. ``end`` (UTC dates for tz-aware sample times)."""
    idx = pd.DatetimeIndex(values.index)
    days = (idx.tz_convert("UTC").tz_localize(None) if idx.tz is not None else idx).normalize()
    return values[(days >= start) & (days <= end)]
