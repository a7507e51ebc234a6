"""``python -m eventstudy``: the command-line interface (:func:`eventstudy.cli.main`)."""

from eventstudy.cli import console

console()
