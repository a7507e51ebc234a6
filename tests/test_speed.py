"""What the speed work must not change: asking for fewer tests changes no number, and
``import eventstudy`` stays light. (Timings live in ``benchmarks/``, never in tests.)"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EventWindow

KEYS = ["test", "rel_day", "window_start", "window_end"]
HEAVY = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "requests", "arch")


def _market_data(rng: np.random.Generator, days: int, assets: str):
    """(index, benchmark, returns): business days, beta 0.8 plus noise for each asset."""
    idx = pd.bdate_range("2015-01-01", periods=days)
    mkt = pd.Series(rng.normal(0, 0.01, days), index=idx)
    noise = rng.normal(0, 0.015, (days, len(assets)))
    rets = pd.DataFrame(0.8 * mkt.to_numpy()[:, None] + noise, index=idx, columns=list(assets))
    return idx, mkt, rets


def _study(n_events: int = 60, seed: int = 4, missing: bool = False, model=None):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2015-01-01", periods=700)
    mkt = pd.Series(rng.normal(0, 0.01, len(idx)), index=idx)
    rets = pd.DataFrame(
        0.8 * mkt.to_numpy()[:, None] + rng.normal(0, 0.015, (len(idx), 6)),
        index=idx,
        columns=list("ABCDEF"),
    )
    if missing:  # asset calendars differ: the general (non-shortcut) path
        rets.iloc[rng.integers(0, len(idx), 40), 2] = np.nan
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n_events)],
            "asset": rng.choice(list("ABCDEF"), n_events),
            "day0": idx[rng.integers(300, 680, n_events)],
        }
    )
    win = EventWindow(-5, 5, missing="keep")
    return EventStudy(rets, events, model or "market", benchmark=mkt, event_window=win).fit()


@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_a_subset_of_the_battery_gives_the_full_battery_numbers(missing, convention):
    res = _study(missing=missing)
    full = res.tests(convention=convention)
    for subset in (["corrado_rank"], ["cz_rank"], ["cz_sign", "patell"], ["kp_bmp", "grank"]):
        part = res.tests(subset, convention=convention).sort_values(KEYS, ignore_index=True)
        expected = full[full["test"].isin(subset)].sort_values(KEYS, ignore_index=True)
        pd.testing.assert_frame_equal(part, expected)
    # and in the other order: the cache holds no state that depends on what came first
    fresh = _study(missing=missing)
    for name in ("cz_rank", "corrado_rank"):
        part = fresh.tests([name], convention=convention).reset_index(drop=True)
        expected = full[full["test"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected)


def test_import_eventstudy_loads_no_analysis_stack():
    code = (
        "import sys, eventstudy, eventstudy.cli; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_validate_loads_no_statistics_stack(repo_root, tmp_path):
    """``eventstudy validate`` reads a catalog: neither scipy nor the claims study (a second
    of start-up, once imported by the claims package for ``is_claims_file``)."""
    code = (
        "import sys\n"
        "from eventstudy.cli import main\n"
        f"main(['validate', {str(repo_root / 'events.csv')!r}, '--data-dir', {str(tmp_path)!r}])\n"
        "print(','.join(m for m in ('scipy', 'eventstudy.claims.study') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == ""


def test_report_run_imports_neither_scipy_stats_nor_signal(repo_root, snapshot_dir, tmp_path):
    """``eventstudy run`` (the repository's catalog and claims, the snapshot) never imports
    :mod:`scipy.stats` (0.6-1.0 s of start-up: ``eventstudy._scipy_stats`` stands in) nor
    :mod:`scipy.signal` (0.13 s, and it imports scipy.stats). Both are blocked in the run's
    process, and so in the figure workers it forks: an import anywhere fails the run."""
    out = tmp_path / "report"
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name in ('scipy.stats', 'scipy.signal'):\n"
        "            raise ImportError(f'the run imported {name}')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from eventstudy.cli import main\n"
        f"main(['run', '-q', '--catalog', {str(repo_root / 'events.csv')!r},\n"
        f"      '--data-dir', {str(snapshot_dir)!r}, '--out', {str(out)!r}, '--offline'])\n"
        "print(','.join(m for m in ('scipy.stats', 'scipy.signal') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-1] == ""
    assert (out / "index.html").is_file() and len(list(out.glob("*.csv"))) == 13
    assert len(list(out.glob("fig_*.png"))) > 5  # the workers drew


def test_cli_help_loads_no_analysis_stack():
    code = (
        "import sys\n"
        "from eventstudy.cli import build_parser\n"
        "build_parser().format_help()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("kind", ["rademacher", "mammen"])
def test_cached_bootstrap_weights_are_the_generators_draws(kind):
    """The compact weights are drawn chunk by chunk (Rademacher as integers): they must be
    exactly ``_weights(default_rng(seed), kind, (B, n))``, the documented reference."""
    from eventstudy.engine.stats import prepare
    from eventstudy.engine.stats._core import resolve_options
    from eventstudy.engine.stats.parametric import _compact_weights, _float_weights, _weights

    prep = prepare(_study().panel)
    opts = resolve_options("textbook", weights=kind, n_boot=300, seed=11)
    compact = _compact_weights(prep, opts, 57)
    expected = _weights(np.random.default_rng(11), kind, (300, 57))
    np.testing.assert_array_equal(_float_weights(compact, kind), expected)


def test_pooled_kp_correlation_of_a_subset_when_every_cell_is_used():
    """Complete estimation windows (the path without a row index): the r-bar of a subset of
    events equals the pooled formula evaluated on that subset by hand."""
    from eventstudy.engine.stats import pooled_mean_correlation, prepare

    panel = _study(n_events=40).panel
    assert np.isfinite(panel.est_ar).all()
    use = np.arange(40) % 3 != 0
    x = panel.est_ar[use]
    z = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
    keys = panel.est_dates[use].astype("datetime64[D]").astype(np.int64).ravel()
    _, key = np.unique(keys, return_inverse=True)
    s = np.bincount(key, weights=z.ravel())
    q = np.bincount(key, weights=z.ravel() ** 2)
    n_t = np.bincount(key).astype(float)
    expected = np.sum(s * s - q) / np.sum(n_t * n_t - n_t)
    got = pooled_mean_correlation(prepare(panel), "calendar", events=use)
    assert got == pytest.approx(expected, rel=1e-12)


def test_block_calendars_map_positions_as_the_general_calendars():
    """Assets whose returns are one block of rows (listings, delistings, the first NaN of
    returns from prices) take the offset shortcut; it must give the general mapping's rows."""
    from eventstudy.engine.study import _Calendars

    rng = np.random.default_rng(3)
    n_rows, n_cols = 60, 7
    values = np.full((n_rows, n_cols), np.nan)
    for j in range(n_cols - 1):  # the last asset has no data at all
        lo = int(rng.integers(0, 30))
        values[lo : int(rng.integers(lo + 1, n_rows + 1)), j] = 1.0
    fast = _Calendars.build(values, "asset")
    assert fast.offsets is not None
    finite = np.isfinite(values)
    counts = finite.sum(axis=0).astype(np.int64)
    general = _Calendars(
        n_rows, counts, np.r_[0, np.cumsum(counts)[:-1]], np.flatnonzero(finite.T.ravel()) % n_rows
    )
    col = rng.integers(0, n_cols, 500)
    first_row = rng.integers(0, n_rows + 1, 500)
    np.testing.assert_array_equal(
        fast.day0_position(col, first_row), general.day0_position(col, first_row)
    )
    positions = rng.integers(-80, 80, (500, 9))
    np.testing.assert_array_equal(fast.to_rows(col, positions), general.to_rows(col, positions))


@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_a_panel_of_row_windows_gives_the_numbers_of_its_arrays(convention):
    """On the shared calendar the study's panel leaves its estimation dates and benchmark
    returns as windows of the data (RowWindows, not copied) and the market model's
    covariances as their factors; read whole, they are the gathered rows and the
    covariances, and every test of the battery gives the same bits from either."""
    import dataclasses

    from eventstudy.engine.panel import PredictionErrorCov
    from eventstudy.engine.stats import aar_caar_tests
    from eventstudy.engine.windows import RowWindows

    res = _study()
    panel = res.panel
    assert isinstance(panel.est_dates, RowWindows) and isinstance(panel.est_market, RowWindows)
    assert isinstance(panel.event_cov, PredictionErrorCov)
    arrays = dataclasses.replace(
        panel,
        est_dates=np.asarray(panel.est_dates),
        est_market=np.asarray(panel.est_market),
        event_cov=np.asarray(panel.event_cov),
    )
    day0 = res.events.loc[res.events["status"] == "studied", "day0_date"].to_numpy()
    first, last = res.estimation_window.bounds  # business days (the study's bdate_range)
    assert arrays.est_dates.shape == panel.est_ar.shape
    np.testing.assert_array_equal(
        arrays.est_dates[:, 0], np.busday_offset(day0.astype("datetime64[D]"), first)
    )
    np.testing.assert_array_equal(
        arrays.est_dates[:, -1], np.busday_offset(day0.astype("datetime64[D]"), last)
    )
    windows = [(-1, 1), (0, 3)]
    lazy = aar_caar_tests(panel, windows, convention=convention)
    eager = aar_caar_tests(arrays, windows, convention=convention)
    for a, b in zip(lazy, eager, strict=True):
        pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("missing", [False, True])
def test_covariance_factors_give_the_bits_of_the_built_covariances(missing):
    """The market model keeps V_i as factors: built whole they are the textbook
    s^2 (I + 1/n + d d'/Sxx) computed in the order of the former in-place construction (same
    bits), NaN on the rows and columns of missing days, and every reader (diagonal, window
    blocks, kept rows, leading days) gives what the built array gives."""
    from eventstudy.engine.panel import PredictionErrorCov, cov_diagonal, window_block

    res = _study(missing=missing)
    if missing:  # shared calendar: a missing return is a blank day inside the event window
        rng = np.random.default_rng(5)
        idx, mkt, rets = _market_data(rng, 700, "ABC")
        pos = rng.integers(300, 680, 30)
        events = pd.DataFrame(
            {"event_id": [f"e{i}" for i in range(30)], "asset": list("ABC") * 10, "day0": idx[pos]}
        )
        for k in range(0, 30, 4):  # a missing event-window day for every fourth event
            rets.loc[idx[pos[k] + 2], events["asset"][k]] = np.nan
        win = EventWindow(-5, 5, calendar="shared", missing="keep")
        res = EventStudy(rets, events, benchmark=mkt, event_window=win).fit()
    cov = res.panel.event_cov
    assert isinstance(cov, PredictionErrorCov)
    d, s, inv_n, s2 = cov.dev, cov.inv_sxx, cov.inv_n, cov.sigma2
    expected = (d * s[:, None])[:, :, None] * d[:, None, :]
    expected += inv_n[:, None, None]
    expected[:, np.arange(d.shape[1]), np.arange(d.shape[1])] += 1.0
    expected *= s2[:, None, None]
    ar = res.panel.event_ar
    blank = ~np.isfinite(ar)
    assert blank.any() == missing
    expected[blank] = np.nan
    expected.transpose(0, 2, 1)[blank] = np.nan
    built = np.asarray(cov)
    np.testing.assert_array_equal(built, expected)
    np.testing.assert_array_equal(cov_diagonal(cov), np.diagonal(built, axis1=1, axis2=2))
    for cols in (np.arange(4, 7), np.array([5]), np.array([0, 3, 9])):
        lazy, eager = window_block(cov, cols), window_block(built, cols)
        np.testing.assert_array_equal(lazy, eager)
        np.testing.assert_array_equal(lazy.sum(axis=(1, 2)), eager.sum(axis=(1, 2)))
    keep = np.arange(cov.shape[0]) % 3 != 1
    np.testing.assert_array_equal(np.asarray(cov.rows(keep)), built[keep])
    np.testing.assert_array_equal(np.asarray(cov.leading(4)), built[:, :4, :4])
    sar = res.ar["sar"].to_numpy().reshape(ar.shape)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(sar, ar / np.sqrt(np.diagonal(built, axis1=1, axis2=2)))


def test_constant_mean_covariances_are_factors_with_the_former_bits():
    """Without a regressor V_i = s^2 (I + 1/n) is kept as factors too (d = 0, 1/Sxx = 0):
    built whole it is the former in-place construction (zeros + 1/n, 1 added on the
    diagonal, times s^2), NaN on blank days, and the study's numbers are those of the array."""
    import dataclasses

    from eventstudy.engine.panel import PredictionErrorCov
    from eventstudy.engine.stats import aar_caar_tests

    res = _study(model="constant_mean", missing=True)
    cov = res.panel.event_cov
    assert isinstance(cov, PredictionErrorCov)
    n, width = res.panel.event_ar.shape
    expected = np.zeros((n, width, width))
    expected += (1.0 / res.panel.n_est.astype(float))[:, None, None]
    expected[:, np.arange(width), np.arange(width)] += 1.0
    expected *= cov.sigma2[:, None, None]
    blank = ~np.isfinite(res.panel.event_ar)
    expected[blank] = np.nan
    expected.transpose(0, 2, 1)[blank] = np.nan
    np.testing.assert_array_equal(np.asarray(cov), expected)
    arrays = dataclasses.replace(res.panel, event_cov=expected)
    for a, b in zip(
        aar_caar_tests(res.panel, [(-1, 1), (0, 3)]),
        aar_caar_tests(arrays, [(-1, 1), (0, 3)]),
        strict=True,
    ):
        pd.testing.assert_frame_equal(a, b)


def test_a_user_model_written_for_arrays_still_gets_arrays():
    """A subclass of MarketModel with its own _fit (reading x_est as (N, Le, p)) and a model
    overriding fit() without ``overwrite_y`` run as before, with the market model's numbers."""
    from eventstudy.engine.models._ols import fit_ols
    from eventstudy.engine.models.market import MarketModel

    class OwnFit(MarketModel):
        def _fit(self, data):
            assert isinstance(data.x_est, np.ndarray) and data.x_est.ndim == 3
            x_ev = data.x_event[:, :, :1]
            return fit_ols(self.name, ("alpha", "beta"), data.y_est, data.x_est[:, :, :1], x_ev,
                           data.valid)  # fmt: skip

    class OldFit(MarketModel):
        def fit(self, y_est, x_est, y_event, x_event, valid, *, regressor_names=(),
                forecast_steps=None):  # fmt: skip
            return super().fit(y_est, x_est, y_event, x_event, valid)

    reference = _study().car
    for model in (OwnFit(), OldFit()):
        pd.testing.assert_frame_equal(_study(model=model).car, reference)


@pytest.mark.parametrize("calendar", ["asset", "shared"])
def test_events_dropped_after_the_fit_leave_the_others_numbers(calendar, monkeypatch):
    """Events excluded after the fit (too few estimation days) are compacted out of the
    fitted arrays in place: every array of the others is what a study of the others alone
    gives (each event is solved on its own rows), the estimation rows mapped in small blocks."""
    import eventstudy.engine.study as study_module

    monkeypatch.setattr(study_module, "_ROWS_BLOCK", 7)
    rng = np.random.default_rng(6)
    idx, mkt, rets = _market_data(rng, 500, "ABCD")
    rets.iloc[rng.integers(0, len(idx), 30), 1] = np.nan  # asset B's calendar differs
    pos = rng.integers(40, 480, 50)  # some day 0 too early for 125 estimation days
    events = pd.DataFrame(
        {"event_id": [f"e{i}" for i in range(50)], "asset": list("ABCD") * 12 + ["A", "B"],
         "day0": idx[pos]}
    )  # fmt: skip
    win = EventWindow(-5, 5, calendar=calendar, missing="keep")
    kw = {"benchmark": mkt, "event_window": win}
    res = EventStudy(rets, events, **kw).fit()
    studied = res.events["status"] == "studied"
    assert 0 < (~studied).sum() < 25
    alone = EventStudy(rets, events[studied.to_numpy()].reset_index(drop=True), **kw).fit()
    for name in ("est_ar", "ar", "ret", "normal", "sigma2", "n_est", "params"):
        np.testing.assert_array_equal(getattr(res.arrays, name), getattr(alone.arrays, name))
    for name in ("est_dates", "cov", "est_market"):
        np.testing.assert_array_equal(
            np.asarray(getattr(res.arrays, name)), np.asarray(getattr(alone.arrays, name))
        )
    # windows reaching back before the data: NaT there, then the trading dates, ascending
    dates = np.asarray(res.arrays.est_dates)
    before = np.isnat(dates)
    assert before[:, 0].any() and not before[:, -1].any()
    assert (np.diff(before.astype(int), axis=1) <= 0).all()  # NaT only as a prefix
    known = np.where(before, np.datetime64("1900-01-01"), dates)
    assert ((np.diff(known, axis=1) > np.timedelta64(0, "D")) | before[:, :-1]).all()
    assert np.isin(dates[~before], idx.to_numpy().astype("datetime64[D]")).all()
