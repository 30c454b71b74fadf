"""The catalog: one row per indexed document, and a claim per document being written.

The record manager knows passages; the catalog knows files: their fingerprint (to skip
unchanged ones before splitting), title and passage count (for summaries and the index
panel), and which documents a folder held (to remove deleted files).

A writer claims a document before its first passage reaches the store and releases the
claim in the same transaction that lists (or forgets) it, so a document in the store is
always either listed or claimed. A claim left by a writer that is gone marks a write that
was interrupted: the next writer removes whatever it wrote (`Index.recover`). The
generation counts every change, and the change log lists the documents each one touched,
so what is derived from the store (the lexical index) follows it a document at a time; the
log keeps the last `LOG_KEEP` changes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

_metadata = MetaData()
_documents = Table(
    "assistant_documents",
    _metadata,
    Column("namespace", String, primary_key=True),
    Column("doc_id", String, primary_key=True),
    Column("source", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("fingerprint", String, nullable=False),
    Column("passages", Integer, nullable=False),
    Column("fields", Text, nullable=False),
    Column("indexed_at", Float, nullable=False),
)
_claims = Table(
    "assistant_claims",
    _metadata,
    Column("namespace", String, primary_key=True),
    Column("doc_id", String, primary_key=True),
    Column("writer", String, nullable=False),
    Column("heartbeat", Float, nullable=False),
)
_generations = Table(
    "assistant_generations",
    _metadata,
    Column("namespace", String, primary_key=True),
    Column("generation", Integer, nullable=False),
)
_changes = Table(
    "assistant_changes",
    _metadata,
    Column("namespace", String, primary_key=True),
    Column("generation", Integer, primary_key=True),
    Column("doc_id", String, primary_key=True),
)
EVERYTHING = ""  # the doc_id of a change that touched every document (a clear)
NOTHING = "/"  # the doc_id of a change that touched none (no document id is "/")
_CHUNK = 500  # ids per IN (...) clause
# Changes the log keeps. A follower further behind than this rebuilds its lexical index from
# the store, which reads everything once: about what replaying that many changes would cost.
LOG_KEEP = 10_000


@dataclass(frozen=True)
class IndexedDocument:
    """What the index holds of one document."""

    doc_id: str
    source: str
    title: str
    fingerprint: str
    passages: int
    fields: dict[str, str]
    indexed_at: float = 0.0  # seconds since the epoch when it was last written; 0 until listed


@dataclass(frozen=True)
class Claim:
    """A document a writer is adding, replacing or removing."""

    doc_id: str
    writer: str
    heartbeat: float


class Catalog:
    """Documents of one collection, stored in the record manager's database."""

    def __init__(self, engine: Engine, namespace: str) -> None:
        self.engine = engine
        self.namespace = namespace
        _metadata.create_all(engine)

    def entries(self) -> dict[str, IndexedDocument]:
        """Every document of this namespace, by doc_id."""
        with self.engine.connect() as connection:
            return self._entries(connection)

    def listed(self) -> tuple[dict[str, IndexedDocument], list[Claim]]:
        """The documents and the claims. A document leaves the claims and joins the entries in
        one transaction, and the claims are read first: a document the store held before
        this call is found in one or the other (in both if it moved between the reads)."""
        with self.engine.begin() as connection:
            claims = self._claims(connection)
            return self._entries(connection), claims

    def claims(self) -> list[Claim]:
        """The documents being written now, or whose writer died."""
        with self.engine.connect() as connection:
            return self._claims(connection)

    def version(self) -> str:
        """Changes whenever a document is added, replaced, renamed or removed."""
        with self.engine.connect() as connection:
            generation = connection.execute(self._generation_query()).scalar()
        return str(generation or 0)

    def generation(self) -> int:
        """The number of the last change (0 before the first)."""
        with self.engine.connect() as connection:
            return connection.execute(self._generation_query()).scalar() or 0

    def changes(self, after: int, upto: int) -> set[str] | None:
        """The documents changed by generations `after`+1..`upto`; None when one of them
        touched everything (a clear) or the log does not reach back that far."""
        query = select(_changes.c.generation, _changes.c.doc_id).where(
            _changes.c.namespace == self.namespace, _changes.c.generation > after, _changes.c.generation <= upto
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        seen = {generation for generation, _ in rows}
        if any(doc_id == EVERYTHING for _, doc_id in rows) or len(seen) < upto - after:
            return None
        return {doc_id for _, doc_id in rows if doc_id != NOTHING}

    def passage_total(self) -> int:
        """The passages the listed documents hold, by their own count."""
        query = select(func.sum(_documents.c.passages)).where(_documents.c.namespace == self.namespace)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar() or 0

    def claim(self, doc_ids: Iterable[str], writer: str, gone: Callable[[Claim], bool]) -> dict[str, str]:
        """Claim documents for `writer`, taking over claims whose writer is `gone`; returns the
        documents another live writer holds, with that writer (those are not claimed)."""
        doc_ids = sorted(set(doc_ids))
        for attempt in range(3):
            try:
                with self.engine.begin() as connection:
                    return self._claim(connection, doc_ids, writer, gone)
            except IntegrityError:  # another machine claimed one of them meanwhile
                if attempt == 2:
                    raise
        return {}

    def beat(self, writer: str) -> None:
        """Mark `writer`'s claims as alive."""
        with self.engine.begin() as connection:
            connection.execute(
                update(_claims)
                .where(_claims.c.namespace == self.namespace, _claims.c.writer == writer)
                .values(heartbeat=time.time())
            )

    def commit(self, put: list[IndexedDocument] = (), removed: Iterable[str] = (), released: Iterable[str] = ()) -> None:
        """List `put`, forget `removed` and release the claims on `released`, in one transaction."""
        put, removed, released = list(put), list(removed), list(released)
        now = time.time()
        with self.engine.begin() as connection:
            self._delete(connection, _documents, removed + [entry.doc_id for entry in put])
            if put:
                rows = [{**_row(entry), "namespace": self.namespace, "indexed_at": now} for entry in put]
                connection.execute(_documents.insert(), rows)
            self._delete(connection, _claims, released)
            self._bump(connection, removed + [entry.doc_id for entry in put] + released)

    def clear(self) -> None:
        """Forget every document and claim of this namespace."""
        with self.engine.begin() as connection:
            for table in (_documents, _claims):
                connection.execute(delete(table).where(table.c.namespace == self.namespace))
            self._bump(connection, [EVERYTHING])

    def _claim(self, connection: Connection, doc_ids: list[str], writer: str, gone) -> dict[str, str]:
        held = {claim.doc_id: claim for claim in self._claims(connection, doc_ids)}
        busy = {d: held[d].writer for d in doc_ids if d in held and held[d].writer != writer and not gone(held[d])}
        now = time.time()
        taken = [d for d in doc_ids if d in held and d not in busy]
        self._delete(connection, _claims, taken)
        fresh = [{"namespace": self.namespace, "doc_id": d, "writer": writer, "heartbeat": now} for d in doc_ids if d not in busy]
        if fresh:
            connection.execute(_claims.insert(), fresh)
        return busy

    def _entries(self, connection: Connection) -> dict[str, IndexedDocument]:
        query = select(_documents).where(_documents.c.namespace == self.namespace)
        return {row["doc_id"]: _entry(row) for row in connection.execute(query).mappings()}

    def _claims(self, connection: Connection, doc_ids: list[str] | None = None) -> list[Claim]:
        query = select(_claims.c.doc_id, _claims.c.writer, _claims.c.heartbeat).where(_claims.c.namespace == self.namespace)
        if doc_ids is None:
            return [Claim(*row) for row in connection.execute(query)]
        claims = []
        for start in range(0, len(doc_ids), _CHUNK):
            chunk = query.where(_claims.c.doc_id.in_(doc_ids[start : start + _CHUNK]))
            claims += [Claim(*row) for row in connection.execute(chunk)]
        return claims

    def _generation_query(self):
        return select(_generations.c.generation).where(_generations.c.namespace == self.namespace)

    def _bump(self, connection: Connection, doc_ids: list[str]) -> None:
        """Count a change and log the documents it touched (every change logs a row, NOTHING
        when it touched none, so a gap in the log means it was not kept)."""
        bumped = connection.execute(
            update(_generations).where(_generations.c.namespace == self.namespace).values(generation=_generations.c.generation + 1)
        )
        if not bumped.rowcount:
            connection.execute(_generations.insert().values(namespace=self.namespace, generation=1))
        generation = connection.execute(self._generation_query()).scalar()
        rows = [{"namespace": self.namespace, "generation": generation, "doc_id": d} for d in sorted(set(doc_ids)) or [NOTHING]]
        connection.execute(_changes.insert(), rows)
        connection.execute(
            delete(_changes).where(_changes.c.namespace == self.namespace, _changes.c.generation <= generation - LOG_KEEP)
        )

    def _delete(self, connection: Connection, table: Table, doc_ids: list[str]) -> None:
        for start in range(0, len(doc_ids), _CHUNK):
            connection.execute(
                delete(table).where(table.c.namespace == self.namespace, table.c.doc_id.in_(doc_ids[start : start + _CHUNK]))
            )


def _row(entry: IndexedDocument) -> dict:
    return {
        "doc_id": entry.doc_id,
        "source": entry.source,
        "title": entry.title,
        "fingerprint": entry.fingerprint,
        "passages": entry.passages,
        "fields": json.dumps(entry.fields, ensure_ascii=False),
    }


def _entry(row) -> IndexedDocument:
    return IndexedDocument(
        doc_id=row["doc_id"],
        source=row["source"],
        title=row["title"],
        fingerprint=row["fingerprint"],
        passages=row["passages"],
        fields=json.loads(row["fields"]),
        indexed_at=row["indexed_at"],
    )
