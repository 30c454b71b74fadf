"""PDF through pypdfium2: each page's lines joined into paragraphs; tables (pdfplumber) as rows.

PDFium gives the text of a page as segments with their boxes, fast; the lines they form are
joined into paragraphs (`ingest.paragraphs`). A page that draws lines may hold a ruled table:
pdfplumber finds it there (it parses every character in Python, 30x slower, so only those
pages), and its rows replace the lines inside it. A page without a text layer (a scan: an
image and no characters) is read by OCR (`ingest.ocr`). The pages are joined into one text
whose page starts are kept, so that a passage and a quote know their page.
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
_PATH, _IMAGE = 2, 3  # PDFium's page object types (FPDF_PAGEOBJ_PATH, FPDF_PAGEOBJ_IMAGE)
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
        import pypdfium2

        try:
            pdf = pypdfium2.PdfDocument(str(self.path))
        except pypdfium2.PdfiumError as error:
            if "password" in str(error).lower():
                raise LoadError("is a password-protected PDF; save an unprotected copy to ingest it") from None
            raise LoadError(f"is not a readable PDF ({error})") from None
        tables = _Tables(self.path)
        try:
            title = " ".join((pdf.get_metadata_value("Title") or "").split())
            texts, scanned = [], []
            for number in range(1, len(pdf) + 1):
                text, heading, scan = _page_text(pdf[number - 1], number, tables)
                texts.append(text)
                scanned += [number] if scan else []
                title = title or (heading if number == 1 else "")
        except pypdfium2.PdfiumError as error:
            raise LoadError(f"is not a readable PDF ({error})") from None
        finally:
            tables.close()
            pdf.close()
        return texts, scanned, title

    def _read_scans(self, texts: list[str], scanned: list[int]) -> None:
        if not self.ocr.available():
            if len(scanned) == len(texts):
                raise LoadError(f"is a scanned PDF with no text layer; {self.ocr.missing}")
            log.warning("%s: pages %s are scans and were left out; %s", self.path, _ranges(scanned), self.ocr.missing)
            return
        for number, text in self.ocr.pdf_pages(self.path, scanned):
            texts[number - 1] = text


class _Tables:
    """Ruled tables of a page through pdfplumber, opened only once a page draws lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pdf = None

    def of(self, number: int) -> list[tuple[tuple, str]]:
        """`(box, rows)` of each table on page `number` (boxes in points, top-down)."""
        import pdfplumber

        try:
            if self._pdf is None:
                self._pdf = pdfplumber.open(self.path)
            page = self._pdf.pages[number - 1]
            found = [(table.bbox, _rows(table)) for table in page.find_tables()]
            page.close()  # frees the page's parsed layout: memory stays one page deep
        except Exception as error:  # pdfminer fails on some files PDFium reads: keep the lines
            log.debug("%s: no tables read on page %d (%s)", self.path, number, error)
            return []
        return [(box, rows) for box, rows in found if rows]

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


def _page_text(page, number: int, tables: _Tables) -> tuple[str, str, bool]:
    """The page's paragraphs and table rows in reading order, its heading (the line in the
    largest type when that is larger than the body's), and whether it is a scan."""
    kinds = {item.type for item in page.get_objects(max_depth=1)}
    height = page.get_height()
    textpage = page.get_textpage()
    try:
        lines = _without_page_numbers(_lines(textpage, height))
        chars = textpage.count_chars()
    finally:
        textpage.close()
        page.close()
    found = tables.of(number) if _PATH in kinds and lines else []
    lines = [line for line in lines if not _inside(line, [box for box, _ in found])]
    blocks, run = [], []
    for line in lines:
        while found and found[0][0][1] < line.top:  # a table above this line comes first
            blocks += ["\n\n".join(paragraphs(run)), found.pop(0)[1]]
            run = []
        run.append(line)
    blocks += ["\n\n".join(paragraphs(run)), *(rows for _, rows in found)]
    scan = chars < _MIN_CHARS and _IMAGE in kinds
    return "\n\n".join(block for block in blocks if block), _heading(lines), scan


def _lines(textpage, height: float) -> list[Line]:
    """The text segments PDFium finds, joined into lines (boxes in points, top-down)."""
    import pypdfium2.raw as pdfium_c

    lines: list[Line] = []
    for n in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(n)
        text = textpage.get_text_bounded(left, bottom, right, top).replace("\x02", "-").replace("\r\n", " ")
        if not text.strip():
            continue
        index = textpage.get_index(left + 0.5, (top + bottom) / 2, 2.0, 2.0)
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index) if index >= 0 else top - bottom
        segment = Line(text, height - top, height - bottom, left, right, round(size, 1), 0.0)
        previous = lines[-1] if lines else None
        if previous is not None and _same_line(previous, segment):
            gap = " " if segment.x0 - previous.x1 > 0.15 * previous.size else ""
            previous.text = (previous.text.rstrip() + gap + segment.text.lstrip()) if gap else previous.text + segment.text
            previous.x1, previous.top, previous.bottom = segment.x1, min(previous.top, segment.top), max(previous.bottom, segment.bottom)
        else:
            lines.append(segment)
    for line in lines:
        line.text = " ".join(line.text.split())
        line.first_word = (line.x1 - line.x0) / max(len(line.text), 1) * len(line.text.split(" ", 1)[0])
    return [line for line in lines if line.text]


def _same_line(previous: Line, segment: Line) -> bool:
    overlap = min(previous.bottom, segment.bottom) - max(previous.top, segment.top)
    return segment.x0 >= previous.x1 - 1 and overlap > 0.5 * min(previous.bottom - previous.top, segment.bottom - segment.top)


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


def _ranges(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:10]) + (" ..." if len(numbers) > 10 else "")
