"""The engine's page policy: numpy's huge-page request switched off and restored, never leaked.

The policy only changes which pages the kernel maps (no number depends on it); these tests
check the switching itself, the detection of free page reporting on a fake ``sysfs``, and that
a fit and the battery give the same frames whichever policy runs them.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from eventstudy.engine import _memory
from eventstudy.engine.stats import aar_tests, prepare
from tests.test_speed import _study

multiarray = pytest.importorskip("numpy._core.multiarray")
if not hasattr(multiarray, "_get_madvise_hugepage"):
    pytest.skip("this numpy has no huge-page switch", allow_module_level=True)


def _numpy_asks_hugepages() -> bool:
    return bool(multiarray._get_madvise_hugepage())


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    monkeypatch.delenv(_memory.HUGEPAGES_ENV, raising=False)
    before = _numpy_asks_hugepages()
    yield
    assert _numpy_asks_hugepages() == before, "numpy's huge-page setting was left changed"


def _balloon(tmp_path, features: str | None):
    """A fake balloon driver directory with one device whose features string is given."""
    driver = tmp_path / "virtio_balloon"
    device = driver / "virtio0"
    device.mkdir(parents=True)
    if features is not None:
        (device / "features").write_text(features + "\n", encoding="ascii")
    return driver


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        ("0110010100000000", True),  # bit 5 (free page reporting) on, as on a Firecracker guest
        ("0110000100000000", False),  # bit 5 off
        ("0110", False),  # too short to have bit 5
        (None, False),  # no features file: unreadable counts as no
    ],
)
def test_free_page_reporting_read_from_the_balloon_features(tmp_path, features, expected):
    assert _memory.reports_free_pages(_balloon(tmp_path, features)) is expected


def test_no_balloon_driver_means_no_reporting(tmp_path):
    assert _memory.reports_free_pages(tmp_path / "absent") is False


def test_any_reporting_device_counts_and_unreadable_ones_are_skipped(tmp_path):
    driver = tmp_path / "virtio_balloon"
    (driver / "virtio0" / "features").mkdir(parents=True)  # a directory: unreadable
    (driver / "virtio1").mkdir()
    (driver / "virtio1" / "features").write_text("0000000000\n", encoding="ascii")
    assert _memory.reports_free_pages(driver) is False
    (driver / "virtio2").mkdir()
    (driver / "virtio2" / "features").write_text("0000010000\n", encoding="ascii")
    _memory._reports_free_pages_cached.cache_clear()  # read once per directory otherwise
    assert _memory.reports_free_pages(driver) is True


@pytest.mark.parametrize("value", ["", "auto", "AUTO", " numpy ", "off"])
def test_policy_values(monkeypatch, value):
    monkeypatch.setenv(_memory.HUGEPAGES_ENV, value)
    assert _memory.policy() == (value.strip().lower() or "auto")


def test_bad_policy_names_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv(_memory.HUGEPAGES_ENV, "small")
    with pytest.raises(ValueError, match=r"EVENTSTUDY_HUGEPAGES='small'.*auto, numpy, off"):
        _memory.policy()
    with pytest.raises(ValueError, match="EVENTSTUDY_HUGEPAGES"), _memory.small_pages():
        pass


def _inside(policy: str | None, monkeypatch, tmp_path, reporting: bool) -> bool:
    """Whether numpy asks for huge pages inside ``small_pages`` under ``policy``."""
    if policy is not None:
        monkeypatch.setenv(_memory.HUGEPAGES_ENV, policy)
    driver = _balloon(tmp_path, "0000010000" if reporting else "0000000000")
    monkeypatch.setattr(_memory, "BALLOON_DRIVER", driver)
    previous = multiarray._set_madvise_hugepage(True)
    try:
        with _memory.small_pages():
            return _numpy_asks_hugepages()
    finally:
        assert _numpy_asks_hugepages(), "not restored"
        multiarray._set_madvise_hugepage(previous)


@pytest.mark.parametrize(
    ("policy", "reporting", "huge_inside"),
    [
        (None, True, False),  # auto, on a guest that reports free pages: small pages
        (None, False, True),  # auto elsewhere: numpy's setting
        ("numpy", True, True),
        ("off", False, False),
    ],
)
def test_policy_decides_the_pages(monkeypatch, tmp_path, policy, reporting, huge_inside):
    assert _inside(policy, monkeypatch, tmp_path, reporting) is huge_inside


def test_user_numpy_setting_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    assert _inside("off", monkeypatch, tmp_path, True) is True


def test_restored_after_an_error_and_when_numpy_asked_for_none(monkeypatch):
    monkeypatch.setenv(_memory.HUGEPAGES_ENV, "off")
    previous = multiarray._set_madvise_hugepage(False)
    try:
        with pytest.raises(RuntimeError), _memory.small_pages():
            raise RuntimeError("boom")
        assert _numpy_asks_hugepages() is False  # restored to what it was: off
        multiarray._set_madvise_hugepage(True)
        with pytest.raises(RuntimeError), _memory.small_pages():
            assert _numpy_asks_hugepages() is False
            raise RuntimeError("boom")
        assert _numpy_asks_hugepages() is True
    finally:
        multiarray._set_madvise_hugepage(previous)


def test_nested_and_overlapping_callers_restore_once_the_last_leaves(monkeypatch):
    """Two threads whose contexts overlap (A enters, B enters, A leaves, B leaves): numpy's
    setting stays off until B leaves, then is what it was before A entered."""
    monkeypatch.setenv(_memory.HUGEPAGES_ENV, "off")
    previous = multiarray._set_madvise_hugepage(True)
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first():
        with _memory.small_pages():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def second():
        a_in.wait(5)
        with _memory.small_pages():
            b_in.set()
            a_out.wait(5)
            seen["after A left"] = _numpy_asks_hugepages()
            with _memory.small_pages():  # nested in the same thread
                pass
            seen["after nested"] = _numpy_asks_hugepages()

    try:
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert seen == {"after A left": False, "after nested": False}
        assert _numpy_asks_hugepages() is True
    finally:
        multiarray._set_madvise_hugepage(previous)


def test_without_numpys_switch_nothing_changes(monkeypatch):
    monkeypatch.setenv(_memory.HUGEPAGES_ENV, "off")
    monkeypatch.setattr(_memory, "_numpy_switch", lambda: None)
    previous = multiarray._set_madvise_hugepage(True)
    try:
        with _memory.small_pages():
            assert _numpy_asks_hugepages() is True
    finally:
        multiarray._set_madvise_hugepage(previous)


def test_a_child_forked_inside_starts_outside(monkeypatch):
    """The fork hook: a child forked while the engine's window is open (by another thread)
    has numpy's setting back and no caller inside, so its own windows restore it."""
    monkeypatch.setenv(_memory.HUGEPAGES_ENV, "off")
    previous = multiarray._set_madvise_hugepage(True)
    saved = (_memory._lock, _memory._depth, _memory._saved)
    try:
        with _memory.small_pages():
            _memory._after_fork_in_child()  # as in the child, after os.fork()
            assert _numpy_asks_hugepages() is True
            assert _memory._depth == 0
            with _memory.small_pages():
                assert _numpy_asks_hugepages() is False
            assert _numpy_asks_hugepages() is True
    finally:
        _memory._lock, _memory._depth, _memory._saved = saved
        multiarray._set_madvise_hugepage(previous)


