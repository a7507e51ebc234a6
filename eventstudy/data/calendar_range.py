"""The span of dates the trading calendars cover.

One place for :mod:`~eventstudy.data.day0` (which builds the calendars) and
:mod:`~eventstudy.data.catalog` (which refuses event dates the calendars cannot place). Kept
free of heavy imports so ``eventstudy validate`` stays fast.
"""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["CALENDAR_END", "CALENDAR_START", "EVENT_DATE_MAX", "EVENT_DATE_MIN"]

CALENDAR_START = "2000-01-01"
"""First date of every calendar (events before it have no day 0)."""
CALENDAR_END = "2027-12-31"
"""Last date of every calendar (events after the last strike have no day 0)."""

_MARGIN = timedelta(days=7)
EVENT_DATE_MIN = date.fromisoformat(CALENDAR_START) + _MARGIN
"""First event date the catalog accepts: a week inside the calendars, so that an event late
in the evening in a zone far west of UTC, or early in one far east, still falls on a day
every calendar covers."""
EVENT_DATE_MAX = date.fromisoformat(CALENDAR_END) - _MARGIN
"""Last event date the catalog accepts: a week before the calendars end, so every event has
a trading date after it (year-end holidays included) on which day 0 can fall."""
