"""The batched engine (``eventstudy.engine.batched``) gives the local run's numbers (1e-12),
one batch after another, in a thread pool, and on an in-process Dask cluster."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from eventstudy.engine.batched import BATCHED_TESTS, run_batched
from eventstudy.engine.study import EventStudy

KW = {"estimation_window": (-120, -11), "event_window": (-5, 5),
      "car_windows": ((-1, 1), (0, 0), (0, 3))}  # fmt: skip
KEYS = ["test", "rel_day", "window_start", "window_end"]


def _data(n_events: int = 230, seed: int = 8):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2016-01-01", periods=500)
    mkt = pd.Series(rng.normal(0, 0.01, len(idx)), index=idx)
    rets = pd.DataFrame(
        0.9 * mkt.to_numpy()[:, None] + rng.normal(0, 0.015, (len(idx), 12)),
        index=idx,
        columns=[f"A{j}" for j in range(12)],
    )
    rets.iloc[rng.integers(0, len(idx), 30), 3] = np.nan  # an asset with holidays of its own
    events = pd.DataFrame(
        {
            "event_id": [f"e{i:04d}" for i in range(n_events)],
            "asset": rng.choice(rets.columns, n_events),
            "day0": idx[rng.integers(100, 499, n_events)],  # some too early or too late
        }
    )
    return rets, mkt, events


@pytest.fixture(scope="module")
def local():
    rets, mkt, events = _data()
    return EventStudy(rets, events, benchmark=mkt, **KW).fit()


def _check(batched, local):
    close = {"rtol": 1e-12, "atol": 1e-15}
    car = pd.DataFrame(local.car)
    pd.testing.assert_frame_equal(batched.car, car, check_exact=False, **close)
    pd.testing.assert_frame_equal(
        batched.exclusions.reset_index(drop=True), local.exclusions.reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(batched.caar, pd.DataFrame(local.caar), check_exact=False,
                                  **close)  # fmt: skip
    pd.testing.assert_frame_equal(batched.aar, local.aar, check_exact=False, **close)
    mine = batched.tests.sort_values(KEYS, ignore_index=True)
    ref = local.tests(BATCHED_TESTS).sort_values(KEYS, ignore_index=True)
    for col in [*KEYS, "dist", "nobs"]:
        assert mine[col].astype(str).tolist() == ref[col].astype(str).tolist(), col
    for col in ("stat", "pvalue", "df"):
        np.testing.assert_allclose(mine[col].astype(float), ref[col].astype(float), **close)
    assert batched.n_events == local.n_events


@pytest.mark.parametrize("batch_size", [1, 37, 1000])
def test_batches_in_a_loop_give_the_local_numbers(local, batch_size):
    rets, mkt, events = _data()
    res = run_batched(rets, events, benchmark=mkt, batch_size=batch_size, **KW)
    _check(res, local)
    assert res.n_batches == -(-len(events) // batch_size)


def test_a_stream_of_chunks_and_a_thread_pool_give_the_local_numbers(local):
    rets, mkt, events = _data()
    chunks = (events.iloc[lo : lo + 50] for lo in range(0, len(events), 50))
    with ThreadPoolExecutor(max_workers=2) as pool:
        res = run_batched(rets, chunks, benchmark=mkt, executor=pool, max_pending=2, **KW)
    _check(res, local)
    slim = run_batched(rets, events, benchmark=mkt, batch_size=64, keep_car=False, **KW)
    assert slim.car is None
    pd.testing.assert_frame_equal(slim.caar, res.caar)


# LocalCluster(processes=False) does not run with pytest-socket's --disable-socket: its event
# loop needs a socket pair and the scheduler a TCP listener (its in-process transport still
# resolves the host by a UDP "connect" to 8.8.8.8). pytest-socket's allow_hosts marker lets
# this one test create sockets but connect only to the loopback address (enable_socket would
# lift the restriction altogether); the cluster listens on 127.0.0.1 and has no dashboard.
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_dask_cluster_gives_the_local_numbers(local):
    distributed = pytest.importorskip("distributed")
    rets, mkt, events = _data()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://",
            host="127.0.0.1", dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        res = run_batched(rets, events, benchmark=mkt, batch_size=40, executor=client, **KW)
    _check(res, local)
    assert res.n_batches == 6


def test_the_core_never_imports_dask():
    import subprocess
    import sys

    code = (
        "import sys, eventstudy.engine.batched, eventstudy.engine.study; "
        "print(any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_batches_with_missing_event_days_give_the_local_numbers():
    # Missing returns kept as NaN in the event window (shared calendar: asset A3's own
    # holidays, days after the end of the data): the rank test's counts then differ by day
    # and by target, and some pairs have no return on a day.
    from eventstudy.engine.windows import EventWindow

    rets, mkt, events = _data()
    kw = {**KW, "event_window": EventWindow(-5, 5, calendar="shared", missing="keep")}
    local = EventStudy(rets, events, benchmark=mkt, **kw).fit()
    ranks = local.tests(["corrado_rank"])
    assert len(set(ranks["nobs"])) > 1  # the case this test is for
    for batch_size in (1, 29):
        _check(run_batched(rets, events, benchmark=mkt, batch_size=batch_size, **kw), local)


def test_only_the_tests_asked_for_and_no_rank_sort_without_corrado(local, monkeypatch):
    from eventstudy.engine import batched

    rets, mkt, events = _data()
    sorted_batches = []
    real = batched._rank_sums
    monkeypatch.setattr(batched, "_rank_sums", lambda prep: sorted_batches.append(1) or real(prep))
    res = run_batched(rets, events, benchmark=mkt, batch_size=100, tests=["t", "pt"], **KW)
    assert set(res.tests["test"]) == {"csect_t", "patell"}  # aliases as the battery takes them
    assert sorted_batches == []  # Corrado's sort is skipped when it is not asked for
    mine = res.tests.sort_values(KEYS, ignore_index=True)
    ref = local.tests(["csect_t", "patell"]).sort_values(KEYS, ignore_index=True)
    np.testing.assert_allclose(mine["stat"], ref["stat"], rtol=1e-12)
    ranked = run_batched(rets, events, benchmark=mkt, batch_size=100, tests=["rank"], **KW)
    assert set(ranked.tests["test"]) == {"corrado_rank"} and len(sorted_batches) == 3


def test_a_test_that_does_not_combine_is_named():
    from eventstudy.exceptions import SpecificationError

    rets, mkt, events = _data(20)
    with pytest.raises(SpecificationError, match="grank do not combine across batches"):
        run_batched(rets, events, benchmark=mkt, tests=["bmp", "grank"], **KW)


def test_events_with_extended_windows_give_the_local_numbers():
    # ``extend`` lengthens some events' CARs (and so CAAR / AAR) but not the battery's
    # cross-section over a target's days: csect_t and sign read the latter.
    rets, mkt, events = _data()
    events = events.assign(extend=0)
    events.loc[events.index[-5:], "extend"] = 3
    local = EventStudy(rets, events, benchmark=mkt, **KW).fit()
    for batch_size in (50, 1000):
        _check(run_batched(rets, events, benchmark=mkt, batch_size=batch_size, **KW), local)


def test_combine_refuses_corrado_without_every_batchs_rank_sums(local):
    from eventstudy.engine.batched import combine, summarize

    summaries = [summarize(local), summarize(local, ranks=False)]
    with pytest.raises(ValueError, match="corrado_rank needs every batch's rank sums"):
        combine(summaries, KW["car_windows"])
    without = combine(summaries, KW["car_windows"], tests=("csect_t",))
    assert set(without.tests["test"]) == {"csect_t"}
