"""The languages the report and its figures are written in.

A module of its own (no imports beyond ``typing``) so that the report's words
(:mod:`eventstudy.report.text`) and the figures' words (:mod:`eventstudy.plotting._labels`)
share one definition without either importing the other.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["LANGUAGES", "Lang"]

Lang = Literal["en", "ja"]
"""A language code: ``"en"`` (English) or ``"ja"`` (Japanese)."""

LANGUAGES: tuple[str, ...] = ("en", "ja")
"""The accepted language codes, in the order error messages list them."""
