"""The report directory: runs the gold study (and the odds study) and writes what a reader needs.

:func:`run_report` is what ``eventstudy run`` calls. It composes; it computes nothing itself
(:mod:`eventstudy.gold.study`, :mod:`eventstudy.odds.shift`) and draws with
:mod:`eventstudy.plotting`.

Layout of ``out/``::

    index.html              summary, figures, data versions, exclusions, numbered notes
    gold_events.csv         one row per catalog event (studied / merged / excluded, reason,
                            CAR over the main window with SE and p-values: analytic, HAC, placebo)
    gold_groups.csv         mean CAR by expected direction and category; up-vs-down tests
    gold_overlaps.csv       other events in each event's estimation / event window, action
    gold_sensitivity.csv    CAR under alternative day-0 choices
    gold_car.csv            every unit's CAR over every CAR window
    gold_ar.csv             abnormal returns over the event window
    gold_tests.csv          HAC joint tests, group tests, the engine's battery (with caveat)
    gold_robustness.csv     main-window CAR under other models and with GLD
    data_versions.csv       files used (sha256 from the data manifest)
    odds_shifts.csv         Polymarket odds shifts (when the odds study runs)
    gold_odds.csv           per event with linked markets: gold CAR, mean 1-day log-odds shift
    fig_*.png               figures (fig_odds_<event_id>.png: linked markets' odds paths;
                            fig_gold_vs_odds.png: gold CAR against the odds shift)
"""

from __future__ import annotations

import html
import os
import warnings
from pathlib import Path

import pandas as pd

from eventstudy.exceptions import EventStudyError, WindowOverlapWarning
from eventstudy.report.safe_csv import write_csv

__all__ = ["run_report"]


def run_report(
    catalog: str | os.PathLike[str] = "events.csv",
    data_dir: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] = "report",
    *,
    n_boot: int = 200,
    robustness: bool = True,
) -> Path:
    """Run the gold (and odds) study on a catalog and write a report directory.

    Parameters
    ----------
    catalog : str or path-like, default "events.csv"
    data_dir : str or path-like, optional
        Data directory (``$EVENTSTUDY_DATA``, else ``./data``; see
        :func:`eventstudy.data.store.resolve_data_dir`).
    out : str or path-like, default "report"
        Output directory: created, or replaced as a whole when it holds a previous report
        (:func:`eventstudy.report.outdir.report_directory`: checked before the study runs,
        built beside it and moved into place only when complete; links are never followed).
    n_boot : int, default 200
        Placebo bootstrap resamples.
    robustness : bool, default True
        Also compute the main-window CAR under the market and factor models and for GLD.

    Returns
    -------
    pathlib.Path
        The ``index.html`` written.

    Raises
    ------
    ReportOutputError
        ``out`` cannot be used (a file, a link, a directory of other files, not writable).
    """
    from eventstudy.report.outdir import report_directory

    with report_directory(out) as build:
        _write_report(catalog, data_dir, build, n_boot=n_boot, robustness=robustness)
    return Path(out).expanduser().absolute() / "index.html"


