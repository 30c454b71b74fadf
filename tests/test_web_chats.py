"""The web chat's saved chats, chat options and Documents tab, through their handlers over a
real `Assistant` (real embeddings, Chroma in a tmp dir), without a browser."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from assistant import Assistant, QuestionError
from assistant.settings import Settings
from assistant.web.app import page_css
from assistant.web import options
from assistant.web.chats import ChatHandlers
from assistant.web.documents import DocumentHandlers, shown_path
from assistant.web.uploads import add_reported

QUESTION = "Which French president visited Donald Trump at the White House?"


@pytest.fixture
def filled(assistant: Assistant, corpus: Path) -> Assistant:
    assistant.ingest([corpus])
    return assistant


def login(name: str) -> SimpleNamespace:
    return SimpleNamespace(username=name)  # what Gradio's Request carries of a login


def last(updates):
    return list(updates)[-1]


def test_an_answered_question_is_saved_for_its_login_and_reopens_with_its_options(filled):
    chat = ChatHandlers(filled)
    box, messages, turns, sources, chat_id, remembered, sidebar, export, title = last(
        chat.respond(QUESTION, [], [], None, "extractive", 5, "Standard", [], request=login("ann"))
    )
    assert chat_id and remembered == chat_id and title == QUESTION and "Macron" in turns[-1]["content"]
    assert [c[1] for c in sidebar.choices] == [chat_id] and sidebar.choices[0][0].startswith(QUESTION)
    exported = export.value["path"] if isinstance(export.value, dict) else export.value
    assert Path(exported).read_text(encoding="utf-8").startswith(f"# {QUESTION}")
    assert chat.assistant.conversations.list("bob") == []  # another login sees none of it

    last(chat.respond("Who is meeting him next?", messages, turns, chat_id, "extractive", 5, "Standard", [], request=login("ann")))
    opened = chat.load(chat_id, login("ann"))
    assert len(opened[1]) == 4 and "Starmer" in opened[1][-1]["content"] and opened[4] == chat_id
    assert opened[9:] == ("extractive", 5, "Standard", [])  # answerer, k, strictness, scope
    for_bob = chat.load(chat_id, login("bob"))  # not bob's: nothing of it is shown, his sidebar is empty
    assert for_bob[1] == gr.skip() and for_bob[4] == gr.skip() and for_bob[6].choices == []
    restarted = ChatHandlers(Assistant(filled.settings, embeddings=filled.embeddings))  # a new server process
    assert restarted.load(chat_id, login("ann"))[1] == opened[1]

    sidebar, _, status = chat.rename(chat_id, "  Visits  ", login("ann"))
    assert sidebar.choices[0][0].startswith("Visits · ") and "Renamed" in status
    assert chat.delete(chat_id, login("ann"))[1] == [] and chat.assistant.conversations.list("ann") == []


def test_a_scoped_answer_says_where_it_looked_and_an_unavailable_answerer_is_refused(filled):
    chat = ChatHandlers(filled)
    un = next(d.doc_id for d in filled.documents() if d.source.endswith("us-un-ukraine-resolutions.txt"))
    question = "How many countries voted for the European resolution?"
    *_, (_, messages, *_) = chat.respond(question, [], [], None, None, None, None, [un])
    assert "Searched within 1 document: US Breaks Ranks" in messages[-1]["content"]
    assert 'class="cite"' in messages[-1]["content"]  # an answer, with its citation card
    assert "us-un-ukraine-resolutions.txt" in messages[-1]["content"] and str(filled.settings.data_dir.parent) not in messages[-1]["content"]
    refused = chat.validate(QUESTION, [], [], None, "openai", 6, "Standard", [])[0]
    assert not refused["is_valid"] and "llm.base_url" in refused["message"]
    unknown = chat.validate(QUESTION, [], [], None, "extractive", 6, "Standard", ["nowhere.pdf"])[0]
    assert not unknown["is_valid"] and "nowhere.pdf" in unknown["message"]


def test_options_map_to_ask_arguments_and_grey_out_what_cannot_run(filled):
    chosen = options.from_inputs("extractive", 3.0, "Lenient", ["a"])
    assert options.ask_arguments(chosen, filled) == {
        "answerer": "extractive", "k": 3, "expectations": False, "min_support": 0.15, "documents": ["a"],
    }
    assert options.normalised({"strictness": "weird", "bogus": 1}, filled)["strictness"] == "Standard"
    labels = dict((name, label) for label, name in options.answerer_choices(filled))
    assert "unavailable" in labels["openai"] and "openai" in options.unavailable(filled)
    assert all("/" not in label.split("(")[-1] for label, _ in options.scope_choices(filled))


def test_documents_tab_lists_searches_opens_and_deletes(filled, tmp_path):
    docs = DocumentHandlers(filled)
    upload = tmp_path / "gull.txt"
    upload.write_text("Gull Island Lighthouse\n\nThe keeper logged 212 ships in April.\n", encoding="utf-8")
    summary, report = add_reported(filled, [(upload, "gull.txt"), (upload, "notes.xyz")])
    assert report[0] == ("gull.txt", "added, 1 passage") and report[1][0] == "notes.xyz"
    assert report[1][1].startswith("skipped")
    assert add_reported(filled, [(upload, "gull.txt")])[1] == [("gull.txt", "unchanged, 1 passage")]

    table = docs.search("gull")
    assert table.count("<tbody><tr>") == 1 and "uploads/gull.txt" in table and str(tmp_path) not in table
    assert "No document matches" in docs.search("zeppelin")
    gull = next(d.doc_id for d in filled.documents() if d.source.endswith("gull.txt"))
    assert 'class="passage-mark" data-passage="1"' in docs.open(gull) and "212 ships" in docs.open(gull)
    assert "Deleted" in docs.delete(gull) and "No document matches" in docs.search("gull")
    assert "error" in docs.delete(gull)  # already gone: a message, not an exception


def test_paths_are_shown_relative_never_absolute(tmp_path):
    assert shown_path(str(tmp_path / "data" / "uploads" / "a.txt"), tmp_path / "data") == "uploads/a.txt"
    assert shown_path("docs/b.md", tmp_path) == "docs/b.md"
    assert shown_path("/srv/corpus/news/c.txt", tmp_path) == "news/c.txt"


def test_without_its_model_the_local_llm_is_greyed_out_with_the_make_model_hint(tmp_path, embeddings):
    settings = Settings(data_dir=tmp_path / "data", llm={"model_path": tmp_path / "missing.gguf"})
    bare = Assistant(settings, embeddings=embeddings)
    assert "llamacpp" in options.unavailable(bare) and "make model" in options.answerer_info(bare)
    assert '#answerer label:has(input[value="llamacpp"])' in page_css(bare)
    with pytest.raises(QuestionError, match="make model"):
        options.ask_arguments({"answerer": "llamacpp"}, bare)
