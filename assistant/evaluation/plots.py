"""The report's PNG plots (matplotlib, drawn off-screen)."""

from __future__ import annotations

from pathlib import Path

from assistant.evaluation.metrics import percentile

BARS = [("accuracy", "accuracy"), ("lenient_accuracy", "lenient accuracy"), ("abstention_recall", "abstention recall")]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def accuracy_by_type(summary: dict, path: Path) -> str:
    """Grouped bars per question type: accuracy, lenient accuracy, abstention recall; returns the file name."""
    plt = _pyplot()
    types = list(summary)
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(types) + 2), 4))
    width = 0.8 / len(BARS)
    for offset, (key, label) in enumerate(BARS):
        xs = [i + (offset - 1) * width for i, name in enumerate(types) if summary[name].get(key) is not None]
        ys = [summary[name][key] for name in types if summary[name].get(key) is not None]
        bars = ax.bar(xs, ys, width, label=label)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(range(len(types)), [f"{name}\n(n={summary[name]['questions']})" for name in types], fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("share of questions")
    ax.set_title("Answers by question type")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def latency_distribution(latencies: list[float], path: Path) -> str:
    """Histogram of seconds per question with p50 and p95 marked; returns the file name."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if latencies:
        ax.hist(latencies, bins=min(40, max(5, len(latencies) // 5)), color="#4c72b0")
        for share, style in ((0.5, "-"), (0.95, "--")):
            value = percentile(latencies, share)
            ax.axvline(value, color="black", linestyle=style, label=f"p{int(share * 100)} {value:.2f} s")
        ax.legend(fontsize=8)
    ax.set_xlabel("seconds per question (Assistant.ask)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name
