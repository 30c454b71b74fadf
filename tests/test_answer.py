"""Answers from the real index: right passage cited, verbatim quotes, abstention, streaming."""

from __future__ import annotations

import json

import pytest

from assistant import Answer, Assistant, EmptyIndexError, QuestionError
from tests.conftest import SEED, SEED_QUESTIONS


def document_text(citation) -> str:
    return open(citation.source, encoding="utf-8").read()


def test_european_resolution_vote_count_is_cited(seeded):
    answer = seeded.ask("How many countries voted for the European resolution?")
    assert not answer.abstained
    first = answer.text.split("[1]")[0]
    assert "93" in first
    citation = answer.citations[0]
    assert citation.number == 1 and citation.doc_id.endswith(SEED.name)
    assert "93 votes in favor" in citation.quote
    assert answer.passages[0].number == 1 and citation.quote in answer.passages[0].text


@pytest.mark.parametrize(
    ("question", "words", "document"),
    [
        ("Which Republican senator expressed concern about aligning with Russia and North Korea?", "John Curtis", SEED.name),
        ("Which British prime minister is scheduled to meet Trump?", "Keir Starmer", SEED.name),
        ("How much power will the floating solar farm produce at peak?", "9 megawatts", "lakeside-solar.txt"),
        ("How long is the largest ship model at the Harbor Museum?", "4-metre", "harbor-museum.md"),
    ],
)
def test_known_questions_cite_the_passage_holding_the_answer(seeded, question, words, document):
    answer = seeded.ask(question)
    cited = [c for c in answer.citations if words in c.quote]
    assert cited, answer.text
    assert cited[0].doc_id.endswith(document)
    assert f"[{cited[0].number}]" in answer.text


def test_every_quote_is_verbatim_at_its_offsets(seeded):
    questions = [json.loads(line)["question"] for line in SEED_QUESTIONS.read_text().splitlines()]
    checked = 0
    for question in questions[:15]:
        answer = seeded.ask(question)
        for citation in answer.citations:
            assert document_text(citation)[citation.start : citation.end] == citation.quote
            assert citation.quote in answer.text
            passage = next(p for p in answer.passages if p.number == citation.number)
            assert citation.quote in passage.text
            checked += 1
        for passage in answer.passages:
            assert open(passage.source, encoding="utf-8").read()[passage.start : passage.end] == passage.text
    assert checked >= 15


@pytest.mark.parametrize(
    "question",
    ["What is the capital of Australia?", "What is a good recipe for banana bread?", "How does photosynthesis work?"],
)
def test_off_topic_question_abstains(seeded, question):
    answer = seeded.ask(question)
    assert answer.abstained and not answer.citations
    assert "sources don't say" in answer.text


def test_stream_yields_text_pieces_then_gives_the_answer(seeded):
    response = seeded.stream("Who criticized the vote for contradicting longstanding US support for democracy?")
    pieces = list(response)
    answer = response.answer()
    assert pieces and all(isinstance(piece, str) for piece in pieces)
    assert isinstance(answer, Answer) and "".join(pieces) == answer.text == response.text()
    assert "Pelosi" in answer.text and not response.revised
    assert answer.text == " ".join(s.marked for s in answer.sentences)
    assert answer.citations == [c for s in answer.sentences for c in s.citations]


def test_follow_up_uses_the_conversation(seeded):
    first = seeded.ask("Which French president visited Donald Trump at the White House?")
    assert "Macron" in first.text
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.text}]
    follow_up = seeded.ask("Who is meeting him next?", history=history)
    assert "Starmer" in follow_up.text


def test_bad_questions_get_clear_errors(seeded):
    with pytest.raises(QuestionError, match="empty"):
        seeded.ask("   \n\t")
    with pytest.raises(QuestionError, match="10,002 characters"):
        seeded.ask("why" * 3334)
    answer = seeded.ask("How many countries voted\x00 for the European\x07 resolution?")
    assert "93" in answer.text


def test_asking_before_ingest_says_to_ingest(settings, embeddings):
    with pytest.raises(EmptyIndexError, match="assistant ingest"):
        Assistant(settings, embeddings=embeddings).ask("Anything?")
