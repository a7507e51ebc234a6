"""eventstudy: event studies on geopolitical risk (gold abnormal returns, Polymarket odds).

The public API, by job:

* catalog: :func:`load_events`, :func:`check_events`
* data directory: :func:`resolve_data_dir`, :func:`load_prices`, :func:`load_series`,
  :func:`load_markets`, :func:`load_odds`, :func:`file_versions`; live download: :func:`fetch_data`
* instruments and day 0: :func:`align_events`, :func:`day0`, :func:`get_instrument`, ...
* test battery: :func:`aar_tests`, :func:`caar_tests`, :class:`TestResult`
* Polymarket odds: :func:`run_odds_study`, :func:`screen_markets`, :func:`odds_shift`
"""

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
from .fetch import fetch_data
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

__version__ = "0.1.0"

__all__ = [
    "CatalogError",
    "DataFormatError",
    "DataNotFoundError",
    "EventStudyError",
    "FetchError",
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
    "fetch_data",
    "file_versions",
    "get_instrument",
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
    "run_odds_study",
    "screen_markets",
    "session_offset",
    "token_id_for",
    "trading_sessions",
    "write_odds_shifts_csv",
]
