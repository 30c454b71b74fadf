"""What the web chat exposes: uploads with hostile names can't write outside their folders
(Gradio's upload route, then the chat's own upload path), the server binds to 127.0.0.1
unless told otherwise, and with `--auth` every route refuses a request without credentials.
Failed logins are slowed per client; a login file keeps the password out of `ps`; an open
chat on every interface, or a password on the command line, is warned about.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psutil
import pytest

from assistant.web.uploads import add_documents
from tests.conftest import make_corpus
from tests.web_client import running_web
from tests.webserver import running_server

pytestmark = pytest.mark.slow  # real servers as subprocesses

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


def test_hostile_names_through_the_web_chat_upload_stay_in_the_uploads_folder(assistant, tmp_path):
    sources = []
    for number, name in enumerate(HOSTILE_NAMES):
        source = tmp_path / f"incoming-{number}"
        source.write_text(f"Uploaded note number {number} about lighthouses.\n", encoding="utf-8")
        sources.append((source, name))
    before = files_under(tmp_path)
    summary = add_documents(assistant, sources)
    written = files_under(tmp_path) - before
    uploads = (Path(assistant.settings.data_dir) / "uploads").resolve()
    stored = {path for path in written if path.resolve().parent == uploads}
    assert stored and summary.added == len(stored) and not summary.failed  # same safe name: one file
    assert all(path.resolve().is_relative_to(Path(assistant.settings.data_dir).resolve()) for path in written)


def test_serve_binds_loopback_and_auth_answers_401_to_every_route(tmp_path):
    """(test_web_api.py checks gradio_client with and without credentials.)"""
    with running_server(tmp_path, make_corpus(tmp_path / "corpus"), "--auth", "reader:open sesame") as server:
        port = urlparse(server.url).port
        listening = [c.laddr for c in psutil.net_connections("inet") if c.status == "LISTEN" and c.laddr.port == port]
        assert listening and {address.ip for address in listening} == {"127.0.0.1"}

        url = server.url
        for path in ("config", "gradio_api/info", "gradio_api/queue/status"):
            assert httpx.get(f"{url}{path}").status_code == 401, path
        for endpoint in ("call/ask", "run/ask", "queue/join"):
            called = httpx.post(f"{url}gradio_api/{endpoint}", json={"data": ["How many countries voted?", []]})
            assert called.status_code == 401 and "93" not in called.text, endpoint
        uploaded = httpx.post(f"{url}gradio_api/upload", files=[("files", ("../../x.txt", b"note"))])
        assert uploaded.status_code == 401


def login(url: str, password: str) -> tuple[int, float]:
    started = time.perf_counter()
    reply = httpx.post(f"{url}login", data={"username": "reader", "password": password}, timeout=60)
    return reply.status_code, time.perf_counter() - started


def test_a_login_file_keeps_the_password_out_of_ps_and_failed_logins_are_slowed(tmp_path):
    secret = tmp_path / "login"
    secret.write_text("reader:open sesame\n", encoding="utf-8")
    with running_server(tmp_path, make_corpus(tmp_path / "corpus"), "--auth-file", str(secret)) as server:
        port = str(urlparse(server.url).port)
        serving = [p for p in psutil.process_iter(["cmdline"]) if port in (p.info["cmdline"] or [])]
        assert serving and not any("sesame" in " ".join(p.info["cmdline"]) for p in serving)
        assert httpx.get(f"{server.url}config").status_code == 401

        waits = [login(server.url, "wrong") for _ in range(3)]
        assert [status for status, _ in waits] == [400, 400, 400]
        assert [round(seconds, 1) >= delay for (_, seconds), delay in zip(waits, (0.5, 1.0, 2.0))] == [True] * 3
        assert login(server.url, "open sesame")[0] == 200  # the right password still works, and resets the count
        with ThreadPoolExecutor(max_workers=4) as pool:  # at once: checked one at a time, delays add up
            started = time.perf_counter()
            statuses = list(pool.map(lambda _: login(server.url, "guess")[0], range(4)))
            together = time.perf_counter() - started
        assert statuses == [400] * 4 and together >= 0.5 + 1 + 2 + 4
    assert "Traceback" not in server.log.read_text(errors="replace")


def test_an_open_chat_on_every_interface_and_a_password_in_argv_are_warned_about(tmp_path):
    with running_server(tmp_path, make_corpus(tmp_path / "corpus"), "--host", "0.0.0.0") as server:
        assert httpx.get(server.url).status_code == 200
    log = server.log.read_text(errors="replace")
    assert "The web chat on 0.0.0.0 has no login" in log and "--auth-file" in log
    with running_server(tmp_path / "second", make_corpus(tmp_path / "second" / "corpus"), "--auth", "me:pw") as server:
        pass
    assert "visible to every user of this machine" in server.log.read_text(errors="replace")
