"""extract_article on small hand-written pages: text, metadata and the date rules."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
import trafilatura.metadata
from trafilatura.xpaths import AUTHOR_XPATHS
from extraction_pages import (
    ENGLISH_PARAGRAPHS,
    FULL_HEAD,
    GERMAN_PARAGRAPHS,
    NOW,
    PAGE_URL,
    make_page,
)

from extractors.article import ExtractedArticle, ExtractionError, extract_article
from extractors.metadata import choose_publication_date, parse_timestamp
from newswatch.core.language import detect_language


@pytest.fixture(scope="module")
def full_article() -> ExtractedArticle:
    return extract_article(make_page(head=FULL_HEAD), url=PAGE_URL, now=NOW)


def test_body_text_keeps_the_article_and_drops_navigation(full_article):
    for paragraph in ENGLISH_PARAGRAPHS:
        assert paragraph in full_article.text
    for boilerplate in ("Home", "Privacy", "About us"):
        assert boilerplate not in full_article.text


def test_title_authors_site_and_image(full_article):
    assert full_article.title == "Musicians push back on training clause"
    assert full_article.authors == ["Ana Ruiz", "Tom Berg"]
    assert full_article.site_name == "Example News"
    assert full_article.top_image == "https://news.example.org/images/letter.jpg"


def test_declared_publication_time_keeps_its_zone(full_article):
    assert full_article.published_at == datetime(2026, 2, 17, 8, 30, tzinfo=timezone.utc)
    assert full_article.published_at.utcoffset() == timedelta(hours=1)


def test_relative_canonical_link_is_made_absolute(full_article):
    assert full_article.url == PAGE_URL
    assert full_article.canonical_url == "https://news.example.org/culture/2026/label-opt-out"


def test_og_url_is_the_canonical_when_there_is_no_canonical_link():
    head = '<meta property="og:url" content="https://news.example.org/story/42">'
    article = extract_article(make_page(head=head), url=PAGE_URL, now=NOW)
    assert article.canonical_url == "https://news.example.org/story/42"


def test_page_url_is_the_canonical_when_the_page_declares_none():
    article = extract_article(make_page(), url=PAGE_URL, now=NOW)
    assert article.canonical_url == PAGE_URL


def test_language_is_detected_from_the_text_not_the_template_declaration():
    assert extract_article(make_page(), url=PAGE_URL, now=NOW).language == "en"
    german = extract_article(make_page(paragraphs=GERMAN_PARAGRAPHS, lang="en"), url=PAGE_URL, now=NOW)
    assert german.language == "de"


def test_declared_language_fills_in_when_the_text_is_inconclusive():
    assert detect_language("Home About Contact", declared="fr") == "fr"
    assert detect_language("Home About Contact") is None
    assert detect_language(" ".join(GERMAN_PARAGRAPHS), declared="en") == "de"


def test_feed_date_is_used_when_the_page_has_none():
    feed_date = datetime(2026, 2, 20, 7, 0, tzinfo=timezone.utc)
    article = extract_article(make_page(), url=PAGE_URL, feed_published=feed_date, now=NOW)
    assert article.published_at == feed_date
    assert extract_article(make_page(), url=PAGE_URL, now=NOW).published_at is None


def test_a_future_page_date_is_replaced_by_the_feed_date():
    head = '<meta property="article:published_time" content="2026-03-05T10:00:00Z">'
    feed_date = datetime(2026, 2, 28, 18, 0, tzinfo=timezone.utc)
    article = extract_article(make_page(head=head), url=PAGE_URL, feed_published=feed_date, now=NOW)
    assert article.published_at == feed_date


def test_no_date_at_all_when_page_and_feed_dates_are_both_in_the_future():
    head = '<meta property="article:published_time" content="2026-03-05T10:00:00Z">'
    article = extract_article(make_page(head=head), url=PAGE_URL, feed_published=NOW + timedelta(hours=1), now=NOW)
    assert article.published_at is None


def test_json_ld_article_date_wins_over_generic_meta_date():
    head = """<meta name="date" content="2025-12-01">
