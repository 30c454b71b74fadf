"""Text as it was written: lines a page layout wrapped are joined back into paragraphs.

A sentence is never cut by a line break of the layout (answers quote whole sentences and
a quote never spans two lines of the stored text), so every loader that reads laid-out
text (PDF pages, OCR, wrapped mail) joins the lines of a paragraph here, removes the
hyphens the layout added, and keeps real breaks: headings, list items, table rows, short
last lines. Pages are then joined into one text with their start offsets kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_HYPHENATED = re.compile(r"[^\W\d_][-\u00ad]$")  # a letter then a hyphen (or soft hyphen) ends the line
_LIST_ITEM = re.compile(r"^\s*([-*•▪◦‣>]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s")
_SENTENCE_END = tuple('.!?:;"”’)')


def join_pair(first: str, second: str) -> str:
    """Two lines of one paragraph as one: a layout hyphen dropped, else one space between.

    >>> join_pair("about the condi-", "tions he found")
    'about the conditions he found'
    >>> join_pair("The safety officer,", "Tomasz Wierzbicki")
    'The safety officer, Tomasz Wierzbicki'
    """
    first, second = first.rstrip(), second.lstrip()
    if _HYPHENATED.search(first) and second[:1].islower():
        return first[:-1] + second
    return f"{first} {second}" if first and second else first + second


def join_lines(lines: Sequence[str]) -> str:
    """The lines of one paragraph as one line."""
    text = ""
    for line in lines:
        if line.strip():
            text = join_pair(text, line) if text else line.strip()
    return text


def continues(previous: str, following: str) -> bool:
    """Whether `following` goes on with `previous`'s sentence (a hyphen, or no sentence end
    and a lower-case start): used across page breaks."""
    previous, following = previous.rstrip(), following.lstrip()
    if not previous or not following or _LIST_ITEM.match(following):
        return False
    if _HYPHENATED.search(previous):
        return following[:1].islower()
    return not previous.endswith(_SENTENCE_END) and following[:1].islower()


def unwrap(text: str) -> str:
    """Plain text hard-wrapped at a fixed width (e-mail bodies) with its paragraphs' lines
    joined; a line that ends well short of the width was ended by its writer and stays.

    >>> unwrap("The board met on Tuesday and approved the\\nbudget for next year.\\nThanks,\\nAnna")
    'The board met on Tuesday and approved the budget for next year.\\nThanks,\\nAnna'
    """
    lines = text.splitlines()
    width = max((len(line.rstrip()) for line in lines), default=0)
    if width < 40:  # short lines everywhere: a list or a poem, not wrapped prose
        return text
    out: list[str] = []
    for previous, line in zip([""] + lines, lines):
        if out and previous.strip() and line.strip() and _wrapped(previous, line, width):
            out[-1] = join_pair(out[-1], line)
        else:
            out.append(line.rstrip())
    return "\n".join(out)


def _wrapped(previous: str, line: str, width: int) -> bool:
    """Whether the writer's program broke `previous` only because `line`'s first word did not fit."""
    if _LIST_ITEM.match(line) or line.startswith(">") or previous.startswith(">"):
        return False
    return len(previous.rstrip()) + 1 + len(line.split()[0]) > width - 2


@dataclass
class Line:
    """One line of a laid-out page: its text and box (points, top-down), and its font size."""

    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    first_word: float  # width of the line's first word


def paragraphs(lines: Sequence[Line], size_tolerance: float = 0.5) -> list[str]:
    """The lines of one page (in reading order) grouped into paragraphs, each one line.

    A new paragraph starts at a wider gap than the page's usual line spacing, at a change of
    font size (by `size_tolerance` or more), and after a line that ends short of the right
    edge by more than the next line's first word (the layout would have put that word there:
    the writer broke the line).
    """
    if not lines:
        return []
    gaps = sorted(b.top - a.bottom for a, b in zip(lines, lines[1:]) if abs(a.size - b.size) < size_tolerance)
    usual = gaps[len(gaps) // 2] if gaps else 0.0
    right = max(line.x1 for line in lines)
    groups: list[list[Line]] = [[lines[0]]]
    for previous, line in zip(lines, lines[1:]):
        if _breaks(previous, line, usual, right, size_tolerance):
            groups.append([line])
        else:
            groups[-1].append(line)
    return [join_lines([line.text for line in group]) for group in groups]


def _breaks(previous: Line, line: Line, usual: float, right: float, size_tolerance: float) -> bool:
    height = max(previous.bottom - previous.top, 1.0)
    if line.top - previous.bottom > usual + 0.5 * height or abs(previous.size - line.size) >= size_tolerance:
        return True
    if line.top < previous.top - height:  # back up the page: a new column or a caption
        return True
    if _HYPHENATED.search(previous.text.rstrip()) and line.text.lstrip()[:1].islower():
        return False
    if _LIST_ITEM.match(line.text):
        return True
    return right - previous.x1 > line.first_word + 0.5 * previous.size


@dataclass
class Paged:
    """Pages joined into one text; `pages[i]` is where page `i + 1` starts in it."""

    text: str
    pages: list[int]


def join_pages(pages: Sequence[str]) -> Paged:
    """One text from page texts, a blank line between pages, or one space (the hyphen
    dropped) where a sentence runs on to the next page. Empty pages keep their number."""
    text, starts = "", []
    for page in pages:
        page = page.strip()
        if not page:
            starts.append(-1)
            continue
        if not text:
            separator = ""
        elif continues(text, page):
            separator = " "
            if _HYPHENATED.search(text):
                text, separator = text[:-1], ""
        else:
            separator = "\n\n"
        text += separator
        starts.append(len(text))
        text += page
    following = len(text)
    for number in reversed(range(len(starts))):  # an empty page starts where the next one does
        if starts[number] < 0:
            starts[number] = following
        following = starts[number]
    return Paged(text, starts)
