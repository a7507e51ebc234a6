"""Results of an event study: labelled, tidy pandas frames set once at construction.

:class:`EventStudyResults` is what :meth:`eventstudy.engine.study.EventStudy.fit` returns. Every
value
is computed when it is built (no attributes added later); the costly derived views are
``functools.cached_property``; anything with an argument is a method (``car(window=...)``,
``conf_int(level=...)``).

Units: returns and abnormal returns are decimals (0.01 = 1 %), simple or log as recorded in
``return_type``; offsets (``rel_day``, ``window_start``, ``window_end``) are trading days
relative to day 0 (see :mod:`eventstudy.engine.windows`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats as sps

from eventstudy.engine.panel import AbnormalReturnPanel
from eventstudy.engine.windows import EstimationWindow, EventWindow
from eventstudy.exceptions import SpecificationError

Alternative = Literal["two-sided", "greater", "less"]
ALTERNATIVES: tuple[str, ...] = get_args(Alternative)
Variance = Literal["textbook", "pyeventstudy"]
VARIANCES: tuple[str, ...] = get_args(Variance)

__all__ = ["ALTERNATIVES", "VARIANCES", "Alternative", "EventStudyResults", "Variance", "pvalue"]


def pvalue(stat: np.ndarray, df: np.ndarray | float | None, alternative: str) -> np.ndarray:
    """p-value of ``stat`` under t(df) (``df`` finite) or N(0,1) (``df`` None or inf).

    ``alternative``: ``"two-sided"`` :math:`2P(T>|t|)`, ``"greater"`` :math:`P(T>t)`,
    ``"less"`` :math:`P(T<t)`.
    """
    stat = np.asarray(stat, dtype=float)
    if df is None:
        dist: Any = sps.norm
        args: tuple = ()
    else:
        dist = sps.t
        args = (np.asarray(df, dtype=float),)
    if alternative == "two-sided":
        return 2.0 * dist.sf(np.abs(stat), *args)
    if alternative == "greater":
        return dist.sf(stat, *args)
    if alternative == "less":
        return dist.cdf(stat, *args)
    raise SpecificationError(f"alternative={alternative!r}; use one of {ALTERNATIVES}")


def window_sums(ar: np.ndarray, cov: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CAR and Var(CAR) = γ'Vγ over the columns ``idx`` (CLM eq. 4.4.13–4.4.16)."""
    idx = np.asarray(idx)
    car = ar[:, idx].sum(axis=1)
    if idx.size and (np.diff(idx) == 1).all():
        # A closed window is a slice: copy just that block, in the memory layout numpy gives
        # ``cov[:, idx][:, :, idx]`` (event axis innermost), so the sum adds in the same
        # order and gives the same bits, several times faster.
        sl = slice(int(idx[0]), int(idx[-1]) + 1)
        block = np.ascontiguousarray(cov[:, sl, sl].transpose(2, 1, 0)).transpose(2, 1, 0)
    else:
        block = cov[:, idx][:, :, idx]
    return car, block.sum(axis=(1, 2))


class WindowFrame(pd.DataFrame):
    """A DataFrame that can also be called with a window: ``results.car(window=(-2, 2))``.

    As a frame it holds the study's CAR windows; calling it computes any other closed
    sub-window of the event window from the stored ARs and covariances. Operations on it
    return plain DataFrames.
    """

    _metadata: ClassVar[list[str]] = ["_window_func"]

    @property
    def _constructor(self):
        return pd.DataFrame

    def __call__(self, window: tuple[int, int] | None = None) -> pd.DataFrame:
        if window is None:
            return pd.DataFrame(self)
        return self._window_func(window)


def _wrap(frame: pd.DataFrame, func) -> WindowFrame:
    out = WindowFrame(frame)
    out._window_func = func
    return out


