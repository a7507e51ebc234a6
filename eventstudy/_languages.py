"""The languages the report and its figures are written in, and the check of a language asked for.

A module of its own (it imports only ``typing`` and the exceptions) so that the report's words
(:mod:`eventstudy.report.text`) and the figures' words (:mod:`eventstudy.plotting._labels`)
share one definition without either importing the other.
"""

from __future__ import annotations

from typing import Literal

from eventstudy.exceptions import SpecificationError

__all__ = ["LANGUAGES", "Lang", "check_lang"]

Lang = Literal["en", "ja"]
"""A language code: ``"en"`` (English) or ``"ja"`` (Japanese)."""

LANGUAGES: tuple[str, ...] = ("en", "ja")
"""The accepted language codes, in the order error messages list them."""


def check_lang(lang: object) -> Lang:
    """``lang`` itself when it is one of :data:`LANGUAGES`.

    Parameters
    ----------
    lang : object
        The language asked for.

    Returns
    -------
    {"en", "ja"}

    Raises
    ------
    SpecificationError
        Any other value, naming the accepted ones.
    """
    if lang not in LANGUAGES:
        raise SpecificationError(
            f"lang must be one of {', '.join(map(repr, LANGUAGES))}; got {lang!r}"
        )
    return lang  # type: ignore[return-value]
