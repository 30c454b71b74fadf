"""The `openai` embeddings backend against a real `llama_cpp.server` (SmolLM2-135M with mean-pooled
embeddings) through the real `openai` client: batches in flight at once come back in order and
unit length, an index is built and searched with them, and every way it fails is one clear line.

SmolLM2 is a chat model, not an embedding model: these tests prove the plumbing, not retrieval
quality. The server tests are slow (a model server starts); the unreachable-server and settings
tests need no server and stay in the fast tier.
"""

from __future__ import annotations

import re
import socket
import time

import httpx
import numpy as np
import pytest

from assistant import Assistant, ConfigError, EmbeddingServerError, Settings, cli
from assistant.model_files import smollm_path
from ingest.embeddings import make_embeddings
from ingest.remote_embeddings import ServerEmbeddings
from ingest.settings import EmbeddingSettings
from tests.api_server import running_api
from tests.conftest import DATA, SEED
from tests.llama_server import ALIAS, EMBEDDING_ARGS, LlamaServer
from tests.ports import free_port

slow = pytest.mark.slow  # a real model server
KEY_VARIABLE, KEY = "EMBEDDINGS_TEST_KEY", "sesame"
SMOLLM_DIM = 576


def sentences() -> list[str]:
    """The test corpus's sentences of five words or more (26)."""
    text = " ".join(path.read_text(encoding="utf-8") for path in [SEED, *(DATA / "corpus").iterdir()])
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 5]


TEXTS = sentences()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """llama_cpp.server with embeddings on and an API key, on loopback."""
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with LlamaServer(smollm_path(), log, *EMBEDDING_ARGS, "--api_key", KEY) as running:
        yield running


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, KEY)


def remote(url: str, **fields) -> EmbeddingSettings:
    return EmbeddingSettings(backend="openai", url=url, model=ALIAS, api_key_env=KEY_VARIABLE, **fields)


