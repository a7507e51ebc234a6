"""The claims file (``claims.csv``): columns, checks, and the typed claims it holds.

``claims.csv`` sits beside ``events.csv`` and is edited by analysts. One row per claim, UTF-8
(any language in ``text``), RFC 4180 quoting; it is read and checked by the same machinery as
the events catalog (:func:`eventstudy.data.catalog.read_table`), so :func:`load_claims` raises
one :class:`~eventstudy.exceptions.ClaimsError` listing *every* problem with file, line,
column, ``claim_id``, value and what was expected, and never returns a partial frame.

Columns (any order; the shipped file uses this one):

=============== ======== ===============================================================
column          required meaning
=============== ======== ===============================================================
``claim_id``    yes      unique snake_case key
``text``        yes      the claim in its own words (any language)
``source``      yes      article, author or URL
``made_on``     yes      date the claim was made, YYYY-MM-DD; data from this date on are
                         the outcome, data before it the information the claim had
``type``        yes      ``threshold``, ``level``, ``shift``, ``event_effect``,
                         ``association``
``series``      yes      space-separated: ``GC=F`` (a ticker: ``prices/GC=F.csv``),
                         ``series:GPRD`` (``series/GPRD.csv``), ``polymarket:<slug>``
                         (the market's ``Yes`` token in ``polymarket/prices/``)
``expected``    yes      the outcome the claim states (per type, below)
``alpha``       yes      significance level of the claim's test, 0 < alpha <= 0.5
typed columns   per type ``level``, ``tolerance``, ``start``, ``end``, ``baseline``,
                         ``events``, ``window``, ``basis``, ``sensitivity`` (below)
``notes``       no       free text
=============== ======== ===============================================================

Typed parameters (``R`` required, ``o`` optional, blank: must be left blank):

============= ============ ============ ============== ============== ============
column        threshold    level        shift          event_effect   association
============= ============ ============ ============== ============== ============
expected      above/below  within       up/down/any    up/down/any    up/down/any
series        1 or more    1            1              1              2 (y then x)
level         R            R
tolerance                  R
start                      R            R (1st after)                 R
end           R (horizon)  o (=start)   R                             R
baseline                                R (1st before)
events                                                 R
window                                                 R
basis         o close      o mean
sensitivity   o                                        o
============= ============ ============ ============== ============== ============

* ``threshold``: the first series (the one the verdict rests on) reaches ``level`` (in its
  own unit) at or above (``above``) or at or below (``below``) on some session from
  ``made_on`` through ``end``, judged on daily closes (``basis=close``) or intraday highs/lows
  (``basis=intraday``). Further series are cited as cross-checks, converted to the first
  series' unit when theirs differs. ``sensitivity``: other horizons, ``<n>M`` (calendar
  months after ``made_on``) or dates. Prices and registered level series only, no markets.
* ``level``: the series stood within ``level`` +/- ``tolerance`` from ``start`` through
  ``end`` (both included); ``basis`` ``mean`` (the mean over the range), ``any`` (at least
  one observation) or ``all`` (every observation). Market levels are probabilities in [0, 1].
* ``shift``: the series' mean over ``start`` .. ``end`` differs from its mean over
  ``baseline`` .. the day before ``start`` in the ``expected`` direction.
* ``event_effect``: the catalogued event(s) moved the series in the ``expected`` direction
  over ``window``: for ``GC=F``/``GLD`` a trading-day window ``a:b`` (closed, day 0 = the
  gold day 0), for markets a wall-clock horizon (``1D``, ``6h``). ``events``: event ids,
  or ``gold_direction:up`` / ``gold_direction:down`` (the study's group test), or
  ``category:<name>``. ``sensitivity``: other windows of the same form.
* ``association``: the first series' daily log return (price) or change (level) regressed on
  the second series' change over ``start`` .. ``end`` has a slope of the ``expected`` sign.

``expected = any`` asks for a move in either direction (a two-sided test).
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from eventstudy.claims.claim import (
    _ISO_DATE,
    Claim,
    SeriesRef,
    horizon_end,
    parse_horizon,
    parse_series,
    parse_trading_window,
)
from eventstudy.data.catalog import (
    CATEGORIES,
    TableSpec,
    _cell_problem,
    _check_control_characters,
    _check_date,
    _check_event_id,
    _check_replacement_character,
    _check_required_columns,
    _norm_choice,
    _Problems,
    _repeated,
    _replace_value,
    _Row,
    check_rows,
    read_table,
    sort_problems,
)
from eventstudy.exceptions import CatalogProblem, ClaimsError

__all__ = [
    "CLAIM_TYPES",
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "TYPE_RULES",
    "TypeRule",
    "check_claims",
    "claims_from_frame",
    "is_claims_file",
    "load_claims",
]

COLUMNS: tuple[str, ...] = (
    "claim_id",
    "text",
    "source",
    "made_on",
    "type",
    "series",
    "expected",
    "level",
    "tolerance",
    "start",
    "end",
    "baseline",
    "events",
    "window",
    "basis",
    "sensitivity",
    "alpha",
    "notes",
)
"""Columns of ``claims.csv``, in the order the shipped file uses."""

REQUIRED_COLUMNS: tuple[str, ...] = (*COLUMNS[:7], "alpha")
"""Columns whose value may not be blank."""

PARAMETERS: tuple[str, ...] = COLUMNS[7:16]
"""The typed columns; which ones a type uses is :data:`TYPE_RULES`."""

CLAIM_TYPES: tuple[str, ...] = ("threshold", "level", "shift", "event_effect", "association")
CLAIMS_TABLE = TableSpec(COLUMNS, REQUIRED_COLUMNS, "claim_id")
GOLD_SERIES: tuple[str, ...] = ("GC=F", "GLD")
"""Series the gold event-study machinery accepts (``event_effect`` on gold)."""
GROUP_PREFIXES: tuple[str, ...] = ("gold_direction", "category")


@dataclass(frozen=True)
class TypeRule:
    """What one claim type accepts.

    Attributes
    ----------
    expected : tuple of str
        Accepted ``expected`` values.
    required, optional : tuple of str
        Typed columns that must be / may be filled; the others must be blank.
    n_series : (int, int or None)
        Fewest and most series (None: no upper bound).
    markets : bool
        Whether Polymarket series are accepted.
    bases : tuple of str
        Accepted ``basis`` values, the first being the default (empty: no basis).
    """

    expected: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    n_series: tuple[int, int | None]
    markets: bool
    bases: tuple[str, ...] = ()


_DIRECTIONS = ("up", "down", "any")
TYPE_RULES: dict[str, TypeRule] = {
    "threshold": TypeRule(
        ("above", "below"),
        ("level", "end"),
        ("basis", "sensitivity"),
        (1, None),
        False,
        ("close", "intraday"),
    ),
    "level": TypeRule(
        ("within",),
        ("level", "tolerance", "start"),
        ("end", "basis"),
        (1, 1),
        True,
        ("mean", "any", "all"),
    ),
    "shift": TypeRule(_DIRECTIONS, ("baseline", "start", "end"), (), (1, 1), True),
    "event_effect": TypeRule(_DIRECTIONS, ("events", "window"), ("sensitivity",), (1, 1), True),
    "association": TypeRule(_DIRECTIONS, ("start", "end"), (), (2, 2), False),
}
"""Per claim type: accepted ``expected`` values, typed columns, series count and bases."""

_DATE_COLUMNS = ("made_on", "start", "end", "baseline")
_NUMBER_COLUMNS = ("level", "tolerance", "alpha")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------


def is_claims_file(path: str | os.PathLike[str]) -> bool:
    """True when the file's header names ``claim_id`` (a claims file), else False.

    Used by ``eventstudy validate`` to tell a claims file from an events catalog; unreadable
    files are False (the events validator then reports why).
    """
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").lower()
    return "claim_id" in first and "event_id" not in first


def check_claims(
    path: str | os.PathLike[str], events: pd.DataFrame | None = None
) -> list[CatalogProblem]:
    """Every problem in a claims file (an empty list if there is none).

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    events : DataFrame, optional
        The events catalog (:func:`eventstudy.data.catalog.load_events`); when given, event
        ids and categories named in ``events`` are checked against it.

    Returns
    -------
    list of CatalogProblem
        File-level problems first, then by line and column.
    """
    problems, _ = _read(path, events)
    return problems


def load_claims(path: str | os.PathLike[str], events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check a claims file.

    Parameters
    ----------
    path : str or path-like
        ``claims.csv`` (columns in the module docstring).
    events : DataFrame, optional
        The events catalog, to check the event ids a claim names.

    Returns
    -------
    pandas.DataFrame
        One row per claim in file order, columns :data:`COLUMNS`: text columns as ``str``
        (choices normalised, e.g. ``" Above"`` -> ``above``; series tokens canonical,
        space-separated; ``basis`` filled with the type's default), ``made_on``, ``start``,
        ``end``, ``baseline`` as ``datetime64`` (NaT when blank; a level claim's blank ``end``
        is its ``start``) and ``level``, ``tolerance``, ``alpha`` as float64 (NaN when blank).

    Raises
    ------
    ClaimsError
        If the file cannot be read or has any problem; ``err.problems`` lists them all.
    """
    problems, rows = _read(path, events)
    if problems:
        raise ClaimsError(problems)
    return _to_frame(rows)