def _write_report(catalog, data_dir, out: Path, *, n_boot: int, robustness: bool) -> Path:
    """Everything :func:`run_report` writes, into the (empty) directory ``out``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from eventstudy.data.catalog import load_events
    from eventstudy.gold.data import load_gold_data
    from eventstudy.gold.study import gold_event_study
    from eventstudy.plotting import gold as gplot

    events = load_events(catalog)
    data = load_gold_data("GC=F", data_dir=data_dir)
    with warnings.catch_warnings():  # the report shows the overlap table and notes instead
        warnings.simplefilter("ignore", WindowOverlapWarning)
        res = gold_event_study(events, data=data, data_dir=data_dir, n_boot=n_boot)

    write_csv(res.events, out / "gold_events.csv")
    groups = pd.concat(
        [res.groups.assign(kind="group"), res.group_tests.assign(kind="test")], ignore_index=True
    )
    for count in ("n", "nobs"):  # counts stay integers where the two tables do not overlap
        if count in groups:
            groups[count] = groups[count].astype("Int64")
    write_csv(groups, out / "gold_groups.csv")
    write_csv(res.overlaps, out / "gold_overlaps.csv")
    write_csv(res.sensitivity, out / "gold_sensitivity.csv")
    write_csv(res.car, out / "gold_car.csv")
    write_csv(res.ar, out / "gold_ar.csv")
    tests = pd.concat(
        [
            res.hac.tests.assign(route="hac_regression"),
            res.group_tests.assign(route="cross_event_groups"),
            res.engine_tests.assign(route="engine_battery"),
        ],
        ignore_index=True,
    )
    write_csv(tests, out / "gold_tests.csv")
    write_csv(res.data_versions, out / "data_versions.csv")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WindowOverlapWarning)
        robust = _robustness(events, data, data_dir, res) if robustness else pd.DataFrame()
    if len(robust):
        write_csv(robust, out / "gold_robustness.csv")

    figures: list[tuple[str, str]] = []

    def save(ax, name: str, caption: str) -> None:
        ax.figure.tight_layout()
        ax.figure.savefig(out / name, dpi=110)
        plt.close(ax.figure)
        figures.append((name, caption))

    save(
        gplot.plot_gold_with_events(res),
        "fig_gold_events.png",
        "GC=F close with each event's day 0 (colour: expected direction)",
    )
    save(
        gplot.plot_caar_by_group(res),
        "fig_caar_direction.png",
        "Mean CAR by expected gold direction, t bands (events treated as independent)",
    )
    save(
        gplot.plot_placebo(res),
        "fig_placebo.png",
        "Placebo distribution of the standardized CAR and the events' values",
    )
    studied = res.events[res.events["status"] == "studied"]
    top = studied.reindex(studied["car"].abs().sort_values(ascending=False).index).head(6)
    for eid in top["event_id"]:
        save(gplot.plot_event_car(res, eid), f"fig_car_{eid}.png", f"CAR path of {eid}")

    odds_html, odds_note = _odds_section(events, data_dir, out, res.events)
    index = out / "index.html"
    index.write_text(_html(res, figures, robust, odds_html, odds_note), encoding="utf-8")
    return index


def _robustness(events, data, data_dir, base) -> pd.DataFrame:
    """Main-window CAR and p-value of each studied event under other models and with GLD."""
    from eventstudy.gold.data import load_gold_data
    from eventstudy.gold.study import gold_event_study
    from eventstudy.results import compare, window_label

    runs = {"constant_mean GC=F": base}
    kw = {"n_boot": 20, "draws_per_boot": 20}
    runs["market ACWI GC=F"] = gold_event_study(events, data=data, model="market", **kw)
    runs["factor GC=F"] = gold_event_study(events, data=data, model="factor", **kw)
    gld = None
    try:
        gld = gold_event_study(
            events, gold="GLD", data=load_gold_data("GLD", data_dir=data_dir), **kw
        )
        runs["constant_mean GLD"] = gld
    except EventStudyError:  # GLD missing from a data directory: leave the column out
        pass
    main = window_label(*base.main_window)
    on = ("event_id", "window")
    car = compare(runs, "car_pct", window=main, on=on).add_prefix("car_pct [").add_suffix("]")
    p = compare(runs, "pvalue", window=main, on=on).add_prefix("p [").add_suffix("]")
    table = pd.concat([car, p], axis=1).droplevel("window").reset_index()
    day0 = base.events.set_index("event_id")["day0"]
    table.insert(1, "day0 [GC=F]", table["event_id"].map(day0))
    if gld is not None:
        table["day0 [GLD]"] = table["event_id"].map(gld.events.set_index("event_id")["day0"])
    return table


_ODDS_HORIZON = "1D"
"""Horizon of the gold-vs-odds comparison (wall-clock, after the event)."""

_MAX_ODDS_FIGURES = 30
"""At most this many per-event odds figures (earliest events first)."""

_SHIFT_COMPUTED = ("ok", "no_baseline", "stale", "truncated")
"""Odds statuses with a computed shift (everything but ``not_computable``)."""


def _odds_section(events, data_dir, out: Path, gold_events: pd.DataFrame) -> tuple[str, str]:
    """HTML of the odds section and its lead note; writes odds_shifts.csv, gold_odds.csv, PNGs.

    Missing or unreadable odds data (the library's own errors, ``OSError``) give a note saying
    why and no section; any other exception is a bug and propagates.
    """
    from eventstudy.exceptions import EventStudyError
    from eventstudy.odds.results import write_odds_shifts_csv
    from eventstudy.odds.study import run_odds_study

    try:
        odds = run_odds_study(events, data_dir=data_dir)
        write_odds_shifts_csv(odds, out / "odds_shifts.csv")
    except (EventStudyError, OSError) as exc:  # no or broken odds data: the gold report stands
        return "", f"Odds study not run: {type(exc).__name__}: {exc}"
    shifts = odds.shifts
    cols = [
        c
        for c in (
            "event_id",
            "slug",
            "horizon",
            "p_before",
            "p_after",
            "shift_pp",
            "shift_logodds",
            "status",
            "reason",
        )
        if c in shifts.columns
    ]
    shown = shifts[cols]
    if "status" in shifts.columns:
        n_ok = int((shifts["status"] == "ok").sum())
        counts = shifts["status"].value_counts()
        other = ", ".join(f"{n} {st}" for st, n in counts.items() if st != "ok")
        note = (
            f"Odds shifts: {len(shifts)} rows, {n_ok} computed (shown below); not shown: "
            f"{other or 'none'} (reasons in odds_shifts.csv)."
        )
        shown = shown[shifts["status"] == "ok"]
    else:
        note = f"Odds shifts: {len(shifts)} rows; see odds_shifts.csv."
    parts = [shown.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="")]
    parts += _odds_figures(events, odds, out)
    parts += _gold_vs_odds(gold_events, odds, out)
    return "\n".join(parts), note


def _save_figure(fig, path: Path, *, tight: bool = True, dpi: int = 110) -> None:
    import matplotlib.pyplot as plt

    if tight:
        fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def _figure_html(name: str, caption: str) -> str:
    esc = html.escape
    return (
        f"<figure><img src='{esc(name)}' alt='{esc(caption)}'>"
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def _odds_figures(events, odds, out: Path) -> list[str]:
    """One PNG per event with a computed shift for a linked market: each such market's path."""
    from eventstudy.odds.results import horizon_label
    from eventstudy.plotting.odds import plot_odds_paths

    esc = html.escape
    d = odds.details
    if not len(d):
        return []
    d = d[d["linked"].astype(bool)]
    drawn = d[d["status"].isin(_SHIFT_COMPUTED)]
    ids = list(dict.fromkeys(drawn["event_id"]))  # details are sorted by event time
    horizons = odds.settings.get("horizons", ["1D", "3D", "7D"])
    hs = ", ".join("+" + horizon_label(pd.Timedelta(h)) for h in horizons)
    head = [
        f"<h3>Odds paths around the events ({len(ids)} events)</h3>",
        "<p>Each figure is one event; each panel one market linked to it in events.csv, drawn "
        "when at least one horizon has a computed shift (others are listed in the caption). "
        "The grey step line is the price of the market's YES token, read as its probability, "
        "from the snapshot's <b>daily samples at 00:00 UTC</b> (a sample holds until the next), "
        "14 days either side of the event. The red line is the event time (UTC); the blue "
        "square is the <i>before</i> sample (the last sample strictly before the event), the "
        f"orange dots the <i>after</i> samples at {esc(hs)} (the last sample at or before "
        "event time + horizon, cut at the market's close, dotted). With daily samples the two "
        "samples of a +1D shift are 1 to 2 days apart (wall-clock), and the after sample can "
        "come minutes or almost a day after the event.</p>",
    ]
    if not ids:
        return [*head[:1], "<p>No event has a linked market with a computed shift.</p>"]
    titles = events.set_index("event_id")["title"] if "title" in events else pd.Series(dtype=str)
    parts = list(head)
    if len(ids) > _MAX_ODDS_FIGURES:
        parts.append(f"<p>Only the first {_MAX_ODDS_FIGURES} of {len(ids)} events are drawn.</p>")
    for eid in ids[:_MAX_ODDS_FIGURES]:
        sub = d[d["event_id"] == eid]
        tau = sub["event_time"].iloc[0]
        markets = odds.event_markets(eid)
        drawn_slugs = {m[2]["slug"].iloc[0] for m in markets}
        left = [s for s in dict.fromkeys(sub["slug"]) if s not in drawn_slugs]
        if not markets:
            continue
        when = f"{tau:%Y-%m-%d %H:%M} UTC"
        if not bool(sub["time_known"].iloc[0]):
            when += " (clock time not known)"
        axes = plot_odds_paths(markets, tau, title=f"{eid}: event {when}")
        name = f"fig_odds_{eid}.png"
        _save_figure(axes[0].figure, out / name, tight=False, dpi=90)  # fixed layout: faster
        caption = f"{eid} ({titles.get(eid, '')}): YES probability of {len(markets)} linked "
        caption += f"market(s) around {when}."
        if left:
            caption += f" Not drawn (no computed shift): {', '.join(left)}."
        parts.append(_figure_html(name, caption))
    return parts


def _gold_vs_odds(gold_events: pd.DataFrame, odds, out: Path) -> list[str]:
    """gold_odds.csv (one row per event with linked markets), the association tests, a scatter."""
    from eventstudy.odds.association import gold_odds_association, gold_odds_table
    from eventstudy.plotting.odds import plot_gold_vs_odds

    esc = html.escape
    gold = gold_events[["event_id", "car"]]
    per_market = gold_odds_table(gold, odds, horizon=_ODDS_HORIZON)
    per_market = per_market[per_market["slug"].notna()]
    assoc = gold_odds_association(gold, odds, horizon=_ODDS_HORIZON, aggregate="mean", seed=0)
    h = _ODDS_HORIZON
    by_event = per_market.groupby("event_id", sort=False)
    table = pd.DataFrame(
        {
            "car": by_event["car"].first(),
            "car_pct": by_event["car_pct"].first(),
            "n_linked": by_event["slug"].size(),
            "market_statuses": by_event["status"].agg(
                lambda st: ", ".join(f"{n} {k}" for k, n in st.value_counts().items())
            ),
        }
    )
    gstat = gold_events.set_index("event_id")
    table.insert(0, "gold_status", gstat["status"].reindex(table.index))
    used = assoc.table.set_index("event_id")
    table.insert(3, "horizon", h)
    table.insert(4, "shift_logodds", used["shift_logodds"].reindex(table.index))
    table.insert(5, "n_markets", used["n_markets"].reindex(table.index).fillna(0).astype(int))
    why = assoc.exclusions.drop_duplicates("event_id").set_index("event_id")["reason"]
    table["status"] = ["used" if e in used.index else "left_out" for e in table.index]
    table["reason"] = why.reindex(table.index).fillna("")
    gold_why = gstat["reason"].reindex(table.index).fillna("")
    nan_car = table["car"].isna() & (gold_why != "")
    table.loc[nan_car, "reason"] = "gold CAR is NaN: " + gold_why[nan_car]
    table = table.reset_index()
    write_csv(table, out / "gold_odds.csv")

    n, st = assoc.nobs, assoc.settings
    usable = ", ".join(st.get("usable_statuses", []))
    parts = [
        f"<h3>Gold CAR vs odds shift at +{esc(h)} (gold_odds.csv)</h3>",
        "<p>Per event with markets linked in events.csv: gold's CAR over the main window "
        "(decimal <code>car</code>, percent <code>car_pct</code>) next to the <b>mean "
        f"log-odds shift at +{esc(h)}</b> over its linked markets with a usable shift "
        f"(statuses {esc(usable)}; <code>n_markets</code> of "
        "<code>n_linked</code>). Per-market shifts are in odds_shifts.csv.</p>",
        table.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep=""),
    ]
    tests = assoc.to_frame()
    parts += [
        f"<p>Across the {n} events used: is gold's CAR associated with the odds shift? "
        "Two-sided permutation tests of the Pearson and Spearman correlation (exact over all "
        f"orderings for N &le; {st.get('exact_max_n')}, otherwise {st.get('n_permutations'):,} "
        f"random permutations, seed {st.get('seed')}) and Kendall's "
        "tau-b (scipy's exact null when there are no ties).</p>",
        tests.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep=""),
    ]
    if n:
        import matplotlib.pyplot as plt

        _fig, ax = plt.subplots(figsize=(9, 6))
        plot_gold_vs_odds(assoc, ax=ax)
        _save_figure(ax.figure, out / "fig_gold_vs_odds.png")
        parts.append(
            _figure_html(
                "fig_gold_vs_odds.png",
                f"Gold CAR (%) against the mean log-odds shift at +{h} of each event's "
                "linked markets; one point per event (direction of markets not harmonised)",
            )
        )
    day0 = gstat["day0"].reindex(used.index) if "day0" in gstat else pd.Series(dtype=object)
    shared = int(day0.duplicated(keep=False).sum()) if len(day0) else 0
    parts.append(
        f"<p><b>Caveat.</b> Only {n} events: the tests have little power (a p-value above "
        "5 % is not evidence of no link) and one or two large shifts can drive the Pearson "
        "correlation (compare the rank-based Spearman and Kendall). The permutation and "
        "Kendall tests are valid in small samples but treat events as exchangeable, and "
        "nothing here is about cause. The <b>direction of the markets is "
        "not harmonised</b>: a YES on 'ceasefire' and a YES on 'military action' point opposite "
        "ways, and no orientation (+1/-1 per market) was given, so shifts are averaged as "
        "they are and the sign of a correlation is hard to read. "
        f"{shared} of the events used share day 0 with another used event and so enter with "
        "the same gold CAR (the pairs are not independent). Odds are daily samples, so the "
        f"+{esc(h)} shift does not line up with gold's trading-day window.</p>"
    )
    return parts


