"""Writers take a lock: two ingests of one embedded index run one after the other, a waiting
one says whom it waits for, and with no patience it fails naming the holder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant import Assistant, IndexBusyError, Settings
from ingest.lock import writer_lock
from tests.conftest import ROOT
from tests.corpora import write_many_documents
from tests.crash_matrix import snapshot


def ingest_process(corpus: Path, data_dir: Path, log: Path, **settings: str) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env.update({f"ASSISTANT_{name.upper()}": value for name, value in settings.items()})
    env.update(PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    command = [sys.executable, "-m", "assistant", "--data-dir", str(data_dir), "ingest", "-q", str(corpus)]
    with open(log, "wb") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)


def test_two_concurrent_ingests_serialise_and_end_as_one_clean_ingest(tmp_path, embeddings):
    corpus = tmp_path / "notes"
    write_many_documents(corpus, 60)
    data_dir = tmp_path / "data"
    runs = [ingest_process(corpus, data_dir, tmp_path / f"ingest-{n}.log") for n in range(2)]
    assert [run.wait(timeout=900) for run in runs] == [0, 0]
    logs = [(tmp_path / f"ingest-{n}.log").read_text() for n in range(2)]
    assert any("Waiting for the ingest of process" in log for log in logs), logs
    assert sorted(log.strip().splitlines()[-1].split(",")[0] for log in logs) == ["0 added", "60 added"]
    clean = Assistant(Settings(data_dir=tmp_path / "clean"), embeddings=embeddings)
    clean.ingest([corpus])
    together = Assistant(Settings(data_dir=data_dir), embeddings=embeddings)
    assert snapshot(together) == snapshot(clean) and together.check().ok


def test_with_no_patience_a_second_writer_fails_naming_the_holder(tmp_path, corpus):
    data_dir = tmp_path / "data"
    log = tmp_path / "ingest.log"
    with writer_lock(Settings(data_dir=data_dir)):
        run = ingest_process(corpus, data_dir, log, store__lock_timeout="0")
        assert run.wait(timeout=300) == 1
    message = log.read_text()
    assert f"being written by the ingest of process {os.getpid()} on {socket.gethostname()}" in message
    assert "ASSISTANT_STORE__LOCK_TIMEOUT" in message and "Traceback" not in message


def test_a_second_writer_waits_says_for_whom_then_goes_on(tmp_path, corpus):
    data_dir = tmp_path / "data"
    log = tmp_path / "ingest.log"
    with writer_lock(Settings(data_dir=data_dir)):
        run = ingest_process(corpus, data_dir, log)
        deadline = time.monotonic() + 300
        while "Waiting for" not in log.read_text() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert run.poll() is None  # still waiting while the lock is held
    assert run.wait(timeout=300) == 0
    output = log.read_text()
    assert f"Waiting for the ingest of process {os.getpid()}" in output and "3 added" in output


def test_threads_of_one_process_take_turns(assistant, corpus, tmp_path):
    other = tmp_path / "other"
    write_many_documents(other, 10)
    errors: list[BaseException] = []

    def ingest(paths):
        try:
            assistant.ingest(paths)
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=ingest, args=([folder],)) for folder in (corpus, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors and assistant.describe().documents == 13 and assistant.check().ok


def test_a_thread_with_no_patience_gets_the_busy_error(settings, corpus, embeddings):
    impatient = settings.model_copy(update={"store": settings.store.model_copy(update={"lock_timeout": 0})})
    holding = threading.Event()
    release = threading.Event()

    def hold():
        with writer_lock(impatient):
            holding.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(60)
    try:
        with pytest.raises(IndexBusyError, match="another thread of this process"):
            Assistant(impatient, embeddings=embeddings).ingest([corpus])
    finally:
        release.set()
        holder.join()