def claims_from_frame(frame: pd.DataFrame) -> list[Claim]:
    """The typed claims of a :func:`load_claims` frame, in row order."""
    return [_claim(row) for row in frame.to_dict("records")]


# --------------------------------------------------------------------------------------------
# reading and checks
# --------------------------------------------------------------------------------------------


def _read(
    path: str | os.PathLike[str], events: pd.DataFrame | None
) -> tuple[_Problems, list[_Row]]:
    where = os.fspath(path)
    problems, rows, columns = read_table(path, CLAIMS_TABLE)
    if columns is None:
        return problems, []
    problems += check_rows(where, rows, columns, _ROW_CHECKS)
    problems += [p for row in rows for p in _check_event_refs(where, row, events)]
    if not rows and not problems:
        msg = "the file has no claims; expected one row per claim after the header"
        problems.append(CatalogProblem(where, None, None, None, None, msg, "claim_id"))
    return sort_problems(problems, COLUMNS), rows


def _cell(row: _Row, column: str) -> str:
    return row.cells.get(column, "")


def _type(row: _Row) -> str | None:
    value = _norm_choice(_cell(row, "type"))
    return value if value in TYPE_RULES else None


def _check_required(where: str, row: _Row, known: set[str]) -> _Problems:
    return _check_required_columns(where, row, known, REQUIRED_COLUMNS)