def _html(res, figures, robust, odds_html, odds_note) -> str:
    s = res.settings
    esc = html.escape
    smry = res.summary()
    ev = res.events.copy()
    show = [
        "event_id",
        "title_ja",
        "day0",
        "status",
        "car_pct",
        "car_usd",
        "p_analytic",
        "p_hac",
        "p_placebo",
        "timing_sensitive",
        "reason",
    ]
    ev["day0"] = pd.to_datetime(ev["day0"]).dt.strftime("%Y-%m-%d")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Gold and geopolitical events</title>",
        "<style>body{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
        "padding:2px 5px}pre{font-size:12px;background:#f7f7f7;padding:8px;overflow-x:auto}"
        "img{max-width:100%}</style></head><body>",
        "<h1>Gold and geopolitical events: abnormal returns</h1>",
        f"<p>Gold series {esc(s['gold'])}, model <b>{esc(s['model'])}</b>, decimal log returns "
        f"(shown in percent and USD/oz). Main CAR window {esc(str(s['main_window']))} trading "
        f"days around day 0; estimation window {esc(str(s['estimation_window']))}; "
        f"overlap policy '{esc(s['overlap'])}'. p-values: <i>analytic</i> = per-event t "
        "(Campbell-Lo-MacKinlay prediction-error variance), <i>HAC</i> = event-dummy "
        "regression with Newey-West errors, <i>placebo</i> = stationary-bootstrap placebo "
        "(two-sided).</p>",
        "<h2>Headline</h2>",
        _headline(res),
        "<h2>Summary</h2><pre>",
        esc(smry.as_text()),
        "</pre>",
        "<h2>Figures</h2>",
    ]
    for name, caption in figures:
        parts.append(
            f"<figure><img src='{esc(name)}' alt='{esc(caption)}'>"
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    parts += [
        "<h2>Events (gold_events.csv)</h2>",
        ev[show].to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""),
        "<h2>Exclusions</h2>",
        res.exclusions.to_html(index=False),
        "<h2>Overlaps (gold_overlaps.csv)</h2>",
        res.overlaps[
            [
                "event_id",
                "day0",
                "in_event_window",
                "n_in_estimation_window",
                "masked_estimation_days",
                "action",
            ]
        ].to_html(index=False),
        "<h2>Timing sensitivity (gold_sensitivity.csv)</h2>",
        "<p>Events whose sign or 5% significance changes with the day-0 choice:</p>",
        _sensitive(res.sensitivity),
    ]
    if len(robust):
        parts += [
            "<h2>Robustness: other models and GLD (gold_robustness.csv)</h2>",
            robust.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""),
        ]
    if len(res.engine_tests):
        et = res.engine_tests
        w0, w1 = s["main_window"]
        if {"window_start", "window_end"} <= set(et.columns):
            et = et[(et["window_start"] == w0) & (et["window_end"] == w1)]
        parts += [
            f"<h2>Engine cross-sectional battery, CAAR {esc(str(s['main_window']))}</h2>",
            f"<p><b>Caveat:</b> {esc(res.engine_tests['caveat'].iloc[0])}. "
            "All windows and days are in gold_tests.csv.</p>",
            et.drop(columns=["caveat"]).to_html(
                index=False, float_format=lambda v: f"{v:.4f}", na_rep=""
            ),
        ]
    parts += ["<h2>Polymarket odds</h2>", f"<p>{esc(odds_note)}</p>", odds_html]
    parts += [
        "<h2>Data versions</h2>",
        res.data_versions.to_html(index=False),
        "<h2>Notes</h2><ol>",
    ]
    parts += [f"<li>{esc(n)}</li>" for n in res.notes]
    parts += ["</ol></body></html>"]
    return "\n".join(parts)


