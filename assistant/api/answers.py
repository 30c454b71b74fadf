"""The project's own answer API beside the OpenAI-compatible one: the whole `Answer` as JSON
(sentences, citations with pages, what was set aside, the scope), which `assistant ask` reads
from a running `assistant serve` instead of loading the models itself.

`GET /v1/index` says which index the server answers from; `POST /v1/answer` takes the
question and `Assistant.ask`'s options and returns the `Answer`, or with `"stream": true`
one JSON object a line: `{"text": piece}` as the answer is written, then `{"answer": {...}}`
(or `{"error": message}`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import iterate_in_threadpool

from assistant.answer import Response
from assistant.api.chat_request import invalid
from assistant.core import Assistant
from assistant.remote import index_location
from ingest.errors import AssistantError


class AnswerRequest(BaseModel):
    """What `POST /v1/answer` takes: a question and `Assistant.ask`'s options."""

    model_config = ConfigDict(extra="forbid")

    question: str
    history: list = Field(default_factory=list)
    documents: list[str] | None = None
    answerer: str | None = None
    k: int | None = None
    expectations: bool | None = None
    min_support: float | None = None
    stream: bool = False


def add_answer_routes(app: FastAPI, assistant: Assistant, limit: anyio.Semaphore, failure, parse_body, **guarded) -> None:
    """Register `/v1/index` and `/v1/answer` on the API app, behind its guard, sharing its
    concurrency `limit`, its error replies (`failure`) and its body reader (`parse_body`)."""

    def index() -> dict:
        return index_location(assistant.settings)

    async def answer(request: Request):
        try:
            asked = AnswerRequest.model_validate(await parse_body(request))
        except ValidationError as error:
            problem = error.errors()[0]
            raise invalid(f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}") from None
        options = asked.model_dump(exclude={"question", "history", "stream"})
        try:
            response = await anyio.to_thread.run_sync(lambda: assistant.stream(asked.question, asked.history, **options))
            if asked.stream:
                return StreamingResponse(_lines(response, limit), media_type="application/x-ndjson")
            async with limit:
                finished = await anyio.to_thread.run_sync(response.answer)
        except AssistantError as error:
            raise failure(error) from None
        return finished.model_dump(mode="json")

    app.add_api_route("/v1/index", index, methods=["GET"], **guarded)
    app.add_api_route("/v1/answer", answer, methods=["POST"], **guarded)


async def _lines(response: Response, limit: anyio.Semaphore) -> AsyncIterator[str]:
    try:
        async with limit:
            async for piece in iterate_in_threadpool(iter(response)):
                yield _line({"text": piece})
            finished = await anyio.to_thread.run_sync(response.answer)
    except AssistantError as error:
        yield _line({"error": str(error)})
        return
    finally:  # a client gone mid-answer: stop the answer now
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(response.close)
    yield _line({"answer": finished.model_dump(mode="json")})


def _line(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False) + "\n"
