"""The generative answerer: a language model writes the answer from the passages' best
sentences, citing them as `[n]`; the citations are checked once the text is complete.
An answer that only gives the question's words back is replaced by the extractive quote.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from assistant.answer import Answer, Passage
from assistant.answering.extractive import ABSTENTION, ADJACENT, Candidate, ExtractiveAnswerer, abstention, cited_first
from assistant.answering.prompts import ANSWER_PROMPT, CONDENSE_PROMPT, PASSAGE, PASSAGE_FIELDS, SENTINEL, VERIFY_PROMPT
from assistant.citations.markers import strip_markers
from assistant.citations.resolve import resolve
from assistant.citations.support import Verifier
from assistant.settings import AnswerSettings
from assistant.words import terms

_HISTORY_TURNS = 4
_TURN_CHARS = 400
_ELLIPSIS = " … "
_VERDICT_TOKENS = 3


class GenerativeAnswerer:
    """Answers in the model's own words; every sentence must cite a passage that supports it."""

    def __init__(self, model: BaseChatModel, embeddings: Embeddings, settings: AnswerSettings) -> None:
        self.model = model
        self.embeddings = embeddings
        self.settings = settings
        self.selector = ExtractiveAnswerer(embeddings, settings)

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
        """Stream the model's tokens (held back while they could be the sentinel), then the `Answer`."""
        asked = query or question
        excerpts, best = self.selector.excerpts(asked, passages, self.settings.context_chars)
        passages = cited_first(passages, [passage for passage, _ in excerpts])
        if best < self.settings.min_support:  # nothing retrieved is near the question: no model call
            yield ABSTENTION
            yield abstention(question, passages)
            return
        messages = ANSWER_PROMPT.format_messages(passages=format_excerpts(excerpts, passages), question=asked)
        written: list[str] = []
        released = False
        for piece in _release(_tokens(self.model.stream(messages), written)):
            released = True
            yield piece
        text = "".join(written)
        if is_abstention(text):
            if not released:
                yield ABSTENTION
            yield abstention(question, passages)
            return
        if restates(asked, text):  # true but empty ("X held the vote" to "Where is X that held the vote?")
            *_, quoted = self.selector.stream(question, passages, history, query)
            yield quoted
            return
        sentences = resolve(text, passages, self.embeddings, self.verifier() if self.settings.verify else None)
        yield Answer(question=question, sentences=sentences, passages=passages)

    def verifier(self) -> Verifier:
        """The model as judge of whether a quote states a claim (a few tokens per call)."""
        judge = VERIFY_PROMPT | self.model.bind(max_tokens=_VERDICT_TOKENS, stop=["\n"]) | StrOutputParser()

        def verify(claim: str, quote: str) -> bool:
            verdict = judge.invoke({"claim": claim, "source": html.escape(quote, quote=False)})
            return verdict.strip().strip('"*').lower().startswith("yes")

        return verify


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


def restates(question: str, text: str) -> bool:
    """Whether the answer only gives the question's own words back: no word of it is news.

    Small models answer "Which minister will meet him?" with "The minister will meet him [1]."
    Such an answer is true and cited, so the citation check passes it; it still answers nothing.
    """
    said = terms(strip_markers(text))
    return bool(said) and said <= terms(question)


def is_abstention(text: str) -> bool:
    """Whether the model answered with the sentinel (anywhere: small models add words)."""
    normal = " ".join(text.lower().replace("do not", "don't").replace("’", "'").split())
    return SENTINEL.lower().rstrip(".") in normal or not strip_markers(text)


def _tokens(chunks, written: list[str]) -> Iterator[str]:
    """The text of each streamed chunk, also collected in `written`."""
    for chunk in chunks:
        if isinstance(chunk.content, str) and chunk.content:
            written.append(chunk.content)
            yield chunk.content


def _release(pieces: Iterator[str]) -> Iterator[str]:
    """Pieces as they come, held back while they could still spell the sentinel."""
    held = ""
    holding = True
    for piece in pieces:
        if holding:
            held += piece
            if SENTINEL.startswith(held.lstrip()):
                continue
            holding, piece = False, held
        yield piece
