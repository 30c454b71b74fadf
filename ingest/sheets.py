"""Spreadsheets: .xlsx through openpyxl (read-only, streamed) and .csv through the csv module.

A row becomes one line of `header: value` pairs (`Region: North; Revenue: 4.2`), so that
a quote of one row says what each value is. A workbook's sheets follow each other, each
opened by its name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from ingest.errors import LoadError

_SNIFF = 16384


def row_lines(rows: Iterable[Sequence]) -> Iterator[str]:
    """`header: value` lines: the first non-empty row names the columns, each later row is a
    line of its non-empty cells (a column without a name is called by its letter).

    >>> list(row_lines([["Region", "Revenue"], ["North", 4.2], [None, None], ["South", 3.0]]))
    ['Region: North; Revenue: 4.2', 'Region: South; Revenue: 3']
    """
    header: list[str] | None = None
    for row in rows:
        cells = [cell_text(value) for value in row]
        if not any(cells):
            continue
        if header is None:
            header = cells
            continue
        names = header + [""] * (len(cells) - len(header))
        pairs = [f"{name or _column(n)}: {value}" for n, (name, value) in enumerate(zip(names, cells)) if value]
        yield "; ".join(pairs)


def cell_text(value) -> str:
    """A cell as it reads: whole numbers without `.0`, dates without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return " ".join(str(value).split())


def _column(number: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> A, 26 -> AA."""
    letters = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class XlsxLoader(BaseLoader):
    """Excel .xlsx: every sheet, its name then its rows, streamed (read-only mode)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lazy_load(self) -> Iterator[Document]:
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # zip, XML and format errors surface as many types
            raise LoadError(f"is not a readable .xlsx file ({type(error).__name__})") from None
        try:
            sections = []
            for sheet in workbook.worksheets:
                lines = list(row_lines(sheet.iter_rows(values_only=True)))
                if lines:
                    sections.append("\n".join([sheet.title, *lines]))
            title = workbook.properties.title or ""
        except Exception as error:
            raise LoadError(f"is not a readable .xlsx file ({type(error).__name__}: {error})") from None
        finally:
            workbook.close()
        yield Document(page_content="\n\n".join(sections), metadata={"title": title or self.path.stem})


class CsvLoader(BaseLoader):
    """Comma- (or semicolon-, tab-) separated values; the dialect is sniffed from the start."""

    def __init__(self, path: Path, read_text) -> None:
        self.path = path
        self.read_text = read_text  # the text and the encoding it was read in

    def lazy_load(self) -> Iterator[Document]:
        text, encoding = self.read_text(self.path)
        try:
            dialect = csv.Sniffer().sniff(text[:_SNIFF], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        try:
            lines = list(row_lines(csv.reader(io.StringIO(text, newline=""), dialect)))
        except csv.Error as error:
            raise LoadError(f"is not a readable CSV file ({error})") from None
        yield Document(page_content="\n".join(lines), metadata={"title": self.path.stem, "encoding": encoding})
