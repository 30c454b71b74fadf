"""BM25 with our own parameters over given passages: their term counts, packed into the
lexical index beside each passage, and computed here.

Tantivy scores BM25 with Lucene's k1 = 1.2, b = 0.75 and lets nobody change them; the
ranking's weights were tuned with k1 = 0.9, b = 0.4, which rank MultiHop-RAG better
(BENCHMARKS.md). So Tantivy finds the candidates and the document frequencies, and the
candidates' and the statistics sample's scores are computed from their term counts.

A passage's counts are packed as its distinct terms' CRC-32s (sorted) then their counts
(uint16): about 6 bytes a distinct term. Two terms sharing a CRC-32 would add their counts;
among a million distinct terms a given query term meets one with odds of about 1 in 4,000.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter

import numpy as np

K1 = 0.9
B = 0.4


def term_hash(term: str) -> int:
    return zlib.crc32(term.encode("utf-8"))


def pack(words: list[str]) -> bytes:
    """The term counts of a passage's words, packed."""
    counts = Counter(words)
    hashes = np.fromiter((term_hash(term) for term in counts), dtype=np.uint32, count=len(counts))
    values = np.fromiter((min(count, 65535) for count in counts.values()), dtype=np.uint16, count=len(counts))
    order = np.argsort(hashes, kind="stable")
    return hashes[order].tobytes() + values[order].tobytes()


class Counts:
    """The term counts of some passages (row `i` is the `i`-th packed blob given)."""

    def __init__(self, blobs: list[bytes]) -> None:
        sizes = [len(blob) // 6 for blob in blobs]
        self.rows = len(blobs)
        self.hashes = np.concatenate([np.frombuffer(blob[: 4 * n], dtype=np.uint32) for blob, n in zip(blobs, sizes)] or [np.zeros(0, np.uint32)])
        counts = [np.frombuffer(blob[4 * n :], dtype=np.uint16) for blob, n in zip(blobs, sizes)]
        self.counts = np.concatenate(counts or [np.zeros(0, np.uint16)]).astype(np.float64)
        self.owner = np.repeat(np.arange(len(blobs)), sizes)
        self.lengths = np.bincount(self.owner, weights=self.counts, minlength=self.rows)

    def tf(self, term: str) -> np.ndarray:
        """How often `term` occurs in each passage."""
        hit = self.hashes == term_hash(term)
        return np.bincount(self.owner[hit], weights=self.counts[hit], minlength=self.rows)


def bm25(counts: Counts, terms: list[str], frequencies: dict[str, int], total: int, average: float) -> np.ndarray:
    """BM25 (k1 `K1`, b `B`) of the distinct `terms` for each passage of `counts`, with the
    terms' document frequencies among `total` passages and the average passage length."""
    scores = np.zeros(counts.rows)
    norm = K1 * (1 - B + B * counts.lengths / max(average, 1e-9))
    for term in sorted(set(terms)):
        found = frequencies.get(term, 0)
        if not found:
            continue
        idf = math.log(1 + (total - found + 0.5) / (found + 0.5))
        tf = counts.tf(term)
        scores += idf * tf * (K1 + 1) / (tf + norm)
    return scores
