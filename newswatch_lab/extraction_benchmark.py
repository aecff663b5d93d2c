"""Running the shared article-extraction benchmark (Scrapinghub/Zyte, 181 pages).

Scores the body text of any extractor ``(html, url) -> text`` with
:mod:`newswatch_lab.extraction_metric` and times it page by page. Speed is the
median over pages of the time one page takes, turned into documents per
second. The headline figure uses the process's CPU time, which is what "on
one core" means and stays stable when other jobs share the machine; the
wall-clock figure is printed next to it.
"""
from __future__ import annotations

import gzip
import json
import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newswatch_lab.extraction_metric import CorpusScore, score_corpus, score_page
from newswatch_lab.shared import shared_datasets_dir

log = logging.getLogger(__name__)

DEFAULT_DATASET = shared_datasets_dir() / "article-extraction-benchmark"

BodyExtractor = Callable[[str, str | None], str]


@dataclass(frozen=True)
class BenchmarkPage:
    page_id: str
    url: str | None
    html: str
    reference: str


@dataclass(frozen=True)
class BenchmarkRun:
    score: CorpusScore
    wall_seconds: list[float]
    cpu_seconds: list[float]
    failed_pages: list[str]

    @property
    def wall_docs_per_second(self) -> float:
        return 1.0 / statistics.median(self.wall_seconds)

    @property
    def cpu_docs_per_second(self) -> float:
        return 1.0 / statistics.median(self.cpu_seconds)


def load_benchmark(directory: Path, limit: int | None = None) -> list[BenchmarkPage]:
    """Pages and reference bodies, in ground-truth order (first ``limit`` only if given)."""
    truth_path = directory / "ground-truth.json"
    if not truth_path.is_file():
        raise FileNotFoundError(f"no ground-truth.json in {directory}: not the article-extraction benchmark")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    pages = []
    for page_id, item in list(truth.items())[:limit]:
        html = gzip.decompress((directory / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
        pages.append(BenchmarkPage(page_id, item.get("url"), html, item.get("articleBody", "")))
    return pages


def run_benchmark(pages: list[BenchmarkPage], extractor: BodyExtractor) -> BenchmarkRun:
    """Score and time ``extractor`` on every page; a page it fails on counts as empty output."""
    if not pages:
        raise ValueError("no benchmark pages to run")
    page_scores, wall, cpu, failed = [], [], [], []
    for page in pages:
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        try:
            text = extractor(page.html, page.url)
        except Exception as exc:  # noqa: BLE001 - one bad page must not end the run
            log.warning("page %s failed: %s: %s", page.page_id, type(exc).__name__, exc)
            text = ""
            failed.append(page.page_id)
        cpu.append(time.process_time() - cpu_start)
        wall.append(time.perf_counter() - wall_start)
        page_scores.append(score_page(page.reference, text))
    return BenchmarkRun(score_corpus(page_scores), wall, cpu, failed)


EXTRACTOR_NAMES = ("article", "trafilatura", "readability", "newspaper4k")


def get_extractor(name: str) -> BodyExtractor:
    """The body extractor called ``name``: 'article' is the project's, the others one library alone.

    Imports happen here, not at module level, so that building the command
    line parser does not load the extraction libraries.
    """
    from extractors.article import ExtractionError, extract_article
    from extractors.body import newspaper_text, readability_text, trafilatura_text

    def article_body(html: str, url: str | None) -> str:
        # The whole extract_article (metadata and language too): the speed that
        # counts is the one of the function the pipeline calls.
        try:
            return extract_article(html, url).text
        except ExtractionError:
            return ""

    def trafilatura_body(html: str, url: str | None) -> str:
        return trafilatura_text(html, url, fast=False)  # trafilatura's defaults, comments excluded

    extractors: dict[str, BodyExtractor] = {
        "article": article_body,
        "trafilatura": trafilatura_body,
        "readability": readability_text,
        "newspaper4k": newspaper_text,
    }
    if name not in extractors:
        raise ValueError(f"unknown extractor {name!r}; choose from {', '.join(EXTRACTOR_NAMES)}")
    return extractors[name]


def format_report(run: BenchmarkRun, extractor_name: str, dataset: Path) -> str:
    score = run.score
    wall_ms = statistics.median(run.wall_seconds) * 1000
    cpu_ms = statistics.median(run.cpu_seconds) * 1000
    return "\n".join([
        f"article extraction benchmark: {score.pages} pages from {dataset}, extractor '{extractor_name}'",
        f"precision     {score.precision:.4f}",
        f"recall        {score.recall:.4f}",
        f"f1            {score.f1:.4f}",
        f"accuracy      {score.accuracy:.4f}",
        f"docs/s        {run.cpu_docs_per_second:.1f}  (one core: median CPU time per page {cpu_ms:.1f} ms)",
        f"docs/s (wall) {run.wall_docs_per_second:.1f}  (median wall-clock time per page {wall_ms:.1f} ms, "
        "includes waiting for a busy CPU)",
        f"pages without text: {score.pages - score.pages_with_output}; pages that raised: {len(run.failed_pages)}",
    ])
