"""The sentences of retrieved passages, scored against a question: what the extractive answerer
quotes, and what a language model reads and picks from.

A sentence's score blends embedding similarity with the share of the question's words it has
(rare words weighing more); with an `Expectation`, only sentences that can answer the question
(`answers`) are kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer import Passage
from assistant.answering.checks import holds, mentions
from assistant.answering.expectations import Expectation
from assistant.settings import AnswerSettings
from assistant.words import sentence_spans, terms

_ENDINGS = tuple('.!?"”’)')
ADJACENT = 3  # characters between two sentences that follow each other (a space, a line break)

# Sentence openers that point back to what the previous sentence named.
_POINTING_BACK = frozenset("he she it they this that these those his her its their such".split())

Turns = Sequence[tuple[str, str]]


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
    def doc_start(self) -> int:
        """Where the sentence starts in its document."""
        return self.passage.start + self.start

    @property
    def doc_end(self) -> int:
        """Where the sentence ends in its document."""
        return self.passage.start + self.end

    @property
    def fragment(self) -> bool:
        """Cut by a passage boundary rather than ended by the author."""
        cut_start = self.start == 0 and self.passage.start > 0 and self.text[:1].islower()
        cut_end = self.end == len(self.passage.text) and not self.text.endswith(_ENDINGS)
        return cut_start or cut_end


@dataclass
class Ranking:
    """Every quotable sentence of the passages, and the ones that may answer, best first."""

    candidates: list[Candidate]
    ranked: list[tuple[Candidate, float]]
    leads: dict[int, Candidate] = field(default_factory=dict)  # id(sentence) -> the sentence naming what it needs

    def quote(self, candidate: Candidate) -> list[Candidate]:
        """The sentences to quote for `candidate`: with the sentence before it when that one names
        an entity of the question that it only points back to."""
        lead = self.leads.get(id(candidate))
        return [lead, candidate] if lead is not None else [candidate]

    @property
    def best(self) -> float:
        return self.ranked[0][1] if self.ranked else 0.0


class SentenceScorer:
    """Scores the passages' sentences against a question."""

    def __init__(self, embeddings: Embeddings, settings: AnswerSettings) -> None:
        self.embeddings = embeddings
        self.settings = settings

    def rank(
        self, question: str, passages: list[Passage], history: Turns = (), expected: Expectation | None = None
    ) -> Ranking:
        """The sentences best first. In a conversation, the previous question lends its words
        (a follow-up's "he" or "it" names nothing) and sentences already quoted weigh less."""
        candidates = quotable(passages, self.settings.min_words)
        if not candidates:
            return Ranking([], [])
        vectors = np.asarray(self.embeddings.embed_documents([c.text for c in candidates]))
        scores = self.score(question, candidates, vectors)
        asked = [text for role, text in history if role == "user"]
        if asked:
            context = self.score(f"{asked[-1]} {question}", candidates, vectors)
            said = " ".join(text for role, text in history if role == "assistant")
            weight, repeat = self.settings.follow_up_weight, self.settings.repeat_penalty
            scores = [
                (weight * own + (1 - weight) * wider) * (repeat if c.text in said else 1.0)
                for c, own, wider in zip(candidates, scores, context)
            ]
        ranked = sorted(zip(candidates, scores), key=lambda pair: -pair[1])
        if expected is None:
            return Ranking(candidates, ranked)
        expected = expected.looking_in(passages)
        kept, leads = [], {}
        for candidate, score in ranked:
            needed = answers(expected, candidate, candidates)
            if needed is not None:
                kept.append((candidate, score))
                if needed is not candidate:
                    leads[id(candidate)] = needed
        return Ranking(candidates, kept, leads)

    def score(self, question: str, candidates: list[Candidate], vectors: np.ndarray) -> list[float]:
        """How well each sentence answers: embedding similarity blended with word overlap.

        `vectors` are the candidates' normalized embeddings, row for row.
        """
        question_vector = np.asarray(self.embeddings.embed_query(question))
        dense = vectors @ question_vector
        lexical = _weighted_overlap(terms(question), [terms(c.text) for c in candidates])
        weight, fragment = self.settings.dense_weight, self.settings.fragment_penalty
        return [
            (weight * float(similarity) + (1 - weight) * share) * (fragment if candidate.fragment else 1.0)
            for candidate, similarity, share in zip(candidates, dense, lexical)
        ]


def answers(expected: Expectation, candidate: Candidate, candidates: list[Candidate]) -> Candidate | None:
    """Whether the sentence can answer the question: it holds the kind of thing asked for (a
    number, a date, a name ...) and, with its document's title and header fields, every entity
    the question names. Returns the sentence, or the sentence before it in its paragraph when
    this one opens by pointing back ("He", "This", ...) and that one names what this one leaves
    out; None when it can't answer."""
    if not holds(expected, candidate.text):
        return None
    passage = candidate.passage
    heading = [passage.title, *passage.fields.values()]
    if mentions(expected, " ".join([*heading, candidate.text])):
        return candidate
    if candidate.text.split(maxsplit=1)[0].lower() not in _POINTING_BACK:
        return None
    before = previous_sentence(candidate, candidates)
    if before is not None and mentions(expected, " ".join([*heading, before.text, candidate.text])):
        return before
    return None


