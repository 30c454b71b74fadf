"""One page of an indexed document, put back together from the passages that cover it.

Every passage of a paged document stores the pages it spans and the offsets where the next
ones begin (`chunking.page_metadata`), so the passages of a page are found with one filtered
read of the store, and the page's start and end come from those offsets. The splitter only
drops whitespace between passages; such a gap is filled with as many blanks, so an offset
in the document is `start` plus the same offset in the page text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageText:
    """The text of one page (or slide): `text[i]` is the document's character `start + i`."""

    doc_id: str
    page: int
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def page_where(doc_id: str, page: int) -> dict:
    """The Chroma filter for the passages of `doc_id` that overlap `page`."""
    return {"$and": [{"doc_id": doc_id}, {"page": {"$lte": page}}, {"page_end": {"$gte": page}}]}


def assemble(doc_id: str, page: int, texts: list[str], metadatas: list[dict]) -> PageText | None:
    """The page from the passages that overlap it (their stored texts and metadata)."""
    spans = [(m["start"], m["end"], text[m.get("offset", 0) :], m) for text, m in zip(texts, metadatas)]
    if not spans:
        return None
    start = min(_page_start(m, page) for _, _, _, m in spans)
    end = max(_page_start(m, page + 1) if m["page_end"] > page else m["end"] for _, _, _, m in spans)
    buffer: list[str | None] = [None] * max(end - start, 0)
    for first, last, text, _ in spans:
        low, high = max(first, start), min(last, end)
        if low < high:
            buffer[low - start : high - start] = text[low - first : high - first]
    return PageText(doc_id, page, start, _filled(buffer))


def _page_start(metadata: dict, page: int) -> int:
    """Where `page` starts, as far as one passage tells: the break inside it, or its own start."""
    breaks = [int(offset) for offset in str(metadata.get("page_breaks") or "").split(",") if offset]
    skipped = page - metadata["page"] - 1
    return breaks[skipped] if 0 <= skipped < len(breaks) else metadata["start"]


def _filled(buffer: list[str | None]) -> str:
    """The characters, each gap between passages filled: one blank is a space, more are newlines."""
    text, n = [], 0
    while n < len(buffer):
        if buffer[n] is not None:
            text.append(buffer[n])
            n += 1
            continue
        gap = n
        while n < len(buffer) and buffer[n] is None:
            n += 1
        text.append(" " if n - gap == 1 else "\n" * (n - gap))
    return "".join(text)
