"""Words and sentences: the units answers are scored and checked in.

Sentences come from pysbd; words are Snowball-stemmed content words (Lucene's English stop
words and the words that only shape a question left out).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

WORD = re.compile(r"\w+", re.UNICODE)
# Lucene's English stop words plus the words that only shape a question.
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it of on or such that the their then "
    "there these they this to was will with what which who whom whose when where why how many much "
    "did does do done has have had can could would should may might about according from were been "
    "its his her he she them we you your our i me my".split()
)
# Words that deny what follows them ("devoid of any reference", "avoiding any condemnation").
NEGATIONS = frozenset(
    "no not never none nor neither without devoid avoid avoids avoided avoiding refrain refrains "
    "refrained refraining fail fails failed failing lack lacks lacked lacking".split()
)
_QUANTIFIERS = frozenset("any all single".split())
_SCOPE = 3  # words after a negation that may hold the word it denies
_NEGATABLE = re.compile(r"\w+(?:['’]t\b)?", re.UNICODE)  # keeps "didn't" whole
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
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def terms(text: str) -> set[str]:
    """The stemmed content words of `text`."""
    return {stem(w) for w in WORD.findall(text.lower()) if w not in STOPWORDS}


def denied(text: str) -> set[str]:
    """The stemmed content words `text` negates: the first one in the few words after a
    negation ("was not passed" -> pass, "devoid of any reference" -> refer, "didn't vote" -> vote).

    >>> sorted(denied("The resolution, devoid of any reference to Russia, didn't pass."))
    ['pass', 'refer']
    """
    words = _NEGATABLE.findall(text.lower())
    found = set()
    for n, word in enumerate(words):
        if word in NEGATIONS or word.endswith(("n't", "n’t")):
            governed = [w for w in words[n + 1 : n + 1 + _SCOPE] if w not in STOPWORDS | _QUANTIFIERS | NEGATIONS]
            found.update(stem(w) for w in governed[:1])
    return found


def contradicts(claim: str, text: str) -> bool:
    """Whether `text` denies a word the claim states, or states a word the claim denies
    ("The resolution condemned Russia" against "avoiding any condemnation of Russia")."""
    claimed, denies = terms(claim), denied(claim)
    text_denies = denied(text)
    return bool((text_denies & claimed) - denies or (denies & terms(text)) - text_denies)
