"""Answerers turn a question and numbered passages into an `Answer`, streaming its text.

`ExtractiveAnswerer` needs no language model: it quotes the sentences of the passages
that best answer the question, each followed by its `[n]`, so every word of the answer
is verbatim in the sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer import Answer, Passage
from assistant.citations import cite, overlap, sentence_spans, terms
from assistant.settings import AnswerSettings

ABSTENTION = "The sources don't say: none of the indexed passages answers this question."
_DENSE_WEIGHT = 0.6
_FRAGMENT_PENALTY = 0.8
_MIN_WORDS = 4
_ENDINGS = tuple('.!?"”’)')


@dataclass(frozen=True)
class Candidate:
    """A sentence of a passage that could be quoted."""

    passage: Passage
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]

    @property
    def fragment(self) -> bool:
        """Cut by a passage boundary rather than ended by the author."""
        cut_start = self.start == 0 and self.passage.start > 0 and self.text[:1].islower()
        cut_end = self.end == len(self.passage.text) and not self.text.endswith(_ENDINGS)
        return cut_start or cut_end


class ExtractiveAnswerer:
    """Quote the best-supported sentences; abstain when none supports an answer."""

    def __init__(self, embeddings: Embeddings, settings: AnswerSettings) -> None:
        self.embeddings = embeddings
        self.settings = settings

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str | Answer]:
        """Yield the answer's text in pieces, then the finished `Answer`."""
        chosen = self.choose(question, passages)
        if not chosen:
            yield ABSTENTION
            yield Answer(question=question, text=ABSTENTION, passages=passages, abstained=True)
            return
        pieces = [f"{candidate.text} [{candidate.passage.number}]" for candidate, _ in chosen]
        for number, piece in enumerate(pieces):
            yield piece if number == 0 else " " + piece
        citations = [cite(c.passage, c.start, c.end, piece) for (c, _), piece in zip(chosen, pieces)]
        yield Answer(question=question, text=" ".join(pieces), citations=citations, passages=passages)

    def choose(self, question: str, passages: list[Passage]) -> list[tuple[Candidate, float]]:
        """The sentences to quote with their scores, best first; empty to abstain."""
        candidates = _candidates(passages)
        if not candidates:
            return []
        ranked = sorted(zip(candidates, self.score(question, candidates)), key=lambda pair: -pair[1])
        best = ranked[0][1]
        if best < self.settings.min_support:
            return []
        chosen: list[tuple[Candidate, float]] = []
        for candidate, score in ranked:
            if len(chosen) == self.settings.max_sentences or score < max(self.settings.min_support, 0.85 * best):
                break
            if not any(_repeats(candidate, other) for other, _ in chosen):
                chosen.append((candidate, score))
        return chosen

    def score(self, question: str, candidates: list[Candidate]) -> list[float]:
        """How well each sentence answers: embedding similarity blended with word overlap."""
        question_vector = np.asarray(self.embeddings.embed_query(question))
        vectors = np.asarray(self.embeddings.embed_documents([c.text for c in candidates]))
        dense = vectors @ question_vector
        wanted = terms(question)
        scores = []
        for candidate, similarity in zip(candidates, dense):
            score = _DENSE_WEIGHT * float(similarity) + (1 - _DENSE_WEIGHT) * overlap(wanted, candidate.text)
            scores.append(score * (_FRAGMENT_PENALTY if candidate.fragment else 1.0))
        return scores


def _candidates(passages: list[Passage]) -> list[Candidate]:
    """Every quotable sentence of the passages, each document span once."""
    seen: set[tuple[str, int]] = set()
    found = []
    for passage in passages:
        for start, end in sentence_spans(passage.text):
            key = (passage.doc_id, passage.start + start)
            if key in seen or len(passage.text[start:end].split()) < _MIN_WORDS:
                continue
            seen.add(key)
            found.append(Candidate(passage, start, end))
    return found


def _repeats(candidate: Candidate, other: Candidate) -> bool:
    """Whether two sentences say nearly the same words (overlapping passages, repeated lines)."""
    a, b = terms(candidate.text), terms(other.text)
    return bool(a) and len(a & b) / len(a | b) > 0.8
