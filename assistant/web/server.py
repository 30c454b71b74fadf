"""One server on one port: the web chat (Gradio, mounted at `/`) and the OpenAI-compatible
API (`/v1`, `assistant.api.openai`), run by uvicorn."""

from __future__ import annotations

import sys

import gradio as gr
import uvicorn

from assistant import Assistant
from assistant.api.openai import api_app


def run(page: gr.Blocks, assistant: Assistant, *, auth: tuple[str, str] | None, css: str) -> None:
    """Serve `page` (queued) with the API beside it until interrupted. `auth` guards the page;
    the API asks for `web.api_key` and, on a server with a login but no key, refuses."""
    web = assistant.settings.web
    key = web.api_key.get_secret_value() if web.api_key else None
    app = api_app(assistant, api_key=key, locked=auth is not None)
    app = gr.mount_gradio_app(
        app, page, path="/", auth=auth, ssr_mode=False, css=css, max_file_size="50mb",
        server_name=web.host, server_port=web.port,
    )
    url = f"http://{web.host}:{web.port}"
    print(f"Web chat on {url}/ , OpenAI-compatible API at {url}/v1", file=sys.stderr, flush=True)
    uvicorn.run(app, host=web.host, port=web.port, log_level="warning", timeout_graceful_shutdown=5)
