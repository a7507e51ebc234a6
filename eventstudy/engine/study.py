"""``EventStudy(...).fit()``: many events x assets, all computed together with numpy.

Inputs (plain pandas; no data directory needed)
-----------------------------------------------
``returns`` -- wide frame of **decimal** returns (log by default, see
:mod:`eventstudy.engine.returns`), index = trading dates (sorted, unique), one column per asset:

============  ========  ========
date          GC=F      GLD
============  ========  ========
2024-01-02    0.0031    0.0029
2024-01-03    -0.0104   -0.0098
============  ========  ========

``events`` -- one row per (event, asset): ``event_id``, ``asset`` (a column of ``returns``),
``day0`` (a tz-naive date; mapped to the first index date on or after it, see
:mod:`eventstudy.engine.windows`; NaT excludes the event), optional ``market`` (a column of a
wide ``benchmark``).

Pipeline
--------
1. Map every event to row positions of day 0, its estimation and event windows.
2. Exclude (as data, with a reason) events that cannot be studied: asset or benchmark unknown,
   day 0 after the data, an event window outside the data or with missing returns, too few
   estimation observations, a singular design.
3. Gather (N, L1) / (N, L2) matrices by fancy indexing and fit the normal-return model for all
   events at once (:func:`eventstudy.engine.models.fit_normal_model`).
4. AR, prediction-error-corrected covariances, CAR/SCAR, AAR/CAAR; build the
   :class:`~eventstudy.engine.panel.AbnormalReturnPanel` and run the battery
   (:mod:`eventstudy.engine.stats`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from eventstudy.engine.models import MODELS, fit_normal_model, n_params, normalize_model_name
from eventstudy.engine.panel import AbnormalReturnPanel
from eventstudy.engine.results import (
    ALTERNATIVES,
    VARIANCES,
    EventStudyResults,
    pvalue,
    window_sums,
)
from eventstudy.engine.windows import (
    EstimationWindow,
    EventWindow,
    as_car_windows,
    as_estimation_window,
    as_event_window,
    check_order,
    default_min_estimation_obs,
    gather,
)
from eventstudy.exceptions import SpecificationError

DEFAULT_ESTIMATION_WINDOW = EstimationWindow(length=250, end=-11)

ReturnType = Literal["log", "simple", "difference"]
RETURN_TYPES: tuple[str, ...] = get_args(ReturnType)
Convention = Literal["textbook", "estudy2", "eventstudy2", "sipemu", "est"]
EventMissing = Literal["exclude", "keep"]
EVENT_MISSING: tuple[str, ...] = get_args(EventMissing)

EXCLUSION_COLUMNS = ["event_id", "asset", "stage", "reason"]
TEST_COLUMNS = [
    "test",
    "rel_day",
    "window_start",
    "window_end",
    "stat",
    "pvalue",
    "dist",
    "df",
    "nobs",
    "alternative",
    "reason",
]

__all__ = ["EventStudy", "run_battery"]


def _choice(name: str, value: Any, accepted: Sequence[str]) -> str:
    if isinstance(value, str):
        norm = value.strip().lower().replace("_", "-")
        for option in accepted:
            if norm == option.replace("_", "-"):
                return option
    raise SpecificationError(f"{name}={value!r} is not accepted; use one of {tuple(accepted)}")


def _date_index(index: pd.Index, name: str) -> pd.DatetimeIndex:
    try:
        idx = pd.DatetimeIndex(index)
    except (TypeError, ValueError) as exc:
        raise SpecificationError(f"{name} index must hold dates") from exc
    if idx.tz is not None:
        raise SpecificationError(f"{name} index must be tz-naive session dates; got tz={idx.tz}")
    return idx


def run_battery(
    panel: AbnormalReturnPanel,
    windows: Sequence[tuple[int, int]],
    *,
    tests: Sequence[str] | None,
    alternative: str,
    convention: str,
    options: dict | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Call :mod:`eventstudy.engine.stats` and stack AAR and CAAR results in one long frame.

    AAR rows have ``window_start = window_end = rel_day``; CAAR rows have ``rel_day`` NA.
    When the battery module is not available, returns an empty frame and a note.
    """
    try:
        from eventstudy.engine import stats
    except ImportError:
        stats = None
    if not (hasattr(stats, "aar_tests") and hasattr(stats, "caar_tests")):
        note = "Test battery not run: eventstudy.engine.stats is not available."
        return pd.DataFrame(columns=TEST_COLUMNS), (note,)
    if tests is not None and len(tests) == 0:
        return pd.DataFrame(columns=TEST_COLUMNS), ("Test battery not run: tests=() was given.",)
    if panel.n_events == 0:
        return pd.DataFrame(columns=TEST_COLUMNS), ("Test battery not run: no event studied.",)
    options = options or {}
    kw = {"tests": tests, "alternative": alternative, "convention": convention, **options}
    prepared = stats.prepare(panel)  # ranks, r_bar, ... computed once for all calls below
    aar = stats.aar_tests(prepared, **kw).copy()
    aar["window_start"] = aar["rel_day"]
    aar["window_end"] = aar["rel_day"]
    frames = [aar]
    for window in windows:
        frames.append(stats.caar_tests(prepared, window, **kw))
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    for col in ("rel_day", "window_start", "window_end"):
        out[col] = out[col].astype("Int64")
    return out.reindex(columns=TEST_COLUMNS + [c for c in out.columns if c not in TEST_COLUMNS]), ()


