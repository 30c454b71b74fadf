"""The search index beside the store: the lexical index (`ingest.lexical`) kept in step with
the Chroma collection, a document at a time, by following the catalog's change log.

Every change to the index is listed in the catalog with the documents it touched, under the
generation its transaction took (`Catalog.changes`). Following the log means: read the
changed documents' passages from the store as they are now and replace them in the lexical
index, then record the generation. Replaying a change is harmless, so a crash anywhere
(between the store and the lexical index, inside a commit, before the generation is
recorded) is repaired by the next follow, in the writer or in any reader. Every process of
a data dir shares one lexical index; other machines on a Chroma server keep their own and
follow the same log when the records database is shared (`store.records_url`). Without a
shared log, a machine notices other machines' writes by the passage count and compares ids.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from pathlib import Path

from ingest import store
from ingest.documents import FIELD_PREFIX, parse_date
from ingest.lexical import DocumentRow, LexicalIndex, PassageRow
from ingest.lock import attempt
from ingest.tokens import words

log = logging.getLogger(__name__)

ALIAS_FIELDS = ("source", "author")  # header fields whose values a question may name
DATE_FIELDS = ("published", "date")
BATCH_DOCUMENTS = 200  # documents read from the store per request
BATCH_PASSAGES = 20_000  # passages per commit while rebuilding


class SearchIndex:
    """The lexical index of one collection, and how it follows the store."""

    def __init__(self, folder: Path) -> None:
        self.lexical = LexicalIndex(folder)

    def follow(self, index, rebuild: bool = False) -> bool:
        """Apply the changes the lexical index has not seen (all of them: `rebuild`). False
        when another writer holds the lock (it follows the log itself); readers then go on
        with what was committed."""
        if not rebuild and self.current(index):
            return True
        with attempt(index.settings) as held:
            if not held:
                return False
            generation, applied = index.catalog.generation(), self.lexical.generation
            changed = None if rebuild or applied is None or applied > generation else index.catalog.changes(applied, generation)
            if changed is None:
                self._rebuild(index, generation)
            elif changed or applied != generation:
                self._apply(index, sorted(changed), generation)
            if not index.complete_catalog and self.lexical.count() != index.count():
                self._reconcile(index, generation)
            return True

    def current(self, index) -> bool:
        """Whether the lexical index holds every change the catalog lists (and, on a server
        whose catalog is this machine's own, as many passages as the store)."""
        if self.lexical.generation != index.catalog.generation():
            return False
        return index.complete_catalog or self.lexical.count() == index.count()

    def drop(self) -> None:
        self.lexical.drop()

    def _apply(self, index, doc_ids: list[str], generation: int | None, clear: bool = False) -> None:
        """Rewrite these documents from the store (one commit)."""
        passages, documents = [], []
        for start in range(0, len(doc_ids), BATCH_DOCUMENTS):
            batch = doc_ids[start : start + BATCH_DOCUMENTS]
            got = index.collection.get(where={"doc_id": {"$in": batch}}, include=["documents", "metadatas"])
            found_passages, found_documents = rows(got["ids"], got["documents"], got["metadatas"])
            passages += found_passages
            documents += found_documents
        self.lexical.write(doc_ids, passages, documents, generation, clear=clear)

    def _rebuild(self, index, generation: int) -> None:
        """Build the lexical index from the whole store (a new machine, a new format, a
        reset or a repair), a batch of documents per commit; the generation is recorded
        with the last one, so an interrupted rebuild starts again."""
        log.info("Building the lexical index of %s from the store ...", index.location)
        counts = store.passage_counts(index.collection)
        batch: list[str] = []
        size, first = 0, True
        for doc_id in sorted(counts):
            batch.append(doc_id)
            size += counts[doc_id]
            if size >= BATCH_PASSAGES:
                self._apply(index, batch, None, clear=first)
                batch, size, first = [], 0, False
        self._apply(index, batch, generation, clear=first)

    def _reconcile(self, index, generation: int) -> None:
        """Rewrite the documents whose passages differ between the store and the lexical index
        (another machine wrote them, and this machine's catalog does not list its changes)."""
        stored, held = index.passage_owners(), self.lexical.owners()
        differ = {doc for id_, doc in stored.items() if held.get(id_) != doc}
        differ |= {doc for id_, doc in held.items() if stored.get(id_) != doc}
        self._apply(index, sorted(differ), generation)


def rows(ids: list[str], texts: list[str], metadatas: list[dict]) -> tuple[list[PassageRow], list[DocumentRow]]:
    """The lexical rows of stored passages (whole documents' passages, in any order)."""
    by_document: dict[str, list[tuple[str, str, dict]]] = defaultdict(list)
    for id_, text, metadata in zip(ids, texts, metadatas):
        by_document[metadata["doc_id"]].append((id_, text, metadata))
    passages = [PassageRow(id_, doc_id, words(text)) for doc_id, found in by_document.items() for id_, text, _ in found]
    documents = [_document(doc_id, found) for doc_id, found in by_document.items()]
    return passages, documents


def _document(doc_id: str, found: list[tuple[str, str, dict]]) -> DocumentRow:
    _, text, metadata = min(found, key=lambda row: (row[2].get("start", 0), row[0]))
    head = text[: metadata.get("offset", 0)].strip()
    body = assemble([t for _, t, _ in found], [m for _, _, m in found])
    return DocumentRow(doc_id, words(f"{head}\n{body}"), aliases(metadata), published(metadata))


def assemble(texts: list[str], metadatas: list[dict]) -> str:
    """A document's text rebuilt from its passages, each at its own offsets.

    The splitter drops the whitespace where it cuts between passages: a one-character gap
    comes back as a space, a longer one as newlines (it cuts at paragraphs first).
    """
    spans = sorted((m["start"], t[m.get("offset", 0) :]) for t, m in zip(texts, metadatas))
    text, end = "", 0
    for start, body in spans:
        if start > end:
            text += " " if start - end == 1 else "\n" * (start - end)
            end = start
        if start + len(body) > end:
            text += body[end - start :]
            end = start + len(body)
    return text


def alias_forms(value: str) -> set[str]:
    """A field value and its leading parts: 'FOX News - Lifestyle' also gives 'FOX News'."""
    forms = {value.strip()}
    for separator in (" | ", " - ", ": "):
        if separator in value:
            forms.add(value.split(separator)[0].strip())
    if ", " in value:
        forms.update(part.strip() for part in value.split(", "))
    return {form for form in forms if len(form) >= 3}


def aliases(metadata: dict) -> set[str]:
    """The lower-cased names a question may call a document's outlet or author by."""
    return {form.lower() for name in ALIAS_FIELDS for form in alias_forms(metadata.get(FIELD_PREFIX + name, ""))}


def published(metadata: dict) -> date | None:
    for name in DATE_FIELDS:
        if metadata.get(FIELD_PREFIX + name):
            return parse_date(metadata[FIELD_PREFIX + name])
    return None
