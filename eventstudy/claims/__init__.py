"""Claims: pre-specified tests of what articles said, with verdicts and their evidence.

* :mod:`~eventstudy.claims.spec`: the ``claims.csv`` schema, reading and validation
  (:func:`load_claims`, :func:`check_claims`).
* :mod:`~eventstudy.claims.tests`: one pure test per claim type (first passage and the
  no-information probability, level, HAC mean shift, HAC slope).
* :mod:`~eventstudy.claims.verdicts`: the verdict rules and the Benjamini-Hochberg adjustment.
* :mod:`~eventstudy.claims.gold_adapter`: the only place the claims call the gold study.
"""

from eventstudy.claims.spec import check_claims, is_claims_file, load_claims

__all__ = ["check_claims", "is_claims_file", "load_claims"]