@slow
def test_batches_sent_at_once_come_back_in_order_and_unit_length(server, keyed):
    embeddings = make_embeddings(remote(server.url, batch_size=4, concurrency=4))
    assert isinstance(embeddings, ServerEmbeddings)
    forward = np.asarray(embeddings.embed_documents(TEXTS))  # 7 requests, 4 in flight
    assert forward.shape == (len(TEXTS), SMOLLM_DIM)
    assert np.allclose(np.linalg.norm(forward, axis=1), 1.0, atol=1e-5)
    backward = np.asarray(embeddings.embed_documents(TEXTS[::-1]))[::-1]  # other batches, same texts
    similarity = forward @ backward.T  # each text's two vectors: ~1; two sentences: at most ~0.96
    assert np.diag(similarity).min() > 0.999
    assert list(similarity.argmax(axis=1)) == list(range(len(TEXTS)))
    for n in (0, len(TEXTS) // 2, len(TEXTS) - 1):
        assert int(np.argmax(forward @ np.asarray(embeddings.embed_query(TEXTS[n])))) == n
    assert embeddings.embed_documents([]) == []


@slow
def test_an_index_built_and_searched_through_the_server(settings, corpus, server, keyed):
    settings.embedding = remote(server.url, batch_size=2, concurrency=3)
    assistant = Assistant(settings)
    summary = assistant.ingest([corpus])
    assert summary.added == 3 and summary.passages_added > 3 and not summary.failed
    info = assistant.describe()
    assert (info.embedding_model, info.embedding_dim, info.passages) == (ALIAS, SMOLLM_DIM, summary.passages_added)
    passages = assistant.retrieve("How much power will the floating solar farm produce at peak?")
    assert passages and any("9 megawatts" in passage.text for passage in passages)
    answer = assistant.ask("How much power will the floating solar farm produce at peak?")
    assert answer.passages
    gone = settings.updated({"embedding.url": f"http://127.0.0.1:{free_port()}/v1", "embedding.retries": 0})
    with running_api(Assistant(gone)) as api:  # the embeddings server is down: the API says so
        asked = {"model": "assistant", "messages": [{"role": "user", "content": "How much power at peak?"}]}
        response = httpx.post(f"{api}/chat/completions", json=asked, timeout=60)
    assert response.status_code == 503 and "is not reachable" in response.json()["error"]["message"]


@slow
def test_an_index_built_with_minilm_refuses_the_servers_model(settings, corpus, embeddings, server, keyed):
    Assistant(settings, embeddings=embeddings).ingest([corpus])
    settings.embedding = remote(server.url)
    with pytest.raises(ConfigError, match=f"built with embedding model 'all-MiniLM-L6-v2' \\(384-dim\\) "
                       f"but the settings ask for '{ALIAS}' \\({SMOLLM_DIM}-dim\\)"):
        Assistant(settings).retrieve("How much power will the floating solar farm produce at peak?")


@slow
def test_a_wrong_key_is_refused_at_once_naming_the_variable(server, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, "wrong")
    embeddings = make_embeddings(remote(server.url, retries=3))
    began = time.monotonic()
    with pytest.raises(EmbeddingServerError, match=f"at {server.url} \\(model '{ALIAS}'\\) refused the request "
                       f"\\(.*401.*\\): check the key in \\${KEY_VARIABLE}"):
        embeddings.embed_query("anything")
    assert time.monotonic() - began < 1.5  # a 4xx is not retried (the first backoff alone is 0.375 s or more)


@slow
def test_a_url_without_the_api_path_is_a_404_naming_the_setting(server, keyed):
    bare = server.url.removesuffix("/v1")
    with pytest.raises(EmbeddingServerError, match=f"at {bare} .* has no such endpoint or model .*404.*ASSISTANT_EMBEDDING__URL"):
        make_embeddings(remote(bare)).embed_documents(TEXTS[:3])


@slow
def test_a_server_sending_a_vector_per_token_is_refused_with_the_fix(tmp_path):
    with LlamaServer(smollm_path(), tmp_path / "server.log", "--embedding", "true") as unpooled:
        with pytest.raises(EmbeddingServerError, match="one vector per token instead of one per text: start it with pooling"):
            make_embeddings(remote(unpooled.url)).embed_documents(TEXTS[:3])


def test_an_unreachable_server_fails_after_its_retries_quickly():
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    embeddings = make_embeddings(remote(url, retries=2, timeout=2, batch_size=2, concurrency=2))
    began = time.monotonic()
    with pytest.raises(EmbeddingServerError) as caught:
        embeddings.embed_documents(TEXTS[:6])
    elapsed = time.monotonic() - began
    message = str(caught.value)
    assert message.startswith(f"The embeddings server at {url} (model '{ALIAS}') is not reachable")
    assert "after 2 retries: start it or check ASSISTANT_EMBEDDING__URL" in message and "\n" not in message
    assert 0.5 < elapsed < 10  # backed off twice (0.375-0.5 s, then 0.75-1 s), then gave up


def test_a_server_that_never_answers_times_out_naming_the_setting():
    with socket.socket() as silent:  # accepts connections (the kernel's backlog), never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        embeddings = make_embeddings(remote(url, retries=1, timeout=0.5))
        with pytest.raises(EmbeddingServerError, match=f"at {url} \\(model '{ALIAS}'\\) did not answer within 0.5 s "
                           "\\(1 retry after the first try\\): raise ASSISTANT_EMBEDDING__TIMEOUT"):
            embeddings.embed_query("anything")


def test_the_command_line_reports_an_unreachable_server_in_one_line(monkeypatch, tmp_path, corpus, capsys):
    url = f"http://127.0.0.1:{free_port()}/v1"
    monkeypatch.setenv("ASSISTANT_EMBEDDING__BACKEND", "openai")
    monkeypatch.setenv("ASSISTANT_EMBEDDING__URL", url)
    monkeypatch.setenv("ASSISTANT_EMBEDDING__RETRIES", "0")
    assert cli.main(["--data-dir", str(tmp_path / "data"), "ingest", str(corpus)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"error: The embeddings server at {url}") and "not reachable" in error
    assert len(error.splitlines()) == 1


def test_the_openai_backend_needs_a_url(monkeypatch):
    monkeypatch.setenv("ASSISTANT_EMBEDDING__BACKEND", "openai")
    with pytest.raises(ConfigError, match="needs the server's base URL: set ASSISTANT_EMBEDDING__URL"):
        Settings()
    monkeypatch.setenv("ASSISTANT_EMBEDDING__URL", "127.0.0.1:8080")
    with pytest.raises(ConfigError, match="must start with http:// or https://"):
        Settings()
    monkeypatch.setenv("ASSISTANT_EMBEDDING__URL", "http://127.0.0.1:8080/v1")
    assert Settings().embedding.backend == "openai"
    assert Settings().embedding.concurrency == 4 and Settings().embedding.retries == 3
