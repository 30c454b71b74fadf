"""An OpenAI chat-completions request read into what `Assistant.stream` takes.

The last user message is the question; the user and assistant messages before it are the
history; system and developer messages are ignored (the documents are the only authority).
Everything this API cannot honour is refused with an OpenAI-style 400 that says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException

MODEL = "assistant"  # the configured answerer; `assistant-<answerer>` picks one
SOURCES = "-sources"  # model suffix: append a "Sources:" list to the content
ROLES = {"system", "developer", "user", "assistant"}
_IGNORED_ROLES = {"system", "developer"}


@dataclass(frozen=True)
class ChatRequest:
    model: str
    answerer: str
    question: str
    history: list[dict]
    stream: bool
    sources: bool
    include_usage: bool


def invalid(message: str, param: str | None = None, code: str | None = None, status: int = 400) -> HTTPException:
    """An OpenAI-style error, raised as an HTTP exception (`error_response` renders it)."""
    return HTTPException(status, detail={"message": message, "type": "invalid_request_error", "param": param, "code": code})


def models(answerers: list[str]) -> dict[str, str]:
    """Model id -> answerer: `assistant` (the configured one), `assistant-<name>` for each
    answerer available here, and each of them again with the `-sources` suffix."""
    ids = {MODEL: answerers[0], **{f"{MODEL}-{name}": name for name in answerers}}
    return {**ids, **{f"{model}{SOURCES}": name for model, name in ids.items()}}


def parse_chat(body: object, answerers: dict[str, str]) -> ChatRequest:
    """The request as the assistant will answer it; raises `invalid(...)` for what it can't."""
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    _refuse_unsupported(body)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise invalid("`model` is required: one of " + ", ".join(answerers) + ".", "model")
    if model not in answerers:
        raise invalid(
            f"The model {model!r} does not exist here: use one of {', '.join(answerers)}.", "model", "model_not_found"
        )
    question, history = _conversation(body.get("messages"))
    stream = _flag(body, "stream")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise invalid("`stream_options` must be an object.", "stream_options")
    return ChatRequest(
        model=model,
        answerer=answerers[model],
        question=question,
        history=history,
        stream=stream,
        sources=model.endswith(SOURCES) or _flag(body, "sources"),
        include_usage=stream and bool(options.get("include_usage")),
    )


def _refuse_unsupported(body: dict) -> None:
    """Requests this API would otherwise answer wrongly: several choices, tools, JSON output."""
    n = body.get("n")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n != 1):
        raise invalid(f"n={n!r}: the assistant writes one answer per request; leave `n` out or set it to 1.", "n")
    for field in ("tools", "functions"):
        if body.get(field):
            raise invalid(_NO_TOOLS.format(field=field), field, "tools_not_supported")
    for field in ("tool_choice", "function_call"):
        if body.get(field) not in (None, "none"):
            raise invalid(_NO_TOOLS.format(field=field), field, "tools_not_supported")
    response_format = body.get("response_format")
    if response_format is not None and (not isinstance(response_format, dict) or response_format.get("type") != "text"):
        raise invalid(
            "Only text answers are written (with [n] citations): leave `response_format` out.", "response_format"
        )


_NO_TOOLS = (
    "Tools and function calling are not supported: the assistant answers from your documents only. "
    "Send the request without `{field}`."
)


def _conversation(messages: object) -> tuple[str, list[dict]]:
    """(question, history) from the messages."""
    if not isinstance(messages, list) or not messages:
        raise invalid("`messages` must be a non-empty list of {role, content} messages.", "messages")
    turns = [_message(message, number) for number, message in enumerate(messages)]
    asked = [number for number, (role, _) in enumerate(turns) if role == "user"]
    if not asked:
        raise invalid("No user message: the last user message is the question.", "messages")
    history = [{"role": role, "content": text} for role, text in turns[: asked[-1]] if role not in _IGNORED_ROLES]
    return turns[asked[-1]][1], history


def _message(message: object, number: int) -> tuple[str, str]:
    """(role, text) of one message; a list of content parts is read as its text parts."""
    where = f"messages[{number}]"
    if not isinstance(message, dict):
        raise invalid(f"{where} must be an object with `role` and `content`.", where)
    role = message.get("role")
    if role in ("tool", "function"):
        raise invalid(_NO_TOOLS.format(field=f"{role} messages"), f"{where}.role", "tools_not_supported")
    if role not in ROLES:
        raise invalid(f"{where}.role is {role!r}: use one of {', '.join(sorted(ROLES))}.", f"{where}.role")
    content = message.get("content")
    if content is None and role == "assistant":
        return role, ""
    if isinstance(content, str):
        return role, content
    if isinstance(content, list):
        return role, " ".join(_part(part, f"{where}.content[{index}]") for index, part in enumerate(content))
    raise invalid(f"{where}.content must be a string or a list of text parts.", f"{where}.content")


def _part(part: object, where: str) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
        return part["text"]
    kind = part.get("type") if isinstance(part, dict) else type(part).__name__
    raise invalid(f"{where} is a {kind!r} part: only text is read.", where)


def _flag(body: dict, field: str) -> bool:
    value = body.get(field)
    if value is not None and not isinstance(value, bool):
        raise invalid(f"`{field}` must be true or false.", field)
    return bool(value)
