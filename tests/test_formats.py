"""Every supported format loads with its title; every kind of bad file is skipped, nothing lost."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import pytest

from ingest.errors import LoadError
from ingest.loaders import load


def write_pdf(path: Path, lines: list[str], title: str = "", password: str | None = None) -> Path:
    """A real PDF made with fpdf2 (optionally encrypted with pypdf)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    if title:
        pdf.set_title(title)
    for line in lines:
        pdf.multi_cell(0, 8, line)
    data = bytes(pdf.output())
    if password:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(password)
        buffer = io.BytesIO()
        writer.write(buffer)
        data = buffer.getvalue()
    path.write_bytes(data)
    return path


def write_docx(path: Path, paragraphs: list[str], title: str = "") -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def test_pdf_docx_html_markdown_load_with_titles(tmp_path):
    pdf = write_pdf(tmp_path / "a.pdf", ["The orchard harvested 40 tonnes of pears."], title="Orchard Report")
    word = write_docx(tmp_path / "b.docx", ["Ferry Timetable", "The first ferry leaves at 06:15."], title="")
    html = tmp_path / "c.html"
    html.write_text(
        "<html><head><title>Bridge News</title><script>var x = 'hidden';</script></head>"
        "<body><h1>Bridge opens</h1><p>The bridge is 380 metres long.</p></body></html>",
        encoding="utf-8",
    )
    md = tmp_path / "d.md"
    md.write_text("Intro line\n\n# Garden Guide\n\nPlant tulips in autumn.\n", encoding="utf-8")

    loaded = {path.suffix: load(path, path.name) for path in (pdf, word, html, md)}
    assert loaded[".pdf"].title == "Orchard Report" and "40 tonnes of pears" in loaded[".pdf"].text
    assert loaded[".docx"].title == "Ferry Timetable" and "06:15" in loaded[".docx"].text
    assert loaded[".html"].title == "Bridge News" and "380 metres" in loaded[".html"].text
    assert "hidden" not in loaded[".html"].text
    assert loaded[".md"].title == "Garden Guide"


