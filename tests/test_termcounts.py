"""Passage BM25 computed from packed term counts (`ingest.termcounts`) equals BM25 with the
tuned parameters written out by hand, and ranks differently from Lucene's k1/b where length
matters."""

from __future__ import annotations

import math

import numpy as np

from ingest import termcounts
from ingest.tokens import words

TEXTS = [
    "The harbour ferry sails at dawn; the ferry carries cars.",
    "Ferry tickets are sold at the harbour kiosk.",
    "A long passage about the museum, its wings, its stone, its gardens and its many visitors, "
    "which mentions the ferry once.",
    "Nothing about boats here.",
]


def by_hand(terms, texts, k1, b):
    docs = [words(text) for text in texts]
    average = sum(map(len, docs)) / len(docs)
    scores = []
    for doc in docs:
        score = 0.0
        for term in set(terms):
            found = sum(term in other for other in docs)
            if not found:
                continue
            idf = math.log(1 + (len(docs) - found + 0.5) / (found + 0.5))
            tf = doc.count(term)
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / average))
        scores.append(score)
    return scores


def test_packed_counts_give_bm25_with_the_tuned_parameters():
    counts = termcounts.Counts([termcounts.pack(words(text)) for text in TEXTS])
    assert list(counts.lengths) == [len(words(text)) for text in TEXTS]
    terms = words("When does the harbour ferry sail?")
    docs = [words(text) for text in TEXTS]
    frequencies = {term: sum(term in doc for doc in docs) for term in terms}
    average = sum(map(len, docs)) / len(docs)
    computed = termcounts.bm25(counts, terms, frequencies, len(TEXTS), average)
    assert np.allclose(computed, by_hand(terms, TEXTS, termcounts.K1, termcounts.B))
    assert computed[0] > computed[1] > computed[2] > 0 and computed[3] == 0
    assert not np.allclose(computed, by_hand(terms, TEXTS, 1.2, 0.75))  # Lucene's parameters differ


def test_no_passages_and_empty_counts_score_nothing():
    assert termcounts.bm25(termcounts.Counts([]), ["ferri"], {"ferri": 1}, 1, 5.0).shape == (0,)
    scores = termcounts.bm25(termcounts.Counts([b"", termcounts.pack(["ferri"])]), ["ferri"], {"ferri": 1}, 2, 1.0)
    assert scores[0] == 0 and scores[1] > 0
