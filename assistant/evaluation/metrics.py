"""The metrics, as pure functions of strings and lists: retrieval, answers, abstention, citations.

Retrieval follows MultiHop-RAG's `retrieval_evaluate.py` exactly; answers follow SQuAD's
normalisation for containment and token F1, and MultiHop-RAG's `qa_evaluate.py` for the
lenient word-overlap accuracy.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation})


# Retrieval -----------------------------------------------------------------------------------


def compact(text: str) -> str:
    """`text` without spaces and newlines, as MultiHop-RAG compares facts with chunks."""
    return text.replace(" ", "").replace("\n", "")


def multihop_retrieval(chunks: Sequence[str], facts: Sequence[str]) -> dict[str, float]:
    """Hits@4, Hits@10, MRR@10 and MAP@10 of one question, exactly as MultiHop-RAG computes them.

    A chunk is relevant when it contains any gold fact (spaces and newlines stripped from both).
    MAP@10 sums, over ranks r <= 10, (facts first found at rank r) / r, and divides by
    min(#facts, 10); a fact listed twice counts once when found but twice in the divisor,
    as in the authors' script.
    """
    gold = [compact(fact) for fact in facts]
    found: set[str] = set()
    first = None
    precision_sum = 0.0
    for rank, chunk in enumerate((compact(c) for c in chunks[:10]), start=1):
        if not any(fact in chunk for fact in gold):
            continue
        first = first or rank
        new = [fact for fact in dict.fromkeys(gold) if fact in chunk and fact not in found]
        found.update(new)
        precision_sum += len(new) / rank
    return {
        "hits@4": float(first is not None and first <= 4),
        "hits@10": float(first is not None),
        "mrr@10": 1 / first if first else 0.0,
        "map@10": precision_sum / min(len(gold), 10) if gold else 0.0,
    }


def doc_recall(ranked_docs: Sequence[str], sources: Iterable[str], k: int) -> float | None:
    """Share of the gold documents among the documents of the top `k` passages; None without gold."""
    gold = set(sources)
    if not gold:
        return None
    return len(gold & set(ranked_docs[:k])) / len(gold)


# Answers -------------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """SQuAD's normalisation (lower case, no punctuation, no articles, single spaces), after
    NFKC and straightening curly quotes and dashes."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    text = _ARTICLES.sub(" ", text.translate(_PUNCTUATION))
    return " ".join(text.split())


VERDICTS = frozenset({"yes", "no"})


def contains_answer(prediction: str, answers: Iterable[str]) -> bool:
    """Whether the normalised prediction contains any normalised gold answer as whole words."""
    said = f" {normalize(prediction)} "
    return any(gold and f" {gold} " in said for gold in map(normalize, answers))


def token_f1(prediction: str, answers: Iterable[str]) -> float:
    """SQuAD token F1 of the normalised prediction against the best-matching gold answer."""
    said = normalize(prediction).split()
    return max((_f1(said, normalize(gold).split()) for gold in answers), default=0.0)


def _f1(said: list[str], gold: list[str]) -> float:
    common = sum((Counter(said) & Counter(gold)).values())
    if not common:
        return 0.0
    precision, recall = common / len(said), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def lenient_match(prediction: str, answers: Iterable[str]) -> bool:
    """MultiHop-RAG's QA accuracy: prediction and a gold answer, lower-cased and split on
    whitespace (punctuation kept, stop words counted), share at least one word."""
    said = set(prediction.lower().split())
    return any(said & set(gold.lower().split()) for gold in answers)


# Abstention ----------------------------------------------------------------------------------


def abstention(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float | None]:
    """From `(answerable, abstained)` per question: precision and recall of abstaining on the
    unanswerable ones, and the share of answerable ones wrongly refused (None when undefined)."""
    pairs = list(pairs)
    refused = [answerable for answerable, abstained in pairs if abstained]
    unanswerable = sum(not answerable for answerable, _ in pairs)
    answerable = len(pairs) - unanswerable
    right = sum(not a for a in refused)
    return {
        "abstention_precision": right / len(refused) if refused else None,
        "abstention_recall": right / unanswerable if unanswerable else None,
        "false_refusal_rate": sum(refused) / answerable if answerable else None,
    }


def answer_precision(rows: Iterable[tuple[bool, bool, bool]]) -> dict[str, float | None]:
    """From `(answerable, abstained, right)` per question: precision (share of the given answers
    that are right; any answer to an unanswerable question is wrong) and coverage (share of the
    answerable questions answered right)."""
    rows = list(rows)
    given = [answerable and right for answerable, abstained, right in rows if not abstained]
    answerable = sum(answerable for answerable, _, _ in rows)
    return {
        "precision": sum(given) / len(given) if given else None,
        "coverage": sum(answerable and right and not abstained for answerable, abstained, right in rows) / answerable
        if answerable else None,
        "answered": len(given) / len(rows) if rows else None,
    }


# Citations -----------------------------------------------------------------------------------


def citation_scores(judgements: Sequence[Sequence[bool]]) -> dict[str, float | None]:
    """ALCE-style scores of one answer from, per sentence, whether each of its citations supports it.

    Recall: share of sentences supported by at least one of their citations (a sentence
    without citations counts as unsupported). Precision: share of (sentence, citation)
    pairs whose passage supports the sentence.
    """
    if not judgements:
        return {"citation_recall": None, "citation_precision": None}
    pairs = [supported for sentence in judgements for supported in sentence]
    return {
        "citation_recall": sum(any(sentence) for sentence in judgements) / len(judgements),
        "citation_precision": sum(pairs) / len(pairs) if pairs else None,
    }


# Aggregation ---------------------------------------------------------------------------------


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` quantile (0..1) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
