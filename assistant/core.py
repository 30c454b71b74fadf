"""`Assistant`: the one Python API. The CLI, the web chat and the evaluation use only this."""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path

from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable

from assistant.answer import Answer, Passage, Response, Scope
from assistant.answering import Answerer, make_answerer
from assistant.caching import cached
from assistant.chain import build_chain
from assistant.conversations import Conversations
from assistant.history import History, plain, turns
from assistant.library import Library
from assistant.retrieval import make_retriever, to_passages
from assistant.settings import RetrievalSettings, Settings
from assistant.usage import Meter
from ingest import Index, IndexInfo, IngestSummary, ingest
from ingest.consistency import IndexCheck, check
from ingest.errors import ConfigError, EmptyIndexError, IngestError, QuestionError
from ingest.loaders import LOADERS
from ingest.lock import writer_lock

ANSWERERS = ("extractive", "llamacpp", "openai")
CHAINS_KEPT = 16  # chains kept for per-question options (answerer, k, strictness)


class Assistant(Library):
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
        self._chains: OrderedDict[tuple, Runnable] = OrderedDict()  # by answerer, k and answer settings
        self._answerers: dict[str, Answerer] = {}
        self._conversations: Conversations | None = None
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
                self._index, self._query_embeddings, self._conversations = None, None, None
                self._chains, self._answerers = OrderedDict(), {}
            index = self._open(create=True, reset=rebuild)
            return ingest(index, paths, prune=prune, progress=progress)

    def check(self, repair: bool = False) -> IndexCheck:
        """Verify that the store, the records, the catalog and the search index agree (no
        orphan passages, no stray records, no interrupted write); with `repair`, remove what
        breaks that and rebuild the search index. See `ingest.consistency`."""
        return check(self._open(create=True), repair=repair)

    def ask(
        self,
        question: str,
        history: History | None = None,
        *,
        documents: Iterable[str] | None = None,
        answerer: str | None = None,
        k: int | None = None,
        expectations: bool | None = None,
        min_support: float | None = None,
    ) -> Answer:
        """Answer `question`, citing passages; `history` holds earlier turns of the conversation.

        For this question only: `documents` asks within some documents (ids, file names,
        folders ending in `/`, `field:value`; see `scope`), and the answer's `scope` says which;
        `answerer` picks another answerer (see `answerers`); `k` passages are retrieved; and
        the citation check's strictness is `expectations` (quote only sentences holding what
        the question asks for) and `min_support` (least score to answer). None: the settings'.
        """
        options = {"answerer": answerer, "k": k, "expectations": expectations, "min_support": min_support}
        return self.stream(question, history, documents=documents, **options).answer()

    def stream(
        self,
        question: str,
        history: History | None = None,
        *,
        documents: Iterable[str] | None = None,
        answerer: str | None = None,
        k: int | None = None,
        expectations: bool | None = None,
        min_support: float | None = None,
    ) -> Response:
        """The answer as it is written: iterate the `Response` for text pieces, then call its
        `answer()`. Takes what `ask` takes. A question that can't be asked raises here, before
        anything streams."""
        question, history = self._checked(question), turns(history)
        name = _known(answerer or self.answerer_name)
        index = self._open(create=False)
        if index.count() == 0:
            raise EmptyIndexError()
        scope = self.scope(documents)
        chain = self._get_chain(name, k, _answer_options(expectations, min_support))
        inputs = {"question": question, "history": history, "documents": set(scope.documents) if scope else None}
        meter = Meter()
        return Response(meter.wrap(_stamped(chain.stream(inputs), scope=scope, answerer=name)), meter)

    def retrieve(self, query: str, k: int | None = None, *, documents: Iterable[str] | None = None) -> list[Passage]:
        """The `k` passages (default `retrieval.k`) nearest to `query`, best first, numbered 1..k;
        with `documents`, from those only (as `ask` takes them).

        With an answer's `query` (what `ask` searched for), this is the ranking `ask` saw, deeper.
        """
        index = self._open(create=False)
        if index.count() == 0:
            raise EmptyIndexError()
        scope = self.scope(documents)
        retriever = make_retriever(index, self.settings.retrieval, k=_checked_k(k), embeddings=self.embeddings)
        found = retriever.invoke(self._checked(query), documents=set(scope.documents) if scope else None)
        return to_passages(found)

    @property
    def conversations(self) -> Conversations:
        """Saved conversations (the web chat's), in the index's database beside its records."""
        index = self._open(create=True)
        with self._lock:
            if self._conversations is None:
                self._conversations = Conversations(index.records.engine, index.records.namespace)
            return self._conversations

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

    def _get_chain(self, name: str, k: int | None = None, answer: tuple = ()) -> Runnable:
        """The chain answering with the answerer `name`, retrieving `k` passages, with the
        answer settings `answer` (pairs) changed; each is made once and kept (the last few)."""
        key = (name, _checked_k(k), answer)
        index = self._open(create=False)
        with self._lock:
            if key in self._chains:
                self._chains.move_to_end(key)
                return self._chains[key]
            retriever = make_retriever(index, self.settings.retrieval, k=_checked_k(k), embeddings=self.embeddings)
            self._chains[key] = build_chain(retriever, self._get_answerer(name, answer))
            while len(self._chains) > CHAINS_KEPT:
                self._chains.popitem(last=False)
            return self._chains[key]

    def _get_answerer(self, name: str, answer: tuple) -> Answerer:
        """The answerer `name` with these answer settings; LLM answerers share one model.
        An answerer given to the constructor answers as it was made."""
        if self._answerer is not None and name == self.answerer_name:
            return self._answerer
        base = self._answerers.get(name)
        if base is None:
            base = self._answerers[name] = make_answerer(self.settings.updated({"answer.answerer": name}), self.embeddings)
        if not answer:
            return base
        changes = {"answer.answerer": name, **{f"answer.{field}": value for field, value in answer}}
        return make_answerer(self.settings.updated(changes), self.embeddings, model=getattr(base, "model", None))

    def _checked(self, question: str) -> str:
        question = plain(question or "").strip()
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


def _checked_k(k: int | None) -> int | None:
    limits = RetrievalSettings.model_fields["k"].metadata
    low, high = next(m.ge for m in limits if hasattr(m, "ge")), next(m.le for m in limits if hasattr(m, "le"))
    if k is not None and not (isinstance(k, int) and low <= k <= high):
        raise QuestionError(f"k is the number of passages to read: give a whole number from {low} to {high}, not {k!r}.")
    return k


def _answer_options(expectations: bool | None, min_support: float | None) -> tuple:
    """The answer settings a question changes, as sorted pairs (a chain's key)."""
    if min_support is not None and not (isinstance(min_support, (int, float)) and 0 <= min_support <= 1):
        raise QuestionError(f"min_support is a score from 0 to 1, not {min_support!r}.")
    if expectations is not None and not isinstance(expectations, bool):
        raise QuestionError(f"expectations is true or false, not {expectations!r}.")
    options = {"expectations": expectations, "min_support": None if min_support is None else float(min_support)}
    return tuple(sorted((field, value) for field, value in options.items() if value is not None))


def _stamped(items: Iterator, *, scope: Scope | None, answerer: str) -> Iterator:
    """The chain's items, the finished `Answer` saying which documents were searched and who
    wrote it; closing this closes `items`."""
    try:
        for item in items:
            yield item.model_copy(update={"scope": scope, "answerer": answerer}) if isinstance(item, Answer) else item
    finally:
        if hasattr(items, "close"):
            items.close()

