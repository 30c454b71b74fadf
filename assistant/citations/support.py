"""How well a passage supports an answer sentence, and where: the citation check.

A span supports a claim when their words and meanings agree, every figure and name of the
claim is in it, and no negation differs; `cite` turns the span into a `Citation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer import Citation, Passage
from assistant.citations.markers import strip_markers
from assistant.words import STOPWORDS, WORD, contradicts, sentence_spans, stem, terms


def cite(passage: Passage, start: int, end: int, supported: bool = True) -> Citation:
    """A citation of `passage.text[start:end]`, with offsets moved into the document and the
    pages the quote starts and ends on."""
    first, last = passage.page_of(passage.start + start), passage.page_of(passage.start + max(start, end - 1))
    return Citation(
        number=passage.number,
        doc_id=passage.doc_id,
        title=passage.title,
        source=passage.source,
        quote=passage.text[start:end],
        start=passage.start + start,
        end=passage.start + end,
        page=first,
        page_end=last if last != first else None,
        supported=supported,
    )


@dataclass(frozen=True)
class Support:
    """How well a passage supports an answer sentence, and where."""

    start: int  # span of the passage's best-matching sentence, offsets in the passage text
    end: int
    lexical: float  # share of the sentence's content words found in that passage sentence
    dense: float  # cosine similarity of the two sentences' embeddings
    supported: bool
    fits: bool = True  # the claim's figures and names are in the span where it puts them; no negation differs


LEXICAL_SUPPORT = 0.5
DENSE_SUPPORT = 0.6
VERIFY_FLOOR = 0.3  # least lexical support for which a verifier is asked at all

Verifier = Callable[[str, str], bool]
"""`(claim, quote) -> whether the quote states the claim`: a model's judgement of meaning
(who did what, yes or no), which word overlap and embeddings cannot tell apart."""


def check_support(sentence: str, passage_text: str, embeddings) -> Support:
    """Whether `passage_text` supports `sentence`: lexical and embedding support, both needed.

    The quote is the passage sentence that supports the claim best or, when no single one
    does, two adjacent sentences that do together (claims often join a sentence and its
    neighbour). A span supports a claim when the claim's content words largely occur in it
    (`LEXICAL_SUPPORT`) and the two mean nearly the same (`DENSE_SUPPORT`), or when every
    content word occurs in one sentence and there are at least two (or a number: a terse
    answer such as "93 [1]"). Either way every figure and name of the claim must be in the span
    (`specifics`), in a two-sentence span a name must sit with something the claim says of
    it (`_anchored`), and the span must not deny what the claim states nor state what it
    denies (`words.contradicts`). When no span supports the claim, the best-scoring one that holds its names is the quote.
    """
    claim = strip_markers(sentence)
    singles = sentence_spans(passage_text) or [(0, len(passage_text))]
    pairs = [(a[0], b[1]) for a, b in zip(singles, singles[1:])]
    spans = singles + pairs
    vectors = embeddings.embed_documents([claim, *(passage_text[a:b] for a, b in spans)])
    wanted, named = terms(claim), specifics(claim)
    parts = [[single] for single in singles] + [list(pair) for pair in zip(singles, singles[1:])]
    fits = [_fits(claim, named, wanted, [passage_text[a:b] for a, b in sentences]) for sentences in parts]
    scored = [
        _support(wanted, fit, passage_text[a:b], vectors[0], vector, a, b, single=n < len(singles))
        for n, ((a, b), vector, fit) in enumerate(zip(spans, vectors[1:], fits))
    ]
    best_single = max(scored[: len(singles)], key=_rank)
    if best_single.supported or not pairs:
        return best_single
    return max(best_single, max(scored[len(singles) :], key=_rank), key=_rank)


def _rank(support: Support) -> tuple:
    return support.supported, support.fits, support.lexical + support.dense


def _support(wanted: set[str], fits: bool, text: str, claim_vector, vector, start: int, end: int, single: bool) -> Support:
    dense = float(sum(a * b for a, b in zip(claim_vector, vector)))
    found = terms(text)
    lexical = len(wanted & found) / len(wanted) if wanted else 0.0
    contained = single and lexical == 1.0 and _specific(wanted)
    supported = (contained or (lexical >= LEXICAL_SUPPORT and dense >= DENSE_SUPPORT)) and fits
    return Support(start, end, lexical, dense, supported, fits)


def _fits(claim: str, named: set[str], wanted: set[str], sentences: list[str]) -> bool:
    """Whether a span of one or two sentences holds the claim's figures and names (each where
    the claim's words about it are, `_anchored`) and no negation differs (`contradicts`)."""
    span = " ".join(sentences)
    if not _all_in(named, span) or contradicts(claim, span):
        return False
    return len(sentences) == 1 or _anchored(named, wanted, *sentences)


def _anchored(named: set[str], wanted: set[str], first: str, second: str) -> bool:
    """Whether two adjacent sentences state the claim of the same names: False when a name
    only one sentence holds comes there with nothing the claim says (`wanted` less the names)
    while the other sentence says it. "Pelosi described the alignment as a betrayal" is not
    stated by "Curtis described it as a betrayal. Pelosi criticized the vote."
    """
    said = wanted - {stem(name) for name in named}
    for own, other in ((first, second), (second, first)):
        alone = any(_all_in({name}, own) and not _all_in({name}, other) for name in named)
        if alone and not said & terms(own) and said & terms(other):
            return False
    return True


def _all_in(named: set[str], text: str) -> bool:
    """Whether every figure and name is a word of `text`, or a name of four letters or more
    begins one ("America" in "American")."""
    found = {word.lower() for word in WORD.findall(text)}
    return all(
        name in found or (len(name) >= 4 and not name.isdigit() and any(word.startswith(name) for word in found))
        for name in named
    )


def specifics(claim: str) -> set[str]:
    """The claim's figures and names (capitalised words), lower-cased: a span that
    lacks one is about something else ("73 votes" is not "93 votes", "Pelosi said" is not
    "Curtis said"). A capital that only opens the sentence counts when a name follows from it
    ("Nancy Pelosi", "China's"), not when a comma parts them ("Yes, Senator Curtis")."""
    matches = list(WORD.finditer(claim))
    picked = set()
    for n, match in enumerate(matches):
        token = match.group()
        name = token[:1].isupper() and (n > 0 or _opens_a_name(claim, matches))
        if (token.isdigit() or name) and token.lower() not in STOPWORDS:
            picked.add(token.lower())
    return picked


def _opens_a_name(claim: str, matches: list[re.Match]) -> bool:
    """True when the claim's first word runs into a capitalised word ("Nancy Pelosi") or a
    possessive ("China's"); False after a comma ("Yes, Senator") or with nothing after it."""
    if len(matches) < 2:
        return False
    between, following = claim[matches[0].end() : matches[1].start()], matches[1].group()
    return (between == " " and following[:1].isupper()) or (between in "'’" and following == "s")


def _specific(words: set[str]) -> bool:
    """Enough words (or a number) that finding all of them in a sentence means something."""
    return len(words) >= 2 or any(char.isdigit() for word in words for char in word)
