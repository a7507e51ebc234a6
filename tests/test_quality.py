"""Tests of eventstudy.data.quality: roll days of continuous futures series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import store
from eventstudy.data.quality import ROLL_COLUMNS, detect_roll_days
from eventstudy.exceptions import SpecificationError


def _bars(volume: list[float], close: list[float] | None = None) -> pd.DataFrame:
    dates = pd.bdate_range("2024-01-01", periods=len(volume), name="date")
    close = close if close is not None else list(np.linspace(2000, 2010, len(volume)))
    return pd.DataFrame({"close": close, "volume": volume}, index=dates)


def test_a_volume_jump_is_a_roll_day_and_the_decay_is_not():
    volume = [40, 25, 60, 30, 45, 20, 35, 50, 30, 40, 200_000, 30_000, 2_000, 400, 300]
    rolls = detect_roll_days(_bars(volume))
    assert list(rolls.columns) == list(ROLL_COLUMNS)
    assert rolls["date"].tolist() == [pd.Timestamp("2024-01-15")]
    assert rolls.loc[0, "reason"] == "volume_jump"
    assert rolls.loc[0, "volume_ratio"] == pytest.approx(200_000 / 37.5)
    assert rolls.loc[0, "volume_prev_ratio"] == pytest.approx(200_000 / 40)


def test_small_absolute_volumes_are_not_jumps():
    assert detect_roll_days(_bars([2, 1, 3, 2, 1, 2, 3, 1, 2, 2, 900, 2])).empty


def test_price_gap_counts_only_without_volume_information():
    close = list(2000 * np.exp(np.cumsum(np.r_[0, np.tile([0.001, -0.001], 40)])))
    close[60] *= 1.05  # a 5 % jump on day 60, then the level stays
    close[61:] = [c * 1.05 for c in close[61:]]
    silent = detect_roll_days(_bars([0.0] * 81, close))
    assert silent["date"].tolist() == [pd.bdate_range("2024-01-01", periods=81)[60]]
    assert silent.loc[0, "reason"] == "price_gap" and silent.loc[0, "gap"] == pytest.approx(
        np.log(1.05) - 0.001, abs=1e-9
    )
    traded = detect_roll_days(_bars([500.0] * 81, close))
    assert traded.empty  # volume is there and shows no switch: a move, not a roll


def test_contract_of_the_output():
    empty = detect_roll_days(_bars([]))
    assert list(empty.columns) == list(ROLL_COLUMNS) and empty.empty
    no_volume = detect_roll_days(_bars([1.0] * 5).drop(columns="volume"))
    assert list(no_volume.columns) == list(ROLL_COLUMNS)
    with pytest.raises(SpecificationError, match="close"):
        detect_roll_days(pd.DataFrame({"volume": [1.0]}))
    with pytest.raises(SpecificationError, match="sorted dates"):
        detect_roll_days(_bars([1.0, 2.0]).iloc[::-1])
    with pytest.raises(SpecificationError, match="window"):
        detect_roll_days(_bars([1.0]), window=0)


@pytest.mark.snapshot
def test_gold_futures_rolls_in_the_snapshot(snapshot_dir):
    rolls = detect_roll_days(store.load_prices("GC=F", snapshot_dir))
    assert rolls["date"].is_monotonic_increasing and rolls["date"].is_unique
    jumps = rolls[rolls["reason"] == "volume_jump"]
    per_year = jumps["date"].dt.year.value_counts()
    assert per_year.loc[2001:2024].between(6, 8).all()
    assert (jumps["date"].dt.month % 2 == 1).mean() > 0.9  # Jan, Mar, ..., Nov
    in_2024 = jumps.loc[jumps["date"].dt.year == 2024, "date"].dt.strftime("%m-%d")
    assert in_2024.tolist() == ["01-29", "03-26", "05-29", "07-29", "09-26", "11-26"]
    assert jumps["gap"].abs().max() < 0.05  # carry-sized gaps, not crashes
