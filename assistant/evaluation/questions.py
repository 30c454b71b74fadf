"""Question sets: read a `questions.jsonl`, keep the good lines, report the bad ones by line number.

The format is the project's (see `../shared/evalsets/README.md`): `id`, `question`, `answers`,
`sources`, `answerable`, optional `type` and `evidence`. The project adds two optional keys:
`history`, earlier user questions of the same conversation, asked first, in order; and
`documents`, the documents to ask within (as `Assistant.ask` takes them: file names, ids,
folders ending in `/`, `field:value`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ingest.errors import QuestionSetError


class Evidence(BaseModel):
    """A gold evidence sentence, verbatim in the document `source`."""

    source: str
    fact: str


class Question(BaseModel):
    """One line of a question set."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answers: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    answerable: bool
    type: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    history: list[str] = Field(default_factory=list, description="Earlier user questions, asked first.")
    documents: list[str] = Field(
        default_factory=list, description="Ask within these documents (file names, ids, folders, field:value); empty: all."
    )
    split: str | None = Field(None, description="A set's own split (`dev` to tune on, `check` held back).")

    @model_validator(mode="after")
    def _answers_fit_answerable(self) -> Question:
        if self.answerable and not self.answers:
            raise ValueError("an answerable question needs at least one answer")
        return self

    @property
    def kind(self) -> str:
        """The question's type, or `untyped`."""
        return self.type or "untyped"


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read as a question, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class QuestionSet:
    """The questions read from a file, and the lines that were skipped."""

    path: Path
    questions: list[Question]
    bad_lines: list[BadLine]


def load_questions(path: str | Path) -> QuestionSet:
    """Read a question set; bad lines are collected (with their 1-based number), not raised."""
    path = Path(path)
    questions: list[Question] = []
    bad: list[BadLine] = []
    seen: set[str] = set()
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        question, reason = _parse(line)
        if question is not None and question.id in seen:
            question, reason = None, f"duplicate id {question.id!r}"
        if question is None:
            bad.append(BadLine(number, reason))
            continue
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise QuestionSetError(f"{path} holds no valid question ({len(bad)} bad lines; first: {bad[0] if bad else '-'}).")
    return QuestionSet(path, questions, bad)


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise QuestionSetError(f"Cannot read the question set {path}: {error}") from None


def _parse(line: str) -> tuple[Question | None, str]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        return None, f"not JSON ({error.msg})"
    if not isinstance(data, dict):
        return None, "not a JSON object"
    try:
        return Question.model_validate(data), ""
    except ValidationError as error:
        problems = "; ".join(_problem(e) for e in error.errors())
        return None, problems


def _problem(error: dict) -> str:
    """One validation problem: `field: message`, the message alone for the line as a whole."""
    where = ".".join(map(str, error["loc"]))
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
