"""Pages: a PDF's text as written, its pages in every passage and citation, shown by every client;
scanned pages and images read by the real tesseract, cached by fingerprint."""

from __future__ import annotations

import json
import re

from assistant.cli import main
from ingest.loaders import load
from ingest.ocr import Ocr
from ingest.paragraphs import join_pages
from tests.documents import PAGE_TEXTS, rasterise, write_report_pdf, write_scanned_pdf

QUESTION = "Who inspected the loading docks?"
FACT = PAGE_TEXTS[2][1][0]  # on page 3


def sentences_of(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.:])\s+", paragraph) if s]


def test_pdf_text_is_as_written_with_its_pages_and_table_rows(tmp_path):
    document = load(write_report_pdf(tmp_path / "report.pdf"), "report.pdf")
    assert document.title == "Harbor Authority Annual Report"  # the first page's heading
    assert len(document.pages) == 3
    for number, (heading, paragraphs) in enumerate(PAGE_TEXTS, start=1):
        for paragraph in paragraphs:
            at = document.text.index(paragraph)  # wrapped lines joined: each paragraph is one line
            assert document.page_at(at) == number
        assert f"\n{number}\n" not in document.text  # the page-number footer is left out
    assert "Route | Passengers | Crossings\nIsland North | 182,000 | 2,920\nPort Elin | 96,500 | 1,460" in document.text
    titled = load(write_report_pdf(tmp_path / "titled.pdf", title="Annual Report 2024"), "titled.pdf")
    assert titled.title == "Annual Report 2024"


def test_hyphenated_and_wrapped_lines_are_joined(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 7, "The safety officer wrote a long report about the condi-\ntions on the quay, which the board approved.")
    (tmp_path / "h.pdf").write_bytes(bytes(pdf.output()))
    assert "about the conditions on the quay, which the board approved." in load(tmp_path / "h.pdf", "h.pdf").text


def test_a_sentence_running_on_to_the_next_page_keeps_both_pages():
    paged = join_pages(["The board approved a divi-", "dend of 12 cents.", "", "Next page."])
    assert paged.text == "The board approved a dividend of 12 cents.\n\nNext page."
    assert paged.pages == [0, 25, 44, 44]


def check_page_three(assistant, doc_id):
    answer = assistant.ask(QUESTION)
    citation = answer.citations[0]
    assert citation.doc_id == doc_id and citation.page == 3 and citation.page_end is None
    assert "Tomasz Wierzbicki" in citation.quote
    page = assistant.page(doc_id, 3)
    assert page.text[citation.start - page.start : citation.end - page.start] == citation.quote
    assert page.text.startswith("Safety") and "No worker was injured" in page.text
    assert assistant.page(doc_id, 9) is None
    return answer


def test_the_page_three_question_gives_page_three_in_the_answer_cli_and_json(assistant, tmp_path, capsys):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    write_report_pdf(folder / "report.pdf")
    assistant.ingest([folder])
    answer = check_page_three(assistant, answer_doc_id(assistant))
    passage = answer.cited_passages()[0]
    assert passage.page_of(answer.citations[0].start) == 3

    assert main(["ask", QUESTION], assistant=assistant) == 0
    printed = capsys.readouterr().out
    assert re.search(r"\[1\] Harbor Authority Annual Report \(.*report\.pdf, p\. 3, characters \d+-\d+\)", printed)

    assert main(["ask", "--json", QUESTION], assistant=assistant) == 0
    dumped = json.loads(capsys.readouterr().out)
    assert dumped["citations"][0]["page"] == 3 and dumped["citations"][0]["page_end"] is None
    assert dumped["passages"][0]["page"] is not None


def answer_doc_id(assistant) -> str:
    (document,) = assistant.documents()
    return document.doc_id


def test_unpaged_documents_have_no_page(seeded):
    answer = seeded.ask("How many countries voted for the European resolution?")
    assert answer.citations and all(c.page is None and c.page_end is None for c in answer.citations)
    assert all(p.page is None for p in answer.passages)
    assert seeded.page(answer.citations[0].doc_id, 1) is None


