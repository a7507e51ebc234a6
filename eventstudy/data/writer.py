"""Writing into the data directory: merged with what is stored, atomic, under a lock.

Used by :mod:`eventstudy.data.fetch`; readers are in :mod:`eventstudy.data.store`.

Guarantees of :func:`write_csv_atomic`:

- **History never shrinks.** A download is merged into the stored file by its key (``date``
  for ``prices/`` and ``series/``, ``t`` for ``polymarket/prices/``, ``token_id`` for
  ``polymarket/markets.csv``): stored rows the download does not cover are kept, new rows are
  added, and where both have a row the download's values win and the rows whose values
  differ are counted (:class:`~eventstudy.data.merge.MergeStats`, recorded as ``merge`` in
  the manifest entry). Only ``replace=True`` (``eventstudy fetch --replace``) writes the
  download alone. A stored file that cannot be read is never overwritten by a merge: the
  write is refused with a :class:`~eventstudy.exceptions.FetchError` saying what to do.
- **Nothing half-written.** The data file and ``manifest.json`` are written to temporary
  files beside them and moved into place with ``os.replace``; if the manifest cannot be
  moved, the previous data file is put back.
- **Concurrent fetches lose nothing.** The read-merge-write of a file and of the manifest
  happens under an exclusive lock on ``<data dir>/.eventstudy.lock`` (the ``filelock``
  package: ``fcntl``/``msvcrt`` locks, released by the operating system if the process dies).
- **A killed fetch leaves no debris for long.** Temporary files (``.<name>.<random>.tmp``)
  left in the data directory's folders by a killed writer are removed by the next writer,
  under the lock (no live writer can own one then).
- **Files get the user's permissions.** Files are created with mode ``0o666`` minus the
  process umask, as any other program's files (not ``0600`` like ``tempfile.mkstemp``).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import platform
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.data import store
from eventstudy.data.merge import merge_rows
from eventstudy.exceptions import DataFormatError, FetchError, SpecificationError

__all__ = [
    "LOCK_NAME",
    "clean_stale_temps",
    "data_dir_lock",
    "library_versions",
    "record_checked",
    "record_unavailable",
    "write_csv_atomic",
]

logger = logging.getLogger(__name__)

LOCK_NAME = ".eventstudy.lock"
"""Lock file in the data directory's root, held while a file and the manifest are updated."""
LOCK_TIMEOUT_S = 120.0
"""How long a writer waits for another one to release the lock before giving up."""
_TMP_DIRS = ("", "prices", "series", "polymarket", "polymarket/prices")


