"""Split documents into passages that know their character span in the source."""

from __future__ import annotations

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.documents import SourceDocument
from ingest.settings import ChunkingSettings


def make_splitter(settings: ChunkingSettings) -> RecursiveCharacterTextSplitter:
    """LangChain's recursive splitter, recording each passage's `start_index`."""
    return RecursiveCharacterTextSplitter(
        chunk_size=settings.size,
        chunk_overlap=min(settings.overlap, settings.size // 2),
        add_start_index=True,
    )


def split(document: SourceDocument, splitter: RecursiveCharacterTextSplitter) -> list[Document]:
    """The passages of one document, each with `start`/`end` offsets into its text.

    `text[start:end] == passage.page_content` holds for every passage.
    """
    passages = splitter.split_documents([document.to_document()])
    for number, passage in enumerate(passages):
        start = passage.metadata.pop("start_index")
        end = start + len(passage.page_content)
        if start < 0 or document.text[start:end] != passage.page_content:
            raise AssertionError(f"splitter lost the span of passage {number} in {document.doc_id}")
        passage.metadata.update(start=start, end=end, chunk=number)
    return passages
