"""Hybrid retrieval: BM25, embeddings and the metadata a question names, fused (`ranking`)."""

from __future__ import annotations

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.retrieval.ranking import rank
from assistant.settings import RetrievalSettings
from ingest.index import Index


class HybridRetriever(BaseRetriever):
    """Ranked passages from the search index beside the store; each document's metadata
    carries its `score` (the fused passage score, not a probability)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    settings: RetrievalSettings
    embeddings: Embeddings
    k: int = 6

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, documents: set[str] | None = None
    ) -> list[Document]:
        """The best passages for `query`; with `documents` (doc ids), from those documents only."""
        search = self.index.search_index()
        vector = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        rows, scores = rank(search, query, vector, self.k, self.settings, documents)
        return [
            Document(
                id=search.ids[row],
                page_content=search.texts[row],
                metadata={**search.metadatas[row], "score": float(scores[row])},
            )
            for row in rows
        ]
