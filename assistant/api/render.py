"""Answers as text for clients that show only text: the answer, then a compact source list."""

from __future__ import annotations

from assistant.answer import Answer, Citation


def with_sources(answer: Answer) -> str:
    """The answer's text and, when it cites anything, its "Sources:" list."""
    sources = sources_list(answer)
    return f"{answer.text}\n\n{sources}" if sources else answer.text


def sources_list(answer: Answer) -> str:
    """One line per citation: its number, the document's title, file and page, the quote."""
    lines = dict.fromkeys(_line(citation) for citation in answer.citations)  # a quote cited twice: once
    return "Sources:\n" + "\n".join(lines) if lines else ""


def _line(citation: Citation) -> str:
    where = citation.source
    if citation.page is not None:
        pages = f"{citation.page}-{citation.page_end}" if citation.page_end not in (None, citation.page) else citation.page
        where += f", p. {pages}"
    title = citation.title or citation.source
    return f"[{citation.number}] {title} ({where}): “{citation.quote}”"
