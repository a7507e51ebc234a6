"""What every results object shares: the summary, the tidy frame, repr, and side-by-side tables.

:class:`Results` is the base of :class:`~eventstudy.engine.results.EventStudyResults`,
:class:`~eventstudy.gold.results.GoldStudyResults`,
:class:`~eventstudy.odds.results.OddsStudyResults` (and the other odds and claims results). A
subclass says *what* to show (its settings, its tables, its notes, its tidy rows); this module
says *how*, once:

* :meth:`Results.summary` returns a statsmodels :class:`~statsmodels.iolib.summary.Summary`
  (``as_text``, ``as_html``, ``as_latex``, ``as_csv``): a header table of settings, the
  subclass's tables, then numbered notes ``[1] ...`` carrying the diagnostics.
* :meth:`Results.to_frame` gives one documented tidy shape, :data:`TIDY_COLUMNS`:

  ==========  ======  ==========  ===========  ========
  event_id    asset   window      statistic    value
  ==========  ======  ==========  ===========  ========
  russia_inv  GC=F    (-1, +1)    car_pct      1.23
  russia_inv  GC=F    (-1, +1)    pvalue       0.04
  ==========  ======  ==========  ===========  ========

  ``event_id`` is the unit studied (an event, an episode, a claim), ``asset`` what was
  measured (a ticker, a market slug, a series), ``window`` a label of the window (trading-day
  offsets such as ``"(-1, +1)"``, wall-clock horizons such as ``"+1D"``), ``statistic`` a name
  that carries its unit (``car`` decimal, ``car_pct`` percent, ``shift_pp`` percentage points),
  ``value`` a float.
* ``repr``, ``str`` and ``_repr_html_`` (notebooks) read from the summary.
* :func:`compare` puts several results side by side from their tidy frames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from statsmodels.iolib.summary import Summary

__all__ = ["TIDY_COLUMNS", "Results", "compare", "tidy_frame", "window_label"]

TIDY_COLUMNS: tuple[str, ...] = ("event_id", "asset", "window", "statistic", "value")
"""Columns of every results object's :meth:`Results.to_frame`."""


def window_label(start: int, end: int) -> str:
    """Label of a closed window of trading-day offsets, e.g. ``(-1, +1)`` or ``(0, 0)``.

    Parameters
    ----------
    start, end : int
        First and last offset relative to day 0, both included.

    Returns
    -------
    str
    """

    def sign(v: int) -> str:
        return f"{v:+d}" if v else "0"

    return f"({sign(int(start))}, {sign(int(end))})"


def tidy_frame(
    frame: pd.DataFrame, statistics: Sequence[str], *, event_id: str, asset: str, window: str
) -> pd.DataFrame:
    """Melt a wide results table into the :data:`TIDY_COLUMNS` shape.

    Parameters
    ----------
    frame : DataFrame
        One row per (event, asset, window) with one column per statistic.
    statistics : sequence of str
        Columns of ``frame`` to melt, in the order they appear per row.
    event_id, asset, window : str
        Columns of ``frame`` that hold the three keys (``window`` already a label).

    Returns
    -------
    DataFrame
        Columns :data:`TIDY_COLUMNS`; rows ordered by the input rows, then ``statistics``.
    """
    keys = frame[[event_id, asset, window]].set_axis(list(TIDY_COLUMNS[:3]), axis=1)
    n, m = len(frame), len(statistics)
    values = frame[list(statistics)].to_numpy(dtype=float).ravel() if n and m else np.empty(0)
    out = keys.loc[keys.index.repeat(m)].reset_index(drop=True)
    out["statistic"] = pd.array(np.tile(np.asarray(statistics, dtype=object), n), dtype=str)
    out["value"] = values
    return out[list(TIDY_COLUMNS)]


