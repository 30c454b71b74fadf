"""Split documents into passages that know their character span in the source."""

from __future__ import annotations

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.documents import SourceDocument, header_line
from ingest.settings import ChunkingSettings


# Bump when what a passage stores changes: every document is split and embedded again.
PASSAGE_FORMAT = 2


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
    return passages
