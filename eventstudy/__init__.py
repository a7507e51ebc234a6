"""eventstudy: event studies on geopolitical risk (gold abnormal returns, Polymarket odds).

The public API, by job (each name is loaded on first use, so ``import eventstudy`` is cheap):

* catalog: :func:`load_events`, :func:`check_events`
* data directory: :func:`resolve_data_dir`, :func:`load_prices`, :func:`load_series`,
  :func:`load_markets`, :func:`load_odds`, :func:`file_versions`; live download:
  :func:`fetch_data`; what a run needs and fetching only that: :func:`required_items`,
  :func:`ensure_data`, :func:`data_status`
* instruments and day 0: :func:`align_events`, :func:`day0`, :func:`get_instrument`, ...
* returns and the engine: :func:`to_returns`, :func:`differences`, :class:`EventStudy`,
  :class:`EstimationWindow`, :class:`EventWindow`, :class:`EventStudyResults`,
  :func:`compare`; ARC files: :func:`run_arc`
* test battery: :func:`aar_tests`, :func:`caar_tests`, :class:`TestResult`
* gold (one asset, many events): :func:`gold_event_study`, :class:`GoldStudyResults`
* Polymarket odds: :func:`run_odds_study`, :func:`screen_markets`, :func:`odds_shift`
* claims (pre-specified tests with verdicts): :func:`run_claims`, :func:`load_claims`
* the report: :func:`run_report`

Sub-packages: :mod:`eventstudy.data`, :mod:`eventstudy.engine`, :mod:`eventstudy.gold`,
:mod:`eventstudy.odds`, :mod:`eventstudy.claims`, :mod:`eventstudy.plotting`,
:mod:`eventstudy.report`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from eventstudy.exceptions import (
    CatalogError,
    ClaimsError,
    DataFormatError,
    DataNotFoundError,
    EventStudyError,
    FetchError,
    ReturnsScaleWarning,
    SpecificationError,
    UnknownInstrumentError,
    WindowOverlapWarning,
)

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    # catalog and data directory
    "check_events": "eventstudy.data.catalog",
    "load_events": "eventstudy.data.catalog",
    "file_versions": "eventstudy.data.store",
    "load_manifest": "eventstudy.data.store",
    "load_markets": "eventstudy.data.store",
    "load_odds": "eventstudy.data.store",
    "load_prices": "eventstudy.data.store",
    "load_series": "eventstudy.data.store",
    "market_tokens": "eventstudy.data.store",
    "resolve_data_dir": "eventstudy.data.store",
    "token_id_for": "eventstudy.data.store",
    "fetch_data": "eventstudy.data.fetch",
    "data_status": "eventstudy.data.inventory",
    "ensure_data": "eventstudy.data.ensure",
    "required_items": "eventstudy.data.needs",
    "run_arc": "eventstudy.report.arc",
    # instruments and day 0
    "Instrument": "eventstudy.data.instruments",
    "get_instrument": "eventstudy.data.instruments",
    "register_instrument": "eventstudy.data.instruments",
    "registered_instruments": "eventstudy.data.instruments",
    "align_events": "eventstudy.data.day0",
    "day0": "eventstudy.data.day0",
    "day0_for_events": "eventstudy.data.day0",
    "session_offset": "eventstudy.data.day0",
    "trading_sessions": "eventstudy.data.day0",
    # engine
    "differences": "eventstudy.engine.returns",
    "to_returns": "eventstudy.engine.returns",
    "EstimationWindow": "eventstudy.engine.windows",
    "EventWindow": "eventstudy.engine.windows",
    "EventStudy": "eventstudy.engine.study",
    "EventStudyResults": "eventstudy.engine.results",
    "compare": "eventstudy.results",
    "TestResult": "eventstudy.engine.stats",
    "aar_tests": "eventstudy.engine.stats",
    "caar_tests": "eventstudy.engine.stats",
    # gold
    "gold_event_study": "eventstudy.gold.study",
    "GoldStudyResults": "eventstudy.gold.results",
    # odds
    "odds_shift": "eventstudy.odds.shift",
    "run_odds_study": "eventstudy.odds.study",
    "screen_markets": "eventstudy.odds.study",
    "OddsStudyResults": "eventstudy.odds.results",
    # claims
    "load_claims": "eventstudy.claims.spec",
    "run_claims": "eventstudy.claims.study",
    "ClaimsResults": "eventstudy.claims.results",
    # report
    "run_report": "eventstudy.report.compose",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from eventstudy.claims.results import ClaimsResults as ClaimsResults
    from eventstudy.claims.spec import load_claims as load_claims
    from eventstudy.claims.study import run_claims as run_claims
    from eventstudy.data.catalog import check_events as check_events
    from eventstudy.data.catalog import load_events as load_events
    from eventstudy.data.day0 import align_events as align_events
    from eventstudy.data.day0 import day0 as day0
    from eventstudy.data.day0 import day0_for_events as day0_for_events
    from eventstudy.data.day0 import session_offset as session_offset
    from eventstudy.data.day0 import trading_sessions as trading_sessions
    from eventstudy.data.ensure import ensure_data as ensure_data
    from eventstudy.data.fetch import fetch_data as fetch_data
    from eventstudy.data.instruments import Instrument as Instrument
    from eventstudy.data.instruments import get_instrument as get_instrument
    from eventstudy.data.instruments import register_instrument as register_instrument
    from eventstudy.data.instruments import registered_instruments as registered_instruments
    from eventstudy.data.inventory import data_status as data_status
    from eventstudy.data.needs import required_items as required_items
    from eventstudy.data.store import file_versions as file_versions
    from eventstudy.data.store import load_manifest as load_manifest
    from eventstudy.data.store import load_markets as load_markets
    from eventstudy.data.store import load_odds as load_odds
    from eventstudy.data.store import load_prices as load_prices
    from eventstudy.data.store import load_series as load_series
    from eventstudy.data.store import market_tokens as market_tokens
    from eventstudy.data.store import resolve_data_dir as resolve_data_dir
    from eventstudy.data.store import token_id_for as token_id_for
    from eventstudy.engine.results import EventStudyResults as EventStudyResults
    from eventstudy.engine.returns import differences as differences
    from eventstudy.engine.returns import to_returns as to_returns
    from eventstudy.engine.stats import TestResult as TestResult
    from eventstudy.engine.stats import aar_tests as aar_tests
    from eventstudy.engine.stats import caar_tests as caar_tests
    from eventstudy.engine.study import EventStudy as EventStudy
    from eventstudy.engine.windows import EstimationWindow as EstimationWindow
    from eventstudy.engine.windows import EventWindow as EventWindow
    from eventstudy.gold.results import GoldStudyResults as GoldStudyResults
    from eventstudy.gold.study import gold_event_study as gold_event_study
    from eventstudy.odds.results import OddsStudyResults as OddsStudyResults
    from eventstudy.odds.shift import odds_shift as odds_shift
    from eventstudy.odds.study import run_odds_study as run_odds_study
    from eventstudy.odds.study import screen_markets as screen_markets
    from eventstudy.report.arc import run_arc as run_arc
    from eventstudy.report.compose import run_report as run_report
    from eventstudy.results import compare as compare


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eventstudy' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "CatalogError",
    "ClaimsError",
    "DataFormatError",
    "DataNotFoundError",
    "EventStudyError",
    "FetchError",
    "SpecificationError",
    "UnknownInstrumentError",
    "ReturnsScaleWarning",
    "WindowOverlapWarning",
    "__version__",
    *sorted(_LAZY),
]
