"""Real files of every format, made by the tests: a 3-page PDF with a fact on page 3, its scan,
slides, sheets, an e-book and mail. Each holds facts a test asks about."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

PAGE_TEXTS = [
    (
        "Harbor Authority Annual Report",
        [
            "The Harbor Authority handled 2.4 million tonnes of cargo this year, the most since the "
            "old grain terminal closed, and welcomed forty cruise ships between April and October.",
            "Work on the new breakwater began in May and is expected to last three more years.",
        ],
    ),
    (
        "Ferries and passengers",
        [
            "Ferry traffic grew again: the island routes carried more passengers than in any year "
            "before, and the night ferry to Port Elin returned after a pause of two winters.",
        ],
    ),
    (
        "Safety",
        [
            "The safety officer, Tomasz Wierzbicki, inspected all fourteen loading docks in "
            "November and ordered the replacement of two cracked bollards on the eastern quay.",
            "No worker was injured on harbor property during the year.",
        ],
    ),
]
FERRY_ROWS = [["Route", "Passengers", "Crossings"], ["Island North", "182,000", "2,920"], ["Port Elin", "96,500", "1,460"]]


def write_report_pdf(path: Path, title: str = "") -> Path:
    """The 3-page report: a heading and wrapped paragraphs on each page, a table on page 2."""
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    for number, (heading, paragraphs) in enumerate(PAGE_TEXTS, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 18)
        pdf.multi_cell(0, 10, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=12)
        for paragraph in paragraphs:
            pdf.ln(3)
            pdf.multi_cell(0, 7, paragraph, new_x="LMARGIN", new_y="NEXT")
        if number == 2:
            pdf.ln(3)
            with pdf.table() as table:
                for row in FERRY_ROWS:
                    cells = table.row()
                    for cell in row:
                        cells.cell(cell)
        pdf.set_auto_page_break(False)  # the footer sits in the bottom margin
        pdf.set_y(-20)
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 8, str(number), align="C")
        pdf.set_auto_page_break(True, margin=20)
    path.write_bytes(bytes(pdf.output()))
    return path


def rasterise(pdf_path: Path, dpi: int = 150) -> list:
    """Each page of a PDF as a grey PIL image (pypdfium2)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        return [document[n].render(scale=dpi / 72).to_pil().convert("L") for n in range(len(document))]
    finally:
        document.close()


def write_scanned_pdf(source: Path, path: Path, dpi: int = 150) -> Path:
    """`source` rasterised and rebuilt as a PDF of images only: no text layer."""
    images = rasterise(source, dpi)
    images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)
    return path


def write_pptx(path: Path) -> Path:
    """Three slides; the fact is on slide 2's body, a second one in slide 3's notes."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slides = [
        ("Quarterly Review", "Prepared for the harbor board"),
        ("Dredging", "The eastern channel was dredged to a depth of 14 metres in September."),
        ("Next steps", "Tenders open in spring."),
    ]
    for title, body in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    notes = deck.slides[2].notes_slide.notes_text_frame
    notes.text = "Remind the board that the crane contract with Baltic Lifting expires in June."
    table = deck.slides[2].shapes.add_table(2, 2, Inches(1), Inches(5), Inches(6), Inches(1)).table
    for (row, column), text in {(0, 0): "Crane", (0, 1): "Capacity", (1, 0): "Gantry 3", (1, 1): "65 tonnes"}.items():
        table.cell(row, column).text = text
    deck.save(str(path))
    return path


def write_xlsx(path: Path, rows: int = 0) -> Path:
    """Two sheets of harbor figures; `rows` extra filler rows make a big one."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Berths"
    sheet.append(["Berth", "Operator", "Length (m)"])
    sheet.append(["B7", "Nordic Container Lines", 320])
    sheet.append(["B8", "Coastal Bulk", 210])
    for n in range(rows):
        sheet.append([f"X{n}", f"Filler operator {n}", n])
    fees = book.create_sheet("Fees")
    fees.append(["Item", "Fee"])
    fees.append(["Pilotage per call", "1,250 euros"])
    book.save(path)
    return path


def write_csv(path: Path) -> Path:
    path.write_text(
        "Vessel,Flag,Arrived\nMaria Kolberg,Malta,2024-03-02\nAurora Borealis,Norway,2024-03-05\n", encoding="utf-8"
    )
    return path


def write_epub(path: Path) -> Path:
    """Two chapters, the fact in the second."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("harbor-tales")
    book.set_title("Tales of the Harbor")
    book.set_language("en")
    chapters = [
        ("one.xhtml", "The Lighthouse", "<p>The lighthouse keeper lived alone on the rock for <b>twenty</b> years.</p>"),
        ("two.xhtml", "The Storm", "<p>During the great storm of 1953 the harbor master, Elsa Brandt,\nrowed out to the "
         "stranded trawler and brought its crew of nine ashore.</p>"),
    ]
    items = []
    for name, title, body in chapters:
        item = epub.EpubHtml(title=title, file_name=name, lang="en")
        item.content = f"<html><body><h1>{title}</h1>{body}</body></html>"
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.spine = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    epub.write_epub(str(path), book)
    return path


def mail(attachments: dict[str, bytes] | None = None, subject: str = "Crane inspection results") -> EmailMessage:
    """A message whose body is wrapped at 60 characters, with attachments by file name."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "Anna Kowalska <anna@harbor.example>"
    message["To"] = "board@harbor.example"
    message["Date"] = "Tue, 04 Mar 2025 10:15:00 +0100"
    message.set_content(
        "Dear board,\n\nThe inspectors found that the crane on berth B7 needs a\n"
        "new brake assembly before it can lift containers again.\n\nBest regards,\nAnna\n"
    )
    for name, data in (attachments or {}).items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message


def write_eml(path: Path, attachments: dict[str, bytes] | None = None) -> Path:
    path.write_bytes(bytes(mail(attachments)))
    return path


def zip_bomb(path: Path, member: str) -> Path:
    """A zip container declaring 300 MB of one letter in `member`."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, b"<w>" + b"a" * (300 << 20) + b"</w>")
    return path


def pdf_bytes(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 7, text)
    return bytes(pdf.output())


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
