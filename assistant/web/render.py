"""HTML for the web chat: answers with citation cards, the sources panel, the index panel.

Every piece of document or user text goes through `html.escape` here, so a document that
holds `<script>` or `<img onerror=...>` is shown as text and never runs. Nothing in this
module parses a rendered string back: it formats the `Answer` records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape

from assistant.answer import Answer, Citation, Passage, page_label
from ingest.pages import PageText

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def question_html(question: str) -> str:
    """A user's message as it appears in the chat: text, never markup."""
    return f'<div class="question">{escape(question)}</div>'


def streaming_html(text: str) -> str:
    """The answer as it is being written, before its citations are known."""
    return f'<div class="answer streaming">{escape(text)}<span class="cursor">▍</span></div>'


def answer_html(answer: Answer, names: Mapping[str, str] | None = None) -> str:
    """The finished answer: text with clickable `[n]` cards, unsupported sentences marked;
    `names` shows the documents of its scope by name instead of by id."""
    if answer.abstained:
        note = f'<div class="answer abstained" role="note"><strong>No answer in the sources.</strong> {escape(answer.text)}</div>'
        return note + _set_aside_html(answer) + _asked_html(answer, names)
    body = _answer_body(answer)
    note = ""
    flagged = [sentence for sentence in answer.sentences if not sentence.supported]
    if flagged:
        note = (
            f'<p class="unsupported-note">⚠ {_count(len(flagged), "sentence")} marked like this '
            "could not be found in the cited passage: check before relying on it.</p>"
        )
    return f'<div class="answer">{body}</div>{note}{_set_aside_html(answer)}{_asked_html(answer, names)}'


def _asked_html(answer: Answer, names: Mapping[str, str] | None) -> str:
    """Where the answer was looked for (every document, or the scope asked) and who wrote it."""
    where = "in every document"
    if answer.scope is not None:
        asked = "; ".join((names or {}).get(selector, selector) for selector in answer.scope.asked)
        count = len(answer.scope.documents)
        where = f"within {_count(count, 'document')}: {asked}"
    who = f" · answered by {answer.answerer}" if answer.answerer else ""
    return f'<p class="answer-meta" data-testid="answer-scope">Searched {escape(where)}{escape(who)}</p>'


def _set_aside_html(answer: Answer) -> str:
    """What was written but is not the answer, apart and struck through, each with its reason."""
    if not answer.set_aside:
        return ""
    items = "".join(
        f'<li><span class="set-aside-text">{escape(s.text)}</span> <span class="reason">({escape(s.reason)})</span></li>'
        for s in answer.set_aside
    )
    return f'<div class="set-aside" role="note"><p>Set aside, not the answer:</p><ul>{items}</ul></div>'


def sources_html(answer: Answer | None, pages: Mapping[tuple[str, int], PageText] | None = None) -> str:
    """The sources panel for the current answer: each cited passage, quoted spans marked.

    `pages` holds the whole text of cited pages, by `(doc_id, page)`: each is offered under its
    passage, folded, with the quotes marked where they stand on the page."""
    if answer is None:
        return '<p class="panel-empty">Sources of the current answer appear here.</p>'
    if answer.abstained:
        closest = "".join(_passage_card(p, []) for p in answer.passages[:3])
        intro = "None of the passages answers the question"
        return f'<p class="panel-note">{intro}{"; the closest were:" if closest else "."}</p>{closest}'
    cited = answer.cited_passages()
    if not cited:
        return '<p class="panel-empty">This answer cites no passage.</p>'
    cards = (_passage_card(p, [c for c in answer.citations if c.number == p.number], pages or {}) for p in cited)
    return "".join(cards)


