"""The OpenAI-compatible chat API: `GET /v1/models`, `POST /v1/chat/completions`.

A reply's `message.content` is the answer with its `[n]` markers (and a "Sources:" list when
asked); `message.citations` holds each citation (number, doc_id, title, source, page,
page_end, quote, start, end, supported) and `message.abstained` says the sources don't hold
the answer. Streamed, the pieces come as they are written, then a chunk whose delta carries
the citations, then `data: [DONE]`. `usage` counts the tokens the language model read and
wrote for the answer (`Response.usage`): zero for the extractive answerer, which runs none.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator

import anyio
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import iterate_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.answer import Answer, Response
from assistant.api.answers import add_answer_routes
from assistant.api.auth import WRONG_KEY, key_matches
from assistant.api.chat_request import ChatRequest, invalid, models, parse_chat
from assistant.api.render import sources_list
from assistant.core import Assistant
from assistant.usage import TokenUsage
from ingest.errors import AssistantError, EmbeddingServerError, EmptyIndexError, QuestionError, StoreUnavailableError

MAX_BODY_BYTES = 1 << 20  # a long conversation fits; a question is at most a few thousand characters
CONCURRENCY = 4  # answers computed at once through this API; the rest wait their turn
LOGIN_ONLY = (
    "This server asks for a login on its web page, and the API has no key: start it with "
    "--api-key KEY (or ASSISTANT_WEB__API_KEY) and send `Authorization: Bearer KEY`."
)
_ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def api_app(assistant: Assistant, *, api_key: str | None, locked: bool) -> FastAPI:
    """A FastAPI app serving `/v1`. With `api_key`, every route asks for it; without one, a
    `locked` server (its page asks for a login) refuses the API rather than open it to all."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    routes = ChatRoutes(assistant)
    guarded = {"dependencies": [Depends(_guard(api_key, locked))]}
    app.add_api_route("/v1/models", routes.list_models, methods=["GET"], **guarded)
    app.add_api_route("/v1/models/{model:path}", routes.model, methods=["GET"], **guarded)
    app.add_api_route("/v1/chat/completions", routes.complete, methods=["POST"], **guarded)
    add_answer_routes(app, assistant, routes.limit, failure, _json_body, **guarded)
    app.add_api_route("/v1/{path:path}", _unknown_route, methods=_ROUTE_METHODS, **guarded)
    app.add_exception_handler(StarletteHTTPException, error_response)
    return app


