"""The `assistant` command: in-process with an injected `Assistant` (llm's CliRunner habit), and
as the real subprocess a user starts for what is about start-up itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant import Assistant, cli
from tests.conftest import ROOT


def run(*args: str, data_dir, cwd=ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_ask_before_ingest_fails_with_a_hint(assistant, capsys):
    assert cli.main(["ask", "How many countries voted?"], assistant=assistant) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ") and "assistant ingest" in error


def test_ingest_then_ask_prints_answer_and_sources(assistant, corpus, capsys):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7 nothing else")
    assert cli.main(["ingest", str(corpus), "--quiet"], assistant=assistant) == 0
    assert "3 added" in capsys.readouterr().out

    assert cli.main(["ask", "How many countries voted for the European resolution?"], assistant=assistant) == 0
    answer, sources = capsys.readouterr().out.split("Sources:")
    assert "93" in answer and "[1]" in answer
    assert "[1]" in sources and "us-un-ukraine-resolutions.txt" in sources and "93 votes in favor" in sources

    assert cli.main(["ask", "--json", "What is the capital of Australia?"], assistant=assistant) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) >= {"text", "citations", "sentences", "passages", "abstained"}
    assert payload["abstained"] is True and payload["citations"] == []


def test_missing_path_exits_non_zero(assistant, tmp_path, capsys):
    assert cli.main(["ingest", str(tmp_path / "nope")], assistant=assistant) == 1
    assert "No such file or folder" in capsys.readouterr().err


@pytest.mark.slow  # the console script as a user starts it
def test_the_real_command_ingests_asks_and_reports_skipped_files(tmp_path, corpus):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7 nothing else")
    ingested = run("ingest", str(corpus), "--quiet", data_dir=tmp_path / "data")
    assert ingested.returncode == 0, ingested.stderr
    assert "3 added" in ingested.stdout and "1 failed" in ingested.stdout
    assert "skipped" in ingested.stderr and "broken.pdf" in ingested.stderr
    asked = run("ask", "How many countries voted for the European resolution?", data_dir=tmp_path / "data")
    assert asked.returncode == 0, asked.stderr
    assert "93" in asked.stdout.split("Sources:")[0]
    missing = run("ask", "Anything?", data_dir=tmp_path / "empty")
    assert missing.returncode == 1 and missing.stderr.strip().splitlines()[-1].startswith("error: ")
