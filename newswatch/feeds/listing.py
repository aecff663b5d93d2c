"""Article links on a listing page, for sources that publish no feed.

newspaper4k's source building does this too, but it fetches on its own
(outside our SSRF guard, rate limit and size limits), so we parse the page the
safe fetcher already downloaded. A link counts as an article when it stays on
the site, is not navigation (tags, authors, pagination, legal pages, files)
and looks like a story address: a date in the path, a long numeric id, or a
slug of three or more words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError

from newswatch.fetching.urls import InvalidURL, canonicalize_url

NAVIGATION_SEGMENTS = frozenset({
    "tag", "tags", "topic", "topics", "category", "categories", "section", "author", "authors", "page",
    "search", "login", "signin", "sign-in", "logout", "register", "signup", "subscribe", "subscription",
    "account", "my-account", "about", "about-us", "contact", "contact-us", "privacy", "privacy-policy",
    "cookies", "cookie-policy", "terms", "terms-of-use", "terms-and-conditions", "legal", "imprint",
    "impressum", "careers", "jobs", "feed", "rss", "wp-login.php", "wp-admin", "cart", "shop", "donate",
    "newsletter", "newsletters", "sitemap", "help", "faq", "accessibility",
})
FILE_EXTENSIONS = re.compile(r"\.(pdf|jpe?g|png|gif|webp|svg|zip|mp3|mp4|mov|xml|json|css|js|ico|docx?|xlsx?|pptx?)$", re.I)
_DATE_IN_PATH = re.compile(r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-]|$)|/(19|20)\d{6}(/|$)")
_NUMERIC_ID = re.compile(r"(^|[/_-])\d{5,}([/_.-]|$)")
_WORD_SLUG = re.compile(r"^[\w%]+(?:[-_][\w%]+){2,}(?:\.html?)?$", re.U)


@dataclass(frozen=True)
class DiscoveredLink:
    url: str
    title: str | None


def _site(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _same_site(host: str, page_host: str) -> bool:
    a, b = _site(host), _site(page_host)
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def looks_like_article(url: str) -> bool:
    path = urlsplit(url).path
    segments = [s for s in path.lower().split("/") if s]
    if not segments or FILE_EXTENSIONS.search(path):
        return False
    if any(s in NAVIGATION_SEGMENTS for s in segments):
        return False
    return bool(_DATE_IN_PATH.search(path) or _NUMERIC_ID.search(path) or _WORD_SLUG.match(segments[-1]))


def discover_article_links(html: str, page_url: str, limit: int = 100) -> list[DiscoveredLink]:
    """Article-looking links of a listing page, in page order, one per canonical URL."""
    try:
        document = lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return []
    base = page_url
    for href in document.xpath("//base/@href"):
        base = urljoin(page_url, href.strip())
        break
    page_host = urlsplit(page_url).hostname or ""
    try:
        page_canonical = canonicalize_url(page_url)
    except InvalidURL:
        return []
    page_path = urlsplit(page_canonical).path + "/"
    found: dict[str, DiscoveredLink] = {}
    for anchor in document.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(base, href)
        try:
            canonical = canonicalize_url(url)
        except InvalidURL:
            continue
        host = urlsplit(canonical).hostname or ""
        if canonical == page_canonical or not _same_site(host, page_host) or not looks_like_article(canonical):
            continue
        if page_path.startswith(urlsplit(canonical).path.rstrip("/") + "/"):
            continue  # a section above the listing page (breadcrumbs), not a story
        title = " ".join(anchor.text_content().split()) or anchor.get("title") or None
        previous = found.get(canonical)
        if previous is None:
            if len(found) >= limit:
                continue
            found[canonical] = DiscoveredLink(url, title)
        elif title and len(title) > len(previous.title or ""):
            # The same story is often linked from its image (no text) and its headline.
            found[canonical] = DiscoveredLink(previous.url, title)
    return list(found.values())
