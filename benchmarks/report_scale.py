"""How `eventstudy run` (the report job) grows with the catalog, step by step: 57 to 20,000 events.

Run: ``python benchmarks/report_scale.py`` (``--sizes 57 500 5000 20000``, ``--repeat 3``,
``--base 82918f9`` to time an earlier commit side by side, ``--no-real`` to leave out the
shipped catalog, ``--keep DIR`` to keep the synthetic data directories).

The workload (seeded, written to a temporary directory, never into the repository): a
synthetic data directory in the ``eventstudy-data/1`` layout with the files a run reads
(``manifest.json`` with every file's sha256; ``prices/GC=F.csv`` with volume and roll days,
``GLD``, ``ACWI``; FRED ``DTWEXBGS``, ``DFII10``; ``series/GPRD.csv``;
``polymarket/markets.csv`` and one ``t,p`` file per priced token, sampled daily at 00:00 UTC
from the market's creation to its close, a random walk in log-odds on a 0.001 tick with jumps
at its events) on the NYSE sessions of 2000-2026, and beside it a catalog of N events
(``events.csv``, ``market_orientation.csv`` and a ``claims.csv`` of every claim type, as the
shipped files are). Events come in bursts, as news does: ``min(N / 3, 400)`` burst heads at
random sessions of 2001-2026 (more would mask every estimation window), the other events the
same session or up to two after a head, 60 % with a clock time; each burst has two or three
markets (created 10 to 200 days before it, closing 1 to 120 days after it; one in eight
already closed, one in ten without price history) and each event links up to four of them
(one link in fifty is a slug not in ``markets.csv``); twice as many unlinked markets without
prices fill ``markets.csv``.

Each measurement is a fresh Python process (``MPLBACKEND=Agg``): the imports of
``eventstudy.report.compose``, then :func:`eventstudy.report.compose.run_report` with
``fetch_missing=False``, timed per step as the run announces them (``progress``). The shipped
catalog (``events.csv``, 61 events of which 57 have a date the data covers) runs on
``$EVENTSTUDY_DATA`` (else ``../shared/data/snapshot``) with ``fetch_missing=True``,
``offline=True``, as ``eventstudy run`` does. A cell is the minimum over ``--repeat`` runs of
that step's wall time, and the CPU time (this process and its figure workers) of that run;
``total`` is the minimum of the whole (imports included). With ``--base``, the two sides'
runs alternate (base, head, head, base, ...), and the head / base ratio of the total is also printed
as the median over adjacent pairs of runs, which a machine whose speed drifts during the
benchmark moves less than the ratio of minima. The growth exponent is the
least-squares slope of log(total wall) on log(N) over the synthetic sizes from 500 up. A base
side (``git archive`` of the commit, as ``versus_commit.py`` does) that exceeds
``--base-timeout`` seconds at a size is not run at larger sizes. The CSV tables the two sides
write are compared file by file (sha256); a difference is printed.

Both trees are timed as installed packages are: their modules compiled to bytecode first
(``compileall``; pip compiles a wheel's modules when it installs them). An editable install
under ``PYTHONDONTWRITEBYTECODE=1`` instead compiles the package's modules again in every run,
about 0.2 s more of the imports; ``--no-compile`` times that.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from catalog_scale import _exponent  # benchmarks/catalog_scale.py
from machine_speed import yardstick, yardstick_around  # benchmarks/machine_speed.py
from versus_commit import _export  # benchmarks/versus_commit.py

REPO = Path(__file__).resolve().parents[1]
SLOW_RUN = 60.0  # seconds: a side expected to take longer per run (linearly) is run once
END = pd.Timestamp("2026-02-20")
CATEGORIES = ("nato", "russia_ukraine", "middle_east", "trade", "gold_market", "latam")

STEPS = ("imports", "data", "catalog", "odds study", "gold study", "claims", "robustness",
         "data versions", "tables", "page", "figures")  # fmt: skip
"""The steps ``run_report`` announces, in order (``imports`` is the child's own; before
d0771a6 the gold study came first and robustness after it, before 3f38e60 ``figures`` (the
wait for the workers) came before ``page``)."""

CHILD = r"""
import json, os, resource, sys, time

