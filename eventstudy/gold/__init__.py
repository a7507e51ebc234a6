"""Gold: one asset, many events, built on :mod:`eventstudy.engine`.

* :mod:`~eventstudy.gold.data`: gold and its benchmark factors on the gold calendar.
* :mod:`~eventstudy.gold.overlap`: events inside other events' windows; overlap policies.
* :mod:`~eventstudy.gold.inference`: event-dummy regression with HAC errors; placebo.
* :mod:`~eventstudy.gold.groups`: group and direction tests; day-0 sensitivity.
* :mod:`~eventstudy.gold.study`: :func:`gold_event_study`, which composes them.
* :mod:`~eventstudy.gold.results`: :class:`GoldStudyResults`.
"""
