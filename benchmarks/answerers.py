"""Answerers on the seed question set: extractive vs a local LLM (llama.cpp).

    python benchmarks/answerers.py [--answerers extractive llamacpp] [--model models/qwen...gguf]

For each answerer, in a subprocess of its own (so that peak memory is its own): correct
answers (a gold answer contained in a non-abstaining answer), refusals of unanswerable
questions, the share of answer sentences the citation check flagged, seconds to the first
streamed piece and per answer, and peak RSS. Every answer is printed for a manual audit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUESTIONS = ROOT / "evalsets" / "seed" / "questions.jsonl"


def run_one(answerer: str, model: str) -> dict:
    """Ask every seed question with one answerer; returns per-question rows and peak memory."""
    from assistant import Assistant, Settings

    settings = Settings(data_dir=Path(tempfile.mkdtemp()))
    settings.answer.answerer = answerer
    settings.llm.model_path = Path(model)
    assistant = Assistant(settings)
    assistant.ingest([ROOT / "docs"])
    rows = []
    for item in map(json.loads, QUESTIONS.read_text().splitlines()):
        history = []
        for earlier in item.get("history", []):
            history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": assistant.ask(earlier).text}]
        started, first = time.perf_counter(), None
        response = assistant.stream(item["question"], history)
        for _ in response:
            first = first or time.perf_counter() - started
        answer = response.answer()
        total = time.perf_counter() - started
        gold = [a.lower() for a in item["answers"]]
        unsupported = [s.text for s in [*answer.sentences, *answer.set_aside] if not s.supported]
        rows.append({
            "id": item["id"], "question": item["question"], "answerable": item["answerable"],
            "text": answer.text, "abstained": answer.abstained,
            "correct": item["answerable"] and not answer.abstained and any(g in answer.text.lower() for g in gold),
            "sentences": len(answer.sentences) + len(answer.set_aside),
            "flagged": len(unsupported), "unsupported": unsupported,
            "first": first, "total": total,
        })
    return {"rows": rows, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def summarize(name: str, result: dict) -> str:
    rows = result["rows"]
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    sentences = sum(r["sentences"] for r in rows)
    firsts = [r["first"] for r in rows]
    totals = [r["total"] for r in rows]
    return (
        f"| {name} | {sum(r['correct'] for r in answerable)}/{len(answerable)} "
        f"| {sum(r['abstained'] for r in unanswerable)}/{len(unanswerable)} "
        f"| {sum(r['abstained'] for r in answerable)} "
        f"| {sum(r['flagged'] for r in rows)}/{sentences} "
        f"| {statistics.median(firsts):.2f} / {max(firsts):.2f} | {statistics.median(totals):.2f} "
        f"| {result['peak_mb']:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answerers", nargs="+", default=["extractive", "llamacpp"])
    parser.add_argument("--model", default=str(ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.model)))
        return
    lines = [
        "| answerer | answerable right | unanswerable refused | answerable refused | flagged sentences "
        "| first piece p50 / max (s) | per answer p50 (s) | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    passed_on = ["--model", args.model]
    for name in args.answerers:
        done = subprocess.run(
            [sys.executable, __file__, "--one", name, *passed_on], capture_output=True, text=True, check=True
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        for row in result["rows"]:
            mark = "ok " if row["correct"] or (not row["answerable"] and row["abstained"]) else "BAD"
            print(f"{name:10} {mark} {row['first']:5.1f}s {row['question'][:60]:60} -> {row['text'][:150]}")
            for sentence in row["unsupported"]:
                print(f"{'':10} flagged as unsupported: {sentence[:150]}")
        lines.append(summarize(name, result))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
