"""The search index: what hybrid retrieval reads, built from the store and saved beside it.

BM25 (bm25s, Snowball-stemmed) over every passage's indexed text and over whole documents,
the passages' embeddings as one matrix (Chroma holds them; a question scores them all in
one product), and the metadata a question may name: outlets and authors, publication dates.
It is rebuilt when the store changes: after an ingest, or when another machine wrote to a
shared Chroma server (the stamp no longer matches).
"""

from __future__ import annotations

import bisect
import json
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from ingest.documents import FIELD_PREFIX, parse_date

BM25_K1 = 0.9  # Anserini's defaults; within ±0.01 MRR of 1.5/0.75 on MultiHop-RAG, slightly better
BM25_B = 0.4
ALIAS_FIELDS = ("source", "author")  # header fields whose values a question may name
DATE_FIELDS = ("published", "date")
TOKENIZE_SLICE = 1 << 20  # characters: long texts are tokenized in slices of about this size
BATCH_CHARS = 4 << 20  # characters tokenized per bm25s call
_WHITESPACE = re.compile(r"\s")


class BM25:
    """bm25s with English stop words and Snowball stemming; scores for every text at once."""

    def __init__(self, model, size: int) -> None:
        self.model = model
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> BM25:
        import bm25s

        model = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        if texts:
            model.index(_tokens(texts), show_progress=False)
        return cls(model, len(texts))

    def scores(self, query: str) -> np.ndarray:
        """BM25 of `query` against every text (zeros when no query word is known)."""
        vocabulary = getattr(self.model, "vocab_dict", None) or {}
        words = [w for w in _tokens([query])[0] if w in vocabulary]
        if not words:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.model.get_scores(words), dtype=np.float32)

    def save(self, folder: Path) -> None:
        if self.size:
            self.model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> BM25:
        import bm25s

        model = bm25s.BM25.load(str(folder), show_progress=False) if size else bm25s.BM25(k1=BM25_K1, b=BM25_B)
        return cls(model, size)


def _tokens(texts: list[str]) -> list[list[str]]:
    """Stemmed words of each text. The texts are tokenized a few megabytes at a time, a long
    document in slices cut at whitespace: tokenizing a 50 MB document in one piece makes
    millions of transient strings (about 700 MB)."""
    import Stemmer

    stem = Stemmer.Stemmer("english").stemWords
    words: list[list[str]] = [[] for _ in texts]
    batch: list[tuple[int, str]] = []
    size = 0
    for owner, piece in _pieces(texts):
        batch.append((owner, piece))
        size += len(piece)
        if size >= BATCH_CHARS:
            _tokenize_into(words, batch, stem)
            batch, size = [], 0
    _tokenize_into(words, batch, stem)
    return words


def _pieces(texts: list[str]):
    """(text number, slice) for every text, long ones cut at whitespace about every megabyte."""
    for owner, text in enumerate(texts):
        start = 0
        while len(text) - start > TOKENIZE_SLICE:
            space = _WHITESPACE.search(text, start + TOKENIZE_SLICE)
            if space is None:
                break
            yield owner, text[start : space.start()]
            start = space.end()
        yield owner, text[start:]


def _tokenize_into(words: list[list[str]], batch: list[tuple[int, str]], stem) -> None:
    import bm25s

    if not batch:
        return
    tokens = bm25s.tokenize([piece for _, piece in batch], stopwords="en", stemmer=stem, return_ids=False, show_progress=False)
    for (owner, _), piece_words in zip(batch, tokens):
        words[owner].extend(piece_words)


@dataclass
class SearchIndex:
    """Everything hybrid retrieval scores, row `i` being passage `ids[i]`."""

    stamp: str
    ids: list[str]
    texts: list[str]
    metadatas: list[dict]
    embeddings: np.ndarray
    passages: BM25
    documents: BM25
    doc_ids: list[str]
    chunk_doc: np.ndarray
    aliases: dict[str, list[int]]
    doc_dates: list[date | None]

    @property
    def doc_chunks(self) -> list[np.ndarray]:
        """Passage rows of each document."""
        order = np.argsort(self.chunk_doc, kind="stable")
        bounds = np.searchsorted(self.chunk_doc[order], np.arange(len(self.doc_ids) + 1))
        return [order[bounds[d] : bounds[d + 1]] for d in range(len(self.doc_ids))]

    def text_of(self, doc_id: str) -> str | None:
        """A document's text rebuilt from its passages, each at its own offsets; None if unknown.

        The splitter drops the whitespace where it cuts between passages: a one-character gap
        comes back as a space, a longer one as newlines (it cuts at paragraphs first).
        """
        position = bisect.bisect_left(self.doc_ids, doc_id)
        if position == len(self.doc_ids) or self.doc_ids[position] != doc_id:
            return None
        rows = np.flatnonzero(self.chunk_doc == position)
        spans = sorted((self.metadatas[r]["start"], self.texts[r][self.metadatas[r].get("offset", 0) :]) for r in rows)
        text, end = "", 0
        for start, body in spans:
            if start > end:
                text += " " if start - end == 1 else "\n" * (start - end)
                end = start
            if start + len(body) > end:
                text += body[end - start :]
                end = start + len(body)
        return text


