"""Helpers shared by the plotting modules (no chart of their own)."""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib_fontja  # noqa: F401  (registers IPAexGothic for Japanese labels)
import numpy as np
from matplotlib.axes import Axes

from eventstudy.exceptions import SpecificationError

JAPANESE_FONT = "IPAexGothic"


def new_axes(ax: Axes | None = None, figsize: tuple[float, float] = (7, 4)) -> Axes:
    """``ax`` itself, or the Axes of a new figure when ``ax`` is None (never shown)."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def axes_for(axes: Any, n: int, what: str) -> list[Axes]:
    """The Axes passed in, flattened (a ``plt.subplots`` grid too), for ``n`` panels of ``what``.

    Raises
    ------
    SpecificationError
        Fewer than ``n`` Axes.
    """
    flat = list(np.asarray(axes, dtype=object).ravel())
    if len(flat) < n:
        raise SpecificationError(f"{n} {what} need {n} Axes; got {len(flat)}")
    return flat


def literal_text(text: object) -> str:
    r"""Text from data (titles, market questions, ids) made safe to draw: shown as written.

    matplotlib reads the text between two unescaped ``$`` as math (mathtext): a Polymarket
    question or catalog title holding ``$\foo$`` makes drawing fail, and one with two
    prices (``$5 ... $6``) is drawn garbled. Every ``$`` is escaped as ``\$``, which
    matplotlib draws as a plain ``$`` (a ``\$`` already in the text stays visible as
    written). Everything else is left alone. (With ``text.usetex`` on, TeX's other special
    characters would need escaping too; this package never turns it on.)

    Parameters
    ----------
    text : object
        Any value; None gives ``""``.

    Returns
    -------
    str
    """
    return "" if text is None else str(text).replace("$", r"\$")


def font_kw(text: str | None) -> dict:
    """Font keywords for a label: the Japanese font whenever it has non-Latin characters."""
    if text and any(ord(ch) > 0x2FF for ch in text):
        return {"fontfamily": JAPANESE_FONT}
    return {}


def set_title(
    ax: Axes, title: str, *, width: int = 60, max_lines: int | None = None, first: str = ""
) -> None:
    """Set a title wrapped to ``width`` characters (CJK characters count double).

    Drawn literally (:func:`literal_text`: titles come from data).

    Parameters
    ----------
    ax : Axes
    title : str
        Wrapped at spaces or, in CJK text, between characters.
    width : int, default 60
    max_lines : int, optional
        At most this many lines of ``title``, the last one cut with an ellipsis.
    first : str, default ""
        A line above the title, not wrapped (e.g. an id).
    """
    lines = wrap_wide(title, width)
    if max_lines is not None and len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][:-1] + "…"]
    if first:
        lines = [first, *(line for line in lines if line)]
    text = "\n".join(literal_text(line) for line in lines)
    ax.set_title(text, **font_kw(text))  # escaped after wrapping


def wrap_wide(text: object, width: int) -> list[str]:
    """``text`` wrapped to ``width`` columns, a CJK character counting as two; None: ``[""]``."""
    text = "" if text is None else str(text)
    wide = sum(2 if ord(ch) > 0x2FF else 1 for ch in text)
    if wide <= width:
        return [text]
    scale = len(text) / wide
    return textwrap.wrap(text, max(10, int(width * scale)))
