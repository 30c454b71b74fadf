"""Token counts: each answer counts the model calls made while it runs, and no other answer's;
the llama.cpp counts are the ones llama-cpp-python reports for the same generation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant import TokenUsage
from assistant.answering.chat_models import LlamaCppChat
from assistant.model_files import smollm_path
from assistant.usage import Meter


class Reporting(BaseChatModel):
    """A chat model that reports reading one token per prompt character and writing two
    (a fake: what matters is that it reports usage the way real chat models do)."""

    @property
    def _llm_type(self) -> str:
        return "reporting"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        read = sum(len(m.content) for m in messages)
        usage = {"input_tokens": read, "output_tokens": 2, "total_tokens": read + 2}
        return ChatResult(generations=[ChatGeneration(message=AIMessage("ok", usage_metadata=usage))])


def steps(model: BaseChatModel, prompts: list[str]):
    for prompt in prompts:
        model.invoke(prompt)
        yield prompt


def test_a_meter_counts_the_calls_of_its_own_steps_only():
    model = Reporting()
    model.invoke("not counted: no meter runs")
    meter = Meter()
    assert list(meter.wrap(steps(model, ["abc", "defgh"]))) == ["abc", "defgh"]
    assert meter.usage == TokenUsage(prompt_tokens=8, completion_tokens=4)
    assert meter.usage.total_tokens == 12
    assert Meter().usage == TokenUsage()


def test_concurrent_answers_each_count_their_own_tokens():
    model = Reporting()
    start = threading.Barrier(8)

    def answer(length: int) -> TokenUsage:
        meter = Meter()
        start.wait()
        for _ in meter.wrap(steps(model, ["x" * length] * 3)):
            pass
        return meter.usage

    with ThreadPoolExecutor(max_workers=8) as pool:
        counted = list(pool.map(answer, range(1, 9)))
    assert counted == [TokenUsage(3 * length, 6) for length in range(1, 9)]


@pytest.mark.slow
def test_llama_cpp_counts_are_llama_cpps_own():
    """Our streamed counts against llama-cpp-python's non-streamed `usage` for the same prompts;
    the second prompt shares the first one's system message, which llama.cpp reuses, and still
    counts it."""
    from llama_cpp import Llama

    path = str(smollm_path())
    chat = LlamaCppChat(model_path=path, max_tokens=40)
    reference = Llama(model_path=path, n_ctx=2048, n_threads=chat.threads, verbose=False)
    system = "You answer in one short sentence."
    for question in ("Name three colours.", "What is the capital of France?"):
        meter = Meter()
        text = "".join(chunk.content for chunk in meter.wrap(chat.stream([SystemMessage(system), HumanMessage(question)])))
        expected = reference.create_chat_completion(
            messages=[{"role": "system", "content": system}, {"role": "user", "content": question}],
            temperature=0.0, max_tokens=40,
        )
        assert text == expected["choices"][0]["message"]["content"]
        usage = expected["usage"]
        assert meter.usage == TokenUsage(usage["prompt_tokens"], usage["completion_tokens"]), (meter.usage, usage)