class EventStudy:
    """Event study of many (event, asset) pairs with a normal-return model.

    Parameters
    ----------
    returns : DataFrame
        Wide decimal returns: index trading dates (sorted, unique, tz-naive), columns assets.
    events : DataFrame
        Columns ``event_id``, ``asset``, ``day0``; optional ``market`` naming the column of a
        wide ``benchmark`` to use for that row. ``(event_id, asset)`` pairs must be unique.
        ``day0`` is a trading date (tz-naive); a tz-aware event time raises (map it first with
        :func:`eventstudy.data.day0.day0_for_events` or
        :func:`eventstudy.data.day0.align_events`). A NaT ``day0`` excludes the row.
    benchmark : Series or DataFrame, optional
        Benchmark (market) decimal returns; a Series (or a one-column frame when events have
        no ``market`` column) is used for all events; otherwise the column is picked per event
        by its ``market`` value. Reindexed to the
        returns index (dates absent = missing). Required by ``"market"``,
        ``"market_adjusted"`` and ``"garch"``.
    factors : DataFrame, optional
        Regressors for ``model="factor"`` (one column each, decimal), reindexed to the returns
        index. The benchmark, when given, is included as the first regressor.
    model : {"market", "constant_mean", "market_adjusted", "factor", "garch"}, default "market"
        * ``"market"``: OLS market model (k = 2).
        * ``"constant_mean"``: mean return of the estimation window (k = 1).
        * ``"market_adjusted"``: AR = R − R_m, nothing estimated (k = 0).
        * ``"factor"``: OLS on a constant, the benchmark (if given) and ``factors``.
        * ``"garch"``: market model with GARCH(1,1) errors (``arch``), ARs standardized by the
          conditional SD forecast.
    estimation_window : EstimationWindow or (start, end), default EstimationWindow(250, -11)
        Trading-day offsets relative to day 0; must end before the event window starts.
    event_window : (start, end), default (-10, 10)
        Closed interval of offsets.
    car_windows : sequence of (start, end), default ((-1, 1), (0, 0), (0, 5))
        CAR windows inside the event window.
    min_estimation_obs : int, optional
        Minimum non-missing estimation observations; default half the estimation window, at
        least k + 3.
    estimation_mask : Series or DataFrame of bool, optional
        True = do not use this date for estimation (e.g. other events' windows); a Series
        applies to all assets, a frame is matched by asset column. Reindexed to the returns
        index (absent dates = usable).
    return_type : {"log", "simple", "difference"}, default "log"
        What ``returns`` hold; recorded in the results (never used to rescale).
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
    tests : sequence of str, optional
        Battery tests to run (None = the battery's default set; an empty sequence skips the
        battery, leaving ``results.tests`` empty with a note).
    convention : str, default "textbook"
        Passed to the battery (peer conventions such as ``"estudy2"``).
    variance : {"textbook", "pyeventstudy"}, default "textbook"
        Per-event and AAR/CAAR variances. ``"textbook"``: CLM's prediction-error corrected
        :math:`V_i`. ``"pyeventstudy"``: PyPI eventstudy 0.1a12's convention (σ² with ddof 0,
        no prediction-error term, Var(CAR) = Lσ², t(n−1); AAR/CAAR t(Σ(n_i−1))); for
        reproducing that package only. The battery always reads textbook variances.
    max_day0_shift : int, optional
        Largest number of calendar days day 0 may move forward to reach a trading date (PyPI
        eventstudy uses 4); None = no limit.
    event_missing : {"exclude", "keep"}, default "exclude"
        Events with missing asset or benchmark returns inside the event window are excluded;
        ``"keep"`` keeps them with NaN ARs (their CARs are NaN).
    data_versions : dict or DataFrame, optional
        Recorded as is in the results (e.g. snapshot id, file hashes).
    test_options : dict, optional
        Extra keyword options passed to the battery.

    Raises
    ------
    SpecificationError
        An option has an unaccepted value, a required input is missing or malformed.

    Notes
    -----
    With :math:`X_i` the estimation design and :math:`X^*_i` the event-window design,
    :math:`AR_i = R^*_i - X^*_i\\hat\\theta_i` and

    .. math::

        V_i = s_i^2\\left[I + X^*_i (X_i'X_i)^{-1} X^{*\\prime}_i\\right], \\qquad
        s_i^2 = \\frac{1}{n_i - k}\\sum_{t\\in\\text{est}} \\hat\\varepsilon_{it}^2

    (Campbell, Lo & MacKinlay 1997, eqs. 4.4.4 and 4.4.9; MacKinlay 1997). For a window with
    indicator :math:`\\gamma`, :math:`CAR_i = \\gamma'AR_i`, :math:`Var = \\gamma'V_i\\gamma`,
    :math:`SCAR_i \\sim t(n_i - k)` (eqs. 4.4.13–4.4.18), and
    :math:`J_1 = \\overline{CAR}/\\sqrt{N^{-2}\\sum_i\\gamma'V_i\\gamma}` (eq. 4.4.22).

    Examples
    --------
    >>> study = EventStudy(returns, events, benchmark=returns["SPY"])  # doctest: +SKIP
    >>> res = study.fit()  # doctest: +SKIP
    >>> res.car(window=(-1, 1))  # doctest: +SKIP
    """

    def __init__(
        self,
        returns: pd.DataFrame,
        events: pd.DataFrame,
        *,
        benchmark: pd.Series | pd.DataFrame | None = None,
        factors: pd.DataFrame | None = None,
        model: str = "market",
        estimation_window: EstimationWindow | tuple[int, int] = DEFAULT_ESTIMATION_WINDOW,
        event_window: EventWindow | tuple[int, int] = (-10, 10),
        car_windows: Sequence[tuple[int, int]] = ((-1, 1), (0, 0), (0, 5)),
        min_estimation_obs: int | None = None,
        estimation_mask: pd.Series | pd.DataFrame | None = None,
        return_type: ReturnType = "log",
        alternative: Literal["two-sided", "greater", "less"] = "two-sided",
        tests: Sequence[str] | None = None,
        convention: str = "textbook",
        variance: Literal["textbook", "pyeventstudy"] = "textbook",
        max_day0_shift: int | None = None,
        event_missing: EventMissing = "exclude",
        data_versions: dict | pd.DataFrame | None = None,
        test_options: dict | None = None,
    ) -> None:
        self.model = normalize_model_name(model)
        self.alternative = _choice("alternative", alternative, ALTERNATIVES)
        self.variance = _choice("variance", variance, VARIANCES)
        self.return_type = _choice("return_type", return_type, RETURN_TYPES)
        self.event_missing = _choice("event_missing", event_missing, EVENT_MISSING)
        if self.model == "garch" and self.variance != "textbook":
            raise SpecificationError('variance="pyeventstudy" applies to OLS models, not "garch"')
        self.convention = convention
        self.tests = None if tests is None else tuple(tests)
        self.test_options = dict(test_options or {})
        self.estimation_window = as_estimation_window(estimation_window)
        self.event_window = as_event_window(event_window)
        check_order(self.estimation_window, self.event_window)
        self.car_windows = as_car_windows(car_windows, self.event_window)
        self.data_versions = data_versions
        if max_day0_shift is not None and (
            not isinstance(max_day0_shift, int) or max_day0_shift < 0
        ):
            raise SpecificationError(
                f"max_day0_shift={max_day0_shift!r} must be a non-negative int or None"
            )
        self.max_day0_shift = max_day0_shift

        # returns
        if not isinstance(returns, pd.DataFrame):
            raise SpecificationError(
                f"returns must be a wide DataFrame (dates x assets); got {type(returns).__name__}"
            )
        index = _date_index(returns.index, "returns")
        if not index.is_monotonic_increasing or index.has_duplicates:
            raise SpecificationError("returns index must be sorted ascending with unique dates")
        self.returns = returns.set_axis(index, axis=0)

        # events
        if not isinstance(events, pd.DataFrame):
            raise SpecificationError(f"events must be a DataFrame; got {type(events).__name__}")
        missing = [c for c in ("event_id", "asset", "day0") if c not in events.columns]
        if missing:
            raise SpecificationError(
                f"events is missing column(s) {missing}; required: event_id, asset, day0 "
                "(optional: market)"
            )
        ev = events.reset_index(drop=True).copy()
        ev["event_id"] = ev["event_id"].astype(str)
        ev["asset"] = ev["asset"].astype(str)
        try:
            day0_col = pd.to_datetime(ev["day0"])
        except (TypeError, ValueError) as exc:
            raise SpecificationError("events column day0 must hold dates") from exc
        if day0_col.dt.tz is not None:
            first = day0_col.dropna()
            seen = f" (first: {first.iloc[0]})" if len(first) else ""
            raise SpecificationError(
                f"events column day0 is timezone-aware ({day0_col.dt.tz}){seen}; day0 must be a "
                "trading date (tz-naive), not an event time. Map event times to day 0 with "
                "eventstudy.data.day0.day0_for_events or eventstudy.data.day0.align_events"
            )
        ev["day0"] = day0_col.dt.normalize()
        dup = ev.duplicated(["event_id", "asset"])
        if dup.any():
            pairs = ev.loc[dup, ["event_id", "asset"]].to_records(index=False).tolist()
            raise SpecificationError(f"events has duplicate (event_id, asset) pairs: {pairs[:5]}")
        self.events = ev

        # benchmark
        needs_benchmark = self.model in ("market", "market_adjusted", "garch")
        if benchmark is None and needs_benchmark:
            raise SpecificationError(
                f'model="{self.model}" needs a benchmark (Series or DataFrame)'
            )
        self._benchmark_for_all = isinstance(benchmark, pd.Series) or (
            isinstance(benchmark, pd.DataFrame) and "market" not in ev.columns
        )
        if isinstance(benchmark, pd.Series):
            benchmark = benchmark.to_frame(name=str(benchmark.name or "benchmark"))
        if benchmark is not None:
            if not isinstance(benchmark, pd.DataFrame):
                raise SpecificationError("benchmark must be a Series or a DataFrame")
            bidx = _date_index(benchmark.index, "benchmark")
            benchmark = benchmark.set_axis(bidx, axis=0)
            benchmark = benchmark[~benchmark.index.duplicated()].reindex(index)
            if benchmark.shape[1] > 1 and "market" not in ev.columns:
                raise SpecificationError(
                    "benchmark has several columns; add a 'market' column to events naming "
                    "the benchmark column of each row, or pass a Series"
                )
        self.benchmark = benchmark

        # factors
        if self.model == "factor":
            if factors is None or not isinstance(factors, pd.DataFrame) or factors.shape[1] == 0:
                raise SpecificationError('model="factor" needs factors: a DataFrame of regressors')
        if factors is not None:
            fidx = _date_index(factors.index, "factors")
            factors = factors.set_axis(fidx, axis=0)
            factors = factors[~factors.index.duplicated()].reindex(index)
        self.factors = factors

        # estimation mask
        if estimation_mask is not None:
            if not isinstance(estimation_mask, pd.Series | pd.DataFrame):
                raise SpecificationError("estimation_mask must be a boolean Series or DataFrame")
            midx = _date_index(estimation_mask.index, "estimation_mask")
            estimation_mask = estimation_mask.set_axis(midx, axis=0)
            estimation_mask = estimation_mask[~estimation_mask.index.duplicated()]
            estimation_mask = estimation_mask.reindex(index).fillna(False).astype(bool)
        self.estimation_mask = estimation_mask

        n_reg = 0
        if self.model == "factor":
            n_reg = self.factors.shape[1] + (0 if self.benchmark is None else 1)
        self.k = n_params(self.model, n_reg)
        if min_estimation_obs is None:
            min_estimation_obs = default_min_estimation_obs(self.estimation_window, self.k)
        if not isinstance(min_estimation_obs, int | np.integer) or min_estimation_obs < max(
            self.k + 1, 1
        ):
            raise SpecificationError(
                f"min_estimation_obs={min_estimation_obs!r} must be an integer > k = {self.k}"
            )
        self.min_estimation_obs = int(min_estimation_obs)

    # ------------------------------------------------------------------ fitting
    def fit(self) -> EventStudyResults:
        """Fit the normal-return model for all events and compute the statistics.

        Returns
        -------
        EventStudyResults
        """
        ev = self.events
        n_all = len(ev)
        index = self.returns.index
        n_rows = len(index)
        est, win = self.estimation_window, self.event_window
        reasons = np.full(n_all, None, dtype=object)
        stages = np.full(n_all, None, dtype=object)

        def exclude(mask: np.ndarray, stage: str, reason) -> None:
            new = mask & (reasons == None)  # noqa: E711
            for i in np.flatnonzero(new):
                reasons[i] = reason(i) if callable(reason) else reason
                stages[i] = stage

        # asset columns
        assets = pd.Index(self.returns.columns.astype(str))
        col = assets.get_indexer(ev["asset"])
        exclude(
            col < 0, "data", lambda i: f"asset {ev['asset'].iloc[i]!r} is not a column of returns"
        )

        # benchmark columns
        bcol = np.zeros(n_all, dtype=np.int64)
        if self.benchmark is not None:
            if self._benchmark_for_all:
                bcol[:] = 0
            else:
                bnames = pd.Index(self.benchmark.columns.astype(str))
                bcol = bnames.get_indexer(ev["market"].astype(str))
                exclude(
                    bcol < 0,
                    "data",
                    lambda i: f"market {ev['market'].iloc[i]!r} is not a column of benchmark",
                )

        # day 0
        day0 = ev["day0"].to_numpy(dtype="datetime64[ns]")
        pos0 = index.searchsorted(day0, side="left")
        after = pos0 >= n_rows  # NaT sorts last, so a missing day0 is also "after"
        exclude(np.isnat(day0), "day0", "day 0 is missing (NaT)")
        exclude(after, "day0", "day 0 is after the last date of the returns data")
        pos0c = np.minimum(pos0, n_rows - 1)
        day0_date = np.where(after, np.datetime64("NaT"), index.to_numpy()[pos0c])
        if self.max_day0_shift is not None:
            shift = (day0_date - day0).astype("timedelta64[D]").astype(float)
            exclude(
                ~after & (shift > self.max_day0_shift),
                "day0",
                lambda i: (
                    f"no trading date within {self.max_day0_shift} calendar days on or "
                    f"after day0 {pd.Timestamp(day0[i]).date()}"
                ),
            )
        # event window inside the data
        first = pos0 + win.start
        last = pos0 + win.end
        exclude(
            (first < 0),
            "event_window",
            "event window starts before the first date of the returns data",
        )
        exclude(
            (last >= n_rows),
            "event_window",
            "event window runs past the last date of the returns data",
        )

        cand = np.flatnonzero(reasons == None)  # noqa: E711
        R = self.returns.to_numpy(dtype=float)
        est_rel = est.rel_days
        ev_rel = win.rel_days
        rows_est = pos0[cand, None] + est_rel[None, :]
        rows_ev = pos0[cand, None] + ev_rel[None, :]
        ccol = col[cand]
        y_est = gather(R, rows_est, ccol)
        y_ev = gather(R, rows_ev, ccol)

        regs: list[np.ndarray] = []
        reg_names: list[str] = []
        if self.benchmark is not None and self.model != "constant_mean":
            B = self.benchmark.to_numpy(dtype=float)
            regs.append((gather(B, rows_est, bcol[cand]), gather(B, rows_ev, bcol[cand])))
            reg_names.append("market")
        if self.model == "factor":
            F = self.factors.to_numpy(dtype=float)
            for j, name in enumerate(self.factors.columns.astype(str)):
                jj = np.full(cand.size, j)
                regs.append((gather(F, rows_est, jj), gather(F, rows_ev, jj)))
                reg_names.append(name)
        if self.model in ("constant_mean",):
            regs = []
            reg_names = []
        p = len(regs)
        if p == 1:  # a view, no copy
            x_est, x_ev = regs[0][0][:, :, None], regs[0][1][:, :, None]
        else:
            x_est = np.stack([r[0] for r in regs], axis=2) if p else np.zeros((*y_est.shape, 0))
            x_ev = np.stack([r[1] for r in regs], axis=2) if p else np.zeros((*y_ev.shape, 0))
        del regs

        # event-window completeness
        ev_missing = ~np.isfinite(y_ev) | ~np.isfinite(x_ev).all(axis=2)
        if self.event_missing == "exclude":
            bad = ev_missing.any(axis=1)
            full_bad = np.zeros(n_all, dtype=bool)
            full_bad[cand[bad]] = True
            counts = dict(zip(cand[bad], ev_missing[bad].sum(axis=1), strict=True))
            exclude(
                full_bad,
                "event_window",
                lambda i: f"{counts[i]} missing return(s) in the event window {win.bounds}",
            )

        # estimation rows before the first date of the data are missing observations
        all_inside = rows_est.size == 0 or (rows_est.min() >= 0 and rows_est.max() < n_rows)
        inside = None if all_inside else (rows_est >= 0) & (rows_est < n_rows)
        valid = np.ones(y_est.shape, dtype=bool) if inside is None else inside.copy()
        if self.estimation_mask is not None:
            M = self.estimation_mask
            if isinstance(M, pd.Series):
                marr = M.to_numpy(dtype=bool)[:, None]
                mcol = np.zeros(cand.size, dtype=np.int64)
            else:
                mnames = pd.Index(M.columns.astype(str))
                marr = M.to_numpy(dtype=bool)
                mcol = mnames.get_indexer(ev["asset"].to_numpy()[cand])
                if (mcol < 0).any():
                    marr = np.column_stack([marr, np.zeros(n_rows, dtype=bool)])
                    mcol = np.where(mcol < 0, marr.shape[1] - 1, mcol)
            mrows = rows_est if inside is None else np.clip(rows_est, 0, n_rows - 1)
            masked = marr[mrows, mcol[:, None]]
            if inside is not None:
                masked &= inside
            valid &= ~masked

        if cand.size:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                fit = fit_normal_model(
                    self.model,
                    y_est,
                    x_est,
                    y_ev,
                    x_ev,
                    valid,
                    regressor_names=tuple(reg_names),
                    forecast_steps=ev_rel - est.end,
                )
            n_used = fit.n_est
            few = np.zeros(n_all, dtype=bool)
            few[cand[n_used < self.min_estimation_obs]] = True
            nused = dict(zip(cand[few[cand]], n_used[few[cand]], strict=True))
            exclude(
                few,
                "estimation",
                lambda i: (
                    f"{nused[i]} usable estimation observation(s), fewer than "
                    f"min_estimation_obs={self.min_estimation_obs}"
                ),
            )
            failed = np.zeros(n_all, dtype=bool)
            fmask = fit.failed != None  # noqa: E711
            freason = dict(zip(cand[fmask], fit.failed[fmask], strict=True))
            failed[cand[fmask]] = True
            exclude(failed, "model", lambda i: freason[i])
        keep_mask = reasons[cand] == None  # noqa: E711
        keep = np.flatnonzero(keep_mask)
        # free what the results do not need before the battery runs
        del y_est, rows_est, rows_ev, valid
        return self._build(
            ev,
            cand,
            keep,
            fit if cand.size else None,
            reasons,
            stages,
            y_ev,
            x_est,
            x_ev,
            pos0[cand],
            day0_date,
            index,
        )

    # ------------------------------------------------------------------ assembly
    def _build(
        self,
        ev,
        cand,
        keep,
        fit,
        reasons,
        stages,
        y_ev,
        x_est,
        x_ev,
        pos0,
        day0_date,
        index,
    ) -> EventStudyResults:
        est, win = self.estimation_window, self.event_window
        sel = cand[keep]
        n = sel.size
        l1, l2 = est.length, win.length
        ids = ev["event_id"].to_numpy()[sel]
        # str columns of the long frames: take from the (pandas str) event columns instead of
        # converting Python strings row by row (empty columns stay object, as before)
        id_array, asset_array = ev["event_id"].array, ev["asset"].array

        def id_col(positions):
            return id_array.take(positions) if positions.size else np.empty(0, dtype=object)

        def asset_col(positions):
            return asset_array.take(positions) if positions.size else np.empty(0, dtype=object)

        dates = np.concatenate([index.to_numpy(), [np.datetime64("NaT")]]).astype("datetime64[D]")
        n_rows = len(index)

        days = dates.view(np.int64)  # gather as int64 (much faster), then view as dates

        def date_of(rel_days):
            """Dates of the kept events' offsets ``rel_days`` (NaT outside the data)."""
            if not n:
                return np.empty((0, rel_days.size), "datetime64[D]")
            rows = pos0[sel_in_cand, None] + rel_days
            if rows.min() < 0 or rows.max() >= n_rows:
                rows = np.where((rows >= 0) & (rows < n_rows), rows, n_rows)
            return days.take(rows).view("datetime64[D]")

        # the fitted arrays are private to this call: when every candidate is kept, use them
        # as they are instead of copying them
        all_kept = keep.size == cand.size

        def kept(a):
            return a if all_kept else a[keep]

        sel_in_cand = slice(None) if all_kept else keep

        if fit is not None:
            normal = kept(fit.normal_event)
            y_ev = kept(y_ev)
            ar = y_ev - normal
            cov_tb = kept(fit.event_cov)
            sigma2 = kept(fit.sigma2)
            n_est = kept(fit.n_est).astype(np.int64)
            est_ar = kept(fit.est_resid)
            k = fit.k
            params = kept(fit.params)
            perr = kept(fit.std_errors)
            pnames = fit.param_names
            var0 = kept(fit.resid_var_ddof0)
            miss = ~np.isfinite(ar)
            if miss.any():  # panel contract: rows/columns of missing event days are NaN
                cov_tb[miss] = np.nan
                cov_tb.transpose(0, 2, 1)[miss] = np.nan
        else:
            ar = normal = np.empty((0, l2))
            cov_tb = np.empty((0, l2, l2))
            sigma2 = var0 = np.empty(0)
            n_est = np.empty(0, dtype=np.int64)
            est_ar = np.empty((0, l1))
            k = self.k
            params = perr = np.empty((0, 0))
            pnames = ()
        has_market = x_est.shape[2] > 0 and (self.model != "factor" or self.benchmark is not None)
        panel = AbnormalReturnPanel(
            event_ids=ids.astype(str),
            est_rel_days=est.rel_days,
            est_ar=est_ar,
            est_dates=date_of(est.rel_days),
            event_rel_days=win.rel_days,
            event_ar=ar,
            event_dates=date_of(win.rel_days),
            sigma=np.sqrt(sigma2),
            n_est=n_est,
            k=np.full(n, k, dtype=np.int64),
            event_cov=cov_tb,
            est_market=np.ascontiguousarray(kept(x_est[:, :, 0])) if has_market else None,
            event_market=np.ascontiguousarray(kept(x_ev[:, :, 0])) if has_market else None,
        )
        if self.variance == "pyeventstudy":
            cov = var0[:, None, None] * np.eye(l2)
            df = (n_est - 1).astype(float)
            agg_df: float | None = float(df.sum()) if n else None
        else:
            cov = cov_tb
            df = (n_est - k).astype(float)
            agg_df = None

        # ar frame
        ar_se = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
        with np.errstate(invalid="ignore", divide="ignore"):
            sar = ar / ar_se
        rep_sel = np.repeat(sel, l2)
        ar_frame = pd.DataFrame(
            {
                "event_id": id_col(rep_sel),
                "asset": asset_col(rep_sel),
                "rel_day": np.tile(win.rel_days, n),
                "date": panel.event_dates.ravel().astype("datetime64[ns]"),
                "ret": y_ev.ravel(),
                "normal_ret": normal.ravel(),
                "ar": ar.ravel(),
                "ar_se": ar_se.ravel(),
                "sar": sar.ravel(),
            }
        )
        keys = pd.DataFrame({"event_id": id_col(sel), "asset": asset_col(sel)})

        # car frame: one block of rows per CAR window, built at once
        sums = [window_sums(ar, cov, panel.window_index(w)) for w in self.car_windows]
        n_w = len(self.car_windows)
        car_all = np.concatenate([c for c, _ in sums]) if n_w else np.empty(0)
        se_all = np.sqrt(np.concatenate([v for _, v in sums])) if n_w else np.empty(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            t_all = car_all / se_all
        sel_w = np.tile(sel, n_w)
        car_frame = pd.DataFrame(
            {
                "event_id": id_col(sel_w),
                "asset": asset_col(sel_w),
                "window_start": np.repeat([w[0] for w in self.car_windows], n).astype(np.int64),
                "window_end": np.repeat([w[1] for w in self.car_windows], n).astype(np.int64),
                "car": car_all,
                "car_se": se_all,
                "scar": t_all,
                "tstat": t_all,
                "pvalue": pvalue(t_all, np.tile(df, n_w), self.alternative),
                "df": np.tile(df.astype(np.int64), n_w),
            }
        )

        # aar / caar
        with np.errstate(invalid="ignore", divide="ignore"):
            aar = np.nanmean(ar, axis=0) if n else np.full(l2, np.nan)
            n_day = np.isfinite(ar).sum(axis=0)
            aar_se = np.sqrt(np.nansum(np.diagonal(cov, axis1=1, axis2=2), axis=0)) / n_day
            aar_t = aar / aar_se
        aar_frame = pd.DataFrame(
            {
                "rel_day": win.rel_days,
                "aar": aar,
                "aar_se": aar_se,
                "tstat": aar_t,
                "pvalue": pvalue(aar_t, agg_df, self.alternative),
                "n": n_day.astype(np.int64),
            }
        )
        caar_rows = []
        for w, (car, var) in zip(self.car_windows, sums, strict=True):
            ok = np.isfinite(car)
            m = int(ok.sum())
            with np.errstate(invalid="ignore", divide="ignore"):
                c = car[ok].mean() if m else np.nan
                s = np.sqrt(var[ok].sum()) / m if m else np.nan
                t = c / s
            caar_rows.append((w[0], w[1], c, s, t, float(pvalue(t, agg_df, self.alternative)), m))
        caar_frame = pd.DataFrame(
            caar_rows,
            columns=["window_start", "window_end", "caar", "caar_se", "tstat", "pvalue", "n"],
        )

        # params and nobs
        npar = len(pnames)
        params_frame = pd.DataFrame(
            {
                "event_id": id_col(np.repeat(sel, npar)),
                "asset": asset_col(np.repeat(sel, npar)),
                "param": (
                    pd.array(list(pnames), dtype=str).take(np.tile(np.arange(npar), n))
                    if npar and n
                    else np.empty(0, dtype=object)
                ),
                "value": params.ravel(),
                "std_error": perr.ravel(),
            }
        )
        nobs = keys.copy()
        nobs["nobs"] = n_est
        nobs["k"] = k
        nobs["df"] = n_est - k
        nobs["sigma"] = np.sqrt(sigma2)

        # exclusions and events table
        exm = reasons != None  # noqa: E711
        exclusions = pd.DataFrame(
            {
                "event_id": ev["event_id"].to_numpy()[exm],
                "asset": ev["asset"].to_numpy()[exm],
                "stage": stages[exm].astype(str),
                "reason": reasons[exm].astype(str),
            },
            columns=EXCLUSION_COLUMNS,
        )
        events_table = ev[["event_id", "asset"]].copy()
        events_table["market"] = ev["market"].astype(str) if "market" in ev.columns else None
        events_table["day0"] = ev["day0"]
        events_table["day0_date"] = pd.to_datetime(day0_date)
        events_table["status"] = np.where(exm, "excluded", "studied")

        tests, notes = run_battery(
            panel,
            self.car_windows,
            tests=self.tests,
            alternative=self.alternative,
            convention=self.convention,
            options=self.test_options,
        )
        return EventStudyResults(
            model=self.model,
            estimation_window=est,
            event_window=win,
            car_windows=self.car_windows,
            return_type=self.return_type,
            variance=self.variance,
            alternative=self.alternative,
            convention=self.convention,
            ar=ar_frame,
            car=car_frame,
            aar=aar_frame,
            caar=caar_frame,
            tests=tests,
            exclusions=exclusions,
            params=params_frame,
            nobs=nobs,
            events=events_table,
            panel=panel,
            data_versions=self.data_versions,
            notes=notes,
            _ar_cov=cov,
            _df=df,
            _agg_df=agg_df,
        )


__all__ += ["MODELS"]
