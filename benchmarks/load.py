"""Load benchmark: 20 web-chat clients, 20 OpenAI-API clients and 20 Python-API threads,
embedded Chroma vs server.

    python benchmarks/load.py [--clients 20] [--questions 5] [--backends embedded server]

The corpus is the seed article, the test corpus, eight documents of distinct facts and as many
look-alike weather reports as it takes for every request to ask a question of its own (answering
caches embeddings, so repeated questions would flatter the numbers); all clients start together.
Web clients use `gradio_client` against a real `assistant serve` subprocess on 127.0.0.1,
OpenAI-API clients the `openai` package (`/v1/chat/completions`) against another; API threads
share one in-process `Assistant`. The three kinds run one after the other, each over its own
copy of the index (an embedded Chroma is opened by one process at a time) and its own caches. A request counts
as wrong unless its answer holds its question's fact and cites the document holding it. Latency
is measured by the client, queueing included.
Prints Markdown rows for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402
from tests.chroma_server import ChromaServer  # noqa: E402
from tests.conftest import make_corpus  # noqa: E402
from tests.corpora import SEED_CASES, ask_api, belongs, write_fact_documents, write_station_documents  # noqa: E402
from tests.web_client import ask_web, client  # noqa: E402
from tests.webserver import running_server  # noqa: E402

WARM_UP = "What do these documents say about the harbor?"  # asked by no client
HEADER = (
    "| backend | clients | requests | errors | wrong | answers/s | p50 s | p95 s | max s |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|"
)


def storm(askers: list, cases: list, questions: int) -> dict:
    """Every asker asks `questions` questions, all starting together; errors are counted, not raised."""
    start = threading.Barrier(len(askers))
    latencies, errors, wrong = [], [], []

    def worker(number: int, ask) -> None:
        start.wait()
        for step in range(questions):
            case = cases[(number + step * len(askers)) % len(cases)]  # each request its own question
            began = time.perf_counter()
            try:
                text, sources = ask(case[0])
            except Exception as error:  # a benchmark reports failures instead of stopping
                errors.append(f"{type(error).__name__}: {error}")
                continue
            latencies.append(time.perf_counter() - began)
            if not belongs(case, text, sources):
                wrong.append(case[0])

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(askers)) as pool:
        list(pool.map(worker, range(len(askers)), askers))
    wall = time.perf_counter() - began
    return {"latencies": latencies, "errors": errors, "wrong": wrong, "wall": wall}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def row(backend: str, kind: str, result: dict) -> str:
    done = result["latencies"]
    requests = len(done) + len(result["errors"])
    return (
        f"| {backend} | {kind} | {requests} | {len(result['errors'])} | {len(result['wrong'])} | "
        f"{len(done) / result['wall']:.2f} | {percentile(done, 0.5):.2f} | {percentile(done, 0.95):.2f} | "
        f"{max(done, default=float('nan')):.2f} |"
    )


def ask_openai(api: openai.OpenAI, question: str) -> tuple[str, list[str]]:
    """The answer's text and the sources it cites, through `/v1/chat/completions`."""
    message = api.chat.completions.create(model="assistant", messages=[{"role": "user", "content": question}])
    reply = message.choices[0].message
    return reply.content, [citation["source"] for citation in reply.model_extra["citations"]]


CLIENTS = {  # kind of server client -> (make one for a server URL, ask it a question)
    "web": (client, ask_web),
    "openai": (lambda url: openai.OpenAI(base_url=f"{url}v1", api_key="unused", max_retries=0, timeout=300), ask_openai),
}


def server_round(kind: str, root: Path, corpus: Path, cases: list, args: argparse.Namespace, **store: str) -> dict:
    """`kind` clients against `assistant serve` (a subprocess) over its own copy of the index
    (and its own caches: a question asked before would be answered faster)."""
    make, ask = CLIENTS[kind]
    root.mkdir(parents=True)
    with running_server(root, corpus, **store) as server:
        apis = [make(server.url) for _ in range(args.clients)]
        for api in apis[:2]:
            ask(api, WARM_UP)  # load the server's model and search index
        return storm([lambda q, api=api: ask(api, q) for api in apis], cases, args.questions)


def api_round(root: Path, corpus: Path, cases: list, args: argparse.Namespace, **store: str) -> dict:
    """Python-API threads sharing one in-process `Assistant` over its own copy of the index."""
    settings = Settings(data_dir=root / "data")
    settings = settings.model_copy(update={"store": settings.store.model_copy(update=store)})
    assistant = Assistant(settings)
    assistant.ingest([corpus])
    ask_api(assistant, WARM_UP)  # load the model and the search index outside the timing
    return storm([lambda q: ask_api(assistant, q)] * args.clients, cases, args.questions)


def run_backend(backend: str, args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory(prefix=f"load-{backend}-") as folder:
        root = Path(folder)
        corpus = make_corpus(root / "corpus")
        cases = SEED_CASES + write_fact_documents(corpus)
        cases += write_station_documents(corpus, max(0, args.clients * args.questions - len(cases)))
        server = ChromaServer(root).start() if backend == "server" else None
        try:
            url = {"url": server.url} if server else {}
            rounds = {}
            for kind in CLIENTS:
                store = {f"store__{key}": value for key, value in {**url, "collection": kind}.items()}
                rounds[kind] = server_round(kind, root / kind, corpus, cases, args, **store)
            web, compatible = rounds["web"], rounds["openai"]
            python = api_round(root / "api", corpus, cases, args, **url, collection="api")
        finally:
            if server:
                server.stop()
    for result in (web, compatible, python):
        for message in sorted(set(result["errors"]))[:5]:
            print(f"  error: {message[:300]}", file=sys.stderr)
    return [
        row(backend, f"{args.clients} web (gradio_client)", web),
        row(backend, f"{args.clients} OpenAI API (openai client)", compatible),
        row(backend, f"{args.clients} Python API threads", python),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="clients of each kind")
    parser.add_argument("--questions", type=int, default=5, help="questions per client")
    parser.add_argument("--backends", nargs="+", default=["embedded", "server"], choices=["embedded", "server"])
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally`s: stop servers, children
    print(HEADER, flush=True)
    for backend in args.backends:
        for line in run_backend(backend, args):
            print(line, flush=True)


if __name__ == "__main__":
    main()
