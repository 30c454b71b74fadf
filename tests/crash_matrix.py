"""The crash matrix: `assistant ingest` killed with SIGKILL at seeded random moments while
reports are added, edited and deleted between the runs; after the run that finishes, the
index must equal a clean ingest of what is on disk (same passage ids, texts, metadata,
records and catalog), hold no orphan, and no deleted or replaced text may be retrievable.

tests/test_crash.py runs a few seeds; benchmarks/crash.py runs the matrix for BENCHMARKS.md.
Every ingest is a real `python -m assistant ingest` process; a kill lands a seeded random
delay after it took the writer lock, anywhere in repairing, loading, embedding, writing,
listing or removing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant import Assistant, Settings
from ingest import lookup
from ingest.tokens import words
from tests.corpora import code_word, write_report

ROOT = Path(__file__).resolve().parent.parent
WRITE_BATCH = 16  # small groups: many moments between a claim, a vector write, a record and a listing


@dataclass
class Reports:
    """Numbered reports on disk, and the code words that left it (deleted or edited away)."""

    folder: Path
    versions: dict[int, int] = field(default_factory=dict)  # report on disk -> its version
    gone: dict[str, int] = field(default_factory=dict)  # code word no longer on disk -> its report
    next_number: int = 0

    def add(self, rng: random.Random, count: int) -> None:
        for _ in range(count):
            self.versions[self.next_number] = 0
            write_report(self.folder, self.next_number, 0, rng)
            self.next_number += 1

    def mutate(self, rng: random.Random) -> str:
        """Add, edit and delete a few reports; says how many of each."""
        numbers = sorted(self.versions)
        edited = rng.sample(numbers, k=min(len(numbers), rng.randint(1, 4)))
        deleted = rng.sample([n for n in numbers if n not in edited], k=min(len(numbers) - len(edited), rng.randint(1, 4)))
        for number in edited:
            self.gone[code_word(number, self.versions[number])] = number
            self.versions[number] += 1
            write_report(self.folder, number, self.versions[number], rng)
        for number in deleted:
            self.gone[code_word(number, self.versions.pop(number))] = number
            (self.folder / f"report-{number:03d}.txt").unlink()
        added = rng.randint(1, 4)
        self.add(rng, added)
        return f"+{added} ~{len(edited)} -{len(deleted)}"


def ingest_process(corpus: Path, data_dir: Path, log: Path) -> subprocess.Popen:
    """`assistant ingest -q CORPUS` as a real process, its output appended to `log`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env.update(PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", ASSISTANT_STORE__WRITE_BATCH=str(WRITE_BATCH))
    command = [sys.executable, "-m", "assistant", "--data-dir", str(data_dir), "ingest", "-q", str(corpus)]
    with open(log, "ab") as output:
        return subprocess.Popen(command, cwd=corpus.parent, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_for_lock(process: subprocess.Popen, data_dir: Path) -> float:
    """The moment `process` holds the writer lock (it wrote its pid in the lock file)."""
    lock = data_dir / "writer.lock"
    while process.poll() is None:
        try:
            if json.loads(lock.read_text(encoding="utf-8")).get("pid") == process.pid:
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    return time.monotonic()


def timed_ingest(corpus: Path, data_dir: Path, log: Path) -> float:
    """Ingest to the end; returns the seconds from taking the lock to exiting."""
    process = ingest_process(corpus, data_dir, log)
    locked = wait_for_lock(process, data_dir)
    assert process.wait(timeout=1800) == 0, log.read_text()[-3000:]
    return time.monotonic() - locked


def killed_ingest(corpus: Path, data_dir: Path, log: Path, delay: float) -> float | None:
    """Start an ingest, SIGKILL it `delay` seconds after it took the lock. None if it died;
    if it had finished first, the seconds it held the lock (at most `delay`)."""
    process = ingest_process(corpus, data_dir, log)
    locked = wait_for_lock(process, data_dir)
    deadline = locked + delay
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    if process.poll() is not None:
        return time.monotonic() - locked
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return None


def snapshot(assistant: Assistant) -> dict:
    """Everything the index holds: passages by id, record keys, catalog entries."""
    index = assistant.index
    got = index.collection.get(include=["documents", "metadatas"])
    return {
        "passages": {i: (text, meta) for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"])},
        "records": sorted(index.records.list_keys()),
        "catalog": {doc_id: (e.fingerprint, e.passages) for doc_id, e in index.catalog.entries().items()},
    }


def orphans(state: dict) -> int:
    """Stored passages that no listed document or no record accounts for (counted from the
    raw state, not by the check under test)."""
    recorded = set(state["records"])
    return sum(1 for id_, (_, meta) in state["passages"].items() if meta["doc_id"] not in state["catalog"] or id_ not in recorded)


def retrievable(assistant: Assistant, reports: Reports) -> int:
    """Passages holding a code word that left the disk: stored, in the search index, or
    returned when its report's code word is asked for."""
    gone = list(reports.gone)
    stored = assistant.index.collection.get(include=["documents"])["documents"]
    lexical = assistant.index.search_index().lexical
    found = sum(any(word in text for word in gone) for text in stored)
    found += sum(len(lookup.passages(lexical, words(word), 100)) for word in gone)
    for word, number in reports.gone.items():
        passages = assistant.retrieve(f"What is the code word of report {number}?", k=6)
        found += sum(word in passage.text for passage in passages)
    return found


@dataclass
class Outcome:
    """One seeded run of the matrix."""

    seed: int
    kills: list[float]  # seconds after taking the lock at which an ingest was killed
    finished: int  # ingests meant to be killed that had finished first
    full_run: float | None  # seconds the first (full) ingest held the lock, when it finished before its kill
    changes: list[str]  # reports added (+), edited (~) and deleted (-) before each ingest after the first
    documents: int
    passages: int
    same_as_clean: bool
    orphans: int
    retrievable: int
    check_ok: bool
    recovery: str  # the summary of the ingest that finished


def run_seed(seed: int, root: Path, embeddings, write_seconds: float, kills: int = 2, documents: int = 30) -> Outcome:
    """Kill `kills` ingests of a changing corpus, each at a uniform random moment of the first
    `write_seconds` after it took the lock; let the next one finish; compare with a clean ingest."""
    rng = random.Random(seed)
    reports = Reports(root / f"corpus-{seed}" / "reports")
    reports.add(rng, documents)
    data_dir, log = root / f"data-{seed}", root / f"ingest-{seed}.log"
    landed, finished, changes, full_run = [], 0, [], None
    for number in range(kills):
        if number:
            changes.append(reports.mutate(rng))
        delay = rng.uniform(0, write_seconds)
        took = killed_ingest(reports.folder, data_dir, log, delay)
        if took is None:
            landed.append(round(delay, 2))
        else:
            finished += 1
            full_run = took if number == 0 else full_run
    changes.append(reports.mutate(rng))
    final_log = root / f"ingest-{seed}-final.log"
    timed_ingest(reports.folder, data_dir, final_log)
    recovery = [line for line in final_log.read_text(errors="replace").splitlines() if line and "WARNING" not in line]
    got_assistant = Assistant(Settings(data_dir=data_dir), embeddings=embeddings)
    clean = Assistant(Settings(data_dir=root / f"clean-{seed}"), embeddings=embeddings)
    clean.ingest([reports.folder])
    got, expected = snapshot(got_assistant), snapshot(clean)
    return Outcome(
        seed=seed,
        kills=landed,
        finished=finished,
        full_run=full_run,
        changes=changes,
        documents=len(got["catalog"]),
        passages=len(got["passages"]),
        same_as_clean=got == expected,
        orphans=orphans(got),
        retrievable=retrievable(got_assistant, reports),
        check_ok=got_assistant.check().ok,
        recovery=" / ".join(recovery),
    )


def calibrate(root: Path, documents: int = 30) -> float:
    """Seconds a clean ingest of `documents` reports takes once it holds the lock."""
    reports = Reports(root / "calibration" / "reports")
    reports.add(random.Random(0), documents)
    return timed_ingest(reports.folder, root / "calibration" / "data", root / "calibration.log")
