"""The web chat in a real browser: Debian's Chromium, headless, driven by Playwright.

The server is the real `assistant serve` over the test corpus (see tests/webserver.py).
Screenshots of the main states go to out/web/ (git-ignored).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from assistant import Answer, Citation, Passage, Sentence
from assistant.web.app import CSS
from assistant.web.render import answer_html
from tests.conftest import ROOT, make_corpus
from tests.webserver import running_server

pytestmark = pytest.mark.slow  # a real browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "out" / "web"
WAIT = 120_000  # ms; a guard against a hung page on a busy machine, not a speed assertion
QUOTE = "Despite an overwhelming majority supporting the European resolution with 93 votes in favor, the US was one of the countries voting against it."
# Runs in the page before Gradio: records every text the answer showed while it was being written.
expect.set_options(timeout=WAIT)
VISIBLE_TEXT = "node => { const copy = node.cloneNode(true); copy.querySelectorAll('.cite-card').forEach(card => card.remove()); return copy.textContent; }"
WATCH_STREAMING = """
window.__streamed = [];
new MutationObserver(() => {
  for (const node of document.querySelectorAll('#chat .streaming')) window.__streamed.push(node.textContent);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-browser")
    with running_server(root, make_corpus(root / "corpus")) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT)
    page = context.new_page()
    page.add_init_script(WATCH_STREAMING)
    page.goto(server.url)
    expect(page.locator("#chat button.example").first).to_be_visible()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")


def ask(page: Page, question: str) -> None:
    """Type a question, send it, wait until its answer is finished."""
    answers = page.locator("#chat .answer:not(.streaming)")
    before = answers.count()
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    expect(answers).to_have_count(before + 1)


def last_answer(page: Page):
    return page.locator("#chat .answer:not(.streaming)").last


def test_seed_question_streams_an_answer_whose_citation_shows_the_quote(page):
    shot(page, "01-empty-chat")
    ask(page, "How many countries voted for the European resolution?")
    answer = last_answer(page)
    expect(answer).to_contain_text("93 votes in favor")
    final = answer.evaluate(VISIBLE_TEXT)
    streamed = [text.rstrip("▍") for text in page.evaluate("window.__streamed")]
    assert streamed and all(text and final.startswith(text.strip()) for text in streamed)

    marker = answer.locator(".cite").first
    card = marker.locator(".cite-card")
    expect(card).to_be_hidden()
    marker.hover()
    expect(card).to_be_visible()
    page.mouse.move(5, 5)
    expect(card).to_be_hidden()
    marker.click()  # opens it until the focus moves on
    expect(card.locator("mark")).to_have_text(QUOTE)
    expect(card).to_contain_text("us-un-ukraine-resolutions.txt")
    expect(card.locator(".title")).to_contain_text("US Breaks Ranks with Allies")
    shot(page, "02-citation-open")

    source = page.locator("#sources .source").first
    expect(source.locator("mark")).to_have_text(QUOTE)
    expect(source).to_contain_text("characters")


def test_follow_up_uses_the_conversation_and_new_chat_clears_it(page):
    page.locator("#chat button.example").first.click()  # an example question starts the chat
    expect(last_answer(page).locator(".cite").first).to_be_visible()
    ask(page, "Which French president visited Donald Trump at the White House?")
    expect(last_answer(page)).to_contain_text("Macron")
    ask(page, "Who is meeting him next?")
    expect(last_answer(page)).to_contain_text("Starmer")
    expect(page.locator("#chat .question")).to_have_count(3)
    shot(page, "03-follow-up")

    page.locator("#new-chat").click()
    expect(page.locator("#chat .question")).to_have_count(0)
    expect(page.locator("#chat button.example").first).to_be_visible()
    expect(page.locator("#sources")).to_contain_text("Sources of the current answer appear here")


def test_bad_questions_are_refused_without_losing_the_conversation(page):
    ask(page, "Which British prime minister is scheduled to meet Trump?")
    box = page.locator("#question textarea")
    box.fill("   ")
    box.press("Enter")
    expect(page.locator("#question")).to_contain_text("The question is empty")
    long_question = ("Why " * 2500).strip() + "?"
    box.fill(long_question)
    box.press("Enter")
    expect(page.locator("#question")).to_contain_text("The question is 10,000 characters long")
    shot(page, "04-question-too-long")
    expect(box).to_have_value(long_question)  # kept, to be shortened
    expect(page.locator("#chat .question")).to_have_count(1)
    expect(last_answer(page)).to_contain_text("Starmer")


def test_upload_a_document_then_ask_about_it(page, server, tmp_path):
    new = tmp_path / "kelp-farm.txt"
    new.write_text(
        "Kelp Farm Opens Off Marrow Point\nSource: The Coastal Herald\nPublished: 2025-05-20\n\n"
        "The first commercial kelp farm off Marrow Point began its harvest on Monday.\n\n"
        "The farm grows sugar kelp on 40 kilometres of rope and expects to harvest 180 tonnes a year.\n",
        encoding="utf-8",
    )
    unsupported, broken = tmp_path / "notes.xyz", tmp_path / "broken.pdf"
    unsupported.write_text("not a format the assistant reads")
    broken.write_bytes(b"%PDF-1.7 this is not really a pdf")
    ask(page, "How much did the Harbor Museum renovation cost?")
    page.get_by_role("tab", name="Add documents").click()
    page.locator("#upload input[type=file]").set_input_files([new, unsupported, broken])
    summary = page.locator("#upload-status .upload-summary")
    expect(summary).to_contain_text("1 added")
    expect(summary.locator(".skipped li")).to_have_count(2)
    expect(summary).to_contain_text("notes.xyz")
    expect(summary).to_contain_text("broken.pdf")
    shot(page, "05-upload-summary")
    assert (server.data_dir / "uploads" / "kelp-farm.txt").is_file()

    page.get_by_role("tab", name="Index").click()
    expect(page.locator("#index .doc-table")).to_contain_text("Kelp Farm Opens Off Marrow Point")
    ask(page, "How many tonnes of kelp does the Marrow Point farm expect to harvest?")
    expect(last_answer(page)).to_contain_text("180 tonnes")
    expect(page.locator("#chat .question")).to_have_count(2)  # the upload kept the conversation
    cited = re.compile(r"^Kelp Farm Opens Off Marrow Point — .*uploads/kelp-farm\.txt, 2025-05-20$")
    expect(last_answer(page).locator(".cite").first).to_have_attribute("title", cited)
    page.get_by_role("tab", name="Sources").click()
    expect(page.locator("#sources .source").first).to_contain_text("kelp-farm.txt")



def test_upload_names_cannot_escape_the_uploads_folder(page, server):
    page.get_by_role("tab", name="Add documents").click()
    text = b"Gull Island Lighthouse\n\nThe Gull Island lighthouse keeper logged 212 ships in April.\n"
    page.locator("#upload input[type=file]").set_input_files(
        [{"name": "../../gull-island.txt", "mimeType": "text/plain", "buffer": text}]
    )
    expect(page.locator("#upload-status .upload-summary")).to_contain_text("1 added")
    assert (server.data_dir / "uploads" / "gull-island.txt").is_file()
    assert not (server.data_dir / "gull-island.txt").exists()
    assert not (server.data_dir.parent / "gull-island.txt").exists()


def test_html_in_documents_and_questions_is_shown_as_text_and_never_runs(page, tmp_path):
    payload = "window.__xss = (window.__xss || 0) + 1"
    hostile = tmp_path / "quillford.txt"
    hostile.write_text(
        f"Quillford <script>{payload}</script> Lantern Festival\nSource: <b onmouseover=\"{payload}\">Courier</b>\n"
        "Published: 2025-06-02\n\n"
        f'The Quillford lantern festival <img src=x onerror="{payload}"> will be held on the harbour wall on 21 June.\n\n'
        f"Organisers said <script>{payload}</script> about 4,000 paper lanterns were ordered from Bellmoor.\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="Add documents").click()
    page.locator("#upload input[type=file]").set_input_files(hostile)
    expect(page.locator("#upload-status .upload-summary")).to_contain_text("1 added")
    page.get_by_role("tab", name="Index").click()
    expect(page.locator("#index")).to_contain_text("Quillford <script>")

    ask(page, f'Where will the Quillford lantern festival <img src=x onerror="{payload}"> be held?')
    expect(page.locator("#chat .question").last).to_contain_text('<img src=x onerror="window.__xss')
    expect(last_answer(page)).to_contain_text('festival <img src=x onerror="window.__xss')
    ask(page, "How many paper lanterns did the Quillford organisers order?")
    expect(last_answer(page)).to_contain_text("<script>window.__xss")
    last_answer(page).locator(".cite").first.click()
    page.get_by_role("tab", name="Sources").click()
    expect(page.locator("#sources .source").first).to_contain_text("<script>")
    page.locator("#sources .source").first.hover()
    shot(page, "06-html-shown-as-text")
    assert page.evaluate("window.__xss") is None
    assert page.locator("#chat img, #sources img, #index img, #chat script, #sources script").count() == 0


def test_index_panel_names_documents_chunks_model_and_answerer(page):
    page.get_by_role("tab", name="Index").click()
    panel = page.locator("#index")
    expect(panel.locator(".doc-table")).to_contain_text("Lakeside Town Approves Floating Solar Farm")
    expect(panel.locator(".doc-table")).to_contain_text("Harbor Museum Reopens After Renovation")
    expect(panel).to_contain_text("all-MiniLM-L6-v2 (384 dimensions)")
    expect(panel).to_contain_text("extractive")
    documents = int(panel.locator("[data-testid=documents]").inner_text())
    chunks = int(panel.locator("[data-testid=chunks]").inner_text())
    assert documents >= 3 and chunks >= documents
    shot(page, "07-index-panel")


def test_an_off_topic_question_is_answered_with_an_abstention_not_an_error(page):
    ask(page, "What is a good recipe for banana bread?")
    expect(last_answer(page)).to_have_class(re.compile(r"\babstained\b"))
    expect(last_answer(page)).to_contain_text("No answer in the sources.")
    expect(page.locator("#sources")).to_contain_text("None of the passages answers the question")
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)
    shot(page, "08-abstention")


def test_unsupported_sentences_are_visibly_marked_in_the_page(browser):
    """A constructed answer (the extractive answerer flags none) in a page with the chat's CSS."""
    text = "The farm covers 12 hectares. It was built by robots."
    passage = Passage(number=1, text=text, doc_id="d", title="Farm", source="d.txt", start=0, end=len(text), score=1.0)
    supported = Citation(number=1, doc_id="d", title="Farm", source="d.txt", quote=text[:28], start=0, end=28)
    unsupported = supported.model_copy(update={"supported": False})
    sentences = [Sentence(text=text[:28], citations=[supported]), Sentence(text=text[29:], citations=[unsupported])]
    answer = Answer(question="q", sentences=sentences, passages=[passage])
    page = browser.new_page()
    page.set_content(f"<style>{CSS}</style><div id=chat>{answer_html(answer)}</div>")
    flagged = page.locator(".unsupported")
    expect(flagged).to_have_text("It was built by robots.")
    assert flagged.evaluate("node => getComputedStyle(node).textDecorationStyle") == "wavy"
    expect(page.locator(".unsupported-note")).to_be_visible()
    page.close()
