"""Earlier turns of a conversation, as clients send them, made into what the chain reads."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.errors import QuestionError

History = Sequence[dict | tuple[str, str]]
_TERMINAL_CODES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # colours pasted from a terminal: "\x1b[31m"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def turns(history: History | None) -> list[tuple[str, str]]:
    """Earlier turns as `(role, text)`, from message dicts or `(user, assistant)` pairs.

    Anything else raises `QuestionError` naming the bad item, so a client that sends a
    malformed history (the web API takes any JSON) gets a message, not a traceback.
    """
    if history is None:
        return []
    if isinstance(history, (str, bytes, dict)) or not isinstance(history, Sequence):
        raise QuestionError(_HISTORY_HELP.format(f"is a {type(history).__name__}"))
    found: list[tuple[str, str]] = []
    for number, item in enumerate(history, 1):
        if isinstance(item, dict) and item.get("role", "user") in _ROLES and _is_content(item.get("content")):
            found.append((item.get("role", "user"), plain(_content_text(item.get("content")))))
        elif isinstance(item, (list, tuple)) and len(item) == 2 and all(_is_text(part) for part in item):
            found += [("user", plain(item[0] or "")), ("assistant", plain(item[1] or ""))]
        else:
            raise QuestionError(_HISTORY_HELP.format(f"item {number} is {_shown(item)}"))
    return found


_ROLES = ("user", "assistant", "system")
_HISTORY_HELP = (
    'The history {}: give a list of {{"role": "user" or "assistant", "content": text}} messages, '
    "or of [question, answer] pairs."
)


def _is_text(value) -> bool:
    return value is None or isinstance(value, str)


def _is_content(value) -> bool:
    return _is_text(value) or (isinstance(value, list) and all(isinstance(p, (str, dict)) for p in value))


def _shown(item) -> str:
    text = repr(item)
    return text if len(text) <= 60 else text[:57] + "..."


def plain(text: str) -> str:
    """Text the tokenizer takes: terminal colour codes dropped, control characters as spaces,
    lone surrogates (from undecodable bytes or JSON escapes) as `?`."""
    text = _CONTROL.sub(" ", _TERMINAL_CODES.sub("", text))
    return text.encode("utf-8", "replace").decode("utf-8")


def _content_text(content) -> str:
    """Message content as text (Gradio may send a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return "" if content is None else str(content)
