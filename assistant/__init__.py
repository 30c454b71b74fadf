"""A question-answering assistant over your documents: every claim cites the passage it came from.

    from assistant import Assistant
    assistant = Assistant()
    assistant.ingest(["docs"])
    answer = assistant.ask("How many countries voted for the European resolution?")
    print(answer.text, answer.citations[0].quote)
"""

from assistant.answer import Answer, Citation, Passage
from assistant.core import Assistant, QuestionError
from assistant.settings import Settings
from ingest.errors import AssistantError, ConfigError, EmptyIndexError, IngestError, StoreUnavailableError
from ingest.index import IndexInfo
from ingest.pipeline import IngestSummary

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "ConfigError",
    "EmptyIndexError",
    "IndexInfo",
    "IngestError",
    "IngestSummary",
    "Passage",
    "QuestionError",
    "Settings",
    "StoreUnavailableError",
]
