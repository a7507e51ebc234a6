"""Tests of eventstudy.data.instruments: the registry and the day-0 rule.

Hand-worked cases write out the reasoning. Reminders used throughout:

* GC=F: COMEX settlement 13:30 America/New_York on NYSE business days (XNYS sessions).
* GLD: NYSE Arca close 16:00 America/New_York (XNYS sessions); it is the exchange's closing
  price (strike="close"), so on NYSE early-close days it is struck at 13:00 instead.
* EST = UTC-5 (until 2025-03-09 02:00 and from 2025-11-02 02:00), EDT = UTC-4 in between.
  Europe switches on the last Sunday of March (2025-03-30) and of October (2025-10-26), so from
  2025-03-10 to 2025-03-28 New York is 4 h behind UTC while Berlin is still UTC+1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import subprocess
import sys
import warnings
import zoneinfo
from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eventstudy.data.day0 as day0_module
import eventstudy.data.instruments as ins
from eventstudy.data.day0 import (
    DAY_BASES,
    align_events,
    day0,
    day0_for_events,
    session_offset,
    trading_sessions,
)
from eventstudy.data.instruments import (
    CONTINUOUS,
    Instrument,
    get_instrument,
    register_instrument,
    registered_instruments,
)
from eventstudy.exceptions import SpecificationError, UnknownInstrumentError

NY = "America/New_York"
SNAPSHOT_END = "2026-02-20"  # last date the cross-checks use (prices end 2026-02-23)


def ts(text: str, tz: str = NY) -> pd.Timestamp:
    return pd.Timestamp(text, tz=tz)


def d(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.fixture
def clean_registry():
    saved = dict(ins._REGISTRY)
    yield
    ins._REGISTRY.clear()
    ins._REGISTRY.update(saved)


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------


def test_required_entries():
    gc = get_instrument("GC=F")
    assert (gc.calendar, gc.tz, gc.close_time) == ("XNYS", NY, dt.time(13, 30))
    assert gc.kind == "price" and gc.change == "return"
    for sym in ("GLD", "SPY", "ACWI"):
        i = get_instrument(sym)
        assert (i.calendar, i.tz, i.close_time) == ("XNYS", NY, dt.time(16, 0))
    assert get_instrument("SI=F").close_time == dt.time(13, 25)
    assert get_instrument("ES=F").close_time == dt.time(16, 0)  # 15:00 CT
    assert get_instrument("CL=F").close_time == dt.time(14, 30)
    assert get_instrument("^VIX").close_time == dt.time(16, 15)
    for sym in ("^STOXX50E", "^GDAXI"):
        assert get_instrument(sym).tz == "Europe/Berlin"
        assert get_instrument(sym).close_time == dt.time(17, 30)
    for sym in ("^VIX", "^TNX", "^FVX", "DGS10", "DGS2", "DFII10", "T10YIE", "GPRD"):
        assert get_instrument(sym).change == "difference", sym
    assert get_instrument("GPRD").calendar == "24/7"
    poly = get_instrument("POLYMARKET")
    assert not poly.has_sessions and poly.tz == "UTC" and poly.close_time is None


def test_every_snapshot_file_is_registered(snapshot_dir: Path):
    tickers = sorted(p.stem for p in (snapshot_dir / "prices").glob("*.csv"))
    assert len(tickers) == 20
    daily = ["DFII10", "DGS10", "DGS2", "DTWEXBGS", "T10YIE", "DCOILBRENTEU", "DCOILWTICO"]
    daily += ["GPRD", "GPRD_ACT", "GPRD_THREAT"]
    for sym in [*tickers, *daily]:
        assert get_instrument(sym).symbol == sym


def test_registered_instruments_table():
    table = registered_instruments()
    assert table.index.name == "symbol"
    assert list(table.columns) == [
        "calendar",
        "tz",
        "close_time",
        "strike",
        "kind",
        "change",
        "unit",
        "description",
        "notes",
    ]
    assert table.loc["GC=F", "close_time"] == "13:30"
    assert table.loc["EURUSD=X", "close_time"] == "24:00"
    assert table.loc["POLYMARKET", "close_time"] == ""
    assert table.loc["GLD", "strike"] == "close" and table.loc["GC=F", "strike"] == "fixed"
    assert set(table["strike"]) == {"fixed", "close"}
    assert table["description"].str.len().min() > 10
    assert set(table["kind"]) == {"price", "level"}


def test_unknown_symbol_names_it_and_lists_registered():
    with pytest.raises(UnknownInstrumentError) as err:
        get_instrument("XAUUSD=X")
    msg = str(err.value)
    assert "'XAUUSD=X'" in msg and "GC=F" in msg and "GLD" in msg and "register_instrument" in msg
    assert isinstance(err.value, KeyError)


def test_lookup_normalises_case_and_spaces():
    assert get_instrument(" gld ") is get_instrument("GLD")
    assert get_instrument("gc=f").symbol == "GC=F"


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"calendar": "NYSEE"}, "XNYS"),  # message lists accepted calendars
        ({"tz": "New York"}, "IANA"),
        ({"tz": "Mars/Olympus"}, "America/New_York"),
        ({"close_time": "25:99"}, "HH:MM"),
        ({"kind": "yield"}, "price, level"),
        ({"calendar": "continuous"}, "close_time=None"),
        ({"close_time": None}, "needs close_time"),
        ({"symbol": "  "}, "non-empty"),
        ({"strike": "early"}, "'fixed'"),
        ({"calendar": "continuous", "close_time": None, "strike": "close"}, "no closing price"),
    ],
)
def test_instrument_validation(kwargs, needle):
    base = dict(
        symbol="X",
        calendar="XNYS",
        tz=NY,
        close_time="16:00",
        kind="price",
        description="test",
        unit="USD",
    )
    base.update(kwargs)
    with pytest.raises(SpecificationError, match=None) as err:
        Instrument(**base)
    assert needle in str(err.value)


def test_register_custom_instrument(clean_registry):
    # LBMA gold price PM auction: 15:00 London on London business days.
    lbma = register_instrument(
        Instrument("LBMA_PM", "XLON", "Europe/London", "15:00", "price", "LBMA gold PM", "USD/oz")
    )
    assert get_instrument("LBMA_PM") is lbma
    # 2025-02-14 14:30 Berlin = 13:30 UTC = 13:30 London (GMT) < 15:00 -> same day.
    assert day0(ts("2025-02-14 14:30", "Europe/Berlin"), "LBMA_PM") == d("2025-02-14")
    # 15:00 London exactly -> strike is not strictly after -> next London session (Mon 17th;
    # London is open on US Presidents' Day).
    assert day0(ts("2025-02-14 15:00", "Europe/London"), "LBMA_PM") == d("2025-02-17")
    # re-registering the same entry is a no-op; a different one needs replace=True
    register_instrument(lbma)
    other = Instrument("LBMA_PM", "XLON", "Europe/London", "10:30", "price", "AM", "USD/oz")
    with pytest.raises(SpecificationError, match="replace=True"):
        register_instrument(other)
    register_instrument(other, replace=True)
    assert get_instrument("LBMA_PM").close_time == dt.time(10, 30)
    with pytest.raises(SpecificationError, match="expects an Instrument"):
        register_instrument("LBMA_PM")  # type: ignore[arg-type]


# Instruments whose value is the exchange's own closing price (strike moves to early closes).
# Written out here so that a change in the registry is a deliberate one.
CLOSE_STRUCK = {"GLD", "GDX", "SPY", "^GSPC", "ACWI", "VT", "URTH", "TIP", "TLT", "^GDAXI"}


def test_close_struck_instruments_are_explicit():
    close = {s for s, i in ins._REGISTRY.items() if i.strike == "close"}
    assert close == CLOSE_STRUCK
    # COMEX/NYMEX/CME settlements, VIX, yields, FX... keep a fixed clock (not modelled)
    for sym in ("GC=F", "SI=F", "CL=F", "ES=F", "^VIX", "^STOXX50E", "DGS10", "EURUSD=X"):
        assert get_instrument(sym).strike == "fixed", sym
    # strike="close" is the default-off choice and part of the identity (cache key)
    gld = get_instrument("GLD")
    assert Instrument("X", "XNYS", NY, "16:00", "price", "t", "USD").strike == "fixed"
    assert dataclasses.replace(gld, strike="fixed") != gld


def test_close_strike_needs_the_regular_close(clean_registry):
    # VIX-like 16:15 close on XNYS: XNYS closes at 16:00, so 16:15 is not its closing price.
    # The check runs when the schedule is first built (first day-0 call).
    bad = Instrument("BAD", "XNYS", NY, "16:15", "price", "bad", "USD", strike="close")
    with pytest.raises(SpecificationError, match="regular close of XNYS") as err:
        day0(ts("2025-02-18 12:00"), bad)
    assert "strike='fixed'" in str(err.value)
    # right clock, wrong zone: 16:00 Chicago is 17:00 New York
    with pytest.raises(SpecificationError, match="regular close"):
        day0(
            ts("2025-02-18 12:00"),
            Instrument(
                "B2", "XNYS", "America/Chicago", "16:00", "price", "bad", "USD", strike="close"
            ),
        )
    # a user instrument on the LSE close: 16:30 London, 12:30 on Christmas Eve 2025 (Wed)
    lse = Instrument(
        "LSE", "XLON", "Europe/London", "16:30", "price", "FTSE", "GBP", strike="close"
    )
    # 12:29 < 12:30 -> same day; 12:30 -> next session: 25th and 26th are holidays -> Mon 29th
    assert day0(ts("2025-12-24 12:29", "Europe/London"), lse) == d("2025-12-24")
    assert day0(ts("2025-12-24 12:30", "Europe/London"), lse) == d("2025-12-29")
    # the same series with a fixed 16:30 strike ignores the half day
    fixed = dataclasses.replace(lse, symbol="LSE_FIXED", strike="fixed")
    assert day0(ts("2025-12-24 12:30", "Europe/London"), fixed) == d("2025-12-24")


# --------------------------------------------------------------------------------------------
# the day-0 rule: hand-worked cases
# --------------------------------------------------------------------------------------------

HAND_CASES = [
    # (event time, tz, symbol, expected day 0, reasoning)
    ("2025-02-18 20:00", NY, "GC=F", "2025-02-19", "Tue 20:00 ET after 13:30 -> Wed"),
    ("2025-02-18 20:00", NY, "GLD", "2025-02-19", "Tue 20:00 ET after 16:00 -> Wed"),
    ("2025-02-18 16:00", NY, "GLD", "2025-02-19", "exactly at the NYSE close -> next"),
    ("2025-02-18 13:30", NY, "GC=F", "2025-02-19", "exactly at COMEX settlement -> next"),
    ("2025-02-18 15:59", NY, "GLD", "2025-02-18", "one minute before the close -> same"),
    ("2025-02-18 13:29", NY, "GC=F", "2025-02-18", "one minute before settlement -> same"),
    ("2025-02-18 13:30", NY, "GLD", "2025-02-18", "13:30 is before GLD's 16:00 -> same"),
    # Hamas attack: Sat 2023-10-07 06:30 Jerusalem (IDT, UTC+3) = 03:30 UTC, weekend -> Mon 9th
    ("2023-10-07 06:30", "Asia/Jerusalem", "GC=F", "2023-10-09", "weekend -> Monday"),
    ("2023-10-07 06:30", "Asia/Jerusalem", "GLD", "2023-10-09", "weekend -> Monday"),
    # Inauguration: Mon 2025-01-20 (MLK day, NYSE closed, COMEX no settlement) 12:00 ET -> Tue
    ("2025-01-20 12:00", NY, "GC=F", "2025-01-21", "MLK day: no settlement -> Tue"),
    ("2025-01-20 12:00", NY, "GLD", "2025-01-21", "MLK day: NYSE closed -> Tue"),
    # Presidents' Day Mon 2025-02-17: any time that day -> Tue 18th
    ("2025-02-17 09:00", NY, "GC=F", "2025-02-18", "Presidents' Day -> Tue"),
    ("2025-02-17 09:00", NY, "GLD", "2025-02-18", "Presidents' Day -> Tue"),
    # Russia invades Ukraine: 2022-02-24 05:55 Moscow (UTC+3) = 02:55 UTC = 21:55 ET on the
    # 23rd, after both of the 23rd's strikes, before both of the 24th's -> Thu 24th for both
    ("2022-02-24 05:55", "Europe/Moscow", "GC=F", "2022-02-24", "Asia hours -> same day"),
    ("2022-02-24 05:55", "Europe/Moscow", "GLD", "2022-02-24", "Asia hours -> same day"),
    # Vance in Munich: Fri 2025-02-14 14:30 Berlin (CET, UTC+1) = 13:30 UTC = 08:30 EST
    ("2025-02-14 14:30", "Europe/Berlin", "GC=F", "2025-02-14", "08:30 ET -> same day"),
    ("2025-02-14 14:30", "Europe/Berlin", "GLD", "2025-02-14", "08:30 ET -> same day"),
    # US spring forward Sun 2025-03-09: Monday's strike is 13:30 EDT = 17:30 UTC
    ("2025-03-09 12:00", NY, "GC=F", "2025-03-10", "Sunday of the switch -> Mon"),
    ("2025-03-10 17:29", "UTC", "GC=F", "2025-03-10", "13:29 EDT -> same day"),
    ("2025-03-10 17:30", "UTC", "GC=F", "2025-03-11", "13:30 EDT = strike -> next"),
    ("2025-03-10 18:29", "UTC", "GC=F", "2025-03-11", "would be 13:29 EST; it is EDT -> next"),
    # US fall back Sun 2025-11-02: Monday 3rd's strike is 13:30 EST = 18:30 UTC
    ("2025-11-03 18:29", "UTC", "GC=F", "2025-11-03", "13:29 EST -> same day"),
    ("2025-11-03 17:45", "UTC", "GC=F", "2025-11-03", "12:45 EST -> same day"),
    ("2025-11-03 18:30", "UTC", "GC=F", "2025-11-04", "13:30 EST = strike -> next"),
    ("2025-10-31 17:45", "UTC", "GC=F", "2025-11-03", "Fri 13:45 EDT -> next = Mon"),
    # US/Europe out of sync (2025-03-10..03-28): NY on EDT (UTC-4), Berlin still CET (UTC+1)
    ("2025-03-12 12:45", NY, "GC=F", "2025-03-12", "12:45 EDT before 13:30"),
    ("2025-03-12 17:45", "UTC", "GC=F", "2025-03-13", "17:45 UTC = 13:45 EDT -> next"),
    ("2025-03-12 17:45", "UTC", "GLD", "2025-03-12", "13:45 EDT before 16:00 -> same"),
    ("2025-01-15 17:45", "UTC", "GC=F", "2025-01-15", "same UTC in winter = 12:45 EST"),
    # DAX closes 17:30 Berlin: 16:45 UTC on 2025-03-12 = 17:45 CET -> after -> next
    ("2025-03-12 16:45", "UTC", "^GDAXI", "2025-03-13", "17:45 CET after 17:30"),
    # ... and 16:15 UTC = 17:15 CET -> same day, although it is already 12:15 in New York
    ("2025-03-12 16:15", "UTC", "^GDAXI", "2025-03-12", "17:15 CET before 17:30"),
    # on 2025-04-02 Berlin is on CEST (UTC+2): 15:45 UTC = 17:45 CEST -> next
    ("2025-04-02 15:45", "UTC", "^GDAXI", "2025-04-03", "17:45 CEST after 17:30"),
    # Liberation Day tariffs: 2025-04-02 16:00 ET, exactly at the close -> next for both
    ("2025-04-02 16:00", NY, "GLD", "2025-04-03", "at the close -> next"),
    ("2025-04-02 16:00", NY, "GC=F", "2025-04-03", "after settlement -> next"),
    # VIX strikes at 16:15: 16:10 ET -> same day, unlike GLD
    ("2025-04-02 16:10", NY, "^VIX", "2025-04-02", "16:10 before 16:15"),
    # GPRD: a value every calendar day, complete at 24:00 New York
    ("2023-10-07 06:30", "Asia/Jerusalem", "GPRD", "2023-10-06", "23:30 ET on the 6th"),
    ("2023-10-07 23:59", NY, "GPRD", "2023-10-07", "Saturday counts for GPRD"),
    ("2023-10-08 00:00", NY, "GPRD", "2023-10-08", "midnight = strike of the 7th -> 8th"),
    # EUR/USD daily bar = London calendar day (24:00 London), Monday to Friday
    ("2025-02-17 23:30", NY, "EURUSD=X", "2025-02-18", "04:30 London on Tue"),
    ("2025-02-15 12:00", NY, "EURUSD=X", "2025-02-17", "Saturday -> Monday (no US holiday)"),
    # NYSE early closes: 13:00 New York on Thu 2025-07-03 (Fri 4th holiday), Fri 2025-11-28
    # (day after Thanksgiving) and Wed 2025-12-24 (Thu 25th holiday). GLD is strike="close":
    # its price is struck at 13:00 on those days. GC=F is strike="fixed": COMEX settles at
    # 13:30 whatever the NYSE does (CME early-close settlement times are not modelled).
    ("2025-07-03 12:59", NY, "GLD", "2025-07-03", "12:59 before the 13:00 early close"),
    ("2025-07-03 13:00", NY, "GLD", "2025-07-07", "at the 13:00 close -> next = Mon 7th"),
    ("2025-07-03 13:20", NY, "GLD", "2025-07-07", "after 13:00, July 4 holiday, weekend"),
    ("2025-07-03 15:59", NY, "GLD", "2025-07-07", "before 16:00 but after the real close"),
    ("2025-07-03 17:20", "UTC", "GLD", "2025-07-07", "17:20 UTC = 13:20 EDT"),
    ("2025-07-03 13:20", NY, "GC=F", "2025-07-03", "13:20 before fixed 13:30 settlement"),
    ("2025-07-03 13:30", NY, "GC=F", "2025-07-07", "at the 13:30 settlement -> Mon 7th"),
    ("2025-07-03 13:20", NY, "SPY", "2025-07-07", "NYSE ETF: same as GLD"),
    ("2025-07-03 13:20", NY, "^GSPC", "2025-07-07", "index closes at 13:00 too"),
    ("2025-07-03 13:20", NY, "ES=F", "2025-07-03", "CME, fixed 16:00: not modelled"),
    ("2025-07-03 13:20", NY, "^VIX", "2025-07-03", "fixed 16:15: not modelled"),
    ("2025-07-02 13:20", NY, "GLD", "2025-07-02", "the day before is a full day"),
    ("2025-11-28 12:59", NY, "GLD", "2025-11-28", "before the 13:00 early close"),
    ("2025-11-28 13:00", NY, "GLD", "2025-12-01", "at the early close -> Mon Dec 1"),
    ("2025-11-28 13:20", NY, "GLD", "2025-12-01", "after the early close -> Mon Dec 1"),
    ("2025-11-28 13:20", NY, "GC=F", "2025-11-28", "13:20 before 13:30 settlement"),
    ("2025-12-24 12:59", NY, "GLD", "2025-12-24", "before the 13:00 early close"),
    ("2025-12-24 13:00", NY, "GLD", "2025-12-26", "at the early close; 25th holiday -> 26th"),
    ("2025-12-24 13:20", NY, "GLD", "2025-12-26", "after the early close -> Fri 26th"),
    ("2025-12-24 13:20", NY, "GC=F", "2025-12-24", "13:20 before 13:30 settlement"),
    # Xetra's last trading day of 2025 (Tue 2025-12-30) closes at 14:00 CET; 31st and Jan 1st
    # are Xetra holidays -> next session Fri 2026-01-02
    ("2025-12-30 13:59", "Europe/Berlin", "^GDAXI", "2025-12-30", "before the 14:00 close"),
    ("2025-12-30 14:00", "Europe/Berlin", "^GDAXI", "2026-01-02", "at the early close"),
    ("2025-12-29 14:00", "Europe/Berlin", "^GDAXI", "2025-12-29", "full day: 17:30 close"),
]


@pytest.mark.parametrize(("when", "tz", "symbol", "expected", "why"), HAND_CASES)
def test_day0_hand_worked(when, tz, symbol, expected, why):
    assert day0(ts(when, tz), symbol) == d(expected), why


def test_day0_accepts_strings_and_datetimes():
    assert day0("2022-02-24T02:55:00Z", "GC=F") == d("2022-02-24")
    aware = dt.datetime(2025, 2, 18, 20, 0, tzinfo=zoneinfo.ZoneInfo(NY))
    assert day0(aware, "GLD") == d("2025-02-19")
    out = day0("2025-02-18 20:00-05:00", "GC=F")
    assert isinstance(out, pd.Timestamp) and out.tzinfo is None and out == out.normalize()


def test_day0_rejects_naive_and_missing_times():
    with pytest.raises(SpecificationError, match="no time zone"):
        day0("2025-02-18 20:00", "GC=F")
    with pytest.raises(SpecificationError, match="missing"):
        day0(None, "GC=F")
    with pytest.raises(SpecificationError, match="not a timestamp"):
        day0("yesterday-ish", "GC=F")


# --------------------------------------------------------------------------------------------
# events without a clock time
# --------------------------------------------------------------------------------------------

NO_TIME_CASES = [
    # (date, day_basis, symbol, expected, reasoning)
    ("2026-01-26", "no_time_assume_before_cutoffs", "GC=F", "2026-01-26", "Mon: on or after"),
    # Tue 2026-01-27 in Tokyo: 00:00 JST would be Mon 10:00 EST (before Monday's settlement),
    # but the date rule assumes the event precedes Tuesday's strike -> Tue
    ("2026-01-27", "no_time_assume_before_cutoffs", "GC=F", "2026-01-27", "date rule, not time"),
    ("2025-02-16", "no_time_assume_before_cutoffs", "GC=F", "2025-02-18", "Sun, Mon holiday"),
    ("2025-02-16", "no_time_assume_before_cutoffs", "^GDAXI", "2025-02-17", "Xetra open Mon"),
    ("2025-02-16", "no_time_assume_before_cutoffs", "GPRD", "2025-02-16", "every day"),
    ("2019-01-14", "no_time_assume_after_us_close", "GLD", "2019-01-15", "Mon -> Tue"),
    ("2025-02-14", "no_time_assume_after_us_close", "GC=F", "2025-02-18", "Fri -> Tue (17th)"),
    ("2025-02-15", "no_time_assume_after_us_close", "GLD", "2025-02-18", "Sat -> Tue"),
]


@pytest.mark.parametrize(("date", "basis", "symbol", "expected", "why"), NO_TIME_CASES)
def test_day0_without_time(date, basis, symbol, expected, why):
    got = day0(None, symbol, time_known=False, event_date=date, day_basis=basis)
    assert got == d(expected), why


def test_date_rule_differs_from_time_rule_for_asian_dates():
    # the catalog's placeholder for the Tokyo row: 00:00 JST Tue = 15:00 UTC Mon = 10:00 EST
    placeholder = ts("2026-01-27 00:00", "Asia/Tokyo")
    assert day0(placeholder, "GC=F") == d("2026-01-26")
    got = day0(
        placeholder,
        "GC=F",
        time_known=False,
        event_date="2026-01-27",
        day_basis="no_time_assume_before_cutoffs",
    )
    assert got == d("2026-01-27")


def test_day0_basis_checks():
    with pytest.raises(SpecificationError, match="contradicts"):
        day0(None, "GC=F", time_known=False, event_date="2025-01-07")  # basis "time"
    with pytest.raises(SpecificationError, match="contradicts"):
        day0(ts("2025-01-07 12:00"), "GC=F", day_basis="no_time_assume_before_cutoffs")
    with pytest.raises(SpecificationError, match="expected one of"):
        day0(None, "GC=F", time_known=False, event_date="2025-01-07", day_basis="guess")
    with pytest.raises(SpecificationError, match="needs it"):
        day0(None, "GC=F", time_known=False, day_basis="no_time_assume_before_cutoffs")


def test_day_bases_documented_equal_accepted():
    doc = day0_module.__doc__ or ""
    for basis in DAY_BASES[1:]:
        assert f'``"{basis}"``' in doc
    assert set(DAY_BASES) == set(day0_module.DayBasis.__args__)


# --------------------------------------------------------------------------------------------
# errors: continuous instruments, calendar range
# --------------------------------------------------------------------------------------------


def test_polymarket_has_no_day0():
    for call in (
        lambda: day0(ts("2025-02-18 20:00"), "POLYMARKET"),
        lambda: trading_sessions("POLYMARKET", "2025-01-01", "2025-02-01"),
        lambda: session_offset("POLYMARKET", "2025-01-02", 1),
        lambda: align_events(_frame([("a", "2025-02-18", "2025-02-19 01:00Z")]), ["POLYMARKET"]),
    ):
        with pytest.raises(SpecificationError, match="wall-clock hours"):
            call()


def test_events_outside_calendar_range():
    with pytest.raises(SpecificationError, match=r"2000-01-03\.\.2027-12-31"):
        day0(ts("1999-06-01 12:00"), "GLD")
    with pytest.raises(SpecificationError, match="no later session"):
        day0(ts("2027-12-31 16:00"), "GLD")
    assert day0(ts("2027-12-31 15:59"), "GLD") == d("2027-12-31")
    # 2000-01-01 is a Saturday inside the range: rolls to the first session
    assert day0(ts("2000-01-01 12:00"), "GLD") == d("2000-01-03")
    with pytest.raises(SpecificationError, match="before"):
        day0(
            None,
            "GC=F",
            time_known=False,
            event_date="1999-12-31",
            day_basis="no_time_assume_before_cutoffs",
        )
    with pytest.raises(SpecificationError, match=r"\['late'\]"):
        day0_for_events(
            _frame(
                [
                    ("ok", "2025-01-02", "2025-01-02 12:00Z"),
                    ("late", "2028-03-01", "2028-03-01 12:00Z"),
                ]
            ),
            "GC=F",
        )


# --------------------------------------------------------------------------------------------
# vectorised versions
# --------------------------------------------------------------------------------------------


def _frame(rows, basis=None):
    """Small catalog frame: (event_id, date, event_time[, day_basis])."""
    out = pd.DataFrame(
        {
            "event_id": [r[0] for r in rows],
            "date": [r[1] for r in rows],
            "event_time": pd.to_datetime([r[2] for r in rows], utc=True),
            "day_basis": [r[3] if len(r) > 3 else "time" for r in rows],
        }
    )
    out["time_known"] = out["day_basis"] == "time"
    return out


CATALOG_ROWS = [
    ("russia_invades_ukraine", "2022-02-24", "2022-02-24 02:55Z"),
    ("hamas_attack_israel", "2023-10-07", "2023-10-07 03:30Z"),
    ("trump_inauguration_2025", "2025-01-20", "2025-01-20 17:00Z"),
    ("vance_munich_speech", "2025-02-14", "2025-02-14 13:30Z"),
    ("dst_gap_week", "2025-03-12", "2025-03-12 17:45Z"),
    ("nyt_evening", "2019-01-14", "2019-01-14 21:00Z", "no_time_assume_after_us_close"),
    ("gold_5000", "2026-01-26", "2026-01-25 15:00Z", "no_time_assume_before_cutoffs"),
    ("taiwan_sunday", "2025-02-16", "2025-02-15 16:00Z", "no_time_assume_before_cutoffs"),
]


def test_align_events_frame():
    events = _frame(CATALOG_ROWS).set_index(pd.Index([10, 11, 12, 13, 14, 15, 16, 17]))
    got = align_events(events, ["GC=F", "GLD"])
    expected = pd.DataFrame(
        {
            "event_id": [r[0] for r in CATALOG_ROWS],
            "event_time": pd.to_datetime([r[2] for r in CATALOG_ROWS], utc=True),
            "day0_GC=F": pd.to_datetime(
                [
                    "2022-02-24",
                    "2023-10-09",
                    "2025-01-21",
                    "2025-02-14",
                    "2025-03-13",
                    "2019-01-15",
                    "2026-01-26",
                    "2025-02-18",
                ]
            ).as_unit("ns"),
            "day0_GLD": pd.to_datetime(
                [
                    "2022-02-24",
                    "2023-10-09",
                    "2025-01-21",
                    "2025-02-14",
                    "2025-03-12",
                    "2019-01-15",
                    "2026-01-26",
                    "2025-02-18",
                ]
            ).as_unit("ns"),
        },
        index=events.index,
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert str(got["event_time"].dt.tz) == "UTC"
    assert got["day0_GC=F"].dtype.kind == "M" and got["day0_GC=F"].dt.tz is None


def test_day0_for_events_matches_scalar():
    events = _frame(CATALOG_ROWS)
    for sym in ("GC=F", "GLD", "^GDAXI", "EURUSD=X", "GPRD", "DCOILBRENTEU"):
        col = day0_for_events(events, sym)
        assert col.name == f"day0_{sym}"
        for i, row in events.iterrows():
            one = day0(
                row["event_time"],
                sym,
                time_known=row["time_known"],
                event_date=row["date"],
                day_basis=row["day_basis"],
            )
            assert col[i] == one, (sym, row["event_id"])


def test_day0_for_events_mixed_tz_objects_and_checks():
    events = pd.DataFrame(
        {
            "event_id": ["a", "b"],
            "date": ["2025-02-18", "2023-10-07"],
            "event_time": [ts("2025-02-18 20:00"), ts("2023-10-07 06:30", "Asia/Jerusalem")],
        }
    )
    assert events["event_time"].dtype == object
    got = day0_for_events(events, "GLD")  # no day_basis column: every row is timed
    assert list(got) == [d("2025-02-19"), d("2023-10-09")]
    bad = events.assign(time_known=[True, False])
    with pytest.raises(SpecificationError, match=r"\['b'\]"):
        day0_for_events(bad, "GLD")
    with pytest.raises(SpecificationError, match="expected one of"):
        day0_for_events(events.assign(day_basis=["time", "sometime"]), "GLD")
    naive = events.assign(event_time=[pd.Timestamp("2025-02-18 20:00"), ts("2025-02-18 20:00")])
    with pytest.raises(SpecificationError, match=r"a: .*no time zone"):
        day0_for_events(naive, "GLD")
    assert day0_for_events(events.iloc[:0], "GLD").empty
    with pytest.raises(SpecificationError, match="no instruments"):
        align_events(events, [])


def test_cli_events_prints_iso(monkeypatch, capsys):
    from eventstudy import cli
    from eventstudy.data import catalog

    monkeypatch.setattr(catalog, "load_events", lambda path: _frame(CATALOG_ROWS[:3]))
    assert cli.main(["events", "--instruments", "GC=F,GLD", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "event_id,event_time,day0_GC=F,day0_GLD"
    assert lines[1] == "russia_invades_ukraine,2022-02-24T02:55:00Z,2022-02-24,2022-02-24"
    assert lines[2] == "hamas_attack_israel,2023-10-07T03:30:00Z,2023-10-09,2023-10-09"
    assert cli.main(["events", "--instruments", "GC=F,NOPE"]) == 2


# --------------------------------------------------------------------------------------------
# sessions and offsets
# --------------------------------------------------------------------------------------------


def test_trading_sessions():
    got = trading_sessions("GC=F", "2025-01-15", "2025-01-24")
    expected = pd.DatetimeIndex(
        [
            "2025-01-15",
            "2025-01-16",
            "2025-01-17",
            "2025-01-21",
            "2025-01-22",
            "2025-01-23",
            "2025-01-24",
        ]
    ).as_unit("ns")  # Sat 18, Sun 19, MLK Mon 20 are not sessions
    pd.testing.assert_index_equal(got, expected)
    assert list(trading_sessions("^GDAXI", "2025-01-17", "2025-01-20")) == [
        d("2025-01-17"),
        d("2025-01-20"),
    ]  # Xetra is open on MLK day
    assert len(trading_sessions("GPRD", "2025-02-01", "2025-02-28")) == 28
    with pytest.raises(SpecificationError, match="after end"):
        trading_sessions("GLD", "2025-02-01", "2025-01-01")
    with pytest.raises(SpecificationError, match="outside"):
        trading_sessions("GLD", "1999-01-01", "2001-01-01")


def test_session_offset():
    assert session_offset("GLD", "2025-02-14", 1) == d("2025-02-18")  # skips Mon 17th
    assert session_offset("GLD", "2025-02-18", -1) == d("2025-02-14")
    assert session_offset("GC=F", "2025-01-21", -5) == d("2025-01-13")  # 17,16,15,14,13
    assert session_offset("GC=F", "2025-01-21", 0) == d("2025-01-21")
    assert session_offset("^GDAXI", "2025-01-17", 1) == d("2025-01-20")
    with pytest.raises(SpecificationError, match="2025-02-14 and 2025-02-18"):
        session_offset("GLD", "2025-02-17", 1)
    with pytest.raises(SpecificationError, match="leaves"):
        session_offset("GLD", "2000-01-03", -1)
    with pytest.raises(SpecificationError, match="must be an int"):
        session_offset("GLD", "2025-02-18", 1.5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# property: day 0 is never before the event, and no earlier session qualifies
# --------------------------------------------------------------------------------------------

SESSION_SYMBOLS = [s for s in ins._REGISTRY if get_instrument(s).has_sessions]


@functools.cache
def _oracle_calendar(calendar: str) -> xcals.ExchangeCalendar:
    with warnings.catch_warnings():  # exchange-calendars 4.13 vs pandas 3.1 deprecation
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        return xcals.get_calendar(calendar, start="2000-01-01", end="2027-12-31")


def _oracle_sessions(calendar: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(_oracle_calendar(calendar).sessions)


def _oracle_strike(inst: Instrument, session: pd.Timestamp) -> pd.Timestamp:
    """Strike time written independently of the module: datetime.combine + zoneinfo, and for
    close-struck instruments the earlier of that and exchange-calendars' session_close (which
    includes early closes), one session at a time."""
    zone = zoneinfo.ZoneInfo(inst.tz)
    if inst.close_time == dt.time.max:  # 24:00 = next midnight
        local = dt.datetime.combine(session.date() + dt.timedelta(days=1), dt.time(0), zone)
    else:
        local = dt.datetime.combine(session.date(), inst.close_time, zone)
    nominal = pd.Timestamp(local).tz_convert("UTC")
    if inst.symbol in CLOSE_STRUCK:
        actual = pd.Timestamp(_oracle_calendar(inst.calendar).session_close(session))
        return min(nominal, actual.tz_convert("UTC"))
    return nominal


def _check_property(symbol: str, event: pd.Timestamp) -> None:
    inst = get_instrument(symbol)
    got = day0(event, symbol)
    sessions = _oracle_sessions(inst.calendar)
    i = sessions.get_loc(got)  # day 0 is a session
    assert _oracle_strike(inst, got) > event
    if i > 0:  # every earlier session's strike is at or before the event
        assert _oracle_strike(inst, sessions[i - 1]) <= event


@settings(max_examples=300, deadline=None)
@given(
    symbol=st.sampled_from(SESSION_SYMBOLS),
    event=st.datetimes(
        min_value=dt.datetime(2000, 1, 2),
        max_value=dt.datetime(2027, 12, 20),
        timezones=st.just(dt.UTC),
    ),
)
def test_property_uniform_times(symbol, event):
    _check_property(symbol, pd.Timestamp(event))


@settings(max_examples=300, deadline=None)
@given(
    symbol=st.sampled_from(SESSION_SYMBOLS),
    n=st.integers(min_value=1, max_value=7000),
    minutes=st.integers(min_value=-3, max_value=3),
)
def test_property_near_strikes(symbol, n, minutes):
    # events within 3 minutes of a strike, including exactly at it
    inst = get_instrument(symbol)
    sessions = _oracle_sessions(inst.calendar)
    strike = _oracle_strike(inst, sessions[min(n, len(sessions) - 2)])
    _check_property(symbol, strike + pd.Timedelta(minutes=minutes))


@pytest.mark.parametrize("symbol", sorted(CLOSE_STRUCK | {"GC=F", "ES=F", "^VIX"}))
def test_property_around_every_early_close(symbol):
    # every early close of the instrument's calendar (61 on XNYS, 18 on XETR in 2000-2027),
    # 1 minute before, at, 1 minute after, and between the early and the regular close
    inst = get_instrument(symbol)
    cal = _oracle_calendar(inst.calendar)
    # (an early close on the calendar's last session, XETR 2027-12-30, has no next session)
    early = cal.early_closes[cal.early_closes < cal.sessions[-1]]
    closes = [pd.Timestamp(cal.session_close(s)) for s in early]
    assert closes
    minutes = [-1, 0, 1, 20, 60]
    events = [c + pd.Timedelta(minutes=m) for c in closes for m in minutes]
    for event in events:
        _check_property(symbol, event)
    # the vectorised path agrees with the scalar one on all of them
    frame = pd.DataFrame(
        {
            "event_id": [str(i) for i in range(len(events))],
            "event_time": pd.DatetimeIndex(events).tz_convert("UTC"),
        }
    )
    col = day0_for_events(frame, symbol)
    assert list(col) == [day0(e, symbol) for e in events]
    # close-struck: an event 1 minute after the early close moves to the next session
    nxt = [day0(c + pd.Timedelta(minutes=1), symbol) for c in closes]
    same = [day0(c - pd.Timedelta(minutes=1), symbol) for c in closes]
    if symbol in CLOSE_STRUCK:
        assert all(n > s for n, s in zip(nxt, same, strict=True)), symbol


# --------------------------------------------------------------------------------------------
# calendars against the snapshot's trading dates
# --------------------------------------------------------------------------------------------


def _snapshot_dates(snapshot_dir: Path, symbol: str) -> pd.DatetimeIndex:
    sub = "series" if (snapshot_dir / "series" / f"{symbol}.csv").exists() else "prices"
    frame = pd.read_csv(snapshot_dir / sub / f"{symbol}.csv", dtype={"date": str})
    frame = frame.dropna(subset=["value" if sub == "series" else "close"])  # blank holidays
    return pd.DatetimeIndex(pd.to_datetime(frame["date"])).as_unit("ns")


def _mismatch(snapshot_dir, symbol, calendar=None):
    dates = _snapshot_dates(snapshot_dir, symbol)
    lo, hi = max(d("2015-01-01"), dates[0]), dates[-1]
    dates = dates[(dates >= lo) & (dates <= hi)]
    if calendar is None:
        sessions = trading_sessions(symbol, lo, hi)
    else:
        sessions = _oracle_sessions(calendar)
        sessions = sessions[(sessions >= lo) & (sessions <= hi)]
    return sessions.difference(dates), dates.difference(sessions)


def test_gold_calendars_match_snapshot_dates(snapshot_dir):
    # GC=F on XNYS: 3 sessions without a Yahoo row, 4 Yahoo rows on non-sessions (docstring)
    missing, extra = _mismatch(snapshot_dir, "GC=F")
    assert [str(x.date()) for x in missing] == ["2016-10-10", "2016-11-11", "2018-01-29"]
    assert [str(x.date()) for x in extra] == [
        "2025-01-09",
        "2025-07-04",
        "2025-07-13",
        "2025-09-01",
    ]
    # exchange-calendars' CMES counts Globex holiday sessions: far worse
    missing_cmes, extra_cmes = _mismatch(snapshot_dir, "GC=F", "CMES")
    assert (len(missing_cmes), len(extra_cmes)) == (73, 2)
    assert d("2025-01-20") in missing_cmes and d("2025-02-17") in missing_cmes
    # GLD matches XNYS exactly
    missing, extra = _mismatch(snapshot_dir, "GLD")
    assert (len(missing), len(extra)) == (0, 0)


@pytest.mark.parametrize("symbol", [s for s in SESSION_SYMBOLS])
def test_every_calendar_close_to_its_data(snapshot_dir, symbol):
    prices = snapshot_dir / "prices" / f"{symbol}.csv"
    series = snapshot_dir / "series" / f"{symbol}.csv"
    assert prices.exists() or series.exists(), f"no snapshot file for {symbol}"
    missing, extra = _mismatch(snapshot_dir, symbol)
    n = len(_snapshot_dates(snapshot_dir, symbol))
    assert len(missing) + len(extra) <= max(5, 0.02 * n), (symbol, missing, extra)


def test_day0_lands_on_snapshot_rows(snapshot_dir):
    # every 3 hours from 2015 to 2026-02-20 (about 30,000 events), vectorised
    times = pd.date_range("2015-01-01", f"{SNAPSHOT_END} 12:00", freq="3h", tz="UTC")
    events = pd.DataFrame({"event_id": np.arange(len(times)).astype(str), "event_time": times})
    known_gaps = {"GC=F": {d("2016-10-10"), d("2016-11-11"), d("2018-01-29")}, "GLD": set()}
    for symbol, gaps in known_gaps.items():
        got = pd.DatetimeIndex(day0_for_events(events, symbol).unique())
        rows = _snapshot_dates(snapshot_dir, symbol)
        assert set(got.difference(rows)) == gaps, symbol


def test_real_catalog(repo_root, snapshot_dir):
    path = repo_root / "events.csv"
    from eventstudy.data.catalog import load_events

    table = align_events(load_events(path), ["GC=F", "GLD"]).set_index("event_id")
    expected = {
        "russia_invades_ukraine": ("2022-02-24", "2022-02-24"),
        "hamas_attack_israel": ("2023-10-09", "2023-10-09"),
        "trump_inauguration_2025": ("2025-01-21", "2025-01-21"),
        "vance_munich_speech": ("2025-02-14", "2025-02-14"),
        "nyt_trump_private_nato_withdrawal": ("2019-01-15", "2019-01-15"),
        "gold_5000_milestone": ("2026-01-26", "2026-01-26"),
    }
    for event_id, (gc, gld) in expected.items():
        if event_id in table.index:
            assert table.loc[event_id, "day0_GC=F"] == d(gc), event_id
            assert table.loc[event_id, "day0_GLD"] == d(gld), event_id
    for symbol in ("GC=F", "GLD"):
        col = table[f"day0_{symbol}"]
        col = col[col <= d(SNAPSHOT_END)]
        rows = _snapshot_dates(snapshot_dir, symbol)
        assert set(col).issubset(set(rows)), symbol
        assert (table["event_time"].notna()).all()


def _clear_schedules():
    day0_module._calendar_days.cache_clear()
    day0_module._schedule.cache_clear()


def test_calendar_days_are_kept_in_the_user_cache_and_read_back(tmp_path, monkeypatch):
    """Sessions, closes and early closes are those of exchange_calendars, whether computed
    or read from the per-user cache; a damaged file is rebuilt; an unwritable cache is no
    error; the schedules built from them are the same."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cal = day0_module._calendar("XNYS")
    expected = (
        pd.DatetimeIndex(cal.sessions).as_unit("ns").asi8,
        pd.DatetimeIndex(cal.closes).tz_convert("UTC").as_unit("ns").asi8,
        pd.DatetimeIndex(cal.early_closes).as_unit("ns").asi8,
    )

    def days_and_schedules():
        _clear_schedules()
        days = day0_module._calendar_days("XNYS")
        got = (days.sessions_ns, days.closes_ns, days.early_ns)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)
        return [day0_module._schedule(get_instrument(s)) for s in ("GC=F", "GLD", "ACWI")]

    try:
        built = days_and_schedules()
        (kept,) = (tmp_path / "xdg" / "eventstudy" / "calendars").glob("*.npz")
        monkeypatch.setattr(day0_module, "_calendar", lambda name: 1 / 0)  # read, not built
        for a, b in zip(days_and_schedules(), built, strict=True):
            pd.testing.assert_index_equal(a.sessions, b.sessions, exact=True)
            np.testing.assert_array_equal(a.strike_ns, b.strike_ns)
            assert a.start_ns == b.start_ns
        monkeypatch.undo()
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        kept.write_bytes(b"not an npz file")
        days_and_schedules()  # rebuilt and written again
        with kept.open("wb") as other:
            np.save(other, np.arange(3))  # a .npy array, not the kept days
        days_and_schedules()
        assert day0_module._read_days(kept, "other versions") is None
        (tmp_path / "ro").mkdir()
        (tmp_path / "ro" / "eventstudy").write_text("a file where the cache directory goes")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "ro"))
        days_and_schedules()  # cannot be kept: still the days
    finally:
        _clear_schedules()


