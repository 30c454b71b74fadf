"""The retrieval chain, in LCEL: question (+ history) -> query -> passages -> answer.

Every answerer plugs into the same chain: it phrases the retrieval query (a follow-up
needs the conversation to be understood), then receives the numbered passages and
streams text pieces followed by the finished `Answer`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda, RunnablePassthrough

from assistant.answer import Answer
from assistant.answering import Answerer
from assistant.retrieval import to_passages


class AnswerStep(Runnable[dict, Answer]):
    """The chain's last step: streams an answerer's pieces; `invoke` returns the `Answer`."""

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer

    def invoke(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        *_, answer = self.stream(input, config)
        return answer

    def stream(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[str | Answer]:
        for item in self.answerer.stream(input["question"], input["passages"], input["history"], input["query"]):
            yield item.model_copy(update={"query": input["query"]}) if isinstance(item, Answer) else item


def build_chain(retriever: BaseRetriever, answerer: Answerer) -> Runnable:
    """`{"question", "history"}` in, and optionally `"documents"` (doc ids to search; None or
    absent: every document); streams `str` pieces and ends with an `Answer`."""
    phrase_query = RunnableLambda(lambda inputs: answerer.query(inputs["question"], inputs["history"]))
    find_passages = RunnableLambda(
        lambda inputs: to_passages(retriever.invoke(inputs["query"], documents=inputs.get("documents")))
    )
    return (
        RunnablePassthrough.assign(query=phrase_query)
        | RunnablePassthrough.assign(passages=find_passages)
        | AnswerStep(answerer)
    )
