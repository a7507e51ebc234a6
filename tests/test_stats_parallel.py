"""The battery and the OLS fit on a thread pool: the same numbers as one thread.

Also the exact shortcuts that keep the threaded battery's memory down (sums without NaN
copies, Kolari-Pynnonen cells not kept), each against the plain formula.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from eventstudy.engine import _parallel
from eventstudy.engine.stats import aar_tests, caar_tests, prepare
from tests.test_speed import _study


def _battery(res, **options):
    prep = prepare(res.panel)
    return (
        aar_tests(prep, **options),
        caar_tests(prep, [(-1, 1), (0, 0), (0, 3)], **options),
    )


@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_battery_on_threads_equals_one_thread(missing, convention, monkeypatch):
    """Every frame of the battery is bit-identical with 1, 2 and 3 threads."""
    from eventstudy.engine.stats import battery

    monkeypatch.setattr(battery, "PARALLEL_MIN_CELLS", 0)  # small panels on threads too
    res = _study(n_events=80, missing=missing)
    monkeypatch.setenv(_parallel.THREADS_ENV, "1")
    ref = _battery(res, convention=convention)
    for threads in ("2", "3"):
        monkeypatch.setenv(_parallel.THREADS_ENV, threads)
        for got, want in zip(_battery(res, convention=convention), ref, strict=True):
            pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_user_generator_is_consumed_in_test_order_on_one_thread(monkeypatch):
    """With rng= the tests run one after the other: the same p-values as one thread, and the
    generator ends in the same state."""
    from eventstudy.engine.stats import battery

    monkeypatch.setattr(battery, "PARALLEL_MIN_CELLS", 0)
    res = _study(n_events=40)
    monkeypatch.setenv(_parallel.THREADS_ENV, "1")
    rng1 = np.random.default_rng(5)
    ref = aar_tests(prepare(res.panel), rng=rng1)
    monkeypatch.setenv(_parallel.THREADS_ENV, "2")
    rng2 = np.random.default_rng(5)
    got = aar_tests(prepare(res.panel), rng=rng2)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    assert rng1.bit_generator.state == rng2.bit_generator.state


def test_fit_on_threads_equals_one_thread(monkeypatch):
    """The OLS fit's blocks on threads: the same CARs, covariances and exclusions."""
    from eventstudy.engine.models import _ols

    monkeypatch.setattr(_ols, "_BLOCK_BYTES", 1 << 12)  # many small blocks
    monkeypatch.setenv(_parallel.THREADS_ENV, "1")
    one = _study(n_events=120, missing=True)
    monkeypatch.setenv(_parallel.THREADS_ENV, "2")
    two = _study(n_events=120, missing=True)
    pd.testing.assert_frame_equal(pd.DataFrame(two.car), pd.DataFrame(one.car), check_exact=True)
    np.testing.assert_array_equal(two.panel.event_cov, one.panel.event_cov)
    np.testing.assert_array_equal(two.panel.est_ar, one.panel.est_ar)
    np.testing.assert_array_equal(two.panel.est_dates, one.panel.est_dates)
    pd.testing.assert_frame_equal(two.exclusions, one.exclusions)


def test_n_threads_reads_the_environment(monkeypatch):
    monkeypatch.delenv(_parallel.THREADS_ENV, raising=False)
    assert 1 <= _parallel.n_threads() <= _parallel.DEFAULT_THREADS
    monkeypatch.setenv(_parallel.THREADS_ENV, "3")
    assert _parallel.n_threads() == 3
    for bad in ("0", "-1", "two"):
        monkeypatch.setenv(_parallel.THREADS_ENV, bad)
        with pytest.raises(ValueError, match="positive integer"):
            _parallel.n_threads()


def test_run_all_keeps_order_and_raises_the_first_error():
    assert _parallel.run_all([lambda k=k: k * k for k in range(7)], 3) == [k * k for k in range(7)]

    def fail() -> int:
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        _parallel.run_all([lambda: 1, fail, lambda: 2], 2)


def test_run_all_keeps_the_callers_errstate():
    def probe() -> dict:
        return np.geterr()

    with np.errstate(invalid="ignore", divide="raise"):
        got = _parallel.run_all([probe, probe], 2)
        assert got == [np.geterr(), np.geterr()]


def test_memo_computes_a_key_once_across_threads():
    """Threads asking for the same missing key: one computes it, the others get its value."""
    res = _study(n_events=10)
    prep = prepare(res.panel)
    calls = []
    gate = threading.Event()

    def compute() -> object:
        calls.append(1)
        gate.wait(1.0)
        return object()

    threads_out: list[object] = []

    def ask() -> None:
        threads_out.append(prep.memo(("k",), compute))

    workers = [threading.Thread(target=ask) for _ in range(4)]
    for w in workers:
        w.start()
    gate.set()
    for w in workers:
        w.join()
    assert len(calls) == 1
    assert all(v is threads_out[0] for v in threads_out)


