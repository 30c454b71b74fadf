"""Settings come from ASSISTANT_* variables, nested with `__`."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant import ConfigError, Settings, cli


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
    with pytest.raises(ConfigError, match="ASSISTANT_RETRIEVAL__K: Input should be greater than or equal to 1"):
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


def test_a_mistyped_variable_is_an_error_naming_it(monkeypatch):
    monkeypatch.setenv("ASSISTANT_RETRIVAL__K", "9")
    with pytest.raises(ConfigError, match="ASSISTANT_RETRIVAL__K"):
        Settings()
    monkeypatch.delenv("ASSISTANT_RETRIVAL__K")
    monkeypatch.setenv("ASSISTANT_RETRIEVAL__KK", "9")
    with pytest.raises(ConfigError, match="ASSISTANT_RETRIEVAL__KK: Extra inputs are not permitted"):
        Settings()


def test_the_command_line_exits_1_naming_the_unknown_setting(monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_RETRIVAL__K", "9")
    assert cli.main(["ask", "Anything?"]) == 1
    assert "ASSISTANT_RETRIVAL__K" in capsys.readouterr().err


def test_assigning_an_invalid_value_raises():
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.answer.context_chars = 5
    with pytest.raises(ValidationError):
        settings.retrieval.no_such_field = 1


def test_overrides_take_one_path_and_are_validated(tmp_path):
    settings = Settings().updated({"retrieval.k": 9, "data_dir": tmp_path, "answer.answerer": None})
    assert (settings.retrieval.k, settings.data_dir, settings.answer.answerer) == (9, tmp_path, "extractive")
    with pytest.raises(ConfigError, match="Unknown setting 'retrieval.kk'"):
        Settings().updated({"retrieval.kk": 9})
    with pytest.raises(ConfigError, match="ASSISTANT_RETRIEVAL__K"):
        Settings().updated({"retrieval.k": 0})


def fields(model, prefix="ASSISTANT_"):
    """Every leaf setting as its environment variable."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            yield from fields(annotation, f"{prefix}{name.upper()}__")
        else:
            yield f"{prefix}{name.upper()}"


def test_the_readme_table_lists_every_setting():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(ASSISTANT_[A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    assert listed == set(fields(Settings))
