"""Ingest: find files -> load -> split -> index, then remove what left the folders.

Unchanged files are recognised by their fingerprint and never split or embedded again;
a file that fails to load (or is over a limit) is skipped with a warning and keeps
whatever the index already held of it.

An ingest holds the writer lock throughout. It first puts the index right: writes a
killed ingest left unfinished are undone, and when the counts of passages disagree the
whole index is checked and repaired (orphans removed; `ingest.consistency`). Documents
are then written a group at a time (about one write batch of passages), each group
listed as soon as it is stored: a kill loses at most the group in flight.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.documents import Document
from tqdm import tqdm

from ingest.catalog import IndexedDocument
from ingest.chunking import PASSAGE_FORMAT, make_splitter, split
from ingest.consistency import check, quick_check
from ingest.documents import SourceDocument
from ingest.errors import LoadError
from ingest.files import discover, existing, under
from ingest.index import Index
from ingest.limits import check_passages
from ingest.loaders import load
from ingest.migration import Migration
from ingest.settings import ChunkingSettings

log = logging.getLogger("ingest")


@dataclass
class Failure:
    """A file that was skipped, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.path}: {self.reason}"


@dataclass
class IngestSummary:
    """What one ingest run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[Failure] = field(default_factory=list)
    passages_added: int = 0
    passages_removed: int = 0
    seconds: float = 0.0
    recovered: list[str] = field(default_factory=list)  # documents of interrupted writes, undone
    orphans: int = 0  # passages removed that no listed document accounted for
    renamed: int = 0  # documents re-keyed to their stable id, not embedded again
    encodings: dict[str, str] = field(default_factory=dict)  # files read in a legacy encoding

    def __str__(self) -> str:
        lines = [
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {len(self.failed)} failed; "
            f"{self.passages_added} passages embedded, {self.passages_removed} removed "
            f"in {self.seconds:.1f} s"
        ]
        repaired = [f"{self.orphans} orphan passage(s) removed"] if self.orphans else []
        if self.recovered:
            repaired.append(f"{len(self.recovered)} unfinished document(s) undone (written again if found under the paths)")
        if repaired:
            lines.append("repaired what an interrupted ingest left: " + "; ".join(repaired))
        if self.renamed:
            lines.append(f"{self.renamed} document(s) moved to their stable id, without embedding them again")
        lines += [f"read {path} as {encoding} (it is not UTF-8)" for path, encoding in self.encodings.items()]
        return "\n".join(lines)


def ingest(
    index: Index,
    paths: Sequence[str | Path],
    *,
    prune: bool = False,
    progress: bool = False,
) -> IngestSummary:
    """Bring the index in line with the files under `paths`.

    Deleted files under an ingested folder leave the index; with `prune`, every
    document not found under `paths` does.
    """
    started = time.perf_counter()
    roots = [existing(Path(path)) for path in paths]
    root = index.settings.docs_root
    summary = IngestSummary()
    with index.writing():
        _restore(index, summary)
        known = index.catalog.entries()
        if not known:
            _note_unrecorded_passages(index)
        files = list(discover(roots, root, lambda path, reason: _fail(summary, path, reason)))
        changed = _load_changed(files, Migration(index, known), index, summary)
        _write(index, changed, summary, progress)
        found = {doc_id for _, doc_id in files}
        stale = [doc_id for doc_id in index.catalog.entries() if doc_id not in found and (prune or under(doc_id, roots, root))]
        summary.passages_removed += index.remove(stale)
        summary.removed += len(stale)
        if summary.added or summary.updated or summary.removed or summary.orphans or summary.renamed:
            index.search_index()  # BM25 and the embedding matrix follow the store
    summary.seconds = time.perf_counter() - started
    return summary


def _restore(index: Index, summary: IngestSummary) -> None:
    """Undo interrupted writes; when the counts still disagree, check and repair everything."""
    before = index.count()
    summary.recovered = index.recover()
    problem = quick_check(index)
    if problem:
        log.warning("The index was not consistent (%s): repairing it.", problem)
        summary.recovered += check(index, repair=True).damaged
    summary.orphans = max(0, before - index.count())


def _note_unrecorded_passages(index: Index) -> None:
    """A shared Chroma server already filled from another machine's records: say how to share them."""
    store = index.settings.store
    if store.url and not store.records_url and index.count() and not index.records.list_keys(limit=1):
        log.warning(
            "The collection on %s already holds %d passages that this machine's records don't list: "
            "they will be embedded again (without duplicates). Set ASSISTANT_STORE__RECORDS_URL to the "
            "database the other machines use to skip that.",
            store.url,
            index.count(),
        )


