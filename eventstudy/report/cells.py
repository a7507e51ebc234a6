"""The Japanese page's table cells: codes as Japanese labels, composed sentences in Japanese.

The CSV files and the English page show the library's codes (``no_baseline``, ``two-sided``,
``inconclusive`` ...) and its English sentences as they are: they are machine-readable outputs.
For the Japanese page, :func:`japanese_cells` rewrites a copy of a table before it is rendered:

* a code column (column -> kind of code) shows the label of
  :data:`eventstudy.report.text.CODE_LABELS_JA`;
* a sentence column (column -> kind of sentence) shows the Japanese sentence of
  :data:`eventstudy.report.text.SENTENCES_JA` with the values of the English one. These
  sentences are composed where the results are made (the gold study, the association tests,
  the claims' evidence and what their verdicts rest on), from English templates
  (:func:`english_templates`); :func:`template_fields` reads the values back by the template
  that wrote them, so the two languages share one set of fields. A field holding a code shows
  its label (a price field, a gold direction, a category, the unit ``log return``); a field
  holding a list (a threshold claim's first dates, its roll days) shows each item by its own
  template; numbers, dates, tickers, slugs, paths and commands stay as written;
* a true/false cell shows はい / いいえ.

The same templates give the Japanese of two fixed texts outside the tables: the caveat of the
cross-sectional battery (:func:`shown_sentence`) and the verdict rules
(:func:`verdict_rule_lines`); :func:`robustness_headings` names the robustness table's columns.
The report's notes (kind ``report_note``: the analyses' ``NOTE_TEXTS``) are read the same
way; a note's field that holds another template's sentence (an excluded event's reason, a
claim's evidence, the HAC route's error scaling) shows that sentence in Japanese, and the odds
study's per-status breakdown and an error's message stay English.

What has no Japanese is shown as it is: a code outside its code set, a sentence that matches
none of its templates. ``tests/test_report_ja_cells.py`` keeps that from happening silently:
every code of the library's code sets and every template has Japanese, and the Japanese page
of the real report has no fixed English word of those sets in its table cells.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.claims.verdicts import RULES
from eventstudy.report.text import (
    CODE_LABELS_JA,
    COLUMNS,
    ROBUSTNESS_FITS_JA,
    ROBUSTNESS_VALUES_JA,
    SENTENCES_JA,
    YES_NO_JA,
    Lang,
)

__all__ = [
    "SENTENCE_KINDS",
    "english_templates",
    "japanese_cells",
    "japanese_label",
    "japanese_sentence",
    "robustness_headings",
    "shown_cells",
    "shown_sentence",
    "template_fields",
    "verdict_rule_lines",
]

SENTENCE_KINDS = (
    "overlap_action",
    "event_reason",
    "association_method",
    "engine_caveat",
    "verdict_rule",
    "claim_evidence",
    "claim_first_date",
    "claim_roll_day",
    "claim_series",
    "report_note",
)
"""The kinds of composed sentence (keys of ``SENTENCES_JA`` and of :func:`english_templates`)."""


@functools.cache
def english_templates() -> dict[str, dict[str, str]]:
    """The English templates of each kind of sentence (keys :data:`SENTENCE_KINDS`).

    Imported on first use: the modules that write the sentences load the analysis stack
    (about 0.3 s), which an English page never needs for its cells.
    """
    from eventstudy.claims import comparisons, effects, threshold
    from eventstudy.claims.results import NOTE_TEXTS as CLAIMS_NOTES
    from eventstudy.claims.sources import MISSING_TEXTS
    from eventstudy.data.needs import NOT_FETCHABLE_TEXT
    from eventstudy.gold.overlap import ACTION_TEXTS
    from eventstudy.gold.results import ENGINE_CAVEAT
    from eventstudy.gold.study import EVENT_REASON_TEXTS
    from eventstudy.gold.study import NOTE_TEXTS as GOLD_NOTES
    from eventstudy.odds.association import METHOD_TEXTS, REASON_TEXTS
    from eventstudy.odds.results import NOTE_TEXTS as ODDS_NOTES
    from eventstudy.report.analyses import NOTE_TEXTS as REPORT_NOTES

    return {
        "overlap_action": ACTION_TEXTS,
        "event_reason": EVENT_REASON_TEXTS | {"dropped": ACTION_TEXTS["dropped"]},
        "association_method": METHOD_TEXTS | REASON_TEXTS,
        "engine_caveat": {"caveat": ENGINE_CAVEAT},
        "verdict_rule": RULES,
        "claim_evidence": threshold.REASON_TEXTS
        | comparisons.REASON_TEXTS
        | effects.REASON_TEXTS
        | MISSING_TEXTS
        | {"not_fetchable": NOT_FETCHABLE_TEXT},
        "claim_first_date": threshold.FIRST_DATE_TEXTS,
        "claim_roll_day": threshold.ROLL_DAY_TEXTS,
        # the general "{series} {field}" last: it reads every text with a space
        "claim_series": comparisons.RESTS_ON_TEXTS
        | effects.RESTS_ON_TEXTS
        | threshold.RESTS_ON_TEXTS,
        "report_note": REPORT_NOTES | GOLD_NOTES | ODDS_NOTES | CLAIMS_NOTES,
    }


_LABELS: dict[str, dict[str, str]] = CODE_LABELS_JA | {
    "catalog_group": CODE_LABELS_JA["gold_direction"] | CODE_LABELS_JA["category"],
    "rule_kind": CODE_LABELS_JA["claim_type"] | CODE_LABELS_JA["verdict"],
}
"""The code labels; those of a group column (an expected direction or a category); those of
the verdict rules' kinds (a claim type, or the verdict ``no data``)."""

