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
# # Quick start: does gold move when geopolitical news breaks?
#
# **The question.** When a geopolitical event becomes public (an invasion, a summit, a tariff,
# a strike), does the price of gold move by more than it usually does on an ordinary day?
#
# This notebook answers it in five steps with the library's public API only:
#
# 1. load the hand-edited catalog of dated events (`events.csv`);
# 2. run the gold event study on it (`es.gold_event_study`);
# 3. read its summary;
# 4. draw one figure;
# 5. list the data files it read, with their checksums, so that anyone can check that they
#    reran it on the same data.
#
# It reads the data directory named by the environment variable `EVENTSTUDY_DATA` (in the tests,
# the offline snapshot of real historical prices) and never the network. Every number is printed
# by the code below: the text around it describes what to look for, not the values, so that it
# stays true when the data or the library's defaults change. The other notebooks go further:
# `01_gold_event_study` (the gold study in depth), `02_polymarket_odds` (prediction-market odds
# around the same events) and `03_claims` (articles' claims tested against the data).

# %%
# %matplotlib inline
import warnings

import eventstudy as es
from eventstudy.exceptions import WindowOverlapWarning

# The gold study warns when events sit inside each other's event windows. The overlaps are
# listed in its notes and in `study.overlaps` (see 01_gold_event_study), as in the report, so
# the warning is silenced here instead of printing a message with the library's file path.
warnings.simplefilter("ignore", WindowOverlapWarning)

manifest = es.load_manifest()  # $EVENTSTUDY_DATA/manifest.json
print("data directory: $EVENTSTUDY_DATA, format", manifest["format"])
print(manifest.get("description", ""))

# %% [markdown]
# ## 1. The catalog of events
#
# One row per event: when it became public (date, clock time if known, time zone), a title in
# English and Japanese, a category, and the direction in which a safe-haven story says gold
# should move (`gold_direction`: up, down or none). `load_events` validates the file and adds
# `event_time` in UTC.

# %%
events = es.load_events("../events.csv")
print(
    f"{len(events)} events from {events['date'].min()} to {events['date'].max()}, "
    f"{int(events['time_known'].sum())} with a known clock time"
)
print()
print(events.groupby(["category", "gold_direction"]).size().unstack(fill_value=0).to_string())

# %% [markdown]
# ## 2. The gold event study
#
# For each event, day 0 is the first COMEX gold (`GC=F`) settlement struck after the news. The
# study compares gold's daily log returns around day 0 with what a model fitted on an
# estimation window of earlier trading days predicts (by default, gold's own mean return), and
# sums the differences over a short window into a **cumulative abnormal return** (CAR); the
# windows are listed at the top of the summary. Events whose windows cannot be
# measured are left out with a reason; events that share a day 0 are counted once. The placebo
# route resamples the series with a fixed seed, so a rerun gives the same numbers.

# %%
study = es.gold_event_study(events)
print(repr(study))

# %% [markdown]
# ## 3. The summary
#
# The settings, then the CAR of every studied event with three p-values (a per-event t-test,
# an event-dummy regression with HAC errors on GARCH-scaled returns, and a placebo from the series
# itself), the joint and group tests, and numbered notes with the diagnostics.

# %%
print(study.summary())

# %% [markdown]
# The headline in words, built from the results: the average CAR of the events expected to push
# gold up and of those expected to push it down, with a 95% confidence interval from the HAC
# route (which allows for the events' clustering in time) and the one-sided p-value in the
# expected direction.

# %%
effects = study.direction_effects()
for direction, row in effects.iterrows():
    print(
        f"Events expected to push gold {direction} ({int(row['n'])} units): mean CAR "
        f"{100 * row['mean_car']:+.2f}% (95% CI {100 * row['ci_low']:+.2f}% to "
        f"{100 * row['ci_high']:+.2f}%), one-sided p = {row['p_hac']:.3f}"
    )

# %% [markdown]
# A p-value above 5% is not evidence that gold does not react: there are few events, each
# measured on one asset, so the test has little power, and an interval that spans zero says
# the data cannot tell a small effect from none.
#
# ## 4. One figure
#
# The gold price with every event's day 0, coloured by the expected direction.

# %%
ax = study.plot()

# %% [markdown]
# ## 5. Where the numbers came from
#
# Every data file the study read, with the sha256 of the bytes read and whether it matches the
# data directory's `manifest.json`. Paths are relative to the data directory.

# %%
versions = study.data_versions
print(versions[["path", "rows", "first", "last", "verified", "sha256_read"]].to_string(index=False))
print()
for kind, licence in manifest.get("licences", {}).items():
    print(f"{kind}: {licence}")
