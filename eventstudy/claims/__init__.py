"""Claims: pre-specified tests of what articles said, with verdicts and their evidence.

* :mod:`~eventstudy.claims.spec`: the ``claims.csv`` schema, reading and validation
  (:func:`load_claims`, :func:`check_claims`).
"""

from eventstudy.claims.spec import check_claims, is_claims_file, load_claims

__all__ = ["check_claims", "is_claims_file", "load_claims"]
