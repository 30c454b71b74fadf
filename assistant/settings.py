"""One typed settings object for the whole assistant, read from `ASSISTANT_*` variables.

Nested sections use `__`: `ASSISTANT_RETRIEVAL__K=8`, `ASSISTANT_ANSWER__ANSWERER=llamacpp`.
Build it once at the entry point and pass it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr

from ingest.settings import ChunkingSettings, EmbeddingSettings, IngestSettings, LimitSettings, Section, StoreSettings


class RetrievalSettings(Section):
    """How passages are found for a question."""

    k: int = Field(6, ge=1, le=100, description="Passages retrieved per question.")
    mode: Literal["hybrid", "dense"] = Field(
        "hybrid", description="`hybrid`: BM25 + embeddings + named metadata; `dense`: Chroma similarity only."
    )
    dense_weight: float = Field(0.5, ge=0.0, le=1.0, description="Hybrid: weight of embeddings against BM25.")
    document_cap: int = Field(3, ge=1, description="Hybrid: most passages taken from one document.")
    metadata: bool = Field(True, description="Hybrid: favour documents whose outlet, author or date the question names.")
    clauses: bool = Field(True, description="Hybrid: also score each clause of a multi-part question.")
    clause_weight: float = Field(1.0, ge=0.0, description="Hybrid: weight of the best clause's BM25 z-score.")
    document_bm25_weight: float = Field(
        0.5, ge=0.0, description="Hybrid: weight of whole-document BM25 inside a document's score."
    )
    named_boost: float = Field(
        2.0, ge=0.0, description="Hybrid: document score bonus for documents whose outlet, author or date is named."
    )
    document_weight: float = Field(1.0, ge=0.0, description="Hybrid: weight of the document score in a passage's rank.")
    early_penalty: float = Field(
        1.0, ge=0.0, description="Hybrid: score taken off per passage already taken from the same document."
    )
    late_penalty: float = Field(6.0, ge=0.0, description="Hybrid: the same penalty from the `late_from`-th place on.")
    late_from: int = Field(4, ge=0, description="Hybrid: places filled before `late_penalty` applies.")
    pool: int = Field(300, ge=1, description="Hybrid: best passages considered when filling the places.")
    lexical_candidates: int = Field(
        200, ge=1, description="Hybrid: passages the lexical index returns for the question and for each clause."
    )
    dense_candidates: int = Field(
        100, ge=0, description="Hybrid: passages Chroma's nearest-neighbour search returns for the question."
    )
    named_documents: int = Field(
        3, ge=1, description="Hybrid: best documents (by BM25) of each named outlet, author or date whose passages join the candidates."
    )


class AnswerSettings(Section):
    """How the answer is written from the passages."""

    answerer: Literal["extractive", "llamacpp", "openai"] = Field(
        "extractive",
        description="`extractive` quotes sentences (no model); `llamacpp` runs a local GGUF model; "
        "`openai` calls any OpenAI-compatible server.",
    )
    max_sentences: int = Field(2, ge=1, le=10, description="Extractive: most sentences quoted.")
    expectations: bool = Field(
        True,
        description="Quote only sentences that hold the kind of thing the question asks for (a number, a date, "
        "a name ...) and every entity it names (spaCy reads the question).",
    )
    dense_weight: float = Field(
        0.6, ge=0.0, le=1.0, description="Extractive: weight of embedding similarity against word overlap in a sentence's score."
    )
    fragment_penalty: float = Field(
        0.8, ge=0.0, le=1.0, description="Extractive: score factor of a sentence cut by a passage boundary."
    )
    min_words: int = Field(4, ge=1, description="Extractive: fewest words of a quotable sentence.")
    runner_up: float = Field(
        0.85, ge=0.0, le=1.0, description="Extractive: a second sentence is quoted when it scores this share of the best."
    )
    follow_up_weight: float = Field(
        0.6, ge=0.0, le=1.0, description="Extractive: share of a follow-up's score from its own words (the rest: with the previous question)."
    )
    repeat_penalty: float = Field(
        0.9, ge=0.0, le=1.0, description="Extractive: score factor of a sentence an earlier answer already quoted."
    )
    min_support: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Extractive: least sentence score to answer; below it the assistant abstains.",
    )
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are refused.")
    context_chars: int = Field(
        800, ge=200, description="LLM answerers: characters of the best passage sentences the model reads."
    )


class LLMSettings(Section):
    """The language model behind the `llamacpp` and `openai` answerers."""

    model_path: Path = Field(
        Path("models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
        description="llamacpp: the GGUF model file (`make model` prepares the default).",
    )
    threads: int | None = Field(None, ge=1, description="llamacpp: CPU threads; default: all cores.")
    context_tokens: int = Field(2048, ge=512, description="llamacpp: context window in tokens.")
    base_url: str = Field("http://127.0.0.1:8080/v1", description="openai: the server's OpenAI-compatible URL.")
    model: str = Field("gpt-4o-mini", description="openai: the model name the server knows.")
    api_key_env: str = Field(
        "OPENAI_API_KEY", description="openai: environment variable holding the API key (read when used)."
    )
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    max_tokens: int = Field(200, ge=16, description="Most tokens an answer may have.")
    timeout: float = Field(120.0, gt=0, description="openai: seconds to wait for the server.")


class WebSettings(Section):
    """The web chat server."""

    host: str = Field("127.0.0.1", description="Interface to bind; 0.0.0.0 exposes it to the network.")
    port: int = Field(7860, ge=0, le=65535, description="Port of the web chat.")
    auth: str | None = Field(None, description="`user:password` required to open the chat.")
    auth_file: Path | None = Field(
        None, description="File whose first line is the `user:password` login (keeps it out of `ps`); `auth` wins if both are set."
    )
    api_key: SecretStr | None = Field(
        None,
        description="Key the OpenAI-compatible API (`/v1/*`) and `assistant mcp --http` require as "
        "`Authorization: Bearer KEY`.",
    )


class Settings(IngestSettings):
    """All settings; see the README's table for every field."""

    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    web: WebSettings = Field(default_factory=WebSettings)


__all__ = [
    "AnswerSettings",
    "ChunkingSettings",
    "EmbeddingSettings",
    "LimitSettings",
    "LLMSettings",
    "RetrievalSettings",
    "Settings",
    "StoreSettings",
    "WebSettings",
]