class ChatRoutes:
    """The `/v1` endpoints; each talks to the `Assistant` only."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.started = int(time.time())
        self.limit = anyio.Semaphore(CONCURRENCY)

    def list_models(self) -> dict:
        return {"object": "list", "data": [self._card(model) for model in models(self.assistant.answerers)]}

    def model(self, model: str) -> dict:
        if model not in models(self.assistant.answerers):
            raise invalid(f"The model {model!r} does not exist here.", "model", "model_not_found", status=404)
        return self._card(model)

    async def complete(self, request: Request):
        chat = parse_chat(await _json_body(request), models(self.assistant.answerers))
        try:
            response = await anyio.to_thread.run_sync(self._start, chat)
            if chat.stream:
                return StreamingResponse(self._events(chat, response), media_type="text/event-stream")
            async with self.limit:
                answer = await anyio.to_thread.run_sync(response.answer)
        except AssistantError as error:
            raise failure(error) from None
        return completion(chat, answer, response.usage)

    def _start(self, chat: ChatRequest) -> Response:
        return self.assistant.stream(chat.question, chat.history, answerer=chat.answerer)

    async def _events(self, chat: ChatRequest, response: Response) -> AsyncIterator[str]:
        """The answer as server-sent chunks; an error after the first one comes as an error event."""
        reply = Reply(chat.model)
        yield reply.event({"role": "assistant", "content": ""})
        try:
            async with self.limit:
                async for piece in iterate_in_threadpool(iter(response)):
                    yield reply.event({"content": piece})
                answer = await anyio.to_thread.run_sync(response.answer)
        except AssistantError as error:
            yield _sse({"error": failure(error).detail})
            yield "data: [DONE]\n\n"
            return
        finally:  # a client gone mid-answer: stop the answer now, freeing the model for the next
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(response.close)
        tail = _checked(response, answer) + (f"\n\n{sources_list(answer)}" if chat.sources and answer.citations else "")
        if tail:
            yield reply.event({"content": tail})
        yield reply.event(_extras(answer), finish="stop")
        if chat.include_usage:
            yield _sse({**reply.head("chat.completion.chunk"), "choices": [], "usage": usage(response.usage)})
        yield "data: [DONE]\n\n"

    def _card(self, model: str) -> dict:
        return {"id": model, "object": "model", "created": self.started, "owned_by": "source-assistant"}


class Reply:
    """The id, time and model every chunk of one reply repeats."""

    def __init__(self, model: str) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model

    def head(self, kind: str) -> dict:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model, "system_fingerprint": None}

    def event(self, delta: dict, finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return _sse({**self.head("chat.completion.chunk"), "choices": [choice]})


def completion(chat: ChatRequest, answer: Answer, used: TokenUsage) -> dict:
    """The non-streamed reply."""
    content = answer.text + (f"\n\n{sources_list(answer)}" if chat.sources and answer.citations else "")
    message = {"role": "assistant", "content": content, "refusal": None, **_extras(answer)}
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}
    return {**Reply(chat.model).head("chat.completion"), "choices": [choice], "usage": usage(used)}


def usage(used: TokenUsage) -> dict:
    return {"prompt_tokens": used.prompt_tokens, "completion_tokens": used.completion_tokens, "total_tokens": used.total_tokens}


def failure(error: AssistantError) -> HTTPException:
    """An assistant's refusal as an OpenAI-style error: the question's fault is a 400, a store
    or embeddings server that can't be reached a 503 (clients retry it), anything else a 500
    with its message."""
    if isinstance(error, QuestionError | EmptyIndexError):
        return invalid(str(error), "messages", "empty_index" if isinstance(error, EmptyIndexError) else None)
    status = 503 if isinstance(error, StoreUnavailableError | EmbeddingServerError) else 500
    return HTTPException(status, detail={"message": str(error), "type": "server_error", "param": None, "code": None})


async def error_response(request: Request, error: StarletteHTTPException) -> JSONResponse:
    """Every error as OpenAI's `{"error": {message, type, param, code}}`."""
    detail = error.detail
    if not isinstance(detail, dict):
        detail = {"message": str(detail), "type": "invalid_request_error", "param": None, "code": None}
    headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
    return JSONResponse({"error": detail}, status_code=error.status_code, headers=headers)


def _guard(api_key: str | None, locked: bool):
    def check(request: Request) -> None:
        if api_key is None and locked:
            raise invalid(LOGIN_ONLY, code="invalid_api_key", status=401)
        if api_key is not None and not key_matches(request.headers.get("authorization"), api_key):
            raise invalid(WRONG_KEY, code="invalid_api_key", status=401)

    return check


async def _unknown_route(request: Request) -> None:
    raise invalid(f"Invalid URL ({request.method} {request.url.path}): this server has /v1/models, "
                  "/v1/chat/completions, /v1/answer and /v1/index.", status=404)


async def _json_body(request: Request) -> object:
    """The body as JSON, refused when larger than `MAX_BODY_BYTES` (before reading it all)."""
    declared = request.headers.get("content-length", "")
    too_large = invalid(f"The request body is larger than {MAX_BODY_BYTES:,} bytes.", code="request_too_large")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    try:
        return json.loads(body)
    except ValueError:
        raise invalid("The request body is not valid JSON.") from None


def _extras(answer: Answer) -> dict:
    """What the reply carries besides the text: the citations as data, and the abstention."""
    return {"citations": [c.model_dump(mode="json") for c in answer.citations], "abstained": answer.abstained}


def _checked(response: Response, answer: Answer) -> str:
    """When the citation check changed what was streamed, the checked answer after it (the
    chunks already sent can't be taken back); as `assistant ask` prints it."""
    return f"\n\nChecked answer: {answer.text}" if response.revised else ""


def _sse(data: dict) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"
