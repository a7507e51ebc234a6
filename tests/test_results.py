"""The shared results base: one summary path, one tidy shape, compare() side by side."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pandas as pd
import pytest

import eventstudy
from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow
from eventstudy.results import TIDY_COLUMNS, Results, compare, window_label


def _all_result_classes() -> set[type]:
    for mod in pkgutil.walk_packages(eventstudy.__path__, "eventstudy."):
        if "fetch" not in mod.name and not mod.name.endswith("__main__"):
            importlib.import_module(mod.name)
    found, todo = set(), [Results]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


@pytest.mark.filterwarnings("ignore:A test tried to use socket")  # urllib3 probes IPv6 on import
def test_every_results_class_uses_the_base():
    names = {cls.__name__ for cls in _all_result_classes()}
    assert {"EventStudyResults", "GoldStudyResults", "OddsStudyResults", "GoldOddsAssociation",
            "ClaimsResults"} <= names  # fmt: skip
    for cls in _all_result_classes():
        for method in ("to_frame", "_summary_title", "plot"):
            assert getattr(cls, method) is not getattr(Results, method, None), (cls, method)


def _fit(model: str, seed: int = 3, variance: str = "textbook"):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2022-01-03", periods=300)
    mkt = pd.Series(rng.normal(0, 0.01, 300), index=idx)
    rets = pd.DataFrame({"A": 0.8 * mkt + rng.normal(0, 0.01, 300)}, index=idx)
    events = pd.DataFrame({"event_id": ["x", "y"], "asset": "A", "day0": idx[[200, 260]]})
    return EventStudy(rets, events, model, benchmark=mkt,
                      estimation_window=EstimationWindow(120, -11), event_window=(-5, 5),
                      car_windows=[(-1, 1), (0, 0)]).fit(variance=variance)  # fmt: skip


def test_compare_puts_results_side_by_side():
    a, b = _fit("market"), _fit("constant_mean")
    table = compare({"market": a, "mean": b}, "car_pct", window="(-1, +1)")
    assert list(table.columns) == ["market", "mean"]
    assert table.index.names == ["event_id", "asset", "window"]
    expected = 100 * a.car(window=(-1, 1)).set_index("event_id")["car"]
    np.testing.assert_allclose(
        table["market"].droplevel(["asset", "window"]), expected.loc[["x", "y"]]
    )
    with pytest.raises(KeyError, match="nosuch"):
        compare([a, b], "nosuch")


def test_engine_summary_has_every_format_and_the_tidy_shape():
    res = _fit("market")
    smry = res.summary()
    assert "CAAR per CAR window" in smry.as_csv() and "<table" in smry.as_html()
    assert "tabular" in smry.as_latex() and "[1]" in smry.as_text()
    assert list(res.to_frame().columns) == list(TIDY_COLUMNS)
    assert window_label(-1, 1) == "(-1, +1)" and window_label(0, 5) == "(0, +5)"


def test_a_replaced_result_computes_its_own_numbers():
    """dataclasses.replace gives empty caches: a result with another ``variance`` is not
    served the window sums cached by the original (they are a fresh fit's)."""
    import dataclasses

    res = _fit("market")
    textbook = res.car["car_se"].to_numpy()
    replaced = dataclasses.replace(res, variance="pyeventstudy")
    fresh = _fit("market", variance="pyeventstudy")
    np.testing.assert_array_equal(replaced.car["car_se"], fresh.car["car_se"])
    assert not np.array_equal(replaced.car["car_se"], textbook)


def test_results_are_freed_without_the_cycle_collector():
    """The callable ``car``/``caar`` frames refer to their results; the results do not keep
    them, so dropping the last reference frees a study at once, not at the next full garbage
    collection (a loop of large studies would otherwise hold several of them in memory)."""
    import weakref

    from _gc import cycle_collector_off

    res = _fit("market")
    car, caar = res.car, res.caar
    assert res.car.equals(car)
    car(window=(-2, 2)), caar(window=(0, 3)), res.aar, res.summary(), res.tests(["csect_t"])
    alive = weakref.ref(res)
    with cycle_collector_off():
        del res, car, caar
        assert alive() is None


def test_a_kept_callable_frame_outlives_its_results():
    res = _fit("market")
    car, caar = res.car, res.caar
    expected_car, expected_caar = car(window=(-2, 2)), caar(window=(0, 3))
    del res
    pd.testing.assert_frame_equal(car(window=(-2, 2)), expected_car)
    pd.testing.assert_frame_equal(caar(window=(0, 3)), expected_caar)
