"""``python -m eventstudy``: the command-line interface (:func:`eventstudy.cli.main`)."""

import sys

from eventstudy.cli import main

sys.exit(main())
