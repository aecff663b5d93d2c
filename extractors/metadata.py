"""Article metadata read from a parsed page: canonical URL, dates, language.

Title, authors, site name and image come from trafilatura's metadata reader
(see :mod:`extractors.article`); this module covers what it does not give in
the form we need: the declared canonical URL made absolute, a publication
timestamp with its time zone (trafilatura returns a bare date), the
publication-date rules (feed fallback, never in the future) and the language.
"""
from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import lxml.html
from dateutil import parser as date_parser
from dateutil import tz

# Earlier "publication dates" are CMS placeholders (the Unix epoch, year 0001), not news.
EARLIEST_PLAUSIBLE_DATE = datetime(1991, 1, 1, tzinfo=timezone.utc)

# <meta> names/properties/itemprops that carry the publication time, most reliable first.
PUBLISHED_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "publish-date",
    "publishdate",
    "pubdate",
    "publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date",
    "date",
)
_ARTICLE_TYPE = re.compile(r"Article|Posting|Report", re.IGNORECASE)
_UNIX_TIME = re.compile(r"\d{10}(\d{3})?")
# Abbreviations dateutil cannot resolve alone; common in US and UK news markup.
_TZ_ABBREVIATIONS = {
    name: tz.tzoffset(name, hours * 3600)
    for name, hours in {
        "UTC": 0, "GMT": 0, "BST": 1, "CET": 1, "CEST": 2, "EST": -5, "EDT": -4,
        "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    }.items()
}
# Below this probability the detector's guess loses to the page's declaration
# (menus, titles, mixed-language snippets score well under it; articles ~0.99).


def absolute_url(href: str | None, base: str | None) -> str | None:
    """``href`` resolved against ``base`` (the page URL); None unless it is http(s)."""
    if not href or not href.strip():
        return None
    absolute = urljoin(base or "", href.strip())
    parts = urlsplit(absolute)
    return absolute if parts.scheme in ("http", "https") and parts.netloc else None


def declared_canonical_url(tree: lxml.html.HtmlElement, page_url: str | None) -> str | None:
    """The page's own canonical URL (link rel=canonical, then og:url), made absolute."""
    for href in tree.xpath(
        "//link[contains(concat(' ', normalize-space(translate(@rel, 'CANONICAL', 'canonical')), ' '), ' canonical ')]/@href"
    ):
        if url := absolute_url(href, page_url):
            return url
    for content in tree.xpath("//meta[@property='og:url' or @name='og:url']/@content"):
        if url := absolute_url(content, page_url):
            return url
    return None


def _json_ld_objects(tree: lxml.html.HtmlElement) -> Iterator[dict]:
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue  # broken JSON-LD is common; the other sources still count
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                # Nested objects too: "@graph" lists, or an article inside a WebPage's mainEntity.
                stack.extend(reversed([value for value in item.values() if isinstance(value, (dict, list))]))


def _is_article(json_ld: dict) -> bool:
    kinds = json_ld.get("@type", "")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(kind, str) and _ARTICLE_TYPE.search(kind) for kind in kinds)


def declared_publication_dates(tree: lxml.html.HtmlElement) -> list[str]:
    """Raw publication-date strings the page declares, most reliable source first."""
    article_dates, other_dates = [], []
    for item in _json_ld_objects(tree):
        value = item.get("datePublished")
        if isinstance(value, str):
            (article_dates if _is_article(item) else other_dates).append(value)
    meta_values: dict[str, list[str]] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        meta_values.setdefault(key, []).append(meta.get("content"))
    meta_dates = [value for key in PUBLISHED_META_KEYS for value in meta_values.get(key, [])]
    time_dates = tree.xpath("//time[@itemprop='datePublished' or @pubdate]/@datetime")
    time_dates += tree.xpath("//*[@itemprop='datePublished' and not(self::meta)]/@datetime")
    return article_dates + meta_dates + other_dates + time_dates


def parse_timestamp(raw: str) -> datetime | None:
    """A time-zone-aware datetime from a date string as found in pages and feeds.

    Accepts ISO 8601, RFC 822 and most human formats, and Unix timestamps. A
    value without a zone is taken as UTC (the common convention of CMSes that
    omit it); a bare date becomes midnight UTC. None when unparseable.
    """
    raw = raw.strip()
    if not raw:
        return None
    if _UNIX_TIME.fullmatch(raw):
        seconds = int(raw) / (1000 if len(raw) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # dateutil warns on unknown zone names; we default to UTC
                parsed = date_parser.parse(raw, tzinfos=_TZ_ABBREVIATIONS)
        except (ValueError, OverflowError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _as_aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def choose_publication_date(
    declared: Iterable[str],
    feed_published: datetime | None,
    now: datetime,
    guessed: str | None = None,
) -> datetime | None:
    """The first plausible declared date, else the feed's, else ``guessed``; never after ``now``.

    A date in the future is a page error (a wrong zone, a scheduled-post
    placeholder) and would pin the article to the top of every date-sorted
    view, so it is skipped like an unparseable one.
    """
    now = _as_aware(now)
    for candidate in [*declared, feed_published, guessed]:
        if candidate is None:
            continue
        moment = _as_aware(candidate) if isinstance(candidate, datetime) else parse_timestamp(candidate)
        if moment is not None and EARLIEST_PLAUSIBLE_DATE <= moment <= now:
            return moment
    return None


def declared_language(tree: lxml.html.HtmlElement) -> str | None:
    """ISO 639-1 code from <html lang>, Content-Language or og:locale."""
    values = tree.xpath("/html/@lang | /html/@xml:lang", namespaces={"xml": "http://www.w3.org/XML/1998/namespace"})
    values += tree.xpath("//meta[translate(@http-equiv, 'CONTENTLANGUAGE', 'contentlanguage')='content-language']/@content")
    values += tree.xpath("//meta[@property='og:locale']/@content")
    for value in values:
        code = re.split(r"[-_,; ]", value.strip().lower(), maxsplit=1)[0]
        if re.fullmatch(r"[a-z]{2}", code):
            return code
    return None