@dataclass(frozen=True, eq=False, repr=False)
class EventStudyResults:
    """Results of :meth:`EventStudy.fit` (all values set at construction).

    Attributes
    ----------
    ar : DataFrame
        One row per studied event and event-window day: ``event_id, asset, rel_day, date, ret,
        normal_ret, ar, ar_se, sar`` (``ar_se`` = square root of the diagonal of
        :math:`V_i`; ``sar = ar / ar_se``).
    car : DataFrame, also callable
        One row per event and CAR window: ``event_id, asset, window_start, window_end, car,
        car_se, scar, tstat, pvalue, df``. ``car(window=(a, b))`` computes any closed
        sub-window of the event window:

        .. math::

            CAR_i = \\gamma' AR_i,\\quad \\widehat{Var}(CAR_i) = \\gamma' V_i \\gamma,\\quad
            SCAR_i = CAR_i / \\sqrt{\\gamma' V_i \\gamma} \\sim t(n_i - k)

        (Campbell, Lo & MacKinlay 1997, eqs. 4.4.13–4.4.18); with
        ``variance="pyeventstudy"``, :math:`V_i = \\hat\\sigma_{i,0}^2 I` and df = n_i − 1.
    aar : DataFrame
        Per ``rel_day``: ``aar`` (mean AR), ``aar_se`` = :math:`\\sqrt{\\sum_i V_{i,\\tau\\tau}}/N`,
        ``tstat``, ``pvalue``, ``n``.
    caar : DataFrame, also callable
        ``caar(window=(a, b))`` for any sub-window. Per CAR window: ``caar``,
        ``caar_se`` = :math:`\\sqrt{\\sum_i \\gamma'V_i\\gamma}/N`,
        ``tstat`` (CLM's :math:`J_1`), ``pvalue``, ``n``.
    tests : DataFrame
        The cross-event battery (:mod:`eventstudy.engine.stats`), long: ``test, rel_day,
        window_start, window_end, stat, pvalue, dist, df, nobs, alternative, reason``.
    exclusions : DataFrame
        ``event_id, asset, stage, reason``: every event not studied, and why.
    params : DataFrame
        ``event_id, asset, param, value, std_error``.
    nobs : DataFrame
        ``event_id, asset, nobs, k, df, sigma``: estimation observations used, parameters,
        residual degrees of freedom ``nobs - k`` and :math:`s_i`.
    events : DataFrame
        Every input event: ``event_id, asset, market, day0, day0_date, status``.
    panel : AbnormalReturnPanel
        What the battery read (always textbook variances).
    """

    model: str
    estimation_window: EstimationWindow
    event_window: EventWindow
    car_windows: tuple[tuple[int, int], ...]
    return_type: str
    variance: str
    alternative: str
    convention: str
    ar: pd.DataFrame
    car: pd.DataFrame
    aar: pd.DataFrame
    caar: pd.DataFrame
    tests: pd.DataFrame
    exclusions: pd.DataFrame
    params: pd.DataFrame
    nobs: pd.DataFrame
    events: pd.DataFrame
    panel: AbnormalReturnPanel
    data_versions: Any = None
    notes: tuple[str, ...] = ()
    _ar_cov: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    _df: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    _agg_df: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "car", _wrap(self.car, self._car_frame))
        object.__setattr__(self, "caar", _wrap(self.caar, self.caar_window))

    # ------------------------------------------------------------------ basic views
    @property
    def n_events(self) -> int:
        """Number of events studied (excluded ones not counted)."""
        return self.panel.n_events

    @property
    def _keys(self) -> pd.DataFrame:
        return self.nobs[["event_id", "asset"]]

    def _window_idx(self, window: tuple[int, int]) -> np.ndarray:
        try:
            return self.panel.window_index(tuple(int(v) for v in window))  # type: ignore[arg-type]
        except (ValueError, TypeError) as exc:
            raise SpecificationError(
                f"window={window!r} must be a (start, end) pair inside the event window "
                f"{self.event_window.bounds}"
            ) from exc

    # ------------------------------------------------------------------ methods
    def _car_frame(self, window: tuple[int, int]) -> pd.DataFrame:
        idx = self._window_idx(window)
        car, var = window_sums(self.panel.event_ar, self._ar_cov, idx)
        se = np.sqrt(var)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = car / se
        out = self._keys.copy()
        out["window_start"] = int(window[0])
        out["window_end"] = int(window[1])
        out["car"] = car
        out["car_se"] = se
        out["scar"] = t
        out["tstat"] = t
        out["pvalue"] = pvalue(t, self._df, self.alternative)
        out["df"] = self._df.astype(np.int64)
        return out.reset_index(drop=True)

    def caar_window(self, window: tuple[int, int]) -> pd.DataFrame:
        """CAAR over any closed sub-window, with its :math:`J_1` statistic (one row)."""
        idx = self._window_idx(window)
        car, var = window_sums(self.panel.event_ar, self._ar_cov, idx)
        n = car.size
        caar = car.mean() if n else np.nan
        se = np.sqrt(var.sum()) / n if n else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            t = caar / se
        return pd.DataFrame(
            {
                "window_start": [int(window[0])],
                "window_end": [int(window[1])],
                "caar": [caar],
                "caar_se": [se],
                "tstat": [t],
                "pvalue": [float(pvalue(t, self._agg_df, self.alternative))],
                "n": [n],
            }
        )

    def conf_int(
        self, level: float = 0.95, *, window: tuple[int, int] | None = None
    ) -> pd.DataFrame:
        """Confidence intervals for each event's CAR: ``car ± q · car_se``.

        Parameters
        ----------
        level : float, default 0.95
            Coverage in (0, 1); ``q`` is the two-sided quantile of t(df) of each event.
        window : (start, end), optional
            A CAR window; default all of the study's ``car_windows``.

        Returns
        -------
        DataFrame
            ``event_id, asset, window_start, window_end, car, lower, upper``.
        """
        if not 0 < level < 1:
            raise SpecificationError(f"level={level!r} must be strictly between 0 and 1")
        frame = self.car if window is None else self._car_frame(window)
        q = sps.t.ppf(0.5 + level / 2, frame["df"].to_numpy(dtype=float))
        out = frame[["event_id", "asset", "window_start", "window_end", "car"]].copy()
        out["lower"] = frame["car"] - q * frame["car_se"]
        out["upper"] = frame["car"] + q * frame["car_se"]
        return out

    # ------------------------------------------------------------------ cumulative paths
    @cached_property
    def car_path(self) -> pd.DataFrame:
        """Per event, CAR cumulated from the event-window start to each ``rel_day``.

        Columns ``event_id, asset, rel_day, car, car_se, tstat, pvalue`` with
        :math:`\\widehat{Var} = \\gamma_\\tau' V_i \\gamma_\\tau` (γ ones up to τ).
        """
        ar = np.nan_to_num(self.panel.event_ar)
        cum = np.cumsum(ar, axis=1)
        # Var of the cumulative sum: cumulative sums of V over both axes, then the diagonal
        cv = np.cumsum(np.cumsum(self._ar_cov, axis=1), axis=2)
        var = np.diagonal(cv, axis1=1, axis2=2)
        se = np.sqrt(var)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = cum / se
        n, l2 = ar.shape
        keys = self._keys.loc[self._keys.index.repeat(l2)].reset_index(drop=True)
        keys["rel_day"] = np.tile(self.panel.event_rel_days, n)
        keys["car"] = cum.ravel()
        keys["car_se"] = se.ravel()
        keys["tstat"] = t.ravel()
        keys["pvalue"] = pvalue(t, self._df[:, None], self.alternative).ravel()
        return keys

    @cached_property
    def caar_path(self) -> pd.DataFrame:
        """CAAR cumulated from the event-window start: ``rel_day, caar, caar_se, tstat,
        pvalue, n`` (:math:`J_1` per cumulative window)."""
        ar = self.panel.event_ar
        n = ar.shape[0]
        cv = np.cumsum(np.cumsum(self._ar_cov, axis=1), axis=2)
        var = np.diagonal(cv, axis1=1, axis2=2).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            caar = np.cumsum(ar.mean(axis=0)) if n else np.full(ar.shape[1], np.nan)
            se = np.sqrt(var) / n if n else np.full(ar.shape[1], np.nan)
            t = caar / se
        return pd.DataFrame(
            {
                "rel_day": self.panel.event_rel_days,
                "caar": caar,
                "caar_se": se,
                "tstat": t,
                "pvalue": pvalue(t, self._agg_df, self.alternative),
                "n": n,
            }
        )

    # ------------------------------------------------------------------ tidy form
    def to_frame(self) -> pd.DataFrame:
        """Tidy long form: one row per event, asset, window and statistic.

        Columns ``event_id, asset, window_start, window_end, statistic, value`` with
        statistics ``car`` (decimal), ``car_pct`` (percent, display only), ``car_se``,
        ``scar``, ``pvalue``.
        """
        frame = self.car.copy()
        frame["car_pct"] = 100.0 * frame["car"]
        long = frame.melt(
            id_vars=["event_id", "asset", "window_start", "window_end"],
            value_vars=["car", "car_pct", "car_se", "scar", "pvalue"],
            var_name="statistic",
            value_name="value",
        )
        return long.sort_values(
            ["event_id", "asset", "window_start", "window_end"], kind="stable"
        ).reset_index(drop=True)

    # ------------------------------------------------------------------ summary
    def _notes(self) -> list[str]:
        notes = []
        n_ex = len(self.exclusions)
        if n_ex:
            counts = self.exclusions.groupby("reason", sort=False).size()
            detail = "; ".join(f"{c} × {r}" for r, c in counts.items())
            notes.append(f"{n_ex} event(s) excluded: {detail}.")
        else:
            notes.append("No event excluded.")
        var_text = (
            "prediction-error corrected V_i = s_i^2 (I + X*(X'X)^-1 X*'), s_i^2 = SSR/(n-k) "
            "(CLM 4.4.9); Var(CAR) = γ'V_iγ; SCAR ~ t(n-k); CAAR J1 ~ N(0,1)"
            if self.variance == "textbook"
            else "PyPI eventstudy compatibility: σ² = np.var (ddof 0), no prediction-error term,"
            " Var(CAR) = L σ², t(n-1); CAAR t(Σ(n_i-1))"
        )
        if self.model == "garch":
            var_text = "GARCH(1,1): V_i = diag(conditional variance forecasts); SCAR ~ t(n-k)"
        notes.append(f"Variance: {var_text}.")
        notes.append(
            f"Returns are decimal {self.return_type} returns; offsets are trading days relative "
            f"to day 0 (first index date on or after the event's day0)."
        )
        notes.append(
            f"Battery convention {self.convention!r}, alternative {self.alternative!r}; the "
            "battery reads textbook (n-k) variances."
        )
        notes.extend(self.notes)
        return notes

    def _summary_table(self) -> pd.DataFrame:
        table = self.caar.copy()
        table.insert(
            0,
            "window",
            [f"({a}, {b})" for a, b in zip(table.window_start, table.window_end, strict=True)],
        )
        table = table.drop(columns=["window_start", "window_end"])
        table["caar_pct"] = 100 * table["caar"]
        table["caar_se_pct"] = 100 * table["caar_se"]
        table["n"] = table["n"].astype(str)
        return table[["window", "n", "caar_pct", "caar_se_pct", "tstat", "pvalue"]].set_index(
            "window"
        )

    def _battery_table(self) -> pd.DataFrame:
        """The test battery on each CAR window: one row per window and test."""
        if self.tests.empty or "window_start" not in self.tests:
            return pd.DataFrame()
        rows = self.tests[self.tests["rel_day"].isna()] if "rel_day" in self.tests else self.tests
        if rows.empty:
            return pd.DataFrame()
        label = [
            f"{test} ({a}, {b})"
            for test, a, b in zip(
                rows["test"], rows["window_start"], rows["window_end"], strict=True
            )
        ]
        table = pd.DataFrame(
            {
                "test (window)": label,
                "stat": rows["stat"].to_numpy(),
                "dist": rows["dist"].to_numpy(),
                "pvalue": rows["pvalue"].to_numpy(),
                "N": rows["nobs"].astype(str).to_numpy(),
            }
        )
        return table.set_index("test (window)")

    def summary(self, *, float_format: str = "%.4f"):
        """A statsmodels ``Summary`` (``as_text``, ``as_html``, ``as_latex``).

        Two tables: CAAR per CAR window (in percent for display) and the test battery on each
        CAR window (statistic, distribution, p-value, N); the settings; numbered notes on
        exclusions and conventions. Daily (AAR) tests are in :attr:`tests`.
        """
        from statsmodels.iolib.summary2 import Summary

        smry = Summary()
        smry.add_title(f"Event study: {self.model} model, {self.n_events} events")
        smry.add_dict(
            {
                "Model:": self.model,
                "Events studied:": str(self.n_events),
                "Events excluded:": str(len(self.exclusions)),
                "Estimation window:": str(self.estimation_window.bounds),
                "Event window:": str(self.event_window.bounds),
                "Returns:": f"decimal {self.return_type}",
                "Variance:": self.variance,
                "Alternative:": self.alternative,
            }
        )
        smry.add_df(self._summary_table(), float_format=float_format)
        battery = self._battery_table()
        if not battery.empty:
            smry.add_df(battery, float_format=float_format)
        for i, note in enumerate(self._notes(), 1):
            smry.add_text(f"[{i}] {note}")
        return smry

    def __repr__(self) -> str:
        return (
            f"<EventStudyResults model={self.model!r} n_events={self.n_events} "
            f"excluded={len(self.exclusions)} event_window={self.event_window.bounds} "
            f"estimation_window={self.estimation_window.bounds}>"
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    # ------------------------------------------------------------------ plots
    def plot_car(self, ax=None, *, event_id: str | None = None, level: float = 0.95):
        """CAAR path (or one event's CAR path) with a confidence band; returns the Axes."""
        from eventstudy.plotting.engine import plot_car

        return plot_car(self, ax=ax, event_id=event_id, level=level)

    def plot_ar(self, ax=None, *, event_id: str | None = None):
        """AAR bars (or one event's ARs); returns the Axes."""
        from eventstudy.plotting.engine import plot_ar

        return plot_ar(self, ax=ax, event_id=event_id)
