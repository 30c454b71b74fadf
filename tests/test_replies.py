"""A model's reply read leniently, and its words found in the passages' sentences."""

from __future__ import annotations

import pytest

from assistant import Passage
from assistant.answering.replies import locate, parse_reply
from assistant.answering.sentences import quotable

TEXT = (
    "The bridge, designed by Anna Pike, opened in 1931. It carried 4,000 cars a day by 1960. "
    "With the UNGA serving as the principal venue for discussion due to deadlock in the Security Council, "
    "the vote mattered."
)


@pytest.fixture
def candidates():
    passage = Passage(number=2, text=TEXT, doc_id="d", title="Bridge", source="d.txt", start=0, end=len(TEXT), score=1.0)
    return quotable([passage], min_words=4)


@pytest.mark.parametrize(
    ("text", "words", "number", "abstains", "verdict"),
    [
        ("Anna Pike [2]", "Anna Pike", 2, False, None),
        ("[2] Anna Pike", "Anna Pike", 2, False, None),
        ("no [1]", "no", 1, False, "no"),
        ("Yes, [3] it did.", "Yes, it did", 3, False, "yes"),
        ("The sources don't say.", "The sources don't say", None, True, None),
        ("The sources do not say anything about it.", "The sources do not say anything about it", None, True, None),
        ("[4]", "", 4, True, None),
    ],
)
def test_replies_are_read_leniently(text, words, number, abstains, verdict):
    reply = parse_reply(text)
    assert (reply.words, reply.number, reply.abstains, reply.verdict) == (words, number, abstains, verdict)


def test_words_are_found_verbatim_whatever_their_case_and_quotes(candidates):
    assert locate("anna pike", candidates, 2).text.startswith("The bridge, designed by Anna Pike")
    assert locate("4,000 cars", candidates, 2).text.startswith("It carried 4,000 cars")


def test_restated_words_are_found_by_what_they_add_to_the_question(candidates):
    question = "Why is the General Assembly the principal venue for discussion of the war?"
    reply = "The General Assembly serves as the principal venue because of deadlock in the Security Council"
    assert locate(reply, candidates, 2, question).text.startswith("With the UNGA serving")


def test_words_that_are_nowhere_or_change_a_figure_are_not_found(candidates):
    assert locate("Ban Ki-moon", candidates, 2) is None
    assert locate("It carried 5,000 cars a day by 1960", candidates, 2) is None  # a figure the text lacks


def test_sentences_go_on_from_each_other_within_a_paragraph_only():
    from assistant.answering.sentences import next_sentence, previous_sentence

    text = "First sentence is here. Second sentence follows it.\nA new paragraph starts now."
    passage = Passage(number=1, text=text, doc_id="d", title="x", source="s", start=0, end=len(text), score=1.0)
    first, second, third = quotable([passage], min_words=3)
    assert next_sentence(first, [first, second, third]) is second and previous_sentence(second, [first, second, third]) is first
    assert next_sentence(second, [first, second, third]) is None and previous_sentence(third, [first, second, third]) is None


def test_words_inside_other_words_are_not_found(candidates):
    assert locate("Pik", candidates, 2) is None  # inside "Pike"
    assert locate("R", candidates, 2) is None  # a letter is in every sentence, and is no answer
    assert locate("UNGA serving", candidates, 2).text.startswith("With the UNGA serving")
