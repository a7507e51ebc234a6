"""For tests that an object is freed by reference counting alone (no reference cycle)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_off() -> Iterator[None]:
    """Run the block with Python's cycle collector disabled (restored after)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
