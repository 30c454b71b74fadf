"""The index's invariant, checked and repaired: the store, the records, the catalog and the
search index describe the same passages.

- every stored passage belongs to a listed document and is recorded under it;
- every record is of a stored passage of a listed document;
- each listed document has as many passages as the catalog says;
- no claim is left by a writer that stopped (an interrupted write);
- the search index holds exactly the stored passages.

A passage of a document the catalog does not list is an orphan: debris of a write cut
short before the catalog could list it, which no user can see or remove, yet questions
retrieve it. Repair removes orphans, stray records, and listed documents whose passages
no longer match (the next ingest of their files writes them again), then rebuilds the
search index. Everything goes through `Index` methods, so another search engine behind
`Index` needs no change here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ingest.catalog import IndexedDocument


@dataclass
class IndexCheck:
    """What a consistency check found (and, with `repaired`, removed)."""

    documents: int = 0
    passages: int = 0
    records: int = 0
    orphans: dict[str, int] = field(default_factory=dict)  # unlisted document -> its stored passages
    stray_records: int = 0  # records of no listed document
    damaged: list[str] = field(default_factory=list)  # listed, but passages and records or count disagree
    interrupted: list[str] = field(default_factory=list)  # claimed by a writer that stopped
    writing: list[str] = field(default_factory=list)  # claimed by a writer still at work: not judged
    unlisted: int = 0  # passages other machines' catalogs list (a server with local records): not judged
    search_stale: bool = False  # the search index's passages differ from the store's
    repaired: bool = False

    @property
    def ok(self) -> bool:
        """Whether the invariant held (before any repair)."""
        return not (self.orphans or self.stray_records or self.damaged or self.interrupted or self.search_stale)

    @property
    def orphan_passages(self) -> int:
        return sum(self.orphans.values())

    def __str__(self) -> str:
        lines = [f"{self.documents:,} documents, {self.passages:,} passages stored, {self.records:,} recorded"]
        found = [
            (self.interrupted, f"{len(self.interrupted)} document(s) whose write was interrupted"),
            (self.orphans, f"{self.orphan_passages:,} orphan passage(s) of {len(self.orphans)} unlisted document(s)"),
            (self.stray_records, f"{self.stray_records:,} record(s) of no listed document"),
            (self.damaged, f"{len(self.damaged)} listed document(s) whose passages don't match their records"),
            (self.search_stale, "a search index that differs from the store"),
        ]
        verb = "removed" if self.repaired else "found"
        lines += [f"{verb}: {text}" for problem, text in found if problem]
        lines += [f"  {doc_id}" for doc_id in sorted(set(self.interrupted) | set(self.damaged))[:20]]
        if self.writing:
            lines.append(f"not checked: {len(self.writing)} document(s) another ingest is writing now")
        if self.unlisted:
            lines.append(
                f"not checked: {self.unlisted:,} passages of documents other machines listed "
                "(set ASSISTANT_STORE__RECORDS_URL to share one catalog)"
            )
        if self.ok:
            lines.append("consistent: the store, the records, the catalog and the search index agree")
        elif self.repaired:
            lines.append("repaired; ingest the damaged and interrupted documents' folders again to restore them")
        else:
            lines.append("run `assistant check --repair` (or ingest again) to repair it")
        return "\n".join(lines)


def quick_check(index) -> str:
    """What the passage counts of the store, the records and the catalog disagree on, or an
    interrupted write; empty when they agree (or a write in progress explains a gap). Counts
    only: quick enough for every ingest and every refresh of the web chat's index panel."""
    live, stale = index.claims()
    if live:
        return ""
    if stale:
        return f"an ingest stopped while writing {len(stale)} document(s)"
    stored, recorded, listed = index.count(), index.record_count(), index.catalog.passage_total()
    if recorded == listed and (stored == listed or not index.complete_catalog):
        return ""
    return f"the store holds {stored:,} passages, the records list {recorded:,} and the documents {listed:,}"


def check(index, repair: bool = False) -> IndexCheck:
    """Compare every passage, record and listed document; with `repair`, remove what breaks
    the invariant (under the writer lock) and rebuild the search index."""
    if not repair:
        return _inspect(index)
    with index.writing():
        found = _inspect(index)
        if not found.ok:
            _repair(index, found)
        found.repaired = True
        return found


def _inspect(index) -> IndexCheck:
    stored = index.passage_owners()  # read first: a document is claimed before its passages are stored
    recorded = index.record_owners()
    entries, claims = index.catalog.listed()
    live, stale = index.claims(claims)
    skip = {claim.doc_id for claim in live + stale}
    found = IndexCheck(documents=len(entries), passages=len(stored), records=len(recorded))
    found.writing = sorted(claim.doc_id for claim in live)
    found.interrupted = sorted(claim.doc_id for claim in stale)
    stored_by, recorded_by = _by_document(stored), _by_document(recorded)
    for doc_id, ids in stored_by.items():
        if doc_id not in entries and doc_id not in skip:
            if index.complete_catalog:
                found.orphans[doc_id] = len(ids)
            else:
                found.unlisted += len(ids)
    found.stray_records = sum(len(keys) for doc_id, keys in recorded_by.items() if doc_id not in entries and doc_id not in skip)
    found.damaged = sorted(
        doc_id
        for doc_id, entry in entries.items()
        if doc_id not in skip and not _sound(entry, stored_by.get(doc_id, set()), recorded_by.get(doc_id, set()))
    )
    if not live:  # behind the change log is not stale: it catches up first, as every reader does
        index.search_index()
    found.search_stale = not live and index.searchable_ids() != set(stored)
    return found


def _repair(index, found: IndexCheck) -> None:
    """Undo interrupted writes, remove orphans, stray records and damaged documents (each
    judged again once claimed: another machine may have finished it meanwhile), rebuild
    the search index."""
    index.recover()
    stray = {doc_id for doc_id in index.record_owners().values()} - set(index.catalog.entries())
    suspects = set(found.orphans) | set(found.damaged) | stray

    def keep(doc_id: str) -> bool:
        entry = index.catalog.entries().get(doc_id)
        return entry is not None and _sound(entry, set(index.passages_of([doc_id])), set(index.records_of([doc_id])))

    index.remove(suspects, keep=keep)
    index.refresh_search()


def _sound(entry: IndexedDocument, stored: set[str], recorded: set[str]) -> bool:
    return stored == recorded and len(stored) == entry.passages


def _by_document(owners: dict[str, str]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for id_, doc_id in owners.items():
        grouped[doc_id].add(id_)
    return grouped