JOINER = "; "
"""What joins two sentences in one cell (e.g. two reasons an event was excluded)."""

_CODE_FIELDS: dict[str, str] = {
    "category": "category",
    "field": "price_field",
    "group": "gold_direction",
    "y_unit": "return_unit",
}
"""Template fields that hold a code, and the code's kind (shown by its label)."""

LIST_JOINER = ", "
"""What joins the items of a list inside a sentence (a threshold claim's first dates)."""

_LIST_FIELDS: dict[str, str] = {"dates": "claim_first_date", "days": "claim_roll_day"}
"""Template fields that hold items joined by :data:`LIST_JOINER`, and the kind of sentence
of one item (each shown in Japanese, an item no template wrote as it is)."""

_SENTENCE_FIELDS: dict[str, str] = {
    "event_reason": "event_reason",
    "claim_reason": "claim_evidence",
    "scaling": "report_note",
}
"""Template fields of the notes that hold a sentence of another template, and its kind (an
excluded event's reason, a claim's evidence, the HAC route's error scaling)."""

_SPANNING_FIELDS = frozenset({"event_reason", "claim_reason", "groups", "listed", "parts", "error"})
"""Template fields whose value may hold :data:`JOINER` (sentences or items joined by it, an
error message); the others never span it."""


@functools.cache
def _template_pattern(template: str) -> re.Pattern[str]:
    """A pattern matching the texts ``template`` writes, one named group per field."""
    parts, seen = [], set()
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field in seen:  # a field named twice holds the same text twice
            parts.append(f"(?P={field})")
        elif field in _SPANNING_FIELDS:
            parts.append(f"(?P<{field}>.+?)")
            seen.add(field)
        elif field is not None:  # other values never span a "; " (where sentences are joined)
            parts.append(f"(?P<{field}>(?:(?!{re.escape(JOINER)}).)+?)")
            seen.add(field)
    return re.compile("".join(parts), re.DOTALL)


def template_fields(template: str, text: str) -> dict[str, str] | None:
    """The values ``template`` was filled with to write ``text``.

    Parameters
    ----------
    template : str
        A ``str.format`` template whose fields have no format spec
        (``"kept; {n_masked} estimation days masked ..."``).
    text : str
        A text the template may have written.

    Returns
    -------
    dict of field -> str, or None
        The fields' values as written, or None when ``text`` is not of this template.

    Examples
    --------
    >>> template_fields("{n} days masked", "64 days masked")
    {'n': '64'}
    """
    match = _template_pattern(template).fullmatch(text)
    return None if match is None else match.groupdict()


def japanese_sentence(kind: str, text: str) -> str:
    """The Japanese sentence of an English one composed from a template of ``kind``.

    Parameters
    ----------
    kind : str
        A key of :func:`english_templates` (``"overlap_action"``, ``"event_reason"``,
        ``"association_method"``, ``"engine_caveat"``, ``"verdict_rule"``, ``"report_note"``
        ...).
    text : str
        The English sentence, as in the CSV files.

    Returns
    -------
    str
        The Japanese template of the first English template that wrote ``text``, filled with
        the same values (a category by its label). Sentences joined by :data:`JOINER` are
        translated one by one (the longest run of parts a template wrote first, as a
        template may hold the joiner itself); a part no template wrote stays as it is.
    """
    parts = text.split(JOINER)
    longest = _longest_run(kind) or len(parts)
    out, start = [], 0
    while start < len(parts):
        for stop in range(min(len(parts), start + longest), start, -1):
            shown = _one_sentence(kind, JOINER.join(parts[start:stop]))
            if shown is not None:
                break
        else:
            stop, shown = start + 1, parts[start]
        out.append(shown)
        start = stop
    return JOINER.join(out)


@functools.cache
def _longest_run(kind: str) -> int | None:
    """Most parts (split at :data:`JOINER`) one sentence of ``kind`` can have; None: any.

    A template holding the joiner k times writes k + 1 parts; one with a field that may hold
    the joiner (:data:`_SPANNING_FIELDS`) any number. Bounding the run keeps a cell of many
    joined sentences (a claim over 60 events) linear in its parts, not quadratic.
    """
    most = 0
    for template in english_templates()[kind].values():
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        if any(f in _SPANNING_FIELDS for f in fields):
            return None
        most = max(most, template.count(JOINER))
    return most + 1