def _load_changed(
    files: list[tuple[Path, str]], migration: Migration, index: Index, summary: IngestSummary
) -> list[tuple[SourceDocument, list[Document]]]:
    """Load every file; split the ones whose content differs from what the index holds."""
    chunking, limits = index.settings.chunking, index.settings.limits
    splitter = make_splitter(chunking)
    changed = []
    for path, doc_id in files:
        try:
            document = load(path, doc_id, limits)
        except LoadError as error:
            _fail(summary, path, str(error))
            continue
        except Exception as error:  # a parser bug must not stop the other files
            _fail(summary, path, f"could not be parsed ({type(error).__name__}: {error})")
            continue
        if document.encoding not in ("", "utf-8"):
            summary.encodings[str(path)] = document.encoding
        entry = migration.entry(path, doc_id, _fingerprint(document, chunking))
        if entry is not None and entry.fingerprint == _fingerprint(document, chunking):
            summary.unchanged += 1
            continue
        passages = split(document, splitter)
        try:
            check_passages(len(passages), limits)
        except LoadError as error:
            _fail(summary, path, str(error))
            continue
        summary.added += entry is None
        summary.updated += entry is not None
        changed.append((document, passages))
    summary.renamed += migration.renamed
    summary.removed += migration.removed
    summary.passages_removed += migration.passages_removed
    return changed


def _fingerprint(document: SourceDocument, chunking: ChunkingSettings) -> str:
    """The document's fingerprint under these chunking settings (new settings re-split it)."""
    return f"{document.fingerprint}:{chunking.size}/{chunking.overlap}/{PASSAGE_FORMAT}"


def _write(
    index: Index, changed: list[tuple[SourceDocument, list[Document]]], summary: IngestSummary, progress: bool
) -> None:
    """Embed and store the changed documents' passages, a group at a time, each group listed
    in the catalog once its passages are stored."""
    chunking = index.settings.chunking
    total = sum(len(passages) for _, passages in changed)
    with tqdm(total=total, unit="passage", desc="Embedding", disable=not progress or not total) as bar:
        for group in _groups(changed, index.settings.store.write_batch):
            entries = [_entry(document, len(passages), chunking) for document, passages in group]
            stream = (passage for _, passages in group for passage in passages)
            result, busy = index.put(entries, _tracked(stream, bar))
            summary.passages_added += result["num_added"] + result["num_updated"]
            summary.passages_removed += result["num_deleted"]
            for document, _ in group:
                if document.doc_id in busy:
                    _fail(summary, Path(document.source), f"is being written by another ingest ({busy[document.doc_id]})")


def _groups(changed: list, size: int) -> Iterator[list]:
    """Consecutive documents holding about `size` passages together (one document at least)."""
    group, count = [], 0
    for item in changed:
        group.append(item)
        count += len(item[1])
        if count >= size:
            yield group
            group, count = [], 0
    if group:
        yield group


def _tracked(passages: Iterable[Document], bar: tqdm) -> Iterator[Document]:
    """Yield passages, advancing the bar by each one taken."""
    for passage in passages:
        yield passage
        bar.update(1)


def _entry(document: SourceDocument, passages: int, chunking: ChunkingSettings) -> IndexedDocument:
    return IndexedDocument(
        doc_id=document.doc_id,
        source=document.source,
        title=document.title,
        fingerprint=_fingerprint(document, chunking),
        passages=passages,
        fields=document.fields,
    )


def _fail(summary: IngestSummary, path: Path, reason: str) -> None:
    failure = Failure(str(path), reason)
    summary.failed.append(failure)
    log.warning("%s", failure)
