"""PDF through pdfplumber: each page's lines joined into paragraphs, its tables as rows.

A page without a text layer (a scan: an image and no characters) is read by OCR
(`ingest.ocr`). The pages are joined into one text whose page starts are kept, so that a
passage and a quote know their page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from ingest.errors import LoadError
from ingest.ocr import Ocr
from ingest.paragraphs import Line, join_lines, join_pages, paragraphs

log = logging.getLogger("ingest")
_PAGE_NUMBER = re.compile(r"^(page\s+)?\d{1,4}(\s*(/|of)\s*\d{1,4})?$", re.IGNORECASE)
_MIN_CHARS = 10  # fewer characters than this on a page with an image: a scan
TITLE_LIMIT = 120


class PDFLoader(BaseLoader):
    """Pages in order, the text layer read where there is one and OCR where there is none."""

    def __init__(self, path: Path, ocr: Ocr | None = None) -> None:
        self.path = path
        self.ocr = ocr or Ocr()

    def lazy_load(self) -> Iterator[Document]:
        texts, scanned, title = self._read()
        if scanned:
            self._read_scans(texts, scanned)
        paged = join_pages(texts)
        yield Document(page_content=paged.text, metadata={"title": title, "pages": paged.pages})

    def _read(self) -> tuple[list[str], list[int], str]:
        """Each page's text, the numbers of the pages that are scans, and the title."""
        import pdfplumber

        try:
            with pdfplumber.open(self.path) as pdf:
                title = _metadata_title(pdf.metadata)
                texts, scanned = [], []
                for number, page in enumerate(pdf.pages, start=1):
                    text, heading = _page_text(page)
                    if len(text.replace(" ", "")) < _MIN_CHARS and page.images:
                        scanned.append(number)
                    texts.append(text)
                    title = title or (heading if number == 1 else "")
                    page.close()  # frees the page's parsed layout: memory stays one page deep
        except LoadError:
            raise
        except Exception as error:  # pdfminer reports broken files through many types
            raise _unreadable(error) from None
        return texts, scanned, title

    def _read_scans(self, texts: list[str], scanned: list[int]) -> None:
        if not self.ocr.available():
            if len(scanned) == len(texts):
                raise LoadError(f"is a scanned PDF with no text layer; {self.ocr.missing}")
            log.warning("%s: pages %s are scans and were left out; %s", self.path, _ranges(scanned), self.ocr.missing)
            return
        for number, text in self.ocr.pdf_pages(self.path, scanned):
            texts[number - 1] = text


def _unreadable(error: Exception) -> LoadError:
    """The reason a PDF can't be read (pdfplumber wraps pdfminer's error in its own)."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    cause = error.args[0] if type(error).__name__ == "PdfminerException" and error.args else error
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return LoadError("is a password-protected PDF; save an unprotected copy to ingest it")
    detail = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
    return LoadError(f"is not a readable PDF ({detail})".replace("\n", " "))


def _page_text(page) -> tuple[str, str]:
    """The page's paragraphs and table rows in reading order, and its heading (the line in
    the largest type when that is larger than the body's)."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]
    lines = [_line(raw) for raw in page.extract_text_lines(return_chars=True)]
    lines = [line for line in lines if line.text and not _inside(line, boxes)]
    lines = _without_page_numbers(lines)
    items = sorted([(line.top, 0, line) for line in lines] + [(t.bbox[1], 1, t) for t in tables], key=lambda i: i[:2])
    blocks, run = [], []
    for _, is_table, item in items:
        if not is_table:
            run.append(item)
            continue
        blocks += ["\n\n".join(paragraphs(run)), _rows(item)]
        run = []
    blocks.append("\n\n".join(paragraphs(run)))
    text = "\n\n".join(block for block in blocks if block)
    return text, _heading(lines)


def _line(raw: dict) -> Line:
    text = " ".join(raw["text"].split())
    sizes = sorted(char.get("size", 0.0) for char in raw.get("chars", [])) or [0.0]
    width = (raw["x1"] - raw["x0"]) / max(len(text), 1)
    first = text.split(" ", 1)[0] if text else ""
    return Line(text, raw["top"], raw["bottom"], raw["x0"], raw["x1"], sizes[len(sizes) // 2], width * len(first))


def _inside(line: Line, boxes: list[tuple]) -> bool:
    middle = (line.top + line.bottom) / 2
    return any(x0 - 1 <= line.x0 and line.x1 <= x1 + 1 and top <= middle <= bottom for x0, top, x1, bottom in boxes)


def _without_page_numbers(lines: list[Line]) -> list[Line]:
    """Lines less a page number (or "Page 3 of 9") at the top or bottom of the page."""
    if len(lines) > 1 and _PAGE_NUMBER.match(lines[-1].text):
        lines = lines[:-1]
    if len(lines) > 1 and _PAGE_NUMBER.match(lines[0].text):
        lines = lines[1:]
    return lines


def _rows(table) -> str:
    """A table as one line per row, cells parted by ` | `."""
    rows = []
    for row in table.extract():
        cells = [join_lines((cell or "").splitlines()) for cell in row]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _heading(lines: list[Line]) -> str:
    if len(lines) < 2:
        return ""
    sizes = sorted(line.size for line in lines)
    body, largest = sizes[len(sizes) // 2], sizes[-1]
    if largest < body + 1.0:
        return ""
    first = next(n for n, line in enumerate(lines) if line.size == largest)
    heading = [lines[first].text]
    for line in lines[first + 1 :]:
        if line.size != largest:
            break
        heading.append(line.text)
    title = join_lines(heading)
    return title if len(title) <= TITLE_LIMIT else ""


def _metadata_title(metadata: dict) -> str:
    from pdfminer.utils import decode_text

    value = metadata.get("Title") if metadata else None
    if isinstance(value, bytes):
        value = decode_text(value)
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def _ranges(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:10]) + (" ..." if len(numbers) > 10 else "")
