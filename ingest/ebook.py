"""E-books: .epub through ebooklib, the chapters in reading order (the spine)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from ingest.errors import LoadError
from ingest.markup import html_text


class EpubLoader(BaseLoader):
    """Each chapter's text in the order the book reads; the title from the book's metadata."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lazy_load(self) -> Iterator[Document]:
        import ebooklib
        from ebooklib import epub

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ebooklib warns about its own future defaults
                book = epub.read_epub(str(self.path), options={"ignore_ncx": True})
            chapters = []
            for idref, _ in book.spine:
                item = book.get_item_with_id(idref)
                if item is not None and item.get_type() == ebooklib.ITEM_DOCUMENT:
                    chapters.append(html_text(item.get_content())[0])
        except Exception as error:  # zip, XML and package errors surface as many types
            raise LoadError(f"is not a readable .epub file ({type(error).__name__}: {error})".replace("\n", " ")) from None
        titles = book.get_metadata("DC", "title")
        title = " ".join(str(titles[0][0]).split()) if titles else ""
        yield Document(page_content="\n\n".join(c for c in chapters if c), metadata={"title": title})
