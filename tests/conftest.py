"""Shared fixtures.

The real data live beside the repository in ``../shared/data`` (never copied into the repo).
``EVENTSTUDY_DATA`` overrides where the snapshot is. Tests that need it use the ``snapshot_dir``
and ``validation_dir`` fixtures: when the data are absent they *fail* when
``EVENTSTUDY_REQUIRE_DATA=1`` (``.ci/run`` sets it) and skip with the reason elsewhere. The
peers' small expected-output tables are copied in ``tests/reference/`` (``reference_dir``).

Property tests (hypothesis) explore new examples on each run; with
``EVENTSTUDY_HYPOTHESIS_PROFILE=ci`` (``.ci/run`` sets it) they draw the same examples on every
run, so CI's verdict does not depend on luck. A failure found locally prints its example.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("EVENTSTUDY_HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

# The README's ``EVENTSTUDY_DATA=../shared/data/snapshot python -m pytest`` gives a path relative
# to where pytest started; tests that change directory (or start a process elsewhere) must still
# find the snapshot, so it is made absolute once, here.
if os.environ.get("EVENTSTUDY_DATA", "").strip():
    data = Path(os.environ["EVENTSTUDY_DATA"].strip()).expanduser()  # as resolve_data_dir reads it
    os.environ["EVENTSTUDY_DATA"] = str(data.absolute())


def _require(path: Path, what: str) -> Path:
    if path.is_dir():
        return path
    msg = f"{what} not found at {path}; put ../shared beside the repo or set EVENTSTUDY_DATA"
    if os.environ.get("EVENTSTUDY_REQUIRE_DATA") == "1":
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    """The ``eventstudy-data/1`` snapshot directory with real data."""
    env = os.environ.get("EVENTSTUDY_DATA")
    return _require(Path(env) if env else SHARED_DATA / "snapshot", "data snapshot")


@pytest.fixture(scope="session")
def validation_dir() -> Path:
    """Peer reference cases (``../shared/data/validation``)."""
    return _require(SHARED_DATA / "validation", "validation cases")


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Peers' expected outputs with their provenance (``tests/reference``)."""
    return REPO / "tests" / "reference"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def snapshot_report_run(snapshot_dir, tmp_path_factory):
    """One ``eventstudy run`` (:func:`run_report`) on the repository's catalog and the
    snapshot, shared by the report tests and the browser test (the suite stays short)."""
    from eventstudy.report.compose import run_report

    return run_report(
        catalog=REPO / "events.csv",
        data_dir=snapshot_dir,
        out=tmp_path_factory.mktemp("snapshot_report") / "report",
        robustness=True,
    )


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser_path() -> str | None:
    given = os.environ.get("EVENTSTUDY_CHROMIUM")
    if given:
        return given
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (the system's, driven by Playwright); skips saying why without one.

    Module-scoped: Playwright's event loop is closed before other modules (notebooks) run.
    """
    path = _browser_path()
    if path is None:
        pytest.skip(
            "no Chromium found (install it with `apt-get install -y chromium`, or set "
            "EVENTSTUDY_CHROMIUM to a Chrome/Chromium executable)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield browser
        browser.close()
