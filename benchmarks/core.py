"""Core benchmark: ingest throughput against the embedding model's raw `encode` rate on the
same passages, the plain LangChain pipeline beside it, and `ask` latency with the model loaded.

    python benchmarks/core.py [--corpus DIR] [--limit N]

Prints Markdown rows for BENCHMARKS.md. All runs happen in one process, one after another,
so the ratios compare like with like on a noisy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402
from ingest.chunking import make_splitter, split  # noqa: E402
from ingest.index import make_embeddings  # noqa: E402
from ingest.loaders import load  # noqa: E402
from ingest.files import doc_id_for  # noqa: E402

MULTIHOP = ROOT.parent / "shared" / "evalsets" / "multihop_rag" / "corpus"
SEED_QUESTIONS = ROOT / "evalsets" / "seed" / "questions.jsonl"


def passages_of(files: list[Path], settings: Settings) -> list[str]:
    splitter = make_splitter(settings.chunking)
    return [p.page_content for f in files for p in split(load(f, doc_id_for(f)), splitter)]


def raw_encode_rate(embeddings, texts: list[str]) -> float:
    """Passages per second of `SentenceTransformer.encode` on all passages at once."""
    model = embeddings._client
    started = time.perf_counter()
    model.encode(texts, batch_size=32, normalize_embeddings=True)
    return len(texts) / (time.perf_counter() - started)


def assistant_rate(embeddings, corpus: Path, count: int) -> tuple[float, float]:
    """Passages per second of a full `Assistant.ingest` into a fresh index, and its seconds."""
    with tempfile.TemporaryDirectory() as folder:
        assistant = Assistant(Settings(data_dir=Path(folder)), embeddings=embeddings)
        assistant.describe()  # open the index outside the timing
        started = time.perf_counter()
        summary = assistant.ingest([corpus])
        seconds = time.perf_counter() - started
        assert summary.passages_added == count, (summary.passages_added, count)
        return count / seconds, seconds


def plain_langchain_rate(embeddings, files: list[Path], settings: Settings) -> float:
    """The LangChain RAG tutorial's way: split, then `Chroma.add_documents` in one call."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    with tempfile.TemporaryDirectory() as folder:
        client = chromadb.PersistentClient(path=folder, settings=chromadb.Settings(anonymized_telemetry=False))
        store = Chroma(client=client, collection_name="tutorial", embedding_function=embeddings)
        started = time.perf_counter()
        docs = [Document(f.read_text(encoding="utf-8"), metadata={"source": str(f)}) for f in files]
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        splits = splitter.split_documents(docs)
        batch = client.get_max_batch_size()  # one call over Chroma's max batch (5,461) fails
        for start in range(0, len(splits), batch):
            store.add_documents(splits[start : start + batch])
        return len(splits) / (time.perf_counter() - started)


def ask_latency(assistant: Assistant, questions: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Seconds per ask: the first pass (every question new; passage sentences met before are
    cached, as in a running server) and the repeat passes (the question's embedding cached too)."""
    assistant.ask("What does the corpus say about the weather in Lisbon?")  # load models, warm up
    first, repeated = [], []
    for round_ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            assistant.ask(question)
            (repeated if round_ else first).append(time.perf_counter() - started)
    return first, repeated


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=MULTIHOP if MULTIHOP.exists() else ROOT / "docs")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N files")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the seed questions for latency")
    args = parser.parse_args()

    settings = Settings()
    files = sorted(p for p in args.corpus.iterdir() if p.suffix == ".txt")[: args.limit or None]
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        for f in files:
            (corpus / f.name).write_bytes(f.read_bytes())
        texts = passages_of(sorted(corpus.iterdir()), settings)
        embeddings = make_embeddings(settings.embedding)
        embeddings._client.encode(texts[:64])  # warm up
        raw_before = raw_encode_rate(embeddings, texts)
        ours, ingest_seconds = assistant_rate(embeddings, corpus, len(texts))
        plain = plain_langchain_rate(embeddings, sorted(corpus.iterdir()), settings)
        raw_after = raw_encode_rate(embeddings, texts)

    raw = (raw_before + raw_after) / 2
    seed = Assistant(Settings(data_dir=Path(tempfile.mkdtemp())), embeddings=embeddings)
    seed.ingest([ROOT / "docs"])
    questions = [json.loads(line)["question"] for line in SEED_QUESTIONS.read_text().splitlines()]
    first, repeated = ask_latency(seed, questions, args.rounds)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"date {date.today()}, commit {commit}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"corpus {args.corpus} ({len(files)} files, {len(texts)} passages)")
    print("| measure | passages/s | ratio to raw encode |")
    print("|---|---:|---:|")
    print(f"| raw `encode` (before / after: {raw_before:.1f} / {raw_after:.1f}) | {raw:.1f} | 1.00 |")
    print(f"| `assistant ingest` ({ingest_seconds:.1f} s) | {ours:.1f} | {ours / raw:.2f} |")
    print(f"| plain LangChain (`Chroma.add_documents`) | {plain:.1f} | {plain / raw:.2f} |")
    for name, timings in (("new questions", first), ("repeated questions", repeated)):
        if timings:
            print(f"ask latency, {name}, {len(timings)} asks (seed corpus, extractive): "
                  f"p50 {1000 * statistics.median(timings):.0f} ms, p95 {1000 * percentile(timings, 0.95):.0f} ms")


if __name__ == "__main__":
    main()
