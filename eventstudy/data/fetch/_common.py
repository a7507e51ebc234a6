"""Shared pieces of the fetchers: offline switch, report rows, a retrying HTTP getter."""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from eventstudy.data.offline import OFFLINE_ENV, REPORT_COLUMNS, is_offline
from eventstudy.exceptions import FetchError, OfflineError

logger = logging.getLogger("eventstudy.data.fetch")

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 10.0
"""Longest wait honoured from a server's ``Retry-After`` header, in seconds."""
MAX_TOTAL_WAIT_S = 30.0
"""Longest total wait between the attempts of one request, in seconds."""

Sleep = Callable[[float], None]


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
    kind: str,
    key: str,
    status: str,
    rows: int = 0,
    path: str = "",
    error: str = "",
    *,
    added: int = 0,
    changed: int = 0,
    note: str = "",
) -> dict[str, Any]:
    """One row of a fetch report (columns ``REPORT_COLUMNS``)."""
    return {
        "kind": kind,
        "key": key,
        "status": status,
        "rows": rows,
        "added": added,
        "changed": changed,
        "path": path,
        "note": note,
        "error": error,
    }


def describe_failure(exc: BaseException) -> str:
    """The text of a failure for the report.

    The library's own errors as they are, anything else (an unexpected answer from a server)
    with its type, so nothing is hidden.
    """
    from eventstudy.exceptions import EventStudyError

    if isinstance(exc, EventStudyError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


def written_row(
    kind: str, key: str, path: str, n_rows: int, entry: Mapping[str, Any]
) -> dict[str, Any]:
    """The ``ok`` report row of an item written to the data directory.

    The item was written with :func:`eventstudy.data.writer.write_csv_atomic`; ``entry`` is
    the manifest entry it returned.
    """
    merge = entry.get("merge")
    if merge:
        from eventstudy.data.merge import MergeStats

        stats = MergeStats(**{**merge, "examples": tuple(merge.get("examples", ()))})
        return report_row(
            kind,
            key,
            "ok",
            n_rows,
            path,
            added=stats.added,
            changed=stats.changed,
            note=f"{stats.describe()}; {stats.rows} rows in the file",
        )
    if "replaced_rows" in entry:
        stored = entry["replaced_rows"]
        note = f"replaced the stored file ({'unreadable' if stored is None else stored} rows)"
    else:
        note = "new file"
    return report_row(kind, key, "ok", n_rows, path, added=n_rows, note=note)


def write_item(
    kind: str,
    key: str,
    data_dir: Any,
    write: Callable[[], tuple[str, int, dict]],
    *,
    reraise: tuple[type[BaseException], ...] = (),
) -> dict[str, Any]:
    """Run ``write`` and report the outcome.

    ``write`` downloads one item and writes it; it returns the relative path written, the row
    count downloaded and the manifest entry.

    Any exception becomes a ``failed`` row (and a log warning), never a traceback: one bad
    item, even an answer of a shape nobody foresaw, does not stop the others, and the report
    says what happened to each item. Exceptions of the ``reraise`` types propagate (for the
    caller's own outcomes, such as "empty").
    """
    from eventstudy.data import store

    try:
        relpath, n_rows, entry = write()
    except reraise:
        raise
    except Exception as exc:  # isolate the item: report it, go on with the others
        logger.warning("%s %s not written: %s", kind, key, exc)
        logger.debug("details", exc_info=True)
        return report_row(kind, key, "failed", error=describe_failure(exc))
    path = str(store.resolve_data_dir(data_dir) / relpath)
    return written_row(kind, key, path, n_rows, entry)


def report_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The fetch report as a DataFrame with columns ``REPORT_COLUMNS`` (counts int64)."""
    frame = pd.DataFrame.from_records(rows, columns=list(REPORT_COLUMNS))
    for count in ("rows", "added", "changed"):
        frame[count] = frame[count].astype("int64")
    return frame


def utc_now() -> datetime:
    return datetime.now(UTC)


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])[:300]
    text = response.text.strip().replace("\n", " ")
    return text[:300] if text else (response.reason or "")


class BoundedRetry(Retry):
    """urllib3 ``Retry`` whose waits are finite, capped and bounded in total.

    - ``Retry-After`` is honoured up to ``retry_after_cap`` seconds; a value that is not a
      non-negative finite number of seconds or an HTTP date (``NaN``, ``inf``, ``-5``,
      garbage) is ignored and the exponential backoff is used instead.
    - The waits of one request add up to at most ``max_total_wait`` seconds; once spent, the
      remaining attempts go without waiting.
    - ``sleep_fn`` does the waiting (``time.sleep``; tests inject a recorder).

    Parameters
    ----------
    retry_after_cap : float, default MAX_RETRY_AFTER_S
    max_total_wait : float, default MAX_TOTAL_WAIT_S
    sleep_fn : callable, default time.sleep
    waited : float, default 0
        Seconds already waited (carried from one attempt to the next).
    **kwargs
        Passed to ``urllib3.util.retry.Retry``.
    """

    def __init__(
        self,
        *args: Any,
        retry_after_cap: float = MAX_RETRY_AFTER_S,
        max_total_wait: float = MAX_TOTAL_WAIT_S,
        sleep_fn: Callable[[float], None] = time.sleep,
        waited: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_cap = float(retry_after_cap)
        self.max_total_wait = float(max_total_wait)
        self.sleep_fn = sleep_fn
        self.waited = float(waited)

    def new(self, **kw: Any) -> BoundedRetry:
        kw.setdefault("retry_after_cap", self.retry_after_cap)
        kw.setdefault("max_total_wait", self.max_total_wait)
        kw.setdefault("sleep_fn", self.sleep_fn)
        kw.setdefault("waited", self.waited)
        return super().new(**kw)

    def parse_retry_after(self, retry_after: str) -> float:
        value = retry_after.strip()
        try:
            seconds = float(value)
        except ValueError:
            import email.utils

            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError, OverflowError):
                return math.nan
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - utc_now()).total_seconds()
        if not math.isfinite(seconds) or seconds < 0:
            return math.nan
        return min(seconds, self.retry_after_cap)

    def wait_for(self, response: Any = None) -> float:
        """Seconds to wait before the next attempt (finite, within the caps)."""
        hinted = math.nan
        if self.respect_retry_after_header and response is not None:
            header = response.headers.get("Retry-After")
            if header is not None:
                hinted = self.parse_retry_after(str(header))
        wait = hinted if math.isfinite(hinted) else self.get_backoff_time()
        return max(0.0, min(wait, self.max_total_wait - self.waited))

    def increment(self, *args: Any, **kwargs: Any) -> BoundedRetry:
        """Count the failed attempt (urllib3) and wait before the next one.

        The wait happens here rather than in :meth:`sleep` so that it is the same whoever
        drives the retries (urllib3's connection pool, or the ``responses`` mock in tests);
        when the retries are exhausted ``increment`` raises and nobody waits.
        """
        new = super().increment(*args, **kwargs)
        response = kwargs.get("response", args[2] if len(args) > 2 else None)
        wait = new.wait_for(response)
        if wait > 0:
            new.waited += wait
            self.sleep_fn(wait)
        return new

    def sleep(self, response: Any = None) -> None:
        """No-op: :meth:`increment` already waited."""


class HttpGetter:
    """``GET`` through a ``requests`` session whose adapters retry with :class:`BoundedRetry`.

    HTTP 429 and 5xx, connection errors and time-outs are retried at most ``max_retries``
    times (urllib3 ``Retry`` with ``status_forcelist``, ``respect_retry_after_header`` and
    exponential backoff ``backoff * 2**(n-1)`` seconds, each wait at most
    :data:`MAX_RETRY_AFTER_S` and all of them together at most :data:`MAX_TOTAL_WAIT_S`);
    then :class:`FetchError` quoting the last answer. Any other 4xx raises
    :class:`FetchError` at once, quoting the server's ``{"error": ...}`` message.

    Parameters
    ----------
    session : requests.Session, optional
        Injected session (e.g. a ``requests_cache.CachedSession``); default a new Session.
        The retrying adapters are mounted on it for ``http://`` and ``https://``.
    max_retries : int, default 4
        Retries after the first attempt.
    backoff : float, default 1.0
        Backoff factor in seconds.
    timeout : float, default 30.0
        Per-request time-out in seconds.
    sleep : callable, default time.sleep
        Does the waiting (injected by tests).
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
        self.timeout = float(timeout)
        self.retry = BoundedRetry(
            total=self.max_retries,
            backoff_factor=float(backoff),
            backoff_max=MAX_RETRY_AFTER_S,
            status_forcelist=sorted(RETRY_STATUS),
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True,
            raise_on_status=False,
            sleep_fn=sleep,
        )
        adapter = HTTPAdapter(max_retries=self.retry)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> requests.Response:
        """The successful (2xx) response to ``GET url?params``; see the class docstring."""
        ensure_online(url)
        attempts = self.max_retries + 1
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.exceptions.RetryError as exc:
            raise FetchError(f"GET {url} failed after {attempts} attempts: {exc}") from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise FetchError(
                f"GET {url} (params {dict(params or {})}) failed after {attempts} attempts; "
                f"last error: {type(exc).__name__}: {exc}"
            ) from exc
        except requests.RequestException as exc:
            raise FetchError(f"GET {url} failed: {type(exc).__name__}: {exc}") from exc
        if response.ok:
            return response
        if response.status_code in RETRY_STATUS:
            raise FetchError(
                f"GET {response.url} failed after {attempts} attempts; last error: HTTP "
                f"{response.status_code}: {_error_text(response)}"
            )
        raise FetchError(
            f"GET {response.url} failed with HTTP {response.status_code}: {_error_text(response)}"
        )
