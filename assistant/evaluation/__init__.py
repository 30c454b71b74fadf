"""Evaluation: run a question set through the `Assistant`, score it, write a report with plots.

    from assistant.evaluation import evaluate, write_report
    run = evaluate("evalsets/seed/questions.jsonl", corpus="docs")
    write_report(run, "out/eval")
    print(run.summary["all"]["accuracy"])
"""

from assistant.evaluation.questions import BadLine, Question, QuestionSet, load_questions
from assistant.evaluation.report import summary_lines, write_report
from assistant.evaluation.runner import EvalRun, evaluate

__all__ = ["BadLine", "EvalRun", "Question", "QuestionSet", "evaluate", "load_questions", "summary_lines", "write_report"]
