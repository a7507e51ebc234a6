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
# # Claims tested against the data
#
# **The question.** Articles say things like "gold will soon top $3,000" or "Polymarket puts a
# US exit from NATO at about 12%". Were they right?
#
# Each claim is written down in `claims.csv` *before* the data are read: its own words, where
# and when it was made (`made_on`), what it says will happen (`expected`), its typed parameters
# (a level, a horizon, a window, events) and its significance level. `es.run_claims` tests
# every claim against the data directory and gives it one of four verdicts, `supported`,
# `contradicted`, `inconclusive` or `no data`, with the evidence behind it. A claim whose data
# are missing is never guessed: its verdict is `no data`, naming the missing file and the
# command that fetches it.
#
# This follows the report's claims section (`eventstudy run`) with the same calls. Every number
# is printed by the code.

# %%
# %matplotlib inline
import textwrap

import pandas as pd

import eventstudy as es
from eventstudy.claims import claims_table
from eventstudy.claims.verdicts import NO_DATA, RULES

pd.set_option("display.width", 200)
pd.set_option("display.max_columns", 30)
DATA = es.resolve_data_dir()  # $EVENTSTUDY_DATA


def shown(text: object) -> str:
    """Text with the data directory written as $EVENTSTUDY_DATA: the outputs name no path
    of the machine they ran on, and the commands stay runnable."""
    return str(text).replace(str(DATA), "$EVENTSTUDY_DATA")


def wrapped(text: object, indent: str = "    ") -> str:
    return textwrap.fill(
        shown(text),
        96,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,  # file names and commands stay whole
        break_on_hyphens=False,
    )


events = es.load_events("../events.csv")
claims = es.run_claims("../claims.csv", events)
print(repr(claims))
print(claims.counts().to_string())

# %% [markdown]
# ## The verdicts
#
# One row per claim: what the verdict rests on, the verdict, the key date (for a threshold,
# the first session the level was reached; for one event, its day 0), the estimate, the
# claim's p-value (one-sided in the expected direction) and the p-value after a
# Benjamini-Hochberg adjustment across the claims.

# %%
table = claims_table(claims)
columns = ["claim_id", "type", "verdict", "series", "key_date", "estimate", "unit", "p",
           "p_adjusted", "alpha"]  # fmt: skip
shown_table = table[columns].assign(
    # 4 significant digits whatever the scale (a slope of 1e-5, a price of 3,000)
    estimate=[f"{v:.4g}" if pd.notna(v) else "" for v in table["estimate"]],
    p=table["p"].round(4),
    p_adjusted=table["p_adjusted"].round(4),
)
print(shown_table.to_string(index=False))

# %%
ax = claims.plot_verdicts()

# %% [markdown]
# ## The rules
#
# The rule of each claim type used here, as the verdicts apply them
# (`eventstudy.claims.verdicts.RULES`):

# %%
used = list(dict.fromkeys(claims.verdicts["type"]))
if (claims.verdicts["verdict"] == NO_DATA).any():
    used.append(NO_DATA)
for kind in used:
    print(f"{kind}:")
    print(wrapped(RULES[kind]))

# %% [markdown]
# ## The evidence
#
# Each verdict comes with its evidence in words (`verdicts.reason`) and as a tidy table
# (`evidence`: one row per series, basis, window and statistic).

# %%
for row in claims.verdicts.itertuples(index=False):
    print(f"{row.claim_id} [{row.verdict}]: {row.text}")
    print(wrapped(row.reason))

# %% [markdown]
# ## A threshold claim: "gold will soon top $3,000"
#
# An article written on 2025-02-18 expected gold to top $3,000/oz soon. The claim fixes
# "soon" as a horizon (in `claims.csv`) and names the series the verdict rests on (COMEX gold,
# `GC=F`, at the daily close) with GLD as a cross-check. The verdict says whether the level
# was reached within the horizon. The p-value asks a sharper question: how likely was gold to
# reach the level anyway, with no information beyond its recent volatility (a driftless random
# walk)? A claim that was right but had a high such probability said little more than
# volatility already did.

# %%
CLAIM = "gold_tops_3000"
row = claims.verdict(CLAIM)
print(f"{CLAIM}: {row['text']}")
print(
    f"  made on {row['made_on']:%Y-%m-%d}, expected: {row['expected']}; verdict: {row['verdict']}"
)
print(wrapped(row["reason"]))
print()
evidence = claims.evidence[claims.evidence["claim_id"] == CLAIM]
print(
    evidence[["series", "basis", "statistic", "value", "unit", "date"]]
    .assign(
        date=evidence["date"].dt.strftime("%Y-%m-%d").fillna(""), value=evidence["value"].round(4)
    )
    .to_string(index=False)
)
print()
print("Other horizons (not in the multiple-testing adjustment):")
sens = claims.sensitivity[claims.sensitivity["claim_id"] == CLAIM]
print(
    sens[["window", "main", "verdict", "key_date", "estimate", "p", "p_bootstrap", "sessions"]]
    .assign(key_date=sens["key_date"].dt.strftime("%Y-%m-%d"))
    .round({"estimate": 1, "p": 4, "p_bootstrap": 4})
    .to_string(index=False)
)

# %%
ax = claims.plot(CLAIM)

# %% [markdown]
# ## A claim without data: the NATO-exit odds
#
# A blog post of March 2025 said Polymarket put a US exit from NATO by 30 June 2025 at about
# 12%. The claim is a `level` claim on the market `will-us-leave-nato-by-june-30`. The data
# snapshot lists that market but holds no price history for it, so the verdict is `no data`,
# never a guess: the row names the missing file and the `eventstudy fetch` command that
# downloads it on a machine with internet (here the data directory is written
# `$EVENTSTUDY_DATA`). A second claim on the same market, that John Bolton's remarks raised
# those odds, is in the same position.

# %%
for claim_id in ("nato_exit_odds_12pct", "bolton_raised_nato_exit_odds"):
    row = claims.verdict(claim_id)
    print(f"{claim_id} ({row['type']}): {row['text']}")
    print(f"  verdict: {row['verdict']}")
    print(f"  missing file: {row['missing_file']}")
    print(f"  fetch it with: {shown(row['fetch_command'])}")
    print()

# %% [markdown]
# Its plot shows the missing file in place of a chart (the data directory written as above):

# %%
ax = claims.plot("nato_exit_odds_12pct")
for text in ax.texts:
    text.set_text(shown(text.get_text()))

# %% [markdown]
# ## Where the numbers came from
#
# Every data file the claims read, with the sha256 of its bytes and whether it matches the
# data directory's `manifest.json` (paths relative to the data directory; which claim read
# which file is in `claims.data_versions`).

# %%
versions = claims.data_versions.drop_duplicates("path")
print(versions[["path", "rows", "verified", "sha256"]].to_string(index=False))

# %% [markdown]
# ## Caveats
#
# * **Supported is not proven.** A threshold reached within the horizon supports the claim's
#   words; the no-information probability says whether volatility alone made that likely.
# * **Many claims.** Read the Benjamini-Hochberg column before calling a claim confirmed by its
#   p-value.
# * **Inconclusive is not contradicted.** With few events or a short window, a test can fail to
#   tell an effect from none.
# * **No data is not no.** A `no data` verdict says only that the snapshot lacks the file; run
#   the printed command where there is internet and rerun.
