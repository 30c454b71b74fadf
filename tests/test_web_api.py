"""The web chat's API from `gradio_client`, against the real server (`assistant serve`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError, AuthenticationError

from tests.conftest import make_corpus
from tests.webserver import running_server

pytestmark = pytest.mark.slow  # a real server as a subprocess

# Twenty questions with different answers: (question, a phrase the answer must hold, the cited file).
QUESTIONS = [
    ("How many countries voted for the European resolution?", "93 votes", "us-un-ukraine-resolutions.txt"),
    ("Which countries did the US side with at the UN General Assembly?", "Belarus", "us-un-ukraine-resolutions.txt"),
    ("Which Republican senator expressed concern about aligning with Russia and North Korea?", "John Curtis", "us-un-ukraine-resolutions.txt"),
    ("Who criticized the vote for contradicting longstanding US support for democracy?", "Pelosi", "us-un-ukraine-resolutions.txt"),
    ("Which French president visited Donald Trump at the White House?", "Macron", "us-un-ukraine-resolutions.txt"),
    ("Which British prime minister is scheduled to meet Trump?", "Starmer", "us-un-ukraine-resolutions.txt"),
    ("Where is the UN General Assembly that held the vote?", "New York", "us-un-ukraine-resolutions.txt"),
    ("What happened to the US resolution at the UN Security Council?", "narrowly passed", "us-un-ukraine-resolutions.txt"),
    ("Why is the General Assembly the principal venue for discussion of the war?", "deadlock", "us-un-ukraine-resolutions.txt"),
    ("What anniversary did the UN resolutions mark?", "three years", "us-un-ukraine-resolutions.txt"),
    ("What did the European-drafted resolution reinforce?", "territorial integrity", "us-un-ukraine-resolutions.txt"),
    ("What concerns does the US change in stance raise?", "European security", "us-un-ukraine-resolutions.txt"),
    ("What does the vote signal about American strategy, according to observers?", "shift in American strategy", "us-un-ukraine-resolutions.txt"),
    ("What rift does the US change in stance highlight?", "rift", "us-un-ukraine-resolutions.txt"),
    ("Which traditional allies abstained?", "UK and France", "us-un-ukraine-resolutions.txt"),
    ("How did the Lakeside town council vote on the floating solar farm?", "7 to 2", "lakeside-solar.txt"),
    ("How many homes will the floating solar farm supply?", "3,000 homes", "lakeside-solar.txt"),
    ("How much is the green bond?", "14 million euros", "lakeside-solar.txt"),
    ("How much did the Harbor Museum renovation cost?", "6.5 million euros", "harbor-museum.md"),
    ("How many visitors came to the Harbor Museum on the first weekend?", "8,000", "harbor-museum.md"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-api")
    with running_server(root, make_corpus(root / "corpus")) as server:
        yield server


def client(url: str) -> Client:
    return Client(url, verbose=False, analytics_enabled=False, download_files=False)


def check(answer: dict, question: str, phrase: str, file: str) -> None:
    """The answer is to this question, holds the phrase, and cites the right file for it."""
    assert answer["question"] == question
    assert not answer["abstained"], answer["text"]
    assert phrase in answer["text"], (question, answer["text"])
    cited = [c for c in answer["citations"] if phrase in c["quote"]]
    assert cited and all(c["source"].endswith(file) for c in cited), answer["citations"]
    assert f"[{cited[0]['number']}]" in answer["text"]


def test_ask_returns_the_answer_with_citations(server):
    question, phrase, file = QUESTIONS[0]
    answer = client(server.url).predict(question=question, history=[], api_name="/ask")
    check(answer, question, phrase, file)
    citation = answer["citations"][0]
    passage = next(p for p in answer["passages"] if p["number"] == citation["number"])
    offset = citation["start"] - passage["start"]
    assert passage["text"][offset : offset + len(citation["quote"])] == citation["quote"]


def test_history_carries_the_conversation(server):
    api = client(server.url)
    first = api.predict(question="Which French president visited Donald Trump at the White House?", history=[], api_name="/ask")
    history = [{"role": "user", "content": first["question"]}, {"role": "assistant", "content": first["text"]}]
    follow_up = api.predict(question="Who is meeting him next?", history=history, api_name="/ask")
    assert "Starmer" in follow_up["text"]


@pytest.mark.parametrize(
    ("question", "message"),
    [("   ", "The question is empty"), (("Why " * 2500).strip() + "?", "10,000 characters long")],
)
def test_bad_questions_are_refused_with_the_reason(server, question, message):
    with pytest.raises(AppError, match=message):
        client(server.url).predict(question=question, history=[], api_name="/ask")


@pytest.mark.parametrize("history", [[["only one"]], [{"role": "user", "content": {"x": 1}}], "a string"])
def test_a_malformed_history_gets_a_clear_error_and_no_traceback(server, history):
    with pytest.raises(AppError, match=r"The history .*\[question, answer\] pairs"):
        client(server.url).predict(question=QUESTIONS[0][0], history=history, api_name="/ask")
    assert "Traceback" not in server.log.read_text(errors="replace")


def test_only_ask_is_public(server):
    endpoints = client(server.url).view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/ask"]


def test_twenty_concurrent_clients_each_get_their_own_answer(server):
    """Each client asks a different question at the same time; no answer is cut short or swapped."""
    expected = {question: client(server.url).predict(question=question, history=[], api_name="/ask") for question, *_ in QUESTIONS}
    clients = [client(server.url) for _ in QUESTIONS]

    def ask(pair):
        api, (question, *_rest) = pair
        return api.predict(question=question, history=[], api_name="/ask")

    with ThreadPoolExecutor(max_workers=len(QUESTIONS)) as pool:
        answers = list(pool.map(ask, zip(clients, QUESTIONS, strict=True)))
    for answer, (question, phrase, file) in zip(answers, QUESTIONS, strict=True):
        check(answer, question, phrase, file)
        assert answer == expected[question]  # complete, and the same as asked alone


def test_auth_guards_the_page_and_the_api(tmp_path):
    with running_server(tmp_path, make_corpus(tmp_path / "corpus"), "--auth", "reader:open sesame") as server:
        assert httpx.get(server.url + "config").status_code == 401
        with pytest.raises(AuthenticationError, match="credentials were not provided"):
            client(server.url)
        api = Client(server.url, auth=("reader", "open sesame"), verbose=False, analytics_enabled=False, download_files=False)
        answer = api.predict(question=QUESTIONS[0][0], history=[], api_name="/ask")
        check(answer, *QUESTIONS[0])
