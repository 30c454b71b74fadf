"""Scores of one question from what the assistant did, and their summary overall and per type."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.answer import Answer, Passage
from assistant.evaluation import metrics
from assistant.evaluation.questions import Question

RETRIEVAL = ("hits@4", "hits@10", "mrr@10", "map@10")
ANSWERS = ("accuracy", "token_f1", "lenient_accuracy")
CITATIONS = ("citation_recall", "citation_precision")


def doc_name(doc_id: str) -> str:
    """The question set's id of an indexed document: its file name without the extension."""
    return Path(doc_id).stem


def score_question(
    question: Question, answer: Answer, ranked: Sequence[Passage], judgements: Sequence[Sequence[bool]], ks: Sequence[int]
) -> dict:
    """Every metric that applies to this question (the others are absent).

    `ranked` are the top passages in retrieval order; `judgements` say, per answer sentence,
    whether each of its citations supports it.
    """
    scores: dict = {"abstained": answer.abstained}
    if question.evidence:
        facts = [evidence.fact for evidence in question.evidence]
        scores.update(metrics.multihop_retrieval([p.text for p in ranked], facts))
    ranked_docs = [doc_name(p.doc_id) for p in ranked]
    for k in ks:
        recall = metrics.doc_recall(ranked_docs, question.sources, k)
        if recall is not None:
            scores[f"doc_recall@{k}"] = recall
    if question.answerable:
        text = "" if answer.abstained else answer.plain_text
        scores["accuracy"] = metrics.contains_answer(text, question.answers)
        verdict = metrics.normalize(answer.sentences[0].text) if answer.sentences and not answer.abstained else ""
        if verdict in metrics.VERDICTS and {metrics.normalize(a) for a in question.answers} <= metrics.VERDICTS:
            scores["accuracy"] = verdict in {metrics.normalize(a) for a in question.answers}  # not a "no" in a quote
        scores["token_f1"] = metrics.token_f1(text, question.answers)
        scores["lenient_accuracy"] = metrics.lenient_match(text, question.answers)
    if not answer.abstained:
        scores.update(metrics.citation_scores(judgements))
    return scores


def summarize(records: Sequence[dict], ks: Sequence[int]) -> dict:
    """The summary of all records and of each question type: counts, means, latency."""
    groups: dict[str, list[dict]] = {"all": list(records)}
    for record in records:
        groups.setdefault(record["type"], []).append(record)
    return {name: _summary(group, ks) for name, group in groups.items()}


def _summary(records: Sequence[dict], ks: Sequence[int]) -> dict:
    scored = [r for r in records if "scores" in r]
    column = lambda name: [r["scores"].get(name) for r in scored]  # noqa: E731
    summary: dict = {
        "questions": len(records),
        "errors": len(records) - len(scored),
        "answerable": sum(r["answerable"] for r in scored),
        "unanswerable": sum(not r["answerable"] for r in scored),
        "with_evidence": sum("map@10" in r["scores"] for r in scored),
    }
    names = [*RETRIEVAL, *(f"doc_recall@{k}" for k in ks), *ANSWERS, *CITATIONS]
    summary.update({name: metrics.mean(column(name)) for name in names})
    summary.update(metrics.abstention((r["answerable"], r["scores"]["abstained"]) for r in scored))
    summary.update(
        metrics.answer_precision(
            (r["answerable"], r["scores"]["abstained"], bool(r["scores"].get("accuracy"))) for r in scored
        )
    )
    for key, name in (("latency_s", "latency"), ("retrieve_s", "retrieve")):
        seconds = [r[key] for r in scored if key in r]
        summary[f"{name}_p50_s"] = metrics.percentile(seconds, 0.5)
        summary[f"{name}_p95_s"] = metrics.percentile(seconds, 0.95)
    return summary
