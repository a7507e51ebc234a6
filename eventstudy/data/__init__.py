"""Data in: the events catalog, the data directory, instruments and day 0, the network.

* :mod:`~eventstudy.data.catalog`: ``events.csv`` read and validated (:func:`load_events`).
* :mod:`~eventstudy.data.store`: the ``eventstudy-data/1`` data directory (prices, series,
  Polymarket markets and odds, ``manifest.json``).
* :mod:`~eventstudy.data.instruments`: the registry of instruments (calendar, time zone,
  strike time), shipped as ``instruments.csv``.
* :mod:`~eventstudy.data.day0`: the day-0 rule and trading-day offsets.
* :mod:`~eventstudy.data.fetch`: live downloads (yfinance, Polymarket, FRED); imported only
  when a fetch is asked for.
* :mod:`~eventstudy.data.arc`: EventStudyTools ARC files.

Nothing here computes an event study.
"""