def test_calendar_days_are_keyed_by_the_time_zone_rules(monkeypatch, tmp_path):
    """Closes are kept in UTC: new time-zone rules (the tzdata package or the system's
    database) must give another cache file, not the days converted with the old rules."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    keys = []
    real = day0_module._tz_database()
    assert real.startswith("tzdata ")
    for rules in (real, "tzdata 2099.1 system # version 2099a"):
        monkeypatch.setattr(day0_module, "_tz_database", lambda rules=rules: rules)
        monkeypatch.setattr(day0_module, "_days_path", lambda key: keys.append(key) or tmp_path)
        try:
            day0_module._calendar_days.cache_clear()
            day0_module._calendar_days("XNYS")
        finally:
            day0_module._calendar_days.cache_clear()
    assert len(keys) == 2 and keys[0] != keys[1]
    assert keys[1].endswith("tzdata 2099.1 system # version 2099a")


def test_shipped_calendars_are_exchange_calendars_names():
    """The built-in instruments skip the name check (it imports exchange_calendars): every
    calendar of the shipped table must be one of its names, and a new name is still checked."""
    names = set(xcals.get_calendar_names(include_aliases=True))
    assert ins._SHIPPED_CALENDARS
    assert ins._SHIPPED_CALENDARS <= names | {CONTINUOUS}
    assert {i.calendar for i in ins._REGISTRY.values()} <= ins._SHIPPED_CALENDARS
    with pytest.raises(SpecificationError, match="not an exchange-calendars name"):
        Instrument("X", "NOT_A_CALENDAR", NY, "16:00", "price", "test", "USD")


def test_a_run_with_kept_calendar_days_does_not_import_exchange_calendars():
    """Sessions from the per-user cache: a fresh interpreter never imports the library."""
    code = (
        "import sys; from eventstudy.data.day0 import trading_sessions; "
        "trading_sessions('GC=F', '2025-01-02', '2025-01-10'); "
        "trading_sessions('GC=F', '2025-01-02', '2025-01-10'); "
        "print('exchange_calendars' in sys.modules)"
    )
    run = [sys.executable, "-c", code]
    subprocess.run(run, check=True, capture_output=True)  # keeps the days if not yet kept
    assert subprocess.run(run, check=True, capture_output=True, text=True).stdout.strip() == (
        "False"
    )
