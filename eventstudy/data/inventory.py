"""What a data directory holds, and the state of each item a run needs (I/O only, no network).

- :func:`inventory`: every data file held, with rows, first and last date, source, fetch time
  and whether its checksum matches ``manifest.json``;
- :func:`item_states`: each item of :func:`eventstudy.data.needs.required_items` as
  ``present``, ``stale``, ``missing``, ``unavailable`` or ``unobtainable`` (see
  :data:`STATES`), which :func:`eventstudy.data.ensure.ensure_data` acts on;
- :func:`data_status`: the two joined, what ``eventstudy data status`` prints.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.data import store
from eventstudy.exceptions import DataFormatError, DataNotFoundError

__all__ = [
    "INVENTORY_COLUMNS",
    "STATES",
    "STATUS_COLUMNS",
    "data_status",
    "inventory",
    "item_states",
]

STATES = {
    "unreadable": "in the data directory, but it cannot be read (the note says where and why); "
    "a run stops on it: correct the file, or remove it and fetch again",
    "present": "in the data directory, reaching the dates needed (or as far as the source had "
    "data when it was fetched)",
    "stale": "in the data directory, but it ends before the dates needed and was fetched "
    "before them: newer rows may exist (fetched from the last stored date on)",
    "missing": "not in the data directory; a fetch can get it",
    "unavailable": "not in the data directory, and known to have no data (a fetch found none, "
    "or markets.csv says has_prices=False)",
    "unobtainable": "not in the data directory, and no eventstudy fetcher can get it",
}
"""States of an item (:func:`item_states`); ``missing`` and ``unreadable`` ones stop a run."""

INVENTORY_COLUMNS = (
    "kind",
    "id",
    "path",
    "rows",
    "first",
    "last",
    "source",
    "fetched_at",
    "verified",
    "problem",
    "error",
)
"""Columns of :func:`inventory`, in order."""

STATUS_COLUMNS = (
    "kind",
    "id",
    "state",
    "rows",
    "first",
    "last",
    "needed_through",
    "ends_early",
    "source",
    "fetched_at",
    "verified",
    "path",
    "why",
    "note",
)
"""Columns of :func:`data_status`, in order."""

_KIND_DIRS = (("price", "prices"), ("series", "series"), ("odds", "polymarket/prices"))


# --------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------


def file_span(path: Path, kind: str) -> tuple[int, str | None, str | None]:
    """Data rows, first and last date (``YYYY-MM-DD``) of a data file of ``kind``.

    Read with the checks of its loader (:func:`eventstudy.data.store.file_span`), so a file
    a run could not read is a DataFormatError naming it, never another exception.
    """
    return store.file_span(path, kind)


def _span_or_error(
    path: Path, kind: str, verified: bytes | None = None
) -> tuple[int | None, str | None, str | None, str]:
    """``(rows, first, last, "")``, or ``(None, None, None, why)`` for an unreadable file.

    ``verified`` are the file's bytes when their sha256 is the manifest's (what a checked
    fetch wrote, or the shipped snapshot): they are spanned from the first column as text
    (:func:`_quick_span`). Any other file, and a verified one whose first column does not
    read as dates, goes through its loader's checks.
    """
    if verified is not None and kind != "market":
        quick = _quick_span(verified)
        if quick is not None:
            return (*quick, "")
    try:
        return (*file_span(path, kind), "")
    except DataFormatError as exc:
        return None, None, None, str(exc)


def _bytes_or_none(path: Path) -> bytes | None:
    """The file's bytes, or None when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _quick_span(data: bytes) -> tuple[int, str | None, str | None] | None:
    """Rows and first/last date of a ``date``/``t`` CSV's bytes from its first column as text.

    ISO dates and timestamps sort as text. None when the bytes are not UTF-8 or the first or
    last key is not a calendar date (then the loader's checks say why).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    keys = [ln.split(",", 1)[0].strip() for ln in text.splitlines()[1:] if ln.strip()]
    if not keys:
        return 0, None, None
    first, last = min(keys)[:10], max(keys)[:10]
    try:
        date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        return None
    return len(keys), first, last


def _manifest(root: Path) -> dict[str, Any]:
    """The manifest, or an empty one with ``problem`` saying why it cannot be used.

    A missing or unreadable ``manifest.json`` does not stop a status or a run: every file is
    then unverified, which :func:`eventstudy.data.store.file_versions` reports (a warning,
    an error with ``strict``).
    """
    try:
        return store.load_manifest(root)
    except DataNotFoundError:
        return {"files": {}}
    except DataFormatError as exc:
        return {"files": {}, "problem": f"the manifest cannot be read: {exc}"}


def _held_files(root: Path) -> list[tuple[str, str]]:
    held = []
    for kind, folder in _KIND_DIRS:
        directory = root / folder
        if directory.is_dir():
            held += [(kind, p) for p in sorted(directory.glob("*.csv")) if p.is_file()]
    if (root / store.MARKETS_RELPATH).is_file():
        held.append(("market", root / store.MARKETS_RELPATH))
    return [(kind, Path(p).relative_to(root).as_posix()) for kind, p in held]


def _odds_names(root: Path) -> dict[str, str]:
    try:
        markets = store.load_markets(root)
    except DataNotFoundError:
        return {}
    return {str(r.token_id): f"{r.slug} [{r.outcome}]" for r in markets.itertuples(index=False)}


def inventory(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every data file a data directory holds.

    Parameters
    ----------
    data_dir : str or path-like, optional
        See :func:`eventstudy.data.store.resolve_data_dir`.

    Returns
    -------
    DataFrame
        One row per file, columns :data:`INVENTORY_COLUMNS`: ``kind`` (price, series, market,
        odds), ``id`` (ticker, series id, ``markets.csv``, or ``<slug> [<outcome>]`` for an
        odds file that ``markets.csv`` lists, else its token id), ``path`` (relative),
        ``rows``, ``first``/``last`` (dates read from the file; NA and ``""`` when it
        cannot be read), ``source`` and ``fetched_at`` (from ``manifest.json``, ``""`` when
        it does not say), ``verified`` (the file's sha256 equals the manifest's),
        ``problem`` (why not verified) and ``error`` (why the file cannot be read, with its
        line and column; ``""`` when it can).

    Raises
    ------
    DataFormatError
        ``markets.csv`` cannot be read. (An unreadable ``manifest.json`` leaves every file
        unverified, with the reason in ``problem``.)
    """
    root = store.resolve_data_dir(data_dir)
    manifest = _manifest(root)
    files = manifest.get("files", {})
    names = _odds_names(root)
    rows = []
    for kind, rel in _held_files(root):
        entry = files.get(rel, {})
        data = _bytes_or_none(root / rel)
        digest = None if data is None else hashlib.sha256(data).hexdigest()
        problem = "" if entry.get("sha256") == digest else _problem(entry, manifest)
        verified = data if not problem else None
        n, first, last, error = _span_or_error(root / rel, kind, verified)
        stem = Path(rel).stem
        rows.append(
            {
                "kind": kind,
                "id": names.get(stem, stem) if kind == "odds" else stem,
                "path": rel,
                "rows": n,
                "first": first or "",
                "last": last or "",
                "source": str(entry.get("source", "")),
                "fetched_at": str(entry.get("fetched_at", "")),
                "verified": not problem,
                "problem": problem,
                "error": error,
            }
        )
    frame = pd.DataFrame.from_records(rows, columns=list(INVENTORY_COLUMNS))
    return frame.astype({"rows": "Int64", "verified": bool})


