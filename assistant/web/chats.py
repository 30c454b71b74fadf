"""The chat's handlers: answering with the chat's options, and the saved conversations
(`Assistant.conversations`, one list per login) that the sidebar lists, opens, renames,
deletes and exports. A client of the `Assistant` API only.

Every handler that changes which chat is open returns the same `Opened` tuple, so the page's
wiring names one set of outputs (`OPENED` in app.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import gradio as gr

from assistant import Assistant, AssistantError
from assistant.conversations import title_of
from assistant.transcript import markdown
from assistant.web import options, render
from assistant.web.documents import document_label, documents_html, relative_sources
from assistant.web.uploads import safe_name


EXAMPLES = 4  # example questions offered in an empty chat


def example_questions(documents, limit: int = EXAMPLES) -> list[str]:
    """Questions drawn from the corpus: one per document, from its title."""
    questions = []
    for document in documents[:limit]:
        title = " ".join((document.title or Path(document.source).stem).split())
        if len(title) > 70:
            title = title[:70].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        questions.append(f"What is “{title}” about?")
    return questions


def owner_of(request: gr.Request | None) -> str:
    """Whose conversations these are: the login's user, "" without a login."""
    return (getattr(request, "username", None) or "") if request is not None else ""


class ChatHandlers:
    """The functions behind the chat and the sidebar; each talks to the `Assistant` only."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    # Answering -------------------------------------------------------------------------------

    def respond(
        self, question, messages, turns, chat_id=None, answerer=None, k=None, strictness=None, scope=None,
        request: gr.Request = None,
    ):
        """Stream an answer with the chat's options, then save the turn: yields (textbox,
        chatbot, turns, sources, chat id, remembered id, sidebar, export, title). An error shows in the
        chat with the question back in the box; the conversation stays."""
        chosen = options.from_inputs(answerer, k, strictness, scope)
        messages = [*messages, {"role": "user", "content": render.question_html(question)}]
        skip = (gr.skip(),) * 6
        try:
            response = self.assistant.stream(question, turns, **options.ask_arguments(chosen, self.assistant))
            for _ in response:
                yield "", [*messages, _said(render.streaming_html(response.streamed))], turns, *skip
            answer = response.answer()
        except AssistantError as error:
            yield question, [*messages, _said(render.message_html(str(error), "error"))], turns, *skip
            return
        owner = owner_of(request)
        title = gr.skip() if chat_id else title_of(question)
        chat_id = self._saved(chat_id, question, answer, chosen, owner)
        turns = [*turns, {"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
        answer = self.shown(answer)
        sources = render.sources_html(answer, self.cited_pages(answer))
        said = _said(render.answer_html(answer, self.names()))
        saved = (chat_id, chat_id, self.sidebar(owner, chat_id), self.export(chat_id, owner), title)
        yield "", [*messages, said], turns, sources, *saved

    def _saved(self, chat_id: str | None, question: str, answer, chosen: dict, owner: str) -> str:
        """Keep the turn in the open conversation, or in a new one titled by the question."""
        chats = self.assistant.conversations
        if not chat_id or not chats.add(chat_id, question, answer, owner):
            chat_id = chats.start(question, owner, chosen).id
            chats.add(chat_id, question, answer, owner)
        chats.set_options(chat_id, chosen, owner)
        return chat_id

    def validate(self, question, messages, turns, chat_id=None, answerer=None, k=None, strictness=None, scope=None) -> list:
        """Refuse a question that can't be asked, next to the box, leaving the chat as it is."""
        rest = [gr.validate(True, "")] * 7
        try:
            self.assistant.check_question(question)
            if self.assistant.describe().passages == 0:
                return [gr.validate(False, "Nothing is indexed yet: add documents first."), *rest]
            options.ask_arguments(options.from_inputs(answerer, k, strictness, scope), self.assistant)
            self.assistant.scope(scope or None)
        except AssistantError as error:
            return [gr.validate(False, str(error)), *rest]
        return [gr.validate(True, ""), *rest]

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

    def shown(self, answer):
        """The answer with its files relative to the data dir or working directory."""
        return relative_sources(answer, Path(self.assistant.settings.data_dir))

    def names(self) -> dict[str, str]:
        """Document ids to the names the page shows for them (scope lines)."""
        data_dir = Path(self.assistant.settings.data_dir)
        return {d.doc_id: document_label(d, data_dir) for d in self.assistant.documents()}

    def ask(self, question: str, history: list[dict] | None = None) -> dict:
        """Answer `question` given the earlier turns; returns the `Answer` as JSON."""
        try:
            return self.assistant.ask(question, history or []).model_dump(mode="json")
        except AssistantError as error:
            raise gr.Error(str(error), print_exception=False) from None  # a message for the client, not a bug

    def refresh(self, query: str = "") -> tuple:
        """What follows the index: the Index panel (facts, then the documents matching `query`),
        the example questions, the scope's choices and the Documents tab's selector."""
        info, documents = self.assistant.describe(), self.assistant.documents()
        panel = render.index_facts_html(info, self.assistant.answerer_name) + documents_html(self.assistant, query or "")
        examples = [{"text": question} for question in example_questions(documents)]
        data_dir = Path(self.assistant.settings.data_dir)
        return (
            panel, gr.Chatbot(examples=examples or None), gr.Dropdown(choices=options.scope_choices(self.assistant)),
            gr.Dropdown(choices=[(document_label(d, data_dir), d.doc_id) for d in documents]),
        )

    # Saved conversations -----------------------------------------------------------------------

    def sidebar(self, owner: str, chat_id: str | None = None):
        """The list of past chats, by first question (or new title) and date, newest first."""
        chats = self.assistant.conversations.list(owner)
        choices = [(f"{chat.title} · {_when(chat.updated_at)}", chat.id) for chat in chats]
        value = chat_id if chat_id in {chat.id for chat in chats} else None
        return gr.Radio(choices=choices, value=value)

    def export(self, chat_id: str | None, owner: str):
        """The download button, holding the open chat as a Markdown file."""
        chat = self.assistant.conversations.get(chat_id, owner) if chat_id else None
        if chat is None or not chat.turns:
            return gr.DownloadButton(value=None, interactive=False)
        folder = Path(tempfile.mkdtemp(prefix="chat-export-"))
        path = folder / (safe_name(chat.title)[:60].strip(" ._") or "chat")
        path = path.with_name(path.name + ".md")
        turns = [turn.model_copy(update={"answer": self.shown(turn.answer)}) for turn in chat.turns]
        path.write_text(markdown(chat.model_copy(update={"turns": turns})), encoding="utf-8")
        return gr.DownloadButton(value=str(path), interactive=True)

    def opened(self, chat_id: str | None, owner: str) -> tuple:
        """Show a saved chat (or an empty one for None or a chat that is gone): (textbox,
        chatbot, turns, sources, chat id, remembered id, sidebar, export, title, answerer, k,
        strictness, scope)."""
        chat = self.assistant.conversations.get(chat_id, owner) if chat_id else None
        chosen = options.normalised(chat.options if chat else None, self.assistant)
        if chat is None:
            return ("", [], [], render.sources_html(None), None, None, self.sidebar(owner), self.export(None, owner),
                    "", *self._option_values(chosen))
        names, messages = self.names(), []
        for turn in chat.turns:
            messages += [{"role": "user", "content": render.question_html(turn.question)},
                         _said(render.answer_html(self.shown(turn.answer), names))]
        last = self.shown(chat.turns[-1].answer) if chat.turns else None
        sources = render.sources_html(last, self.cited_pages(last) if last else None)
        return ("", messages, chat.history(), sources, chat.id, chat.id, self.sidebar(owner, chat.id),
                self.export(chat.id, owner), chat.title, *self._option_values(chosen))

    def _option_values(self, chosen: dict) -> tuple:
        known = {value for _, value in options.scope_choices(self.assistant)}
        return chosen["answerer"], chosen["k"], chosen["strictness"], [d for d in chosen["documents"] if d in known]

    def load(self, remembered: str | None, request: gr.Request = None) -> tuple:
        """On a visit: the chat open before the page was reloaded, if it is still there. What
        the visitor typed, or asked, before this arrives stays: a fresh visit touches only the
        sidebar and the options, and the question box is never cleared here."""
        owner = owner_of(request)
        shown = self.opened(remembered, owner)
        if remembered and shown[4] is not None:
            return (gr.skip(), *shown[1:])
        return (*[gr.skip()] * 6, self.sidebar(owner), gr.skip(), gr.skip(), *shown[9:])

    def open(self, chat_id: str | None, request: gr.Request = None) -> tuple:
        return self.opened(chat_id, owner_of(request))

    def new_chat(self, request: gr.Request = None) -> tuple:
        return self.opened(None, owner_of(request))

    def rename(self, chat_id: str | None, title: str, request: gr.Request = None):
        """Give the open chat the title typed: (sidebar, export, status)."""
        owner = owner_of(request)
        if not chat_id:
            return gr.skip(), gr.skip(), render.message_html("Ask a question first: a chat is saved with its first answer.")
        if not self.assistant.conversations.rename(chat_id, title, owner):
            return gr.skip(), gr.skip(), render.message_html("Type a title to rename the chat.", "error")
        return self.sidebar(owner, chat_id), self.export(chat_id, owner), render.message_html("Renamed.")

    def delete(self, chat_id: str | None, request: gr.Request = None) -> tuple:
        """Delete the open chat and show an empty one."""
        owner = owner_of(request)
        if chat_id:
            self.assistant.conversations.delete(chat_id, owner)
        return self.opened(None, owner)


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def _said(html: str) -> dict:
    return {"role": "assistant", "content": html}
