"""Feed and sitemap discovery: the feeds and sitemaps a site already publishes.

Most sites announce their feeds in the page head
(``<link rel="alternate" type="application/rss+xml" href=...>``); many more serve
one at the path their platform implies (WordPress ``/feed``, Jekyll
``/feed.xml``, Hugo ``/index.xml`` ...), and list their sitemaps in robots.txt.
A candidate counts only once verified with the safe fetcher: it parses, has
entries with links, and stays on the source's registrable site (a page may
announce a partner's or an aggregator's feed; polling that would file another
outlet's stories under this source).
"""
from __future__ import annotations

import difflib
import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError

from newswatch.feeds.catalogue import Source, dump_catalogue
from newswatch.feeds.feed_parsing import entry_link, parse_feed
from newswatch.feeds.sitemaps import (
    SitemapError,
    covers,
    fetch_sitemap,
    sitemaps_in_robots,
)
from newswatch.fetching.errors import FetchError, HTTPStatusError
from newswatch.fetching.safe_fetch import Fetcher, FetchResult
from newswatch.fetching.urls import InvalidURL, canonicalize_url, site_of

FEED_MEDIA_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/rss", "application/atom"})
PLATFORM_FEED_PATHS = ("feed", "rss", "feed.xml", "rss.xml", "atom.xml", "index.xml")


@dataclass(frozen=True)
class Check:
    """One candidate feed or sitemap and what verification said."""

    url: str
    kind: str  # "feed" or "sitemap"
    how: str  # "announced", "platform path", "robots.txt"
    accepted: bool
    detail: str  # entry count, or why it was refused


@dataclass
class Discovery:
    checks: list[Check] = field(default_factory=list)

    def accepted(self, kind: str) -> list[str]:
        return [c.url for c in self.checks if c.accepted and c.kind == kind]

    @property
    def feeds(self) -> list[str]:
        return self.accepted("feed")

    @property
    def sitemaps(self) -> list[str]:
        return self.accepted("sitemap")


def registrable_site(url: str) -> str:
    """The site a URL belongs to; an IP address is its own site (its last two labels are not)."""
    host = (urlsplit(url).hostname or "").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return site_of(url)
    return host


def same_site(url: str, source_url: str) -> bool:
    return bool(registrable_site(url)) and registrable_site(url) == registrable_site(source_url)


def announced_feeds(html: str, page_url: str) -> list[str]:
    """Feed URLs a page announces with ``<link rel="alternate" type="application/rss+xml|atom+xml">``."""
    try:
        document = lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return []
    base = next((urljoin(page_url, href.strip()) for href in document.xpath("//base/@href")), page_url)
    found: list[str] = []
    for link in document.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        media_type = (link.get("type") or "").split(";")[0].strip().lower()
        url = urljoin(base, link.get("href").strip())
        if "alternate" in rel and media_type in FEED_MEDIA_TYPES and url not in found:
            found.append(url)
    return found


def platform_feed_urls(page_url: str) -> list[str]:
    """The usual feed paths under the page's folder and the site root, nearest first."""
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}/"
    folders = dict.fromkeys([urljoin(page_url, "./"), root])
    return list(dict.fromkeys(urljoin(folder, path) for folder in folders for path in PLATFORM_FEED_PATHS))


def check_feed(fetcher: Fetcher, url: str, source_url: str, how: str) -> Check:
    """Verify a candidate feed: same site (before any request), fetched as a feed, entries with links."""
    if not same_site(url, source_url):
        return Check(url, "feed", how, False, f"on another site ({registrable_site(url)}, the source is on {registrable_site(source_url)})")
    try:
        result = fetcher.fetch(url, expect=("feed",))
    except FetchError as exc:
        return Check(url, "feed", how, False, f"{exc.reason}: {exc}")
    if not same_site(result.final_url, source_url):
        return Check(url, "feed", how, False, f"redirects to another site ({result.final_url})")
    parsed = parse_feed(result)
    linked = [entry_link(e) for e in parsed.entries if entry_link(e)]
    if not linked:
        return Check(url, "feed", how, False, "no entries with links")
    return Check(url, "feed", how, True, f"{len(linked)} entries with links")


def check_sitemap(fetcher: Fetcher, url: str, how: str) -> Check:
    """Verify a candidate sitemap: it parses, as an index of sitemaps or with entries."""
    try:
        _, parsed = fetch_sitemap(fetcher, url)
    except (FetchError, SitemapError) as exc:
        return Check(url, "sitemap", how, False, str(exc))
    assert parsed is not None  # no validators were sent, so no 304
    if parsed.children:
        return Check(url, "sitemap", how, True, f"index of {len(parsed.children)} sitemaps")
    if not parsed.entries:
        return Check(url, "sitemap", how, False, "no entries")
    return Check(url, "sitemap", how, True, f"{len(parsed.entries)} entries")


