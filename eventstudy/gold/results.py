"""Results of the one-asset, many-events gold study (:func:`~.study.gold_event_study`).

Every value is set when the object is built; tables are tidy pandas frames. The per-event
abnormal returns, CARs, paths and the cross-sectional battery are those of the engine's
:class:`~eventstudy.engine.results.EventStudyResults` (:attr:`GoldStudyResults.study`), read
through. Units: CARs are decimal log returns; ``*_pct`` columns are percent and ``*_usd``
columns USD/oz (USD/share for GLD), display only. Offsets are trading days relative to day 0 on
the gold calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy import _scipy_stats as stats
from eventstudy.engine.results import EventStudyResults
from eventstudy.gold.inference import EventRegressionResults
from eventstudy.gold.placebo import PlaceboResults
from eventstudy.gold.spec import GoldSpecification
from eventstudy.results import Results, tidy_frame, window_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from eventstudy._languages import Lang

__all__ = ["ENGINE_CAVEAT", "GoldStudyResults"]

ENGINE_CAVEAT = (
    "cross-sectional test: assumes independent events; here one asset with clustered events "
    "(overlapping estimation and event windows), so p-values are optimistic - prefer the HAC "
    "and placebo routes"
)


@dataclass(frozen=True, eq=False, repr=False)
class GoldStudyResults(Results):
    """Abnormal gold returns around a catalog of events, with four routes to inference.

    Attributes
    ----------
    events : DataFrame
        One row per catalog event (the ``gold_events.csv`` table): ``event_id``, ``title``,
        ``title_ja``, ``category``, ``gold_direction``, ``day0``, ``status``
        (``studied``/``excluded``/``merged``), ``reason``, ``unit_id``, ``window``, ``car``
        (decimal), ``car_pct``, ``car_se``, ``price_before``, ``car_usd``, ``p_analytic``
        (per-event t, CLM), ``car_hac``, ``se_hac``, ``p_hac`` (dummy regression, HAC on
        GARCH-scaled returns by default), ``p_placebo`` (two-sided, pseudo-event placebo by
        default), ``placebo_percentile``,
        ``timing_sensitive``.
    study : EventStudyResults
        The engine's fit of the studied units (events, or episodes under ``overlap="merge"``):
        :attr:`ar`, :attr:`car`, :attr:`car_path`, :attr:`params`, :attr:`nobs` and
        :attr:`engine_tests` read from it.
    specification : GoldSpecification
        Data, model, windows and mask of the fit (:meth:`refit` reuses them).
    units : DataFrame
        The study units handed to the engine: ``event_id`` (unit id), ``day0``, ``extend``.
    exclusions : DataFrame
        ``event_id``, ``stage``, ``reason`` for every event not studied.
    overlaps : DataFrame
        :func:`eventstudy.gold.overlap.overlap_table`.
    hac : EventRegressionResults
    placebo : PlaceboResults
    groups, group_tests : DataFrame
        :func:`eventstudy.gold.groups.group_tests`.
    sensitivity : DataFrame
        :func:`eventstudy.gold.timing.timing_sensitivity`.
    data_versions : DataFrame
        Files used (path, sha256, rows, source).
    close : Series
        Gold close on the gold calendar (for plots and USD conversion).
    settings : dict
        gold, model, benchmark, regressors, estimation_window, event_window, main_window,
        car_windows, overlap, mask_window, estimation_post, maxlags, hac_variance, placebo
        settings, seed.
    notes : tuple of str
        Diagnostics, numbered in :meth:`summary`.
    """

    events: pd.DataFrame
    study: EventStudyResults
    specification: GoldSpecification
    units: pd.DataFrame
    exclusions: pd.DataFrame
    overlaps: pd.DataFrame
    hac: EventRegressionResults
    placebo: PlaceboResults
    groups: pd.DataFrame
    group_tests: pd.DataFrame
    sensitivity: pd.DataFrame
    data_versions: pd.DataFrame
    close: pd.Series
    settings: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    # ------------------------------------------------------------------ read through
    @property
    def n_events(self) -> int:
        """Number of studied units (events, or episodes under ``overlap="merge"``)."""
        return self.study.n_events

    @property
    def main_window(self) -> tuple[int, int]:
        """The CAR window of the HAC, placebo, group and sensitivity routes."""
        return tuple(self.settings["main_window"])

    @property
    def ar(self) -> pd.DataFrame:
        """Abnormal returns per unit and event-window day (the engine's ``ar``)."""
        return self.study.ar

    @property
    def car(self) -> Any:
        """CARs per unit over every CAR window; ``car(window=(a, b))`` for any other."""
        return self.study.car

    @property
    def car_path(self) -> pd.DataFrame:
        """CAR per unit cumulated from the event-window start (engine, t(df) per event)."""
        return self.study.car_path

    @property
    def params(self) -> pd.DataFrame:
        """Normal-return model parameters per unit."""
        return self.study.params

    @property
    def nobs(self) -> pd.DataFrame:
        """Estimation days used and masked per unit."""
        return self.study.nobs

    @cached_property
    def engine_tests(self) -> pd.DataFrame:
        """The engine's cross-sectional battery with a ``caveat`` column (computed when asked)."""
        tests = self.study.tests()
        tests["caveat"] = ENGINE_CAVEAT
        return tests

    def refit(self, model: str) -> EventStudyResults:
        """The same units, windows and estimation mask under another normal-return model.

        Parameters
        ----------
        model : {"constant_mean", "market", "factor"}

        Returns
        -------
        EventStudyResults
            The engine's fit (no HAC or placebo route); e.g. ``eventstudy.compare({"constant
            mean": res.study, "market": res.refit("market")}, window="(-1, +1)")``.
        """
        return self.specification.with_model(model).fit(self.units)

    def direction_effects(self, level: float = 0.95) -> pd.DataFrame:
        """Mean CAR of the events expected to push gold up, and of those expected down.

        With the HAC route's confidence interval and one-sided p-value.

        Parameters
        ----------
        level : float, default 0.95
            Coverage of ``estimate ± z · se`` (normal quantile; the HAC mean test's se).

        Returns
        -------
        DataFrame
            Indexed by direction (``up``, ``down``): ``n`` (study units, events sharing a day
            0 counted once), ``mean_car`` (decimal), ``se``, ``ci_low``, ``ci_high``,
            ``p_hac`` (one-sided in the expected direction), ``p_independent`` (the one-sided
            t-test of :attr:`groups`, events treated as independent). Rows without events are
            NaN.
        """
        z = stats.norm.ppf(0.5 + level / 2)
        hac = self.hac.tests.set_index("test")
        groups = self.groups[self.groups["by"] == "gold_direction"].set_index("group")
        rows = {}
        for direction in ("up", "down"):
            name = f"mean_car_{direction}"
            est = hac["estimate"].get(name, np.nan) if "estimate" in hac else np.nan
            se = hac["se"].get(name, np.nan) if "se" in hac else np.nan
            rows[direction] = {
                "n": int(hac["nobs"].get(name, 0) or 0),
                "mean_car": est,
                "se": se,
                "ci_low": est - z * se,
                "ci_high": est + z * se,
                "p_hac": hac["pvalue"].get(name, np.nan),
                "p_independent": groups["pvalue"].get(direction, np.nan),
            }
        return pd.DataFrame.from_dict(rows, orient="index")

    def adjusted_pvalues(self, method: str = "fdr_bh") -> pd.DataFrame:
        """Per studied unit, the p-values of the three routes adjusted for testing every unit.

        Parameters
        ----------
        method : str, default "fdr_bh"
            A :func:`statsmodels.stats.multitest.multipletests` method (Benjamini-Hochberg by
            default, computed as statsmodels does by :mod:`eventstudy.gold.multitest`).

        Returns
        -------
        DataFrame
            Indexed by ``unit_id``: ``p_analytic``, ``p_hac``, ``p_placebo`` adjusted across
            the studied units (NaN p-values left out of the adjustment and kept NaN).
        """
        from eventstudy.gold.multitest import adjusted as adjust

        studied = self.events[self.events["status"] == "studied"].set_index("unit_id")
        out = pd.DataFrame(index=studied.index)
        for col in ("p_analytic", "p_hac", "p_placebo"):
            p = studied[col].astype(float)
            ok = p.notna().to_numpy()
            adjusted = np.full(len(p), np.nan)
            if ok.any():
                adjusted[ok] = adjust(p.to_numpy()[ok], method)
            out[col] = adjusted
        return out

    def group_paths(self, by: str = "gold_direction", level: float = 0.95) -> pd.DataFrame:
        """Mean CAR path by group, with a band from the cross-event dispersion.

        Parameters
        ----------
        by : str, default "gold_direction"
            Column of :attr:`events` to group by (``gold_direction`` or ``category``); a unit
            of several events takes their one told direction (or ``mixed``) and their common
            category (or ``mixed``), as :attr:`groups` does.
        level : float, default 0.95
            Coverage of the band ``mean ± t_{n-1} · sd/√n`` (events treated as independent).

        Returns
        -------
        DataFrame
            ``group``, ``rel_day``, ``n``, ``mean_car`` (decimal), ``se`` (sd/√n across
            events), ``lower``, ``upper``.
        """
        from eventstudy.gold.groups import unit_direction, unit_label

        members = self.events[self.events["status"].isin(["studied", "merged"])]
        label = unit_direction if by == "gold_direction" else unit_label
        studied = members.groupby("unit_id")[by].agg(label)  # as the group tests label units
        path = self.car_path.join(studied.rename("group"), on="event_id")
        path = path.dropna(subset=["group", "car"])
        grouped = path.groupby(["group", "rel_day"])["car"]
        out = grouped.agg(n="size", mean_car="mean", sd="std").reset_index()
        out["se"] = out["sd"] / np.sqrt(out["n"])
        q = np.where(
            out["n"] > 1, stats.t.ppf(0.5 + level / 2, np.maximum(out["n"] - 1, 1)), np.nan
        )
        out["lower"] = out["mean_car"] - q * out["se"]
        out["upper"] = out["mean_car"] + q * out["se"]
        return out.drop(columns=["sd"])

    # ------------------------------------------------------------------ Results interface
    def to_frame(self) -> pd.DataFrame:
        """Tidy long form (:data:`eventstudy.results.TIDY_COLUMNS`).

        Per studied unit and CAR window: ``car`` (decimal), ``car_pct``, ``car_se``,
        ``tstat``, ``pvalue`` (per-event t, the engine's); for the main window also ``car_usd``
        (USD/oz), ``p_hac`` and ``p_placebo``. ``asset`` is the gold series.
        """
        car = pd.DataFrame(self.car)
        car["window"] = [
            window_label(a, b) for a, b in zip(car["window_start"], car["window_end"], strict=True)
        ]
        car["car_pct"] = 100 * car["car"]
        long = tidy_frame(car, ["car", "car_pct", "car_se", "tstat", "pvalue"],
                          event_id="event_id", asset="asset", window="window")  # fmt: skip
        main = self.events[self.events["status"] == "studied"].assign(
            asset=self.settings["gold"], window=window_label(*self.main_window)
        )
        extra = tidy_frame(main, ["car_usd", "p_hac", "p_placebo"],
                           event_id="unit_id", asset="asset", window="window")  # fmt: skip
        return pd.concat([long, extra], ignore_index=True)

    def _summary_title(self) -> str:
        return "Gold event study: one asset, many events"

    def _summary_info(self) -> list[tuple[str, str]]:
        s = self.settings
        return [
            ("Gold series:", s["gold"]),
            ("Model:", s["model"]),
            ("Benchmark:", s["benchmark"] if s["regressors"] else "-"),
            ("Returns:", "decimal log"),
            ("Estimation window:", window_label(*s["estimation_window"])),
            ("Event window:", window_label(*s["event_window"])),
            ("Main CAR window:", window_label(*s["main_window"])),
            ("Overlap policy:", s["overlap"]),
            ("Mask window:", window_label(*s["mask_window"])),
            ("HAC maxlags:", str(self.hac.maxlags)),
            ("Catalog events:", str(len(self.events))),
            ("Studied units:", str(self.n_events)),
        ]

    def _summary_tables(self) -> list[tuple]:
        ev = self.events[self.events["status"] == "studied"]
        per_event = pd.DataFrame(
            {
                "event": ev["event_id"].to_numpy(),
                "day 0": pd.to_datetime(ev["day0"]).dt.strftime("%Y-%m-%d").to_numpy(),
                "CAR %": ev["car_pct"].to_numpy(dtype=float),
                "USD/oz": ev["car_usd"].to_numpy(dtype=float),
                "p t": ev["p_analytic"].to_numpy(dtype=float),
                # the HAC route estimates its own CAR (event dummies): its p belongs to it
                "HAC CAR %": 100 * ev["car_hac"].to_numpy(dtype=float),
                "p HAC": ev["p_hac"].to_numpy(dtype=float),
                "p placebo": ev["p_placebo"].to_numpy(dtype=float),
            }
        )
        joint = pd.concat(
            [
                self.hac.tests.assign(route="HAC regression"),
                self.group_tests.assign(route="cross-event"),
            ],
            ignore_index=True,
        )
        joint_table = pd.DataFrame(
            {
                "route": joint["route"],
                "test": joint["test"],
                "stat": joint["stat"].astype(float),
                "p-value": joint["pvalue"].astype(float),
                "dist": joint["dist"].astype(str),
                "n": joint["nobs"].astype(int),
            }
        )
        gr = self.groups[self.groups["by"] == "gold_direction"]
        by_direction = pd.DataFrame(
            {
                "direction": gr["group"],
                "n": gr["n"].astype(int),
                "mean CAR %": gr["mean_car_pct"],
                "mean USD/oz": gr["mean_car_usd"],
                "t": gr["tstat"],
                "p-value": gr["pvalue"],
                "H1": gr["alternative"],
            }
        )
        return [
            (f"CAR {window_label(*self.main_window)} per event", per_event,
             {"CAR %": "%.2f", "USD/oz": "%.1f", "p t": "%.3f", "HAC CAR %": "%.2f",
              "p HAC": "%.3f", "p placebo": "%.3f"}),
            ("Joint and group tests", joint_table, {"stat": "%.3f"}),
            ("By expected gold direction", by_direction,
             {"mean CAR %": "%.2f", "mean USD/oz": "%.1f", "t": "%.2f"}),
        ]  # fmt: skip

    def _summary_notes(self) -> list[str]:
        return list(self.notes)

    def _repr_items(self) -> list[tuple[str, object]]:
        s = self.settings
        return [
            ("gold", s.get("gold")),
            ("model", s.get("model")),
            ("units", self.n_events),
            ("excluded", len(self.exclusions)),
            ("main_window", s.get("main_window")),
        ]

    # ------------------------------------------------------------------ plots
    def plot(
        self,
        ax: Axes | None = None,
        *,
        event_id: str | None = None,
        level: float = 0.95,
        lang: Lang = "en",
    ) -> Axes:
        """The gold price with every event's day 0, or one event's CAR path; returns the Axes.

        ``lang`` ("en" or "ja"): the language of the figure's fixed words.
        """
        from eventstudy.plotting import gold as gplot

        if event_id is None:
            return gplot.plot_gold_with_events(self, ax=ax, lang=lang)
        return gplot.plot_event_car(self, event_id, ax=ax, level=level, lang=lang)
