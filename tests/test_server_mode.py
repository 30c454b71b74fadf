"""What only a Chroma server can show: two machines on one store (sharing records, document
ids under a docs root, one machine's write in progress or cut short seen from another), and
a server that restarts."""

from __future__ import annotations

import logging
import shutil

import pytest
from gradio_client.exceptions import AppError
from langchain_core.documents import Document

from assistant import Assistant, ConfigError, Settings, StoreUnavailableError
from ingest import lock
from ingest.records import passage_id
from tests.chroma_server import ChromaServer, TokenProxy
from tests.conftest import server_settings
from tests.web_client import ask_web, client, running_web

pytestmark = pytest.mark.slow  # real Chroma servers

QUESTION = "How many countries voted for the European resolution?"


def machine(tmp_path, name: str, url: str, embeddings, **store) -> Assistant:
    """An assistant with a data dir of its own, as on another computer, on the server at `url`."""
    settings = server_settings(Settings(data_dir=tmp_path / name), url, **store)
    return Assistant(settings, embeddings=embeddings)


def test_a_second_machine_sharing_the_records_embeds_nothing(chroma_server, tmp_path, corpus, embeddings):
    shared = {"collection": "shared-records", "records_url": f"sqlite:///{tmp_path / 'records.sqlite'}"}
    first = machine(tmp_path, "laptop", chroma_server.url, embeddings, **shared)
    second = machine(tmp_path, "desktop", chroma_server.url, embeddings, **shared)
    written = first.ingest([corpus])
    again = second.ingest([corpus])
    assert (again.added, again.unchanged, again.passages_added) == (0, 3, 0)
    assert second.describe().passages == written.passages_added
    assert "93" in second.ask(QUESTION).text


def test_without_shared_records_a_second_machine_re_embeds_but_never_duplicates(
    chroma_server, tmp_path, corpus, embeddings, caplog
):
    store = {"collection": "local-records"}
    first = machine(tmp_path, "laptop", chroma_server.url, embeddings, **store)
    second = machine(tmp_path, "desktop", chroma_server.url, embeddings, **store)
    written = first.ingest([corpus])
    with caplog.at_level(logging.WARNING, logger="ingest"):
        again = second.ingest([corpus])
    assert again.passages_added == written.passages_added  # embedded again: records are local
    assert "ASSISTANT_STORE__RECORDS_URL" in caplog.text
    assert second.describe().passages == first.describe().passages == written.passages_added


@pytest.fixture
def own_server(tmp_path):
    """A server this test may stop and start again."""
    with ChromaServer(tmp_path) as server:
        yield server


def test_a_restarted_server_is_reported_then_used_again(own_server, tmp_path, corpus, embeddings):
    assistant = machine(tmp_path, "data", own_server.url, embeddings)
    assistant.ingest([corpus])
    assert "93" in assistant.ask(QUESTION).text
    own_server.stop()
    with pytest.raises(StoreUnavailableError, match=f"Chroma server at {own_server.url} is not reachable"):
        assistant.ask(QUESTION)
    museum = corpus / "harbor-museum.md"
    museum.write_text(museum.read_text().replace("8,000", "11,500"), encoding="utf-8")
    with pytest.raises(StoreUnavailableError):
        assistant.ingest([corpus])  # the edit can't be written
    own_server.start()
    assert "93" in assistant.ask(QUESTION).text
    retried = assistant.ingest([corpus])  # ... and is written once the server is back
    assert (retried.updated, retried.unchanged) == (1, 2) and retried.passages_added > 0
    assert "11,500" in assistant.ask("How many visitors came to the Harbor Museum on the first weekend?").text


def test_the_web_chat_shows_the_outage_and_recovers_without_a_restart(own_server, tmp_path, corpus, embeddings):
    assistant = machine(tmp_path, "data", own_server.url, embeddings)
    assistant.ingest([corpus])
    with running_web(assistant) as url:
        api = client(url)
        assert "93" in ask_web(api, QUESTION)[0]
        own_server.stop()
        with pytest.raises(AppError, match="Chroma server at .* is not reachable"):
            ask_web(api, QUESTION)
        own_server.start()
        assert "93" in ask_web(api, QUESTION)[0]


def test_a_server_that_never_ran_is_a_clear_error(tmp_path, embeddings):
    from tests.ports import free_port

    assistant = machine(tmp_path, "data", f"http://127.0.0.1:{free_port()}", embeddings)
    with pytest.raises(StoreUnavailableError, match="start it"):
        assistant.ask(QUESTION)
    with pytest.raises(StoreUnavailableError):
        assistant.describe()


