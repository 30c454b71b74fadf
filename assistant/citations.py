"""Citations: sentence spans in passages, markers in answers, and how well text supports text."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from assistant.answer import Citation, Passage

MARKER = re.compile(r"\[(\d+)\]")
_WORD = re.compile(r"\w+", re.UNICODE)
# Lucene's English stop words plus the words that only shape a question.
_STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with what which who whom whose when where why how many much "
    "did does do done has have had can could would should may might about according from were been "
    "its his her he she them we you your our i me my".split()
)
_local = threading.local()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of every sentence in `text`, whitespace trimmed; lines never join."""
    spans = []
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            for piece in _segmenter().segment(line):
                spans.append(_trimmed(line, piece.start, piece.end, offset))
        offset += len(line)
    return [span for span in spans if span[1] > span[0]]


def _segmenter():
    if not hasattr(_local, "segmenter"):
        import pysbd

        _local.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return _local.segmenter


def _trimmed(line: str, start: int, end: int, offset: int) -> tuple[int, int]:
    piece = line[start:end]
    start += len(piece) - len(piece.lstrip())
    end -= len(piece) - len(piece.rstrip())
    return offset + start, offset + end


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def terms(text: str) -> set[str]:
    """The stemmed content words of `text`."""
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS}


def overlap(question_terms: set[str], text: str) -> float:
    """Share of the question's content words that `text` contains."""
    if not question_terms:
        return 0.0
    return len(question_terms & terms(text)) / len(question_terms)


def cite(passage: Passage, start: int, end: int, sentence: str, supported: bool = True) -> Citation:
    """A citation of `passage.text[start:end]`, with offsets moved into the document."""
    return Citation(
        number=passage.number,
        doc_id=passage.doc_id,
        title=passage.title,
        source=passage.source,
        quote=passage.text[start:end],
        start=passage.start + start,
        end=passage.start + end,
        sentence=sentence,
        supported=supported,
    )
