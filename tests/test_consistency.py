"""The index never lies: what was deleted is gone, what is stored is listed, and `check` says so.

Interrupted writes here are in-process: the real model wrapped to raise after some batches
(a kill at that moment leaves the same state; tests/test_crash.py kills real processes).
Orphans of the kind older versions left (stored, never listed, no claim) are written with
LangChain's own Chroma store, as the indexing API wrote them.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant import Assistant, Settings
from assistant.cli import main
from assistant.web import render
from assistant.web.app import ChatHandlers
from ingest import lookup
from ingest.tokens import words
from ingest.records import passage_id
from tests.corpora import code_word, write_report
from tests.crash_matrix import snapshot

QUESTION = "What is the code word of report {}?"
ORPHAN_ID = "/gone/report-099.txt"


class FailingEmbeddings(Embeddings):
    """The real model, raising once it has embedded `batches` batches of passages."""

    def __init__(self, model: Embeddings, batches: int) -> None:
        self.model, self.batches = model, batches

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.batches == 0:
            raise RuntimeError("the embedding model stopped")
        self.batches -= 1
        return self.model.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)


def write_reports(folder: Path, count: int = 20) -> Path:
    rng = random.Random(5)
    for number in range(count):
        write_report(folder, number, 0, rng)
    return folder


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Groups of about 8 passages: an ingest of 20 reports writes several groups."""
    settings = Settings(data_dir=tmp_path / "data")
    return settings.model_copy(update={"store": settings.store.model_copy(update={"write_batch": 8})})


def held_anywhere(assistant: Assistant, word: str) -> bool:
    """Whether a passage in the store or in the lexical index holds `word`."""
    stored = assistant.index.collection.get(include=["documents"])["documents"]
    return any(word in text for text in stored) or bool(lookup.passages(assistant.index.search_index().lexical, words(word), 1))


def test_a_deleted_file_of_an_interrupted_ingest_leaves_no_trace(settings, embeddings, tmp_path):
    folder = write_reports(tmp_path / "reports")
    broken = Assistant(settings, embeddings=FailingEmbeddings(embeddings, batches=4))  # the 5th batch fails: 4 documents stored, unlisted
    with pytest.raises(RuntimeError, match="stopped"):
        broken.ingest([folder])
    assistant = Assistant(settings, embeddings=embeddings)
    found = assistant.check()
    assert not found.ok and found.interrupted and "stopped while writing" in assistant.describe().warning
    listed = set(assistant.index.catalog.entries())
    unlisted = sorted({doc for doc in assistant.index.passage_owners().values() if doc not in listed})
    assert unlisted  # stored but listed nowhere: before this issue, questions found them for ever
    victim = Path(unlisted[0])
    number = int(victim.stem.split("-")[1])
    lexical = assistant.index.search_index().lexical  # follows the change log: committed documents only
    assert not set(unlisted) & set(lexical.owners().values())
    victim.unlink()

    summary = assistant.ingest([folder])  # no --prune: orphans go whatever the paths
    assert str(victim) in summary.recovered and summary.orphans > 0 and "orphan" in str(summary)
    assert assistant.check().ok and assistant.describe().warning == ""
    assert not held_anywhere(assistant, code_word(number, 0))
    assert all(p.doc_id != str(victim) for p in assistant.retrieve(QUESTION.format(number), k=10))
    clean = Assistant(Settings(data_dir=tmp_path / "clean"), embeddings=embeddings)
    clean.ingest([folder])
    assert snapshot(assistant) == snapshot(clean)


def add_orphans(assistant: Assistant) -> list[str]:
    """Two stored passages of a document no row lists, one of them recorded: what an older
    version's killed ingest left."""
    passages = [
        Document(
            page_content=f"Report 99\nThe code word of report 99 is {code_word(99, 0)}. Part {part}.",
            metadata={"doc_id": ORPHAN_ID, "source": ORPHAN_ID, "title": "Report 99", "start": 0, "end": 50, "chunk": part, "offset": 10},
        )
        for part in range(2)
    ]
    ids = [passage_id(passage) for passage in passages]
    assistant.index.vectorstore.add_documents(passages, ids=ids)
    assistant.index.records.update(ids[:1], group_ids=[ORPHAN_ID])
    return ids


