"""The ground floor: load files, split them into passages, keep a Chroma index in sync."""

import importlib

# Each public name and its module, imported when first used (`ingest.errors` alone is light).
_HOME = {
    "AssistantError": "ingest.errors",
    "ConfigError": "ingest.errors",
    "EmbeddingServerError": "ingest.errors",
    "EmptyIndexError": "ingest.errors",
    "Failure": "ingest.pipeline",
    "IndexBusyError": "ingest.errors",
    "Index": "ingest.index",
    "IndexInfo": "ingest.index",
    "IngestError": "ingest.errors",
    "IngestSettings": "ingest.settings",
    "IngestSummary": "ingest.pipeline",
    "LoadError": "ingest.errors",
    "StoreUnavailableError": "ingest.errors",
    "ingest": "ingest.pipeline",
    "make_embeddings": "ingest.index",
}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'ingest' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
