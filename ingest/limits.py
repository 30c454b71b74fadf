"""What one file may cost: checked before the expensive step, so a bomb is refused in a second.

A zip-based format (.docx, and the other Office and e-book formats) is checked from its
central directory, before anything is decompressed: the sizes it declares, and how far
they are from the bytes on disk.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.errors import LoadError
from ingest.settings import LimitSettings

_MB = 1 << 20


def check_archive(path: Path, limits: LimitSettings) -> None:
    """Refuse a zip container whose declared unpacked size exceeds `limits.max_unpacked_mb`.

    The declared sizes come from the central directory, which is read without inflating
    anything; the zip module also stops reading a member past its declared size, so a
    member that lies about its size cannot unpack to more than it declared.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise LoadError(f"is not a readable {path.suffix} file ({error})") from None
    if unpacked > limits.max_unpacked_mb * _MB:
        raise LoadError(
            f"unpacks to {unpacked / _MB:,.0f} MB, more than the {limits.max_unpacked_mb:,} MB limit "
            "(ASSISTANT_LIMITS__MAX_UNPACKED_MB)"
        )
