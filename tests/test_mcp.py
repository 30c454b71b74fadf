"""The MCP server from the `mcp` SDK's own client: `assistant mcp` spawned over stdio and served
over streamable HTTP (with its key), and in this process for the refusals."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import anyio
import httpx
import httpx2
import pytest
from mcp import Client, ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from assistant import cli
from assistant.api.mcp import DocumentServer, document_uri
from tests.ports import free_port
from tests.conftest import make_corpus
from tests.test_web_api import QUESTIONS
from tests.webserver import ROOT, cli as run_cli, environment

KEY = "mcp-key"
QUESTION, PHRASE, FILE = QUESTIONS[0]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """A data dir ingested by `assistant ingest`, with the environment the servers run in."""
    root = tmp_path_factory.mktemp("mcp")
    env, log = environment(root), root / "mcp.log"
    if run_cli("--data-dir", root / "data", "ingest", "-q", make_corpus(root / "corpus"), env=env, log=log).wait() != 0:
        raise RuntimeError(log.read_text()[-3000:])
    return root, env


async def exercise(session) -> None:
    """What an agent does: list, ask, follow up, search, list documents, read one, get refused."""
    tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert set(tools) == {"ask", "search", "list_documents"}
    assert set(tools["ask"].input_schema["properties"]) == {"question", "history"}

    asked = await session.call_tool("ask", {"question": QUESTION})
    assert not asked.is_error and PHRASE in asked.content[0].text and "\n\nSources:\n[1] " in asked.content[0].text
    answer = asked.structured_content
    assert PHRASE in answer["text"] and not answer["abstained"] and answer["citations"]
    history = [{"role": "user", "content": "Which French president visited Donald Trump at the White House?"},
               {"role": "assistant", "content": "French President Emmanuel Macron visited Trump [1]."}]
    follow_up = await session.call_tool("ask", {"question": "Who is meeting him next?", "history": history})
    assert "Starmer" in follow_up.structured_content["text"]

    found = (await session.call_tool("search", {"query": "floating solar farm", "k": 3})).structured_content["passages"]
    assert len(found) == 3 and found[0]["source"].endswith("lakeside-solar.txt")
    assert {"doc_id", "title", "source", "start", "end", "page", "text"} <= set(found[0])

    documents = (await session.call_tool("list_documents", {})).structured_content["documents"]
    assert sorted(Path(d["source"]).name for d in documents) == ["harbor-museum.md", "lakeside-solar.txt", FILE]
    resources = (await session.list_resources()).resources
    assert sorted(r.uri for r in resources) == sorted(d["uri"] for d in documents)

    citation = answer["citations"][0]
    text = (await session.read_resource(document_uri(citation["doc_id"]))).contents[0].text
    assert text[citation["start"] : citation["end"]] == citation["quote"]
    assert text.split() == Path(citation["source"]).read_text(encoding="utf-8").split()

    empty = await session.call_tool("ask", {"question": "   "})
    assert empty.is_error and empty.content[0].text == "The question is empty: type a question about your documents."


@pytest.mark.slow
def test_stdio_from_the_sdk_client(indexed):
    root, env = indexed
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "assistant", "--data-dir", str(root / "data"), "mcp"], env=env, cwd=ROOT
    )

    async def run() -> None:
        with open(root / "stdio.log", "w") as errors:
            async with stdio_client(params, errlog=errors) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                await exercise(session)

    anyio.run(run)


@pytest.fixture(scope="module")
def http_server(indexed):
    root, env = indexed
    port = free_port()
    server = run_cli("--data-dir", root / "data", "mcp", "--http", str(port), "--api-key", KEY, env=env, log=root / "http.log")
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 300
    while True:
        assert server.poll() is None and time.monotonic() < deadline, (root / "http.log").read_text()[-3000:]
        try:
            httpx.get(url, timeout=5)
            break
        except httpx.HTTPError:
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)


@pytest.mark.slow
def test_streamable_http_with_the_key(http_server):
    async def run() -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300)) as http:
            async with streamable_http_client(http_server, http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    await exercise(session)

    anyio.run(run)


@pytest.mark.slow
def test_streamable_http_refuses_a_missing_or_wrong_key(http_server):
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
        for method in ("GET", "POST", "DELETE"):
            response = httpx.request(method, http_server, headers=headers, json=initialize if method == "POST" else None)
            assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer", (method, headers)

    async def without_key() -> None:
        async with Client(http_server):
            pass

    with pytest.raises(BaseExceptionGroup) as refused:  # the SDK's task groups wrap it
        anyio.run(without_key)
    leaves = refused.value.exceptions
    while any(isinstance(leaf, BaseExceptionGroup) for leaf in leaves):
        leaves = [e for leaf in leaves for e in (leaf.exceptions if isinstance(leaf, BaseExceptionGroup) else [leaf])]
    assert [type(leaf) for leaf in leaves] == [MCPError], leaves


def test_refusals_are_tool_errors_with_the_cli_messages(assistant, capsys):
    """An empty index, then an empty question: the tool error says what `assistant ask` prints."""
    printed = []
    for question in (QUESTION, "  "):
        assert cli.main(["ask", question], assistant=assistant) == 1
        printed.append(capsys.readouterr().err.strip().removeprefix("error: "))

    async def run() -> list[str]:
        async with Client(DocumentServer(assistant)) as client:
            results = [await client.call_tool("ask", {"question": question}) for question in (QUESTION, "  ")]
            results.append(await client.call_tool("search", {"query": QUESTION}))
        assert all(result.is_error for result in results)
        return [result.content[0].text for result in results]

    assert anyio.run(run) == [*printed, printed[0]]


def test_an_unknown_document_is_a_resource_error(seeded):
    async def run() -> None:
        async with Client(DocumentServer(seeded)) as client:
            with pytest.raises(MCPError, match="No document 'nothing.txt' is indexed"):
                await client.read_resource(document_uri("nothing.txt"))
            listed = (await client.list_resources()).resources
            assert [r.uri for r in listed] == [document_uri(d.doc_id) for d in seeded.documents()]

    anyio.run(run)
