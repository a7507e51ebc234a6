"""CPU time of the report's figures, one by one: what the figure workers of `eventstudy run` spend.

Run: ``python benchmarks/figures.py`` (``--repeat 5``, ``--catalog events.csv``,
``--data-dir DIR`` (default ``$EVENTSTUDY_DATA``, else ``../shared/data/snapshot``),
``--inputs FILE`` to keep or reuse the analyses' pickled results, ``--base COMMIT`` to time an
earlier commit's plotting on the same inputs, side by side, runs alternating).

The analyses run once (in this process, as ``eventstudy run`` runs them); their results, per
report part, are pickled to a temporary file. Each measurement is then a fresh Python process
(``MPLBACKEND=Agg``) that imports what a figure worker imports before its first figure
(``warm up``: the worker's own import step, in the CPU time of that process; then
``gc.freeze()`` where that tree's workers call it), then builds the
figure jobs and draws every figure into a temporary directory, serially, timing each with
``time.process_time``. A cell is the minimum over ``--repeat`` runs. The machine may be shared:
CPU time, not wall time, is what is compared.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, pickle, sys, tempfile, time
from pathlib import Path
tree, inputs = sys.argv[1:3]
sys.path.insert(0, tree)
c0 = time.process_time()
from eventstudy.report import drawing, figures
import eventstudy
assert eventstudy.__file__.startswith(tree), eventstudy.__file__
for module in drawing.RESULT_MODULES:
    __import__(module)
c1 = time.process_time()
drawing._warm_up()
import gc, inspect
if "gc.freeze()" in inspect.getsource(drawing._serve):  # as that tree's workers do
    gc.freeze()
c2 = time.process_time()
parts = pickle.loads(Path(inputs).read_bytes())
if "association" not in figures.PARTS:  # a tree before d0771a6: the odds part drew it
    parts["odds"] = {**parts["odds"], **parts.pop("association")}
cells = {"package imports": c1 - c0, "warm up": c2 - c1}
with tempfile.TemporaryDirectory() as out:
    for part in figures.PARTS:
        for job in figures.part_jobs(part, parts[part], "en", False):
            t = time.process_time()
            figures._draw(job, Path(out))
            cells[job.figure.name] = time.process_time() - t
print(json.dumps(cells))
"""


def _inputs(catalog: str, data_dir: str, path: Path) -> None:
    """Run the analyses and pickle their results per part into ``path``."""
    sys.path.insert(0, str(REPO))
    from eventstudy.report.analyses import run_analyses
    from eventstudy.report.figures import part_results

    inputs = run_analyses(catalog, data_dir)
    path.write_bytes(pickle.dumps(part_results(inputs), protocol=pickle.HIGHEST_PROTOCOL))


def _export(commit: str, into: Path) -> Path:
    """The package of ``commit`` (``git archive``) in ``into``."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "eventstudy"],
                             check=True, capture_output=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _measure(tree: Path, inputs: Path) -> dict[str, float]:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(tree)}
    run = subprocess.run([sys.executable, "-c", CHILD, str(tree), str(inputs)], env=env,
                         check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(run.stdout.strip().splitlines()[-1])


def _table(sides: dict[str, list[dict[str, float]]]) -> str:
    """Minimum CPU per row and side; a figure one side does not draw is ``-`` (e.g. a base
    that drew each CAR path as its own figure), counted as 0 in the totals."""
    names = list(dict.fromkeys(n for runs in sides.values() for n in runs[0]))
    best = {side: {n: min(r[n] for r in runs) for n in runs[0]} for side, runs in sides.items()}
    lines = [f"{'CPU (ms, min)':40s}" + "".join(f"{side:>12s}" for side in sides)]
    figures = [n for n in names if n.endswith(".png")]
    for n in names:
        cells = (f"{1000 * best[s][n]:12.0f}" if n in best[s] else f"{'-':>12s}" for s in sides)
        lines.append(f"{n:40s}" + "".join(cells))
    for label, keys in (("figures", figures), ("warm up + figures", ["warm up", *figures])):
        total = "".join(f"{1000 * sum(best[s].get(n, 0.0) for n in keys):12.0f}" for s in sides)
        lines.append(f"{label:40s}" + total)
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, run the analyses once, time the figures, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--catalog", default=str(REPO / "events.csv"))
    default_data = os.environ.get("EVENTSTUDY_DATA", str(REPO.parent / "shared/data/snapshot"))
    parser.add_argument("--data-dir", default=default_data)
    parser.add_argument("--inputs", type=Path, help="pickled results: reused if present")
    parser.add_argument("--base", help="also time this commit's figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = args.inputs or Path(tmp) / "inputs.pickle"
        if not inputs.exists():
            _inputs(args.catalog, args.data_dir, inputs)
        trees = {"work tree": REPO}
        if args.base:
            trees = {args.base[:10]: _export(args.base, Path(tmp)), **trees}
        sides: dict[str, list[dict[str, float]]] = {side: [] for side in trees}
        for _ in range(args.repeat):  # alternating: a busy moment hits both sides
            for side, tree in trees.items():
                sides[side].append(_measure(tree, inputs))
        print(_table(sides))


if __name__ == "__main__":
    main()
