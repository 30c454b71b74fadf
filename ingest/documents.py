"""The records that travel through ingest: a loaded document and the passages cut from it."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime

from langchain_core.documents import Document

# `Key: value` lines right under the title (as in news exports: Source, Published, Author, URL).
_HEADER_LINE = re.compile(r"^([A-Z][A-Za-z0-9 _-]{0,30}):[ \t]+(\S.*)$")
_TITLE_LIMIT = 120
_TITLE_LOOKAHEAD = 6  # lines after a long first line searched for a title
FIELD_PREFIX = "field_"


@dataclass
class SourceDocument:
    """One loaded file: its text (what passages' offsets refer to) and its metadata."""

    doc_id: str
    source: str
    text: str
    title: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    encoding: str = ""  # what the file was decoded from, for text formats ("utf-8", "cp1252")
    pages: list[int] = field(default_factory=list)  # where page (or slide) n + 1 starts; empty: unpaged

    @property
    def fingerprint(self) -> str:
        """A hash of the text and metadata: equal fingerprints mean nothing to re-index."""
        digest = hashlib.sha256(self.text.encode("utf-8"))
        digest.update(repr((self.title, sorted(self.fields.items()))).encode("utf-8"))
        if self.pages:
            digest.update(repr(self.pages).encode("ascii"))
        return digest.hexdigest()

    def page_at(self, offset: int) -> int | None:
        """The page (1-based) holding the character at `offset`; None for an unpaged document."""
        return max(bisect_right(self.pages, offset), 1) if self.pages else None

    def metadata(self) -> dict[str, str]:
        """Flat metadata for every passage of this document (Chroma takes scalars only)."""
        flat = {"doc_id": self.doc_id, "source": self.source, "title": self.title}
        flat.update({FIELD_PREFIX + key: value for key, value in self.fields.items()})
        return flat

    def to_document(self) -> Document:
        """The LangChain `Document` that the splitter cuts into passages."""
        return Document(page_content=self.text, metadata=self.metadata())


def parse_header(text: str) -> tuple[str, dict[str, str]]:
    """The title and the `Key: value` lines right under the first line.

    The first line is the title when header lines follow it (news exports). Otherwise the
    title is the first line of the first few that reads as one (short, not a sentence: a
    long first line is a summary), or empty (the loader then names the document after its
    file).

    >>> parse_header("Big news\\nSource: Wired\\nPublished: 2023-10-01\\n\\nBody.")
    ('Big news', {'source': 'Wired', 'published': '2023-10-01'})
    >>> parse_header("A long summary line. " * 10 + "\\nThe Real Title\\n\\nBody.")[0]
    'The Real Title'
    """
    lines = text.lstrip().splitlines()
    first = lines[0].strip() if lines else ""
    fields: dict[str, str] = {}
    for line in lines[1:]:
        match = _HEADER_LINE.match(line.strip())
        if not match:
            break
        fields[match.group(1).strip().lower().replace(" ", "_")] = match.group(2).strip()
    if fields:
        return shorten(first, _TITLE_LIMIT), fields
    return title_line(lines[:_TITLE_LOOKAHEAD]), fields


def title_line(lines: list[str]) -> str:
    """The first line that reads as a title: short, with a letter, not a sentence or a field.

    >>> title_line(["The pilot boat was repainted.", "", "Harbor news", "Body text."])
    'Harbor news'
    """
    for line in (line.strip() for line in lines):
        if 0 < len(line) <= _TITLE_LIMIT and any(c.isalpha() for c in line) and not line.endswith((".", ":", ",")):
            if not _HEADER_LINE.match(line):
                return line
    return ""


def header_line(title: str, fields: dict[str, str]) -> str:
    """What every passage of a document is indexed under: title, outlet and date.

    Questions name these ("reported by The Verge in October"), so BM25 and the embedding
    see them next to every passage, not only in the document's first one.

    >>> header_line("Big news", {"source": "Wired", "published": "2023-10-01T08:00:00+00:00"})
    'Big news | Wired | October 1, 2023'
    """
    when = parse_date(fields.get("published") or fields.get("date") or "")
    parts = (title, fields.get("source", ""), f"{when:%B} {when.day}, {when.year}" if when else "")
    return " | ".join(part for part in parts if part)


def parse_date(value: str) -> date | None:
    """An ISO date or timestamp, or None."""
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except (ValueError, AttributeError):
        return None


def fields_of(metadata: dict) -> dict[str, str]:
    """The header fields stored in a passage's flat metadata, keys without the prefix."""
    return {k[len(FIELD_PREFIX):]: v for k, v in metadata.items() if k.startswith(FIELD_PREFIX)}


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, marked with an ellipsis.

    >>> shorten("The US has voted against a resolution", 20)
    'The US has voted…'
    """
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
