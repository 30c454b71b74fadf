"""Answering: from numbered passages to an `Answer`, by quoting (`extractive`) or by a
language model whose sentences are checked against their citations (`generative`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from langchain_core.embeddings import Embeddings

from assistant.answer import Answer, Passage
from assistant.settings import Settings

Turns = Sequence[tuple[str, str]]


class Answerer(Protocol):
    """What the chain needs of an answerer."""

    def query(self, question: str, history: Turns = ()) -> str:
        """The text to retrieve passages with; `history` is `(role, text)` turns."""
        ...

    def stream(
        self, question: str, passages: list[Passage], history: Turns = (), query: str | None = None
    ) -> Iterator[str | Answer]:
        """Text pieces of the answer, then the finished `Answer`."""
        ...


def make_answerer(settings: Settings, embeddings: Embeddings, model=None) -> Answerer:
    """`extractive` (default, no model), `llamacpp` (local GGUF) or `openai` (any compatible server).

    `model`: the chat model an LLM answerer uses (default: made from `settings.llm`), so that
    answerers with other answer settings share one loaded model."""
    from assistant.answering.extractive import ExtractiveAnswerer

    name = settings.answer.answerer
    if name == "extractive":
        return ExtractiveAnswerer(embeddings, settings.answer)
    from assistant.answering.chat_models import make_chat_model
    from assistant.answering.generative import GenerativeAnswerer

    return GenerativeAnswerer(model or make_chat_model(name, settings.llm), embeddings, settings.answer)
