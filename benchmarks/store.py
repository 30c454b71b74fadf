"""Store benchmark: Chroma with synthetic chunks, embedded vs server, at 100k and 1M; and the
hybrid search index built from it.

    python benchmarks/store.py [--sizes 100000 1000000] [--backends embedded server] [--no-hybrid]

Each case runs in a fresh folder and a fresh child process (so memory is its own): random
normalized 384-dim vectors, each with a 1,000-character text of varied words and the metadata
our passages carry, added in batches of Chroma's max batch size into a cosine HNSW collection; then
`--queries` single-vector queries (k=10, texts, metadata and distances returned, as dense
retrieval does). Memory is the peak RSS (VmHWM) of the process holding the index: the child for
embedded Chroma, the `chroma run` process for the server (the client's is shown beside it).

Then what hybrid retrieval (`ask`'s default) does on top of the store, in the same child: build
the Tantivy lexical index once, time its update for 1,000 more passages, rank 50 questions over
the engines' candidates and a fresh reader's first; its peak RSS is the assistant process's. Prints two Markdown tables for BENCHMARKS.md; a JSON line per
case goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIM = 384
PROGRESS = 50_000  # chunks between progress lines
HYBRID_QUERIES = 50
WORDS = sorted(set(re.findall(r"[A-Za-z]{3,}", (ROOT / "docs" / "us-un-ukraine-resolutions.txt").read_text())))


def texts(rng, count: int) -> list[str]:
    """Passage-like texts of about 1,000 characters drawn from the seed article's words (varied,
    as real passages are: Chroma indexes every document for full-text search)."""
    picks = rng.integers(0, len(WORDS), size=(count, 140))
    return [" ".join(WORDS[i] for i in row)[:1000] for row in picks]


def vectors(rng, count: int):
    import numpy as np

    block = rng.standard_normal((count, DIM), dtype=np.float32)
    return block / np.linalg.norm(block, axis=1, keepdims=True)


def connect(target: str):
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False)
    if target.startswith("http://"):
        host, port = target.removeprefix("http://").split(":")
        return chromadb.HttpClient(host=host, port=int(port), settings=settings)
    return chromadb.PersistentClient(path=target, settings=settings)


def add_all(collection, size: int, batch: int, rng) -> list[tuple[int, float]]:
    """Add `size` chunks; returns (chunks, seconds) per batch. Progress goes to stderr."""
    timings, reported = [], 0
    for start in range(0, size, batch):
        count = min(batch, size - start)
        ids = [f"chunk-{n}" for n in range(start, start + count)]
        metadatas = [
            {"doc_id": f"docs/doc-{n // 20}.txt", "source": f"docs/doc-{n // 20}.txt", "title": f"Document {n // 20}",
             "start": (n % 20) * 800, "end": (n % 20) * 800 + 1000, "chunk": n % 20}
            for n in range(start, start + count)
        ]
        block = vectors(rng, count)
        documents = texts(rng, count)
        began = time.perf_counter()
        collection.add(ids=ids, embeddings=block, documents=documents, metadatas=metadatas)
        timings.append((count, time.perf_counter() - began))
        if start + count - reported >= PROGRESS or start + count == size:
            reported = start + count
            seconds = sum(t for _, t in timings)
            recent = rate(timings[-10:])
            print(f"  added {reported:,} in {seconds / 60:.1f} min ({recent:,.0f} chunks/s lately)", file=sys.stderr, flush=True)
    return timings


def query_all(collection, queries: int, rng) -> list[float]:
    """Seconds per single-vector query (k=10), after five warm-up queries."""
    probes = vectors(rng, queries + 5)
    latencies = []
    for number, probe in enumerate(probes):
        began = time.perf_counter()
        found = collection.query(query_embeddings=[probe], n_results=10, include=["documents", "metadatas", "distances"])
        if number >= 5:
            latencies.append(time.perf_counter() - began)
        assert len(found["ids"][0]) == 10
    return latencies


def child(target: str, size: int, queries: int, folder: Path, with_hybrid: bool) -> dict:
    """One case, in this process: returns its measurements."""
    import numpy as np

    Path("/proc/self/oom_score_adj").write_text("1000")  # if memory runs out, this case dies, not the machine
    rng = np.random.default_rng(42)
    client = connect(target)
    collection = client.get_or_create_collection(
        "bench", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )
    batch = client.get_max_batch_size()
    timings = add_all(collection, size, batch, rng)
    add_seconds = sum(seconds for _, seconds in timings)  # the `add` calls only, not making the data
    assert collection.count() == size
    latencies = query_all(collection, queries, rng)
    tenth = max(1, len(timings) // 10)
    first, last = timings[:tenth], timings[-tenth:]
    store_peak = peak_rss_mb(os.getpid())
    return {
        **(hybrid(collection, size, folder, rng) if with_hybrid else {}),
        "batch": batch,
        "add_seconds": add_seconds,
        "add_rate": size / add_seconds,
        "add_rate_first_tenth": rate(first),
        "add_rate_last_tenth": rate(last),
        "query_p50_ms": 1000 * percentile(latencies, 0.50),
        "query_p95_ms": 1000 * percentile(latencies, 0.95),
        "query_mean_ms": 1000 * statistics.fmean(latencies),
        "client_peak_rss_mb": store_peak,
    }


class Store:
    """What hybrid retrieval asks of `ingest.index.Index`, over the bare benchmark collection."""

    def __init__(self, collection, folder: Path) -> None:
        from ingest.lexical import LexicalIndex

        self.collection = collection
        self.lexical = LexicalIndex(folder)

    def search_index(self):
        return self

    def nearest(self, vector, k: int, where=None) -> list[str]:
        return self.collection.query(query_embeddings=[vector], n_results=k, where=where, include=[])["ids"][0]

    def fetch(self, ids):
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas", "embeddings"])
        return {i: (t, m, e) for i, t, m, e in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"])}

    def vectors(self, ids):
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"]))

    def write(self, doc_ids: list[str], generation: int, clear: bool = False) -> None:
        """Rewrite these documents in the lexical index from the store (as `ingest.search` does)."""
        from ingest.search import rows

        got = self.collection.get(where={"doc_id": {"$in": doc_ids}}, include=["documents", "metadatas"])
        passages, documents = rows(got["ids"], got["documents"], got["metadatas"])
        self.lexical.write(doc_ids, passages, documents, generation, clear=clear)


def hybrid(collection, size: int, folder: Path, rng) -> dict:
    """What hybrid retrieval (`ask`'s default) does with the store: build the lexical index
    once (what an index made before it gets on first use), add 1,000 passages (50 documents)
    to the store and time only the lexical index's update, rank questions over the engines'
    candidates, and a fresh reader's first question."""
    from assistant.retrieval.candidates import gather
    from assistant.retrieval.ranking import rank
    from assistant.settings import RetrievalSettings

    began, store = time.perf_counter(), Store(collection, folder / "lexical")
    documents = size // 20
    for start in range(0, documents, 250):  # 5,000 passages a commit
        store.write([f"docs/doc-{n}.txt" for n in range(start, min(documents, start + 250))], 1, clear=start == 0)
    build = time.perf_counter() - began
    more = [f"docs/doc-{n}.txt" for n in range(documents, documents + 50)]
    collection.add(
        ids=[f"chunk-{n}" for n in range(size, size + 1000)], embeddings=vectors(rng, 1000), documents=texts(rng, 1000),
        metadatas=[{"doc_id": more[k // 20], "source": more[k // 20], "start": (k % 20) * 800, "end": (k % 20) * 800 + 1000} for k in range(1000)],
    )
    began = time.perf_counter()
    store.write(more, 2)
    added = time.perf_counter() - began
    settings, latencies = RetrievalSettings(), []
    questions = [(" ".join(WORDS[i] for i in rng.integers(0, len(WORDS), size=8)) + "?", v) for v in vectors(rng, HYBRID_QUERIES + 1)]
    began = time.perf_counter()
    fresh = Store(collection, folder / "lexical")  # a new reader: nothing cached
    rank(gather(fresh, *questions[0], settings), settings.k, settings)
    first = time.perf_counter() - began
    for question, vector in questions[1:]:
        started = time.perf_counter()
        rank(gather(fresh, question, vector, settings), settings.k, settings)
        latencies.append(time.perf_counter() - started)
    return {
        "hybrid_build_seconds": build,
        "hybrid_add_1000_seconds": added,
        "hybrid_first_question_seconds": first,
        "hybrid_query_p50_ms": 1000 * percentile(latencies, 0.50),
        "hybrid_query_p95_ms": 1000 * percentile(latencies, 0.95),
        "hybrid_peak_rss_mb": peak_rss_mb(os.getpid()),
        "hybrid_disk_mb": disk_mb(folder / "lexical"),
    }


def rate(timings: list[tuple[int, float]]) -> float:
    return sum(count for count, _ in timings) / sum(seconds for _, seconds in timings)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def run_case(backend: str, size: int, args: argparse.Namespace) -> dict:
    """A fresh folder (and server), the case in a child process, then memory and disk."""
    from tests.chroma_server import ChromaServer

    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"store-{backend}-{size}-", dir=args.workdir))
    server = ChromaServer(folder).start() if backend == "server" else None
    target = server.url if server else str(folder / "chroma")
    command = [sys.executable, __file__, "--child", target, str(size), str(args.queries), str(folder), str(int(args.hybrid))]
    print(f"{backend} {size:,}: {folder}", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)  # stderr: progress, errors
        if done.returncode != 0:
            raise RuntimeError(f"{backend} {size}: child failed ({done.returncode}); its stderr is above")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result.update(backend=backend, size=size)
        result["store_peak_rss_mb"] = peak_rss_mb(server.pid) if server else result["client_peak_rss_mb"]
    finally:
        if server:
            server.stop()
    result["disk_mb"] = disk_mb(server.path if server else folder / "chroma")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def row(result: dict) -> str:
    client = f" (client {result['client_peak_rss_mb']:,.0f})" if result["backend"] == "server" else ""
    return (
        f"| {result['backend']} | {result['size']:,} | {result['add_rate']:,.0f} "
        f"({result['add_rate_first_tenth']:,.0f} → {result['add_rate_last_tenth']:,.0f}) | "
        f"{result['add_seconds'] / 60:,.1f} | {result['query_p50_ms']:.1f} | {result['query_p95_ms']:.1f} | "
        f"{result['store_peak_rss_mb']:,.0f}{client} | {result['disk_mb']:,.0f} |"
    )


def hybrid_row(result: dict) -> str:
    return (
        f"| {result['backend']} | {result['size']:,} | {result['hybrid_build_seconds']:,.0f} | "
        f"{result['hybrid_add_1000_seconds']:,.2f} | {result['hybrid_first_question_seconds']:,.2f} | "
        f"{result['hybrid_query_p50_ms']:,.0f} | {result['hybrid_query_p95_ms']:,.0f} | "
        f"{result['hybrid_peak_rss_mb']:,.0f} | {result['hybrid_disk_mb']:,.0f} |"
    )


HYBRID_HEADER = (
    "| backend | chunks | lexical index built once s | add 1,000 passages s | fresh reader's first question s "
    "| rank p50 ms | rank p95 ms | assistant peak RSS MiB | lexical index MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)
HEADER = (
    "| backend | chunks | add chunks/s (first → last tenth) | add minutes | query p50 ms | query p95 ms "
    "| peak RSS MiB | disk MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["embedded", "server"], choices=["embedded", "server"])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=None, help="where the stores are written (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the stores after measuring")
    parser.add_argument(
        "--no-hybrid", dest="hybrid", action="store_false",
        help="skip the search-index step (it is the same work on either backend; at 1M it needs most of the memory)",
    )
    parser.add_argument("--child", nargs=5, metavar=("TARGET", "SIZE", "QUERIES", "FOLDER", "HYBRID"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally`s: stop servers, children
    if args.child:
        target, size, queries, folder, with_hybrid = args.child
        print(json.dumps(child(target, int(size), int(queries), Path(folder), with_hybrid == "1")))
        return
    print(HEADER, flush=True)
    results = []
    for size in args.sizes:
        for backend in args.backends:
            results.append(run_case(backend, size, args))
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
            print(row(results[-1]), flush=True)
    if args.hybrid:
        print(f"\n{HYBRID_HEADER}")
        for result in results:
            print(hybrid_row(result))


if __name__ == "__main__":
    main()
