"""Word and PowerPoint files: python-docx and python-pptx, the text in the order it is shown.

A .docx is read paragraph by paragraph with its tables where they stand (a row per line,
cells parted by ` | `); a .pptx slide by slide, each slide's text then its speaker notes, the
slide number being the page a citation names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from ingest.errors import LoadError
from ingest.paragraphs import join_pages


class DocxLoader(BaseLoader):
    """Word .docx: paragraphs and table rows in document order; the title property, else the
    first Title or Heading paragraph."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lazy_load(self) -> Iterator[Document]:
        import docx
        from docx.table import Table

        try:
            document = docx.Document(str(self.path))
        except Exception as error:  # zip, XML and package errors surface as many types
            raise LoadError(f"is not a readable .docx file ({type(error).__name__})") from None
        lines, heading = [], ""
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.append(table_rows(block))
                continue
            lines.append(block.text)
            style = block.style.name if block.style is not None else ""
            if not heading and style.startswith(("Title", "Heading")) and block.text.strip():
                heading = block.text.strip()
        title = document.core_properties.title or heading
        yield Document(page_content="\n".join(line for line in lines if line.strip()).strip(), metadata={"title": title})


def table_rows(table) -> str:
    """A Word or PowerPoint table: one line per row, cells parted by ` | ` (a merged cell once)."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


class PptxLoader(BaseLoader):
    """PowerPoint .pptx: each slide's text (title first) and notes; slides are the pages."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lazy_load(self) -> Iterator[Document]:
        from pptx import Presentation

        try:
            presentation = Presentation(str(self.path))
            slides = [_slide_text(slide) for slide in presentation.slides]
        except Exception as error:  # zip, XML and package errors surface as many types
            raise LoadError(f"is not a readable .pptx file ({type(error).__name__})") from None
        title = presentation.core_properties.title or _first_title(presentation)
        paged = join_pages(slides) if any(slides) else None
        text = paged.text if paged else ""
        yield Document(page_content=text, metadata={"title": title, "pages": paged.pages if paged else []})


def _slide_text(slide) -> str:
    """A slide's shapes top to bottom (the title first), then its speaker notes."""
    title = slide.shapes.title
    shapes = sorted(slide.shapes, key=lambda shape: (shape != title, shape.top or 0, shape.left or 0))
    parts = [text for shape in shapes if (text := _shape_text(shape))]
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        if notes is not None and notes.text.strip():
            parts.append("Notes: " + " ".join(notes.text.split()))
    return "\n".join(parts)


def _shape_text(shape) -> str:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        return "\n".join(text for inner in shape.shapes if (text := _shape_text(inner)))
    if getattr(shape, "has_table", False) and shape.has_table:
        return table_rows(shape.table)
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        return "\n".join(" ".join(p.text.split()) for p in shape.text_frame.paragraphs if p.text.strip())
    return ""


def _first_title(presentation) -> str:
    for slide in presentation.slides:
        title = slide.shapes.title
        if title is not None and title.has_text_frame and title.text_frame.text.strip():
            return " ".join(title.text_frame.text.split())
    return ""
