"""Embeddings from any OpenAI-compatible `/v1/embeddings` server: Text Embeddings Inference,
vLLM, llama.cpp's server, Ollama, or OpenAI itself.

Passages go out in requests of `batch_size` texts, `concurrency` of them in flight at once, and
come back in the order they were sent. The `openai` client retries what may pass (no
connection, a timeout, 408/409/429/5xx) `retries` times with exponential backoff; what is left
is an `EmbeddingServerError` naming the server and the model. Vectors are scaled to unit length,
as the local model's are (not every server does it), so cosine and dot products agree.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.errors import EmbeddingServerError, MissingDependencyError
from ingest.settings import EmbeddingSettings

_NO_KEY = "not-needed"  # the client insists on a key; servers without one ignore it
_RETRIED = {408, 409, 429}  # with 5xx: the statuses the `openai` client retries


class ServerEmbeddings(Embeddings):
    """LangChain's `Embeddings` over an OpenAI-compatible embeddings server."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        try:
            import openai
        except ImportError:
            raise MissingDependencyError("openai", "openai") from None
        self.settings = settings
        self.dimension: int | None = None  # fixed by the first reply: every later vector must match
        self._client = openai.OpenAI(
            base_url=settings.url,
            api_key=os.environ.get(settings.api_key_env) or _NO_KEY,
            timeout=settings.timeout,
            max_retries=settings.retries,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One unit vector per text, in order; batches are sent concurrently."""
        size = self.settings.batch_size
        batches = [texts[start : start + size] for start in range(0, len(texts), size)]
        if len(batches) <= 1:
            return [vector for batch in batches for vector in self._embed(batch)]
        with ThreadPoolExecutor(min(self.settings.concurrency, len(batches))) as pool:
            futures = [pool.submit(self._embed, batch) for batch in batches]
            try:
                return [vector for future in futures for vector in future.result()]
            except BaseException:
                for future in futures:  # no new requests once one has failed for good
                    future.cancel()
                raise

    def embed_query(self, text: str) -> list[float]:
        """One unit vector for a question: one request."""
        return self._embed([text])[0]

    def _embed(self, texts: list[str]) -> list[list[float]]:
        """One request for `texts`; its vectors checked and scaled to unit length."""
        import openai

        try:
            reply = self._client.embeddings.create(
                input=texts, model=self.settings.model, encoding_format="float"
            )
        except openai.APIStatusError as error:
            raise self._refused(error) from error
        except openai.APITimeoutError as error:
            raise self._failed(
                f"did not answer within {self.settings.timeout:g} s ({self._retries} after the first try): "
                "raise ASSISTANT_EMBEDDING__TIMEOUT or lower ASSISTANT_EMBEDDING__CONCURRENCY for a busy server"
            ) from error
        except openai.APIConnectionError as error:
            raise self._failed(
                f"is not reachable ({_first_line(error)}) after {self._retries}: "
                "start it or check ASSISTANT_EMBEDDING__URL, then try again"
            ) from error
        return self._unit_vectors(reply.data, len(texts))

    def _unit_vectors(self, data: list, count: int) -> list[list[float]]:
        """The reply's vectors in the order of the texts, checked, each scaled to length 1."""
        if len(data) != count:
            raise self._failed(f"returned {len(data)} vectors for {count} texts")
        vectors = [item.embedding for item in sorted(data, key=lambda item: item.index)]
        if any(isinstance(vector, list) and vector and isinstance(vector[0], list) for vector in vectors):
            raise self._failed(
                "returned one vector per token instead of one per text: start it with pooling on "
                "(llama.cpp's `llama-server --pooling mean`)"
            )
        if len({len(vector) for vector in vectors}) != 1:
            raise self._failed("returned vectors of different lengths in one reply")
        try:
            matrix = np.asarray(vectors, dtype=np.float32)
        except (TypeError, ValueError):
            raise self._failed("returned vectors that are not lists of numbers") from None
        self._check_dimension(matrix.shape[1])
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return (matrix / np.where(norms > 0, norms, 1.0)).tolist()

    def _check_dimension(self, dimension: int) -> None:
        if self.dimension is None:
            self.dimension = dimension
        elif dimension != self.dimension:
            raise self._failed(
                f"returned {dimension}-dim vectors after {self.dimension}-dim ones: "
                "did the model behind it change?"
            )

    def _refused(self, error) -> EmbeddingServerError:
        """A reply with an error status, after the client's retries of those that may pass."""
        status, said = error.status_code, _first_line(error)
        if status in _RETRIED or status >= 500:
            return self._failed(f"failed after {self._retries} ({said}): see the server's log")
        if status in (401, 403):
            return self._failed(f"refused the request ({said}): check the key in ${self.settings.api_key_env}")
        if status == 404:
            return self._failed(
                f"has no such endpoint or model ({said}): check ASSISTANT_EMBEDDING__URL "
                "(it usually ends in /v1) and ASSISTANT_EMBEDDING__MODEL"
            )
        return self._failed(f"refused the request ({said}): check ASSISTANT_EMBEDDING__MODEL and the server's log")

    @property
    def _retries(self) -> str:
        retries = self.settings.retries
        return f"{retries} {'retry' if retries == 1 else 'retries'}"

    def _failed(self, what: str) -> EmbeddingServerError:
        return EmbeddingServerError(
            f"The embeddings server at {self.settings.url} (model {self.settings.model!r}) {what}."
        )


def _first_line(error: Exception, limit: int = 200) -> str:
    """An error's message on one line, cut to `limit` characters."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
