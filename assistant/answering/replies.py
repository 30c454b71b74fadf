"""A language model's reply to the answer prompt, read and found in the passages.

The reply is `[n] words` (the passage that answers and its words), `[n] yes|no`, or the
sentinel. Small models stray from the format, so the reading is lenient: any marker, words
around it, a verdict as the first word. The words must then be found in a sentence of the
passages: verbatim, or every content word and every name and figure in one sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.answering.sentences import Candidate
from assistant.citations.markers import numbers_in, strip_markers
from assistant.citations.support import specifics
from assistant.words import WORD, terms

_VERDICTS = {"yes": "yes", "no": "no", "true": "yes", "false": "no"}
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_EDGES = " \t\"'.,;:!?()[]"
# Least share of the reply's content words one sentence must hold when the words are not
# verbatim: small models restate ("The General Assembly serves as ..." for "With the UNGA
# serving as ..."); the answer is the sentence, quoted, never the model's words.
COVERAGE = 0.75


@dataclass(frozen=True)
class Reply:
    """What the model answered."""

    words: str  # the reply without its markers
    number: int | None  # the passage it named first
    abstains: bool  # the sentinel, or nothing at all

    @property
    def verdict(self) -> str | None:
        """"yes" or "no" when the reply opens with one."""
        first = WORD.findall(self.words.lower())[:1]
        return _VERDICTS.get(first[0]) if first else None


def parse_reply(text: str, sentinel: str = "The sources don't say.") -> Reply:
    """The reply's passage number, words and whether it is the sentinel."""
    normal = " ".join(text.lower().replace("do not", "don't").replace("’", "'").split())
    numbers = numbers_in(text)
    words = strip_markers(text).strip(_EDGES)
    abstains = sentinel.lower().rstrip(".") in normal or not words
    return Reply(words=words, number=numbers[0] if numbers else None, abstains=abstains)


def locate(words: str, candidates: list[Candidate], preferred: int | None = None, question: str = "") -> Candidate | None:
    """The sentence holding the reply's words: verbatim (case, quotes and spacing aside), else
    the one holding most of their content words (`COVERAGE` at least; the words the question
    already says count only when the reply says nothing else) and all their figures; the named
    passage's sentences first."""
    wanted = normalized(words)
    if not wanted:
        return None
    order = sorted(candidates, key=lambda c: c.passage.number != preferred)
    verbatim = [c for c in order if states(words, c.text)]
    if verbatim:
        return verbatim[0]
    content = (terms(words) - terms(question)) or terms(words)
    figures = {word for word in specifics(words) if any(char.isdigit() for char in word)}
    if not content:
        return None
    best, share = None, 0.0
    for candidate in order:
        if not figures <= {w.lower() for w in WORD.findall(candidate.text)}:
            continue
        covered = len(content & terms(candidate.text)) / len(content)
        if covered >= COVERAGE and covered > share:  # ties keep the named passage's sentence
            best, share = candidate, covered
    return best


def states(words: str, text: str) -> bool:
    """Whether `text` holds `words` verbatim as whole words ("R" is not in "Ukraine's"), and
    the words say something: a letter alone is not an answer."""
    wanted = normalized(words)
    if len(re.sub(r"\W", "", wanted)) < 2 and not any(ch.isdigit() for ch in wanted):
        return False
    return re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", normalized(text)) is not None


def normalized(text: str) -> str:
    """Lower case, straight quotes and dashes, single spaces, no edge punctuation: for finding words verbatim."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return " ".join(text.split()).strip(_EDGES)
