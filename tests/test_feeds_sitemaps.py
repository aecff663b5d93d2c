"""Sitemaps: robots.txt Sitemap lines, sitemap indexes, gzipped news sitemaps, only recent entries,
and the caps that refuse a sitemap bomb; against a local server and the real Elasticsearch."""
from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone

import pytest
from ingest_cases import DECODED_LIMIT, TEST_POLICY, gzip_bomb
from local_server import LocalServer, Reply

from newswatch.feeds.catalogue import (
    Source,
    catalogue_from_yaml,
    dump_catalogue,
    export_opml,
    import_opml,
)
from newswatch.feeds.poller import PollPolicy, poll_sources, read_states, run_poll
from newswatch.feeds.sitemaps import (
    SitemapEntry,
    SitemapError,
    SitemapPolicy,
    covers,
    parse_sitemap,
    recent_entries,
    sitemaps_in_robots,
)
from newswatch.fetching.safe_fetch import Fetcher
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import IndexNames

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
XML = {"Content-Type": "application/xml; charset=utf-8"}
GZIP = {"Content-Type": "application/x-gzip"}
SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def news_sitemap(base: str, stories: list[tuple[str, str, str]]) -> bytes:
    """A news sitemap of (path, title, publication date) entries."""
    urls = "".join(
        f"<url><loc>{base}{path}</loc><news:news><news:publication>"
        f"<news:name>Guild</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>{when}</news:publication_date><news:title>{title}</news:title></news:news></url>"
        for path, title, when in stories
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {SITEMAP_NS}>{urls}</urlset>'.encode()


def sitemap_index(base: str, children: list[tuple[str, str]]) -> bytes:
    entries = "".join(f"<sitemap><loc>{base}{path}</loc><lastmod>{when}</lastmod></sitemap>" for path, when in children)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {SITEMAP_NS}>{entries}</sitemapindex>'.encode()


def url_sitemap(base: str, count: int, lastmod: str) -> bytes:
    urls = "".join(f"<url><loc>{base}/archive/story-number-{n}</loc><lastmod>{lastmod}</lastmod></url>" for n in range(count))
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {SITEMAP_NS}>{urls}</urlset>'.encode()


def source(source_id: str, listing_url: str | None = None, sitemaps: tuple[str, ...] = ()) -> Source:
    return Source(id=source_id, name=source_id.title(), category="advocacy", language="en",
                  listing_url=listing_url, sitemaps=sitemaps, poll_interval_minutes=60)


@pytest.fixture
def fetcher():
    with Fetcher(TEST_POLICY) as shared:
        yield shared


# -- pure functions ---------------------------------------------------------------------------------

def test_robots_sitemap_lines_in_order_relative_ones_resolved():
    robots = "User-agent: *\nDisallow: /search\nSitemap: https://guild.example/sitemap_index.xml\nsitemap: /news.xml.gz # news\nSitemap: /news.xml.gz\n"
    assert sitemaps_in_robots(robots, "https://guild.example/robots.txt") == [
        "https://guild.example/sitemap_index.xml", "https://guild.example/news.xml.gz"]


def test_a_sitemap_covers_only_the_pages_under_its_folder():
    assert covers("https://guild.example/sitemap.xml", "https://guild.example/news/")
    assert covers("https://guild.example/guild/news-sitemap.xml", "https://guild.example/guild/")
    assert not covers("https://guild.example/guild/news-sitemap.xml", "https://guild.example/other-outlet/news/")


def test_news_sitemap_entries_carry_title_and_publication_date():
    parsed = parse_sitemap(news_sitemap("https://guild.example", [("/n/a-story", "A story", "2026-11-30T09:00:00+01:00")]), "https://guild.example/s.xml")
    assert parsed.children == []
    assert parsed.entries == [SitemapEntry("https://guild.example/n/a-story", datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc), None, "A story")]


def test_entities_are_not_expanded_and_other_xml_is_not_a_sitemap():
    laughs = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><urlset><url><loc>&b;</loc></url></urlset>'
    assert all("aaaa" not in e.url for e in parse_sitemap(laughs, "https://g.example/s.xml").entries)
    with pytest.raises(SitemapError, match="not a sitemap"):
        parse_sitemap(b"<rss><channel/></rss>", "https://g.example/s.xml")


def test_only_recent_entries_are_taken_newest_first_up_to_the_cap():
    def entry(n: int, days_old: float | None) -> SitemapEntry:
        return SitemapEntry(f"https://g.example/{n}", None, None if days_old is None else NOW - timedelta(days=days_old))

    entries = [entry(1, 30), entry(2, 1), entry(3, 0.5), entry(4, 6), entry(5, None), entry(6, -3)]
    chosen = recent_entries(entries, SitemapPolicy(max_entries=2, window=timedelta(days=7)), NOW)
    assert [e.url for e in chosen] == ["https://g.example/3", "https://g.example/2"]  # the future one is a lie
    assert [e.url for e in recent_entries(entries, SitemapPolicy(window=timedelta(days=7)), NOW)][-1] == "https://g.example/4"
    undated = [entry(n, None) for n in range(5)]
    assert len(recent_entries(undated, SitemapPolicy(max_entries=3), NOW)) == 3