def test_check_finds_orphans_the_web_warns_and_repair_removes_them(assistant, corpus, capsys):
    assistant.ingest([corpus])
    add_orphans(assistant)
    assert any(code_word(99, 0) in p.text for p in assistant.retrieve(QUESTION.format(99)))
    found = assistant.check()
    assert found.orphans == {ORPHAN_ID: 2} and found.stray_records == 1 and not found.ok
    info = assistant.describe()
    assert "the store holds" in info.warning
    assert 'data-testid="index-warning"' in render.index_html(info, assistant.documents(), "extractive")
    assert "check --repair" in ChatHandlers(assistant).refresh()[0]  # the web chat's Index tab

    assert main(["check"], assistant) == 1
    assert "2 orphan passage(s) of 1 unlisted document(s)" in capsys.readouterr().out
    assert main(["check", "--repair"], assistant) == 0
    printed = capsys.readouterr().out
    assert "removed: 2 orphan passage(s)" in printed and "after the repair: consistent" in printed
    assert assistant.check().ok and assistant.describe().warning == ""
    assert "index-warning" not in ChatHandlers(assistant).refresh()[0]
    assert not held_anywhere(assistant, code_word(99, 0))
    assert assistant.describe().documents == 3


def test_ingest_removes_orphans_without_prune_and_reports_them(assistant, corpus):
    assistant.ingest([corpus])
    before = assistant.describe().passages
    add_orphans(assistant)
    summary = assistant.ingest([corpus])
    assert summary.orphans == 2 and "2 orphan passage(s) removed" in str(summary)
    assert (summary.added, summary.unchanged, summary.passages_added) == (0, 3, 0)
    assert assistant.describe().passages == before and assistant.check().ok


def test_a_damaged_document_is_removed_by_repair_and_written_again_by_ingest(assistant, corpus):
    assistant.ingest([corpus])
    index = assistant.index
    solar = next(doc_id for doc_id in index.catalog.entries() if doc_id.endswith("lakeside-solar.txt"))
    index.records.delete_keys(index.records_of([solar])[:1])  # a record lost: ingest would skip its passage
    found = assistant.check(repair=True)
    assert found.damaged == [solar] and found.repaired
    assert solar not in index.catalog.entries() and not index.passages_of([solar])
    again = assistant.ingest([corpus])
    assert (again.added, again.unchanged) == (1, 2) and assistant.check().ok
    assert "9 megawatts" in assistant.ask("How much power will the floating solar farm produce at peak?").text


def test_a_lexical_index_that_differs_from_the_store_is_found_and_rebuilt(assistant, corpus, embeddings):
    assistant.ingest([corpus])
    lexical = assistant.index.search_index().lexical
    doc_id = next(iter(assistant.index.catalog.entries()))
    lexical.write([doc_id], [], [], lexical.generation)  # one document gone, the generation current
    reopened = Assistant(assistant.settings, embeddings=embeddings)
    assert reopened.check().search_stale
    assert reopened.check(repair=True).search_stale and reopened.check().ok
    assert reopened.index.searchable_ids() == set(reopened.index.passage_owners())


def test_a_removed_document_leaves_the_search_index_of_every_reader(assistant, corpus, embeddings):
    assistant.ingest([corpus])
    reader = Assistant(assistant.settings, embeddings=embeddings)  # another process's view: its own cache
    question = "How much power will the floating solar farm produce at peak?"
    assert "9 megawatts" in reader.ask(question).text
    (corpus / "lakeside-solar.txt").unlink()
    assert assistant.ingest([corpus]).removed == 1
    assert not held_anywhere(assistant, "megawatts")
    assert all(not p.doc_id.endswith("lakeside-solar.txt") for p in reader.retrieve(question, k=10))
    assert "9 megawatts" not in reader.ask(question).text