def test_a_token_reaches_the_server_and_a_wrong_one_is_a_clear_error(chroma_server, tmp_path, corpus, embeddings):
    with TokenProxy(chroma_server.url, token="s3cret") as proxy:
        allowed = machine(tmp_path, "allowed", proxy.url, embeddings, token="s3cret")
        assert allowed.ingest([corpus]).added == 3
        assert "93" in allowed.ask(QUESTION).text
        for token in ("wrong", None):
            refused = machine(tmp_path, f"refused-{token}", proxy.url, embeddings, token=token)
            with pytest.raises(ConfigError, match="refused the request .*401.*ASSISTANT_STORE__TOKEN"):
                refused.ask(QUESTION)


def shared(tmp_path, name: str) -> dict:
    return {"collection": name, "records_url": f"sqlite:///{tmp_path / 'records.sqlite'}"}


def test_machines_with_docs_root_agree_on_ids_wherever_the_folder_is(chroma_server, tmp_path, corpus, embeddings):
    homes = [tmp_path / "alice" / "mnt", tmp_path / "bob" / "share"]
    machines = []
    for number, home in enumerate(homes):
        shutil.copytree(corpus, home / "docs")
        settings = server_settings(Settings(data_dir=tmp_path / f"data-{number}", docs_root=home), chroma_server.url)
        settings = settings.model_copy(update={"store": settings.store.model_copy(update=shared(tmp_path, "rooted"))})
        machines.append(Assistant(settings, embeddings=embeddings))
    first = machines[0].ingest([homes[0] / "docs"])
    again = machines[1].ingest([homes[1] / "docs"])
    assert first.added == 3 and (again.added, again.unchanged, again.passages_added) == (0, 3, 0)
    assert {doc.doc_id for doc in machines[1].documents()} == {f"docs/{path.name}" for path in corpus.iterdir()}


def test_another_machines_write_in_progress_is_left_alone_until_its_lease_ends(
    chroma_server, tmp_path, corpus, embeddings, monkeypatch
):
    desktop = machine(tmp_path, "desktop", chroma_server.url, embeddings, **shared(tmp_path, "claims"))
    desktop.ingest([corpus])
    index = desktop.index
    # Another machine's ingest, mid-write: its claim (fresh heartbeat), two of its passages stored.
    elsewhere = "/srv/elsewhere/notes.txt"
    assert index.catalog.claim([elsewhere], "laptop.example:4242:0a1b2c3d", lambda claim: False) == {}
    passages = [
        Document(
            page_content=f"Notes\nThe ferry leaves at 0{part}:15.",
            metadata={"doc_id": elsewhere, "source": elsewhere, "title": "Notes", "chunk": part, "start": 0, "end": 26, "offset": 6},
        )
        for part in range(2)
    ]
    ids = [passage_id(passage) for passage in passages]
    index.vectorstore.add_documents(passages, ids=ids)
    index.records.update(ids, group_ids=[elsewhere] * 2)

    found = desktop.check()
    assert found.writing == [elsewhere] and found.ok and desktop.describe().warning == ""
    kept = desktop.ingest([corpus], prune=True)
    assert (kept.recovered, kept.orphans, kept.removed) == ([], 0, 0) and len(index.passages_of([elsewhere])) == 2

    monkeypatch.setattr(lock, "CLAIM_LEASE", 0.0)  # ... its heartbeat stops: that machine is gone
    assert desktop.check().interrupted == [elsewhere]
    recovered = desktop.ingest([corpus])
    assert recovered.recovered == [elsewhere] and recovered.orphans == 2
    assert index.passages_of([elsewhere]) == [] and desktop.check().ok


def test_a_write_cut_short_on_one_machine_is_undone_by_the_next_ingest_on_another(chroma_server, tmp_path, corpus, embeddings):
    from tests.test_consistency import FailingEmbeddings

    store = shared(tmp_path, "cut-short")
    laptop = machine(tmp_path, "laptop", chroma_server.url, FailingEmbeddings(embeddings, batches=0), **store)
    with pytest.raises(RuntimeError, match="stopped"):
        laptop.ingest([corpus])
    desktop = machine(tmp_path, "desktop", chroma_server.url, embeddings, **store)
    assert desktop.check().interrupted
    summary = desktop.ingest([corpus])
    assert summary.added == 3 and summary.recovered and desktop.check().ok
