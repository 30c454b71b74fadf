"""The index: embedding model + Chroma collection + record manager + catalog + search index.

Opening an index checks that it was built with the configured embedding model, so
vectors of two models never mix. Writes go through LangChain's indexing API, which
hashes passages and skips the ones already stored.

Every change goes through a method here that keeps the four parts in step. A document's
passages reach the store only while the catalog holds a claim on it, and the claim is
released in the transaction that lists the document, so a write cut short leaves a claim
that the next writer follows to undo it (`recover`). Removing a document deletes its
passages from the store by their `doc_id` (recorded or not), then its records and its row.
After every catalog commit the lexical index follows the change log (`ingest.search`), so
it adds, replaces and deletes a document's passages when the store did; a crash before it
followed is caught up by the next follow (the next write, or the next question).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import IndexingResult, index

from ingest import records, search, store
from ingest.catalog import Catalog, Claim, IndexedDocument
from ingest.consistency import quick_check
from ingest.contents import Contents
from ingest.embeddings import make_embeddings  # noqa: F401 (re-exported: `from ingest.index import make_embeddings`)
from ingest.errors import EmptyIndexError
from ingest.lock import active, writer_gone, writer_id, writer_lock
from ingest.settings import IngestSettings
from ingest.store import make_client, reaching, reaching_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexInfo:
    """What an index holds, for summaries and the web chat's index panel."""

    location: str
    documents: int
    passages: int
    embedding_model: str
    embedding_dim: int
    warning: str = ""  # what disagrees between the store, records and catalog; empty when they agree


