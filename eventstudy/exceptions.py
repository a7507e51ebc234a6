"""Error and warning classes of ``eventstudy``, with their message templates side by side.

Every error says what failed, where (file, line, column, argument), the value seen, what is
accepted and how to fix it. Every warning says how to silence it. Modules raise these classes;
they never ``print``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class EventStudyError(Exception):
    """Base class of every error raised by ``eventstudy``."""


# --------------------------------------------------------------------------------------------
# events.csv
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogProblem:
    """One problem found in an events catalog.

    Attributes
    ----------
    path : str
        The file, as given.
    line : int or None
        Line number as an editor shows it (header = line 1); None for file-level problems.
    column : str or None
        Column name, or None when the problem concerns the whole row or file.
    event_id : str or None
        The row's ``event_id`` when it could be read.
    value : str or None
        The offending value, as read.
    message : str
        What is wrong and what was expected.
    id_name : str, default "event_id"
        Name of the file's key column, shown with its value (``claim_id`` for claims files).
    """

    path: str
    line: int | None
    column: str | None
    event_id: str | None
    value: str | None
    message: str
    id_name: str = "event_id"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f" line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        if self.event_id:
            where += f" ({self.id_name}={self.event_id})"
        value = "" if self.value is None else f"{self.value!r}: "
        return f"{where}: {value}{self.message}"


class CatalogError(EventStudyError, ValueError):
    """An events catalog has one or more problems; ``problems`` lists every one of them."""

    what = "the events catalog"

    def __init__(self, problems: Sequence[CatalogProblem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self.what}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class ClaimsError(CatalogError):
    """A claims file (``claims.csv``) has one or more problems; ``problems`` lists them all.

    A :class:`CatalogError` (same problem records, same exit code 2 in the CLI); each
    problem names the file, line, column, ``claim_id``, value and what was expected.
    """

    what = "the claims file"


class OrientationError(CatalogError):
    """``market_orientation.csv`` has one or more problems; ``problems`` lists every one.

    A :class:`CatalogError` (same problem records, same handling by the command line), with a
    message that names the orientation file rather than the events catalog.
    """

    def __init__(self, problems: Sequence[CatalogProblem]):
        super().__init__(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the market orientation file:"
        self.args = ("\n".join([head, *(f"  - {p}" for p in self.problems)]),)


# --------------------------------------------------------------------------------------------
# data directory and fetching
# --------------------------------------------------------------------------------------------


class DataNotFoundError(EventStudyError, FileNotFoundError):
    """A file the analysis needs is not in the data directory.

    The message names the ticker, series or token, the path looked at, and the command that
    would fetch it.
    """

    def __init__(self, what: str, path: str, fetch_command: str | None = None):
        self.what = what
        self.path = path
        self.fetch_command = fetch_command
        msg = f"{what} is not in the data directory: {path} does not exist."
        if fetch_command:
            msg += f" Fetch it with: {fetch_command}"
        super().__init__(msg)


class DataFormatError(EventStudyError, ValueError):
    """A data file exists but does not have the expected layout (columns, types, values).

    Parameters
    ----------
    message : str
        The whole message: file, line and column, the value seen and what was expected.
    path, line, column : optional
        Where the problem is, for programs (the message already says it): the file, the line
        as an editor shows it (header = line 1) and the column name, or None when the
        problem concerns the whole file.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ):
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column


class FetchError(EventStudyError, RuntimeError):
    """A download failed or returned unusable data; nothing was written to the data directory."""


class ReportOutputError(EventStudyError):
    """The report's output directory (``--out``) cannot be used.

    It is a file, a link, a directory of other files, or not writable. The message says which
    and what to do; nothing was written and nothing there was changed.
    """


class UnknownInstrumentError(EventStudyError, KeyError):
    """A ticker or series has no entry in the instrument registry."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class SpecificationError(EventStudyError, ValueError):
    """An option or argument has a value that is not accepted (the message lists accepted ones)."""


# --------------------------------------------------------------------------------------------
# warnings
# --------------------------------------------------------------------------------------------


class EventStudyWarning(UserWarning):
    """Base class of warnings.

    Silence all with ``warnings.simplefilter("ignore", eventstudy.exceptions.EventStudyWarning)``.
    """


class MissingPriceWarning(EventStudyWarning):
    """Prices are missing inside a window.

    Silence with ``warnings.simplefilter("ignore", MissingPriceWarning)``.
    """


class WindowOverlapWarning(EventStudyWarning):
    """Event windows overlap other events' windows.

    Silence with ``warnings.simplefilter("ignore", WindowOverlapWarning)``.
    """


class ReturnsScaleWarning(EventStudyWarning):
    """Returns look like prices or like percent instead of decimal returns.

    Silence with ``warnings.simplefilter("ignore", ReturnsScaleWarning)``.
    """


class ProvenanceWarning(EventStudyWarning):
    """A data file cannot be traced to its ``manifest.json`` entry.

    Its bytes differ from the recorded sha256, it is not listed, or the manifest is missing or
    unreadable. Results then rest on files nobody recorded. Re-fetch the file (``eventstudy
    fetch``) or restore it; make it an error with ``strict=True``
    (:func:`eventstudy.data.store.file_versions`); silence with
    ``warnings.simplefilter("ignore", ProvenanceWarning)``.
    """


class DuplicateTimestampWarning(EventStudyWarning):
    """An odds file repeats a timestamp with two different prices.

    :func:`eventstudy.data.store.load_odds` keeps the last row (equal repeats are dropped
    silently); the message names the file, lines, timestamp and both prices. Fetch the file
    again (``eventstudy fetch --markets <slug> --replace``) or correct it; silence with
    ``warnings.simplefilter("ignore", DuplicateTimestampWarning)``.
    """


# --------------------------------------------------------------------------------------------
# data directory and fetching (store / fetch engineer)
# --------------------------------------------------------------------------------------------


class ProvenanceError(DataFormatError):
    """Strict provenance check: a data file's bytes do not match ``manifest.json``.

    Or the manifest is missing or unreadable. The message lists every such file and why.
    """


class OfflineError(FetchError):
    """A download was refused because ``EVENTSTUDY_OFFLINE`` is set.

    Unset ``EVENTSTUDY_OFFLINE`` (or set it to ``0``) on a machine with internet, or point
    ``EVENTSTUDY_DATA`` at a data directory that already holds the file.
    """


class UnknownMarketError(DataNotFoundError):
    """A Polymarket market slug is not listed in ``polymarket/markets.csv``.

    The message names the slug, the file searched and the command that would fetch the market.
    """

    def __init__(self, slug: str, path: str, fetch_command: str | None = None):
        self.what = f"Polymarket market {slug!r}"
        self.path = path
        self.fetch_command = fetch_command
        self.slug = slug
        msg = f"Polymarket market slug {slug!r} is not listed in {path}."
        if fetch_command:
            msg += f" Fetch it with: {fetch_command}"
        EventStudyError.__init__(self, msg)
