"""What an index holds, read without changing it: the passages nearest a vector, a page of a
document, and the passage ids the store and the records hold per document (what the
consistency check compares). A base of `ingest.index.Index`, which owns the parts read here
(`collection`, `records`) and every write.
"""

from __future__ import annotations

from collections.abc import Iterable

from langchain_core.documents import Document

from ingest import records, store
from ingest.pages import PageText, assemble, page_where
from ingest.store import reaching_store


class Contents:
    """Reads of the Chroma collection (`self.collection`) and the record manager (`self.records`)."""

    @reaching_store
    def search(self, vector: list[float], k: int, where: dict | None = None) -> list[tuple[Document, float]]:
        """The `k` passages nearest to `vector`, with cosine similarity as score."""
        found = self.collection.query(
            query_embeddings=[vector], n_results=k, where=where, include=["documents", "metadatas", "distances"]
        )
        rows = zip(found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0])
        return [
            (Document(id=id_, page_content=text, metadata=dict(metadata or {})), 1.0 - distance)
            for id_, text, metadata, distance in rows
        ]

    @reaching_store
    def nearest(self, vector: list[float], k: int, where: dict | None = None) -> list[str]:
        """The ids of the `k` passages nearest to `vector` (Chroma's approximate search), among
        those matching `where` when given."""
        return self.collection.query(query_embeddings=[vector], n_results=k, where=where, include=[])["ids"][0]

    @reaching_store
    def fetch(self, ids: list[str]) -> dict[str, tuple[str, dict, list[float]]]:
        """These passages by id: text, metadata and embedding (unknown ids are left out)."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas", "embeddings"])
        return {i: (t, dict(m or {}), e) for i, t, m, e in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"])}

    @reaching_store
    def vectors(self, ids: list[str]) -> dict[str, list[float]]:
        """The stored embeddings of these passages (unknown ids are left out): what ranking
        reads of every candidate; Chroma reads metadata and texts several times slower."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"]))

    @reaching_store
    def passage_owners(self) -> dict[str, str]:
        """Every stored passage id with its document id."""
        return store.owners(self.collection)

    def record_owners(self) -> dict[str, str]:
        """Every recorded passage id with its document id."""
        return records.owners(self.records)

    @reaching_store
    def passages_of(self, doc_ids: Iterable[str]) -> list[str]:
        """The stored passage ids of these documents, recorded or not."""
        return store.ids_of(self.collection, doc_ids)

    def records_of(self, doc_ids: Iterable[str]) -> list[str]:
        """The recorded passage ids of these documents."""
        return records.keys_of(self.records, doc_ids)

    def record_count(self) -> int:
        """Number of passages recorded."""
        return records.count(self.records)

    @reaching_store
    def document_passages(self, doc_id: str) -> list[Document]:
        """Every stored passage of one document (any order), as retrieval returns them."""
        found = self.collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        return [
            Document(id=id_, page_content=text, metadata=dict(metadata or {}))
            for id_, text, metadata in zip(found["ids"], found["documents"], found["metadatas"])
        ]

    @reaching_store
    def page_counts(self) -> dict[str, int]:
        """How many pages (or slides) each paged document has, by doc_id: its passages' last page."""
        counts: dict[str, int] = {}
        for offset in range(0, self.count(), store.PAGE):
            page = self.collection.get(where={"page": {"$gte": 0}}, include=["metadatas"], limit=store.PAGE, offset=offset)
            for meta in page["metadatas"]:
                last = int(meta.get("page_end") or meta["page"])
                counts[meta["doc_id"]] = max(counts.get(meta["doc_id"], 0), last)
            if len(page["ids"]) < store.PAGE:
                break
        return counts

    @reaching_store
    def count(self) -> int:
        """Number of passages stored."""
        return self.collection.count()

    @reaching_store
    def document_text(self, doc_id: str) -> str | None:
        """A document's text rebuilt from its passages at their own offsets; None if unknown."""
        from ingest.search import assemble

        found = self.collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        return assemble(found["documents"], found["metadatas"]) if found["ids"] else None

    @reaching_store
    def page(self, doc_id: str, page: int) -> PageText | None:
        """One page of a paged document, from its passages; None if it has no such page."""
        found = self.collection.get(where=page_where(doc_id, page), include=["documents", "metadatas"])
        return assemble(doc_id, page, found["documents"], found["metadatas"])
