"""File loaders: one LangChain `BaseLoader` per format, each over a library made for it.

Every loader yields a single `Document` holding the whole text of the file, so that
passage offsets are offsets into that text; a paged format (PDF, images, slides) also
gives where each page starts (`metadata["pages"]`). A mail file gives a document per
message and per attachment (`load_all`). Anything unreadable raises `LoadError` with a
reason a user can act on; the pipeline skips the file and goes on.

The formats with their own modules: `pdf` (and `ocr` for scans and images), `office`
(.docx, .pptx), `sheets` (.xlsx, .csv), `ebook` (.epub), `mail` (.eml, .mbox).
"""

from __future__ import annotations

import codecs
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from ingest.documents import SourceDocument, parse_header
from ingest.ebook import EpubLoader
from ingest.errors import LoadError
from ingest.limits import check_archive, check_pdf, check_text, check_text_file
from ingest.mail import MAIL, attachments, message_text, messages
from ingest.markup import html_text
from ingest.ocr import Ocr
from ingest.office import DocxLoader, PptxLoader
from ingest.paragraphs import join_pages
from ingest.pdf import PDFLoader
from ingest.settings import LimitSettings
from ingest.sheets import CsvLoader, XlsxLoader

_SNIFF_BYTES = 8192


def read_text(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read in, refusing binary content (`decode_text`)."""
    return decode_text(path.read_bytes())


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
        text, encoding = read_text(self.path)
        title = _markdown_title(text) if self.path.suffix.lower() == ".md" else ""
        yield Document(page_content=text, metadata={"title": title, "encoding": encoding})


class HTMLLoader(BaseLoader):
    """HTML through BeautifulSoup: visible text block by block, scripts and styles dropped."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lazy_load(self) -> Iterator[Document]:
        markup, encoding = read_text(self.path)
        text, title = html_text(markup)
        yield Document(page_content=text, metadata={"title": title, "encoding": encoding})


class ImageLoader(BaseLoader):
    """A scanned page as an image (.png .jpg .tiff), read by OCR; a multi-page TIFF's frames are pages."""

    def __init__(self, path: Path, ocr: Ocr | None = None) -> None:
        self.path = path
        self.ocr = ocr or Ocr()

    def lazy_load(self) -> Iterator[Document]:
        if not self.ocr.available():
            raise LoadError(f"is an image, read only by OCR; {self.ocr.missing}")
        paged = join_pages(self.ocr.image_pages(self.path))
        yield Document(page_content=paged.text, metadata={"title": "", "pages": paged.pages})


LOADERS: dict[str, type[BaseLoader]] = {
    ".txt": TextLoader,
    ".md": TextLoader,
    ".markdown": TextLoader,
    ".html": HTMLLoader,
    ".htm": HTMLLoader,
    ".pdf": PDFLoader,
    ".docx": DocxLoader,
    ".pptx": PptxLoader,
    ".xlsx": XlsxLoader,
    ".csv": CsvLoader,
    ".epub": EpubLoader,
    ".png": ImageLoader,
    ".jpg": ImageLoader,
    ".jpeg": ImageLoader,
    ".tif": ImageLoader,
    ".tiff": ImageLoader,
    **dict.fromkeys(MAIL, TextLoader),  # read by `_load_mail`; listed so that folders find them
}


def is_supported(path: Path) -> bool:
    """Whether a loader exists for this file's extension."""
    return path.suffix.lower() in LOADERS


ARCHIVES = frozenset({".docx", ".pptx", ".xlsx", ".epub"})  # zip containers: unpacked size checked first
TEXTS = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".csv"})  # file size bounds the text's length


@dataclass
class Loaded:
    """What one file gave: its documents (a mail's attachments are documents of their own)
    and the parts left out, as `(doc_id, reason)`."""

    documents: list[SourceDocument]
    skipped: list[tuple[str, str]] = field(default_factory=list)


def load(path: Path, doc_id: str, limits: LimitSettings | None = None, ocr: Ocr | None = None) -> SourceDocument:
    """Load one file into a `SourceDocument`, or raise `LoadError` saying why not."""
    return load_all(path, doc_id, limits, ocr).documents[0]