def previous_sentence(candidate: Candidate, candidates: list[Candidate]) -> Candidate | None:
    """The candidate that `candidate` goes on from in the same paragraph, if any."""
    before = [c for c in candidates if next_sentence(c, [candidate]) is candidate]
    return max(before, key=lambda c: c.doc_end, default=None)


def excerpts(ranking: Ranking, budget: int, spread: bool = False) -> list[tuple[Passage, list[Candidate]]]:
    """The best sentences within `budget` characters, grouped by passage, best passage first:
    what a language model reads instead of whole passages (a tight context reads fast). The
    sentence that goes on from the best one in its paragraph comes second (details follow);
    with `spread`, each document's best sentence comes before any document's second."""
    order = [candidate for candidate, _ in ranking.ranked]
    if not order:
        return []
    following = next_sentence(order[0], ranking.candidates)
    if following is not None:
        order = [order[0], following, *(c for c in order[1:] if c != following)]
    if spread:
        firsts: dict[str, Candidate] = {}
        for candidate in order:
            firsts.setdefault(candidate.passage.doc_id, candidate)
        order = [*firsts.values(), *(c for c in order if all(c is not first for first in firsts.values()))]
    chosen: dict[int, list[Candidate]] = {}
    used = 0
    for candidate in order:
        if used + len(candidate.text) > budget and chosen:
            continue
        chosen.setdefault(candidate.passage.number, []).append(candidate)
        used += len(candidate.text)
    by_number = {c.passage.number: c.passage for c in order}
    return [(by_number[n], sorted(found, key=lambda c: c.start)) for n, found in chosen.items()]


def _weighted_overlap(wanted: set[str], sentences: list[set[str]]) -> list[float]:
    """Share of the question's words each sentence has, rare words among the sentences weighing more."""
    if not wanted:
        return [0.0] * len(sentences)
    count = len(sentences)
    weight = {term: math.log(1 + count / (1 + sum(term in s for s in sentences))) for term in wanted}
    total = sum(weight.values())
    return [sum(weight[t] for t in wanted & sentence) / total for sentence in sentences]


def quotable(passages: list[Passage], min_words: int) -> list[Candidate]:
    """Every quotable sentence of the passages, each document span once."""
    seen: set[tuple[str, int]] = set()
    found = []
    for passage in passages:
        for start, end in sentence_spans(passage.text):
            key = (passage.doc_id, passage.start + start)
            if key in seen or not _prose(passage.text[start:end], passage.title, min_words):
                continue
            seen.add(key)
            found.append(Candidate(passage, start, end))
    return found


def next_sentence(candidate: Candidate, candidates: list[Candidate]) -> Candidate | None:
    """The candidate that goes on from `candidate` in the same paragraph, if any."""
    after = [
        c for c in candidates
        if c.passage.doc_id == candidate.passage.doc_id and 0 <= c.doc_start - candidate.doc_end <= ADJACENT
    ]
    following = min(after, key=lambda c: c.doc_start, default=None)
    if following is None:
        return None
    gap = candidate.passage.text[candidate.end : candidate.end + following.doc_start - candidate.doc_end]
    return None if "\n" in gap else following


def cited_first(passages: list[Passage], cited: list[Passage]) -> list[Passage]:
    """Renumber passages so that the cited ones come first, in the order they are cited."""
    order = list(dict.fromkeys(p.number for p in cited)) + [p.number for p in passages]
    by_number = {p.number: p for p in passages}
    numbers = list(dict.fromkeys(order))
    return [by_number[old].model_copy(update={"number": new}) for new, old in enumerate(numbers, start=1)]


def renumbered(candidate: Candidate, passages: list[Passage]) -> Candidate:
    """The candidate pointing at its passage's new number."""
    passage = next(p for p in passages if (p.doc_id, p.start) == (candidate.passage.doc_id, candidate.passage.start))
    return Candidate(passage, candidate.start, candidate.end)


def _prose(sentence: str, title: str, min_words: int) -> bool:
    """A sentence of prose: not a heading, not the title line, not a fragment of a few words."""
    return (
        len(sentence.split()) >= min_words
        and not sentence.startswith("#")
        and sentence.rstrip("…").strip() != title.rstrip("…").strip()
    )


def repeats(candidate: Candidate, other: Candidate) -> bool:
    """Whether two sentences say nearly the same words (overlapping passages, repeated lines)."""
    a, b = terms(candidate.text), terms(other.text)
    return bool(a) and len(a & b) / len(a | b) > 0.8
