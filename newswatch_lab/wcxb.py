"""The WCXB development pages (711 real article pages): body and metadata, beside trafilatura.

The dataset's README defines the body score: bags of lowercased ``\\w+`` tokens, per page
precision, recall and F1 with clipped counts, then the mean over pages; a page that fails
or returns nothing scores 0. Metadata, over the pages whose ground truth has the field:

- title: exact match after normalisation (case, typographic quotes and dashes, spacing);
- authors: every author named in the ground truth is among the extracted names;
- date: the same calendar day.

Each run scores the project's extractor and trafilatura's plain extraction (body and
metadata) on the same pages, so the two rows always compare.
"""
from __future__ import annotations

import gzip
import json
import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

_TOKEN = re.compile(r"\w+")
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b|\|)\s*", re.IGNORECASE)
_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "})


@dataclass(frozen=True)
class WcxbPage:
    page_id: str
    url: str | None
    html: str
    body: str
    title: str | None
    author: str | None
    published: str | None


@dataclass(frozen=True)
class Extraction:
    text: str
    title: str | None
    authors: list[str]
    published: date | None


@dataclass
class WcxbRun:
    name: str
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    title: list[bool] = field(default_factory=list)
    author: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    failed: int = 0

    def row(self) -> dict:
        mean = lambda values: round(statistics.fmean(values), 4) if values else None  # noqa: E731
        return {
            "extractor": self.name, "pages": len(self.f1), "precision": mean(self.precision), "recall": mean(self.recall),
            "f1": mean(self.f1), "title": mean(self.title), "author": mean(self.author), "date": mean(self.date),
            "docs_per_cpu_second": round(1.0 / statistics.median(self.cpu_seconds), 1) if self.cpu_seconds else None,
            "failed": self.failed,
        }


def load_wcxb(directory: Path, limit: int | None = None) -> list[WcxbPage]:
    truth_dir, html_dir = directory / "ground-truth", directory / "html"
    if not truth_dir.is_dir():
        raise FileNotFoundError(f"no ground-truth/ in {directory}: not the WCXB pages")
    pages = []
    for path in sorted(truth_dir.glob("*.json"))[:limit]:
        record = json.loads(path.read_text(encoding="utf-8"))
        truth = record["ground_truth"]
        html = gzip.decompress((html_dir / f"{path.stem}.html.gz").read_bytes()).decode("utf-8", errors="replace")
        pages.append(WcxbPage(path.stem, record.get("url"), html, truth.get("main_content") or "", truth.get("title"), truth.get("author"), truth.get("publish_date")))
    return pages


def bag_scores(reference: str, text: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of lowercased word bags with clipped counts."""
    gold, found = Counter(_TOKEN.findall(reference.lower())), Counter(_TOKEN.findall(text.lower()))
    if not gold or not found:
        return 0.0, 0.0, 0.0
    overlap = sum((gold & found).values())
    precision, recall = overlap / sum(found.values()), overlap / sum(gold.values())
    return precision, recall, (2 * precision * recall / (precision + recall) if overlap else 0.0)


def normalise_text(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).translate(_TYPOGRAPHY).casefold()
    return " ".join(value.split()).strip(" .:|-")


def author_names(value: str | None) -> set[str]:
    return {normalise_text(name) for name in _AUTHOR_SEPARATORS.split(value or "") if normalise_text(name)}


def same_day(gold: str, found: date | None) -> bool:
    try:
        return found is not None and date.fromisoformat(gold[:10]) == found
    except ValueError:
        return False


def score(run: WcxbRun, page: WcxbPage, found: Extraction) -> None:
    precision, recall, f1 = bag_scores(page.body, found.text)
    run.precision.append(precision)
    run.recall.append(recall)
    run.f1.append(f1)
    if page.title:
        run.title.append(bool(found.title) and normalise_text(found.title) == normalise_text(page.title))
    if author_names(page.author):
        extracted = set().union(*(author_names(a) for a in found.authors)) if found.authors else set()
        run.author.append(author_names(page.author) <= extracted)
    if page.published:
        run.date.append(same_day(page.published, found.published))


def run_extractor(name: str, extract: Callable[[str, str | None], Extraction], pages: list[WcxbPage]) -> WcxbRun:
    run = WcxbRun(name)
    for page in pages:
        started = time.process_time()
        try:
            found = extract(page.html, page.url)
        except Exception:  # noqa: BLE001 - a page that fails scores 0, the run goes on
            found = Extraction("", None, [], None)
            run.failed += 1
        run.cpu_seconds.append(time.process_time() - started)
        score(run, page, found)
    return run


def project_extraction(html: str, url: str | None) -> Extraction:
    from extractors.article import extract_article

    article = extract_article(html, url)
    return Extraction(article.text, article.title, list(article.authors), article.published_at.date() if article.published_at else None)


def trafilatura_extraction(html: str, url: str | None) -> Extraction:
    """trafilatura's plain extraction with its metadata: the reference row."""
    import trafilatura

    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, as_dict=False)
    if document is None:
        return Extraction("", None, [], None)
    published = None
    if document.date:
        try:
            published = date.fromisoformat(document.date[:10])
        except ValueError:
            published = None
    authors = [document.author] if document.author else []
    return Extraction(document.text or "", document.title, authors, published)


def _cell(value: float | None, width: int) -> str:
    return f"{'-' if value is None else f'{value:.3f}':>{width}}"


def format_table(rows: list[dict], pages: int, directory: Path) -> str:
    lines = [
        f"WCXB dev article pages: {pages} from {directory} (body: word-bag P/R/F1 with clipped counts, mean over pages)",
        f"{'extractor':<12} {'P':>6} {'R':>6} {'F1':>6} {'title':>6} {'author':>7} {'date':>6} {'docs/s CPU':>11} {'failed':>7}",
    ]
    for row in rows:
        lines.append(
            f"{row['extractor']:<12} {_cell(row['precision'], 6)} {_cell(row['recall'], 6)} {_cell(row['f1'], 6)} "
            f"{_cell(row['title'], 6)} {_cell(row['author'], 7)} {_cell(row['date'], 6)} {row['docs_per_cpu_second']:>11} {row['failed']:>7}"
        )
    return "\n".join(lines)
