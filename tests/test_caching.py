"""The answering cache: bounded, least recently used out first, same vectors as the model."""

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.caching import LRUByteStore, cached


def test_lru_store_forgets_the_least_recently_used():
    store = LRUByteStore(capacity=2)
    store.mset([("a", b"1"), ("b", b"2")])
    assert store.mget(["a"]) == [b"1"]  # "a" is now the most recent
    store.mset([("c", b"3")])
    assert store.mget(["a", "b", "c"]) == [b"1", None, b"3"]
    assert sorted(store.yield_keys()) == ["a", "c"]


class Counting(Embeddings):
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, model):
        self.model, self.texts = model, 0

    def embed_documents(self, texts):
        self.texts += len(texts)
        return self.model.embed_documents(texts)

    def embed_query(self, text):
        self.texts += 1
        return self.model.embed_query(text)


def test_cached_embeddings_equal_the_model_and_are_reused(embeddings):
    counting = Counting(embeddings)
    model = cached(counting, capacity=10)
    texts = ["The bridge is 380 metres long.", "Plant tulips in autumn."]
    first = model.embed_documents(texts)
    assert np.allclose(first, embeddings.embed_documents(texts), atol=1e-6)
    assert counting.texts == 2
    assert np.allclose(model.embed_documents(texts), first)
    assert np.allclose(model.embed_query(texts[0]), first[0], atol=1e-6)
    assert counting.texts == 2  # both calls answered from the cache
