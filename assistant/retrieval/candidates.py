"""The passages a question is ranked over: the engines' own top-k, never the whole store.

Tantivy's BM25 top `lexical_candidates` for the question and for each clause, Chroma's
approximate nearest `dense_candidates`, and the passages of the best few documents of each
outlet, author or date the question names. Every candidate then gets every score exactly
(BM25 of the question and of each clause among the candidates, cosine from its stored
embedding), and each candidate document its whole-text BM25. Only the embeddings are read
from Chroma for every candidate (its document comes from the lexical index); texts and
metadata are read for the passages ranked.

Fusion adds z-scores, which need each score's spread over the whole collection: it is
estimated on a fixed pseudo-random sample of passages and documents (`ingest.lookup.sample`),
whose embeddings are read once, and again only when the index grew or shrank by a tenth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.retrieval.question import clauses, mentions
from assistant.settings import RetrievalSettings
from ingest import lookup, termcounts
from ingest.tokens import words

RESAMPLE = 0.1  # share of the passage count that must change before the sample is read again


@dataclass
class Candidates:
    """Row `i` is passage `ids[i]` of document `doc_ids[doc_of[i]]`; scores are raw."""

    ids: list[str]
    doc_ids: list[str]
    doc_of: np.ndarray
    bm25: np.ndarray
    clause_bm25: list[np.ndarray]
    cosine: np.ndarray
    doc_bm25: np.ndarray
    named: list[np.ndarray]  # document rows per outlet, author or date named
    spread: dict = field(default_factory=dict)  # (mean, std) of each score over the collection


def gather(
    index, question: str, vector: np.ndarray, settings: RetrievalSettings, documents: set[str] | None = None
) -> Candidates:
    """The candidates of `question` (embedded as `vector`) in `index`, with their scores; with
    `documents` (doc ids), each engine searches those documents only (the spreads stay the
    collection's, so a passage scores the same asked within a scope or not)."""
    lexical = index.search_index().lexical
    asked = words(question)
    parts = [words(part) for part in clauses(question)] if settings.clauses else []
    ids: set[str] = set()
    for part in [asked, *parts]:
        ids |= set(lookup.passages(lexical, part, settings.lexical_candidates, doc_ids=documents))
    if settings.dense_weight > 0 and settings.dense_candidates:
        where = None if documents is None else {"doc_id": {"$in": sorted(documents)}}
        ids |= set(index.nearest(vector.tolist(), settings.dense_candidates, where))
    named = _named(lexical, question, asked, settings) if settings.metadata else []
    if documents is not None:
        named = [docs & documents for docs in named if docs & documents]
    for docs in named:
        best = lookup.documents(lexical, asked, 0, doc_ids=docs)
        top = sorted(best, key=lambda d: -best[d])[: settings.named_documents]
        ids |= set(lookup.passages_of(lexical, top))
    owners = lookup.owners_of(lexical, ids)
    if len(owners) < len(ids):  # stored passages the lexical index lacks (orphans until a repair)
        stored = index.fetch(sorted(ids - set(owners)))
        owners |= {id_: (meta["doc_id"], b"") for id_, (_, meta, _) in stored.items() if meta.get("doc_id")}
    vectors = index.vectors(sorted(owners))
    ordered = sorted(vectors)
    doc_ids = sorted({owners[i][0] for i in ordered} | set().union(*named))
    position = {doc_id: n for n, doc_id in enumerate(doc_ids)}
    sample = _sample(index, lexical)
    scored = _BM25(lexical, asked, parts, sample.average)
    counts = termcounts.Counts([owners[i][1] for i in ordered])
    found = Candidates(
        ids=ordered,
        doc_ids=doc_ids,
        doc_of=np.array([position[owners[i][0]] for i in ordered], dtype=np.int64),
        bm25=scored(counts, asked),
        clause_bm25=[scored(counts, part) for part in parts],
        cosine=np.array([vectors[i] for i in ordered], dtype=np.float32).reshape(len(ordered), len(vector)) @ vector,
        doc_bm25=_array(lookup.documents(lexical, asked, 0, doc_ids=doc_ids), doc_ids),
        named=[np.array(sorted(position[d] for d in docs)) for docs in named],
    )
    found.spread = _spread(lexical, sample, scored, asked, parts, vector)
    return found


class _BM25:
    """Passage BM25 with the tuned parameters (`ingest.termcounts`), the question's terms'
    document frequencies read once."""

    def __init__(self, lexical, asked: list[str], parts: list[list[str]], average: float) -> None:
        self.frequencies, self.total = lookup.frequencies(lexical, [*asked, *(t for part in parts for t in part)])
        self.average = average

    def __call__(self, counts: termcounts.Counts, terms: list[str]) -> np.ndarray:
        return termcounts.bm25(counts, terms, self.frequencies, self.total, self.average)


def _named(lexical, question: str, asked: list[str], settings) -> list[set[str]]:
    def on(when):
        return lookup.on(lexical, *when)

    return mentions(question, lookup.aliases(lexical), lambda alias: lookup.named(lexical, alias), on)


def _array(scores: dict[str, float], keys: list[str]) -> np.ndarray:
    return np.array([scores.get(key, 0.0) for key in keys], dtype=np.float64)


@dataclass
class Sample:
    """The statistics sample's passages: by draw, their document rows and embeddings."""

    doc_of: np.ndarray
    embeddings: np.ndarray
    counts: termcounts.Counts

    @property
    def average(self) -> float:
        """The average passage length (in words), estimated on the sample."""
        return float(self.counts.lengths.mean()) if self.counts.rows else 1.0


def _spread(lexical, sample: Sample, scored: _BM25, asked: list[str], parts: list[list[str]], vector: np.ndarray) -> dict:
    """(mean, std) of each score over the sample (question BM25, each clause's, cosine,
    whole-document BM25), and the sample's raw scores (for the spread of document scores)."""
    documents = lookup.sample_scores(lexical, 1, asked)
    members = min(lexical.searchers()[1].num_docs, lookup.SAMPLE)
    found = {
        "bm25": scored(sample.counts, asked),
        "clauses": [scored(sample.counts, part) for part in parts],
        "cosine": sample.embeddings @ vector if len(sample.embeddings) else np.zeros(0),
    }
    return {
        "bm25": _moments(found["bm25"]),
        "clauses": [_moments(values) for values in found["clauses"]],
        "cosine": _moments(found["cosine"]),
        "documents": _moments(np.array(list(documents.values()) + [0.0] * max(0, members - len(documents)))),
        "sample": (found, sample.doc_of),
    }


def _moments(values: np.ndarray) -> tuple[float, float]:
    if not len(values):
        return 0.0, 1.0
    std = float(values.std())
    return float(values.mean()), std if std > 0 else 1.0


def _sample(index, lexical) -> Sample:
    """The statistics sample, read again only when the passage count moved by more than
    `RESAMPLE` since (an ingest of a few documents leaves the spreads as they were)."""
    search = index.lexical
    count = lexical.count()
    cached = getattr(search, "sample", None)
    if cached is None or abs(count - cached[0]) > RESAMPLE * max(1, cached[0]):
        owners = lookup.sample(lexical)
        vectors = index.vectors(sorted(owners))
        ids = sorted(vectors)
        docs = {doc_id: n for n, doc_id in enumerate(sorted({owners[i][0] for i in ids}))}
        embeddings = np.array([vectors[i] for i in ids], dtype=np.float32).reshape(len(ids), -1 if ids else 0)
        doc_of = np.array([docs[owners[i][0]] for i in ids], dtype=np.int64)
        sample = Sample(doc_of, embeddings, termcounts.Counts([owners[i][1] for i in ids]))
        cached = count, sample
        search.sample = cached
    return cached[1]
