"""Retrieval: the passages most likely to hold the answer, as LangChain documents."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

import numpy as np

from assistant.answer import Passage
from assistant.ranking import rank
from assistant.settings import RetrievalSettings
from ingest.documents import fields_of
from ingest.index import Index


class HybridRetriever(BaseRetriever):
    """BM25 + embeddings + the metadata a question names (`assistant.ranking`); each document's
    metadata carries its `score` (the fused passage score, not a probability)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    settings: RetrievalSettings
    embeddings: Embeddings
    k: int = 6

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        search = self.index.search_index()
        vector = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        rows, scores = rank(search, query, vector, self.k, self.settings)
        return [
            Document(
                id=search.ids[row],
                page_content=search.texts[row],
                metadata={**search.metadatas[row], "score": float(scores[row])},
            )
            for row in rows
        ]


def make_retriever(
    index: Index, settings: RetrievalSettings, k: int | None = None, embeddings: Embeddings | None = None
) -> BaseRetriever:
    """The retriever `settings.mode` names; `embeddings` embeds questions (default: the index's)."""
    embeddings = embeddings or index.embeddings
    if settings.mode == "dense":
        return PassageRetriever(index=index, embeddings=embeddings, k=k or settings.k)
    return HybridRetriever(index=index, settings=settings, embeddings=embeddings, k=k or settings.k)


class PassageRetriever(BaseRetriever):
    """Dense retrieval over the index; each document's metadata carries its `score`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    embeddings: Embeddings
    k: int = 6

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        vector = self.embeddings.embed_query(query)
        found = self.index.search(vector, self.k)
        for document, score in found:
            document.metadata["score"] = score
        return [document for document, _ in found]


def to_passages(documents: list[Document]) -> list[Passage]:
    """Number retrieved documents 1..n as the answer's passages."""
    return [
        Passage(
            number=number,
            text=document.page_content[document.metadata.get("offset", 0) :],
            doc_id=document.metadata["doc_id"],
            title=document.metadata.get("title", ""),
            source=document.metadata.get("source", ""),
            start=document.metadata["start"],
            end=document.metadata["end"],
            score=float(document.metadata.get("score", 0.0)),
            fields=fields_of(document.metadata),
        )
        for number, document in enumerate(documents, start=1)
    ]
