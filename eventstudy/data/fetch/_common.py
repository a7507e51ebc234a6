"""Shared pieces of the fetchers: offline switch, report rows, a retrying HTTP getter."""

from __future__ import annotations

import email.utils
import logging
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import requests

from eventstudy.exceptions import FetchError, OfflineError

OFFLINE_ENV = "EVENTSTUDY_OFFLINE"
REPORT_COLUMNS = ("kind", "key", "status", "rows", "path", "error")
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 120.0

Sleep = Callable[[float], None]


def is_offline() -> bool:
    """True when ``EVENTSTUDY_OFFLINE`` is set to anything but ``""``, ``0``, ``false``, ``no``."""
    value = os.environ.get(OFFLINE_ENV, "").strip().lower()
    return value not in {"", "0", "false", "no"}


def ensure_online(what: str) -> None:
    """Raise :class:`OfflineError` if ``EVENTSTUDY_OFFLINE`` forbids the network.

    Parameters
    ----------
    what : str
        What would have been downloaded, for the message.
    """
    if is_offline():
        raise OfflineError(
            f"EVENTSTUDY_OFFLINE={os.environ.get(OFFLINE_ENV)!s} forbids network access; "
            f"refusing to download {what}. Unset EVENTSTUDY_OFFLINE on a machine with internet, "
            "or set EVENTSTUDY_DATA to a data directory that already holds the data."
        )


def report_row(
    kind: str, key: str, status: str, rows: int = 0, path: str = "", error: str = ""
) -> dict[str, Any]:
    """One row of a fetch report (columns ``REPORT_COLUMNS``)."""
    return {"kind": kind, "key": key, "status": status, "rows": rows, "path": path, "error": error}


def write_item(
    kind: str, key: str, relpath: str, data_dir: Any, write: Callable[[], int]
) -> dict[str, Any]:
    """Run ``write`` (download one item and write it to ``relpath``; returns its row count)
    and report the outcome: a ``FetchError`` or ``OSError`` becomes a ``failed`` row (and a
    log warning), never an exception, so one bad item does not stop the others."""
    from eventstudy.data import store

    try:
        n_rows = write()
    except (FetchError, OSError) as exc:
        logging.getLogger("eventstudy.data.fetch").warning("%s %s not written: %s", kind, key, exc)
        return report_row(kind, key, "failed", error=str(exc))
    path = str(store.resolve_data_dir(data_dir) / relpath)
    return report_row(kind, key, "ok", rows=n_rows, path=path)


def report_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The fetch report as a DataFrame with columns ``REPORT_COLUMNS`` (``rows`` int64)."""
    frame = pd.DataFrame.from_records(rows, columns=list(REPORT_COLUMNS))
    frame["rows"] = frame["rows"].astype("int64")
    return frame


def utc_now() -> datetime:
    return datetime.now(UTC)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - utc_now()).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])
    text = response.text.strip().replace("\n", " ")
    return text[:300] if text else (response.reason or "")


class HttpGetter:
    """``GET`` with bounded retries and exponential backoff.

    Retries HTTP 429 and 5xx and connection errors/time-outs, at most ``max_retries`` times,
    waiting ``backoff * 2**attempt`` seconds (or the server's ``Retry-After``, capped at
    120 s); then raises :class:`FetchError`. Any other 4xx raises :class:`FetchError` at
    once, quoting the server's ``{"error": ...}`` message.

    Parameters
    ----------
    session : requests.Session, optional
        Injected session (e.g. a ``requests_cache.CachedSession``); default a new Session.
    max_retries : int, default 4
        Retries after the first attempt.
    backoff : float, default 1.0
        Base wait in seconds.
    timeout : float, default 30.0
        Per-request time-out in seconds.
    sleep : callable, default time.sleep
        Injected for tests.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        max_retries: int = 4,
        backoff: float = 1.0,
        timeout: float = 30.0,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.session = session if session is not None else requests.Session()
        self.max_retries = int(max_retries)
        self.backoff = float(backoff)
        self.timeout = float(timeout)
        self.sleep = sleep

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> requests.Response:
        """The successful (2xx) response to ``GET url?params``; see the class docstring."""
        ensure_online(url)
        last = ""
        for attempt in range(self.max_retries + 1):
            wait = self.backoff * 2**attempt
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.ok:
                    return response
                if response.status_code not in RETRY_STATUS:
                    raise FetchError(
                        f"GET {response.url} failed with HTTP {response.status_code}: "
                        f"{_error_text(response)}"
                    )
                last = f"HTTP {response.status_code}: {_error_text(response)}"
                hinted = _retry_after(response)
                if hinted is not None:
                    wait = hinted
            if attempt < self.max_retries:
                self.sleep(wait)
        raise FetchError(
            f"GET {url} (params {dict(params or {})}) failed after {self.max_retries + 1} "
            f"attempts; last error: {last}"
        )
