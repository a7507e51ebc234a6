"""Plots of event-study results: one function per chart, ``ax=None`` in, the Axes out."""
