"""The test battery against estudy2 0.10's published outputs (COVID-19 lockdown case).

Inputs and expected numbers live in ``../shared/data/validation/estudy2_covid19`` (provenance in
``tests/reference/estudy2_covid19/README.md``). The panel is built by ``tests/_panels.py``
(independent per-firm OLS), not by the pipeline. Every listed statistic is reproduced to 1e-8
relative: textbook where textbook and estudy2 agree, through the named options where not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _panels import estudy2_covid19_coefficients, estudy2_covid19_panel
from numpy.testing import assert_allclose

from eventstudy.engine import stats
from eventstudy.engine.stats import CONVENTIONS, aar_tests, caar_tests

RTOL = 1e-8
CASE = "estudy2_covid19"
DAYS = {  # relative day -> date
    0: "2020-03-16",
    1: "2020-03-17",
    2: "2020-03-18",
    3: "2020-03-19",
    4: "2020-03-20",
}


@pytest.fixture(scope="module")
def case_dir(validation_dir):
    """The case's inputs (prices and returns stay in ../shared)."""
    return validation_dir / CASE


@pytest.fixture(scope="module")
def expected_dir(reference_dir):
    """estudy2's published outputs, copied with their provenance (tests/reference)."""
    return reference_dir / CASE


@pytest.fixture(scope="module")
def panel(case_dir):
    return estudy2_covid19_panel(case_dir)


@pytest.fixture(scope="module")
def estudy2_daily(panel):
    return aar_tests(panel, convention="estudy2", seed=0)


@pytest.fixture(scope="module")
def textbook_daily(panel):
    return aar_tests(panel, seed=0)


def _stat(frame: pd.DataFrame, test: str) -> np.ndarray:
    rows = frame[frame["test"] == test].sort_values("rel_day")
    return rows["stat"].to_numpy()


def _expected(expected_dir, name: str) -> pd.DataFrame:
    df = pd.read_csv(expected_dir / name)
    assert list(df["date"]) == list(DAYS.values())
    return df


# -- the helper panel itself -----------------------------------------------------------------


def test_helper_market_model_coefficients(case_dir, expected_dir):
    expected = pd.read_csv(expected_dir / "expected_market_model_coefficients.csv")
    got = estudy2_covid19_coefficients(case_dir)
    assert list(got["ticker"]) == list(expected["ticker"])
    assert_allclose(got["alpha"], expected["alpha"], rtol=RTOL)
    assert_allclose(got["beta"], expected["beta"], rtol=RTOL)
    assert list(got["estimation_length"]) == list(expected["estimation_length"])


def test_helper_panel_shape(panel):
    assert panel.est_ar.shape == (7, 240)
    assert list(panel.n_est) == [240, 227, 212, 240, 240, 240, 240]
    assert list(panel.event_rel_days) == [0, 1, 2, 3, 4]
    assert panel.event_dates[0, 0] == np.datetime64("2020-03-16")


# -- parametric daily tests -------------------------------------------------------------------

PARAMETRIC = [  # estudy2 column -> our test
    ("bw_1980_stat", "brown_warner_1980"),
    ("bw_1985_stat", "brown_warner_1985"),
    ("t_test_stat", "csect_t"),
    ("pt_stat", "patell"),
    ("bh_stat", "bmp"),
    ("lmb_stat", "lamb"),
]


@pytest.mark.parametrize(("column", "test"), PARAMETRIC)
def test_parametric_estudy2_convention(case_dir, estudy2_daily, column, test, expected_dir):
    expected = _expected(expected_dir, "expected_parametric_tests.csv")
    assert_allclose(_stat(estudy2_daily, test), expected[column], rtol=RTOL)


def test_mean_is_textbook_aar(case_dir, textbook_daily, estudy2_daily, expected_dir):
    expected = _expected(expected_dir, "expected_parametric_tests.csv")["mean"]
    for frame in (textbook_daily, estudy2_daily):
        est = frame[frame["test"] == "csect_t"].sort_values("rel_day")["estimate"]
        assert_allclose(est, expected, rtol=RTOL)


@pytest.mark.parametrize(
    ("column", "test"),
    [("t_test_stat", "csect_t"), ("bw_1985_stat", "brown_warner_1985"), ("lmb_stat", "lamb")],
)
def test_parametric_textbook_agrees(case_dir, textbook_daily, column, test, expected_dir):
    """Where estudy2 is textbook, the default reproduces it with no option."""
    expected = _expected(expected_dir, "expected_parametric_tests.csv")
    assert_allclose(_stat(textbook_daily, test), expected[column], rtol=RTOL)


def test_parametric_needs_named_options(case_dir, panel, expected_dir):
    """Patell, BMP and BW1980 differ from estudy2 by default and match with the options."""
    expected = _expected(expected_dir, "expected_parametric_tests.csv")
    opts = {"patell_ddof": "estudy2", "pe_variance": "estudy2"}
    for column, test in [("pt_stat", "patell"), ("bh_stat", "bmp")]:
        default = _stat(aar_tests(panel, tests=[test]), test)
        assert not np.allclose(default, expected[column], rtol=1e-6)
        assert_allclose(_stat(aar_tests(panel, tests=[test], **opts), test), expected[column],
                        rtol=RTOL)  # fmt: skip
    bw = _stat(
        aar_tests(panel, tests=["brown_warner_1980"], patell_ddof="estudy2"), "brown_warner_1980"
    )
    assert_allclose(bw, expected["bw_1980_stat"], rtol=RTOL)


# -- nonparametric daily tests ----------------------------------------------------------------

