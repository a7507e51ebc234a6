"""Compare a notebook's committed outputs with the outputs of a fresh execution.

The rule, cell by cell (:func:`compare_notebooks`):

* the same number of cells, with the same types; code cells have the same outputs in the same
  order: the same ``output_type`` (``stream`` with the same name, ``display_data``,
  ``execute_result``, ``error``) and, for display data and results, the same MIME types
  (``notebooks/execute.py`` joins consecutive stream outputs of one name, which the kernel
  cuts where it happens to flush, in the committed and in the executed notebook alike);
* text (streams, ``text/plain``, ``text/html``, any ``text/*``) is equal once the numbers are
  pulled out (:func:`split_numbers`), and the numbers are equal within a tolerance
  (:func:`numbers_close`: ``|a - b| <= ABS_TOL + REL_TOL * max(|a|, |b|)``); runs of spaces
  and tabs count as one space and trailing spaces are dropped, so a table whose column
  widths follow a number's printed width still compares;
* images (``image/*``): one must be present exactly where the committed one is; their bytes
  are not compared (fonts and anti-aliasing differ between machines);
* any other MIME type is compared as it is.

Nothing else is masked: a changed word, a number outside the tolerance, a missing or extra
output, a number turned into ``nan`` all fail, each with the notebook, the cell, the output and
the line.

Tolerance: the notebooks are seeded and deterministic, so a rerun on the same machine prints the
same characters. ``REL_TOL = 1e-6`` absorbs what may differ between machines (the last digits
of a full-precision float from another BLAS or CPU) and a float printed with another
round-off (``0.30000000000000004`` against ``0.3``); it is far below any printed precision of
the notebooks (they round to 2-4 decimals), so a number that really moved fails. It also keeps
integers below a million exact (a count that changes by one fails). ``ABS_TOL = 1e-9`` lets
``0.0`` equal ``-0.0`` and ``1e-17``.

What a number is: an optionally signed decimal (``-1.18``, ``+0.30``, ``3,000.0`` with
thousands separators, ``2.787e-05``) that is not part of a word: digits inside identifiers,
file names and hashes (``GC=F``, ``tariff_2025``, ``9252...353.csv``, ``934f97d8...``) stay in
the text and must be equal character for character, as do integers of more than 15 digits
(token ids). A date ``2025-03-17`` is three numbers (2025, 3, 17) separated by ``-``.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = [
    "ABS_TOL",
    "REL_TOL",
    "compare_notebooks",
    "compare_text",
    "numbers_close",
    "split_numbers",
]

REL_TOL = 1e-6
ABS_TOL = 1e-9
MAX_DIGITS = 15
"""Integers with more digits are identifiers (Polymarket token ids), compared as text."""

_NUMBER = re.compile(
    r"(?<![\w.])"  # not inside a word or after a decimal point
    r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"
    r"(?!\w|\.\w)"  # not followed by a letter, digit or an extension (.csv)
)
_SPACES = re.compile(r"[ \t]+")
_HOLE = "\x00"
"""Stands for a number in the text left once the numbers are pulled out."""


def split_numbers(text: str) -> tuple[str, list[float], list[str]]:
    """The text with every number replaced by a placeholder, the numbers, and how each was
    printed.

    Runs of spaces and tabs become one space and trailing spaces on a line are dropped.
    """
    values: list[float] = []
    printed: list[str] = []

    def pull(match: re.Match[str]) -> str:
        token = match.group(0)
        whole = re.split(r"[.eE]", token)[0]
        if sum(ch.isdigit() for ch in whole) > MAX_DIGITS:
            return token
        values.append(float(token.replace(",", "")))
        printed.append(token)
        return _HOLE

    template = _NUMBER.sub(pull, text)
    lines = (_SPACES.sub(" ", line).rstrip() for line in template.split("\n"))
    return "\n".join(lines), values, printed


def numbers_close(a: float, b: float, rel: float = REL_TOL, abs_: float = ABS_TOL) -> bool:
    """``|a - b| <= abs_ + rel * max(|a|, |b|)``."""
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= abs_ + rel * max(abs(a), abs(b))


def _line_of(template: str, hole: int) -> str:
    """``line N '<text>'``: the line holding the ``hole``-th number (numbers as ``#``)."""
    pos = -1
    for _ in range(hole + 1):
        pos = template.index(_HOLE, pos + 1)
    start = template.rfind("\n", 0, pos) + 1
    end = template.find("\n", pos)
    line = template[start : end if end >= 0 else None].replace(_HOLE, "#").strip()
    return f"line {template.count(chr(10), 0, pos) + 1} {line!r}"


def _first_difference(a: str, b: str) -> str:
    """The first differing line of two texts, committed then executed."""
    la, lb = a.split("\n"), b.split("\n")
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<no line>"
        y = lb[i] if i < len(lb) else "<no line>"
        if x != y:
            return (
                f"line {i + 1}: committed {x.replace(_HOLE, '#')!r}, "
                f"executed {y.replace(_HOLE, '#')!r}"
            )
    return "texts differ"  # pragma: no cover - only reached when a != b


def compare_text(
    committed: str, executed: str, where: str = "", rel: float = REL_TOL, abs_: float = ABS_TOL
) -> list[str]:
    """Differences between two texts: the words (numbers pulled out) and then each number.

    Returns
    -------
    list of str
        Empty when they match; else one message (the first differing line of the words) or
        one message per number outside the tolerance.
    """
    prefix = f"{where}: " if where else ""
    t1, v1, p1 = split_numbers(committed)
    t2, v2, p2 = split_numbers(executed)
    if t1 != t2:
        return [f"{prefix}text differs at {_first_difference(t1, t2)}"]
    problems = []
    for i, (a, b) in enumerate(zip(v1, v2, strict=True)):
        if not numbers_close(a, b, rel, abs_):
            problems.append(
                f"{prefix}number {i + 1} differs: committed {p1[i]}, executed {p2[i]} "
                f"(tolerance rel {rel:g}, abs {abs_:g}) in {_line_of(t1, i)}"
            )
    return problems


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _kind(out: dict) -> str:
    if out.get("output_type") == "stream":
        return f"stream ({out.get('name')})"
    if out.get("output_type") == "error":
        return f"error ({out.get('ename')})"
    return f"{out.get('output_type')} [{', '.join(sorted(out.get('data', {})))}]"


def _compare_output(c: dict, e: dict, where: str) -> list[str]:
    if _kind(c) != _kind(e):
        return [f"{where}: committed {_kind(c)}, executed {_kind(e)}"]
    if c["output_type"] == "stream":
        return compare_text(_text(c["text"]), _text(e["text"]), where)
    if c["output_type"] == "error":
        return compare_text(
            f"{c.get('ename')}: {c.get('evalue')}", f"{e.get('ename')}: {e.get('evalue')}", where
        )
    problems = []
    for mime, value in c.get("data", {}).items():
        other = e["data"][mime]
        if mime.startswith("image/"):
            continue  # present in both (same MIME types); bytes not compared
        if mime.startswith("text/"):
            problems += compare_text(_text(value), _text(other), f"{where} {mime}")
        elif value != other:
            problems.append(f"{where} {mime}: differs")
    return problems


def compare_notebooks(committed: Any, executed: Any, name: str = "notebook") -> list[str]:
    """Every difference between the committed and the executed outputs of a notebook.

    Parameters
    ----------
    committed, executed : NotebookNode or dict
        The notebook as committed and the same notebook executed afresh.
    name : str
        The notebook's name, at the start of every message.

    Returns
    -------
    list of str
        Empty when the outputs match (module docstring). Messages read
        ``<name> cell <i> (<first line of the cell>) output <j>: ...``; cells are counted
        from 1 as Jupyter shows them, markdown cells included.
    """
    cc, ec = committed["cells"], executed["cells"]
    if [c["cell_type"] for c in cc] != [c["cell_type"] for c in ec]:
        return [f"{name}: the cells differ (types or number: {len(cc)} committed, {len(ec)} run)"]
    problems: list[str] = []
    for i, (c, e) in enumerate(zip(cc, ec, strict=True), 1):
        if c["cell_type"] != "code":
            continue
        first = _text(c["source"]).strip().split("\n")[0][:60]
        where = f"{name} cell {i} ({first!r})"
        co, eo = c.get("outputs", []), e.get("outputs", [])
        if len(co) != len(eo):
            problems.append(
                f"{where}: {len(co)} output(s) committed ({', '.join(map(_kind, co)) or '-'}), "
                f"{len(eo)} executed ({', '.join(map(_kind, eo)) or '-'})"
            )
            continue
        for j, (a, b) in enumerate(zip(co, eo, strict=True), 1):
            problems += _compare_output(a, b, f"{where} output {j}")
    return problems
