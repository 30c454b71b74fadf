"""The web chat from the outside, for tests and benchmarks: launch it, ask it via `gradio_client`.

`ask_web` is the one place that knows the chat's API: the `/ask` endpoint (question, history)
-> Answer JSON when the app has one, else the `message` endpoint of a `gr.ChatInterface`
(its rendered Markdown).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from gradio_client import Client

from assistant import Assistant
from tests.chroma_server import free_port

_SOURCE = re.compile(r"`([^`]+)`")  # how the ChatInterface's rendered Markdown names a source


def client(url: str, auth: tuple[str, str] | None = None) -> Client:
    return Client(url, auth=auth, verbose=False, analytics_enabled=False, download_files=False)


def ask_web(api: Client, question: str) -> tuple[str, list[str]]:
    """The answer's text and the sources it cites; a refused question raises `AppError`."""
    endpoints = api.view_api(print_info=False, return_format="dict")["named_endpoints"]
    if "/ask" in endpoints:
        answer = api.predict(question=question, history=[], api_name="/ask")
        return answer["text"], [citation["source"] for citation in answer["citations"]]
    chat = next(name for name, info in endpoints.items() if info["parameters"][0]["parameter_name"] == "message")
    rendered = api.predict(question, api_name=chat)
    text, _, sources = rendered.partition("**Sources**")
    return text.strip(), _SOURCE.findall(sources)


@contextmanager
def running_web(assistant: Assistant, auth: tuple[str, str] | None = None) -> Iterator[str]:
    """The app of `assistant.web.build_app` served in this process on a free loopback port."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from assistant.web import build_app

    app = build_app(assistant).queue()  # as `serve` queues it
    _, url, _ = app.launch(
        server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True, auth=auth, share=False
    )
    try:
        yield url
    finally:
        app.close()
