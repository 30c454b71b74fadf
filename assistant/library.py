"""The documents side of the `Assistant` facade: what is indexed, each document's text and
passages, asking within some of them (`scope`), and removing or reading one again.

A base of `assistant.core.Assistant`, which owns the index (`_open`) and `ingest`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from assistant.answer import Passage, Scope
from assistant.retrieval import to_passages
from assistant.scope import choices, resolve
from ingest import Index, IngestSummary
from ingest.catalog import IndexedDocument
from ingest.errors import IngestError
from ingest.pages import PageText


class Library:
    """Reads and changes of the indexed documents, through the index's own writes."""

    def documents(self) -> list[IndexedDocument]:
        """The indexed documents (doc_id, title, source, passage count, header fields, when
        indexed), by doc_id."""
        entries = self._open(create=True).catalog.entries()
        return [entries[doc_id] for doc_id in sorted(entries)]

    def page(self, doc_id: str, page: int) -> PageText | None:
        """The whole text of one page (or slide) of an indexed document, to show a citation's
        quote where it stands: `quote == text[citation.start - start : citation.end - start]`.
        None for an unpaged document or a page it does not have."""
        return self._open(create=True).page(doc_id, page)

    def document_text(self, doc_id: str) -> str | None:
        """A document's text as indexed, at its own offsets (a citation's `start:end` slices its
        quote out of it); None when no such document is indexed."""
        index = self._open(create=True)
        if index.count() == 0:
            return None
        return index.document_text(doc_id)

    def passages(self, doc_id: str) -> list[Passage]:
        """Every passage of one document, in document order, numbered from 1: where each lies
        in `document_text(doc_id)` (`start`, `end`) and on which pages. Empty for an unknown id."""
        found = self._open(create=True).document_passages(doc_id)
        return to_passages(sorted(found, key=lambda document: document.metadata["start"]))

    def page_counts(self) -> dict[str, int]:
        """The number of pages (or slides) of each paged document, by doc_id."""
        return self._open(create=True).page_counts()

    def scope(self, documents: Iterable[str] | None) -> Scope | None:
        """The documents these selectors name (document ids, file names, folders ending in `/`,
        `field:value` such as `source:The Verge` or `published:2023-10`; see `assistant.scope`);
        None for no selector (every document). `QuestionError` for one that matches nothing."""
        if documents is None:
            return None
        documents = [documents] if isinstance(documents, str) else list(documents)
        return resolve(documents, self._open(create=True).catalog.entries()) if documents else None

    def scopes(self) -> list[str]:
        """Selectors worth offering a reader for this corpus: folders, outlets, authors, months."""
        return choices(self._open(create=True).catalog.entries())

    def remove(self, doc_ids: Iterable[str]) -> int:
        """Delete documents from the index: their passages leave the store and the search index,
        their records and catalog rows go (what `check` verifies). Returns passages deleted.

        Their files are left alone, so a later `ingest` of their folder adds them again.
        Raises `IngestError` naming an id that is not indexed (nothing is removed then)."""
        doc_ids = list(dict.fromkeys(doc_ids))
        index = self._open(create=True)
        with index.writing():
            unknown = [doc_id for doc_id in doc_ids if doc_id not in index.catalog.entries()]
            if unknown:
                raise IngestError(f"No indexed document {unknown[0]!r}: `assistant.documents()` lists them.")
            deleted = index.remove(doc_ids)
        return deleted

    def reingest(self, doc_id: str) -> IngestSummary:
        """Read a document's file again and index what changed (its text, its title, a new
        chunking); an unchanged file stays as it is, its passages being the same. A message or
        attachment of a mail file reads the whole file again."""
        entry = self._open(create=True).catalog.entries().get(doc_id)
        if entry is None:
            raise IngestError(f"No indexed document {doc_id!r}: `assistant.documents()` lists them.")
        path = file_of(entry)
        if path is None:
            raise IngestError(f"{entry.source} is gone: put the file back and re-ingest it, or delete the document.")
        return self.ingest([path])

    def _open(self, create: bool, reset: bool = False) -> Index:  # pragma: no cover - Assistant's
        raise NotImplementedError


def file_of(entry: IndexedDocument) -> Path | None:
    """The file a document was read from (a mail's attachment: the mail file), if it is there."""
    source = entry.source
    while True:
        if Path(source).is_file():
            return Path(source)
        if "#" not in source:
            return None
        source = source.rsplit("#", 1)[0]
