"""The web chat: a Gradio app over `Assistant.stream`. A client of `Assistant` only."""

from __future__ import annotations

import os
from collections.abc import Iterator

from assistant.answer import Answer
from assistant.core import Assistant
from ingest.errors import AssistantError


def build_app(assistant: Assistant):
    """The Gradio chat app (not yet launched)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    def respond(message: str, history: list) -> Iterator[str]:
        text = ""
        try:
            for piece in assistant.stream(message, history):
                if isinstance(piece, Answer):
                    yield render(piece)
                else:
                    text += piece
                    yield text
        except AssistantError as error:
            raise gr.Error(str(error)) from None

    return gr.ChatInterface(respond, title="Source Assistant", autofocus=True)


def render(answer: Answer) -> str:
    """An answer as Markdown: the text, then the numbered sources with their quotes."""
    lines = [answer.text]
    if answer.citations:
        lines.append("\n**Sources**")
    for citation in answer.citations:
        lines.append(f"\n[{citation.number}] *{citation.title}* — `{citation.source}` (characters {citation.start}–{citation.end})")
        lines.append(f"> {citation.quote}")
    return "\n".join(lines)


def serve(assistant: Assistant) -> None:
    """Start the chat on the configured host and port; blocks until stopped."""
    web = assistant.settings.web
    auth = tuple(web.auth.split(":", 1)) if web.auth else None
    build_app(assistant).queue().launch(server_name=web.host, server_port=web.port, auth=auth, share=False)
