"""Retrieval on MultiHop-RAG: the default hybrid retriever, an ablation of its steps, and
query latency at the corpus's index size.

    python benchmarks/retrieval.py [--limit N] [--every N] [--default-only]

Uses the evaluation index of the corpus (built, or reused, as `assistant eval --corpus` does).
Each ablation row switches steps off through settings or the ranking module's weights.
The dev slice (every 5th answerable question, the one the weights were tuned on) is shown
beside the full set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Settings  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402
from assistant.evaluation.corpus import open_corpus  # noqa: E402
from assistant.evaluation.metrics import doc_recall, multihop_retrieval, percentile  # noqa: E402

SET = Path(os.environ.get("ASSISTANT_EVALSETS", "/work/shared/evalsets")) / "multihop_rag"
PLAIN = {"document_weight": 0.0, "early_penalty": 0.0, "late_penalty": 0.0, "named_boost": 0.0}
STEPS = [  # (row, retrieval settings)
    ("dense only (Chroma, passages indexed under title/outlet/date)", {"mode": "dense"}),
    ("BM25 only (Tantivy over Snowball-stemmed words)", {"dense_weight": 0.0, "clauses": False, "metadata": False, "document_cap": 10, **PLAIN}),
    ("+ embeddings, z-score fusion 0.5/0.5", {"clauses": False, "metadata": False, "document_cap": 10, **PLAIN}),
    ("+ clause scores", {"metadata": False, "document_cap": 10, **PLAIN}),
    ("+ document scores, spreading over documents (cap 3)", {"metadata": False}),
    ("+ outlets/authors/dates named in the question = default", {}),
]
METRICS = ["mrr@10", "hits@4", "hits@10", "map@10", "doc_recall@10"]


def evaluate(assistant, questions) -> tuple[dict, list[float]]:
    rows, seconds = [], []
    for question in questions:
        started = time.perf_counter()
        passages = assistant.retrieve(question.question, k=10)
        seconds.append(time.perf_counter() - started)
        scores = multihop_retrieval([p.text for p in passages], [e.fact for e in question.evidence])
        scores["doc_recall@10"] = doc_recall([Path(p.doc_id).stem for p in passages], question.sources, 10)
        rows.append(scores)
    return {m: statistics.mean(r[m] for r in rows) for m in METRICS}, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--every", type=int, default=1, help="every n-th question only (a stated subset)")
    parser.add_argument("--default-only", action="store_true", help="the default retriever only, no ablation")
    args = parser.parse_args()
    questions = [q for q in load_questions(SET / "questions.jsonl").questions if q.answerable and q.evidence]
    questions = questions[: args.limit or None][:: args.every]
    dev = questions[::5]
    base = open_corpus(Settings(), SET / "corpus", progress=True).assistant
    print(f"{len(questions)} answerable questions (dev slice: {len(dev)}), "
          f"{base.describe().passages} passages")
    print("| retriever | " + " | ".join(METRICS) + " | dev MRR@10 |")
    print("|---|" + "---:|" * (len(METRICS) + 1))
    for name, retrieval in STEPS[-1:] if args.default_only else STEPS:
        settings = base.settings.updated({f"retrieval.{key}": value for key, value in retrieval.items()})
        assistant = type(base)(settings, embeddings=base.embeddings)
        assistant.retrieve("warm-up question", k=10)
        full, seconds = evaluate(assistant, questions)
        dev_scores, _ = evaluate(assistant, dev) if not args.default_only else (full, None)
        print(f"| {name} | " + " | ".join(f"{full[m]:.3f}" for m in METRICS) + f" | {dev_scores['mrr@10']:.3f} |")
    print(f"default retriever, retrieve(k=10) incl. question embedding: p50 {1000 * statistics.median(seconds):.0f} ms, "
          f"p95 {1000 * percentile(seconds, 0.95):.0f} ms over {len(seconds)} questions")


if __name__ == "__main__":
    main()
