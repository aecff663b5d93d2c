"""Benchmark: median milliseconds of quote extraction per 800-word article, on one core.

Articles are built from the development set's passages (shuffled, joined until
800 words), so the text has the density of quotes, names and reporting verbs
the extractor meets in news. The model is loaded and warmed up before timing.
The process is pinned to one core with one thread per numeric library. Both
wall time and the process's CPU time are printed: on a shared machine wall time
includes waiting for the core, CPU time is what one article costs a core; the
target is checked on CPU time.

Run: .venv/bin/python scripts/bench_quotes.py [--articles 30] [--words 800]
"""
from __future__ import annotations

import os

# One core: pin the numeric libraries' thread pools before they load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from newswatch.quotes.extraction import extract_quotes, get_nlp  # noqa: E402

DEV_SET = REPO_ROOT / "datasets" / "quotes-dev" / "quotes-dev.jsonl"
TARGET_MS = 150.0


def build_articles(count: int, words: int, seed: int = 7) -> list[str]:
    passages = [json.loads(line)["text"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)
    articles = []
    for _ in range(count):
        chosen, total = [], 0
        while total < words:
            passage = rng.choice(passages)
            chosen.append(passage)
            total += len(passage.split())
        article = " ".join("\n\n".join(chosen).split(" ")[:words])
        articles.append(article)
    return articles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--words", type=int, default=800)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    get_nlp()
    articles = build_articles(args.articles, args.words)
    extract_quotes(articles[0])  # warm-up: language detector and lazy tables
    wall, cpu, quote_counts = [], [], []
    for article in articles:
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        quotes = extract_quotes(article, language="en")
        wall.append((time.perf_counter() - start_wall) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        quote_counts.append(len(quotes))
    median_cpu = statistics.median(cpu)
    print(f"articles: {len(articles)} x {args.words} words, {statistics.mean(quote_counts):.1f} quotes each on average")
    print(f"{'ms per article':16} {'median':>8} {'p90':>8} {'max':>8}")
    for label, values in (("CPU time", sorted(cpu)), ("wall time", sorted(wall))):
        print(f"{label:16} {statistics.median(values):8.1f} {values[int(0.9 * (len(values) - 1))]:8.1f} {values[-1]:8.1f}")
    verdict = "ok" if median_cpu <= TARGET_MS else "ABOVE TARGET"
    print(f"target: median CPU time <= {TARGET_MS:.0f} ms on one core: {median_cpu:.1f} ms {verdict}")
    return 0 if median_cpu <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
