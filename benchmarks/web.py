"""Web benchmark: the real `assistant serve` answering `/ask` from `gradio_client`, one client
alone and then N clients at once, each with its own question.

    python benchmarks/web.py [--clients 20] [--rounds 3]

Prints a Markdown row for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gradio_client import Client  # noqa: E402

from assistant.web.app import CONCURRENCY  # noqa: E402
from tests.conftest import make_corpus  # noqa: E402
from tests.test_web_api import QUESTIONS  # noqa: E402
from tests.webserver import running_server  # noqa: E402


def ask(client: Client, question: str) -> float:
    started = time.perf_counter()
    client.predict(question=question, history=[], api_name="/ask")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    questions = [QUESTIONS[i % len(QUESTIONS)][0] for i in range(args.clients)]
    with tempfile.TemporaryDirectory() as folder, running_server(Path(folder), make_corpus(Path(folder) / "corpus")) as server:
        clients = [Client(server.url, verbose=False, analytics_enabled=False, download_files=False) for _ in questions]
        ask(clients[0], questions[0])  # warm-up
        alone = statistics.median(ask(clients[0], q) for q in questions)
        walls, latencies = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.clients) as pool:
                latencies += list(pool.map(ask, clients, questions))
            walls.append(time.perf_counter() - started)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs"
    print("| date | machine | one client, median /ask | clients | concurrency | wall time, median | per-answer latency, median / max |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {date.today()} | {machine} | {alone:.2f} s | {args.clients} | {CONCURRENCY} | "
        f"{statistics.median(walls):.1f} s | {statistics.median(latencies):.1f} s / {max(latencies):.1f} s |"
    )


if __name__ == "__main__":
    main()
