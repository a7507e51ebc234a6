"""Helpers shared by the plotting modules (no chart of their own)."""

from __future__ import annotations

import textwrap

import matplotlib_fontja  # noqa: F401  (registers IPAexGothic for Japanese labels)

JAPANESE_FONT = "IPAexGothic"


def new_axes(ax=None, figsize: tuple[float, float] = (7, 4)):
    """``ax`` itself, or the Axes of a new figure when ``ax`` is None (never shown)."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def font_kw(text: str | None) -> dict:
    """Font keywords for a label: the Japanese font whenever it has non-Latin characters."""
    if text and any(ord(ch) > 0x2FF for ch in text):
        return {"fontfamily": JAPANESE_FONT}
    return {}


def set_title(ax, title: str, *, width: int = 60) -> None:
    """Set a title wrapped to ``width`` characters (CJK characters count double)."""
    wide = sum(2 if ord(ch) > 0x2FF else 1 for ch in title)
    if wide > width:
        scale = len(title) / wide
        title = "\n".join(textwrap.wrap(title, max(10, int(width * scale))))
    ax.set_title(title, **font_kw(title))
