"""Embedding throughput: in-process MiniLM against the `openai` backend and a real llama_cpp.server.

    python benchmarks/embeddings.py [--passages 64] [--concurrency 1 4] [--batch-size 16]
                                    [--server-threads 1] [--corpus DIR]

The same passages (the first `--passages` of the MultiHop-RAG corpus, split as ingest splits
them; the test corpus's passages repeated when that set is missing) are embedded by the local
all-MiniLM-L6-v2 and, through `ServerEmbeddings`, by SmolLM2-135M (mean-pooled) served by
`python -m llama_cpp.server` on loopback, once per concurrency. **Different models**: SmolLM2
has 135M parameters and 576 dimensions against MiniLM's 22M and 384, so the ratio measures the
plumbing and the server on this machine, not a like-for-like model; what the plumbing itself
costs shows against SmolLM2 run in this process by llama-cpp-python (the library the server
wraps, same threads, same batches, vectors scaled as the backend does). The server computes one
request at a time; `--server-threads` are its llama.cpp threads (on a shared 2-core machine one
beats two: OpenMP threads spin waiting for each other). Each figure is one timed run after a
warm-up. Prints a Markdown table; a JSON line goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.model_files import smollm_path  # noqa: E402
from ingest.chunking import make_splitter, split  # noqa: E402
from ingest.embeddings import make_embeddings  # noqa: E402
from ingest.files import doc_id_for  # noqa: E402
from ingest.loaders import load  # noqa: E402
from ingest.settings import ChunkingSettings, EmbeddingSettings  # noqa: E402
from tests.llama_server import ALIAS, EMBEDDING_ARGS, LlamaServer  # noqa: E402

MULTIHOP = ROOT.parent / "shared" / "evalsets" / "multihop_rag" / "corpus"
FALLBACK = [ROOT / "docs", ROOT / "tests" / "data" / "corpus", ROOT / "evalsets" / "dev-wiki" / "corpus"]


def passages(count: int, corpus: Path) -> tuple[list[str], str]:
    """`count` passages as ingest splits them, and where they came from."""
    folders = [corpus] if corpus.is_dir() else FALLBACK
    splitter = make_splitter(ChunkingSettings())
    found: list[str] = []
    for path in sorted(p for folder in folders for p in folder.iterdir() if p.is_file()):
        found += [chunk.page_content for chunk in split(load(path, doc_id_for(path)), splitter)]
        if len(found) >= count:
            break
    source = str(corpus) if corpus.is_dir() else "the test corpus, repeated"
    return (found * (count // max(len(found), 1) + 1))[:count], source


def rate(embeddings, texts: list[str]) -> float:
    """Passages per second of `embed_documents` over `texts`, after a warm-up."""
    embeddings.embed_documents(texts[:8])
    started = time.perf_counter()
    vectors = embeddings.embed_documents(texts)
    seconds = time.perf_counter() - started
    assert len(vectors) == len(texts)
    return len(texts) / seconds


class InProcessSmolLM:
    """SmolLM2 mean-pooled by llama-cpp-python in this process, with the server's defaults."""

    def __init__(self, threads: int, batch_size: int) -> None:
        from llama_cpp import Llama

        self.batch_size = batch_size
        self.model = Llama(
            str(smollm_path()), embedding=True, kv_overrides={"llama.pooling_type": 1}, n_ctx=2048, n_batch=512,
            n_threads=threads, n_threads_batch=threads, verbose=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for start in range(0, len(texts), self.batch_size):
            matrix = np.asarray(self.model.embed(texts[start : start + self.batch_size]), dtype=np.float32)
            vectors += (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).tolist()
        return vectors


def measure(args) -> dict:
    texts, source = passages(args.passages, args.corpus)
    result = {"passages": len(texts), "source": source, "chars": sum(map(len, texts)) // len(texts)}
    result["local"] = rate(make_embeddings(EmbeddingSettings(batch_size=args.batch_size)), texts)
    result["smollm in process"] = rate(InProcessSmolLM(args.server_threads, args.batch_size), texts)
    threads = ("--n_threads", str(args.server_threads), "--n_threads_batch", str(args.server_threads))
    with tempfile.TemporaryDirectory() as folder:
        with LlamaServer(smollm_path(), Path(folder) / "server.log", *EMBEDDING_ARGS, *threads) as server:
            for concurrency in args.concurrency:
                remote = make_embeddings(EmbeddingSettings(  # requests queue at the server: no timeouts here
                    backend="openai", url=server.url, model=ALIAS, batch_size=args.batch_size,
                    concurrency=concurrency, timeout=3600,
                ))
                result[f"server c={concurrency}"] = rate(remote, texts)
    return result


def table(result: dict) -> str:
    local, smollm = result["local"], result["smollm in process"]
    rows = [
        "| backend | passages/s | ratio to local MiniLM | ratio to SmolLM2 in process |",
        "|---|---:|---:|---:|",
        f"| local: all-MiniLM-L6-v2 in this process (sentence-transformers, torch) | {local:.2f} | 1.00 | |",
        f"| SmolLM2-135M in this process (llama-cpp-python, no server) | {smollm:.2f} | {smollm / local:.3f} | 1.00 |",
    ]
    for key, value in result.items():
        if key.startswith("server c="):
            rows.append(
                f"| openai: SmolLM2-135M on llama_cpp.server, {key.removeprefix('server c=')} request(s) in flight "
                f"| {value:.2f} | {value / local:.3f} | {value / smollm:.2f} |"
            )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=64)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--server-threads", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=MULTIHOP, help="folder of .txt files (default: MultiHop-RAG's)")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    result = measure(args)
    print(f"{result['passages']} passages from {result['source']} (mean {result['chars']} characters), "
          f"batch size {args.batch_size}, server threads {args.server_threads}, commit {commit}, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print(table(result))
    print(json.dumps({"commit": commit, **result}), file=sys.stderr)


if __name__ == "__main__":
    main()
