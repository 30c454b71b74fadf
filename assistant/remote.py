"""Asking a running `assistant serve` instead of loading the models: what `assistant ask` does
when a server on the configured host and port answers from the same index.

Loading the embedding model and the language tools takes several seconds; a server has them
loaded. This module imports only httpx and the answer records, so a command that finds a
server answers in well under a second. See `assistant.api.answers` for the routes it calls.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx

from assistant.answer import Answer, Response
from assistant.settings import Settings
from ingest.errors import AssistantError, QuestionError

PROBE_SECONDS = 0.5  # a server on this machine answers its index route in milliseconds
ANSWER_SECONDS = 600.0  # an LLM answer on a busy CPU


def index_location(settings: Settings) -> dict:
    """Which index these settings read: what a server reports of its own (`GET /v1/index`)."""
    where = settings.store.url or str(Path(settings.data_dir).resolve())
    return {"location": where, "collection": settings.store.collection}


def server_url(settings: Settings) -> str:
    """Where the configured `assistant serve` would be (an any-address bind is reached locally)."""
    host = settings.web.host
    host = "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host
    return f"http://[{host}]:{settings.web.port}" if ":" in host else f"http://{host}:{settings.web.port}"


def running_server(settings: Settings) -> str | None:
    """The URL of a running server answering from the same index as `settings`, or None
    (nothing listening, another index, another program, or a key it refuses)."""
    url = server_url(settings)
    try:
        reply = httpx.get(f"{url}/v1/index", headers=_headers(settings), timeout=PROBE_SECONDS, trust_env=False)
        return url if reply.status_code == 200 and reply.json() == index_location(settings) else None
    except (httpx.HTTPError, ValueError):
        return None


def ask_server(url: str, settings: Settings, question: str, **options) -> Response:
    """The server's answer as a `Response`: text pieces as it writes them, then the `Answer`."""
    body = {"question": question, "stream": True, **{k: v for k, v in options.items() if v is not None}}
    return Response(_items(url, settings, body))


def _items(url: str, settings: Settings, body: dict) -> Iterator[str | Answer]:
    timeout = httpx.Timeout(ANSWER_SECONDS, connect=PROBE_SECONDS * 4)
    try:
        with httpx.stream("POST", f"{url}/v1/answer", json=body, headers=_headers(settings), timeout=timeout,
                          trust_env=False) as reply:
            if reply.status_code != 200:
                reply.read()
                raise _refusal(reply)
            for line in reply.iter_lines():
                if line.strip():
                    yield _item(json.loads(line))
    except httpx.HTTPError as error:
        raise AssistantError(f"The server at {url} stopped answering ({error}); try again, or pass --local.") from None


def _item(data: dict) -> str | Answer:
    if "error" in data:
        raise AssistantError(data["error"])
    if "answer" in data:
        return Answer.model_validate(data["answer"])
    return data["text"]


def _refusal(reply: httpx.Response) -> AssistantError:
    try:
        message = reply.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = f"the server answered {reply.status_code}"
    return QuestionError(message) if reply.status_code == 400 else AssistantError(message)


def _headers(settings: Settings) -> dict:
    key = settings.web.api_key
    return {"Authorization": f"Bearer {key.get_secret_value()}"} if key else {}
