"""The one estimator: ``EventStudy(...).fit()`` and the cross-event test battery.

* :mod:`~eventstudy.engine.returns`: prices to decimal returns (log by default).
* :mod:`~eventstudy.engine.windows`: estimation and event windows in trading days.
* :mod:`~eventstudy.engine.models`: normal-return models, one module per model.
* :mod:`~eventstudy.engine.panel`: the contract between the models and the battery.
* :mod:`~eventstudy.engine.study`: :class:`EventStudy`.
* :mod:`~eventstudy.engine.results`: :class:`EventStudyResults`.
* :mod:`~eventstudy.engine.stats`: the test battery.

No data I/O and no plotting happen here; the engine reads only facts about the machine (its
usable CPUs, and in :mod:`~eventstudy.engine._memory` whether its memory pages go back to a
host).
"""