def index_html(info, documents: Sequence, answerer: str) -> str:
    """The index panel: what is indexed, with which model, answered by which answerer."""
    rows = "".join(
        f"<tr><td>{escape(doc.title or doc.source)}</td><td><code>{escape(doc.source)}</code></td>"
        f'<td class="num">{doc.passages}</td></tr>'
        for doc in documents
    )
    table = (
        f'<table class="doc-table"><thead><tr><th>Title</th><th>File</th><th class="num">Chunks</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        if rows
        else '<p class="panel-empty">Nothing is indexed yet: add documents above.</p>'
    )
    return index_facts_html(info, answerer) + table


def index_facts_html(info, answerer: str) -> str:
    """What is indexed, with which model, answered by which answerer; a warning when the
    index's parts disagree."""
    facts = (
        f'<dl class="index-facts"><dt>Documents</dt><dd data-testid="documents">{info.documents}</dd>'
        f'<dt>Chunks</dt><dd data-testid="chunks">{info.passages}</dd>'
        f"<dt>Embedding model</dt><dd>{escape(str(info.embedding_model))} ({info.embedding_dim} dimensions)</dd>"
        f"<dt>Answerer</dt><dd>{escape(answerer)}</dd></dl>"
    )
    return _index_warning(info) + facts


def _index_warning(info) -> str:
    """A warning when the index's parts disagree (an interrupted ingest left passages no
    document lists, say): they may answer questions though no document shows them."""
    warning = getattr(info, "warning", "")
    if not warning:
        return ""
    return (
        f'<p class="index-warning" role="alert" data-testid="index-warning">⚠ The index is not consistent: '
        f"{escape(warning)}. Run <code>assistant check --repair</code>, or ingest again, to repair it.</p>"
    )


def upload_html(summary, rejected: Iterable[str] = (), report: Iterable[tuple[str, str]] = ()) -> str:
    """What an upload added or skipped, and why; `report`: (file name, what became of it)."""
    counts = (
        f"<strong>{summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged</strong>; "
        f"{_count(summary.passages_added, 'chunk')} embedded in {summary.seconds:.1f} s."
    )
    if summary.pages_ocred:
        counts += f" {_count(summary.pages_ocred, 'scanned page')} read by OCR."
    skipped = [f"{escape(name)}: {escape(reason)}" for name, reason in rejected]
    skipped += [f"{escape(_basename(f.path))} {escape(f.reason)}" for f in summary.failed]
    items = "".join(f"<li>{line}</li>" for line in skipped)
    listing = f'<p>Skipped:</p><ul class="skipped">{items}</ul>' if items else ""
    read_as = "".join(
        f"<li>{escape(_basename(path))} was read as {escape(encoding)} (it is not UTF-8)</li>"
        for path, encoding in getattr(summary, "encodings", {}).items()
    )
    notes = f'<ul class="encodings">{read_as}</ul>' if read_as else ""
    files = "".join(f"<li><strong>{escape(name)}</strong>: {escape(outcome)}</li>" for name, outcome in report)
    per_file = f'<ul class="per-file" aria-label="Files">{files}</ul>' if files else ""
    return f'<div class="upload-summary" role="status"><p>{counts}</p>{per_file}{listing}{notes}</div>'


def message_html(text: str, kind: str = "info") -> str:
    """A short status line in a panel (`kind`: info or error)."""
    return f'<p class="status {kind}">{escape(text)}</p>'


def _answer_body(answer: Answer) -> str:
    """The answer's sentences, escaped, each followed by its citation cards; a sentence the
    check could not support is marked."""
    passages = {p.number: p for p in answer.passages}
    parts = []
    for sentence in answer.sentences:
        text = escape(sentence.text)
        if not sentence.supported:
            text = f'<span class="unsupported" title="Not supported by the cited passage">{text}</span>'
        cards = "".join(
            _citation_card(c.number, passages[c.number], c) if c.number in passages else escape(f"[{c.number}]")
            for c in sentence.citations
        )
        parts.append(f"{text} {cards}" if cards else text)
    return " ".join(parts)


