"""Words as lexical search sees them: lower-cased runs of two or more word characters,
Lucene's English stop words left out, Snowball-stemmed.

The ranking's BM25 weights were tuned on exactly this tokenization (scikit-learn's token
pattern, as bm25s splits), so the lexical index is fed these words pre-split: it indexes
them with a whitespace tokenizer and never tokenizes text itself.

>>> words("The Verge's prices fell, and TechCrunch reported it.")
['verg', 'price', 'fell', 'techcrunch', 'report']
"""

from __future__ import annotations

import re
import threading

TOKEN = re.compile(r"(?u)\b\w\w+\b")
# Lucene's English stop words.
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)
SLICE = 1 << 20  # characters: a long text is tokenized in slices of about this size
_WHITESPACE = re.compile(r"\s")
_local = threading.local()


def words(text: str) -> list[str]:
    """The stemmed words of `text`, in order (repeats kept: they are term frequencies)."""
    found: list[str] = []
    for piece in _slices(text):
        found += _stemmer().stemWords([w for w in TOKEN.findall(piece.lower()) if w not in STOPWORDS])
    return found


def _slices(text: str):
    """`text` cut at whitespace about every megabyte: one 50 MB string tokenized at once makes
    millions of transient strings."""
    start = 0
    while len(text) - start > SLICE:
        space = _WHITESPACE.search(text, start + SLICE)
        if space is None:
            break
        yield text[start : space.start()]
        start = space.end()
    yield text[start:]


def _stemmer():
    """A Snowball stemmer per thread (PyStemmer's objects are not thread-safe)."""
    if not hasattr(_local, "stemmer"):
        import Stemmer

        _local.stemmer = Stemmer.Stemmer("english")
    return _local.stemmer
