"""Per-file limits: how long a hostile file takes to be refused, and what a 500-page book costs
to load under the defaults.

    python benchmarks/limits.py

Prints a Markdown table for BENCHMARKS.md: the time of `ingest.loaders.load` (the step that
refuses a file), best of three, and the message.
"""

from __future__ import annotations

import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.chunking import make_splitter, split  # noqa: E402
from ingest.errors import LoadError  # noqa: E402
from ingest.loaders import load  # noqa: E402
from ingest.settings import ChunkingSettings  # noqa: E402
from tests.test_limits import many_pages, write_docx_bomb  # noqa: E402


def declared_300_mb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w>" + b"a" * (300 << 20) + b"</w>")
    return path


def big_text(path: Path) -> Path:
    with open(path, "wb") as file:
        file.write(b"A very large export.\n" * ((50 << 20) // 21))
    return path


def timed(path: Path) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(3):
        started = time.perf_counter()
        try:
            document = load(path, path.name)
            outcome = f"loaded: {len(document.text):,} characters, {len(split(document, make_splitter(ChunkingSettings()))):,} passages"
        except LoadError as error:
            outcome = f"refused: {error}"
        best = min(best, time.perf_counter() - started)
    return best, outcome


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        cases = {
            "the issue's .docx: unpacks to 15 MB": write_docx_bomb(root / "ledger.docx"),
            ".docx declaring 300 MB unpacked": declared_300_mb(root / "declared.docx"),
            "PDF of 2,001 pages": many_pages(root / "pages.pdf", 2001),
            "50 MB text file": big_text(root / "export.txt"),
            "500-page book (PDF), defaults": many_pages(root / "book.pdf", 500),
        }
        print("| file | size on disk | time to load or refuse | outcome |\n|---|---:|---:|---|")
        for name, path in cases.items():
            seconds, outcome = timed(path)
            size = path.stat().st_size
            shown = f"{size / 1024:,.0f} KB" if size < 1 << 20 else f"{size / (1 << 20):,.1f} MB"
            print(f"| {name} | {shown} | {seconds * 1000:,.1f} ms | {outcome} |")


if __name__ == "__main__":
    main()