# --------------------------------------------------------------------------------------------
# lock, temporary files
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def data_dir_lock(root: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the data directory's exclusive lock (created if needed) for the ``with`` block.

    Raises
    ------
    FetchError
        Another writer held the lock for ``timeout`` seconds.
    """
    import filelock  # lazy: only writers need it

    root.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(root / LOCK_NAME), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise FetchError(
            f"another eventstudy process has held the lock {root / LOCK_NAME} for {timeout:.0f} "
            "s; wait for it to finish (or, if none is running, try again)"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def clean_stale_temps(root: Path) -> list[Path]:
    """Remove temporary files (``.*.tmp``) left by a killed writer; call under the lock.

    Returns
    -------
    list of Path
        The files removed.
    """
    removed = []
    for sub in _TMP_DIRS:
        folder = root / sub
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_file():
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
                    removed.append(entry)
    if removed:
        logger.info("removed %d temporary file(s) left by an interrupted fetch", len(removed))
    return removed


def _new_tmp(directory: Path, name: str) -> Path:
    """A new empty file ``.<name>.<random>.tmp`` created with mode 0o666 minus the umask."""
    while True:
        path = directory / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:  # pragma: no cover - 32 random bits
            continue
        os.close(fd)
        return path


# --------------------------------------------------------------------------------------------
# manifest pieces
# --------------------------------------------------------------------------------------------


def library_versions(*extra: str) -> dict[str, str]:
    """Versions of Python and of the libraries that shaped a file (for the manifest).

    Parameters
    ----------
    *extra : str
        Further distribution names (``"yfinance"``, ``"curl_cffi"``); those not installed
        are left out.
    """
    versions = {"python": platform.python_version()}
    for name in ("geo-eventstudy", "pandas", "numpy", *extra):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def _date_range(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    for col in ("date", "t"):
        if col in frame.columns and len(frame):
            values = pd.to_datetime(frame[col], utc=col == "t", format="ISO8601")
            fmt = "%Y-%m-%d" if col == "date" else "%Y-%m-%dT%H:%M:%SZ"
            return values.min().strftime(fmt), values.max().strftime(fmt)
    return None, None


def _manifest_json(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _new_manifest(now: datetime) -> dict[str, Any]:
    return {
        "created": now.date().isoformat(),
        "description": "Data directory written by eventstudy fetch",
        "files": {},
        "format": store.FORMAT,
        "licences": {
            "polymarket": "Polymarket public APIs (Gamma, CLOB); check Polymarket's terms",
            "prices": "Yahoo Finance data via yfinance: research use, not for redistribution",
            "series": "FRED public data (Federal Reserve Bank of St. Louis)",
        },
    }


# --------------------------------------------------------------------------------------------
# merging with the stored file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    key: str
    parse_stored: Callable[[pd.DataFrame, Path], pd.Series]
    parse_key: Callable[[pd.Series], pd.Series]
    sort: bool = True


def _stored_dates(raw: pd.DataFrame, path: Path) -> pd.Series:
    return pd.Series(store._parse_dates(raw, "date", path))


def _stored_times(raw: pd.DataFrame, path: Path) -> pd.Series:
    return store._parse_utc(raw, "t", path, required=True)


def _stored_markets(raw: pd.DataFrame, path: Path) -> pd.Series:
    return store._markets_frame(raw, path)["token_id"]


_KINDS = {
    "prices/": _Kind("date", _stored_dates, lambda s: pd.to_datetime(s, format="%Y-%m-%d")),
    "series/": _Kind("date", _stored_dates, lambda s: pd.to_datetime(s, format="%Y-%m-%d")),
    "polymarket/prices/": _Kind(
        "t", _stored_times, lambda s: pd.to_datetime(s, utc=True, format="ISO8601")
    ),
    store.MARKETS_RELPATH: _Kind(
        "token_id", _stored_markets, lambda s: s.astype("str").str.strip(), sort=False
    ),
}


def _kind_of(rel: str) -> _Kind | None:
    if rel == store.MARKETS_RELPATH:
        return _KINDS[rel]
    for prefix, kind in _KINDS.items():
        if prefix.endswith("/") and rel.startswith(prefix) and "/" not in rel[len(prefix) :]:
            return kind
    return None


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's values exactly as ``to_csv`` writes them, as strings."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    text = pd.read_csv(io.StringIO(buffer.getvalue()), dtype=str, keep_default_na=False)
    return text.loc[:, list(map(str, frame.columns))]


def _merge_with_stored(
    frame: pd.DataFrame, target: Path, rel: str, kind: _Kind
) -> tuple[pd.DataFrame, dict[str, Any]]:
    try:
        stored = store._read_raw(target, rel, None)
        kind.parse_stored(stored, target)
    except DataFormatError as exc:
        raise FetchError(
            f"{rel} is stored but cannot be read ({exc}), so the download cannot be merged "
            "into it without losing rows; it was left unchanged. Fix or remove the file, or "
            "fetch with --replace to overwrite it."
        ) from exc
    new = _as_text(frame)
    merged, stats = merge_rows(stored, new, kind.key, parse_key=kind.parse_key, sort=kind.sort)
    if stats.changed:
        logger.warning("%s: %s", rel, stats.describe())
    return merged, {"merge": stats.as_dict()}


def _stored_rows(target: Path) -> int | None:
    try:
        return len(store._read_raw(target, "", None))
    except (DataFormatError, OSError):
        return None


# --------------------------------------------------------------------------------------------
# the write
# --------------------------------------------------------------------------------------------


def write_csv_atomic(
    frame: pd.DataFrame,
    relpath: str,
    data_dir: str | os.PathLike[str] | None,
    *,
    source: str,
    params: Mapping[str, Any] | None = None,
    note: str | None = None,
    versions: Mapping[str, str] | None = None,
    fetched_at: datetime | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    r"""Write a frame as CSV into the data directory, merged with the stored file.

    The file is recorded in ``manifest.json`` (see the module docstring for the guarantees).

    Parameters
    ----------
    frame : DataFrame
        The rows to write, already in the file's layout (columns as stored, values formatted;
        the index is not written). Written with ``\n`` line endings, UTF-8, no index.
    relpath : str
        Path relative to the data directory, e.g. ``"prices/GC=F.csv"``.
    data_dir : str or path-like or None
        Data directory (created if needed); None resolves as
        :func:`eventstudy.data.store.resolve_data_dir`.
    source : str
        Where the data came from (endpoint or function), stored as ``source``.
    params : mapping, optional
        JSON-serialisable request parameters (tickers, start, end, fidelity, ...).
    note : str, optional
        Free text stored as ``note``.
    versions : mapping, optional
        Library versions; default :func:`library_versions`.
    fetched_at : datetime, optional
        Retrieval time (UTC); default now.
    replace : bool, default False
        Write ``frame`` alone, dropping stored rows it does not have. By default a file of a
        known kind (``prices/``, ``series/``, ``polymarket/prices/``, ``markets.csv``) is
        merged with the stored one.

    Returns
    -------
    dict
        The manifest entry written: ``source``, ``params``, ``fetched_at`` (UTC ISO-8601 with
        ``Z``), ``rows`` (in the file), ``first``/``last`` (from a ``date`` or ``t`` column),
        ``sha256`` of the file's bytes, ``versions``, ``note`` if given, and ``merge`` (the
        :class:`~eventstudy.data.merge.MergeStats` as a dict) when the download was merged
        into a stored file, or ``replaced_rows`` (rows the stored file had) when it replaced
        one.

    Raises
    ------
    FetchError
        The stored file cannot be read, so a merge could lose rows (nothing is written), or
        another writer holds the lock too long.
    DataFormatError
        ``manifest.json`` exists but cannot be read (nothing is written: fix or move it).
    SpecificationError
        ``relpath`` is absolute or leaves the data directory.
    """
    root = store.resolve_data_dir(data_dir)
    rel = Path(relpath).as_posix()
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise SpecificationError(f"relpath {relpath!r} must be relative to the data directory")
    target = root / rel
    now = (fetched_at or datetime.now(UTC)).astimezone(UTC)
    root.mkdir(parents=True, exist_ok=True)
    with data_dir_lock(root):
        clean_stale_temps(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        manifest_path = root / store.MANIFEST
        manifest = store.load_manifest(root) if manifest_path.is_file() else _new_manifest(now)
        kind = _kind_of(rel)
        extra: dict[str, Any] = {}
        if target.is_file() and kind is not None and not replace:
            frame, extra = _merge_with_stored(frame, target, rel, kind)
        elif target.is_file():
            extra = {"replaced_rows": _stored_rows(target)}
        entry: dict[str, Any] = {
            "fetched_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "params": dict(params or {}),
            "rows": len(frame),
            "source": source,
            "versions": dict(versions) if versions is not None else library_versions(),
            **extra,
        }
        first, last = _date_range(frame)
        if first is not None:
            entry["first"], entry["last"] = first, last
        if note:
            entry["note"] = note
        manifest.get(UNAVAILABLE, {}).pop(rel, None)  # it has data now
        _replace_both(frame, target, rel, root, manifest, entry)
        return entry


def _replace_both(
    frame: pd.DataFrame,
    target: Path,
    rel: str,
    root: Path,
    manifest: dict[str, Any],
    entry: dict[str, Any],
) -> None:
    """Write the data file and the manifest (with ``entry`` and the new sha256) atomically."""
    manifest_path = root / store.MANIFEST
    tmp_data = _new_tmp(target.parent, target.name)
    tmp_manifest: Path | None = None
    backup: Path | None = None
    replaced = False
    try:
        frame.to_csv(tmp_data, index=False, lineterminator="\n", encoding="utf-8")
        entry["sha256"] = store._hash_file(tmp_data)
        manifest["files"][rel] = dict(sorted(entry.items()))
        manifest["updated"] = entry["fetched_at"]
        manifest["files"] = dict(sorted(manifest["files"].items()))
        tmp_manifest = _new_tmp(root, store.MANIFEST)
        tmp_manifest.write_text(_manifest_json(manifest), encoding="utf-8")
        if target.exists():
            backup = _new_tmp(target.parent, target.name + ".bak")
            backup.unlink()
            try:
                os.link(target, backup)
            except OSError:  # file systems without hard links
                shutil.copy2(target, backup)
        os.replace(tmp_data, target)
        replaced = True
        os.replace(tmp_manifest, manifest_path)
    except BaseException:
        if replaced:
            if backup is not None:
                os.replace(backup, target)
                backup = None
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        for leftover in (tmp_data, tmp_manifest, backup):
            if leftover is not None:
                leftover.unlink(missing_ok=True)


UNAVAILABLE = "unavailable"
"""Key of ``manifest.json`` listing files a fetch found no data for (see
:func:`record_unavailable`); a later write of the file removes its record."""


def _update_manifest(root: Path, now: datetime, mutate: Callable[[dict[str, Any]], None]) -> None:
    """Change ``manifest.json`` alone (no data file), atomically, under the lock."""
    root.mkdir(parents=True, exist_ok=True)
    with data_dir_lock(root):
        manifest_path = root / store.MANIFEST
        manifest = store.load_manifest(root) if manifest_path.is_file() else _new_manifest(now)
        mutate(manifest)
        tmp = _new_tmp(root, store.MANIFEST)
        try:
            tmp.write_text(_manifest_json(manifest), encoding="utf-8")
            os.replace(tmp, manifest_path)
        finally:
            tmp.unlink(missing_ok=True)


def _utc_text(when: datetime | None) -> tuple[datetime, str]:
    now = (when or datetime.now(UTC)).astimezone(UTC)
    return now, now.strftime("%Y-%m-%dT%H:%M:%SZ")


def record_unavailable(
    relpath: str,
    data_dir: str | os.PathLike[str] | None,
    *,
    reason: str,
    key: str = "",
    checked_at: datetime | None = None,
) -> dict[str, Any]:
    """Record in ``manifest.json`` that a fetch found no data for a file (nothing is written).

    So that "no price history" is known, not asked again on every run
    (:func:`eventstudy.data.ensure.ensure_data` reads it); ``eventstudy fetch`` asks again.

    Parameters
    ----------
    relpath : str
        The file that would hold the data, e.g. ``polymarket/prices/<TOKEN_ID>.csv``.
    data_dir : str or path-like or None
        Data directory (created if needed).
    reason : str
        What the source answered (e.g. "the CLOB returned no points ...").
    key : str, optional
        The item (``"<slug> [Yes]"``).
    checked_at : datetime, optional
        When (UTC); default now.

    Returns
    -------
    dict
        The record written under ``manifest["unavailable"][relpath]``: ``checked_at``,
        ``reason``, ``key``.
    """
    now, text = _utc_text(checked_at)
    record = {"checked_at": text, "key": key, "reason": reason}

    def mutate(manifest: dict[str, Any]) -> None:
        manifest.setdefault(UNAVAILABLE, {})[Path(relpath).as_posix()] = record

    _update_manifest(store.resolve_data_dir(data_dir), now, mutate)
    return record


def record_checked(
    relpath: str, data_dir: str | os.PathLike[str] | None, *, checked_at: datetime | None = None
) -> str:
    """Record that a stored file was checked for newer rows and the source had none.

    Sets ``checked_at`` in the file's ``manifest.json`` entry (the file is not touched), so
    a later run does not ask again the same day (:func:`eventstudy.data.inventory.item_states`
    reads it). A file the manifest does not list is left alone.

    Returns
    -------
    str
        The time recorded (UTC ISO-8601 with ``Z``).
    """
    now, text = _utc_text(checked_at)

    def mutate(manifest: dict[str, Any]) -> None:
        entry = manifest["files"].get(Path(relpath).as_posix())
        if entry is not None:
            entry["checked_at"] = text

    _update_manifest(store.resolve_data_dir(data_dir), now, mutate)
    return text
