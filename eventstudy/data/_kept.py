"""What a process built from a file's content, kept for the next reader of the same bytes.

A run reads some files more than once (the data check before it, then the analyses, then the
claims): :class:`KeptValues` keeps what was built from them, keyed by the caller (path and
sha256 of the bytes, so an edited file is built again), for the most recently used keys.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["KeptValues"]

_Value = TypeVar("_Value")


class KeptValues(Generic[_Value]):
    """The values of the ``size`` most recently used keys, each computed once (thread-safe).

    Parameters
    ----------
    size : int
        Keys kept; the least recently used goes first.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, _Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], _Value]) -> _Value:
        """The value kept for ``key``, computed by ``compute()`` and kept first if absent.

        ``compute`` runs outside the lock; what raises is not kept (raised again next time).
        """
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
        if value is None:
            value = compute()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
        return value
