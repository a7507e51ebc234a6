"""The report's output directory (``eventstudy run --out``), written safely.

:func:`report_directory` is a context manager around everything a report writes:

1. **Before any computation** it checks ``--out``: not a file, not a symbolic link, not a
   directory of someone else's files (an existing directory is replaced only when it is
   empty or is a report this package wrote, see :func:`is_report_directory`), and writable:
   the build directory is created next to it at once, so an unwritable place fails in
   seconds, not after the whole study.
2. The report is built in that fresh directory (``.<name>.<pid>.<random>.tmp`` beside
   ``--out``; those of killed runs are removed by the next run),
   which holds nothing but what the report writes: no file or link left in ``--out`` by
   anyone can be followed or overwritten.
3. Only when everything was written is it moved into place: the previous report is renamed
   away, the new one renamed to ``--out`` (both renames within one directory, atomic), and
   the previous one deleted (links inside it are removed, never followed). If the study or a
   write fails, the build directory is removed and ``--out`` is left exactly as it was: never
   a new ``index.html`` beside old CSVs, or the reverse.

Every refusal is a :class:`~eventstudy.exceptions.ReportOutputError` saying what is wrong
with ``--out`` and what to do; ``eventstudy run`` exits with status 2 on it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from eventstudy.exceptions import ReportOutputError

__all__ = ["MARKER", "is_report_directory", "report_directory"]

MARKER = ".eventstudy-report"
"""Empty file in every report directory: marks it as one this package may replace."""
_REPORT_NAMES = (".csv", ".png", ".html")


def is_report_directory(path: Path) -> bool:
    """True for an empty directory or one holding a report written by ``eventstudy run``.

    A report is recognised by :data:`MARKER`, or (reports written before the marker existed)
    by an ``index.html`` among files that are all ``*.csv``, ``*.png`` and ``*.html``
    (no sub-directories, no links).
    """
    entries = list(path.iterdir())
    if not entries or (path / MARKER).is_file():
        return True
    names = {e.name for e in entries}
    plain = all(e.is_file() and not e.is_symlink() for e in entries)
    return plain and "index.html" in names and all(n.endswith(_REPORT_NAMES) for n in names)


def _check_target(target: Path) -> None:
    if target.is_symlink():
        raise ReportOutputError(
            f"--out {target} is a symbolic link; give the directory it points to, or another "
            "path (links are never followed when writing a report)"
        )
    if target.exists() and not target.is_dir():
        raise ReportOutputError(
            f"--out {target} is a file, not a directory; choose a directory path (it is "
            "created if it does not exist)"
        )
    if target.is_dir():
        if not is_report_directory(target):
            raise ReportOutputError(
                f"--out {target} is a directory holding other files than a report; choose a "
                "new or empty directory (a previous report written there is replaced as a "
                "whole, so other files would be lost)"
            )
        if not os.access(target, os.W_OK | os.X_OK):
            raise ReportOutputError(f"--out {target} is not writable; choose another directory")


def _stale_build_dirs(parent: Path, name: str) -> list[Path]:
    """Build directories of ``name`` left beside it by runs that were killed.

    Their names carry the process id that made them (``.<name>.<pid>.<hex>.tmp`` and
    ``.<name>.old.<pid>.<hex>.tmp``); one whose process no longer exists is stale. A
    directory of a process still running (a concurrent run) is left alone.
    """
    pattern = re.compile(rf"^\.{re.escape(name)}\.(?:old\.)?(\d+)\.[0-9a-f]{{8}}\.tmp$")
    stale = []
    for entry in parent.glob(f".{glob.escape(name)}.*.tmp"):
        found = pattern.match(entry.name)
        if found and entry.is_dir() and not entry.is_symlink() and not _alive(int(found[1])):
            stale.append(entry)
    return stale


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _new_build_dir(parent: Path, name: str) -> Path:
    """A fresh directory beside ``--out``, created with mode 0o777 minus the umask.

    Stale build directories of killed runs (:func:`_stale_build_dirs`) are removed first.
    """
    for stale in _stale_build_dirs(parent, name):
        shutil.rmtree(stale, ignore_errors=True)  # rmtree removes links, never follows them
    for _ in range(100):
        build = parent / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            build.mkdir(mode=0o777)
        except FileExistsError:  # pragma: no cover - 32 random bits
            continue
        return build
    raise ReportOutputError(f"cannot create a build directory in {parent}")  # pragma: no cover


@contextlib.contextmanager
def report_directory(out: str | os.PathLike[str]) -> Iterator[Path]:
    """Build a report in a fresh directory and move it to ``out`` when complete.

    Parameters
    ----------
    out : str or path-like
        The report directory (``--out``); created, with its parents, if missing.

    Yields
    ------
    Path
        The empty build directory to write every report file into.

    Raises
    ------
    ReportOutputError
        ``out`` is a file or a link, a directory of other files, or cannot be written
        (raised on entry, before the caller computes anything), or the finished report
        cannot be moved into place (``out`` then still holds the previous report).
    """
    target = Path(out).expanduser().absolute()
    _check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        build = _new_build_dir(target.parent, target.name)
    except OSError as exc:
        raise ReportOutputError(
            f"cannot write a report at --out {target}: {exc.strerror or exc}; choose a "
            "directory you can write to"
        ) from exc
    try:
        yield build
        (build / MARKER).touch()
        _move_into_place(build, target)
    finally:
        shutil.rmtree(build, ignore_errors=True)


def _move_into_place(build: Path, target: Path) -> None:
    old: Path | None = None
    try:
        if target.is_dir():
            _check_target(target)  # it may have changed while the study ran
            old = target.parent / f".{target.name}.old.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            target.rename(old)
        build.rename(target)
    except OSError as exc:
        if old is not None and not target.exists():
            old.rename(target)
            old = None
        raise ReportOutputError(
            f"the report was complete but could not be moved to --out {target}: "
            f"{exc.strerror or exc}; the previous contents are unchanged"
        ) from exc
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
