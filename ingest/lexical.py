"""The lexical index: Tantivy indexes on disk of every stored passage's words and of every
document's whole text, updated a document at a time, memory-mapped, shared by the processes
of one data dir.

Two indexes, because BM25 takes its collection statistics (document count, average length)
from the whole index: `passages/` (one entry per stored passage: id, document, words; the ids
and the words' packed counts are stored, so fetching a hit stays cheap) and `documents/`
(one per document: its words, the outlet/author names a question may use, its publication
date). `state.json` says up to which catalog generation the indexes are current; it is
written after Tantivy's commit, so a crash between the two replays changes that are already
in, which rewriting a document makes harmless.

Writes happen under the data dir's writer lock (`ingest.lock`): Tantivy allows one writer
per index, and this process lets go of it after every commit. Readers reload when the
committed generation moved.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingest.termcounts import pack

STATE = "state.json"
FORMAT = 3  # bumped when the schema changes: an index of another format is rebuilt
WRITER_HEAP = 64_000_000  # bytes Tantivy buffers before it writes a segment


@dataclass(frozen=True)
class PassageRow:
    """One stored passage as the lexical index holds it."""

    id: str
    doc_id: str
    words: list[str]


@dataclass(frozen=True)
class DocumentRow:
    """One document as the lexical index holds it."""

    doc_id: str
    words: list[str]
    aliases: set[str] = field(default_factory=set)  # lower-cased outlet and author forms
    published: date | None = None


def draw(key: str) -> int:
    """A stable pseudo-random 64-bit number for a passage or document id: the statistics
    sample is every row whose draw lies below a threshold."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def _schemas():
    import tantivy

    passages = tantivy.SchemaBuilder()
    passages.add_text_field("id", stored=True, tokenizer_name="raw")
    passages.add_text_field("doc_id", stored=True, tokenizer_name="raw")
    passages.add_text_field("words", tokenizer_name="whitespace", index_option="freq")
    passages.add_unsigned_field("draw", indexed=True, fast=True)
    passages.add_bytes_field("counts", stored=True)  # term counts for our own BM25 (ingest.termcounts)
    documents = tantivy.SchemaBuilder()
    documents.add_text_field("doc_id", stored=True, tokenizer_name="raw")
    documents.add_text_field("words", tokenizer_name="whitespace", index_option="freq")
    documents.add_text_field("alias", tokenizer_name="raw", index_option="basic")
    for name in ("year", "month", "day"):
        documents.add_integer_field(name, indexed=True)
    documents.add_unsigned_field("draw", indexed=True, fast=True)
    return passages.build(), documents.build()


class LexicalIndex:
    """The passages and documents indexes in `folder`, opened (or created) on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._indexes = None
        self._seen: float | None = None  # mtime of the state file the searchers were loaded at

    @property
    def generation(self) -> int | None:
        """The catalog generation the indexes are current with; None when there are none."""
        try:
            state = json.loads((self.folder / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state.get("generation") if state.get("format") == FORMAT else None

    def _format(self) -> int | None:
        try:
            return json.loads((self.folder / STATE).read_text(encoding="utf-8")).get("format")
        except (OSError, ValueError):
            return None

    @property
    def schemas(self):
        return tuple(index.schema for index in self._open())

    def searchers(self):
        """Searchers of (passages, documents) as last committed (by any process)."""
        indexes = self._open()
        stamp = self._stamp()
        with self._lock:
            if stamp != self._seen:
                for index in indexes:
                    index.reload()
                self._seen = stamp
        return tuple(index.searcher() for index in indexes)

    def write(
        self,
        doc_ids: Iterable[str],
        passages: list[PassageRow],
        documents: list[DocumentRow],
        generation: int | None,
        clear: bool = False,
    ) -> None:
        """Replace documents: every row of `doc_ids` goes, the given rows come (or, with
        `clear`, everything goes first); committed, then `generation` is recorded. The caller
        holds the writer lock."""
        import tantivy

        doc_ids = list(doc_ids)
        (passage_index, document_index), (passage_schema, document_schema) = self._open(), self.schemas
        for index, schema, rows, build in (
            (passage_index, passage_schema, passages, _passage_document),
            (document_index, document_schema, documents, _document_document),
        ):
            writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
            if clear:
                writer.delete_all_documents()
            for start in range(0, len(doc_ids), 1000):
                chunk = doc_ids[start : start + 1000]
                writer.delete_documents_by_query(tantivy.Query.term_set_query(schema, "doc_id", chunk))
            for row in rows:
                writer.add_document(build(row))
            writer.commit()
            writer.wait_merging_threads()  # lets go of Tantivy's writer lock
        self._record(generation)

    def _record(self, generation: int | None) -> None:
        state = self.folder / STATE
        partial = state.with_suffix(".partial")
        partial.write_text(json.dumps({"format": FORMAT, "generation": generation}), encoding="utf-8")
        os.replace(partial, state)

    def drop(self) -> None:
        """Delete both indexes and the state (the next sync builds them from the store)."""
        with self._lock:
            self._indexes, self._seen = None, None
            shutil.rmtree(self.folder, ignore_errors=True)

    def count(self) -> int:
        """Passages in the index."""
        return self.searchers()[0].num_docs

    def owners(self) -> dict[str, str]:
        """Every passage id with its document id (reads the whole index: for checks)."""
        import tantivy

        searcher = self.searchers()[0]
        found = searcher.search(tantivy.Query.all_query(), limit=max(1, searcher.num_docs), count=False)
        owners = {}
        for _, address in found.hits:
            row = searcher.doc(address)
            owners[row.get_first("id")] = row.get_first("doc_id")
        return owners

    def _open(self):
        with self._lock:
            if self._indexes is None:
                self._indexes = self._load()
            return self._indexes

    def _load(self):
        import tantivy

        if self.folder.exists() and self._format() != FORMAT:
            # another format (or a folder without state): rebuilt from the store. An index of
            # this format whose build never finished is kept: the rebuild starts by clearing it,
            # under the writer lock, while other processes may already have it open.
            shutil.rmtree(self.folder, ignore_errors=True)
        indexes = []
        for name, schema in zip(("passages", "documents"), _schemas()):
            path = self.folder / name
            path.mkdir(parents=True, exist_ok=True)
            indexes.append(tantivy.Index(schema, path=str(path), reuse=True))
        if not (self.folder / STATE).exists():
            self._record(None)
        return tuple(indexes)

    def _stamp(self) -> float | None:
        try:
            return (self.folder / STATE).stat().st_mtime_ns
        except OSError:
            return None


def _passage_document(row: PassageRow):
    import tantivy

    document = tantivy.Document(id=row.id, doc_id=row.doc_id, words=" ".join(row.words))
    document.add_unsigned("draw", draw(row.id))
    document.add_bytes("counts", pack(row.words))
    return document


def _document_document(row: DocumentRow):
    import tantivy

    document = tantivy.Document(doc_id=row.doc_id, words=" ".join(row.words))
    for alias in sorted(row.aliases):
        document.add_text("alias", alias)
    if row.published is not None:
        for name in ("year", "month", "day"):
            document.add_integer(name, getattr(row.published, name))
    document.add_unsigned("draw", draw(row.doc_id))
    return document
