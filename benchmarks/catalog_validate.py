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
seconds, without a data directory; the same command auditing the catalog's market links
against the data directory (``$EVENTSTUDY_DATA``, else ``../shared/data/snapshot``; ``-``
without one), wall seconds (the repeated shipped rows link markets the snapshot has no
prices for: a warning line each); peak MB (tracemalloc) of the UTF-8 run; problems found
(0 and 1 expected). Goal (issue 16): 100,000 rows in under 2 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from machine_speed import yardstick, yardstick_around  # benchmarks/machine_speed.py

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


def cli_time(path: Path, data_dir: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of ``eventstudy validate path`` in a new process.

    With ``data_dir`` the command also audits the catalog's market links against it (and
    prints a warning line for each link that cannot give an odds shift); without it, it is
    given a directory that does not exist, so no link is audited.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [
        sys.executable,
        "-c",
        "import sys; from eventstudy.cli import main; sys.exit(main())",
    ]
    where = str(data_dir) if data_dir is not None else str(path.parent / "no-data-here")
    subprocess.run(
        [*command, "validate", "--data-dir", where, str(path)], check=True, capture_output=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    before = yardstick()
    data_dir = Path(os.environ.get("EVENTSTUDY_DATA") or REPO.parent / "shared/data/snapshot")
    links = data_dir if (data_dir / "polymarket" / "markets.csv").is_file() else None
    print(
        f"{'rows':>8} {'utf8_s':>8} {'cp932_s':>8} {'utf8_cpu':>8} {'cli_s':>8} {'cli_cpu':>8} "
        f"{'links_s':>8} {'peak_MB':>8} {'problems':>9}"
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
            t_links = min(cli_time(utf8, links)[0] for _ in range(args.repeat)) if links else None
            tracemalloc.start()
            check_events(utf8)
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            print(
                f"{n:>8} {t_utf8:>8.2f} {t_cp932:>8.2f} {cpu_utf8:>8.2f} {t_cli:>8.2f} "
                f"{cpu_cli:>8.2f} {format(t_links, '8.2f') if links else '-':>8} {peak:>8.0f} "
                f"{p_utf8:>4}/{p_cp932}"
            )
    print(yardstick_around(before))


if __name__ == "__main__":
    main()
