"""`Assistant`: the one Python API. The CLI, the web chat and the evaluation use only this."""

from __future__ import annotations

import importlib.util
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
from assistant.usage import Meter
from ingest import Index, IndexInfo, IngestSummary, ingest
from ingest.catalog import IndexedDocument
from ingest.consistency import IndexCheck, check
from ingest.errors import ConfigError, EmptyIndexError, IngestError, QuestionError
from ingest.loaders import LOADERS
from ingest.lock import writer_lock
from ingest.pages import PageText

History = Sequence[dict | tuple[str, str]]
_TERMINAL_CODES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # colours pasted from a terminal: "\x1b[31m"
ANSWERERS = ("extractive", "llamacpp", "openai")
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
        self.settings = (settings or Settings()).updated({"data_dir": data_dir})
        self._embeddings = embeddings
        self._answerer = answerer
        self._index: Index | None = None
        self._chains: dict[str, Runnable] = {}  # by answerer name
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
                self._index, self._chains, self._query_embeddings = None, {}, None
            index = self._open(create=True, reset=rebuild)
            return ingest(index, paths, prune=prune, progress=progress)

    def check(self, repair: bool = False) -> IndexCheck:
        """Verify that the store, the records, the catalog and the search index agree (no
        orphan passages, no stray records, no interrupted write); with `repair`, remove what
        breaks that and rebuild the search index. See `ingest.consistency`."""
        return check(self._open(create=True), repair=repair)

    def ask(self, question: str, history: History | None = None, *, answerer: str | None = None) -> Answer:
        """Answer `question`, citing passages; `history` holds earlier turns of the conversation.

        `answerer` picks another answerer than the configured one for this question (see `answerers`).
        """
        return self.stream(question, history, answerer=answerer).answer()

    def stream(self, question: str, history: History | None = None, *, answerer: str | None = None) -> Response:
        """The answer as it is written: iterate the `Response` for text pieces, then call its
        `answer()`. A question that can't be asked raises here, before anything streams."""
        question, turns = self._checked(question), _turns(history)
        name = _known(answerer or self.answerer_name)
        index = self._open(create=False)
        if index.count() == 0:
            raise EmptyIndexError()
        chain = self._get_chain(name)
        meter = Meter()
        return Response(meter.wrap(chain.stream({"question": question, "history": turns})), meter)

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

    def page(self, doc_id: str, page: int) -> PageText | None:
        """The whole text of one page (or slide) of an indexed document, to show a citation's
        quote where it stands: `quote == text[citation.start - start : citation.end - start]`.
        None for an unpaged document or a page it does not have."""
        return self._open(create=True).page(doc_id, page)

    def document_text(self, doc_id: str) -> str | None:
        """A document's text as indexed, at its own offsets (a citation's `start:end` slices its
        quote out of it); None when no such document is indexed."""
        index = self._open(create=True)
        if index.count() == 0:
            return None
        return index.document_text(doc_id)

    @property
    def answerer_name(self) -> str:
        """The configured answerer."""
        return self.settings.answer.answerer

    @property
    def answerers(self) -> list[str]:
        """The answerers this machine can run, the configured one first: `extractive` always;
        `llamacpp` when llama-cpp-python is installed and `llm.model_path` is a file; `openai`
        when langchain-openai is installed and it is configured (the configured answerer, or
        `llm.base_url` changed from its default)."""
        llm = self.settings.llm
        runnable = {
            "extractive": True,
            "llamacpp": _installed("llama_cpp") and Path(llm.model_path).is_file(),
            "openai": _installed("langchain_openai")
            and (self.answerer_name == "openai" or llm.base_url != type(llm).model_fields["base_url"].default),
        }
        return [self.answerer_name] + [name for name in ANSWERERS if runnable[name] and name != self.answerer_name]

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

    def _get_chain(self, name: str) -> Runnable:
        """The chain answering with the answerer `name`; each is made once and kept."""
        index = self._open(create=False)
        with self._lock:
            if name not in self._chains:
                retriever = make_retriever(index, self.settings.retrieval, embeddings=self.embeddings)
                if self._answerer is not None and name == self.answerer_name:
                    answerer = self._answerer
                else:
                    answerer = make_answerer(self.settings.updated({"answer.answerer": name}), self.embeddings)
                self._chains[name] = build_chain(retriever, answerer)
            return self._chains[name]

    def _checked(self, question: str) -> str:
        question = _plain(question or "").strip()
        limit = self.settings.answer.max_question_chars
        if not question:
            raise QuestionError("The question is empty: type a question about your documents.")
        if len(question) > limit:
            raise QuestionError(f"The question is {len(question):,} characters long; keep it under {limit:,}.")
        return question


def _known(answerer: str) -> str:
    if answerer not in ANSWERERS:
        raise ConfigError(f"Unknown answerer {answerer!r}: use one of {', '.join(ANSWERERS)}.")
    return answerer


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


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
    """Text the tokenizer takes: terminal colour codes dropped, control characters as spaces,
    lone surrogates (from undecodable bytes or JSON escapes) as `?`."""
    text = _CONTROL.sub(" ", _TERMINAL_CODES.sub("", text))
    return text.encode("utf-8", "replace").decode("utf-8")


def _content_text(content) -> str:
    """Message content as text (Gradio may send a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return "" if content is None else str(content)