@pytest.mark.parametrize(("policy", "huge_inside"), [("off", False), ("numpy", True)])
def test_the_fit_and_the_battery_run_inside(monkeypatch, policy, huge_inside):
    """The study's estimation, every battery test (on the pool's threads) and the CARs'
    covariance blocks see the policy."""
    from eventstudy.engine import panel, study
    from eventstudy.engine.stats import battery

    monkeypatch.setenv(_memory.HUGEPAGES_ENV, policy)
    monkeypatch.setenv("EVENTSTUDY_THREADS", "2")
    monkeypatch.setattr(battery, "PARALLEL_MIN_CELLS", 0)  # small panels on threads too
    seen: list[bool] = []

    def spy(original):
        def wrapped(*args, **kwargs):
            seen.append(_numpy_asks_hugepages())
            return original(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(study.EventStudy, "_estimate", spy(study.EventStudy._estimate))
    monkeypatch.setattr(battery, "_run_test", spy(battery._run_test))
    previous = multiarray._set_madvise_hugepage(True)
    try:
        res = _study(n_events=30)
        aar_tests(prepare(res.panel), tests=["csect_t", "patell", "corrado_rank"])
        assert len(seen) == 4  # the estimation, then three tests
        monkeypatch.setattr(
            panel.PredictionErrorCov, "_entries", spy(panel.PredictionErrorCov._entries)
        )
        res.car  # noqa: B018  (a CAR window's covariance block)
        assert len(seen) > 4
        assert set(seen) == {huge_inside}
        assert _numpy_asks_hugepages() is True
    finally:
        multiarray._set_madvise_hugepage(previous)


def test_fit_and_battery_numbers_do_not_depend_on_the_policy(monkeypatch):
    monkeypatch.setenv(_memory.HUGEPAGES_ENV, "numpy")
    ref = _study(n_events=60, missing=True)
    ref_tests = aar_tests(prepare(ref.panel))
    monkeypatch.setenv(_memory.HUGEPAGES_ENV, "off")
    got = _study(n_events=60, missing=True)
    np.testing.assert_array_equal(got.panel.event_ar, ref.panel.event_ar)
    np.testing.assert_array_equal(got.panel.est_ar, ref.panel.est_ar)
    pd.testing.assert_frame_equal(aar_tests(prepare(got.panel)), ref_tests, check_exact=True)