def _problem(entry: dict[str, Any], manifest: dict[str, Any]) -> str:
    if manifest.get("problem"):
        return str(manifest["problem"])
    if not entry:
        return f"not listed in {store.MANIFEST}"
    return f"sha256 differs from {store.MANIFEST} (changed after it was recorded)"


# --------------------------------------------------------------------------------------------
# the state of each needed item
# --------------------------------------------------------------------------------------------


def _recorded_on(entry: dict[str, Any], manifest: dict[str, Any]) -> pd.Timestamp | None:
    """When a file's data were last asked for.

    The later of its ``fetched_at`` and ``checked_at`` (a refresh that found nothing newer),
    else the manifest's date.
    """
    stamps = [entry.get("fetched_at"), entry.get("checked_at")]
    if not any(stamps):
        stamps = [manifest.get("updated") or manifest.get("created")]
    days = [_day_or_none(v) for v in stamps if v]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def _day_or_none(value: Any) -> pd.Timestamp | None:
    """The UTC day of a manifest time stamp; None when it is not one (never a traceback)."""
    try:
        return _today(str(value))
    except (ValueError, OverflowError, TypeError):
        return None


def _freshness(
    last: str | None, need: pd.Timestamp, recorded: pd.Timestamp | None, closed: Any = None
) -> tuple[str, str]:
    """``(state, note)`` of a stored file against the last date needed."""
    if last is None:
        return "stale", "the file has no rows"
    last_day = pd.Timestamp(last)
    if last_day >= need:
        return "present", ""
    if closed is not None and not pd.isna(closed):
        closed_day = pd.Timestamp(closed).tz_convert("UTC").tz_localize(None).normalize()
        if closed_day <= last_day + pd.Timedelta(days=1):
            return "present", f"market closed {closed_day.date()}; history complete"
    if recorded is not None and recorded >= need:
        return "present", f"ends {last}; no newer data when recorded on {recorded.date()}"
    return "stale", f"ends {last}, needed through {need.date()}"


