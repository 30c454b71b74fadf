"""The public Python API is pinned: changing it is a deliberate act."""

import doctest
import importlib
import inspect

import pytest

import assistant
import ingest.errors

PUBLIC = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "ConfigError",
    "EmbeddingServerError",
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


def test_public_names_are_pinned():
    assert sorted(assistant.__all__) == PUBLIC


def test_all_names_exactly_the_public_members():
    for name in assistant.__all__:  # imported when first used
        getattr(assistant, name)
    members = {name for name, value in vars(assistant).items() if not name.startswith("_") and not inspect.ismodule(value)}
    assert members == set(assistant.__all__)


def test_every_error_is_exported_and_drawn_in_the_tree():
    errors = {name for name, value in vars(ingest.errors).items() if inspect.isclass(value) and issubclass(value, Exception)}
    assert errors <= set(assistant.__all__)
    for name in errors:
        assert name in ingest.errors.__doc__, name


def test_what_the_api_returns_is_exported():
    hints = {
        "ask": "Answer", "stream": "Response", "retrieve": "list[Passage]", "ingest": "IngestSummary",
        "describe": "IndexInfo", "documents": "list[IndexedDocument]", "check": "IndexCheck",
        "page": "PageText | None",
    }
    for method, returned in hints.items():
        assert inspect.signature(getattr(assistant.Assistant, method)).return_annotation == returned, method


def test_answer_fields_are_the_documented_ones():
    dumped = set(assistant.Answer.model_json_schema(mode="serialization")["properties"])
    assert dumped >= {"text", "citations", "sentences", "set_aside", "passages", "abstained", "note"}


@pytest.mark.parametrize(
    "module",
    [
        "ingest.documents", "assistant.citations.support", "assistant.words", "assistant.retrieval.question",
        "assistant.settings", "assistant.answering.expectations", "assistant.answering.checks", "assistant.answer", "ingest.paragraphs",
        "ingest.mail", "ingest.sheets",
    ],
)
def test_docstring_examples_run(module):
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0
