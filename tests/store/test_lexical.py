"""The lexical index (Tantivy) in the store contract: it adds, replaces and deletes passages
when the store does, catches up after a crash between the two, and a second process's
ingest reaches a running assistant's next question without a rebuild. Runs on embedded
Chroma and on a Chroma server (tests/store/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant import Assistant
from ingest import lookup
from ingest.lexical import LexicalIndex
from ingest.search import SearchIndex
from ingest.tokens import words

WORD = "zanzibarite"  # a word no test document holds


def held(assistant: Assistant, word: str) -> set[str]:
    """The documents whose passages the lexical index finds `word` in."""
    lexical = assistant.index.search_index().lexical
    found = lookup.passages(lexical, words(word), 50)
    return {doc_id for id_, doc_id in lexical.owners().items() if id_ in found}


def in_step(assistant: Assistant) -> bool:
    index = assistant.index
    lexical = index.search_index().lexical
    return lexical.owners() == index.passage_owners() and lexical.generation == index.catalog.generation()


def test_lexical_index_adds_replaces_and_deletes_with_the_store(assistant, corpus):
    assistant.ingest([corpus])
    assert in_step(assistant) and not held(assistant, WORD)
    museum = corpus / "harbor-museum.md"
    museum.write_text(museum.read_text(encoding="utf-8") + f"\nThe new wing is built of {WORD} stone.\n", encoding="utf-8")
    assert assistant.ingest([corpus]).updated == 1
    assert in_step(assistant) and {d.rsplit("/", 1)[-1] for d in held(assistant, WORD)} == {"harbor-museum.md"}
    museum.unlink()
    assert assistant.ingest([corpus]).removed == 1
    assert in_step(assistant) and not held(assistant, WORD)
    assert not any(p.doc_id.endswith("harbor-museum.md") for p in assistant.retrieve(f"Which wing is built of {WORD}?", k=10))


def test_a_crash_between_the_store_and_the_lexical_index_is_caught_up(assistant, corpus, embeddings, monkeypatch):
    """The crash is injected where a process dies after the catalog commit and before the
    lexical index took the change (a real kill there cannot be timed)."""
    assistant.ingest([corpus])
    (corpus / "kiosk.txt").write_text(f"The harbour kiosk sells {WORD} postcards.\n", encoding="utf-8")

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    with monkeypatch.context() as patch:
        patch.setattr(LexicalIndex, "write", crash)
        with pytest.raises(RuntimeError, match="killed"):
            assistant.ingest([corpus])
    stored = {d for d in assistant.index.passage_owners().values() if d.endswith("kiosk.txt")}
    assert stored and not held(assistant, WORD) - stored  # in the store; the lexical index is behind
    reader = Assistant(assistant.settings, embeddings=embeddings)  # a fresh process's first question
    assert reader.retrieve(f"What postcards does the harbour kiosk sell, {WORD}?", k=3)[0].doc_id.endswith("kiosk.txt")
    assert held(reader, WORD) == stored and in_step(reader)
    assert reader.ingest([corpus]).added == 0 and reader.check().ok


def test_another_writer_s_documents_reach_the_next_question_without_a_rebuild(assistant, corpus, embeddings, tmp_path):
    """On a server the other writer is a second process; embedded Chroma does not see another
    process's writes while open, so there it is a second Assistant of this process."""
    assistant.ingest([corpus])
    question = f"What do the harbour divers collect, {WORD}?"
    assert not any(p.doc_id.endswith("divers.txt") for p in assistant.retrieve(question, k=3))
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "divers.txt").write_text(f"The harbour divers collect {WORD} shells every spring.\n", encoding="utf-8")
    settings = assistant.settings
    if not settings.store.url:
        Assistant(settings, embeddings=embeddings).ingest([extra])
    else:
        ingest_elsewhere(settings, extra)
    found = assistant.retrieve(question, k=3)  # the same process, its next question
    assert found[0].doc_id.endswith("divers.txt") and WORD in found[0].text
    assert in_step(assistant)


def ingest_elsewhere(settings, folder) -> None:
    """Ingest `folder` in another process sharing the data dir and the Chroma server."""
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_STORE__URL": settings.store.url,
        "ASSISTANT_STORE__COLLECTION": settings.store.collection,
        "HF_HUB_OFFLINE": "1",
    }
    script = "import sys; from assistant import Assistant; Assistant().ingest([sys.argv[1]])"
    subprocess.run([sys.executable, "-c", script, str(folder)], env=env, check=True, timeout=300)


def test_the_change_log_lists_the_documents_of_each_change(tmp_path):
    from sqlalchemy import create_engine

    from ingest.catalog import Catalog, IndexedDocument

    catalog = Catalog(create_engine(f"sqlite:///{tmp_path / 'records.sqlite'}"), "passages")
    catalog.commit(put=[IndexedDocument("a.txt", "a.txt", "A", "f1", 2, {})], released=["a.txt"])
    catalog.commit(removed=["b.txt"], released=["b.txt"])
    catalog.commit()  # a change that touched no document (every claimed document was busy)
    assert catalog.generation() == 3
    assert catalog.changes(0, 3) == {"a.txt", "b.txt"} and catalog.changes(1, 2) == {"b.txt"}
    assert catalog.changes(2, 3) == set()
    catalog.clear()
    assert catalog.changes(3, 4) is None  # everything changed: followers rebuild
    assert catalog.changes(0, 5) is None  # past the end of the log: not known


def test_the_log_keeps_the_last_changes_and_a_follower_behind_them_rebuilds(assistant, corpus, embeddings, monkeypatch):
    """The lexical index misses three changes (its writes fail) while the log keeps two: the
    next reader cannot replay them and builds the lexical index from the store instead."""
    from ingest import catalog

    monkeypatch.setattr(catalog, "LOG_KEEP", 2)
    assistant.ingest([corpus])
    with monkeypatch.context() as patch:
        patch.setattr(LexicalIndex, "write", lambda *args, **kwargs: None)  # writes lost
        for name in ("kiosk", "ferry", "lighthouse"):
            (corpus / f"{name}.txt").write_text(f"The harbour {name} sells {WORD} postcards.\n", encoding="utf-8")
            assistant.ingest([corpus])
    generation = assistant.index.catalog.generation()
    assert assistant.index.catalog.changes(generation - 2, generation) is not None
    assert assistant.index.catalog.changes(generation - 3, generation) is None  # pruned
    assert assistant.index.lexical.lexical.generation < generation - 2  # behind what the log keeps
    rebuilds = []
    rebuild = SearchIndex._rebuild
    monkeypatch.setattr(SearchIndex, "_rebuild", lambda self, *args: rebuilds.append(args) or rebuild(self, *args))
    reader = Assistant(assistant.settings, embeddings=embeddings)
    assert len(held(reader, WORD)) == 3 and in_step(reader) and len(rebuilds) == 1
