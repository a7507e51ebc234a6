"""Results objects of the odds study (:mod:`eventstudy.odds.shift`) and the ``odds_shifts.csv``
writer.

Values are set when an object is built and exposed as read-only properties; ``summary()``
returns a statsmodels :class:`~statsmodels.iolib.summary.Summary` ending with numbered notes.
Units and conventions are those of :mod:`eventstudy.odds.shift` (``shift_pp`` percentage points,
``shift_logodds`` natural log-odds after clipping to ``[eps, 1 - eps]``, times UTC).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.iolib.summary import Summary
from statsmodels.iolib.table import SimpleTable

__all__ = [
    "SHIFT_COLUMNS",
    "AssociationTest",
    "GoldOddsAssociation",
    "OddsStudyResults",
    "horizon_label",
    "write_odds_shifts_csv",
]

SHIFT_COLUMNS: list[str] = [
    "event_id",
    "slug",
    "question",
    "token_id",
    "outcome",
    "horizon",
    "t_before",
    "p_before",
    "t_after",
    "p_after",
    "shift_pp",
    "shift_logodds",
    "abnormal_z",
    "empirical_p",
    "n_null",
    "status",
    "reason",
]
"""Columns of :attr:`OddsStudyResults.shifts` and of ``odds_shifts.csv``, in this order."""

_STATUS_TEXT = {
    "truncated": "market closed before event + horizon; shift runs to the close (t_after)",
    "stale": "a sample used is farther from its target time than the tolerance",
    "no_baseline": "shift computed; abnormal_z and/or empirical_p not (history or variability)",
    "not_computable": "no shift",
}


def horizon_label(td: Any) -> str:
    """Compact label of a duration: ``'1D'``, ``'6h'``, ``'30min'``, ``'90s'``."""
    td = pd.Timedelta(td)
    if td is pd.NaT:
        return ""
    s = int(td.total_seconds())
    for unit, size in (("D", 86400), ("h", 3600), ("min", 60)):
        if s % size == 0:
            return f"{s // size}{unit}"
    return f"{s}s"


def _fmt(v: Any, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float | np.floating):
        return f"{v:.{digits}f}"
    if isinstance(v, pd.Timestamp):
        return "" if v is pd.NaT else v.strftime("%Y-%m-%d %H:%M")
    return str(v)


def _clip_text(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _status_notes(details: pd.DataFrame, start: int = 1) -> list[str]:
    notes = []
    k = start
    for status in ("truncated", "stale", "no_baseline", "not_computable"):
        sub = details[details["status"] == status]
        if sub.empty:
            continue
        counts = sub["reason"].map(_reason_kind).value_counts()
        parts = " | ".join(f"{n} x [{why}]" for why, n in counts.items())
        notes.append(f"[{k}] {len(sub)} row(s) {status} ({_STATUS_TEXT[status]}): {parts}")
        k += 1
    return notes


_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?( UTC)?")
_NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?\d+(\.\d+)?(d|h|min|s|D)?(?![A-Za-z_])")
_CLOCK = re.compile(r"\d{1,2}:\d{2}:\d{2}")


def _reason_kind(reason: str) -> str:
    """The reason with dates, durations and counts replaced by placeholders (to count kinds)."""
    parts = []
    for part in reason.split("; "):
        if part.startswith("price file unreadable"):
            part = "price file unreadable"
        part = _NUMBER.sub("n", _CLOCK.sub("", _STAMP.sub("<time>", part)))
        parts.append(" ".join(part.split()))
    return "; ".join(dict.fromkeys(parts))


class OddsStudyResults:
    """Odds shifts of events' markets; built by :func:`eventstudy.odds.shift.run_odds_study`.

    Parameters
    ----------
    details : DataFrame
        :func:`eventstudy.odds.shift.shift_markets` output for every event, with ``event_id``,
        ``event_time`` and ``time_known`` added.
    settings : dict
        The options used (horizons, eps, scale, windows, ...), shown in the summary.
    """

    def __init__(self, details: pd.DataFrame, settings: dict[str, Any]):
        order = [c for c in ("event_time", "event_id", "linked", "slug", "horizon") if c in details]
        if len(details) and order:
            asc = [c != "linked" for c in order]
            details = details.sort_values(order, ascending=asc, kind="stable").reset_index(
                drop=True
            )
        self._details = details
        self._settings = dict(settings)
        shifts = details.reindex(columns=SHIFT_COLUMNS)
        self._shifts = shifts.reset_index(drop=True)

    # values ---------------------------------------------------------------------------------
    @property
    def shifts(self) -> pd.DataFrame:
        """One row per event, market and horizon, with exactly :data:`SHIFT_COLUMNS`.

        ``horizon`` is a Timedelta (wall-clock); ``t_before``/``t_after`` the sample timestamps
        used (UTC); ``p_*`` probabilities; ``shift_pp`` percentage points; ``shift_logodds``
        natural log-odds after clipping to ``[eps, 1 - eps]``; ``abnormal_z`` and
        ``empirical_p`` on the settings' ``scale``; ``status``/``reason`` as in
        :mod:`eventstudy.odds.shift`.
        """
        return self._shifts.copy()

    @property
    def details(self) -> pd.DataFrame:
        """:attr:`shifts` plus diagnostics: ``horizon_used``, ``target_time``, ``elapsed``,
        ``sigma``, ``n_estimation``, gaps, ``tolerance``, ``stale``, ``truncated``, ``eps``,
        ``scale``, ``market_id``, ``linked``, ``event_time``, ``time_known``."""
        return self._details.copy()

    @property
    def settings(self) -> dict[str, Any]:
        """Options of the run (a copy)."""
        return dict(self._settings)

    @property
    def exclusions(self) -> pd.DataFrame:
        """Rows without a shift: ``event_id, slug, horizon, stage, reason``."""
        d = self._details
        sub = d[d["status"] == "not_computable"] if len(d) else d
        return pd.DataFrame(
            {
                "event_id": sub.get("event_id", pd.Series(dtype=str)),
                "slug": sub.get("slug", pd.Series(dtype=str)),
                "horizon": sub.get("horizon", pd.Series(dtype="timedelta64[us]")),
                "stage": "odds_shift",
                "reason": sub.get("reason", pd.Series(dtype=str)),
            }
        ).reset_index(drop=True)

    @property
    def n_events(self) -> int:
        """Events with at least one studied market."""
        return int(self._details["event_id"].nunique()) if len(self._details) else 0

    @property
    def n_markets(self) -> int:
        """Distinct markets (slugs) studied."""
        return int(self._details["slug"].nunique()) if len(self._details) else 0

    def to_frame(self) -> pd.DataFrame:
        """Tidy long form (the same as :attr:`details`)."""
        return self.details

    # display --------------------------------------------------------------------------------
    def summary(self, max_rows: int = 60) -> Summary:
        """Summary table of the shifts with numbered notes on the statuses.

        Parameters
        ----------
        max_rows : int, default 60
            Rows of the shift table shown (linked markets first); the note says how many more.

        Returns
        -------
        statsmodels.iolib.summary.Summary
        """
        s = self._settings
        d = self._details
        counts = d["status"].value_counts() if len(d) else pd.Series(dtype=int)
        left = [
            ("Events:", str(self.n_events)),
            ("Markets:", str(self.n_markets)),
            ("Rows:", str(len(d))),
            ("Outcome token:", str(s.get("outcome", ""))),
            ("Horizons:", ", ".join(horizon_label(h) for h in s.get("horizons", []))),
            ("Open markets:", "yes" if s.get("include_open_markets") else "linked only"),
        ]
        right = [
            ("Log-odds clip eps:", str(s.get("eps"))),
            ("z / p scale:", str(s.get("scale"))),
            ("Estimation window:", horizon_label(s.get("estimation_window"))),
            ("Guard band:", horizon_label(s.get("guard"))),
            ("Status ok:", str(int(counts.get("ok", 0)))),
            ("Other statuses:", str(int(len(d) - counts.get("ok", 0)))),
        ]
        smry = Summary()
        gen = [[f"{a}", f"{b}", f"{c}", f"{e}"] for (a, b), (c, e) in zip(left, right, strict=True)]
        smry.tables.append(SimpleTable(gen, title="Polymarket odds shifts around events"))
        head = [
            "event_id",
            "market",
            "h",
            "p_before",
            "p_after",
            "shift_pp",
            "dlogodds",
            "z",
            "p_emp",
            "status",
        ]
        body = []
        for r in d.head(max_rows).itertuples(index=False):
            body.append(
                [
                    _clip_text(str(r.event_id), 28),
                    _clip_text(str(r.slug), 36),
                    horizon_label(r.horizon),
                    _fmt(r.p_before, 3),
                    _fmt(r.p_after, 3),
                    _fmt(r.shift_pp, 1),
                    _fmt(r.shift_logodds, 2),
                    _fmt(r.abnormal_z, 2),
                    _fmt(r.empirical_p, 3),
                    str(r.status),
                ]
            )
        if body:
            smry.tables.append(SimpleTable(body, headers=head))
        notes = [
            "[1] p_before: last sample strictly before the event time; p_after: last sample at or "
            "before min(event + h, close) and after the event. shift_pp in percentage points; "
            f"dlogodds = change in natural log-odds with p clipped to [{s.get('eps')}, "
            f"{1 - float(s.get('eps', 0))}]. z = shift / SD of same-elapsed-time changes in the "
            f"{horizon_label(s.get('estimation_window'))} before the event; p_emp two-sided over "
            "the market's non-event changes, (1 + #{|d| >= |shift|}) / (1 + n_null); both on "
            f"the {s.get('scale')} scale. Times UTC.",
        ]
        notes += _status_notes(d, start=2)
        if "time_known" in d and len(d) and not d["time_known"].astype(bool).all():
            n = int(d.loc[~d["time_known"].astype(bool), "event_id"].nunique())
            notes.append(
                f"[{len(notes) + 1}] {n} event(s) have no known clock time: their event_time is a "
                "catalog convention, so p_before may already include the news."
            )
        if len(d) > max_rows:
            notes.append(f"[{len(notes) + 1}] {len(d) - max_rows} more row(s) in .shifts.")
        smry.add_extra_txt(notes)
        return smry

    def __repr__(self) -> str:
        counts = self._details["status"].value_counts().to_dict() if len(self._details) else {}
        return (
            f"OddsStudyResults(n_events={self.n_events}, n_markets={self.n_markets}, "
            f"rows={len(self._details)}, statuses={counts})"
        )

    def _repr_html_(self) -> str:
        return self.summary().as_html()


@dataclass(frozen=True)
class AssociationTest:
    """One test of association between gold CARs and odds shifts.

    Attributes
    ----------
    name : str
    stat : float
        The correlation (Pearson r, Spearman rho or Kendall tau-b); NaN when not computable.
    pvalue : float
        Two-sided p-value; NaN when not computable.
    dist : str
        Null distribution ("permutation", "Kendall exact", "N(0,1)").
    null, alternative : str
        The hypotheses, as sentences.
    nobs : int
        Number of events (pairs).
    method : str
        How the p-value was obtained (exact enumeration, Monte Carlo with seed, ...).
    reason : str
        Why the test could not be computed ("" when it was).
    """

    name: str
    stat: float
    pvalue: float
    dist: str
    null: str
    alternative: str
    nobs: int
    method: str
    reason: str = ""

    def __str__(self) -> str:
        if self.reason:
            return f"{self.name}: not computed ({self.reason})"
        return (
            f"{self.name}: stat = {self.stat:.4f}, p-value = {self.pvalue:.4g}, N = {self.nobs} "
            f"[{self.method}]\n  H0: {self.null}\n  H1: {self.alternative}"
        )


class GoldOddsAssociation:
    """Gold CARs against events' log-odds shifts; built by
    :func:`eventstudy.odds.shift.gold_odds_association`."""

    def __init__(
        self,
        table: pd.DataFrame,
        tests: dict[str, AssociationTest],
        exclusions: pd.DataFrame,
        settings: dict[str, Any],
    ):
        self._table = table
        self._tests = dict(tests)
        self._exclusions = exclusions
        self._settings = dict(settings)

    @property
    def table(self) -> pd.DataFrame:
        """Per event: ``event_id, car`` (decimal), ``shift_logodds`` (aggregated, nats),
        ``n_markets``."""
        return self._table.copy()

    @property
    def tests(self) -> dict[str, AssociationTest]:
        """``pearson_permutation``, ``spearman_permutation``, ``kendall``."""
        return dict(self._tests)

    @property
    def exclusions(self) -> pd.DataFrame:
        """Events left out: ``event_id, stage, reason``."""
        return self._exclusions.copy()

    @property
    def settings(self) -> dict[str, Any]:
        return dict(self._settings)

    @property
    def nobs(self) -> int:
        return len(self._table)

    def to_frame(self) -> pd.DataFrame:
        """One row per test: ``test, stat, pvalue, dist, nobs, method, reason``."""
        return pd.DataFrame(
            [
                {
                    "test": k,
                    "stat": t.stat,
                    "pvalue": t.pvalue,
                    "dist": t.dist,
                    "nobs": t.nobs,
                    "method": t.method,
                    "reason": t.reason,
                }
                for k, t in self._tests.items()
            ]
        )

    def summary(self) -> Summary:
        """Tests table with numbered notes (exclusions, method)."""
        smry = Summary()
        s = self._settings
        gen = [
            ["Events used:", str(self.nobs), "Horizon:", horizon_label(s.get("horizon"))],
            [
                "Events left out:",
                str(len(self._exclusions)),
                "Markets per event:",
                str(s.get("aggregate")),
            ],
        ]
        smry.tables.append(SimpleTable(gen, title="Gold CAR vs log-odds shift"))
        rows = [
            [t.name, _fmt(t.stat), _fmt(t.pvalue), t.dist, _clip_text(t.method or t.reason, 44)]
            for t in self._tests.values()
        ]
        smry.tables.append(
            SimpleTable(rows, headers=["test", "stat", "p-value", "null dist", "method"])
        )
        notes = [
            "[1] Two-sided tests of H0: no association between gold CAR (decimal) and the "
            "events' log-odds shift (nats). Permutation p-values are exact when N is small."
        ]
        if len(self._exclusions):
            kinds = self._exclusions["reason"].value_counts()
            notes.append(
                f"[2] {len(self._exclusions)} event(s) left out: "
                + "; ".join(f"{n} x {r}" for r, n in kinds.items())
            )
        smry.add_extra_txt(notes)
        return smry

    def __repr__(self) -> str:
        p = self._tests.get("pearson_permutation")
        tail = (
            f", pearson r={p.stat:.3f} p={p.pvalue:.3g}" if p is not None and not p.reason else ""
        )
        return f"GoldOddsAssociation(nobs={self.nobs}{tail})"

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _iso(ts: pd.Series) -> pd.Series:
    t = pd.to_datetime(ts, utc=True)
    return t.dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(t.notna(), "")


def write_odds_shifts_csv(results: OddsStudyResults | pd.DataFrame, path: str | Path) -> Path:
    """Write ``odds_shifts.csv`` with exactly :data:`SHIFT_COLUMNS`.

    Parameters
    ----------
    results : OddsStudyResults or DataFrame
        Results (or a frame with at least :data:`SHIFT_COLUMNS`).
    path : path
        A directory (the file is ``<path>/odds_shifts.csv``) or a file path.

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    ``horizon`` is written as a compact label (``1D``, ``6h``, ``30min``); timestamps as
    ISO-8601 UTC (``2025-06-22T00:00:00Z``); floats with full precision; ``token_id`` as the
    decimal string. The file is written to a temporary name and renamed, so a reader never sees
    half a file.
    """
    frame = (
        results.shifts
        if isinstance(results, OddsStudyResults)
        else results.reindex(columns=SHIFT_COLUMNS)
    )
    path = Path(path)
    if path.is_dir():
        path = path / "odds_shifts.csv"
    out = frame[SHIFT_COLUMNS].copy()
    out["horizon"] = out["horizon"].map(horizon_label)
    for c in ("t_before", "t_after"):
        out[c] = _iso(out[c])
    out["token_id"] = out["token_id"].astype(str)
    tmp = path.with_name(path.name + ".tmp")
    out.to_csv(tmp, index=False, float_format="%.10g", lineterminator="\n")
    tmp.replace(path)
    return path
