"""Writers: the lock that lets one process write a data dir's index at a time, and who is
still writing.

An ingest (from the CLI, a web upload or the Python API), a rebuild and `check --repair`
hold an exclusive `flock` on `<data dir>/writer.lock`; the kernel releases it when the
process ends, however it ends, so a killed ingest never leaves the index locked. A second
writer waits for it, saying once who holds it, and gives up after
`store.lock_timeout` seconds with an error naming the holder. Threads of one process
queue on an in-process lock first (the same thread may take it again: nested writes).

This serialises writers on one machine. Writers on several machines sharing a Chroma
server are kept apart per document by the catalog's claims (see `ingest.catalog`), each
made by a writer id `host:pid:token`; `writer_gone` tells a claim whose writer stopped
(a dead process on this host, a lease not renewed from another) from one still writing.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ingest.catalog import Claim
from ingest.errors import IndexBusyError
from ingest.settings import IngestSettings

log = logging.getLogger("ingest")

LOCK_FILE = "writer.lock"
CLAIM_LEASE = 600.0  # seconds: another machine's claim not renewed for this long is abandoned
_HOST = socket.gethostname()
_active: dict[str, int] = {}  # writer ids of this process now writing, with their nesting depth
_POLL = 0.2  # seconds between attempts while waiting
_threads: dict[Path, threading.RLock] = {}
_held: dict[Path, tuple[int, object]] = {}  # path -> (depth, open lock file) in this process
_registry = threading.Lock()


@contextmanager
def writer_lock(settings: IngestSettings) -> Iterator[None]:
    """Hold the data dir's writer lock (waiting for another writer, up to the timeout)."""
    path = (Path(settings.data_dir) / LOCK_FILE).resolve()
    timeout = settings.store.lock_timeout
    with _registry:
        thread_lock = _threads.setdefault(path, threading.RLock())
    if not (thread_lock.acquire(timeout=timeout) if timeout > 0 else thread_lock.acquire(blocking=False)):
        raise IndexBusyError(_busy_message(path, "another thread of this process", timeout))
    try:
        depth, file = _held.get(path, (0, None))
        if depth == 0:
            file = _take(path, timeout)
        _held[path] = (depth + 1, file)
        try:
            yield
        finally:
            depth, file = _held.pop(path)
            if depth > 1:
                _held[path] = (depth - 1, file)
            else:
                file.close()  # closing the file releases the flock
    finally:
        thread_lock.release()


@contextmanager
def attempt(settings: IngestSettings) -> Iterator[bool]:
    """Take the writer lock if it is free (or already this thread's): yields whether it did.
    For readers that update what they derive from the index only when nobody else writes."""
    quick = settings.model_copy(update={"store": settings.store.model_copy(update={"lock_timeout": 0})})
    held = writer_lock(quick)
    try:
        held.__enter__()
    except IndexBusyError:
        yield False
        return
    try:
        yield True
    finally:
        held.__exit__(None, None, None)


def _take(path: Path, timeout: float):
    path.parent.mkdir(parents=True, exist_ok=True)
    file = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held until released)
    deadline, told = time.monotonic() + timeout, False
    while True:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = _holder(path)
            if time.monotonic() >= deadline:
                file.close()
                raise IndexBusyError(_busy_message(path, holder, timeout)) from None
            if not told:
                log.warning("Waiting for %s to finish writing the index in %s ...", holder, path.parent)
                told = True
            time.sleep(_POLL)
    file.seek(0)
    file.truncate()
    started = datetime.now().isoformat(timespec="seconds")
    file.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": started}))
    file.flush()
    return file


def _holder(path: Path) -> str:
    """Who holds the lock, from what the holder wrote in the file."""
    try:
        facts = json.loads(path.read_text(encoding="utf-8"))
        return f"the ingest of process {facts['pid']} on {facts['host']} (since {facts['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another ingest"


def _busy_message(path: Path, holder: str, timeout: float) -> str:
    waited = f"after waiting {timeout:g} s" if timeout > 0 else "(ASSISTANT_STORE__LOCK_TIMEOUT is 0)"
    return (
        f"The index in {path.parent} is being written by {holder}; still busy {waited}. "
        "Let it finish, or stop it, then try again (ASSISTANT_STORE__LOCK_TIMEOUT sets how long to wait)."
    )


def writer_id() -> str:
    """A new writer's id: this host, this process and a token of its own."""
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def active(writer: str) -> Iterator[None]:
    """Mark `writer` as writing while the block runs."""
    _active[writer] = _active.get(writer, 0) + 1
    try:
        yield
    finally:
        _active[writer] -= 1
        if not _active[writer]:
            del _active[writer]


def writer_gone(claim: Claim, me: str, sole: bool) -> bool:
    """Whether a claim's writer stopped and will never finish: `sole` means the caller holds
    the only lock under which anyone writes (an embedded index), so every other claim is."""
    if claim.writer == me:
        return False
    if sole:
        return True
    host, _, rest = claim.writer.partition(":")
    pid_text = rest.partition(":")[0]
    pid = int(pid_text) if pid_text.isdigit() else 0
    if host == _HOST and pid == os.getpid():
        return claim.writer not in _active
    if host == _HOST:
        return not _alive(pid)
    return time.time() - claim.heartbeat > CLAIM_LEASE


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
