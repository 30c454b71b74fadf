"""The web chat: a Gradio Blocks app over `Assistant`. A client of the `Assistant` API only.

The page keeps two views of one conversation: the `Chatbot` shows rendered HTML, and a
`gr.State` keeps the plain turns (`{"role", "content"}`) that `Assistant.stream` reads as
history. Rendering lives in `render.py`, uploads in `uploads.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from assistant import Assistant, AssistantError
from assistant.web import render
from assistant.web.logins import LoginGuard, configured_account, is_loopback
from assistant.web.uploads import add_documents

log = logging.getLogger("assistant.web")

CONCURRENCY = 4  # answers computed at once; the rest wait in Gradio's queue
EXAMPLES = 4  # example questions offered in an empty chat
CSS = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")


def build_app(assistant: Assistant):
    """The Gradio app (not yet launched). Public API: `/ask` (question, history) -> Answer JSON."""
    chat = ChatHandlers(assistant)
    with gr.Blocks(title="Source Assistant", fill_width=True) as app:
        ui = _layout(assistant)
        _wire(app, ui, chat)
        gr.api(chat.ask, api_name="ask", concurrency_limit=CONCURRENCY, concurrency_id="answer")
    return app


def serve(assistant: Assistant) -> None:
    """Start the chat, and the OpenAI-compatible API under `/v1`, on the configured host and
    port (never a public share link). With a login, failed attempts are slowed per client
    (`logins.py`); without one, binding an address other machines can reach is warned about."""
    from assistant.web import server

    web = assistant.settings.web
    account = configured_account(web)
    if account is None and not is_loopback(web.host):
        log.warning(
            "The web chat on %s has no login: anyone who can reach this machine can read your documents "
            "through it. Set one with --auth-file PATH or ASSISTANT_WEB__AUTH=user:password.",
            web.host,
        )
    assistant.describe()  # open the index and load the model now, not on the first visit
    app = build_app(assistant).queue(default_concurrency_limit=CONCURRENCY)
    server.run(app, assistant, auth=LoginGuard(*account).checker() if account else None, css=CSS)


def example_questions(documents, limit: int = EXAMPLES) -> list[str]:
    """Questions drawn from the corpus: one per document, from its title."""
    questions = []
    for document in documents[:limit]:
        title = " ".join((document.title or Path(document.source).stem).split())
        if len(title) > 70:
            title = title[:70].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        questions.append(f"What is “{title}” about?")
    return questions


class ChatHandlers:
    """The functions behind the page's events; each talks to the `Assistant` only."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def respond(self, question: str, messages: list, turns: list) -> Iterator[tuple]:
        """Stream an answer: yields (textbox, chatbot, turns, sources) updates.

        An error shows in the chat with the question back in the box; the conversation stays.
        """
        messages = [*messages, {"role": "user", "content": render.question_html(question)}]
        try:
            response = self.assistant.stream(question, turns)
            for _ in response:
                yield "", [*messages, _said(render.streaming_html(response.streamed))], turns, gr.skip()
            answer = response.answer()
        except AssistantError as error:
            yield question, [*messages, _said(render.message_html(str(error), "error"))], turns, gr.skip()
            return
        turns = [*turns, {"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
        sources = render.sources_html(answer, self.cited_pages(answer))
        yield "", [*messages, _said(render.answer_html(answer))], turns, sources

    def cited_pages(self, answer) -> dict:
        """The whole text of each page the answer quotes, by `(doc_id, page)`, for the sources panel."""
        pages = {}
        for citation in answer.citations:
            key = (citation.doc_id, citation.page)
            if citation.page is not None and key not in pages:
                try:
                    page = self.assistant.page(*key)
                except AssistantError:  # the page view is an extra: the answer stands without it
                    continue
                if page is not None:
                    pages[key] = page
        return pages

    def validate(self, question: str, messages: list, turns: list) -> list:
        """Refuse a question that can't be asked, next to the box, leaving the chat as it is."""
        try:
            self.assistant.check_question(question)
            if self.assistant.describe().passages == 0:
                return [gr.validate(False, "Nothing is indexed yet: add documents first."), *_VALID]
        except AssistantError as error:
            return [gr.validate(False, str(error)), *_VALID]
        return [gr.validate(True, ""), *_VALID]

    def ask(self, question: str, history: list[dict] | None = None) -> dict:
        """Answer `question` given the earlier turns; returns the `Answer` as JSON."""
        try:
            return self.assistant.ask(question, history or []).model_dump(mode="json")
        except AssistantError as error:
            raise gr.Error(str(error), print_exception=False) from None  # a message for the client, not a bug

    def new_chat(self) -> tuple:
        """An empty conversation: (textbox, chatbot, turns, sources)."""
        return "", [], [], render.sources_html(None)

    def refresh(self) -> tuple:
        """The index panel and the example questions, as the index now stands."""
        documents = self.assistant.documents()
        panel = render.index_html(self.assistant.describe(), documents, self.assistant.answerer_name)
        examples = [{"text": question} for question in example_questions(documents)]
        return panel, gr.Chatbot(examples=examples or None)

    def upload(self, files: list[str] | None, progress=None) -> tuple:
        """Store and ingest uploaded files: (status, index panel, chatbot examples, file input)."""
        if not files:
            return render.message_html("Choose one or more files to add."), gr.skip(), gr.skip(), None
        if progress is not None:
            progress(0, desc=f"Adding {len(files)} file{'s' if len(files) > 1 else ''}")
        try:
            summary = add_documents(self.assistant, [(path, Path(path).name) for path in files])
        except AssistantError as error:
            return render.message_html(str(error), "error"), gr.skip(), gr.skip(), None
        return render.upload_html(summary), *self.refresh(), None


def _layout(assistant: Assistant) -> SimpleNamespace:
    """The page: chat on the left; sources, uploads and the index on the right."""
    ui = SimpleNamespace()
    gr.HTML(
        '<header class="app-header"><h1>Source Assistant</h1>'
        "<p>Answers from your documents. Hover or click a <span class=\"cite-sample\">[1]</span> "
        "to see the passage it quotes.</p></header>"
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            ui.chatbot = gr.Chatbot(
                label="Conversation", elem_id="chat", height=560, render_markdown=False,
                sanitize_html=True, feedback_options=None, buttons=[],  # Gradio would copy the HTML
                placeholder="Ask a question about your documents, or pick an example.",
            )
            with gr.Row():
                ui.question = gr.Textbox(
                    label="Question", show_label=False, placeholder="Ask a question…", elem_id="question",
                    scale=5, lines=1, max_lines=6, autofocus=True, submit_btn="Ask",
                )
            ui.new_chat = gr.Button("New chat", elem_id="new-chat", size="sm", variant="secondary")
            ui.turns = gr.State([])
        with gr.Column(scale=2, min_width=320):
            _side_panels(ui, assistant)
    return ui


def _side_panels(ui: SimpleNamespace, assistant: Assistant) -> None:
    with gr.Tab("Sources", elem_id="sources-tab"):
        ui.sources = gr.HTML(render.sources_html(None), elem_id="sources")
    with gr.Tab("Add documents", elem_id="upload-tab"):
        ui.files = gr.File(
            label=f"Documents ({' '.join(assistant.formats)})", file_count="multiple", elem_id="upload"
        )
        ui.upload_status = gr.HTML(elem_id="upload-status")
    with gr.Tab("Index", elem_id="index-tab"):
        ui.index = gr.HTML(elem_id="index")


def _wire(app: gr.Blocks, ui: SimpleNamespace, chat: ChatHandlers) -> None:
    """Connect the page's events to the handlers; only `/ask` is public API."""
    answer_io = {
        "inputs": [ui.question, ui.chatbot, ui.turns],
        "outputs": [ui.question, ui.chatbot, ui.turns, ui.sources],
        "concurrency_limit": CONCURRENCY,
        "concurrency_id": "answer",
        "api_visibility": "private",
        "validator": chat.validate,
    }
    ui.question.submit(chat.respond, **answer_io)
    ui.chatbot.example_select(_example_text, None, ui.question, api_visibility="private").then(
        chat.respond, **answer_io
    )
    reset = {"outputs": [ui.question, ui.chatbot, ui.turns, ui.sources], "api_visibility": "private"}
    ui.new_chat.click(chat.new_chat, None, **reset)
    ui.chatbot.clear(chat.new_chat, None, **reset)

    def upload(files, progress=gr.Progress(track_tqdm=True)):  # noqa: B008 (Gradio injects it)
        return chat.upload(files, progress)

    ui.files.upload(
        upload, ui.files, [ui.upload_status, ui.index, ui.chatbot, ui.files],
        api_visibility="private", concurrency_limit=1, concurrency_id="ingest",
    )
    app.load(chat.refresh, None, [ui.index, ui.chatbot], api_visibility="private", show_progress="hidden")


_VALID = (gr.validate(True, ""), gr.validate(True, ""))


def _example_text(event: gr.SelectData) -> str:
    return (event.value or {}).get("text", "")


def _said(html: str) -> dict:
    return {"role": "assistant", "content": html}