NONPARAMETRIC = [
    ("sign_stat", "sign"),
    ("gsign_stat", "gen_sign"),
    ("csign_stat", "cz_sign"),
    ("rank_stat", "corrado_rank"),
    ("mrank_stat", "cz_rank"),
    ("wlcx_stat", "wilcoxon"),
]


@pytest.mark.parametrize(("column", "test"), NONPARAMETRIC)
def test_nonparametric_estudy2_convention(case_dir, estudy2_daily, column, test, expected_dir):
    expected = _expected(expected_dir, "expected_nonparametric_tests.csv")
    assert_allclose(_stat(estudy2_daily, test), expected[column], rtol=RTOL)


def test_sign_textbook_agrees(case_dir, textbook_daily, expected_dir):
    expected = _expected(expected_dir, "expected_nonparametric_tests.csv")
    assert_allclose(_stat(textbook_daily, "sign"), expected["sign_stat"], rtol=RTOL)


def test_generalized_sign_pooled_phat(case_dir, panel, expected_dir):
    """estudy2 pools p-hat; Cowan's per-event mean differs because L1 differs (ZM, UBER)."""
    expected = _expected(expected_dir, "expected_nonparametric_tests.csv")["gsign_stat"]
    pooled = _stat(aar_tests(panel, tests="gen_sign", gsign_phat="pooled"), "gen_sign")
    assert_allclose(pooled, expected, rtol=RTOL)
    per_event = _stat(aar_tests(panel, tests="gen_sign"), "gen_sign")
    assert per_event[3] == pytest.approx(1.909020, abs=5e-7)


def test_wilcoxon_exact_pvalue(estudy2_daily):
    row = estudy2_daily[(estudy2_daily["test"] == "wilcoxon") & (estudy2_daily["rel_day"] == 3)]
    assert row["dist"].item() == "signrank(7)"
    # W = 27 of a maximum 28: P(W >= 27) = 2/128, two-sided 4/128.
    assert row["pvalue"].item() == pytest.approx(4 / 128, rel=1e-12)


# -- CAR tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def estudy2_car(panel):
    return caar_tests(panel, (0, 4), convention="estudy2", seed=0).set_index("test")


def test_car_parametric(case_dir, estudy2_car, panel, expected_dir):
    expected = pd.read_csv(expected_dir / "expected_car_parametric_tests.csv").set_index("name")
    assert_allclose(estudy2_car.loc["lamb", "stat"], expected.loc["car_lamb", "statistic"],
                    rtol=RTOL)  # fmt: skip
    assert_allclose(estudy2_car.loc["brown_warner_1985", "stat"],
                    expected.loc["car_brown_warner_1985", "statistic"], rtol=RTOL)  # fmt: skip
    for test in ("lamb", "brown_warner_1985"):
        assert_allclose(estudy2_car.loc[test, "estimate"], expected["car_mean"].iloc[0], rtol=RTOL)
    # textbook CDA over a window (CAAR / (sqrt(L) S)) equals estudy2's sum of daily statistics
    tb = caar_tests(panel, (0, 4), tests="brown_warner_1985").set_index("test")
    assert_allclose(tb.loc["brown_warner_1985", "stat"],
                    expected.loc["car_brown_warner_1985", "statistic"], rtol=RTOL)  # fmt: skip
    # textbook car_mean is the CAAR = L x mean daily AAR here (no missing event-window data)
    assert_allclose(tb.loc["brown_warner_1985", "estimate"], 5 * expected["car_mean"].iloc[0],
                    rtol=RTOL)  # fmt: skip


def test_car_rank(case_dir, estudy2_car, panel, expected_dir):
    expected = pd.read_csv(expected_dir / "expected_car_rank_test.csv")["statistic"].item()
    assert_allclose(estudy2_car.loc["corrado_rank", "stat"], expected, rtol=RTOL)
    one = stats.corrado_rank(panel, (0, 4), car_rank="estudy2")
    assert_allclose(one.stat, expected, rtol=RTOL)


# -- documented textbook-vs-estudy2 differences (CONVENTIONS.md) -------------------------------


def test_documented_patell_n_minus_2(panel):
    """CONVENTIONS.md: 'textbook n-2 gives 8.402737 on 03-19'.

    That figure keeps estudy2's prediction-error term (benchmark moments over all estimation
    days); with each firm's own estimation sample (our default, CLM 4.4.9) it is 8.402698.
    """
    mixed = stats.patell(panel, 3, pe_variance="estudy2")
    assert round(mixed.stat, 6) == 8.402737
    assert round(stats.patell(panel, 3).stat, 6) == 8.402698


def test_documented_rank_textbook(panel):
    """CONVENTIONS.md: 'textbook rank 2.166901 on 03-19'.

    That is Corrado's rank with the sums over the observed events (no estudy2 NA quirk) but
    S(K) divided by the mean number of observations; dividing by the number of days (our
    default) gives 2.193277.
    """
    doc = stats.corrado_rank(panel, 3, rank_sd_divisor="mean_obs")
    assert round(doc.stat, 6) == 2.166901
    assert round(stats.corrado_rank(panel, 3).stat, 6) == 2.193277
    assert round(stats.corrado_rank(panel, 3, convention="estudy2").stat, 10) == 2.1127971591


def test_convention_bundle_equals_individual_options(panel, estudy2_daily):
    opts = dict(CONVENTIONS["estudy2"])
    frame = aar_tests(panel, seed=0, **opts)
    pd.testing.assert_frame_equal(frame, estudy2_daily)


def test_individual_function_equals_battery(panel, estudy2_daily):
    for name in ("patell", "cz_sign", "wilcoxon", "lamb"):
        one = getattr(stats, name)(panel, 4, convention="estudy2")
        assert one.stat == _stat(estudy2_daily, name)[4]