def _check_dates(where: str, row: _Row, known: set[str]) -> _Problems:
    return [p for c in _DATE_COLUMNS if c in known for p in _check_date(where, row, known, c)]


def _date(row: _Row, column: str) -> pd.Timestamp | None:
    value = _cell(row, column)
    if not _ISO_DATE.match(value):
        return None
    try:
        return pd.Timestamp(value)
    except ValueError:
        return None


def _number(value: str) -> float | None:
    try:
        number = float(value.replace(",", "")) if value else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) or math.isnan(number) else None


def _check_numbers(where: str, row: _Row, known: set[str]) -> _Problems:
    problems = []
    for column in _NUMBER_COLUMNS:
        value = _cell(row, column)
        if column not in known or not value:
            continue
        number = _number(value)
        if number is None:
            msg = "not a number; expected a plain decimal number such as 3000 or 0.12"
            problems.append(_cell_problem(where, row, column, msg))
        elif column == "alpha" and not 0 < number <= 0.5:
            msg = "alpha must be a significance level with 0 < alpha <= 0.5 (e.g. 0.05)"
            problems.append(_cell_problem(where, row, column, msg))
        elif column == "tolerance" and number < 0:
            msg = "tolerance must be zero or positive (in the series' unit)"
            problems.append(_cell_problem(where, row, column, msg))
    return problems


