"""Ingest: find files -> load -> split -> index, then remove what left the folders.

Unchanged files are recognised by their fingerprint and never split or embedded again;
a file that fails to load is skipped with a warning and keeps whatever the index
already held of it.
"""

from __future__ import annotations

import errno
import logging
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.documents import Document
from tqdm import tqdm

from ingest.catalog import IndexedDocument
from ingest.chunking import PASSAGE_FORMAT, make_splitter, split
from ingest.documents import SourceDocument
from ingest.errors import IngestError, LoadError
from ingest.index import Index
from ingest.loaders import Loaded, is_supported, load_all
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

    def __str__(self) -> str:
        ocr = ""
        if self.pages_ocred or self.pages_ocr_cached:
            ocr = f"; {self.pages_ocred} pages OCRed ({self.pages_ocr_cached} more from the OCR cache)"
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {len(self.failed)} failed; "
            f"{self.passages_added} passages embedded, {self.passages_removed} removed{ocr} "
            f"in {self.seconds:.1f} s"
        )


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
    roots = [_existing(Path(path)) for path in paths]
    summary = IngestSummary()
    known = index.catalog.entries()
    if not known:
        _note_unrecorded_passages(index)
    files = list(_discover(roots, summary))
    ocr = Ocr(index.settings.ocr, Path(index.settings.data_dir) / "ocr", progress)
    changed, found, loaded = _load_changed(files, known, index, summary, ocr)
    summary.pages_ocred, summary.pages_ocr_cached = ocr.pages_read, ocr.pages_cached
    _write(index, changed, summary, progress)
    stale = [
        doc_id for doc_id in known
        if doc_id not in found and (prune or _under(doc_id, roots) or _part_of(doc_id, loaded))
    ]
    summary.passages_removed += index.remove(stale)
    summary.removed = len(stale)
    if summary.added or summary.updated or summary.removed:
        index.search_index()  # BM25 and the embedding matrix follow the store
    summary.seconds = time.perf_counter() - started
    return summary


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


def doc_id_for(path: Path) -> str:
    """A stable id: the path relative to the working directory, or absolute outside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _existing(path: Path) -> Path:
    if not path.exists():
        raise IngestError(f"No such file or folder: {path}")
    return path


def _under(doc_id: str, roots: list[Path]) -> bool:
    """Whether a document belongs to one of the ingested folders."""
    return any(root.is_dir() and doc_id.startswith(doc_id_for(root).rstrip("/") + "/") for root in roots)


def _discover(roots: list[Path], summary: IngestSummary) -> Iterator[tuple[Path, str]]:
    """Supported files under the roots (a file given by name is taken whatever it is)."""
    seen: set[str] = set()
    for root in roots:
        for path in _walk(root, summary) if root.is_dir() else [root]:
            doc_id = doc_id_for(path)
            if doc_id not in seen:
                seen.add(doc_id)
                yield path, doc_id


def _walk(root: Path, summary: IngestSummary) -> Iterator[Path]:
    """Files under a folder, sorted, not following links out of it or into loops."""
    top = root.resolve()
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(".") or not is_supported(path):
                continue
            problem = _link_problem(path, top) if path.is_symlink() else None
            if problem:
                _fail(summary, path, problem)
                continue
            yield path


def _link_problem(link: Path, top: Path) -> str | None:
    """Why a symbolic link can't be ingested (a loop, dangling, or leading out), or None."""
    try:
        target = link.resolve(strict=True)
    except RuntimeError:  # a loop, before Python 3.13
        return "is a symbolic link loop"
    except OSError as error:
        if error.errno == errno.ELOOP:  # a loop, from Python 3.13
            return "is a symbolic link loop"
        return f"is a broken symbolic link ({error.strerror or error})"
    if not target.is_relative_to(top):
        return "is a link to a file outside the ingested folder"
    return None


def _load_changed(
    files: list[tuple[Path, str]], known: dict[str, IndexedDocument], index: Index, summary: IngestSummary, ocr: Ocr
) -> tuple[list[SourceDocument], set[str], set[str]]:
    """Load every file; keep the documents whose content differs from what the index holds.

    Also returns the doc_ids found (a file that fails keeps its own and its attachments'),
    and the files loaded whole, whose attachments not found again leave the index.
    """
    chunking = index.settings.chunking
    changed, found, loaded = [], set(), set()
    for path, doc_id in files:
        found.add(doc_id)
        result = _load(path, doc_id, index, summary, ocr)
        if result is None:
            found.update(known_id for known_id in known if _part_of(known_id, {doc_id}))
            continue
        loaded.add(doc_id)
        for part, reason in result.skipped:  # an attachment that fails keeps what was indexed of it
            found.add(part)
            _fail(summary, Path(f"{path}{part[len(doc_id):]}"), reason)
        for document in result.documents:
            found.add(document.doc_id)
            if _counted(document, known.get(document.doc_id), chunking, summary):
                changed.append(document)
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


def _counted(document: SourceDocument, entry: IndexedDocument | None, chunking: ChunkingSettings, summary) -> bool:
    """Count the document as added, updated or unchanged; True when it must be written."""
    if entry is not None and entry.fingerprint == _fingerprint(document, chunking):
        summary.unchanged += 1
        return False
    if entry is None:
        summary.added += 1
    else:
        summary.updated += 1
    return True


def _part_of(doc_id: str, files: set[str]) -> bool:
    """Whether `doc_id` is a message or attachment inside one of `files` (`mail.eml#report.pdf`)."""
    head = doc_id.split("#", 1)[0]
    return head != doc_id and head in files


def _fingerprint(document: SourceDocument, chunking: ChunkingSettings) -> str:
    """The document's fingerprint under these chunking settings (new settings re-split it)."""
    return f"{document.fingerprint}:{chunking.size}/{chunking.overlap}/{PASSAGE_FORMAT}"


def _write(index: Index, documents: list[SourceDocument], summary: IngestSummary, progress: bool) -> None:
    """Split the changed documents, embed and store their passages, then record them."""
    splitter = make_splitter(index.settings.chunking)
    passages = {document.doc_id: split(document, splitter) for document in documents}
    total = sum(len(p) for p in passages.values())
    stream = (passage for doc_passages in passages.values() for passage in doc_passages)
    with tqdm(total=total, unit="passage", desc="Embedding", disable=not progress or not total) as bar:
        result = index.write(_tracked(stream, bar, index.settings.store.write_batch))
        bar.update(total - bar.n)
    summary.passages_added += result["num_added"] + result["num_updated"]
    summary.passages_removed += result["num_deleted"]
    chunking = index.settings.chunking
    index.catalog.put([_entry(d, len(passages[d.doc_id]), chunking) for d in documents])


def _tracked(passages: Iterable[Document], bar: tqdm, batch: int) -> Iterator[Document]:
    """Yield passages, advancing the bar once a batch has been taken and written."""
    for count, passage in enumerate(passages):
        if count and count % batch == 0:
            bar.update(batch)
        yield passage


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
