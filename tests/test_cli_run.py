"""``eventstudy run`` and the options every command shares (-q, -v, --version)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from eventstudy.cli import RUN_STEPS, main


class _FakeRun:
    def __init__(self, index: Path, inputs) -> None:
        self.index, self.inputs, self.lang = index, inputs, "en"
        self.figures, self.files, self.data = (), (), None


@pytest.fixture()
def fake_build(monkeypatch, tmp_path):
    """Replace the analyses by a recorder; the headline words by two fixed sentences."""
    import eventstudy.report.compose as compose
    import eventstudy.report.page as page

    calls: dict = {}

    def run_report(**kwargs):
        calls.update(kwargs)
        for step in RUN_STEPS:
            kwargs["progress"](step)
        return _FakeRun(tmp_path / "report" / "index.html", inputs=None)

    monkeypatch.setattr(compose, "run_report", run_report)
    monkeypatch.setattr(page, "findings", lambda inputs, lang="en": ["first finding", "second"])
    return calls


def test_run_passes_its_options_and_ends_with_a_summary(fake_build, tmp_path, capsys):
    code = main(["run", "--catalog", "x.csv", "--out", str(tmp_path / "report"), "--lang",
                 "ja", "--self-contained", "--no-robustness"])  # fmt: skip
    assert code == 0
    assert fake_build["catalog"] == "x.csv" and fake_build["lang"] == "ja"
    assert fake_build["self_contained"] is True and fake_build["robustness"] is False
    assert fake_build["all_figures"] is False and "n_boot" not in fake_build
    captured = capsys.readouterr()
    assert "- first finding" in captured.out and "- second" in captured.out
    assert f"report written to {tmp_path / 'report' / 'index.html'}" in captured.out
    assert captured.err == ""  # no progress bar when stderr is not a terminal


def test_n_boot_is_accepted_with_a_warning_and_not_passed_on(fake_build, tmp_path, capsys):
    # It sized the stationary-bootstrap placebo; the report's gold study uses pseudo-events.
    code = main(["run", "--out", str(tmp_path / "report"), "--n-boot", "50", "-q"])
    assert code == 0 and "n_boot" not in fake_build
    err = capsys.readouterr().err
    assert err.startswith("warning: --n-boot has no effect and will be removed")
    assert "pseudo-event" in err


def test_n_boot_is_not_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "--n-boot" not in capsys.readouterr().out


def test_run_report_and_run_analyses_warn_that_n_boot_has_no_effect(tmp_path):
    from eventstudy.exceptions import EventStudyError
    from eventstudy.report.analyses import run_analyses
    from eventstudy.report.compose import run_report

    missing = tmp_path / "no-such-catalog.csv"
    for call in (
        lambda: run_report(catalog=missing, out=tmp_path / "r", n_boot=30, fetch_missing=False),
        lambda: run_analyses(missing, tmp_path, n_boot=30),
    ):
        with (
            pytest.warns(FutureWarning, match="n_boot has no effect"),
            pytest.raises((EventStudyError, OSError)),
        ):
            call()


def test_quiet_run_prints_only_the_path(fake_build, tmp_path, capsys):
    assert main(["run", "-q", "--out", str(tmp_path / "report")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [f"report written to {tmp_path / 'report' / 'index.html'}"]


def test_progress_bar_on_a_terminal(fake_build, tmp_path, capsys, monkeypatch):
    """On a terminal the steps are shown on stderr (tqdm); -q turns the bar off."""
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    assert main(["run", "--out", str(tmp_path / "report")]) == 0
    err = capsys.readouterr().err
    assert "gold study" in err or "page" in err
    assert main(["run", "-q", "--out", str(tmp_path / "report")]) == 0
    assert capsys.readouterr().err == ""


def test_version(capsys):
    from eventstudy import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"eventstudy {__version__}"


def test_verbose_logs_to_stderr(tmp_path, capsys, repo_root):
    """-v before or after the command turns on the package's INFO log lines."""
    logger = logging.getLogger("eventstudy")
    before = list(logger.handlers)
    try:
        assert main(["validate", "-v", str(repo_root / "events.csv")]) == 0
        assert logger.level == logging.INFO and len(logger.handlers) == len(before) + 1
        logging.getLogger("eventstudy.report").info("a step")
        assert "eventstudy.report: a step" in capsys.readouterr().err
    finally:
        for handler in logger.handlers[len(before) :]:
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def test_warnings_reach_the_terminal_as_one_line_and_the_formatter_is_restored(monkeypatch):
    """A warning during a command is ``warning: <message>``, without the source file and the
    code line Python would show; after the command the previous formatter is back."""
    import argparse
    import warnings

    from eventstudy import cli

    def before(*args, **kwargs):  # a formatter of our own, so "is restored" can fail
        return "python's\n"

    monkeypatch.setattr(warnings, "formatwarning", before)
    assert cli._one_line_warning(UserWarning("odds file repeats a time"), UserWarning, "x.py", 3) \
        == "warning: odds file repeats a time\n"  # fmt: skip
    seen = []

    def command(args):
        seen.append(warnings.formatwarning)
        return 0

    args = argparse.Namespace(func=command, command="data", verbose=0, quiet=False)
    parser = argparse.ArgumentParser()
    monkeypatch.setattr(parser, "parse_args", lambda argv: args)
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    assert cli.main([]) == 0
    assert seen == [cli._one_line_warning]
    assert warnings.formatwarning is before


def test_ctrl_c_ends_with_a_line_and_status_130_not_a_traceback(capsys):
    import argparse

    from eventstudy import cli

    def interrupted(args):
        raise KeyboardInterrupt

    args = argparse.Namespace(func=interrupted, command="run")
    assert cli._dispatch(args) == cli.EXIT_INTERRUPTED == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted") and "Traceback" not in err
