"""A question-answering assistant over your documents: every claim cites the passage it came from.

    from assistant import Assistant
    assistant = Assistant()
    assistant.ingest(["docs"])
    answer = assistant.ask("How many countries voted for the European resolution?")
    print(answer.text, answer.citations[0].quote)
"""

import importlib

# Each public name and the module it lives in: imported when first used, so that a command
# that needs little (`assistant ask` asking a running server) starts fast.
_HOME = {
    "Answer": "assistant.answer",
    "Assistant": "assistant.core",
    "AssistantError": "ingest.errors",
    "Citation": "assistant.answer",
    "ConfigError": "ingest.errors",
    "EmbeddingServerError": "ingest.errors",
    "EmptyIndexError": "ingest.errors",
    "Failure": "ingest.pipeline",
    "IndexBusyError": "ingest.errors",
    "IndexCheck": "ingest.consistency",
    "IndexInfo": "ingest.index",
    "IndexedDocument": "ingest.catalog",
    "IngestError": "ingest.errors",
    "IngestSummary": "ingest.pipeline",
    "LoadError": "ingest.errors",
    "MissingDependencyError": "ingest.errors",
    "PageText": "ingest.pages",
    "Passage": "assistant.answer",
    "QuestionError": "ingest.errors",
    "QuestionSetError": "ingest.errors",
    "Response": "assistant.answer",
    "Scope": "assistant.answer",
    "Sentence": "assistant.answer",
    "Settings": "assistant.settings",
    "StoreUnavailableError": "ingest.errors",
    "TokenUsage": "assistant.usage",
}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
