"""Settings come from ASSISTANT_* variables, nested with `__`."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant import Settings


def test_defaults():
    settings = Settings()
    assert settings.data_dir == Path(".assistant")
    assert settings.embedding.model == "all-MiniLM-L6-v2"
    assert (settings.chunking.size, settings.chunking.overlap) == (1000, 200)
    assert settings.web.host == "127.0.0.1"


def test_environment_overrides_nested_fields(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_RETRIEVAL__K", "9")
    monkeypatch.setenv("ASSISTANT_STORE__URL", "http://127.0.0.1:8123")
    monkeypatch.setenv("ASSISTANT_CHUNKING__SIZE", "500")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.retrieval.k == 9
    assert settings.store.url == "http://127.0.0.1:8123"
    assert settings.chunking.size == 500


def test_invalid_values_are_refused(monkeypatch):
    monkeypatch.setenv("ASSISTANT_RETRIEVAL__K", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_every_field_is_described():
    def walk(model):
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                yield from walk(annotation)
            else:
                yield name, field

    missing = [name for name, field in walk(Settings) if not field.description]
    assert not missing
