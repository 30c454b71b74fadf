"""The web chat's HTML, from constructed `Answer` records: escaped, quotes marked, flags shown."""

from __future__ import annotations

from bs4 import BeautifulSoup

from assistant import Answer, Citation, Passage, Sentence
from assistant.web import render
from ingest import Failure, IngestSummary

TEXT = "Lakeside met on Tuesday. The council voted 7 to 2 <b onclick=alert(1)>for</b> the farm. It costs 14 million euros."
OFFSET = 500  # where the passage starts in its document
TAGS = {"div", "span", "strong", "code", "time", "mark", "p", "article", "header", "table", "thead", "tbody",
        "tr", "th", "td", "dl", "dt", "dd", "ul", "li"}


def passage(number=1, text=TEXT, **fields) -> Passage:
    return Passage(
        number=number, text=text, doc_id="docs/lake.txt", title="Lakeside <i>votes</i>", source="docs/lake.txt",
        start=OFFSET, end=OFFSET + len(text), score=0.8,
        fields=fields or {"source": "Valley Ledger", "published": "2024-03-14T09:30:00+00:00"},
    )


def citation(quote: str, number=1, supported=True, start=None) -> Citation:
    start = OFFSET + TEXT.index(quote) if start is None else start
    return Citation(
        number=number, doc_id="docs/lake.txt", title="Lakeside <i>votes</i>", source="docs/lake.txt",
        quote=quote, start=start, end=start + len(quote), supported=supported,
    )


def said(text: str, *citations: Citation) -> Sentence:
    return Sentence(text=text, citations=list(citations))


VOTE = "The council voted 7 to 2 <b onclick=alert(1)>for</b> the farm."
COST = "It costs 14 million euros."


def parsed(html: str) -> BeautifulSoup:
    """The HTML, checked to hold only our own tags and no event-handler attributes."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in TAGS, tag
        assert not any(name.startswith("on") for name in tag.attrs), tag
    return soup


def test_markers_become_cards_showing_the_passage_with_the_quote_marked():
    answer = Answer(question="How did they vote?", sentences=[said(VOTE, citation(VOTE))], passages=[passage()])
    soup = parsed(render.answer_html(answer))
    marker = soup.select_one(".cite")
    assert marker["tabindex"] == "0"
    assert marker["title"] == "Lakeside <i>votes</i> — docs/lake.txt, 2024-03-14"
    assert marker.select_one(".cite-card mark").get_text() == VOTE
    assert marker.select_one(".cite-card .title").get_text() == "Lakeside <i>votes</i>"
    assert "Valley Ledger" in marker.select_one(".meta").get_text()
    assert marker.select_one(".cite-text").get_text() == TEXT
    assert soup.select_one(".answer").get_text().startswith(VOTE + " [1]")


def test_each_marker_takes_its_own_citation_and_stray_markers_stay_text():
    stray = citation(COST, number=7)
    answer = Answer(
        question="q", sentences=[said(VOTE, citation(VOTE)), said(COST, citation(COST)), said("Nothing here.", stray)],
        passages=[passage()],
    )
    soup = parsed(render.answer_html(answer))
    assert [m.get_text() for m in soup.select(".cite mark")] == [VOTE, COST]
    assert "Nothing here. [7]" in soup.get_text()
    assert len(soup.select(".cite")) == 2


def test_unsupported_sentences_are_visibly_marked():
    answer = Answer(
        question="q", sentences=[said(VOTE, citation(VOTE)), said(COST, citation(COST, supported=False))],
        passages=[passage()],
    )
    soup = parsed(render.answer_html(answer))
    assert [s.get_text() for s in soup.select("span.unsupported")] == [COST]
    assert [c.get_text(strip=True)[:3] for c in soup.select(".cite-unsupported")] == ["[1]"]
    assert "1 sentence marked like this could not be found" in soup.select_one(".unsupported-note").get_text()


def test_an_abstention_is_a_note_and_the_sources_panel_shows_the_closest_passages():
    answer = Answer(question="q", note="The sources don't say.", passages=[passage()], abstained=True)
    soup = parsed(render.answer_html(answer))
    assert soup.select_one(".abstained").get_text() == "No answer in the sources. The sources don't say."
    panel = parsed(render.sources_html(answer))
    assert "None of the passages answers the question" in panel.get_text()
    assert panel.select(".source") and not panel.select("mark")


def test_sources_panel_marks_every_quote_of_a_passage_once():
    overlapping = citation("7 to 2", start=OFFSET + TEXT.index("7 to 2"))
    answer = Answer(question="q", sentences=[said(VOTE, citation(VOTE), overlapping)], passages=[passage()])
    panel = parsed(render.sources_html(answer))
    assert [m.get_text() for m in panel.select("mark")] == [VOTE]
    assert panel.select_one(".passage").get_text() == TEXT


def test_a_quote_whose_offsets_drifted_is_found_by_search_or_left_unmarked():
    drifted = citation(COST, start=3)
    answer = Answer(question="q", sentences=[said(COST, drifted)], passages=[passage()])
    assert [m.get_text() for m in parsed(render.answer_html(answer)).select("mark")] == [COST]
    missing = drifted.model_copy(update={"quote": "words the passage lacks"})
    answer = answer.model_copy(update={"sentences": [said(COST, missing)]})
    assert parsed(render.answer_html(answer)).select("mark") == []


def test_questions_and_streamed_text_are_escaped():
    assert parsed(render.question_html("<img src=x onerror=alert(1)>")).get_text() == "<img src=x onerror=alert(1)>"
    assert "<script>" in parsed(render.streaming_html("<script>alert(1)</script>")).get_text()


def test_index_and_upload_panels_escape_names_and_reasons():
    class Info:
        documents, passages, embedding_model, embedding_dim = 1, 3, "all-MiniLM-L6-v2", 384

    class Entry:
        title, source, passages = "<script>x</script>", "uploads/<b>.txt", 3

    soup = parsed(render.index_html(Info, [Entry], "extractive"))
    assert "<script>x</script>" in soup.select_one(".doc-table").get_text()
    summary = IngestSummary(added=1, passages_added=2, failed=[Failure("/data/uploads/<i>.pdf", "is not a readable PDF")])
    soup = parsed(render.upload_html(summary, [("a.xyz", "unsupported")]))
    assert [li.get_text() for li in soup.select(".skipped li")] == ["a.xyz: unsupported", "<i>.pdf is not a readable PDF"]
    assert "1 added" in soup.get_text()


def test_set_aside_sentences_are_shown_apart_with_their_reason_never_as_the_answer():
    aside = Sentence(text="Ban Ki-moon said <b>so</b>.", reason="not found in the sources")
    answer = Answer(question="q", note="The sources don't say.", passages=[passage()], abstained=True, set_aside=[aside])
    soup = parsed(render.answer_html(answer))
    assert soup.select_one(".abstained").get_text() == "No answer in the sources. The sources don't say."
    note = soup.select_one(".set-aside")
    assert note.select_one(".set-aside-text").get_text() == "Ban Ki-moon said <b>so</b>."  # escaped, struck through
    assert "(not found in the sources)" in note.get_text()
    shown = Answer(question="q", sentences=[said(VOTE, citation(VOTE))], set_aside=[aside], passages=[passage()])
    soup = parsed(render.answer_html(shown))
    assert "Ban Ki-moon" not in soup.select_one(".answer").get_text() and soup.select_one(".set-aside")
