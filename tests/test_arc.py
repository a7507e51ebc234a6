"""ARC (EventStudyTools) input files: parsing, a hand-computed toy, and the estudy2 case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from eventstudy.cli import main
from eventstudy.data.arc import read_prices, read_request
from eventstudy.engine.returns import to_returns
from eventstudy.engine.study import EventStudy
from eventstudy.engine.windows import EstimationWindow
from eventstudy.exceptions import DataFormatError
from eventstudy.report.arc import run_arc


def _write_prices(path, frame):
    lines = [
        f"{name};{date:%d.%m.%Y};{price!r}"
        for name in frame.columns
        for date, price in frame[name].dropna().items()
    ]
    path.write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------- hand-computed toy
# Market and two firms over 10 trading days (weekends after 05.01 and 12.01.2024).
DATES = pd.to_datetime(
    ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09",
     "2024-01-10", "2024-01-11", "2024-01-12", "2024-01-15"]
)  # fmt: skip
MKT = [100.0, 101.0, 99.0, 102.0, 103.0, 101.0, 104.0, 105.0, 104.5, 106.0]
FIRMS = {
    "A": [50.0, 51.0, 50.0, 52.0, 52.5, 51.0, 55.0, 54.0, 54.2, 55.0],
    "B": [20.0, 20.2, 19.6, 20.5, 20.4, 20.0, 21.0, 21.5, 21.1, 22.4],
}
# e1: day 0 = 10.01 (row 6), event (0, 1), estimation 5 days ending at -1;
# e2: day 0 = Saturday 13.01 -> 15.01 (row 9), event (-1, 0), estimation 5 days ending at -2.
TOY = (("e1", "A", 6, (0, 1), -1), ("e2", "B", 9, (-1, 0), -2))


@pytest.fixture
def toy(tmp_path):
    _write_prices(tmp_path / "market.csv", pd.DataFrame({"MKT": MKT}, index=DATES))
    _write_prices(tmp_path / "firms.csv", pd.DataFrame(FIRMS, index=DATES))
    (tmp_path / "request.csv").write_text(
        "e1;A;MKT;10.01.2024;g;0;1;-1;5\ne2;B;MKT;13.01.2024;g;-1;0;-2;5\n"
    )
    return tmp_path


def _hand_market_model(firm, row0, window, est_end, kind):
    """Market model by the textbook formulas (no engine code); L1 = 5, k = 2."""
    p, m = np.array(FIRMS[firm]), np.array(MKT)
    if kind == "log":
        r, rm = np.diff(np.log(p)), np.diff(np.log(m))
    else:
        r, rm = p[1:] / p[:-1] - 1, m[1:] / m[:-1] - 1
    # the return on price row q is r[q - 1]
    est = slice(row0 + est_end - 4 - 1, row0 + est_end)
    ev = slice(row0 + window[0] - 1, row0 + window[1])
    x, y = rm[est], r[est]
    assert x.size == 5
    beta = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    alpha = y.mean() - beta * x.mean()
    s2 = ((y - alpha - beta * x) ** 2).sum() / (5 - 2)
    xs = rm[ev]
    ar = r[ev] - alpha - beta * xs
    sxx = ((x - x.mean()) ** 2).sum()
    var_ar = s2 * (1 + 1 / 5 + (xs - x.mean()) ** 2 / sxx)
    var_car = s2 * (2 + 4 / 5 + ((xs - x.mean()).sum()) ** 2 / sxx)  # CLM 4.4.16, L = 2
    return ar, np.sqrt(var_ar), ar.sum(), np.sqrt(var_car)


@pytest.mark.parametrize("kind", ["log", "simple"])
def test_toy_two_events_match_hand_computation(toy, kind):
    out = run_arc(toy / "request.csv", toy / "firms.csv", toy / "market.csv",
                  out=toy / "out", returns=kind)  # fmt: skip
    ar = pd.read_csv(out / "ar.csv", parse_dates=["date"])
    car = pd.read_csv(out / "car.csv")
    assert list(ar.columns) == ["event_id", "firm", "date", "rel_day", "ar", "ar_se"]
    for event, firm, row0, window, est_end in TOY:
        exp_ar, exp_se, exp_car, exp_car_se = _hand_market_model(firm, row0, window, est_end, kind)
        got = ar[ar.event_id == event]
        assert got["date"].tolist() == list(DATES[row0 + window[0] : row0 + window[1] + 1])
        assert got["rel_day"].tolist() == list(range(window[0], window[1] + 1))
        assert_allclose(got["ar"], exp_ar, rtol=1e-10)
        assert_allclose(got["ar_se"], exp_se, rtol=1e-10)
        row = car[car.event_id == event].iloc[0]
        assert (row.window_start, row.window_end, row.df) == (*window, 3)
        assert_allclose([row.car, row.car_se], [exp_car, exp_car_se], rtol=1e-10)
    assert (out / "tests.csv").exists() and (out / "exclusions.csv").exists()


def test_toy_constant_mean_and_market_adjusted(toy):
    out = run_arc(toy / "request.csv", toy / "firms.csv", toy / "market.csv",
                  out=toy / "cm", model="constant-mean", returns="simple")  # fmt: skip
    ar = pd.read_csv(out / "ar.csv")
    p = np.array(FIRMS["A"])
    r = p[1:] / p[:-1] - 1
    mu = r[0:5].mean()  # returns on price rows 1..5 = offsets -5..-1 of e1
    s2 = r[0:5].var(ddof=1)
    got = ar[ar.event_id == "e1"]
    assert_allclose(got["ar"], r[5:7] - mu, rtol=1e-10)
    assert_allclose(got["ar_se"], np.sqrt(s2 * (1 + 1 / 5)), rtol=1e-10)
    out = run_arc(toy / "request.csv", toy / "firms.csv", toy / "market.csv",
                  out=toy / "ma", model="market-adjusted", returns="simple")  # fmt: skip
    ar = pd.read_csv(out / "ar.csv")
    m = np.array(MKT)
    rm = m[1:] / m[:-1] - 1
    assert_allclose(ar[ar.event_id == "e1"]["ar"], r[5:7] - rm[5:7], rtol=1e-10)


def test_cli_arc_prints_the_path(toy, capsys):
    code = main(["arc", str(toy / "request.csv"), str(toy / "firms.csv"),
                 str(toy / "market.csv"), "--out", str(toy / "cli")])  # fmt: skip
    assert code == 0
    assert str(toy / "cli") in capsys.readouterr().out
    assert (toy / "cli" / "car.csv").exists()


def test_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "request.csv"
    bad.write_text("e1;A;MKT;09.01.2024;g;0;1;-1;4\ne2;B;MKT;2024-01-06;g;0;1;-1;4\n")
    with pytest.raises(DataFormatError, match=r"request.csv line 2: event date '2024-01-06'"):
        read_request(bad)
    bad.write_text("e1;A;MKT;09.01.2024;g;0;1;-1\n")
    with pytest.raises(DataFormatError, match=r"line 1: 8 fields, expected 9"):
        read_request(bad)
    prices = tmp_path / "firms.csv"
    prices.write_text("A;02.01.2024;50\nA;03.01.2024;abc\n")
    with pytest.raises(DataFormatError, match=r"firms.csv line 2: price 'abc'"):
        read_prices(prices)
    prices.write_text("A;02.01.2024;50\nA;03.01.2024;\n")  # a blank price, not 2 fields
    with pytest.raises(DataFormatError, match=r"firms.csv line 2: price is blank"):
        read_prices(prices)
    prices.write_text("A;02.01.2024;50\nA;04.01.2024\n")
    with pytest.raises(DataFormatError, match=r"firms.csv line 2: 2 fields, expected 3"):
        read_prices(prices)
    prices.write_text("name;date;price\nA;02.01.2024;50\n")  # header tolerated
    assert read_prices(prices).shape == (1, 1)


# ---------------------------------------------------------------- estudy2 case in ARC format
def test_estudy2_case_in_arc_format_equals_direct_api(tmp_path, validation_dir, reference_dir):
    d = validation_dir / "estudy2_covid19"
    prices = pd.read_csv(d / "prices.csv", index_col=0, parse_dates=True)
    index = pd.read_csv(d / "prices_indx.csv", index_col=0, parse_dates=True)
    _write_prices(tmp_path / "firms.csv", prices)
    _write_prices(tmp_path / "market.csv", index.rename(columns={"^GSPC": "GSPC"}))
    (tmp_path / "request.csv").write_text(
        "".join(f"{i};{t};GSPC;16.03.2020;covid;0;4;-1;240\n" for i, t in enumerate(prices, 1))
    )
    out = run_arc(tmp_path / "request.csv", tmp_path / "firms.csv", tmp_path / "market.csv",
                  out=tmp_path / "out")  # fmt: skip
    ar = pd.read_csv(out / "ar.csv", parse_dates=["date"])
    direct = EventStudy(
        to_returns(prices), pd.DataFrame({"event_id": [str(i) for i in range(1, 8)],
                                          "asset": prices.columns, "day0": "2020-03-16"}),
        benchmark=to_returns(index["^GSPC"]), estimation_window=EstimationWindow(240, -1),
        event_window=(0, 4), car_windows=[(0, 4)],
    ).fit()  # fmt: skip
    assert_allclose(ar["ar"], direct.ar["ar"], rtol=1e-12)
    assert_allclose(ar["ar_se"], direct.ar["ar_se"], rtol=1e-12)
    car = pd.read_csv(out / "car.csv")
    assert_allclose(car["car"], direct.car["car"], rtol=1e-12)
    # and estudy2's published mean AR per day
    exp = pd.read_csv(reference_dir / "estudy2_covid19" / "expected_parametric_tests.csv")["mean"]
    assert_allclose(ar.groupby("date")["ar"].mean(), exp, rtol=1e-8)
    tests = pd.read_csv(out / "tests.csv")
    assert "caar_j1" in set(tests["test"])
    assert (tests["group"] == "covid").all()


def test_excel_style_files_are_read(tmp_path):
    # What Excel on Windows writes for "CSV (standard, not UTF-8)": Windows-1252 bytes, CRLF,
    # a trailing ";" on each line, quoted names, decimal commas and thousands separators.
    request = tmp_path / "request.csv"
    request.write_bytes(
        '1;"Société Générale";CAC;16.03.2020;banks;-1;1;-11;100;\r\n'.encode("cp1252")
    )
    frame = read_request(request)
    assert frame.loc[0, "firm"] == "Société Générale"
    assert frame.loc[0, "estimation_length"] == 100

    prices = tmp_path / "firms.csv"
    prices.write_bytes(
        "Société Générale;13.03.2020;1.234,50;\r\n"
        "Société Générale;16.03.2020;1.240,25;\r\n"
        "Société Générale;17.03.2020;1250;\r\n".encode("cp1252")
    )
    wide = read_prices(prices)
    assert wide["Société Générale"].tolist() == [1234.5, 1240.25, 1250.0]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["1,5", "2,25", "3"], [1.5, 2.25, 3.0]),  # decimal commas
        (["1.5", "2.25", "3"], [1.5, 2.25, 3.0]),  # decimal points
        (["1.234,5", "1,5"], [1234.5, 1.5]),  # one value settles it: comma decimal
        (["1,234.5", "1.5"], [1234.5, 1.5]),  # point decimal with thousands commas
    ],
)
def test_one_decimal_mark_per_price_file(tmp_path, lines, expected):
    path = tmp_path / "p.csv"
    days = ["02.01.2024", "03.01.2024", "04.01.2024"]
    path.write_text("".join(f"X;{d};{v}\n" for d, v in zip(days, lines, strict=False)))
    assert read_prices(path)["X"].tolist() == expected


def test_ambiguous_decimal_marks_raise(tmp_path):
    # '1,234' and '1.250' in one file: thousands separators or decimal marks? Guessing value by
    # value would turn a 1,234 price into 1.234 (a 1000x jump), so the reader refuses.
    path = tmp_path / "p.csv"
    path.write_text("X;02.01.2024;1,234\nX;03.01.2024;1.250\n")
    with pytest.raises(DataFormatError, match="decimal mark"):
        read_prices(path)


# ---------------------------------------------------------------- CRSP negative prices
def _crsp_case(tmp_path, negative_rows):
    """The toy with some of firm A's prices written as CRSP writes bid/ask midpoints (< 0)."""
    firms = pd.DataFrame(FIRMS, index=DATES)
    lines = []
    for name in firms.columns:
        for i, (date, price) in enumerate(firms[name].items()):
            sign = -1 if name == "A" and i in negative_rows else 1
            lines.append(f"{name};{date:%d.%m.%Y};{sign * price!r}")
    (tmp_path / "firms.csv").write_text("\n".join(lines) + "\n")
    _write_prices(tmp_path / "market.csv", pd.DataFrame({"MKT": MKT}, index=DATES))
    (tmp_path / "request.csv").write_text(
        "e1;A;MKT;10.01.2024;g;0;1;-1;5\ne2;B;MKT;13.01.2024;g;-1;0;-2;5\n"
    )
    return tmp_path


