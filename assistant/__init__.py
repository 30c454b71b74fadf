"""A question-answering assistant over your documents: every claim cites the passage it came from.

    from assistant import Assistant
    assistant = Assistant()
    assistant.ingest(["docs"])
    answer = assistant.ask("How many countries voted for the European resolution?")
    print(answer.text, answer.citations[0].quote)
"""

from assistant.answer import Answer, Citation, Passage, Response, Scope, Sentence
from assistant.core import Assistant
from assistant.settings import Settings
from assistant.usage import TokenUsage
from ingest.catalog import IndexedDocument
from ingest.consistency import IndexCheck
from ingest.errors import (
    AssistantError,
    ConfigError,
    EmptyIndexError,
    IndexBusyError,
    IngestError,
    LoadError,
    MissingDependencyError,
    QuestionError,
    QuestionSetError,
    StoreUnavailableError,
)
from ingest.index import IndexInfo
from ingest.pages import PageText
from ingest.pipeline import Failure, IngestSummary

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "ConfigError",
    "EmptyIndexError",
    "Failure",
    "IndexBusyError",
    "IndexCheck",
    "IndexInfo",
    "IndexedDocument",
    "IngestError",
    "IngestSummary",
    "LoadError",
    "MissingDependencyError",
    "PageText",
    "Passage",
    "QuestionError",
    "QuestionSetError",
    "Response",
    "Scope",
    "Sentence",
    "Settings",
    "StoreUnavailableError",
    "TokenUsage",
]
