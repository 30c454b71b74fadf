"""The records an answer is made of, and the `Response` that streams one.

An `Answer` is data: its sentences, each with the citations that support it; the text with
`[n]` markers is derived from them. Renderers and metrics iterate `sentences`; nothing
parses the text back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, computed_field

from assistant.citations.markers import strip_markers, with_markers
from ingest.errors import AssistantError

if TYPE_CHECKING:  # LangChain's callbacks load with them: not needed to read an answer
    from assistant.usage import Meter, TokenUsage


def page_label(page: int | None, page_end: int | None = None) -> str:
    """How a page is named to a reader: 'p. 3', 'pp. 3–4', or '' for an unpaged document.

    >>> page_label(3), page_label(3, 4), page_label(None)
    ('p. 3', 'pp. 3–4', '')
    """
    if page is None:
        return ""
    return f"pp. {page}–{page_end}" if page_end and page_end != page else f"p. {page}"


class Passage(BaseModel):
    """A retrieved passage; `number` is what a `[n]` marker in the answer refers to."""

    number: int = Field(description="1-based position in the answer's source list.")
    text: str = Field(description="The passage, verbatim: `source text[start:end]`.")
    doc_id: str
    title: str
    source: str = Field(description="Path of the file the passage comes from.")
    start: int = Field(description="Offset of the passage's first character in the document text.")
    end: int = Field(description="Offset just past the passage's last character.")
    score: float = Field(description="Retrieval score; higher is more relevant.")
    fields: dict[str, str] = Field(default_factory=dict, description="Header fields (source, published, ...).")
    page: int | None = Field(None, description="Page (or slide) the passage starts on; None for unpaged formats.")
    page_end: int | None = Field(None, description="Page the passage ends on, when it is not `page`.")
    page_breaks: list[int] = Field(
        default_factory=list, description="Document offsets inside the passage where its next pages begin."
    )

    def page_of(self, offset: int) -> int | None:
        """The page holding the document offset `offset` (inside this passage); None if unpaged."""
        if self.page is None:
            return None
        return self.page + sum(1 for start in self.page_breaks if start <= offset)


class Citation(BaseModel):
    """One `[n]` of a sentence, resolved to the exact span it rests on."""

    number: int = Field(description="The marker's number: the passage it points at.")
    doc_id: str
    title: str
    source: str
    quote: str = Field(description="The passage text that supports the sentence, verbatim.")
    start: int = Field(description="Offset of the quote in the document text.")
    end: int = Field(description="Offset just past the quote in the document text.")
    page: int | None = Field(None, description="Page (or slide) the quote starts on; None for unpaged formats.")
    page_end: int | None = Field(None, description="Page the quote ends on, when it is not `page`.")
    supported: bool = Field(True, description="Whether the support check found the sentence in the quote.")


class Sentence(BaseModel):
    """One sentence of an answer with the citations it rests on."""

    text: str = Field(description="The sentence, without markers.")
    citations: list[Citation] = Field(default_factory=list)
    reason: str = Field(
        "", description="Why the sentence was set aside (not found in the sources, ...); empty when kept."
    )
    brief: bool = Field(
        False,
        description="A brief answer (a yes/no verdict, or a name as the sources give it) resting on the "
        "quoted sentences after it: its citations hold its words, it claims nothing of its own.",
    )

    @property
    def supported(self) -> bool:
        """Whether one of its citations supports it."""
        return any(citation.supported for citation in self.citations)

    @property
    def marked(self) -> str:
        """The sentence followed by its `[n]` markers."""
        return with_markers(self.text, [citation.number for citation in self.citations])


class Scope(BaseModel):
    """The documents an answer was looked for in, when the question was asked within some."""

    asked: list[str] = Field(description="The selectors as given: document ids, files, folders, field:value.")
    documents: list[str] = Field(description="The document ids they matched, sorted.")

    def __str__(self) -> str:
        count = len(self.documents)
        return f"{count} document{'' if count == 1 else 's'} ({'; '.join(self.asked)})"


class Answer(BaseModel):
    """What `Assistant.ask` returns: the answer's sentences, or an abstention."""

    question: str
    query: str = Field("", description="What was searched for: the question, or a follow-up made standalone.")
    sentences: list[Sentence] = Field(default_factory=list, description="The answer, sentence by sentence.")
    set_aside: list[Sentence] = Field(
        default_factory=list,
        description="Sentences written but not shown as the answer, each with its `reason`.",
    )
    passages: list[Passage] = Field(default_factory=list, description="Retrieved passages, by number.")
    abstained: bool = Field(False, description="True when the sources don't contain the answer.")
    note: str = Field(
        "", description="What the assistant says besides the sentences: why it abstains, or a caution."
    )
    scope: Scope | None = Field(None, description="The documents searched, when asked within some; None: all.")
    answerer: str = Field("", description="Who wrote the answer: extractive, llamacpp or openai.")

    @computed_field
    @property
    def text(self) -> str:
        """The answer as one text with inline `[n]` markers (the note when it abstains)."""
        if self.abstained or not self.sentences:
            return self.note
        return " ".join(sentence.marked for sentence in self.sentences)

    @computed_field
    @property
    def citations(self) -> list[Citation]:
        """Every citation of the answer's sentences, in order."""
        return [citation for sentence in self.sentences for citation in sentence.citations]

    @property
    def plain_text(self) -> str:
        """The answer's sentences without markers (the note when it abstains)."""
        if self.abstained or not self.sentences:
            return self.note
        return " ".join(sentence.text for sentence in self.sentences)

    def cited_passages(self) -> list[Passage]:
        """The passages the answer's sentences cite, in the order first cited."""
        numbers = dict.fromkeys(citation.number for citation in self.citations)
        by_number = {passage.number: passage for passage in self.passages}
        return [by_number[number] for number in numbers if number in by_number]


class Response:
    """An answer as it is written: iterate it for text pieces; `answer()` gives the finished `Answer`.

    >>> response = assistant.stream("Who is scheduled to meet Trump?")   # doctest: +SKIP
    >>> for piece in response: print(piece, end="")                      # doctest: +SKIP
    >>> response.answer().citations[0].quote                             # doctest: +SKIP

    The pieces are a draft: the finished answer keeps only the sentences the citation check
    supports, so show `answer()` once it is there.
    """

    def __init__(self, items: Iterator[str | Answer], meter: Meter | None = None) -> None:
        self._items = items
        self._meter = meter
        self._answer: Answer | None = None
        self._pieces: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for item in self._items:
            if isinstance(item, Answer):
                self._answer = item
                return
            self._pieces.append(item)
            yield item

    def answer(self) -> Answer:
        """The finished answer (reads the rest of the stream first)."""
        for _ in self:
            pass
        if self._answer is None:
            raise AssistantError("The answer was cut short; please ask again.")
        return self._answer

    def close(self) -> None:
        """Stop writing the answer (its reader went away): the model it holds is free at once."""
        close = getattr(self._items, "close", None)
        if close is not None:
            close()

    def text(self) -> str:
        """The finished answer's text, with its `[n]` markers."""
        return self.answer().text

    @property
    def streamed(self) -> str:
        """The pieces streamed so far, joined."""
        return "".join(self._pieces)

    @property
    def usage(self) -> TokenUsage:
        """Tokens the language model read and wrote for this answer so far (zero when none ran)."""
        from assistant.usage import TokenUsage

        return self._meter.usage if self._meter else TokenUsage()

    @property
    def revised(self) -> bool:
        """Whether the finished answer says other words than the streamed draft (the citation
        check set sentences aside, or replaced the draft)."""
        return self.answer().plain_text.split() != strip_markers(self.streamed).split()
