"""The code's shape, pinned: what imports what, where the marker syntax may be read, module sizes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [ROOT / "assistant", ROOT / "ingest"]
MODULES = sorted(path for package in PACKAGES for path in package.rglob("*.py"))
# Where `[n]` markers may be read out of text: their definition, and the parsing of what a
# language model wrote. An `Answer` holds its citations as data; nothing parses its text.
MARKER_READERS = {"assistant/citations/markers.py", "assistant/citations/resolve.py", "assistant/citations/support.py",
                  "assistant/answering/replies.py",
                  "assistant/answer.py", "assistant/answering/generative.py"}
MARKER_PARSERS = {"MARKER", "strip_markers", "numbers_in", "drop_markers", "markers_before_stops"}
MARKER_PATTERN = re.compile(r"\\\[\(?\\d")  # a regular expression for "[<digits>", as source text


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported(path: Path) -> set[tuple[str, str]]:
    """(module, name) pairs the file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {(node.module, alias.name) for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {(alias.name, "") for alias in node.names}
    return found


def test_the_ground_floor_never_imports_the_assistant():
    for path in (ROOT / "ingest").rglob("*.py"):
        assert not any(module.split(".")[0] == "assistant" for module, _ in imported(path)), relative(path)


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_no_client_renderer_or_metric_parses_markers(path):
    if relative(path) in MARKER_READERS:
        return
    parsers = {name for module, name in imported(path) if module.startswith("assistant.citations")} & MARKER_PARSERS
    assert not parsers, f"{relative(path)} imports {parsers}: iterate Answer.sentences instead"
    assert not MARKER_PATTERN.search(path.read_text(encoding="utf-8")), f"{relative(path)} matches [n] markers itself"


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300, relative(path)


def test_each_package_says_its_job():
    for package in [*PACKAGES, *(p.parent for p in ROOT.glob("assistant/*/__init__.py"))]:
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc.split("\n\n")[0].splitlines()) <= 3, relative(package)
