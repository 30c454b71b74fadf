"""The web chat: a Gradio Blocks app over `Assistant`. A client of the `Assistant` API only.

The page: saved chats in a sidebar (`chats.py`), the chat with its options (`options.py`), and
tabs for the sources, the documents (`documents.py`) and uploads (`uploads.py`). It keeps two
views of the open conversation: the `Chatbot` shows rendered HTML, and a `gr.State` keeps the
plain turns that `Assistant.stream` reads as history; the saved conversation is the record,
and the browser remembers which one was open (`gr.BrowserState`) to reopen it after a reload.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from assistant import Assistant
from assistant.web import options, render
from assistant.web.chats import ChatHandlers, example_questions
from assistant.web.documents import DocumentHandlers
from assistant.web.logins import LoginGuard, configured_account, is_loopback

log = logging.getLogger("assistant.web")

CONCURRENCY = 4  # answers computed at once; the rest wait in Gradio's queue
CSS = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")
HEAD = f"<script>{(Path(__file__).parent / 'cards.js').read_text(encoding='utf-8')}</script>"
__all__ = ["CSS", "HEAD", "ChatHandlers", "build_app", "example_questions", "page_css", "serve"]


def build_app(assistant: Assistant):
    """The Gradio app (not yet launched). Public API: `/ask` (question, history) -> Answer JSON."""
    chat, documents = ChatHandlers(assistant), DocumentHandlers(assistant)
    with gr.Blocks(title="Source Assistant", fill_width=True) as app:
        ui = _layout(assistant)
        _wire(app, ui, chat)
        _wire_documents(ui, chat, documents)
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
    auth = LoginGuard(*account).checker() if account else None
    server.run(app, assistant, auth=auth, css=page_css(assistant), head=HEAD)


def page_css(assistant: Assistant) -> str:
    """The page's CSS: the style sheet, and the answerers this machine cannot run greyed out."""
    greyed = "".join(
        f'#answerer label:has(input[value="{name}"]) {{ opacity: .55; cursor: not-allowed; }}'
        for name in options.unavailable(assistant)
    )
    return CSS + greyed


def _layout(assistant: Assistant) -> SimpleNamespace:
    """The page: saved chats on the left, the chat in the middle; sources, documents and
    uploads on the right."""
    ui = SimpleNamespace(turns=gr.State([]), chat_id=gr.State(None))
    ui.remembered = gr.BrowserState(None, storage_key="source-assistant-chat")
    gr.HTML(
        '<header class="app-header"><h1>Source Assistant</h1>'
        "<p>Answers from your documents. Hover or click a <span class=\"cite-sample\">[1]</span> "
        "to see the passage it quotes; Escape closes it.</p></header>"
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=220, elem_id="sidebar"):
            _sidebar(ui)
        with gr.Column(scale=3, min_width=420):
            ui.chatbot = gr.Chatbot(
                label="Conversation", elem_id="chat", height=560, render_markdown=False,
                sanitize_html=True, feedback_options=None, buttons=[],  # Gradio would copy the HTML
                placeholder="Ask a question about your documents, or pick an example.",
            )
            ui.question = gr.Textbox(
                label="Question", show_label=False, placeholder="Ask a question…", elem_id="question",
                lines=1, max_lines=6, autofocus=True, submit_btn="Ask",
            )
            _chat_options(ui, assistant)
        with gr.Column(scale=2, min_width=320):
            _side_panels(ui, assistant)
    return ui


def _sidebar(ui: SimpleNamespace) -> None:
    ui.new_chat = gr.Button("New chat", elem_id="new-chat", size="sm", variant="primary")
    ui.chats = gr.Radio(choices=[], label="Chats", elem_id="chats", info="Your saved chats, newest first.")
    ui.title = gr.Textbox(label="Title of this chat", elem_id="chat-title", max_lines=1)
    with gr.Row():
        ui.rename = gr.Button("Rename", elem_id="rename-chat", size="sm")
        ui.delete_chat = gr.Button("Delete chat", elem_id="delete-chat", size="sm", variant="stop")
    ui.export = gr.DownloadButton("Export Markdown", elem_id="export-chat", size="sm", interactive=False)
    ui.chat_status = gr.HTML(elem_id="chat-status")


def _chat_options(ui: SimpleNamespace, assistant: Assistant) -> None:
    start = options.defaults(assistant)
    with gr.Accordion("Options: scope, answerer, passages, strictness", open=False, elem_id="chat-options"):
        ui.scope = gr.Dropdown(
            choices=[], value=[], multiselect=True, label="Ask within", allow_custom_value=True,
            info="Documents, folders or fields to search; empty: every document.", elem_id="scope",
        )
        with gr.Row():
            ui.answerer = gr.Radio(
                choices=options.answerer_choices(assistant), value=start["answerer"], label="Answerer",
                info=options.answerer_info(assistant), elem_id="answerer",
            )
            ui.strictness = gr.Radio(
                choices=list(options.STRICTNESS), value=start["strictness"], label="Citation strictness",
                info="Strict quotes only sentences that hold what is asked, with more support.", elem_id="strictness",
            )
        ui.k = gr.Slider(1, 20, value=start["k"], step=1, label="Passages read (k)", elem_id="k")


