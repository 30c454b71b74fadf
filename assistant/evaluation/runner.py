"""Run a question set through an `Assistant` and score every answer. A client of `Assistant` only."""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from assistant.answer import Answer, Passage
from assistant.citations.support import DENSE_SUPPORT, LEXICAL_SUPPORT, check_support
from assistant.words import WORD
from assistant.core import Assistant
from assistant.evaluation.corpus import open_corpus
from assistant.evaluation.questions import BadLine, Question, load_questions
from assistant.evaluation.scoring import doc_name, score_question, summarize
from assistant.settings import Settings
from ingest.errors import AssistantError

log = logging.getLogger("assistant.evaluation")
# Said in the report as the check's own docstring, so it stays true when the check changes.
_VERDICTS = frozenset({"yes", "no"})
SUPPORT_CHECK = (
    "`assistant.citations.support.check_support`: "
    + " ".join((inspect.getdoc(check_support) or "").split())
    + f" (LEXICAL_SUPPORT = {LEXICAL_SUPPORT}, DENSE_SUPPORT = {DENSE_SUPPORT}, MiniLM cosine)"
)


@dataclass
class EvalRun:
    """One evaluation: the question-level records, their summary, and how the run went."""

    questions_path: Path
    settings: Settings
    records: list[dict]
    summary: dict
    bad_lines: list[BadLine]
    ingest_seconds: float | None = None
    ingest_reused: bool = False
    corpus: Path | None = None
    seconds: float = 0.0
    retrieval_k: int = 10
    index: Path | None = None  # the data dir of the index asked


def evaluate(
    questions: str | Path,
    *,
    settings: Settings | None = None,
    corpus: str | Path | None = None,
    limit: int | None = None,
    split: str | None = None,
    answerer: str | None = None,
    progress: bool = False,
    embeddings=None,
) -> EvalRun:
    """Ask every question of the set and score the answers; see `write_report` for the files.

    With `corpus`, the folder is ingested first into an index of its own (reused while the
    corpus is unchanged); without it, the index of `settings.data_dir` is asked.
    """
    started = time.perf_counter()
    settings = (settings or Settings()).updated({"answer.answerer": answerer})
    question_set = load_questions(questions)
    for bad in question_set.bad_lines:
        log.warning("%s: skipped %s", question_set.path, bad)
    chosen = [q for q in question_set.questions if split is None or q.split == split]
    chosen = chosen[:limit] if limit else chosen
    run = EvalRun(Path(questions), settings, [], {}, question_set.bad_lines, corpus=Path(corpus) if corpus else None)
    assistant = _assistant(run, embeddings, progress)
    run.retrieval_k = max(10, assistant.settings.retrieval.k)
    ks = sorted({4, 10, assistant.settings.retrieval.k})
    for question in tqdm(chosen, desc="Evaluating", unit="question", disable=not progress):
        run.records.append(ask_and_score(assistant, question, run.retrieval_k, ks))
    run.summary = summarize(run.records, ks)
    run.seconds = time.perf_counter() - started
    return run


def _assistant(run: EvalRun, embeddings, progress: bool) -> Assistant:
    if run.corpus is None:
        run.index = run.settings.data_dir
        return Assistant(run.settings, embeddings=embeddings)
    index = open_corpus(run.settings, run.corpus, embeddings=embeddings, progress=progress)
    run.ingest_seconds, run.ingest_reused = index.seconds, index.reused
    run.index = index.assistant.settings.data_dir
    return index.assistant


def ask_and_score(assistant: Assistant, question: Question, retrieval_k: int, ks: Sequence[int]) -> dict:
    """Ask the question (after its history, if any) and score it; errors become the record's `error`."""
    record = _record(question)
    try:
        scope = question.documents or None
        history = _conversation(assistant, question.history, scope)
        started = time.perf_counter()
        answer = assistant.ask(question.question, history=history, documents=scope)
        record["latency_s"] = time.perf_counter() - started
        started = time.perf_counter()
        ranked = assistant.retrieve(answer.query or question.question, k=retrieval_k, documents=scope)
        record["retrieve_s"] = time.perf_counter() - started
    except AssistantError as error:
        record["error"] = str(error)
        return record
    judgements = support_judgements(answer, assistant.embeddings)
    record.update(_answer_fields(answer, ranked, judgements))
    record["scores"] = score_question(question, answer, ranked, judgements, ks)
    return record


def _conversation(assistant: Assistant, asked: Sequence[str], scope: list[str] | None = None) -> list[dict]:
    """Ask the earlier questions in order (within the same documents), each with the real
    answers before it, as chat messages."""
    history: list[dict] = []
    for text in asked:
        answer = assistant.ask(text, history=history, documents=scope)
        history += [{"role": "user", "content": text}, {"role": "assistant", "content": answer.text}]
    return history


def support_judgements(answer: Answer, embeddings) -> list[list[bool]]:
    """Per answer sentence, whether each passage it cites supports it (`check_support`).

    A citation of no passage of the answer counts as unsupported. A brief answer ("No.", "Sam
    Bankman-Fried.") claims nothing the check could weigh; a passage supports it when it holds
    its words (a verdict has none: it is judged right or wrong by accuracy, and its quotes here).
    """
    if answer.abstained:
        return []
    passages = {passage.number: passage for passage in answer.passages}

    def supports(sentence, number: int) -> bool:
        if number not in passages:
            return False
        if sentence.brief:
            held = {word.lower() for word in WORD.findall(passages[number].text)}
            return all(word.lower() in held or word.lower() in _VERDICTS for word in WORD.findall(sentence.text))
        return check_support(sentence.text, passages[number].text, embeddings).supported

    return [[supports(sentence, c.number) for c in sentence.citations] for sentence in answer.sentences]


def _record(question: Question) -> dict:
    return {
        "id": question.id,
        "type": question.kind,
        "question": question.question,
        "history": question.history,
        "documents": question.documents,
        "answerable": question.answerable,
        "gold_answers": question.answers,
        "gold_sources": question.sources,
    }


def _answer_fields(answer: Answer, ranked: Sequence[Passage], judgements: list[list[bool]]) -> dict:
    return {
        "answer": answer.text,
        "query": answer.query,
        "scope": answer.scope.documents if answer.scope else None,
        "set_aside": [{"text": s.text, "reason": s.reason} for s in answer.set_aside],
        "abstained": answer.abstained,
        "citations": [
            {"number": c.number, "doc": doc_name(c.doc_id), "start": c.start, "end": c.end, "quote": c.quote}
            for c in answer.citations
        ],
        "support": judgements,
        "retrieved": [
            {"rank": p.number, "doc": doc_name(p.doc_id), "start": p.start, "end": p.end, "score": round(p.score, 4)}
            for p in ranked
        ],
    }
