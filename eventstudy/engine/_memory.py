"""Small memory pages for the engine's large arrays where huge pages cost more than they save.

On Linux (kernel 4.6 or later) numpy asks for transparent huge pages (2 MiB on x86-64) for
every array of 4 MiB or more (``madvise(MADV_HUGEPAGE)``; a user's
``NUMPY_MADVISE_HUGEPAGE=0`` switches that off). Where memory stays mapped that saves page
faults. A virtual machine whose balloon device reports free memory to its host (virtio-balloon
*free page reporting*, as some Firecracker guests do, among them the machines this project is
timed on) hands back free blocks of huge-page size; the likely cost is that a huge page given
to a fresh array is memory the host must map again, while small pages are served from memory
freed a moment before. Measured on such a 2-core guest (full battery at 100,000 events,
``benchmarks/versus_commit.py`` against the commit before): the kernel time of the fit and the
battery halves and the wall time drops by 8-14 %; the kernel counted no compaction stalls, so
it is not the kernel compacting memory for huge pages.

:func:`small_pages` wraps the engine's large work (a study's fit, the test battery, the
covariance blocks of CAR windows): inside it numpy's huge-page request is off, and numpy's own
setting is restored when the last caller leaves. numpy's setting is one per process: while the
engine's work runs, other threads' large arrays get small pages too, and a change a user makes
to it meanwhile is undone when the engine restores it. No number depends on the page size;
only the kernel's work differs.

``EVENTSTUDY_HUGEPAGES`` chooses, read at each call:

* ``auto`` (default): small pages only where the guest reports free pages to its host;
* ``numpy``: leave numpy's setting alone;
* ``off``: small pages inside the engine's large work on any machine.

A ``NUMPY_MADVISE_HUGEPAGE`` the user set always wins: then the engine changes nothing.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

#: Environment variable choosing the engine's page policy.
HUGEPAGES_ENV = "EVENTSTUDY_HUGEPAGES"

#: Accepted values of :data:`HUGEPAGES_ENV`.
HUGEPAGE_POLICIES = ("auto", "numpy", "off")

#: Where Linux lists the devices bound to the virtio balloon driver.
BALLOON_DRIVER = Path("/sys/bus/virtio/drivers/virtio_balloon")

#: Feature bit of free page reporting in a virtio device's ``features`` string
#: (``VIRTIO_BALLOON_F_REPORTING``, virtio 1.2 section 5.5.3).
_REPORTING_BIT = 5

_lock = threading.Lock()
_depth = 0
_saved: bool | None = None


def policy() -> str:
    """The page policy: ``$EVENTSTUDY_HUGEPAGES`` (default ``"auto"``).

    Raises
    ------
    ValueError
        ``EVENTSTUDY_HUGEPAGES`` is set to something other than ``auto``, ``numpy``, ``off``.
    """
    value = os.environ.get(HUGEPAGES_ENV, "").strip().lower() or "auto"
    if value not in HUGEPAGE_POLICIES:
        raise ValueError(
            f"{HUGEPAGES_ENV}={os.environ[HUGEPAGES_ENV]!r}: expected one of "
            + ", ".join(HUGEPAGE_POLICIES)
        )
    return value


def reports_free_pages(driver: Path | None = None) -> bool:
    """Return True when a virtio balloon device of this machine has free page reporting on.

    Reads the ``features`` string (one ``0``/``1`` per feature bit, bit 0 first) of every
    device bound to the balloon driver (``driver``, default :data:`BALLOON_DRIVER`); False
    where there is none (bare metal, other hypervisors, not Linux) or it cannot be read.
    Read once per driver directory.
    """
    return _reports_free_pages_cached(str(BALLOON_DRIVER if driver is None else driver))


@functools.lru_cache(maxsize=4)
def _reports_free_pages_cached(driver: str) -> bool:
    try:
        devices = sorted(Path(driver).glob("virtio*"))
    except OSError:
        return False
    for device in devices:
        try:
            bits = (device / "features").read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue  # unreadable: this device counts as not reporting
        if len(bits) > _REPORTING_BIT and bits[_REPORTING_BIT] == "1":
            return True
    return False


def _numpy_switch() -> Callable[[bool], bool] | None:
    """The setter of numpy's huge-page request (returns the previous value), if numpy has one."""
    core = getattr(np, "_core", None)
    multiarray = getattr(core, "multiarray", None)
    return getattr(multiarray, "_set_madvise_hugepage", None)


def _wanted() -> bool:
    """Return True when the engine should ask for small pages on this machine."""
    choice = policy()  # checked whatever else is set
    if os.environ.get("NUMPY_MADVISE_HUGEPAGE") is not None or choice == "numpy":
        return False  # the user chose numpy's setting
    return choice == "off" or reports_free_pages()


@contextmanager
def small_pages() -> Iterator[None]:
    """Run the enclosed work with numpy's huge-page request off, where :func:`policy` says so.

    Re-entrant and safe across threads: numpy's setting is switched off when the first caller
    enters and restored when the last one leaves (also when the work raises). Without numpy's
    switch (a future numpy) nothing changes.

    Raises
    ------
    ValueError
        ``EVENTSTUDY_HUGEPAGES`` has a value other than those of :func:`policy`.
    """
    wanted = _wanted()
    switch = _numpy_switch()
    if switch is None or not wanted:
        yield
        return
    global _depth, _saved
    entered = False
    try:
        with _lock:
            if _depth == 0:
                _saved = switch(False)
            _depth += 1
            entered = True
        yield
    finally:
        if entered:
            with _lock:
                _depth -= 1
                if _depth == 0:
                    switch(bool(_saved))


def _after_fork_in_child() -> None:
    """A child forked inside :func:`small_pages` (by another thread) starts outside it."""
    global _lock, _depth, _saved
    _lock = threading.Lock()  # the parent's may have been held at the fork
    if _depth:
        switch = _numpy_switch()
        if switch is not None:
            switch(bool(_saved))
    _depth, _saved = 0, None


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)
