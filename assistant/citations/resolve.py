"""A language model's answer, checked: its `[n]` markers parsed into sentences with citations,
each citation checked against its passage, re-pointed when a neighbour supports it instead.
"""

from __future__ import annotations

import re

from assistant.answer import Citation, Passage, Sentence
from assistant.citations.markers import drop_markers, markers_before_stops, numbers_in, strip_markers
from assistant.citations.support import VERIFY_FLOOR, Support, Verifier, _rank, check_support, cite
from assistant.words import sentence_spans

NOT_FOUND = "not found in the cited passages"
UNCITED = "cites no passage"


def resolve(text: str, passages: list[Passage], embeddings, verify: Verifier | None = None) -> list[Sentence]:
    """The generated `text` as checked sentences.

    Markers pointing at no passage are removed; every sentence's remaining markers are
    checked with `check_support`. A sentence none of its markers supports is pointed at the
    passage that does support it, when one does (small models often cite a neighbour);
    otherwise it keeps its citations, all unsupported, and its `reason` says so (a sentence
    without any marker has no citation and is unsupported too). With `verify`, the verifier
    has the last word on every span the words point at (`VERIFY_FLOOR` and up, every figure
    and name in it): a swapped name or a flipped "for"/"against" is flagged, a fair
    paraphrase in other words passes.
    """
    by_number = {passage.number: passage for passage in passages}
    text = drop_markers(text, lambda number: number in by_number)
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text))
    text = markers_before_stops(text).strip()
    sentences = []
    for start, end in sentence_spans(text):
        written = text[start:end]
        claim = strip_markers(written)
        if not claim:
            continue
        citations = _check(written, claim, passages, by_number, embeddings, verify)
        supported = any(c.supported for c in citations)
        reason = "" if supported else (NOT_FOUND if citations else UNCITED)
        sentences.append(Sentence(text=_unmarked(written), citations=citations, reason=reason))
    return sentences


def _unmarked(written: str) -> str:
    """The sentence as written, its markers removed and the space before its stop closed."""
    return re.sub(r"\s+([.,;:!?])", r"\1", strip_markers(written))


def _check(
    written: str, claim: str, passages: list[Passage], by_number: dict, embeddings, verify: Verifier | None
) -> list[Citation]:
    """The sentence's citations, checked; re-pointed at a supporting passage if none supports it
    (the best other span only: with a verifier each check is a model call)."""
    numbers = numbers_in(written)
    checked = []
    for number in numbers:
        support = check_support(claim, by_number[number].text, embeddings)
        supported = _confirmed(claim, by_number[number], support, verify)
        checked.append(cite(by_number[number], support.start, support.end, supported))
    if any(c.supported for c in checked):
        return checked
    others = [(p, check_support(claim, p.text, embeddings)) for p in passages if p.number not in numbers]
    if others:
        passage, support = max(others, key=lambda pair: _rank(pair[1]))
        if _confirmed(claim, passage, support, verify):
            return [cite(passage, support.start, support.end, True)]
    return checked


def _confirmed(claim: str, passage: Passage, support: Support, verify: Verifier | None) -> bool:
    """Whether the span `support` found states the claim: the verifier's word when there is
    one (and the span shares enough words to be about it), else the lexical and embedding check."""
    if verify is None:
        return support.supported
    quote = passage.text[support.start : support.end]
    return support.lexical >= VERIFY_FLOOR and support.fits and verify(claim, quote)