def test_negative_price_outside_every_window_stops_nothing(tmp_path):
    """60 days; one event near the end; a CRSP midpoint (negative) on day 3, far outside its
    estimation (10 days) and event windows: the study equals the one on the clean file."""
    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2024-03-01", periods=60)
    mkt = pd.DataFrame({"MKT": 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 60)))}, index=dates)
    firm = pd.DataFrame({"F": 30 * np.exp(np.cumsum(rng.normal(0, 0.02, 60)))}, index=dates)
    _write_prices(tmp_path / "market.csv", mkt)
    _write_prices(tmp_path / "clean.csv", firm)
    crsp = firm.copy()
    crsp.iloc[3, 0] *= -1
    _write_prices(tmp_path / "crsp.csv", crsp)
    (tmp_path / "request.csv").write_text(f"x;F;MKT;{dates[50]:%d.%m.%Y};g;-1;1;-2;10\n")
    runs = {
        name: run_arc(
            tmp_path / "request.csv",
            tmp_path / f"{name}.csv",
            tmp_path / "market.csv",
            out=tmp_path / name,
        )
        for name in ("clean", "crsp")
    }
    car = {name: pd.read_csv(out / "car.csv") for name, out in runs.items()}
    assert_allclose(car["crsp"]["car"], car["clean"]["car"], rtol=0, atol=0)
    assert pd.read_csv(runs["crsp"] / "exclusions.csv").empty


