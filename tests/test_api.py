"""The public Python API is pinned: changing it is a deliberate act."""

import doctest
import importlib

import pytest

import assistant


def test_public_names_are_pinned():
    assert sorted(assistant.__all__) == [
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
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None


def test_answer_fields_are_the_documented_ones():
    assert set(assistant.Answer.model_fields) >= {"text", "citations", "passages", "abstained"}


@pytest.mark.parametrize("module", ["ingest.documents", "assistant.citations", "assistant.words", "assistant.query", "assistant.settings"])
def test_docstring_examples_run(module):
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0
