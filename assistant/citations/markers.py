"""The `[n]` citation marker: its one definition.

Language models write answers with markers, so their text is parsed here (and only here);
an `Answer` keeps its citations as data and writes markers back with `with_markers`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MARKER = re.compile(r"\[(\d+)\]")
_SPACED = re.compile(r"\s*\[\d+\]")
_BEFORE_STOP = re.compile(r"([.!?])((?:\s*\[\d+\])+)")


def marker(number: int) -> str:
    """`[number]`."""
    return f"[{number}]"


def with_markers(text: str, numbers: Iterable[int]) -> str:
    """`text` followed by a marker for each number (none: the text as it is)."""
    markers = "".join(marker(n) for n in dict.fromkeys(numbers))
    return f"{text} {markers}" if markers else text


def strip_markers(text: str) -> str:
    """`text` without its `[n]` markers."""
    return _SPACED.sub("", text).strip()


def numbers_in(text: str) -> list[int]:
    """The passage numbers a text's markers point at, in order, each once."""
    return list(dict.fromkeys(int(n) for n in MARKER.findall(text)))


def drop_markers(text: str, keep) -> str:
    """`text` without the markers whose number `keep(number)` refuses."""
    return MARKER.sub(lambda m: m.group(0) if keep(int(m.group(1))) else "", text)


def markers_before_stops(text: str) -> str:
    """`Paris is big. [1]` -> `Paris is big [1].`, so a marker stays with its sentence."""
    return _BEFORE_STOP.sub(lambda m: m.group(2).rstrip() + m.group(1), text)
