"""Results of the one-asset, many-events gold study
(:func:`eventstudy.gold.study.gold_event_study`).

Every value is set when the object is built; tables are tidy pandas frames. Units: CARs are
decimal log returns; ``*_pct`` columns are percent and ``*_usd`` columns USD/oz (USD/share for
GLD), display only. Offsets are trading days relative to day 0 on the gold calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy.gold.inference import EventRegressionResults, PlaceboResults

__all__ = ["GoldStudyResults"]


def _fmt_window(w: tuple[int, int]) -> str:
    return f"({w[0]:+d}, {w[1]:+d})"


@dataclass(frozen=True)
class GoldStudyResults:
    """Abnormal gold returns around a catalog of events, with four routes to inference.

    Attributes
    ----------
    events : DataFrame
        One row per catalog event (the ``gold_events.csv`` table): ``event_id``, ``title``,
        ``title_ja``, ``category``, ``gold_direction``, ``day0``, ``status``
        (``studied``/``excluded``/``merged``), ``reason``, ``unit_id``, ``window``, ``car``
        (decimal), ``car_pct``, ``car_se``, ``price_before``, ``car_usd``, ``p_analytic``
        (per-event t, CLM), ``car_hac``, ``se_hac``, ``p_hac`` (dummy regression, Newey-West),
        ``p_placebo`` (two-sided, stationary-bootstrap placebo), ``placebo_percentile``,
        ``timing_sensitive``.
    ar, car, params : DataFrame
        Per-unit abnormal returns, CARs over every CAR window, and estimation details (see
        :func:`eventstudy.gold.study.event_abnormal_returns`).
    exclusions : DataFrame
        ``event_id``, ``stage``, ``reason`` for every event not studied.
    overlaps : DataFrame
        :func:`eventstudy.gold.overlap.overlap_table`.
    hac : EventRegressionResults
    placebo : PlaceboResults
    groups, group_tests : DataFrame
        :func:`eventstudy.gold.study.group_tests`.
    sensitivity : DataFrame
        :func:`eventstudy.gold.study.timing_sensitivity`.
    engine_tests : DataFrame
        The engine's cross-sectional battery (``results.tests``) with a ``caveat`` column;
        empty when the engine produced none.
    data_versions : DataFrame
        Files used (path, sha256, rows, source).
    close : Series
        Gold close on the gold calendar (for plots and USD conversion).
    settings : dict
        gold, model, benchmark, regressors, estimation_window, event_window, main_window,
        car_windows, overlap, mask_window, maxlags, placebo settings, seed.
    notes : list of str
        Diagnostics, numbered in :meth:`summary`.
    """

    events: pd.DataFrame
    ar: pd.DataFrame
    car: pd.DataFrame
    params: pd.DataFrame
    exclusions: pd.DataFrame
    overlaps: pd.DataFrame
    hac: EventRegressionResults
    placebo: PlaceboResults
    groups: pd.DataFrame
    group_tests: pd.DataFrame
    sensitivity: pd.DataFrame
    engine_tests: pd.DataFrame
    data_versions: pd.DataFrame
    close: pd.Series
    settings: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def n_events(self) -> int:
        """Number of studied units (events, or episodes under ``overlap="merge"``)."""
        return int(self.car["event_id"].nunique())

    @property
    def main_window(self) -> tuple[int, int]:
        return tuple(self.settings["main_window"])  # type: ignore[return-value]

    def car_window(self, window: tuple[int, int]) -> pd.DataFrame:
        """CARs over one of the study's CAR windows (rows of :attr:`car`)."""
        w0, w1 = window
        sel = (self.car["window_start"] == w0) & (self.car["window_end"] == w1)
        if not sel.any():
            raise KeyError(
                f"window {window} is not one of the study's CAR windows "
                f"{self.settings.get('car_windows')}"
            )
        return self.car[sel].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Tidy long form: one row per studied unit and CAR window.

        Returns
        -------
        DataFrame
            :attr:`car` plus ``car_pct`` (percent) and the unit's ``gold_direction`` and
            ``category`` (those of its first event).
        """
        meta = self.events[self.events["status"] == "studied"].set_index("unit_id")
        out = self.car.copy()
        out.insert(out.columns.get_loc("car") + 1, "car_pct", 100 * out["car"])
        out["gold_direction"] = out["event_id"].map(meta["gold_direction"])
        out["category"] = out["event_id"].map(meta["category"])
        return out

    def car_path(self, level: float = 0.95) -> pd.DataFrame:
        """Cumulative AR from the start of the event window, with a pointwise band.

        Returns
        -------
        DataFrame
            ``event_id``, ``rel_day``, ``date``, ``car`` (decimal), ``car_se``, ``lower``,
            ``upper``. The band uses the ARs' prediction-error variances summed (the
            covariance from shared parameter estimates is ignored; it is small for L1 >> L2).
        """
        from scipy import stats

        z = stats.norm.ppf(0.5 + level / 2)
        out = self.ar.sort_values(["event_id", "rel_day"]).copy()
        g = out.groupby("event_id", sort=False)
        out["car"] = g["ar"].cumsum()
        out["car_se"] = np.sqrt(g["ar_se"].transform(lambda s: (s**2).cumsum()))
        out["lower"] = out["car"] - z * out["car_se"]
        out["upper"] = out["car"] + z * out["car_se"]
        return out[["event_id", "rel_day", "date", "car", "car_se", "lower", "upper"]]

    def caar_path(self, by: str = "gold_direction", level: float = 0.95) -> pd.DataFrame:
        """Mean cumulative AR by group, with a band from the cross-event dispersion.

        Returns
        -------
        DataFrame
            ``group``, ``rel_day``, ``n``, ``caar`` (decimal), ``se`` (sd/√n across events),
            ``lower``, ``upper``.
        """
        from scipy import stats

        path = self.car_path(level)
        studied = self.events[self.events["status"] == "studied"].set_index("unit_id")[by]
        path = path.join(studied.rename("group"), on="event_id").dropna(subset=["group"])
        rows = []
        for (grp, rel), g in path.groupby(["group", "rel_day"]):
            c = g["car"].dropna().to_numpy()
            n = len(c)
            se = c.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
            q = stats.t.ppf(0.5 + level / 2, n - 1) if n > 1 else np.nan
            rows.append(
                {
                    "group": grp,
                    "rel_day": rel,
                    "n": n,
                    "caar": c.mean(),
                    "se": se,
                    "lower": c.mean() - q * se,
                    "upper": c.mean() + q * se,
                }
            )
        return pd.DataFrame(rows)

    # ---------------------------------------------------------------------------------------
    # summary
    # ---------------------------------------------------------------------------------------

    def _numbered_notes(self) -> list[str]:
        return [f"[{i}] {n}" for i, n in enumerate(self.notes, start=1)]

    def summary(self):
        """A statsmodels ``Summary``: settings, per-event CARs, joint and group tests, notes."""
        from statsmodels.iolib.summary import Summary
        from statsmodels.iolib.table import SimpleTable

        s = self.settings
        smry = Summary()
        head = [
            ("Gold series:", s["gold"]),
            ("Model:", s["model"]),
            ("Benchmark:", s["benchmark"] if s["regressors"] else "-"),
            ("Returns:", "decimal log"),
            ("Estimation window:", _fmt_window(s["estimation_window"])),
            ("Event window:", _fmt_window(s["event_window"])),
            ("Main CAR window:", _fmt_window(s["main_window"])),
            ("Overlap policy:", s["overlap"]),
            ("Mask window:", _fmt_window(s["mask_window"])),
            ("HAC maxlags:", str(self.hac.maxlags)),
            ("Catalog events:", str(len(self.events))),
            ("Studied units:", str(self.n_events)),
        ]
        half = (len(head) + 1) // 2
        left, right = head[:half], head[half:]
        right += [("", "")] * (len(left) - len(right))
        data = [[a[0], a[1], b[0], b[1]] for a, b in zip(left, right, strict=True)]
        smry.tables.append(SimpleTable(data, title="Gold event study: one asset, many events"))
        ev = self.events[self.events["status"] == "studied"]
        cols = ["event_id", "day0", "car_pct", "car_usd", "p_analytic", "p_hac", "p_placebo"]
        tbl = ev[cols].copy()
        tbl["day0"] = pd.to_datetime(tbl["day0"]).dt.strftime("%Y-%m-%d")
        smry.tables.append(
            SimpleTable(
                [
                    [
                        r[0],
                        r[1],
                        f"{r[2]:.2f}",
                        f"{r[3]:.1f}",
                        f"{r[4]:.3f}",
                        f"{r[5]:.3f}",
                        f"{r[6]:.3f}",
                    ]
                    for r in tbl.itertuples(index=False)
                ],
                headers=["event", "day 0", "CAR %", "USD/oz", "p t", "p HAC", "p placebo"],
                title=f"CAR {_fmt_window(s['main_window'])} per event",
            )
        )
        jt = pd.concat(
            [
                self.hac.tests.assign(route="HAC regression"),
                self.group_tests.assign(route="cross-event"),
            ],
            ignore_index=True,
        )
        smry.tables.append(
            SimpleTable(
                [
                    [r.route, r.test, f"{r.stat:.3f}", f"{r.pvalue:.4f}", str(r.dist), str(r.nobs)]
                    for r in jt.itertuples()
                ],
                headers=["route", "test", "stat", "p-value", "dist", "n"],
                title="Joint and group tests",
            )
        )
        gr = self.groups[self.groups["by"] == "gold_direction"]
        smry.tables.append(
            SimpleTable(
                [
                    [
                        r.group,
                        str(r.n),
                        f"{r.mean_car_pct:.2f}",
                        f"{r.mean_car_usd:.1f}",
                        f"{r.tstat:.2f}",
                        f"{r.pvalue:.4f}",
                        r.alternative,
                    ]
                    for r in gr.itertuples()
                ],
                headers=["direction", "n", "mean CAR %", "mean USD/oz", "t", "p-value", "H1"],
                title="By expected gold direction",
            )
        )
        smry.add_extra_txt(self._numbered_notes())
        return smry

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"GoldStudyResults(gold={s.get('gold')!r}, model={s.get('model')!r}, "
            f"units={self.n_events}, excluded={len(self.exclusions)}, "
            f"main_window={s.get('main_window')})"
        )

    def __str__(self) -> str:
        return str(self.summary())

    def _repr_html_(self) -> str:
        return self.summary().as_html()
