"""The battery's fast paths against the straightforward formulas they replace.

Each fast path (shared bootstrap resamples as one matrix product, ranks shared between tests)
must give what the reference computation gives: bit-identical p-values and counts for the
random statistics, 1e-12 for the deterministic ones; ties and missing days included.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.engine.stats import parametric as par
from eventstudy.engine.stats._core import Target

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def _sample(draw_seed: int, n: int, ties: bool) -> np.ndarray:
    rng = np.random.default_rng(draw_seed)
    x = rng.standard_t(4, n) * 0.02 + 0.001
    return np.round(x, 2) if ties else x


@SETTINGS
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(3, 400),
    ties=st.booleans(),
    alt=st.sampled_from(["two-sided", "greater", "less"]),
)
def test_skew_t_moment_route_counts_as_the_two_pass_bootstrap(seed, n, ties, alt):
    """Resample counts times [y, y^2, y^3] (with the recheck near the statistic and for
    degenerate resamples) give the p-value and number of valid t^b of the two-pass route."""
    x = _sample(seed, n, ties)
    stat = par.skewness_adjusted_t(x)
    if not math.isfinite(stat):
        return
    n_boot = 199
    tb_ref, n_b = par.skew_t_bootstrap(x, n_boot, np.random.default_rng(seed % 97))

    [(_, tb, n_b2)] = par._skew_group(n, [(0, stat, x)], n_boot, seed % 97)
    assert n_b2 == n_b and tb.size == tb_ref.size
    assert par._skew_pvalue(tb, stat, alt) == par._skew_pvalue(tb_ref, stat, alt)
    np.testing.assert_allclose(np.sort(tb), np.sort(tb_ref), rtol=1e-9, atol=1e-9)


def test_skew_t_statistic_tied_with_a_resample_is_counted_exactly():
    """A t^b equal to the observed t (all resamples of a 3-value sample repeat it) is
    recomputed by the two-pass formula, so ``>=`` counts it as the reference does."""
    x = np.array([0.01, 0.03, -0.02, 0.05, 0.01, 0.02, -0.01, 0.04, 0.0, 0.02, 0.03, 0.01])
    stat = par.skewness_adjusted_t(x)
    tb_ref, _ = par.skew_t_bootstrap(x, 999, np.random.default_rng(5))

    [(_, tb, _)] = par._skew_group(x.size, [(0, stat, x)], 999, 5)
    for alt in ("two-sided", "greater", "less"):
        assert par._skew_pvalue(tb, stat, alt) == par._skew_pvalue(tb_ref, stat, alt)


def test_draw_counts_are_the_bincounts_of_the_draws():
    draws = par.skew_t_draws(1000, 50, np.random.default_rng(3))
    counts = par._draw_counts(1000, 50, 3)
    expected = np.stack([np.bincount(row, minlength=1000) for row in draws])
    np.testing.assert_array_equal(counts, expected)


@pytest.mark.parametrize("n", [3, 5, 40])
def test_skew_t_batch_equals_one_target_at_a_time(n):
    """Targets sharing a sample size share the resamples; each result is the one-target one."""
    from eventstudy.engine.stats import prepare
    from eventstudy.engine.stats._core import resolve_options
    from tests.test_speed import _study

    prep = prepare(_study(n_events=n, missing=True).panel)
    opts = resolve_options("textbook", n_boot=99)
    targets = [Target(d, d, np.array([j])) for j, d in enumerate(range(-5, 6))]
    batch = par._skew_t_batch(prep, targets, "two-sided", opts)
    one = [par._skew_t(prepare(prep.panel), t, "two-sided", opts) for t in targets]
    assert batch == one


# --------------------------------------------------------------------------------------------
# ranks: one sort of the combined series shared by the rank tests, CZ sign and GRANK
# --------------------------------------------------------------------------------------------


def _matrix(seed: int, n: int, m: int, ties: bool, nan: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.02, (n, m))
    if ties:
        x = np.round(x, 2)
    x[rng.random((n, m)) < nan] = np.nan
    return x


@SETTINGS
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(1, 30),
    m=st.integers(1, 300),
    ties=st.booleans(),
    nan=st.sampled_from([0.0, 0.1, 1.0]),
)
def test_row_ranks_and_medians_equal_scipy_and_numpy(seed, n, m, ties, nan):
    """Ranks from the sorted rows are scipy's average ranks; medians read off them are
    np.median's (no NaN) and np.nanmedian's (NaN) bit for bit."""
    import warnings

    from scipy import stats as sps

    from eventstudy.engine.stats._prepared import row_ranks, sorted_ranks
    from eventstudy.engine.stats.nonparametric import _sorted_medians

    x = _matrix(seed, n, m, ties, nan)
    x[0, : min(m, 3)] = [-0.0, 0.0, -0.0][: min(m, 3)]  # signed zeros tie
    expected = sps.rankdata(x, axis=1, nan_policy="omit")
    np.testing.assert_array_equal(row_ranks(x), expected)
    _, xs = sorted_ranks(x, np.argsort(x, axis=1))
    has_nan = bool(np.isnan(x).any())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(x, axis=1) if has_nan else np.median(x, axis=1)
    np.testing.assert_array_equal(_sorted_medians(xs, nan_rule=has_nan), med)


def _rank_panel(n_events: int, missing: bool, ties: bool):
    """A study's panel; ``missing``: holes in both windows and an event without any value;
    ``ties``: returns rounded to 3 decimals (many tied values within an event)."""
    import dataclasses

    from tests.test_speed import _study

    panel = _study(n_events=n_events, missing=missing).panel
    est, event = panel.est_ar.copy(), panel.event_ar.copy()
    if missing:  # days an event lacks (the study's own panel has few or none)
        rng = np.random.default_rng(1)
        est[rng.random(est.shape) < 0.05] = np.nan
        event[rng.random(event.shape) < 0.05] = np.nan
        est[2, :] = np.nan  # an event without estimation days
        est[4, :], event[4, :] = np.nan, np.nan  # an event without any day
    if ties:
        est, event = np.round(est, 3), np.round(event, 3)
    return dataclasses.replace(panel, est_ar=est, event_ar=event)


def _plain_rank_sums(full: np.ndarray) -> dict[str, np.ndarray]:
    """Per day: the count of ranks and np.nansum over the whole score arrays of Corrado's
    centred ranks K - (M + 1)/2 and Corrado-Zivney's K/(M + 1) - 1/2 (K = scipy's average
    ranks)."""
    from eventstudy.engine.stats._prepared import row_ranks

    ranks = row_ranks(full)
    m = np.isfinite(full).sum(axis=1).astype(float)[:, None]
    return {
        "n_t": np.isfinite(ranks).sum(axis=0).astype(float),
        "centred": np.nansum(ranks - (m + 1) / 2, axis=0),
        "modified": np.nansum(ranks / (m + 1) - 0.5, axis=0),
    }


@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_blocked_combined_sort_equals_the_whole_panel_formulas(missing, ties, monkeypatch):
    """The blocked pass over the combined series (blocks of 7 events) gives the whole-panel
    numbers bit for bit: np.median / np.nanmedian of each row, and per day the count and the
    nansum of the centred and of the modified rank scores; its permutation (kept only when
    GRANK is expected) sorts every row; no events x days array of ranks is kept."""
    import warnings

    from eventstudy.engine.stats import nonparametric as nonpar
    from eventstudy.engine.stats import prepare

    monkeypatch.setattr(nonpar, "_RANK_BLOCK", 7)
    panel = _rank_panel(40, missing, ties)
    full = np.hstack([panel.est_ar, panel.event_ar])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(full, axis=1) if missing else np.median(full, axis=1)
    expected = _plain_rank_sums(full)
    sorts = []
    for expected_tests in (["cz_rank"], ["cz_sign", "grank"], []):
        prep = prepare(panel)
        prep.expect(expected_tests)
        sort = nonpar._combined_sorted(prep)
        np.testing.assert_array_equal(sort.medians, med)
        for name in ("n_t", "centred", "modified"):
            np.testing.assert_array_equal(getattr(sort, name), expected[name])
        kept = [v for k in prep._memo.values() for v in (k if isinstance(k, tuple) else (k,))]
        big = [v for v in kept if isinstance(v, np.ndarray) and v.ndim > 1]
        assert all(v is sort.order for v in big)
        sorts.append(sort)
    assert sorts[0].order is None and sorts[2].order is None
    order = sorts[1].order
    assert order is not None and order.dtype == np.int16
    np.testing.assert_array_equal(np.sort(order, axis=1), np.indices(full.shape)[1])
    np.testing.assert_array_equal(np.take_along_axis(full, order, axis=1), np.sort(full, axis=1))


@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_gsar_order_from_the_combined_sort_equal_their_own_sort(missing, ties, monkeypatch):
    """GRANK's estimation-day ranks read off the combined series' sort are row_ranks of the
    GSARs, also for events whose s_i is not finite (sorted afresh), with missing days (NaN
    sorted as +inf) and ties."""
    from eventstudy.engine.stats import nonparametric as nonpar
    from eventstudy.engine.stats import prepare
    from eventstudy.engine.stats._prepared import row_ranks, sorted_ranks

    monkeypatch.setattr(nonpar, "_RANK_BLOCK", 7)
    prep = prepare(_rank_panel(50, missing, ties))
    prep.expect(["grank", "cz_rank"])
    est = prep.panel.est_ar
    s = prep.panel.sigma.astype(float).copy()
    s[3] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        g = est / s[:, None]
    g = np.where(np.isfinite(g), g, np.nan)
    combined = nonpar._combined_order(prep)
    assert combined is not None
    order = nonpar._gsar_order(g, est, combined)
    np.testing.assert_array_equal(sorted_ranks(g, order)[0], row_ranks(g))
    order = nonpar._gsar_order(g, est, None)
    np.testing.assert_array_equal(sorted_ranks(g, order)[0], row_ranks(g))


@pytest.mark.parametrize("inf", [False, True])
def test_argsort_rows_sorts_nan_last_as_numpy(inf):
    """The rows' permutation sorts the values as np.sort does (NaN last), also when NaN are
    sorted as +inf and when a value is +inf (then NaN are sorted as NaN)."""
    from eventstudy.engine.stats.nonparametric import _argsort_rows

    x = _matrix(3, 30, 57, True, 0.2)
    if inf:
        x[0, 1], x[5, 6] = np.inf, -np.inf
    order = _argsort_rows(x)
    np.testing.assert_array_equal(np.sort(order, axis=1), np.indices(x.shape)[1])
    np.testing.assert_array_equal(np.take_along_axis(x, order, axis=1), np.sort(x, axis=1))


def _grank_panel(n_events: int, seed: int, missing: bool):
    """A study's panel with holes in est_ar (``missing``), s_i = 0 and s_i = NaN rows."""
    import dataclasses

    from tests.test_speed import _study

    panel = _study(n_events=n_events, seed=seed, missing=missing).panel
    est, sigma = panel.est_ar.copy(), panel.sigma.astype(float).copy()
    if missing:  # cells an event lacks (the study's own panel has few or none)
        est[np.random.default_rng(seed).random(est.shape) < 0.05] = np.nan
        est[2, :] = np.nan  # an event without estimation days
    sigma[5], sigma[6] = 0.0, np.nan
    return dataclasses.replace(panel, est_ar=est, sigma=sigma)