def test_negative_price_inside_a_window_excludes_that_event_only(tmp_path):
    case = _crsp_case(tmp_path, negative_rows={4})  # 08.01.2024: in e1's estimation window
    out = run_arc(case / "request.csv", case / "firms.csv", case / "market.csv", out=case / "o")
    ex = pd.read_csv(out / "exclusions.csv").set_index("event_id")
    assert list(ex.index) == ["e1"]
    assert (
        "08.01.2024" in ex.loc["e1", "reason"] and "--negative-prices abs" in ex.loc["e1", "reason"]
    )
    assert list(pd.read_csv(out / "car.csv")["event_id"]) == ["e2"]
    # abs: the midpoint is used as the price, as CRSP intends (= the positive file)
    both = run_arc(case / "request.csv", case / "firms.csv", case / "market.csv",
                   out=case / "abs", negative_prices="abs")  # fmt: skip
    _, _, car, _ = _hand_market_model("A", 6, (0, 1), -1, "log")
    got = pd.read_csv(both / "car.csv").set_index("event_id")
    assert got.loc["e1", "car"] == pytest.approx(car, rel=1e-12)
    with pytest.raises(DataFormatError, match="must be positive"):
        read_prices(case / "firms.csv")


def test_arc_command_takes_the_engine_options(toy, capsys):
    args = [str(toy / f) for f in ("request.csv", "firms.csv", "market.csv")]
    options = ["--car-window", "0,0", "--car-window=-1,0", "--convention", "estudy2",
               "--variance", "pyeventstudy"]  # fmt: skip
    code = main(["arc", *args, "--out", str(toy / "cli2"), *options])
    assert code == 0
    car = pd.read_csv(toy / "cli2" / "car.csv")
    # e1's event window (0, 1) holds (0, 0) only; e2's (-1, 0) holds both
    windows = {e: set(zip(g["window_start"], g["window_end"], strict=True))
               for e, g in car.groupby("event_id")}  # fmt: skip
    assert windows == {"e1": {(0, 0)}, "e2": {(0, 0), (-1, 0)}}
    assert set(car["df"]) == {4}  # pyeventstudy variance: n - 1 with n = 5
    with pytest.raises(SystemExit):
        main(["arc", *args, "--out", str(toy / "x"), "--car-window", "zero"])


