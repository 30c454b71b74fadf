"""A saved conversation as Markdown: each question, its answer with `[n]` markers, and the
sources it cites (the quote, the document, the page), to keep or to share."""

from __future__ import annotations

from datetime import datetime

from assistant.answer import Answer, page_label
from assistant.conversations import Conversation


def markdown(conversation: Conversation) -> str:
    """The whole conversation as one Markdown document."""
    when = _day(conversation.created_at)
    count = len(conversation.turns)
    lines = [f"# {_line(conversation.title)}", "", f"_{when} · {count} question{'' if count == 1 else 's'}_"]
    for turn in conversation.turns:
        lines += ["", f"## {_line(turn.question)}", "", *answer_lines(turn.answer)]
    return "\n".join(lines) + "\n"


def answer_lines(answer: Answer) -> list[str]:
    """One answer: its text (or why there is none), what was set aside, then its sources."""
    lines = [f"_No answer in the sources._ {answer.note}".rstrip() if answer.abstained else answer.text or answer.note]
    if answer.scope is not None:
        lines += ["", f"_Asked within {answer.scope}._"]
    if answer.set_aside:
        lines += ["", "Set aside, not the answer:", ""]
        lines += [f"- ~~{_line(s.text)}~~ ({s.reason})" for s in answer.set_aside]
    sources = source_lines(answer)
    if sources:
        lines += ["", "Sources:", "", *sources]
    return lines


def source_lines(answer: Answer) -> list[str]:
    """Each citation once: `[n]` title, file, page and the quote it rests on."""
    lines, seen = [], set()
    for citation in answer.citations:
        key = (citation.number, citation.start, citation.end)
        if key in seen:
            continue
        seen.add(key)
        where = ", ".join(filter(None, [f"`{citation.source}`", page_label(citation.page, citation.page_end)]))
        lines.append(f"- [{citation.number}] **{_line(citation.title)}** ({where})")
        lines.append(f"  > {_line(citation.quote)}")
    return lines


def _line(text: str) -> str:
    """Text on one line, so a heading or a quote holds it whole."""
    return " ".join(text.split())


def _day(seconds: float) -> str:
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")