def _citation_card(number: int, passage: Passage, citation: Citation | None) -> str:
    """A focusable `[n]`: hovering or clicking it opens the passage with the quote marked."""
    label = f"{passage.title} — {passage.source}"
    date = _date(passage.fields)
    if date:
        label += f", {date}"
    page = page_label(citation.page, citation.page_end) if citation is not None else ""
    if page:
        label += f", {page}"
    flag = " cite-unsupported" if citation is not None and not citation.supported else ""
    quotes = [citation] if citation is not None else []
    return (
        f'<span class="cite{flag}" tabindex="0" role="button" data-cite="{number}" '
        f'aria-label="Source {number}: {escape(label)}" title="{escape(label)}">[{number}]'
        f'<span class="cite-card" role="tooltip">{_heading(passage, citation)}'
        f'<span class="cite-text">{_highlighted(passage, quotes)}</span></span></span>'
    )


def _passage_card(passage: Passage, citations: list[Citation], pages: Mapping[tuple[str, int], PageText] | None = None) -> str:
    pages = pages or {}
    shown = {c.page: pages[(passage.doc_id, c.page)] for c in citations if (passage.doc_id, c.page) in pages}
    views = "".join(_page_view(page, citations) for _, page in sorted(shown.items()))
    return (
        f'<article class="source" data-source="{passage.number}"><header><span class="num">[{passage.number}]</span> '
        f"{_heading(passage, citations[0] if citations else None)}</header>"
        f'<p class="passage">{_highlighted(passage, citations)}</p>{views}</article>'
    )


def _page_view(page: PageText, citations: list[Citation]) -> str:
    """The whole page, folded under a "Show page n" toggle, each quote on it marked."""
    spans = [(c.start - page.start, c.end - page.start, c.quote) for c in citations]
    spans = [(a, b) for a, b, quote in spans if 0 <= a < b <= len(page.text) and page.text[a:b] == quote]
    return (
        f'<details class="page-view" data-page="{page.page}"><summary>Show page {page.page}</summary>'
        f'<div class="page-text">{_marked(page.text, spans)}</div></details>'
    )


def _heading(passage: Passage, citation: Citation | None = None) -> str:
    """Title and page (the quote's, else the passage's), then file, outlet and date when the
    document's header gave them."""
    meta = [f"<code>{escape(passage.source)}</code>"]
    if passage.fields.get("source"):
        meta.append(escape(passage.fields["source"]))
    if _date(passage.fields):
        meta.append(f"<time>{escape(_date(passage.fields))}</time>")
    meta.append(f"characters {passage.start:,}–{passage.end:,}")
    where = citation if citation is not None and citation.page is not None else passage
    page = page_label(where.page, where.page_end)
    page_html = f' <span class="page">{escape(page)}</span>' if page else ""
    return (
        f'<strong class="title">{escape(passage.title)}{page_html}</strong>'
        f'<span class="meta">{" · ".join(meta)}</span>'
    )


def _highlighted(passage: Passage, citations: list[Citation]) -> str:
    """The passage, escaped, with each citation's quote wrapped in `<mark>`."""
    return _marked(passage.text, [span for c in citations if (span := _quote_span(passage, c))])


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text`, escaped, with each span wrapped in `<mark>`."""
    parts, position = [], 0
    for start, end in sorted(spans):
        if start < position:  # overlapping quotes: mark the rest of the later one
            start = position
        if end <= start:
            continue
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def _quote_span(passage: Passage, citation: Citation) -> tuple[int, int] | None:
    """The quote's offsets inside the passage; found by search if the offsets don't fit."""
    start, end = citation.start - passage.start, citation.end - passage.start
    if 0 <= start < end <= len(passage.text) and passage.text[start:end] == citation.quote:
        return start, end
    found = passage.text.find(citation.quote) if citation.quote else -1
    return (found, found + len(citation.quote)) if found >= 0 else None


def _date(fields: dict[str, str]) -> str:
    published = fields.get("published") or fields.get("date") or ""
    return published[:10] if _ISO_DATE.match(published) else published


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]
