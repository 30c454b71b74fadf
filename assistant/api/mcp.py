"""The MCP server (`assistant mcp`): the documents for agents and desktop apps.

Tools: `ask(question, history?)` gives the answer's text with its sources, and as structured
content the citations; `search(query, k?)` the ranked passages; `list_documents()` what is
indexed. Each document is a resource, `document://<doc_id, percent-encoded>`, whose text is
the document as indexed (a citation's `start:end` slices its quote out of it). A request the
assistant refuses (empty index, empty question) is a tool error with the message the CLI prints.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated, Literal
from urllib.parse import quote

import anyio
from mcp.server.mcpserver import MCPServer, ResourceSecurity
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import CallToolResult, Resource, TextContent
from pydantic import BaseModel, Field

from assistant.answer import Citation, Passage
from assistant.api.auth import BearerGuard
from assistant.api.render import with_sources
from assistant.core import Assistant
from ingest.errors import AssistantError

SCHEME = "document://"
INSTRUCTIONS = (
    "Answers questions from the user's indexed documents, citing the exact passage of each claim. "
    "Use `ask` for an answer with citations, `search` for the passages themselves, `list_documents` "
    "and the document resources to see what is indexed. The sources are the only authority: when "
    "they don't hold the answer, `ask` says so (abstained)."
)


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskResult(BaseModel):
    text: str = Field(description="The answer with [n] markers; when abstained, why the sources don't say.")
    abstained: bool = Field(description="True when the documents don't hold the answer.")
    citations: list[Citation] = Field(description="What each [n] quotes: document, span, page, the quote.")


class SearchResult(BaseModel):
    passages: list[Passage] = Field(description="The passages nearest the query, best first.")


class Document(BaseModel):
    doc_id: str
    title: str
    source: str = Field(description="The file the document was read from.")
    passages: int = Field(description="Passages the document was split into.")
    uri: str = Field(description="The resource holding the document's text.")


class Documents(BaseModel):
    documents: list[Document]


def document_uri(doc_id: str) -> str:
    return SCHEME + quote(doc_id, safe="")


class DocumentServer(MCPServer):
    """The MCP server over one `Assistant`; its resources are the documents indexed now."""

    def __init__(self, assistant: Assistant) -> None:
        super().__init__("source-assistant", instructions=INSTRUCTIONS, log_level="WARNING")
        self.assistant = assistant
        self.add_tool(self.ask, description="Answer a question from the documents, every claim cited.")
        self.add_tool(self.search, description="The passages of the documents nearest a query, best first.")
        self.add_tool(self.list_documents, description="The indexed documents.")
        # The id is looked up in the index, never opened as a path: no path check applies.
        self.resource(
            SCHEME + "{doc_id}", mime_type="text/plain", security=ResourceSecurity(exempt_params={"doc_id"})
        )(self.read_document)

    def ask(
        self,
        question: Annotated[str, Field(description="The question, in plain words.")],
        history: Annotated[list[Turn] | None, Field(description="Earlier turns of the conversation.")] = None,
    ) -> Annotated[CallToolResult, AskResult]:
        try:
            answer = self.assistant.ask(question, [turn.model_dump() for turn in history or []])
        except AssistantError as error:
            return _refused(error)
        result = AskResult(text=answer.text, abstained=answer.abstained, citations=answer.citations)
        return CallToolResult(
            content=[TextContent(type="text", text=with_sources(answer))], structured_content=result.model_dump(mode="json")
        )

    def search(
        self,
        query: Annotated[str, Field(description="What to look for.")],
        k: Annotated[int, Field(ge=1, le=100, description="How many passages.")] = 6,
    ) -> Annotated[CallToolResult, SearchResult]:
        try:
            result = SearchResult(passages=self.assistant.retrieve(query, k))
        except AssistantError as error:
            return _refused(error)
        text = result.model_dump_json(indent=1)
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=result.model_dump(mode="json"))

    def list_documents(self) -> Documents:
        return Documents(documents=[_document(entry) for entry in self.assistant.documents()])

    def read_document(self, doc_id: str) -> str:
        text = self.assistant.document_text(doc_id)
        if text is None:
            raise ResourceNotFoundError(f"No document {doc_id!r} is indexed: `list_documents` names them.")
        return text

    async def list_resources(self) -> list[Resource]:
        entries = await anyio.to_thread.run_sync(self.assistant.documents)
        return [
            Resource(uri=document_uri(e.doc_id), name=e.doc_id, title=e.title or None, mime_type="text/plain")
            for e in entries
        ]


def _document(entry) -> Document:
    return Document(
        doc_id=entry.doc_id, title=entry.title, source=entry.source, passages=entry.passages, uri=document_uri(entry.doc_id)
    )


def _refused(error: AssistantError) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=str(error))], is_error=True)


def serve_stdio(assistant: Assistant) -> None:
    """Serve over this process's stdin and stdout until the client closes them."""
    with contextlib.redirect_stdout(sys.stderr):  # nothing but protocol may reach stdout
        assistant.describe()  # open the index and load the model before the client waits on it
    DocumentServer(assistant).run("stdio")


def serve_http(assistant: Assistant, port: int) -> None:
    """Serve streamable HTTP on 127.0.0.1:`port` at `/mcp`, asking for `web.api_key` when set."""
    import uvicorn

    assistant.describe()
    app = DocumentServer(assistant).streamable_http_app(host="127.0.0.1")
    key = assistant.settings.web.api_key
    guarded = BearerGuard(app, key.get_secret_value()) if key else app
    print(f"MCP server on http://127.0.0.1:{port}/mcp", file=sys.stderr, flush=True)
    uvicorn.run(guarded, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=5)
