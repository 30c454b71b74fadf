"""Whether a sentence can answer a question, given what the question expects
(`expectations.Expectation`): it states something of the kind asked for, it names what the
question names, and, for a yes/no question, whether it denies what is asked.
"""

from __future__ import annotations

import re

from assistant.answering.expectations import DATE, MONEY, PERSON, PLACE, YES_NO, Expectation, parse
from assistant.words import STOPWORDS, WORD, contradicts

_FIELD = re.compile(r"\w:\s+\w")  # "Operator: Nordic Container Lines"
_CURRENCIES = frozenset(
    "euro dollar pound yen yuan franc krona krone rupee peso real rand won ruble rouble dinar dirham lira "
    "shekel zloty forint baht ringgit bitcoin eur usd gbp jpy chf cad aud".split()
)
_LOCATIVE = frozenset("in on at near inside outside beside behind under above across along by opposite".split())
_NOT_PLACES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
_SYMBOLS = frozenset("$ € £ ¥ ₹ ₩ ₽ ₺".split())
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_CLOCK = re.compile(r"\b([01]?[0-9]|2[0-3])[:.][0-5][0-9]\b|\b([1-9]|1[0-2])\s?(am|pm|a\.m\.|p\.m\.)", re.IGNORECASE)


def holds(expectation: Expectation, text: str) -> bool:
    """Whether `text` states something (a verb, or `Field: value` as in a table row; not a
    heading or a list label) holding an entity of the kind the question asks for, beyond what
    the question already names ("93 votes" answers "how many"; the question's own "two
    resolutions" does not). In a table row, where the entity recogniser misses names, a proper
    noun answers "who" or "where". The small recogniser also misses names it has not seen
    ("Ines Carvalho won ...") and clock times ("departs at 23:40"), so a proper noun it left
    unlabelled counts for "who"/"where", a clock time for "when", and a place in common nouns
    for "where"."""
    doc = parse(text)
    fields = bool(_FIELD.search(text))
    if not fields and not any(token.pos_ in ("VERB", "AUX") for token in doc):
        return False
    if not expectation.labels:
        return True
    asked = {word.lower() for word in WORD.findall(expectation.question)}
    for entity in doc.ents:
        words = {word.lower() for word in WORD.findall(entity.text)}
        if (entity.label_ in expectation.labels or _priced(expectation, entity)) and words - asked:
            return True
    if expectation.kind == PLACE and _located(doc, asked):
        return True
    if expectation.kind in (PERSON, PLACE):
        return any(
            token.pos_ == "PROPN" and token.lower_ not in asked and (fields or not token.ent_type_) for token in doc
        )
    if expectation.kind == DATE:
        return any(match.group(0).lower() not in expectation.question.lower() for match in _CLOCK.finditer(text))
    return False


def _located(doc, asked: set[str]) -> bool:
    """A place said in common nouns ("held on the harbour wall", "kept in the town hall"): a
    locative preposition whose object the question does not already name."""
    return any(
        token.dep_ == "prep" and token.lower_ in _LOCATIVE
        and any(child.dep_ == "pobj" and child.lower_ not in asked and child.pos_ in ("NOUN", "PROPN")
            and child.ent_type_ not in _NOT_PLACES for child in token.children)
        for token in doc
    )


def _priced(expectation: Expectation, entity) -> bool:
    """A figure followed by a currency the recogniser did not take for money ("6.5 million euros")."""
    after = entity.doc[entity.end] if entity.end < len(entity.doc) else None
    before = entity.doc[entity.start - 1] if entity.start > 0 else None
    return expectation.kind == MONEY and entity.label_ == "CARDINAL" and (
        (after is not None and after.lemma_.lower() in _CURRENCIES) or (before is not None and before.text in _SYMBOLS)
    )


