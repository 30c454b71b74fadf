"""The extractive answerer: no language model, it quotes the sentences of the passages that
best answer the question, each followed by its `[n]`, so every word of the answer is
verbatim in the sources. It quotes only sentences that hold what the question asks for
(`expectations`), and refuses when none does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from langchain_core.embeddings import Embeddings

from assistant.answer import Answer, Passage, Sentence
from assistant.answering.checks import says_no
from assistant.answering.expectations import YES_NO, expect
from assistant.answering.sentences import Candidate, SentenceScorer, cited_first, renumbered, repeats
from assistant.citations.support import cite
from assistant.settings import AnswerSettings

ABSTENTION = "The sources don't say: none of the indexed passages answers this question."
NOT_YES_OR_NO = (
    "The sources don't say yes or no in so many words: quoting can't judge that (an LLM answerer can). "
    "The closest passages are under Sources."
)


class ExtractiveAnswerer:
    """Quote the best-supported sentences; abstain when none supports an answer."""

    def __init__(self, embeddings: Embeddings, settings: AnswerSettings) -> None:
        self.embeddings = embeddings
        self.settings = settings
        self.scorer = SentenceScorer(embeddings, settings)

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

        A yes/no question is answered "No." when the best quote denies what it asks; quoting
        can't say "yes", so otherwise it is refused with a note.
        """
        expected = expect(question) if self.settings.expectations else None
        chosen = self.choose(question, passages, history)
        denied = bool(chosen) and expected is not None and says_no(expected, chosen[0].text)
        note = ABSTENTION
        if expected is not None and expected.kind == YES_NO and not denied:
            chosen, note = [], NOT_YES_OR_NO if chosen else ABSTENTION
        passages = cited_first(passages, [candidate.passage for candidate in chosen])
        chosen = [renumbered(candidate, passages) for candidate in chosen]
        if not chosen:
            yield note
            yield abstention(question, passages, note)
            return
        sentences = [Sentence(text=c.text, citations=[cite(c.passage, c.start, c.end)]) for c in chosen]
        if denied:  # "Was X included?" -- "devoid of any X": the quote says no
            sentences.insert(0, Sentence(text="No.", citations=sentences[0].citations, brief=True))
        for number, sentence in enumerate(sentences):
            yield sentence.marked if number == 0 else " " + sentence.marked
        yield Answer(question=question, sentences=sentences, passages=passages)

    def choose(self, question: str, passages: list[Passage], history: Sequence[tuple[str, str]] = ()) -> list[Candidate]:
        """The sentences to quote, in order; empty to abstain. With `answer.expectations`, only
        sentences that can answer the question are quoted (with the sentence before one that
        needs it to name what the question names)."""
        expected = expect(question) if self.settings.expectations else None
        ranking = self.scorer.rank(question, passages, history, expected)
        picked = self._pick(ranking.ranked) if ranking.ranked else []
        quoted = [sentence for candidate, _ in picked for sentence in ranking.quote(candidate)]
        return list({(c.passage.doc_id, c.doc_start): c for c in quoted}.values())

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
            if not any(repeats(candidate, other) for other, _ in chosen):
                chosen.append((candidate, score))
        return chosen


def abstention(question: str, passages: list[Passage], note: str = ABSTENTION, set_aside=()) -> Answer:
    """The answer that says the sources don't hold one."""
    return Answer(question=question, passages=passages, abstained=True, note=note, set_aside=list(set_aside))
