"""The web chat from the outside, for tests and benchmarks: served in this process over a
given `Assistant`, asked through `gradio_client` (its `/ask` API). `tests/webserver.py` runs
it as the `assistant serve` subprocess instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from gradio_client import Client

from assistant import Assistant
from tests.ports import free_port


def client(url: str, auth: tuple[str, str] | None = None) -> Client:
    return Client(url, auth=auth, verbose=False, analytics_enabled=False, download_files=False)


def ask_web(api: Client, question: str) -> tuple[str, list[str]]:
    """The answer's text and the sources it cites; a refused question raises `AppError`."""
    answer = api.predict(question=question, history=[], api_name="/ask")
    return answer["text"], [citation["source"] for citation in answer["citations"]]


@contextmanager
def running_web(assistant: Assistant) -> Iterator[str]:
    """`assistant.web.build_app`, queued as `serve` queues it, on a free loopback port."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from assistant.web import build_app
    from assistant.web.app import CONCURRENCY

    app = build_app(assistant).queue(default_concurrency_limit=CONCURRENCY)
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield url
    finally:
        app.close()
