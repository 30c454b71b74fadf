"""One file is one document wherever ingest runs from; indexes written with older ids are
re-keyed without embedding anything again. (Two machines with `docs_root` on one Chroma
server: test_server_mode.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant import Assistant, Settings
from tests.crash_matrix import snapshot
from tests.documents import docx_bytes, write_eml

QUESTION = "How much power will the floating solar farm produce at peak?"


def test_the_same_folder_from_two_working_directories_is_one_set_of_documents(assistant, corpus, monkeypatch):
    project = corpus.parent
    monkeypatch.chdir(project)
    first = assistant.ingest(["corpus"])
    monkeypatch.chdir(project.parent)
    second = assistant.ingest([f"{project.name}/corpus"])
    monkeypatch.chdir(corpus)
    third = assistant.ingest(["."])
    assert first.added == 3 and (second.added, second.unchanged, second.passages_added) == (0, 3, 0)
    assert (third.added, third.unchanged) == (0, 3)
    assert assistant.describe().documents == 3
    assert {doc.doc_id for doc in assistant.documents()} == {str(path.resolve()) for path in corpus.iterdir()}
    (corpus / "lakeside-solar.txt").unlink()  # deleting it from anywhere removes the one copy there is
    monkeypatch.chdir(project)
    assert assistant.ingest(["corpus"]).removed == 1
    assert all(not p.doc_id.endswith("lakeside-solar.txt") for p in assistant.retrieve(QUESTION, k=10))


def test_a_link_to_the_folder_names_the_same_documents(assistant, corpus, tmp_path):
    link = tmp_path / "linked"
    link.symlink_to(corpus)
    assistant.ingest([corpus])
    again = assistant.ingest([link])
    assert (again.added, again.unchanged, again.removed) == (0, 3, 0) and assistant.describe().documents == 3


def test_with_docs_root_a_moved_folder_keeps_its_ids(embeddings, tmp_path, corpus):
    first_home, second_home = tmp_path / "alice", tmp_path / "bob"
    shutil.copytree(corpus, first_home / "shared" / "docs")
    shutil.copytree(corpus, second_home / "shared" / "docs")
    base = Settings(data_dir=tmp_path / "data")
    alice = Assistant(base.model_copy(update={"docs_root": first_home / "shared"}), embeddings=embeddings)
    alice.ingest([first_home / "shared" / "docs"])
    assert {doc.doc_id for doc in alice.documents()} == {f"docs/{path.name}" for path in corpus.iterdir()}
    bob = Assistant(base.model_copy(update={"docs_root": second_home / "shared"}), embeddings=embeddings)
    again = bob.ingest([second_home / "shared" / "docs"])
    assert (again.added, again.unchanged, again.passages_added, again.removed) == (0, 3, 0, 0)


def write_older_ids(assistant: Assistant, cwd: Path) -> None:
    """Re-key every document to the id and source an older version gave it from `cwd` (its
    path relative to the working directory): the index such a version wrote."""
    for entry in list(assistant.index.catalog.entries().values()):
        older = Path(entry.doc_id).relative_to(cwd).as_posix()
        assistant.index.rekey(entry, older, older)


def test_an_index_with_older_ids_is_re_keyed_without_embedding(assistant, corpus, embeddings, tmp_path, monkeypatch):
    project = corpus.parent
    assistant.ingest([corpus])
    write_older_ids(assistant, project)  # `assistant ingest corpus` run from the project folder
    elsewhere = Assistant(Settings(data_dir=tmp_path / "other"), embeddings=embeddings)
    assert sorted(doc.doc_id for doc in assistant.documents()) == sorted(f"corpus/{p.name}" for p in corpus.iterdir())

    monkeypatch.chdir(project)
    summary = assistant.ingest(["corpus"])
    assert (summary.renamed, summary.added, summary.unchanged, summary.passages_added) == (3, 0, 3, 0)
    assert "3 document(s) moved to their stable id" in str(summary)
    elsewhere.ingest([corpus])
    assert snapshot(assistant) == snapshot(elsewhere)  # as a clean ingest: same ids, metadata, records
    assert assistant.check().ok and "9 megawatts" in assistant.ask(QUESTION).text


def test_duplicates_from_two_working_directories_become_one_document(assistant, corpus, embeddings, tmp_path, monkeypatch):
    project = corpus.parent
    assistant.ingest([corpus])
    write_older_ids(assistant, project.parent)  # ingested from one folder up: `<project>/corpus/...`
    other = Assistant(Settings(data_dir=tmp_path / "scratch"), embeddings=embeddings)
    other.ingest([corpus])
    write_older_ids(other, project)  # and from the project folder: `corpus/...`
    for entry in other.index.catalog.entries().values():  # both sets in one index, as the issue found it
        got = other.index.collection.get(where={"doc_id": entry.doc_id}, include=["documents", "metadatas", "embeddings"])
        assistant.index.collection.add(ids=got["ids"], documents=got["documents"], metadatas=got["metadatas"], embeddings=got["embeddings"])
        assistant.index.records.update(got["ids"], group_ids=[entry.doc_id] * len(got["ids"]))
        assistant.index.catalog.commit(put=[entry])
    assert assistant.describe().documents == 6 and assistant.check().ok

    monkeypatch.chdir(project)
    summary = assistant.ingest(["corpus"])
    assert (summary.renamed, summary.removed, summary.passages_added) == (3, 3, 0)
    assert assistant.describe().documents == 3 and assistant.check().ok
    passages = assistant.retrieve(QUESTION, k=10)
    assert len({p.text for p in passages}) == len(passages)  # no passage found twice


def test_a_mail_and_its_attachment_with_older_ids_are_re_keyed(assistant, tmp_path, monkeypatch):
    project = tmp_path / "project"
    folder = project / "mail"
    folder.mkdir(parents=True)
    write_eml(folder / "m.eml", {"a.docx": docx_bytes(["Alpha berth is closed for repairs."])})
    assistant.ingest([folder])
    write_older_ids(assistant, project)
    assert sorted(doc.doc_id for doc in assistant.documents()) == ["mail/m.eml", "mail/m.eml#a.docx"]

    monkeypatch.chdir(project)
    summary = assistant.ingest(["mail"])
    assert (summary.renamed, summary.added, summary.unchanged, summary.passages_added) == (2, 0, 2, 0)
    mail = (folder / "m.eml").resolve().as_posix()
    assert {(doc.doc_id, doc.source) for doc in assistant.documents()} == {(mail, mail), (f"{mail}#a.docx", f"{mail}#a.docx")}
    (passage,) = [p for p in assistant.retrieve("Which berth is closed?", k=3) if p.doc_id.endswith("#a.docx")]
    assert passage.source == f"{mail}#a.docx" and assistant.check().ok
