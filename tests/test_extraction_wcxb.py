"""The WCXB evaluation: its metric and metadata checks, and a run on a few shared pages."""
from __future__ import annotations

from datetime import date

import pytest

from newswatch_lab.wcxb import (
    Extraction,
    WcxbPage,
    WcxbRun,
    author_names,
    bag_scores,
    load_wcxb,
    run_extractor,
    same_day,
    score,
)
from tests.conftest import shared_dataset


def test_word_bags_clip_counts_and_ignore_case_and_punctuation():
    assert bag_scores("The cat, the hat.", "the CAT the hat") == (1.0, 1.0, 1.0)
    precision, recall, f1 = bag_scores("a a b", "a b b c")
    assert (precision, recall) == (0.5, 2 / 3)
    assert f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert bag_scores("words here", "") == (0.0, 0.0, 0.0)


def test_metadata_checks_title_authors_and_day():
    page = WcxbPage("p", None, "", "body text", "Labels \u2018sue\u2019 AI firm", "Ana Ruiz and Bo Li", "2025-08-25")
    run = WcxbRun("x")
    score(run, page, Extraction("body text", "labels 'sue' AI firm", ["Bo Li", "Ana Ruiz"], date(2025, 8, 25)))
    score(run, page, Extraction("body", "Labels sue AI firm - Site", ["Ana Ruiz"], date(2025, 8, 26)))
    assert run.title == [True, False] and run.author == [True, False] and run.date == [True, False]
    assert author_names("A. Smith, B. Jones & C. Wu") == {"a. smith", "b. jones", "c. wu"}
    assert not same_day("not a date", date(2025, 1, 1))


def test_a_failing_extractor_scores_zero_and_is_counted():
    page = WcxbPage("p", None, "<html></html>", "some body", None, None, None)

    def broken(html, url):
        raise RuntimeError("boom")

    run = run_extractor("broken", broken, [page])
    assert run.f1 == [0.0] and run.failed == 1 and run.title == []


@pytest.mark.shared_data
def test_project_and_trafilatura_rows_on_shared_pages():
    from newswatch_lab.wcxb import project_extraction, trafilatura_extraction

    pages = load_wcxb(shared_dataset("wcxb-dev-articles"), limit=5)
    assert len(pages) == 5 and all(p.body for p in pages)
    rows = [run_extractor(name, extract, pages).row() for name, extract in (("article", project_extraction), ("trafilatura", trafilatura_extraction))]
    assert all(row["f1"] > 0.5 and row["failed"] == 0 for row in rows)
