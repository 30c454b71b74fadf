"""OCR of scanned pages and images: Debian's tesseract through pytesseract, one page at a time.

A page costs seconds, so each page's text is cached under `<data dir>/ocr/`, keyed by the
file's SHA-256 (and the language and resolution): ingesting the same file again, or a copy
of it under another name, reads the cache. Pages are rendered (pypdfium2) and read one by
one, so a 200-page scan needs the memory of one page image.
"""

from __future__ import annotations

import hashlib
import logging
import math
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from tqdm import tqdm

from ingest.errors import LoadError
from ingest.paragraphs import Line, paragraphs
from ingest.settings import OcrSettings

log = logging.getLogger("ingest")
MISSING_TESSERACT = (
    "OCR needs Debian's tesseract-ocr and tesseract-ocr-eng packages "
    "(apt-get install tesseract-ocr tesseract-ocr-eng)"
)
MAX_PIXELS = 40_000_000  # a rendered page larger than this is rendered smaller (an A4 page at 200 dpi: 3.7 M)


class Ocr:
    """Tesseract over page images, with a cache by file fingerprint and a page count."""

    def __init__(self, settings: OcrSettings | None = None, cache: Path | None = None, progress: bool = False) -> None:
        self.settings = settings or OcrSettings()
        self.cache = cache
        self.progress = progress
        self.pages_read = 0  # pages tesseract read in this run
        self.pages_cached = 0  # pages whose text came from the cache
        self._available: bool | None = None

    def available(self) -> bool:
        """Whether OCR is enabled and tesseract with the configured language is installed."""
        if self._available is None:
            self._available = self.settings.enabled and _has_tesseract(self.settings.language)
        return self._available

    @property
    def missing(self) -> str:
        """Why OCR can't run here, for a skipped file's message."""
        if not self.settings.enabled:
            return "OCR is turned off (ASSISTANT_OCR__ENABLED)"
        return MISSING_TESSERACT

    def pdf_pages(self, path: Path, numbers: list[int]) -> Iterator[tuple[int, str]]:
        """`(page number, text)` of the given pages of a PDF, rendered and read one at a time."""
        import pypdfium2

        key = file_key(path)
        try:
            pdf = pypdfium2.PdfDocument(str(path))
        except pypdfium2.PdfiumError as error:
            raise LoadError(f"could not be rendered for OCR ({error})") from None
        try:
            for number in self._tracked(numbers, path):
                yield number, self._page(key, number, lambda n=number: _render(pdf[n - 1], self.settings.dpi))
        finally:
            pdf.close()

    def image_pages(self, path: Path) -> list[str]:
        """The text of each frame of an image (a multi-page TIFF has several)."""
        from PIL import Image, UnidentifiedImageError

        key = file_key(path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)  # a pixel bomb is refused
                with Image.open(path) as image:
                    frames = getattr(image, "n_frames", 1)
                    texts = []
                    for number in self._tracked(list(range(1, frames + 1)), path):
                        image.seek(number - 1)
                        texts.append(self._page(key, number, lambda: image.convert("RGB")))
                    return texts
        except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, EOFError) as error:
            raise LoadError(f"is not a readable image ({type(error).__name__}: {error})".replace("\n", " ")) from None

    def _tracked(self, numbers: list[int], path: Path):
        return tqdm(numbers, desc=f"OCR {path.name}", unit="page", disable=not self.progress or len(numbers) < 1)

    def _page(self, key: str, number: int, render: Callable) -> str:
        cached = self._cached(key, number)
        if cached is not None and cached.exists():
            self.pages_cached += 1
            return cached.read_text(encoding="utf-8")
        image = render()
        text = recognise(image, self.settings)
        image.close()
        self.pages_read += 1
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(".part")
            partial.write_text(text, encoding="utf-8")
            partial.replace(cached)  # a run stopped mid-write leaves no half page behind
        return text

    def _cached(self, key: str, number: int) -> Path | None:
        if self.cache is None:
            return None
        return self.cache / key / f"{self.settings.language}-{self.settings.dpi}dpi-{number:05d}.txt"


def recognise(image, settings: OcrSettings) -> str:
    """The text tesseract reads in one page image: its paragraphs, each on one line."""
    import pytesseract

    try:
        data = pytesseract.image_to_data(
            image, lang=settings.language, output_type=pytesseract.Output.DICT, timeout=settings.page_timeout
        )
    except RuntimeError as error:  # pytesseract's time-out
        raise LoadError(f"could not be read by OCR within {settings.page_timeout} s a page ({error})") from None
    except pytesseract.TesseractError as error:
        raise LoadError(f"could not be read by OCR ({error.message or error})".replace("\n", " ")) from None
    words: dict[tuple, list[int]] = {}
    for n, word in enumerate(data["text"]):
        if word.strip():
            words.setdefault((data["block_num"][n], data["par_num"][n], data["line_num"][n]), []).append(n)
    lines = [_line(data, numbers) for numbers in words.values()]
    sizes = sorted(line.size for line in lines)
    tolerance = 0.2 * sizes[len(sizes) // 2] if sizes else 1.0
    return "\n\n".join(paragraphs(lines, size_tolerance=tolerance))


def _line(data: dict, numbers: list[int]) -> Line:
    """A line tesseract found, from its words' boxes (pixels); its size is the median word height."""
    left = [data["left"][n] for n in numbers]
    top = [data["top"][n] for n in numbers]
    right = [data["left"][n] + data["width"][n] for n in numbers]
    bottom = [data["top"][n] + data["height"][n] for n in numbers]
    heights = sorted(data["height"][n] for n in numbers)
    text = " ".join(data["text"][n].strip() for n in numbers)
    first = numbers[0]
    return Line(text, min(top), max(bottom), min(left), max(right), heights[len(heights) // 2], data["width"][first])


def file_key(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _render(page, dpi: int):
    """A PDF page as a PIL image at `dpi`, smaller when that would pass `MAX_PIXELS`."""
    width, height = page.get_size()
    scale = dpi / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = math.sqrt(MAX_PIXELS / max(width * height, 1.0))
    bitmap = page.render(scale=scale)
    try:
        return bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()
        page.close()


def _has_tesseract(language: str) -> bool:
    import pytesseract

    try:
        pytesseract.get_tesseract_version()
        languages = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
        return False
    if language not in languages:
        log.warning("tesseract has no %r language data; %s", language, MISSING_TESSERACT)
        return False
    return True