def _a(kind: str) -> str:
    """``"a threshold"``, ``"an event_effect"``."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _did_you_mean(value: str, accepted: Sequence[str]) -> str:
    close = difflib.get_close_matches(_norm_choice(value), accepted, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


def _check_type(where: str, row: _Row, known: set[str]) -> _Problems:
    value = _cell(row, "type")
    if "type" not in known or not value or _type(row) is not None:
        return []
    msg = f"unknown claim type; {_did_you_mean(value, CLAIM_TYPES)}accepted types are " + ", ".join(
        CLAIM_TYPES
    )
    return [_cell_problem(where, row, "type", msg)]


def _check_typed_columns(where: str, row: _Row, known: set[str]) -> _Problems:
    kind = _type(row)
    if kind is None:
        return []
    rule = TYPE_RULES[kind]
    problems = []
    expected = _norm_choice(_cell(row, "expected"))
    if "expected" in known and expected and expected not in rule.expected:
        msg = (
            f"{_a(kind)} claim expects {_did_you_mean(expected, rule.expected)}one of "
            + ", ".join(rule.expected)
        )
        problems.append(_cell_problem(where, row, "expected", msg))
    for column in PARAMETERS:
        if column not in known:
            continue
        filled = bool(row.cells[column])
        if column in rule.required and not filled:
            msg = f"missing value; {_a(kind)} claim needs {column}"
            problems.append(_cell_problem(where, row, column, msg))
        elif filled and column not in rule.required + rule.optional:
            msg = f"not used by {_a(kind)} claim; leave it blank"
            problems.append(_cell_problem(where, row, column, msg))
    basis = _norm_choice(_cell(row, "basis"))
    if "basis" in known and basis and rule.bases and basis not in rule.bases:
        msg = f"{_a(kind)} claim's basis is one of {', '.join(rule.bases)}"
        problems.append(_cell_problem(where, row, "basis", msg))
    level = _number(_cell(row, "level"))
    refs = _series_refs(row)
    if kind == "threshold" and level is not None and level <= 0 and refs and _is_price(refs[0]):
        msg = "a price level must be positive (the no-information model works on log prices)"
        problems.append(_cell_problem(where, row, "level", msg))
    if kind == "threshold" and basis == "intraday" and refs and refs[0].kind != "prices":
        msg = (
            "basis intraday reads the high/low of a price file; a series: file has one value a day"
        )
        problems.append(_cell_problem(where, row, "basis", msg))
    return problems


def _series_refs(row: _Row) -> list[SeriesRef] | None:
    """The parsed series, or None if any token is malformed (reported by _check_series)."""
    try:
        return [parse_series(t) for t in _cell(row, "series").split()]
    except ValueError:
        return None


def _is_price(ref: SeriesRef) -> bool:
    from eventstudy.data.instruments import get_instrument

    return ref.kind != "market" and get_instrument(ref.key).kind == "price"


def _check_series(where: str, row: _Row, known: set[str]) -> _Problems:
    if "series" not in known or not row.cells["series"]:
        return []
    problems = []
    tokens = row.cells["series"].split()
    for token in tokens:
        try:
            parse_series(token)
        except ValueError as exc:
            problem = _cell_problem(where, row, "series", str(exc))
            problems.append(_replace_value(problem, token))
    kind = _type(row)
    if problems or kind is None:
        return problems
    rule = TYPE_RULES[kind]
    low, high = rule.n_series
    refs = [parse_series(t) for t in tokens]
    problems += _repeated(where, row, "series", [r.label for r in refs], "series")
    if len(refs) < low or (high is not None and len(refs) > high):
        count = f"exactly {low}" if low == high else f"{low} to {high}" if high else f"{low}+"
        msg = f"{_a(kind)} claim names {count} series (space-separated), found {len(refs)}"
        problems.append(_cell_problem(where, row, "series", msg))
    if not rule.markets and any(r.kind == "market" for r in refs):
        msg = f"{_a(kind)} claim cannot use a Polymarket market; use a level or shift claim"
        problems.append(_cell_problem(where, row, "series", msg))
    if kind == "event_effect" and refs and refs[0].kind != "market":
        if refs[0].kind != "prices" or refs[0].key not in GOLD_SERIES:
            msg = (
                "an event_effect claim measures gold (" + ", ".join(GOLD_SERIES) + ") with the "
                "gold event study, or a market (polymarket:<slug>) with the odds study"
            )
            problems.append(_cell_problem(where, row, "series", msg))
    return problems


def _check_window(where: str, row: _Row, known: set[str]) -> _Problems:
    if _type(row) != "event_effect":
        return []
    refs = _series_refs(row)
    market = bool(refs and refs[0].kind == "market")
    parse = parse_horizon if market else parse_trading_window
    problems = []
    if "sensitivity" in known:
        windows = row.cells["sensitivity"].split()
        problems += _repeated(where, row, "sensitivity", windows, "window")
    for column in ("window", "sensitivity"):
        if column not in known:
            continue
        for token in row.cells[column].split() if column == "sensitivity" else [row.cells[column]]:
            if not token:
                continue
            try:
                parse(token)
            except ValueError as exc:
                problem = _cell_problem(where, row, column, str(exc))
                problems.append(_replace_value(problem, token))
    return problems


def _check_horizons(where: str, row: _Row, known: set[str]) -> _Problems:
    from eventstudy.data.day0 import CALENDAR_END

    if _type(row) != "threshold" or "sensitivity" not in known:
        return []
    made_on = _date(row, "made_on")
    tokens = row.cells["sensitivity"].split()
    problems = _repeated(where, row, "sensitivity", tokens, "horizon")
    for token in tokens:
        try:
            end = horizon_end(token, made_on or pd.Timestamp("2000-01-01"))
        except ValueError as exc:
            msg = str(exc)
        else:
            if made_on is not None and end <= made_on:
                msg = "a horizon must end after made_on"
            elif end > pd.Timestamp(CALENDAR_END):
                msg = f"the horizon ends after the trading calendars' end {CALENDAR_END}"
            else:
                continue
        problems.append(_replace_value(_cell_problem(where, row, "sensitivity", msg), token))
    return problems


def _check_date_order(where: str, row: _Row, known: set[str]) -> _Problems:
    """Dates in order; each date's range is checked with the catalog's (``_check_date``)."""
    kind = _type(row)
    d = {c: _date(row, c) for c in _DATE_COLUMNS}
    problems = []

    def after(later: str, earlier: str, strict: bool, what: str) -> None:
        a, b = d[later], d[earlier]
        if a is not None and b is not None and (a <= b if strict else a < b):
            problems.append(_cell_problem(where, row, later, what))

    if kind == "threshold":
        after("end", "made_on", True, "the horizon end must come after made_on")
    elif kind == "level":
        after("end", "start", False, "end must not come before start")
    elif kind == "shift":
        after("start", "baseline", True, "start (first day after) must come after baseline")
        after("end", "start", False, "end must not come before start")
    elif kind == "association":
        after("end", "start", True, "end must come after start")
    return problems


def _check_event_selectors(where: str, row: _Row, known: set[str]) -> _Problems:
    """Each token of an event_effect claim's ``events`` is an event id or a lone group."""
    if _type(row) != "event_effect" or "events" not in known or not row.cells["events"]:
        return []
    tokens = row.cells["events"].split()
    refs = _series_refs(row)
    market = bool(refs and refs[0].kind == "market")
    problems = []
    for token in tokens:
        message = _event_selector_message(token, market, len(tokens))
        if message:
            problem = _cell_problem(where, row, "events", message)
            problems.append(_replace_value(problem, token))
    return problems


