"""The answerer seam: one factory choosing how answers are written, by settings."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from assistant.chain import Answerer
from assistant.extractive import ExtractiveAnswerer
from assistant.settings import Settings


def make_answerer(settings: Settings, embeddings: Embeddings) -> Answerer:
    """`extractive` (default, no model), `llamacpp` (local GGUF) or `openai` (any compatible server)."""
    name = settings.answer.answerer
    if name == "extractive":
        return ExtractiveAnswerer(embeddings, settings.answer)
    from assistant.generative import GenerativeAnswerer
    from assistant.llms import make_chat_model

    return GenerativeAnswerer(make_chat_model(name, settings.llm), embeddings, settings.answer)
