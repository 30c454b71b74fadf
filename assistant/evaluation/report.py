"""The files of an evaluation: `results.jsonl`, `report.json`, and `report.md` with PNG plots."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from assistant.evaluation.runner import SUPPORT_CHECK, EvalRun

COLUMNS = [  # (summary key, heading)
    ("questions", "n"),
    ("precision", "precision"),
    ("coverage", "coverage"),
    ("abstention_recall", "abstain R"),
    ("accuracy", "accuracy"),
    ("token_f1", "token F1"),
    ("lenient_accuracy", "lenient acc."),
    ("hits@4", "Hits@4"),
    ("hits@10", "Hits@10"),
    ("mrr@10", "MRR@10"),
    ("map@10", "MAP@10"),
    ("doc_recall@4", "doc R@4"),
    ("doc_recall@10", "doc R@10"),
    ("abstention_precision", "abstain P"),
    ("false_refusal_rate", "wrongly refused"),
    ("citation_recall", "cit. recall"),
    ("citation_precision", "cit. precision"),
    ("latency_p50_s", "p50 s"),
    ("latency_p95_s", "p95 s"),
]
DEFINITIONS = [
    "**precision**: of the answers given (not refused), the share that are right: an answer to an "
    "answerable question is right when it contains a gold answer (as **accuracy**); any answer to an "
    "unanswerable question is wrong. **coverage**: share of the answerable questions answered right. "
    "Precision comes first: an assistant people trust says so when the sources don't hold the answer.",
    "**accuracy**: the answer (markers removed) contains a gold answer after SQuAD normalisation "
    "(NFKC, curly quotes straightened, lower case, punctuation and a/an/the removed), as whole words.",
    "A yes/no question whose answer opens with a verdict (\"Yes.\", \"No.\") is judged by the verdict "
    "alone, not by a yes or no in the quotes that follow it.",
    "**token F1**: SQuAD token F1 against the best-matching gold answer, same normalisation.",
    "**lenient acc.**: MultiHop-RAG's QA accuracy: answer and gold answer, lower-cased and split on "
    "whitespace (punctuation kept, stop words counted), share a word. Very lenient for long answers.",
    "Answer metrics cover answerable questions only; a refusal scores 0. Unanswerable ones are "
    "covered by the abstention columns (an answer counts as a refusal when `Answer.abstained`).",
    "**Hits@4/Hits@10/MRR@10/MAP@10**: MultiHop-RAG's `retrieval_evaluate.py`, on questions with "
    "`evidence`: spaces and newlines stripped from facts and passages; a passage is relevant when it "
    "contains a gold fact; MAP@10 = sum over ranks r<=10 of (facts first found at r)/r, / min(#facts, 10).",
    "**doc R@k**: share of the gold `sources` among the documents of the top k passages "
    "(doc ids matched by file name without extension).",
    "Retrieval is measured on `Assistant.retrieve` with k = max(10, retrieval.k) and the query `ask` "
    "searched with (`Answer.query`: a follow-up made standalone); the answer itself sees retrieval.k passages.",
    "**abstain P/R**: of the refusals, the share on unanswerable questions / of the unanswerable "
    "questions, the share refused. **wrongly refused**: share of answerable questions refused.",
    f"**cit. recall/precision** (ALCE-style, answered questions only): the answer is split into "
    f"sentences (`sentence_spans`; a marker opening a sentence belongs to the one before); recall = share "
    f"of sentences supported by at least one of their citations, precision = share of (sentence, "
    f"citation) pairs whose passage supports the sentence. Support check: {SUPPORT_CHECK}.",
    "**p50/p95 s**: seconds per `Assistant.ask` of the question itself (history questions are asked "
    "first, untimed; retrieval for the metrics is not timed).",
    "**history** (a project extension of the format): earlier user questions of the conversation; "
    "they are asked first, in order, and their real answers passed as `history`.",
]


def write_report(run: EvalRun, out: str | Path) -> Path:
    """Write the run's files into `out` (created); returns the path of `report.md`."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("w", encoding="utf-8") as results:
        for record in run.records:
            results.write(json.dumps(record, ensure_ascii=False) + "\n")
    report = report_data(run)
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    plots = _plots(run, out)
    path = out / "report.md"
    path.write_text(markdown(report, plots), encoding="utf-8")
    return path


