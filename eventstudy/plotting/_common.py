"""Helpers shared by the plotting modules (no chart of their own)."""

from __future__ import annotations

import textwrap

import matplotlib_fontja  # noqa: F401  (registers IPAexGothic for Japanese labels)
from matplotlib.axes import Axes

JAPANESE_FONT = "IPAexGothic"


def new_axes(ax: Axes | None = None, figsize: tuple[float, float] = (7, 4)) -> Axes:
    """``ax`` itself, or the Axes of a new figure when ``ax`` is None (never shown)."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


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


def set_title(ax: Axes, title: str, *, width: int = 60) -> None:
    """Set a title wrapped to ``width`` characters (CJK characters count double).

    Drawn literally (:func:`literal_text`: titles come from data).
    """
    title = "" if title is None else str(title)
    wide = sum(2 if ord(ch) > 0x2FF else 1 for ch in title)
    lines = [title]
    if wide > width:
        scale = len(title) / wide
        lines = textwrap.wrap(title, max(10, int(width * scale)))
    text = "\n".join(literal_text(line) for line in lines)  # escape after wrapping
    ax.set_title(text, **font_kw(text))
