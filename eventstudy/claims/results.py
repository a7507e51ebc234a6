"""Results of :func:`eventstudy.claims.run_claims`: verdicts with their evidence.

Every value is set when the object is built. Tables are tidy pandas frames; the summary is a
statsmodels ``Summary`` with the verdict rules printed under the table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy.claims.sources import data_versions
from eventstudy.claims.verdicts import NO_DATA, RULES, VERDICTS, adjust_pvalues
from eventstudy.results import Results, tidy_frame

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from eventstudy._languages import Lang
    from eventstudy.claims.context import Outcome

__all__ = [
    "EVIDENCE_COLUMNS",
    "NOTE_TEXTS",
    "VERDICT_COLUMNS",
    "ClaimsResults",
    "claims_table",
    "write_claims_table",
]

NOTE_TEXTS: dict[str, str] = {
    "no_data": "{claim_id}: no data. {claim_reason}",
    "noinfo_model": "Threshold no-information model: {calibration} sessions before made_on; "
    "bootstrap {n_boot} paths, seed {seed}.",
}
"""The sentences of :attr:`ClaimsResults.notes`, by kind (``str.format`` fields;
``claim_reason`` is a claim's evidence, e.g. the file it lacks and the command to fetch it;
the Japanese page reads the values back and writes its own sentence)."""

VERDICT_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "type",
    "made_on",
    "expected",
    "series",
    "verdict",
    "key_date",
    "estimate",
    "estimate_label",
    "unit",
    "p",
    "p_adjusted",
    "alpha",
    "survives_bh",
    "reason",
    "missing_file",
    "fetch_command",
    "text",
    "source",
)
"""Columns of :attr:`ClaimsResults.verdicts`."""

EVIDENCE_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "series",
    "basis",
    "window",
    "statistic",
    "value",
    "unit",
    "date",
    "note",
)
"""Columns of :attr:`ClaimsResults.evidence`."""


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


@dataclass(frozen=True, eq=False, repr=False)
class ClaimsResults(Results):
    """Verdicts on pre-specified claims, with the evidence behind each.

    Attributes
    ----------
    verdicts : DataFrame
        One row per claim, columns :data:`VERDICT_COLUMNS`: ``series`` (what the verdict
        rests on, e.g. ``GC=F close``), ``verdict`` (``supported``, ``contradicted``,
        ``inconclusive``, ``no data``), ``key_date`` (threshold: first date reached; one
        event: its gold day 0, or for a market the UTC date of its event time),
        ``estimate`` with ``estimate_label`` and ``unit``,
        ``p`` (the claim's p-value: one-sided in the expected direction, two-sided for
        ``any``; threshold: the no-information probability of reaching the level, 1 if not
        reached; NaN for level claims and no data), ``p_adjusted`` (Benjamini-Hochberg across
        the claims with a p), ``survives_bh`` (``p_adjusted < alpha``), ``reason`` (the
        evidence in words), ``missing_file`` and ``fetch_command`` (no data).
    evidence : DataFrame
        Tidy: one row per claim, series, basis, window and statistic, columns
        :data:`EVIDENCE_COLUMNS` (``value`` float in ``unit``; ``date`` when the statistic
        has one, e.g. ``first_reached``; ``note`` in words).
    sensitivity : DataFrame
        Other horizons (threshold) or windows (event_effect): ``claim_id``, ``window``,
        ``main``, ``verdict``, ``key_date``, ``estimate``, ``p``, ``p_bootstrap``,
        ``sessions``. Not part of the multiple-testing adjustment.
    data_versions : DataFrame
        ``claim_id``, ``path``, ``sha256``, ``rows``, ``source`` of every data file read.
    plot_data : mapping
        Per claim, what :meth:`plot` draws (computed here, drawn there).
    settings : dict
        Data directory, seeds, bootstrap size, calibration, roll-day hook, input files' sha256.
    notes : tuple of str
        Diagnostics, numbered in :meth:`summary`.
    """

    verdicts: pd.DataFrame
    evidence: pd.DataFrame
    sensitivity: pd.DataFrame
    data_versions: pd.DataFrame
    plot_data: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    # ---------------------------------------------------------------------------------------
    # construction
    # ---------------------------------------------------------------------------------------

    @classmethod
    def from_outcomes(
        cls, outcomes: list[Outcome], root: Path, settings: Mapping[str, Any]
    ) -> ClaimsResults:
        """Assemble the results of :func:`eventstudy.claims.study.run_claims`."""
        rows = []
        for o in outcomes:
            c = o.claim
            rows.append(
                {
                    "claim_id": c.claim_id,
                    "type": c.type,
                    "made_on": c.made_on,
                    "expected": c.expected,
                    "series": o.rests_on,
                    "verdict": o.verdict,
                    "key_date": pd.NaT if o.key_date is None else pd.Timestamp(o.key_date),
                    "estimate": o.estimate,
                    "estimate_label": o.estimate_label,
                    "unit": o.unit,
                    "p": o.p,
                    "alpha": c.alpha,
                    "reason": o.reason,
                    "missing_file": o.missing.path if o.missing else "",
                    "fetch_command": o.missing.fetch_command if o.missing else "",
                    "text": c.text,
                    "source": c.source,
                }
            )
        table = pd.DataFrame(rows) if rows else _empty(VERDICT_COLUMNS)
        if rows:
            table["p_adjusted"] = adjust_pvalues(table["p"].astype(float))
            table["survives_bh"] = table["p_adjusted"] < table["alpha"]
            table["key_date"] = pd.to_datetime(table["key_date"], utc=False)
        table = table.loc[:, list(VERDICT_COLUMNS)]
        evidence = pd.DataFrame([r for o in outcomes for r in o.evidence])
        evidence = evidence if len(evidence) else _empty(EVIDENCE_COLUMNS)
        sens_cols = (
            "claim_id",
            "window",
            "main",
            "verdict",
            "key_date",
            "estimate",
            "p",
            "p_bootstrap",
            "sessions",
        )
        sens = pd.DataFrame([r for o in outcomes for r in o.sensitivity])
        sens = sens.loc[:, list(sens_cols)] if len(sens) else _empty(sens_cols)
        notes = [
            NOTE_TEXTS["no_data"].format(claim_id=o.claim.claim_id, claim_reason=o.reason)
            for o in outcomes
            if o.verdict == NO_DATA
        ]
        notes.append(
            NOTE_TEXTS["noinfo_model"].format(
                calibration=settings.get("calibration"),
                n_boot=settings.get("n_boot"),
                seed=settings.get("seed"),
            )
        )
        return cls(
            verdicts=table,
            evidence=evidence.loc[:, list(EVIDENCE_COLUMNS)],
            sensitivity=sens,
            data_versions=versions_for(outcomes, root),
            plot_data={o.claim.claim_id: o.plot for o in outcomes},
            settings=dict(settings),
            notes=tuple(notes),
        )

    # ---------------------------------------------------------------------------------------
    # views
    # ---------------------------------------------------------------------------------------

    @property
    def claim_ids(self) -> list[str]:
        """Claim ids in file order."""
        return list(self.verdicts["claim_id"])

    def verdict(self, claim_id: str) -> pd.Series:
        """The :attr:`verdicts` row of one claim."""
        return self.verdicts.set_index("claim_id").loc[self._known(claim_id)]

    def _known(self, claim_id: str) -> str:
        if claim_id not in self.claim_ids:
            raise KeyError(f"no claim {claim_id!r}; claims are {', '.join(self.claim_ids)}")
        return claim_id

    def to_frame(self) -> pd.DataFrame:
        """Tidy long form (:data:`eventstudy.results.TIDY_COLUMNS`).

        ``event_id`` is the claim, ``asset`` the series (or basis) a number is about,
        ``window`` the claim's window or horizon, then ``statistic`` and ``value`` (float, in
        the unit :attr:`evidence` states): every :attr:`evidence` row, then per claim
        ``estimate``, ``p`` and ``p_adjusted`` on the series its verdict rests on (window
        ``main``). Dates and notes are in :attr:`evidence`.
        """
        ev = self.evidence
        detail = pd.DataFrame(
            {
                "event_id": ev["claim_id"].astype(str),
                "asset": [s if s else b for s, b in zip(ev["series"], ev["basis"], strict=True)],
                "window": ev["window"].astype(str),
                "statistic": ev["statistic"].astype(str),
                "value": ev["value"].astype("float64"),
            }
        )
        v = self.verdicts.assign(window="main")
        main = tidy_frame(v, ["estimate", "p", "p_adjusted"],
                          event_id="claim_id", asset="series", window="window")  # fmt: skip
        return pd.concat([detail, main], ignore_index=True)

    def counts(self) -> pd.Series:
        """Number of claims per verdict (every verdict listed, zeros included)."""
        return self.verdicts["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0)

    # ---------------------------------------------------------------------------------------
    # summary
    # ---------------------------------------------------------------------------------------

    def _summary_title(self) -> str:
        return "Claims: pre-specified tests and verdicts"

    def _summary_info(self) -> list[tuple[str, str]]:
        counts = self.counts()
        return [
            ("Claims:", str(len(self.verdicts))),
            *((f"{v.capitalize()}:", str(int(n))) for v, n in counts.items()),
            ("Data directory:", str(self.settings.get("data_dir", ""))),
            ("Seed:", str(self.settings.get("seed", ""))),
        ]

    def _summary_tables(self) -> list[tuple]:
        v = self.verdicts
        table = pd.DataFrame(
            {
                "claim": v["claim_id"],
                "type": v["type"],
                "rests on": [_short(s) for s in v["series"]],
                "verdict": v["verdict"],
                "key date": pd.to_datetime(v["key_date"]).dt.strftime("%Y-%m-%d").fillna(""),
                "estimate": [_num(e) for e in v["estimate"]],
                "p": v["p"].astype(float),
                "p BH": v["p_adjusted"].astype(float),
            }
        )
        return [("Verdicts", table, {"p": "%.4g", "p BH": "%.4g"})]

    def _summary_notes(self) -> list[str]:
        used = list(dict.fromkeys(self.verdicts["type"]))
        rules = [f"{t}: {RULES[t]}" for t in used]
        if (self.verdicts["verdict"] == NO_DATA).any():
            rules.append(f"no data: {RULES[NO_DATA]}")
        return [
            "Verdict rules: " + " ".join(rules),
            "p: one-sided in the expected direction (two-sided for 'any'); p BH: "
            "Benjamini-Hochberg across the claims with a p; verdicts use p at each claim's alpha.",
            "Evidence: "
            + " ".join(f"{r.claim_id}: {r.reason}" for r in self.verdicts.itertuples(index=False)),
            *self.notes,
        ]

    def _repr_items(self) -> list[tuple[str, object]]:
        counts = {v: int(n) for v, n in self.counts().items() if n}
        return [("claims", len(self.verdicts)), ("verdicts", counts)]

    # ---------------------------------------------------------------------------------------
    # plots
    # ---------------------------------------------------------------------------------------

    def plot(self, claim_id: str, ax: Axes | None = None, *, lang: Lang = "en") -> Axes:
        """Draw the evidence of one claim; returns the Axes.

        Threshold: the series path (every cited series in the first one's unit) with the
        level, ``made_on``, the horizon ends, the first dates reached and the no-information
        probability. Level: the path with the tolerance band. Shift: the path with the two
        means. Event effect: the CARs (gold) or the odds path around the events (markets).
        Association: the scatter with the HAC slope. ``no data``: the missing file. ``lang``
        ("en" or "ja"): the language of the figure's fixed words (see
        :func:`eventstudy.plotting.claims.plot_claim`); another value raises
        :class:`~eventstudy.exceptions.SpecificationError`.
        """
        from eventstudy.plotting.claims import plot_claim

        row = self.verdict(claim_id)
        return plot_claim(self.plot_data.get(claim_id, {}), row, ax=ax, lang=lang)

    def plot_verdicts(self, ax: Axes | None = None, *, lang: Lang = "en") -> Axes:
        """One bar per claim: its p (log scale) coloured by verdict, alpha marked.

        ``lang`` ("en" or "ja"): the language of the figure's words; another value raises
        :class:`~eventstudy.exceptions.SpecificationError`.
        """
        from eventstudy.plotting.claims import plot_verdicts

        return plot_verdicts(self.verdicts, ax=ax, lang=lang)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _num(value: float, digits: int = 4) -> str:
    if value is None or not math.isfinite(float(value)):
        return ""
    v = float(value)
    return f"{v:.{digits}g}" if abs(v) < 1e5 else f"{v:,.1f}"


def claims_table(results: ClaimsResults) -> pd.DataFrame:
    """The report's ``claims.csv`` table: one row per claim with its verdict and evidence.

    Returns
    -------
    DataFrame
        Columns ``claim_id``, ``type``, ``verdict``, ``series`` (what the verdict rests on),
        ``key_date`` (YYYY-MM-DD: the first date a threshold was reached; an event's day 0),
        ``key_evidence`` (the evidence in words), ``estimate``, ``estimate_label``, ``unit``,
        ``p``, ``p_adjusted`` (Benjamini-Hochberg), ``alpha``, ``missing_file``,
        ``fetch_command``, ``data_files`` (``<path> sha256=<hex>`` of every data file read,
        ``; `` separated).
    """
    v = results.verdicts
    versions = results.data_versions
    files = {
        claim: "; ".join(f"{p} sha256={h}" for p, h in zip(g["path"], g["sha256"], strict=True))
        for claim, g in versions.groupby("claim_id", sort=False)
    }
    return pd.DataFrame(
        {
            "claim_id": v["claim_id"],
            "type": v["type"],
            "verdict": v["verdict"],
            "series": v["series"],
            "key_date": pd.to_datetime(v["key_date"]).dt.strftime("%Y-%m-%d").fillna(""),
            "key_evidence": v["reason"],
            "estimate": v["estimate"],
            "estimate_label": v["estimate_label"],
            "unit": v["unit"],
            "p": v["p"],
            "p_adjusted": v["p_adjusted"],
            "alpha": v["alpha"],
            "missing_file": v["missing_file"],
            "fetch_command": v["fetch_command"],
            "data_files": [files.get(c, "") for c in v["claim_id"]],
        }
    )


def write_claims_table(results: ClaimsResults, path: str | Path) -> Path:
    r"""Write :func:`claims_table` as CSV, e.g. the report's ``claims.csv``; return the path.

    The file is UTF-8 with ``\n`` line ends.
    """
    out = Path(path)
    claims_table(results).to_csv(out, index=False, lineterminator="\n", encoding="utf-8")
    return out


def versions_for(outcomes: list[Outcome], root: Path) -> pd.DataFrame:
    """Every file each claim read, one row per claim and file.

    Parameters
    ----------
    outcomes : list of Outcome
        The claims' outcomes.
    root : Path
        The data directory.

    Returns
    -------
    DataFrame
        ``claim_id``, ``path``, ``sha256`` (of the bytes read), ``verified`` (the manifest
        agrees), ``rows``, ``source``.
    """
    columns = ["claim_id", "path", "sha256", "verified", "rows", "source"]
    frames = [
        data_versions(o.files, root).assign(claim_id=o.claim.claim_id) for o in outcomes if o.files
    ]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True).loc[:, columns]
