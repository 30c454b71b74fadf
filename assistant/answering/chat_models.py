"""Chat models behind LangChain's `BaseChatModel`: a local GGUF model run in-process with
llama-cpp-python, or any OpenAI-compatible server through `langchain-openai`.

Both packages are optional extras, imported only when chosen. The llama.cpp adapter is
ours because LangChain's only in-process one lives in the sunset `langchain-community`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from assistant.settings import LLMSettings
from ingest.errors import ConfigError, MissingDependencyError

_ROLES = {"human": "user", "ai": "assistant", "system": "system"}


def make_chat_model(provider: str, settings: LLMSettings) -> BaseChatModel:
    """The chat model for `provider` (`llamacpp` or `openai`)."""
    if provider == "llamacpp":
        return LlamaCppChat.from_settings(settings)
    if provider == "openai":
        return _openai(settings)
    raise ConfigError(f"Unknown LLM provider {provider!r}: use `llamacpp` or `openai`.")


def _openai(settings: LLMSettings) -> BaseChatModel:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise MissingDependencyError("langchain-openai", "openai") from None
    return ChatOpenAI(
        base_url=settings.base_url,
        model=settings.model,
        api_key=os.environ.get(settings.api_key_env) or "not-needed",
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout,
        max_retries=1,
        streaming=True,
        stream_usage=True,  # token counts for the answer's `usage`
    )


class LlamaCppChat(BaseChatModel):
    """A GGUF chat model run in this process; one generation at a time (llama.cpp is not re-entrant).

    The model keeps the previous prompt's evaluated tokens, so a request sharing its prefix
    (the system prompt) only reads the new part.
    """

    model_path: str
    threads: int | None = None
    context_tokens: int = 2048
    temperature: float = 0.0
    max_tokens: int = 200
    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: LLMSettings) -> LlamaCppChat:
        if not settings.model_path.is_file():
            raise ConfigError(
                f"No GGUF model at {settings.model_path}: run `make model` for the default, "
                "or set ASSISTANT_LLM__MODEL_PATH to a .gguf file."
            )
        return cls(
            model_path=str(settings.model_path),
            threads=settings.threads,
            context_tokens=settings.context_tokens,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        )

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-python"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chunks = [chunk.message for chunk in self._stream(messages, stop, run_manager, **kwargs)]
        merged = chunks[0] + chunks[1:] if chunks else AIMessageChunk(content="")
        message = AIMessage(content=merged.content, usage_metadata=merged.usage_metadata)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            parts = self._model().create_chat_completion(
                messages=[{"role": _ROLES.get(m.type, m.type), "content": m.content} for m in messages],
                temperature=self.temperature,
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                stop=stop,
                stream=True,
            )
            for part in parts:
                delta = part["choices"][0]["delta"].get("content")
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
            llama = self._model()
            usage = {"input_tokens": llama.prompt_tokens, "output_tokens": llama.completion_tokens}
            yield ChatGenerationChunk(
                message=AIMessageChunk(content="", usage_metadata={**usage, "total_tokens": sum(usage.values())})
            )

    def _model(self):
        if self._llama is None:
            self._llama = _counting_llama(
                model_path=self.model_path,
                n_ctx=self.context_tokens,
                n_threads=self.threads or os.cpu_count(),
                verbose=False,
            )
        return self._llama


def _counting_llama(**options: Any):
    """A `llama_cpp.Llama` that counts the tokens of its last generation: the whole prompt
    (a reused prefix included) and the tokens it wrote (the end-of-generation token not)."""
    try:
        import llama_cpp
    except ImportError:
        raise MissingDependencyError("llama-cpp-python", "local") from None

    class CountingLlama(llama_cpp.Llama):
        prompt_tokens = 0
        completion_tokens = 0

        def generate(self, tokens, *args, **kwargs):
            self.prompt_tokens, self.completion_tokens = len(tokens), 0
            for token in super().generate(tokens, *args, **kwargs):
                if not llama_cpp.llama_vocab_is_eog(self._model.vocab, token):
                    self.completion_tokens += 1
                yield token

    return CountingLlama(**options)