# ---------------------------------------------------------------- bad prices in either file
def _spoiled_case(tmp_path, which, row, value):
    """60 days, one event (day 50, estimation -2 back 10 days); ``which`` file's price on
    day ``row`` written as ``value``. Returns the request and the clean and spoiled paths."""
    rng = np.random.default_rng(5)
    dates = pd.bdate_range("2024-03-01", periods=60)
    frames = {
        "market": pd.DataFrame({"MKT": 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 60)))}, dates),
        "firms": pd.DataFrame({"F": 30 * np.exp(np.cumsum(rng.normal(0, 0.02, 60)))}, dates),
    }
    for name, frame in frames.items():
        _write_prices(tmp_path / f"{name}.csv", frame)
    lines = (tmp_path / f"{which}.csv").read_text().splitlines()
    lines[row] = lines[row].rsplit(";", 1)[0] + ";" + value
    (tmp_path / f"{which}_spoiled.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "request.csv").write_text(f"x;F;MKT;{dates[50]:%d.%m.%Y};g;-1;1;-2;10\n")
    return tmp_path


def _run(case, which, out, **options):
    files = {"firms": case / "firms.csv", "market": case / "market.csv"}
    files[which] = case / f"{which}_spoiled.csv"
    return run_arc(case / "request.csv", files["firms"], files["market"], out=out, **options)


@pytest.mark.parametrize("which", ["firms", "market"])
@pytest.mark.parametrize("value", ["-100.5", "0", "", "inf", "nan", "C"])
def test_bad_price_outside_every_window_stops_nothing(tmp_path, which, value):
    """Day 3 is far outside the event's windows: the study equals the one on clean files."""
    case = _spoiled_case(tmp_path, which, 3, value)
    clean = run_arc(case / "request.csv", case / "firms.csv", case / "market.csv",
                    out=case / "clean")  # fmt: skip
    spoiled = _run(case, which, case / "spoiled")
    car = {name: pd.read_csv(out / "car.csv") for name, out in (("c", clean), ("s", spoiled))}
    assert_allclose(car["s"]["car"], car["c"]["car"], rtol=0, atol=0)
    assert pd.read_csv(spoiled / "exclusions.csv").empty


@pytest.mark.parametrize("which", ["firms", "market"])
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-100.5", "rerun with --negative-prices abs"),
        ("0", "line 46: price 0.0 must be positive (zero is not a price)"),
        ("", "line 46: price is blank; expected a positive number"),
        ("inf", "line 46: price 'inf' is not a number"),
        ("C", "line 46: price 'C' is not a number"),
    ],
)
def test_bad_price_inside_a_window_excludes_the_event_with_a_reason(tmp_path, which, value, reason):
    case = _spoiled_case(tmp_path, which, 45, value)  # day 45: in the estimation window
    out = _run(case, which, case / "o")
    ex = pd.read_csv(out / "exclusions.csv", keep_default_na=False)
    assert list(ex["event_id"]) == ["x"]
    assert reason in ex["reason"].iloc[0]
    assert ("market MKT" in ex["reason"].iloc[0]) == (which == "market")
    assert not (out / "car.csv").read_text().strip()
    if value.startswith("-"):  # CRSP midpoint: used as a price with abs
        both = _run(case, which, case / "abs", negative_prices="abs")
        assert pd.read_csv(both / "exclusions.csv").empty
        assert len(pd.read_csv(both / "car.csv")) == 1


