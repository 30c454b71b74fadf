"""The `assistant` command: ingest, ask, serve. A client of `Assistant` and nothing else."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from typing import TYPE_CHECKING

from assistant.answer import Answer, Response, page_label
from assistant.settings import Settings
from ingest.errors import AssistantError

if TYPE_CHECKING:  # loaded only by the commands that need it: `ask` may find a server instead
    from assistant.core import Assistant

_QUIET_LOGGERS = ("pypdf", "chromadb", "httpx", "sentence_transformers", "transformers", "urllib3")


def main(argv: Sequence[str] | None = None, assistant: Assistant | None = None) -> int:
    """Entry point of the console script; returns the exit code.

    `assistant` replaces the one the command line would configure (tests run the CLI in-process).
    """
    args = _parser().parse_args(argv)
    _configure_logging(args.verbose)
    try:
        if assistant is None:
            settings = _settings(args)
            if args.run is _ask and not args.local and _ask_server(settings, args):
                return 0
            from assistant.core import Assistant

            assistant = Assistant(settings)
        return args.run(assistant, args)
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `assistant ask ... | head`
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Answers questions from your documents, citing them.")
    parser.add_argument("--data-dir", type=Path, help="index folder (default: .assistant, or ASSISTANT_DATA_DIR)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logs")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="index files or folders (PDF, Office, e-books, mail, images, text; see README)")
    ingest.add_argument("paths", nargs="*", default=["docs"], help="files or folders (default: docs)")
    ingest.add_argument("--prune", action="store_true", help="also remove indexed documents not found under PATHS")
    ingest.add_argument("--rebuild", action="store_true", help="empty the index first (after changing the model)")
    ingest.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(run=_ingest)

    ask = commands.add_parser("ask", help="answer a question from the indexed documents")
    ask.add_argument("question", help="the question, quoted")
    ask.add_argument("--json", action="store_true", help="print the Answer as JSON")
    ask.add_argument("-k", type=int, help="passages to retrieve")
    ask.add_argument("--answerer", choices=["extractive", "llamacpp", "openai"], help="who writes the answer")
    ask.add_argument(
        "--doc", action="append", metavar="DOC",
        help="ask within this document, repeatable: a file name or path, a document id, a folder ending in /, "
        "or FIELD:VALUE (source:The Verge, published:2024-10)",
    )
    ask.add_argument(
        "--local", action="store_true",
        help="answer in this process even when `assistant serve` is running on the configured port over the same index",
    )
    ask.set_defaults(run=_ask)

    evaluate = commands.add_parser("eval", help="score the assistant on a question set; writes a report with plots")
    evaluate.add_argument("questions", type=Path, help="question set (.jsonl, see ../shared/evalsets/README.md)")
    evaluate.add_argument("--corpus", type=Path, help="ingest this folder into an index of its own first")
    evaluate.add_argument("--limit", type=int, help="only the first N questions")
    evaluate.add_argument("--split", help="only the questions of this split (e.g. dev, check)")
    evaluate.add_argument("--answerer", help="answerer to use (default: the configured one)")
    evaluate.add_argument("--out", type=Path, help="report folder (default: out/eval/<set>)")
    evaluate.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    evaluate.set_defaults(run=_eval)

    serve = commands.add_parser("serve", help="start the web chat, with an OpenAI-compatible API at /v1")
    serve.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 7860)")
    serve.add_argument("--auth", metavar="USER:PASSWORD", help="require this login (visible in `ps`: prefer --auth-file)")
    serve.add_argument("--auth-file", type=Path, metavar="PATH", help="require the USER:PASSWORD login on this file's first line")
    serve.add_argument("--api-key", metavar="KEY", help="require Authorization: Bearer KEY on the OpenAI-compatible API (/v1)")
    serve.set_defaults(run=_serve)

    mcp = commands.add_parser("mcp", help="serve the documents to MCP clients (stdio, or --http PORT)")
    mcp.add_argument("--http", type=int, metavar="PORT", help="streamable HTTP on 127.0.0.1:PORT/mcp instead of stdio")
    mcp.add_argument("--api-key", metavar="KEY", help="with --http: require Authorization: Bearer KEY")
    mcp.set_defaults(run=_mcp)

    check = commands.add_parser("check", help="verify that the index holds exactly what it lists (--repair fixes it)")
    check.add_argument("--repair", action="store_true", help="remove orphan passages, stray records and damaged documents")
    check.set_defaults(run=_check)
    return parser


_OPTIONS = {  # command-line option -> the setting it overrides
    "data_dir": "data_dir", "k": "retrieval.k", "answerer": "answer.answerer",
    "host": "web.host", "port": "web.port", "auth": "web.auth", "auth_file": "web.auth_file", "api_key": "web.api_key",
}


def _settings(args: argparse.Namespace) -> Settings:
    """The environment's settings with the command line's options on top."""
    return Settings().updated({setting: getattr(args, option, None) for option, setting in _OPTIONS.items()})


def _ingest(assistant: Assistant, args: argparse.Namespace) -> int:
    summary = assistant.ingest(args.paths, prune=args.prune, rebuild=args.rebuild, progress=not args.quiet)
    print(summary)
    return 0


def _ask(assistant: Assistant, args: argparse.Namespace) -> int:
    options = {"documents": args.doc, "answerer": args.answerer, "k": args.k}
    if args.json:
        print(assistant.ask(args.question, **options).model_dump_json(indent=2))
        return 0
    _print_answer(assistant.stream(args.question, **options))
    return 0


def _ask_server(settings: Settings, args: argparse.Namespace) -> bool:
    """Ask a running `assistant serve` over the same index, if there is one (it has the models
    loaded: no start-up wait); False to answer in this process."""
    from assistant.remote import ask_server, running_server

    url = running_server(settings)
    if url is None:
        return False
    logging.getLogger("assistant").info("Asking the server at %s (--local answers in this process).", url)
    response = ask_server(url, settings, args.question, documents=args.doc, answerer=args.answerer, k=args.k)
    if args.json:
        print(response.answer().model_dump_json(indent=2))
    else:
        _print_answer(response)
    return True


def _print_answer(response: Response) -> None:
    for piece in response:
        print(piece, end="", flush=True)
    print()
    answer = response.answer()
    if response.revised:  # the citation check changed what was streamed
        print(f"Checked answer: {answer.text}")
    print(format_sources(answer))


def format_sources(answer: Answer) -> str:
    """The numbered sources of an answer, each with title, file, span and quote; then the
    sentences the citation check could not find in their passages."""
    lines = ["", f"Asked within {answer.scope}."] if answer.scope is not None else []
    lines += ["", "Sources:"] if answer.citations else []
    for citation in answer.citations:
        where = ", ".join(filter(None, [citation.source, page_label(citation.page, citation.page_end)]))
        lines.append(f"[{citation.number}] {citation.title} ({where}, characters {citation.start}-{citation.end})")
        lines.append(f"    “{citation.quote}”")
    flagged = [sentence for sentence in answer.sentences if not sentence.supported]
    if flagged:
        lines += ["", "Not found in the cited passages (check before relying on it):"]
        lines += [f"  ⚠ {sentence.text}" for sentence in flagged]
    if answer.set_aside:
        lines += ["", "Set aside, not the answer:"]
        lines += [f"  ✗ {sentence.text} ({sentence.reason})" for sentence in answer.set_aside]
    return "\n".join(lines)


def _eval(assistant: Assistant, args: argparse.Namespace) -> int:
    from assistant.evaluation import evaluate, summary_lines, write_report

    out = args.out or Path("out") / "eval" / (args.questions.resolve().parent.name or "questions")
    run = evaluate(
        args.questions,
        settings=assistant.settings,
        corpus=args.corpus,
        limit=args.limit,
        split=args.split,
        answerer=args.answerer,
        progress=not args.quiet,
    )
    report = write_report(run, out)
    print("\n".join(summary_lines(run)))
    print(f"report: {report}")
    return 0


def _serve(assistant: Assistant, args: argparse.Namespace) -> int:
    from assistant.web import serve

    if args.auth:
        logging.getLogger("assistant").warning(
            "A password given with --auth is visible to every user of this machine (`ps`): "
            "put USER:PASSWORD in a file only you can read and pass --auth-file, or set ASSISTANT_WEB__AUTH."
        )
    serve(assistant)
    return 0


def _check(assistant: Assistant, args: argparse.Namespace) -> int:
    found = assistant.check(repair=args.repair)
    print(found)
    if not args.repair:
        return 0 if found.ok else 1
    after = assistant.check()
    if not found.ok:
        print(f"after the repair: {'consistent' if after.ok else 'still inconsistent'}")
    return 0 if after.ok else 1


def _mcp(assistant: Assistant, args: argparse.Namespace) -> int:
    from assistant.api.mcp import serve_http, serve_stdio

    if args.http is None:
        serve_stdio(assistant)
    else:
        serve_http(assistant, args.http)
    return 0


def _configure_logging(verbose: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)  # also for libraries that set their own logger to DEBUG when imported (bm25s)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.ERROR)


if __name__ == "__main__":
    sys.exit(main())
