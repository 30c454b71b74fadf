"""Documents uploaded from the page: copied under `<data dir>/uploads/`, then ingested."""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from assistant import Assistant, IngestSummary

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
MAX_NAME = 120


def safe_name(name: str) -> str:
    """A file name that stays inside the uploads folder: no folders, no leading dots, no oddities.

    >>> safe_name("../../etc/passwd.txt")
    'passwd.txt'
    >>> safe_name("..\\\\evil\\\\report (final).md")
    'report _final_.md'
    >>> safe_name(".hidden")
    'hidden'
    """
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = stem[: MAX_NAME - len(suffix) - 1] + dot + suffix if dot and len(suffix) < 10 else name[:MAX_NAME]
    return name or "upload"


def uploads_folder(assistant: Assistant) -> Path:
    """Where the page's uploads are kept, inside the data dir."""
    return Path(assistant.settings.data_dir) / "uploads"


def store(files: Sequence[tuple[str | Path, str]], folder: Path) -> list[Path]:
    """Copy `(temporary path, original name)` pairs into `folder` under safe names."""
    folder.mkdir(parents=True, exist_ok=True)
    top = folder.resolve()
    stored = []
    for source, name in files:
        target = (folder / safe_name(name)).resolve()
        if target.parent != top:  # safe_name makes this impossible; refuse rather than trust it
            raise ValueError(f"refusing to write outside {folder}: {name!r}")
        shutil.copyfile(source, target)
        stored.append(target)
    return stored


def add_documents(assistant: Assistant, files: Sequence[tuple[str | Path, str]]) -> IngestSummary:
    """Store the uploaded files and ingest them; the summary lists what was skipped and why."""
    return add_reported(assistant, files)[0]


def add_reported(assistant: Assistant, files: Sequence[tuple[str | Path, str]]) -> tuple[IngestSummary, list]:
    """Store and ingest the uploaded files: the summary, and for each file by its name what
    became of it (`added`, `updated`, `unchanged` with its passages, or `skipped: why`)."""
    paths = store(files, uploads_folder(assistant))
    if not paths:
        return IngestSummary(), []
    before = _by_file(assistant, paths)
    summary = assistant.ingest(paths, progress=True)
    after = _by_file(assistant, paths)
    failed = {Path(f.path).name: f.reason for f in summary.failed}
    report = []
    for path in paths:
        old, new = before.get(path.name, {}), after.get(path.name, {})
        if path.name in failed or not new:
            report.append((path.name, f"skipped: {failed.get(path.name, 'nothing to index in it')}"))
            continue
        state = "unchanged" if old == new else ("updated" if old else "added")
        passages = sum(passages for _, passages in new.values())
        report.append((path.name, f"{state}, {passages} passage{'' if passages == 1 else 's'}"))
    return summary, report


def _by_file(assistant: Assistant, paths: Sequence[Path]) -> dict[str, dict]:
    """The indexed documents read from each of `paths` (a mail's parts too), by file name:
    doc_id -> (fingerprint, passages)."""
    names = {str(path): path.name for path in paths}
    found: dict[str, dict] = {}
    for document in assistant.documents():
        name = names.get(str(Path(document.source.split("#", 1)[0]).resolve()))
        if name is not None:
            found.setdefault(name, {})[document.doc_id] = (document.fingerprint, document.passages)
    return found