def mentions(expectation: Expectation, text: str) -> bool:
    """Whether `text` names every entity of the question (one of them, for a question across
    documents), and every year it names: a name's words in a row ("Saltcombe Reach", not
    "Saltcombe Railway ... reached"; a one-word name of four letters or more may begin a longer
    word: "America" in "American"), or its acronym ("UN" for "United Nations", "General
    Assembly" inside "UNGA"). Nationalities and groups need only not be contradicted."""
    named = _all_named(expectation.entities, text)
    if expectation.across_documents:
        return not expectation.entities or any(named)
    found = {word.lower() for word in WORD.findall(text)}
    return set(_YEAR.findall(expectation.question)) <= found and all(named) and _attributes_fit(expectation, text)


def _attributes_fit(expectation: Expectation, text: str) -> bool:
    """Nationalities and groups are said many ways ("the French leader", "the American
    president" for "President Donald Trump"), so one the text leaves out is no objection, unless
    the text names another in its place: "Republican Senator John Curtis" does not answer
    "Which Democratic senator ...?", nor "the European resolution" "the Russian-drafted one"."""
    wanted = expectation.attributes
    if not wanted:
        return True
    others = [e.text for e in parse(text).ents if e.label_ == "NORP" and not any(_all_named((w,), e.text)[0] for w in wanted)]
    return not others or all(_all_named(wanted, text))


def _all_named(entities: tuple[str, ...], text: str) -> list[bool]:
    words = WORD.findall(text)
    found = {word.lower() for word in words}
    lowered = " " + " ".join(word.lower() for word in words) + " "
    return [_named(entity, found, words, lowered) for entity in entities]


def _named(entity: str, found: set[str], words: list[str], lowered: str) -> bool:
    written = WORD.findall(entity)
    while len(written) > 1 and written[0].lower() in STOPWORDS:  # "the UN General Assembly"
        written = written[1:]
    wanted = [word for word in written if word.lower() not in STOPWORDS] or written  # "May" is a stopword too
    if len(wanted) == 1 and _found(wanted[0].lower(), found):
        return True
    if len(wanted) > 1 and " " + " ".join(w.lower() for w in written) + " " in lowered:
        return True
    initials = "".join(word[0] for word in wanted if word[:1].isupper())
    if len(initials) >= 2 and any(initials in word for word in words if word.isupper()):
        return True  # "General Assembly" in "UNGA"
    if len(wanted) == 1 and wanted[0].isupper() and len(wanted[0]) >= 2:
        return wanted[0] in _acronyms(words)  # "UN" for "United Nations"
    return False


def _found(word: str, found: set[str]) -> bool:
    return word in found or (len(word) >= 4 and not word.isdigit() and any(w.startswith(word) for w in found))


def _acronyms(words: list[str]) -> set[str]:
    """The initials of every run of capitalised words ("United Nations" -> UN)."""
    acronyms, run = set(), ""
    for word in [*words, ""]:
        if word[:1].isupper():
            run += word[0]
            continue
        acronyms.update(run[start:end] for start in range(len(run)) for end in range(start + 2, len(run) + 1))
        run = ""
    return acronyms


def says_no(expectation: Expectation, text: str) -> bool:
    """Whether `text` denies what a yes/no question asks: "Was the reference to Russia included?"
    against "devoid of any reference to Russia" (`words.contradicts`, on the question without
    its auxiliary)."""
    if expectation.kind != YES_NO:
        return False
    doc = parse(expectation.question)
    statement = " ".join(token.text for token in doc if not (token.pos_ == "AUX" and token.i == 0))
    return contradicts(statement, text)


def full_name(words: str, texts: list[str]) -> str:
    """The longest name in `texts` that holds `words` ("Bankman-Fried" -> "Sam Bankman-Fried"):
    a model names someone as briefly as it can, the sources in full somewhere."""
    wanted = " ".join(WORD.findall(words.lower()))
    best = words
    for text in texts:
        for entity in parse(text).ents:
            said = " ".join(WORD.findall(entity.text.lower()))
            if wanted and f" {wanted} " in f" {said} " and len(entity.text) > len(best):
                best = entity.text
    return best
