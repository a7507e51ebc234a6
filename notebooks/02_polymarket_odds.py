# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Polymarket odds around the events
#
# **The questions.** Prediction markets price geopolitical outcomes ("US military action
# against Iran before July?", "Russia x Ukraine ceasefire in 2025?"). When an event of the
# catalog became public, how far did the odds of its linked markets move, and was the move
# unusual for that market? And do the events that moved the odds towards more risk also move
# gold?
#
# The notebook follows the report's odds and association sections with the same calls:
# `es.run_odds_study`, `OddsStudyResults.event_markets` and `.plot`, and
# `eventstudy.odds.association.gold_odds_association` on raw and on oriented shifts
# (`eventstudy.data.orientation.load_orientation`). Every number is printed by the code.
#
# **How a shift is measured.** A market's YES price is read as a probability. The shift at a
# horizon (the horizons are printed below) runs from the last price sample strictly before the
# event to the last sample at or before the event time plus the horizon (cut at the market's
# close). It is given in percentage points and in log-odds; `abnormal_z` divides it by the
# spread of the market's own changes over the same elapsed time before the event, and
# `empirical_p` says how often the market moved that much on its ordinary days. In the snapshot
# the prices are one sample per day at 00:00 UTC, so a "one-day" shift spans one to two days of
# news.

# %%
# %matplotlib inline
import warnings

import matplotlib.pyplot as plt
import pandas as pd

import eventstudy as es
from eventstudy.data.orientation import load_orientation
from eventstudy.exceptions import DuplicateTimestampWarning, WindowOverlapWarning
from eventstudy.odds.association import gold_odds_association
from eventstudy.odds.results import horizon_label
from eventstudy.plotting.odds import plot_odds_paths

# The gold study (needed for the association below) warns when events sit inside each other's
# event windows; 01_gold_event_study shows the overlaps table instead, so the warning, which
# would print the library's file path, is silenced.
warnings.simplefilter("ignore", WindowOverlapWarning)
# Some snapshot odds files repeat 2025-12-17T00:00:00Z with two different prices (a source
# artefact; es.load_odds keeps the last row and counts them in
# attrs["duplicates_conflicting"]). Its warning names each file by its full path, which
# differs from machine to machine, so it is silenced here too.
warnings.simplefilter("ignore", DuplicateTimestampWarning)
pd.set_option("display.width", 200)
pd.set_option("display.max_columns", 30)

events = es.load_events("../events.csv")
odds = es.run_odds_study(events)
print(repr(odds))
settings = odds.settings
print("horizons:", ", ".join(horizon_label(h) for h in settings["horizons"]))
print(
    f"baseline: the market's changes over the {horizon_label(settings['estimation_window'])} "
    f"before the event, at least {horizon_label(settings['guard'])} away from any catalog event"
)
print("log-odds: probabilities clipped to [eps, 1 - eps], eps =", settings["eps"])

# %% [markdown]
# ## Which links give a shift
#
# Each event links up to six markets in `events.csv`. A link gives a shift only if the market
# was trading at the event and has price samples on both sides of it. `ok` rows have a shift
# and a baseline for `abnormal_z` and `empirical_p`; `no_baseline` rows have a shift but too
# little history before the event for the baseline; `truncated` rows stop at the market's
# close; `stale` rows rest on a sample far from its target time; `not_computable` rows have no
# shift, with the reason.

# %%
shifts = odds.shifts
shifts["h"] = shifts["horizon"].map(lambda td: f"+{td.days}D")
print(shifts.groupby(["h", "status"]).size().unstack(fill_value=0).to_string())
print()
print("Why a link gives no shift (one-day horizon):")
reasons = odds.exclusions[odds.exclusions["horizon"] == pd.Timedelta("1D")]
print(reasons.groupby("reason").size().sort_values(ascending=False).to_string())

# %% [markdown]
# ## The one-day shifts that moved most
#
# The links whose one-day log-odds shift was largest in size (the report draws the paths of
# the events these belong to). A large shift with a small `empirical_p` is a move the market
# rarely made on ordinary days; a large shift with no `empirical_p` (`no_baseline`) cannot be
# judged against the market's own history.

# %%
one_day = shifts[(shifts["h"] == "+1D") & (shifts["status"] != "not_computable")]
top = one_day.reindex(one_day["shift_logodds"].abs().sort_values(ascending=False).index)
digits = {"p_before": 3, "p_after": 3, "shift_pp": 1, "shift_logodds": 2, "abnormal_z": 2,
          "empirical_p": 3}  # fmt: skip
columns = ["event_id", "slug", *digits, "status"]
print(top[columns].head(12).round(digits).to_string(index=False))
print()
print(f"{len(one_day)} links gave a one-day shift, {int((one_day['status'] == 'ok').sum())} ok")

