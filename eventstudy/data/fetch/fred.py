"""FRED series via the keyless CSV endpoint into ``series/<ID>.csv``.

``GET https://fred.stlouisfed.org/graph/fredgraph.csv?id=DFII10`` returns a CSV with columns
``observation_date,<ID>`` (older responses: ``DATE,<ID>``); ``.`` or a blank marks a missing
observation. No API key is needed.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterable
from typing import Any

import pandas as pd
import requests

from eventstudy.data import store, writer
from eventstudy.data.fetch._common import HttpGetter, Sleep, ensure_online, report_frame, write_item
from eventstudy.exceptions import FetchError

FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"


def parse_fred_csv(
    text: str,
    series_id: str,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """A ``fredgraph.csv`` body in the ``series/`` layout.

    Parameters
    ----------
    text : str
        The CSV body.
    series_id : str
        The FRED id; must be the second column's name.
    start, end : str or Timestamp, optional
        Keep dates in ``[start, end]`` (both inclusive).

    Returns
    -------
    DataFrame
        Columns ``date`` (``YYYY-MM-DD``) and ``value`` (float64; NaN where FRED has ``.`` or
        a blank, written back as blank), sorted, unique dates.

    Raises
    ------
    FetchError
        Not a CSV with a date column and a ``series_id`` column (FRED answers unknown ids with
        an HTML page), or a value that is not a number.
    """
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise FetchError(f"FRED {series_id}: response is not CSV ({exc})") from exc
    date_col = next((c for c in raw.columns if c.lower() in {"observation_date", "date"}), None)
    if date_col is None or series_id not in raw.columns:
        raise FetchError(
            f"FRED {series_id}: expected columns observation_date,{series_id}; got "
            f"{', '.join(map(str, raw.columns))[:200]} (is the series id right?)"
        )
    dates = pd.to_datetime(raw[date_col].str.strip(), format="%Y-%m-%d", errors="coerce")
    text_values = raw[series_id].str.strip()
    blank = text_values.isin(["", "."])
    values = pd.to_numeric(text_values.where(~blank, None), errors="coerce").astype("float64")
    if dates.isna().any() or (values.isna() & ~blank).any():
        raise FetchError(f"FRED {series_id}: malformed date or value in the response")
    frame = pd.DataFrame({"date": dates, "value": values})
    if start is not None:
        frame = frame.loc[frame["date"] >= pd.Timestamp(start)]
    if end is not None:
        frame = frame.loc[frame["date"] <= pd.Timestamp(end)]
    frame = frame.drop_duplicates("date", keep="last").sort_values("date", ignore_index=True)
    if frame.empty or frame["value"].isna().all():
        raise FetchError(f"FRED {series_id}: no observations in the requested range; not written")
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return frame


def fetch_series(
    series_ids: Iterable[str],
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    session: requests.Session | None = None,
    sleep: Sleep = time.sleep,
    max_retries: int = 4,
    replace: bool = False,
) -> pd.DataFrame:
    """Download FRED series and write ``series/<ID>.csv`` (``date,value``) for each.

    Parameters
    ----------
    series_ids : iterable of str
        FRED ids, e.g. ``["DFII10", "DGS10"]``.
    start, end : str or Timestamp, optional
        Keep observations in ``[start, end]``, both inclusive.
    data_dir : str or path-like, optional
        Data directory; see :func:`eventstudy.data.store.resolve_data_dir`.
    session, sleep, max_retries
        HTTP session, retry wait and retry count (as for
        :class:`~eventstudy.data.fetch.polymarket.PolymarketClient`).
    replace : bool, default False
        Replace each stored file by the download instead of merging into it by date
        (:func:`eventstudy.data.writer.write_csv_atomic`).

    Returns
    -------
    DataFrame
        The fetch report, one ``kind="series"`` row per id.

    Raises
    ------
    OfflineError
        ``EVENTSTUDY_OFFLINE`` is set.
    """
    ids = list(dict.fromkeys(str(s).strip() for s in series_ids if str(s).strip()))
    ensure_online(f"FRED series {', '.join(ids)}")
    http = HttpGetter(session, max_retries=max_retries, sleep=sleep)
    versions = writer.library_versions("requests")
    report: list[dict[str, Any]] = []
    for sid in ids:

        def write(sid: str = sid) -> tuple[str, int, dict[str, Any]]:
            relpath = store.series_relpath(sid)
            response = http.get(FRED_CSV_URL, {"id": sid})
            frame = parse_fred_csv(response.text, sid, start, end)
            entry = writer.write_csv_atomic(
                frame,
                relpath,
                data_dir,
                source=FRED_CSV_URL,
                params={
                    "id": sid,
                    "start": None if start is None else str(start),
                    "end": None if end is None else str(end),
                },
                note="FRED series; blank value = missing observation",
                versions=versions,
                replace=replace,
            )
            return relpath, len(frame), entry

        report.append(write_item("series", sid, data_dir, write))
    return report_frame(report)
