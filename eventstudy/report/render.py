"""HTML of the report: blocks of a page rendered through one jinja2 template.

A page is a plain dict (``title``, ``subtitle``, ``lang``, ``sections`` ...); a section is a list
of blocks built by the small functions here (:func:`paragraph`, :func:`table`, :func:`figures`,
...). Every string from data (titles, questions, reasons, claims) reaches the HTML through
jinja2's autoescaping, so text from ``events.csv``, ``claims.csv`` or Polymarket is shown, never
executed. Nothing here computes a statistic: tables arrive as frames and are only formatted.
"""

from __future__ import annotations

import base64
import math
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "bullets",
    "embed_figures",
    "figures",
    "heading",
    "links",
    "notes",
    "paragraph",
    "render_page",
    "table",
]

Block = dict[str, Any]

LONG_TEXT = 80
"""A text column with a cell wider than this (:func:`display_width`) is given room to wrap."""


def display_width(text: str) -> int:
    """Width of ``text`` in columns of a fixed-width font.

    Wide and full-width characters (Japanese) count 2, others 1 (Unicode's East Asian Width
    W and F), so that a Japanese sentence is as "long" as the English one it translates.
    """
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def paragraph(text: str) -> Block:
    """A paragraph of plain text."""
    return {"kind": "paragraph", "text": text}


def heading(text: str, anchor: str) -> Block:
    """A sub-heading with an anchor (``#anchor``)."""
    return {"kind": "heading", "text": text, "id": anchor}


def bullets(items: Sequence[str], css: str = "") -> Block:
    """A bulleted list of plain-text items."""
    return {"kind": "list", "entries": list(items), "css": css}


def notes(items: Sequence[str]) -> Block:
    """A numbered list (the report's notes)."""
    return {"kind": "notes", "entries": list(items)}


def links(items: Sequence[tuple[str, str, str]]) -> Block:
    """Links ``(href, text, note)``, e.g. to the CSV files."""
    return {"kind": "links", "entries": [{"href": h, "text": t, "note": n} for h, t, n in items]}


def figures(items: Sequence[tuple[str, str]]) -> Block:
    """Figures ``(file name, caption)``; several are laid out in a grid."""
    return {"kind": "figures", "entries": [{"src": s, "caption": c, "alt": c} for s, c in items]}


def _cell(value: Any, fmt: str | None) -> tuple[str, bool]:
    """Display text of a cell and whether it is a number (right-aligned)."""
    if value is None or value is pd.NaT:
        return "", False
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), False
    if isinstance(value, int | np.integer):
        return f"{int(value):,d}", True
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return "", True
        return (fmt or "{:.4g}").format(float(value)), True
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M" if value.hour or value.minute else "%Y-%m-%d"), False
    return str(value), False


def table(
    frame: pd.DataFrame,
    caption: str,
    *,
    columns: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
    csv: str | None = None,
    note: str | None = None,
    anchor: str | None = None,
) -> Block:
    """A table block from a frame: readable headings, formatted numbers.

    Parameters
    ----------
    frame : DataFrame
        The rows to show, in order.
    caption : str
    columns : mapping of column -> heading, optional
        Columns to show, in this order, with their headings (default: all, as named).
    formats : mapping of column -> ``str.format`` pattern, optional
        E.g. ``{"car_pct": "{:+.2f}", "p_hac": "{:.3f}"}``; default ``{:.4g}`` for floats.
    csv : str, optional
        File name of the CSV holding the full table (linked from the caption).
    note : str, optional
        A line under the table.
    anchor : str, optional
        ``id`` of the table.
    """
    columns = dict(columns) if columns is not None else {str(c): str(c) for c in frame.columns}
    formats = dict(formats or {})
    cols = [c for c in columns if c in frame.columns]
    rows, numeric = [], [False] * len(cols)
    for record in frame[cols].itertuples(index=False, name=None):
        cells = [_cell(v, formats.get(c)) for c, v in zip(cols, record, strict=True)]
        rows.append([text for text, _ in cells])
        numeric = [n or is_num for n, (_, is_num) in zip(numeric, cells, strict=True)]
    longest = [max((display_width(row[i]) for row in rows), default=0) for i in range(len(cols))]
    classes = [
        "num" if is_num else ("text long" if size > LONG_TEXT else "text")
        for is_num, size in zip(numeric, longest, strict=True)
    ]
    return {
        "kind": "table",
        "caption": caption,
        "columns": [columns[c] for c in cols],
        "rows": rows,
        "classes": classes,
        "html": _rows_html(rows, classes),
        "csv": csv,
        "note": note,
        "id": anchor or "",
    }


def _rows_html(rows: list[list[str]], classes: list[str]) -> list[Any]:
    """Each row's cells as escaped HTML, ``<td class="...">text</td>`` one after the other.

    What the template wrote cell by cell (the same escaping, markupsafe's), built here in one
    pass per row: at 5,000 events the page has 300,000 cells, and the template's loop spent
    about 2 s on them (an attribute lookup, a subscript and two escapes each).
    """
    from markupsafe import Markup, escape

    opening = [f'<td class="{escape(css)}">' for css in classes]
    return [
        Markup("".join([f"{td}{escape(text)}</td>" for td, text in zip(opening, row, strict=True)]))
        for row in rows
    ]


def embed_figures(page: dict[str, Any], directory: Path) -> None:
    """Replace every figure's file name by a ``data:`` URI of the PNG (one self-contained file)."""
    for section in page["sections"]:
        for block in section["blocks"]:
            if block["kind"] != "figures":
                continue
            for fig in block["entries"]:
                data = (directory / fig["src"]).read_bytes()
                fig["src"] = "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def render_page(page: Mapping[str, Any]) -> str:
    """The report's HTML from ``templates/report.html.j2`` (autoescaped)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("eventstudy.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("report.html.j2").render(page=page)
