"""What the speed work must not change: asking for fewer tests changes no number, and
``import eventstudy`` stays light. (Timings live in ``benchmarks/``, never in tests.)"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EventWindow

KEYS = ["test", "rel_day", "window_start", "window_end"]
HEAVY = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "requests", "arch")


def _study(n_events: int = 60, seed: int = 4, missing: bool = False):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2015-01-01", periods=700)
    mkt = pd.Series(rng.normal(0, 0.01, len(idx)), index=idx)
    rets = pd.DataFrame(
        0.8 * mkt.to_numpy()[:, None] + rng.normal(0, 0.015, (len(idx), 6)),
        index=idx,
        columns=list("ABCDEF"),
    )
    if missing:  # asset calendars differ: the general (non-shortcut) path
        rets.iloc[rng.integers(0, len(idx), 40), 2] = np.nan
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n_events)],
            "asset": rng.choice(list("ABCDEF"), n_events),
            "day0": idx[rng.integers(300, 680, n_events)],
        }
    )
    win = EventWindow(-5, 5, missing="keep")
    return EventStudy(rets, events, benchmark=mkt, event_window=win).fit()


@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_a_subset_of_the_battery_gives_the_full_battery_numbers(missing, convention):
    res = _study(missing=missing)
    full = res.tests(convention=convention)
    for subset in (["corrado_rank"], ["cz_rank"], ["cz_sign", "patell"], ["kp_bmp", "grank"]):
        part = res.tests(subset, convention=convention).sort_values(KEYS, ignore_index=True)
        expected = full[full["test"].isin(subset)].sort_values(KEYS, ignore_index=True)
        pd.testing.assert_frame_equal(part, expected)
    # and in the other order: the cache holds no state that depends on what came first
    fresh = _study(missing=missing)
    for name in ("cz_rank", "corrado_rank"):
        part = fresh.tests([name], convention=convention).reset_index(drop=True)
        expected = full[full["test"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected)


def test_import_eventstudy_loads_no_analysis_stack():
    code = (
        "import sys, eventstudy, eventstudy.cli; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_cli_help_loads_no_analysis_stack():
    code = (
        "import sys\n"
        "from eventstudy.cli import build_parser\n"
        "build_parser().format_help()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
