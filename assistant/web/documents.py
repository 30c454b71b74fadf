"""The Documents tab: every indexed document with its format, pages, passages and date
added, searchable; delete one (everything of it leaves the index), read it again, or open it
(its text with each passage marked). A client of the `Assistant` API only.

Paths are shown relative to the data dir or the working directory, never as the server's
absolute paths; all document text goes through `html.escape`.
"""

from __future__ import annotations

import time
from html import escape
from pathlib import Path, PurePosixPath

from assistant import Answer, Assistant, AssistantError
from assistant.web import render
from assistant.web.uploads import add_reported


def shown_path(source: str, data_dir: Path) -> str:
    """A document's file as the page shows it: relative to the data dir (uploads) or the
    working directory, else its folder and name, never the absolute path."""
    path = PurePosixPath(source.replace("\\", "/"))
    if not path.is_absolute():
        return str(path)
    for base in (Path(data_dir).resolve(), Path.cwd().resolve()):
        try:
            return str(path.relative_to(PurePosixPath(base.as_posix())))
        except ValueError:
            continue
    return str(PurePosixPath(*path.parts[-2:]))


def relative_sources(answer: Answer, data_dir: Path) -> Answer:
    """The answer as the page shows it: every passage's and citation's file by `shown_path`."""

    def shown(item):
        return item.model_copy(update={"source": shown_path(item.source, data_dir)})

    def sentence(item):
        return item.model_copy(update={"citations": [shown(c) for c in item.citations]})

    return answer.model_copy(update={
        "passages": [shown(p) for p in answer.passages],
        "sentences": [sentence(s) for s in answer.sentences],
        "set_aside": [sentence(s) for s in answer.set_aside],
    })


def document_label(document, data_dir: Path) -> str:
    """How a document is named in selectors: its title and file."""
    title = " ".join((document.title or "").split())
    if len(title) > 60:
        title = title[:60].rsplit(" ", 1)[0] + "…"
    file = shown_path(document.source, data_dir)
    return f"{title} ({file})" if title else file


def documents_html(assistant: Assistant, query: str = "") -> str:
    """The document list, filtered by `query` (words of the title, file or fields)."""
    documents = assistant.documents()
    pages = assistant.page_counts() if documents else {}
    data_dir = Path(assistant.settings.data_dir)
    words = query.lower().split()
    shown = [d for d in documents if all(word in _haystack(d, data_dir) for word in words)]
    if not documents:
        return '<p class="panel-empty">Nothing is indexed yet: add documents in the "Add documents" tab.</p>'
    if not shown:
        return f'<p class="panel-empty" role="status">No document matches “{escape(query)}”.</p>'
    rows = "".join(_row(d, pages.get(d.doc_id), data_dir) for d in shown)
    count = f'<p class="doc-count" role="status">{len(shown)} of {len(documents)} documents</p>'
    return (
        f'{count}<table class="doc-table" data-testid="documents-table"><thead><tr><th scope="col">Title</th>'
        '<th scope="col">File</th><th scope="col">Format</th><th scope="col" class="num">Pages</th>'
        '<th scope="col" class="num">Passages</th><th scope="col">Added</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _row(document, pages: int | None, data_dir: Path) -> str:
    added = time.strftime("%Y-%m-%d %H:%M", time.localtime(document.indexed_at)) if document.indexed_at else ""
    fmt = PurePosixPath(document.source.split("#", 1)[0]).suffix.lstrip(".").lower() or "—"
    return (
        f'<tr><td>{escape(document.title or "")}</td>'
        f"<td><code>{escape(shown_path(document.source, data_dir))}</code></td><td>{escape(fmt)}</td>"
        f'<td class="num">{pages or "—"}</td><td class="num">{document.passages}</td><td>{added}</td></tr>'
    )


def _haystack(document, data_dir: Path) -> str:
    parts = [document.title or "", shown_path(document.source, data_dir), *document.fields.values()]
    return " ".join(parts).lower()


def opened_html(assistant: Assistant, doc_id: str) -> str:
    """One document's text as indexed, each passage marked and numbered where it begins
    (overlapping passages: the later one is marked from where the earlier ends)."""
    entry = {d.doc_id: d for d in assistant.documents()}.get(doc_id)
    text = assistant.document_text(doc_id) if entry else None
    if entry is None or text is None:
        return render.message_html("That document is no longer indexed.", "error")
    parts, position = [], 0
    for passage in assistant.passages(doc_id):
        start, end = max(passage.start, position), passage.end
        if end <= start:
            continue
        parts.append(escape(text[position:start]))
        page = f", {escape(render.page_label(passage.page, passage.page_end))}" if passage.page is not None else ""
        parts.append(
            f'<mark class="passage-mark" data-passage="{passage.number}" title="Passage {passage.number}{page}">'
            f'<span class="passage-num" aria-hidden="true">{passage.number}</span>{escape(text[start:end])}</mark>'
        )
        position = end
    parts.append(escape(text[position:]))
    file = shown_path(entry.source, Path(assistant.settings.data_dir))
    return (
        f'<article class="opened-document" aria-label="{escape(entry.title or file)}"><header>'
        f'<strong class="title">{escape(entry.title or file)}</strong><span class="meta"><code>{escape(file)}</code>'
        f" · {entry.passages} passages</span></header>"
        f'<div class="document-text" tabindex="0">{"".join(parts)}</div></article>'
    )


class DocumentHandlers:
    """The functions behind the Documents tab."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def choices(self) -> list[tuple[str, str]]:
        data_dir = Path(self.assistant.settings.data_dir)
        return [(document_label(d, data_dir), d.doc_id) for d in self.assistant.documents()]

    def search(self, query: str) -> str:
        return documents_html(self.assistant, query or "")

    def open(self, doc_id: str | None) -> str:
        if not doc_id:
            return render.message_html("Choose a document first.")
        return opened_html(self.assistant, doc_id)

    def delete(self, doc_id: str | None) -> str:
        """Remove a document from the index; its file stays where it is."""
        if not doc_id:
            return render.message_html("Choose a document first.")
        name = dict((v, k) for k, v in self.choices()).get(doc_id, doc_id)
        try:
            deleted = self.assistant.remove([doc_id])
        except AssistantError as error:
            return render.message_html(str(error), "error")
        return render.message_html(f"Deleted {name}: {deleted} passages left the index.")

    def reingest(self, doc_id: str | None) -> str:
        """Read a document's file again and index what changed."""
        if not doc_id:
            return render.message_html("Choose a document first.")
        try:
            summary = self.assistant.reingest(doc_id)
        except AssistantError as error:
            return render.message_html(str(error), "error")
        return render.upload_html(summary)

    def upload(self, files: list[str] | None, progress=None) -> tuple:
        """Store and ingest uploaded files: (status naming each file, file input)."""
        if not files:
            return render.message_html("Choose one or more files to add."), None
        if progress is not None:
            progress(0, desc=f"Adding {len(files)} file{'s' if len(files) > 1 else ''}")
        try:
            summary, report = add_reported(self.assistant, [(path, Path(path).name) for path in files])
        except AssistantError as error:
            return render.message_html(str(error), "error"), None
        return render.upload_html(summary, report=report), None
