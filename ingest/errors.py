"""Every error the assistant reports to a user, in one place; each message says what to do next.

    AssistantError                 base: catch this to catch them all
    ├── ConfigError                settings and the on-disk index don't fit together
    │   └── MissingDependencyError an optional backend's extra is not installed
    ├── IngestError                an ingest could not start (a missing path)
    │   └── IndexBusyError         another process is writing the index (the message names it)
    ├── LoadError                  one file could not be loaded (ingest skips it and goes on)
    ├── EmptyIndexError            a question before anything was ingested
    ├── QuestionError              a question that can't be asked as it is (empty, too long)
    ├── QuestionSetError           a question set that can't be read at all
    ├── StoreUnavailableError      the Chroma server can't be reached (retry once it is back)
    └── EmbeddingServerError       the embeddings server failed: unreachable after retries, refused
                                   a request, or sent vectors that don't fit

They live in `ingest/`, the ground floor, so that both packages raise the same classes;
`assistant` re-exports them.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class for every error the assistant reports to a user."""


class ConfigError(AssistantError):
    """The settings or the on-disk index don't fit together."""


class IngestError(AssistantError):
    """An ingest could not start (a missing path, an unreadable folder)."""


class IndexBusyError(IngestError):
    """Another process holds the index's writer lock past `store.lock_timeout`."""


class LoadError(AssistantError):
    """One file could not be loaded; ingest skips it and goes on."""


class EmptyIndexError(AssistantError):
    """A question was asked before anything was ingested."""

    def __init__(self, message: str = "The index is empty: run `assistant ingest docs/` first.") -> None:
        super().__init__(message)


class QuestionError(AssistantError):
    """A question that can't be asked as it is (empty, too long)."""


class QuestionSetError(AssistantError):
    """A question set that can't be read at all (missing, unreadable, no valid line)."""


class MissingDependencyError(ConfigError):
    """An optional backend was chosen whose extra is not installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"This needs the `{package}` package: install it with "
            f"`pip install 'source-assistant[{extra}]'`."
        )


class StoreUnavailableError(AssistantError):
    """The Chroma server could not be reached; the request can be retried once it is back."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"The Chroma server at {url} is not reachable: start it (`chroma run`) "
            "or check ASSISTANT_STORE__URL, then try again."
        )


class EmbeddingServerError(AssistantError):
    """The embeddings server (the `openai` embedding backend) could not embed: unreachable or
    failing after its retries, refusing the request (4xx), or replying with vectors that don't
    fit the texts sent. The message names the server's URL and the model."""
