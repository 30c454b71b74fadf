"""HTML as text a person reads: one line per paragraph, heading or list item, one per table row.

Inline markup (`<b>`, `<a>`, a line break in the source) never cuts a sentence: each block's
text is joined with single spaces. Used for web pages, e-book chapters and HTML mail.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString

HIDDEN = ["script", "style", "noscript", "template", "head"]
BLOCKS = frozenset(
    "address article aside blockquote body caption dd details div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary ul".split()
)
_BREAK = "\u2029"  # stands for a paragraph break until the whitespace is collapsed
_LINE = "\u2028"  # stands for a line break (<br>, a table row)
_SPACES = re.compile(r"[^\S\u2028\u2029]+")


def html_text(markup: str | bytes) -> tuple[str, str]:
    """The visible text of an HTML document, and its `<title>` (empty if none)."""
    soup = BeautifulSoup(markup, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for hidden in soup(HIDDEN):
        hidden.decompose()
    return soup_text(soup), " ".join(title.split())


def soup_text(soup) -> str:
    """The text of parsed HTML, block by block."""
    for table in soup.find_all("table"):
        if table.find_parent("table") is None:
            table.replace_with(NavigableString(_BREAK + _table_rows(table) + _BREAK))
    for br in soup.find_all("br"):
        br.replace_with(NavigableString(_LINE))
    for block in soup.find_all(BLOCKS):
        block.insert_before(NavigableString(_BREAK))
        block.insert_after(NavigableString(_BREAK))
    text = _SPACES.sub(" ", soup.get_text())
    paragraphs = (part.strip(" ") for part in text.split(_BREAK))
    joined = "\n\n".join(part for part in paragraphs if part.replace(_LINE, "").strip())
    return re.sub(r" ?\u2028 ?", "\n", joined).strip()


def _table_rows(table) -> str:
    rows = []
    for row in table.find_all("tr"):
        cells = [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["td", "th"])]
        if any(cells):
            rows.append(" | ".join(cells))
    return _LINE.join(rows)
