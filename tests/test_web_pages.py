"""Pages in the web chat: the real `assistant serve` over a 3-page PDF, asked through the gradio
API and in Debian's Chromium (Playwright), shows "p. 3" and the cited page with the quote marked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.documents import write_report_pdf
from tests.test_web_browser import WAIT, ask, browser, last_answer, shot  # noqa: F401 (browser: a fixture)
from tests.web_client import client
from tests.webserver import running_server

QUESTION = "Who inspected the loading docks?"
QUOTE_START = "The safety officer, Tomasz Wierzbicki, inspected all fourteen loading docks"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-pages")
    corpus = root / "corpus"
    corpus.mkdir()
    write_report_pdf(corpus / "harbor-report.pdf")
    with running_server(root, corpus) as server:
        yield server


def test_the_api_returns_the_page(server):
    answer = client(server.url).predict(question=QUESTION, history=[], api_name="/ask")
    citation = answer["citations"][0]
    assert citation["quote"].startswith(QUOTE_START) and citation["page"] == 3 and citation["page_end"] is None


@pytest.mark.slow
def test_the_chat_shows_p_3_and_the_cited_page(browser, server):  # noqa: F811 (the fixture)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT)
    page = context.new_page()
    try:
        page.goto(server.url)
        expect(page.locator("#question textarea")).to_be_visible()
        ask(page, QUESTION)
        marker = last_answer(page).locator(".cite").first
        marker.click()
        card = marker.locator(".cite-card")
        expect(card.locator(".title .page")).to_have_text("p. 3")
        expect(card.locator(".title")).to_contain_text("Harbor Authority Annual Report")
        shot(page, "10-citation-page")

        source = page.locator("#sources .source").first
        expect(source.locator(".title .page")).to_have_text("p. 3")
        view = source.locator("details.page-view")
        expect(view.locator(".page-text")).to_be_hidden()
        view.locator("summary").click()
        text = view.locator(".page-text")
        expect(text).to_be_visible()
        expect(text).to_contain_text("No worker was injured on harbor property")  # the whole page, not the passage
        expect(text.locator("mark")).to_contain_text(QUOTE_START)
        expect(text).not_to_contain_text("Ferry traffic grew again")  # page 2 is not shown
        shot(page, "11-page-view")
    finally:
        context.close()