def build(stamp: str, ids: list[str], texts: list[str], metadatas: list[dict], embeddings) -> SearchIndex:
    """The search index of these passages (any order; rows are sorted by id)."""
    order = sorted(range(len(ids)), key=ids.__getitem__)
    ids, texts, metadatas = [ids[i] for i in order], [texts[i] for i in order], [metadatas[i] for i in order]
    matrix = np.asarray(embeddings, dtype=np.float32).reshape(len(ids), -1)[order] if ids else np.zeros((0, 0))
    doc_ids = sorted({m["doc_id"] for m in metadatas})
    position = {doc_id: n for n, doc_id in enumerate(doc_ids)}
    chunk_doc = np.array([position[m["doc_id"]] for m in metadatas], dtype=np.int64)
    first = {}
    for row, m in enumerate(metadatas):
        first.setdefault(position[m["doc_id"]], row)
    heads = [_head(texts[first[d]], metadatas[first[d]]) for d in range(len(doc_ids))]
    bodies = _documents(texts, metadatas, chunk_doc, len(doc_ids))
    return SearchIndex(
        stamp=stamp,
        ids=ids,
        texts=texts,
        metadatas=metadatas,
        embeddings=matrix,
        passages=BM25.build(texts),
        documents=BM25.build([f"{h}\n{b}" for h, b in zip(heads, bodies)]),
        doc_ids=doc_ids,
        chunk_doc=chunk_doc,
        aliases=_aliases([metadatas[first[d]] for d in range(len(doc_ids))]),
        doc_dates=[_date(metadatas[first[d]]) for d in range(len(doc_ids))],
    )


def _head(text: str, metadata: dict) -> str:
    return text[: metadata.get("offset", 0)].strip()


def _documents(texts, metadatas, chunk_doc, count: int) -> list[str]:
    """Each document's text, rebuilt from its passages' spans without the overlaps twice."""
    parts = defaultdict(list)
    for row, (text, m) in enumerate(zip(texts, metadatas)):
        parts[chunk_doc[row]].append((m["start"], text[m.get("offset", 0) :]))
    documents = []
    for d in range(count):
        body, end = "", 0
        for start, text in sorted(parts[d]):
            if start + len(text) > end:
                body += ("\n" if start > end else "") + text[max(0, end - start) :]
                end = start + len(text)
        documents.append(body)
    return documents


def alias_forms(value: str) -> set[str]:
    """A field value and its leading parts: 'FOX News - Lifestyle' also gives 'FOX News'."""
    forms = {value.strip()}
    for separator in (" | ", " - ", ": "):
        if separator in value:
            forms.add(value.split(separator)[0].strip())
    if ", " in value:
        forms.update(part.strip() for part in value.split(", "))
    return {form for form in forms if len(form) >= 3}


def _aliases(firsts: list[dict]) -> dict[str, list[int]]:
    aliases: dict[str, set[int]] = defaultdict(set)
    for position, metadata in enumerate(firsts):
        for name in ALIAS_FIELDS:
            for form in alias_forms(metadata.get(FIELD_PREFIX + name, "")):
                aliases[form.lower()].add(position)
    return {alias: sorted(docs) for alias, docs in aliases.items()}


def _date(metadata: dict) -> date | None:
    for name in DATE_FIELDS:
        if metadata.get(FIELD_PREFIX + name):
            return parse_date(metadata[FIELD_PREFIX + name])
    return None


def save(index: SearchIndex, folder: Path) -> None:
    """Write the index to `folder` (replacing what was there)."""
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    index.passages.save(partial / "passages")
    index.documents.save(partial / "documents")
    np.save(partial / "embeddings.npy", index.embeddings)
    rows = {
        "stamp": index.stamp,
        "ids": index.ids,
        "texts": index.texts,
        "metadatas": index.metadatas,
        "doc_ids": index.doc_ids,
        "chunk_doc": index.chunk_doc.tolist(),
        "aliases": index.aliases,
        "doc_dates": [d.isoformat() if d else None for d in index.doc_dates],
    }
    (partial / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)


def load(folder: Path) -> SearchIndex | None:
    """The index saved in `folder`, or None when there is none (or it is unreadable)."""
    try:
        rows = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
        return SearchIndex(
            stamp=rows["stamp"],
            ids=rows["ids"],
            texts=rows["texts"],
            metadatas=rows["metadatas"],
            embeddings=np.load(folder / "embeddings.npy"),
            passages=BM25.load(folder / "passages", len(rows["ids"])),
            documents=BM25.load(folder / "documents", len(rows["doc_ids"])),
            doc_ids=rows["doc_ids"],
            chunk_doc=np.asarray(rows["chunk_doc"], dtype=np.int64),
            aliases=rows["aliases"],
            doc_dates=[date.fromisoformat(d) if d else None for d in rows["doc_dates"]],
        )
    except (OSError, ValueError, KeyError):
        return None
