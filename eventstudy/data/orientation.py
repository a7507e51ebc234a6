"""Read and check ``market_orientation.csv``: which way each linked market points.

A Polymarket question can point either way: YES on "US military action against Iran" means more
geopolitical risk, YES on "Russia x Ukraine ceasefire" means less. The file beside the catalog
says, for every market linked in ``events.csv``, what YES means, so that odds shifts can be
harmonised before they are compared with gold (oriented shift = shift x sign, ``sign = +1`` for
``more_risk`` and ``-1`` for ``less_risk``; see
:func:`eventstudy.odds.association.gold_odds_association`).

The file is UTF-8 CSV (RFC 4180 quoting), one row per market, with the columns

============ ===========================================================================
column       meaning
============ ===========================================================================
slug         Polymarket market slug, as in the ``polymarket`` column of ``events.csv``
yes_means    ``more_risk`` (YES = more geopolitical risk) or ``less_risk``
rationale    one sentence saying why
============ ===========================================================================

It is read with the catalog's machinery (:mod:`eventstudy.data.catalog`): the same encoding,
quoting and line-number rules, and one :class:`~eventstudy.exceptions.OrientationError` (a
:class:`~eventstudy.exceptions.CatalogError`) listing every problem with file, line, column,
value and what was expected. Given the catalog, every linked slug must have a row; rows for
markets no event links are allowed. Spelling of ``yes_means`` is normalised as in the catalog
(``"Less risk"`` -> ``less_risk``).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from eventstudy.data.catalog import (
    _cell_problem,
    _check_control_characters,
    _decode,
    _make_row,
    _norm_choice,
    _problem,
    _Row,
    _split_records,
    is_market_slug,
)
from eventstudy.exceptions import CatalogProblem, OrientationError

__all__ = [
    "ORIENTATION_COLUMNS",
    "ORIENTATION_FILE",
    "YES_MEANS",
    "check_orientation",
    "default_orientation_path",
    "load_orientation",
    "orientation_signs",
]

ORIENTATION_FILE = "market_orientation.csv"
"""File name looked for beside the catalog."""

ORIENTATION_COLUMNS: tuple[str, ...] = ("slug", "yes_means", "rationale")
"""Columns of the orientation file (all required, any order)."""

YES_MEANS: tuple[str, ...] = ("more_risk", "less_risk")
"""Accepted values of ``yes_means``."""

_SIGN = {"more_risk": 1, "less_risk": -1}

_Problems = list[CatalogProblem]


def default_orientation_path(catalog: str | os.PathLike[str]) -> Path:
    """``market_orientation.csv`` in the directory of ``catalog``."""
    return Path(catalog).with_name(ORIENTATION_FILE)


def check_orientation(
    path: str | os.PathLike[str],
    events: pd.DataFrame | None = None,
) -> list[CatalogProblem]:
    """Every problem in an orientation file (an empty list if there is none).

    Parameters
    ----------
    path : str or path-like
        The orientation CSV.
    events : DataFrame, optional
        The catalog (:func:`eventstudy.data.catalog.load_events` output); when given, every slug
        in its ``polymarket_slugs`` must have a row.

    Returns
    -------
    list of CatalogProblem
        File-level problems first, then by line and column; missing orientations last.
    """
    problems, _ = _read(path, events)
    return problems


def load_orientation(
    path: str | os.PathLike[str],
    events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read and check an orientation file.

    Parameters
    ----------
    path : str or path-like
    events : DataFrame, optional
        As in :func:`check_orientation`.

    Returns
    -------
    DataFrame
        One row per market in file order: ``slug``, ``yes_means`` (normalised), ``sign``
        (int, +1 for ``more_risk``, -1 for ``less_risk``), ``rationale``.

    Raises
    ------
    OrientationError
        If the file cannot be read or has any problem; ``err.problems`` lists them all.

    Examples
    --------
    >>> orientation = load_orientation("market_orientation.csv")  # doctest: +SKIP
    >>> orientation_signs(orientation)["russia-x-ukraine-ceasefire-in-2025"]  # doctest: +SKIP
    -1
    """
    problems, rows = _read(path, events)
    if problems:
        raise OrientationError(problems)
    frame = pd.DataFrame(
        {
            "slug": pd.Series([r.cells["slug"] for r in rows], dtype="str"),
            "yes_means": pd.Series([_norm_choice(r.cells["yes_means"]) for r in rows], dtype="str"),
            "rationale": pd.Series([r.cells["rationale"] for r in rows], dtype="str"),
        }
    )
    frame.insert(2, "sign", frame["yes_means"].map(_SIGN).astype("int64"))
    return frame


def orientation_signs(orientation: pd.DataFrame | Mapping[str, int]) -> dict[str, int]:
    """``slug -> +1/-1`` from :func:`load_orientation` output (or a mapping, checked).

    Raises
    ------
    ValueError
        A sign other than +1 or -1.
    """
    if isinstance(orientation, pd.DataFrame):
        signs = dict(zip(orientation["slug"].astype(str), orientation["sign"], strict=True))
    else:
        signs = dict(orientation)
    bad = {k: v for k, v in signs.items() if v not in (1, -1)}
    if bad:
        raise ValueError(f"orientation signs must be +1 or -1; got {bad}")
    return {str(k): int(v) for k, v in signs.items()}


