"""The `assistant` command as a user runs it: real subprocesses, real index in a temp folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def run(*args: str, data_dir, cwd=ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_ask_before_ingest_fails_with_a_hint(tmp_path):
    result = run("ask", "How many countries voted?", data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "assistant ingest" in result.stderr


def test_ingest_then_ask_prints_answer_and_sources(tmp_path, corpus):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7 nothing else")
    ingested = run("ingest", str(corpus), "--quiet", data_dir=tmp_path / "data")
    assert ingested.returncode == 0, ingested.stderr
    assert "3 added" in ingested.stdout and "1 failed" in ingested.stdout
    assert "skipped" in ingested.stderr and "broken.pdf" in ingested.stderr

    asked = run("ask", "How many countries voted for the European resolution?", data_dir=tmp_path / "data")
    assert asked.returncode == 0, asked.stderr
    answer, sources = asked.stdout.split("Sources:")
    assert "93" in answer and "[1]" in answer
    assert "[1]" in sources and "us-un-ukraine-resolutions.txt" in sources and "93 votes in favor" in sources

    as_json = run("ask", "--json", "What is the capital of Australia?", data_dir=tmp_path / "data")
    payload = json.loads(as_json.stdout)
    assert set(payload) >= {"text", "citations", "passages", "abstained"}
    assert payload["abstained"] is True and payload["citations"] == []


def test_missing_path_exits_non_zero(tmp_path):
    result = run("ingest", str(tmp_path / "nope"), data_dir=tmp_path / "data")
    assert result.returncode == 1 and "No such file or folder" in result.stderr
