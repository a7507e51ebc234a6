"""Claims: pre-specified tests of what articles said, with verdicts and their evidence.

A claim ("gold tops $3,000 within three months", "Polymarket put a US NATO exit at about
12%") is written down in ``claims.csv`` before the data are read, with its type, series,
expected outcome and significance level; :func:`run_claims` tests each against the data
directory and gives it a verdict: ``supported``, ``contradicted``, ``inconclusive`` or
``no data`` (naming the missing file and the ``eventstudy fetch`` command).

* :mod:`~eventstudy.claims.spec`: the ``claims.csv`` schema, reading and validation
  (:func:`load_claims`, :func:`check_claims`); :mod:`~eventstudy.claims.claim`: the typed
  :class:`~eventstudy.claims.claim.Claim` and the parameter parsers.
* :mod:`~eventstudy.claims.tests`: one pure test per claim type (first passage and the
  no-information probability, level, HAC mean shift, HAC slope).
* :mod:`~eventstudy.claims.verdicts`: the verdict rules and the Benjamini-Hochberg adjustment.
* :mod:`~eventstudy.claims.sources`: what the claims read, and ``no data`` when it is missing.
* :mod:`~eventstudy.claims.gold_adapter`: the only place the claims call the gold study.
* :mod:`~eventstudy.claims.rolls`: futures roll days near a crossing (a hook).
* :mod:`~eventstudy.claims.study`: :func:`run_claims`.
* :mod:`~eventstudy.claims.results`: :class:`ClaimsResults`; the report table
  :func:`claims_table` / :func:`write_claims_table`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eventstudy.claims.results import ClaimsResults, claims_table, write_claims_table
    from eventstudy.claims.spec import check_claims, is_claims_file, load_claims
    from eventstudy.claims.study import run_claims

# Imported on first use: ``eventstudy validate`` reads claims.spec only, and the study side
# (scipy, the gold study) costs about a second of start-up.
_HOME = {
    "ClaimsResults": "results",
    "claims_table": "results",
    "write_claims_table": "results",
    "check_claims": "spec",
    "is_claims_file": "spec",
    "load_claims": "spec",
    "run_claims": "study",
}

__all__ = [
    "ClaimsResults",
    "check_claims",
    "claims_table",
    "is_claims_file",
    "load_claims",
    "run_claims",
    "write_claims_table",
]


def __getattr__(name: str) -> Any:
    """The public names, each imported from its module when first used."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value
