"""Hybrid ranking for multi-document evidence: BM25 and embeddings fused on z-scores, clause
by clause; documents scored as wholes; documents the question names placed first; the rest
filled greedily while spreading over documents.

Measured on MultiHop-RAG (BENCHMARKS.md); each step's share is in its ablation.
"""

from __future__ import annotations

import numpy as np

from assistant.retrieval.question import clauses, mentions
from assistant.settings import RetrievalSettings
from ingest.search import SearchIndex


def zscore(values: np.ndarray) -> np.ndarray:
    """Standardized over the whole collection (zeros when constant)."""
    spread = values.std()
    return (values - values.mean()) / (spread if spread > 0 else 1.0)


def passage_scores(index: SearchIndex, question: str, vector: np.ndarray, settings: RetrievalSettings) -> np.ndarray:
    """BM25 and cosine similarity, z-fused, plus the best clause's BM25."""
    scores = (1 - settings.dense_weight) * zscore(index.passages.scores(question))
    if settings.dense_weight > 0:
        scores = scores + settings.dense_weight * zscore(index.embeddings @ vector)
    parts = clauses(question) if settings.clauses else []
    if parts:
        scores = scores + settings.clause_weight * np.max([zscore(index.passages.scores(p)) for p in parts], axis=0)
    return scores


def document_scores(index: SearchIndex, question: str, passages: np.ndarray, settings: RetrievalSettings) -> np.ndarray:
    """A document's best passage score plus its whole text's BM25, both z-scored."""
    best = np.full(len(index.doc_ids), -1e9, dtype=np.float64)
    np.maximum.at(best, index.chunk_doc, passages)
    return zscore(best) + settings.document_bm25_weight * zscore(index.documents.scores(question))


def named_first(index: SearchIndex, named: list[np.ndarray], passages: np.ndarray, documents: np.ndarray) -> list[int]:
    """For each outlet, author or date named, the best passage of its best new document."""
    chosen: list[int] = []
    for docs in named:
        fresh = [d for d in docs.tolist() if d not in chosen]
        if fresh:
            chosen.append(max(fresh, key=lambda d: documents[d]))
    chunks = index.doc_chunks
    best = [int(chunks[d][np.argmax(passages[chunks[d]])]) for d in chosen]
    return sorted(best, key=lambda row: -passages[row])


def fill(index: SearchIndex, picked: list[int], passages, documents, k: int, settings: RetrievalSettings) -> list[int]:
    """Add passages by score, each taken passage of a document lowering that document's next."""
    cap = settings.document_cap
    total = passages + settings.document_weight * documents[index.chunk_doc]
    pool = np.argsort(-total)[: settings.pool]
    pool_docs = index.chunk_doc[pool]
    taken = np.bincount(index.chunk_doc[picked], minlength=len(index.doc_ids)).astype(float)
    alive = ~np.isin(pool, picked)
    while len(picked) < k and alive.any():
        penalty = settings.early_penalty if len(picked) < settings.late_from else settings.late_penalty
        value = np.where(alive & (taken[pool_docs] < cap), total[pool] - penalty * taken[pool_docs], -np.inf)
        best = int(np.argmax(value))
        if not np.isfinite(value[best]):
            break
        picked.append(int(pool[best]))
        taken[pool_docs[best]] += 1
        alive[best] = False
    return picked


def rank(
    index: SearchIndex, question: str, vector: np.ndarray, k: int, settings: RetrievalSettings,
    documents: set[str] | None = None,
):
    """The `k` best passage rows for the question, best first, with their scores; with
    `documents` (doc ids), only rows of those documents (None: every document)."""
    if not index.ids:
        return [], np.zeros(0)
    passages = passage_scores(index, question, vector, settings)
    whole = document_scores(index, question, passages, settings)
    named = mentions(question, index.aliases, index.doc_dates) if settings.metadata else []
    if documents is not None:  # rows outside the scope can't be picked; scores stay collection-wide
        inside = np.isin(np.asarray(index.doc_ids, dtype=object), list(documents))
        passages = np.where(inside[index.chunk_doc], passages, -np.inf)
        named = [docs[inside[docs]] for docs in named]
    boosted = whole.copy()
    for docs in named:
        boosted[docs] = whole[docs] + settings.named_boost
    picked = named_first(index, named, passages, whole)[:k]
    return fill(index, picked, passages, boosted, k, settings), passages