def _markets_rows(root: Path) -> pd.DataFrame | None:
    try:
        return store.load_markets(root)
    except DataNotFoundError:
        return None


class _YesRows:
    """Each slug ``markets.csv`` lists -> its first ``Yes`` row (None without one).

    Found once for the whole file (was a scan of every row per item); a row is taken out of
    the frame only when asked for (a run asks for its linked markets, a few of thousands).
    """

    def __init__(self, markets: pd.DataFrame | None) -> None:
        if markets is None:
            markets = pd.DataFrame({"slug": [], "outcome": []})
        self.slugs = set(markets["slug"])
        yes = markets.loc[markets["outcome"].astype(str).str.strip().str.casefold() == "yes"]
        self.first = yes.loc[~yes["slug"].duplicated()]
        self.position = {slug: i for i, slug in enumerate(self.first["slug"])}

    def __contains__(self, slug: object) -> bool:
        return slug in self.slugs

    def get(self, slug: str) -> pd.Series | None:
        """The first ``Yes`` row of ``slug``; None when it has none or is not listed."""
        i = self.position.get(slug)
        return None if i is None else self.first.iloc[i]


class _Inspector:
    """Reads the data directory once and answers the state of each item."""

    def __init__(self, root: Path, today: pd.Timestamp):
        self.root = root
        self.today = today
        self.manifest = _manifest(root)
        self.files = self.manifest.get("files", {})
        self.unavailable = self.manifest.get("unavailable", {})
        self.markets = _markets_rows(root)
        self.yes_rows = _YesRows(self.markets)
        markets_entry = self.files.get(store.MARKETS_RELPATH, {})
        self.markets_fetched = bool(markets_entry.get("fetched_at"))

    def stored(self, rel: str, kind: str, need: pd.Timestamp, closed: Any = None) -> dict[str, Any]:
        n, first, last, error = _span_or_error(self.root / rel, kind)
        if error:
            return {"state": "unreadable", "note": error}
        recorded = _recorded_on(self.files.get(rel, {}), self.manifest)
        state, note = _freshness(last, need, recorded, closed)
        short = last is None or (pd.Timestamp(last) < need and "history complete" not in note)
        return {"state": state, "rows": n, "first": first, "last": last, "note": note,
                "ends_early": short}  # fmt: skip

    def file_item(self, item: pd.Series, need: pd.Timestamp) -> dict[str, Any]:
        if (self.root / item["relpath"]).is_file():
            return self.stored(item["relpath"], item["kind"], need)
        if not item["fetchable"]:
            return {"state": "unobtainable", "note": item["how"]}
        return {"state": "missing", "note": f"{item['relpath']} does not exist"}

    def market_item(self, item: pd.Series) -> dict[str, Any]:
        listed = item["id"] in self.yes_rows
        if listed:
            return {"state": "present"}
        where = "is not listed in" if self.markets is not None else "needs"
        return {"state": "missing", "note": f"market {where} {store.MARKETS_RELPATH}"}

    def odds_item(self, item: pd.Series, need: pd.Timestamp) -> dict[str, Any]:
        listed, yes = item["id"] in self.yes_rows, self.yes_rows.get(item["id"])
        if not listed:
            return {"state": "missing", "note": "fetched with its market"}
        if yes is None:
            return {"state": "unavailable", "note": "the market has no 'Yes' outcome"}
        rel = store.odds_relpath(yes["token_id"])
        out: dict[str, Any] = {"relpath": rel}
        if (self.root / rel).is_file():
            return out | self.stored(rel, "odds", need, yes["closed_at"])
        record = self.unavailable.get(rel)
        if record:
            note = f"{record.get('reason', 'no data')} (checked {record.get('checked_at', '?')})"
            return out | {"state": "unavailable", "note": note}
        if not bool(yes["has_prices"]) and not self.markets_fetched:
            note = f"{store.MARKETS_RELPATH} says has_prices=False: no price history recorded"
            return out | {"state": "unavailable", "note": note}
        return out | {"state": "missing", "note": f"{rel} does not exist"}

    def state(self, item: pd.Series) -> dict[str, Any]:
        need = min(pd.Timestamp(item["needed_through"]), self.today)
        if item["kind"] == "market":
            return self.market_item(item)
        if item["kind"] == "odds":
            return self.odds_item(item, need)
        return self.file_item(item, need)


def _today(now: Any = None) -> pd.Timestamp:
    ts = pd.Timestamp.now("UTC") if now is None else pd.Timestamp(now)
    return (ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo else ts).normalize()


