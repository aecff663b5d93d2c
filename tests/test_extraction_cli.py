"""`newswatch extract` and `newswatch eval extraction`, plus the benchmark runner."""
from __future__ import annotations

import gzip
import json

import pytest
from conftest import shared_dataset
from extraction_pages import ENGLISH_PARAGRAPHS, FULL_HEAD, PAGE_URL, make_page

from newswatch.cli import main
from newswatch_lab.extraction_benchmark import (
    get_extractor,
    load_benchmark,
    run_benchmark,
)

BENCHMARK = "article-extraction-benchmark"


def test_extract_prints_the_article_as_json(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text(make_page(head=FULL_HEAD), encoding="utf-8")
    assert main(["extract", str(page), "--url", PAGE_URL]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["url"] == PAGE_URL
    assert printed["canonical_url"] == "https://news.example.org/culture/2026/label-opt-out"
    assert printed["title"] == "Musicians push back on training clause"
    assert printed["authors"] == ["Ana Ruiz", "Tom Berg"]
    assert printed["published_at"] == "2026-02-17T09:30:00+01:00"
    assert printed["language"] == "en"
    assert printed["site_name"] == "Example News"
    assert ENGLISH_PARAGRAPHS[0] in printed["text"]


def test_extract_reads_gzip_and_non_utf8_pages(tmp_path, capsys):
    page = tmp_path / "page.html.gz"
    html = make_page(paragraphs=[p.replace("musicians", "músicos") for p in ENGLISH_PARAGRAPHS])
    page.write_bytes(gzip.compress(html.replace('charset="utf-8"', 'charset="iso-8859-1"').encode("iso-8859-1")))
    assert main(["extract", str(page)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert "músicos" in printed["text"]
    assert printed["url"] is None and printed["canonical_url"] is None


def test_extract_reports_a_page_without_article_text(tmp_path, capsys):
    page = tmp_path / "menu.html"
    page.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    assert main(["extract", str(page)]) == 1
    assert "no article text" in capsys.readouterr().err


def test_extract_reports_a_missing_file(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "absent.html")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_eval_reports_a_folder_that_is_not_the_benchmark(tmp_path, capsys):
    assert main(["eval", "extraction", "--dataset", str(tmp_path)]) == 2
    assert "ground-truth.json" in capsys.readouterr().err


def test_a_page_that_crashes_the_extractor_is_scored_empty_and_the_run_goes_on():
    from newswatch_lab.extraction_benchmark import BenchmarkPage

    pages = [BenchmarkPage("ok", None, "<p>x</p>", "one two three four"), BenchmarkPage("bad", None, "", "five six seven eight")]

    def flaky(html, url):
        if not html:
            raise RuntimeError("boom")
        return "one two three four"

    run = run_benchmark(pages, flaky)
    assert run.failed_pages == ["bad"]
    assert run.score.precision == 1.0 and run.score.recall == 0.5
    assert len(run.wall_seconds) == len(run.cpu_seconds) == 2


@pytest.mark.shared_data
def test_benchmark_on_a_few_shared_pages_beats_trafilatura_alone():
    pages = load_benchmark(shared_dataset(BENCHMARK), limit=8)
    ours = run_benchmark(pages, get_extractor("article"))
    trafilatura_alone = run_benchmark(pages, get_extractor("trafilatura"))
    # Measured: 0.995 against 0.947 on these 8 pages.
    assert ours.score.f1 > 0.98
    assert ours.score.f1 > trafilatura_alone.score.f1
    assert ours.score.pages_with_output == 8 and not ours.failed_pages
    assert ours.cpu_docs_per_second > 0 and ours.wall_docs_per_second > 0


@pytest.mark.shared_data
def test_eval_command_prints_the_scores(capsys):
    dataset = shared_dataset(BENCHMARK)
    assert main(["eval", "extraction", "--dataset", str(dataset), "--limit", "3"]) == 0
    out = capsys.readouterr().out
    for label in ("precision", "recall", "f1", "accuracy", "docs/s"):
        assert f"\n{label} " in out
    f1 = float(next(line.split()[1] for line in out.splitlines() if line.startswith("f1 ")))
    assert 0.9 < f1 <= 1.0


@pytest.mark.fault
def test_a_gzip_bomb_is_refused_without_expanding_it(tmp_path):
    """Fault (issue 18, low): a small gzip that expands to hundreds of megabytes."""
    import gzip as gzip_module

    from newswatch.commands.extract import PageTooLarge, read_html_file

    bomb = tmp_path / "bomb.html.gz"
    with gzip_module.open(bomb, "wb") as handle:
        for _ in range(4):
            handle.write(b"\0" * (1024 * 1024))
    with pytest.raises(PageTooLarge, match="more than 1048576 bytes"):
        read_html_file(bomb, limit=1024 * 1024)