def _cell(value: Any, float_format: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M") if value.hour or value.minute else f"{value:%F}"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return float_format % float(value)
    return str(value)


def _simple_table(
    frame: pd.DataFrame, title: str, float_format: str, formats: Mapping[str, str] | None
) -> Any:
    from statsmodels.iolib.table import SimpleTable

    formats = dict(formats or {})
    data = [
        [
            _cell(v, formats.get(col, float_format))
            for col, v in zip(frame.columns, row, strict=True)
        ]
        for row in frame.itertuples(index=False, name=None)
    ]
    if not data:
        data = [["(none)"] + [""] * (len(frame.columns) - 1)]
    return SimpleTable(data, headers=[str(c) for c in frame.columns], title=title)


class Results:
    """Base class of the package's results objects (summary, tidy frame, repr, notebook HTML).

    A subclass implements:

    * ``_summary_title() -> str``;
    * ``_summary_info() -> list[tuple[str, str]]``: settings shown in the header table;
    * ``_summary_tables() -> list[tuple[str, DataFrame]]``: titled tables, display columns
      (units in their names), shown in this order; per-column number formats may be given as
      a third tuple element, e.g. ``{"p": "%.4f"}``;
    * ``_summary_notes() -> list[str]``: diagnostics, numbered ``[1] ...`` under the tables;
    * :meth:`to_frame` in the :data:`TIDY_COLUMNS` shape;
    * ``_repr_items() -> list[tuple[str, object]]``: the few facts shown by ``repr``.

    Values are set when a results object is built; nothing here computes statistics.
    """

    float_format: str = "%.4f"
    """Default number format of the summary tables."""

    def _summary_title(self) -> str:
        raise NotImplementedError

    def _summary_info(self) -> list[tuple[str, str]]:
        return []

    def _summary_tables(self) -> list[tuple]:
        return []

    def _summary_notes(self) -> list[str]:
        return []

    def _repr_items(self) -> list[tuple[str, object]]:
        return []

    def to_frame(self) -> pd.DataFrame:
        """Tidy long form, columns :data:`TIDY_COLUMNS` (see the module docstring)."""
        raise NotImplementedError

    def summary(self) -> Summary:
        """A statsmodels ``Summary``: settings, tables and numbered notes.

        Returns
        -------
        statsmodels.iolib.summary.Summary
            With ``as_text()``, ``as_html()``, ``as_latex()`` and ``as_csv()``.
        """
        from statsmodels.iolib.summary import Summary
        from statsmodels.iolib.table import SimpleTable

        smry = Summary()
        info = self._summary_info()
        if info:
            half = (len(info) + 1) // 2
            left, right = info[:half], info[half:]
            right = right + [("", "")] * (len(left) - len(right))
            rows = [[a[0], a[1], b[0], b[1]] for a, b in zip(left, right, strict=True)]
            smry.tables.append(SimpleTable(rows, title=self._summary_title()))
        for item in self._summary_tables():
            title, frame = item[0], item[1]
            formats = item[2] if len(item) > 2 else None
            smry.tables.append(_simple_table(frame, title, self.float_format, formats))
        notes = self._summary_notes()
        if notes:
            smry.add_extra_txt([f"[{i}] {note}" for i, note in enumerate(notes, 1)])
        return smry

    def __repr__(self) -> str:
        items = " ".join(f"{k}={v!r}" for k, v in self._repr_items())
        return f"<{type(self).__name__}{' ' + items if items else ''}>"

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def compare(
    results: Mapping[str, Results] | Sequence[Results],
    statistic: str = "car_pct",
    *,
    window: str | None = None,
    on: Sequence[str] = ("event_id", "asset", "window"),
) -> pd.DataFrame:
    """Several results side by side: one column per result, one row per event, asset and window.

    Parameters
    ----------
    results : mapping of name to results, or a sequence of results
        E.g. ``{"constant_mean GC=F": base, "market GC=F": market}``; a sequence is named
        ``"0"``, ``"1"``, ...
    statistic : str, default "car_pct"
        A statistic of the results' :meth:`~Results.to_frame` (``car_pct``, ``pvalue``, ...).
    window : str, optional
        Keep only this window label (e.g. ``"(-1, +1)"``).
    on : sequence of str, default ("event_id", "asset", "window")
        Keys that identify a row across the results; ``("event_id", "window")`` compares
        different assets (e.g. GC=F against GLD) event by event.

    Returns
    -------
    DataFrame
        Indexed by ``on``; columns the results' names; NaN where a result has no such row
        (e.g. an event excluded under one specification).

    Raises
    ------
    KeyError
        ``statistic`` is in none of the results.
    """
    named = (
        dict(results)
        if isinstance(results, Mapping)
        else {str(i): r for i, r in enumerate(results)}
    )
    columns = {}
    for name, res in named.items():
        long = res.to_frame()
        long = long[long["statistic"] == statistic]
        if window is not None:
            long = long[long["window"] == window]
        keyed = long.set_index(list(on))["value"]
        if keyed.index.has_duplicates:
            raise ValueError(
                f"results {name!r} has several {statistic!r} rows per {tuple(on)}; add the "
                "missing key to on="
            )
        columns[name] = keyed
    if all(c.empty for c in columns.values()):
        raise KeyError(f"statistic {statistic!r} is in none of the results' to_frame()")
    return pd.concat(columns, axis=1)