def item_states(
    needs: pd.DataFrame, data_dir: str | os.PathLike[str] | None = None, *, now: Any = None
) -> pd.DataFrame:
    """The state of each needed item in a data directory.

    Parameters
    ----------
    needs : DataFrame
        :func:`eventstudy.data.needs.required_items` output.
    data_dir : str or path-like, optional
        See :func:`eventstudy.data.store.resolve_data_dir`.
    now : timestamp, optional
        The current time (tests); default the clock. Dates needed after today are not
        expected yet.

    Returns
    -------
    DataFrame
        ``needs`` with ``relpath`` filled in for odds items the directory's ``markets.csv``
        lists, and columns ``state`` (see :data:`STATES`), ``rows``, ``first``, ``last``
        (dates in the file, None when absent), ``note`` (why, in words) and ``ends_early``
        (stored, but its last date is before the last date needed, at most today: events
        after it lack data, whether or not a fetch could bring more).

    Notes
    -----
    A stored file is ``stale`` when its last date is before the last date needed (at most
    today) **and** it was recorded (``fetched_at``, else the manifest's ``updated`` or
    ``created``) before that date: a file fetched after the date needed holds whatever the
    source had, so asking again the same day would bring nothing. An odds file of a market
    that closed by its last sample is complete. An odds file is ``unavailable`` when a fetch
    recorded that the source has no points (``manifest.json`` ``unavailable``) or, in a
    directory whose ``markets.csv`` was not written by a fetch (the shared snapshot), when
    its row says ``has_prices=False``.
    """
    root = store.resolve_data_dir(data_dir)
    inspector = _Inspector(root, _today(now))
    out = needs.copy()
    states = [inspector.state(item) for _, item in needs.iterrows()]
    for column in ("state", "rows", "first", "last", "note"):
        out[column] = [s.get(column, "" if column == "note" else None) for s in states]
    out["ends_early"] = [bool(s.get("ends_early", False)) for s in states]
    out["relpath"] = [s.get("relpath", r) for s, r in zip(states, needs["relpath"], strict=True)]
    return out


def _held_states(held: pd.DataFrame) -> pd.DataFrame:
    """Inventory rows as status rows: ``held``, or ``unreadable`` with the reason as note."""
    bad = held["error"] != ""
    return held.assign(
        state=["unreadable" if b else "held" for b in bad],
        needed_through=pd.NaT,
        ends_early=False,
        why="",
        note=held["error"],
    )


def data_status(
    data_dir: str | os.PathLike[str] | None = None,
    needs: pd.DataFrame | None = None,
    *,
    all_files: bool = False,
    now: Any = None,
) -> pd.DataFrame:
    """Per item: what the data directory holds and whether it serves the run.

    Parameters
    ----------
    data_dir : str or path-like, optional
        See :func:`eventstudy.data.store.resolve_data_dir`.
    needs : DataFrame, optional
        :func:`eventstudy.data.needs.required_items` of a catalog (and claims). Without it,
        every file held is listed (state ``held``).
    all_files : bool, default False
        With ``needs``, also list the files held that the run does not need (state ``held``).
    now : timestamp, optional
        The current time (tests).

    Returns
    -------
    DataFrame
        Columns :data:`STATUS_COLUMNS`: ``state`` (:data:`STATES`, or ``held``; a file that
        cannot be read is ``unreadable`` with the reason in ``note``), ``rows``,
        ``first``, ``last``, ``needed_through``, ``ends_early`` (the file ends before the last
        date the catalog needs, at most today: events after its last date lack data, whether
        the state is ``stale`` or ``present`` because the source had nothing newer), ``source``,
        ``fetched_at``,
        ``verified`` (checksum equals ``manifest.json``), ``path``, ``why`` (what needs it)
        and ``note``.
    """
    held = _held_states(inventory(data_dir))
    if needs is None:
        return held.loc[:, list(STATUS_COLUMNS)].reset_index(drop=True)
    states = item_states(needs, data_dir, now=now).rename(columns={"relpath": "path"})
    info = held.loc[:, ["path", "source", "fetched_at", "verified"]].set_index("path")
    joined = states.join(info, on="path")
    joined["ends_early"] = joined["ends_early"].astype(bool)
    joined["verified"] = joined["verified"].fillna(False).astype(bool)
    for column in ("source", "fetched_at", "first", "last"):
        joined[column] = joined[column].fillna("").astype(str).replace("None", "")
    is_market = joined["kind"] == "market"  # markets.csv's rows are every market's
    joined.loc[is_market, "rows"] = None
    joined.loc[is_market, ["first", "last"]] = ""
    joined["rows"] = joined["rows"].astype("Int64")
    if all_files:
        extra = held.loc[~held["path"].isin(joined["path"])]
        joined = pd.concat([joined, extra], ignore_index=True)
    return joined.loc[:, list(STATUS_COLUMNS)].reset_index(drop=True)
