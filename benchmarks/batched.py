"""Beyond one panel: the batched engine streaming a million events, and Dask 1 -> 2 workers.

Run: ``python benchmarks/batched.py`` (``--events 1000000 --cluster-events 200000
--batch-size 50000``). Needs the ``dask`` and ``bench`` extras
(``pip install -e ".[dask,bench]"``).

Data as ``benchmarks/engine.py`` (400 assets x 3,000 days, market model, event window (-10,
+10), estimation window 250 days). Part 1 streams ``--events`` synthetic events, generated
chunk by chunk (the events table itself is never built whole), through
:func:`eventstudy.engine.batched.run_batched` in this process with ``keep_car=False``: only the
combined CAAR/AAR and tests are kept; it is run again without ``corrado_rank``, whose sort of
every pair's combined series is its costliest piece. It is timed with nothing watching it; its
memory is the process's peak resident set (``getrusage``, numpy included; what the data and
imports took before is printed beside it), against what a whole panel would take: the memory an
:class:`~eventstudy.engine.study.EventStudy` fit of ``--sample`` events holds (tracemalloc,
after the fit), per event, times the number of events. Part 2 runs ``--cluster-events`` in this
process and then on a local Dask cluster of 1 and 2 worker processes (one thread each; the
machine has two cores), and checks the cluster's results equal the in-process loop's to 1e-12.
BLAS is pinned to one thread in every process. Wall seconds, one run each (the cluster start-up
is excluded), with the yardstick of ``machine_speed.py`` around the runs.

tracemalloc is not on while anything is timed: it traces every allocation, and the streamed
run (pandas frames built batch by batch) took about three times as long under it.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc
import warnings

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy loads (inherited by the Dask workers)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from engine import N_ASSETS, N_DAYS, SEED, make_data  # noqa: E402  (benchmarks/engine.py)
from machine_speed import yardstick, yardstick_around  # noqa: E402

from eventstudy.engine.batched import BATCHED_TESTS, run_batched  # noqa: E402
from eventstudy.engine.study import EventStudy  # noqa: E402
from eventstudy.engine.windows import EstimationWindow  # noqa: E402

KW = {
    "estimation_window": EstimationWindow(250, -11),
    "event_window": (-10, 10),
    "car_windows": ((-1, 1), (0, 0), (0, 5)),
}


def market_data():
    """The returns and market of ``benchmarks/engine.py`` (same seed)."""
    rets, mkt, _ = make_data(0)
    return rets, mkt


def event_chunks(rets: pd.DataFrame, n: int, size: int):
    """``n`` random (asset, day 0) events, yielded ``size`` at a time."""
    rng = np.random.default_rng(SEED + 1)
    for lo in range(0, n, size):
        k = min(size, n - lo)
        yield pd.DataFrame(
            {
                "event_id": [f"ev{i:07d}" for i in range(lo, lo + k)],
                "asset": rets.columns[rng.integers(0, N_ASSETS, k)],
                "day0": rets.index[rng.integers(270, N_DAYS - 15, k)],
            }
        )


def held_per_event(rets, mkt, n: int) -> float:
    """Bytes an ``EventStudy`` fit of ``n`` events holds once fitted, per event (tracemalloc:
    what is still allocated after the fit, less what was before it)."""
    events = next(event_chunks(rets, n, n))
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    res = EventStudy(rets, events, benchmark=mkt, **KW).fit()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del res
    return held / n


def peak_rss_gb() -> float:
    """The process's peak resident set so far, GB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def stream(rets, mkt, n: int, batch: int, tests=None):
    """``run_batched`` over ``n`` streamed events in this process: (results, wall s)."""
    t0 = time.perf_counter()
    res = run_batched(
        rets, event_chunks(rets, n, batch), benchmark=mkt, keep_car=False, tests=tests, **KW
    )
    return res, time.perf_counter() - t0


def on_cluster(rets, mkt, n: int, batch: int, workers: int):
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                     host="127.0.0.1", dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        client.run(lambda: warnings.simplefilter("ignore"))
        t0 = time.perf_counter()
        res = run_batched(
            rets, event_chunks(rets, n, batch), benchmark=mkt, executor=client,
            max_pending=2 * workers, keep_car=False, **KW,
        )  # fmt: skip
        return res, time.perf_counter() - t0


def same(a, b) -> None:
    for frame in ("caar", "aar"):
        pd.testing.assert_frame_equal(
            getattr(a, frame), getattr(b, frame), check_exact=False, rtol=1e-12
        )
    np.testing.assert_allclose(a.tests["stat"], b.tests["stat"], rtol=1e-12)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--cluster-events", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=20_000,
                        help="events of the one-panel fit that sizes a whole panel")  # fmt: skip
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    before = yardstick()
    rets, mkt = market_data()
    rss_before = peak_rss_gb()
    res, wall = stream(rets, mkt, args.events, args.batch_size)
    rss = peak_rss_gb()
    per_event = held_per_event(rets, mkt, args.sample)
    print(f"1. {args.events:,d} events streamed in batches of {args.batch_size:,d}, one process")
    print(f"   wall {wall:.1f} s, {res.n_events:,d} studied, {res.n_batches} batches")
    print(f"   peak resident memory {rss:.2f} GB ({rss_before:.2f} GB before streaming); the "
          f"whole panel at once: about {per_event * args.events / 1e9:.1f} GB "
          f"({per_event / 1e3:.1f} KB per event held by a fit of {args.sample:,d})")  # fmt: skip
    print(res.caar.to_string(index=False))
    no_rank = [t for t in BATCHED_TESTS if t != "corrado_rank"]
    wall_no_rank = stream(rets, mkt, args.events, args.batch_size, tests=no_rank)[1]
    print(f"   the same without corrado_rank (no sort of each pair's series): {wall_no_rank:.1f} s")
    local, t_local = stream(rets, mkt, args.cluster_events, args.batch_size)
    print(f"\n2. {args.cluster_events:,d} events: in-process loop {t_local:.1f} s")
    times = {}
    for workers in (1, 2):
        res_w, times[workers] = on_cluster(rets, mkt, args.cluster_events, args.batch_size, workers)
        same(res_w, local)
        print(f"   Dask LocalCluster, {workers} worker process(es): {times[workers]:.1f} s; "
              "equal to the loop (1e-12)")  # fmt: skip
    print(f"   1 -> 2 workers: {times[1] / times[2]:.2f}x faster; 2 workers against the "
          f"in-process loop: {times[2] / t_local:.2f}x its time")  # fmt: skip
    print(yardstick_around(before))


if __name__ == "__main__":
    main()
