"""Polymarket odds around events.

* :mod:`~eventstudy.odds.shift`: one market's odds shift around one event time, and its
  abnormality against the market's own variability.
* :mod:`~eventstudy.odds.study`: every linked market of a catalog; the screener.
* :mod:`~eventstudy.odds.association`: gold CARs against odds shifts.
* :mod:`~eventstudy.odds.results`: :class:`OddsStudyResults`, :class:`GoldOddsAssociation`.
"""
