"""The engine and its full test battery, this tree against an earlier commit, side by side.

Run: ``python benchmarks/versus_commit.py --base 2955c0c`` (the commit before the one-
estimation-path redesign; ``--tests csect_t,patell,bmp,corrado_rank`` for a subset of the
battery). The base commit's files are exported with ``git archive`` into a temporary directory
(no worktree is created); each measurement runs in a fresh Python process with the BLAS and
OpenMP thread pools pinned to one thread, alternating base and head so that machine load hits
both alike. Each side: synthetic market-model data (400 assets x 3,000 days, seed fixed), N
events, estimation window 250 days ending at -11, event window (-10, +10), CAR windows (-1, 1),
(0, 0), (0, 5); the timed work is the fit, its CAR and CAAR frames and the default battery (17
tests on 21 days and 3 windows). The two sides' CARs are checked equal (1e-12) before timing.

Prints the minimum and the median of ``--repeat`` runs per side (wall seconds of the timed work,
imports and data generation excluded), the ratio head / base of the minima and the minimum CPU
seconds of each side. The engine may run the battery's tests and the fit's blocks on its own
threads (``EVENTSTUDY_THREADS``, default min(2, CPUs)); ``--threads 1`` times it serially. On a
machine shared with other work, compare the CPU columns too: extra threads only shorten the wall
time when cores are free.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from machine_speed import page_policy, yardstick, yardstick_around  # benchmarks/machine_speed.py

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import inspect, json, sys, time, warnings
sys.path.insert(0, sys.argv[1])
import numpy as np, pandas as pd
warnings.simplefilter("ignore")
import eventstudy
assert eventstudy.__file__.startswith(sys.argv[1]), eventstudy.__file__
try:
    from eventstudy.engine.study import EventStudy
    from eventstudy.engine.windows import EstimationWindow
except ImportError:  # the flat layout before the sub-packages
    from eventstudy.study import EventStudy
    from eventstudy.windows import EstimationWindow

n = int(sys.argv[2])
rng = np.random.default_rng(20240601)
idx = pd.bdate_range("2010-01-01", periods=3000)
mkt = pd.Series(rng.normal(0.0003, 0.01, 3000), index=idx, name="MKT")
beta = rng.uniform(0.5, 1.5, 400)
rets = pd.DataFrame(beta * mkt.to_numpy()[:, None] + rng.normal(0, 0.015, (3000, 400)),
                    index=idx, columns=[f"A{j:03d}" for j in range(400)])
asset = rng.integers(0, 400, n)
pos = rng.integers(270, 3000 - 15, n)
events = pd.DataFrame({"event_id": [f"ev{i:05d}" for i in range(n)],
                       "asset": rets.columns[asset], "day0": idx[pos]})
kw = dict(benchmark=mkt, estimation_window=EstimationWindow(250, -11), event_window=(-10, 10),
          car_windows=((-1, 1), (0, 0), (0, 5)))
lazy = "tests" not in inspect.signature(EventStudy.__init__).parameters

names = None if sys.argv[3] == "all" else sys.argv[3].split(",")

def work():
    res = EventStudy(rets, events, **kw).fit()
    res.car, res.caar
    tests = res.tests(names) if lazy else res.tests
    return res, tests

t0, c0 = time.perf_counter(), time.process_time()
res, tests = work()
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
car = pd.DataFrame(res.car).sort_values(["event_id", "window_start", "window_end"])["car"]
import resource
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mb": rss,
                  "car": car.to_numpy().tolist()[:2000], "n_tests": int(len(tests))}))
"""


def _run(tree: Path, n: int, tests: str, threads: int | None = None) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    if threads is not None:  # the engine's own pool (eventstudy.engine._parallel)
        env["EVENTSTUDY_THREADS"] = str(threads)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree), str(n), tests],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _export(rev: str, dest: Path) -> Path:
    """The tracked files of ``rev`` (``git archive``)."""
    blob = subprocess.run(["git", "-C", str(REPO), "archive", rev], check=True, capture_output=True)
    with tarfile.open(fileobj=BytesIO(blob.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run both sides alternately, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="2955c0c", help="commit to compare with")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tests", default="all", help="comma-separated battery tests, or all")
    parser.add_argument(
        "--threads", type=int, default=None, help="EVENTSTUDY_THREADS (default: the engine's)"
    )
    args = parser.parse_args(argv)
    before = yardstick()
    with tempfile.TemporaryDirectory() as tmp:
        base_tree = _export(args.base, Path(tmp) / "base")
        rows = []
        for n in args.sizes:
            times: dict[str, list[float]] = {"base": [], "head": []}
            cpus: dict[str, list[float]] = {"base": [], "head": []}
            rss: dict[str, float] = {}
            first = {
                side: _run(tree, n, args.tests, args.threads)
                for side, tree in (("base", base_tree), ("head", REPO))
            }
            if first["base"]["car"] != first["head"]["car"]:
                diff = max(
                    abs(a - b)
                    for a, b in zip(first["base"]["car"], first["head"]["car"], strict=True)
                )
                if diff > 1e-12:
                    raise SystemExit(f"N={n}: CARs differ between base and head by {diff:.3g}")
            for _ in range(args.repeat):
                for side, tree in (("base", base_tree), ("head", REPO)):
                    run = _run(tree, n, args.tests, args.threads)
                    times[side].append(run["seconds"])
                    cpus[side].append(run["cpu"])
                    rss[side] = max(rss.get(side, 0.0), run["rss_mb"])
            b, h = min(times["base"]), min(times["head"])
            rows.append(
                f"{n:>8,d} | {b:8.3f} {statistics.median(times['base']):8.3f} "
                f"{rss['base']:7.0f} | {h:8.3f} {statistics.median(times['head']):8.3f} "
                f"{rss['head']:7.0f} | {h / b:6.3f} | {min(cpus['base']):7.3f} "
                f"{min(cpus['head']):7.3f}"
            )
    what = "full battery" if args.tests == "all" else args.tests
    print(f"engine + {what}, base {args.base} vs this tree (1 BLAS thread, wall seconds)")
    print(
        f"{'N':>8} | {'base min':>8} {'median':>8} {'RSS MB':>7} | {'head min':>8} {'median':>8} "
        f"{'RSS MB':>7} | head/base | CPU base / head (min, s)"
    )
    print("\n".join(rows))
    print(
        f"min and median of {args.repeat} runs per side, alternating base and head; RSS: peak "
        "resident memory of the process (data, imports and the timed work); CPU: process "
        "seconds of the timed work (above wall when the engine's threads ran in parallel)"
    )
    print(yardstick_around(before))
    print(f"this tree's {page_policy()}")


if __name__ == "__main__":
    main()
