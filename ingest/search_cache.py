"""One collection's search index kept current with the store: in memory, saved on disk
(`ingest.search.save`), built again when the store's stamp moved on, and dropped when
passages leave the store, so nothing removed stays retrievable.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from ingest.search import SearchIndex, load, save


class SavedSearch:
    """One collection's search index: kept in memory, saved in `folder`, built again when the
    store's stamp moved on, and dropped (memory and disk) when passages leave the store."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

    def current(self, stamp: str, build: Callable[[str], SearchIndex]) -> SearchIndex:
        """The index for `stamp`: the one in memory or on disk if it matches, else a new build."""
        with self._lock:
            if self._index is None or self._index.stamp != stamp:
                saved = load(self.folder)
                self._index = saved if saved is not None and saved.stamp == stamp else self._build(stamp, build)
            return self._index

    def rebuild(self, stamp: str, build: Callable[[str], SearchIndex]) -> None:
        """Build the index again, whatever the stamps say."""
        with self._lock:
            self._index = self._build(stamp, build)

    def drop(self) -> None:
        """Forget the index, in memory and on disk."""
        with self._lock:
            self._index = None
            shutil.rmtree(self.folder, ignore_errors=True)

    def _build(self, stamp: str, build: Callable[[str], SearchIndex]) -> SearchIndex:
        built = build(stamp)
        save(built, self.folder)
        return built
