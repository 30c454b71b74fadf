"""`Assistant`: the one Python API. The CLI, the web chat and the evaluation use only this."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable

from assistant.answer import Answer, Passage, Response
from assistant.answering import Answerer, make_answerer
from assistant.caching import cached
from assistant.chain import build_chain
from assistant.retrieval import make_retriever, to_passages
from assistant.settings import Settings
from ingest import Index, IndexInfo, IngestSummary, ingest
from ingest.catalog import IndexedDocument
from ingest.consistency import IndexCheck, check
from ingest.errors import EmptyIndexError, IngestError, QuestionError
from ingest.loaders import LOADERS
from ingest.lock import writer_lock

History = Sequence[dict | tuple[str, str]]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Assistant:
    """Question answering over your documents, every claim cited.

    >>> assistant = Assistant(data_dir=tmp)            # doctest: +SKIP
    >>> assistant.ingest(["docs"])                     # doctest: +SKIP
    >>> assistant.ask("How many countries voted for the European resolution?").text  # doctest: +SKIP
    'Despite an overwhelming majority supporting the European resolution with 93 votes ... [1]'
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        data_dir: str | Path | None = None,
        embeddings: Embeddings | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        settings = settings or Settings()
        if data_dir is not None:
            settings = settings.model_copy(update={"data_dir": Path(data_dir)})
        self.settings = settings
        self._embeddings = embeddings
        self._answerer = answerer
        self._index: Index | None = None
        self._chain: Runnable | None = None
        self._query_embeddings: Embeddings | None = None
        self._lock = threading.RLock()

    def ingest(
        self, paths: Iterable[str | Path] = ("docs",), *, prune: bool = False, rebuild: bool = False, progress: bool = False
    ) -> IngestSummary:
        """Index the files under `paths` (folders or files); see `ingest.ingest`.

        `rebuild` empties the index first: needed after changing the embedding model.
        """
        paths = list(paths)
        for path in paths:  # before a rebuild drops anything
            if not Path(path).exists():
                raise IngestError(f"No such file or folder: {path}")
        with writer_lock(self.settings):  # one writer at a time: threads, processes (ingest.lock)
            if rebuild:
                self._index, self._chain, self._query_embeddings = None, None, None
            index = self._open(create=True, reset=rebuild)
            return ingest(index, paths, prune=prune, progress=progress)

    def check(self, repair: bool = False) -> IndexCheck:
        """Verify that the store, the records, the catalog and the search index agree (no
        orphan passages, no stray records, no interrupted write); with `repair`, remove what
        breaks that and rebuild the search index. See `ingest.consistency`."""
        return check(self._open(create=True), repair=repair)

    def ask(self, question: str, history: History | None = None) -> Answer:
        """Answer `question`, citing passages; `history` holds earlier turns of the conversation."""
        return self.stream(question, history).answer()

    def stream(self, question: str, history: History | None = None) -> Response:
        """The answer as it is written: iterate the `Response` for text pieces, then call its
        `answer()`. A question that can't be asked raises here, before anything streams."""
        question, turns = self._checked(question), _turns(history)
        index = self._open(create=False)
        if index.count() == 0:
            raise EmptyIndexError()
        return Response(self._get_chain().stream({"question": question, "history": turns}))

    def retrieve(self, query: str, k: int | None = None) -> list[Passage]:
        """The `k` passages (default `retrieval.k`) nearest to `query`, best first, numbered 1..k.

        With an answer's `query` (what `ask` searched for), this is the ranking `ask` saw, deeper.
        """
        index = self._open(create=False)
        if index.count() == 0:
            raise EmptyIndexError()
        retriever = make_retriever(index, self.settings.retrieval, k=k, embeddings=self.embeddings)
        return to_passages(retriever.invoke(self._checked(query)))

    @property
    def index(self) -> Index:
        """The index this assistant reads and writes (opened, and created if missing)."""
        return self._open(create=True)

    @property
    def embeddings(self) -> Embeddings:
        """The index's embedding model behind a bounded cache: what answering (and the citation
        support check) embeds questions and passage sentences with."""
        index = self._open(create=True)
        with self._lock:
            if self._query_embeddings is None:
                self._query_embeddings = cached(index.embeddings)
            return self._query_embeddings

    def check_question(self, question: str) -> str:
        """The question as it will be asked (control characters dropped, trimmed).

        Raises `QuestionError` saying why it can't be asked: lets a client refuse it up front.
        """
        return self._checked(question)

    def describe(self) -> IndexInfo:
        """What the index holds: documents, passages, embedding model."""
        return self._open(create=True).describe()

    def documents(self) -> list[IndexedDocument]:
        """The indexed documents (doc_id, title, source, passage count, header fields), by doc_id."""
        entries = self._open(create=True).catalog.entries()
        return [entries[doc_id] for doc_id in sorted(entries)]

    @property
    def answerer_name(self) -> str:
        """The configured answerer."""
        return self.settings.answer.answerer

    @property
    def formats(self) -> tuple[str, ...]:
        """File extensions `ingest` reads (`.docx`, `.html`, `.md`, `.pdf`, `.txt`, ...)."""
        return tuple(sorted(LOADERS))

    def _open(self, create: bool, reset: bool = False) -> Index:
        with self._lock:
            if self._index is None:
                self._index = Index(self.settings, embeddings=self._embeddings, create=create, reset=reset)
                self._embeddings = self._index.embeddings
            return self._index

    def _get_chain(self) -> Runnable:
        index = self._open(create=False)
        with self._lock:
            if self._chain is None:
                retriever = make_retriever(index, self.settings.retrieval, embeddings=self.embeddings)
                answerer = self._answerer or make_answerer(self.settings, self.embeddings)
                self._chain = build_chain(retriever, answerer)
            return self._chain

    def _checked(self, question: str) -> str:
        question = _plain(question or "").strip()
        limit = self.settings.answer.max_question_chars
        if not question:
            raise QuestionError("The question is empty: type a question about your documents.")
        if len(question) > limit:
            raise QuestionError(f"The question is {len(question):,} characters long; keep it under {limit:,}.")
        return question


