"""Shared by the catalog tests: a valid row and a writer of catalog text."""

from __future__ import annotations

import csv
import io

from eventstudy.data.catalog import COLUMNS

BASE = {
    "event_id": "sample_event",
    "date": "2025-02-18",
    "time": "12:00",
    "tz": "America/New_York",
    "day_basis": "time",
    "title": "Sample event",
    "title_ja": "サンプル",
    "category": "nato",
    "gold_direction": "up",
    "date_confidence": "high",
    "time_confidence": "low",
    "polymarket": "will-us-leave-nato-by-june-30",
    "description": "A test row.",
    "sources": "https://example.com/a",
}
"""A valid row; tests change one cell at a time."""


def csv_text(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    """Catalog text (``\\n`` line ends) with ``header`` (default every column in order)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = list(COLUMNS) if header is None else header
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return out.getvalue()
