"""The offline switch and the fetch report's columns, without the fetchers' imports.

:func:`eventstudy.data.ensure.ensure_data` asks whether it may fetch before every run; the
fetchers (:mod:`eventstudy.data.fetch`, which imports ``requests``) are imported only when
something is fetched. :mod:`eventstudy.data.fetch` re-exports these names.
"""

from __future__ import annotations

import os

__all__ = ["OFFLINE_ENV", "REPORT_COLUMNS", "is_offline"]

OFFLINE_ENV = "EVENTSTUDY_OFFLINE"
REPORT_COLUMNS = ("kind", "key", "status", "rows", "added", "changed", "path", "note", "error")
"""Columns of a fetch report; see :func:`eventstudy.data.fetch.fetch_data`."""


def is_offline() -> bool:
    """True when ``EVENTSTUDY_OFFLINE`` is set to anything but ``""``, ``0``, ``false``, ``no``."""
    value = os.environ.get(OFFLINE_ENV, "").strip().lower()
    return value not in {"", "0", "false", "no"}
