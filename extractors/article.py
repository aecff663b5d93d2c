"""Article extraction: body text and metadata from one HTML page.

``extract_article`` is a pure function of the page (plus the feed's date and
the current time, passed in so results are reproducible). The body text comes
from :func:`extractors.body.combined_text` (the headline removed from its
start); headline, authors, site name, image, canonical URL, publication time
and language from :mod:`extractors.metadata`, with trafilatura's byline search
for pages that declare no author and htmldate's search for pages that declare
no machine-readable date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import htmldate
import lxml.etree
import lxml.html
import trafilatura
import trafilatura.metadata

from extractors import metadata
from extractors.body import (
    MIN_ARTICLE_CHARS,
    combined_text,
    strip_page_code,
    without_headline,
)
from newswatch.core.language import detect_language


class ExtractionError(ValueError):
    """The page has no article text (empty, not HTML, or only navigation)."""


@dataclass(frozen=True)
class ExtractedArticle:
    url: str | None
    canonical_url: str | None
    title: str | None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    top_image: str | None = None
    text: str = ""

    def to_json_dict(self) -> dict[str, Any]:
        """The fields ``newswatch extract`` prints, dates in ISO 8601."""
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "authors": list(self.authors),
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "language": self.language,
            "site_name": self.site_name,
            "text": self.text,
        }


def _split_authors(raw: str | None) -> list[str]:
    """trafilatura joins authors with '; '; keep each name once, in page order."""
    names = [name.strip() for name in (raw or "").split(";")]
    return list(dict.fromkeys(name for name in names if name))


# trafilatura's byline search (trafilatura.xpaths.AUTHOR_XPATHS, 2.3.1) only matches an element
# whose class, id, rel, itemprop, data-testid or data-component contains one of these fragments
# (case as written), or an <author> or <rel> element. Looking for them first skips its ~6 ms
# (a deep copy, a prune and three regex XPaths over the whole page) on the two pages in three
# that reach it without any such markup; tests/test_extraction_article.py pins those XPaths.
_TRAFILATURA_BYLINE_HINT = re.compile(
    "uthor|[Bb]yl|BBL|username|screenname|writer|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_BYLINE_HINT_ATTRIBUTES = tuple(
    lxml.etree.XPath(f"//@{name}", smart_strings=False)
    for name in ("class", "id", "rel", "itemprop", "data-testid", "data-component")
)
_BYLINE_ELEMENTS = lxml.etree.XPath("boolean(//author | //rel)")


def _trafilatura_byline_authors(tree: lxml.html.HtmlElement) -> list[str]:
    """trafilatura's byline search, run only on pages with markup it could match."""
    hinted = _BYLINE_ELEMENTS(tree) or any(
        _TRAFILATURA_BYLINE_HINT.search(" ".join(values(tree))) for values in _BYLINE_HINT_ATTRIBUTES
    )
    return _split_authors(trafilatura.metadata.extract_author(tree)) if hinted else []


def _searched_date(tree: lxml.html.HtmlElement, url: str | None, now: datetime) -> str | None:
    """htmldate's extensive search of the page (URL, text, markup) for its publication date.

    Only for pages that declare no machine-readable date and come without a
    feed date, so its ~10-30 ms do not weigh on the median page.
    """
    return htmldate.find_date(tree, url=url, extensive_search=True, original_date=True, max_date=now.strftime("%Y-%m-%d"))


def extract_article(
    html: str,
    url: str | None = None,
    feed_published: datetime | None = None,
    now: datetime | None = None,
) -> ExtractedArticle:
    """Extract body text and metadata from ``html`` (fetched from ``url``).

    ``published_at`` is the page's declared publication time, else the feed's
    date, and never later than ``now`` (default: the current time). Raises
    :class:`ExtractionError` when the page has no article text.
    """
    if not html or not html.strip():
        raise ExtractionError(f"empty page: {url or 'no URL'}")
    try:
        tree = trafilatura.load_html(html)
    except (ValueError, TypeError, lxml.etree.LxmlError) as exc:
        raise ExtractionError(f"unparseable HTML at {url or 'no URL'}: {exc}") from exc
    if tree is None:
        raise ExtractionError(f"not an HTML page: {url or 'no URL'}")

    now = now or datetime.now(timezone.utc)
    canonical_url = metadata.declared_canonical_url(tree, url) or url
    declared_dates = metadata.declared_publication_dates(tree)
    title = metadata.headline(tree)
    published_at = metadata.choose_publication_date(
        declared_dates,
        feed_published,
        now,
        # htmldate's guess (from the URL or the text) comes after the feed's
        # explicit date, and only for pages that declare none in ISO 8601:
        # given a declared future date it answers "today". Searched only when
        # needed (most feeds give a date): it costs ~10 ms a page.
        guessed=None if any(map(metadata.is_machine_readable_date, declared_dates)) else lambda: _searched_date(tree, url, now),
    )
    # The date first: htmldate's search also reads scripts.
    strip_page_code(tree)
    authors = metadata.article_authors(tree, search=lambda: _trafilatura_byline_authors(tree))
    text = combined_text(tree, url)
    if not text.strip():
        raise ExtractionError(f"no article text found (under {MIN_ARTICLE_CHARS} letters): {url or 'no URL'}")
    text = without_headline(text, title)
    return ExtractedArticle(
        url=url,
        canonical_url=canonical_url,
        title=title,
        authors=authors,
        published_at=published_at,
        language=detect_language(text, metadata.declared_language(tree)),
        site_name=metadata.site_name(tree),
        top_image=metadata.image_url(tree, url or canonical_url),
        text=text,
    )