def _headline(res) -> str:
    """A few sentences read off the results (no computation beyond formatting)."""
    esc = html.escape
    ev = res.events[res.events["status"] == "studied"]
    g = res.groups[res.groups["by"] == "gold_direction"].set_index("group")
    hac = res.hac.tests.set_index("test")
    items = [
        f"{len(ev)} of {len(res.events)} catalog events studied; "
        f"{int((res.events['status'] == 'excluded').sum())} excluded with reasons."
    ]
    for d, word in (("up", "positive"), ("down", "negative")):
        if d in g.index and f"mean_car_{d}" in hac.index:
            items.append(
                f"Events expected to push gold {d} (n={int(g.loc[d, 'n'])}): mean CAR "
                f"{g.loc[d, 'mean_car_pct']:+.2f} % ({g.loc[d, 'mean_car_usd']:+.0f} USD/oz); "
                f"one-sided test of a {word} mean: p = {g.loc[d, 'pvalue']:.3f} (events as "
                f"independent), p = {hac.loc[f'mean_car_{d}', 'pvalue']:.3f} (HAC regression)."
            )
    sig = ev[(ev["p_hac"] < 0.05) & (ev["p_placebo"] < 0.05) & (ev["p_analytic"] < 0.05)]
    if len(sig):
        pairs = zip(sig["event_id"], sig["car_pct"], strict=True)
        names = ", ".join(f"{e} ({c:+.1f} %)" for e, c in pairs)
        items.append(f"Significant at 5 % on all three routes: {names}.")
    else:
        items.append("No event is significant at 5 % on all three routes.")
    n_t = int(ev["timing_sensitive"].fillna(False).sum())
    items.append(f"{n_t} studied events change sign or 5 % significance with the day-0 choice.")
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _sensitive(sens: pd.DataFrame) -> str:
    flag = sens["sign_depends_on_timing"] | sens["significance_depends_on_timing"]
    sub = sens[flag].copy()
    if sub.empty:
        return "<p>none</p>"
    sub["day0"] = pd.to_datetime(sub["day0"]).dt.strftime("%Y-%m-%d")
    cols = ["event_id", "variant", "day0", "car_pct", "pvalue", "significant"]
    return sub[cols].to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="")
