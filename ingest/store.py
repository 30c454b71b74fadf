"""The Chroma client: embedded in the data dir, or a client of a Chroma server.

Errors of a server that can't be reached are reported as `StoreUnavailableError`, and a
refused token as a `ConfigError`, both naming what to check. The collection is opened
only with the embedding model it was built with; the helpers at the end read and delete
passages by id or by document, in pages.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

from ingest.errors import ConfigError, EmptyIndexError, StoreUnavailableError
from ingest.settings import IngestSettings

_MODEL_KEY = "embedding_model"
_DIM_KEY = "embedding_dim"


def make_client(settings: IngestSettings):
    """An embedded Chroma in the data dir, or a client of the configured Chroma server."""
    import chromadb

    client_settings = chromadb.Settings(anonymized_telemetry=False)
    if not settings.store.url:
        return chromadb.PersistentClient(path=str(settings.data_dir / "chroma"), settings=client_settings)
    url = urlparse(settings.store.url)
    host, port = url.hostname or "localhost", url.port or (443 if url.scheme == "https" else 8000)
    headers = {"Authorization": f"Bearer {settings.store.token}"} if settings.store.token else None
    _check_access(f"{'https' if url.scheme == 'https' else 'http'}://{host}:{port}", headers, settings.store.url)
    return chromadb.HttpClient(
        host=host, port=port, ssl=url.scheme == "https", headers=headers, settings=client_settings
    )


def open_collection(client, settings: IngestSettings, dimension: int, create: bool, location: str):
    """The configured collection (created if missing when `create`), refused when it was
    built with another embedding model: vectors of two models must never mix."""
    name = settings.store.collection
    if not create:
        from chromadb.errors import NotFoundError

        try:
            collection = client.get_collection(name)
        except (NotFoundError, ValueError):
            raise EmptyIndexError() from None
    else:
        collection = client.get_or_create_collection(
            name,
            metadata={_MODEL_KEY: settings.embedding.model, _DIM_KEY: dimension},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
    metadata = collection.metadata or {}
    built_with, wanted = (metadata.get(_MODEL_KEY), metadata.get(_DIM_KEY)), (settings.embedding.model, dimension)
    if built_with != wanted:
        raise ConfigError(
            f"The index in {location} was built with embedding model {built_with[0]!r} "
            f"({built_with[1]}-dim) but the settings ask for {wanted[0]!r} ({wanted[1]}-dim). "
            "Rebuild it with `assistant ingest --rebuild docs/`, or set ASSISTANT_EMBEDDING__MODEL back."
        )
    return collection


def vectorstore(client, settings: IngestSettings, embeddings):
    """LangChain's `Chroma` over the open collection (what the indexing API writes to)."""
    from langchain_chroma import Chroma

    return Chroma(
        client=client,
        collection_name=settings.store.collection,
        embedding_function=embeddings,
        create_collection_if_not_exists=False,
    )


def _check_access(base: str, headers: dict | None, url: str) -> None:
    """A clear error when the server (or the proxy in front of it) refuses our token: chromadb
    would report only the response body."""
    import httpx

    reply = httpx.get(f"{base}/api/v2/auth/identity", headers=headers, timeout=30)
    if reply.status_code in (401, 403):
        raise ConfigError(
            f"The Chroma server at {url} refused the request ({reply.status_code} {reply.reason_phrase}): "
            "check ASSISTANT_STORE__TOKEN."
        )


@contextmanager
def reaching(url: str | None) -> Iterator[None]:
    """Report a Chroma server that can't be reached as `StoreUnavailableError`."""
    import httpx

    try:
        yield
    except httpx.TransportError as error:  # refused, reset, timed out mid-request
        if not url:
            raise
        raise StoreUnavailableError(url) from error
    except ValueError as error:  # chromadb's client raises this when its first request fails
        if url and isinstance(error.__context__, httpx.TransportError):
            raise StoreUnavailableError(url) from error
        raise


def reaching_store(method):
    """`reaching` around a method of `Index` (it reads `self.settings`)."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        with reaching(self.settings.store.url):
            return method(self, *args, **kwargs)

    return call


PAGE = 5000  # passages per read when scanning the collection
_CHUNK = 500  # ids per request


def owners(collection) -> dict[str, str]:
    """Every stored passage id with the id of its document (its `doc_id` metadata)."""
    found: dict[str, str] = {}
    offset = 0
    while True:
        page = collection.get(include=["metadatas"], limit=PAGE, offset=offset)
        if not page["ids"]:
            return found
        found.update((id_, str((meta or {}).get("doc_id", ""))) for id_, meta in zip(page["ids"], page["metadatas"]))
        offset += len(page["ids"])


def passage_counts(collection) -> dict[str, int]:
    """How many passages the store holds of each document."""
    counts: dict[str, int] = {}
    for id_, doc_id in owners(collection).items():
        counts[doc_id] = counts.get(doc_id, 0) + 1
    return counts


def ids_of(collection, doc_ids: Iterable[str]) -> list[str]:
    """The stored passage ids of these documents, recorded or not."""
    doc_ids, ids = list(doc_ids), []
    for start in range(0, len(doc_ids), _CHUNK):
        ids += collection.get(where={"doc_id": {"$in": doc_ids[start : start + _CHUNK]}}, include=[])["ids"]
    return ids


def delete_ids(collection, ids: Iterable[str]) -> None:
    """Delete passages by id."""
    ids = list(ids)
    for start in range(0, len(ids), _CHUNK):
        collection.delete(ids=ids[start : start + _CHUNK])
