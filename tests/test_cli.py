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


def test_ask_within_a_document_says_so_and_cites_only_it(assistant, corpus, capsys):
    assert cli.main(["ingest", str(corpus), "--quiet"], assistant=assistant) == 0
    capsys.readouterr()
    question = "How many countries voted for the European resolution?"
    assert cli.main(["ask", question, "--doc", "lakeside-solar.txt"], assistant=assistant) == 0
    out = capsys.readouterr().out
    assert "Asked within 1 document (lakeside-solar.txt)." in out and "93 votes" not in out
    assert cli.main(["ask", question, "--doc", "us-un-ukraine-resolutions.txt", "--json"], assistant=assistant) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["scope"]["asked"] == ["us-un-ukraine-resolutions.txt"] and "93" in payload["text"]
    assert cli.main(["ask", question, "--doc", "atlantis/"], assistant=assistant) == 1
    assert "No indexed document matches 'atlantis/'" in capsys.readouterr().err


@pytest.mark.slow  # a real `assistant serve`, and the command as a user starts it
def test_ask_answers_through_a_running_server_over_the_same_index(tmp_path, corpus):
    from tests.webserver import environment, running_server

    with running_server(tmp_path, corpus) as server:
        port = server.url.rstrip("/").rsplit(":", 1)[1]
        env = {**environment(tmp_path), "ASSISTANT_DATA_DIR": str(server.data_dir), "ASSISTANT_WEB__PORT": port,
               "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "assistant", "-v", "ask", "How many countries voted for the European resolution?"]
        asked = subprocess.run([*command, "--doc", "us-un-ukraine-resolutions.txt"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=300)
        assert asked.returncode == 0, asked.stderr
        assert f"Asking the server at http://127.0.0.1:{port}" in asked.stderr
        assert "93 votes in favor" in asked.stdout and "Asked within 1 document" in asked.stdout
        elsewhere = {**env, "ASSISTANT_DATA_DIR": str(tmp_path / "other")}  # another index: not the server's
        local = subprocess.run(command, env=elsewhere, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert local.returncode == 1 and "Asking the server" not in local.stderr
        refused = subprocess.run([*command, "--doc", "atlantis/"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert refused.returncode == 1 and "No indexed document matches 'atlantis/'" in refused.stderr
