"""A real `python -m llama_cpp.server` for tests and benchmarks: loopback, a free port, its
output in a log file, stopped by its PID (terminate, then kill).

`LlamaServer(model, log, "--embedding", "true")` serves `/v1/embeddings`; a causal model such as
SmolLM2 then needs a pooling type from the GGUF metadata (`EMBEDDING_ARGS` sets mean pooling),
or the server returns one vector per token.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.ports import free_port

STARTUP_LIMIT = 120.0  # seconds; a guard against a hung start, not a speed assertion
ALIAS = "smollm2"
# one mean-pooled vector per text (llama-cpp-python's server has no --pooling flag)
EMBEDDING_ARGS = ("--embedding", "true", "--kv_overrides", "llama.pooling_type=int:1")


class LlamaServer:
    """One llama_cpp.server process serving `model` as `ALIAS`; `url` ends in /v1."""

    def __init__(self, model: Path, log: Path, *args: str) -> None:
        self.model, self.log, self.args = model, log, args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LlamaServer:
        command = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(self.model), "--host", "127.0.0.1",
            "--port", str(self.port), "--model_alias", ALIAS, *self.args,
        ]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, "HF_HUB_OFFLINE": "1"},
            )
        self._wait_until_up()
        return self

    def __exit__(self, *_exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _wait_until_up(self) -> None:
        """Until the server answers at all (a 401 of a server with a key counts)."""
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited ({self.process.returncode}):\n{self._tail()}")
            try:
                httpx.get(f"{self.url}/models", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"llama_cpp.server did not answer within {STARTUP_LIMIT:.0f} s:\n{self._tail()}")

    def _tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]
