"""Headline, authors and publication date read from a page: the rules any news site follows."""
from __future__ import annotations

from datetime import datetime, timezone

import lxml.html
from extraction_pages import NOW, PAGE_URL, make_page

from extractors.article import extract_article
from extractors.metadata import (
    article_authors,
    choose_publication_date,
    declared_publication_dates,
    headline,
)


def _tree(head: str = "", body: str = "", title: str = "Example News") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>")


def test_the_headline_is_the_h1_that_the_declared_title_confirms_without_the_site_name():
    page = _tree(
        '<meta property="og:site_name" content="Example News">',
        "<header><h1>Example News</h1></header><article><h1>Labels sue over AI training</h1></article>",
        title="Labels sue over AI training | Example News",
    )
    assert headline(page) == "Labels sue over AI training"


def test_a_visible_h1_wins_over_a_title_rewritten_for_search_engines():
    page = _tree(body="<h1>Ten questions about the new licence</h1>", title="AI licence explained: what artists need to know - Example News")
    assert headline(page) == "Ten questions about the new licence"


def test_without_an_h1_the_declared_title_loses_its_site_name():
    assert headline(_tree('<meta property="og:site_name" content="Example News">', title="Labels sue over AI training | Example News")) == "Labels sue over AI training"


def test_authors_come_from_the_declaration_and_never_name_the_site():
    declared = _tree(
        '<meta property="og:site_name" content="Example News"><script type="application/ld+json">'
        '{"@type": "NewsArticle", "author": [{"@type": "Organization", "name": "Example News"}, {"@type": "Person", "name": "Ana Ruiz"}]}</script>'
    )
    assert article_authors(declared) == ["Ana Ruiz"]
    site_only = _tree('<meta property="og:site_name" content="Example News"><meta name="author" content="Example News">')
    assert article_authors(site_only, search=lambda: ["Example News"]) == []


def test_a_json_ld_author_given_by_reference_is_resolved_in_the_graph():
    page = _tree(
        '<script type="application/ld+json">{"@graph": [{"@type": "Article", "author": {"@id": "https://e.org/#/person/1"}},'
        ' {"@type": "Person", "@id": "https://e.org/#/person/1", "name": "Ana Ruiz"}]}</script>'
    )
    assert article_authors(page, search=lambda: ["Someone Else"]) == ["Ana Ruiz"]


def test_a_byline_loses_its_prefix_and_date_and_a_login_handle_is_no_name():
    byline = _tree(body='<div class="byline">By Ana Ruiz | Dec 18, 2025</div><p>Text.</p>')
    assert article_authors(byline) == ["Ana Ruiz"]
    glued = _tree(body='<span class="author">Tom BergDec 18, 2025</span>')
    assert article_authors(glued) == ["Tom Berg"]
    handle = _tree('<meta name="author" content="aruiz2">')
    assert article_authors(handle) == []
    assert article_authors(handle, search=lambda: ["Ana Ruiz"]) == ["Ana Ruiz"]


def test_byline_markup_that_names_the_author_and_markup_that_does_not():
    for markup in (
        '<span rel="author">Ana Ruiz</span>', '<span itemprop="author">Ana Ruiz</span>',
        '<div class="post author">Ana Ruiz</div>', '<p class="entry-byline">Ana Ruiz</p>',
        '<a class="author-name">Ana Ruiz</a>', '<span class="card__author__name">Ana Ruiz</span>',
    ):
        assert article_authors(_tree(body=markup)) == ["Ana Ruiz"], markup
    for markup in ('<div class="authors-list">Ana Ruiz</div>', '<footer><span class="author">Ana Ruiz</span></footer>'):
        assert article_authors(_tree(body=markup)) == [], markup


def test_a_date_written_for_people_ranks_below_iso_dates_the_feed_and_the_page_search():
    feed = datetime(2026, 2, 1, tzinfo=timezone.utc)
    assert choose_publication_date(["Jun 24, 2025", "2024-08-25T10:00:00Z"], None, NOW) == datetime(2024, 8, 25, 10, tzinfo=timezone.utc)
    assert choose_publication_date(["Jun 24, 2025"], feed, NOW) == feed
    assert choose_publication_date(["Jun 24, 2025"], None, NOW, guessed="2024-08-25") == datetime(2024, 8, 25, tzinfo=timezone.utc)
    assert choose_publication_date(["Jun 24, 2025"], None, NOW) == datetime(2025, 6, 24, tzinfo=timezone.utc)


def test_a_page_search_for_the_date_runs_only_when_no_declared_or_feed_date_is_plausible():
    searches = []

    def search() -> str:
        searches.append(1)
        return "2024-08-25"

    feed = datetime(2025, 1, 2, tzinfo=timezone.utc)
    assert choose_publication_date(["2024-01-01T00:00:00Z"], None, NOW, guessed=search) == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert choose_publication_date(["Jun 24, 2025"], feed, NOW, guessed=search) == feed
    assert searches == []
    assert choose_publication_date(["Jun 24, 2025"], None, NOW, guessed=search) == datetime(2024, 8, 25, tzinfo=timezone.utc)
    assert searches == [1]


def test_the_dateline_after_the_headline_counts_when_nothing_else_is_declared():
    body = '<nav><time datetime="2020-01-01">old</time></nav><h1>Headline</h1><p>By Ana Ruiz <time datetime="2026-02-10">10 Feb</time></p>'
    assert declared_publication_dates(_tree(body=body)) == ["2026-02-10"]
    declared = _tree('<meta property="article:published_time" content="2026-02-09T08:00:00Z">', body=body)
    assert declared_publication_dates(declared) == ["2026-02-09T08:00:00Z"]


def test_the_body_does_not_repeat_the_headline():
    article = extract_article(make_page(title="Musicians push back on training clause"), url=PAGE_URL, now=NOW)
    assert article.title == "Musicians push back on training clause"
    assert "push back on training clause" not in article.text
