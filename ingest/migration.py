"""Documents indexed under an older id of their file get the id it has now, without being
embedded again.

Older versions named a document by its path relative to the working directory, so a file
ingested from two places became two documents (`docs/x.txt` and `proj/docs/x.txt`). Ids are
now stable (`ingest.files.doc_id_for`). When ingest meets a file, an entry of the catalog
is taken for the same file when its id is

- the file's path relative to the working directory (how older versions named it from here),
- the file's absolute path (before `docs_root` was set), or
- a relative path the file's path ends with, holding the same text (ingested from elsewhere).

The first such entry is re-keyed to the file's id (`Index.rekey`: its passages are copied
with their vectors under the new ids); any others are duplicates and are removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from ingest.catalog import IndexedDocument
from ingest.files import cwd_doc_id, doc_id_for
from ingest.index import Index


@dataclass
class Migration:
    """The catalog's entries whose id is not what their file is called now, by file name."""

    index: Index
    known: dict[str, IndexedDocument]
    renamed: int = 0
    removed: int = 0
    passages_removed: int = 0
    _by_name: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        root = self.index.settings.docs_root
        by_name: dict[str, list[str]] = defaultdict(list)
        for doc_id in self.known:
            if not _current(doc_id, root):
                by_name[PurePosixPath(doc_id).name].append(doc_id)
        self._by_name = dict(by_name)

    def entry(self, path: Path, doc_id: str, fingerprint: str) -> IndexedDocument | None:
        """The catalog entry of the file at `path` (resolved), re-keyed to `doc_id` if it was
        listed under an older id; None when the index holds nothing of it."""
        older = self._older(path, doc_id, fingerprint) if self._by_name else []
        if not older:
            return self.known.get(doc_id)
        if doc_id not in self.known:
            first = self.known[older.pop(0)]
            if not self.index.rekey(first, doc_id, str(path)):
                return None  # another machine is writing it: this file is written as new
            self.known[doc_id] = replace(self.known.pop(first.doc_id), doc_id=doc_id, source=str(path))
            self.renamed += 1
        if older:
            self.passages_removed += self.index.remove(older)
            self.removed += len(older)
            for old in older:
                self.known.pop(old, None)
        return self.known[doc_id]

    def _older(self, path: Path, doc_id: str, fingerprint: str) -> list[str]:
        full, here = path.as_posix(), cwd_doc_id(path)
        exact = [old for old in self._by_name.get(path.name, []) if old in (here, full) and old != doc_id]
        alike = [
            old
            for old in self._by_name.get(path.name, [])
            if old not in exact and old != doc_id and not old.startswith("/") and full.endswith("/" + old)
            and self.known[old].fingerprint == fingerprint
        ]
        for old in exact + alike:
            self._by_name[path.name].remove(old)
        return exact + alike


def _current(doc_id: str, root: Path | None) -> bool:
    """Whether `doc_id` is what its file is called now (so it is no older id of another)."""
    path = Path(doc_id)
    if path.is_absolute():
        return doc_id_for(path, root) == doc_id
    return root is not None and (Path(root) / path).exists()
