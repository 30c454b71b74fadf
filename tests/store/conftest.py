"""Every test under tests/store runs twice: on embedded Chroma and on a real Chroma server."""

from __future__ import annotations

import pytest

from assistant import Settings
from tests.conftest import server_settings


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.slow)])
def settings(request, tmp_path) -> Settings:
    """The store under test: a Chroma directory in `tmp_path`, or a collection on `chroma run`."""
    settings = Settings(data_dir=tmp_path / "data")
    if request.param == "server":
        settings = server_settings(settings, request.getfixturevalue("chroma_server").url)
    return settings
