"""Split documents into passages that know their character span in the source."""

from __future__ import annotations

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.documents import SourceDocument, header_line
from ingest.settings import ChunkingSettings


# Bump when what a passage stores changes: every document is split and embedded again.
PASSAGE_FORMAT = 3


def make_splitter(settings: ChunkingSettings) -> RecursiveCharacterTextSplitter:
    """LangChain's recursive splitter, recording each passage's `start_index`."""
    return RecursiveCharacterTextSplitter(
        chunk_size=settings.size,
        chunk_overlap=min(settings.overlap, settings.size // 2),
        add_start_index=True,
    )


def split(document: SourceDocument, splitter: RecursiveCharacterTextSplitter) -> list[Document]:
    """The passages of one document, as the index stores them.

    A passage's `page_content` is its document's header line (title, outlet, date), a
    newline and the passage itself from `offset` on: `page_content[offset:]` equals
    `document.text[start:end]`.
    """
    head = header_line(document.title, document.fields)
    prefix = f"{head}\n" if head else ""
    passages = splitter.split_documents([document.to_document()])
    for number, passage in enumerate(passages):
        start = passage.metadata.pop("start_index")
        end = start + len(passage.page_content)
        if start < 0 or document.text[start:end] != passage.page_content:
            raise AssertionError(f"splitter lost the span of passage {number} in {document.doc_id}")
        passage.page_content = prefix + passage.page_content
        passage.metadata.update(start=start, end=end, chunk=number, offset=len(prefix))
        passage.metadata.update(page_metadata(document, start, end))
    return passages


def page_metadata(document: SourceDocument, start: int, end: int) -> dict:
    """The pages of a passage of a paged document: `page` and `page_end` where it starts and
    ends, and `page_breaks`, the document offsets inside it where the next pages begin (comma
    separated: Chroma keeps scalars), so that any span of the passage knows its page."""
    if not document.pages:
        return {}
    breaks = [offset for offset in document.pages if start < offset < end]
    return {
        "page": document.page_at(start),
        "page_end": document.page_at(max(start, end - 1)),
        "page_breaks": ",".join(map(str, breaks)),
    }
