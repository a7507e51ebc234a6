"""Start-up: ``import eventstudy``, ``eventstudy --help`` and the first use of the API.

Run: ``python benchmarks/startup.py`` (``--repeat 10``). Each measurement is a fresh Python
process (``python -X importtime`` is not used: it slows imports down); the cell is the minimum
wall time of ``--repeat`` processes, the interpreter's own start (``python -c pass``) shown
first so that the rest can be read as increments. Also lists which heavy packages each step
loads.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from machine_speed import yardstick, yardstick_around  # benchmarks/machine_speed.py

HEAVY = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "requests", "arch")

STEPS = {
    "python -c pass": "pass",
    "import eventstudy": "import eventstudy",
    "eventstudy --help (parser)": (
        "from eventstudy.cli import build_parser; build_parser().format_help()"
    ),
    "eventstudy.EventStudy (engine)": "import eventstudy; eventstudy.EventStudy",
    "eventstudy.gold_event_study": "import eventstudy; eventstudy.gold_event_study",
    "eventstudy.run_report": "import eventstudy; eventstudy.run_report",
}


def _child(code: str) -> dict:
    report = f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    probe = f"import sys, json\n{code}\n{report}"
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return {"wall": time.perf_counter() - t0, "loaded": json.loads(out.stdout.splitlines()[-1])}


def _cli(repeat: int) -> float:
    exe = [sys.executable, "-m", "eventstudy", "--help"]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(exe, capture_output=True, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    before = yardstick()
    print(f"{'step (fresh process)':<32} {'wall s':>7}  heavy packages loaded")
    for name, code in STEPS.items():
        runs = [_child(code) for _ in range(args.repeat)]
        best = min(r["wall"] for r in runs)
        print(f"{name:<32} {best:7.3f}  {', '.join(runs[-1]['loaded']) or '-'}")
    print(f"{'python -m eventstudy --help':<32} {_cli(args.repeat):7.3f}")
    print(f"min of {args.repeat} processes each; targets: import eventstudy < 0.3 s, --help fast")
    print(yardstick_around(before))


if __name__ == "__main__":
    main()