def load_all(
    path: Path, doc_id: str, limits: LimitSettings | None = None, ocr: Ocr | None = None, *, attachments: bool = True
) -> Loaded:
    """Every document one file holds (a mail and its attachments), or `LoadError` saying why not."""
    limits = limits or LimitSettings()
    suffix = path.suffix.lower()
    if suffix not in LOADERS:
        raise LoadError(f"has an unsupported extension; supported: {', '.join(sorted(LOADERS))}")
    _check_file(path, suffix, limits)
    try:
        if suffix in MAIL:
            return _load_mail(path, doc_id, limits, ocr, attachments)
        (document,) = _loader(path, ocr).load()
    except OSError as error:
        raise LoadError(f"could not be read ({error.strerror or error})") from None
    return Loaded([_source_document(path, doc_id, document, limits)])


def _check_file(path: Path, suffix: str, limits: LimitSettings) -> None:
    """The limits a file can be held to before it is parsed: a zip container's unpacked size
    and ratio, a PDF's pages, a text file's size (a mail's parts are checked one by one)."""
    if suffix in ARCHIVES:
        check_archive(path, limits)
    elif suffix == ".pdf":
        check_pdf(path, limits)
    elif suffix in TEXTS:
        check_text_file(path, limits)


def _loader(path: Path, ocr: Ocr | None) -> BaseLoader:
    loader_class = LOADERS[path.suffix.lower()]
    if loader_class in (PDFLoader, ImageLoader):
        return loader_class(path, ocr)
    if loader_class is CsvLoader:
        return CsvLoader(path, read_text)
    return loader_class(path)


def _source_document(path: Path, doc_id: str, document: Document, limits: LimitSettings) -> SourceDocument:
    text = document.page_content
    if not text.strip():
        raise LoadError("has no text")
    check_text(text, limits)
    title, fields = parse_header(text)
    return SourceDocument(
        doc_id=doc_id,
        source=str(path),
        text=text,
        title=document.metadata.get("title") or title or path.stem,
        fields=fields,
        pages=list(document.metadata.get("pages") or []),
        encoding=document.metadata.get("encoding", ""),
    )


def _load_mail(path: Path, doc_id: str, limits: LimitSettings, ocr: Ocr | None, with_attachments: bool) -> Loaded:
    """Each message of a mail file, and each attachment of a supported format; a message or
    attachment that fails (or is over a limit) is left out alone, noted in `skipped`."""
    loaded = Loaded([])
    for suffix, message in messages(path):
        message_id = doc_id + suffix
        try:
            text, title, fields = _message(message, limits)
        except LoadError as error:
            if not suffix:  # a lone .eml that can't be read fails as a file
                raise
            loaded.skipped.append((message_id, str(error)))
            continue
        loaded.documents.append(SourceDocument(message_id, f"{path}{suffix}", text, title, fields))
        for name, data in attachments(message) if with_attachments else ():
            part_id = f"{message_id}{'/' if suffix else '#'}{name}"
            if not is_supported(Path(name)) or Path(name).suffix.lower() in MAIL:
                continue
            try:
                loaded.documents += _attachment(name, data, part_id, f"{path}{part_id[len(doc_id):]}", limits, ocr)
            except LoadError as error:
                loaded.skipped.append((part_id, str(error)))
    return loaded


def _message(message, limits: LimitSettings) -> tuple[str, str, dict[str, str]]:
    """A message's text, title and fields, or `LoadError` (unreadable, empty, over the text limit)."""
    try:
        text, title, fields = message_text(message)
    except Exception as error:  # the email package reports malformed messages through many types
        raise LoadError(f"is not a readable e-mail message ({type(error).__name__})") from None
    if not text.strip():
        raise LoadError("has no text (not an e-mail message?)")
    check_text(text, limits)
    return text, title, fields


def _attachment(name: str, data: bytes, doc_id: str, source: str, limits: LimitSettings, ocr: Ocr | None):
    """An attachment's documents, read from a private temporary copy."""
    with tempfile.TemporaryDirectory(prefix="attachment-") as folder:
        copy = Path(folder) / name
        copy.write_bytes(data)
        documents = load_all(copy, doc_id, limits, ocr, attachments=False).documents
    for document in documents:
        document.source = source
    return documents


def _markdown_title(text: str) -> str:
    match = re.search(r"^#\s+(.+)$", text, flags=re.MULTILINE)
    return match.group(1).strip() if match else ""
