"""File loaders: one LangChain `BaseLoader` per format, each over a library made for it.

Every loader yields a single `Document` holding the whole text of the file, so that
passage offsets are offsets into that text. Anything unreadable raises `LoadError`
with a reason a user can act on; the pipeline skips the file and goes on.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from ingest.documents import SourceDocument, parse_header
from ingest.errors import LoadError
from ingest.limits import check_archive, check_pdf, check_text, check_text_file
from ingest.settings import LimitSettings

_SNIFF_BYTES = 8192


def read_text(path: Path) -> str:
    """The file's text, refusing binary content (see `decode_text`)."""
    return decode_text(path.read_bytes())[0]


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in: UTF-8 (with or without a BOM), UTF-16 with
    its BOM, else a legacy encoding recognised by charset-normalizer. Windows-1252 is tried
    first: on short Western text the detector's own first guess is often a look-alike code
    page (cp775, mac_iceland) that garbles the accents."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _decoded(data, "utf-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decoded(data, "utf-16")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise LoadError("looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        bad = error.start
    import charset_normalizer

    match = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
    match = match or charset_normalizer.from_bytes(data).best()
    if match is None:
        raise LoadError(f"is not UTF-8 (bad byte at offset {bad}) and its encoding was not recognised; save it as UTF-8")
    return _decoded(data, match.encoding)


def _decoded(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        return data.decode(encoding).lstrip("\ufeff"), codecs.lookup(encoding).name
    except UnicodeDecodeError as error:
        raise LoadError(f"is not valid {encoding} (bad byte at offset {error.start}); save it as UTF-8") from None


class TextLoader(BaseLoader):
    """Plain text and Markdown: UTF-8, or a legacy encoding named in the metadata."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lazy_load(self) -> Iterator[Document]:
        text, encoding = decode_text(self.path.read_bytes())
        title = _markdown_title(text) if self.path.suffix.lower() == ".md" else ""
        yield Document(page_content=text, metadata={"title": title, "encoding": encoding})


class HTMLLoader(BaseLoader):
    """HTML through BeautifulSoup: visible text only, scripts and styles dropped."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lazy_load(self) -> Iterator[Document]:
        from bs4 import BeautifulSoup

        markup, encoding = decode_text(self.path.read_bytes())
        soup = BeautifulSoup(markup, "html.parser")
        for hidden in soup(["script", "style", "noscript", "template"]):
            hidden.decompose()
        title = soup.title.get_text(" ", strip=True) if soup.title else ""
        if soup.title:
            soup.title.decompose()
        text = re.sub(r"\n\s*\n+", "\n\n", soup.get_text("\n"))
        yield Document(page_content=text.strip(), metadata={"title": title, "encoding": encoding})


class PDFLoader(BaseLoader):
    """PDF through pypdf: pages joined by blank lines."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lazy_load(self) -> Iterator[Document]:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            reader = PdfReader(self.path)
            if reader.is_encrypted and not reader.decrypt(""):
                raise LoadError("is a password-protected PDF; save an unprotected copy to ingest it")
            pages = [page.extract_text() or "" for page in reader.pages]
            title = (reader.metadata.title if reader.metadata else None) or ""
        except LoadError:
            raise
        except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
            raise LoadError(f"is not a readable PDF ({error})") from None
        yield Document(page_content="\n\n".join(p.strip() for p in pages), metadata={"title": str(title)})


class DocxLoader(BaseLoader):
    """Word .docx through python-docx: paragraphs, then table cells."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lazy_load(self) -> Iterator[Document]:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        try:
            document = docx.Document(str(self.path))
        except (PackageNotFoundError, ValueError, KeyError, OSError) as error:
            raise LoadError(f"is not a readable .docx file ({error})") from None
        except Exception as error:  # zip and XML errors surface as many types
            raise LoadError(f"is not a readable .docx file ({type(error).__name__})") from None
        lines = [p.text for p in document.paragraphs]
        lines += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        title = document.core_properties.title or ""
        yield Document(page_content="\n".join(lines).strip(), metadata={"title": title})


LOADERS: dict[str, type[BaseLoader]] = {
    ".txt": TextLoader,
    ".md": TextLoader,
    ".markdown": TextLoader,
    ".html": HTMLLoader,
    ".htm": HTMLLoader,
    ".pdf": PDFLoader,
    ".docx": DocxLoader,
}


def is_supported(path: Path) -> bool:
    """Whether a loader exists for this file's extension."""
    return path.suffix.lower() in LOADERS


ARCHIVES = frozenset({".docx"})  # zip containers: their unpacked size is checked before loading


def load(path: Path, doc_id: str, limits: LimitSettings | None = None) -> SourceDocument:
    """Load one file into a `SourceDocument`, or raise `LoadError` saying why not."""
    limits = limits or LimitSettings()
    loader_class = LOADERS.get(path.suffix.lower())
    if loader_class is None:
        raise LoadError(f"has an unsupported extension; supported: {', '.join(sorted(LOADERS))}")
    suffix = path.suffix.lower()
    if suffix in ARCHIVES:
        check_archive(path, limits)
    elif suffix == ".pdf":
        check_pdf(path, limits)
    else:
        check_text_file(path, limits)
    try:
        (document,) = loader_class(path).load()
    except OSError as error:
        raise LoadError(f"could not be read ({error.strerror or error})") from None
    text = document.page_content
    if not text.strip():
        raise LoadError("has no text")
    check_text(text, limits)
    title, fields = parse_header(text)
    return SourceDocument(
        doc_id=doc_id,
        source=str(path),
        text=text,
        title=document.metadata.get("title") or title,
        fields=fields,
        encoding=document.metadata.get("encoding", ""),
    )


def _markdown_title(text: str) -> str:
    match = re.search(r"^#\s+(.+)$", text, flags=re.MULTILINE)
    return match.group(1).strip() if match else ""
