"""An ingest killed with SIGKILL at random points, then run again, ends as a clean ingest would.

`assistant ingest` runs as a real subprocess over a few hundred generated documents and is
killed at a seeded random moment after it has opened the index; each repetition kills it
once or twice in a fresh data dir, then lets a last run finish. The index must then hold
exactly the passages of a clean ingest: the same ids, texts and metadata, no duplicates,
nothing missing, records and catalog in step with the collection.

Then a few seeds of the crash matrix (tests/crash_matrix.py; benchmarks/crash.py runs 20):
reports added, edited and deleted between killed runs, and afterwards no orphan and no
deleted text retrievable. Minutes long: marked `slow`.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Settings
from ingest import Index
from tests import crash_matrix
from tests.conftest import ROOT
from tests.corpora import write_many_documents

pytestmark = pytest.mark.slow  # ingest subprocesses killed at random points

DOCUMENTS = 300
REPETITIONS = [1, 1, 2]  # kills before the run that may finish, per repetition
WRITE_BATCH = 64  # small batches: many points between a vector write and its record


def ingest_process(corpus: Path, data_dir: Path, cwd: Path, output=None) -> subprocess.Popen:
    """`assistant ingest -q CORPUS` from `cwd` (doc ids are relative to it); output to a log."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env.update(PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", ASSISTANT_STORE__WRITE_BATCH=str(WRITE_BATCH))
    output = output or open(data_dir.parent / f"{data_dir.name}.log", "ab")
    command = [sys.executable, "-m", "assistant", "--data-dir", str(data_dir), "ingest", "-q", str(corpus)]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)


def clean_ingest(corpus: Path, data_dir: Path, cwd: Path) -> tuple[float, float]:
    """Ingest to the end; returns (seconds until the index was opened, seconds writing)."""
    started = time.monotonic()
    process = ingest_process(corpus, data_dir, cwd)
    opened = wait_for_index(process, data_dir) - started
    assert process.wait(timeout=1800) == 0, (data_dir.parent / f"{data_dir.name}.log").read_text()[-3000:]
    return opened, time.monotonic() - started - opened


def wait_for_index(process: subprocess.Popen, data_dir: Path) -> float:
    """The moment the record manager's database appears (the index is open, writing begins)."""
    while not (data_dir / "records.sqlite").exists() and process.poll() is None:
        time.sleep(0.05)
    return time.monotonic()


def killed_ingest(corpus: Path, data_dir: Path, cwd: Path, delay: float) -> bool:
    """Start an ingest and SIGKILL it `delay` seconds after it opened the index; True if it died."""
    process = ingest_process(corpus, data_dir, cwd)
    wait_for_index(process, data_dir)
    time.sleep(delay)
    if process.poll() is not None:
        return False
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return True


def snapshot(data_dir: Path, embeddings) -> dict:
    """Everything the index holds: passages by id, record keys, catalog entries."""
    index = Index(Settings(data_dir=data_dir), embeddings=embeddings, create=False)
    got = index.collection.get(include=["documents", "metadatas"])
    assert len(got["ids"]) == len(set(got["ids"])) == index.count()
    return {
        "passages": {i: (text, meta) for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"])},
        "records": sorted(index.records.list_keys()),
        "catalog": {doc_id: (e.fingerprint, e.passages) for doc_id, e in index.catalog.entries().items()},
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory, embeddings):
    """The corpus and what a clean, uninterrupted ingest of it holds."""
    root = tmp_path_factory.mktemp("crash")
    corpus = root / "corpus"
    write_many_documents(corpus, DOCUMENTS)
    opened, writing = clean_ingest(corpus, root / "clean", root)
    print(f"\nclean ingest of {DOCUMENTS} documents: index opened after {opened:.1f} s, written in {writing:.1f} s")
    return root, corpus, writing, snapshot(root / "clean", embeddings)


@pytest.mark.parametrize("repetition", range(len(REPETITIONS)))
def test_killed_ingest_then_rerun_equals_a_clean_ingest(clean, repetition, embeddings):
    root, corpus, writing, expected = clean
    rng = random.Random(1000 + repetition)
    data_dir = root / f"killed-{repetition}"
    for _ in range(REPETITIONS[repetition]):
        delay = rng.uniform(0, writing)
        died = killed_ingest(corpus, data_dir, root, delay)
        print(f"\nrepetition {repetition}: SIGKILL {delay:.1f} s into writing: {'killed' if died else 'had finished'}")
    rerun = ingest_process(corpus, data_dir, root, output=subprocess.PIPE)
    summary = rerun.communicate(timeout=1800)[0].decode(errors="replace").strip().splitlines()
    assert rerun.returncode == 0, summary[-20:]
    print(f"the run after: {summary[-1]}")
    got = snapshot(data_dir, embeddings)
    assert set(got["passages"]) == set(expected["passages"])  # no duplicates, nothing missing
    assert got["passages"] == expected["passages"]  # same texts, spans and metadata
    assert got["records"] == expected["records"] == sorted(expected["passages"])
    assert got["catalog"] == expected["catalog"] and len(got["catalog"]) == DOCUMENTS


MATRIX_SEEDS = [101, 102, 103]


@pytest.fixture(scope="module")
def matrix_root(tmp_path_factory):
    """A folder for the matrix runs, and how long a clean ingest of its corpus holds the lock."""
    root = tmp_path_factory.mktemp("matrix")
    return root, crash_matrix.calibrate(root)


@pytest.mark.parametrize("seed", MATRIX_SEEDS)
def test_kills_while_files_change_leave_no_orphan_and_nothing_deleted_retrievable(matrix_root, seed, embeddings):
    root, write_seconds = matrix_root
    outcome = crash_matrix.run_seed(seed, root, embeddings, write_seconds)
    print(f"\nseed {seed}: killed at {outcome.kills} s, changes {outcome.changes}: {outcome.recovery}")
    assert outcome.same_as_clean  # same passage ids, texts, metadata, records and catalog
    assert outcome.orphans == 0 and outcome.retrievable == 0
    assert outcome.check_ok and outcome.documents > 0