def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

w0, c0 = time.perf_counter(), cpu()
tree, catalog, data_dir, out, fetch = sys.argv[1:6]
sys.path.insert(0, tree)
from eventstudy.report.compose import run_report
import eventstudy
assert eventstudy.__file__.startswith(tree), eventstudy.__file__
steps = [["imports", time.perf_counter() - w0, cpu() - c0]]
mark = [time.perf_counter(), cpu()]

def progress(name):
    if name.endswith(".png"):
        return
    now, c = time.perf_counter(), cpu()
    steps[-1][1:] = [steps[-1][1] + now - mark[0], steps[-1][2] + c - mark[1]]
    steps.append([name, 0.0, 0.0])
    mark[:] = [now, c]

import warnings
warnings.simplefilter("ignore")
run = run_report(catalog, data_dir, out, fetch_missing=fetch == "1", offline=True,
                 progress=progress)
progress("end")
steps.pop()
import hashlib, pathlib
tables = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
          for p in sorted(pathlib.Path(out).glob("*.csv")) if p.name != "data_versions.csv"}
studied = int((run.inputs.gold.events["status"] == "studied").sum())
pairs = 0 if run.inputs.odds is None else int(run.inputs.odds.details["slug"].count() / 3)
print(json.dumps({"steps": steps, "wall": time.perf_counter() - w0, "cpu": cpu() - c0,
                  "tables": tables, "studied": studied, "pairs": pairs,
                  "figures": len(run.figures)}))
