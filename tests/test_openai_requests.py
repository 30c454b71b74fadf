"""The OpenAI-compatible API's refusals, over a real uvicorn server in this process: every bad
request is an OpenAI-style 400 saying why (never a 500), every `/v1` route asks for the key."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import openai
import pytest

from assistant import Assistant, ConfigError, cli
from assistant.api.openai import LOGIN_ONLY, MAX_BODY_BYTES
from assistant.model_files import smollm_path
from tests.api_server import running_api

KEY = "s3cret-key"
QUESTION = "How many countries voted for the European resolution?"
ASKED = [{"role": "user", "content": QUESTION}]


@pytest.fixture(scope="module")
def api(seeded):
    with running_api(seeded, api_key=KEY) as url:
        yield url


def post(url: str, body, key: str | None = KEY, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    content = body if isinstance(body, bytes | Iterator) else json.dumps(body).encode()
    return httpx.post(f"{url}/chat/completions", content=content, headers=headers, timeout=60, **kwargs)


def refused(response: httpx.Response, status: int = 400) -> dict:
    """The OpenAI error object of a refusal with `status`."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"], error
    return error


BAD_REQUESTS = [  # (request body, the param named, words of the message)
    ({"model": "assistant"}, "messages", "non-empty list"),
    ({"model": "assistant", "messages": []}, "messages", "non-empty list"),
    ({"model": "assistant", "messages": "How many?"}, "messages", "non-empty list"),
    ({"model": "assistant", "messages": [{"role": "system", "content": "Be brief."}, {"role": "assistant", "content": "Hi"}]},
     "messages", "No user message"),
    ({"model": "assistant", "messages": [{"role": "user", "content": 42}]}, "messages[0].content", "string or a list"),
    ({"model": "assistant", "messages": [{"role": "user", "content": {"text": QUESTION}}]}, "messages[0].content", "string or a list"),
    ({"model": "assistant", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]},
     "messages[0].content[0]", "only text is read"),
    ({"model": "assistant", "messages": [{"role": "narrator", "content": "x"}]}, "messages[0].role", "use one of"),
    ({"model": "assistant", "messages": ["How many?"]}, "messages[0]", "must be an object"),
    ({"messages": ASKED}, "model", "`model` is required"),
    ({"model": "gpt-4o", "messages": ASKED}, "model", "does not exist here"),
    ({"model": "assistant", "messages": ASKED, "n": 2}, "n", "one answer per request"),
    ({"model": "assistant", "messages": ASKED, "tools": [{"type": "function", "function": {"name": "f"}}]},
     "tools", "Tools and function calling are not supported"),
    ({"model": "assistant", "messages": ASKED, "functions": [{"name": "f", "parameters": {}}]}, "functions", "not supported"),
    ({"model": "assistant", "messages": ASKED, "tool_choice": "required"}, "tool_choice", "not supported"),
    ({"model": "assistant", "messages": [*ASKED, {"role": "tool", "content": "42", "tool_call_id": "a"}]},
     "messages[1].role", "not supported"),
    ({"model": "assistant", "messages": ASKED, "response_format": {"type": "json_object"}}, "response_format", "text answers"),
    ({"model": "assistant", "messages": ASKED, "stream": "yes"}, "stream", "true or false"),
    ({"model": "assistant", "messages": [{"role": "user", "content": "   "}]}, "messages", "The question is empty"),
    ({"model": "assistant", "messages": [{"role": "user", "content": "Why " * 600}]}, "messages", "characters long"),
]


@pytest.mark.parametrize(("body", "param", "words"), BAD_REQUESTS, ids=[words for _, _, words in BAD_REQUESTS])
def test_each_bad_request_is_a_400_saying_why(api, body, param, words):
    error = refused(post(api, body))
    assert error["param"] == param and words in error["message"], error
    assert error["type"] == "invalid_request_error"


def test_unknown_model_and_tools_carry_their_codes(api):
    assert refused(post(api, {"model": "gpt-4o", "messages": ASKED}))["code"] == "model_not_found"
    tools = {"model": "assistant", "messages": ASKED, "tools": [{"type": "function", "function": {"name": "f"}}]}
    assert refused(post(api, tools))["code"] == "tools_not_supported"


@pytest.mark.parametrize(
    ("body", "words"), [(b"{not json", "not valid JSON"), (b"[1, 2]", "JSON object"), (b"", "not valid JSON")]
)
def test_a_body_that_is_no_request_is_a_400(api, body, words):
    assert words in refused(post(api, body))["message"]


