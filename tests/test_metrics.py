"""The evaluation metrics against hand-computed examples."""

from __future__ import annotations

import pytest

from assistant.evaluation import metrics

NOISE = "Nothing relevant in this passage."


def test_multihop_retrieval_matches_the_authors_definition():
    facts = ["Fact one is here.", "Fact two is there.", "Fact three is late."]
    chunks = [NOISE, "Intro. Fact one is here. More.", "Fact  one is here.\nAnd Fact two\nis there."]
    chunks += [NOISE] * 7 + ["Fact three is late."]  # rank 11: beyond the cut
    scores = metrics.multihop_retrieval(chunks, facts)
    # first relevant at rank 2; new facts: one at rank 2, two at rank 3 (spaces/newlines ignored)
    assert scores["hits@4"] == 1.0 and scores["hits@10"] == 1.0
    assert scores["mrr@10"] == pytest.approx(1 / 2)
    assert scores["map@10"] == pytest.approx((1 / 2 + 1 / 3) / 3)


def test_multihop_retrieval_late_and_missing_and_duplicate_facts():
    late = metrics.multihop_retrieval([NOISE] * 4 + ["Fact A."], ["Fact A.", "Fact B."])
    assert late == {"hits@4": 0.0, "hits@10": 1.0, "mrr@10": pytest.approx(0.2), "map@10": pytest.approx(0.2 / 2)}
    assert metrics.multihop_retrieval([NOISE] * 10, ["Fact A."]) == {"hits@4": 0.0, "hits@10": 0.0, "mrr@10": 0.0, "map@10": 0.0}
    # a fact listed twice is found once but divides twice, as in retrieval_evaluate.py
    assert metrics.multihop_retrieval(["Fact A."], ["Fact A.", "Fact A."])["map@10"] == pytest.approx(0.5)
    # matching is case-sensitive, as theirs
    assert metrics.multihop_retrieval(["fact a."], ["Fact A."])["hits@10"] == 0.0


def test_doc_recall():
    ranked = ["a", "b", "a", "c"]
    assert metrics.doc_recall(ranked, ["a", "c", "d"], 2) == pytest.approx(1 / 3)
    assert metrics.doc_recall(ranked, ["a", "c", "d"], 4) == pytest.approx(2 / 3)
    assert metrics.doc_recall(ranked, [], 4) is None


def test_answer_containment_is_normalised_and_whole_word():
    said = "Despite 93 votes in favor, the US voted against it. [1]"
    assert metrics.contains_answer(said, ["Voted against"])
    assert metrics.contains_answer(said, ["nope", "93"])
    assert not metrics.contains_answer(said, ["vote"])
    assert metrics.contains_answer("It reinforces Ukraine’s territorial integrity.", ["Ukraine's territorial integrity"])
    assert not metrics.contains_answer("anything", [])


def test_token_f1():
    # normalised: "cat sat on mat" vs "cat on mat": P = 3/4, R = 1
    assert metrics.token_f1("The cat sat on the mat.", ["dog", "a cat on mat"]) == pytest.approx(2 * 0.75 / 1.75)
    assert metrics.token_f1("nothing shared", ["cat"]) == 0.0


def test_lenient_match_is_multihop_rags_word_overlap():
    assert metrics.lenient_match("Sam Bankman-Fried was accused. [1]", ["sam bankman-fried"])
    assert metrics.lenient_match("The answer is no", ["No"])
    assert not metrics.lenient_match("Yes.", ["Yes"])  # punctuation is kept, as theirs
    assert not metrics.lenient_match("", ["Yes"])


def test_abstention():
    pairs = [(True, False), (True, True), (False, True), (False, False), (False, True)]
    assert metrics.abstention(pairs) == {
        "abstention_precision": pytest.approx(2 / 3),
        "abstention_recall": pytest.approx(2 / 3),
        "false_refusal_rate": pytest.approx(1 / 2),
    }
    assert metrics.abstention([(True, False)]) == {
        "abstention_precision": None,
        "abstention_recall": None,
        "false_refusal_rate": 0.0,
    }


def test_citation_scores():
    scores = metrics.citation_scores([[True], [False, True], []])
    assert scores["citation_recall"] == pytest.approx(2 / 3)  # the uncited sentence counts against
    assert scores["citation_precision"] == pytest.approx(2 / 3)
    assert metrics.citation_scores([]) == {"citation_recall": None, "citation_precision": None}


def test_mean_and_percentile():
    assert metrics.mean([1, None, True, 0]) == pytest.approx(2 / 3)
    assert metrics.mean([None]) is None
    assert metrics.percentile([4, 1, 3, 2], 0.5) == pytest.approx(2.5)
    assert metrics.percentile([1, 2, 3, 4], 0.95) == pytest.approx(3.85)
    assert metrics.percentile([], 0.5) is None


def test_precision_counts_every_answer_to_an_unanswerable_question_as_wrong():
    rows = [(True, False, True), (True, False, False), (False, False, False), (False, True, False), (True, True, False)]
    scores = metrics.answer_precision(rows)  # 3 given: 1 right, 1 wrong, 1 to an unanswerable question
    assert scores["precision"] == pytest.approx(1 / 3)
    assert scores["coverage"] == pytest.approx(1 / 3)  # 1 of 3 answerable answered right
    assert scores["answered"] == pytest.approx(3 / 5)
    assert metrics.answer_precision([(False, True, False)])["precision"] is None
