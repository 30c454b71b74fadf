"""Load, bounded and on loopback: 20 web-chat clients (`gradio_client`) and 20 Python-API threads
ask at the same time over a multi-document corpus, on embedded Chroma and on a Chroma server.

Zero errors, and every answer belongs to its question: it holds that question's fact and cites
the document the fact is in. Throughput and latency are measured by benchmarks/load.py, not here.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant import Assistant, Settings
from tests.conftest import make_corpus, server_settings
from tests.corpora import SEED_CASES, ask_api, belongs, write_fact_documents
from tests.web_client import ask_web, client, running_web

pytestmark = pytest.mark.slow  # many concurrent clients

CLIENTS = 20  # of each kind
QUESTIONS_EACH = 2


@pytest.fixture(scope="module", params=["embedded", "server"])
def loaded(request, tmp_path_factory, embeddings):
    """An assistant over the seed corpus plus eight documents of distinct facts; its cases."""
    root = tmp_path_factory.mktemp(f"load-{request.param}")
    corpus = make_corpus(root / "corpus")
    cases = SEED_CASES + write_fact_documents(corpus)
    settings = Settings(data_dir=root / "data")
    if request.param == "server":
        settings = server_settings(settings, request.getfixturevalue("chroma_server").url)
    assistant = Assistant(settings, embeddings=embeddings)
    assert assistant.ingest([corpus]).added == len(list(corpus.iterdir()))
    return assistant, cases


def test_twenty_web_clients_and_twenty_api_threads_at_once(loaded):
    assistant, cases = loaded
    start = threading.Barrier(2 * CLIENTS)

    def worker(number: int, ask) -> list[tuple[tuple, str, list[str]]]:
        mine = [cases[(number + step * 7) % len(cases)] for step in range(QUESTIONS_EACH)]
        start.wait(timeout=300)
        return [(case, *ask(case[0])) for case in mine]

    with running_web(assistant) as url:
        apis = [client(url) for _ in range(CLIENTS)]
        with ThreadPoolExecutor(max_workers=2 * CLIENTS) as pool:
            web = [pool.submit(worker, n, lambda q, api=api: ask_web(api, q)) for n, api in enumerate(apis)]
            python = [pool.submit(worker, n, lambda q: ask_api(assistant, q)) for n in range(CLIENTS)]
            results = [item for future in web + python for item in future.result()]  # re-raises any error
    assert len(results) == 2 * CLIENTS * QUESTIONS_EACH
    wrong = [(case[0], text[:200], sources) for case, text, sources in results if not belongs(case, text, sources)]
    assert not wrong