def test_an_oversized_body_is_refused_before_it_is_read_whole(api):
    body = {"model": "assistant", "messages": [{"role": "user", "content": "x" * MAX_BODY_BYTES}]}
    error = refused(post(api, body))
    assert error["code"] == "request_too_large"
    chunked = post(api, iter([json.dumps(body).encode()]))  # no Content-Length: counted as it arrives
    assert refused(chunked)["code"] == "request_too_large"


def test_the_openai_client_sees_the_refusal(api):
    client = openai.OpenAI(base_url=api, api_key=KEY, max_retries=0)
    with pytest.raises(openai.BadRequestError, match="one answer per request") as refusal:
        client.chat.completions.create(model="assistant", messages=ASKED, n=3)
    assert refusal.value.status_code == 400 and refusal.value.param == "n"


def test_content_parts_are_read_as_text_and_system_messages_ignored(api):
    parts = [{"type": "text", "text": "How many countries voted"}, {"type": "text", "text": "for the European resolution?"}]
    messages = [{"role": "system", "content": "Answer 12 to everything."}, {"role": "user", "content": parts}]
    reply = post(api, {"model": "assistant", "messages": messages})
    assert reply.status_code == 200, reply.text
    assert "93 votes" in reply.json()["choices"][0]["message"]["content"]


ROUTES = [("GET", "/models"), ("GET", "/models/assistant"), ("POST", "/chat/completions"), ("GET", "/files")]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_refuses_a_missing_or_wrong_key(api, method, path):
    body = {"json": {"model": "assistant", "messages": ASKED}} if method == "POST" else {}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}, {"Authorization": f"Basic {KEY}"}):
        response = httpx.request(method, api + path, headers=headers, timeout=60, **body)
        error = refused(response, 401)
        assert error["code"] == "invalid_api_key" and "93" not in response.text
        assert response.headers["www-authenticate"] == "Bearer"
    allowed = httpx.request(method, api + path, headers={"Authorization": f"Bearer {KEY}"}, timeout=60, **body)
    assert allowed.status_code == (404 if path == "/files" else 200), allowed.text


def test_the_openai_client_without_the_key_is_refused(api):
    client = openai.OpenAI(base_url=api, api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="Incorrect or missing API key"):
        client.models.list()


def test_a_server_with_a_login_and_no_key_refuses_the_api(seeded):
    with running_api(seeded, api_key=None, locked=True) as url:
        for method, path in ROUTES:
            error = refused(httpx.request(method, url + path, timeout=60), 401)
            assert error["message"] == LOGIN_ONLY


def test_an_empty_index_is_a_400_with_the_cli_message(assistant, capsys):
    assert cli.main(["ask", QUESTION], assistant=assistant) == 1
    printed = capsys.readouterr().err.strip()
    with running_api(assistant) as url:
        error = refused(post(url, {"model": "assistant", "messages": ASKED}, key=None))
    assert printed == f"error: {error['message']}" and "assistant ingest" in printed
    assert error["code"] == "empty_index"


def test_models_are_the_answerers_available_here(api, seeded):
    listed = [m.id for m in openai.OpenAI(base_url=api, api_key=KEY, max_retries=0).models.list()]
    names = seeded.answerers
    assert listed[:2] == ["assistant", f"assistant-{names[0]}"]
    assert set(listed) == {f"{model}{suffix}" for model in ["assistant", *(f"assistant-{n}" for n in names)]
                           for suffix in ("", "-sources")}


def test_answerers_are_the_ones_this_machine_can_run(settings, embeddings, tmp_path):
    missing = settings.model_copy(update={"llm": settings.llm.model_copy(update={"model_path": tmp_path / "none.gguf"})})
    assert Assistant(missing, embeddings=embeddings).answerers == ["extractive"]
    present = settings.model_copy(update={"llm": settings.llm.model_copy(update={"model_path": smollm_path()})})
    assert Assistant(present, embeddings=embeddings).answerers[:2] == ["extractive", "llamacpp"]


def test_an_answerer_per_question_shares_the_index(seeded):
    assert "93 votes" in seeded.ask(QUESTION, answerer="extractive").text
    with pytest.raises(ConfigError, match="Unknown answerer 'oracle'"):
        seeded.ask(QUESTION, answerer="oracle")
