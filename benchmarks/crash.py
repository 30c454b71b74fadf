"""Crash matrix: `assistant ingest` killed with SIGKILL at seeded random moments, reports added,
edited and deleted between the runs; after the run that finishes, is the index what a clean
ingest of the disk writes, with no orphan and nothing deleted retrievable? Kills land at a
uniform random moment of a window as long as a full ingest (calibrated first, and narrowed
whenever a first ingest finishes inside it: the machine is shared and its speed varies).

    python benchmarks/crash.py [--seeds 20] [--kills 2] [--documents 30]

Prints one row per seed and a Markdown summary for BENCHMARKS.md (tests/crash_matrix.py
does the work; tests/test_crash.py runs a few of the same seeds).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.embeddings import make_embeddings  # noqa: E402
from ingest.settings import EmbeddingSettings  # noqa: E402
from tests.crash_matrix import calibrate, run_seed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--kills", type=int, default=2, help="ingests killed per seed before one finishes")
    parser.add_argument("--documents", type=int, default=30, help="reports on disk at the start")
    args = parser.parse_args()
    embeddings = make_embeddings(EmbeddingSettings())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crash-matrix-") as folder:
        root = Path(folder)
        write_seconds = calibrate(root, args.documents)
        print(f"a clean ingest of {args.documents} reports holds the lock {write_seconds:.1f} s", flush=True)
        outcomes = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            outcome = run_seed(seed, root, embeddings, write_seconds, kills=args.kills, documents=args.documents)
            outcomes.append(outcome)
            if outcome.full_run is not None:  # the machine got faster (it is shared): narrow the window
                write_seconds = outcome.full_run
            print(
                f"seed {seed:3d}: killed at {outcome.kills} s ({outcome.finished} finished first), changes "
                f"{' '.join(outcome.changes)}; {outcome.documents} documents, {outcome.passages} passages; "
                f"same as clean {outcome.same_as_clean}, orphans {outcome.orphans}, deleted retrievable "
                f"{outcome.retrievable}, check {'ok' if outcome.check_ok else 'FAILED'} | {outcome.recovery}",
                flush=True,
            )
    kills = sum(len(o.kills) for o in outcomes)
    print(
        f"\n| seeds | SIGKILLs landed | finished before the kill | same ids/texts/records/catalog as a clean ingest "
        f"| orphans | deleted passages retrievable | `check` consistent | minutes |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {len(outcomes)} | {kills} | {sum(o.finished for o in outcomes)} | "
        f"{sum(o.same_as_clean for o in outcomes)}/{len(outcomes)} | {sum(o.orphans for o in outcomes)} | "
        f"{sum(o.retrievable for o in outcomes)} | {sum(o.check_ok for o in outcomes)}/{len(outcomes)} | "
        f"{(time.perf_counter() - started) / 60:.1f} |"
    )


if __name__ == "__main__":
    main()
