"""The citation check on claims with known truth: which false claims it flags, which true ones
it wrongly flags, with the word-and-embedding check alone and with a model as verifier.

    python benchmarks/citations.py [--model models/qwen...gguf] [--verbose]

`evalsets/seed/claims.jsonl` holds 48 claims about the seed article, written for this
benchmark: 24 it states (most in other words) and 24 it does not (a swapped name, a wrong actor,
flipped polarity, a wrong number, place or role, or something it never says). Each claim is
cited as `[1]` against the passages retrieved for it and goes through `citations.resolve`, as
an LLM's answer sentence does (re-pointing at another passage included).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLAIMS = ROOT / "evalsets" / "seed" / "claims.jsonl"


def flagged(assistant, claim: str, verify) -> bool:
    """Whether the citation check flags `claim [1]` against the passages retrieved for it."""
    from assistant.citations.resolve import resolve

    passages = assistant.retrieve(claim)
    return not all(sentence.supported for sentence in resolve(f"{claim} [1]", passages, assistant.embeddings, verify))


def measure(assistant, claims: list[dict], verify, verbose: bool) -> dict:
    rows = []
    for item in claims:
        started = time.perf_counter()
        flag = flagged(assistant, item["claim"], verify)
        rows.append({**item, "flagged": flag, "seconds": time.perf_counter() - started})
        if verbose and flag == item["supported"]:
            print(f"  wrong: {'flagged' if flag else 'passed '} [{item['kind']}] {item['claim']}")
    false = [r for r in rows if not r["supported"]]
    true = [r for r in rows if r["supported"]]
    missed = Counter(r["kind"] for r in false if not r["flagged"])
    return {
        "false_flagged": sum(r["flagged"] for r in false), "false": len(false),
        "true_flagged": sum(r["flagged"] for r in true), "true": len(true),
        "missed": dict(missed), "seconds_p50": statistics.median(r["seconds"] for r in rows),
    }


def main() -> None:
    from assistant import Assistant, Settings
    from assistant.answering.chat_models import make_chat_model
    from assistant.answering.generative import GenerativeAnswerer

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
    parser.add_argument("--verbose", action="store_true", help="print every claim the check gets wrong")
    args = parser.parse_args()
    claims = [json.loads(line) for line in CLAIMS.read_text().splitlines() if line.strip()]
    settings = Settings(data_dir=Path(tempfile.mkdtemp()))
    settings.llm.model_path = Path(args.model)
    assistant = Assistant(settings)
    assistant.ingest([ROOT / "docs"])
    model = make_chat_model("llamacpp", settings.llm)
    verifier = GenerativeAnswerer(model, assistant.embeddings, settings.answer).verifier()
    print("| check | false claims flagged | true claims flagged (false alarms) | missed, by kind | s per claim p50 |")
    print("|---|---:|---:|---|---:|")
    for name, verify in [("words + embeddings", None), (f"+ verifier: {Path(args.model).name}", verifier)]:
        if args.verbose:
            print(name)
        result = measure(assistant, claims, verify, args.verbose)
        missed = ", ".join(f"{kind} {n}" for kind, n in sorted(result["missed"].items())) or "none"
        print(
            f"| {name} | {result['false_flagged']}/{result['false']} | {result['true_flagged']}/{result['true']} "
            f"| {missed} | {result['seconds_p50']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
