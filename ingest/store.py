"""The Chroma client: embedded in the data dir, or a client of a Chroma server.

Errors of a server that can't be reached are reported as `StoreUnavailableError`, and a
refused token as a `ConfigError`, both naming what to check.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

from ingest.errors import ConfigError, StoreUnavailableError
from ingest.settings import IngestSettings


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
