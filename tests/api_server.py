"""The OpenAI-compatible API served in this process by a real uvicorn server on a free
loopback port, over a given `Assistant` (`tests/webserver.py` runs the whole `assistant serve`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from assistant import Assistant
from assistant.api.openai import api_app
from tests.ports import free_port


@contextmanager
def running_api(assistant: Assistant, *, api_key: str | None = None, locked: bool = False) -> Iterator[str]:
    """The `/v1` API's base URL (`http://127.0.0.1:PORT/v1`) while the server runs."""
    port = free_port()
    config = uvicorn.Config(api_app(assistant, api_key=api_key, locked=locked), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
