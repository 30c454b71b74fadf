"""PDF pages: OCR seconds per page and the share of words tesseract recovers from rendered
pages; the text-layer loader's time per page against pypdf's plain extraction.

    python benchmarks/pages.py [--dpi 150 200 300] [--copies 50]

The known text is the seed article and the test corpora (docs/, tests/data/), typeset with fpdf2 in
11-point Helvetica on A4 pages, rasterised with pypdfium2 at each resolution (as a scan would
be) and read back with `ingest.ocr.recognise`, one page at a time. A word counts as recovered
when the OCR text holds it as many times as the page does (a multiset match), compared as
written ("exact") and lower-cased without surrounding punctuation ("words"). Also times the
whole `load` of the scanned PDF, and of it again from the OCR cache. Then the same text
`--copies` times as a text PDF: `ingest.loaders.load` (PDFium lines joined into paragraphs,
pdfplumber on pages that draw lines) against pypdf's `extract_text`, in one run.
Prints Markdown rows.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.loaders import load  # noqa: E402
from ingest.ocr import Ocr, recognise  # noqa: E402
from ingest.settings import OcrSettings  # noqa: E402
from tests.documents import rasterise  # noqa: E402

TEXTS = [ROOT / "docs" / "us-un-ukraine-resolutions.txt", *sorted((ROOT / "tests" / "data").glob("*/*.*"))]
_LATIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-"})


def typeset(text: str, path: Path) -> str:
    """The text as a PDF, a paragraph per line of the file; returns the text as typeset."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    paragraphs = [line.strip() for line in text.translate(_LATIN).splitlines() if line.strip()]
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(path))
    return " ".join(paragraphs)


def recovered(truth: str, read: str, normalise: bool) -> tuple[int, int]:
    def words(text: str) -> Counter:
        tokens = text.split()
        if normalise:
            tokens = [re.sub(r"^\W+|\W+$", "", token.lower()) for token in tokens]
        return Counter(token for token in tokens if token)

    wanted, found = words(truth), words(read)
    return sum(min(count, found[word]) for word, count in wanted.items()), sum(wanted.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 200, 300])
    parser.add_argument("--copies", type=int, default=50, help="copies of the text in the long text PDF")
    args = parser.parse_args()
    print("| render dpi | pages | OCR s/page | words recovered (as written) | words recovered (lower-case, no punctuation) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "seed.pdf"
        known = "\n".join(path.read_text(encoding="utf-8") for path in TEXTS if path.suffix in (".txt", ".md"))
        whole = typeset(known, source)
        for dpi in args.dpi:
            images = rasterise(source, dpi)
            started = time.perf_counter()
            read = " ".join(recognise(image, OcrSettings()) for image in images)
            per_page = (time.perf_counter() - started) / len(images)
            exact, total = recovered(whole, read, normalise=False)
            loose, _ = recovered(whole, read, normalise=True)
            print(f"| {dpi} | {len(images)} | {per_page:.2f} | {exact / total:.1%} ({exact}/{total}) | {loose / total:.1%} |")
        scan = Path(folder) / "scan.pdf"
        images = rasterise(source, 150)
        images[0].save(scan, save_all=True, append_images=images[1:], resolution=150)
        for label in ("first load (OCR at 200 dpi)", "second load (from the OCR cache)"):
            ocr = Ocr(OcrSettings(), Path(folder) / "cache")
            started = time.perf_counter()
            load(scan, "scan.pdf", ocr=ocr)
            print(f"\n{label}: {time.perf_counter() - started:.2f} s, {ocr.pages_read} pages OCRed, {ocr.pages_cached} cached")
        text_layer(known, args.copies, Path(folder))


def text_layer(known: str, copies: int, folder: Path) -> None:
    """Time per page of the loader and of pypdf on a long text PDF, back to back."""
    from pypdf import PdfReader

    path = Path(folder) / "long.pdf"
    typeset("\n".join([known] * copies), path)
    started = time.perf_counter()
    pages = [page.extract_text() for page in PdfReader(path).pages]
    plain = time.perf_counter() - started
    started = time.perf_counter()
    load(path, "long.pdf")
    ours = time.perf_counter() - started
    count = len(pages)
    print(f"\ntext PDF, {count} pages: loader {ours / count * 1000:.0f} ms/page, pypdf {plain / count * 1000:.0f} ms/page "
          f"({ours / plain:.1f}x)")


if __name__ == "__main__":
    main()
