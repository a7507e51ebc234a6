"""The report directory written by ``eventstudy run`` (and the ARC study's output files).

:func:`~eventstudy.report.compose.run_report` receives the analyses' results and writes
tables, figures and ``index.html``; it computes nothing itself.
"""