class Index(Contents):
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
        self.writer = writer_id()
        self._depth = 0
        self.lexical = search.SearchIndex(Path(settings.data_dir) / "lexical" / settings.store.collection)
        if not create and not settings.store.url and not (settings.data_dir / "chroma").exists():
            raise EmptyIndexError(f"No index in {settings.data_dir}: run `assistant ingest docs/` first.")
        self.embeddings = embeddings or make_embeddings(settings.embedding)
        self.dimension = len(self.embeddings.embed_query("dimension probe"))
        self.records = records.make_records(settings)
        self.catalog = Catalog(self.records.engine, self.records.namespace)
        with reaching(settings.store.url):
            self.client = client or make_client(settings)
            if reset:
                with writer_lock(settings):
                    self._drop()
            self.collection = store.open_collection(self.client, settings, self.dimension, create, self.location)
            self.vectorstore = store.vectorstore(self.client, settings, self.embeddings)
            self._forget_stale_records()

    @property
    def location(self) -> str:
        """Where the vectors are: the Chroma server URL or the data dir."""
        return self.settings.store.url or str(self.settings.data_dir)

    @property
    def complete_catalog(self) -> bool:
        """Whether the catalog lists every document of the collection: always for an embedded
        store; on a server only when the records database is shared (otherwise each machine's
        catalog lists what it ingested itself)."""
        return not self.settings.store.url or bool(self.settings.store.records_url)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer lock (see `ingest.lock`); every change below happens inside it."""
        with writer_lock(self.settings):
            self._depth += 1
            try:
                with active(self.writer):
                    yield
            finally:
                self._depth -= 1

    @reaching_store
    def put(self, entries: list[IndexedDocument], passages: Iterable[Document]) -> tuple[IndexingResult, dict[str, str]]:
        """Write documents' passages and list the documents: claimed first, listed and released
        in one transaction after the last passage is stored. Returns the indexing API's counts
        and the documents another live writer holds (skipped), with that writer."""
        busy = self.catalog.claim([entry.doc_id for entry in entries], self.writer, self._gone)
        entries = [entry for entry in entries if entry.doc_id not in busy]
        result = index(
            self._beating(p for p in passages if p.metadata["doc_id"] not in busy),
            self.records,
            self.vectorstore,
            batch_size=self.settings.store.write_batch,
            cleanup="scoped_full",  # older passages of these documents go once all new ones are in
            source_id_key="doc_id",
            key_encoder=records.KEY_ENCODER,
        )
        self.catalog.commit(put=entries, released=[entry.doc_id for entry in entries])
        self._follow()
        return result, busy

    @reaching_store
    def remove(self, doc_ids: Iterable[str], keep: Callable[[str], bool] | None = None) -> int:
        """Delete documents: passages, records and catalog rows; returns passages deleted.
        `keep`, asked once the documents are claimed (nobody else can change them), spares
        those it returns True for."""
        doc_ids = sorted(set(doc_ids))
        if not doc_ids:
            return 0
        busy = self.catalog.claim(doc_ids, self.writer, self._gone)
        for doc_id, writer in busy.items():
            log.warning("Not removing %s: the ingest %s is writing it.", doc_id, writer)
        mine = [doc_id for doc_id in doc_ids if doc_id not in busy]
        doomed = [doc_id for doc_id in mine if keep is None or not keep(doc_id)]
        deleted = self._erase(doomed)
        self.catalog.commit(removed=doomed, released=mine)
        self._follow()
        return deleted

    @reaching_store
    def recover(self) -> list[str]:
        """Undo the writes whose writer is gone (killed, crashed, cut off): their documents
        leave the index entirely, to be written again by the next ingest of their files."""
        stale = [claim.doc_id for claim in self.catalog.claims() if self._gone(claim)]
        if stale:
            busy = self.catalog.claim(stale, self.writer, self._gone)
            stale = [doc_id for doc_id in stale if doc_id not in busy]
            self._erase(stale)
            self.catalog.commit(removed=stale, released=stale)
            self._follow()
        return stale

    @reaching_store
    def rekey(self, entry: IndexedDocument, new: str, source: str) -> bool:
        """Give a listed document a new id and source without embedding it again: its passages
        are copied, vectors and all, under the ids their new metadata hashes to. False when
        another writer holds either id (nothing changes)."""
        old = entry.doc_id
        busy = self.catalog.claim([old, new], self.writer, self._gone)
        if busy:
            self.catalog.commit(released=[doc_id for doc_id in (old, new) if doc_id not in busy])
            return False
        got = self.collection.get(where={"doc_id": old}, include=["documents", "metadatas", "embeddings"])
        metadatas = [{**meta, "doc_id": new, "source": source} for meta in got["metadatas"]]
        ids = [records.passage_id(Document(page_content=t, metadata=m)) for t, m in zip(got["documents"], metadatas)]
        if ids:
            self.collection.upsert(ids=ids, embeddings=got["embeddings"], documents=got["documents"], metadatas=metadatas)
            self.records.update(ids, group_ids=[new] * len(ids))
        self._erase([old])
        self.catalog.commit(put=[replace(entry, doc_id=new, source=source)], removed=[old], released=[old, new])
        self._follow()
        return True

    def _erase(self, doc_ids: list[str]) -> int:
        """Delete documents' passages (recorded or not), then their records; the caller holds
        their claims. Store first: a record without its passage would make ingest skip it."""
        if not doc_ids:
            return 0
        ids = self.passages_of(doc_ids)
        store.delete_ids(self.collection, ids)
        self.records.delete_keys(self.records_of(doc_ids))
        return len(ids)

    def claims(self, claims: list[Claim] | None = None) -> tuple[list[Claim], list[Claim]]:
        """The catalog's claims (or these), split into those of writers still at work and
        those of writers that stopped (interrupted writes)."""
        claims = self.catalog.claims() if claims is None else claims
        stale = [claim for claim in claims if self._gone(claim)]
        return [claim for claim in claims if claim not in stale], stale

    def _gone(self, claim: Claim) -> bool:
        return writer_gone(claim, self.writer, sole=bool(self._depth) and not self.settings.store.url)

    def _beating(self, passages: Iterable[Document]) -> Iterator[Document]:
        """The passages; on a server, the claims' heartbeat renewed once a batch was taken."""
        batch = self.settings.store.write_batch
        for count, passage in enumerate(passages):
            if self.settings.store.url and count and count % batch == 0:
                self.catalog.beat(self.writer)
            yield passage

    def searchable_ids(self) -> set[str]:
        """The passage ids lexical search can return (reads the whole lexical index: for checks)."""
        return set(self.lexical.lexical.owners())

    @reaching_store
    def search_index(self) -> search.SearchIndex:
        """The lexical index, caught up with the change log first (unless another process is
        writing: it catches up itself, and this one reads what was committed)."""
        self.lexical.follow(self)
        return self.lexical

    @reaching_store
    def refresh_search(self) -> None:
        """Build the lexical index from the store again (a repair)."""
        self.lexical.follow(self, rebuild=True)

    def _follow(self) -> None:
        self.lexical.follow(self)

    @reaching_store
    def describe(self) -> IndexInfo:
        """Documents, passages and the embedding model of this index."""
        return IndexInfo(
            location=self.location,
            documents=len(self.catalog.entries()),
            passages=self.count(),
            embedding_model=self.settings.embedding.model,
            embedding_dim=self.dimension,
            warning=quick_check(self),
        )

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
        self.lexical.drop()

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
