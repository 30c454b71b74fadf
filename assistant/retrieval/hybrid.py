"""Hybrid retrieval: BM25, embeddings and the metadata a question names, fused (`ranking`)
over the candidates the lexical index and Chroma return (`candidates`)."""

from __future__ import annotations

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.retrieval.candidates import gather
from assistant.retrieval.ranking import rank
from assistant.settings import RetrievalSettings
from ingest.index import Index


class HybridRetriever(BaseRetriever):
    """Ranked passages; each document's metadata carries its `score` (the fused passage
    score, not a probability)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    settings: RetrievalSettings
    embeddings: Embeddings
    k: int = 6

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, documents: set[str] | None = None
    ) -> list[Document]:
        """The best passages for `query`; with `documents` (doc ids), from those documents only
        (every candidate is gathered among them)."""
        if (documents is not None and not documents) or not self.index.count():
            return []
        vector = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        found = gather(self.index, query, vector, self.settings, documents)
        rows, scores = rank(found, self.k, self.settings)
        stored = self.index.fetch([found.ids[row] for row in rows])
        ranked = [(found.ids[row], float(scores[row])) for row in rows if found.ids[row] in stored]
        return [
            Document(id=id_, page_content=stored[id_][0], metadata={**stored[id_][1], "score": score})
            for id_, score in ranked
        ]
