"""The peer baseline: LangChain's RAG tutorial pipeline, as most users first build it.

Text files -> `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)` -> the same
MiniLM model through `HuggingFaceEmbeddings` (default arguments) -> `Chroma.add_documents` ->
`similarity_search(question, k)`. Nothing of the assistant is used to retrieve.

Its answers are written by the assistant's own extractive answerer over the baseline's top
passages, so the two rows differ only in what was retrieved.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document

from assistant.answer import Passage


@dataclass
class TutorialPipeline:
    """A persistent tutorial index over one corpus folder (built once, reused while unchanged)."""

    store: object  # langchain_chroma.Chroma
    chunks: int
    build_seconds: float | None  # None when an earlier run had built it

    def search(self, question: str, k: int) -> list[Passage]:
        """`similarity_search(question, k)`, as numbered passages (offsets from `start_index`)."""
        found = self.store.similarity_search(question, k=k)
        return [_passage(number, document) for number, document in enumerate(found, start=1)]


def open_tutorial(corpus: Path, folder: Path, model_path: str) -> TutorialPipeline:
    """Open the tutorial index of `corpus` under `folder`, building it when missing or stale."""
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

    files = sorted(corpus.glob("*.txt"))
    key = hashlib.sha256(json.dumps([[f.name, f.stat().st_size] for f in files]).encode()).hexdigest()[:10]
    where = folder / f"tutorial-{corpus.resolve().parent.name}-{key}"
    done = where / "built.json"
    store = Chroma(
        collection_name="tutorial",
        embedding_function=HuggingFaceEmbeddings(model_name=model_path),
        persist_directory=str(where),
    )
    if done.exists():
        return TutorialPipeline(store, json.loads(done.read_text())["chunks"], None)
    store.reset_collection()
    started = time.perf_counter()
    splits = split_like_the_tutorial(files)
    store.add_documents(splits)
    seconds = time.perf_counter() - started
    done.write_text(json.dumps({"chunks": len(splits), "seconds": seconds}))
    return TutorialPipeline(store, len(splits), seconds)


def split_like_the_tutorial(files: list[Path]) -> list[Document]:
    """The tutorial's splitter over whole files (`source` = the path, `start_index` kept)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    docs = [Document(page_content=f.read_text(encoding="utf-8"), metadata={"source": str(f)}) for f in files]
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    return splitter.split_documents(docs)


def _passage(number: int, document: Document) -> Passage:
    start = int(document.metadata.get("start_index", 0))
    source = document.metadata.get("source", "")
    return Passage(
        number=number,
        text=document.page_content,
        doc_id=source,
        title=Path(source).stem,
        source=source,
        start=start,
        end=start + len(document.page_content),
        score=0.0,
    )