def _event_selector_message(token: str, market: bool, n_tokens: int) -> str:
    """What is wrong with one ``events`` token ('' when nothing is).

    ``market``: the claim is about a market (event ids only); ``n_tokens``: how many tokens
    the cell holds (a group must stand alone).
    """
    prefix, _, value = token.partition(":")
    if not value:
        if not _SNAKE.match(token):
            return "not an event_id; expected a snake_case id from events.csv"
        return ""
    if market:
        return "a market claim names event ids, not groups"
    if prefix == "gold_direction" and value not in ("up", "down"):
        return "the gold study tests the groups gold_direction:up and gold_direction:down"
    if prefix == "category" and value not in CATEGORIES:
        return f"unknown category; accepted are {', '.join(CATEGORIES)}"
    if prefix not in GROUP_PREFIXES:
        return "not an event_id or group; expected ids, gold_direction:up|down or category:<name>"
    if n_tokens > 1:
        return "a group stands alone; name either one group or event ids"
    return ""


def _check_event_refs(where: str, row: _Row, events: pd.DataFrame | None) -> _Problems:
    """Event ids named by an event_effect claim exist in the catalog (when one is given)."""
    if events is None or _type(row) != "event_effect" or "events" not in row.cells:
        return []
    known_ids = set(events["event_id"].astype(str))
    problems = []
    for token in row.cells["events"].split():
        if ":" in token or not _SNAKE.match(token) or token in known_ids:
            continue
        problem = _cell_problem(where, row, "events", "no such event_id in the events catalog")
        problems.append(_replace_value(problem, token))
    return problems


