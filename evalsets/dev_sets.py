"""Validate the dev question sets and (re)assign their dev/check split.

    python evalsets/dev_sets.py            # validate, print counts
    python evalsets/dev_sets.py --split    # also rewrite the "split" field (seeded, reproducible)

Checks: every line is JSON with the required keys and value types; ids are unique; `type` and
`answer_type` come from the allowed lists; answerable questions have answers and existing sources,
and one of their answers (normalised as the scorer does: lower-case, punctuation and articles
dropped) occurs in the text of their source documents (yes/no answers excepted); unanswerable
questions have no answers and no sources.
"""
import json
import os
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("EVALSETS_SHARED", "/work/shared/evalsets"))
SETS = {
    "dev-seed": HERE.parent / "docs",
    "dev-multihop": SHARED / "multihop_rag" / "corpus",
    "dev-wiki": HERE / "dev-wiki" / "corpus",
}
SEED = 20250301
KEYS = {"id": str, "question": str, "answers": list, "sources": list, "answerable": bool,
        "type": str, "answer_type": str}
TYPES = {"answerable-paraphrase", "answerable-yes-no", "unanswerable-swapped-entity",
         "unanswerable-negation", "unanswerable-absent-figure", "unanswerable-false-premise",
         "unanswerable-offtopic"}
ANSWER_TYPES = {"number", "date", "person", "organization", "place", "yes/no", "other"}


def norm(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(" " if unicodedata.category(c)[0] in "PS" else c
                   for c in text if not unicodedata.combining(c))
    return " ".join(w for w in text.split() if w not in {"a", "an", "the"})


def load(name):
    path = HERE / name / "questions.jsonl"
    return path, [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def validate(name, rows):
    errors, corpus = [], SETS[name]
    ids = Counter(r.get("id") for r in rows)
    errors += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    for r in rows:
        rid = r.get("id")
        for key, typ in KEYS.items():
            if not isinstance(r.get(key), typ):
                errors.append(f"{rid}: {key} missing or not {typ.__name__}")
        if r.get("split") not in (None, "dev", "check"):
            errors.append(f"{rid}: bad split {r.get('split')!r}")
        if r.get("type") not in TYPES:
            errors.append(f"{rid}: bad type {r.get('type')!r}")
        if r.get("answer_type") not in ANSWER_TYPES:
            errors.append(f"{rid}: bad answer_type {r.get('answer_type')!r}")
        if r.get("answerable") != str(r.get("type", "")).startswith("answerable"):
            errors.append(f"{rid}: answerable flag disagrees with type")
        if not r.get("answerable"):
            if r.get("answers") or r.get("sources"):
                errors.append(f"{rid}: unanswerable question with answers or sources")
            continue
        if not r.get("answers") or not r.get("sources"):
            errors.append(f"{rid}: answerable question without answers or sources")
            continue
        texts = []
        for s in r["sources"]:
            f = corpus / f"{s}.txt"
            if not f.exists():
                errors.append(f"{rid}: source {s} not found in {corpus}")
            else:
                texts.append(norm(f.read_text(encoding="utf-8")))
        if r["answer_type"] == "yes/no":
            if not ({"yes", "no"} & {norm(a) for a in r["answers"]}):
                errors.append(f"{rid}: yes/no question whose answers hold neither yes nor no")
        elif texts and not any(norm(a) in " ".join(texts) for a in r["answers"]):
            errors.append(f"{rid}: no answer string occurs in its sources")
    return errors


def assign_split(name, rows):
    """Stratified by answerable: a third of each group, chosen with a seeded RNG, goes to check."""
    rng = random.Random(f"{SEED}-{name}")
    for flag in (True, False):
        group = sorted(r["id"] for r in rows if r["answerable"] is flag)
        check = set(rng.sample(group, round(len(group) / 3)))
        for r in rows:
            if r["id"] in group:
                r["split"] = "check" if r["id"] in check else "dev"


def main():
    failed = False
    for name in SETS:
        path, rows = load(name)
        if "--split" in sys.argv:
            assign_split(name, rows)
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        errors = validate(name, rows)
        failed |= bool(errors)
        n, una = len(rows), sum(not r["answerable"] for r in rows)
        print(f"== {name}: {n} questions, {una} unanswerable ({una / n:.0%})")
        for label, key in (("type", "type"), ("answer_type", "answer_type"), ("split", "split")):
            print(f"  {label}: " + ", ".join(f"{k}={v}" for k, v in sorted(Counter(r.get(key) for r in rows).items(), key=str)))
        two = sum(len(r["sources"]) > 1 for r in rows)
        print(f"  answerable with more than one source: {two}")
        for e in errors:
            print("  ERROR", e)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
