"""Beyond one panel: the batched engine streaming a million events, and Dask 1 -> 2 workers.

Run: ``python benchmarks/batched.py`` (``--events 1000000 --cluster-events 200000
--batch-size 50000``). Needs the ``dask`` and ``bench`` extras
(``pip install -e ".[dask,bench]"``).

Data as ``benchmarks/engine.py`` (400 assets x 3,000 days, market model, event window
(-10, +10), estimation window 250 days). Part 1 streams ``--events`` synthetic events,
generated chunk by chunk (the events table itself is never built whole), through
:func:`eventstudy.engine.batched.run_batched` in this process with ``keep_car=False``: only
the combined CAAR/AAR and tests are kept; peak memory is tracemalloc's (numpy included),
against the estimate of what the whole panel would take. Part 2 runs ``--cluster-events`` on a
local Dask cluster of 1 and then 2 worker processes (one thread each; the machine has two
cores) and checks the results equal the in-process loop to 1e-12. BLAS is pinned to one
thread in every process. Wall seconds, one run each (the cluster start-up is excluded).
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
import warnings

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy loads (inherited by the Dask workers)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from engine import N_ASSETS, N_DAYS, SEED, make_data  # noqa: E402  (benchmarks/engine.py)

from eventstudy.engine.batched import run_batched  # noqa: E402
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


def whole_panel_gb(n: int) -> float:
    """Bytes the panel of n events would take at once: est. residuals and dates, the event
    window's returns, ARs, dates and covariances (21 x 21), in float64/datetime64."""
    le, l2 = 250, 21
    return n * 8 * (3 * le + 6 * l2 + l2 * l2) / 1e9


def stream(rets, mkt, n: int, batch: int):
    tracemalloc.start()
    t0 = time.perf_counter()
    res = run_batched(rets, event_chunks(rets, n, batch), benchmark=mkt, keep_car=False, **KW)
    wall = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 1e9
    tracemalloc.stop()
    return res, wall, peak


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
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rets, mkt = market_data()
    res, wall, peak = stream(rets, mkt, args.events, args.batch_size)
    print(f"1. {args.events:,d} events streamed in batches of {args.batch_size:,d}, one process")
    print(f"   wall {wall:.1f} s, {res.n_events:,d} studied, {res.n_batches} batches")
    print(f"   peak memory {peak:.2f} GB (the whole panel at once: "
          f"{whole_panel_gb(args.events):.1f} GB)")  # fmt: skip
    print(res.caar.to_string(index=False))
    local, t_local = stream(rets, mkt, args.cluster_events, args.batch_size)[:2]
    print(f"\n2. {args.cluster_events:,d} events: in-process loop {t_local:.1f} s")
    times = {}
    for workers in (1, 2):
        res_w, times[workers] = on_cluster(rets, mkt, args.cluster_events, args.batch_size, workers)
        same(res_w, local)
        print(f"   Dask LocalCluster, {workers} worker process(es): {times[workers]:.1f} s; "
              "equal to the loop (1e-12)")  # fmt: skip
    print(f"   1 -> 2 workers: {times[1] / times[2]:.2f}x faster")


if __name__ == "__main__":
    main()
