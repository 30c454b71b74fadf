"""Dense retrieval: Chroma's own similarity search, nothing else (`retrieval.mode = dense`)."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ingest.index import Index


class DenseRetriever(BaseRetriever):
    """The passages nearest to the question's embedding; each one's metadata carries its `score`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    embeddings: Embeddings
    k: int = 6

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, documents: set[str] | None = None
    ) -> list[Document]:
        """The nearest passages; with `documents` (doc ids), Chroma searches those documents only."""
        if documents is not None and not documents:
            return []
        vector = self.embeddings.embed_query(query)
        where = None if documents is None else {"doc_id": {"$in": sorted(documents)}}
        found = self.index.search(vector, self.k, where)
        for document, score in found:
            document.metadata["score"] = score
        return [document for document, _ in found]
