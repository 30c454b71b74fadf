"""LLM answerers with a real GGUF model (SmolLM2-135M-Instruct): in-process through
llama-cpp-python, and over HTTP through a real `llama_cpp.server` and the `openai` backend.

The tiny model is weak (it rarely names a fact the passages hold), so these tests assert the
plumbing (streaming only checked text, citations resolved to verbatim spans, the sentinel path),
not its wisdom; tests/test_generative.py drives the answered path with scripted replies, and
benchmarks/answerers.py measures Qwen's answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from assistant import Answer, Assistant, Response
from assistant.model_files import smollm_path
from tests.ports import free_port

pytestmark = pytest.mark.slow  # real GGUF models

QUESTIONS = [
    "How many countries voted for the European resolution?",
    "Which French president visited Donald Trump at the White House?",
]


def check_plumbing(response: Response) -> Answer:
    """What every LLM answer must satisfy, whatever the model wrote."""
    pieces = list(response)
    answer = response.answer()
    assert isinstance(answer, Answer) and pieces and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces) == answer.text, "what streamed is not the checked answer"
    if answer.abstained:
        assert answer.citations == [] and "sources don't say" in answer.text
        return answer
    numbers = {p.number for p in answer.passages}
    for sentence in [*answer.sentences, *answer.set_aside]:
        assert {c.number for c in sentence.citations} <= numbers  # markers to nowhere are gone
        assert sentence.supported == (sentence.reason == ""), sentence
        for citation in sentence.citations:
            passage = next(p for p in answer.passages if p.number == citation.number)
            assert citation.quote in passage.text
            assert open(citation.source, encoding="utf-8").read()[citation.start : citation.end] == citation.quote
    return answer


@pytest.fixture(scope="module")
def smollm():
    return smollm_path()


def llm_assistant(settings, embeddings, corpus, **llm) -> Assistant:
    settings.answer.answerer = llm.pop("answerer")
    settings.llm = settings.llm.model_copy(update=llm)
    assistant = Assistant(settings, embeddings=embeddings)
    assistant.ingest([corpus])
    return assistant


def test_llamacpp_answers_in_process(settings, embeddings, corpus, smollm):
    assistant = llm_assistant(settings, embeddings, corpus, answerer="llamacpp", model_path=smollm, max_tokens=60)
    for question in QUESTIONS:
        check_plumbing(assistant.stream(question))
    off_topic = assistant.ask("What is a good recipe for banana bread?")
    assert off_topic.abstained




@pytest.fixture(scope="module")
def llama_server(smollm, tmp_path_factory):
    """A real `python -m llama_cpp.server` on loopback, stopped by its PID."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "llama_server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/models", timeout=2)
            break
        except OSError:
            assert process.poll() is None, log.read_text()
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail(f"llama_cpp.server did not start: {log.read_text()[-2000:]}")
    yield url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_openai_backend_answers_through_a_real_server(settings, embeddings, corpus, llama_server):
    assistant = llm_assistant(
        settings, embeddings, corpus, answerer="openai", base_url=llama_server, model="smollm2", max_tokens=60
    )
    for question in QUESTIONS:
        check_plumbing(assistant.stream(question))


def test_follow_up_is_rewritten_by_the_model(settings, embeddings, corpus, llama_server):
    assistant = llm_assistant(
        settings, embeddings, corpus, answerer="openai", base_url=llama_server, model="smollm2", max_tokens=40
    )
    first = assistant.ask(QUESTIONS[1])
    assert first.query == QUESTIONS[1]
    # a fixed earlier answer, so that the (deterministic) rewrite does not hang on the first answer's wording
    history = [{"role": "user", "content": QUESTIONS[1]}, {"role": "assistant", "content": "Emmanuel Macron [1]."}]
    follow_up = check_plumbing(assistant.stream("Who is meeting him next?", history))
    assert follow_up.query.strip() and follow_up.query != "Who is meeting him next?"


def test_missing_gguf_file_is_a_clear_error(settings, embeddings, corpus, tmp_path):
    from assistant import ConfigError

    assistant = llm_assistant(settings, embeddings, corpus, answerer="llamacpp", model_path=tmp_path / "none.gguf")
    with pytest.raises(ConfigError, match="make model"):
        assistant.ask(QUESTIONS[0])