def _side_panels(ui: SimpleNamespace, assistant: Assistant) -> None:
    with gr.Tab("Sources", elem_id="sources-tab"):
        ui.sources = gr.HTML(render.sources_html(None), elem_id="sources")
    with gr.Tab("Documents index", elem_id="index-tab"):
        ui.search = gr.Textbox(label="Search documents", placeholder="Title, file or field…", elem_id="doc-search", max_lines=1)
        ui.index = gr.HTML(elem_id="index")
        ui.document = gr.Dropdown(choices=[], label="Document", elem_id="document", value=None, allow_custom_value=True)
        with gr.Row():
            ui.open_doc = gr.Button("Open", elem_id="open-document", size="sm")
            ui.reingest = gr.Button("Re-ingest", elem_id="reingest-document", size="sm")
            ui.delete_doc = gr.Button("Delete from index", elem_id="delete-document", size="sm", variant="stop")
        ui.doc_status = gr.HTML(elem_id="document-status")
        ui.opened = gr.HTML(elem_id="opened-document")
    with gr.Tab("Add documents", elem_id="upload-tab"):
        ui.files = gr.File(
            label=f"Documents ({' '.join(assistant.formats)})", file_count="multiple", elem_id="upload"
        )
        ui.upload_status = gr.HTML(elem_id="upload-status")


def _wire(app: gr.Blocks, ui: SimpleNamespace, chat: ChatHandlers) -> None:
    """Connect the chat's and the sidebar's events to the handlers; only `/ask` is public API."""
    private = {"api_visibility": "private"}
    settings = [ui.answerer, ui.k, ui.strictness, ui.scope]
    answer_io = {
        "inputs": [ui.question, ui.chatbot, ui.turns, ui.chat_id, *settings],
        "outputs": [ui.question, ui.chatbot, ui.turns, ui.sources, ui.chat_id, ui.remembered, ui.chats, ui.export,
                    ui.title],
        "concurrency_limit": CONCURRENCY, "concurrency_id": "answer", "validator": chat.validate, **private,
    }
    ui.question.submit(chat.respond, **answer_io)
    ui.chatbot.example_select(_example_text, None, ui.question, **private).then(chat.respond, **answer_io)
    opened = [ui.question, ui.chatbot, ui.turns, ui.sources, ui.chat_id, ui.remembered, ui.chats, ui.export,
              ui.title, *settings]
    ui.new_chat.click(chat.new_chat, None, opened, **private)
    ui.chatbot.clear(chat.new_chat, None, opened, **private)
    ui.chats.input(chat.open, ui.chats, opened, **private)
    ui.delete_chat.click(chat.delete, ui.chat_id, opened, **private)
    ui.rename.click(chat.rename, [ui.chat_id, ui.title], [ui.chats, ui.export, ui.chat_status], **private)
    ui.title.submit(chat.rename, [ui.chat_id, ui.title], [ui.chats, ui.export, ui.chat_status], **private)
    app.load(chat.load, ui.remembered, opened, show_progress="hidden", **private)
    app.load(chat.refresh, None, [ui.index, ui.chatbot, ui.scope, ui.document], show_progress="hidden", **private)


def _wire_documents(ui: SimpleNamespace, chat: ChatHandlers, documents: DocumentHandlers) -> None:
    """The Documents tab and uploads: every change refreshes the list, the scope's choices and
    the chat's examples."""
    private = {"api_visibility": "private"}
    refreshed = [ui.index, ui.chatbot, ui.scope, ui.document]
    ui.search.input(chat.refresh, ui.search, refreshed, show_progress="hidden", trigger_mode="always_last", **private)
    ui.search.submit(chat.refresh, ui.search, refreshed, show_progress="hidden", **private)
    ui.open_doc.click(documents.open, ui.document, ui.opened, **private)
    writes = {"concurrency_limit": 1, "concurrency_id": "ingest", **private}
    ui.delete_doc.click(documents.delete, ui.document, ui.doc_status, **writes).then(
        chat.refresh, ui.search, refreshed, **private
    ).then(lambda: ("", None), None, [ui.opened, ui.document], **private)
    ui.reingest.click(documents.reingest, ui.document, ui.doc_status, **writes).then(
        chat.refresh, ui.search, refreshed, **private
    )

    def upload(files, progress=gr.Progress(track_tqdm=True)):  # noqa: B008 (Gradio injects it)
        return documents.upload(files, progress)

    ui.files.upload(upload, ui.files, [ui.upload_status, ui.files], **writes).then(
        chat.refresh, ui.search, refreshed, **private
    )

def _example_text(event: gr.SelectData) -> str:
    return (event.value or {}).get("text", "")
