"""Retrieval: from a question to the passages most likely to hold its answer.

`hybrid` (BM25 + embeddings + named metadata, the default) or `dense` (Chroma alone); both
are LangChain retrievers, and `to_passages` numbers what they find for the answer.
"""

from __future__ import annotations

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from assistant.answer import Passage
from assistant.retrieval.dense import DenseRetriever
from assistant.retrieval.hybrid import HybridRetriever
from assistant.settings import RetrievalSettings
from ingest.documents import fields_of
from ingest.index import Index

__all__ = ["DenseRetriever", "HybridRetriever", "make_retriever", "to_passages"]


def make_retriever(
    index: Index, settings: RetrievalSettings, k: int | None = None, embeddings: Embeddings | None = None
) -> BaseRetriever:
    """The retriever `settings.mode` names; `embeddings` embeds questions (default: the index's)."""
    embeddings = embeddings or index.embeddings
    if settings.mode == "dense":
        return DenseRetriever(index=index, embeddings=embeddings, k=k or settings.k)
    return HybridRetriever(index=index, settings=settings, embeddings=embeddings, k=k or settings.k)


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
            **_pages(document.metadata),
        )
        for number, document in enumerate(documents, start=1)
    ]


def _pages(metadata: dict) -> dict:
    """A passage's page fields from its stored metadata (none for an unpaged document)."""
    if metadata.get("page") is None:
        return {}
    page, page_end = int(metadata["page"]), int(metadata.get("page_end") or metadata["page"])
    breaks = [int(offset) for offset in str(metadata.get("page_breaks") or "").split(",") if offset]
    return {"page": page, "page_end": page_end if page_end != page else None, "page_breaks": breaks}
