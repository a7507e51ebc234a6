"""Results objects of the odds study (:mod:`eventstudy.odds.shift`); ``odds_shifts.csv``.

:func:`write_odds_shifts_csv` writes the ``odds_shifts.csv`` table.

Values are set when an object is built and exposed as read-only properties; ``summary()``
returns a statsmodels :class:`~statsmodels.iolib.summary.Summary` ending with numbered notes.
Units and conventions are those of :mod:`eventstudy.odds.shift` (``shift_pp`` percentage points,
``shift_logodds`` natural log-odds after clipping to ``[eps, 1 - eps]``, times UTC).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.results import Results, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from eventstudy._languages import Lang

__all__ = [
    "NOTE_TEXTS",
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

NOTE_TEXTS: dict[str, str] = {
    "method": "p_before: last sample strictly before the event time; p_after: last sample at "
    "or before min(event + h, close) and after the event. shift_pp in percentage points; "
    "dlogodds = change in natural log-odds with p clipped to [{eps}, {eps_high}]. z = shift / "
    "SD of same-elapsed-time changes in the {window} before the event; p_emp two-sided over "
    "the market's non-event changes, (1 + #{{|d| >= |shift|}}) / (1 + n_null); both on the "
    "{scale} scale. Times UTC.",
    **{
        f"status_{status}": f"{{n}} row(s) {status} ({text}): {{parts}}"
        for status, text in _STATUS_TEXT.items()
    },
    "time_unknown": "{n} event(s) have no known clock time: their event_time is a catalog "
    "convention, so p_before may already include the news.",
    "more_rows": "{n} more row(s) in .shifts.",
}
"""The sentences of :meth:`OddsStudyResults.summary`'s notes, by kind (``str.format`` fields;
the Japanese page reads the values back and writes its own sentence). ``parts`` of a
``status_*`` note counts the kinds of reason (``6 x [market closed <time> before ...]``)."""


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


def _clip_text(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _status_notes(details: pd.DataFrame) -> list[str]:
    """One note per status other than ``ok``, counting the kinds of reason."""
    notes = []
    for status in ("truncated", "stale", "no_baseline", "not_computable"):
        sub = details[details["status"] == status]
        if sub.empty:
            continue
        counts = sub["reason"].map(_reason_kind).value_counts()
        parts = " | ".join(f"{n} x [{why}]" for why, n in counts.items())
        notes.append(NOTE_TEXTS[f"status_{status}"].format(n=len(sub), parts=parts))
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


class OddsStudyResults(Results):
    """Odds shifts of events' markets; built by :func:`eventstudy.odds.study.run_odds_study`.

    Parameters
    ----------
    details : DataFrame
        :func:`eventstudy.odds.study.shift_markets` output for every event, with ``event_id``,
        ``event_time`` and ``time_known`` added.
    settings : dict
        The options used (horizons, eps, scale, windows, ...), shown in the summary.
    paths : DataFrame, optional
        ``event_id, slug, token_id, t, p``: each linked market's samples around its event
        (what :meth:`plot` draws).
    """

    def __init__(
        self,
        details: pd.DataFrame,
        settings: dict[str, Any],
        paths: pd.DataFrame | None = None,
    ) -> None:
        order = [c for c in ("event_time", "event_id", "linked", "slug", "horizon") if c in details]
        if len(details) and order:
            asc = [c != "linked" for c in order]
            details = details.sort_values(order, ascending=asc, kind="stable").reset_index(
                drop=True
            )
        self._details = details
        self._settings = dict(settings)
        self._shifts = details.reindex(columns=SHIFT_COLUMNS).reset_index(drop=True)
        empty = pd.DataFrame({"event_id": [], "slug": [], "token_id": [], "t": [], "p": []})
        self._paths = empty if paths is None else paths.reset_index(drop=True)

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
        """:attr:`shifts` plus diagnostics.

        The diagnostics: ``horizon_used``, ``target_time``, ``elapsed``, ``sigma``,
        ``n_estimation``, gaps, ``tolerance``, ``stale``, ``truncated``, ``eps``, ``scale``,
        ``market_id``, ``closed_at``, ``linked``, ``event_time``, ``time_known``.
        """
        return self._details.copy()

    @property
    def paths(self) -> pd.DataFrame:
        """Samples of each linked market around its event: ``event_id, slug, token_id, t, p``."""
        return self._paths.copy()

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
        """Tidy long form (:data:`eventstudy.results.TIDY_COLUMNS`).

        Per event, market (``asset`` = slug) and horizon (``window`` = ``"+1D"``...), the
        statistics ``p_before``, ``p_after`` (probability), ``shift_pp`` (percentage points),
        ``shift_logodds`` (nats), ``abnormal_z``, ``empirical_p``; rows without a shift are
        left out (see :attr:`exclusions`).
        """
        s = self._shifts
        s = s[s["status"] != "not_computable"].copy()
        s["window"] = ["+" + horizon_label(h) for h in s["horizon"]]
        stats = ["p_before", "p_after", "shift_pp", "shift_logodds", "abnormal_z", "empirical_p"]
        return tidy_frame(s, stats, event_id="event_id", asset="slug", window="window")

    # display --------------------------------------------------------------------------------
    def _summary_title(self) -> str:
        return "Polymarket odds shifts around events"

    def _summary_info(self) -> list[tuple[str, str]]:
        s, d = self._settings, self._details
        counts = d["status"].value_counts() if len(d) else pd.Series(dtype=int)
        return [
            ("Events:", str(self.n_events)),
            ("Markets:", str(self.n_markets)),
            ("Rows:", str(len(d))),
            ("Outcome token:", str(s.get("outcome", ""))),
            ("Horizons:", ", ".join(horizon_label(h) for h in s.get("horizons", []))),
            ("Open markets:", "yes" if s.get("include_open_markets") else "linked only"),
            ("Log-odds clip eps:", str(s.get("eps"))),
            ("z / p scale:", str(s.get("scale"))),
            ("Estimation window:", horizon_label(s.get("estimation_window"))),
            ("Guard band:", horizon_label(s.get("guard"))),
            ("Status ok:", str(int(counts.get("ok", 0)))),
            ("Other statuses:", str(int(len(d) - counts.get("ok", 0)))),
        ]

    def _summary_tables(self, max_rows: int = 60) -> list[tuple]:
        d = self._details.head(max_rows)
        table = pd.DataFrame(
            {
                "event_id": [_clip_text(str(v), 28) for v in d["event_id"]],
                "market": [_clip_text(str(v), 36) for v in d["slug"]],
                "h": [horizon_label(h) for h in d["horizon"]],
                "p_before": d["p_before"],
                "p_after": d["p_after"],
                "shift_pp": d["shift_pp"],
                "dlogodds": d["shift_logodds"],
                "z": d["abnormal_z"],
                "p_emp": d["empirical_p"],
                "status": d["status"],
            }
        )
        formats = {"p_before": "%.3f", "p_after": "%.3f", "shift_pp": "%.1f", "dlogodds": "%.2f",
                   "z": "%.2f", "p_emp": "%.3f"}  # fmt: skip
        return [("Odds shift per event, market and horizon", table, formats)]

    def _summary_notes(self) -> list[str]:
        s, d = self._settings, self._details
        notes = [
            NOTE_TEXTS["method"].format(
                eps=s.get("eps"),
                eps_high=1 - float(s.get("eps", 0)),
                window=horizon_label(s.get("estimation_window")),
                scale=s.get("scale"),
            ),
            *_status_notes(d),
        ]
        if "time_known" in d and len(d) and not d["time_known"].astype(bool).all():
            n = int(d.loc[~d["time_known"].astype(bool), "event_id"].nunique())
            notes.append(NOTE_TEXTS["time_unknown"].format(n=n))
        if len(d) > 60:
            notes.append(NOTE_TEXTS["more_rows"].format(n=len(d) - 60))
        return notes

    def _repr_items(self) -> list[tuple[str, object]]:
        counts = self._details["status"].value_counts().to_dict() if len(self._details) else {}
        return [
            ("n_events", self.n_events),
            ("n_markets", self.n_markets),
            ("rows", len(self._details)),
            ("statuses", counts),
        ]

    # plots ----------------------------------------------------------------------------------
    def event_markets(self, event_id: str) -> list[tuple[str, pd.DataFrame, pd.DataFrame, Any]]:
        """Per linked market of an event with a computed shift, what its plot needs.

        Parameters
        ----------
        event_id : str

        Returns
        -------
        list of (str, DataFrame, DataFrame, Timestamp)
            ``(question, samples, shift rows, closed_at)`` per market, the input of
            :func:`eventstudy.plotting.odds.plot_odds_paths`.
        """
        return self.markets_by_event([event_id]).get(event_id, [])

    def markets_by_event(
        self, event_ids: Iterable[str] | None = None
    ) -> dict[str, list[tuple[str, pd.DataFrame, pd.DataFrame, Any]]]:
        """:meth:`event_markets` of many events at once, found by grouping the rows once.

        Parameters
        ----------
        event_ids : iterable of str, optional
            Default: every event.

        Returns
        -------
        dict
            ``{event_id: [(question, samples, shift rows, closed_at), ...]}`` with the events
            that have a linked market with a computed shift, in the order of :attr:`details`.
        """
        d = self._details
        rows = d[d["linked"] & (d["status"] != "not_computable")] if len(d) else d
        if event_ids is not None:
            rows = rows[rows["event_id"].isin(list(event_ids))]
        paths = self._paths
        where = paths.groupby(["event_id", "slug"], sort=False).indices if len(paths) else {}
        none = np.empty(0, dtype=np.intp)
        out: dict[str, list[tuple[str, pd.DataFrame, pd.DataFrame, Any]]] = {}
        for (event_id, slug), shifts in rows.groupby(["event_id", "slug"], sort=False):
            samples = paths.take(where.get((event_id, slug), none))
            title = str(shifts["question"].iloc[0] or slug)
            out.setdefault(event_id, []).append(
                (title, samples[["t", "p"]], shifts, shifts["closed_at"].iloc[0])
            )
        return out

    def plot(
        self, event_id: str, ax: Axes | None = None, *, slug: str | None = None, lang: Lang = "en"
    ) -> Axes:
        """One linked market's probability path around an event, with the samples it uses.

        The market is the event's first with a computed shift unless ``slug`` is given; see
        :func:`eventstudy.plotting.odds.plot_odds_path`. ``lang`` ("en" or "ja"): the language
        of the figure's fixed words.
        """
        from eventstudy.plotting.odds import plot_odds_path

        markets = self.event_markets(event_id)
        if slug is not None:
            markets = [m for m in markets if m[2]["slug"].iloc[0] == slug]
        if not markets:
            raise KeyError(f"{event_id!r} has no linked market with a computed shift")
        title, samples, shifts, closed_at = markets[0]
        tau = shifts["event_time"].iloc[0]
        return plot_odds_path(
            samples, shifts, tau, ax=ax, title=title, closed_at=closed_at, lang=lang
        )


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


class GoldOddsAssociation(Results):
    """Gold CARs against events' log-odds shifts.

    Built by :func:`eventstudy.odds.association.gold_odds_association`.
    """

    def __init__(
        self,
        table: pd.DataFrame,
        tests: dict[str, AssociationTest],
        exclusions: pd.DataFrame,
        settings: dict[str, Any],
    ) -> None:
        self._table = table
        self._tests = dict(tests)
        self._exclusions = exclusions
        self._settings = dict(settings)

    @property
    def table(self) -> pd.DataFrame:
        """Per event: ``event_id, car`` (decimal), ``shift_logodds`` (nats), ``n_markets``.

        ``shift_logodds`` is the event's markets' shifts aggregated to one.
        """
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
        """Options of the run (a copy)."""
        return dict(self._settings)

    @property
    def nobs(self) -> int:
        """Events used."""
        return len(self._table)

    def test_frame(self) -> pd.DataFrame:
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
            ],
            columns=["test", "stat", "pvalue", "dist", "nobs", "method", "reason"],
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy long form (:data:`eventstudy.results.TIDY_COLUMNS`).

        Per event used, ``car`` (decimal) and ``shift_logodds`` (nats) with ``asset`` =
        ``"gold~odds"``; then one row per test statistic and p-value with ``event_id`` =
        ``"(all events)"``.
        """
        window = "+" + horizon_label(self._settings.get("horizon"))
        per_event = self._table.assign(asset="gold~odds", window=window)
        long = tidy_frame(per_event, ["car", "shift_logodds"],
                          event_id="event_id", asset="asset", window="window")  # fmt: skip
        tests = self.test_frame()
        rows = pd.DataFrame(
            {
                "event_id": "(all events)",
                "asset": "gold~odds",
                "window": window,
                "statistic": [f"{t}_{s}" for t in tests["test"] for s in ("stat", "pvalue")],
                "value": tests[["stat", "pvalue"]].to_numpy(dtype=float).ravel(),
            }
        )
        return pd.concat([long, rows], ignore_index=True)

    def _summary_title(self) -> str:
        return "Gold CAR vs log-odds shift"

    def _summary_info(self) -> list[tuple[str, str]]:
        s = self._settings
        return [
            ("Events used:", str(self.nobs)),
            ("Events left out:", str(len(self._exclusions))),
            ("Horizon:", horizon_label(s.get("horizon"))),
            ("Markets per event:", str(s.get("aggregate"))),
            ("Shifts:", str(s.get("orientation", "raw"))),
        ]

    def _summary_tables(self) -> list[tuple]:
        tests = self.test_frame()
        table = pd.DataFrame(
            {
                "test": tests["test"],
                "stat": tests["stat"],
                "p-value": tests["pvalue"],
                "null dist": tests["dist"],
                "method": [
                    _clip_text(m or r, 44)
                    for m, r in zip(tests["method"], tests["reason"], strict=True)
                ],
            }
        )
        return [("Tests of association", table)]

    def _summary_notes(self) -> list[str]:
        notes = [
            "Two-sided tests of H0: no association between gold CAR (decimal) and the "
            "events' log-odds shift (nats). Permutation p-values are exact when N is small."
        ]
        if len(self._exclusions):
            kinds = self._exclusions["reason"].value_counts()
            notes.append(
                f"{len(self._exclusions)} event(s) left out: "
                + "; ".join(f"{n} x {r}" for r, n in kinds.items())
            )
        return notes

    def _repr_items(self) -> list[tuple[str, object]]:
        items: list[tuple[str, object]] = [("nobs", self.nobs)]
        p = self._tests.get("pearson_permutation")
        if p is not None and not p.reason:
            items += [("pearson_r", round(p.stat, 3)), ("pvalue", float(f"{p.pvalue:.3g}"))]
        return items

    def plot(self, ax: Axes | None = None, title: str | None = None, *, lang: Lang = "en") -> Axes:
        """Scatter of gold CAR against the odds shift, one point per event; returns the Axes.

        ``lang`` ("en" or "ja"): the language of the figure's fixed words.
        """
        from eventstudy.plotting.odds import plot_gold_vs_odds

        return plot_gold_vs_odds(self, ax=ax, title=title, lang=lang)


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
