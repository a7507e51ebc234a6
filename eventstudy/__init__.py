"""eventstudy: event studies on geopolitical risk (gold abnormal returns, Polymarket odds)."""

from .exceptions import CatalogError, DataNotFoundError, EventStudyError

__version__ = "0.1.0"

__all__ = ["CatalogError", "DataNotFoundError", "EventStudyError", "__version__"]
