"""The generative answerer: a language model decides, the sources speak.

The model reads the best sentences of the retrieved passages and replies with the number of
the passage that answers and the few words of it that do (or yes/no, or the sentinel): a
choice small models make more reliably than they write. The answer is then the passage's own
sentence holding those words, quoted verbatim and checked like an extractive quote (it must
hold what the question asks for); words found in no passage are set aside, never shown as the
answer. A yes/no answer is the model's verdict followed by the quotes it rests on, one per
document, so a comparison shows each document's fact.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from assistant.answer import Answer, Passage, Sentence
from assistant.answering.checks import full_name, holds, mentions, says_no
from assistant.answering.expectations import YES_NO, Expectation, expect
from assistant.answering.extractive import ABSTENTION, abstention
from assistant.answering.prompts import ANSWER_PROMPT, CONDENSE_PROMPT, PASSAGE, PASSAGE_FIELDS, SENTINEL, VERIFY_PROMPT
from assistant.answering.replies import Reply, locate, parse_reply, states
from assistant.answering.sentences import (
    ADJACENT,
    Candidate,
    Ranking,
    SentenceScorer,
    cited_first,
    excerpts,
    previous_sentence,
    renumbered,
)
from assistant.citations.markers import strip_markers
from assistant.citations.support import Verifier, cite
from assistant.settings import AnswerSettings

_HISTORY_TURNS = 4
_TURN_CHARS = 400
_ELLIPSIS = " … "
_VERDICT_TOKENS = 3
_REPLY_TOKENS = 48  # a passage number and a few words
_DOCUMENTS_CITED = 4
NOT_FOUND = "not found in the sources: the model's words are in none of the passages"
NOT_ANSWERING = "the passage sentence holding these words does not hold what the question asks for"
NO_VERDICT = "a yes/no question, but the model answered neither yes nor no"


class GenerativeAnswerer:
    """The model picks the passage and words that answer; the answer quotes the passage."""

    def __init__(self, model: BaseChatModel, embeddings: Embeddings, settings: AnswerSettings) -> None:
        self.model = model
        self.embeddings = embeddings
        self.settings = settings
        self.scorer = SentenceScorer(embeddings, settings)

    def query(self, question: str, history: Sequence[tuple[str, str]] = ()) -> str:
        """A follow-up rewritten by the model into a standalone question; else the question."""
        if not any(role == "user" for role, _ in history):
            return question
        conversation = "\n".join(
            f"{role}: {strip_markers(text)[:_TURN_CHARS]}" for role, text in history[-_HISTORY_TURNS:]
        )
        rewritten = (CONDENSE_PROMPT | self.model | StrOutputParser()).invoke(
            {"history": conversation, "question": question}
        )
        lines = [line.strip().strip('"') for line in rewritten.strip().splitlines() if line.strip()]
        # The rewrite shares the answer's system message, whose sentinel a model may give back here.
        return lines[0] if lines and not is_abstention(lines[0]) else question

    def stream(
        self,
        question: str,
        passages: list[Passage],
        history: Sequence[tuple[str, str]] = (),
        query: str | None = None,
    ) -> Iterator[str | Answer]:
        """The checked answer's sentences as pieces, then the `Answer`; nothing the check has
        not passed is streamed. No model call when no sentence can answer the question."""
        asked = query or question
        expected = expect(asked).named_in(question).looking_in(passages)
        ranking = self.scorer.rank(asked, passages, (), expected if self.settings.expectations else None)
        spread = expected.kind == YES_NO
        passages = cited_first(passages, [p for p, _ in excerpts(ranking, self.settings.context_chars, spread)])
        if ranking.best < self.settings.min_support:  # nothing retrieved can answer it
            yield ABSTENTION
            yield abstention(question, passages)
            return
        ranking = _renumbered(ranking, passages)
        read = excerpts(ranking, self.settings.context_chars, spread)
        messages = ANSWER_PROMPT.format_messages(passages=format_excerpts(read, passages), question=asked)
        reply = (self.model.bind(max_tokens=_REPLY_TOKENS, stop=["\n"]) | StrOutputParser()).invoke(messages)
        answer = self._answer(question, expected, parse_reply(reply), ranking, read, passages)
        for number, sentence in enumerate(answer.sentences):
            yield sentence.marked if number == 0 else " " + sentence.marked
        if answer.abstained:
            yield answer.note
        yield answer

    def _answer(
        self, question: str, expected: Expectation, reply: Reply, ranking: Ranking, read, passages: list[Passage]
    ) -> Answer:
        """The Answer the reply makes: quotes of the passages, or an abstention with what was set aside."""
        if reply.abstains:
            return abstention(question, passages)
        if expected.kind == YES_NO:
            return self._verdict(question, expected, reply, ranking, read, passages)
        found = locate(reply.words, ranking.candidates, reply.number, expected.question)
        if found is None:
            return abstention(question, passages, set_aside=[Sentence(text=reply.words, reason=NOT_FOUND)])
        quoted = ranking.quote(found) if any(c is found for c, _ in ranking.ranked) else self._with_lead(expected, found, ranking)
        if self.settings.expectations and not quoted:
            return abstention(question, passages, set_aside=[_quoted(found, NOT_ANSWERING)])
        if expected.across_documents and states(reply.words, found.text):
            short = _short(reply.words, found, ranking)
            return Answer(question=question, sentences=[short, _quoted(found)], passages=passages)
        return Answer(question=question, sentences=[_quoted(c) for c in quoted or [found]], passages=passages)

    def _with_lead(self, expected: Expectation, found: Candidate, ranking: Ranking) -> list[Candidate]:
        """The sentence the model chose with the one before it in its paragraph, when together
        they hold what the question asks for ("... at the UN Security Council. The abstentions
        from allies like the UK and France ..."): the model read both; empty when they don't."""
        lead = previous_sentence(found, ranking.candidates)
        if lead is None or not holds(expected, found.text):
            return []
        heading = [found.passage.title, *found.passage.fields.values()]
        return [lead, found] if mentions(expected, " ".join([*heading, lead.text, found.text])) else []

    def _verdict(
        self, question: str, expected: Expectation, reply: Reply, ranking: Ranking, read, passages: list[Passage]
    ) -> Answer:
        """"Yes."/"No." citing the best sentence the model read of each document, then those quotes;
        "No." whatever the model said when a quote denies what the question asks (`says_no`)."""
        if reply.verdict is None:
            return abstention(question, passages, set_aside=[Sentence(text=reply.words, reason=NO_VERDICT)])
        facts: dict[str, Candidate] = {}
        for passage, sentences in read:
            best = max(sentences, key=lambda c: _score(ranking, c))
            if passage.doc_id not in facts or _score(ranking, best) > _score(ranking, facts[passage.doc_id]):
                facts[passage.doc_id] = best
        ordered = sorted(facts.values(), key=lambda c: -_score(ranking, c))
        quotes = [_quoted(fact) for fact in ordered]
        denied = any(says_no(expected, fact.text) for fact in ordered)  # "devoid of any reference" is a no
        verdict = "no" if denied else reply.verdict
        verdict = Sentence(text=f"{verdict.capitalize()}.", citations=[q.citations[0] for q in quotes], brief=True)
        return Answer(question=question, sentences=[verdict, *quotes], passages=passages)

    def verifier(self) -> Verifier:
        """The model as judge of whether a quote states a claim (a few tokens per call)."""
        judge = VERIFY_PROMPT | self.model.bind(max_tokens=_VERDICT_TOKENS, stop=["\n"]) | StrOutputParser()

        def verify(claim: str, quote: str) -> bool:
            verdict = judge.invoke({"claim": claim, "source": html.escape(quote, quote=False)})
            return verdict.strip().strip('"*').lower().startswith("yes")

        return verify


def _quoted(candidate: Candidate, reason: str = "") -> Sentence:
    return Sentence(text=candidate.text, citations=[cite(candidate.passage, candidate.start, candidate.end)], reason=reason)


def _short(words: str, found: Candidate, ranking: Ranking) -> Sentence:
    """The model's few words as the answer, citing every document's best sentence that holds
    them verbatim (the chosen one first): a question across documents ("Which company, reported
    by both The Verge and TechCrunch, ...") is answered by a name each of them states."""
    others = [c for c in ranking.candidates if c is not found and states(words, c.text)]
    holding = [found, *sorted(others, key=lambda c: -_score(ranking, c))]
    per_document: dict[str, Candidate] = {}
    for candidate in holding:
        per_document.setdefault(candidate.passage.doc_id, candidate)
    cited = list(per_document.values())[:_DOCUMENTS_CITED]
    name = full_name(words, [c.text for c in cited])
    return Sentence(text=name.rstrip(". ") + ".", citations=[cite(c.passage, c.start, c.end) for c in cited], brief=True)


def _score(ranking: Ranking, candidate: Candidate) -> float:
    return next((score for c, score in ranking.ranked if c == candidate), 0.0)


def _renumbered(ranking: Ranking, passages: list[Passage]) -> Ranking:
    """The ranking with its candidates pointing at the passages' new numbers."""
    moved = {id(c): renumbered(c, passages) for c in ranking.candidates}
    leads = {id(moved[key]): moved[id(lead)] for key, lead in ranking.leads.items()}
    ranked = [(moved[id(c)], score) for c, score in ranking.ranked]
    return Ranking([moved[id(c)] for c in ranking.candidates], ranked, leads)


def format_excerpts(excerpts: list[tuple[Passage, list[Candidate]]], numbered: list[Passage]) -> str:
    """The prompt's passages: each one's chosen sentences, under its (new) number.

    Text is HTML-escaped so that a document cannot close the `<passage>` tag and write
    outside it.
    """
    number_of = {(p.doc_id, p.start): p.number for p in numbered}
    blocks = []
    for passage, sentences in excerpts:
        blocks.append(
            PASSAGE.format(
                number=number_of[(passage.doc_id, passage.start)],
                about=_about(passage),
                text=html.escape(_joined(sentences), quote=False),
            )
        )
    return "\n".join(blocks)


def _joined(sentences: list[Candidate]) -> str:
    """The sentences in document order, an ellipsis where text was left out between them."""
    text = sentences[0].text
    for before, sentence in zip(sentences, sentences[1:]):
        text += (" " if 0 <= sentence.doc_start - before.doc_end <= ADJACENT else _ELLIPSIS) + sentence.text
    return text


def _about(passage: Passage) -> str:
    """The passage's header fields as tag attributes (outlet, date, author), escaped."""
    return "".join(
        f' {name}="{html.escape(passage.fields[name])}"' for name in PASSAGE_FIELDS if passage.fields.get(name)
    )


def is_abstention(text: str) -> bool:
    """Whether the model answered with the sentinel (anywhere: small models add words)."""
    normal = " ".join(text.lower().replace("do not", "don't").replace("’", "'").split())
    return SENTINEL.lower().rstrip(".") in normal or not strip_markers(text)
