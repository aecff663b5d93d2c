"""Sitemaps: the article URLs a site lists for crawlers, for sources without a usable feed.

A site names its sitemaps in robots.txt (``Sitemap:`` lines); a sitemap is either
an index of other sitemaps or a ``urlset`` of pages, plain XML or gzipped
(``.xml.gz``). News sitemaps add ``<news:publication_date>`` and ``<news:title>``
per page; ordinary ones only ``<lastmod>``.

Everything is read with the safe fetcher, so a sitemap has the same size and
decompression caps as a page (a gzip file is unpacked under the same cap as a
gzip Content-Encoding). On top of those, a sitemap index is followed one level
and to at most ``max_sitemaps`` children (newest first), and of all entries only
the recent ones are taken: those dated within ``window`` of the newest entry, at
most ``max_entries``. A site's sitemap holds years of archive; we want its news.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newswatch.fetching.errors import FetchError
from newswatch.fetching.safe_fetch import Fetcher, FetchResult

GZIP_MAGIC = b"\x1f\x8b"
_OLDEST = datetime.min.replace(tzinfo=timezone.utc)
# No DTDs, no entities, no network: a sitemap is data from an untrusted host (XXE, billion laughs).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)


class SitemapError(ValueError):
    """A sitemap that is not one (bad XML, unknown root, an index inside an index)."""


@dataclass(frozen=True)
class SitemapPolicy:
    max_sitemaps: int = 5  # children of an index fetched per poll
    max_entries: int = 200
    window: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    published: datetime | None  # news:publication_date
    modified: datetime | None  # lastmod
    title: str | None = None

    @property
    def when(self) -> datetime | None:
        return self.published or self.modified


@dataclass(frozen=True)
class ParsedSitemap:
    children: list[SitemapEntry]  # of an index: the sitemaps it lists
    entries: list[SitemapEntry]  # of a urlset: the pages


@dataclass
class SitemapRead:
    """What one sitemap (and, for an index, its children) gave."""

    entries: list[SitemapEntry] = field(default_factory=list)
    problems: list[FetchError | SitemapError] = field(default_factory=list)  # children refused; the rest kept
    skipped_children: int = 0


def sitemaps_in_robots(robots_text: str, robots_url: str) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, in file order, without repeats."""
    found: list[str] = []
    for line in robots_text.splitlines():
        name, _, value = line.split("#", 1)[0].partition(":")
        url = urljoin(robots_url, value.strip())
        if name.strip().lower() == "sitemap" and value.strip() and url not in found:
            found.append(url)
    return found


def covers(sitemap_url: str, page_url: str) -> bool:
    """Whether a sitemap may list a page, by the sitemaps.org location rule: the page lies under
    the sitemap's folder. On a host shared by several sources, this ties a sitemap to its source."""
    sitemap, page = urlsplit(sitemap_url), urlsplit(page_url)
    folder = sitemap.path.rsplit("/", 1)[0] + "/"
    return (sitemap.hostname, sitemap.port) == (page.hostname, page.port) and (page.path or "/").startswith(folder)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_date(text: str | None) -> datetime | None:
    """A W3C datetime (``2026-11-30``, ``2026-11-30T09:00:00+01:00``, ``...Z``) in UTC, or None."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def parse_sitemap(xml: bytes, url: str) -> ParsedSitemap:
    """The children of a sitemap index or the entries of a urlset; raises SitemapError otherwise."""
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"not valid XML: {exc} [{url}]") from None
    kind = _local(root.tag)
    if kind not in ("sitemapindex", "urlset"):
        raise SitemapError(f"not a sitemap (root element <{kind}>) [{url}]")
    records = []
    for element in root:
        location = _child_text(element, "loc")
        if _local(element.tag) not in ("sitemap", "url") or not location:
            continue
        records.append(SitemapEntry(
            url=urljoin(url, location), published=parse_date(_child_text(element, "publication_date")),
            modified=parse_date(_child_text(element, "lastmod")), title=_child_text(element, "title"),
        ))
    return ParsedSitemap(children=records, entries=[]) if kind == "sitemapindex" else ParsedSitemap(children=[], entries=records)


def sitemap_bytes(fetcher: Fetcher, result: FetchResult) -> bytes:
    """The XML of a fetched sitemap: a gzip file is unpacked under the fetcher's decompression cap."""
    if result.kind == "binary":
        if not result.body.startswith(GZIP_MAGIC):
            raise SitemapError(f"binary body that is not gzip (declared {result.content_type or 'no type'}) [{result.final_url}]")
        return fetcher.gunzip(result)
    return result.text.encode("utf-8")


def fetch_sitemap(fetcher: Fetcher, url: str, etag: str | None = None, last_modified: str | None = None) -> tuple[FetchResult, ParsedSitemap | None]:
    """Fetch and parse one sitemap; the parse is None on a 304. Raises FetchError or SitemapError."""
    result = fetcher.fetch(url, expect=("feed", "text", "binary"), etag=etag, last_modified=last_modified)
    if result.not_modified:
        return result, None
    xml = sitemap_bytes(fetcher, result)
    # A sitemap whose own encoding declaration disagrees with the text we decoded would be decoded twice.
    return result, parse_sitemap(xml if result.kind == "binary" else _without_encoding(xml), result.final_url)


def _without_encoding(xml: bytes) -> bytes:
    head, separator, rest = xml.partition(b"?>")
    if separator and head.lstrip().startswith(b"<?xml"):
        return rest
    return xml


def recent_entries(entries: list[SitemapEntry], policy: SitemapPolicy, now: datetime) -> list[SitemapEntry]:
    """The recent entries, newest first: dated within ``policy.window`` of the newest dated entry
    (never one in the future), at most ``policy.max_entries``. Undated entries count only when
    nothing in the sitemap is dated, in sitemap order."""
    dated = [e for e in entries if e.when is not None and e.when <= now + timedelta(minutes=10)]
    if not dated:
        return entries[: policy.max_entries] if not any(e.when for e in entries) else []
    newest = max(e.when for e in dated if e.when)
    recent = [e for e in dated if e.when and e.when >= newest - policy.window]
    return sorted(recent, key=lambda e: e.when or _OLDEST, reverse=True)[: policy.max_entries]


def read_children(fetcher: Fetcher, index: ParsedSitemap, same_site: Callable[[str], bool], policy: SitemapPolicy) -> SitemapRead:
    """Entries of the newest ``max_sitemaps`` children of a sitemap index on the same site."""
    read = SitemapRead()
    children = sorted((c for c in index.children if same_site(c.url)), key=lambda c: c.when or _OLDEST, reverse=True)
    read.skipped_children = len(index.children) - min(len(children), policy.max_sitemaps)
    for child in children[: policy.max_sitemaps]:
        try:
            _, parsed = fetch_sitemap(fetcher, child.url)
        except (FetchError, SitemapError) as exc:
            read.problems.append(exc)
            continue
        if parsed is not None and parsed.children:
            read.problems.append(SitemapError(f"a sitemap index inside a sitemap index is not followed [{child.url}]"))
            continue
        if parsed is not None:
            read.entries.extend(parsed.entries)
    return read


def read_sitemap(fetcher: Fetcher, parsed: ParsedSitemap, same_site: Callable[[str], bool], policy: SitemapPolicy, now: datetime) -> SitemapRead:
    """The recent same-site entries of a parsed sitemap, following an index one level."""
    read = read_children(fetcher, parsed, same_site, policy) if parsed.children else SitemapRead(entries=list(parsed.entries))
    read.entries = recent_entries([e for e in read.entries if same_site(e.url)], policy, now)
    return read