_ROW_CHECKS = (
    _check_control_characters,
    _check_replacement_character,
    _check_required,
    _check_event_id,
    _check_dates,
    _check_numbers,
    _check_type,
    _check_typed_columns,
    _check_series,
    _check_window,
    _check_horizons,
    _check_date_order,
    _check_event_selectors,
)


# --------------------------------------------------------------------------------------------
# the frame and the typed claims
# --------------------------------------------------------------------------------------------


def _to_frame(rows: Sequence[_Row]) -> pd.DataFrame:
    records = []
    for row in rows:
        values = {c: row.cells.get(c, "") for c in COLUMNS}
        kind = _norm_choice(values["type"])
        rule = TYPE_RULES[kind]
        values["type"] = kind
        values["expected"] = _norm_choice(values["expected"])
        values["basis"] = _norm_choice(values["basis"]) or (rule.bases[0] if rule.bases else "")
        values["series"] = " ".join(parse_series(t).token for t in values["series"].split())
        values["events"] = " ".join(values["events"].split())
        values["sensitivity"] = " ".join(values["sensitivity"].split())
        if kind == "level" and not values["end"]:
            values["end"] = values["start"]
        records.append(values)
    frame = pd.DataFrame({c: pd.Series([r[c] for r in records], dtype="str") for c in COLUMNS})
    for column in _DATE_COLUMNS:
        frame[column] = pd.to_datetime(frame[column].replace("", None), format="%Y-%m-%d")
        frame[column] = frame[column].astype("datetime64[s]")
    for column in _NUMBER_COLUMNS:
        frame[column] = [_number(v) for v in frame[column]]
        frame[column] = frame[column].astype("float64")
    return frame


def _optional_date(value: object) -> pd.Timestamp | None:
    return None if pd.isna(value) else pd.Timestamp(value)


def _claim(row: dict) -> Claim:
    return Claim(
        claim_id=str(row["claim_id"]),
        text=str(row["text"]),
        source=str(row["source"]),
        made_on=pd.Timestamp(row["made_on"]),
        type=row["type"],
        series=tuple(parse_series(t) for t in str(row["series"]).split()),
        expected=str(row["expected"]),
        alpha=float(row["alpha"]),
        level=float(row["level"]),
        tolerance=float(row["tolerance"]),
        start=_optional_date(row["start"]),
        end=_optional_date(row["end"]),
        baseline=_optional_date(row["baseline"]),
        events=tuple(str(row["events"]).split()),
        window=str(row["window"]),
        basis=str(row["basis"]),
        sensitivity=tuple(str(row["sensitivity"]).split()),
        notes=str(row["notes"]),
    )
