"""Claims runs whose ``claims.csv`` tables pin the claims' English sentences byte for byte.

:func:`claims_tables` runs the repository's claims, and a few more that write the other
sentences (a threshold not reached, intraday; a level; two gold events and Stouffer; the
'down' group), on the snapshot, and the repository's claims on data directories that miss
files (every ``no data`` sentence). ``tests/reference/claims_reasons/`` holds the tables the
code before the sentences were named templates wrote (its README says how they were made).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd

EXTRA_CLAIMS = (
    "gold_below_2000,Gold falls to $2000,test,2025-02-18,threshold,GC=F GLD,below,2000,,,"
    "2025-05-18,,,,intraday,1M,0.05,\n"
    "gpr_near_150,GPRD near 150,test,2025-02-18,level,series:GPRD,within,150,20,2025-02-18,"
    "2025-05-18,,,,mean,,0.05,\n"
    "two_gold_events,Two events raise gold,test,2025-02-18,event_effect,GC=F,up,,,,,,"
    "vance_munich_speech oval_office_clash,-1:1,,,0.05,\n"
    "down_events_lower_gold,Calming events lower gold,test,2025-02-18,event_effect,GC=F,down,"
    ",,,,,gold_direction:down,-1:1,,,0.05,\n"
)
"""Claims beside the repository's that write the sentences it does not."""

SCENARIOS = ("snapshot", "empty", "gold_only", "short_gold")
"""The runs: the snapshot (with :data:`EXTRA_CLAIMS`), an empty data directory, GC=F alone
(the gold study's benchmark missing), GC=F ending on 2025-03-10 (the horizon not covered)."""


def claims_tables(repo_root: Path, snapshot_dir: Path, work: Path) -> dict[str, str]:
    """Each scenario's ``claims.csv`` text, its data directory written ``<data_dir>``."""
    from eventstudy.claims import claims_table, load_claims, run_claims
    from eventstudy.data.catalog import load_events
    from eventstudy.data.writer import write_csv_atomic

    events = load_events(repo_root / "events.csv")
    text = (repo_root / "claims.csv").read_text(encoding="utf-8")
    (work / "claims.csv").write_text(text.rstrip("\n") + "\n" + EXTRA_CLAIMS, encoding="utf-8")
    every = load_claims(work / "claims.csv", events)
    shipped = load_claims(repo_root / "claims.csv", events)
    gc = pd.read_csv(snapshot_dir / "prices" / "GC=F.csv", dtype=str)
    out = {}
    for name in SCENARIOS:
        root = work / name
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir()
        claims = shipped
        if name == "snapshot":
            root, claims = snapshot_dir, every
        elif name == "gold_only":
            write_csv_atomic(gc, "prices/GC=F.csv", root, source="test copy of the snapshot")
        elif name == "short_gold":
            short = gc[gc["date"] <= "2025-03-10"]
            write_csv_atomic(short, "prices/GC=F.csv", root, source="test copy of the snapshot")
        table = claims_table(run_claims(claims, events, root, n_boot=50))
        buffer = io.StringIO()
        table.drop(columns="data_files").to_csv(buffer, index=False, lineterminator="\n")
        out[name] = buffer.getvalue().replace(str(root), "<data_dir>")
    return out
