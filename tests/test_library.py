"""Managing documents through the facade: delete (everything of it leaves the index), read
again, open (its text with its passages), and the per-question options of `ask`."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, AssistantError, IngestError
from tests.documents import write_report_pdf

KELP = "How many tonnes of kelp does the Marrow Point farm expect to harvest?"


@pytest.fixture
def library(assistant: Assistant, corpus: Path) -> Assistant:
    (corpus / "kelp-farm.txt").write_text(
        "Kelp Farm Opens Off Marrow Point\nSource: The Coastal Herald\nPublished: 2025-05-20\n\n"
        "The first commercial kelp farm off Marrow Point began its harvest on Monday.\n\n"
        "The farm grows sugar kelp on 40 kilometres of rope and expects to harvest 180 tonnes a year.\n",
        encoding="utf-8",
    )
    assistant.ingest([corpus])
    return assistant


def kelp_id(assistant: Assistant) -> str:
    return next(doc.doc_id for doc in assistant.documents() if doc.source.endswith("kelp-farm.txt"))


def test_a_deleted_document_leaves_the_store_the_search_index_and_every_answer(library):
    doc_id = kelp_id(library)
    assert "180 tonnes" in library.ask(KELP).text
    deleted = library.remove([doc_id])
    assert deleted >= 1
    assert doc_id not in {doc.doc_id for doc in library.documents()}
    assert library.check().ok
    assert library.index.passages_of([doc_id]) == []
    assert doc_id not in {library.index.passage_owners()[pid] for pid in library.index.searchable_ids()}
    assert library.document_text(doc_id) is None
    answer = library.ask(KELP)
    assert all(c.doc_id != doc_id for c in answer.citations)
    assert all(p.doc_id != doc_id for p in library.retrieve(KELP, k=20))


def test_deleting_an_unknown_document_changes_nothing_and_says_so(library):
    before = library.describe().passages
    with pytest.raises(IngestError, match="No indexed document '/nowhere.txt'"):
        library.remove([kelp_id(library), "/nowhere.txt"])
    assert library.describe().passages == before


def test_reingest_reads_the_file_again(library, corpus):
    doc_id = kelp_id(library)
    assert library.reingest(doc_id).unchanged == 1
    path = corpus / "kelp-farm.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("180 tonnes", "240 tonnes"), encoding="utf-8")
    summary = library.reingest(doc_id)
    assert summary.updated == 1 and summary.added == 0
    assert "240 tonnes" in library.ask(KELP).text
    path.unlink()
    with pytest.raises(IngestError, match="kelp-farm.txt is gone: put the file back"):
        library.reingest(doc_id)


def test_a_document_opens_as_its_text_with_its_passages_at_their_offsets(library):
    for doc in library.documents():
        text = library.document_text(doc.doc_id)
        passages = library.passages(doc.doc_id)
        assert len(passages) == doc.passages
        assert [p.number for p in passages] == list(range(1, len(passages) + 1))
        assert [p.start for p in passages] == sorted(p.start for p in passages)
        for passage in passages:
            assert text[passage.start : passage.end] == passage.text
    assert library.passages("/no/such/document.txt") == []


def test_documents_say_when_they_were_indexed_and_paged_ones_their_pages(assistant, tmp_path):
    folder = tmp_path / "paged"
    folder.mkdir()
    write_report_pdf(folder / "report.pdf")
    (folder / "note.txt").write_text("Note\n\nThe boathouse opens at nine on weekdays.\n", encoding="utf-8")
    assistant.ingest([folder])
    documents = assistant.documents()
    assert all(doc.indexed_at > 0 for doc in documents)
    counts = assistant.page_counts()
    assert counts == {next(doc.doc_id for doc in documents if doc.source.endswith(".pdf")): 3}
    for doc in documents:
        pages = {p.page_end or p.page for p in assistant.passages(doc.doc_id) if p.page is not None}
        assert counts.get(doc.doc_id, 0) == max(pages, default=0)


def test_options_apply_to_one_question_and_leave_the_settings_alone(library):
    settings = library.settings.model_dump()
    assert len(library.ask(KELP, k=2).passages) == 2
    assert len(library.ask(KELP).passages) == library.settings.retrieval.k
    strict = library.ask("What is a good recipe for banana bread?", min_support=1.0)
    assert strict.abstained
    lenient = library.ask("How many kelp farms are there?", expectations=False, min_support=0.0)
    assert not lenient.abstained
    assert library.settings.model_dump() == settings


@pytest.mark.parametrize(
    ("options", "message"),
    [({"k": 0}, "k is the number of passages"), ({"k": "6"}, "k is the number of passages"),
     ({"min_support": 2}, "min_support is a score from 0 to 1"), ({"expectations": "yes"}, "expectations is true or false"),
     ({"answerer": "gpt"}, "Unknown answerer 'gpt'")],
)
def test_bad_options_are_refused_with_a_message(library, options, message):
    with pytest.raises(AssistantError, match=message):
        library.ask(KELP, **options)
