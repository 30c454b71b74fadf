"""Which files an ingest reads, and the id each document gets.

A document's id is its file's resolved absolute path, so one file is one document wherever
ingest runs from and however the path was spelled (relative, through a symbolic link).
With `docs_root` set, files under that folder are named by their path below it instead:
machines that mount a shared folder in different places then agree on the ids.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders import is_supported


def doc_id_for(path: Path, root: Path | None = None) -> str:
    """The file's resolved path, or its path under `root` when it lies there."""
    resolved = Path(path).resolve()
    if root is not None:
        try:
            return resolved.relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return resolved.as_posix()


def path_of(doc_id: str, root: Path | None = None) -> Path:
    """Where a document id's file is (or was): a relative id lies under `root`, or, made by
    an older version, under the working directory."""
    path = Path(doc_id)
    return path if path.is_absolute() else (Path(root) if root else Path.cwd()).resolve() / path


def cwd_doc_id(path: Path) -> str:
    """The id older versions gave a file: its path relative to the working directory
    (absolute outside it). Indexes written then are re-keyed (`ingest.migration`)."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def existing(path: Path) -> Path:
    if not path.exists():
        raise IngestError(f"No such file or folder: {path}")
    return path


def under(doc_id: str, folders: list[Path], root: Path | None) -> bool:
    """Whether a document's file lies in one of the ingested folders."""
    path = path_of(doc_id, root)
    return any(folder.is_dir() and path.is_relative_to(folder.resolve()) for folder in folders)


def discover(roots: list[Path], root: Path | None, fail: Callable[[Path, str], None]) -> Iterator[tuple[Path, str]]:
    """(resolved path, doc id) of the supported files under the folders (a file given by
    name is taken whatever it is); each file once, however many ways it was reached."""
    seen: set[str] = set()
    for folder in roots:
        for path in _walk(folder, fail) if folder.is_dir() else [folder]:
            doc_id = doc_id_for(path, root)
            if doc_id not in seen:
                seen.add(doc_id)
                yield path.resolve(), doc_id


def _walk(root: Path, fail: Callable[[Path, str], None]) -> Iterator[Path]:
    """Files under a folder, sorted, not following links out of it or into loops."""
    top = root.resolve()
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(".") or not is_supported(path):
                continue
            problem = _link_problem(path, top) if path.is_symlink() else None
            if problem:
                fail(path, problem)
                continue
            yield path


def _link_problem(link: Path, top: Path) -> str | None:
    """Why a symbolic link can't be ingested (a loop, dangling, or leading out), or None."""
    try:
        target = link.resolve(strict=True)
    except RuntimeError:  # a loop, before Python 3.13
        return "is a symbolic link loop"
    except OSError as error:
        if error.errno == errno.ELOOP:  # a loop, from Python 3.13
            return "is a symbolic link loop"
        return f"is a broken symbolic link ({error.strerror or error})"
    if not target.is_relative_to(top):
        return "is a link to a file outside the ingested folder"
    return None
