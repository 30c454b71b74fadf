"""Asking within some documents: the selectors (ids, files, folders, field:value), retrieval
filtered in the hybrid ranking and in Chroma (dense mode), and the answer saying its scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, QuestionError, Scope
from assistant.scope import matching, resolve

FERRY = "What does a ferry ticket to Tarn Island cost?"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ferries(tmp_path) -> Path:
    """Two documents that both answer FERRY (differently), in two folders, and an unrelated one."""
    folder = tmp_path / "ferries"
    write(
        folder / "north" / "north-ferry.txt",
        "Northern Ferry Prices Rise\nSource: The Harbour Post\nPublished: 2024-10-02\n\n"
        "A ferry ticket to Tarn Island now costs 14 euros on the northern line, the operator said.\n",
    )
    write(
        folder / "south" / "south-ferry.txt",
        "Southern Ferries Cut Fares\nSource: Coast Daily\nPublished: 2024-11-20\n\n"
        "A ferry ticket to Tarn Island costs 9 euros on the southern route from Monday.\n",
    )
    write(
        folder / "south" / "gardens.txt",
        "Garden Show Returns\nSource: Coast Daily\nPublished: 2024-11-21\n\n"
        "The garden show on the pier drew 3,000 visitors over the weekend.\n",
    )
    return folder


@pytest.fixture
def ferry_assistant(assistant: Assistant, ferries: Path) -> Assistant:
    assistant.ingest([ferries])
    return assistant


def ids(assistant: Assistant) -> dict[str, str]:
    return {Path(doc.source).name: doc.doc_id for doc in assistant.documents()}


def test_selectors_name_documents_by_id_file_folder_and_field(ferry_assistant):
    entries = {doc.doc_id: doc for doc in ferry_assistant.documents()}
    by_name = ids(ferry_assistant)
    north, south, gardens = by_name["north-ferry.txt"], by_name["south-ferry.txt"], by_name["gardens.txt"]
    assert matching(north, entries) == {north}
    assert matching("south-ferry.txt", entries) == {south}
    assert matching("south/south-ferry.txt", entries) == {south}
    assert matching("south/", entries) == {south, gardens}
    assert matching("source:Coast Daily", entries) == {south, gardens}
    assert matching("source:coast daily", entries) == {south, gardens}
    assert matching("published:2024-10", entries) == {north}
    assert matching("published:2024-11-01..2024-11-20", entries) == {south}
    assert matching("author:Nobody", entries) == set()
    scope = resolve(["north/", "published:2024-11-21"], entries)
    assert scope == Scope(asked=["north/", "published:2024-11-21"], documents=sorted([north, gardens]))
    assert str(scope) == "2 documents (north/; published:2024-11-21)"
    assert resolve([" ", ""], entries) is None


def test_a_selector_matching_nothing_is_refused_with_what_to_give(ferry_assistant):
    with pytest.raises(QuestionError, match=r"No indexed document matches 'atlantis.txt'.*fields here: published, source"):
        ferry_assistant.ask(FERRY, documents=["atlantis.txt"])


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
def test_a_question_within_one_document_cites_only_that_one(assistant, ferries, mode):
    assistant.settings.retrieval.mode = mode  # this test's own assistant
    assistant.ingest([ferries])
    both = assistant.ask(FERRY)
    assert {Path(c.source).name for c in both.citations} & {"north-ferry.txt", "south-ferry.txt"}
    assert both.scope is None

    for name, price in [("north-ferry.txt", "14 euros"), ("south-ferry.txt", "9 euros")]:
        answer = assistant.ask(FERRY, documents=[name])
        assert price in answer.text, (mode, name, answer.text)
        assert {Path(p.source).name for p in answer.passages} == {name}
        assert answer.scope.asked == [name] and len(answer.scope.documents) == 1


def test_retrieve_and_stream_take_the_scope_too(ferry_assistant):
    passages = ferry_assistant.retrieve(FERRY, documents=["south/"])
    assert passages and {Path(p.source).parent.name for p in passages} == {"south"}
    response = ferry_assistant.stream(FERRY, documents=["source:The Harbour Post"])
    assert "".join(response)
    assert response.answer().scope.documents == [ids(ferry_assistant)["north-ferry.txt"]]
    assert "14 euros" in response.answer().text


def test_the_answer_json_carries_its_scope_and_answerer(ferry_assistant):
    dumped = ferry_assistant.ask(FERRY, documents=["south-ferry.txt"]).model_dump(mode="json")
    assert dumped["scope"]["asked"] == ["south-ferry.txt"]
    assert dumped["answerer"] == "extractive"


def test_scopes_offers_the_corpus_folders_outlets_and_months(ferry_assistant):
    offered = ferry_assistant.scopes()
    assert any(choice.endswith("/north/") for choice in offered)
    assert {"source:Coast Daily", "source:The Harbour Post", "published:2024-10", "published:2024-11"} <= set(offered)
    for choice in offered:
        assert ferry_assistant.scope([choice]).documents



def test_a_scope_gathers_its_own_candidates_beyond_the_global_top_k(assistant, ferries):
    """Each engine searches the scope's documents only: with two candidates an engine, the
    global ones are ferry prices, yet asked within the harbour log its passage comes back (from
    the lexical index alone too), and an outlet the question names outside the scope brings
    none of its passages."""
    retrieval = assistant.settings.retrieval  # this test's own assistant
    retrieval.lexical_candidates = retrieval.dense_candidates = 2
    for n in range(4):
        write(ferries / "more" / f"ferry-{n}.txt", f"Ferry Notes {n}\n\nA ferry ticket to Tarn Island cost {n} euros in {2000 + n}.\n")
    write(ferries / "more" / "harbour-log.txt", "Harbour Log\n\nThe log notes that the ferry left at noon in fog.\n")
    assistant.ingest([ferries])
    assert "harbour-log.txt" not in {Path(p.source).name for p in assistant.retrieve(FERRY, k=4)}
    for dense in (2, 0):
        retrieval.dense_candidates = dense
        within = assistant.retrieve(FERRY, k=4, documents=["harbour-log.txt"])
        assert [Path(p.source).name for p in within] == ["harbour-log.txt"], dense
    assert {Path(p.source).name for p in assistant.retrieve(FERRY, documents=["gardens.txt"])} <= {"gardens.txt"}

    named = "What did The Harbour Post say a ferry ticket to Tarn Island costs?"
    assert "north-ferry.txt" in {Path(p.source).name for p in assistant.retrieve(named)}
    scoped = assistant.retrieve(named, documents=["south/"])
    assert scoped and {Path(p.source).parent.name for p in scoped} == {"south"}
