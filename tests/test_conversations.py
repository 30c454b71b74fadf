"""Saved conversations: kept in the index's database per owner, listed newest first, renamed,
deleted, read back by another `Assistant` over the same data dir (a restart), exported as Markdown."""

from __future__ import annotations

from assistant import Answer, Assistant, Citation, Passage, Sentence
from assistant.answer import Scope
from assistant.conversations import TITLE_CHARS, title_of
from assistant.transcript import markdown

QUESTION = "How many countries voted for the European resolution?"


def an_answer(question: str = QUESTION) -> Answer:
    text = "Despite an overwhelming majority supporting the European resolution with 93 votes in favor."
    passage = Passage(number=1, text=text, doc_id="d1", title="US Breaks Ranks", source="docs/un.txt",
                      start=100, end=100 + len(text), score=1.0, page=3)
    citation = Citation(number=1, doc_id="d1", title="US Breaks Ranks", source="docs/un.txt", quote=text,
                        start=100, end=100 + len(text), page=3)
    return Answer(question=question, sentences=[Sentence(text=text, citations=[citation, citation])],
                  set_aside=[Sentence(text="Ninety-three, maybe.", reason="not found in the sources")],
                  passages=[passage], scope=Scope(asked=["un.txt"], documents=["d1"]), answerer="extractive")


def test_a_conversation_keeps_its_turns_and_options_across_assistants(settings, embeddings):
    first = Assistant(settings, embeddings=embeddings)
    chat = first.conversations.start(QUESTION, options={"k": 4, "documents": ["un.txt"]})
    assert first.conversations.add(chat.id, QUESTION, an_answer())
    assert first.conversations.add(chat.id, "And the US one?", an_answer("And the US one?"))

    restarted = Assistant(settings, embeddings=embeddings)  # a new process over the same data dir
    listed = restarted.conversations.list()
    assert [c.title for c in listed] == [QUESTION] and listed[0].turns == []
    opened = restarted.conversations.get(chat.id)
    assert [t.question for t in opened.turns] == [QUESTION, "And the US one?"]
    assert opened.turns[0].answer == an_answer()
    assert opened.options == {"k": 4, "documents": ["un.txt"]}
    assert opened.history()[1] == {"role": "assistant", "content": an_answer().text}


def test_owners_see_only_their_own_conversations(assistant):
    store = assistant.conversations
    mine = store.start("Mine?", owner="ana")
    theirs = store.start("Theirs?", owner="ben")
    assert [c.id for c in store.list("ana")] == [mine.id]
    assert store.get(theirs.id, owner="ana") is None
    assert not store.add(theirs.id, "Sneaky?", an_answer(), owner="ana")
    assert not store.rename(theirs.id, "Taken", owner="ana")
    assert not store.delete(theirs.id, owner="ana")
    assert store.get(theirs.id, owner="ben").title == "Theirs?"
    assert store.list() == []  # no login: a third owner


def test_listing_is_newest_first_and_rename_and_delete_work(assistant):
    store = assistant.conversations
    old, new = store.start("Old question?"), store.start("New question?")
    store.add(old.id, "Old question?", an_answer())  # continuing a chat brings it up
    assert [c.id for c in store.list()] == [old.id, new.id]
    assert store.rename(new.id, "  Ferry   prices ")
    assert store.get(new.id).title == "Ferry prices"
    assert not store.rename(new.id, "   ")
    assert store.set_options(new.id, {"answerer": "extractive"})
    assert store.get(new.id).options == {"answerer": "extractive"}
    assert store.delete(old.id) and store.get(old.id) is None and not store.delete(old.id)
    assert [c.id for c in store.list()] == [new.id]


def test_titles_are_the_first_question_on_one_line_cut_at_a_word():
    assert title_of("  What   happened\nnext? ") == "What happened next?"
    long = "Why " * 60
    assert len(title_of(long)) <= TITLE_CHARS + 1 and title_of(long).endswith("…")


def test_markdown_export_holds_questions_answers_and_each_source_once(assistant):
    store = assistant.conversations
    chat = store.start(QUESTION)
    store.add(chat.id, QUESTION, an_answer())
    abstained = Answer(question="Banana bread?", abstained=True, note="The sources don't say.")
    store.add(chat.id, "Banana bread?", abstained)
    text = markdown(store.get(chat.id))
    assert text.startswith(f"# {QUESTION}\n")
    assert f"## {QUESTION}" in text and "## Banana bread?" in text
    assert "93 votes in favor. [1]" in text
    assert text.count("- [1] **US Breaks Ranks** (`docs/un.txt`, p. 3)") == 1
    assert "  > Despite an overwhelming majority" in text
    assert "~~Ninety-three, maybe.~~ (not found in the sources)" in text
    assert "_Asked within 1 document (un.txt)._" in text
    assert "_No answer in the sources._ The sources don't say." in text