def test_a_scanned_pdf_is_read_by_ocr_once_and_answers_with_its_page(assistant, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    write_scanned_pdf(write_report_pdf(tmp_path / "report.pdf"), folder / "scan.pdf", dpi=150)
    summary = assistant.ingest([folder])
    assert summary.added == 1 and summary.pages_ocred == 3 and "3 pages OCRed" in str(summary)
    check_page_three(assistant, answer_doc_id(assistant))
    (folder / "copy.pdf").write_bytes((folder / "scan.pdf").read_bytes())  # same bytes, another name
    again = assistant.ingest([folder])
    assert again.unchanged == 1 and again.added == 1
    assert again.pages_ocred == 0 and again.pages_ocr_cached == 6  # both from the cache


def test_without_tesseract_a_scan_is_skipped_naming_the_package(assistant, tmp_path, monkeypatch):
    import pytesseract

    folder = tmp_path / "mixed"
    folder.mkdir()
    write_scanned_pdf(write_report_pdf(tmp_path / "report.pdf"), folder / "scan.pdf")
    write_report_pdf(folder / "text.pdf")
    # The real binary made unreachable, as on a machine without the package.
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-tesseract"))
    summary = assistant.ingest([folder])
    assert summary.added == 1 and summary.pages_ocred == 0
    (failure,) = summary.failed
    assert failure.path.endswith("scan.pdf") and "tesseract-ocr" in failure.reason and "\n" not in failure.reason
    assert "Tomasz Wierzbicki" in assistant.ask(QUESTION).text


def test_images_are_read_by_ocr_a_tiff_frame_per_page(assistant, tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    pages = rasterise(write_report_pdf(tmp_path / "report.pdf"), dpi=150)
    pages[0].save(folder / "report.tiff", save_all=True, append_images=pages[1:])
    pages[2].save(folder / "safety.png")  # after: a PNG save leaves settings Pillow's TIFF writer trips on
    summary = assistant.ingest([folder])
    assert summary.added == 2 and summary.pages_ocred == 4, summary
    tiff = load(folder / "report.tiff", "report.tiff", ocr=Ocr(cache=tmp_path / "data" / "ocr"))
    assert len(tiff.pages) == 3 and tiff.page_at(tiff.text.index("Tomasz")) == 3
    citation = assistant.ask(QUESTION).citations[0]
    assert citation.page in (1, 3) and "Wierzbicki" in citation.quote


def test_ocr_recovers_the_words_of_a_rendered_page(tmp_path):
    from ingest.ocr import recognise
    from ingest.settings import OcrSettings

    (image,) = rasterise(write_report_pdf(tmp_path / "report.pdf"), dpi=200)[2:]
    read = recognise(image, OcrSettings()).split()
    words = " ".join([PAGE_TEXTS[2][0], *PAGE_TEXTS[2][1]]).split()
    found = sum(1 for word in words if word in read)
    assert found / len(words) >= 0.95


def test_ocr_can_be_turned_off(settings, embeddings, tmp_path):
    from assistant import Assistant
    from ingest.settings import OcrSettings

    folder = tmp_path / "off"
    folder.mkdir()
    write_scanned_pdf(write_report_pdf(tmp_path / "report.pdf"), folder / "scan.pdf")
    assistant = Assistant(settings.model_copy(update={"ocr": OcrSettings(enabled=False)}), embeddings=embeddings)
    summary = assistant.ingest([folder])
    assert summary.added == 0 and "ASSISTANT_OCR__ENABLED" in summary.failed[0].reason


def test_pages_render_escaped_beside_the_title_and_in_the_page_view():
    from assistant import Answer, Citation, PageText, Passage, Sentence
    from assistant.web.render import answer_html, sources_html

    page_text = "Safety <script>alert(1)</script>\n\nThe officer inspected the docks. Nobody was hurt."
    start = 1000  # the page's offset in the document
    quote_at = page_text.index("The officer")
    passage = Passage(
        number=1, text=page_text[quote_at:], doc_id="r.pdf", title="Report <b>", source="r.pdf",
        start=start + quote_at, end=start + len(page_text), score=1.0, page=3,
    )
    quote = "The officer inspected the docks."
    citation = Citation(
        number=1, doc_id="r.pdf", title="Report <b>", source="r.pdf", quote=quote,
        start=start + quote_at, end=start + quote_at + len(quote), page=3,
    )
    answer = Answer(question="q", sentences=[Sentence(text=quote, citations=[citation])], passages=[passage])
    assert '<span class="page">p. 3</span>' in answer_html(answer)
    panel = sources_html(answer, {("r.pdf", 3): PageText("r.pdf", 3, start, page_text)})
    assert "<summary>Show page 3</summary>" in panel and f"<mark>{quote}</mark>" in panel
    assert "<script>" not in panel and "&lt;script&gt;" in panel and "Report &lt;b&gt;" in panel
    assert "Show page" not in sources_html(answer)  # without the page's text, no view


def test_a_page_is_put_back_together_from_overlapping_passages_and_gaps():
    from ingest.pages import assemble

    text = "Page one ends here.\n\nPage two starts. It goes on.\n\nPage three."
    starts = [0, text.index("Page two"), text.index("Page three")]

    def passage(start: int, end: int) -> tuple[str, dict]:
        page = sum(1 for b in starts if b <= start)
        breaks = [b for b in starts if start < b < end]
        metadata = {"start": start, "end": end, "offset": 0, "page": page, "page_end": page + len(breaks),
                    "page_breaks": ",".join(map(str, breaks))}
        return text[start:end], metadata

    # One passage crossing into page 2, then two more with a one-blank gap between them.
    stored = [passage(0, 30), passage(21, 37), passage(38, 49), passage(51, len(text))]
    on = lambda n: [item for item in stored if item[1]["page"] <= n <= item[1]["page_end"]]  # noqa: E731
    pages = {n: assemble("d", n, [t for t, _ in on(n)], [m for _, m in on(n)]) for n in (1, 2, 3)}
    assert pages[1].text == "Page one ends here.\n\n" and pages[1].start == 0
    assert (pages[2].start, pages[2].text) == (21, "Page two starts. It goes on.")
    assert (pages[3].start, pages[3].text) == (51, "Page three.")
    assert assemble("d", 4, [], []) is None


def test_a_quote_crossing_a_page_break_cites_both_pages():
    from assistant import Passage
    from assistant.citations.support import cite

    paged = join_pages(["Intro.", "The board approved a divi-", "dend of 12 cents. Later text."])
    start = paged.pages[1]
    passage = Passage(
        number=1, text=paged.text[start:], doc_id="d.pdf", title="D", source="d.pdf", start=start,
        end=len(paged.text), score=1.0, page=2, page_end=3, page_breaks=[paged.pages[2]],
    )
    crossing = cite(passage, 0, passage.text.index(" Later"))
    assert crossing.quote == "The board approved a dividend of 12 cents." and (crossing.page, crossing.page_end) == (2, 3)
    later = cite(passage, passage.text.index("Later"), len(passage.text))
    assert (later.page, later.page_end) == (3, None)
