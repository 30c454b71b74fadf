"""The extractive answerer: no language model, it quotes the sentences of the passages that
best answer the question, each followed by its `[n]`, so every word of the answer is
verbatim in the sources. Its sentence scoring also picks the excerpts an LLM gets to read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer import Answer, Passage, Sentence
from assistant.answering.expectations import YES_NO, Expectation, expect, holds, mentions, says_no
from assistant.citations.support import cite
from assistant.settings import AnswerSettings
from assistant.words import sentence_spans, terms

ABSTENTION = "The sources don't say: none of the indexed passages answers this question."
NOT_YES_OR_NO = (
    "The sources don't say yes or no in so many words: quoting can't judge that (an LLM answerer can). "
    "The closest passages are under Sources."
)
_ENDINGS = tuple('.!?"”’)')
ADJACENT = 3  # characters between two sentences that follow each other (a space, a line break)
# Sentence openers that point back to what the previous sentence named.
_POINTING_BACK = frozenset("he she it they this that these those his her its their such".split())


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


class ExtractiveAnswerer:
    """Quote the best-supported sentences; abstain when none supports an answer."""

    def __init__(self, embeddings: Embeddings, settings: AnswerSettings) -> None:
        self.embeddings = embeddings
        self.settings = settings

    def query(self, question: str, history: Sequence[tuple[str, str]] = ()) -> str:
        """The retrieval query: a follow-up carries the previous question's words along."""
        asked = [text for role, text in history if role == "user"]
        return f"{asked[-1]}\n{question}" if asked else question

    def stream(
        self,
        question: str,
        passages: list[Passage],
        history: Sequence[tuple[str, str]] = (),
        query: str | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer's text in pieces, then the finished `Answer`.

        In a conversation, the previous question lends its words to the scoring (a
        follow-up's "he" or "it" names nothing), and sentences already quoted weigh less.
        """
        expected = expect(question) if self.settings.expectations else None
        chosen = self.choose(question, passages, history, expected)
        denied = bool(chosen) and expected is not None and says_no(expected, chosen[0][0].text)
        if expected is not None and expected.kind == YES_NO and not denied:
            chosen, note = [], NOT_YES_OR_NO if chosen else ABSTENTION
        else:
            note = ABSTENTION
        passages = cited_first(passages, [candidate.passage for candidate, _ in chosen])
        chosen = [(_renumbered(candidate, passages), score) for candidate, score in chosen]
        if not chosen:
            yield note
            yield abstention(question, passages, note)
            return
        sentences = [Sentence(text=c.text, citations=[cite(c.passage, c.start, c.end)]) for c, _ in chosen]
        if denied:  # "Was X included?" -- "devoid of any X": the quote says no
            sentences.insert(0, Sentence(text="No.", citations=sentences[0].citations))
        for number, sentence in enumerate(sentences):
            yield sentence.marked if number == 0 else " " + sentence.marked
        yield Answer(question=question, sentences=sentences, passages=passages)

    def choose(
        self,
        question: str,
        passages: list[Passage],
        history: Sequence[tuple[str, str]] = (),
        expected: Expectation | None = None,
    ) -> list[tuple[Candidate, float]]:
        """The sentences to quote with their scores, best first; empty to abstain. With
        `expected`, only sentences that can answer the question (`answers`) are quoted."""
        candidates = _candidates(passages, self.settings.min_words)
        if not candidates:
            return []
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
        if expected is not None:
            ranked = [(c, score) for c, score in ranked if answers(expected, c, candidates)]
        return self._pick(ranked) if ranked else []

    def excerpts(
        self, question: str, passages: list[Passage], budget: int
    ) -> tuple[list[tuple[Passage, list[Candidate]]], float]:
        """The best sentences within `budget` characters, grouped by passage, best passage first,
        and the best sentence's score (below `min_support`, nothing answers the question).

        What a language model reads instead of whole passages: a tight context reads fast.
        """
        candidates = _candidates(passages, self.settings.min_words)
        if not candidates:
            return [], 0.0
        vectors = np.asarray(self.embeddings.embed_documents([c.text for c in candidates]))
        ranked = sorted(zip(candidates, self.score(question, candidates, vectors)), key=lambda pair: -pair[1])
        order = [candidate for candidate, _ in ranked]
        following = _next_sentence(order[0], candidates)
        if following is not None:  # the best sentence's detail often goes on in the next one
            order.remove(following)
            order.insert(1, following)
        chosen: dict[int, list[Candidate]] = {}
        used = 0
        for candidate in order:
            if used + len(candidate.text) > budget and chosen:
                continue
            chosen.setdefault(candidate.passage.number, []).append(candidate)
            used += len(candidate.text)
        by_number = {p.number: p for p in passages}
        grouped = [(by_number[n], sorted(found, key=lambda c: c.start)) for n, found in chosen.items()]
        return grouped, ranked[0][1]

    def _pick(self, ranked: list[tuple[Candidate, float]]) -> list[tuple[Candidate, float]]:
        """The best sentence and the close runners-up that don't repeat it."""
        best = ranked[0][1]
        floor = max(self.settings.min_support, self.settings.runner_up * best)
        if best < self.settings.min_support:
            return []
        chosen: list[tuple[Candidate, float]] = []
        for candidate, score in ranked:
            if len(chosen) == self.settings.max_sentences or score < floor:
                break
            if not any(_repeats(candidate, other) for other, _ in chosen):
                chosen.append((candidate, score))
        return chosen

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


def abstention(question: str, passages: list[Passage], note: str = ABSTENTION, set_aside=()) -> Answer:
    """The answer that says the sources don't hold one."""
    return Answer(question=question, passages=passages, abstained=True, note=note, set_aside=list(set_aside))


def answers(expected: Expectation, candidate: Candidate, candidates: list[Candidate]) -> bool:
    """Whether the sentence can answer the question: it holds the kind of thing asked for (a
    number, a date, a name ...) and, with its document's title and header fields and the
    sentence its pronoun points back to, every entity the question names."""
    if not holds(expected, candidate.text):
        return False
    passage = candidate.passage
    context = [passage.title, *passage.fields.values(), candidate.text]
    if candidate.text.split(maxsplit=1)[0].lower() in _POINTING_BACK:
        before = [c for c in candidates if c.passage is passage and c.end <= candidate.start]
        context += [before[-1].text] if before else []
    return mentions(expected, " ".join(context))


def _weighted_overlap(wanted: set[str], sentences: list[set[str]]) -> list[float]:
    """Share of the question's words each sentence has, rare words among the sentences weighing more."""
    if not wanted:
        return [0.0] * len(sentences)
    count = len(sentences)
    weight = {term: math.log(1 + count / (1 + sum(term in s for s in sentences))) for term in wanted}
    total = sum(weight.values())
    return [sum(weight[t] for t in wanted & sentence) / total for sentence in sentences]


def _candidates(passages: list[Passage], min_words: int) -> list[Candidate]:
    """Every quotable sentence of the passages, each document span once."""
    seen: set[tuple[str, int]] = set()
    found = []
    for passage in passages:
        for start, end in sentence_spans(passage.text):
            key = (passage.doc_id, passage.start + start)
            if key in seen or not _quotable(passage.text[start:end], passage.title, min_words):
                continue
            seen.add(key)
            found.append(Candidate(passage, start, end))
    return found


def _next_sentence(candidate: Candidate, candidates: list[Candidate]) -> Candidate | None:
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


def _renumbered(candidate: Candidate, passages: list[Passage]) -> Candidate:
    """The candidate pointing at its passage's new number."""
    passage = next(p for p in passages if (p.doc_id, p.start) == (candidate.passage.doc_id, candidate.passage.start))
    return Candidate(passage, candidate.start, candidate.end)


def _quotable(sentence: str, title: str, min_words: int) -> bool:
    """A sentence of prose: not a heading, not the title line, not a fragment of a few words."""
    return (
        len(sentence.split()) >= min_words
        and not sentence.startswith("#")
        and sentence.rstrip("…").strip() != title.rstrip("…").strip()
    )


def _repeats(candidate: Candidate, other: Candidate) -> bool:
    """Whether two sentences say nearly the same words (overlapping passages, repeated lines)."""
    a, b = terms(candidate.text), terms(other.text)
    return bool(a) and len(a & b) / len(a | b) > 0.8

