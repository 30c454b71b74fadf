"""The OpenAI-compatible API of a real `assistant serve`, from the `openai` package and from
LangChain's `ChatOpenAI`: plain and streamed answers, follow-ups, abstentions, citations
verbatim in their files, the page still behind its login on the same port, token counts."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import openai
import pytest
from gradio_client import Client
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from assistant.model_files import smollm_path
from tests.conftest import make_corpus
from tests.test_web_api import QUESTIONS
from tests.webserver import running_server

pytestmark = pytest.mark.slow

KEY = "open-sesame-key"
LOGIN = ("reader", "page password")
QUESTION, PHRASE, FILE = QUESTIONS[0]
OFF_TOPIC = "What is a good recipe for banana bread?"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("openai-api")
    with running_server(root, make_corpus(root / "corpus"), "--auth", ":".join(LOGIN), "--api-key", KEY) as server:
        yield server


@pytest.fixture(scope="module")
def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}v1", api_key=KEY, max_retries=0, timeout=120)


def check_citations(content: str, citations: list[dict]) -> None:
    """Every citation's quote is its file's text at its offsets, and its marker is in the content."""
    assert citations
    for citation in citations:
        with open(citation["source"], encoding="utf-8") as file:
            assert file.read()[citation["start"] : citation["end"]] == citation["quote"]
        assert f"[{citation['number']}]" in content and citation["supported"]


def test_the_openai_client_gets_the_answer_and_its_citations(client):
    completion = client.chat.completions.create(model="assistant", messages=[{"role": "user", "content": QUESTION}])
    message = completion.choices[0].message
    assert PHRASE in message.content and completion.choices[0].finish_reason == "stop"
    assert message.model_extra["abstained"] is False
    check_citations(message.content, message.model_extra["citations"])
    assert any(c["source"].endswith(FILE) and PHRASE in c["quote"] for c in message.model_extra["citations"])
    assert completion.usage.total_tokens == 0  # the extractive answerer runs no language model


def test_streaming_sends_the_pieces_then_the_citations_then_done(client, server):
    asked = {"model": "assistant", "messages": [{"role": "user", "content": QUESTION}]}
    whole = client.chat.completions.create(**asked).choices[0].message
    chunks = list(client.chat.completions.create(**asked, stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.content
    last = [c for c in chunks if c.choices][-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.choices[0].delta.model_extra["citations"] == whole.model_extra["citations"]
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens == 0
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.stream("POST", f"{server.url}v1/chat/completions", json={**asked, "stream": True}, headers=headers, timeout=120) as raw:
        assert raw.headers["content-type"].startswith("text/event-stream")
        events = [line for line in raw.iter_lines() if line]
    assert events[-1] == "data: [DONE]" and all(e.startswith("data: ") for e in events)
    assert json.loads(events[-2][6:])["choices"][0]["delta"]["citations"] == whole.model_extra["citations"]


def test_a_follow_up_reads_the_history(client):
    first = "Which French president visited Donald Trump at the White House?"
    answer = client.chat.completions.create(model="assistant", messages=[{"role": "user", "content": first}])
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": first},
        {"role": "assistant", "content": answer.choices[0].message.content},
        {"role": "user", "content": "Who is meeting him next?"},
    ]
    follow_up = client.chat.completions.create(model="assistant-extractive", messages=messages).choices[0].message
    assert "Starmer" in follow_up.content
    check_citations(follow_up.content, follow_up.model_extra["citations"])


def test_an_abstention_is_a_normal_reply(client):
    completion = client.chat.completions.create(model="assistant", messages=[{"role": "user", "content": OFF_TOPIC}])
    message = completion.choices[0].message
    assert message.model_extra == {"citations": [], "abstained": True}
    assert message.content.startswith("The sources don't say") and completion.choices[0].finish_reason == "stop"


def test_sources_are_appended_when_asked_by_model_or_field(client):
    asked = [{"role": "user", "content": QUESTION}]
    by_model = client.chat.completions.create(model="assistant-sources", messages=asked).choices[0].message
    by_field = client.chat.completions.create(model="assistant", messages=asked, extra_body={"sources": True}).choices[0].message
    plain = client.chat.completions.create(model="assistant", messages=asked).choices[0].message
    assert by_model.content == by_field.content == f"{plain.content}\n\nSources:\n" + "\n".join(
        f"[{c['number']}] {c['title']} ({c['source']}): “{c['quote']}”" for c in plain.model_extra["citations"]
    )


def test_chat_openai_plain_streamed_follow_up_and_abstention(server):
    chat = ChatOpenAI(base_url=f"{server.url}v1", api_key=KEY, model="assistant-sources", max_retries=0, timeout=120)
    reply = chat.invoke(QUESTION)
    assert PHRASE in reply.content and "\n\nSources:\n[1] " in reply.content
    quoted = reply.content.split("“", 1)[1].rsplit("”", 1)[0]
    assert quoted in open(server.data_dir.parent / "corpus" / FILE, encoding="utf-8").read()
    assert reply.usage_metadata["total_tokens"] == 0
    assert "".join(chunk.content for chunk in chat.stream(QUESTION)) == reply.content
    history = [
        SystemMessage("Ignored: the documents are the only authority."),
        HumanMessage("Which French president visited Donald Trump at the White House?"),
        AIMessage("French President Emmanuel Macron visited Trump at the White House [1]."),
        HumanMessage("Who is meeting him next?"),
    ]
    assert "Starmer" in chat.invoke(history).content
    assert chat.invoke(OFF_TOPIC).content.startswith("The sources don't say")


def test_twenty_clients_at_once_each_get_their_own_answer(client):
    def ask(case):
        question, phrase, file = case
        message = client.chat.completions.create(model="assistant", messages=[{"role": "user", "content": question}])
        return message.choices[0].message

    with ThreadPoolExecutor(max_workers=len(QUESTIONS)) as pool:
        replies = list(pool.map(ask, QUESTIONS))
    for message, (question, phrase, file) in zip(replies, QUESTIONS, strict=True):
        assert phrase in message.content, (question, message.content)
        cited = [c for c in message.model_extra["citations"] if phrase in c["quote"]]
        assert cited and all(c["source"].endswith(file) for c in cited)


def test_the_page_keeps_its_login_beside_the_api(server, client):
    assert httpx.get(f"{server.url}config").status_code == 401
    assert httpx.get(f"{server.url}v1/models", auth=LOGIN).status_code == 401  # the page's login opens no API
    page = Client(server.url, auth=LOGIN, verbose=False, analytics_enabled=False, download_files=False)
    answer = page.predict(question=QUESTION, history=[], api_name="/ask")
    api = client.chat.completions.create(model="assistant", messages=[{"role": "user", "content": QUESTION}])
    assert answer["text"] == api.choices[0].message.content and answer["citations"] == api.choices[0].message.model_extra["citations"]


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("openai-llm")
    settings = {"llm__model_path": str(smollm_path()), "llm__max_tokens": "60"}
    with running_server(root, make_corpus(root / "corpus"), **settings) as server:
        yield server


def test_usage_counts_the_model_tokens_and_zero_without_a_model(llm_server):
    client = openai.OpenAI(base_url=f"{llm_server.url}v1", api_key="unused", max_retries=0, timeout=300)
    assert [m.id for m in client.models.list()][:3] == ["assistant", "assistant-extractive", "assistant-llamacpp"]
    asked = [{"role": "user", "content": QUESTION}]
    written = client.chat.completions.create(model="assistant-llamacpp", messages=asked)
    usage = written.usage
    assert usage.prompt_tokens > 100 and usage.completion_tokens > 0  # the prompt holds the passages
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    chunks = list(client.chat.completions.create(
        model="assistant-llamacpp", messages=asked, stream=True, stream_options={"include_usage": True}
    ))
    assert chunks[-1].usage.model_dump() == usage.model_dump()  # the same deterministic answer, counted alike
    assert client.chat.completions.create(model="assistant-extractive", messages=asked).usage.total_tokens == 0
    refused = client.chat.completions.create(model="assistant-llamacpp", messages=[{"role": "user", "content": OFF_TOPIC}])
    assert refused.choices[0].message.model_extra["abstained"] and refused.usage.total_tokens == 0  # no model call


def test_clients_gone_mid_answer_leave_the_model_free(llm_server):
    """More streams than answers run at once, each dropped after its first piece: the next answer
    still comes (a stream left running would hold llama.cpp, or a place, for good)."""
    body = {"model": "assistant-llamacpp", "stream": True, "messages": [{"role": "user", "content": QUESTIONS[4][0]}]}
    for _ in range(6):
        with httpx.stream("POST", f"{llm_server.url}v1/chat/completions", json=body, timeout=300) as stream:
            pieces = 0
            for line in stream.iter_lines():
                pieces += '"content": "' in line and '"content": ""' not in line
                if pieces == 1:
                    break
        assert pieces == 1
    client = openai.OpenAI(base_url=f"{llm_server.url}v1", api_key="unused", max_retries=0, timeout=300)
    reply = client.chat.completions.create(model="assistant-llamacpp", messages=body["messages"])
    assert reply.choices[0].message.content and reply.usage.completion_tokens > 0
