"""The article-body metric of the shared extraction benchmark.

Re-implemented from the description in the benchmark's README (no upstream
code): texts become ``\\w+`` tokens, tokens become overlapping 4-token
shingles compared as multisets, each page's TP/FP/FN are normalised to sum to
one so every page weighs the same, and the corpus scores are means over pages.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from newswatch.core.text import shingles, tokenize


@dataclass(frozen=True)
class PageScore:
    """Normalised shingle counts of one page (tp + fp + fn == 1 unless all are 0)."""

    tp: float
    fp: float
    fn: float
    exact: bool

    @property
    def has_output(self) -> bool:
        return self.tp + self.fp > 0

    @property
    def has_reference(self) -> bool:
        return self.tp + self.fn > 0

    @property
    def precision(self) -> float:
        # Neither FP nor FN means the page is perfect (both scores 1), even if empty.
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.has_output else 0.0

    @property
    def recall(self) -> float:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.has_reference else 0.0


def score_page(reference: str, prediction: str) -> PageScore:
    reference_tokens, predicted_tokens = tokenize(reference), tokenize(prediction)
    expected, produced = shingles(reference_tokens), shingles(predicted_tokens)
    tp = sum((expected & produced).values())
    fp = sum((produced - expected).values())
    fn = sum((expected - produced).values())
    total = tp + fp + fn
    if total:
        return PageScore(tp / total, fp / total, fn / total, reference_tokens == predicted_tokens)
    return PageScore(0.0, 0.0, 0.0, reference_tokens == predicted_tokens)


@dataclass(frozen=True)
class CorpusScore:
    precision: float
    recall: float
    f1: float
    accuracy: float
    pages: int
    pages_with_output: int


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def score_corpus(pages: Iterable[PageScore]) -> CorpusScore:
    """Precision over pages with output, recall over pages with a reference, F1 of the two means."""
    pages = list(pages)
    precision = _mean([page.precision for page in pages if page.has_output])
    recall = _mean([page.recall for page in pages if page.has_reference])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = _mean([1.0 if page.exact else 0.0 for page in pages])
    return CorpusScore(precision, recall, f1, accuracy, len(pages), sum(page.has_output for page in pages))
