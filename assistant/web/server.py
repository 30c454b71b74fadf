"""One server on one port: the web chat (Gradio, mounted at `/`) and the OpenAI-compatible
API (`/v1`, `assistant.api.openai`), run by uvicorn. Every request passes through
`logins.ClientAddress`, which lets the login check know whose attempt it slows."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable

import gradio as gr
import uvicorn
from fastapi import FastAPI

from assistant import Assistant
from assistant.api.openai import api_app
from assistant.web.logins import ClientAddress

Login = Callable[[str, str], Awaitable[bool]]


def run(page: gr.Blocks, assistant: Assistant, *, auth: Login | tuple[str, str] | None, css: str, head: str = "") -> None:
    """Serve `page` (queued) with the API beside it until interrupted (see `app`)."""
    web = assistant.settings.web
    served = app(page, assistant, auth=auth, css=css, head=head)
    url = f"http://{web.host}:{web.port}"
    print(f"Web chat on {url}/ , OpenAI-compatible API at {url}/v1", file=sys.stderr, flush=True)
    uvicorn.run(served, host=web.host, port=web.port, log_level="warning", timeout_graceful_shutdown=5)


def app(page: gr.Blocks, assistant: Assistant, *, auth: Login | tuple[str, str] | None, css: str, head: str = "") -> FastAPI:
    """The page at `/` and the API at `/v1` in one ASGI app. `auth` guards the page (an account,
    or a check such as `logins.LoginGuard.checker()`); the API asks for `web.api_key` and, on a
    server with a login but no key, refuses."""
    web = assistant.settings.web
    key = web.api_key.get_secret_value() if web.api_key else None
    served = api_app(assistant, api_key=key, locked=auth is not None)
    served = gr.mount_gradio_app(
        served, page, path="/", auth=auth, ssr_mode=False, css=css, head=head or None, max_file_size="50mb",
        server_name=web.host, server_port=web.port,
    )
    served.add_middleware(ClientAddress)
    return served
