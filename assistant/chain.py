"""The retrieval chain, in LCEL: question (+ history) -> query -> passages -> answer.

Every answerer plugs into the same chain: it receives the question and the numbered
passages and streams text pieces followed by the finished `Answer`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any, Protocol

from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda, RunnablePassthrough

from assistant.answer import Answer, Passage
from assistant.retrieval import to_passages


class Answerer(Protocol):
    """What the chain needs of an answerer."""

    def stream(
        self, question: str, passages: list[Passage], history: Sequence[tuple[str, str]] = ()
    ) -> Iterator[str | Answer]:
        """Text pieces of the answer, then the finished `Answer`; `history` is `(role, text)` turns."""
        ...


class AnswerStep(Runnable[dict, Answer]):
    """The chain's last step: streams an answerer's pieces; `invoke` returns the `Answer`."""

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer

    def invoke(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        *_, answer = self.stream(input, config)
        return answer

    def stream(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[str | Answer]:
        yield from self.answerer.stream(input["question"], input["passages"], input.get("history") or ())


def retrieval_query(inputs: dict) -> str:
    """The text to retrieve with: a follow-up carries the previous question's words along."""
    previous = [text for role, text in inputs.get("history") or [] if role == "user"]
    return f"{previous[-1]}\n{inputs['question']}" if previous else inputs["question"]


def build_chain(retriever: BaseRetriever, answerer: Answerer) -> Runnable:
    """`{"question", "history"}` in; streams `str` pieces and ends with an `Answer`."""
    find_passages = itemgetter("query") | retriever | RunnableLambda(to_passages)
    return (
        RunnablePassthrough.assign(query=RunnableLambda(retrieval_query))
        | RunnablePassthrough.assign(passages=find_passages)
        | AnswerStep(answerer)
    )