@pytest.mark.parametrize("window", ["-50,50", "3,1"])
def test_car_window_outside_the_event_window_is_an_error(toy, capsys, window):
    args = [str(toy / f) for f in ("request.csv", "firms.csv", "market.csv")]
    code = main(["arc", *args, "--out", str(toy / "bad"), f"--car-window={window}"])
    assert code == 2
    start, end = window.split(",")
    assert f"car window ({start}, {end}) must satisfy start <= end and lie inside the event " in (
        capsys.readouterr().err
    )


def test_arc_help_lists_exactly_the_engine_conventions(capsys):
    from eventstudy.engine.stats import CONVENTIONS

    with pytest.raises(SystemExit):
        main(["arc", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    listed = text.split("test-battery convention: ")[1].split(" --")[0]
    assert listed.replace(" (default)", "").split(", ") == sorted(CONVENTIONS)


def test_bad_price_on_a_day_off_the_market_calendar_is_never_used(tmp_path):
    case = _spoiled_case(tmp_path, "firms", 3, "50")
    dates = pd.bdate_range("2024-03-01", periods=60)
    saturday = next(d for d in pd.date_range(dates[40], dates[48]) if d.day_of_week == 5)
    with (case / "firms_spoiled.csv").open("a") as fh:
        fh.write(f"F;{saturday:%d.%m.%Y};C\n")  # inside the windows' span, not a trading day
    out = _run(case, "firms", case / "o")
    assert pd.read_csv(out / "exclusions.csv").empty
    assert len(pd.read_csv(out / "car.csv")) == 1
