"""A real Chroma server for tests: `chroma run` on 127.0.0.1, a free port, a temporary path.

Started as a subprocess of this interpreter's environment, its output in a log file, stopped
by its PID (terminate, then kill). `restart()` brings it back on the same port and path, as
an operator would after a crash. `TokenProxy` puts a bearer-token check in front of it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests.ports import free_port

STARTUP_LIMIT = 60.0  # seconds; a guard against a hung start, not a speed assertion




def chroma_command() -> str:
    """The `chroma` CLI installed beside this interpreter (chromadb ships it)."""
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        raise RuntimeError("the `chroma` command is missing: install chromadb into this environment")
    return found


class ChromaServer:
    """One `chroma run` process; `url` stays the same across restarts."""

    def __init__(self, root: Path, port: int | None = None) -> None:
        self.path = root / "chroma-server"
        self.log = root / "chroma-server.log"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> ChromaServer:
        command = [chroma_command(), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, "ANONYMIZED_TELEMETRY": "False", "NO_COLOR": "1"},
            )
        self._wait_for_heartbeat()
        return self

    def stop(self) -> None:
        """Stop the server by its PID: SIGTERM, then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def _wait_for_heartbeat(self) -> None:
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited ({self.process.returncode}):\n{self._tail()}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chroma run did not answer within {STARTUP_LIMIT:.0f} s:\n{self._tail()}")

    def _tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def __enter__(self) -> ChromaServer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


class TokenProxy:
    """A reverse proxy on 127.0.0.1 that forwards to `upstream` only requests bearing `token`,
    as a proxy in front of `chroma run` does (Chroma 1.x has no authentication of its own)."""

    def __init__(self, upstream: str, token: str) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_TokenHandler, upstream, token))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> TokenProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()


_HOP_BY_HOP = {"host", "connection", "content-length", "transfer-encoding", "content-encoding", "keep-alive"}


class _TokenHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, upstream: str, token: str, *args) -> None:
        self.upstream, self.token = upstream, token
        super().__init__(*args)

    def forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            status, headers, content = 401, {"Content-Type": "application/json"}, b'{"error": "Unauthorized"}'
        else:
            sent = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            reply = httpx.request(self.command, self.upstream + self.path, content=body, headers=sent, timeout=60)
            status, content = reply.status_code, reply.content
            headers = {k: v for k, v in reply.headers.items() if k.lower() not in _HOP_BY_HOP}
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = forward

    def log_message(self, *_args) -> None:  # quiet
        pass
