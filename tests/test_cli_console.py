"""The console entry point (``eventstudy``, ``python -m eventstudy``) against ``main``."""

from __future__ import annotations

import gc
import sys

import pytest

from eventstudy import cli


def test_console_exits_with_mains_code_and_freezes_only_there(monkeypatch, capsys) -> None:
    """``main`` called from Python leaves the garbage collector alone (its caller goes on);
    ``console`` exits with ``main``'s code after freezing what is alive (a fast exit)."""
    gc.unfreeze()
    code = cli.main(["validate", "does-not-exist.csv"])
    assert code != 0 and gc.get_freeze_count() == 0
    monkeypatch.setattr(sys, "argv", ["eventstudy", "validate", "does-not-exist.csv"])
    try:
        with pytest.raises(SystemExit) as stop:
            cli.console()
        assert stop.value.code == code
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    said = capsys.readouterr()
    assert (said.out + said.err).count("does-not-exist.csv") == 2  # once per run
