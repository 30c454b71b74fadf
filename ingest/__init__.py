"""The ground floor: load files, split them into passages, keep a Chroma index in sync."""

from ingest.errors import (
    AssistantError,
    ConfigError,
    EmptyIndexError,
    IndexBusyError,
    IngestError,
    LoadError,
    StoreUnavailableError,
)
from ingest.index import Index, IndexInfo, make_embeddings
from ingest.pipeline import Failure, IngestSummary, ingest
from ingest.settings import IngestSettings

__all__ = [
    "AssistantError",
    "ConfigError",
    "EmptyIndexError",
    "Failure",
    "IndexBusyError",
    "Index",
    "IndexInfo",
    "IngestError",
    "IngestSettings",
    "IngestSummary",
    "LoadError",
    "StoreUnavailableError",
    "ingest",
    "make_embeddings",
]