"""


# --------------------------------------------------------------------------------------------
# the synthetic world
# --------------------------------------------------------------------------------------------


def _sessions() -> pd.DatetimeIndex:
    import exchange_calendars as xcals

    return xcals.get_calendar("XNYS", start="2000-01-03", end=END).sessions


def _write(root: Path, rel: str, frame: pd.DataFrame, files: dict) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = frame.to_csv(index=False, lineterminator="\n").encode()
    path.write_bytes(data)
    files[rel] = {
        "source": "synthetic (benchmarks/report_scale.py)",
        "rows": len(frame),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _prices(rng, dates: pd.DatetimeIndex, start: float, vol: float, volume: bool) -> pd.DataFrame:
    close = start * np.exp(np.cumsum(rng.normal(0.0002, vol, len(dates))))
    frame = pd.DataFrame(
        {
            "date": dates.strftime("%Y-%m-%d"),
            "open": close,
            "high": close * 1.004,
            "low": close * 0.996,
            "close": close,
        }
    )
    if volume:  # a thin contract, ten-fold jumps on the roll days of the odd months
        vol_ = rng.integers(30, 4000, len(dates)).astype(float)
        key = dates.year * 12 + dates.month
        third_last = np.flatnonzero(np.r_[key[1:] != key[:-1], True]) - 2
        roll = third_last[dates.month[third_last] % 2 == 1]
        vol_[roll] = rng.integers(20_000, 200_000, len(roll))
        frame["volume"] = vol_
    return frame.round(4)


def _markets(rng, heads: pd.DatetimeIndex, files: dict, root: Path) -> tuple[pd.DataFrame, list]:
    """markets.csv rows and each burst's linkable slugs; writes the priced tokens' odds."""
    rows, by_burst = [], []
    for b, head in enumerate(heads):
        slugs = []
        for k in range(int(rng.integers(2, 4))):
            slug = f"burst-{b}-market-{k}"
            created = head - pd.Timedelta(
                days=int(rng.integers(10, 200)), hours=int(rng.integers(24))
            )
            closed = head + pd.Timedelta(days=int(rng.integers(1, 120)), hours=15)
            if rng.random() < 0.125:
                closed = head - pd.Timedelta(days=int(rng.integers(1, 9)))
            priced = rng.random() >= 0.1
            yes, no = (str(10**40 + 2 * (100 * b + k)), str(10**40 + 2 * (100 * b + k) + 1))
            for outcome, token in (("Yes", yes), ("No", no)):
                rows.append(
                    {
                        "market_id": str(100 * b + k),
                        "slug": slug,
                        "question": f"Will burst {b} lead to outcome {k}?",
                        "event_slug": f"burst-{b}",
                        "condition_id": f"0x{b:08x}{k:04x}",
                        "outcome": outcome,
                        "token_id": token,
                        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "closed_at": closed.strftime("%Y-%m-%d %H:%M:%S+00"),
                        "volume_usd": float(rng.integers(1_000, 10**7)),
                        "neg_risk": False,
                        "has_prices": priced,
                    }
                )
            if priced:
                t = pd.date_range(
                    created.ceil("D"), min(closed, END + pd.Timedelta("2D")), freq="D", tz="UTC"
                )
                x = np.cumsum(rng.normal(0, 0.15, len(t))) + rng.normal(-1, 1.5)
                x[t >= head.tz_localize("UTC")] += rng.normal(0, 1.0)  # the burst moves it
                p = np.clip(np.round(1 / (1 + np.exp(-x)), 3), 0.001, 0.999)
                odds = pd.DataFrame({"t": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "p": p})
                _write(root, f"polymarket/prices/{yes}.csv", odds, files)
                odds = odds.assign(p=np.round(1 - p, 3))
                _write(root, f"polymarket/prices/{no}.csv", odds, files)
            slugs.append(slug)
        by_burst.append(slugs)
    for m in range(len(rows)):  # twice as many unlinked markets, without price history
        rows.append(
            {
                "market_id": f"9{m}",
                "slug": f"unlinked-{m}",
                "question": f"Unlinked {m}?",
                "event_slug": "",
                "condition_id": f"0xff{m:08x}",
                "outcome": "Yes",
                "token_id": str(10**50 + m),
                "created_at": "2024-01-01T00:00:00Z",
                "closed_at": "",
                "volume_usd": 10.0,
                "neg_risk": False,
                "has_prices": False,
            }
        )
    return pd.DataFrame(rows), by_burst


def synthetic_world(n: int, root: Path, seed: int = 0) -> Path:
    """Write the data directory (``root/data``) and the catalog (``root/catalog``) of the
    module docstring; returns the path of ``events.csv``."""
    rng = np.random.default_rng(seed)
    data, files = root / "data", {}
    sessions = _sessions()
    gold = _prices(np.random.default_rng(1), sessions, 280.0, 0.011, volume=True)
    _write(data, "prices/GC=F.csv", gold, files)
    gld = (
        gold.drop(columns="volume")
        .assign(**{c: gold[c] / 10 for c in ("open", "high", "low", "close")})
        .round(4)
    )
    _write(data, "prices/GLD.csv", gld, files)
    _write(
        data,
        "prices/ACWI.csv",
        _prices(np.random.default_rng(2), sessions, 40.0, 0.01, volume=False),
        files,
    )
    fred = sessions[np.random.default_rng(3).random(len(sessions)) > 0.01]
    for name, level, step in (("DTWEXBGS", 100.0, 0.003), ("DFII10", 1.0, 0.04)):
        r = np.random.default_rng(len(name))
        values = (
            level * np.exp(np.cumsum(r.normal(0, step, len(fred))))
            if name == "DTWEXBGS"
            else level + np.cumsum(r.normal(0, step, len(fred)))
        )
        _write(
            data,
            f"series/{name}.csv",
            pd.DataFrame({"date": fred.strftime("%Y-%m-%d"), "value": values.round(4)}),
            files,
        )
    days = pd.date_range("2000-01-01", END, freq="D")
    gprd = 100 * np.exp(np.random.default_rng(4).normal(0, 0.3, len(days)))
    _write(
        data,
        "series/GPRD.csv",
        pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "value": gprd.round(2)}),
        files,
    )
    # bursts of events
    first = sessions.searchsorted(pd.Timestamp("2001-06-01"))
    n_heads = max(1, min(n // 3, 400))
    heads = np.sort(rng.choice(np.arange(first, len(sessions) - 10), n_heads, replace=False))
    burst = np.concatenate([np.arange(n_heads), rng.integers(0, n_heads, n - n_heads)])
    pos = heads[burst] + np.where(np.arange(n) < n_heads, 0, rng.integers(0, 3, n))
    markets, by_burst = _markets(rng, sessions[heads] + pd.Timedelta("12h"), files, data)
    _write(data, "polymarket/markets.csv", markets, files)
    manifest = {
        "format": "eventstudy-data/1",
        "created": "2026-02-21",
        "description": "synthetic (benchmarks/report_scale.py)",
        "files": files,
    }
    (data / "manifest.json").write_text(json.dumps(manifest, indent=1))
    timed = rng.random(n) < 0.6
    links = []
    for b in burst:
        k = int(rng.integers(0, 5))
        chosen = list(rng.choice(by_burst[b], min(k, len(by_burst[b])), replace=False))
        if k and rng.random() < 0.02:
            chosen.append(f"not-listed-{b}")
        links.append(" ".join(chosen))
    ids = [f"ev_{i:06d}" for i in range(n)]
    events = pd.DataFrame(
        {
            "event_id": ids,
            "date": sessions[pos].strftime("%Y-%m-%d"),
            "time": np.where(
                timed,
                [
                    f"{h:02d}:{m:02d}"
                    for h, m in zip(rng.integers(0, 24, n), rng.integers(0, 60, n), strict=True)
                ],
                "",
            ),
            "tz": "America/New_York",
            "day_basis": np.where(timed, "time", "no_time_assume_before_cutoffs"),
            "title": [f"Synthetic event {i}" for i in range(n)],
            "title_ja": [f"合成イベント{i}" for i in range(n)],
            "category": rng.choice(CATEGORIES, n),
            "gold_direction": rng.choice(["up", "down", "none"], n, p=[0.45, 0.2, 0.35]),
            "date_confidence": "high",
            "time_confidence": np.where(timed, "medium", "unknown"),
            "polymarket": links,
            "description": "synthetic",
            "sources": "https://example.org/",
        }
    )
    cat = root / "catalog"
    cat.mkdir(parents=True, exist_ok=True)
    events.to_csv(cat / "events.csv", index=False, lineterminator="\n")
    slugs = sorted({s for link in links for s in link.split()})
    sides = rng.choice(["more_risk", "less_risk"], len(slugs))
    pd.DataFrame({"slug": slugs, "yes_means": sides, "rationale": "synthetic"}).to_csv(
        cat / "market_orientation.csv", index=False, lineterminator="\n"
    )
    _claims(events, links, cat / "claims.csv")
    return cat / "events.csv"


def _claims(events: pd.DataFrame, links: list[str], path: Path) -> None:
    """One claim of each type (two gold event effects), as ``claims.csv`` holds them."""
    from eventstudy.claims.spec import COLUMNS

    linked = next(i for i, link in enumerate(links) if link and not link.startswith("not-"))
    first, other = events["event_id"].iloc[0], events["event_id"].iloc[linked]
    gold = {"series": "GC=F", "expected": "up", "window": "-1:1"}
    rows = [
        {"claim_id": "gold_tops", "type": "threshold", "series": "GC=F GLD", "level": 2000,
         "expected": "above", "end": "2026-01-31", "basis": "close", "sensitivity": "1M 6M"},
        {"claim_id": "gpr_drives_gold", "type": "association", "series": "GC=F series:GPRD",
         "expected": "up", "start": "2024-02-01", "end": "2025-12-31"},
        {"claim_id": "up_events_raise_gold", "type": "event_effect", "events": "gold_direction:up",
         **gold},
        {"claim_id": "first_event_raised_gold", "type": "event_effect", "events": first, **gold},
        {"claim_id": "gpr_shift", "type": "shift", "series": "series:GPRD", "expected": "up",
         "start": "2025-02-18", "end": "2025-05-18", "baseline": "2024-11-20"},
        {"claim_id": "odds_moved", "type": "event_effect", "events": other, "expected": "any",
         "series": f"polymarket:{links[linked].split()[0]}", "window": "3D",
         "sensitivity": "1D 7D"},
    ]  # fmt: skip
    frame = pd.DataFrame(rows).reindex(columns=list(COLUMNS)).astype(object).fillna("")
    frame = frame.assign(text="synthetic claim", source="benchmarks/report_scale.py",
                         made_on="2025-01-15", alpha=0.05)  # fmt: skip
    frame.to_csv(path, index=False, lineterminator="\n")


# --------------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------------


def _measure(tree: Path, catalog: Path, data_dir: Path, fetch: bool, timeout: float | None):
    env = dict(os.environ, MPLBACKEND="Agg")
    with tempfile.TemporaryDirectory() as tmp:
        args = [
            sys.executable,
            "-c",
            CHILD,
            str(tree),
            str(catalog),
            str(data_dir),
            str(Path(tmp) / "report"),
            "1" if fetch else "0",
        ]
        try:
            out = subprocess.run(
                args, check=True, capture_output=True, text=True, env=env, timeout=timeout, cwd=REPO
            )
        except subprocess.TimeoutExpired:
            return None
        except subprocess.CalledProcessError as exc:
            raise SystemExit(f"{tree} failed on {catalog}:\n{exc.stderr[-3000:]}") from exc
    return json.loads(out.stdout.strip().splitlines()[-1])


def _compile(tree: Path) -> None:
    """Compile the package of ``tree`` to bytecode (``__pycache__``, ignored by git)."""
    done = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(tree / "eventstudy")],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"compileall failed on {tree}:\n{done.stdout}{done.stderr}")


def _best(runs: list[dict]) -> dict:
    """Per step the run with the least wall time for it (its CPU alongside); total likewise."""
    names = [s[0] for s in runs[0]["steps"]]
    steps = {}
    for i, name in enumerate(names):
        walls = [(r["steps"][i][1], r["steps"][i][2]) for r in runs if len(r["steps"]) > i]
        steps[name] = min(walls)
    total = min((r["wall"], r["cpu"]) for r in runs)
    return {**runs[0], "steps": steps, "total": total}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[57, 500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--base", default=None, help="an earlier commit to time side by side")
    parser.add_argument("--base-timeout", type=float, default=600.0)
    parser.add_argument("--no-real", action="store_true", help="leave out the shipped catalog")
    parser.add_argument("--keep", default=None, help="write the synthetic worlds here")
    parser.add_argument(
        "--no-compile", action="store_true", help="do not compile the trees' modules first"
    )
    args = parser.parse_args(argv)
    snapshot = Path(os.environ.get("EVENTSTUDY_DATA") or REPO.parent / "shared/data/snapshot")
    before = yardstick()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        sides = {"this tree": REPO}
        if args.base:
            sides = {f"base {args.base}": _export(args.base, Path(tmp) / "base"), **sides}
        if not args.no_compile:
            for tree in sides.values():
                _compile(tree)
        cases = [(f"{n:,d}", n, synthetic_world(n, work / f"n{n}"), None) for n in args.sizes]
        if not args.no_real and snapshot.is_dir():
            cases.append(("events.csv", None, REPO / "events.csv", snapshot))
        results: dict[str, dict[str, dict | None]] = {name: {} for name in sides}
        pairs: dict[str, list[tuple[float, ...]]] = {}
        for label, n, catalog, data in cases:
            data = data or catalog.parent.parent / "data"
            runs = _alternate(args, sides, results, n, (catalog, data, data is snapshot))
            for name, side_runs in runs.items():
                results[name][label] = _best(side_runs) | {"n": n or 57} if side_runs else None
            if len(runs) == 2:
                pairs[label] = _ratios(*runs.values())
            print(f"{label}: done", file=sys.stderr)
    _print(args, cases, results)
    print(yardstick_around(before))
    for label, ratios in pairs.items():
        if ratios:
            wall, cpu = (float(np.median(r)) for r in zip(*ratios, strict=True))
            print(f"{label}: head / base total, median of {len(ratios)} adjacent pairs: "
                  f"wall {wall:.3f}, CPU {cpu:.3f}")  # fmt: skip


def _alternate(args, sides: dict, results: dict, n: int | None, where: tuple) -> dict:
    """``--repeat`` runs of each side on one catalog, alternating (base, head, head, base, ...)
    so that a slower or faster moment of the machine hits both sides alike.

    A side that timed out at a smaller size is not run (no entry); a side expected to take
    over ``SLOW_RUN`` seconds runs once; a side that times out stops.
    """
    catalog, data, fetch = where
    repeats: dict[str, int] = {}
    for name in sides:
        done = [r for r in results[name].values() if r]
        if n is not None and any(v is None for v in results[name].values()):
            results[name][f"{n:,d}"] = None  # timed out at a smaller size
            continue
        slow = n is not None and bool(done) and done[-1]["total"][0] * n / done[-1]["n"] > SLOW_RUN
        repeats[name] = 1 if slow else args.repeat
    runs: dict[str, list[dict]] = {name: [] for name in repeats}
    stopped: set[str] = set()
    for i in range(max(repeats.values(), default=0)):
        for name in list(repeats) if i % 2 == 0 else list(repeats)[::-1]:  # ABBA: drift cancels
            if i >= repeats[name] or name in stopped:
                continue
            timeout = args.base_timeout if name.startswith("base") else None
            run = _measure(sides[name], catalog, data, fetch, timeout)
            if run is None:
                stopped.add(name)
            else:
                runs[name].append(run)
    return runs


def _ratios(base: list[dict], head: list[dict]) -> list[tuple[float, float]]:
    """Head / base of total wall and CPU time for each pair of runs made one after the other."""
    return [(h["wall"] / b["wall"], h["cpu"] / b["cpu"]) for b, h in zip(base, head, strict=False)]


def _print(args, cases, results) -> None:
    labels = [c[0] for c in cases]
    print(
        f"eventstudy run (run_report) per step: wall s (CPU s), min of {args.repeat} fresh "
        f"processes (1 where a run is expected to exceed {SLOW_RUN:.0f} s)"
    )
    for name, row in results.items():
        print(f"\n{name}")
        print(f"{'step':>14} | " + " | ".join(f"{lab:>15}" for lab in labels))
        seen = [s for r in row.values() if r for s in r["steps"]]
        steps = [s for s in STEPS if s in seen] + [s for s in dict.fromkeys(seen) if s not in STEPS]
        for step in [*steps, "total"]:
            cells = []
            for lab in labels:
                r = row.get(lab)
                if r is None:
                    cells.append(f"{'> ' + format(args.base_timeout, '.0f') + ' s':>15}")
                    continue
                w, c = r["total"] if step == "total" else r["steps"].get(step, (math.nan,) * 2)
                cells.append(f"{w:7.2f} ({c:5.2f})" if not math.isnan(w) else f"{'-':>15}")
            print(f"{step:>14} | " + " | ".join(cells))
        sizes = [c[1] for c in cases if c[1] is not None and row.get(c[0])]
        walls = [row[f"{n:,d}"]["total"][0] for n in sizes]
        print(
            f"{'exponent':>14} | {_exponent(sizes, walls):6.2f}  (slope of log total wall on "
            "log N, synthetic N >= 500)"
        )
        facts = [
            f"{lab}: {r['studied']} gold units, {r['pairs']} event-market pairs, "
            f"{r['figures']} figures"
            for lab, r in row.items()
            if r
        ]
        print("    " + "; ".join(facts))
    if len(results) == 2:
        base, head = results.values()
        for lab in labels:
            if base.get(lab) and head.get(lab):
                old, new = base[lab]["tables"], head[lab]["tables"]
                differ = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
                same = "identical on both sides"
                print(f"{lab}: tables " + (f"differ: {', '.join(differ)}" if differ else same))


if __name__ == "__main__":
    main()