def bad_files(folder: Path) -> dict[str, str]:
    """One file of each broken kind, with the words its warning must contain."""
    folder.mkdir(exist_ok=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("  \n\n\t\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "garbled.txt").write_bytes(bytes(range(128, 256)) * 4)  # no encoding makes text of it
    good_pdf = write_pdf(folder / "whole.pdf", ["A complete PDF about lighthouses."]).read_bytes()
    (folder / "whole.pdf").unlink()
    (folder / "truncated.pdf").write_bytes(good_pdf[: len(good_pdf) // 3])
    write_pdf(folder / "locked.pdf", ["Secret minutes of the board."], password="s3cret")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with zipfile.ZipFile(folder / "hollow.docx", "w") as archive:
        archive.writestr("hello.txt", "a zip without a Word document inside")
    return {
        "empty.txt": "no text",
        "blank.md": "no text",
        "binary.txt": "binary",
        "garbled.txt": "save it as UTF-8",
        "truncated.pdf": "PDF",
        "locked.pdf": "password",
        "broken.docx": ".docx",
        "hollow.docx": ".docx",
    }


def test_each_bad_file_is_skipped_with_a_warning_naming_it(assistant, corpus, caplog):
    expected = bad_files(corpus)
    with caplog.at_level(logging.WARNING, logger="ingest"):
        summary = assistant.ingest([corpus])
    assert summary.added == 3
    failed = {Path(failure.path).name: failure.reason for failure in summary.failed}
    assert set(failed) == set(expected)
    for name, words in expected.items():
        assert words.lower() in failed[name].lower(), (name, failed[name])
        warning = [r.getMessage() for r in caplog.records if name in r.getMessage()]
        assert len(warning) == 1 and "\n" not in warning[0]
    assert "93" in assistant.ask("How many countries voted for the European resolution?").text


LEGACY = {  # file -> (text, how it is saved, the encoding the summary must name)
    "latin1.txt": ("Un café au lait, s'il vous plaît, près de la fenêtre.", "latin-1", "cp1252"),
    "windows.txt": ("The “smart” quotes – and a café… for €5.", "cp1252", "cp1252"),
    "german.md": ("# Grüße\n\nGröße und Übermäßig schöne Grüße aus München.", "cp1252", "cp1252"),
    "russian.txt": ("Привет! Это текст на русском языке о солнечной ферме на озере.", "cp1251", "cp1251"),
    "utf16.txt": ("Floating solar farm notes, in UTF-16 with its byte order mark.", "utf-16", "utf-16"),
}


def test_legacy_encodings_are_decoded_and_the_summary_names_them(assistant, tmp_path):
    folder = tmp_path / "legacy"
    folder.mkdir()
    for name, (text, saved_as, _) in LEGACY.items():
        (folder / name).write_bytes(text.encode(saved_as))
    (folder / "plain.txt").write_text("Plain UTF-8: naïve café.", encoding="utf-8")
    summary = assistant.ingest([folder])
    assert summary.added == len(LEGACY) + 1 and not summary.failed
    assert {Path(path).name: encoding for path, encoding in summary.encodings.items()} == {
        name: encoding for name, (_, _, encoding) in LEGACY.items()
    }
    for name, (_, _, encoding) in LEGACY.items():
        assert f"{name} as {encoding}" in str(summary)
    texts = {Path(d.source).name: d for d in assistant.documents()}
    stored = " ".join(assistant.index.collection.get(include=["documents"])["documents"])
    for name, (text, _, _) in LEGACY.items():
        assert text.splitlines()[-1] in stored, name
    assert texts["german.md"].title == "Grüße"


def test_legacy_encoded_csv_and_html_are_decoded_and_named(tmp_path):
    (tmp_path / "prices.csv").write_bytes("Item;Price\nCafé crème;€3,50\nThé à la menthe;€2,80\n".encode("cp1252"))
    (tmp_path / "menu.html").write_bytes(
        "<html><head><title>Carte du café</title></head><body><p>Crème brûlée à volonté.</p></body></html>".encode("cp1252")
    )
    prices, menu = load(tmp_path / "prices.csv", "prices.csv"), load(tmp_path / "menu.html", "menu.html")
    assert prices.encoding == "cp1252" and "Item: Café crème; Price: €3,50" in prices.text
    assert menu.encoding == "cp1252" and menu.title == "Carte du café" and "Crème brûlée à volonté." in menu.text


def test_a_file_that_breaks_keeps_what_was_indexed(assistant, corpus):
    assistant.ingest([corpus])
    before = assistant.describe()
    (corpus / "lakeside-solar.txt").write_bytes(b"\xff\xfe\x00\x00garbage")
    summary = assistant.ingest([corpus])
    assert [Path(f.path).name for f in summary.failed] == ["lakeside-solar.txt"]
    assert summary.removed == 0
    assert assistant.describe() == before
    answer = assistant.ask("How much power will the floating solar farm produce at peak?")
    assert "9 megawatts" in answer.text


def test_unsupported_file_named_directly_is_skipped(assistant, tmp_path):
    image = tmp_path / "drawing.svgz"
    image.write_bytes(b"\x1f\x8b\x08\x00")
    summary = assistant.ingest([image])
    assert summary.added == 0 and "unsupported" in summary.failed[0].reason


def test_load_error_reasons_are_one_line(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"abc\x00def")
    with pytest.raises(LoadError) as error:
        load(path, "x.txt")
    assert "\n" not in str(error.value)


def test_a_docx_that_unpacks_past_the_limit_is_skipped_before_unpacking(assistant, tmp_path):
    import time
    import zipfile

    folder = tmp_path / "bomb"
    folder.mkdir()
    with zipfile.ZipFile(folder / "bomb.docx", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w>" + b"a" * (300 << 20) + b"</w>")  # 300 MB of one letter
    (folder / "fine.txt").write_text("A short note about the harbor ferry timetable.\n", encoding="utf-8")
    started = time.perf_counter()
    summary = assistant.ingest([folder])
    assert time.perf_counter() - started < 30  # the embedding model's start-up, not the bomb
    assert summary.added == 1 and len(summary.failed) == 1
    reason = summary.failed[0].reason
    assert "300 MB" in reason and "ASSISTANT_LIMITS__MAX_UNPACKED_MB" in reason
