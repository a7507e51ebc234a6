"""Small, independent panel builders for the test battery's tests.

Deliberately *not* :mod:`eventstudy.engine.study`: the validation tests must not depend on the
pipeline they will later check. Two builders:

* :func:`estudy2_covid19_panel` -- the estudy2 COVID-19 case (7 stocks vs ^GSPC, per-firm OLS
  market model on the estimation window 2019-04-01..2020-03-13, event window
  2020-03-16..2020-03-20 = relative days 0..4), read from ``../shared/data/validation``.
* :func:`simulated_panel` -- seeded i.i.d. normal market-model data for simulation tests.

Both build the prediction-error covariance ``s^2 (I + X* (X'X)^{-1} X*')`` (CLM eq. 4.4.9).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.engine.panel import AbnormalReturnPanel

EST_START, EST_END = "2019-04-01", "2020-03-13"
EVENT_START, EVENT_END = "2020-03-16", "2020-03-20"


def _ols_market_model(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """OLS of y on [1, x] over the complete cases; returns (params, (X'X)^-1, s^2)."""
    ok = np.isfinite(y) & np.isfinite(x)
    X = np.column_stack([np.ones(ok.sum()), x[ok]])
    xtx_inv = np.linalg.inv(X.T @ X)
    params = xtx_inv @ X.T @ y[ok]
    resid = y[ok] - X @ params
    s2 = float(resid @ resid) / (ok.sum() - 2)
    return params, xtx_inv, s2


def market_model_panel(
    est_y: np.ndarray,
    est_x: np.ndarray,
    event_y: np.ndarray,
    event_x: np.ndarray,
    *,
    est_dates: np.ndarray | None = None,
    event_dates: np.ndarray | None = None,
    event_ids: np.ndarray | None = None,
) -> AbnormalReturnPanel:
    """Fit a market model per event (row), vectorized over events, and return the panel.

    ``est_*`` have shape (N, Le) and ``event_*`` (N, L2); NaN marks missing returns. The
    benchmark is kept in ``est_market`` on every day it exists, also where the asset is missing.
    Simple-regression closed forms: beta = Sxy/Sxx, alpha = ybar - beta xbar, and
    Var(AR) = s^2 [I + 1/L1 + d d'/Sxx], d = R_m,tau - xbar (CLM eq. 4.4.10).
    """
    n, le = est_y.shape
    l2 = event_y.shape[1]
    ok = np.isfinite(est_y) & np.isfinite(est_x)
    xm = np.where(ok, est_x, np.nan)
    ym = np.where(ok, est_y, np.nan)
    n_est = ok.sum(axis=1)
    xbar = np.nanmean(xm, axis=1)
    ybar = np.nanmean(ym, axis=1)
    sxx = np.nansum((xm - xbar[:, None]) ** 2, axis=1)
    sxy = np.nansum((xm - xbar[:, None]) * (ym - ybar[:, None]), axis=1)
    beta = sxy / sxx
    alpha = ybar - beta * xbar
    est_ar = ym - alpha[:, None] - beta[:, None] * xm
    s2 = np.nansum(est_ar**2, axis=1) / (n_est - 2)
    event_ar = event_y - alpha[:, None] - beta[:, None] * event_x
    d = event_x - xbar[:, None]
    cov = s2[:, None, None] * (
        np.eye(l2)[None]
        + 1.0 / n_est[:, None, None]
        + d[:, :, None] * d[:, None, :] / sxx[:, None, None]
    )
    miss = ~np.isfinite(event_ar)
    cov = np.where(miss[:, :, None] | miss[:, None, :], np.nan, cov)
    if est_dates is None:
        base = np.datetime64("2000-01-03")
        est_dates = np.tile(base + np.arange(le), (n, 1))
        event_dates = np.tile(base + le + np.arange(l2), (n, 1))
    if event_ids is None:
        event_ids = np.array([f"e{i:03d}" for i in range(n)])
    return AbnormalReturnPanel(
        event_ids=np.asarray(event_ids),
        est_rel_days=np.arange(-le, 0),
        est_ar=est_ar,
        est_dates=np.asarray(est_dates, dtype="datetime64[D]"),
        event_rel_days=np.arange(l2),
        event_ar=event_ar,
        event_dates=np.asarray(event_dates, dtype="datetime64[D]"),
        sigma=np.sqrt(s2),
        n_est=n_est.astype(int),
        k=np.full(n, 2),
        event_cov=cov,
        est_market=np.asarray(est_x, dtype=float),
        event_market=np.asarray(event_x, dtype=float),
    )


def estudy2_covid19_frames(case_dir: Path) -> tuple[pd.DataFrame, pd.Series]:
    """Stock and ^GSPC log returns of the estudy2 case, indexed by date."""
    rates = pd.read_csv(case_dir / "rates_logreturns.csv", index_col="date", parse_dates=True)
    indx = pd.read_csv(case_dir / "rates_indx_logreturns.csv", index_col="date", parse_dates=True)
    return rates, indx["^GSPC"].reindex(rates.index)


def estudy2_covid19_panel(case_dir: Path) -> AbnormalReturnPanel:
    """The estudy2 COVID-19 case as a panel (7 events, Le = 240, L2 = 5)."""
    rates, market = estudy2_covid19_frames(case_dir)
    est = rates.loc[EST_START:EST_END]
    ev = rates.loc[EVENT_START:EVENT_END]
    tickers = list(rates.columns)
    n = len(tickers)
    est_y = est.to_numpy(dtype=float).T
    event_y = ev.to_numpy(dtype=float).T
    est_x = np.tile(market.loc[est.index].to_numpy(dtype=float), (n, 1))
    event_x = np.tile(market.loc[ev.index].to_numpy(dtype=float), (n, 1))
    est_dates = np.tile(est.index.to_numpy().astype("datetime64[D]"), (n, 1))
    event_dates = np.tile(ev.index.to_numpy().astype("datetime64[D]"), (n, 1))
    return market_model_panel(
        est_y,
        est_x,
        event_y,
        event_x,
        est_dates=est_dates,
        event_dates=event_dates,
        event_ids=np.array(tickers),
    )


def estudy2_covid19_coefficients(case_dir: Path) -> pd.DataFrame:
    """alpha, beta and estimation length of each stock, fitted by this helper."""
    rates, market = estudy2_covid19_frames(case_dir)
    est = rates.loc[EST_START:EST_END]
    x = market.loc[est.index].to_numpy(dtype=float)
    rows = []
    for ticker in rates.columns:
        y = est[ticker].to_numpy(dtype=float)
        params, _, _ = _ols_market_model(y, x)
        rows.append((ticker, params[0], params[1], int(np.isfinite(y).sum())))
    return pd.DataFrame(rows, columns=["ticker", "alpha", "beta", "estimation_length"])


def simulated_panel(
    rng: np.random.Generator,
    n_events: int = 200,
    n_est: int = 120,
    n_event: int = 5,
    *,
    sigma: float = 0.01,
    shift: float = 0.0,
    missing: float = 0.0,
) -> AbnormalReturnPanel:
    """Market-model data under the null (or with ``shift`` added to every event-day AR).

    Each event has its own market path (staggered events); ``missing`` is the probability that
    an estimation return is NaN.
    """
    le, l2 = n_est, n_event
    mx = rng.normal(0.0005, 0.01, size=(n_events, le + l2))
    alpha = rng.normal(0, 0.0005, size=(n_events, 1))
    beta = rng.uniform(0.5, 1.5, size=(n_events, 1))
    sig = sigma * rng.uniform(0.5, 2.0, size=(n_events, 1))
    y = alpha + beta * mx + sig * rng.standard_normal((n_events, le + l2))
    y[:, le:] += shift
    if missing:
        drop = rng.random((n_events, le)) < missing
        y[:, :le][drop] = np.nan
    return market_model_panel(y[:, :le], mx[:, :le], y[:, le:], mx[:, le:])