<script type="application/ld+json">{"@graph": [{"@type": "WebPage", "datePublished": "2020-01-01"},
 {"@type": "NewsArticle", "datePublished": "2026-02-10T16:45:00-05:00"}]}</script>"""
    article = extract_article(make_page(head=head), url=PAGE_URL, now=NOW)
    assert article.published_at == datetime(2026, 2, 10, 21, 45, tzinfo=timezone.utc)


def test_date_guessed_from_the_url_only_when_page_and_feed_have_none():
    dated_url = "https://news.example.org/2026/02/14/label-opt-out"
    assert extract_article(make_page(), url=dated_url, now=NOW).published_at == datetime(2026, 2, 14, tzinfo=timezone.utc)
    feed_date = datetime(2026, 2, 14, 18, 5, tzinfo=timezone.utc)
    assert extract_article(make_page(), url=dated_url, feed_published=feed_date, now=NOW).published_at == feed_date


@pytest.mark.parametrize("html", ["", "   \n", "<html><body><nav><a href='/'>Home</a></nav></body></html>"])
def test_pages_without_article_text_raise_a_clear_error(html):
    with pytest.raises(ExtractionError, match="empty page|no article text"):
        extract_article(html, url=PAGE_URL, now=NOW)


def test_json_dict_has_the_cli_fields_with_an_iso_date(full_article):
    payload = full_article.to_json_dict()
    assert list(payload) == ["url", "canonical_url", "title", "authors", "published_at", "language", "site_name", "text"]
    assert payload["published_at"] == "2026-02-17T09:30:00+01:00"
    json.dumps(payload)  # serialisable as is


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-02T10:00:00Z", datetime(2024, 5, 2, 10, tzinfo=timezone.utc)),
        ("2024-05-02T10:00:00.000+0200", datetime(2024, 5, 2, 8, tzinfo=timezone.utc)),
        ("Thu, 02 May 2024 10:00:00 EST", datetime(2024, 5, 2, 15, tzinfo=timezone.utc)),
        ("2024-05-02", datetime(2024, 5, 2, tzinfo=timezone.utc)),  # bare date: midnight UTC
        ("1714644000", datetime(2024, 5, 2, 10, tzinfo=timezone.utc)),  # Unix seconds
        ("not a date", None),
    ],
)
def test_parse_timestamp_returns_zone_aware_times(raw, expected):
    parsed = parse_timestamp(raw)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None


def test_placeholder_and_unparseable_dates_are_skipped():
    feed_date = datetime(2025, 6, 1, tzinfo=timezone.utc)
    assert choose_publication_date(["1970-01-01T00:00:00Z", "soon", "2025-05-30"], feed_date, NOW) == datetime(
        2025, 5, 30, tzinfo=timezone.utc
    )


def test_trafilatura_byline_search_runs_only_on_pages_with_markup_it_can_match(monkeypatch):
    # No declared author: a byline only trafilatura's search recognises (class "...writer").
    bylined = make_page().replace("</h1>", '</h1><p class="story-writer">Ana Ruiz</p>')
    assert extract_article(bylined, url=PAGE_URL, now=NOW).authors == ["Ana Ruiz"]

    def not_expected(tree):
        raise AssertionError("trafilatura's byline search ran on a page without any byline markup")

    monkeypatch.setattr(trafilatura.metadata, "extract_author", not_expected)
    assert extract_article(make_page(), url=PAGE_URL, now=NOW).authors == []


def test_the_byline_hints_were_derived_from_these_trafilatura_xpaths():
    # extractors.article._TRAFILATURA_BYLINE_HINT lists what trafilatura 2.3.1's AUTHOR_XPATHS can
    # match; if an upgrade changes them, derive the hints again and update this digest.
    source = "\n".join(expression.path for expression in AUTHOR_XPATHS)
    assert hashlib.sha256(source.encode()).hexdigest() == "e7cdb233823cbb0a7eadad1211ccea04ebd7789ae4ffc076b2fc765f00286c9f"