def _one_sentence(kind: str, text: str) -> str | None:
    """The Japanese of ``text`` if one English template of ``kind`` wrote it, else None."""
    for key, template in english_templates()[kind].items():
        fields = template_fields(template, text)
        if fields is not None:
            shown = {name: _japanese_field(name, value) for name, value in fields.items()}
            return SENTENCES_JA[kind][key].format(**shown)
    return None


def _japanese_field(name: str, value: str) -> str:
    """A field's value in Japanese: a code's label, a list's items, a held sentence's."""
    if name in _CODE_FIELDS:
        return japanese_label(_CODE_FIELDS[name], value)
    if name in _SENTENCE_FIELDS:
        return japanese_sentence(_SENTENCE_FIELDS[name], value)
    if name in _LIST_FIELDS:
        items = value.split(LIST_JOINER)
        return LIST_JOINER.join(_one_sentence(_LIST_FIELDS[name], i) or i for i in items)
    return value


def japanese_label(kind: str, code: str) -> str:
    """The Japanese label of a code of ``kind``; the code itself when it has none.

    ``kind`` is a key of ``CODE_LABELS_JA``, or ``"catalog_group"`` (an expected gold
    direction or a category, as the groups table mixes them).
    """
    return _LABELS[kind].get(code, code)


def _japanese_cell(value: Any, kind: str | None) -> Any:
    """One cell for the Japanese page (``kind``: its column's kind of code or sentence)."""
    if isinstance(value, bool | np.bool_):
        return YES_NO_JA[bool(value)]
    if kind is None or not isinstance(value, str):
        return value
    if kind in SENTENCE_KINDS:
        return japanese_sentence(kind, value)
    return japanese_label(kind, value)


def japanese_cells(frame: pd.DataFrame, kinds: Mapping[str, str]) -> pd.DataFrame:
    """A copy of ``frame`` with its codes, sentences and true/false cells in Japanese.

    Parameters
    ----------
    frame : DataFrame
        A table of the page, as the analyses wrote it.
    kinds : mapping of column -> kind
        The code columns (a key of ``CODE_LABELS_JA``) and sentence columns (a key of
        :func:`english_templates`) of ``frame``; absent columns are skipped.

    Returns
    -------
    DataFrame
        Same rows and columns; other text and the numbers as they were.
    """
    out = frame.copy()
    for column in out.columns:
        kind = kinds.get(str(column))
        values = out[column]
        if kind is None and not (pd.api.types.is_bool_dtype(values) or values.dtype == object):
            continue
        out[column] = [_japanese_cell(v, kind) for v in values.to_numpy(dtype=object)]
    return out


def shown_cells(frame: pd.DataFrame, lang: Lang, kinds: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` as the page in ``lang`` shows it: itself in English, else in Japanese."""
    return frame if lang == "en" else japanese_cells(frame, kinds)


def shown_sentence(text: str, lang: Lang, kind: str) -> str:
    """A sentence of ``kind`` (:data:`SENTENCE_KINDS`) as the page in ``lang`` shows it."""
    return text if lang == "en" else japanese_sentence(kind, text)


def verdict_rule_lines(kinds: Sequence[str], lang: Lang) -> list[str]:
    """``kind: rule`` for each claim type (or ``no data``) in ``kinds`` that has a rule.

    Parameters
    ----------
    kinds : sequence of str
        Claim types, and the verdict ``no data``, in the order to list them.
    lang : {"en", "ja"}

    Returns
    -------
    list of str
        English: the codes and :data:`eventstudy.claims.verdicts.RULES`; Japanese: the codes'
        labels and the rules' Japanese sentences.
    """
    if lang == "en":
        return [f"{kind}: {RULES[kind]}" for kind in kinds if kind in RULES]
    rules = SENTENCES_JA["verdict_rule"]
    return [
        f"{japanese_label('rule_kind', kind)}: {rules[kind]}" for kind in kinds if kind in RULES
    ]


def robustness_headings(columns: Iterable[str], lang: Lang) -> dict[str, str] | None:
    """Headings of the robustness table's columns (``event_id``, ``<value>: <refit>``).

    Parameters
    ----------
    columns : iterable of str
    lang : {"en", "ja"}

    Returns
    -------
    dict of column -> heading, or None
        None in English (the columns are shown as named); in Japanese the event column's
        heading and each ``<value>: <refit>`` with both parts in Japanese (a part without
        Japanese as it is).
    """
    if lang == "en":
        return None
    headings = {}
    for column in columns:
        value, _, fit = str(column).partition(": ")
        headings[str(column)] = (
            f"{ROBUSTNESS_VALUES_JA.get(value, value)}: {ROBUSTNESS_FITS_JA.get(fit, fit)}"
            if fit
            else COLUMNS["ja"].get(value, value)
        )
    return headings
