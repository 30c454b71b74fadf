"""One typed settings object for the whole assistant, read from `ASSISTANT_*` variables.

Nested sections use `__`: `ASSISTANT_RETRIEVAL__K=8`, `ASSISTANT_ANSWER__ANSWERER=llamacpp`.
Build it once at the entry point and pass it down.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ingest.settings import ChunkingSettings, EmbeddingSettings, IngestSettings, StoreSettings


class RetrievalSettings(BaseModel):
    """How passages are found for a question."""

    k: int = Field(6, ge=1, le=100, description="Passages retrieved per question.")


class AnswerSettings(BaseModel):
    """How the answer is written from the passages."""

    answerer: Literal["extractive"] = Field("extractive", description="Which answerer writes the answer.")
    max_sentences: int = Field(2, ge=1, le=10, description="Extractive: most sentences quoted.")
    min_support: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Extractive: least sentence score to answer; below it the assistant abstains.",
    )
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are refused.")


class WebSettings(BaseModel):
    """The web chat server."""

    host: str = Field("127.0.0.1", description="Interface to bind; 0.0.0.0 exposes it to the network.")
    port: int = Field(7860, ge=0, le=65535, description="Port of the web chat.")
    auth: str | None = Field(None, description="`user:password` required to open the chat.")


class Settings(IngestSettings):
    """All settings; see the README's table for every field."""

    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    web: WebSettings = Field(default_factory=WebSettings)


__all__ = [
    "AnswerSettings",
    "ChunkingSettings",
    "EmbeddingSettings",
    "RetrievalSettings",
    "Settings",
    "StoreSettings",
    "WebSettings",
]
