"""The index of an evaluation corpus: one per corpus folder and embedding model, reused across runs."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.core import Assistant
from assistant.settings import Settings


@dataclass(frozen=True)
class CorpusIndex:
    """An assistant over an ingested corpus, and what ingesting it cost this time."""

    assistant: Assistant
    corpus: Path
    seconds: float
    passages_added: int

    @property
    def reused(self) -> bool:
        """True when the index already held the corpus and nothing was embedded."""
        return self.passages_added == 0


def corpus_settings(settings: Settings, corpus: Path) -> Settings:
    """Settings whose data dir is `<data_dir>/eval/<parent>-<folder>-<hash of path and model>`."""
    resolved = corpus.resolve()
    key = f"{resolved}\n{settings.embedding.model}".encode()
    name = "-".join(resolved.parts[-2:])
    folder = settings.data_dir / "eval" / f"{name}-{hashlib.sha256(key).hexdigest()[:10]}"
    return settings.model_copy(update={"data_dir": folder})


def open_corpus(settings: Settings, corpus: str | Path, *, embeddings=None, progress: bool = False) -> CorpusIndex:
    """Ingest `corpus` into its own index (incremental: an unchanged corpus embeds nothing)."""
    corpus = Path(corpus)
    assistant = Assistant(corpus_settings(settings, corpus), embeddings=embeddings)
    started = time.perf_counter()
    summary = assistant.ingest([corpus], progress=progress)
    seconds = time.perf_counter() - started if summary.passages_added else 0.0
    return CorpusIndex(assistant, corpus, seconds, summary.passages_added)
