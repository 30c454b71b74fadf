"""A bounded cache of the embeddings computed while answering: the same passage sentences
and questions come back again and again, and embedding them is most of an answer's time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence

from langchain_classic.embeddings import CacheBackedEmbeddings
from langchain_core.embeddings import Embeddings
from langchain_core.stores import ByteStore

CACHED_TEXTS = 50_000  # about 80 MB of 384-dim vectors, stored as JSON bytes


class LRUByteStore(ByteStore):
    """An in-memory key-value store that forgets its least recently used keys past `capacity`."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        with self._lock:
            found = [self._items.get(key) for key in keys]
            for key, value in zip(keys, found):
                if value is not None:
                    self._items.move_to_end(key)
            return found

    def mset(self, key_value_pairs: Sequence[tuple[str, bytes]]) -> None:
        with self._lock:
            for key, value in key_value_pairs:
                self._items[key] = value
                self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def mdelete(self, keys: Sequence[str]) -> None:
        with self._lock:
            for key in keys:
                self._items.pop(key, None)

    def yield_keys(self, *, prefix: str | None = None) -> Iterator[str]:
        with self._lock:
            keys = list(self._items)
        return (key for key in keys if prefix is None or key.startswith(prefix))


def cached(embeddings: Embeddings, capacity: int = CACHED_TEXTS) -> Embeddings:
    """`embeddings` behind one bounded cache for documents and queries (same model, same vectors)."""
    store = LRUByteStore(capacity)
    return CacheBackedEmbeddings.from_bytes_store(
        embeddings, store, namespace="answering", query_embedding_cache=store, key_encoder="sha256"
    )
