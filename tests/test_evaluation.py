"""`assistant eval` end to end: the seed set on docs/, a small MultiHop-style set, bad lines."""

from __future__ import annotations

import json

import pytest

from assistant import Answer, Citation, ConfigError, Passage, Sentence
from assistant.evaluation import evaluate, load_questions, write_report
from assistant import QuestionSetError
from assistant.evaluation.runner import support_judgements
from tests.conftest import DATA, ROOT, SEED_QUESTIONS
from tests.test_cli import run

MULTIHOP = DATA / "multihop"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow  # 35 asks in a CLI subprocess; the answers' quality is benchmarks/answerers.py's
def test_seed_set_through_the_command(tmp_path):
    out = tmp_path / "report"
    args = ("eval", str(SEED_QUESTIONS), "--corpus", "docs", "--out", str(out), "-q")
    result = run(*args, data_dir=tmp_path / "data", timeout=1800)  # 35 asks: minutes on a busy 2-core box
    assert result.returncode == 0, result.stderr
    assert "report: " in result.stdout and "accuracy" in result.stdout
    for name in ("results.jsonl", "report.json", "report.md", "accuracy_by_type.png", "latency.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "latency.png").read_bytes().startswith(PNG)
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(results) == 31 and all("scores" in r for r in results)
    report = json.loads((out / "report.json").read_text())
    overall, by_type = report["summary"]["all"], report["summary"]
    assert report["ingest_seconds"] > 0 and not report["ingest_reused"]
    for name in ("accuracy", "lenient_accuracy", "doc_recall@10", "citation_recall", "abstention_recall"):
        assert 0.0 <= overall[name] <= 1.0, name
    assert overall["doc_recall@10"] == 1.0  # one document: retrieval cannot miss it
    assert overall["citation_precision"] == 1.0  # quotes are verbatim, so the check passes them
    assert by_type["follow-up"]["questions"] == 4
    assert 0 < overall["latency_p50_s"] <= overall["latency_p95_s"]
    markdown = (out / "report.md").read_text()
    assert "![accuracy_by_type.png](accuracy_by_type.png)" in markdown and "check_support" in markdown
    assert "| unanswerable-offtopic |" in markdown


def test_multihop_style_set_scores_retrieval_and_reuses_its_index(settings, embeddings, tmp_path):
    first = evaluate(MULTIHOP / "questions.jsonl", settings=settings, corpus=MULTIHOP / "corpus", embeddings=embeddings)
    overall = first.summary["all"]
    assert overall["with_evidence"] == 2 and overall["unanswerable"] == 1
    assert overall["hits@10"] == 1.0 and 0 < overall["mrr@10"] <= 1 and 0 < overall["map@10"] <= 1
    assert overall["doc_recall@10"] == 1.0
    assert first.summary["null_query"]["hits@10"] is None  # null questions carry no evidence
    assert first.ingest_seconds > 0 and not first.ingest_reused
    assert [r["retrieved"][0]["doc"] for r in first.records][1] == "mh-003"

    again = evaluate(MULTIHOP / "questions.jsonl", settings=settings, corpus=MULTIHOP / "corpus", embeddings=embeddings, limit=1)
    assert again.ingest_reused and again.ingest_seconds == 0.0 and len(again.records) == 1
    assert "nothing was embedded" in (write_report(again, tmp_path / "out")).read_text()


def test_bad_lines_are_reported_by_number_and_the_good_ones_run(seeded, tmp_path):
    lines = (SEED_QUESTIONS.read_text().splitlines())[:2]
    bad = [
        "{not json",
        json.dumps({"id": "x", "question": "Where?", "answerable": True}),  # answerable without answers
        json.dumps({"id": "seed-01", "question": "Again?", "answers": ["a"], "answerable": True}),  # duplicate id
        "[1, 2]",
        json.dumps({"id": "y", "answers": [], "answerable": False}),  # no question
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join([lines[0], *bad, "", lines[1]]) + "\n")
    question_set = load_questions(path)
    assert [b.line for b in question_set.bad_lines] == [2, 3, 4, 5, 6]
    assert "duplicate id" in question_set.bad_lines[2].reason and "question" in question_set.bad_lines[4].reason

    result = evaluate(path, settings=seeded.settings, embeddings=seeded.embeddings)
    assert [r["id"] for r in result.records] == ["seed-01", "seed-02"]
    assert result.summary["all"]["accuracy"] == 1.0
    markdown = write_report(result, tmp_path / "out").read_text()
    assert "line 2: not JSON" in markdown and "line 6: question: Field required" in markdown


def test_unreadable_sets_and_unknown_answerers_fail_with_a_message(tmp_path, settings):
    with pytest.raises(QuestionSetError, match="Cannot read"):
        load_questions(tmp_path / "missing.jsonl")
    (tmp_path / "empty.jsonl").write_text("oops\n")
    with pytest.raises(QuestionSetError, match="no valid question"):
        load_questions(tmp_path / "empty.jsonl")
    with pytest.raises(ConfigError, match="ASSISTANT_ANSWER__ANSWERER: Input should be 'extractive'"):
        evaluate(SEED_QUESTIONS, settings=settings, answerer="nope")


def test_retrieve_ranks_the_passages_ask_searches(seeded):
    passages = seeded.retrieve("How many countries voted for the European resolution?", k=4)
    assert [p.number for p in passages] == [1, 2, 3, 4]
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    history = [{"role": "user", "content": "Which French president visited Donald Trump at the White House?"}]
    answer = seeded.ask("Who is meeting him next?", history=history)
    follow_up = seeded.retrieve(answer.query, k=len(answer.passages))
    assert {(p.doc_id, p.start) for p in follow_up} == {(p.doc_id, p.start) for p in answer.passages}


def test_support_judgements_use_the_assistants_check(embeddings):
    source = (ROOT / "docs" / "us-un-ukraine-resolutions.txt").read_text()
    start = source.index("Despite an overwhelming")
    passage = Passage(number=1, text=source[start : start + 400], doc_id="d", title="t", source="s", start=start, end=start + 400, score=1.0)
    said = [
        ("Despite an overwhelming majority supporting the European resolution with 93 votes in favor, "
         "the US was one of the countries voting against it.", 1),
        ("Bananas grow best in warm humid valleys.", 1),
        ("The resolution passed.", 7),
    ]
    cite = lambda n: Citation(number=n, doc_id="d", title="t", source="s", quote="", start=0, end=0)  # noqa: E731
    answer = Answer(question="q", sentences=[Sentence(text=t, citations=[cite(n)]) for t, n in said], passages=[passage])
    assert support_judgements(answer, embeddings) == [[True], [False], [False]]
    assert support_judgements(answer.model_copy(update={"abstained": True}), embeddings) == []



@pytest.mark.slow  # a CLI subprocess
def test_evaluation_api_is_pinned_and_the_command_refuses_unknown_answerers(tmp_path):
    import assistant.evaluation

    assert sorted(assistant.evaluation.__all__) == [
        "BadLine", "EvalRun", "Question", "QuestionSet", "evaluate", "load_questions", "summary_lines", "write_report",
    ]
    result = run("eval", str(SEED_QUESTIONS), "--answerer", "nope", "-q", data_dir=tmp_path / "data")
    assert result.returncode == 1 and "ASSISTANT_ANSWER__ANSWERER: Input should be" in result.stderr


def test_a_yes_no_answer_is_judged_by_its_verdict_not_by_words_in_its_quotes():
    from assistant.evaluation.questions import Question
    from assistant.evaluation.scoring import score_question

    cite = Citation(number=1, doc_id="d", title="t", source="s", quote="No one disputed it.", start=0, end=19)
    answer = Answer(question="q", sentences=[Sentence(text="Yes.", citations=[cite]), Sentence(text=cite.quote, citations=[cite])])
    asked = Question(id="1", question="Did anyone dispute it?", answers=["no"], answerable=True)
    assert score_question(asked, answer, [], [], [4])["accuracy"] is False  # "No one" in the quote is not the verdict
    assert score_question(asked.model_copy(update={"answers": ["Yes"]}), answer, [], [], [4])["accuracy"] is True


def test_a_question_may_name_the_documents_to_ask_within(seeded, tmp_path):
    path = tmp_path / "questions.jsonl"
    asked = {"question": "How many countries voted for the European resolution?", "answers": ["93"], "answerable": True}
    path.write_text(
        json.dumps({"id": "within", **asked, "documents": ["us-un-ukraine-resolutions.txt"]}) + "\n"
        + json.dumps({"id": "elsewhere", **asked, "documents": ["lakeside-solar.txt"]}) + "\n"
    )
    result = evaluate(path, settings=seeded.settings, embeddings=seeded.embeddings)
    within, elsewhere = result.records
    assert within["documents"] == ["us-un-ukraine-resolutions.txt"] and len(within["scope"]) == 1
    assert "93" in within["answer"]
    assert {c["doc"] for c in elsewhere["citations"]} <= {"lakeside-solar.txt"}