# --------------------------------------------------------------------------------------------
# exact shortcuts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nan", [False, True])
def test_nan_column_sum_equals_nansum(nan):
    from eventstudy.engine.stats._core import nan_column_sum

    rng = np.random.default_rng(3)
    x = rng.standard_t(3, size=(3000, 40)) * 10.0 ** rng.integers(-4, 4, size=(3000, 1))
    if nan:
        x[rng.random(x.shape) < 0.05] = np.nan
    np.testing.assert_array_equal(nan_column_sum(x), np.nansum(x, axis=0))
    np.testing.assert_array_equal(nan_column_sum(x, has_nan=nan), np.nansum(x, axis=0))
    f = np.asfortranarray(x)  # not C-contiguous: np.nansum itself
    np.testing.assert_array_equal(nan_column_sum(f), np.nansum(f, axis=0))


@pytest.mark.parametrize("missing", [False, True])
def test_market_means_equal_nanmean(missing):
    from eventstudy.engine.stats.parametric import _market_means

    prep = prepare(_study(n_events=60, missing=missing).panel)
    m_est, m_ev = _market_means(prep)
    with np.errstate(invalid="ignore"):
        ref = np.nanmean(prep.panel.est_market, axis=0)
    np.testing.assert_array_equal(m_est, ref[np.isfinite(ref)])
    np.testing.assert_array_equal(m_ev, np.nanmean(prep.panel.event_market, axis=0))


@pytest.mark.parametrize("alignment", ["calendar", "event_time"])
def test_pooled_correlation_without_kept_cells_equals_the_cached_cells(alignment):
    """r_bar of all events is computed without keeping the cells; a subset then caches them,
    and both equal the cells' formula."""
    from eventstudy.engine.stats import correlation as corr

    res = _study(n_events=60)
    prep = prepare(res.panel)
    r_all = corr.pooled_mean_correlation(prep, alignment)
    assert ("kp_cells", alignment, corr.KP_MIN_OVERLAP) not in prep
    subset = np.arange(60) % 3 != 0
    r_sub = corr.pooled_mean_correlation(prep, alignment, events=subset)
    assert ("kp_cells", alignment, corr.KP_MIN_OVERLAP) in prep
    fresh = prepare(res.panel)
    _, keys, z, _, n_keys = corr._standardized_cells(fresh, alignment, corr.KP_MIN_OVERLAP)

    def plain(sel: np.ndarray) -> float:
        s = np.bincount(keys[sel], weights=z[sel], minlength=n_keys)
        q = np.bincount(keys[sel], weights=z[sel] * z[sel], minlength=n_keys)
        n_t = np.bincount(keys[sel], minlength=n_keys).astype(float)
        return float(np.sum(s * s - q) / np.sum(n_t * n_t - n_t))

    width = z.size // 60
    assert r_all == plain(np.ones(z.size, dtype=bool))
    assert r_sub == plain(np.repeat(subset, width))
    assert corr.pooled_mean_correlation(fresh, alignment) == r_all  # cells cached first


@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_aar_caar_tests_equal_the_two_calls(missing, convention, monkeypatch):
    """Days and windows in one run of each test: the frames of aar_tests and caar_tests
    (bootstrap p-values, GRANK, ranks), also for a window equal to a day."""
    from eventstudy.engine.stats import aar_caar_tests, battery

    monkeypatch.setattr(battery, "PARALLEL_MIN_CELLS", 0)
    res = _study(n_events=70, missing=missing)
    windows = [(-1, 1), (0, 0), (0, 3)]
    aar, caar = aar_caar_tests(prepare(res.panel), windows, convention=convention)
    want_aar = aar_tests(prepare(res.panel), convention=convention)
    want_caar = caar_tests(prepare(res.panel), windows, convention=convention)
    pd.testing.assert_frame_equal(aar, want_aar, check_exact=True)
    pd.testing.assert_frame_equal(caar, want_caar, check_exact=True)


def test_aar_caar_tests_refuse_a_generator():
    from eventstudy.engine.stats import aar_caar_tests
    from eventstudy.exceptions import SpecificationError

    res = _study(n_events=20)
    with pytest.raises(SpecificationError, match="rng"):
        aar_caar_tests(res.panel, [(0, 1)], rng=np.random.default_rng(1))


