"""What a question says about where its answer is: its clauses, and the outlets, authors
and dates it names (matched against the corpus's own header fields, never a fixed list).
"""

from __future__ import annotations

import re

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = re.compile(_MONTH + r"\s+(\d{1,2})(?!\d)(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?", re.I)
_MONTH_YEAR = re.compile(_MONTH + r",?\s+(\d{4})", re.I)
_CLAUSE = re.compile(r",\s+|\s+(?:and|while|but|whereas|or)\s+|;\s*|\?\s*")

When = tuple[int | None, int, int | None]  # (year, month, day)


def clauses(question: str, min_words: int = 3) -> list[str]:
    """The parts of a multi-part question (split at commas, and/while/but/or, semicolons).

    >>> clauses("Did The Verge report the launch, and did TechCrunch confirm the price?")
    ['Did The Verge report the launch', 'and did TechCrunch confirm the price']
    """
    return [part for part in _CLAUSE.split(question) if len(part.split()) >= min_words]


def named(question: str, aliases) -> list[tuple[int, int, str]]:
    """`(start, end, alias)` of every field value the question names, longest first, no overlaps.

    A match must start with a capital letter or a digit in the question, so that common
    words ("the age of 16") don't name an outlet called "The Age".
    """
    lowered, taken = question.lower(), []
    for alias in sorted(aliases, key=len, reverse=True):
        for match in re.finditer(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", lowered):
            start, end = match.span()
            capital = question[start].isupper() or question[start].isdigit()
            if capital and not any(start < e and s < end for s, e, _ in taken):
                taken.append((start, end, alias))
    return sorted(taken)


def dates(question: str) -> list[tuple[int, int, When]]:
    """`(start, end, (year, month, day))` of every date the question names ("October 2023")."""
    found = []
    for match in _DAY.finditer(question):
        year = int(match.group(3)) if match.group(3) else None
        found.append((match.start(), match.end(), (year, _month(match.group(1)), int(match.group(2)))))
    for match in _MONTH_YEAR.finditer(question):
        if not any(s <= match.start() < e for s, e, _ in found):
            found.append((match.start(), match.end(), (int(match.group(2)), _month(match.group(1)), None)))
    return sorted(found)


def _month(name: str) -> int:
    return MONTHS.index(name[:3].lower()) + 1


def mentions(question: str, aliases, documents_named, documents_on) -> list[set]:
    """One document set per outlet, author or date the question names, in question order.

    `aliases` are the names the corpus knows; `documents_named(alias)` and
    `documents_on((year, month, day))` give the documents an alias or a date picks. A date
    right after an outlet ("The Verge, on October 5") narrows that outlet's documents when
    some match; any other date is a set of its own.
    """
    names = named(question, aliases)
    days = dates(question)
    used: set[int] = set()
    found = []
    for n, (start, end, alias) in enumerate(names):
        docs = set(documents_named(alias))
        following = names[n + 1][0] if n + 1 < len(names) else len(question)
        for d, (date_start, _, when) in enumerate(days):
            if end <= date_start < following and d not in used:
                narrowed = docs & set(documents_on(when))
                if narrowed:
                    docs, _ = narrowed, used.add(d)
                break
        found.append((start, docs))
    found += [(start, set(documents_on(when))) for d, (start, _, when) in enumerate(days) if d not in used]
    return [docs for _, docs in sorted(found, key=lambda pair: pair[0]) if docs]
