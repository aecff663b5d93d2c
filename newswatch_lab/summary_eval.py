"""ROUGE evaluation of summaries on the shared CNN/DailyMail dev set.

Metric as the dataset README fixes it: rouge-score ROUGE-1, ROUGE-2 and
ROUGE-Lsum F1 (x100) with the Porter stemmer on, averaged over articles, with
summary and reference sentences joined by newlines for ROUGE-Lsum. The
articles are lowercased and PTB-tokenized; they are given to the summariser
as they are (``tokenized=True``), and its sentences come back in that same
form, so ROUGE compares tokenized text with tokenized text.
"""
from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from rouge_score import rouge_scorer

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")


@dataclass(frozen=True)
class ReferenceArticle:
    id: str
    article: str
    highlights: list[str]


def dataset_file(dataset: Path) -> Path:
    dataset = Path(dataset)
    return dataset / "dev.jsonl" if dataset.is_dir() else dataset


def load_reference_articles(dataset: Path, limit: int | None = None) -> list[ReferenceArticle]:
    path = dataset_file(dataset)
    if not path.exists():
        raise FileNotFoundError(f"no summarization dataset at {path}")
    articles = []
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                articles.append(ReferenceArticle(id=str(row["id"]), article=row["article"], highlights=list(row["highlights"])))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{line_number}: not a summarization record ({exc})") from exc
            if limit is not None and len(articles) >= limit:
                break
    return articles


class RougeScorer:
    def __init__(self) -> None:
        self._scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)

    def score(self, reference_sentences: list[str], summary_sentences: list[str]) -> tuple[float, float, float]:
        """F1 x100 for ROUGE-1, ROUGE-2, ROUGE-Lsum."""
        scores = self._scorer.score("\n".join(reference_sentences), "\n".join(summary_sentences))
        return tuple(100.0 * scores[name].fmeasure for name in ROUGE_TYPES)  # type: ignore[return-value]


@dataclass(frozen=True)
class SummaryReport:
    articles: int
    rouge1: float
    rouge2: float
    rouge_lsum: float
    median_ms: float
    median_cpu_ms: float
    median_words: float

    def table(self) -> str:
        rows = [
            ("articles", f"{self.articles}"),
            ("ROUGE-1 F1", f"{self.rouge1:.2f}"),
            ("ROUGE-2 F1", f"{self.rouge2:.2f}"),
            ("ROUGE-Lsum F1", f"{self.rouge_lsum:.2f}"),
            ("median words per summary", f"{self.median_words:.0f}"),
            ("median ms per article (wall)", f"{self.median_ms:.1f}"),
            ("median ms per article (CPU)", f"{self.median_cpu_ms:.1f}"),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def evaluate_summaries(
    articles: Iterable[ReferenceArticle], summarize_sentences: Callable[[str], list[str]]
) -> SummaryReport:
    """Run ``summarize_sentences`` (tokenized article -> summary sentences) over the set and score it."""
    scorer = RougeScorer()
    totals = [0.0, 0.0, 0.0]
    wall_ms: list[float] = []
    cpu_ms: list[float] = []
    words: list[int] = []
    count = 0
    for article in articles:
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        sentences = summarize_sentences(article.article)
        cpu_ms.append(1000 * (time.process_time() - cpu_start))
        wall_ms.append(1000 * (time.perf_counter() - wall_start))
        for index, value in enumerate(scorer.score(article.highlights, sentences)):
            totals[index] += value
        words.append(sum(len(s.split()) for s in sentences))
        count += 1
    if not count:
        raise ValueError("no articles to evaluate")
    return SummaryReport(
        articles=count,
        rouge1=totals[0] / count,
        rouge2=totals[1] / count,
        rouge_lsum=totals[2] / count,
        median_ms=statistics.median(wall_ms),
        median_cpu_ms=statistics.median(cpu_ms),
        median_words=statistics.median(words),
    )
