"""The records an answer is made of. Renderers format them; nothing parses them back."""

from __future__ import annotations

from pydantic import BaseModel, Field


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


class Citation(BaseModel):
    """One `[n]` marker of the answer, resolved to the exact span it rests on."""

    number: int = Field(description="The marker's number: the passage it points at.")
    doc_id: str
    title: str
    source: str
    quote: str = Field(description="The passage text that supports the sentence, verbatim.")
    start: int = Field(description="Offset of the quote in the document text.")
    end: int = Field(description="Offset just past the quote in the document text.")
    sentence: str = Field(description="The answer sentence that carries the marker.")
    supported: bool = Field(True, description="Whether the support check found the sentence in the quote.")


class Answer(BaseModel):
    """What `Assistant.ask` returns."""

    question: str
    query: str = Field("", description="What was searched for: the question, or a follow-up made standalone.")
    text: str = Field(description="The answer, with inline `[n]` markers.")
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list, description="Retrieved passages, by number.")
    abstained: bool = Field(False, description="True when the sources don't contain the answer.")
    unsupported: list[str] = Field(
        default_factory=list, description="Answer sentences the citation check could not support."
    )

    def cited_passages(self) -> list[Passage]:
        """The passages the answer's markers point at, in marker order."""
        numbers = dict.fromkeys(citation.number for citation in self.citations)
        by_number = {passage.number: passage for passage in self.passages}
        return [by_number[number] for number in numbers if number in by_number]
