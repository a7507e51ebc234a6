"""Make a data directory hold what a run needs: fetch exactly the missing items, once.

:func:`ensure_data` lists what a catalog (and a claims file) needs
(:func:`eventstudy.data.needs.required_items`), looks at the data directory
(:func:`eventstudy.data.inventory.item_states`) and fetches, through the fetchers of
:mod:`eventstudy.data.fetch`, only the items that are missing, and the stored items that are
stale from their last stored date on (merged: history never shrinks). Offline
(``offline=True``, ``eventstudy run --offline`` or ``EVENTSTUDY_OFFLINE=1``) it fetches
nothing and reports every missing item with the one command that gets them all.

Call it before any analysis::

    import eventstudy as es

    es.ensure_data("events.csv").raise_for_missing()  # fetch what is missing, once
    study = es.gold_event_study(es.load_events("events.csv"))
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import pandas as pd

from eventstudy.data import store
from eventstudy.data.inventory import item_states
from eventstudy.data.needs import required_items
from eventstudy.exceptions import DataFormatError, DataNotFoundError

__all__ = [
    "DEFAULT_START",
    "EnsureReport",
    "Fetcher",
    "MissingDataError",
    "NetworkFetcher",
    "ensure_data",
    "fetch_missing_command",
]

DEFAULT_START = "2015-01-01"
"""First date fetched for a new price or series file (earlier when a catalog needs it)."""

FetchKind = Literal["price", "series", "market"]

_UNREACHABLE = re.compile(
    r"last error: (?:ConnectionError|ConnectTimeout|ReadTimeout|Timeout|SocketBlockedError)"
)


class MissingDataError(DataNotFoundError):
    """Items a run needs are missing from the data directory (``eventstudy`` exit code 3).

    The message lists every missing item and the one command that fetches them all;
    ``report`` is the :class:`EnsureReport`.
    """

    def __init__(self, report: EnsureReport):
        self.report = report
        self.what, self.path, self.fetch_command = "data", str(report.data_dir), report.command
        Exception.__init__(self, report.message())


class Fetcher(Protocol):
    """Fetches one item into a data directory and returns its fetch report.

    ``kind`` is ``"price"`` (a Yahoo ticker), ``"series"`` (a FRED id) or ``"market"`` (a
    Polymarket slug: its ``markets.csv`` rows and its ``Yes`` token's odds). ``start`` is the
    first date to fetch (``YYYY-MM-DD``), None for a market's whole life. The report has the
    columns of :data:`eventstudy.data.fetch.REPORT_COLUMNS`.
    """

    def __call__(
        self, kind: FetchKind, key: str, *, data_dir: Path, start: str | None
    ) -> pd.DataFrame:
        """Fetch ``key`` of ``kind`` into ``data_dir`` from ``start``; return the report."""


@dataclass(frozen=True)
class NetworkFetcher:
    """The default :class:`Fetcher`: the package's own fetchers, one item per call.

    Parameters
    ----------
    downloader : callable, optional
        Replacement for ``yfinance.download`` (tests inject a fake).
    session : requests.Session, optional
        HTTP session for FRED and Polymarket (tests mock it with ``responses``).
    sleep : callable, default time.sleep
        Wait between retries.
    """

    downloader: Callable[..., pd.DataFrame] | None = None
    session: Any = None
    sleep: Callable[[float], None] = time.sleep

    def __call__(
        self, kind: FetchKind, key: str, *, data_dir: Path, start: str | None
    ) -> pd.DataFrame:
        """Fetch one item with the package's fetchers; return its fetch report."""
        from eventstudy.data.fetch import fetch_markets, fetch_prices, fetch_series

        if kind == "price":
            return fetch_prices(
                [key], start or DEFAULT_START, data_dir=data_dir, downloader=self.downloader,
                sleep=self.sleep,
            )  # fmt: skip
        if kind == "series":
            return fetch_series(
                [key], start or DEFAULT_START, data_dir=data_dir, session=self.session,
                sleep=self.sleep,
            )  # fmt: skip
        return fetch_markets(
            [key], data_dir=data_dir, start=start, outcomes=["Yes"], session=self.session,
            sleep=self.sleep,
        )  # fmt: skip


@dataclass(frozen=True)
class EnsureReport:
    """What :func:`ensure_data` found and did.

    Attributes
    ----------
    data_dir : Path
        The data directory.
    items : DataFrame
        One row per needed item (:func:`eventstudy.data.needs.required_items` columns), with
        ``state_before`` and ``state`` (after fetching; see
        :data:`eventstudy.data.inventory.STATES`), ``rows``, ``first``, ``last``, ``note``,
        ``action`` (``""``, ``"fetched"``, ``"updated"``, ``"up to date"`` (a stale item whose
        source had nothing newer), ``"failed"``, ``"empty"``, ``"not attempted"``) and
        ``error``.
    fetches : DataFrame
        The fetch reports of every item fetched (columns
        :data:`eventstudy.data.fetch.REPORT_COLUMNS`); empty when nothing was fetched.
    offline : bool
        True when the network was not allowed.
    command : str
        The one command that fetches every missing item.
    """

    data_dir: Path
    items: pd.DataFrame
    fetches: pd.DataFrame
    offline: bool
    command: str

    def _state(self, *states: str) -> pd.DataFrame:
        return self.items.loc[self.items["state"].isin(states)]

    @property
    def missing(self) -> pd.DataFrame:
        """Items still missing (fetchable but absent): a run stops on them."""
        return self._state("missing")

    @property
    def unobtainable(self) -> pd.DataFrame:
        """Items absent that no fetcher can get (the ``how`` column says where from)."""
        return self._state("unobtainable")

    @property
    def unavailable(self) -> pd.DataFrame:
        """Items absent because their source has no data (e.g. a market without history)."""
        return self._state("unavailable")

    @property
    def stale(self) -> pd.DataFrame:
        """Items stored but ending before the dates needed (not refreshed)."""
        return self._state("stale")

    @property
    def fetched(self) -> pd.DataFrame:
        """Items fetched or updated by this call."""
        return self.items.loc[self.items["action"].isin(["fetched", "updated"])]

    @property
    def ok(self) -> bool:
        """True when no needed item is missing."""
        return self.missing.empty

    def message(self) -> str:
        """The report in words: what is missing and the command, then notes."""
        lines = [f"data directory: {self.data_dir}"]
        if not self.fetched.empty:
            lines.append(f"fetched {len(self.fetched)} item(s): {_keys(self.fetched)}")
        if not self.missing.empty:
            n, total = len(self.missing), len(self.items)
            lines.append(f"{n} of the {total} items needed are missing:")
            lines += _item_lines(self.missing)
            where = "on a machine with internet (not offline)" if self.offline else "later"
            lines += [f"Get them all {where} with:", f"  {self.command}"]
        lines += _notes(self)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message()

    def raise_for_missing(self) -> EnsureReport:
        """Raise :class:`MissingDataError` if an item is missing; else return self."""
        if not self.ok:
            raise MissingDataError(self)
        return self


def _keys(frame: pd.DataFrame) -> str:
    return ", ".join(f"{k} {i}" for k, i in zip(frame["kind"], frame["id"], strict=True))


def _item_lines(frame: pd.DataFrame, detail: str = "why") -> list[str]:
    lines = []
    for r in frame.itertuples(index=False):
        where = r.relpath or "(file named once the market is listed)"
        text = getattr(r, detail) or r.note
        error = getattr(r, "error", "")
        error = f" [{error[:300]}{'...' if len(error) > 300 else ''}]" if error else ""
        lines.append(f"  - {r.kind} {r.id}: {where}: {text}{error}")
    return lines


def _notes(report: EnsureReport) -> list[str]:
    lines = []
    if not report.unobtainable.empty:
        lines.append(f"{len(report.unobtainable)} item(s) no eventstudy fetcher can get:")
        lines += _item_lines(report.unobtainable, "how")
    if not report.unavailable.empty:
        lines.append(f"{len(report.unavailable)} item(s) have no data at their source:")
        lines += _item_lines(report.unavailable, "note")
    if not report.stale.empty:
        lines.append(
            f"{len(report.stale)} item(s) end before the dates needed (events after their "
            "last date are excluded for lack of data):"
        )
        lines += _item_lines(report.stale, "note")
    return lines


def fetch_missing_command(
    catalog: str | os.PathLike[str] | None,
    claims: str | os.PathLike[str] | None,
    data_dir: Path,
) -> str:
    """``eventstudy data fetch-missing --catalog ... [--claims ...] --data-dir ...``."""
    parts = ["eventstudy", "data", "fetch-missing"]
    parts += ["--catalog", str(catalog) if catalog is not None else "events.csv"]
    if claims is not None:
        parts += ["--claims", str(claims)]
    parts += ["--data-dir", str(data_dir)]
    return shlex.join(parts)


# --------------------------------------------------------------------------------------------
# fetching
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    kind: FetchKind
    key: str
    start: str | None
    update: bool


def _next_day(day: str) -> str:
    return (pd.Timestamp(day) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")


def _jobs(items: pd.DataFrame, refresh: bool) -> list[_Job]:
    """One job per item to fetch; a market's metadata and odds are one job."""
    jobs: dict[tuple[str, str], _Job] = {}
    for r in items.itertuples(index=False):
        stale = refresh and r.state == "stale" and r.fetchable
        if not (r.state == "missing" or stale):
            continue
        kind: FetchKind = "market" if r.kind in ("market", "odds") else r.kind
        if r.state == "missing":
            first = min(pd.Timestamp(DEFAULT_START), pd.Timestamp(r.needed_from))
            start = None if kind == "market" else first.strftime("%Y-%m-%d")
            jobs[(kind, r.id)] = _Job(kind, r.id, start, update=False)
        elif (kind, r.id) not in jobs and r.last is None:  # a stored file without rows
            start = None if kind == "market" else DEFAULT_START
            jobs[(kind, r.id)] = _Job(kind, r.id, start, update=False)
        elif (kind, r.id) not in jobs:  # stale: only what came after the last stored date
            start = r.last if kind == "market" else _next_day(r.last)
            jobs[(kind, r.id)] = _Job(kind, r.id, start, update=True)
    return list(jobs.values())


_NOTHING_NEW = re.compile(r"no data|no prices|no observations|no points")


def _outcome(job: _Job, report: pd.DataFrame) -> tuple[str, str]:
    """``(action, error)`` of a job from its fetch report."""
    bad = report.loc[report["status"] != "ok"]
    if report.empty:
        return "failed", "the fetcher returned no report"
    if bad.empty:
        return ("updated" if job.update else "fetched"), ""
    errors = "; ".join(bad["error"].astype(str))
    if job.update and _NOTHING_NEW.search(errors) and not _UNREACHABLE.search(errors):
        return "up to date", ""
    return ("empty" if (bad["status"] == "empty").all() else "failed"), errors


def _item_outcomes(job: _Job, report: pd.DataFrame) -> dict[tuple[str, str], tuple[str, str]]:
    """``(action, error)`` per item of a job.

    A market job reports its metadata and its odds apart (the odds of a market without a
    ``Yes`` outcome have no row: no action).
    """
    if job.kind != "market" or report.empty:
        return {(job.kind, job.key): _outcome(job, report)}
    out = {}
    for kind in ("market", "odds"):
        part = report.loc[report["kind"] == kind]
        out[(kind, job.key)] = _outcome(job, part) if not part.empty else ("", "")
    if out[("market", job.key)] == ("", ""):  # nothing at all about the market
        out[("market", job.key)] = _outcome(job, report)
    return out


def _record(
    job: _Job, actions: set[str], items: pd.DataFrame, report: pd.DataFrame, root: Path
) -> None:
    """Write down what a fetch learnt without data: nothing newer, or no history at all."""
    from eventstudy.data import writer

    if "up to date" in actions:
        mine = items.loc[(items["id"] == job.key) & (items["state"] == "stale")]
        for rel in mine["relpath"]:
            writer.record_checked(rel, root)
    elif not job.update and job.kind == "market":
        _record_empty(job, report, root)


def _progress(total: int, progress: bool | None) -> Any:
    from tqdm import tqdm  # lazy: only when something is fetched

    show = sys.stderr.isatty() if progress is None else bool(progress)
    return tqdm(total=total, desc="eventstudy: fetching", unit="item", file=sys.stderr,
                disable=not show)  # fmt: skip


def _record_empty(job: _Job, report: pd.DataFrame, root: Path) -> None:
    """Note in the manifest that the CLOB had no points for the market's Yes token."""
    from eventstudy.data import writer

    empty = report.loc[(report["kind"] == "odds") & (report["status"] == "empty")]
    if empty.empty or not (root / store.MARKETS_RELPATH).is_file():
        return
    markets = store.load_markets(root)
    rows = markets.loc[markets["slug"] == job.key]
    yes = rows.loc[rows["outcome"].astype(str).str.strip().str.casefold() == "yes"]
    for token in yes["token_id"]:
        rel = store.odds_relpath(token)
        if not (root / rel).is_file():
            reason = str(empty["error"].iloc[0])
            writer.record_unavailable(rel, root, reason=reason, key=f"{job.key} [Yes]")


def _run_jobs(
    jobs: list[_Job], items: pd.DataFrame, root: Path, fetcher: Fetcher, progress: bool | None
) -> tuple[dict[tuple[str, str], tuple[str, str]], list[pd.DataFrame]]:
    outcomes: dict[tuple[str, str], tuple[str, str]] = {}
    reports: list[pd.DataFrame] = []
    unreachable = ""
    with _progress(len(jobs), progress) as bar:
        for job in jobs:
            bar.set_postfix_str(f"{job.kind} {job.key}"[:60])
            if unreachable:
                outcomes[(job.kind, job.key)] = ("not attempted", unreachable)
            else:
                report = fetcher(job.kind, job.key, data_dir=root, start=job.start)
                reports.append(report)
                done = _item_outcomes(job, report)
                outcomes.update(done)
                _record(job, {action for action, _ in done.values()}, items, report, root)
                unreachable = _unreachable(report, job)
            bar.update(1)
    return outcomes, reports


def _unreachable(report: pd.DataFrame, job: _Job) -> str:
    """Why the network looks unreachable (a connection error, not an HTTP answer), or ''."""
    if any(_UNREACHABLE.search(error) for error in report["error"].astype(str)):
        return (
            "not attempted: the network looks unreachable (connection error fetching "
            f"{job.kind} {job.key}, above)"
        )
    return ""


def _apply_outcomes(items: pd.DataFrame, outcomes: dict) -> pd.DataFrame:
    action, error = [], []
    for r in items.itertuples(index=False):
        a, e = outcomes.get((r.kind, r.id), outcomes.get(("market", r.id), ("", "")))
        action.append(a)
        error.append(e)
    return items.assign(action=action, error=error)


# --------------------------------------------------------------------------------------------
# the entry point
# --------------------------------------------------------------------------------------------


def _load(catalog: Any, claims: Any) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    from eventstudy.data.catalog import load_events

    events = catalog if isinstance(catalog, pd.DataFrame) else load_events(catalog)
    if claims is None or isinstance(claims, pd.DataFrame):
        return events, claims
    from eventstudy.claims.spec import load_claims  # lazy: only with a claims file

    return events, load_claims(claims, events)


def _path_or_none(value: Any) -> str | None:
    return None if value is None or isinstance(value, pd.DataFrame) else str(value)


def ensure_data(
    catalog: str | os.PathLike[str] | pd.DataFrame = "events.csv",
    claims: str | os.PathLike[str] | pd.DataFrame | Iterable[Any] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    offline: bool | None = None,
    progress: bool | None = None,
    fetcher: Fetcher | None = None,
    refresh: bool = True,
    now: Any = None,
) -> EnsureReport:
    """Fetch what a run on ``catalog`` (and ``claims``) needs and the data directory lacks.

    Parameters
    ----------
    catalog : path or DataFrame, default "events.csv"
        The events catalog, or :func:`eventstudy.data.catalog.load_events` output.
    claims : path or DataFrame, optional
        A claims file (or :func:`eventstudy.claims.spec.load_claims` output) whose series are
        needed too.
    data_dir : str or path-like, optional
        See :func:`eventstudy.data.store.resolve_data_dir` (argument, ``$EVENTSTUDY_DATA``,
        ``./data`` if it exists, else the per-user cache directory). Created when fetching.
    offline : bool, optional
        Never fetch; default ``EVENTSTUDY_OFFLINE`` (see
        :func:`eventstudy.data.fetch.is_offline`).
    progress : bool, optional
        Show a progress bar on stderr; default only when stderr is a terminal.
    fetcher : Fetcher, optional
        Does the fetching, one item per call; default :class:`NetworkFetcher` (yfinance,
        FRED, Polymarket). Tests inject ``NetworkFetcher(downloader=fake)``.
    refresh : bool, default True
        Also fetch stale items (stored, but ending before the dates needed and recorded
        before them; see :func:`eventstudy.data.inventory.item_states`), from the day after
        their last stored date, merged into the file.
    now : timestamp, optional
        The current time (tests); default the clock.

    Returns
    -------
    EnsureReport
        ``ok`` is False when an item is still missing (offline, or its fetch failed);
        :meth:`EnsureReport.raise_for_missing` turns that into :class:`MissingDataError`.
        Items no fetcher can get (``unobtainable``: the GPR index) and items whose source
        has no data (``unavailable``) are reported, never silently skipped, and do not make
        ``ok`` False: the analyses report them as "no data".

    Raises
    ------
    CatalogError, ClaimsError
        The catalog or the claims file has problems.
    DataFormatError
        ``manifest.json`` or ``markets.csv`` cannot be read.

    Notes
    -----
    A fetch never replaces history: every download is merged into the stored file
    (:func:`eventstudy.data.writer.write_csv_atomic`) and recorded in ``manifest.json``. One
    item failing does not stop the others, except that after a connection error (no
    network) the remaining items are not attempted. A second call right after the first
    fetches nothing.

    Examples
    --------
    >>> report = ensure_data("events.csv", "claims.csv")  # doctest: +SKIP
    >>> print(report)  # doctest: +SKIP
    >>> report.raise_for_missing()  # doctest: +SKIP
    """
    from eventstudy.data.offline import is_offline

    root = store.resolve_data_dir(data_dir)
    events, claim_frame = _load(catalog, claims)
    markets = None
    if (root / store.MARKETS_RELPATH).is_file():
        markets = store.load_markets(root)
    needs = required_items(events, claim_frame, markets=markets)
    before = item_states(needs, root, now=now)
    _raise_for_unreadable(before, root)
    offline = is_offline() if offline is None else bool(offline)
    command = fetch_missing_command(_path_or_none(catalog), _path_or_none(claims), root)
    jobs = [] if offline else _jobs(before, refresh)
    outcomes, reports = _run_jobs(jobs, before, root, fetcher or NetworkFetcher(), progress)
    after = item_states(needs, root, now=now) if jobs else before
    after = _apply_outcomes(after.assign(state_before=before["state"]), outcomes)
    fetches = pd.concat(reports, ignore_index=True) if reports else _empty_report()
    return EnsureReport(root, after, fetches, offline, command)


def _raise_for_unreadable(states: pd.DataFrame, root: Path) -> None:
    """Stop on stored files that cannot be read: neither a run nor a merge could use them.

    Raises
    ------
    DataFormatError
        Naming every such file, with line, column and value (the first one's path as
        ``path``).
    """
    bad = states.loc[states["state"] == "unreadable"]
    if bad.empty:
        return
    notes = list(dict.fromkeys(bad["note"]))
    head = (
        "a data file cannot be read"
        if len(notes) == 1
        else f"{len(notes)} data files cannot be read"
    )
    raise DataFormatError(
        f"{head}: correct it, or remove it and fetch it again "
        f"(eventstudy data fetch-missing):\n  " + "\n  ".join(notes),
        path=str(root / bad["relpath"].iloc[0]),
    )


def _empty_report() -> pd.DataFrame:
    from eventstudy.data.offline import REPORT_COLUMNS

    return pd.DataFrame({c: pd.Series([], dtype=object) for c in REPORT_COLUMNS})
