"""Shared fixtures: the real MiniLM model once per session, every index in a temporary folder.

The network is blocked at the socket level (pytest-socket, see pyproject.toml), except for
loopback, so an accidental model-hub download fails the test instead of passing slowly.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

from assistant import Assistant, Settings  # noqa: E402
from ingest.index import make_embeddings  # noqa: E402
from ingest.settings import EmbeddingSettings  # noqa: E402
from tests.chroma_server import ChromaServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "docs" / "us-un-ukraine-resolutions.txt"
DATA = Path(__file__).resolve().parent / "data"
SEED_QUESTIONS = ROOT / "evalsets" / "seed" / "questions.jsonl"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """A developer's own ASSISTANT_* variables must not change what the tests see."""
    for name in list(os.environ):
        if name.startswith("ASSISTANT_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def embeddings():
    """The real all-MiniLM-L6-v2, loaded offline from its package."""
    return make_embeddings(EmbeddingSettings())


def make_corpus(folder: Path) -> Path:
    """The seed article plus the small known-answer corpus of tests/data."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, folder)
    for path in (DATA / "corpus").iterdir():
        shutil.copy(path, folder)
    return folder


@pytest.fixture
def corpus(tmp_path) -> Path:
    return make_corpus(tmp_path / "corpus")


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def assistant(settings, embeddings) -> Assistant:
    """An assistant over an empty index of its own."""
    return Assistant(settings, embeddings=embeddings)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, embeddings) -> Assistant:
    """One assistant with the corpus ingested, shared by read-only tests."""
    root = tmp_path_factory.mktemp("seeded")
    assistant = Assistant(Settings(data_dir=root / "data"), embeddings=embeddings)
    assistant.ingest([make_corpus(root / "corpus")])
    return assistant


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> ChromaServer:
    """A real `chroma run` on 127.0.0.1, shared by the session (tests use their own collections)."""
    with ChromaServer(tmp_path_factory.mktemp("chroma")) as server:
        yield server


def server_settings(settings: Settings, url: str, **store) -> Settings:
    """`settings` pointed at the Chroma server at `url`, in a collection of its own."""
    store = {"url": url, "collection": f"passages-{uuid.uuid4().hex[:12]}", **store}
    return settings.model_copy(update={"store": settings.store.model_copy(update=store)})