# --------------------------------------------------------------------------------------------
# reading and checks
# --------------------------------------------------------------------------------------------


def _read(
    path: str | os.PathLike[str], events: pd.DataFrame | None
) -> tuple[_Problems, list[_Row]]:
    where = os.fspath(path)
    try:
        text, problems = _decode(where, Path(path).read_bytes())
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror or exc}"
        return [_problem(where, None, None, None, None, msg)], []
    if problems:
        return problems, []  # undecodable bytes: the catalog's encoding problems and hints
    if not text.strip():
        msg = f"the file is empty; expected a header line {','.join(ORIENTATION_COLUMNS)}"
        return [_problem(where, None, None, None, None, msg)], []
    header, records, problems = _split_records(where, text, ORIENTATION_COLUMNS)
    if header is None:
        return problems, []
    columns, header_problems = _check_header(where, header)
    if header_problems:
        return problems + header_problems, []  # cells cannot be read without the columns
    made = [_make_row(where, line, cells, columns) for line, cells in records]
    problems += [p for _, row_problems in made for p in row_problems]
    rows = [row for row, _ in made if row is not None]
    for row in rows:
        problems += _check_control_characters(where, row, set(columns)) + _check_row(where, row)
    problems += _check_duplicates(where, rows)
    order = {c: i for i, c in enumerate(ORIENTATION_COLUMNS)}
    problems.sort(key=lambda p: (p.line or 0, order.get(p.column or "", -1)))
    if not rows and not problems:
        msg = "the file has no rows; expected one row per linked market after the header"
        problems.append(_problem(where, None, None, None, None, msg))
    if events is not None:
        problems += _check_coverage(where, rows, events)
    return problems, rows


def _check_header(where: str, header: list[str]) -> tuple[list[str], _Problems]:
    expected = ", ".join(ORIENTATION_COLUMNS)
    if len(header) == 1:
        for char, name in ((";", "semicolons"), ("\t", "tabs")):
            if len({_norm_choice(c) for c in header[0].split(char)} & set(ORIENTATION_COLUMNS)) > 1:
                msg = (
                    f"the columns are separated by {name} instead of commas; save the file as "
                    "'CSV UTF-8 (Comma delimited)'"
                )
                return [], [_problem(where, 1, None, None, None, msg)]
    problems: _Problems = []
    columns: list[str] = []
    for cell in header:
        name = _norm_choice(cell)
        if name not in ORIENTATION_COLUMNS:
            close = difflib.get_close_matches(name, ORIENTATION_COLUMNS, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            msg = f"unknown column; {hint}accepted columns are {expected}"
            problems.append(_problem(where, 1, cell.strip() or None, None, cell, msg))
        elif name in columns:
            msg = "this column appears twice in the header; keep one"
            problems.append(_problem(where, 1, name, None, cell, msg))
        columns.append(name)
    for name in ORIENTATION_COLUMNS:
        if name not in columns:
            msg = f"column is missing from the header; the columns are {expected}"
            problems.append(_problem(where, 1, name, None, None, msg))
    return columns, problems


def _check_row(where: str, row: _Row) -> _Problems:
    problems: _Problems = []
    for column in ORIENTATION_COLUMNS:
        if not row.cells[column]:
            msg = "missing value; this column is required"
            problems.append(_cell_problem(where, row, column, msg))
    slug = row.cells["slug"]
    if slug and not is_market_slug(slug):
        msg = (
            "not a Polymarket market slug; expected letters, digits and single hyphens, as in "
            "the polymarket column of events.csv"
        )
        problems.append(_cell_problem(where, row, "slug", msg))
    value = row.cells["yes_means"]
    if value and _norm_choice(value) not in YES_MEANS:
        close = difflib.get_close_matches(_norm_choice(value), YES_MEANS, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        msg = (
            f"unknown yes_means; {hint}accepted values are {', '.join(YES_MEANS)} (does YES on "
            "this market mean more geopolitical risk or less?)"
        )
        problems.append(_cell_problem(where, row, "yes_means", msg))
    return problems


def _check_duplicates(where: str, rows: list[_Row]) -> _Problems:
    """One problem for every repeat of a slug, naming the line that has it first."""
    by_slug: dict[str, list[_Row]] = {}
    for row in rows:
        if row.cells["slug"]:
            by_slug.setdefault(row.cells["slug"], []).append(row)
    return [
        _cell_problem(
            where,
            again,
            "slug",
            f"duplicate slug: used on lines {same[0].lines['slug']} and {again.lines['slug']}; "
            "give each market one row",
        )
        for same in by_slug.values()
        for again in same[1:]
    ]


def _check_coverage(where: str, rows: list[_Row], events: pd.DataFrame) -> _Problems:
    """A problem for every slug linked in the catalog that has no row."""
    have = {r.cells["slug"] for r in rows}
    linked: dict[str, list[str]] = {}
    for event_id, slugs in zip(events["event_id"], events["polymarket_slugs"], strict=True):
        for slug in slugs:
            linked.setdefault(slug, []).append(str(event_id))
    problems = []
    for slug, ids in linked.items():
        if slug in have:
            continue
        msg = (
            f"market linked in the catalog ({', '.join(ids)}) has no orientation; add a row "
            f"'{slug},more_risk|less_risk,<why>'"
        )
        problems.append(_problem(where, None, "slug", None, slug, msg))
    return problems