@pytest.mark.parametrize("dtype", ["float64", "datetime64[D]", "int32"])
def test_take_windows_equals_the_fancy_index(dtype, monkeypatch):
    """Rows of a sliding-window view copied in chunks on threads = the fancy index."""
    from numpy.lib.stride_tricks import sliding_window_view

    from eventstudy.engine import windows as win

    monkeypatch.setattr(win, "_TAKE_CHUNK", 5)
    monkeypatch.setenv(_parallel.THREADS_ENV, "2")
    rng = np.random.default_rng(0)
    base = rng.normal(size=500) if dtype == "float64" else np.arange(500).astype(dtype)
    view = sliding_window_view(base, 17)
    index = rng.integers(0, view.shape[0], 43)
    got = win.take_windows(view, index, base.dtype)
    np.testing.assert_array_equal(got, view[index])
    assert got.dtype == base.dtype and got.flags.c_contiguous
    assert win.take_windows(view, index[:0]).shape == (0, 17)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("complete", [True, False])
def test_ols_masked_copies_and_variances_equal_the_masked_formulas(order, dtype, complete):
    """The OLS helpers' unmasked shortcuts give np.where's array and the same variances."""
    from eventstudy.engine.models import _ols

    rng = np.random.default_rng(7)
    x = np.array(rng.normal(size=(40, 30)), dtype=dtype, order=order)
    valid = np.ones(x.shape, dtype=bool) if complete else rng.random(x.shape) < 0.9
    where = True if valid.all() else valid
    got, want = _ols._masked_copy(x, valid, where), np.where(valid, x, 0.0)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == want.dtype
    resid = np.where(valid, x.astype(float), np.nan)
    n = valid.sum(axis=1)
    with np.errstate(invalid="ignore"):
        ref = np.array([np.var(r[v]) for r, v in zip(resid, valid, strict=True)])
    np.testing.assert_allclose(_ols.ddof0_variance(resid, valid, n), ref, rtol=1e-12)
    np.testing.assert_array_equal(
        _ols.ddof0_variance(resid, valid, n),
        _ols.ddof0_variance(resid, valid, n, work=np.empty_like(resid)),
    )
    np.testing.assert_array_equal(_ols.nan_sum_squares(resid), np.nansum(resid**2, axis=1))


@pytest.mark.parametrize("alignment", ["calendar", "event_time"])
@pytest.mark.parametrize("missing", [False, True])
def test_blocked_pooled_correlation_equals_the_whole_cells(alignment, missing, monkeypatch):
    """r_bar from blocks of 7 events with seeded bincounts = one bincount over all cells,
    bit for bit, also with missing days and an event of zero variance (not eligible)."""
    import dataclasses

    from eventstudy.engine.stats import correlation as corr

    panel = _study(n_events=60, missing=missing).panel
    est = panel.est_ar.copy()
    est[5] = 0.0  # zero variance: not eligible
    est[9, :40] = np.nan
    panel = dataclasses.replace(panel, est_ar=est)
    monkeypatch.setattr(corr, "_CELL_BLOCK", 7)
    got, eligible = corr._blocked_pooled(prepare(panel), alignment, corr.KP_MIN_OVERLAP)
    _, keys, z, want_eligible, n_keys = corr._cells(
        prepare(panel), alignment, corr.KP_MIN_OVERLAP, np.intp
    )
    assert got == corr._pooled_sums(keys, z.copy(), n_keys)
    np.testing.assert_array_equal(eligible, want_eligible)
    assert not eligible[5]


def test_seeded_bincount_equals_one_bincount():
    from eventstudy.engine.stats.correlation import _seeded_bincount

    rng = np.random.default_rng(2)
    keys = rng.integers(0, 50, 5000)
    w = rng.standard_t(2, 5000) * 10.0 ** rng.integers(-6, 6, 5000)
    total = np.zeros(50)
    for lo in range(0, 5000, 333):
        total = _seeded_bincount(keys[lo : lo + 333], w[lo : lo + 333], total)
    np.testing.assert_array_equal(total, np.bincount(keys, weights=w, minlength=50))


def test_small_panels_run_the_battery_in_the_calling_thread(monkeypatch):
    """Below PARALLEL_MIN_CELLS no pool is made; above it the tests go to run_all's pool."""
    from eventstudy.engine.stats import battery

    seen: list[int] = []
    real = battery.run_all

    def spy(tasks, threads):
        seen.append(threads)
        return real(tasks, threads)

    monkeypatch.setattr(battery, "run_all", spy)
    monkeypatch.setenv(_parallel.THREADS_ENV, "2")
    res = _study(n_events=30)
    aar_tests(prepare(res.panel))
    monkeypatch.setattr(battery, "PARALLEL_MIN_CELLS", 0)
    aar_tests(prepare(res.panel))
    assert seen == [1, 2]