def report_data(run: EvalRun) -> dict:
    """Everything `report.json` holds: how the run was made, the summary, the skipped lines."""
    settings = run.settings
    return {
        "questions_file": str(run.questions_path),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "evaluated": len(run.records),
        "bad_lines": [{"line": bad.line, "reason": bad.reason} for bad in run.bad_lines],
        "corpus": str(run.corpus) if run.corpus else None,
        "index": str(run.index),
        "ingest_seconds": run.ingest_seconds,
        "ingest_reused": run.ingest_reused,
        "run_seconds": round(run.seconds, 2),
        "answerer": settings.answer.answerer,
        "embedding_model": settings.embedding.model,
        "chunking": f"{settings.chunking.size}/{settings.chunking.overlap}",
        "retrieval_k": settings.retrieval.k,
        "retrieval_k_measured": run.retrieval_k,
        "support_check": SUPPORT_CHECK,
        "errors": [{"id": r["id"], "error": r["error"]} for r in run.records if "error" in r],
        "summary": run.summary,
    }


def markdown(report: dict, plots: list[str]) -> str:
    """`report.md`: the run, the summary by question type, the plots and the definitions."""
    lines = [f"# Evaluation: `{report['questions_file']}`", "", *_run_lines(report), ""]
    lines += ["## Results", "", *_table(report["summary"]), ""]
    lines += ["Empty cells: the metric does not apply to those questions.", ""]
    lines += [f"![{name}]({name})" for name in plots] + [""]
    if report["bad_lines"] or report["errors"]:
        lines += ["## Skipped", ""]
        lines += [f"- line {b['line']}: {b['reason']}" for b in report["bad_lines"]]
        lines += [f"- {e['id']}: {e['error']}" for e in report["errors"]] + [""]
    lines += ["## How each number is made", "", *(f"- {d}" for d in DEFINITIONS), ""]
    return "\n".join(lines)


def _run_lines(report: dict) -> list[str]:
    if report["corpus"] is None:
        ingest = "not ingested by this run (the existing index was asked)"
    elif report["ingest_reused"]:
        ingest = "0 s: the index already held this corpus, nothing was embedded"
    else:
        ingest = f"{report['ingest_seconds']:.1f} s"
    return [
        f"- date: {report['date']}; run time {report['run_seconds']:.1f} s",
        f"- questions evaluated: {report['evaluated']}; bad lines skipped: {len(report['bad_lines'])}; "
        f"errors: {len(report['errors'])}",
        f"- corpus: `{report['corpus']}`; index `{report['index']}`; ingest: {ingest}",
        f"- answerer `{report['answerer']}`, embedding `{report['embedding_model']}`, chunks "
        f"{report['chunking']} characters, k = {report['retrieval_k']} (retrieval measured at "
        f"{report['retrieval_k_measured']})",
    ]


def _table(summary: dict) -> list[str]:
    columns = [(key, heading) for key, heading in COLUMNS if any(s.get(key) is not None for s in summary.values())]
    lines = ["| type | " + " | ".join(h for _, h in columns) + " |", "|---|" + "---:|" * len(columns)]
    for name, row in summary.items():
        cells = [_cell(row.get(key)) for key, _ in columns]
        lines.append(f"| {'**all**' if name == 'all' else name} | " + " | ".join(cells) + " |")
    return lines


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}"


def _plots(run: EvalRun, out: Path) -> list[str]:
    from assistant.evaluation.plots import accuracy_by_type, latency_distribution

    return [
        accuracy_by_type(run.summary, out / "accuracy_by_type.png"),
        latency_distribution([r["latency_s"] for r in run.records if "latency_s" in r], out / "latency.png"),
    ]


def summary_lines(run: EvalRun) -> list[str]:
    """A few lines for the terminal: the overall numbers that apply to this set."""
    overall = run.summary.get("all", {})
    shown = [f"{heading} {_cell(overall[key])}" for key, heading in COLUMNS[1:] if overall.get(key) is not None]
    lines = [f"{len(run.records)} questions in {run.seconds:.1f} s" + (f", {len(run.bad_lines)} bad lines skipped" if run.bad_lines else "")]
    return lines + ["; ".join(shown[i : i + 6]) for i in range(0, len(shown), 6)]
