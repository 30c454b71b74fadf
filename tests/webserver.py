"""The real web chat for tests: `assistant ingest` then `assistant serve`, as `make run` does.

Both run as subprocesses of this interpreter, on a free loopback port, with every folder
in the test's temporary directory. Tests talk to the server over HTTP only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
STARTUP_LIMIT = 300.0  # seconds; a guard against a hung start, not a speed assertion


@dataclass
class Server:
    url: str
    data_dir: Path
    log: Path




def cli(*args: str | Path, env: dict, log: Path) -> subprocess.Popen:
    """Start `assistant ARGS...` from the source tree, output appended to `log`."""
    with open(log, "ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", *map(str, args)],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )


def environment(root: Path, **settings: str) -> dict:
    """This environment, less the developer's ASSISTANT_* settings, offline, caches in `root`;
    `settings` become ASSISTANT_<NAME> variables (`store__url="http://..."`)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env.update({f"ASSISTANT_{name.upper()}": value for name, value in settings.items()})
    env.update(
        HF_HUB_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        GRADIO_TEMP_DIR=str(root / "gradio"),
        PYTHONUNBUFFERED="1",
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


@contextmanager
def running_server(root: Path, corpus: Path, *extra: str, **settings: str) -> Iterator[Server]:
    """Ingest `corpus` into `root/data`, serve it; stop the server on exit."""
    env, log, data_dir = environment(root, **settings), root / "server.log", root / "data"
    ingest = cli("--data-dir", data_dir, "ingest", "-q", corpus, env=env, log=log)
    if ingest.wait() != 0:
        raise RuntimeError(f"ingest failed:\n{log.read_text()[-3000:]}")
    port = free_port()
    server = cli("--data-dir", data_dir, "serve", "--port", str(port), *extra, env=env, log=log)
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_up(server, url, log)
        yield Server(url=url, data_dir=data_dir, log=log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server did not answer within {STARTUP_LIMIT:.0f} s:\n{log.read_text()[-3000:]}")
