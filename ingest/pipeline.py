"""Ingest: find files -> load -> split -> index, then remove what left the folders.

Unchanged files are recognised by their fingerprint and never split or embedded again;
a file that fails to load (or is over a limit) is skipped with a warning and keeps
whatever the index already held of it. A mail file's messages and attachments are
documents of their own (`mail.eml#report.pdf`); an attachment gone from a mail that
loaded leaves the index with it.

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
from ingest.loaders import Loaded, load_all
from ingest.migration import Migration
from ingest.ocr import Ocr
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
    pages_ocred: int = 0
    pages_ocr_cached: int = 0
    seconds: float = 0.0
    recovered: list[str] = field(default_factory=list)  # documents of interrupted writes, undone
    orphans: int = 0  # passages removed that no listed document accounted for
    renamed: int = 0  # documents re-keyed to their stable id, not embedded again
    encodings: dict[str, str] = field(default_factory=dict)  # files read in a legacy encoding

    def __str__(self) -> str:
        ocr = ""
        if self.pages_ocred or self.pages_ocr_cached:
            ocr = f"; {self.pages_ocred} pages OCRed ({self.pages_ocr_cached} more from the OCR cache)"
        lines = [
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {len(self.failed)} failed; "
            f"{self.passages_added} passages embedded, {self.passages_removed} removed{ocr} "
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
        ocr = Ocr(index.settings.ocr, Path(index.settings.data_dir) / "ocr", progress)
        changed, found, loaded = _load_changed(files, Migration(index, known), index, summary, ocr)
        summary.pages_ocred, summary.pages_ocr_cached = ocr.pages_read, ocr.pages_cached
        _write(index, changed, summary, progress)
        stale = [
            doc_id for doc_id in index.catalog.entries()
            if doc_id not in found and (prune or under(doc_id, roots, root) or _part_of(doc_id, loaded))
        ]
        summary.passages_removed += index.remove(stale)
        summary.removed += len(stale)
        index.search_index()  # the lexical index follows the change log (a no-op when current)
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


Changed = list[tuple[SourceDocument, list[Document]]]


def _load_changed(
    files: list[tuple[Path, str]], migration: Migration, index: Index, summary: IngestSummary, ocr: Ocr
) -> tuple[Changed, set[str], set[str]]:
    """Load every file; split the documents whose content differs from what the index holds.

    Also returns the doc_ids found (a file or document that fails keeps its own, and a file
    its attachments'), and the files loaded whole, whose attachments not found again leave
    the index.
    """
    changed, found, loaded = [], set(), set()
    splitter = make_splitter(index.settings.chunking)
    for path, doc_id in files:
        found.add(doc_id)
        result = _load(path, doc_id, index, summary, ocr)
        if result is None:
            found.update(known_id for known_id in migration.known if _part_of(known_id, {doc_id}))
            continue
        loaded.add(doc_id)
        for part, reason in result.skipped:  # an attachment that fails keeps what was indexed of it
            found.add(part)
            _fail(summary, Path(f"{path}{part[len(doc_id):]}"), reason)
        for document in result.documents:
            found.add(document.doc_id)
            if document.encoding not in ("", "utf-8"):
                summary.encodings[document.source] = document.encoding
            passages = _changed(document, migration, splitter, index, summary)
            if passages is not None:
                changed.append((document, passages))
    summary.renamed += migration.renamed
    summary.removed += migration.removed
    summary.passages_removed += migration.passages_removed
    return changed, found, loaded


def _load(path: Path, doc_id: str, index: Index, summary: IngestSummary, ocr: Ocr) -> Loaded | None:
    """What the file holds, or None (the failure noted) when it can't be loaded."""
    try:
        return load_all(path, doc_id, index.settings.limits, ocr)
    except LoadError as error:
        _fail(summary, path, str(error))
    except Exception as error:  # a parser bug must not stop the other files
        _fail(summary, path, f"could not be parsed ({type(error).__name__}: {error})")
    return None


def _changed(
    document: SourceDocument, migration: Migration, splitter, index: Index, summary: IngestSummary
) -> list[Document] | None:
    """The document's passages when it must be written (counted as added or updated), else
    None: unchanged, or over the passage limit (noted as failed; the index keeps its old text)."""
    chunking, limits = index.settings.chunking, index.settings.limits
    fingerprint = _fingerprint(document, chunking)
    entry = migration.entry(Path(document.source), document.doc_id, fingerprint)
    if entry is not None and entry.fingerprint == fingerprint:
        summary.unchanged += 1
        return None
    passages = split(document, splitter)
    try:
        check_passages(len(passages), limits)
    except LoadError as error:
        _fail(summary, Path(document.source), str(error))
        return None
    summary.added += entry is None
    summary.updated += entry is not None
    return passages


def _part_of(doc_id: str, files: set[str]) -> bool:
    """Whether `doc_id` is a message or attachment inside one of `files` (`mail.eml#report.pdf`);
    every `#` is tried, since a folder or file name may hold one too."""
    cut = doc_id.find("#")
    while cut > 0:
        if doc_id[:cut] in files:
            return True
        cut = doc_id.find("#", cut + 1)
    return False


def _fingerprint(document: SourceDocument, chunking: ChunkingSettings) -> str:
    """The document's fingerprint under these chunking settings (new settings re-split it)."""
    return f"{document.fingerprint}:{chunking.size}/{chunking.overlap}/{PASSAGE_FORMAT}"


def _write(index: Index, changed: Changed, summary: IngestSummary, progress: bool) -> None:
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


def _groups(changed: Changed, size: int) -> Iterator[Changed]:
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
