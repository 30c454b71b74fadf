"""The web chat from the outside, for tests and benchmarks: launch it, ask it via `gradio_client`.

`ask_web` is the one place that knows the chat's API: the `/ask` endpoint (question, history)
-> Answer JSON when the app has one, else the `message` endpoint of a `gr.ChatInterface`
(its rendered Markdown).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from gradio_client import Client

from assistant import Assistant
from tests.chroma_server import free_port

ROOT = Path(__file__).resolve().parent.parent
STARTUP_LIMIT = 300.0  # seconds; a guard against a hung start, not a speed assertion

_SOURCE = re.compile(r"`([^`]+)`")  # how the ChatInterface's rendered Markdown names a source


def client(url: str, auth: tuple[str, str] | None = None) -> Client:
    return Client(url, auth=auth, verbose=False, analytics_enabled=False, download_files=False)


def ask_web(api: Client, question: str) -> tuple[str, list[str]]:
    """The answer's text and the sources it cites; a refused question raises `AppError`."""
    endpoint = _endpoint(api)
    if endpoint == "/ask":
        answer = api.predict(question=question, history=[], api_name="/ask")
        return answer["text"], [citation["source"] for citation in answer["citations"]]
    rendered = api.predict(question, api_name=endpoint)
    text, _, sources = rendered.partition("**Sources**")
    return text.strip(), _SOURCE.findall(sources)


@functools.lru_cache(maxsize=256)
def _endpoint(api: Client) -> str:
    """`/ask` if the app has it, else the chat endpoint taking a `message`."""
    endpoints = api.view_api(print_info=False, return_format="dict")["named_endpoints"]
    if "/ask" in endpoints:
        return "/ask"
    return next(name for name, info in endpoints.items() if info["parameters"][0]["parameter_name"] == "message")


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


def cli_environment(data_dir: Path, **settings: str) -> dict:
    """This environment less the developer's ASSISTANT_* settings, plus `settings` (as
    ASSISTANT_<NAME>), the data dir, the source tree and offline caches."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env.update({f"ASSISTANT_{name.upper()}": value for name, value in settings.items()})
    env.update(
        ASSISTANT_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False", GRADIO_TEMP_DIR=str(data_dir.parent / "gradio"),
    )
    return env


@contextmanager
def serving(env: dict, log: Path, *args: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """`assistant serve ARGS` on a free port (host left to its default); stopped by its PID."""
    port = free_port()
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(port), *args],
            env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(process, url, log)
        yield process, url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"assistant serve exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError(f"assistant serve did not answer within {STARTUP_LIMIT:.0f} s:\n{log.read_text()[-3000:]}")
