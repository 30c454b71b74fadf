"""Answer precision first: each answerer on the seed set, the three dev sets (their `dev` split,
tuned on, and their `check` split, held back) and fixed samples of MultiHop-RAG.

    python benchmarks/answers.py [--answerers extractive llamacpp] [--sets seed dev-seed ...]
                                 [--multihop 300] [--out out/bench-answers]

Prints a Markdown table per answerer for BENCHMARKS.md: precision (share of given answers that
are right), coverage (answerable questions answered right), abstention recall, answerable wrongly
refused, latency p50; MultiHop-RAG rows also give accuracy per question type. The MultiHop
samples are drawn from the shared set at run time (never copied into the project): `tune` is
25 questions per type from the retrieval dev slice (every fifth question), `report` is
`--multihop` questions stratified by type from the other four fifths, both with a fixed seed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Settings  # noqa: E402
from assistant.evaluation import evaluate, write_report  # noqa: E402

MULTIHOP = ROOT.parent / "shared" / "evalsets" / "multihop_rag"
TYPES = ["inference_query", "comparison_query", "temporal_query", "null_query"]
SETS = {  # name -> (questions, corpus, split)
    "seed": (ROOT / "evalsets" / "seed" / "questions.jsonl", ROOT / "docs", None),
    **{
        f"{name}:{split}": (ROOT / "evalsets" / name / "questions.jsonl", corpus, split)
        for name, corpus in [
            ("dev-seed", ROOT / "docs"),
            ("dev-wiki", ROOT / "evalsets" / "dev-wiki" / "corpus"),
            ("dev-multihop", MULTIHOP / "corpus"),
        ]
        for split in ("dev", "check")
    },
}
COLUMNS = [("questions", "n"), ("precision", "precision"), ("coverage", "coverage"),
           ("abstention_recall", "refused (unanswerable)"), ("false_refusal_rate", "refused (answerable)"),
           ("latency_p50_s", "p50 s")]


def multihop_samples(report: int, out: Path) -> dict[str, Path]:
    """The tune and report samples of MultiHop-RAG, written as question files under `out`."""
    questions = [json.loads(line) for line in (MULTIHOP / "questions.jsonl").read_text().splitlines()]
    rng = random.Random(2024)
    pools = {"tune": questions[::5], "report": [q for n, q in enumerate(questions) if n % 5]}
    sizes = {"tune": 25, "report": report // len(TYPES)}
    files = {}
    for name, pool in pools.items():
        chosen = [q for kind in TYPES for q in rng.sample([q for q in pool if q["type"] == kind], sizes[name])]
        path = out / f"multihop-{name}.jsonl"
        path.write_text("".join(json.dumps(q) + "\n" for q in chosen), encoding="utf-8")
        files[f"multihop:{name}"] = path
    return files


def row(name: str, summary: dict) -> str:
    overall = summary["all"]
    cells = [name] + [_cell(overall.get(key)) for key, _ in COLUMNS]
    kinds = [kind for kind in TYPES if kind in summary]
    if kinds:
        cells.append(", ".join(f"{kind.split('_')[0]} {_cell(summary[kind].get('accuracy'))}" for kind in kinds))
    return "| " + " | ".join(cells) + " |"


def _cell(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answerers", nargs="+", default=["extractive", "llamacpp"])
    parser.add_argument("--sets", nargs="+", default=list(SETS) + ["multihop:tune", "multihop:report"])
    parser.add_argument("--multihop", type=int, default=300, help="size of the MultiHop-RAG report sample")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench-answers")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sets = {**{name: (path, MULTIHOP / "corpus", None) for name, path in multihop_samples(args.multihop, args.out).items()}, **SETS}
    for answerer in args.answerers:
        print(f"\n{answerer}\n")
        print("| set | " + " | ".join(heading for _, heading in COLUMNS) + " | accuracy by type |")
        print("|---|" + "---:|" * len(COLUMNS) + "---|")
        for name in args.sets:
            questions, corpus, split = sets[name]
            run = evaluate(questions, settings=Settings(), corpus=corpus, split=split, answerer=answerer)
            write_report(run, args.out / answerer / name.replace(":", "-"))
            print(row(name, run.summary), flush=True)


if __name__ == "__main__":
    main()