# %% [markdown]
# ## The paths around one event: the US strikes on Iran's nuclear sites
#
# Trump announced the strikes on Fordow, Natanz and Isfahan on a Saturday evening, New York
# time, in June 2025 (the catalog's time is printed below). The event links several markets;
# `event_markets` gives each one's samples and shifts, and `OddsStudyResults.plot(event_id,
# slug=...)` draws one of them, here "US military action against Iran before July?": the
# square is the last sample before the event, the circles the samples at the horizons. A
# `truncated` shift stops where the market closed, once the question was settled.

# %%
EVENT = "us_strikes_iran_nuclear_sites"
event = events.set_index("event_id").loc[EVENT]
print(f"{event['title']} ({event['event_time']:%Y-%m-%d %H:%M} UTC)")
markets = odds.event_markets(EVENT)
print(f"{len(markets)} linked market(s) with a shift:")
for question, samples, rows, _closed_at in markets:
    one = rows[rows["horizon"] == pd.Timedelta("1D")].iloc[0]
    print(
        f"  {question} ({len(samples)} samples near the event): {one['p_before']:.3f} -> "
        f"{one['p_after']:.3f} after one day, {one['status']}"
    )

# %%
ax = odds.plot(EVENT, slug="us-military-action-against-iran-before-july")

# %% [markdown]
# All linked markets of the event at once (`eventstudy.plotting.odds.plot_odds_paths`, as in
# the report), first the four that moved most:

# %%
moved = sorted(markets, key=lambda m: -m[2]["shift_logodds"].abs().max())
tau = event["event_time"]
axes = plot_odds_paths(moved[:4], tau, title=f"{EVENT}: {tau:%Y-%m-%d %H:%M} UTC")

# %% [markdown]
# ## Do the odds and gold move together?
#
# For each event with both a gold CAR (from the gold study) and usable one-day odds shifts, the
# association compares the gold CAR with the mean log-odds shift of the event's markets, with a
# permutation test (seeded) of Pearson's and Spearman's correlations and Kendall's tau.
#
# **Why orientation matters.** A market's YES can mean more risk ("US military action against
# Iran") or less ("Russia x Ukraine ceasefire"). On raw shifts, a step towards war and a step
# towards peace can both be positive, so averaging an event's markets mixes directions, and a
# correlation with gold measures partly which kind of market an event happens to link.
# `market_orientation.csv` says, for every linked market, what YES means; the oriented shift
# multiplies each market's shift by +1 (`more_risk`) or -1 (`less_risk`) before averaging, so
# that a positive oriented shift always means "towards more risk". Only the oriented
# association asks the safe-haven question: when the odds move towards more risk, does gold
# rise?

# %%
study = es.gold_event_study(events)
gold_car = study.events[["event_id", "car"]]
orientation = load_orientation("../market_orientation.csv", events)
print(orientation["yes_means"].value_counts().to_string())
options = {"horizon": "1D", "aggregate": "mean", "seed": 0}  # as in the report
associations = {
    "raw": gold_odds_association(gold_car, odds, **options),
    "oriented": gold_odds_association(gold_car, odds, orientation=orientation, **options),
}
for assoc in associations.values():
    print()
    print(assoc.summary())

# %% [markdown]
# The two results side by side, in words (built from the results):

# %%
for kind, assoc in associations.items():
    test = assoc.tests["pearson_permutation"]
    print(
        f"{kind:>8}: Pearson r = {test.stat:+.2f}, permutation p = {test.pvalue:.3f}, "
        f"{test.nobs} events; Spearman rho = {assoc.tests['spearman_permutation'].stat:+.2f}"
    )

# %% [markdown]
# Where the two differ: the events whose mean shift changes sign once the markets are
# oriented. Their markets point the other way (a ceasefire or a deal market whose YES means
# less risk), so on raw shifts they pull the correlation the wrong way.

# %%
both = associations["raw"].table.merge(
    associations["oriented"].table, on="event_id", suffixes=("_raw", "_oriented")
)
flipped = both[both["shift_logodds_raw"] * both["shift_logodds_oriented"] < 0]
print(
    flipped.assign(car_pct=100 * flipped["car_raw"])[
        ["event_id", "car_pct", "shift_logodds_raw", "shift_logodds_oriented", "n_markets_raw"]
    ]
    .round(3)
    .to_string(index=False)
)

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 5))
for ax, (kind, assoc) in zip(axes, associations.items(), strict=True):
    assoc.plot(ax=ax)
    ax.set_title(f"{kind}: {ax.get_title()}", fontsize=9)
fig.tight_layout()

# %% [markdown]
# ## Caveats
#
# * **Few events, coarse samples.** The association rests on the events that have both a gold
#   CAR and a usable one-day shift, and daily samples at 00:00 UTC blur the event time by up to
#   a day.
# * **Orientation is a judgement.** Each `yes_means` in `market_orientation.csv` comes with a
#   one-sentence rationale; a different reading of a market changes the oriented result.
# * **Raw versus oriented.** A raw correlation can look significant and vanish once the markets
#   are oriented: it then said which markets the events link, not how gold answers risk.
# * **No causality.** Both the odds and gold answer the same news; neither result says one
#   moves the other.