def _turns(history: History | None) -> list[tuple[str, str]]:
    """Earlier turns as `(role, text)`, from message dicts or `(user, assistant)` pairs.

    Anything else raises `QuestionError` naming the bad item, so a client that sends a
    malformed history (the web API takes any JSON) gets a message, not a traceback.
    """
    if history is None:
        return []
    if isinstance(history, (str, bytes, dict)) or not isinstance(history, Sequence):
        raise QuestionError(_HISTORY_HELP.format(f"is a {type(history).__name__}"))
    turns: list[tuple[str, str]] = []
    for number, item in enumerate(history, 1):
        if isinstance(item, dict) and item.get("role", "user") in _ROLES and _is_content(item.get("content")):
            turns.append((item.get("role", "user"), _plain(_content_text(item.get("content")))))
        elif isinstance(item, (list, tuple)) and len(item) == 2 and all(_is_text(part) for part in item):
            turns += [("user", _plain(item[0] or "")), ("assistant", _plain(item[1] or ""))]
        else:
            raise QuestionError(_HISTORY_HELP.format(f"item {number} is {_shown(item)}"))
    return turns


_ROLES = ("user", "assistant", "system")
_HISTORY_HELP = (
    'The history {}: give a list of {{"role": "user" or "assistant", "content": text}} messages, '
    "or of [question, answer] pairs."
)


def _is_text(value) -> bool:
    return value is None or isinstance(value, str)


def _is_content(value) -> bool:
    return _is_text(value) or (isinstance(value, list) and all(isinstance(p, (str, dict)) for p in value))


def _shown(item) -> str:
    text = repr(item)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain(text: str) -> str:
    """Text the tokenizer takes: control characters as spaces, lone surrogates (from
    undecodable bytes or JSON escapes) as `?`."""
    return _CONTROL.sub(" ", text).encode("utf-8", "replace").decode("utf-8")


def _content_text(content) -> str:
    """Message content as text (Gradio may send a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return "" if content is None else str(content)