def test_a_source_may_name_a_sitemap_instead_of_a_feed():
    text = "sources:\n- id: guild\n  name: Guild\n  category: advocacy\n  language: en\n  sitemaps: [https://guild.example/news-sitemap.xml]\n  poll_interval_minutes: 60\n"
    [guild] = catalogue_from_yaml(text)
    assert guild.sitemaps == ("https://guild.example/news-sitemap.xml",) and guild.feeds == ()
    assert catalogue_from_yaml(dump_catalogue([guild])) == [guild]
    assert import_opml(export_opml([guild])) == [guild]


# -- against the local server and Elasticsearch ---------------------------------------------------------

@pytest.mark.integration
def test_robots_txt_sitemap_index_and_gzipped_news_sitemap_give_the_recent_stories(fetcher, es_ready, es_settings):
    prefix = es_settings.es.index_prefix
    with LocalServer() as server:
        base = server.url("")
        server.routes["/robots.txt"] = Reply(200, {"Content-Type": "text/plain"}, f"User-agent: *\nDisallow: /search\nSitemap: {base}/sitemap_index.xml\n".encode())
        # A listing page rendered by script: no links, no announced feed.
        server.routes["/"] = Reply(200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html><head><title>Guild</title></head><body><div id=app></div></body></html>")
        server.routes["/sitemap_index.xml"] = Reply(200, XML, sitemap_index(base, [
            ("/sitemaps/archive-2019.xml", "2019-12-31"), ("/sitemaps/news.xml.gz", "2026-11-30T10:00:00Z")]))
        server.routes["/sitemaps/news.xml.gz"] = Reply(200, GZIP, gzip.compress(news_sitemap(base, [
            ("/news/guild-wins-consent-vote", "Guild wins consent vote", "2026-11-30T09:00:00Z"),
            ("/news/members-back-licensing-code", "Members back licensing code", "2026-11-28"),
            ("/news/last-years-annual-report", "Last year's annual report", "2025-11-01"),
        ])))
        server.routes["/sitemaps/archive-2019.xml"] = Reply(200, XML, url_sitemap(base, 3, "2019-12-31"))
        guild = source("guild", listing_url=server.url("/"))
        policy = PollPolicy(sitemaps=SitemapPolicy(max_sitemaps=5, window=timedelta(days=7)))

        report = run_poll(es_ready, make_indexer(es_settings, es_ready), prefix, [guild], fetcher, now=NOW, policy=policy, refresh=True)
        assert [(i.title, i.published_at) for i in report.items] == [
            ("Guild wins consent vote", datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)),
            ("Members back licensing code", datetime(2026, 11, 28, tzinfo=timezone.utc)),
        ]
        assert {i.found_at for i in report.items} == {server.url("/sitemap_index.xml")}
        state = read_states(es_ready, prefix, ["guild"])["guild"]
        assert state.polled_by == "discovered_sitemaps" and state.discovered_sitemaps == [server.url("/sitemap_index.xml")]
        assert state.last_new_item_at == NOW and state.healthy


@pytest.mark.integration
def test_a_sitemap_bomb_is_refused_by_the_caps_and_recorded(fetcher, es_ready, es_settings):
    prefix = es_settings.es.index_prefix
    with LocalServer() as server:
        server.routes["/bomb.xml.gz"] = Reply(200, GZIP, gzip_bomb(DECODED_LIMIT * 8))
        bomb = source("bomb", sitemaps=(server.url("/bomb.xml.gz"),))
        report = run_poll(es_ready, make_indexer(es_settings, es_ready), prefix, [bomb], fetcher, now=NOW, refresh=True)
        assert report.items == []
        hits = es_ready.search(index=IndexNames(prefix).alias("failures"), query={"term": {"source_id": "bomb"}})["hits"]["hits"]
        assert [h["_source"]["error_type"] for h in hits] == ["decompression_bomb"]
        assert read_states(es_ready, prefix, ["bomb"])["bomb"].consecutive_failures == 1


def test_an_index_of_1500_sitemaps_and_a_sitemap_of_1200_urls_are_capped(fetcher):
    with LocalServer() as server:
        base = server.url("")
        server.routes["/index.xml"] = Reply(200, XML, sitemap_index(base, [(f"/part-{n}.xml", f"2026-11-{1 + n % 28:02d}") for n in range(1500)]))
        server.routes["/part-27.xml"] = Reply(200, XML, url_sitemap(base, 1200, "2026-11-28"))
        wide = source("wide", sitemaps=(server.url("/index.xml"),))
        policy = PollPolicy(sitemaps=SitemapPolicy(max_sitemaps=2, max_entries=50))
        poll = poll_sources(fetcher, [wide], {}, now=NOW, policy=policy).polls[0]
        child_requests = [r.path for r in server.requests if r.path.startswith("/part-")]
        assert len(child_requests) == 2 and "/part-27.xml" in child_requests  # the newest ones
        assert len(poll.items) == 50
        assert "sitemap_truncated" in {f.error_type for f in poll.failures}
        assert "404" in " ".join(f.error for f in poll.failures if f.error_type == "http_status")
