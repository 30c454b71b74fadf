"""Where a question is asked: the documents a reader names, resolved to document ids.

A scope is a list of selectors, each one of
- a document id, a file's path, or a file name (`report.pdf`): those documents;
- a folder (`reports/`, `/srv/docs/2024`): the documents whose file lies under it;
- `field:value` for a header field the documents carry (`source:The Verge`, `author:Ilse Marrant`):
  the documents whose field is that value (or its leading part, as questions name outlets);
  a date field takes an ISO prefix or a range (`published:2023-10`, `published:2023-10-01..2023-10-15`).
A document matching any selector is in the scope. Retrieval then reads those documents only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath

from assistant.answer import Scope
from ingest.catalog import IndexedDocument
from ingest.documents import parse_date
from ingest.errors import QuestionError
from ingest.search import DATE_FIELDS, alias_forms

HOW = "a document id, a file name, a folder ending in /, or field:value"


def resolve(asked: Iterable[str], entries: Mapping[str, IndexedDocument]) -> Scope | None:
    """The scope these selectors name among the indexed `entries`; None when none is given.

    Raises `QuestionError` for a selector that matches nothing, naming what it could be."""
    selectors = list(dict.fromkeys(item.strip() for item in asked if item and item.strip()))
    if not selectors:
        return None
    matched: set[str] = set()
    for selector in selectors:
        found = matching(selector, entries)
        if not found:
            raise QuestionError(_nothing(selector, entries))
        matched |= found
    return Scope(asked=selectors, documents=sorted(matched))


def matching(selector: str, entries: Mapping[str, IndexedDocument]) -> set[str]:
    """The ids of the documents one selector names (see the module's docstring)."""
    if selector in entries:
        return {selector}
    exact = {d for d, entry in entries.items() if entry.source == selector}
    if exact:
        return exact
    if selector.endswith("/") or "/" in selector:
        under = {d for d, entry in entries.items() if _under(_path(entry), selector)}
        if under:
            return under
    tail = PurePosixPath(selector.replace("\\", "/")).parts
    named = {d for d, entry in entries.items() if tail and _path(entry).parts[-len(tail) :] == tail}
    if named:
        return named
    field, colon, value = selector.partition(":")
    if colon and field.strip() and value.strip():
        return {d for d, entry in entries.items() if _field_matches(entry, field.strip().lower(), value.strip())}
    return set()


def choices(entries: Mapping[str, IndexedDocument]) -> list[str]:
    """Selectors worth offering for this corpus: its folders, then outlets, authors and months."""
    folders = {str(_path(entry).parent) + "/" for entry in entries.values()}
    fields: set[str] = set()
    for entry in entries.values():
        for name, value in entry.fields.items():
            if name in ("source", "author") and value.strip():
                fields.add(f"{name}:{value.strip()}")
            elif name in DATE_FIELDS and parse_date(value):
                fields.add(f"{name}:{parse_date(value).isoformat()[:7]}")
    return sorted(folders) + sorted(fields) if len(folders) > 1 else sorted(fields)


def _path(entry: IndexedDocument) -> PurePosixPath:
    return PurePosixPath(entry.source.replace("\\", "/"))


def _under(path: PurePosixPath, folder: str) -> bool:
    """Whether `path` lies under `folder`: an absolute folder as a prefix, a relative one as
    consecutive parts anywhere above the file (`uploads/` matches `/data/uploads/a.txt`)."""
    parts = PurePosixPath(folder.rstrip("/") or "/").parts
    above = path.parent.parts
    if folder.startswith("/"):
        return above[: len(parts)] == parts
    return any(above[i : i + len(parts)] == parts for i in range(len(above) - len(parts) + 1))


def _field_matches(entry: IndexedDocument, field: str, value: str) -> bool:
    own = {name.lower(): text for name, text in entry.fields.items()}
    if field not in own:
        return False
    if field in DATE_FIELDS:
        return _on(own[field], value)
    return value.lower() in {form.lower() for form in alias_forms(own[field])}


def _on(stored: str, wanted: str) -> bool:
    """Whether a stored date matches an ISO prefix (`2023-10`) or lies in a range (`a..b`)."""
    when = parse_date(stored)
    if when is None:
        return stored.strip().lower().startswith(wanted.lower())
    day = when.isoformat()
    if ".." in wanted:
        start, _, end = wanted.partition("..")
        return (not start or day >= start.strip()) and (not end or day[: len(end.strip())] <= end.strip())
    return day.startswith(wanted)


def _nothing(selector: str, entries: Mapping[str, IndexedDocument]) -> str:
    fields = sorted({name.lower() for entry in entries.values() for name in entry.fields})
    named = f" (fields here: {', '.join(fields)})" if fields else ""
    return f"No indexed document matches {selector!r}: give {HOW}{named}."
