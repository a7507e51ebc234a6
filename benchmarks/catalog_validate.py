"""Catalog benchmark: ``check_events`` (what ``eventstudy validate`` runs) on large catalogs.

Run: ``python benchmarks/catalog_validate.py`` (``--sizes 1000 10000 100000``).

Catalogs are built from the shipped ``events.csv``: its rows repeated with unique event ids
(``<event_id>_<n>``), so the text (Japanese titles, long descriptions, several URLs and
slugs) is what analysts write. A CP932 copy of each size is timed too: Japanese Excel's
default save, which must give one encoding problem quickly.

Columns: rows; wall-clock seconds (best of ``--repeat``) of ``check_events`` for the UTF-8
catalog and for the CP932 copy; CPU seconds of the UTF-8 run (``time.process_time``: what the
run costs when other processes share the cores); the whole ``eventstudy validate`` command on
the UTF-8 catalog in a fresh process (Python start-up and imports included), wall and CPU
seconds; peak MB (tracemalloc) of the UTF-8 run; problems found (0 and 1 expected). Goal
(issue 16): 100,000 rows in under 2 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from eventstudy.data.catalog import check_events

REPO = Path(__file__).resolve().parents[1]


def build_catalog(n_rows: int) -> str:
    """The shipped catalog's rows repeated to ``n_rows`` rows with unique event ids."""
    rows = list(csv.reader(io.StringIO((REPO / "events.csv").read_text(encoding="utf-8-sig"))))
    header, body = rows[0], rows[1:]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i in range(n_rows):
        row = list(body[i % len(body)])
        row[0] = f"{row[0][:40]}_{i}"
        writer.writerow(row)
    return out.getvalue()


def best_time(path: Path, repeat: int) -> tuple[float, float, int]:
    """Best wall-clock and CPU seconds of ``check_events(path)``, and its problem count."""
    best, best_cpu, found = float("inf"), float("inf"), -1
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        found = len(check_events(path))
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best, best_cpu, found


def cli_time(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``eventstudy validate path`` in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [
        sys.executable,
        "-c",
        "import sys; from eventstudy.cli import main; sys.exit(main())",
    ]
    subprocess.run([*command, "validate", str(path)], check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'rows':>8} {'utf8_s':>8} {'cp932_s':>8} {'utf8_cpu':>8} {'cli_s':>8} {'cli_cpu':>8} "
        f"{'peak_MB':>8} {'problems':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            text = build_catalog(n)
            utf8 = Path(tmp) / f"events_{n}.csv"
            utf8.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
            cp932 = Path(tmp) / f"events_{n}_cp932.csv"
            cp932.write_bytes(text.encode("cp932", errors="replace"))
            t_utf8, cpu_utf8, p_utf8 = best_time(utf8, args.repeat)
            t_cp932, _, p_cp932 = best_time(cp932, args.repeat)
            t_cli, cpu_cli = min(cli_time(utf8) for _ in range(args.repeat))
            tracemalloc.start()
            check_events(utf8)
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            print(
                f"{n:>8} {t_utf8:>8.2f} {t_cp932:>8.2f} {cpu_utf8:>8.2f} {t_cli:>8.2f} "
                f"{cpu_cli:>8.2f} {peak:>8.0f} "
                f"{p_utf8:>4}/{p_cp932}"
            )


if __name__ == "__main__":
    main()
