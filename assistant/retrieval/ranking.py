"""Hybrid ranking for multi-document evidence: BM25 and embeddings fused on z-scores, clause
by clause; documents scored as wholes; documents the question names placed first; the rest
filled greedily while spreading over documents. It ranks the candidates the engines return
(`candidates.gather`); z-scores use each score's spread over the collection.

Measured on MultiHop-RAG (BENCHMARKS.md); each step's share is in its ablation.
"""

from __future__ import annotations

import numpy as np

from assistant.retrieval.candidates import Candidates
from assistant.settings import RetrievalSettings


def zscore(values: np.ndarray, moments: tuple[float, float]) -> np.ndarray:
    """Standardized by the collection's mean and spread (`moments`)."""
    mean, std = moments
    return (values - mean) / std


def fuse(bm25: np.ndarray, clause_bm25: list[np.ndarray], cosine: np.ndarray, spread: dict, settings: RetrievalSettings):
    """BM25 and cosine similarity, z-fused, plus the best clause's BM25."""
    scores = (1 - settings.dense_weight) * zscore(bm25, spread["bm25"])
    if settings.dense_weight > 0:
        scores = scores + settings.dense_weight * zscore(cosine, spread["cosine"])
    if clause_bm25:
        parts = [zscore(values, moments) for values, moments in zip(clause_bm25, spread["clauses"])]
        scores = scores + settings.clause_weight * np.max(parts, axis=0)
    return scores


def passage_scores(found: Candidates, settings: RetrievalSettings) -> np.ndarray:
    return fuse(found.bm25, found.clause_bm25, found.cosine, found.spread, settings)


def best_spread(found: Candidates, settings: RetrievalSettings) -> tuple[float, float]:
    """(mean, std) of a document's best passage score, over the sample's documents."""
    raw, doc_of = found.spread["sample"]
    if not len(doc_of):
        return 0.0, 1.0
    fused = fuse(raw["bm25"], raw["clauses"], raw["cosine"], found.spread, settings)
    best = np.full(int(doc_of.max()) + 1, -np.inf)
    np.maximum.at(best, doc_of, fused)
    std = float(best.std())
    return float(best.mean()), std if std > 0 else 1.0


def document_scores(found: Candidates, passages: np.ndarray, settings: RetrievalSettings) -> np.ndarray:
    """A document's best candidate passage score plus its whole text's BM25, both z-scored
    (a document without candidates takes the lowest best)."""
    best = np.full(len(found.doc_ids), -np.inf)
    np.maximum.at(best, found.doc_of, passages)
    best[~np.isfinite(best)] = passages.min() if len(passages) else 0.0
    return zscore(best, best_spread(found, settings)) + settings.document_bm25_weight * zscore(
        found.doc_bm25, found.spread["documents"]
    )


def named_first(found: Candidates, passages: np.ndarray, documents: np.ndarray) -> list[int]:
    """For each outlet, author or date named, the best candidate passage of its best new
    document (among those with candidates)."""
    present = set(found.doc_of.tolist())
    chosen: list[int] = []
    for docs in found.named:
        fresh = [d for d in docs.tolist() if d not in chosen and d in present]
        if fresh:
            chosen.append(max(fresh, key=lambda d: documents[d]))
    best = []
    for d in chosen:
        rows = np.flatnonzero(found.doc_of == d)
        best.append(int(rows[np.argmax(passages[rows])]))
    return sorted(best, key=lambda row: -passages[row])


def fill(found: Candidates, picked: list[int], passages, documents, k: int, settings: RetrievalSettings) -> list[int]:
    """Add passages by score, each taken passage of a document lowering that document's next."""
    cap = settings.document_cap
    total = passages + settings.document_weight * documents[found.doc_of]
    pool = np.argsort(-total, kind="stable")[: settings.pool]
    pool_docs = found.doc_of[pool]
    taken = np.bincount(found.doc_of[picked], minlength=len(found.doc_ids)).astype(float)
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


def rank(found: Candidates, k: int, settings: RetrievalSettings):
    """The `k` best candidate rows, best first, with every candidate's score."""
    if not found.ids:
        return [], np.zeros(0)
    passages = passage_scores(found, settings)
    documents = document_scores(found, passages, settings)
    boosted = documents.copy()
    for docs in found.named:
        boosted[docs] = documents[docs] + settings.named_boost
    picked = named_first(found, passages, documents)[:k]
    return fill(found, picked, passages, boosted, k, settings), passages
