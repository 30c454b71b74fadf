"""Hybrid retrieval: question analysis, and a corpus where the outlet a question names decides."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from assistant import Assistant
from assistant.retrieval.question import clauses, dates, mentions, named
from assistant.retrieval import make_retriever
from ingest import lookup
from ingest.tokens import words
from tests.conftest import DATA

ALIASES = {"the verge": [0], "techcrunch": [1], "wired": [2], "dana ruiz": [0]}


def test_clauses_split_multi_part_questions():
    assert clauses("Did The Verge report the launch, and did TechCrunch confirm the price?") == [
        "Did The Verge report the launch",
        "and did TechCrunch confirm the price",
    ]
    assert clauses("Who won?") == []


def test_named_outlets_need_a_capital_and_take_the_longest_match():
    question = "What did The Verge and TechCrunch say about wired headphones?"
    assert [alias for _, _, alias in named(question, ALIASES)] == ["the verge", "techcrunch"]


def test_dates_in_questions():
    found = [when for _, _, when in dates("Reported on October 5, 2023 and again in November 2023?")]
    assert found == [(2023, 10, 5), (2023, 11, None)]


def test_a_date_after_an_outlet_narrows_it():
    doc_dates = [date(2023, 10, 5), date(2023, 11, 20), date(2023, 10, 12)]
    aliases = {"wired": [0, 2], "techcrunch": [1]}

    def on(when):
        year, month, day = when
        return {n for n, d in enumerate(doc_dates) if d.year == year and d.month == month and d.day == day}

    found = mentions("What did Wired report on October 12, 2023, and TechCrunch?", aliases, aliases.get, on)
    assert [sorted(m) for m in found] == [[2], [1]]


@pytest.fixture
def news(settings, embeddings, tmp_path) -> Assistant:
    folder = tmp_path / "news"
    shutil.copytree(DATA / "news", folder)
    assistant = Assistant(settings, embeddings=embeddings)
    assistant.ingest([folder])
    return assistant


def ranked(assistant: Assistant, question: str) -> list[str]:
    """File names of the retrieved passages, in retrieval order."""
    retriever = make_retriever(assistant.index, assistant.settings.retrieval)
    return [d.metadata["doc_id"].rsplit("/", 1)[-1] for d in retriever.invoke(question)]


def test_the_named_outlet_comes_first(news):
    for outlet, doc in [("TechCrunch", "techcrunch-battery"), ("Wired", "wired-battery"), ("The Verge", "verge-battery")]:
        found = ranked(news, f"What did {outlet} report about sodium battery packs for scooters?")
        assert found[0] == f"{doc}.txt", (outlet, found)


def test_two_named_outlets_both_reach_the_top(news):
    found = ranked(news, "Did The Verge report on Voltcraft's battery, and did TechCrunch report its funding?")
    assert set(found[:2]) == {"verge-battery.txt", "techcrunch-battery.txt"}


def test_lexical_index_follows_the_store(news, tmp_path):
    index = news.index
    lexical = index.search_index().lexical
    assert lexical.count() == index.count() and lexical.generation == index.catalog.generation()
    extra = tmp_path / "news" / "extra.txt"
    extra.write_text("Bicycle Lanes Expand\nSource: The Verge\n\nThe city added 40 km of bicycle lanes.\n")
    news.ingest([tmp_path / "news"])
    assert lexical.count() == index.count() and lexical.generation == index.catalog.generation()
    found = lookup.passages(lexical, words("bicycle lanes"), 5)
    best = next(iter(found))  # the best BM25 first
    assert index.fetch([best])[best][1]["doc_id"].endswith("extra.txt")
    assert "The Verge" in news.ask("How many km of bicycle lanes did the city add?").passages[0].fields["source"]