def robots_sitemaps(fetcher: Fetcher, source_url: str) -> list[str]:
    """The sitemaps the source's host lists in robots.txt (none when it has no robots.txt)."""
    parts = urlsplit(source_url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        result = fetcher.fetch(robots_url, expect=("text",))
    except HTTPStatusError as exc:
        if exc.status is not None and 400 <= exc.status < 500:
            return []
        raise
    return sitemaps_in_robots(result.text, robots_url)


def _known(urls: list[str]) -> set[str]:
    canonical = set()
    for url in urls:
        try:
            canonical.add(canonicalize_url(url))
        except InvalidURL:
            continue
    return canonical


def discover(
    fetcher: Fetcher, page: FetchResult | None, source_url: str, thorough: bool, skip: tuple[str, ...] = (),
) -> Discovery:
    """Feeds (and, when ``thorough``, sitemaps) of the source whose home or listing page is ``source_url``.

    ``page`` is that page already fetched (its announced feeds are checked); ``thorough`` adds
    the platform paths and robots.txt, which cost requests and so are checked once, not at every
    poll. ``skip`` are URLs not to propose again (the feeds being replaced). Never raises for a
    site's bad answer: a refused candidate is a Check with the reason.
    """
    discovery = Discovery()
    skipped = _known(list(skip))

    def unseen(url: str) -> bool:
        seen = _known([c.url for c in discovery.checks]) | skipped
        return not _known([url]) & seen

    if page is not None and page.kind == "html":
        for url in announced_feeds(page.text, page.final_url):
            if unseen(url):
                discovery.checks.append(check_feed(fetcher, url, source_url, "announced"))
    if thorough and not discovery.feeds:
        for url in platform_feed_urls(source_url):
            if unseen(url):
                check = check_feed(fetcher, url, source_url, "platform path")
                if check.accepted:
                    discovery.checks.append(check)
                    break  # one working platform feed is the site's feed; the others are aliases of it
    if thorough:
        try:
            candidates = robots_sitemaps(fetcher, source_url)
        except FetchError as exc:
            discovery.checks.append(Check(f"{source_url} robots.txt", "sitemap", "robots.txt", False, str(exc)))
            candidates = []
        # A host's robots.txt lists the sitemaps of every section and outlet it serves: only those
        # on the source's site whose folder covers its pages are this source's.
        for url in candidates:
            if unseen(url) and same_site(url, source_url) and covers(url, source_url):
                discovery.checks.append(check_sitemap(fetcher, url, "robots.txt"))
    return discovery



def site_home(source: Source) -> str:
    """The page discovery starts from: the listing page, else the site root of the first feed or sitemap."""
    if source.listing_url:
        return source.listing_url
    first = urlsplit((source.feeds or source.sitemaps)[0])
    return f"{first.scheme}://{first.netloc}/"


def discover_source(fetcher: Fetcher, source: Source) -> Discovery:
    """Everything discovery finds for one catalogue source, its catalogue feeds checked too (``how`` "catalogue")."""
    home = site_home(source)
    discovery = Discovery([check_feed(fetcher, url, home, "catalogue") for url in source.feeds])
    try:
        page = fetcher.fetch(home, expect=("html",))
    except FetchError as exc:
        discovery.checks.append(Check(home, "page", "home page", False, f"{exc.reason}: {exc}"))
        page = None
    found = discover(fetcher, page, home, thorough=True, skip=source.feeds)
    discovery.checks.extend(found.checks)
    return discovery


def proposed_source(source: Source, discovery: Discovery) -> Source:
    """The catalogue entry discovery suggests: found feeds for a source without a working one, else
    found sitemaps for a source with no feed at all; the entry unchanged when nothing better was found."""
    working = [c.url for c in discovery.checks if c.how == "catalogue" and c.accepted]
    found = [c.url for c in discovery.checks if c.how != "catalogue" and c.accepted and c.kind == "feed"]
    sitemaps = [c.url for c in discovery.checks if c.accepted and c.kind == "sitemap"]
    if found and not working:
        return source.model_copy(update={"feeds": tuple(found)})
    if not source.feeds and not source.sitemaps and sitemaps:
        return source.model_copy(update={"sitemaps": tuple(sitemaps)})
    return source


def catalogue_diff(current: list[Source], proposed: list[Source], path: str) -> str:
    """A unified diff of the catalogue (in its normalised YAML form) from current to proposed; "" when equal."""
    return "".join(difflib.unified_diff(
        dump_catalogue(current).splitlines(keepends=True), dump_catalogue(proposed).splitlines(keepends=True),
        fromfile=f"{path} (as loaded)", tofile=f"{path} (proposed)",
    ))
