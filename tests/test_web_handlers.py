"""The web chat's handlers over a real `Assistant`, without a browser; uploads; settings."""

from __future__ import annotations

import doctest

import pytest

from assistant import ConfigError
from assistant.web import uploads
from assistant.web.app import ChatHandlers, example_questions
from assistant.web.logins import parse_auth


def test_respond_streams_then_renders_the_answer_and_records_the_turn(seeded):
    question = "Which French president visited Donald Trump at the White House?"
    updates = list(ChatHandlers(seeded).respond(question, [], []))
    *streaming, (box, messages, turns, sources, *_) = updates
    assert streaming and all('class="answer streaming"' in u[1][-1]["content"] for u in streaming)
    assert box == "" and [m["role"] for m in messages] == ["user", "assistant"]
    assert 'class="cite"' in messages[-1]["content"] and "Macron" in messages[-1]["content"]
    assert turns[0] == {"role": "user", "content": question} and "Macron" in turns[1]["content"]
    assert "<mark>" in sources
    *_, (_, messages, turns, *_) = ChatHandlers(seeded).respond("Who is meeting him next?", messages, turns)
    assert len(messages) == len(turns) == 4 and "Starmer" in turns[-1]["content"]


def test_an_error_shows_in_the_chat_and_gives_the_question_back(assistant):
    earlier = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    (box, messages, turns, *_), = ChatHandlers(assistant).respond("Anything?", earlier, [])
    assert box == "Anything?" and turns == []
    assert messages[:2] == earlier and "assistant ingest" in messages[-1]["content"]


def test_validate_refuses_bad_questions_and_an_empty_index(seeded, assistant):
    ok, *_ = ChatHandlers(seeded).validate("Who is meeting Trump?", [], [])
    empty, *_ = ChatHandlers(seeded).validate("  ", [], [])
    nothing, *_ = ChatHandlers(assistant).validate("Who is meeting Trump?", [], [])
    assert ok["is_valid"] and not empty["is_valid"] and "empty" in empty["message"]
    assert not nothing["is_valid"] and "Nothing is indexed yet" in nothing["message"]


def test_upload_names_are_made_safe():
    failures, tried = doctest.testmod(uploads)
    assert tried and not failures
    assert uploads.safe_name("") == "upload"
    assert uploads.safe_name("../..") == "upload"
    assert len(uploads.safe_name("a" * 500 + ".txt")) == uploads.MAX_NAME
    assert uploads.safe_name("a" * 500 + ".txt").endswith(".txt")


def test_uploads_are_stored_inside_the_folder(tmp_path):
    source = tmp_path / "upload.tmp"
    source.write_text("text")
    folder = tmp_path / "data" / "uploads"
    stored = uploads.store([(source, "../../../evil.txt"), (source, "/etc/cron.d/job.md")], folder)
    assert stored == [folder.resolve() / "evil.txt", folder.resolve() / "job.md"]
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["evil.txt", "job.md", "upload.tmp"]


def test_example_questions_come_from_the_corpus_and_get_answers(seeded):
    documents = seeded.documents()
    questions = example_questions(documents)
    assert len(questions) == len(documents) == 3
    assert "What is “Lakeside Town Approves Floating Solar Farm” about?" in questions
    assert all(len(question) < 100 for question in questions)
    for question in questions:
        answer = seeded.ask(question)
        assert answer.citations and not answer.abstained


def test_auth_is_user_colon_password():
    assert parse_auth(None) is None and parse_auth("") is None
    assert parse_auth("me:se:cret") == ("me", "se:cret")
    for bad in ("me", "me:", ":secret"):
        with pytest.raises(ConfigError, match="USER:PASSWORD"):
            parse_auth(bad)


def test_the_login_comes_from_the_settings_or_a_file_and_delays_grow_to_a_cap(tmp_path):
    from assistant.settings import WebSettings
    from assistant.web.logins import LoginGuard, configured_account, is_loopback

    login = tmp_path / "login"
    login.write_text("\n  reader:open sesame  \nignored:line\n", encoding="utf-8")
    assert configured_account(WebSettings(auth_file=login)) == ("reader", "open sesame")
    assert configured_account(WebSettings(auth="me:pw", auth_file=login)) == ("me", "pw")
    assert configured_account(WebSettings()) is None
    with pytest.raises(ConfigError, match="Cannot read the login file"):
        configured_account(WebSettings(auth_file=tmp_path / "missing"))
    assert [LoginGuard("a", "b").delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "192.168.1.5", "example.org")] == [
        True, True, True, False, False, False,
    ]


def test_the_served_app_tells_the_login_check_which_client_tries(assistant):
    import gradio as gr
    from fastapi.testclient import TestClient

    from assistant.web import server
    from assistant.web.logins import LoginGuard

    guard = LoginGuard("reader", "open sesame", first=0.01)
    with gr.Blocks() as page:
        gr.Markdown("The chat")
    with TestClient(server.app(page, assistant, auth=guard.checker(), css="")) as client:
        assert client.post("/login", data={"username": "reader", "password": "wrong"}).status_code == 400
        assert client.post("/login", data={"username": "reader", "password": "open sesame"}).status_code == 200
        assert client.post("/login", data={"username": "reader", "password": "guess"}).status_code == 400
    assert list(guard._failures) == ["testclient"]  # by its address (the middleware's); without it, "unknown"
