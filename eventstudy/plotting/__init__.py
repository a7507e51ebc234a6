"""Plots of event-study results: one function per chart, ``ax=None`` in, the Axes out.

Never ``plt.show()``; Japanese labels use the IPAexGothic font shipped by matplotlib-fontja.

* engine results: :func:`plot_car`, :func:`plot_ar`
* gold study: :func:`plot_event_car` (:func:`plot_event_cars`: several, small multiples),
  :func:`plot_caar_by_group`, :func:`plot_gold_with_events`,
  :func:`plot_placebo`
* Polymarket odds: :func:`plot_odds_path`, :func:`plot_gold_vs_odds`
* claims: :func:`plot_claim` (one claim's evidence), :func:`plot_verdicts` (all verdicts)
"""

from eventstudy.plotting.claims import plot_claim, plot_verdicts
from eventstudy.plotting.engine import plot_ar, plot_car
from eventstudy.plotting.gold import (
    plot_caar_by_group,
    plot_event_car,
    plot_event_cars,
    plot_gold_with_events,
    plot_placebo,
)
from eventstudy.plotting.odds import plot_gold_vs_odds, plot_odds_path, plot_odds_paths

__all__ = [
    "plot_ar",
    "plot_caar_by_group",
    "plot_car",
    "plot_claim",
    "plot_event_car",
    "plot_event_cars",
    "plot_gold_vs_odds",
    "plot_gold_with_events",
    "plot_odds_path",
    "plot_odds_paths",
    "plot_placebo",
    "plot_verdicts",
]
