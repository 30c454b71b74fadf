"""The citation check on the seed article: which passage span supports an answer sentence,
and which sentences it flags (names, figures, negations, two-sentence quotes, the verifier)."""

from __future__ import annotations

import pytest

from assistant.citations.resolve import resolve
from assistant.citations.support import specifics
from tests.conftest import SEED

QUESTION = "How many countries voted for the European resolution?"


def flagged(sentences) -> list[str]:
    """The sentences the check could not support."""
    return [sentence.text for sentence in sentences if not sentence.supported]


def test_markers_after_a_full_stop_stay_with_their_sentence(seeded):
    passages = seeded.ask(QUESTION).passages
    checked = resolve("It had 93 votes in favor. [1] The US voted against it. [1]", passages, seeded.embeddings)
    assert [s.text for s in checked] == ["It had 93 votes in favor.", "The US voted against it."]
    assert [[c.number for c in s.citations] for s in checked] == [[1], [1]]
    assert SEED.name in checked[0].citations[0].doc_id


def test_a_citation_to_the_wrong_passage_is_re_pointed(seeded):
    answer = seeded.ask("Which British prime minister is scheduled to meet Trump?")
    starmer = next(p for p in answer.passages if "Keir Starmer is scheduled" in p.text)
    wrong = next(p for p in answer.passages if "Keir Starmer" not in p.text)
    text = f"Sir Keir Starmer is scheduled to meet with Trump [{wrong.number}]."
    (checked,) = resolve(text, answer.passages, seeded.embeddings)
    assert checked.text == "Sir Keir Starmer is scheduled to meet with Trump."
    assert [c.number for c in checked.citations] == [starmer.number] and checked.supported
    assert "Starmer" in checked.citations[0].quote


def test_a_wrong_figure_is_flagged_by_the_word_check_too(seeded):
    passages = seeded.ask(QUESTION).passages
    checked = resolve("It had 73 votes in favor [1]. It had 93 votes in favor [1].", passages, seeded.embeddings)
    assert flagged(checked) == ["It had 73 votes in favor."]


def test_a_verifier_that_says_no_flags_even_a_verbatim_looking_claim(seeded):
    passages = seeded.ask(QUESTION).passages
    asked = []
    checked = resolve(
        "The US voted in favor of the European resolution [1].",
        passages,
        seeded.embeddings,
        verify=lambda claim, quote: asked.append((claim, quote)) or False,
    )
    assert flagged(checked) == ["The US voted in favor of the European resolution."]
    assert asked and asked[0][0] == "The US voted in favor of the European resolution."
    assert "93 votes in favor" in asked[0][1]  # every word of the claim is in that sentence


@pytest.mark.parametrize(
    ("claim", "named"),
    [
        ("Nancy Pelosi criticized the vote.", {"nancy", "pelosi"}),
        ("China's veto power deadlocks the Security Council.", {"china", "security", "council"}),
        ("Observers say the vote signals a shift.", set()),  # a capital that only opens the sentence
        ("It had 73 votes in favor.", {"73"}),
        ("Yes, Senator Curtis spoke.", {"senator", "curtis"}),  # a comma parts the opening word from the name
        ("Macron.", set()),  # an opening capital with no name after it
    ],
)
def test_the_names_and_figures_a_quote_must_hold(claim, named):
    assert specifics(claim) == named


def test_a_name_or_role_the_quote_lacks_is_flagged_and_a_demonym_is_not(seeded):
    passages = seeded.ask("Which Republican senator expressed concern?").passages
    checked = resolve(
        "Democratic Senator John Curtis expressed deep concern over the alignment with Russia and North Korea [1]. "
        "Republican Senator John Curtis called the alignment a betrayal of America's ideals [1].",
        passages,
        seeded.embeddings,
    )
    assert flagged(checked) == [
        "Democratic Senator John Curtis expressed deep concern over the alignment with Russia and North Korea."
    ]


@pytest.mark.parametrize(
    ("claim", "supported"),
    [
        # each name lies in one of two adjacent sentences, what the claim says of it in the other
        ("Nancy Pelosi described the alignment as a betrayal of American ideals.", False),
        ("John Curtis criticized the vote for contradicting longstanding US support for democracy.", False),
        ("Sir Keir Starmer is meeting Emmanuel Macron next.", False),
        ("Emmanuel Macron is scheduled to meet Trump in a follow-up.", False),
        # the same two sentences, each name with its own words
        ("Emmanuel Macron visited Donald Trump at the White House, and Keir Starmer is scheduled to meet Trump.", True),
        ("John Curtis called the alignment a betrayal of American ideals and Nancy Pelosi criticized the vote.", True),
    ],
)
def test_two_sentences_support_a_claim_only_with_each_name_where_its_words_are(seeded, claim, supported):
    passages = seeded.retrieve(claim)
    checked = resolve(f"{claim} [1]", passages, seeded.embeddings)
    assert (flagged(checked) == []) is supported
    if supported:
        quote = checked[0].citations[0].quote
        assert {"starmer", "pelosi"} & specifics(claim) <= set(quote.lower().split())  # the pair is the quote


@pytest.mark.parametrize(
    ("claim", "supported"),
    [
        ("The US resolution was devoid of any reference to Russia's actions.", True),
        ("The US resolution was passed without any reference to Russia's actions.", True),  # denies it too
        ("The US resolution included a reference to Russia's actions.", False),  # the quote denies it
        ("The US resolution did not pass at the Security Council.", False),  # the claim denies what it states
    ],
)
def test_a_negation_the_quote_does_not_share_is_flagged(seeded, claim, supported):
    passages = seeded.retrieve("What happened to the US resolution at the UN Security Council?")
    checked = resolve(f"{claim} [1]", passages[:1], seeded.embeddings)
    assert "devoid of any reference" in passages[0].text
    assert (flagged(checked) == []) is supported
