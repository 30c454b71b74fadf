"""What one file may cost: a bomb is refused before it is unpacked or parsed, every limit names
its setting, the zip formats share the checks, a mail's parts are held to them one by one, and
the defaults let a 500-page book through. (The zip declaring 300 MB is in test_formats.py and
test_more_formats.py; the 50 MB text file in test_hostile.py.)"""

from __future__ import annotations

import io
import mailbox
import random
import time
import zipfile
from pathlib import Path

import pytest

from assistant import Assistant, LoadError
from ingest.chunking import make_splitter, split
from ingest.limits import check_passages
from ingest.loaders import load
from ingest.settings import ChunkingSettings, LimitSettings
from tests.documents import mail, write_eml
from tests.test_formats import write_docx, write_pdf

WORDS = "harbor ledger council orchard ferry lantern meadow quarry bakery archive signal valley granite beacon".split()


def write_docx_bomb(path: Path, megabytes: int = 15) -> Path:
    """A real .docx (python-docx's package) whose document.xml unpacks to `megabytes` MB of
    one paragraph repeated: about 88 KB on disk, like the file of the issue."""
    import docx

    template = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("placeholder")
    document.save(template)
    paragraph = "<w:p><w:r><w:t>" + "The harbor ledger lists every ferry crossing. " * 20 + "</w:t></w:r></w:p>"
    body = paragraph * (megabytes * (1 << 20) // len(paragraph))
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "word/document.xml":
                head, _, tail = data.decode("utf-8").partition("<w:p>")
                data = (head + body + "<w:p>" + tail).encode("utf-8")
            bomb.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_a_docx_bomb_is_skipped_before_it_is_unpacked(assistant, tmp_path):
    folder = tmp_path / "bomb"
    folder.mkdir()
    bomb = write_docx_bomb(folder / "ledger.docx")
    (folder / "fine.txt").write_text("A short note about the harbor ferry timetable.\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(LoadError) as refused:
        load(bomb, "ledger.docx")
    seconds = time.perf_counter() - started
    print(f"\n{bomb.stat().st_size / 1024:.0f} KB .docx unpacking to 15 MB refused in {seconds * 1000:.0f} ms")
    assert seconds < 5  # a guard against parsing it (python-docx takes tens of seconds); BENCHMARKS.md has the time
    message = str(refused.value)
    assert "15.0 MB" in message and "ASSISTANT_LIMITS__MAX_UNPACK_RATIO" in message and "limit" in message
    summary = assistant.ingest([folder])
    assert summary.added == 1 and [Path(f.path).name for f in summary.failed] == ["ledger.docx"]
    assert "ASSISTANT_LIMITS__MAX_UNPACK_RATIO" in summary.failed[0].reason


def many_pages(path: Path, pages: int) -> Path:
    """A PDF of `pages` copies of one page of about 3,300 characters (a dense book page)."""
    from pypdf import PdfReader, PdfWriter

    rng = random.Random(3)
    one = write_pdf(path.parent / f".{path.stem}-page.pdf", [" ".join(rng.choice(WORDS) for _ in range(450))])
    writer = PdfWriter()
    page = PdfReader(one).pages[0]
    for _ in range(pages):
        writer.add_page(page)
    with open(path, "wb") as out:
        writer.write(out)
    return path


def test_the_defaults_let_a_500_page_book_through(tmp_path):
    book = load(many_pages(tmp_path / "book.pdf", 500), "book.pdf")
    passages = split(book, make_splitter(ChunkingSettings()))
    check_passages(len(passages), LimitSettings())
    limits = LimitSettings()
    print(f"\n500-page book: {len(book.text):,} characters, {len(passages):,} passages")
    assert len(book.text) > 1_500_000 and len(book.text) < limits.max_text_chars / 2
    assert len(passages) < limits.max_passages / 2


@pytest.mark.parametrize(
    ("limit", "value", "setting", "words"),
    [
        ("max_text_chars", 200, "ASSISTANT_LIMITS__MAX_TEXT_CHARS", "characters of text"),
        ("max_passages", 2, "ASSISTANT_LIMITS__MAX_PASSAGES", "splits into"),
        ("max_pdf_pages", 3, "ASSISTANT_LIMITS__MAX_PDF_PAGES", "has 4 pages"),
    ],
)
def test_each_limit_skips_the_file_naming_its_setting(settings, embeddings, tmp_path, limit, value, setting, words):
    folder = tmp_path / "docs"
    folder.mkdir()
    rng = random.Random(4)
    text = "Long notes\n\n" + "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(120)) for _ in range(4))
    over = {
        "max_text_chars": lambda: write_docx(folder / "over.docx", text.split("\n\n")),
        "max_passages": lambda: (folder / "over.md").write_text(text, encoding="utf-8"),
        "max_pdf_pages": lambda: many_pages(folder / "over.pdf", 4),
    }[limit]
    over()
    (folder / "fine.txt").write_text("Harbor ferry timetable.\n", encoding="utf-8")
    limits = settings.limits.model_copy(update={limit: value})
    summary = Assistant(settings.model_copy(update={"limits": limits}), embeddings=embeddings).ingest([folder])
    assert summary.added == 1 and len(summary.failed) == 1
    reason = summary.failed[0].reason
    assert setting in reason and words in reason and f"{value:,}" in reason and "\n" not in reason


def test_a_text_file_too_large_to_fit_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "export.txt"
    with open(big, "wb") as file:
        file.truncate(50 << 20)  # 50 MB (sparse): longer than 4 bytes per allowed character
    with pytest.raises(LoadError, match="50.0 MB of text.*ASSISTANT_LIMITS__MAX_TEXT_CHARS"):
        load(big, "export.txt", LimitSettings(max_text_chars=10_000_000))


@pytest.mark.parametrize("name, member", [
    ("deck.pptx", "ppt/slides/slide1.xml"), ("sheet.xlsx", "xl/worksheets/sheet1.xml"), ("book.epub", "OEBPS/c.xhtml"),
])
def test_every_zip_format_is_held_to_the_unpack_ratio(tmp_path, name, member):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, b"<w>" + b"a" * (20 << 20) + b"</w>")  # 20 MB: under the size limit, not the ratio
    with pytest.raises(LoadError, match="ASSISTANT_LIMITS__MAX_UNPACK_RATIO"):
        load(path, name)


@pytest.mark.parametrize(("limit", "value", "setting"), [
    ("max_text_chars", 2_000, "ASSISTANT_LIMITS__MAX_TEXT_CHARS"), ("max_passages", 2, "ASSISTANT_LIMITS__MAX_PASSAGES"),
])
def test_a_mail_part_over_a_limit_is_skipped_alone(settings, embeddings, tmp_path, limit, value, setting):
    folder = tmp_path / "mail"
    folder.mkdir()
    rng = random.Random(5)
    long = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(120)) for _ in range(6))  # about 5,000 characters
    write_eml(folder / "m.eml", {"long.txt": long.encode(), "short.txt": b"The ferry leaves at nine."})
    box = mailbox.mbox(str(folder / "board.mbox"))
    box.add(mail(subject="Short"))
    lengthy = mail(subject="Lengthy")
    lengthy.set_content(long)
    box.add(lengthy)
    box.flush()
    assistant = Assistant(settings.updated({f"limits.{limit}": value}), embeddings=embeddings)
    summary = assistant.ingest([folder])
    reasons = {Path(f.path).name: f.reason for f in summary.failed}
    assert set(reasons) == {"m.eml#long.txt", "board.mbox#2"} and all(setting in r for r in reasons.values())
    names = sorted(Path(d.doc_id).name for d in assistant.documents())
    assert names == ["board.mbox#1", "m.eml", "m.eml#short.txt"]
