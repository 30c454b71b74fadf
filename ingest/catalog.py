"""The catalog: one row per indexed document, next to the record manager's table.

The record manager knows passages; the catalog knows files: their fingerprint (to skip
unchanged ones before splitting), title and passage count (for summaries and the index
panel), and which documents a folder held (to remove deleted files).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, select
from sqlalchemy.engine import Engine

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


@dataclass(frozen=True)
class IndexedDocument:
    """What the index holds of one document."""

    doc_id: str
    source: str
    title: str
    fingerprint: str
    passages: int
    fields: dict[str, str]


class Catalog:
    """Documents of one collection, stored in the record manager's database."""

    def __init__(self, engine: Engine, namespace: str) -> None:
        self.engine = engine
        self.namespace = namespace
        _metadata.create_all(engine)

    def entries(self) -> dict[str, IndexedDocument]:
        """Every document of this namespace, by doc_id."""
        query = select(_documents).where(_documents.c.namespace == self.namespace)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return {row["doc_id"]: _entry(row) for row in rows}

    def version(self) -> str:
        """Changes whenever a document is added, replaced or removed."""
        query = select(func.count(), func.max(_documents.c.indexed_at), func.sum(_documents.c.passages)).where(
            _documents.c.namespace == self.namespace
        )
        with self.engine.connect() as connection:
            count, latest, passages = connection.execute(query).one()
        return f"{count}:{latest or 0}:{passages or 0}"

    def put(self, entries: list[IndexedDocument]) -> None:
        """Insert or replace documents."""
        if not entries:
            return
        now = time.time()
        with self.engine.begin() as connection:
            self._delete(connection, [entry.doc_id for entry in entries])
            connection.execute(
                _documents.insert(),
                [{**_row(entry), "namespace": self.namespace, "indexed_at": now} for entry in entries],
            )

    def remove(self, doc_ids: list[str]) -> None:
        """Forget documents."""
        with self.engine.begin() as connection:
            self._delete(connection, doc_ids)

    def clear(self) -> None:
        """Forget every document of this namespace."""
        with self.engine.begin() as connection:
            connection.execute(delete(_documents).where(_documents.c.namespace == self.namespace))

    def _delete(self, connection, doc_ids: list[str]) -> None:
        for start in range(0, len(doc_ids), 500):
            connection.execute(
                delete(_documents).where(
                    _documents.c.namespace == self.namespace,
                    _documents.c.doc_id.in_(doc_ids[start : start + 500]),
                )
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
    )