def _plain_gsars(panel) -> np.ndarray:
    """The GSARs e_it / s_i, NaN where not finite."""
    with np.errstate(invalid="ignore", divide="ignore"):
        g = panel.est_ar / panel.sigma.astype(float)[:, None]
    return np.where(np.isfinite(g), g, np.nan)


def _tying_values(g: np.ndarray, rng: np.random.Generator, k: int) -> np.ndarray:
    """(N, k) values, about 30% equal to a GSAR of their own event, some NaN."""
    n = g.shape[0]
    v = rng.normal(0, 1, (n, k))
    for j in range(k):
        pick = rng.random(n) < 0.3
        v[pick, j] = g[np.arange(n), rng.integers(0, g.shape[1], n)][pick]
    v[rng.random((n, k)) < 0.1] = np.nan
    return v


@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("sorted_first", [False, True])
def test_gsar_blocks_equal_the_plain_formulas(missing, sorted_first, monkeypatch):
    """Each block of the GRANK pass equals the whole-panel formulas: ranks of the GSARs e / s
    = row_ranks (0 where missing), finite cells and their counts, positions floor(rank - 1)
    (the dtype's max where missing, padding never below a bound), and the binary-search
    counts p = #(g < v), q = #(g <= v) of values tying GSARs; with or without the combined
    sort, s_i = 0 and NaN rows, blocks of 7 events."""
    from eventstudy.engine.stats import nonparametric as nonpar
    from eventstudy.engine.stats import prepare
    from eventstudy.engine.stats._prepared import row_ranks

    monkeypatch.setattr(nonpar, "_GRANK_BLOCK", 7)
    panel = _grank_panel(50, 3, missing)
    prep = prepare(panel)
    prep.expect(["grank"])
    combined = nonpar._combined_sorted(prep).order if sorted_first else None
    assert (combined is not None) == sorted_first
    g = _plain_gsars(panel)
    ranks, fin = row_ranks(g), np.isfinite(g)
    v = _tying_values(g, np.random.default_rng(0), 3)
    est, s = panel.est_ar, panel.sigma.astype(float)
    n, width = est.shape
    buf = nonpar._GrankBuffers(n, width)
    seen = 0
    for rows in buf.blocks(n):
        block = nonpar._gsar_block(est, s, rows, combined, v[rows], buf)
        assert block.rows == rows and block.k0.shape[0] <= 7
        np.testing.assert_array_equal(block.k0, np.nan_to_num(ranks[rows], nan=0.0))
        np.testing.assert_array_equal(block.fin[:, :width], fin[rows])
        assert not block.fin[:, width:].any()
        np.testing.assert_array_equal(block.n0, fin[rows].sum(axis=1))
        top = np.iinfo(block.pos.dtype).max
        expected_pos = np.where(fin[rows], np.floor(np.nan_to_num(ranks[rows]) - 1), top)
        np.testing.assert_array_equal(block.pos[:, :width], expected_pos)
        assert (block.pos[:, width:] == top).all()
        with np.errstate(invalid="ignore"):
            below = (g[rows, :, None] < v[rows, None, :]).sum(axis=1)
            not_above = (g[rows, :, None] <= v[rows, None, :]).sum(axis=1)
        np.testing.assert_array_equal(block.p, below)
        np.testing.assert_array_equal(block.q, not_above)
        seen += rows.stop - rows.start
    assert seen == n
    assert missing == (not fin[~np.isin(np.arange(n), [5, 6])].all())


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(1, 1100), share=st.sampled_from([0.0, 0.3, 1.0]))
def test_segment_counts_equal_count_nonzero(seed, n, share):
    """GRANK's per-length column counts (eight columns per uint64 word, 255 rows at a time,
    one reduceat) are np.count_nonzero's over each length's rows, for rows grouped afresh
    (unsorted keys), events left out (key -1) and lengths with more than 255 rows."""
    from eventstudy.engine.stats.nonparametric import _segment_counts, _segments

    rng = np.random.default_rng(seed)
    mask = np.zeros((n, 16), dtype=bool)
    mask[:, :13] = rng.random((n, 13)) < share
    key = rng.choice([-1, 3, 7, 250], size=n, p=[0.2, 0.1, 0.2, 0.5])
    if rng.random() < 0.3:
        key = np.sort(key)
    seg = _segments(key)
    assert seg.levels == sorted(set(key[key >= 0].tolist()))
    if not seg.levels:  # every event left out: nothing to count (the pass skips the block)
        return
    rows = mask if seg.perm is None else mask[seg.perm]
    got = _segment_counts(rows, seg)
    expected = [np.count_nonzero(mask[key == level], axis=0) for level in seg.levels]
    np.testing.assert_array_equal(got, np.array(expected).reshape(-1, 16))


