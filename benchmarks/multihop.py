"""MultiHop-RAG benchmark: the assistant with its defaults against LangChain's RAG tutorial
pipeline, in one run, next to the paper's Table 5; ingest throughput against raw `encode`.

    python benchmarks/multihop.py [--limit N] [--throughput-docs N] [--out DIR]

Prints Markdown for BENCHMARKS.md (also written to OUT/bench.md). The assistant's row is
`assistant.evaluation.evaluate` on the set, the same call `assistant eval` makes; its full
report goes to OUT/assistant/, the tutorial pipeline's results to OUT/tutorial/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from baseline import cached_embeddings, open_tutorial  # noqa: E402
from core import assistant_rate, passages_of, raw_encode_rate  # noqa: E402

from assistant import Settings  # noqa: E402
from assistant.answer import Answer  # noqa: E402
from assistant.answering.extractive import ExtractiveAnswerer  # noqa: E402
from assistant.evaluation import evaluate, load_questions, write_report  # noqa: E402
from assistant.evaluation.corpus import corpus_settings  # noqa: E402
from assistant.evaluation.runner import support_judgements  # noqa: E402
from assistant.evaluation.scoring import score_question, summarize  # noqa: E402
from ingest.index import make_embeddings  # noqa: E402

SET = ROOT.parent / "shared" / "evalsets" / "multihop_rag"
PAPER = [  # Table 5 of Tang & Yang (2024): MRR@10, MAP@10, Hits@10, Hits@4; 256-token chunks
    ("paper: text-embedding-ada-002", 0.4203, 0.3431, 0.6381, 0.5040),
    ("paper: bge-large-en-v1.5", 0.4298, 0.3423, 0.6718, 0.5221),
    ("paper: voyage-02", 0.3934, 0.3143, 0.6506, 0.4619),
    ("paper: instructor-large", 0.3458, 0.2650, 0.5717, 0.4229),
    ("paper: bge-large-en-v1.5 + bge-reranker-large", 0.5630, 0.4759, 0.7183, 0.6364),
    ("paper: voyage-02 + bge-reranker-large", 0.5860, 0.4795, 0.7467, 0.6625),
]
COLUMNS = [
    ("mrr@10", "MRR@10"), ("map@10", "MAP@10"), ("hits@10", "Hits@10"), ("hits@4", "Hits@4"),
    ("doc_recall@10", "doc R@10"), ("accuracy", "accuracy"), ("lenient_accuracy", "lenient acc."),
    ("token_f1", "token F1"), ("abstention_recall", "abstain R"), ("false_refusal_rate", "wrongly refused"),
    ("citation_recall", "cit. R"), ("citation_precision", "cit. P"),
]


def throughput(embeddings, settings: Settings, docs: int) -> dict:
    """Chunks/s of a fresh `Assistant.ingest` against raw `encode` of the same chunks (before and after)."""
    files = sorted((SET / "corpus").glob("*.txt"))[: docs or None]
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        for f in files:
            shutil.copy(f, corpus / f.name)
        texts = passages_of(sorted(corpus.iterdir()), settings)
        embeddings._client.encode(texts[:64])  # warm up
        before = raw_encode_rate(embeddings, texts)
        ours, seconds = assistant_rate(embeddings, corpus, len(texts))
        after = raw_encode_rate(embeddings, texts)
    return {"docs": len(files), "chunks": len(texts), "raw": (before + after) / 2, "raw_before": before,
            "raw_after": after, "ingest": ours, "ingest_seconds": seconds}


def tutorial_rows(run, settings: Settings, embeddings, out: Path) -> tuple[dict, dict]:
    """The tutorial pipeline on the same questions: retrieval, and extractive answers over its passages."""
    started = time.perf_counter()
    vectors = cached_embeddings(corpus_settings(run.settings, SET / "corpus"), embeddings)
    folder = tempfile.mkdtemp()
    pipeline = open_tutorial(SET / "corpus", Path(folder), vectors)
    build = {"seconds": time.perf_counter() - started, "chunks": pipeline.chunks, **vectors.stats()}
    answerer = ExtractiveAnswerer(embeddings, settings.answer)
    questions = {q.id: q for q in load_questions(SET / "questions.jsonl").questions}
    ks = sorted({4, 10, settings.retrieval.k})
    records, reused = [], 0
    for mine in run.records:
        question = questions[mine["id"]]
        began = time.perf_counter()
        ranked = pipeline.search(question.question, k=run.retrieval_k)
        seconds = time.perf_counter() - began
        top = ranked[: settings.retrieval.k]
        if [(p["doc"], p["start"]) for p in mine["retrieved"][: len(top)]] == [(Path(p.doc_id).stem, p.start) for p in top]:
            answer, judgements = Answer(question=question.question, text=mine["answer"], abstained=mine["abstained"]), mine["support"]
            reused += 1
        else:
            *_, answer = answerer.stream(question.question, top)
            judgements = support_judgements(answer, embeddings)
        scores = score_question(question, answer, ranked, judgements, ks)
        records.append({**{k: mine[k] for k in ("id", "type", "answerable")}, "retrieve_s": seconds,
                        "latency_s": seconds, "answer": answer.text, "scores": scores})
    build["answers_reused"] = reused
    shutil.rmtree(folder, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return summarize(records, ks), build


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load average at start {load}"


def commit() -> str:
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: E731
    return git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else "")


def command() -> str:
    """The command line, with the environment variables that change the numbers."""
    env = [f"{name}={os.environ[name]}" for name in ("OMP_NUM_THREADS", "ASSISTANT_RETRIEVAL__K") if name in os.environ]
    return " ".join([*env, "python", *sys.argv])


def cell(value) -> str:
    return "" if value is None else f"{value:.4f}"


def tables(ours: dict, theirs: dict) -> list[str]:
    head = "| pipeline | " + " | ".join(h for _, h in COLUMNS) + " |"
    lines = [head, "|---|" + "---:|" * len(COLUMNS)]
    for name, row in (("assistant (defaults)", ours), ("LangChain RAG tutorial", theirs)):
        lines.append(f"| {name} | " + " | ".join(cell(row.get(k)) for k, _ in COLUMNS) + " |")
    ratios = [cell(ours[k] / theirs[k]) if ours.get(k) is not None and theirs.get(k) else "" for k, _ in COLUMNS]
    lines.append("| ratio assistant / tutorial | " + " | ".join(ratios) + " |")
    for name, *values in PAPER:
        lines.append(f"| {name} | " + " | ".join(cell(v) for v in values) + " |" + " |" * (len(COLUMNS) - 4))
    return lines


def by_type(ours: dict, theirs: dict) -> list[str]:
    lines = ["| question type | n | assistant MAP@10 | tutorial MAP@10 | assistant accuracy | tutorial accuracy | assistant abstain R |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, row in ours.items():
        if name != "all":
            other = theirs[name]
            lines.append(f"| {name} | {row['questions']} | {cell(row['map@10'])} | {cell(other['map@10'])} | "
                         f"{cell(row['accuracy'])} | {cell(other['accuracy'])} | {cell(row['abstention_recall'])} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (default: all 2,556)")
    parser.add_argument("--throughput-docs", type=int, default=100, help="ingest throughput on the first N documents (0: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench-multihop")
    args = parser.parse_args()
    started, start_machine, date, code = time.perf_counter(), machine(), datetime.now(timezone.utc), commit()
    settings = Settings()
    embeddings = make_embeddings(settings.embedding)
    rates = throughput(embeddings, settings, args.throughput_docs)
    run = evaluate(SET / "questions.jsonl", settings=settings, corpus=SET / "corpus", limit=args.limit or None,
                   embeddings=embeddings, progress=True)
    write_report(run, args.out / "assistant")
    theirs, build = tutorial_rows(run, settings, embeddings, args.out / "tutorial")
    ours = run.summary
    lines = [
        f"- date {date:%Y-%m-%d %H:%M} UTC; commit {code}; total {time.perf_counter() - started:.0f} s",
        f"- machine: {start_machine}",
        f"- command: `{command()}`",
        f"- {len(run.records)} questions ({ours['all']['with_evidence']} with evidence, {ours['all']['unanswerable']} null); "
        f"assistant eval {run.seconds:.0f} s, ingest {'reused (0 s)' if run.ingest_reused else f'{run.ingest_seconds:.0f} s'}",
        f"- tutorial index: {build['chunks']} chunks in {build['seconds']:.0f} s ({build['hits']} vectors reused from the "
        f"assistant's index, {build['misses']} encoded); {build['answers_reused']} of {len(run.records)} answers reused "
        "(top passages identical to the assistant's), the rest written by the extractive answerer over its passages",
        "", *tables(ours["all"], theirs["all"]), "", *by_type(ours, theirs), "",
        "| ingest ({docs} docs, {chunks} chunks) | chunks/s | ratio to raw encode |".format(**rates), "|---|---:|---:|",
        f"| raw `encode` (before {rates['raw_before']:.1f} / after {rates['raw_after']:.1f}) | {rates['raw']:.1f} | 1.00 |",
        f"| `Assistant.ingest` ({rates['ingest_seconds']:.1f} s) | {rates['ingest']:.1f} | {rates['ingest'] / rates['raw']:.2f} |",
        "",
        f"Query latency at {build['chunks']} chunks: assistant `ask` p50 {ours['all']['latency_p50_s']:.3f} s, "
        f"p95 {ours['all']['latency_p95_s']:.3f} s; assistant `retrieve(k=10)` p50 {ours['all']['retrieve_p50_s']:.3f} s, "
        f"p95 {ours['all']['retrieve_p95_s']:.3f} s; tutorial `similarity_search(k=10)` p50 {theirs['all']['retrieve_p50_s']:.3f} s, "
        f"p95 {theirs['all']['retrieve_p95_s']:.3f} s.",
    ]
    text = "\n".join(lines)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.md").write_text(text + "\n")
    (args.out / "bench.json").write_text(json.dumps({"assistant": ours, "tutorial": theirs, "build": build, "throughput": rates}, indent=2))


if __name__ == "__main__":
    main()
