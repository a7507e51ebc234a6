"""eventstudy: event studies on geopolitical risk (gold abnormal returns, Polymarket odds).

The public API, by job:

* catalog: :func:`load_events`, :func:`check_events`
* data directory: :func:`resolve_data_dir`, :func:`load_prices`, :func:`load_series`,
  :func:`load_markets`, :func:`load_odds`, :func:`file_versions`; live download: :func:`fetch_data`
* instruments and day 0: :func:`align_events`, :func:`day0`, :func:`get_instrument`, ...
* returns and the engine: :func:`to_returns`, :func:`differences`, :class:`EventStudy`,
  :class:`EstimationWindow`, :class:`EventWindow`, :class:`EventStudyResults`; ARC files:
  :func:`run_arc`
* test battery: :func:`aar_tests`, :func:`caar_tests`, :class:`TestResult`
* gold (one asset, many events): :func:`gold_event_study`, :class:`GoldStudyResults`;
  the report: :func:`run_report`
* Polymarket odds: :func:`run_odds_study`, :func:`screen_markets`, :func:`odds_shift`
"""

from .arc import run_arc
from .catalog import check_events, load_events
from .exceptions import (
    CatalogError,
    DataFormatError,
    DataNotFoundError,
    EventStudyError,
    FetchError,
    SpecificationError,
    UnknownInstrumentError,
)
from .gold import gold_event_study
from .gold_results import GoldStudyResults
from .instruments import (
    Instrument,
    align_events,
    day0,
    day0_for_events,
    get_instrument,
    register_instrument,
    registered_instruments,
    session_offset,
    trading_sessions,
)
from .odds import odds_shift, run_odds_study, screen_markets
from .odds_results import OddsStudyResults, write_odds_shifts_csv
from .report import run_report
from .results import EventStudyResults
from .returns import differences, to_returns
from .stats import TestResult, aar_tests, caar_tests
from .store import (
    file_versions,
    load_manifest,
    load_markets,
    load_odds,
    load_prices,
    load_series,
    market_tokens,
    resolve_data_dir,
    token_id_for,
)
from .study import EventStudy
from .windows import EstimationWindow, EventWindow

__version__ = "0.1.0"


def __getattr__(name: str):
    # The network code (requests, yfinance) is imported only when a fetch is asked for.
    if name == "fetch_data":
        from .fetch import fetch_data

        return fetch_data
    raise AttributeError(f"module 'eventstudy' has no attribute {name!r}")


__all__ = [
    "CatalogError",
    "DataFormatError",
    "DataNotFoundError",
    "EstimationWindow",
    "EventStudy",
    "EventStudyError",
    "EventStudyResults",
    "EventWindow",
    "FetchError",
    "GoldStudyResults",
    "Instrument",
    "OddsStudyResults",
    "SpecificationError",
    "TestResult",
    "UnknownInstrumentError",
    "__version__",
    "aar_tests",
    "align_events",
    "caar_tests",
    "check_events",
    "day0",
    "day0_for_events",
    "differences",
    "fetch_data",
    "file_versions",
    "get_instrument",
    "gold_event_study",
    "load_events",
    "load_manifest",
    "load_markets",
    "load_odds",
    "load_prices",
    "load_series",
    "market_tokens",
    "odds_shift",
    "register_instrument",
    "registered_instruments",
    "resolve_data_dir",
    "run_arc",
    "run_odds_study",
    "run_report",
    "screen_markets",
    "session_offset",
    "to_returns",
    "token_id_for",
    "trading_sessions",
    "write_odds_shifts_csv",
]
