"""Tokens the language models read and wrote for one answer.

Counted from LangChain's `usage_metadata` on every chat-model call made while the answer is
computed (the answer, a follow-up's rewrite, each citation verdict): what the model reports,
not an estimate. The extractive answerer calls no model, so its answers count zero.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult
from langchain_core.tracers.context import register_configure_hook

T = TypeVar("T")

# LangChain adds the handler in this variable to every model call made while it is set, even
# calls that are given no callbacks (the answerers call their model directly).
_counting: ContextVar[_Counter | None] = ContextVar("assistant_token_usage", default=None)


@dataclass(frozen=True)
class TokenUsage:
    """Tokens read (`prompt_tokens`, the whole prompt, cached prefix included) and written."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class _Counter(BaseCallbackHandler):
    """Adds up the `usage_metadata` of every chat-model call it sees end."""

    def __init__(self) -> None:
        self.prompt_tokens = self.completion_tokens = 0
        self._lock = threading.Lock()

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                usage = getattr(getattr(generation, "message", None), "usage_metadata", None) or {}
                with self._lock:
                    self.prompt_tokens += usage.get("input_tokens", 0)
                    self.completion_tokens += usage.get("output_tokens", 0)


class Meter:
    """Counts the tokens of every model call made while the iterator it wraps runs."""

    def __init__(self) -> None:
        _register()
        self._handler = _Counter()

    def wrap(self, items: Iterator[T]) -> Iterator[T]:
        """`items`, each step run with this meter counting (steps may run on different threads);
        closing the result closes `items`."""
        try:
            while True:
                token = _counting.set(self._handler)
                try:
                    item = next(items)
                except StopIteration:
                    return
                finally:
                    _counting.reset(token)
                yield item
        finally:
            if hasattr(items, "close"):
                items.close()

    @property
    def usage(self) -> TokenUsage:
        """The tokens counted so far."""
        return TokenUsage(self._handler.prompt_tokens, self._handler.completion_tokens)


@functools.cache
def _register() -> None:
    register_configure_hook(_counting, inheritable=True)
