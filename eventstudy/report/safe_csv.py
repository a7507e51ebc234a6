"""CSV files that spreadsheets open as data, never as formulas (CSV injection).

The rule, for every text cell of a report CSV (titles, market questions, reasons: text that
comes from ``events.csv``, from Polymarket or from an error message):

- a cell whose first character is ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
  which some spreadsheets skip before looking) is written with a leading apostrophe ``'``,
  which Excel, LibreOffice and Google Sheets show as text and do not evaluate
  (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``);
- numbers stay numbers: numeric columns are never touched, and a text cell that is a plain
  number (``-0.5``, ``+3``, ``-1.2e-3``) is kept as it is, since a spreadsheet reads it as that
  number and not as a formula;
- every other cell is written unchanged.

A program reading the CSV back gets the apostrophe as part of the text; strip a leading
``'`` from text cells to undo it. (The OWASP "CSV Injection" guidance is the reference.)
"""

from __future__ import annotations

import os
import re
from typing import Any

import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralise", "safe_frame", "write_csv"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters with which a spreadsheet may start a formula."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def neutralise(value: object) -> object:
    """``value`` made safe for a spreadsheet cell (see the module docstring).

    Non-text values are returned unchanged.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised.

    Numeric, boolean and datetime columns are left as they are.
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values):
            out[column] = values.map(neutralise, na_action="ignore")
    return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], **kwargs: Any) -> None:
    """Write ``frame`` as CSV with its text cells neutralised.

    ``index=False`` by default; other keyword arguments go to ``DataFrame.to_csv``.
    """
    kwargs.setdefault("index", False)
    safe_frame(frame).to_csv(path, **kwargs)
