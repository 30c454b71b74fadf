"""What the web chat exposes: uploads can't write outside their folders, the server binds to
127.0.0.1 unless told otherwise, and `--auth` keeps out clients without credentials.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from tests.web_client import ask_web, cli_environment, client, running_web, serving

HOSTILE_NAMES = [
    "../../escape.txt",
    "..\\..\\escape-win.txt",
    "/etc/cron.d/escape.txt",
    "..%2F..%2Fencoded.txt",
    "....//....//dots.txt",
    "ｅｓｃａｐｅ／..／wide.txt",  # full-width letters and solidus
    " .hidden \u202eevil.txt",  # right-to-left override
]


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


def test_gradio_uploads_with_hostile_names_stay_in_the_upload_folder(assistant, tmp_path, monkeypatch):
    uploads = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    before = files_under(tmp_path)
    with running_web(assistant) as url:
        files = [("files", (name, b"An uploaded note.\n", "text/plain")) for name in HOSTILE_NAMES]
        response = httpx.post(f"{url}gradio_api/upload", files=files, timeout=60)
    assert response.status_code == 200, response.text
    stored = [Path(path).resolve() for path in response.json()]
    assert len(stored) == len(HOSTILE_NAMES)
    assert all(path.is_relative_to(uploads.resolve()) for path in stored)
    assert {p for p in files_under(tmp_path) - before if not p.is_relative_to(uploads)} == set()


def test_the_upload_path_of_the_web_chat_keeps_files_in_the_data_dir(assistant, tmp_path):
    """Against the web chat's own upload handling (on main once the web-chat rewrite lands)."""
    uploads = pytest.importorskip("assistant.web.uploads", reason="the web chat has no uploads yet")
    sources = []
    for number, name in enumerate(HOSTILE_NAMES):
        source = tmp_path / f"incoming-{number}"
        source.write_text(f"Uploaded note number {number} about lighthouses.\n", encoding="utf-8")
        sources.append((source, name))
    before = files_under(tmp_path)
    uploads.add_documents(assistant, sources)
    written = files_under(tmp_path) - before
    data_dir = Path(assistant.settings.data_dir).resolve()
    assert written and all(path.resolve().is_relative_to(data_dir) for path in written)


def test_serve_binds_loopback_and_auth_keeps_out_clients_without_credentials(tmp_path, corpus):
    env, log = cli_environment(tmp_path / "data"), tmp_path / "serve.log"
    run = [sys.executable, "-m", "assistant"]
    subprocess.run([*run, "ingest", "-q", str(corpus)], env=env, stdout=subprocess.DEVNULL, check=True, timeout=600)
    with serving(env, log, "--auth", "reader:open sesame") as (process, url):
        listening = [c.laddr for c in psutil.Process(process.pid).net_connections("inet") if c.status == "LISTEN"]
        assert listening and {address.ip for address in listening} == {"127.0.0.1"}

        assert httpx.get(f"{url}config").status_code == 401
        assert httpx.get(f"{url}gradio_api/info").status_code == 401
        for endpoint in ("call/ask", "call/respond", "run/ask", "run/respond"):  # the new chat's, the old one's
            called = httpx.post(f"{url}gradio_api/{endpoint}", json={"data": ["How many countries voted?", []]})
            assert called.status_code == 401 and "93" not in called.text
        uploaded = httpx.post(f"{url}gradio_api/upload", files=[("files", ("../../x.txt", b"note"))])
        assert uploaded.status_code == 401
        with pytest.raises(Exception, match="(?i)credentials|login|auth"):
            client(url)

        text, sources = ask_web(client(url, auth=("reader", "open sesame")), "How many countries voted for the European resolution?")
        assert "93" in text and any(source.endswith("us-un-ukraine-resolutions.txt") for source in sources)
