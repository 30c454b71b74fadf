"""What one file may cost: checked before the expensive step, so a bomb is refused in a second.

A zip-based format (.docx, and the other Office and e-book formats) is checked from its
central directory, before anything is decompressed: the sizes it declares, and how far
they are from the bytes on disk. A PDF's pages are counted before any text is extracted;
a text file's size bounds its length before it is read. Then the extracted text's length,
and the number of passages it splits into. Every refusal names the limit and its setting.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.errors import LoadError
from ingest.settings import LimitSettings

_MB = 1 << 20
RATIO_FLOOR = _MB  # members that unpack to less are too small to matter, whatever their ratio
_UTF8_MAX_BYTES = 4  # a character takes at most 4 bytes, so larger files are surely too long


def _over(what: str, limit: int, unit: str, setting: str) -> LoadError:
    return LoadError(f"{what}, more than the {limit:,}{unit} limit (ASSISTANT_LIMITS__{setting})")


def _size(size: int) -> str:
    return f"{size / _MB:,.1f} MB" if size >= _MB else f"{size / 1024:,.0f} KB"


def check_archive(path: Path, limits: LimitSettings) -> None:
    """Refuse a zip container that declares more than `limits.max_unpacked_mb` unpacked, or
    a member that unpacks to more than `limits.max_unpack_ratio` times its packed size.

    The declared sizes come from the central directory, which is read without inflating
    anything; the zip module also stops reading a member past its declared size, so a
    member that lies about its size cannot unpack to more than it declared.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise LoadError(f"is not a readable {path.suffix} file ({error})") from None
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_mb * _MB:
        raise _over(f"unpacks to {unpacked / _MB:,.0f} MB", limits.max_unpacked_mb, " MB", "MAX_UNPACKED_MB")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_FLOOR and ratio > limits.max_unpack_ratio:
            raise _over(
                f"unpacks {member.filename} from {_size(member.compress_size)} to {_size(member.file_size)} "
                f"({ratio:,.0f} times: a zip bomb?)",
                limits.max_unpack_ratio,
                "x",
                "MAX_UNPACK_RATIO",
            )


def check_text_file(path: Path, limits: LimitSettings) -> None:
    """Refuse a text file too large to hold at most `limits.max_text_chars`, without reading it."""
    size = path.stat().st_size
    if size > limits.max_text_chars * _UTF8_MAX_BYTES:
        raise _over(f"is {_size(size)} of text", limits.max_text_chars, " characters", "MAX_TEXT_CHARS")


def check_text(text: str, limits: LimitSettings) -> None:
    """Refuse extracted text longer than `limits.max_text_chars`."""
    if len(text) > limits.max_text_chars:
        raise _over(f"holds {len(text):,} characters of text", limits.max_text_chars, " characters", "MAX_TEXT_CHARS")


def check_pdf(path: Path, limits: LimitSettings) -> None:
    """Refuse a PDF of more than `limits.max_pdf_pages` pages, counted from its page tree
    before any page is parsed (an unreadable PDF is left to its loader to report)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(path).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return
    if pages > limits.max_pdf_pages:
        raise _over(f"has {pages:,} pages", limits.max_pdf_pages, " pages", "MAX_PDF_PAGES")


def check_passages(passages: int, limits: LimitSettings) -> None:
    """Refuse a document that splits into more than `limits.max_passages` passages."""
    if passages > limits.max_passages:
        raise _over(f"splits into {passages:,} passages", limits.max_passages, " passages", "MAX_PASSAGES")