@pytest.mark.parametrize("n, m, block", [(5000, 271, 1024), (1025, 3, 1024), (10, 50, 3)])
def test_sequential_column_sums_equal_numpy_axis0_sums(n, m, block):
    """Blocked column sums with the running total as the buffer's first row are
    np.sum(axis=0) bit for bit (numpy adds the rows of a C-contiguous array in order), unlike
    a pairwise order; a short last block included."""
    from eventstudy.engine.stats._core import SequentialColumnSums

    rng = np.random.default_rng(n + m)
    x = rng.standard_t(3, size=(n, m)) * 10.0 ** rng.integers(-5, 5, size=(n, 1))
    sums = SequentialColumnSums(block, m)
    np.testing.assert_array_equal(sums.sums(), np.zeros(m))
    for i in range(0, n, block):
        rows = x[i : i + block]
        sums.next_rows(rows.shape[0])[...] = rows
        sums.add(rows.shape[0])
    np.testing.assert_array_equal(sums.sums(), x.sum(axis=0))


@pytest.mark.parametrize("holes", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("block", [7, 64])
def test_rank_sum_accumulators_equal_nansum_of_the_scores(holes, block):
    """Corrado's and Corrado-Zivney's day sums, added block by block from float32 ranks with
    NaN (missing days; ``missing`` None for blocks without), equal the nansum of the whole
    float64 score arrays K - (M + 1)/2 and K/(M + 1) - 1/2 bit for bit."""
    from eventstudy.engine.stats import nonparametric as nonpar
    from eventstudy.engine.stats._prepared import row_ranks

    full = _matrix(11, 50, 271, True, 0.05 if holes else 0.0)
    full[np.random.default_rng(2).random(50) < holes] = np.nan  # events without any day
    if holes:
        full[:3, :4] = np.nan  # holes in the first block at least
    ranks = row_ranks(full).astype(np.float32)
    m = np.isfinite(full).sum(axis=1)
    centred = nonpar._CentredRankSums(m, full.shape[1])
    modified = nonpar._ModifiedRankSums(m, full.shape[1], block)
    for lo in range(0, full.shape[0], block):
        rows = slice(lo, min(full.shape[0], lo + block))
        missing = np.isnan(ranks[rows]) if holes else None
        centred.add(rows, ranks[rows], missing)
        modified.add(rows, ranks[rows], missing)
    expected = _plain_rank_sums(full)
    np.testing.assert_array_equal(centred.total, expected["centred"])
    np.testing.assert_array_equal(modified.total.sums(), expected["modified"])


# --------------------------------------------------------------------------------------------
# GRANK: comparisons of SCAR* with the GSARs on sorted positions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("sorted_first", [False, True])
def test_grank_counts_equal_the_float_comparisons(missing, seed, sorted_first, monkeypatch):
    """The one-pass sums equal the plain formulas: w @ k0 with k0 = row_ranks of the GSARs
    (0 where missing), ``w @ (g > v)``, ``w @ (g == v)`` (None without ties), the finite
    GSARs per day and per event, and per event the counts of g > v and g == v; with values
    tying a GSAR, NaN values, events left out (two ok masks: two groups of targets), missing
    cells, s_i = 0 and NaN rows, with or without the combined sort; blocks of 7 events."""
    from eventstudy.engine.stats import nonparametric as nonpar
    from eventstudy.engine.stats import prepare
    from eventstudy.engine.stats._core import resolve_options
    from eventstudy.engine.stats._prepared import row_ranks

    monkeypatch.setattr(nonpar, "_GRANK_BLOCK", 7)
    panel = _grank_panel(80, seed, missing)
    prep = prepare(panel)
    if sorted_first:
        prep.expect(["grank"])
        assert nonpar._combined_sorted(prep).order is not None
    assert (nonpar._combined_order(prep) is not None) == sorted_first
    g = _plain_gsars(panel)
    fin = np.isfinite(g)
    k0 = np.nan_to_num(row_ranks(g), nan=0.0)
    rng = np.random.default_rng(seed)
    n = prep.n_events
    values = _tying_values(g, rng, 4)
    masks = [rng.random(n) < 0.9, rng.random(n) < 0.8]
    inputs = []
    for j in range(4):
        v = values[:, j]
        ok = np.isfinite(v) & masks[j % 2] & (np.arange(n) != 5) & (np.arange(n) != 6)
        v[~ok] = np.nan
        inputs.append(nonpar._GrankInput(None, int(ok.sum()), ok, v, "", 0.0))  # type: ignore[arg-type]
    got = nonpar._grank_counts(prep, resolve_options("textbook"), inputs)
    for x, c in zip(inputs, got, strict=True):
        w = np.where(x.ok, 1.0 / (fin.sum(axis=1) + 2), 0.0)
        gt_ref = g > x.v[:, None]
        eq_ref = g == x.v[:, None]
        np.testing.assert_array_equal(c.n0, fin.sum(axis=1))
        np.testing.assert_array_equal(c.n_t, fin[x.ok].sum(axis=0))
        np.testing.assert_array_equal(c.n_gt[x.ok], gt_ref.sum(axis=1)[x.ok])
        np.testing.assert_array_equal(c.n_eq[x.ok], eq_ref.sum(axis=1)[x.ok])
        np.testing.assert_allclose(c.wk0, w @ k0, rtol=1e-13)
        np.testing.assert_allclose(c.above, w @ gt_ref, rtol=1e-13)
        if eq_ref[x.ok].any():
            assert c.eq is not None
            np.testing.assert_allclose(c.eq, w @ eq_ref, rtol=1e-13)
        else:
            assert c.eq is None


def test_grank_does_not_depend_on_the_layout_of_the_estimation_returns():
    """A column-major est_ar (a panel a user builds) gives the C-ordered panel's GRANK bit
    for bit: the GSARs are written into C-ordered blocks and the sums are exact counts."""
    import dataclasses

    from eventstudy.engine import stats

    panel = _grank_panel(40, 1, True)
    got = [
        stats.aar_tests(stats.prepare(dataclasses.replace(panel, est_ar=est)), tests=["grank"])
        for est in (np.ascontiguousarray(panel.est_ar), np.asfortranarray(panel.est_ar))
    ]
    np.testing.assert_array_equal(got[0]["stat"].to_numpy(), got[1]["stat"].to_numpy())
    assert np.isfinite(got[0]["stat"]).all()


@pytest.mark.parametrize("shape", [(301, 57), (999, 3), (128, 1), (5, 1001)])
@pytest.mark.parametrize("seed", [0, 20_260_101])
def test_rademacher_signs_read_off_the_raw_stream_are_the_integers_draws(shape, seed):
    """Signs from the PCG64 raw outputs equal ``rng.integers(0, 2) * 2 - 1`` block by block
    (as the cached weights draw them), odd sizes included."""
    from eventstudy.engine.stats.parametric import _rademacher_signs

    fast, slow = np.random.default_rng(seed), np.random.default_rng(seed)
    for c0 in range(0, shape[0], 128):
        rows = min(shape[0], c0 + 128) - c0
        got = _rademacher_signs(fast, (rows, shape[1]))
        np.testing.assert_array_equal(got, slow.integers(0, 2, size=(rows, shape[1])) * 2 - 1)
        assert got.dtype == np.int8


@pytest.mark.parametrize("earlier", [0, 1, 3])
@pytest.mark.parametrize("shape", [(3, 5), (4, 4), (1, 1), (7, 3)])
def test_rademacher_signs_leave_the_generator_as_integers_does(shape, earlier):
    """A generator that already served a 32-bit half (a user's Generator passed as the seed)
    gives the ``integers`` draws, and after an odd number of signs the generator's later
    draws (32-bit and 64-bit) are those after ``integers``."""
    from eventstudy.engine.stats.parametric import _rademacher_signs

    fast, slow = np.random.default_rng(7), np.random.default_rng(7)
    fast.integers(0, 2, size=earlier)
    slow.integers(0, 2, size=earlier)
    got = _rademacher_signs(fast, shape)
    np.testing.assert_array_equal(got, slow.integers(0, 2, size=shape) * 2 - 1)
    np.testing.assert_array_equal(fast.integers(0, 2, size=9), slow.integers(0, 2, size=9))
    np.testing.assert_array_equal(fast.random(3), slow.random(3))


@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_rank_and_sign_day_sums_equal_the_score_matrix_sums(missing, ties, monkeypatch):
    """Corrado's centred-rank, Corrado-Zivney's rank and the CZ sign day sums, formed
    without the score matrix (blocks of 7 events), are bit-identical to the count and
    nansum over the matrix of scores (ties and missing days included)."""
    import warnings

    from eventstudy.engine.stats import nonparametric as nonpar
    from eventstudy.engine.stats import prepare

    monkeypatch.setattr(nonpar, "_RANK_BLOCK", 7)
    prep = prepare(_rank_panel(70, missing, ties))
    full = np.hstack([prep.panel.est_ar, prep.panel.event_ar])
    m = np.isfinite(full).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(full, axis=1) if np.isnan(full).any() else np.median(full, axis=1)
    ranks = sps_rank(full)
    for kind, scores in (
        ("corrado_rank", ranks - ((m + 1) / 2)[:, None]),
        ("cz_rank", ranks / (m + 1.0)[:, None] - 0.5),
        ("cz_sign", np.sign(full - med[:, None])),
    ):
        n_t, total = nonpar._score_sums(kind, prep)
        np.testing.assert_array_equal(n_t, np.isfinite(scores).sum(axis=0))
        np.testing.assert_array_equal(total, np.nansum(scores, axis=0))


@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_each_rank_test_alone_gives_the_battery_numbers(missing, ties, monkeypatch):
    """corrado_rank, cz_rank, cz_sign and grank, each alone, give bit for bit what they give
    in the battery of all four (which sorts once for all, GRANK reading its permutation),
    under both conventions."""
    from eventstudy.engine import stats
    from eventstudy.engine.stats import nonparametric as nonpar

    monkeypatch.setattr(nonpar, "_RANK_BLOCK", 7)
    panel = _rank_panel(60, missing, ties)
    names = ["corrado_rank", "cz_rank", "cz_sign", "grank"]
    for convention in ("textbook", "estudy2"):
        prep = stats.prepare(panel)
        both = stats.aar_caar_tests(prep, [(-1, 1), (0, 3)], tests=names, convention=convention)
        assert nonpar._combined_sorted(prep).order is not None
        for name in names:
            alone = stats.aar_caar_tests(
                stats.prepare(panel), [(-1, 1), (0, 3)], tests=[name], convention=convention
            )
            for got, full in zip(alone, both, strict=True):
                ref = full[full["test"] == name]
                for col in ("stat", "pvalue", "nobs"):
                    np.testing.assert_array_equal(got[col].to_numpy(), ref[col].to_numpy())
                assert np.isfinite(got["stat"].to_numpy()).any()


def sps_rank(x: np.ndarray) -> np.ndarray:
    from scipy import stats as sps

    return sps.rankdata(x, axis=1, nan_policy="omit")


def test_a_users_generator_is_consumed_window_by_window():
    """With ``rng=`` (a Generator of the user's) the battery draws for the CAR windows in
    order, one window at a time, as separate ``caar_tests`` calls do (the stream of earlier
    releases); one call for all windows would consume it test by test."""
    from _panels import simulated_panel

    from eventstudy.engine import stats
    from eventstudy.engine.results import _battery

    panel = simulated_panel(np.random.default_rng(3), n_events=60, n_est=80, n_event=4)
    windows = [(0, 1), (0, 2)]
    kw = {"tests": ["wild_bootstrap", "skew_t"], "alternative": "two-sided",
          "convention": "textbook"}  # fmt: skip
    got = _battery(panel, windows, kw["tests"], kw["alternative"], kw["convention"],
                   {"rng": np.random.default_rng(42)})  # fmt: skip
    rng = np.random.default_rng(42)
    prepared = stats.prepare(panel)
    stats.aar_tests(prepared, rng=rng, **kw)
    per_window = pd.concat(
        [stats.caar_tests(prepared, [w], rng=rng, **kw) for w in windows], ignore_index=True
    )
    caar = got[got["rel_day"].isna()].reset_index(drop=True)
    np.testing.assert_array_equal(caar["pvalue"].to_numpy(), per_window["pvalue"].to_numpy())
    assert len(caar) == 4 and caar["pvalue"].notna().all()


def test_rank_tests_on_a_panel_longer_than_int16():
    """More than 32,767 estimation + event days: the shared sort order (int16 for shorter
    panels) must not wrap. GRANK after Corrado (which caches that order) equals GRANK alone."""
    from _panels import simulated_panel

    from eventstudy.engine import stats

    panel = simulated_panel(np.random.default_rng(1), n_events=3, n_est=33_000, n_event=21)
    after = stats.aar_tests(stats.prepare(panel), tests=["corrado_rank", "grank"])
    alone = stats.aar_tests(stats.prepare(panel), tests=["grank"])
    grank = after[after["test"] == "grank"].reset_index(drop=True)
    np.testing.assert_array_equal(grank["stat"].to_numpy(), alone["stat"].to_numpy())
    assert np.isfinite(grank["stat"]).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("ties", [False, True])
def test_signed_rank_sum_equals_rankdata_and_unique(seed, ties):
    """W+ and the tied-group sizes from one sort equal rankdata's and np.unique's."""
    from scipy import stats as sps

    from eventstudy.engine.stats.nonparametric import signed_rank_sum

    rng = np.random.default_rng(seed)
    x = rng.standard_t(3, 5001)
    if ties:
        x = np.round(x, 1)  # many |x| ties, also between x and -x
    x = x[x != 0]
    r = sps.rankdata(np.abs(x))
    w, counts = signed_rank_sum(x)
    assert w == float(r[x > 0].sum())
    _, expected = np.unique(r, return_counts=True)
    np.testing.assert_array_equal(counts, expected)
    assert signed_rank_sum(np.array([-2.0])) == (0.0, np.array([1]))


@pytest.mark.parametrize("n", [3, 10, 997, 100_000])
def test_skew_t_draws_int32_are_the_int64_draws(n):
    """The resample indices drawn as int32 equal rng.integers' int64 draws, same final state."""
    from eventstudy.engine.stats.parametric import skew_t_draws

    for seed in range(3):
        ref_rng, rng = np.random.default_rng(seed), np.random.default_rng(seed)
        ref = ref_rng.integers(0, n, size=(7, max(3, n // 4)))
        got = skew_t_draws(n, 7, rng)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, ref)
        assert rng.bit_generator.state == ref_rng.bit_generator.state


@pytest.mark.parametrize("kind", ["rademacher", "mammen"])
def test_float_weights_into_a_buffer_equal_the_fresh_arrays(kind):
    """Bootstrap weights converted into a reused buffer = the freshly made float arrays."""
    from eventstudy.engine.stats.parametric import _float_weights

    rng = np.random.default_rng(4)
    compact = (
        rng.integers(0, 2, (6, 50)).astype(np.int8) * 2 - 1
        if kind == "rademacher"
        else rng.random((6, 50)) < 0.7
    )
    buffer = np.full((8, 50), np.nan)
    got = _float_weights(compact, kind, out=buffer[:6])
    np.testing.assert_array_equal(got, _float_weights(compact, kind))
    assert got.dtype == np.float64 and np.shares_memory(got, buffer)


@pytest.fixture
def small_tiles(monkeypatch):
    """Blocks and tiles of a few rows and columns, so that small samples cross many of them."""
    monkeypatch.setattr(par, "_TILE", (7, 5))
    monkeypatch.setattr(par, "_BLOCK_BYTES", 64)


@pytest.mark.parametrize("n", [3, 41, 400])
def test_tiled_skew_t_moments_count_as_the_two_pass_bootstrap(small_tiles, n):
    """Counts times the basis summed tile by tile: the p-values of the two-pass route."""
    x = _sample(n, n, ties=False)
    stat = par.skewness_adjusted_t(x)
    tb_ref, _ = par.skew_t_bootstrap(x, 199, np.random.default_rng(4))

    [(_, tb, _)] = par._skew_group(n, [(0, stat, x)], 199, 4)
    for alt in ("two-sided", "greater", "less"):
        assert par._skew_pvalue(tb, stat, alt) == par._skew_pvalue(tb_ref, stat, alt)
    np.testing.assert_allclose(np.sort(tb), np.sort(tb_ref), rtol=1e-9, atol=1e-9)


def test_draw_counts_in_blocks_are_the_bincounts_of_one_draw(small_tiles):
    """Resamples drawn a few rows at a time consume the generator as one call does."""
    draws = par.skew_t_draws(1001, 37, np.random.default_rng(3))
    expected = np.stack([np.bincount(row, minlength=1001) for row in draws])
    np.testing.assert_array_equal(par._draw_counts(1001, 37, 3), expected)


@pytest.mark.parametrize("kind", ["rademacher", "mammen"])
@pytest.mark.parametrize("n", [2, 13, 57])
def test_tiled_wild_bootstrap_t_is_the_two_pass_t(small_tiles, kind, n):
    """Weights drawn in small blocks are the generator's; t* summed over tiles is the t of
    each weighted sample by the two-pass formula (1e-10)."""
    from eventstudy.engine.stats import prepare
    from eventstudy.engine.stats._core import resolve_options
    from tests.test_speed import _study

    prep = prepare(_study().panel)
    opts = resolve_options("textbook", weights=kind, n_boot=61, seed=5)
    compact = par._compact_weights(prep, opts, n)
    weights = par._weights(np.random.default_rng(5), kind, (61, n))
    np.testing.assert_array_equal(par._float_weights(compact, kind), weights)
    x = _sample(n, n, ties=False)
    got = par._boot_t([compact[:30], compact[30:]], kind, np.column_stack([x, 2 * x]))
    np.testing.assert_allclose(got[:, 0], par._two_pass_t(weights, x), rtol=1e-10)
    np.testing.assert_allclose(got[:, 1], got[:, 0], rtol=1e-12)
