"""The record manager: which passages the store holds, by content hash, grouped by document.

LangChain's `SQLRecordManager` keeps one row per stored passage (its key is the passage id,
its group the document id); ingest writes through LangChain's indexing API, which consults
it to skip passages already stored. The helpers here read it whole, for the consistency
check, and compute a passage's id the way the indexing API does, for re-keying.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from langchain_core.documents import Document
from sqlalchemy import Column, MetaData, String, Table, func, select

from ingest.settings import IngestSettings

KEY_ENCODER = "sha256"
_table = Table(  # LangChain's table, as far as it is read here
    "upsertion_record",
    MetaData(),
    Column("key", String),
    Column("namespace", String),
    Column("group_id", String),
)


def make_records(settings: IngestSettings):
    """The record manager of the configured collection (a SQLite file in the data dir by default)."""
    from langchain_classic.indexes import SQLRecordManager

    url = settings.store.records_url
    if not url:
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(settings.data_dir).resolve() / 'records.sqlite'}"
    records = SQLRecordManager(f"chroma/{settings.store.collection}", db_url=url)
    records.create_schema()
    return records


def passage_id(passage: Document) -> str:
    """The id the indexing API gives a passage with `key_encoder="sha256"`: a hash of the
    hashes of its text and of its metadata as sorted JSON."""
    content = _sha256(passage.page_content)
    metadata = _sha256(json.dumps(dict(passage.metadata or {}), sort_keys=True))
    return _sha256(content + metadata)


def owners(records) -> dict[str, str]:
    """Every recorded passage id with its document id."""
    query = select(_table.c.key, _table.c.group_id).where(_table.c.namespace == records.namespace)
    with records.engine.connect() as connection:
        return dict(connection.execute(query).all())


def count(records) -> int:
    """How many passages are recorded."""
    query = select(func.count()).select_from(_table).where(_table.c.namespace == records.namespace)
    with records.engine.connect() as connection:
        return connection.execute(query).scalar() or 0


def keys_of(records, doc_ids: Iterable[str]) -> list[str]:
    """The recorded passage ids of these documents."""
    doc_ids = list(doc_ids)
    keys: list[str] = []
    for start in range(0, len(doc_ids), 500):
        keys += records.list_keys(group_ids=doc_ids[start : start + 500])
    return keys


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
